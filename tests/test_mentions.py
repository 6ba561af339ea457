"""Names that must not match, and names the text scan must find: rules of mentions.pyx and link.pyx,
each on sentences written for these tests."""
import pytest

from entityres import Resolver, resolve
from entityres.gazetteer.loader import Gazetteer
from entityres.gazetteer.schema import Entry
from entityres.text import cues
from entityres.text.normalize import normalize_text


def mentions(text, lang):
    return [(m.text, m.type, m.entity_id) for m in resolve(text, lang).mentions]


def ids(text, lang):
    return [m.entity_id for m in resolve(text, lang).mentions]


# --- common words are not names without support -------------------------------------------------

@pytest.mark.parametrize("word,lang,common", [
    ("مدينة", "ar", True), ("المدينة", "ar", True), ("الجزيرة", "ar", True),  # used with and without ال
    ("العراق", "ar", False), ("مصر", "ar", False),  # a name keeps one form
    ("ماهی", "fa", True), ("کتاب", "fa", True),  # a noun has a plural
    ("ایران", "fa", False), ("تهران", "fa", False),
    ("مدينة", "xx", False),  # no rules for an unknown language
])
def test_common_nouns_by_their_inflections(word, lang, common):
    assert cues.is_common_noun(normalize_text(word), lang) is common


def test_the_word_city_is_not_medina():
    assert ids("أدى الحجاج الصلاة في المدينة المنورة أمس.", "ar") == ["place:medina"]
    assert "place:medina" not in ids("وصلت القافلة إلى مدينة حمص بعد الظهر.", "ar")
    assert ids("تجمع السكان في المدينة للاحتفال.", "ar") == []
    # named in full once, the short form links too
    assert ids("زار المدينة المنورة ثم غادر المدينة مساء.", "ar").count("place:medina") == 2


def test_a_common_noun_alias_needs_a_cue():
    assert "place:victoria" not in ids("ماهی‌گیران امروز ماهی زیادی صید کردند.", "fa")


def test_homographs_of_countries_are_listed_as_not_names():
    assert "place:czech-republic" not in ids("او یک چک بانکی امضا کرد.", "fa")
    assert "place:czech-republic" in ids("هیئتی از چک به تهران آمد و جمهوری چک را نمایندگی کرد.", "fa")


# --- organisations ----------------------------------------------------------------------------

@pytest.mark.parametrize("text,lang", [
    ("سخنگوی طالبان امروز در یک نشست خبری صحبت کرد.", "prs"),
    ("رهبر حماس گفت آتش‌بس ادامه دارد.", "fa"),
    ("قال المتحدث باسم حماس إن المفاوضات مستمرة.", "ar"),
    ("حزب الله بیانیه‌ای صادر کرد.", "fa"),
])
def test_organisations_are_not_people(text, lang):
    assert all(m.type != "person" for m in resolve(text, lang).mentions)


def test_title_organisation_name():
    # the organisation stands between a title and the person's name, and is not part of it
    found = mentions("سخنگوی طالبان فرشید نیکزاد گفت که نشست لغو شد.", "prs")
    assert [(t, ty) for t, ty, _ in found] == [("فرشید نیکزاد", "person")]


@pytest.mark.parametrize("text,lang,place", [
    ("به گزارش صدای امریکا، نشست به تعویق افتاد.", "prs", "place:united-states"),
    ("به گزارش خبرگزاری کار ایران، جلسه برگزار شد.", "fa", "place:iran"),
    ("رادیو و تلویزیون ملی افغانستان این خبر را پخش کرد.", "prs", "place:afghanistan"),
    ("نقلت وكالة أنباء الإمارات الخبر صباحا.", "ar", "place:united-arab-emirates"),
])
def test_a_place_inside_an_organisations_name_is_no_mention(text, lang, place):
    assert place not in ids(text, lang)


def test_a_country_after_a_ministry_is_still_the_state():
    assert "place:iran" in ids("وزارت خارجه ایران این خبر را تایید کرد.", "fa")
    assert "place:iran" in ids("خبرگزاری‌ها از ایران گزارش دادند.", "fa")
    assert "place:iran" in ids("خبرنگار روزنامه در ایران بازداشت شد.", "fa")  # a preposition ends the name


# --- the text scan finds what match() finds ---------------------------------------------------

def _resolver():
    entry = Entry(id="person:nemat-torki", type="person", name="Nematollah Torki",
                  names={"fa": ["نعمت‌الله ترکی"], "en": ["Nematollah Torki"]})
    return Resolver(gazetteer=Gazetteer.from_entries([entry], cache=False))


@pytest.mark.parametrize("text", [
    "نعمت‌الله ترکی در کابل سخنرانی کرد.",  # with ZWNJ
    "نعمتالله ترکی در کابل سخنرانی کرد.",  # ZWNJ dropped
    "نعمت الله ترکی در کابل سخنرانی کرد.",  # a space instead
])
def test_a_name_joined_without_zwnj_is_found(text):
    result = _resolver().resolve(text, "fa")
    assert [(m.entity_id, m.text.replace("\u200c", "").replace(" ", "")) for m in result.mentions] == [
        ("person:nemat-torki", "نعمتاللهترکی")]


def test_joined_particles_of_a_gazetteer_name():
    assert ids("محمد بنزاید به ریاض رفت.", "fa")[0] == "person:mohamed-bin-zayed-al-nahyan"
    assert "person:mohamed-bin-zayed-al-nahyan" in ids("پوتین با محمدبنزاید دیدار کرد.", "fa")


def test_ezafe_after_a_vowel_final_name_stays_outside_the_span():
    found = mentions("سواحل آلاسکای امریکا یخ زده است.", "prs")
    assert ("آلاسکا", "place", "place:alaska") in found
    assert ("امریکا", "place", "place:united-states") in found


@pytest.mark.parametrize("text,span", [
    ("وصل الوفد إلى الحمرون صباح اليوم.", "الحمرون"),  # the article is in the span
    ("عاد الوفد من بلدة والحمرون مساء.", "الحمرون"),  # a conjunction before it is not
    ("وصل الوفد بالحمرون صباح اليوم.", "الحمرون"),  # nor a preposition
    ("وصل الوفد إلى حمرون صباح اليوم.", "حمرون"),
])
def test_the_article_is_part_of_an_arabic_name_an_alias_spells_without_it(text, span):
    entry = Entry(id="place:hamrun", type="place", name="Hamrun", names={"ar": ["حمرون"], "en": ["Hamrun"]})
    resolver = Resolver(gazetteer=Gazetteer.from_entries([entry], cache=False), tagger=None)
    assert [(m.text, m.entity_id) for m in resolver.resolve(text, "ar").mentions] == [(span, "place:hamrun")]


@pytest.mark.parametrize("text,lang,span,eid", [
    ("سید علی خامنه‌ای در مشهد سخنرانی کرد.", "fa", "علی خامنه‌ای", "person:ali-khamenei"),
    ("آیت‌الله علی خامنه‌ای پیامی صادر کرد.", "fa", "علی خامنه‌ای", "person:ali-khamenei"),
    ("التقى الرئيس الروسي فلاديمير بوتين بنظيره.", "ar", "فلاديمير بوتين", "person:vladimir-putin"),
])
def test_titles_and_honorifics_stay_outside_the_span(text, lang, span, eid):
    assert (span, "person", eid) in mentions(text, lang)


def test_turkish_is_an_adjective_not_turkey():
    assert "place:turkey" not in ids("او به زبان ترکی صحبت می‌کرد.", "fa")
    assert "place:turkey" in ids("او به ترکیه سفر کرد.", "fa")


# --- a prominent person's surname alone -------------------------------------------------------

@pytest.mark.parametrize("text,lang,eid", [
    ("ترامپ روز دوشنبه گفت که تعرفه‌ها بالا می‌رود.", "fa", "person:donald-trump"),  # not Melania or Ivanka
    ("ترمپ در یک پیام نوشت که مذاکرات ادامه دارد.", "prs", "person:donald-trump"),
    ("وقال ترامب إن الاتفاق بات قريبا.", "ar", "person:donald-trump"),
    ("اردوغان با هیئتی از اروپا دیدار کرد.", "fa", "person:recep-tayyip-erdogan"),  # a middle name left out
    ("خامنه‌ای در دیدار با دانشجویان سخن گفت.", "fa", "person:ali-khamenei"),  # not his son; ZWNJ inside
])
def test_a_prominent_surname_alone_links(text, lang, eid):
    found = resolve(text, lang).mentions
    assert found and found[0].entity_id == eid and found[0].score >= 0.9


def _two_people(prominence):
    return Resolver(gazetteer=Gazetteer.from_entries([
        Entry(id="person:a", type="person", name="Kamran Shirazi", prominence=prominence,
              names={"fa": ["کامران شیرازی"]}),
        Entry(id="person:b", type="person", name="Parvin Shirazi", prominence=0.3, names={"fa": ["پروین شیرازی"]}),
    ], cache=False))


def test_prominence_decides_a_shared_surname_and_its_threshold():
    text = "شیرازی امروز به کرمان رفت."
    assert [m.entity_id for m in _two_people(0.9).resolve(text, "fa").mentions] == ["person:a"]
    # below the threshold a shared surname needs support: a title, or the full name in the text
    assert _two_people(0.5).resolve(text, "fa").mentions == []
    assert [m.entity_id for m in _two_people(0.5).resolve("دکتر شیرازی امروز به کرمان رفت.", "fa").mentions] == ["person:a"]
    both = "پروین شیرازی و همکارانش آمدند. شیرازی گفت که می‌ماند."
    assert [m.entity_id for m in _two_people(0.5).resolve(both, "fa").mentions] == ["person:b", "person:b"]


def test_a_common_word_surname_needs_support_unless_prominent():
    # اسلامی is an everyday word ("Islamic"): Mohammad Eslami (prominence 0.5) needs his full name
    assert "person:mohammad-eslami" not in ids("جمهوری اسلامی بیانیه داد.", "fa")
    assert "person:mohammad-eslami" in ids("محمد اسلامی گفت. اسلامی افزود که کار ادامه دارد.", "fa")


def test_bundled_people_have_prominence_on_the_documented_scale():
    from entityres import load_gazetteer

    people = [e for e in load_gazetteer() if e.type == "person"]
    assert all(e.prominence is not None for e in people)
    by_id = {e.id: e.prominence for e in people}
    assert by_id["person:donald-trump"] == by_id["person:vladimir-putin"] == 1.0
    assert 0.5 <= by_id["person:abbas-araghchi"] <= 0.7
    assert by_id["person:melania-trump"] < 0.8


# --- the Dari lexicon -------------------------------------------------------------------------

@pytest.mark.parametrize("name,eid", [
    ("جرمنی", "place:germany"), ("امریکا", "place:united-states"), ("انگلستان", "place:united-kingdom"),
    ("جاپان", "place:japan"), ("هسپانیه", "place:spain"), ("هالند", "place:netherlands"),
    ("پولند", "place:poland"), ("هندوستان", "place:india"), ("هنگری", "place:hungary"),
    ("قرغزستان", "place:kyrgyzstan"), ("کوریای جنوبی", "place:south-korea"), ("برازیل", "place:brazil"),
])
def test_dari_country_names_are_countries_never_new_people(name, eid):
    for text in (f"صدراعظم {name} به کابل سفر کرد.", f"سفیر {name} در کابل گفت که کمک‌ها ادامه دارد."):
        found = resolve(text, "prs").mentions
        assert [(m.entity_id, m.type) for m in found if m.text == name] == [(eid, "place")]
        assert all(m.type != "person" for m in found)


def test_every_afghan_province_has_a_dari_name():
    from entityres import load_gazetteer

    provinces = [e for e in load_gazetteer() if e.kind == "province" and e.parent == "place:afghanistan"]
    assert len(provinces) == 34
    assert all(e.names.get("prs") for e in provinces)


@pytest.mark.parametrize("text,span,eid", [
    ("درگیری‌ها در ولسوالی سنگین ولایت هلمند ادامه دارد.", "سنگین", "place:sangin-district"),
    ("نیروهای امنیتی به گرشک رسیدند.", "گرشک", "place:gereshk-district"),
    ("بندر تورخم دوباره باز شد.", "تورخم", "place:torkham-district"),
])
def test_afghan_districts(text, span, eid):
    assert (span, "place", eid) in mentions(text, "prs")


def test_a_district_that_is_an_everyday_word_needs_its_place_word():
    assert mentions("این بار برای او سنگین بود.", "prs") == []


def test_a_surname_that_is_a_given_name_or_a_common_noun_needs_support():
    # حسین of صدام حسین is mostly someone's given name; مرز of فریدریش مرز is "border"
    assert "person:saddam-hussein" not in ids("حسین به خانه برگشت.", "fa")
    assert "person:friedrich-merz" not in ids("نیروها به مرز رسیدند.", "fa")
    assert ids("صدام حسین سقوط کرد و حسین دیگر برنگشت.", "fa") == ["person:saddam-hussein"] * 2


def test_a_person_inside_a_facilitys_name_is_no_mention():
    assert "person:ruhollah-khomeini" not in ids("هواپیما در فرودگاه امام خمینی نشست.", "fa")
    assert "person:ruhollah-khomeini" in ids("امام خمینی در سال ۱۳۶۸ درگذشت.", "fa")


def test_the_sets_of_a_whole_index_are_its_alias_keys_pieces_held_in_c():
    import gc

    from entityres.gazetteer.index import TYPE_CODES
    from entityres.gazetteer.loader import bundled_gazetteer
    from entityres.resolve.mentions import _person_words, _place_names, _word_pairs

    index = bundled_gazetteer().index
    keys, types = list(index.aliases.keys), index.alias_types
    assert _word_pairs(index) == {" ".join(w[i:i + 2]) for k in keys for w in (k.split(" "),) for i in range(len(w) - 1)}
    assert _place_names(index) == {k.replace(" ", "") for k, c in zip(keys, types) if c == TYPE_CODES["place"]}
    assert _person_words(index) == {w for k, c in zip(keys, types) if c == TYPE_CODES["person"] for w in k.split(" ")}
    assert "نعمت الله" not in _place_names(index) and len(_word_pairs(index)) > 100
    # the cycle collector sees a few objects, not every string of the set
    assert all(len(gc.get_referents(s)) <= 2 for s in (_word_pairs(index), _place_names(index), _person_words(index)))


def _corrections_in_python(word, lang, index):
    """corrections() as it was written before its filter moved into C."""
    from rapidfuzz.distance import Indel

    from entityres.gazetteer.index import word_blocking_keys
    from entityres.resolve.mentions import FUZZY_WORD, MAX_CORRECTIONS, SAME_LETTERS
    from entityres.text.similarity import word_profile, word_similarity

    profile = word_profile(word, lang)
    vocab, words = index.vocab, index.vocab_words
    found = {v for key in word_blocking_keys(profile, query=True) for i in index.vocab_postings.get(key, ())
             if vocab[v := words[i]].arabic == profile.arabic}
    scored = sorted(((word_similarity(profile, vocab[v]), v) for v in found
                     if Indel.normalized_similarity(profile.surface, vocab[v].surface) >= SAME_LETTERS), reverse=True)
    return tuple((v, s) for s, v in scored[:MAX_CORRECTIONS] if s >= FUZZY_WORD)


@pytest.mark.parametrize("cached", [True, False])
def test_spelling_corrections_are_those_of_the_vocabulary_in_the_same_script(cached):
    from entityres.gazetteer.loader import bundled_gazetteer
    from entityres.resolve.mentions import _vocab_arabic, corrections

    bundled = bundled_gazetteer()
    index = bundled.index if cached else Gazetteer.from_entries(list(bundled), cache=False).index
    assert _vocab_arabic(index) == bytes(w.arabic for w in index.vocab.values())
    some = [5, 0, len(index.vocab_words) - 1, 5]
    assert index.vocab.surfaces(some) == [index.vocab[index.vocab_words[n]].surface for n in some]
    words = [("ترامب", "ar"), ("ترمپ", "fa"), ("پوتبن", "fa"), ("الاسكا", "ar"), ("Trumpp", None), ("Pottin", None),
             ("آلاسکاا", "fa"), ("زلنسکى", "fa")]
    made = [corrections(w, lang, index) for w, lang in words]
    assert made == [_corrections_in_python(w, lang, index) for w, lang in words]
    assert any(made)
    assert all(w[0].isascii() == v.isascii() for (w, _), found in zip(words, made) for v, _ in found)


def test_detector_and_linker_are_compiled_with_python_semantics():
    # mentions.pyx and link.pyx are Python compiled as it reads: annotations are documentation, not
    # types (annotation_typing=False), so a tuple where one says list works as it does in Python.
    import importlib.machinery
    import sys

    from entityres.resolve import link, mentions

    for module in (mentions, link):
        assert module.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), module.__file__
    # an organisation name two tokens long at token 1, all in one segment; a tuple of lengths
    assert mentions._organisations((0, 2, 0, 0), (0, 0, 0, 0)) == {1: 1, 2: 1}
    assert mentions._organisations([0, 2, 0, 0], [0, 0, 1, 1]) == {}  # split by punctuation: none
    assert sys.modules["entityres.resolve.mentions"] is mentions


# --- a title, then the definite noun of the body it serves, then a new name -----------------------

@pytest.mark.parametrize("text,cued", [
    ("وقال المتحدث باسم الحكومة غابرييل مورسانو إن المحادثات مستمرة.", True),  # title, then body, then name
    ("وقال المتحدث باسم الوزارة الخارجية غابرييل مورسانو إن", False),  # two definite nouns: too far
    ("وأعلنت الحكومة غابرييل مورسانو مبعوثا.", False),  # a definite noun and no title before it
])
def test_a_title_reaches_a_new_name_across_one_definite_noun(text, cued):
    result = Resolver(tagger=None).resolve(text, "ar")
    found = [(m.text, m.explanation.cue) for m in result.mentions if m.type == "person"]
    assert (("غابرييل مورسانو", "title") in found) is cued
