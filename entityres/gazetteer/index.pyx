# cython: language_level=3, annotation_typing=False, binding=True
"""The compiled gazetteer index: built once per gazetteer, immutable, cached on disk by content.

It holds plain data only, so it caches as data and the hot loops stay on dicts and tuples:

* ``aliases``: one record per (entry, language, name): :class:`Alias`, with the name's word
  profiles (:class:`entityres.text.similarity.Word`, one per distinct word, shared) and the codes of
  the whole name read as one (the matcher's pre-rank compares them for hundreds of aliases a query).
  Adjacent words joined and the whole name joined are profiled only when an alias is scored
  (:attr:`Alias.pairs`, :attr:`Alias.joined`, bounded memos): at 100,000 entries they were half the
  build's memory and a third of its time, for the few dozen aliases a query scores;
* ``exact``: exact keys (normalised words, Latin folded to ASCII) → alias numbers, for names
  written as the gazetteer writes them, with or without their spaces (کی یف = کییف);
* ``postings``: blocking keys → alias numbers. A word is posted under its likeliest cross-script
  keys (:mod:`entityres.text.keys`), its coarse skeleton (related classes merged, weak ones dropped)
  and that skeleton less one class (``keys.yaml``, blocking). Adjacent words are also posted
  joined, so عبد الله meets Abdullah;
* ``ambiguous``: exact keys that several entries share (an alias two entries claim);
* for running text (:mod:`entityres.resolve.mentions`): ``prefixes`` of exact keys, ``parts`` and
  ``given`` (surnames and given names of people), and the ``vocab`` of every alias word with its
  blocking keys, for spelling corrections.

It is cached on disk (:mod:`entityres.cache`) under a hash of the content (the files' bytes, or
every entry), so an edit to any entry or rule builds a new index. The on-disk form (``LAYOUT``) is
columns, not an object per record: numbers packed as 32-bit arrays, words and aliases one list per
field, so that msgpack makes few objects and each column is checked at once; the bundled
gazetteer's index opens in about a hundredth of a second. A build packs each word profile and
alias into those columns as it makes them (:class:`~entityres.gazetteer._index.WordColumns`,
:class:`~entityres.gazetteer._index.AliasColumns`), so an index built and one opened from its file
are held alike: each alias and each word profile is made when first asked for
(:class:`~entityres.gazetteer._index.Aliases`, :class:`~entityres.gazetteer._index.Words`), and
its maps of keys to numbers, its sets of keys and its vocabulary are read in place (:class:`~entityres.gazetteer._index.Runs`,
:class:`~entityres.gazetteer._index.Keys`, :class:`~entityres.gazetteer._index.Vocab`).
"""
from __future__ import annotations

import hashlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Collection, Container, Mapping, Sequence
from functools import cached_property, lru_cache
from typing import Iterable, NamedTuple

from ..text import cues, normalize, tables
from ..cache import U32, CacheFormatError, cache_path, expect, f64_array, is_bytes, owned, pack_f64, pack_u32, read_cache, str_list, str_map, u32_array, u32_bytes, write_cache
from ..memo import PAIRS, WORDS
from ..text._kernels import type_bitmap
from ..text.keys import JOINED_CODES, join_codes, join_key_slots, name_words
from ..text.langs import canonical_lang, is_arabic_script
from ._index import AliasColumns, Aliases, Blocking, Collector, Keys, Runs, Texts, Vocab, WordColumns, Words, all_below, byte_stats
from .entries import Entries, StoredEntry, made
from .schema import Entry
from ..text.similarity import Word, join_pairs, join_profiles, word_profile
from ..text.transliterate import latin_forms

KEYS_PER_WORD = 3  # blocking keys kept per word: the likeliest readings meet; rarer ones add noise
MAX_COST = 1  # second-choice letter classes a blocking key may take
MAX_WORDS = 8  # longer "names" are descriptions, not names
MIN_SKELETON = 2
LAYOUT = 8  # of the index's on-disk form: a file of another layout is a cache miss
PROGRESS_ENTRIES = 20_000  # more entries show a progress bar (on a terminal) as they are read and indexed
TYPE_CODES = {"person": 0, "place": 1}  # an alias's type as the blocking kernel reads it
TYPE_NAMES = tuple(TYPE_CODES)
# Alternate names GeoNames gathers unchecked from many sites (und-Arab in cities.yaml) are weaker
# evidence than curated or CLDR names: a city's stray spelling must not outscore a person's name.
SOURCE_TRUST = {"geonames": 0.92}
UNSOURCED = 1.0 + 1e-9  # an entry known by its canonical name alone: trusted, but not counted as a source below


class Alias(NamedTuple):
    entry: int  # position in Index.entries
    type: str  # the entry's type, so type filters need no lookup
    lang: str | None
    name: str
    key: str  # exact key
    trust: float  # how far the alias's source is believed (SOURCE_TRUST)
    words: tuple[Word, ...]
    heard: tuple[str, ...]  # the likeliest two codes of the words after a title, written as one
    title: int  # how many of its first words are a title (alias_title), counted when the index is built

    @property
    def pairs(self) -> tuple[Word, ...]:
        """Adjacent words joined: pairs[i] is words i and i+1 written as one."""
        return joined_pairs(self.words)

    @property
    def joined(self) -> Word:
        """All the words written as one."""
        return joined_whole(self.words)


@lru_cache(maxsize=PAIRS)
def joined_pairs(words: tuple[Word, ...]) -> tuple[Word, ...]:
    return join_pairs(words)


@lru_cache(maxsize=PAIRS)
def joined_whole(words: tuple[Word, ...]) -> Word:
    # a two-word name read as one is its one pair: the same profile, computed once
    return joined_pairs(words)[0] if len(words) == 2 else join_profiles(words)


def joined_codes(codes: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """``joined_whole(words).codes[:2]`` of words whose codes are ``codes``, without the rest of
    that profile (its keys and slots)."""
    return codes[0][:2] if len(codes) == 1 else join_codes(list(codes))[:2]


@lru_cache(maxsize=WORDS)
def fold_word(word: str) -> str:
    """A word as exact keys compare it: Arabic script as normalised, other scripts as ASCII."""
    return word if is_arabic_script(word) else latin_forms(word)[0]


def exact_keys(words: list[str]) -> tuple[str, ...]:
    """Exact keys of a name's normalised words: with spaces, and without (کی یف = کییف)."""
    return folded_keys([fold_word(w) for w in words])


def folded_keys(folded: list[str]) -> tuple[str, ...]:
    """:func:`exact_keys` of words already folded (:func:`fold_word`)."""
    spaced = " ".join(folded)
    joined = "".join(folded)
    return (spaced,) if joined == spaced else (spaced, joined)


def alias_title(words: list[str], lang: str | None) -> int:
    """How many of an alias's first words are a title (:func:`entityres.text.cues.leading_title`),
    never all of them: an alias that is a title alone is its name."""
    n = cues.leading_title(words, lang)
    return n if n < len(words) else 0


def alias_key(name: str) -> str:
    """The exact key of a name; two aliases with one key are the same string for the matcher."""
    return " ".join(map(fold_word, name_words(name)))


@lru_cache(maxsize=None)
def _blocking() -> Blocking:
    """The blocking rule of ``keys.yaml`` (blocking): related classes merged, weak ones dropped."""
    table = tables.load("keys")["blocking"]
    return Blocking(table["merge"], table["drop"], table["min_deletion"], MIN_SKELETON, KEYS_PER_WORD, MAX_COST)


def coarse_skeleton(keys: tuple[tuple[str, int], ...]) -> tuple[str, int] | None:
    """The coarse skeleton of a word's likeliest key (``keys.yaml``, blocking: related classes
    merged, weak ones dropped) and the length from which one-class deletions are keys too; None
    when the skeleton is too short to say anything."""
    blocking = _blocking()
    skeleton = blocking.skeleton(keys[0][0] if keys else "")
    return None if skeleton is None else (skeleton, blocking.min_deletion)


def word_blocking_keys(word: Word, query: bool = False) -> list[str]:
    """Blocking keys of one profiled word: its likeliest keys and its coarse keys."""
    return _blocking().keys(word.keys, query)


def blocking_keys(keys, query: bool = False) -> list[str]:
    """Blocking keys of a word's ``(key, cost, ...)`` list, likeliest first: its likeliest keys of at
    most :data:`MAX_COST`, then the coarse keys of the likeliest (:func:`coarse_skeleton`): its
    skeleton ``~S``, and one-class deletions: posted as ``-D`` for a gazetteer word, looked up as
    ``~D`` (the query has the extra class) and ``-S`` (the gazetteer word has it) for a query word.
    In C (``_index.Blocking``)."""
    return _blocking().keys(keys, query)


def pair_blocking_keys(a: tuple, b: tuple) -> list[str]:
    """``word_blocking_keys(join_profiles((a, b)))`` of two words given by their cheap keys with
    their vowel slots (``WordColumns.cheap_key_slots``), without the rest of that profile: only keys of at most
    :data:`MAX_COST` second choices can be blocking keys, and a joined key costs its parts' sum, so
    the parts' dearer keys are left out of the join (the cheap ones come out the same, in the same
    order)."""
    return blocking_keys(join_key_slots([a, b]))


def profile_words(words: list[str], lang: str | None, spelling: str | None = None) -> tuple[Word, ...]:
    return tuple(word_profile(w, lang, spelling) for w in words)


def alias_trust(names: list[tuple[str, str, str]], key: Callable[[str], str]) -> dict[str, float]:
    """How far each of an entry's names (``entry.aliases(sources=True)``, the canonical name first;
    by exact key, ``key(name)``) is believed: the best of its
    sources (``SOURCE_TRUST``), so a name that only a bulk source gives stays weaker evidence. The
    canonical name is as trusted as the best-trusted of the entry's other names: an entry that
    only GeoNames names (Putian) is no stronger for its canonical name."""
    found: dict[str, float] = {}
    for _, name, source in names[1:]:
        k = key(name)
        found[k] = max(found.get(k, 0.0), SOURCE_TRUST.get(source, 1.0))
    canonical = key(names[0][1])
    found[canonical] = max(found.get(canonical, 0.0), max(found.values(), default=UNSOURCED))
    return found


def progress_bar(items: list, desc: str, show: bool | None):
    """``items``, followed by a progress bar: ``show`` True always, None on a terminal, False never."""
    if show is False:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit=" entries", disable=None if show is None else False, leave=False)


Keyed = Mapping[str, tuple["Entry | StoredEntry", Collection[str]]]  # entry ID → the entry (as held) and the exact keys of its names


def alias_keys(entry: Entry | StoredEntry) -> tuple[str, ...]:
    """The exact keys of an entry's names, its canonical name included (blank ones left out), each
    once, sorted. (A tuple: a million entries' frozensets were 216 MB.)"""
    return tuple(sorted({alias_key(name) for _, name in entry.aliases()} - {""}))


def shared_aliases(entries: Collection[Entry | StoredEntry], known: Sequence[Keyed] = ()) -> tuple[list[tuple[str, list[str]]], Keyed]:
    """Aliases (by exact key) that more than one entry claims, with the IDs, sorted; and each
    entry's keys, the first of ``known`` that holds an equal entry giving them (a layer's, merged
    again on top of it; the same files' before an edit)."""
    normalize.learn(name for entry in entries for _, name in entry.aliases())
    keyed: Keyed = {}
    first: dict[str, str] = {}  # each key's first entry; the others of the keys shared below
    shared: dict[str, list[str]] = {}
    for entry in entries:
        keys = next((found[1] for layer in known if (found := layer.get(entry.id)) is not None
                     and (found[0] is entry or found[0] == entry)), None)
        keyed[entry.id] = (entry, alias_keys(entry) if keys is None else keys)
        for key in keyed[entry.id][1]:
            owner = first.setdefault(key, entry.id)
            if owner != entry.id:
                shared.setdefault(key, [owner]).append(entry.id)
    return sorted(shared.items()), keyed


Mapping.register(Runs)  # read as a mapping of keys to tuples of alias numbers


class Index:
    """See the module docstring. Build with :meth:`build`; never mutated afterwards."""

    entries: Entries
    aliases: Aliases  # of Alias
    exact: Runs  # of alias numbers, as are postings, parts and given
    postings: Runs
    ambiguous: Keys  # a set of strings
    by_id: dict[str, int]
    # For names in running text (entityres.resolve.mentions):
    prefixes: Keys  # every leading run of words of an exact key: where a name may go on
    parts: Runs  # last word (surname) of a multi-word person alias → aliases
    given: Runs  # first word (given name) of a multi-word person alias → aliases
    vocab: Mapping[str, Word]  # every word of every alias (folded) → its profile, sorted by word (a Vocab)
    vocab_postings: Runs  # blocking key → vocabulary words, by their numbers in vocab (vocab_words)
    trust_scale: float  # the most trusted source's trust: each alias's trust is scaled by it

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __getstate__(self) -> dict:
        # what is derived once (cached properties) may view the mapped file: pickled as its own copy
        return {name: owned(value) for name, value in self.__dict__.items()}

    @classmethod
    def build(cls, entries: Sequence[Entry], cache: bool = True, content_key: str | None = None,
              bases: "Iterable[tuple[Sequence[Entry], Callable[[], Index]]]" = ()) -> "Index":
        """Compile ``entries``, or load the index compiled earlier from the same content.

        ``content_key`` names the content when the caller already has a digest of it (the bytes of
        the files it came from); else the entries themselves are hashed. ``bases`` are earlier
        lists of entries that ``entries`` extends (the bundled ones, when the user's are added; the
        same files before an edit), each with how to get its index: the first whose entries are
        mostly the same has its index extended (:meth:`_extended`).
        """
        entries = Entries.of(entries)
        path = None
        if cache:
            digest = content_key or hashlib.sha256(b"".join(made(e).model_dump_json().encode() for e in entries.held())).hexdigest()
            path = cache_path("index", digest)
        cached = read_cache(path, lambda data: cls._decode(data, entries))
        if cached is not None:
            return cached
        index = None
        for old, get in bases:
            if (changed := _changed(old, entries)) is not None:
                index = cls._extended(get(), entries, changed)
                if index is not None:
                    break
        if index is None:
            index = cls._compile(entries)
        if path is not None:  # the columns as built, copied: 0.16 s at 100,000 entries
            write_cache(path, index._encode())
        return index

    # --- the on-disk form (entityres.cache: plain data, never code). Few large objects open fast:
    # numbers lists are packed arrays, each word's keys one flat list, vowel slots a shared table.
    def _encode(self) -> dict:
        # Aliases and the vocabulary refer to one table of words (Words), each column written as it is.
        out: dict[str, object] = {"layout": LAYOUT}
        for name, kind in type(self).__annotations__.items():
            value = self.__dict__[name]
            if name in ("entries", "by_id"):  # given by the caller, derived from the entries
                continue
            if kind == "Aliases":
                entry, type_, lang, langs, names, keys, trust, length, refs, heard, heard_counts, titles, _ = value.packed()
                out[name] = {"entry": u32_bytes(entry), "type": bytes(type_), "lang": u32_bytes(lang),
                             "name": texts_data(names), "key": texts_data(keys), "trust": pack_f64(trust),
                             "length": bytes(length), "words": u32_bytes(refs), "heard": texts_data(heard),
                             "heard_counts": bytes(heard_counts), "titles": bytes(titles), "langs": list(langs)}
            elif kind == "Mapping[str, Word]":  # the words, and each one's number
                texts, table, numbers = value.columns()
                out[name] = [*keys_data(texts, table), u32_bytes(numbers)]
            elif kind == "Keys":
                out[name] = keys_data(*value.columns())
            elif kind == "Runs":  # the keys, where each run ends, the runs
                keys, run_ends, numbers, table = value.columns()
                out[name] = [*keys_data(keys, table), u32_bytes(run_ends), u32_bytes(numbers)]
            elif kind == "float":
                out[name] = value
            else:
                raise TypeError(f"Index.{name}: no on-disk form for {kind}")
        texts, surfaces, parts, weights, arabic, keys, costs, key_counts, key_slots, codes, code_counts = self.aliases.packed()[-1].packed()
        slots: dict[tuple[str, ...], int] = {}
        out["words"] = {"text": texts_data(texts), "surface": texts_data(surfaces), "part": list(parts),
                        "weight": u32_bytes(weights), "arabic": bytes(arabic), "keys": texts_data(keys),
                        "costs": u32_bytes(costs), "key_counts": u32_bytes(key_counts),
                        "slots": pack_u32([slots.setdefault(x, len(slots)) for x in key_slots]),
                        "codes": texts_data(codes), "code_counts": u32_bytes(code_counts)}
        out["slots"] = [list(x) for x in slots]
        return out

    @classmethod
    def _decode(cls, data: object, entries: Sequence[Entry]) -> "Index":
        """The index encoded by :meth:`_encode`; :class:`entityres.cache.CacheFormatError` on anything else."""
        entries = Entries.of(entries)
        data = str_map(data)
        expect(data.get("layout") == LAYOUT, f"index layout {LAYOUT}")
        slots = [tuple(str_list(s)) for s in _list(data["slots"])]
        words = _words(data["words"], slots)
        fields: dict[str, object] = {"entries": entries, "by_id": entries.position}
        n_aliases = len(str_map(data["aliases"]).get("type", b""))  # one byte each, checked by _aliases
        for name, kind in cls.__annotations__.items():
            if name in fields:
                continue
            value = data[name]
            if kind == "Aliases":
                fields[name] = _aliases(value, words, len(entries))
            elif kind == "Mapping[str, Word]":
                fields[name] = _vocab(value, words)
            elif kind == "Keys":
                fields[name] = _keys(value)
            elif kind == "Runs":  # of alias numbers, but the vocabulary's postings
                fields[name] = _runs(value, len(fields["vocab"]) if name == "vocab_postings" else n_aliases)
            elif kind == "float":
                expect(type(value) is float and value > 0, "a positive number")
                fields[name] = value
            else:
                raise TypeError(f"Index.{name}: no on-disk form for {kind}")
        expect(set(data) == {*fields, "words", "slots", "layout"} - {"entries", "by_id"}, "the fields of this index layout")
        return cls(**fields)

    @classmethod
    def _compile(cls, entries: Sequence[Entry]) -> "Index":
        entries = Entries.of(entries)
        built = _build(entries, range(len(entries)))
        # Trust ranks sources against each other: a gazetteer of bulk names alone is not weaker for it.
        scale = built.aliases.most_trusted(UNSOURCED) or 1.0
        built.aliases.scale(scale)
        ordered = sorted(built.vocab.items())  # the same order however the words came
        vocab_postings = Collector()  # each word's number under its blocking keys
        for i, (_, (_, keys)) in enumerate(ordered):
            vocab_postings.add((keys,), i)  # joined by newlines: the collector splits them
        words = built.words.words(Word)
        vocab = Vocab(Texts.of([word for word, _ in ordered]), array(U32, [n for _, (n, _) in ordered]), words)
        del ordered
        return cls._assembled(entries, built.aliases.aliases(Alias, TYPE_NAMES, words), vocab, built.exact,
                              built.postings, built.parts, built.given, vocab_postings.runs(), scale)

    @classmethod
    def _extended(cls, base: "Index", entries: Sequence[Entry], changed: set[int]) -> "Index | None":
        """The index of ``entries`` made from ``base``, the index of the entries they begin with
        (:func:`_changed`): only the ``changed`` entries and the new ones are compiled, and
        ``base``'s records of the others are renumbered. It is what :meth:`_compile` makes of
        ``entries`` (tested), keys in another order; None where that is not assured (the alias
        ``base`` trusted most may be gone)."""
        entries = Entries.of(entries)
        built = _build(entries, sorted(changed) + list(range(len(base.entries), len(entries))))
        # Trust is scaled by the most trusted source (_compile): base's scale holds while no alias
        # needs another, and base's alias that set it is kept or a new one sets it too; a new alias
        # trusted more (a user's own name beside GeoNames') sets it, and base's are scaled again.
        scale = built.aliases.most_trusted(UNSOURCED)
        kept, trusts = base.aliases, None  # base's trusts as they are
        if scale is not None and scale > base.trust_scale:
            trusts = _rescaled(kept, base.entries, base.trust_scale, scale)
            if trusts is None:
                return None
        elif scale != base.trust_scale and (scale is not None or changed):
            return None
        else:
            scale = base.trust_scale
        built.aliases.scale(scale)
        fresh_words = built.words.words(Word)
        fresh = built.aliases.aliases(Alias, TYPE_NAMES, fresh_words)
        # One table of words: base's, then the fresh ones, copied as their columns hold them. Both
        # sets of aliases are in entry order, and an entry's aliases are all base's or all fresh:
        # each is copied as the merge comes to it (none made: making base's, a 258,000-entry
        # import's, cost its extension 300 MB), and the vocabulary takes each word's number where
        # it first comes.
        table = WordColumns()
        table.extend(kept.packed()[-1])
        offset = table.extend(fresh_words)
        packed = AliasColumns()
        vocab: dict[str, int] = {}

        def copied(aliases: Aliases, k: int, shift: int, trust: float | None) -> int:
            for word, n in zip(aliases.keys[k].split(" "), aliases.refs(k)):
                if word not in vocab:
                    vocab[word] = n + shift
            return packed.add_from(aliases, k, shift, trust)

        old_entry, new_entry = kept.entry_numbers, fresh.entry_numbers
        renumber_old, renumber_new = [-1] * len(kept), [0] * len(fresh)
        i = j = 0
        while i < len(kept) or j < len(fresh):
            if j == len(fresh) or (i < len(kept) and old_entry[i] < new_entry[j]):
                if old_entry[i] not in changed:
                    renumber_old[i] = copied(kept, i, 0, None if trusts is None else trusts[i])
                i += 1
            else:
                renumber_new[j] = copied(fresh, j, offset, None)
                j += 1
        made = table.words(Word)

        renumbered = renumber_old.__getitem__

        def merged(runs: Iterable[tuple[str, list[int]]], kept: Container[str], added: Runs) -> Runs:
            """base's ``runs`` (renumbered) with the ``added`` numbers of the fresh aliases."""
            out: dict[str, list[int]] = {}
            for key, numbers in runs:
                if changed and -1 in numbers:
                    numbers = [m for m in numbers if m >= 0]
                more = added.get(key)
                if more:
                    numbers = sorted(numbers + [renumber_new[a] for a in more])
                if numbers:
                    out[key] = numbers
            for key, run in added.items():
                if key not in kept:
                    out[key] = [renumber_new[a] for a in run]
            return Runs.collect(out)

        def renumbered_map(kept: Runs, added: Runs) -> Runs:
            return merged(((key, list(map(renumbered, run))) for key, run in kept.items()), kept, added)

        numbers = list(map(renumbered, base.postings.numbers))  # all at once
        postings = merged(((key, numbers[a:b]) for key, a, b in base.postings.runs()), base.postings, built.postings)
        # base's posting of a word in the vocabulary holds while its profile is the same (its number)
        same = {word for word, n in zip(base.vocab, base.vocab.columns()[2]) if vocab.get(word) == n}
        base_words = base.vocab_words
        vocab_postings: defaultdict = defaultdict(set)
        for key, numbers in base.vocab_postings.items():
            words = map(base_words.__getitem__, numbers)
            if still := set(words) if len(same) == len(base.vocab) else same.intersection(words):
                vocab_postings[key] = still
        for word, n in vocab.items():
            if word not in same:
                new = built.vocab.get(word)
                for key in _split_keys(new[1]) if new is not None and new[0] + offset == n else word_blocking_keys(made[n]):
                    vocab_postings[key].add(word)
        vocab = dict(sorted(vocab.items()))  # the same order however the words came
        number = {word: i for i, word in enumerate(vocab)}
        for key, words in vocab_postings.items():  # in place: a copy would double them at the peak
            vocab_postings[key] = sorted(map(number.__getitem__, words))
        return cls._assembled(entries, packed.aliases(Alias, TYPE_NAMES, made),
                              Vocab(Texts.of(list(vocab)), array(U32, vocab.values()), made),
                              renumbered_map(base.exact, built.exact), postings,
                              renumbered_map(base.parts, built.parts), renumbered_map(base.given, built.given),
                              Runs.collect(vocab_postings), scale)

    @classmethod
    def _assembled(cls, entries: Sequence[Entry], aliases: Aliases, vocab: Vocab, exact: Runs, postings: Runs,
                   parts: Runs, given: Runs, vocab_postings: Runs, scale: float) -> "Index":
        """The index of ``entries``, from their aliases and the vocabulary (sorted by word), both
        packed, and runs of their numbers by key (:class:`_Built`)."""
        entries = Entries.of(entries)
        # A key is ambiguous when aliases of two entries have it: each key's first entry is kept,
        # not a set of its entries (216 bytes a key). Read from the columns: no alias is made.
        first: dict[str, int] = {}
        ambiguous: set[str] = set()
        prefixes: set[str] = set()
        for key, entry in zip(aliases.keys, aliases.entry_numbers):
            if first.setdefault(key, entry) != entry:
                ambiguous.add(key)
            folded = key.split(" ")
            prefixes.update(" ".join(folded[:i]) for i in range(1, len(folded)))
            prefixes.add(key)  # the whole key as it is, not a copy
        del first  # before the keys are sorted and packed
        return cls(entries=entries, aliases=aliases, exact=exact, postings=postings,
                   ambiguous=Keys.of(sorted(ambiguous)),
                   by_id=entries.position, prefixes=Keys.of(sorted(prefixes)),
                   parts=parts, given=given, vocab=vocab,
                   vocab_postings=vocab_postings, trust_scale=scale)

    def __len__(self) -> int:
        return len(self.entries)

    @cached_property
    def vocab_words(self) -> tuple[str, ...]:
        """The vocabulary's words in order: word ``i`` of :attr:`vocab_postings`."""
        return tuple(self.vocab)

    @cached_property
    def alias_types(self) -> bytes:
        """Each alias's type code (:data:`TYPE_CODES`), one byte per alias, for the blocking kernel."""
        return self.aliases.type_codes

    @cached_property
    def type_bitmaps(self) -> dict[str, array]:
        """Per type, a bitmap over the aliases of that type (``_kernels.type_bitmap``), for the
        blocking kernel: a million aliases' type bytes read at random were a quarter of its time."""
        return {name: type_bitmap(self.alias_types, code) for name, code in TYPE_CODES.items()}

    @cached_property
    def alias_lengths(self) -> bytes:
        """Each alias's number of words (at most :data:`MAX_WORDS`), one byte per alias."""
        return self.aliases.word_counts


def _changed(old: Sequence[Entry], entries: Sequence[Entry]) -> set[int] | None:
    """Which of ``entries`` differ from ``old``, when ``entries`` begin with ``old``'s IDs in their
    order (extended or replaced, as a user's files do to the bundled entries) and differ in fewer
    than half: an index of ``old`` is then worth extending (:meth:`Index._extended`); else None."""
    old, entries = Entries.of(old), Entries.of(entries)
    if len(entries) < len(old) or any(e != b for e, b in zip(entries.ids, old.ids)):
        return None
    changed = {n for n, (e, b) in enumerate(zip(entries.held(), old.held())) if e is not b and e != b}
    return changed if 2 * (len(changed) + len(entries) - len(old)) <= len(entries) else None


class _Built(NamedTuple):
    """What :func:`_build` compiles of some entries: their aliases (trust not yet scaled), numbered
    from 0, packed with their words as they came, and runs of those numbers by key (collected by
    :class:`Collector`); the vocabulary in the order its words first come, each word with its
    number in ``words`` and its blocking keys."""

    aliases: AliasColumns
    words: WordColumns
    exact: Runs
    postings: Runs
    parts: Runs
    given: Runs
    vocab: dict[str, tuple[int, str]]  # blocking keys joined by newlines


def _split_keys(joined: str) -> list[str]:
    """Blocking keys as a build keeps them, joined by newlines (no key has one), split again."""
    return joined.split("\n") if joined else []


def _rescaled(aliases: Aliases, entries: Entries, old: float, new: float) -> list[float] | None:
    """The trust of each of ``aliases`` as if scaled by ``new``, not ``old`` (:meth:`AliasColumns.scale`): each
    trust traced back to its source's (``SOURCE_TRUST``), the canonical name of an entry without other names to
    ``UNSOURCED``; None when two sources' trusts would read the same. Read from the columns."""
    sources = {r for r in (*SOURCE_TRUST.values(), 1.0) if r <= old}
    raw = {min(1.0, r / old): r for r in sources}
    if len(raw) < len(sources):
        return None
    to = {t: min(1.0, r / new) for t, r in raw.items()}
    _, _, _, _, names, _, trusts, *_ = aliases.packed()
    out = []
    for trust, entry, name in zip(trusts, aliases.entry_numbers, names):
        if trust == 1.0 and _unsourced(name, entries.stored(entry)):
            out.append(trust)  # 1.0 whatever the scale
        elif (scaled := to.get(trust)) is None:
            return None
        else:
            out.append(scaled)
    return out


def _unsourced(name: str, entry: Entry | StoredEntry) -> bool:
    """Whether ``name`` is the canonical name of an entry without other names, trusted ``UNSOURCED``
    (:func:`alias_trust`). (Names in other languages rule it out before ``aliases()`` is listed.)"""
    return (name == entry.name and all(lang == "en" for lang, names in entry.names.items() if names)
            and len(entry.aliases()) == 1)


def _build(entries: Entries, numbers: Sequence[int]) -> _Built:
    """The aliases of ``entries[n]`` for each of ``numbers`` (ascending), with their keys."""
    aliases, packed = AliasColumns(), WordColumns()
    exact, postings, parts, given = Collector(), Collector(), Collector(), Collector()
    vocab: dict[str, tuple[int, str]] = {}
    particles = {fold_word(p[0]) for p in cues.phrases("name_particles") if len(p) == 1}
    # Memos of this build, unbounded while it runs: a word recurs in many names (100,000 names
    # have 256,000 words, 99,000 distinct), more than the shared memos of words keep.
    folds: dict[str, str] = {}
    parted: dict[str, tuple[str, ...]] = {}  # a name's parts as written between spaces: their words
    named: dict[str, tuple[list[str], tuple[str, ...], list[str]]] = {}  # of one entry: its names are spelled twice
    profiled: dict[str | None, dict[str, tuple[int, str]]] = {}  # by language, word
    paired: dict[tuple[str, str], list[str]] = {}  # of one entry: its names in fa and ar share words

    def fold(word: str) -> str:
        found = folds.get(word)
        if found is None:
            found = folds[word] = fold_word(word)
        return found

    def part_words(part: str) -> tuple[str, ...]:
        """The normalised words of a part of a name as written between spaces: normalising maps
        each whitespace character to whitespace, so a name's words are its parts' words (a part
        recurs in many names)."""
        found = parted.get(part)
        if found is None:
            found = parted[part] = tuple(name_words(part))
        return found

    def spelled(name: str) -> tuple[list[str], tuple[str, ...], list[str]]:
        """A name's normalised words, its exact keys, and each part as written between spaces
        folded, the empty ones left out (خامنه‌ای: "خامنه ای")."""
        found = named.get(name)
        if found is None:
            parts = [part_words(p) for p in name.split()]
            words = [w for p in parts for w in p]
            folded = [[fold(w) for w in p] for p in parts]
            found = named[name] = (words, folded_keys([f for p in folded for f in p]) if words else ("",),
                                   [w for p in folded if (w := " ".join(p))])
        return found

    def profile(word: str, lang: str | None) -> tuple[int, str]:
        """A word's number and blocking keys. Its profile is packed (WordColumns), not kept: 99,000
        profiles were a third of a 100,000-entry build's peak. Its keys are one string, split where
        used (a list of strings was a sixth); what pairs and heard codes read of it is read again
        from the columns."""
        memo = profiled.get(lang)
        if memo is None:
            memo = profiled[lang] = {}
        found = memo.get(word)
        if found is None:
            w = word_profile(word, lang)
            found = memo[word] = (packed.add(w), "\n".join(word_blocking_keys(w)))
        return found

    def pair_keys(a: str, b: str, na: int, nb: int) -> list[str]:
        """:func:`pair_blocking_keys` of two adjacent words, ``a`` and ``b``, numbered ``na`` and ``nb``."""
        found = paired.get((a, b))
        if found is None:  # keys and slots are the spelling's, whatever the language
            found = paired[a, b] = pair_blocking_keys(packed.cheap_key_slots(na, MAX_COST), packed.cheap_key_slots(nb, MAX_COST))
        return found

    normalize.learn(name for n in numbers for _, name in entries.stored(n).aliases())
    for n in progress_bar(numbers, "index", None if len(numbers) > PROGRESS_ENTRIES else False):
        entry = entries.stored(n)
        seen = set()
        named.clear()
        paired.clear()
        names = entry.aliases(sources=True)
        trust = alias_trust(names, lambda name: spelled(name)[1][0])
        for lang, name, source in names:
            words, keys, written = spelled(name)
            if not words or len(words) > MAX_WORDS:
                continue
            lang = canonical_lang(lang)
            if (keys[0], lang) in seen:
                continue
            seen.add((keys[0], lang))
            found = [profile(w, lang) for w in words]
            # The title (Dr. Awda Al Rowaey) of the exact key, which the matcher scores by, kept with
            # the alias; and the sound of the name after it, as a query's is heard: the pre-rank
            # compares the two (match.candidates).
            folded = keys[0].split(" ")  # the words as the exact key folds them
            title = alias_title(folded, lang)
            heard = joined_codes([packed.codes(f[0], JOINED_CODES) for f in found[title:]])
            a = aliases.add(n, TYPE_CODES[entry.type], lang, name, keys[0], trust[keys[0]], [f[0] for f in found], heard,
                            title)
            exact.add((keys,), a)
            # Each key once, in the order the keys come (not a set's: the postings' key order,
            # and so the cache file, must not depend on the hash seed); a word's keys as it keeps
            # them, joined by newlines (the collector splits them). Adjacent words joined, so
            # that عبد الله meets Abdullah.
            postings.add([f[1] for f in found] + [pair_keys(words[i], words[i + 1], found[i][0], found[i + 1][0])
                                                  for i in range(len(found) - 1)], a)
            for word, f in zip(folded, found):
                if word not in vocab:  # posted under the blocking keys its profile came with
                    vocab[word] = f
            # A surname or given name is a word as written between spaces: خامنه‌ای is one
            # (its key "خامنه ای"), so that the token خامنه‌ای alone finds its person.
            if entry.type == "person" and len(written) > 1:
                # after a particle the surname is the pair (bin Said, بن سلمان): Said alone is not it
                if written[-1] not in particles and written[-2] not in particles:
                    parts.add(((written[-1],),), a)
                if written[0] not in particles:
                    given.add(((written[0],),), a)
    profiled.clear()  # before the runs are made
    folds.clear()
    parted.clear()
    return _Built(aliases, packed, exact.runs(), postings.runs(), parts.runs(), given.runs(), vocab)


def _list(value: object) -> list:
    expect(type(value) is list, "a list")
    return value  # type: ignore[return-value]


def _words(value: object, slots: list[tuple[str, ...]]) -> Words:
    """The words encoded column by column (:meth:`Index._encode`), every column checked at once,
    each word made when first asked for (:class:`Words`)."""
    columns = str_map(value)
    expect(set(columns) == {"text", "surface", "part", "weight", "arabic", "keys", "costs", "key_counts", "slots",
                            "codes", "code_counts"}, "the words' columns")
    texts, surfaces, keys, codes = (read_texts(columns[c]) for c in ("text", "surface", "keys", "codes"))
    parts = _list(columns["part"])
    weights, costs, key_counts, slot_ids, code_counts = (
        u32_array(columns[c]) for c in ("weight", "costs", "key_counts", "slots", "code_counts"))
    arabic = columns["arabic"]
    expect(is_bytes(arabic) and set(map(type, parts)) <= _OPTIONAL_STR and all_below(slot_ids, len(slots)),
           "the words' columns")
    try:
        return Words(Word, texts, surfaces, parts, weights, arabic, keys, costs, key_counts,
                     list(map(slots.__getitem__, slot_ids)), codes, code_counts)
    except ValueError as err:
        raise CacheFormatError(f"expected the words' columns: {err}") from None


def _vocab(value: object, words: Words) -> Vocab:
    """The vocabulary from ``[UTF-8, ends, hash table, word numbers]`` (:meth:`Index._encode`), checked."""
    value = _list(value)
    expect(len(value) == 4, "the vocabulary's words and their numbers")
    try:
        texts, table = read_keys(value[:3])
        return Vocab(texts, u32_array(value[3]), words, table)
    except ValueError as err:
        raise CacheFormatError(f"expected a vocabulary: {err}") from None


_OPTIONAL_STR = {str, type(None)}


def texts_data(texts: Texts) -> list:
    """:class:`Texts` as a cache file holds them: ``[UTF-8, ends]``."""
    text, ends = texts.columns()
    return [text if type(text) is bytes else memoryview(text).cast("B"), u32_bytes(ends)]  # bytes, or a view of them


def read_texts(value: object) -> Texts:
    """:class:`Texts` from ``[UTF-8, ends]`` (:func:`texts_data`), checked."""
    value = _list(value)
    expect(len(value) == 2 and is_bytes(value[0]), "UTF-8 text and its ends")
    text, ends = value
    try:
        return Texts(text, u32_array(ends))
    except ValueError as err:
        raise CacheFormatError(f"expected strings: {err}") from None


def keys_data(texts: Texts, table: array | memoryview) -> list:
    """Keys (:class:`Keys`, or those of a map of keys) and their hash table as a cache file holds
    them: ``[UTF-8, ends, hash table]`` (:func:`read_keys`). The table is written too: made again
    on opening, the tables were a fifth of a large index's open."""
    return [*texts_data(texts), u32_bytes(table)]


def read_keys(value: object) -> tuple[Texts, array | memoryview]:
    """The strings and the hash table of keys written by :func:`keys_data`, the strings checked
    (the table is checked by :class:`Keys`)."""
    value = _list(value)
    expect(len(value) == 3, "keys, their ends and their hash table")
    return read_texts(value[:2]), u32_array(value[2])


def _keys(value: object) -> Keys:
    """:class:`Keys` from :func:`keys_data`, checked."""
    try:
        return Keys(*read_keys(value))
    except ValueError as err:
        raise CacheFormatError(f"expected a set of keys: {err}") from None


def _runs(value: object, below: int) -> Runs:
    """:class:`Runs` from ``[text, key ends, hash table, run ends, numbers]`` (:meth:`Index._encode`),
    each number under ``below``."""
    value = _list(value)
    expect(len(value) == 5, "keys, their ends, their hash table, the runs' ends and the runs")
    try:
        texts, table = read_keys(value[:3])
        return Runs(texts, u32_array(value[3]), u32_array(value[4]), below, table)
    except ValueError as err:
        raise CacheFormatError(f"expected a map of keys to runs: {err}") from None


def _aliases(value: object, words: Sequence[Word], n_entries: int) -> Aliases:
    """The aliases encoded column by column (:meth:`Index._encode`): every column checked at once,
    each alias made when first asked for (:class:`Aliases`). An alias of n words refers to its n words."""
    columns = str_map(value)
    expect(set(columns) == {"entry", "type", "lang", "langs", "name", "key", "trust", "length", "words", "heard",
                            "heard_counts", "titles"}, "the aliases' columns")
    names, keys, heard = (read_texts(columns[c]) for c in ("name", "key", "heard"))
    types, lengths, heard_counts, titles = (columns[c] for c in ("type", "length", "heard_counts", "titles"))
    lang_names, trusts = _list(columns["langs"]), f64_array(columns["trust"])
    entries, refs, langs = (u32_array(columns[c]) for c in ("entry", "words", "lang"))
    n = len(names)
    expect(all(is_bytes(c) and len(c) == n for c in (types, lengths, heard_counts, titles)), "the aliases' columns")
    fewest, most, total = byte_stats(lengths)
    expect(n == len(keys) == len(langs) == len(trusts) == len(entries) and byte_stats(heard_counts)[2] == len(heard)
           and set(map(type, lang_names)) <= _OPTIONAL_STR and all_below(langs, len(lang_names))
           and all_below(entries, n_entries) and all_below(refs, len(words))
           and (not n or (fewest > 0 and most <= MAX_WORDS)) and len(refs) == total
           and byte_stats(types)[1] < len(TYPE_NAMES) and byte_stats(titles)[1] < MAX_WORDS, "the aliases' columns")
    return Aliases.columns(Alias, TYPE_NAMES, entries, types, langs, tuple(lang_names), names, keys, trusts, lengths,
                           refs, heard, heard_counts, titles, words)
