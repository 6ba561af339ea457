"""Reindexing after a user's edit: the index of the bundled entries is extended, not rebuilt.

``Index._extended`` compiles only the entries a user's files add or change and renumbers the rest
of the earlier index; whatever the edit, the result must be what compiling every entry gives.
"""

from collections.abc import Mapping

import msgpack
import pytest

from entityres import Gazetteer, cache
from entityres.gazetteer import index as index_module
from entityres.gazetteer import loader as loader_module
from entityres.gazetteer.index import SOURCE_TRUST, Index, _changed
from entityres.gazetteer.loader import load_gazetteer

BASE = [
    {"id": "person:umerov", "type": "person", "name": "Rustem Umerov",
     "names": {"fa": ["رستم عمروف", "عمروف"], "ar": ["رستم أوميروف"]}},
    {"id": "person:witkoff", "type": "person", "name": "Steve Witkoff", "names": {"fa": ["استیو ویتکاف"]}},
    {"id": "person:abdullah", "type": "person", "name": "Abdullah bin Said",
     "names": {"fa": ["عبدالله بن سعید"], "ar": ["عبد الله بن سعيد"]}},
    {"id": "person:khamenei", "type": "person", "name": "Mir Hossein Khamenei", "names": {"fa": ["میرحسین خامنه‌ای"]}},
    {"id": "place:crimea", "type": "place", "name": "Crimea", "kind": "region",
     "names": {"fa": ["کریمه"], "ar": ["القرم"], "ru": ["Крым"]}},
    {"id": "place:kyiv", "type": "place", "name": "Kyiv", "kind": "city", "names": {"fa": ["کی یف", "کیف"], "ar": ["كييف"]}},
    {"id": "place:herat", "type": "place", "name": "Herat", "kind": "city", "names": {"prs": ["هرات"]}},
    {"id": "person:li", "type": "person", "name": "Li"},
    {"id": "person:hnatov", "type": "person", "name": "Andriy Hnatov", "names": {"fa": ["آندری هناتوف", "گاناتوف"]}},
    {"id": "place:odesa", "type": "place", "name": "Odesa", "kind": "city", "names": {"fa": ["اودسا"], "ar": ["أوديسا"]}},
    # a word of Witkoff's Persian name read by Arabic rules: the vocabulary's once his entry drops it
    {"id": "person:witkoff-jr", "type": "person", "name": "Alex Witkoff", "names": {"ar": ["الکس ویتکاف"]}},
]

EDITS = {
    "new entries, one sharing a name": """
entries:
  - id: person:umarov
    type: person
    name: Rustam Umarov
    names: {fa: [رستم عمروف, عمرف]}
  - id: place:mazar
    type: place
    kind: city
    name: Mazar-i-Sharif
    names: {prs: [مزار شریف]}
""",
    "an entry extended": """
entries:
  - id: person:witkoff
    type: person
    name: Steve Witkoff
    country: place:crimea
    names: {ar: [ستيف ويتكوف], fa: [ویتکوف]}
""",
    "an entry replaced by fewer names": """
entries:
  - id: place:kyiv
    type: place
    kind: city
    name: Kyiv
    replace: true
    names: {fa: [کیف]}
""",
    "several at once": """
entries:
  - id: person:li
    type: person
    name: Li
    names: {fa: [لی]}
  - id: person:hnatov
    type: person
    name: Andriy Hnatov
    replace: true
  - id: person:witkoff
    type: person
    name: Steve Witkoff
    replace: true
    names: {ar: [ستيف ويتكوف]}
  - id: person:new
    type: person
    name: Said Witkoff
    names: {ar: [سعيد ويتكوف]}
""",
}

CHANGED = {"new entries, one sharing a name": set(), "an entry extended": {1}, "an entry replaced by fewer names": {5},
           "several at once": {1, 7, 8}}


def content(index: Index) -> dict:
    """An index's fields as plain values: maps compared by content, whatever their keys' order."""
    return {name: dict(value.items()) if isinstance(value, Mapping) else value for name, value in vars(index).items()}


@pytest.fixture(scope="module")
def base():
    gazetteer = Gazetteer.from_entries(BASE, cache=False)
    return gazetteer, Index._compile(list(gazetteer))


@pytest.mark.parametrize("cached", [False, True], ids=["built base", "cached base"])
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_extended_index_is_the_compiled_one(edit, cached, base, tmp_path):
    gazetteer, base_index = base
    if cached:  # read back from its on-disk form: aliases and words made when asked, the vocabulary in place
        base_index = Index._decode(base_index._encode(), base_index.entries)
    path = tmp_path / "mine.yaml"
    path.write_text(EDITS[edit], encoding="utf-8")
    entries = list(gazetteer.extended([path]))
    changed = _changed(list(gazetteer), entries)
    assert changed == CHANGED[edit]
    made = base_index.aliases.made()
    extended = Index._extended(base_index, entries, changed)
    assert extended is not None
    assert base_index.aliases.made() == made  # base's aliases were copied by their columns, none made
    assert content(extended) == content(Index._compile(entries))


def test_what_changed_is_found_by_id_and_content():
    entries = list(Gazetteer.from_entries(BASE, cache=False))
    assert _changed(entries, entries) == set()
    assert _changed(entries, entries[1:]) is None  # an entry gone
    assert _changed(entries, entries[::-1]) is None  # another order
    edited = [e.model_copy(update={"name": e.name + " Jr"}) for e in entries]
    assert _changed(entries, edited[:4] + entries[4:]) == {0, 1, 2, 3}
    assert _changed(entries, edited) is None  # most of them differ: compiled afresh


def test_the_trust_of_base_aliases_is_scaled_again_when_a_new_name_is_trusted_more(tmp_path):
    # Every name of the earlier entries is GeoNames': their trust is scaled by GeoNames'. A user's
    # name from no bulk source raises the scale, and the earlier aliases are scaled again: GeoNames'
    # names fall below 1, a canonical name without other names (UNSOURCED) stays 1.
    bulk = [{"id": f"place:p{i}", "type": "place", "name": f"Place {i}", "kind": "city",
             "names": {"ar": [{"name": f"مكان {i}", "source": "geonames"}]}} for i in range(6)]
    bulk.append({"id": "place:bare", "type": "place", "name": "Bare Place", "kind": "city"})
    gazetteer = Gazetteer.from_entries(bulk, cache=False)
    base_index = Index._compile(list(gazetteer))
    assert {a.trust for a in base_index.aliases} == {1.0}
    path = tmp_path / "mine.yaml"
    path.write_text("entries:\n  - {id: place:p0, type: place, name: Place 0, names: {fa: [مکان صفر]}}\n", encoding="utf-8")
    entries = list(gazetteer.extended([path]))
    extended = Index._extended(base_index, entries, _changed(list(gazetteer), entries))
    assert extended is not None and content(extended) == content(Index._compile(entries))
    assert {a.trust for a in extended.aliases} == {1.0, SOURCE_TRUST["geonames"]}
    # The other way, the scale would fall once p0's own name is gone: compiled afresh
    replaced = list(gazetteer.extended([path]))
    again = [e.model_copy(update={"names": {"ar": e.names["ar"]}}) if e.id == "place:p0" else e for e in replaced]
    assert Index._extended(Index._compile(replaced), again, _changed(replaced, again)) is None
    built = Index.build(again, cache=False, bases=[(replaced, lambda: Index._compile(replaced))])
    assert content(built) == content(Index._compile(again))


@pytest.fixture
def bundled(tmp_path, monkeypatch):
    """A small bundled gazetteer of two files, and an empty cache folder."""
    folder = tmp_path / "bundled"
    folder.mkdir()
    (folder / "people.yaml").write_text("entries:\n" + "".join(
        f"  - id: {e['id']}\n    type: person\n    name: {e['name']}\n" for e in BASE if e["type"] == "person"), encoding="utf-8")
    (folder / "places.yaml").write_text("entries:\n" + "".join(
        f"  - id: {e['id']}\n    type: place\n    name: {e['name']}\n    names: {{fa: [{e['names']['fa'][0]}]}}\n"
        for e in BASE if e["type"] == "place" and "fa" in e["names"]), encoding="utf-8")
    monkeypatch.setattr(loader_module, "bundled_files", lambda: sorted(folder.iterdir()))
    monkeypatch.setenv("ENTITYRES_CACHE_DIR", str(tmp_path / "cache"))
    return folder


def test_a_users_edit_reads_the_bundled_layer_from_the_cache_and_extends_its_index(bundled, tmp_path, monkeypatch):
    load_gazetteer().index  # what a start with the bundled data alone leaves in the cache
    mine = tmp_path / "mine.yaml"
    mine.write_text(EDITS["an entry extended"] + EDITS["new entries, one sharing a name"].removeprefix("\nentries:\n"),
                    encoding="utf-8")
    read, built = [], []
    real_read, real_build = loader_module._read_all, index_module._build
    monkeypatch.setattr(loader_module, "_read_all", lambda files: read.extend(f.name for f, _ in files) or real_read(files))
    monkeypatch.setattr(index_module, "_build", lambda entries, numbers: built.append(list(numbers))
                        or real_build(entries, numbers))
    edited = load_gazetteer([mine])
    index = edited.index
    assert read == ["mine.yaml"]  # the bundled files came from the cache
    assert built == [[1, 10, 11]]  # Witkoff extended, two new entries; the rest came from the cache
    fresh = load_gazetteer([mine], cache=False)
    assert [e.model_dump() for e in edited] == [e.model_dump() for e in fresh]
    assert edited.issues == fresh.issues
    assert any(i.kind == "override" and "people.yaml:5" in i.message for i in edited.issues)
    assert content(index) == content(fresh.index)
    # read back: the same entries, issues and index, and nothing compiled
    built.clear()
    again = load_gazetteer([mine])
    assert again.issues == fresh.issues and content(again.index) == content(index) and built == []


def test_a_cached_gazetteer_still_names_where_each_entry_was_defined(bundled, tmp_path):
    load_gazetteer()
    mine = tmp_path / "mine.yaml"
    mine.write_text(EDITS["an entry replaced by fewer names"], encoding="utf-8")
    cached = load_gazetteer()
    assert cached._bases == () and cached._origin is not None
    (issue,) = [i for i in cached.extended([mine]).issues if i.kind == "override"]
    assert issue.file == str(mine) and issue.message == f"replaces the entry of {bundled / 'places.yaml'}:6"


def test_without_a_cache_an_index_is_extended_only_when_the_base_has_one(bundled, tmp_path, monkeypatch):
    mine = tmp_path / "mine.yaml"
    mine.write_text(EDITS["an entry extended"], encoding="utf-8")
    built = []
    real_build = index_module._build
    monkeypatch.setattr(index_module, "_build", lambda entries, numbers: built.append(list(numbers))
                        or real_build(entries, numbers))
    edited = load_gazetteer([mine], cache=False)
    edited.index
    assert built == [list(range(len(edited)))]  # compiled once, not the bundled index first
    built.clear()
    base = Gazetteer.from_entries(BASE, cache=False)
    base.index
    built.clear()
    extended = base.extended([mine])
    assert content(extended.index) == content(Index._compile(list(extended))) and built[0] == [1]


def test_a_large_user_file_is_a_layer_of_its_own_and_the_files_between_large_ones_one():
    size = loader_module.LAYER_BYTES
    files = [("a", b"x"), ("big1", b"x" * size), ("b", b"x"), ("c", b"x"), ("big2", b"x" * size), ("big3", b"x" * size)]
    room = 2 * loader_module.CACHE_PER_BYTE * size
    layers = loader_module._user_layers(files, room)
    assert [[f for f, _ in layer] for layer in layers] == [["a"], ["big1"], ["b", "c"], ["big2"], ["big3"]]
    assert loader_module._user_layers([], room) == []
    # a file whose layers the cache folder cannot hold both of stays with its neighbours
    assert [[f for f, _ in layer] for layer in loader_module._user_layers(files, room - 1)] == [[f for f, _ in files]]


# Witkoff extended (his bundled entry gains a country), Umarov and Mazar new
BIG = (EDITS["an entry extended"] + EDITS["new entries, one sharing a name"].removeprefix("\nentries:\n")
       + "# an import: larger than mine.yaml, edits and all\n" * 4)

MINE = """entries:
  - id: person:umarov
    type: person
    name: Rustam Umarov
    names: {ar: [رستم أوماروف]}
  - id: person:witkoff
    type: person
    name: Steve Witkoff
    names: {ar: [ستيف ويتكوف]}
""" + EDITS["an entry replaced by fewer names"].removeprefix("\nentries:\n") + """  - id: person:nobody
    type: person
    name: Said Nobody
    country: place:nowhere
"""


def watched(monkeypatch) -> tuple[list[str], list[list[int]]]:
    """The names of the files read, and the entry numbers compiled, from now on."""
    read, built = [], []
    real_read, real_build = loader_module._read_all, index_module._build
    monkeypatch.setattr(loader_module, "_read_all", lambda files: read.extend(f.name for f, _ in files) or real_read(files))
    monkeypatch.setattr(index_module, "_build", lambda entries, numbers: built.append(list(numbers))
                        or real_build(entries, numbers))
    return read, built


def same_as_one_layer(edited: Gazetteer, files: list) -> Gazetteer:
    """``edited`` is what a load of ``files`` as one layer (no cache: not split) gives, issues and index."""
    fresh = load_gazetteer(files, cache=False)
    assert [e.model_dump() for e in edited] == [e.model_dump() for e in fresh]
    assert edited.issues == fresh.issues
    assert content(edited.index) == content(fresh.index)
    return fresh


def big_then_mine_edited(tmp_path, monkeypatch) -> tuple:
    """big.yaml (a layer of its own) and mine.yaml loaded with their index, then an entry added to
    mine.yaml: the two paths."""
    big, mine = tmp_path / "big.yaml", tmp_path / "mine.yaml"
    big.write_text(BIG, encoding="utf-8")
    mine.write_text(MINE, encoding="utf-8")
    monkeypatch.setattr(loader_module, "LAYER_BYTES", len(BIG.encode()))  # big.yaml counts as large
    load_gazetteer([big, mine]).index
    mine.write_text(MINE + "  - {id: place:herat, type: place, name: Herat, names: {prs: [هری]}}\n", encoding="utf-8")  # new
    return big, mine


def test_an_edit_of_the_files_after_a_large_one_extends_its_cached_layer(bundled, tmp_path, monkeypatch):
    big, mine = big_then_mine_edited(tmp_path, monkeypatch)
    read, built = watched(monkeypatch)
    edited = load_gazetteer([big, mine])
    edited.index
    assert read == ["mine.yaml"]  # the bundled files and big.yaml came from the cache
    position = {e.id: n for n, e in enumerate(edited)}
    # big.yaml's layer extended (mine.yaml is small: its last version is not kept); Witkoff's names
    # in mine.yaml are big.yaml's already: his entry is big.yaml's, not compiled again
    assert built == [sorted(position[i] for i in ("person:umarov", "place:kyiv", "place:herat", "person:nobody"))]
    fresh = same_as_one_layer(edited, [big, mine])
    kinds = [(i.kind, i.entry_id, i.file and i.file.rsplit("/", 1)[-1], i.line) for i in fresh.issues]
    assert ("duplicate_id", "person:umarov", "mine.yaml", 2) in kinds  # defined in big.yaml first
    assert ("duplicate_id", "person:witkoff", "mine.yaml", 6) in kinds  # extended in big.yaml first
    assert ("override", "person:witkoff", "big.yaml", 3) in kinds
    assert ("override", "place:kyiv", "mine.yaml", 10) in kinds
    assert ("dangling_reference", "person:nobody", "mine.yaml", 16) in kinds
    assert next(i for i in fresh.issues if i.entry_id == "person:umarov" and i.kind == "duplicate_id").message == (
        f"defined again (first at {big}:8); merged into the first")


def test_the_entries_of_a_cached_layer_are_written_again_as_they_were_read(bundled, tmp_path, monkeypatch):
    big, mine = big_then_mine_edited(tmp_path, monkeypatch)
    edited = load_gazetteer([big, mine])
    (below,) = edited._bases  # big.yaml's layer, from the cache
    runs = below._entries.runs()
    kept = [e for e in edited if id(e) in runs]  # entries the edit left as the layer below holds them
    assert kept and len(kept) < len(edited)
    names = [str(f) for f in loader_module.bundled_files()] + [str(big), str(mine)]
    keyed = index_module.shared_aliases(list(edited))[1]
    written = loader_module._encode(edited, names, keyed)
    edited._bases = ()  # every entry dumped again
    assert written == loader_module._encode(edited, names, keyed)  # the same bytes either way
    assert all(msgpack.unpackb(runs[id(e)]) == e.model_dump(mode="json", exclude_defaults=True) for e in kept)


@pytest.mark.parametrize("edit", ["a name changed", "an entry added at the end", "an entry removed"])
def test_an_edit_of_a_large_file_extends_the_index_of_its_last_version(bundled, tmp_path, monkeypatch, edit):
    big, mine = tmp_path / "big.yaml", tmp_path / "mine.yaml"
    big.write_text(BIG, encoding="utf-8")
    mine.write_text(MINE, encoding="utf-8")
    text = {"a name changed": BIG.replace("name: Mazar-i-Sharif", "name: Mazar-e Sharif"),
            "an entry added at the end": BIG + "  - {id: place:herat, type: place, name: Herat, names: {prs: [هری]}}\n",
            "an entry removed": BIG.replace(BIG[BIG.index("  - id: person:umarov"):BIG.index("  - id: place:mazar")], "")}[edit]
    assert text != BIG
    monkeypatch.setattr(loader_module, "LAYER_BYTES", min(len(BIG.encode()), len(text.encode())))  # both large
    load_gazetteer([big, mine]).index
    big.write_text(text, encoding="utf-8")
    read, built = watched(monkeypatch)
    edited = load_gazetteer([big, mine])
    last = edited._bases[0]._bases[0]  # big.yaml's last version, below mine.yaml's layer
    if edit == "a name changed":  # its entries left as they were are the edited layer's own (one copy kept)
        layer = edited._bases[0]._entries  # compared as held: each gazetteer makes its own Entry
        assert [e.id for e in last._entries.held() if e is not layer.stored(layer.position[e.id])] == ["place:mazar"]
    edited.index
    assert read == ["big.yaml", "mine.yaml"]  # the bundled layer came from the cache
    at = {e.id: n for n, e in enumerate(edited)}
    if edit == "an entry removed":  # the entries after it moved: big.yaml's layer compiled afresh
        assert len(built[0]) > 1
    else:  # big.yaml's last version extended by the entry that differs
        assert built[0] == [at["place:mazar" if edit == "a name changed" else "place:herat"]]
    same_as_one_layer(edited, [big, mine])


def test_the_last_version_of_a_file_whose_index_is_gone_is_not_compiled_to_be_extended(bundled, tmp_path, monkeypatch):
    big = tmp_path / "big.yaml"
    big.write_text(BIG, encoding="utf-8")
    monkeypatch.setattr(loader_module, "LAYER_BYTES", len(BIG.encode()))
    load_gazetteer([big]).index
    for index in (tmp_path / "cache").glob("index-*"):  # evicted: the bundled layer's too
        index.unlink()
    big.write_text(BIG.replace("name: Mazar-i-Sharif", "name: Mazar-e Sharif"), encoding="utf-8")
    compiled = []
    real_compile = Index._compile.__func__
    monkeypatch.setattr(Index, "_compile", classmethod(lambda cls, entries: compiled.append(len(entries)) or real_compile(cls, entries)))
    edited = load_gazetteer([big])
    edited.index
    # the bundled layer's index is compiled to be extended, as without a last version; big.yaml's last one is not
    assert compiled == [len(load_gazetteer())]
    same_as_one_layer(edited, [big])


@pytest.mark.parametrize("names", [{}, {"en": ["Bare Place"]}, {"fa": []}, {"en": ["BARE PLACE"]}, {"en": ["Bare"]},
                                   {"fa": ["مکان"]}, {"en": [], "ar": ["مكان"]}])
def test_unsourced_is_what_alias_trust_finds(names):
    entry = Gazetteer.from_entries([{"id": "place:bare", "type": "place", "name": "Bare Place", "names": names}],
                                   cache=False)["place:bare"]
    canonical = Index._compile([entry]).aliases[0]
    trust = index_module.alias_trust(entry.aliases(sources=True), index_module.alias_key)
    assert index_module._unsourced(canonical.name, entry) == (trust[canonical.key] == index_module.UNSOURCED)


POOL = [("person:umerov", "person", "Rustem Umerov", "عمروف"), ("person:witkoff", "person", "Steve Witkoff", "ویتکاف"),
        ("place:kyiv", "place", "Kyiv", "کیف"), ("person:umarov", "person", "Rustam Umarov", "عمرف"),
        ("place:mazar", "place", "Mazar-i-Sharif", "مزار"), ("person:new", "person", "Said Witkoff", "هرات"),
        ("place:herat", "place", "Herat", "هرات")]


def random_file(rng, n: int) -> str:
    lines = ["entries:"]
    for _ in range(n):
        entry_id, kind, name, fa = rng.choice(POOL)
        extra = rng.choice(["", " 2", " دوم"])
        replace = ", replace: true" if rng.random() < 0.2 else ""
        source = ", source: geonames" if rng.random() < 0.5 else ""
        lines.append(f"  - {{id: {entry_id}, type: {kind}, name: {name}{replace}, "
                     f"names: {{fa: [{{name: {fa}{extra}{source}}}]}}}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(12))
def test_user_layers_load_what_one_layer_loads(seed, bundled, tmp_path, monkeypatch):
    # Random user files over shared IDs (duplicates, extensions and replacements of bundled and of
    # each other's entries), the middle one large: cached in layers, then after an edit of the
    # last, the same entries, issues and index as one uncached layer.
    import random

    rng = random.Random(seed)
    files = [tmp_path / f"{name}.yaml" for name in ("first", "large", "last")]
    for f in files:
        f.write_text(random_file(rng, rng.randint(1, 4)), encoding="utf-8")
    monkeypatch.setattr(loader_module, "LAYER_BYTES", files[1].stat().st_size)
    assert len(loader_module._user_layers(loader_module._sources(files), cache.max_bytes())) >= 2
    for _ in range(2):
        layered = load_gazetteer(files)
        layered.index
        again = load_gazetteer(files)  # from the cache
        fresh = load_gazetteer(files, cache=False)
        for got in (layered, again):
            assert [e.model_dump() for e in got] == [e.model_dump() for e in fresh]
            assert got.issues == fresh.issues
            assert content(got.index) == content(fresh.index)
        files[2].write_text(random_file(rng, rng.randint(1, 4)), encoding="utf-8")


def test_a_large_file_stays_with_the_others_when_the_cache_cannot_hold_its_layers(bundled, tmp_path, monkeypatch):
    big, mine = tmp_path / "big.yaml", tmp_path / "mine.yaml"
    big.write_text(BIG, encoding="utf-8")
    mine.write_text(MINE, encoding="utf-8")
    monkeypatch.setattr(loader_module, "LAYER_BYTES", len(BIG.encode()))
    # two layers of big.yaml's cache would take just over the folder's cap
    monkeypatch.setattr(loader_module, "CACHE_PER_BYTE", cache.max_bytes() // (2 * len(BIG.encode())) + 1)
    load_gazetteer([big, mine])
    read = []
    real_read = loader_module._read_all
    monkeypatch.setattr(loader_module, "_read_all", lambda files: read.extend(f.name for f, _ in files) or real_read(files))
    mine.write_text(MINE + "  - {id: place:herat, type: place, name: Herat}\n", encoding="utf-8")
    load_gazetteer([big, mine])
    assert read == ["big.yaml", "mine.yaml"]  # one layer: both read again


def test_the_keys_of_a_layers_entries_are_found_once(bundled, tmp_path, monkeypatch):
    # shared_aliases keys each entry's names: a layer's keys are kept with it (in its cache file
    # too), so the layer merged on top of it keys only the entries it adds or changes.
    big, mine = tmp_path / "big.yaml", tmp_path / "mine.yaml"
    big.write_text(BIG, encoding="utf-8")
    mine.write_text(MINE, encoding="utf-8")
    monkeypatch.setattr(loader_module, "LAYER_BYTES", len(BIG.encode()))
    keyed = []
    real = index_module.alias_keys
    monkeypatch.setattr(index_module, "alias_keys", lambda entry: keyed.append(entry.id) or real(entry))
    load_gazetteer([big, mine])
    bundled_ids = [e.id for e in load_gazetteer()]
    # each layer keys the entries it adds or changes (witkoff: extended by big.yaml; mine.yaml
    # merges into him names he has already, so his entry is the same), no others
    assert keyed == bundled_ids + ["person:witkoff", "person:umarov", "place:mazar",
                                   "place:kyiv", "person:umarov", "person:nobody"]
    keyed.clear()
    # Herat's name is also Mazar's, whose keys come from big.yaml's layer
    mine.write_text(MINE + "  - {id: place:herat, type: place, name: Herat, names: {prs: [مزار شریف]}}\n", encoding="utf-8")
    edited = load_gazetteer([big, mine])
    # the entries mine.yaml adds or changes; the others' keys come from big.yaml's layer's cache file
    assert sorted(keyed) == ["person:nobody", "person:umarov", "place:herat", "place:kyiv"]
    fresh = load_gazetteer([big, mine], cache=False)
    assert edited.issues == fresh.issues
    assert [i.message for i in fresh.issues if i.kind == "shared_alias"] == ["'مزار شریف' also names place:herat"]


def test_a_cached_gazetteer_with_damaged_keys_is_a_miss(bundled, tmp_path, monkeypatch):
    mine = tmp_path / "mine.yaml"
    mine.write_text(MINE, encoding="utf-8")
    gz = load_gazetteer([mine], bundled=False)
    (path,) = (tmp_path / "cache").glob("gazetteer-*")
    data = loader_module._encode(gz, [str(mine)], index_module.shared_aliases(list(gz))[1])
    read = []
    real_read = loader_module._read_all
    monkeypatch.setattr(loader_module, "_read_all", lambda files: read.append(1) or real_read(files))
    load_gazetteer([mine], bundled=False)
    assert read == []  # the file as written is a hit
    for keys in (data["keys"][1:], [[1]] + data["keys"][1:], ["x"] + data["keys"][1:]):
        cache.write_cache(path, {**data, "keys": keys})
        again = load_gazetteer([mine], bundled=False)
        assert read.pop() == 1 and again.issues == gz.issues  # read from the file again
