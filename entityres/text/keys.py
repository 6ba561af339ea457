# cython: language_level=3, annotation_typing=False, binding=True
"""Cross-script keys: consonant skeletons that every spelling of a name shares.

The classes and the rules that map Arabic-script and Latin letters to them are in
``resources/keys.yaml``, with the reason for each. A word has a few keys when its letters are
ambiguous (و is a consonant or a vowel, ق is k or g); :func:`word_keys` returns them likeliest
first with the number of second choices each one took, so that scoring can prefer the plain ones.
Any script other than Arabic is first folded to Latin (:func:`transliterate.latin_forms`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import tables
from ..limits import check_name_words
from ..memo import READINGS, WORDS
from ._kernels import CostTable, LatinRules, RuleItem, VowelRules, expand_keys, first_key, key_codes, latin_units, weighted_similarity
from ._kernels import edge_mismatches as _edge_mismatches
from ._kernels import join_codes as _join_codes
from ._kernels import join_key_slots as _join_key_slots
from ._kernels import join_keys as _join_keys
from ._kernels import vowel_mismatches as _vowel_mismatches
from .langs import is_arabic_script
from .normalize import ZWNJ, normalize_text, require_str
from .transliterate import VOWEL_LETTERS, latin_forms, letter_units

MAX_KEYS = 16
CODES_PER_READING = 4  # a reading's likeliest keys that give its codes
ARTICLE = "ال"


@lru_cache(maxsize=None)
def _arabic_table(spelling: str | None = None) -> dict:
    """Arabic-script letters and digraphs, with the overrides of a ``spelling`` (keys.yaml)."""
    section = tables.load("keys")["arabic_script"]
    extra = section["spellings"][spelling]["letters"] if spelling else {}
    return {**section["letters"], **section["digraphs"], **extra}


def spelling_of(name: str) -> str | None:
    """The spelling a raw (not normalised) name is typed in, by the letters that tell it
    (keys.yaml, arabic_script: spellings), or None: every reading stays."""
    for spelling, rule in tables.load("keys")["arabic_script"]["spellings"].items():
        if any(c in name for c in rule["typed_with"]) and not any(c in name for c in rule["not_with"]):
            return spelling
    return None


@lru_cache(maxsize=None)
def _latin_rules() -> LatinRules:
    """The Latin rules as the kernel matches them (``_kernels.latin_units``): the first that matches
    at a position, tried in order, as an ordered alternation of their regular expressions would."""
    return LatinRules([(_rule_items(p), tuple(opts)) for p, opts in tables.load("keys")["latin"]])


_ALNUM = re.compile(r"[^\W_]")  # a character str.isalnum() accepts (the same set, checked over all of Unicode)
_ITEM = re.compile(r"(\^|\$)|\(\?(=|!|<=|<!)(\[\^?[a-z]+\]|[a-z])\)|(\[\^?[a-z]+\]|[a-z])([?*+]?)")
_KINDS = {"^": RuleItem.BEGIN, "$": RuleItem.END, "=": RuleItem.AHEAD, "!": RuleItem.AHEAD, "<=": RuleItem.BEHIND,
          "<!": RuleItem.BEHIND}
_REPEATS = {"": (1, 1), "?": (0, 1), "*": (0, -1), "+": (1, -1)}


def _rule_items(pattern: str) -> list[tuple[int, str, bool, bool, int, int]]:
    """A Latin rule's regular expression as items ``(kind, letters, class negated, assertion
    negated, least, most)``. Rules use only ``^``, ``$``, a letter or a class of letters (``[aeiou]``,
    ``[^aeiou]``) with ``?``, ``*`` or ``+``, and lookaround of one such: anything else is refused."""
    items, at = [], 0
    while at < len(pattern):
        m = _ITEM.match(pattern, at)
        if m is None:
            raise ValueError(f"keys.yaml latin rule {pattern!r}: cannot read {pattern[at:]!r} (rules use ^ $ letters, "
                             "[classes] with ? * +, and (?=) (?!) (?<=) (?<!) of one letter or class)")
        anchor, look, looked, atom, repeat = m.groups()
        unit = looked or atom
        chars = unit.strip("[]^") if unit and unit.startswith("[") else unit
        negated = bool(unit) and unit.startswith("[^")
        if anchor:
            items.append((_KINDS[anchor], "", False, False, 0, 0))
        elif look:
            items.append((_KINDS[look], chars, negated, "!" in look, 1, 1))
        else:
            items.append((RuleItem.CONSUME, chars, negated, False, *_REPEATS[repeat]))
        at = m.end()
    if sum(lo for kind, _, _, _, lo, _ in items if kind == RuleItem.CONSUME) < 1:
        raise ValueError(f"keys.yaml latin rule {pattern!r} must take at least one letter")
    return items


def _latin_units(word: str) -> list[tuple[str, tuple[str, ...]]]:
    return latin_units(word, _latin_rules())


@lru_cache(maxsize=256)  # a Latin word's profile asks for its forms' codes, then for its keys: one expansion serves both
def _latin_expansion(form: str) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    return _expand(_latin_units(form.replace(" ", "")))


Slots = tuple[str, ...]


def _expand(units: list[tuple[str, tuple[str, ...]]], collapse: bool = True) -> tuple[tuple[str, int, Slots], ...]:
    """All keys from per-unit class options, as (key, choices off the first, vowel slots), cheapest first.

    A unit is (its letters, its options). Runs of one class collapse when ``collapse`` (Latin
    doubles a consonant in writing; Arabic script never does, so two like letters there have a
    vowel between them, ممدانی); an inner vowel (``-`` in the rules) keeps them apart. The slots
    are the vowel letters written before each class of the key and after the last ("" for none;
    one more slot than classes): keys drop them, codes keep them as ``A``, and
    :func:`vowel_mismatches` compares the inner ones.

    Past MAX_KEYS combinations the rarest choices cannot change the top keys: once 2 ** (ambiguous
    units) passes ``MAX_KEYS * 4``, later ambiguous units keep only their first class. In C
    (``_kernels.expand_keys``): a word's profile is built from many of these.
    """
    return expand_keys(units, collapse, MAX_KEYS, MAX_KEYS * 4)


def _ranked(found: dict[str, tuple[int, Slots]]) -> tuple[tuple[str, int, Slots], ...]:
    return tuple([(k, c, s) for k, (c, s) in sorted(found.items(), key=lambda kv: (kv[1][0], kv[0]))[:MAX_KEYS]])


@lru_cache(maxsize=WORDS)
def word_key_slots(word: str, spelling: str | None = None) -> tuple[tuple[str, int, Slots], ...]:
    """Keys of one normalised word with their vowel slots, as ``(key, cost, slots)``, likeliest first.

    ``spelling`` (:func:`spelling_of` the raw name) narrows the letters it reads one way
    (keys.yaml, arabic_script: spellings); without it every reading stays.
    """
    if is_arabic_script(word):
        found = {k: (c, s) for k, c, s in _expand([(u, tuple(opts)) for u, opts in letter_units(word, _arabic_table(spelling))],
                                                  collapse=False)}
        if word.startswith(ARTICLE) and len(word) > len(ARTICLE) + 1:
            # Latin spellings often leave the article out (القرم Crimea, السودانی Sudani).
            for key, cost, slots in word_key_slots(word[len(ARTICLE):], spelling):
                if cost + 1 < found.get(key, (1 << 30,))[0]:
                    found[key] = (cost + 1, slots)
        return _ranked(found)
    forms = latin_forms(word)
    if len(forms) == 1:  # one expansion is ranked already: distinct keys, cheapest first, then by key
        return _latin_expansion(forms[0])
    out: dict[str, tuple[int, Slots]] = {}
    for form in forms:
        for key, cost, slots in _latin_expansion(form):
            if cost < out.get(key, (1 << 30,))[0]:
                out[key] = (cost, slots)
    return _ranked(out)


@lru_cache(maxsize=WORDS)
def word_keys(word: str) -> tuple[tuple[str, int], ...]:
    """Keys of one normalised word, as ``(key, cost)`` pairs, likeliest first."""
    return tuple([(k, c) for k, c, _ in word_key_slots(word, None)])


def top_key(word: str) -> str:
    """``word_keys(word)[0][0]`` ("" for a word without keys), without the other keys: in Arabic
    script the key of every unit's first option, which costs nothing (``_kernels.first_key``);
    the tagger reads only this key of each new word."""
    if is_arabic_script(word):
        key = first_key(word.replace(ZWNJ, ""), _arabic_table(None), VOWEL_LETTERS)
        if key is not None:
            return key
    keys = word_keys(word)
    return keys[0][0] if keys else ""


@lru_cache(maxsize=READINGS)
def latin_codes(reading: str) -> tuple[str, ...]:
    """Codes of a lowercase ASCII reading: its key classes with inner vowels kept as ``A``.

    Codes compare Latin readings by sound class, so ``zh``/``j`` or ``gh``/``q`` cost nothing.
    """
    return key_codes(_latin_expansion(reading), CODES_PER_READING)  # in C


@lru_cache(maxsize=None)
def compare_table() -> CostTable:
    """Deletion weights per class and substitution costs between classes (``keys.yaml``, compare),
    as the compiled kernels take them."""
    table = tables.load("keys")["compare"]
    related = [frozenset(g) for g in table["related"]]
    classes = set("".join(table["related"])) | set(table["weak"]) | set("PFTDSZCQJGKXHLMNRA")
    swap = {a: {b: 0.0 if a == b else 0.5 if any(a in g and b in g for g in related) else 1.0 for b in classes}
            for a in classes}
    return CostTable(table["weak"], swap)


def key_similarity(x: str, y: str) -> float:
    """Similarity of two keys in [0, 1] by the weighted edit distance of ``keys.yaml`` (compare)."""
    return weighted_similarity(x, y, compare_table())


def join_key_slots(parts: list[tuple[tuple[str, int, Slots], ...]]) -> tuple[tuple[str, int, Slots], ...]:
    """Keys (with slots) of words written together: one per combination of the parts' keys, cheapest first.

    A word-edge vowel is no longer at an edge once the words are joined (کی یف): it and its slots
    become a :data:`JOINT` slot; one class either side of the joint is one letter written apart
    (its two slots become one), and the slot between two other classes is a joint. At most
    ``MAX_KEYS`` combinations go on to the next word. In C (``_kernels.join_key_slots``).
    """
    return _join_key_slots(list(parts), MAX_KEYS, JOINT)


def join_keys(parts: list[tuple[tuple[str, int], ...]]) -> tuple[tuple[str, int], ...]:
    """Keys of words written together, without their slots (in C)."""
    return _join_keys(list(parts), MAX_KEYS)


def join_codes(parts: list[tuple[str, ...]]) -> tuple[str, ...]:
    """Codes (:func:`latin_codes`) of words written together: the first :data:`JOINED_CODES` of
    each word joined as keys with no vowel slots (in C)."""
    return _join_codes(list(parts), MAX_KEYS, JOINED_CODES)


def name_words(name: str) -> list[str]:
    """The normalised words of a name; ZWNJ parts count as words (خامنه‌ای = خامنه ای)."""
    return [w for w in normalize_text(name).replace(ZWNJ, " ").split() if w.isalnum() or _ALNUM.search(w)]


def written_words(name: str) -> tuple[list[str], list[bool]]:
    """:func:`name_words`, and for each whether it begins a word as written: a piece after ZWNJ
    (the ای of خامنه‌ای) continues the written word before it. The name is normalised once, and
    its pieces are read once for both."""
    words, starts = [], []
    for written in normalize_text(name).split():
        first = True
        for piece in written.split(ZWNJ):
            if piece.isalnum() or _ALNUM.search(piece):
                words.append(piece)
                starts.append(first)
                first = False
    return words, starts


def keys(name: str) -> list[str]:
    """The keys of a whole name, likeliest first; spaces inside the name do not count (کی یف = کییف).

    >>> keys("Witkoff")[0] == keys("ویتکاف")[0] == "FTKF"
    True
    """
    require_str(name, "keys()")
    return [k for k, _ in join_keys([word_keys(w) for w in check_name_words(name_words(name), "keys()")])]


# --- written vowels ------------------------------------------------------------------------------

JOINT = "?"  # the slot where two words were joined: what was written there is not compared
JOINED_CODES = 4  # codes of each word that words written as one combine (join_codes)


@lru_cache(maxsize=None)
def _vowel_table() -> tuple[dict[str, frozenset], dict[str, frozenset], dict[str, float]]:
    table = tables.load("keys")["vowels"]
    alike = {k: frozenset([k, *v]) for k, v in table["alike"].items()}
    letters = {k: frozenset(v) for k, v in table["letters"].items()}
    return alike, letters, table["costs"]


@lru_cache(maxsize=4096)
def latin_sounds(cluster: str) -> tuple[tuple[str, ...], ...]:
    """The readings of a Latin vowel cluster as vowel sounds: long ones (``A I U``) for the letter
    groups of ``keys.yaml`` (vowels: long), both ways for its diphthongs, else one short sound a letter."""
    table = tables.load("keys")["vowels"]
    if not cluster:
        return ((),)
    pair = cluster[:2]
    heads = []
    if pair in table["long"]:
        heads.append(((table["long"][pair],), 2))
    else:
        if pair in table["diphthongs"]:
            heads.append(((table["diphthongs"][pair],), 2))
        heads.append(((table["short"][cluster[0]],) if cluster[0] in table["short"] else (), 1))
    return tuple(dict.fromkeys(head + rest for head, n in heads for rest in latin_sounds(cluster[n:])))


def _left_over(sound: str, facing_nothing: bool) -> float:
    """A Latin sound with no partner: a long vowel differs, a glide is free, and a short vowel is
    free where the other spelling wrote nothing (``keys.yaml``, vowels: costs)."""
    _, _, costs = _vowel_table()
    if sound == "y":
        return 0.0
    if sound.isupper():
        return costs["long_unwritten"]
    return 0.0 if facing_nothing else costs["beside"]


def _align_cost(n: int, m: int, drop_x, drop_y, pair, join2=None) -> float:
    """The cheapest alignment of two short sequences: ``drop_x(i)``/``drop_y(j)`` leave an item
    without a partner, ``pair(i, j)`` pairs two, ``join2(i, j)`` (if given) pairs items i, i+1 with j."""
    inf = float("inf")
    dp = [[inf] * (m + 1) for _ in range(n + 1)]
    dp[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = dp[i][j]
            if here == inf:
                continue
            if i < n:
                dp[i + 1][j] = min(dp[i + 1][j], here + drop_x(i))
            if j < m:
                dp[i][j + 1] = min(dp[i][j + 1], here + drop_y(j))
            if i < n and j < m:
                dp[i + 1][j + 1] = min(dp[i + 1][j + 1], here + pair(i, j))
            if join2 is not None and i + 1 < n and j < m:
                dp[i + 2][j + 1] = min(dp[i + 2][j + 1], here + join2(i, j))
    return dp[n][m]


@lru_cache(maxsize=65536)
def _arabic_latin(written: str, cluster: str) -> float:
    """Mismatches between the vowel letters an Arabic-script slot writes and a Latin vowel cluster."""
    _, letters, costs = _vowel_table()
    if any(c not in letters for c in written):  # ع, or a joint: any vowel may stand there
        return 0.0
    n = len(written)

    def cost(sounds: tuple[str, ...]) -> float:
        return _align_cost(
            n, len(sounds), lambda i: costs["unread"], lambda j: _left_over(sounds[j], n == 0),
            lambda i, j: 0.0 if sounds[j] in letters[written[i]] else costs["other"],
            # ای, او read as one long vowel (Ukraine, اوکراین)
            lambda i, j: 0.0 if written[i] == "ا" and sounds[j].isupper() and sounds[j] in letters[written[i + 1]]
            else float("inf"))
    return min(cost(s) for s in latin_sounds(cluster))


@lru_cache(maxsize=65536)
def _latin_latin(x: str, y: str) -> float:
    """Mismatches between two Latin vowel clusters: alike sounds match, others differ, at the
    weight of a Latin pair."""
    alike, _, costs = _vowel_table()

    def cost(sx: tuple[str, ...], sy: tuple[str, ...]) -> float:
        return _align_cost(
            len(sx), len(sy), lambda i: _left_over(sx[i], not sy), lambda j: _left_over(sy[j], not sx),
            lambda i, j: 0.0 if sy[j] in alike.get(sx[i], (sx[i],)) else costs["other"])
    return costs["latin_pair"] * min(cost(sx, sy) for sx in latin_sounds(x) for sy in latin_sounds(y))


@lru_cache(maxsize=None)
def vowel_rules() -> VowelRules:
    """The written vowels' and the word edges' rules (``keys.yaml``, vowels and edges), as the
    compiled scorer takes them. Two Arabic-script slots are not compared: spellings in one script
    add and drop ا and ی freely (ترامپ, ترمپ); :mod:`entityres.text.similarity` compares their swaps."""
    edges = tables.load("keys")["edges"]
    costs = edges["costs"]
    return VowelRules(_arabic_latin, _latin_latin, JOINT, _vowel_table()[2]["spread"], edges["written_final"],
                      edges["related"], edges["alike"], costs["onset"], costs["final"], tuple(edges["last_letters"].items()),
                      costs["last_letter"], tuple(edges["written_for"].items()), costs["written_for"],
                      tuple(edges["consonant_of"].items()), costs["consonant_of"], _vowel_table()[2]["moved"])


def vowel_mismatches(ka: str, sa: Slots, a_arabic: bool, kb: str, sb: Slots, b_arabic: bool) -> float:
    """Mismatches between the inner vowels two keys' spellings write, where the keys align.

    The slot before a class is compared when that class and the one before it align with two
    adjacent classes of the other key (equal, or swapped one for one, in the Levenshtein edit
    script of the keys, the lesser argument first), neither of them an edge vowel ``A`` (a final
    vowel takes the vowels before it: Rubio, روبیو). Across scripts, a written vowel unread in one
    compared slot beside a Latin vowel unwritten in the next compared slot (either order) is a vowel
    in another place and costs ``moved`` more, once per slot (استارک Stark, Struck). Past ``spread`` slots the count is scaled
    down: a long name transcribed from another language rarely keeps every vowel (Zaporizhzhia,
    Zaporozhye), while a short one that changes a vowel is another name. Computed in C
    (``_kernels.vowel_mismatches``).
    """
    return _vowel_mismatches(ka, sa, a_arabic, kb, sb, b_arabic, vowel_rules())


def edge_mismatches(arabic_key: str, arabic_word: str, latin_key: str, latin_word: str) -> float:
    """Mismatches at the edges of the keys of an Arabic-script word and a Latin one (keys.yaml,
    edges): another first class (half for a related one, none for an alike one), a long vowel
    the Arabic-script spelling writes at its end against no final vowel in Latin, a last letter
    against a Latin ending it never stands for (last_letters: ت and d), each letter inside the
    word beyond the Latin letters it is written for (written_for: گ and g), and each letter the key
    reads as a consonant beyond the Latin letters that write it (consonant_of: و read as v). Computed in C
    (``_kernels.edge_mismatches``)."""
    return _edge_mismatches(arabic_key, arabic_word, latin_key, latin_word, vowel_rules())
