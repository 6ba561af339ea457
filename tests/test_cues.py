"""Cue tables for mention detection: one test per group, on sentences written for these tests."""
import re

import pytest

from entityres import tokenize
from entityres.text import cues, tables
from entityres.text.langs import READ_LANGS
from entityres.text.normalize import normalize_text

GROUPS = tables.load("cues")["groups"]
PHRASE_GROUPS = [g for g, v in GROUPS.items() if all("forms" in s for s in v["entries"])]


def words(text):
    return [t.text for t in tokenize(text)]


# --- the table itself ---------------------------------------------------------------------------

@pytest.mark.parametrize("group", list(GROUPS))
def test_every_group_has_a_why_and_entries_for_each_language(group):
    spec = GROUPS[group]
    assert isinstance(spec.get("why"), str) and len(spec["why"]) > 40
    for entry in spec["entries"]:
        assert entry["langs"] and set(entry["langs"]) <= set(READ_LANGS)
        assert entry.get("forms") or entry.get("suffixes") or entry.get("article")
    for lang in READ_LANGS:
        assert cues._sets(group, lang), f"{group} has nothing for {lang}"
        if group in PHRASE_GROUPS:
            assert cues.phrases(group, lang)


@pytest.mark.parametrize("group", PHRASE_GROUPS)
def test_entries_are_normalised_tokenisable_and_not_repeated(group):
    for entry in GROUPS[group]["entries"]:
        seen = set()
        for form in entry["forms"]:
            assert form == normalize_text(form), f"{form!r} is not in normalised script"
            phrase = cues._phrase(form)
            assert phrase not in seen, f"{form!r} repeats an entry of {group} {entry['langs']}"
            seen.add(phrase)
            tokens = tuple(p for t in tokenize(form) for p in cues._parts(t.text))
            assert tokens == phrase, f"{form!r} does not tokenise as its words"


def test_phrases_are_tuples_of_words_longest_first_and_deduplicated():
    titles = cues.phrases("person_titles", "fa")
    assert ("رییس", "جمهور") in titles and ("وزیر", "امور", "خارجه") in titles
    assert titles == tuple(sorted(titles, key=len, reverse=True))
    assert len(titles) == len(set(titles))
    assert cues.phrases("person_titles", "fa-AF") == cues.phrases("person_titles", "prs")
    assert set(cues.phrases("person_titles", "fa")) < set(cues.phrases("person_titles", None))


def test_unknown_group_and_non_phrase_group_are_errors():
    with pytest.raises(KeyError):
        cues.phrases("person_title", "fa")
    with pytest.raises(ValueError):
        cues.phrases("nationality_suffixes", "fa")
    with pytest.raises(IndexError):
        cues.match_before(["a"], 2, "person_titles", "fa")


# --- phrase groups: a cue before or after a name ----------------------------------------------

AFTER = {"person_cues_after", "organisation_endings"}

# One case a line: group, language (None for all), the tokens of the cue, and a sentence with the
# name in [brackets]. Groups in AFTER follow the name; the others precede it.
CASES = """
person_titles         fa     1  رئیس‌جمهور [کامران] فرهادی به کرمانشاه رفت  # one token with a ZWNJ inside
person_titles         fa     2  رئیس جمهور [کامران] فرهادی به کرمانشاه رفت  # the same title as two tokens
person_titles         fa     1  رییسجمهور [کامران] فرهادی به کرمانشاه رفت  # typed solid
person_titles         fa     1  آقای [کامران] فرهادی
person_titles         fa     1  آیت‌الله [کامران] فرهادی
person_titles         fa     2  حجت الاسلام [کامران] فرهادی
person_titles         fa     3  وزیر امور خارجه [بهرام] نیکزاد وارد شد  # the longest title wins
person_titles         fa     2  وزیر خارجه [بهرام] نیکزاد
person_titles         fa     1  دیدار با وزیر [بهرام] نیکزاد
person_titles         prs    1  ولسوال [نورالله] پیمان گفت  # Dari titles serve Dari only
person_titles         fa-AF  1  ولسوال [نورالله] پیمان گفت
person_titles         fa     0  ولسوال [نورالله] پیمان گفت
person_titles         prs    2  رییس جمهور [نورالله] پیمان
person_titles         ar     1  قال الرئيس [سمير] حداد
person_titles         ar     1  قال الرييس [سمير] حداد  # hamza seat dropped
person_titles         ar     2  اجتمع رئيس الوزراء [سمير] حداد  # hamza on the line dropped
person_titles         ar     2  وصلت وزيرة الخارجية [سمير] حداد  # teh marbuta as ة
person_titles         ar     2  وصلت وزیره الخارجیه [سمیر] حداد  # ... as ه, with Persian yeh
person_titles         ar     2  أعلن نائب الرئيس [سمير] حداد
person_titles         ar     1  والرئيس [سمير] حداد  # conjunction on the title
person_titles         ar     1  رسالة للرئيس [سمير] حداد  # ل + ال written لل
person_titles         ar     2  ووزير الخارجية [سمير] حداد
person_titles         ar     1  الرئيس [وسمير] حداد  # proclitics on a title's first word only
person_titles         fa     0  الرئيس [سمير] حداد  # Arabic titles are not Persian ones
person_titles         None   1  الرئيس [سمير] حداد
person_titles         ar     1  PRESIDENT [Jane] Doe  # Latin titles ignore case
person_titles         fa     2  by Prime Minister [Jane] Doe
person_cues_after     fa     1  کامران [فرهادی] گفت که
person_cues_after     fa     2  کامران [فرهادی] اظهار داشت
person_cues_after     fa     2  کامران [فرهادی] تأکید کرد  # hamza seat
person_cues_after     fa     1  کامران [فرهادی] می‌گوید
person_cues_after     fa     2  کامران [فرهادی] می گوید
person_cues_after     prs    2  کامران [فرهادی] علاوه کرد
person_cues_after     fa     0  کامران [فرهادی] علاوه کرد  # Dari wording
person_cues_after     ar     1  سمير [حداد] أكد
person_cues_after     ar     1  سمير [حداد] وأضاف
person_cues_after     ar     0  سمير [حداد] ذهب
person_cues_before    fa     2  به گفته [کامران] فرهادی
person_cues_before    prs    3  به نقل از [کامران] فرهادی
person_cues_before    ar     1  وقال [سمير] حداد  # Arabic puts the verb first
person_cues_before    ar     1  فأضافت [سمير] حداد
person_cues_before    ar     2  نقلا عن [سمير] حداد
place_words           fa     1  در شهر [زرین‌آباد] باران آمد
place_words           fa     1  استان [زرین‌آباد]
place_words           fa     1  در منطقه‌ی [زرین‌آباد]
place_words           fa     2  جنوب غربی [زرین‌آباد]
place_words           prs    1  ولسوالی [زرین‌آباد]
place_words           ar     1  في مدينة [تل] النخيل
place_words           ar     1  بمدينة [تل] النخيل  # preposition on the place word
place_words           ar     1  محافظة [تل] النخيل
place_words           ar     1  محافظه [تل] النخيل
place_words           ar     2  شبه جزيرة [تل] النخيل
place_prepositions    fa     1  سفر به [زرین‌آباد]
place_prepositions    fa     1  عازم [زرین‌آباد] شد
place_prepositions    ar     1  وصل إلى [تل] النخيل
place_prepositions    ar     1  ومن [تل] النخيل
place_prepositions    ar     0  وصل [تل] النخيل
organisation_words    fa     1  وزارت [خارجه] زرین‌آباد
organisation_words    prs    1  خبرگزاری [زرین‌آباد]
organisation_words    prs    2  ولسی جرگه [زرین‌آباد]
organisation_words    ar     1  وزارة [الخارجية]
organisation_words    ar     1  لوزاره [الخارجیه]
organisation_words    ar     0  كاتب [زرين]
organisation_names    fa     1  سخنگوی طالبان [کامران] فرهادی گفت  # an organisation between a title and a name
organisation_names    prs    2  به گزارش صدای امریکا [کامران] فرهادی
organisation_names    ar     2  قال المتحدث باسم حركة حماس [سمير] حداد
organisation_names    ar     1  المتحدث باسم لحماس [سمير] حداد  # a preposition on the name
organisation_name_heads  fa  1  خبرگزاری [کار] زرین‌آباد
organisation_name_heads  prs 3  رادیو و تلویزیون [ملی] زرین‌آباد
organisation_name_heads  ar  2  وكالة أنباء [تل] النخيل
organisation_endings  fa     1  [زرین‌آباد] اینترنشنال
organisation_endings  fa     1  [زرین‌آباد] تی‌وی
organisation_endings  fa     2  [زرین‌آباد] تی وی
organisation_endings  ar     1  تل [النخيل] نيوز
organisation_endings  ar     1  [Zarinabad] Times
"""


def _cases():
    for line in CASES.strip().splitlines():
        group, lang, tokens, sentence = line.split("#")[0].split(None, 3)
        yield group, None if lang == "None" else lang, int(tokens), sentence.strip()


def test_every_phrase_group_is_exercised():
    assert {c[0] for c in _cases()} | {"nationality_exceptions", "not_names", "name_particles"} == set(PHRASE_GROUPS)


@pytest.mark.parametrize("group,lang,tokens,sentence", list(_cases()))
def test_cue_next_to_a_name(group, lang, tokens, sentence):
    head, name, _ = re.split(r"\[(.+?)\]", sentence)
    w = words(sentence.replace("[", "").replace("]", ""))
    i = len(words(head))
    assert w[i] == normalize_text(name)
    if group in AFTER:
        assert cues.match_at(w, i + len(words(name)), group, lang) == tokens
    else:
        assert cues.match_before(w, i, group, lang) == tokens


def test_a_phrase_must_fill_whole_tokens():
    # the last ZWNJ piece is a title, but the token as a whole is not one
    assert cues.match_before(["هم‌وزیر", "بهرام"], 1, "person_titles", "fa") == 0
    assert cues.match_before(["نایب‌رئیس‌جمهور", "بهرام"], 1, "person_titles", "fa") == 1
    assert cues.match_before(["وزیر"], 0, "person_titles", "fa") == 0
    assert cues.match_at(words("وزیر امور خارجه"), 0, "person_titles", "fa") == 3
    assert cues.match_at(words("وزیر امور"), 0, "person_titles", "fa") == 1


@pytest.mark.parametrize("lang,sentence", [
    ("fa", "وزیر امور خارجه و سخنگوی دولت در شهر کابل گفت که خبرگزاری کار ایران و رئیس‌جمهور آمدند"),
    ("ar", "وقال الرئيس والمتحدث باسم الحكومة في مدينة حلب إن وكالة الأنباء ستعلن"),
])
def test_one_pass_rows_equal_the_lookups_at_every_position(lang, sentence):
    w = words(sentence)
    rows = cues.rows(w, lang)
    assert set(rows.at) == set(rows.before) == set(PHRASE_GROUPS) == set(cues.phrase_groups())
    assert sum(map(any, rows.at.values())) >= 4 and sum(map(any, rows.before.values())) >= 4
    for group in PHRASE_GROUPS:
        assert rows.before[group] == [cues.match_before(w, j, group, lang) for j in range(len(w) + 1)]
        assert rows.at[group] == [cues.match_at(w, i, group, lang) for i in range(len(w))]


def test_rows_take_the_longest_phrase_of_each_group_over_whole_tokens():
    # وزیر امور خارجه is a title of three tokens, وزیر one of one; هم‌وزیر is no title, though its last piece is
    rows = cues.rows(words("هم‌وزیر و وزیر امور خارجه آمد"), "fa")
    assert rows.at["person_titles"] == [0, 0, 3, 0, 0, 0]
    assert rows.before["person_titles"] == [0, 0, 0, 1, 0, 3, 0]
    assert cues.rows([], "fa").before["person_titles"] == [0]


# --- nationality_suffixes / nationality_exceptions ----------------------------------------------

PLACES = {normalize_text(p) for p in ["آمریکا", "روسیه", "روسيا", "اوکراین", "أوكرانيا", "چین", "الصين", "کره", "ایران", "إيران", "العلا"]}


@pytest.mark.parametrize("word,lang", [
    ("آمریکایی", "fa"), ("امریکایی", "prs"), ("آمریکائی", "fa"), ("آمریکایی‌ها", "fa"), ("ایرانیان", "fa"),
    ("اوکراینی", "fa"), ("روسی", "fa"), ("چینی", "fa"), ("کره‌ای", "fa"),
    ("الروسي", "ar"), ("روسي", "ar"), ("الأوكرانيين", "ar"), ("الإيرانية", "ar"), ("والصيني", "ar"),
    ("الأمريكيون", "ar"), ("للإيرانيين", "ar"),
])
def test_nationality_adjectives(word, lang):
    places = PLACES | {normalize_text("أمريكا")}
    assert cues.is_nationality_adjective(word, lang, places)


@pytest.mark.parametrize("word,lang", [
    ("آمریکا", "fa"),       # the place itself
    ("آمریکای", "fa"),      # ezafe: آمریکای شمالی is a place
    ("آمریکای", None),
    ("والصين", "ar"),       # a place with a proclitic
    ("للصين", "ar"),
    ("فرهادی", "fa"),       # a name ending in ی whose stem is no place
    ("کامرانی", "fa"),
    ("علي", "ar"),          # عل + ي is too short a stem (even with العلا known)
    ("مهدی", None),
])
def test_not_nationality_adjectives(word, lang):
    assert not cues.is_nationality_adjective(word, lang, PLACES)


def test_no_adjective_without_its_place_and_exceptions_need_no_place():
    assert not cues.is_nationality_adjective("آمریکایی", "fa", set())
    assert cues.is_nationality_adjective("آمریکایی", "fa", {"امریکا"})
    assert cues.is_nationality_adjective("فرانسوی", "fa", set())
    assert cues.is_nationality_adjective("افغان‌ها", "prs", set())
    assert cues.is_nationality_adjective("العربية", "ar", set())
    # the caller's container may hold a bare stem
    assert cues.is_nationality_adjective("الهنغاري", "ar", {"هنغار"})


# --- not_names ----------------------------------------------------------------------------------

@pytest.mark.parametrize("word,lang,expected", [
    ("ولی", "fa", 1),
    ("اما", "prs", 1),
    ("آن", "fa", 1),
    ("على", "ar", 1),     # normalises to علی, the spelling of Ali
    ("علی", "fa", 0),     # in Persian it is only the name
    ("كيف", "ar", 1),     # "how", and a spelling of Kyiv
    ("کیف", "fa", 0),     # in Persian mostly Kyiv
    ("شيء", "ar", 1),     # normalises to شی, the spelling of Xi
    ("کامران", "fa", 0),
])
def test_not_names(word, lang, expected):
    assert cues.match_at([word], 0, "not_names", lang) == expected


@pytest.mark.parametrize("name,lang,expected", [
    (["الرئيس", "بوتين"], "ar", 1),
    (["د.", "عوده", "الرويعي"], "ar", 1),  # an abbreviation dot is no part of the title
    (["Dr.", "Awda"], None, 1),  # a name in another language: every language's titles
    (["Dr", "Awda"], "ar", 1),  # English titles sit in the Arabic tables too
    (["د.", "رستم"], "fa", 0),  # Persian writes دکتر
    (["الرئيس"], "ar", 0),  # a one-word name has no title
    (["عوده", "الرئيس"], "ar", 0),  # only at the start
])
def test_leading_title(name, lang, expected):
    assert cues.leading_title(name, lang) == expected
    # the quick test on the first word alone never turns a title away
    assert cues.title_may_lead(name[0], lang) or expected == 0


@pytest.mark.parametrize("word,lang,expected", [
    ("الرئيس", "ar", True),
    ("Dr.", None, True),  # the dot off, as leading_title takes it
    ("Dr", "ar", True),
    ("د.", "fa", False),  # Persian writes دکتر
    ("عوده", "ar", False),
    ("Awda", "en", False),
])
def test_title_may_lead(word, lang, expected):
    assert cues.title_may_lead(word, lang) is expected
    if not expected:  # then no name beginning with it has a title
        assert cues.leading_title([word, "الرئيس", "Dr"], lang) == 0
