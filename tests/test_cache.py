"""The on-disk cache is data, never code; it is keyed, atomic, owner-only, capped and optional."""
import json
import mmap
import os
import pickle
import stat
import time
from importlib import resources

import msgpack
import xxhash
import pytest

from entityres import Gazetteer, Resolver, cache, cli, load_gazetteer
from entityres.gazetteer import index as index_module, loader
from entityres.gazetteer.index import Index
from entityres.text import frequency
from entityres.text.normalize import ZWNJ, normalize_text

PEOPLE = [
    {"id": "person:rostam-omarov", "type": "person", "name": "Rostam Omarov",
     "names": {"fa": ["رستم عمروف"], "ar": ["رستم عمروف"]}},
    {"id": "place:kyiv", "type": "place", "name": "Kyiv", "names": {"fa": ["کی یف", "کییف"], "ar": ["كييف"]}},
]
TEXT = "رستم عمروف روز دوشنبه در کییف گفت که مذاکرات ادامه دارد."
GAZETTEER = "entries:\n  - id: person:rostam-omarov\n    type: person\n    name: Rostam Omarov\n    names: {fa: [رستم عمروف]}\n"


class Evil:
    """Unpickling this writes the marker file: what a planted pickle would do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.fixture
def folder(tmp_path, monkeypatch):
    path = tmp_path / "cache"
    monkeypatch.setenv("ENTITYRES_CACHE_DIR", str(path))
    return path


@pytest.fixture
def fresh_tables(monkeypatch):
    """Forget the in-memory word-frequency tables so the next use goes to the cache (or wordfreq)."""
    monkeypatch.setattr(frequency, "_tables", {})


def _small_file(tmp_path):
    path = tmp_path / "people.yaml"
    path.write_text(GAZETTEER, encoding="utf-8")
    return path


def _outputs(gazetteer_file):
    gz = load_gazetteer([gazetteer_file], bundled=False)
    result = Resolver(gazetteer=gz).resolve(TEXT, "fa")
    return [e.model_dump() for e in gz], result.model_dump(), dict(frequency.table("fa"))


def _plants(path, marker):
    """Hostile stand-ins for the cache file at ``path``."""
    key = path.name.removesuffix(cache.SUFFIX)
    header = cache._header(key.split("-")[0], key)
    body = b"".join(cache._packed({"نه": "1.0", "entries": [pickle.dumps(Evil(marker))]}, len(header) + cache.CHECKSUM))
    return {
        "pickle": pickle.dumps(Evil(marker)),
        "plain msgpack": msgpack.packb({"گفت": 0.5, "روز": 0.5}),
        "header and pickle": header + b"\0" * cache.CHECKSUM + pickle.dumps(Evil(marker)),
        "right checksum, wrong shape": header + cache._checksum([body]) + body,
        "other key": cache._header("zipf", "zipf-0-0-0") + cache._checksum([body]) + body,
        "empty": b"",
    }


def test_cache_files_are_msgpack_data_with_a_checked_header(folder, tmp_path, fresh_tables):
    _outputs(_small_file(tmp_path))
    names = sorted(p.name.split("-")[0] for p in folder.iterdir())
    assert names == ["gazetteer", "index", "zipf"]
    for path in folder.iterdir():
        assert path.suffix == ".msgpack" and path.read_bytes().startswith(cache.MAGIC)
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_no_planted_file_runs_code_or_changes_output(folder, tmp_path, monkeypatch):
    source = _small_file(tmp_path)
    monkeypatch.setattr(frequency, "_tables", {})
    expected = _outputs(source)
    marker = tmp_path / "pwned"
    files = sorted(folder.iterdir())
    assert len(files) == 3
    for victim in files:
        for what, blob in _plants(victim, marker).items():
            saved = victim.read_bytes()
            victim.write_bytes(blob)
            monkeypatch.setattr(frequency, "_tables", {})
            assert _outputs(source) == expected, (victim.name, what)
            assert not marker.exists(), (victim.name, what)
            victim.write_bytes(saved)


def test_cache_false_reads_no_cache_file(folder, tmp_path, monkeypatch):
    source = _small_file(tmp_path)
    monkeypatch.setattr(frequency, "_tables", {})
    expected = _outputs(source)
    marker = tmp_path / "pwned"
    for victim in folder.iterdir():
        victim.write_bytes(pickle.dumps(Evil(marker)))

    def no_cache():
        raise AssertionError("cache=False looked for the cache folder")

    monkeypatch.setattr(cache, "cache_dir", no_cache)
    monkeypatch.setattr(frequency, "_tables", {})
    gz = load_gazetteer([source], bundled=False, cache=False)
    result = Resolver(gazetteer=gz, cache=False).resolve(TEXT, "fa")
    assert result.model_dump() == expected[1] and frequency.table("fa") == expected[2]
    assert not marker.exists()


def test_a_folder_others_may_write_to_is_not_used(folder, tmp_path, fresh_tables):
    source = _small_file(tmp_path)
    expected = _outputs(source)
    marker = tmp_path / "pwned"
    for victim in folder.iterdir():
        victim.write_bytes(pickle.dumps(Evil(marker)))
    folder.chmod(0o777)
    assert cache.cache_dir() is None
    frequency._tables.clear()
    assert _outputs(source) == expected and not marker.exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a file to another user")
def test_files_and_folders_of_another_user_are_not_read(folder, tmp_path, fresh_tables):
    source = _small_file(tmp_path)
    expected = _outputs(source)
    victim = next(folder.glob("gazetteer-*"))
    os.chown(victim, 4242, 4242)
    assert cache.read_cache(victim, lambda d: d) is None
    os.chown(victim, os.getuid(), os.getgid())
    assert cache.read_cache(victim, lambda d: d) is not None
    os.chown(folder, 4242, 4242)
    assert cache.cache_dir() is None
    assert _outputs(source) == expected


def test_a_group_writable_file_or_a_symlink_is_not_read(folder, tmp_path, fresh_tables):
    _outputs(_small_file(tmp_path))
    victim = next(folder.glob("gazetteer-*"))
    assert cache.read_cache(victim, lambda d: d) is not None
    victim.chmod(0o620)
    assert cache.read_cache(victim, lambda d: d) is None
    victim.chmod(0o600)
    real = tmp_path / "elsewhere"
    victim.rename(real)
    victim.symlink_to(real)
    assert cache.read_cache(victim, lambda d: d) is None


def test_a_fifo_in_the_cache_does_not_hang(folder, tmp_path, fresh_tables):
    source = _small_file(tmp_path)
    expected = _outputs(source)
    victim = next(folder.glob("gazetteer-*"))
    victim.unlink()
    os.mkfifo(victim)
    assert cache.read_cache(victim, lambda d: d) is None
    assert _outputs(source)[0] == expected[0]


def test_writes_are_atomic_and_leave_no_temporary_file(folder, monkeypatch):
    folder.mkdir(mode=0o700)
    target = folder / "zipf-x.msgpack"

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache.os, "replace", fail)
    cache.write_cache(target, {"a": 1.0})
    assert list(folder.iterdir()) == []
    monkeypatch.undo()
    cache.write_cache(target, {"a": {1, 2}})  # not plain data: not written, nothing left
    assert list(folder.iterdir()) == []


def test_old_versions_are_evicted_and_the_folder_is_capped(folder, tmp_path, monkeypatch, fresh_tables):
    folder.mkdir(mode=0o700)
    stale = [folder / "index-0.0.1-5-abc.msgpack", folder / "gazetteer-92108160a6de097d52ee5806.pickle",
             folder / ".write-abc.tmp"]
    for path in stale:
        path.write_bytes(b"x" * 100)
    os.utime(stale[2], (1, 1))  # a temporary file abandoned long ago
    mine = folder / "notes.txt"  # not ours: never touched
    mine.write_text("keep")
    for n in range(4):
        path = cache.cache_path("zipf", f"content {n}")
        cache.write_cache(path, {"w": float(n)})
        os.utime(path, (1000 + n, 1000 + n))
    assert not any(p.exists() for p in stale) and mine.exists()
    assert len(list(folder.glob("zipf-*"))) == 4
    size = next(folder.glob("zipf-*")).stat().st_size
    monkeypatch.setenv("ENTITYRES_CACHE_MAX_MB", str(2.5 * size / 1024 / 1024))
    newest = cache.cache_path("zipf", "content 9")
    cache.write_cache(newest, {"w": 9.0})
    left = sorted(p.name for p in folder.glob("zipf-*"))
    assert len(left) == 2 and newest.name in left
    assert cache.cache_path("zipf", "content 3").name in left  # the most recently used stays


def _mapped_file(folder):
    """A cache file of a large and a small bytes value, a number and a string; its path and data."""
    folder.mkdir(mode=0o700, exist_ok=True)
    path = cache.cache_path("zipf", "mapped")
    large = bytes(range(256)) * 40  # past BLOB_MIN: kept after the head
    data = {"large": large, "small": b"\x01\x02", "list": [large[:5000], 3, "نام"], "n": 1.5}
    cache.write_cache(path, data)
    return path, data


def test_large_bytes_are_read_in_place_from_the_mapped_file(folder):
    path, data = _mapped_file(folder)
    got = cache.read_cache(path, lambda d: d)
    assert got == data  # a memoryview equals the bytes it views
    assert type(got["large"]) is memoryview and got["large"].readonly and type(got["small"]) is bytes
    assert type(got["list"][0]) is memoryview and cache.is_bytes(got["large"]) and cache.is_bytes(got["small"])
    assert not cache.is_bytes(memoryview(b"abcd").cast("I")) and not cache.is_bytes("ab")
    raw = path.read_bytes()
    at = raw.index(data["large"])
    assert at % 8 == 0 and raw.count(data["large"]) == 1  # aligned in the file, written once
    numbers = cache.u32_array(cache.pack_u32([1, 2, 70000]))
    assert list(numbers) == [1, 2, 70000] and pickle.loads(pickle.dumps(cache.owned(numbers))) == numbers
    assert cache.owned(got["large"]) == data["large"] and type(cache.owned(got["large"])) is bytes


def test_a_file_that_cannot_be_mapped_is_read(folder, monkeypatch):
    path, data = _mapped_file(folder)

    def refuse(*args, **kwargs):
        raise OSError(19, "No such device")  # what mmap says on a file system that cannot map

    monkeypatch.setattr(cache.mmap, "mmap", refuse)
    got = cache.read_cache(path, lambda d: d)
    assert got == data and type(got["large"]) is memoryview and type(got["large"].obj) is bytes


def test_a_mapped_file_that_points_outside_itself_or_is_damaged_is_a_miss(folder):
    path, data = _mapped_file(folder)
    sound = path.read_bytes()
    header = cache._header("zipf", path.name.removesuffix(cache.SUFFIX))
    at = len(header) + cache.CHECKSUM
    body = sound[at:]
    head_end = 8 + int.from_bytes(body[:8], "little")
    head = msgpack.unpackb(body[8:head_end])
    decoded = []
    for damaged_head in ({**head, "large": msgpack.ExtType(cache.BLOB, cache._SPAN.pack(0, 10 ** 9))},  # past the end
                         {**head, "large": msgpack.ExtType(7, b"\0" * 16)},  # an extension of another kind
                         {**head, "large": msgpack.ExtType(cache.BLOB, b"\0" * 3)}):  # not an offset and length
        packed = msgpack.packb(damaged_head, use_bin_type=True)
        new = len(packed).to_bytes(8, "little") + packed
        new += bytes(-(at + len(new)) % 8) + body[head_end + -(at + head_end) % 8:]
        path.write_bytes(header + cache._checksum([new]) + new)
        assert cache.read_cache(path, lambda d: decoded.append(d) or d) is None
    assert decoded == []  # each rejected as it was unpacked, before the decoder saw it
    # a bit of a large value, of the head, of the checksum itself: the checksum fails
    for where, bit in ((sound.index(data["large"]) + 100, 0), (at + 9, 1), (len(header) + 3, 7)):
        flipped = bytearray(sound)
        flipped[where] ^= 1 << bit
        path.write_bytes(bytes(flipped))
        assert cache.read_cache(path, lambda d: decoded.append(d) or d) is None
    assert decoded == []  # a damaged file is never decoded
    for short in (sound[:at + 4], sound[:at + 8 + 2], sound[:-1]):  # no head's length; a head cut short; the last byte lost
        path.write_bytes(short)
        assert cache.read_cache(path, lambda d: d) is None
    path.write_bytes(sound)
    assert cache.read_cache(path, lambda d: d) == data


def test_the_checksum_is_xxh3_128_of_the_body_in_parts():
    parts = [b"entityres", memoryview(b"\0" * 5000), bytearray(b"\xd8\xa8")]
    assert cache._checksum(parts) == cache._checksum([b"".join(parts)]) == xxhash.xxh3_128_digest(b"".join(parts))
    assert len(cache._checksum([])) == cache.CHECKSUM and cache._checksum([b"a"]) != cache._checksum([b"b"])


def test_a_cached_index_reads_its_columns_in_place_and_pickles_them(folder, monkeypatch):
    monkeypatch.setattr(cache, "BLOB_MIN", 1)  # every bytes value after the head, as in a large index
    entries = list(Gazetteer.from_entries(PEOPLE, cache=False))
    built = Index.build(entries)
    loaded = Index.build(entries)
    for column in (loaded.postings.numbers, loaded.aliases.entry_numbers, loaded.aliases.type_codes,
                   *loaded.exact.columns()[0].columns()):
        assert type(column) is memoryview and type(column.obj) is mmap.mmap  # a view of the file, not a copy
    again = pickle.loads(pickle.dumps(loaded))
    for name in Index.__annotations__:
        assert getattr(again, name) == getattr(built, name), name
    assert [a for a in again.aliases] == [a for a in built.aliases]


def test_a_file_larger_than_the_cap_is_not_written(folder, monkeypatch):
    monkeypatch.setenv("ENTITYRES_CACHE_MAX_MB", "0.001")
    path = cache.cache_path("zipf", "big")
    cache.write_cache(path, {str(n): float(n) for n in range(1000)})
    assert not path.exists()


def test_every_key_part_changes_the_key(monkeypatch):
    base = cache.rules_digest("content")
    assert cache.rules_digest("content!") != base
    monkeypatch.setattr(cache, "__version__", "9.9.9")
    assert cache.rules_digest("content") != base
    monkeypatch.undo()
    monkeypatch.setattr(cache, "_rules", lambda: b"other rule tables")
    assert cache.rules_digest("content") != base


def test_the_build_digest_covers_code_kernels_and_rules(monkeypatch):
    """Any change of a module, of the kernels or of a rule table gives every cache file a new key
    and name, with no layout number to bump by hand."""
    names = [name for name, _ in cache._code_files(resources.files("entityres"))]
    for expected in ("cache.py", "gazetteer/index.pyx", "resolve/cluster.py", "text/_kernels.pyx", "resources/keys.yaml"):
        assert expected in names
    assert not any("__pycache__" in n for n in names)
    cache._rules.cache_clear()
    before, key = cache.build_id(), cache.rules_digest("content")
    original = cache._code_files
    edited = lambda folder, prefix="": [(n, _Edited(f) if n == "text/similarity.py" else f)  # noqa: E731
                                        for n, f in original(folder, prefix)]
    monkeypatch.setattr(cache, "_code_files", edited)
    cache._rules.cache_clear()
    try:
        assert cache.build_id() != before and cache.rules_digest("content") != key
        assert cache.cache_path("zipf", "x").name.split("-")[2] == cache.build_id()
    finally:
        monkeypatch.undo()
        cache._rules.cache_clear()
    assert cache.build_id() == before


class _Edited:
    def __init__(self, item):
        self.item = item

    def read_bytes(self) -> bytes:
        return self.item.read_bytes() + b"\n# an edit\n"


def test_zipf_key_has_the_normalisation_rules(folder, monkeypatch, fresh_tables):
    """A change of a rule table (here: any) gives the word-frequency table a new file."""
    frequency.table("fa")
    first = {p.name for p in folder.glob("zipf-*")}
    monkeypatch.setattr(cache, "_rules", lambda: b"changed normalisation rules")
    frequency._tables.clear()
    frequency.table("fa")
    assert len({p.name for p in folder.glob("zipf-*")} - first) == 1


@pytest.mark.parametrize("lang", ["fa", "ar"])
def test_zipf_table_from_wordfreq_leaves_nothing_of_wordfreq_alive(lang):
    """Built from wordfreq's frequency dict, word by word, and wordfreq's memo stays empty: its lists
    would live as long as the process, walked by every full collection of the cycle collector."""
    import math

    import wordfreq

    wordfreq.get_frequency_list.cache_clear()
    table = frequency._build(lang, cache=False)
    assert wordfreq.get_frequency_list.cache_info().currsize == 0
    expected: dict[str, float] = {}
    for word, freq in wordfreq.get_frequency_dict(lang).items():
        if freq >= 10 ** (frequency.MIN_ZIPF - 9):
            key = normalize_text(word).replace(ZWNJ, "")
            expected[key] = expected.get(key, 0.0) + freq
    assert table == {w: float(round(math.log10(f) + 9, 2)) for w, f in expected.items()}
    assert len(table) > 20_000


def test_zipf_tables_by_language_however_it_is_written():
    fa, ar = frequency.table("fa"), frequency.table("ar")
    assert fa and ar and fa is not ar
    assert all(frequency.table(lang) is fa for lang in ("prs", "fa-AF", "FA", "fa-IR", "prs"))
    assert frequency.table("ar-EG") is ar and frequency.table("en") == {} and frequency.table(None) == {}
    with pytest.raises(ValueError, match="not a language code"):
        frequency.table(["fa"])  # type: ignore[arg-type]


@pytest.mark.parametrize("env, expect", [
    ({"HOME": None, "XDG_CACHE_HOME": None}, None),  # no HOME, no passwd entry
    ({"HOME": "", "XDG_CACHE_HOME": None}, None),  # not /.cache
    ({"HOME": "relative/home", "XDG_CACHE_HOME": None}, None),
    ({"HOME": "{tmp}/home", "XDG_CACHE_HOME": "relative/cache"}, "{tmp}/home/.cache/entityres"),  # XDG spec: ignored
    ({"HOME": "{tmp}/home", "XDG_CACHE_HOME": "{tmp}/xdg"}, "{tmp}/xdg/entityres"),
])
def test_cache_folder_from_the_environment(tmp_path, monkeypatch, env, expect):
    import pwd

    monkeypatch.delenv("ENTITYRES_CACHE_DIR", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", lambda uid: (_ for _ in ()).throw(KeyError(uid)))
    for key, value in env.items():
        if value is None:
            monkeypatch.delenv(key, raising=False)
        else:
            monkeypatch.setenv(key, value.format(tmp=tmp_path))
    monkeypatch.chdir(tmp_path)
    found = cache.cache_dir()
    assert (str(found) if found else None) == (expect.format(tmp=tmp_path) if expect else None)
    assert not (tmp_path / "relative").exists()


def test_without_a_cache_folder_everything_still_works(tmp_path, monkeypatch, fresh_tables):
    import pwd

    monkeypatch.delenv("ENTITYRES_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", lambda uid: (_ for _ in ()).throw(KeyError(uid)))
    assert cache.cache_dir() is None
    gz = load_gazetteer([_small_file(tmp_path)], bundled=False)
    mentions = Resolver(gazetteer=gz).resolve(TEXT, "fa").mentions
    assert [m.entity_id for m in mentions][:1] == ["person:rostam-omarov"]


def test_issues_of_a_cached_gazetteer_name_the_current_path(folder, tmp_path):
    first = tmp_path / "a.yaml"
    first.write_text(GAZETTEER + GAZETTEER.split("\n", 1)[1], encoding="utf-8")  # the entry twice
    issues = load_gazetteer([first], bundled=False).errors()
    assert issues and issues[0].file == str(first)
    moved = tmp_path / "b.yaml"
    first.rename(moved)
    again = load_gazetteer([moved], bundled=False)
    assert list(folder.glob("gazetteer-*")) and again.errors()[0].file == str(moved)


def test_issues_of_a_cached_gazetteer_come_back_as_found_and_damaged_columns_are_a_miss(folder, tmp_path):
    source = tmp_path / "a.yaml"  # the entry twice (an error) and an alias two entries share (info)
    source.write_text(GAZETTEER + GAZETTEER.split("\n", 1)[1] + "  - id: person:other\n    type: person\n"
                      "    name: Other\n    names: {fa: [رستم عمروف]}\n", encoding="utf-8")
    built = load_gazetteer([source], bundled=False)
    found = built.issues
    assert {i.severity for i in found} == {"error", "info"} and any(i.line for i in found)
    cached = load_gazetteer([source], bundled=False)
    assert isinstance(cached._issues, loader.IssueColumns)  # read as columns, not yet made
    assert cached.errors() == built.errors() == [i for i in found if i.severity == "error"] and cached.errors()
    assert isinstance(cached._issues, loader.IssueColumns)  # the errors alone were made
    assert cached.issues == found and type(cached.issues) is tuple  # from the cache, made when asked for
    assert pickle.loads(pickle.dumps(load_gazetteer([source], bundled=False))).issues == found
    (path,) = folder.glob("gazetteer-*")
    gz = load_gazetteer([source], bundled=False)
    data = loader._encode(gz, [str(source)], index_module.shared_aliases(list(gz))[1])
    kinds, severities, ids, messages, where, lines = data["issues"]
    for columns in (data["issues"][:5], [kinds[:-1], severities, ids, messages, where, lines],  # a column short
                    [kinds, severities, ids, [1] * len(kinds), where, lines],  # messages not strings
                    [kinds, severities, ids, messages, [1] * len(kinds), lines],  # a file past the files
                    [kinds, severities, ids, messages, where, ["3"] * len(kinds)], "issues"):
        cache.write_cache(path, {**data, "issues": columns})
        assert load_gazetteer([source], bundled=False).issues == found


def _three_file(tmp_path):
    path = tmp_path / "three.yaml"
    path.write_text(GAZETTEER + "  - id: place:herat\n    type: place\n    name: Herat\n    names: {fa: [هرات], ar: [هراة]}\n"
                    "  - id: person:sima-bina\n    type: person\n    name: Sima Bina\n    names: {fa: [سیما بینا]}\n",
                    encoding="utf-8")
    return path


def _first_entry_replaced(data: dict, run: bytes) -> dict:
    """A cached gazetteer's plain data with its first entry's run of msgpack replaced by ``run``."""
    ends = cache.u32_array(data["ends"])
    return {**data, "entries": run + data["entries"][ends[0]:], "ends": cache.pack_u32(e - ends[0] + len(run) for e in ends)}


def test_a_cached_entry_that_does_not_validate_fails_when_used_and_its_file_is_rebuilt(folder, tmp_path):
    source = _three_file(tmp_path)
    gz = load_gazetteer([source], bundled=False)
    expected = [e.model_dump() for e in gz]
    first = expected[0]["id"]
    (path,) = folder.glob("gazetteer-*")
    data = loader._encode(gz, [str(source)], index_module.shared_aliases(list(gz))[1])
    plain = gz[first].model_dump(mode="json", exclude_defaults=True)
    for run in (msgpack.packb({**plain, "name": " "}), msgpack.packb({**plain, "type": "city"}),
                msgpack.packb({**plain, "id": "person:someone-else"}), msgpack.packb("person:a"), b"\xc1"):
        cache.write_cache(path, _first_entry_replaced(data, run))  # a valid file of an invalid entry
        loaded = load_gazetteer([source], bundled=False)
        assert first in loaded and len(loaded) == len(expected)  # opened without validating the entries
        with pytest.raises(cache.CacheFormatError, match=f"{path}: entry '{first}' is damaged"):
            list(loaded)
        assert not path.exists()
        assert [e.model_dump() for e in load_gazetteer([source], bundled=False)] == expected


def test_a_cached_gazetteer_whose_entries_are_not_laid_out_as_written_is_a_miss(folder, tmp_path):
    source = _three_file(tmp_path)
    gz = load_gazetteer([source], bundled=False)
    expected = [e.model_dump() for e in gz]
    (path,) = folder.glob("gazetteer-*")
    data = loader._encode(gz, [str(source)], index_module.shared_aliases(list(gz))[1])
    ends, keys_end = list(cache.u32_array(data["ends"])), list(cache.u32_array(data["keys"][2]))
    for damaged in ({**data, "ends": cache.pack_u32(ends[:-1])}, {**data, "ends": cache.pack_u32([*ends[:-1], ends[-1] + 1])},
                    {**data, "ends": cache.pack_u32([ends[-1], *ends[1:]])},
                    {**data, "ids": data["ids"][:2]},  # no hash table
                    {**data, "ids": [*data["ids"][:2], data["ids"][2][:-4]]},  # a table of another size
                    {**data, "ids": data["ids"][:1]}, {**data, "entries": [data["entries"]]},
                    # each entry's exact keys: a key past the text, an entry short, not the three columns
                    {**data, "keys": [*data["keys"][:2], cache.pack_u32([*keys_end[:-1], keys_end[-1] + 1])]},
                    {**data, "keys": [*data["keys"][:2], cache.pack_u32(keys_end[:-1])]},
                    {**data, "keys": data["keys"][:2]}, {**data, "keys": [["x"]] * len(ends)}):
        cache.write_cache(path, damaged)
        assert [e.model_dump() for e in load_gazetteer([source], bundled=False)] == expected
    # One ID for every entry, with a hash table of the right shape (only a file written by hand:
    # the table is read, not made, so the IDs are not hashed again): caught when an entry is used.
    same = index_module.texts_data(index_module.Texts.of([expected[0]["id"]] * len(ends)))
    table = cache.u32_bytes(index_module.Keys.of([f"x{n}" for n in range(len(ends))]).table)
    cache.write_cache(path, {**data, "ids": [*same, table]})
    with pytest.raises(cache.CacheFormatError, match=f"{path}: entry .* is damaged"):
        list(load_gazetteer([source], bundled=False))
    assert not path.exists()
    assert [e.model_dump() for e in load_gazetteer([source], bundled=False)] == expected


def test_cached_entries_are_validated_once_and_pickle_still_packed(folder, tmp_path):
    source = _three_file(tmp_path)
    built = load_gazetteer([source], bundled=False)
    loaded = load_gazetteer([source], bundled=False)
    first = next(iter(built)).id
    assert loaded._entries._made.count(None) == len(built)  # none validated on opening
    assert loaded[first] is loaded[first] and loaded[first] == built[first]
    again = pickle.loads(pickle.dumps(loaded))
    assert again._entries._made.count(None) == len(built) - 1 and list(again) == list(built)


def test_a_gazetteer_file_is_read_once(folder, tmp_path, monkeypatch):
    source = _three_file(tmp_path)
    reads = []
    real = loader.read_source
    monkeypatch.setattr(loader, "read_source", lambda path: reads.append(path) or real(path))
    load_gazetteer([source], bundled=False)
    assert reads == [source]


def test_files_unchanged_since_they_were_loaded_are_not_read_again(folder, tmp_path, monkeypatch):
    source = _three_file(tmp_path)
    reads = []
    real = loader.read_source
    monkeypatch.setattr(loader, "read_source", lambda path: reads.append(path) or real(path))
    first = [e.model_dump() for e in load_gazetteer([source], bundled=False)]
    load_gazetteer([source], bundled=False)
    assert reads == [source, source]  # just written: its times may not show the next change yet
    monkeypatch.setattr(loader, "RACY_NS", 0)
    load_gazetteer([source], bundled=False)  # read once more, and remembered by its stat
    gz = load_gazetteer([source], bundled=False)
    assert reads == [source] * 3 and [e.model_dump() for e in gz] == first and gz.index.by_id
    time.sleep(0.05)  # past the clock's tick: a write now changes the file's changed time
    info = source.stat()
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Sima Bina", "Sima Binu"), encoding="utf-8")  # the same size
    os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns))  # and its modified time set back
    assert source.stat().st_size == info.st_size and source.stat().st_mtime_ns == info.st_mtime_ns
    assert "Sima Binu" in [e.name for e in load_gazetteer([source], bundled=False)] and len(reads) == 4
    other = tmp_path / "other.yaml"  # another file at the same path after a rename: another inode
    other.write_text(text, encoding="utf-8")
    os.replace(other, source)
    assert [e.model_dump() for e in load_gazetteer([source], bundled=False)] == first and len(reads) == 5


def test_index_round_trips_through_the_cache(folder):
    entries = list(Gazetteer.from_entries(PEOPLE, cache=False))
    built = Index.build(entries)
    loaded = Index.build(entries)
    assert loaded is not built
    for name in Index.__annotations__:
        assert getattr(loaded, name) == getattr(built, name), name


def _as_bytes(value: object) -> object:
    """Encoded data with its views of columns (written as they are) as bytes, to be cut and joined."""
    if isinstance(value, dict):
        return {k: _as_bytes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_bytes(v) for v in value]
    return value.tobytes() if isinstance(value, memoryview) else value


def test_an_index_file_of_another_layout_or_out_of_range_is_a_miss(folder):
    entries = list(Gazetteer.from_entries(PEOPLE, cache=False))
    data = _as_bytes(Index._compile(entries)._encode())
    text, key_ends, table, run_ends, numbers = data["postings"]
    past_the_end = len(data["aliases"]["type"]).to_bytes(4, "little")  # a type code per alias
    for damaged in ({**data, "layout": 1}, {**data, "postings": [text, key_ends, table, run_ends, numbers[:-4] + past_the_end]},
                    {**data, "postings": [text, key_ends, table, run_ends, numbers[:-1]]},
                    {**data, "postings": [text, key_ends, table, run_ends, numbers[:-4]]},  # the runs past the numbers
                    {**data, "postings": [text + b"X", key_ends, table, run_ends, numbers]},
                    {**data, "postings": [text, key_ends, table[:-4], run_ends, numbers]},  # a hash table of another size
                    {**data, "exact": [text, key_ends, table, run_ends]},
                    {**data, "prefixes": [data["prefixes"][0], data["prefixes"][1][:-4], data["prefixes"][2]]},  # a key short
                    {**data, "prefixes": [*data["prefixes"][:2], bytes(len(data["prefixes"][2]))]},  # a table of no keys
                    {**data, "ambiguous": data["prefixes"][:1]},
                    {**data, "prefixes": [b"ab" * 2, cache.pack_u32([2, 4])]},  # no hash table
                    {**data, "prefixes": [b"ab" * 2, cache.pack_u32([2, 4]), cache.pack_u32([1, 1, 0, 0])]},  # a key twice
                    {**data, "vocab_postings": [*data["vocab_postings"][:4],  # a word past the vocabulary
                                                cache.pack_u32([len(data["vocab"][3]) // 4]) + data["vocab_postings"][4][4:]]},
                    {**data, "words": {**data["words"], "slots": data["words"]["slots"][:-4]}},
                    *({**data, "words": {**data["words"], column: value}} for column, value in (
                        ("keys", [data["words"]["keys"][0] + b"X", data["words"]["keys"][1][:-4] + (
                            len(data["words"]["keys"][0]) + 1).to_bytes(4, "little")]),  # a key a letter longer than its slots
                        ("arabic", b"\x02" + data["words"]["arabic"][1:]),  # a script flag of neither script
                        ("code_counts", cache.pack_u32([9] * len(data["words"]["arabic"]))),  # more codes than written
                        ("text", data["words"]["text"][:1]))),
                    {**data, "vocab": [*data["vocab"][:3], data["vocab"][3][:-4]]},  # a word without its number
                    {**data, "vocab": [*data["vocab"][:3], cache.pack_u32([len(data["words"]["arabic"])]) + data["vocab"][3][4:]]},
                    *({**data, "aliases": {**data["aliases"], column: value}} for column, value in (
                        ("type", b"\x07" + data["aliases"]["type"][1:]),  # no such type
                        ("length", data["aliases"]["length"][:-1]),  # a column of another length
                        ("length", b"\x00" + data["aliases"]["length"][1:]),  # an alias of no words
                        ("entry", data["aliases"]["entry"][:-4] + (len(entries)).to_bytes(4, "little")),
                        ("heard_counts", b"\x09" + data["aliases"]["heard_counts"][1:]),
                        ("name", [data["aliases"]["name"][0], data["aliases"]["name"][1][:-4]]),  # a name short
                        ("name", [data["aliases"]["name"][0] + b"\xff", data["aliases"]["name"][1]]),
                        ("key", data["aliases"]["name"][:1]), ("heard", "codes"),
                        ("lang", (99).to_bytes(4, "little") + data["aliases"]["lang"][4:]),  # no such language
                        ("langs", [1] + data["aliases"]["langs"][1:]),  # a language that is not a string
                        ("trust", data["aliases"]["trust"][:-8]), ("trust", [1.0])))):
        with pytest.raises(cache.CacheFormatError):
            Index._decode(damaged, entries)


def test_a_planted_last_version_of_a_file_is_a_miss_never_code(folder, tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "LAYER_BYTES", 1)  # the small file counts as large: its last version is kept
    source = _small_file(tmp_path)
    load_gazetteer([source], bundled=False).index
    (version,) = folder.glob("version-*")
    marker = tmp_path / "pwned"
    for n, (what, blob) in enumerate(_plants(version, marker).items()):
        version.write_bytes(blob)
        source.write_text(GAZETTEER + f"  - {{id: place:p{n}, type: place, name: Place {n}}}\n", encoding="utf-8")
        gz = load_gazetteer([source], bundled=False)
        fresh = load_gazetteer([source], bundled=False, cache=False)
        assert [e.model_dump() for e in gz] == [e.model_dump() for e in fresh], what
        assert gz.index.by_id == fresh.index.by_id and len(gz.index.aliases) == len(fresh.index.aliases), what
        assert not marker.exists(), what
    # and a sound one names a cached version: its index is extended
    last = version.read_bytes()[-64:].decode()
    source.write_text(GAZETTEER + "  - {id: place:last, type: place, name: Last Place}\n", encoding="utf-8")
    assert load_gazetteer([source], bundled=False)._bases[0]._content_key == last


def test_cli_cache_info_and_clear(folder, tmp_path, capsys, fresh_tables):
    _outputs(_small_file(tmp_path))
    assert cli.main(["cache", "info"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["folder"] == str(folder) and info["files"] == 3 and info["bytes"] > 0
    assert set(info["bytes_by_kind"]) == {"gazetteer", "index", "zipf"} and info["max_bytes"] > 0
    assert cli.main(["cache", "clear"]) == 0
    cleared = json.loads(capsys.readouterr().out)
    assert cleared["removed"] == 3 and cleared["bytes"] == info["bytes"]
    assert list(folder.iterdir()) == []


def test_the_suite_does_not_use_the_users_cache():
    folder = cache.cache_dir()
    home = cache._home()
    assert folder is not None and not (home and str(folder).startswith(os.path.join(home, ".cache")))


def test_a_miss_reads_the_file_the_package_was_built_with(folder, tmp_path, monkeypatch, fresh_tables):
    """A fresh install's first start: the cache folder is empty, the package's shipped file of the same
    name is read (nothing is compiled) and copied into the folder; a shipped file that is planted,
    damaged or another user's is a miss, never code and never another output."""
    source = _small_file(tmp_path)
    expected = _outputs(source)
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for path in folder.iterdir():
        path.rename(shipped / path.name)
    monkeypatch.setattr(cache, "prebuilt_dir", lambda: shipped)
    compiled = []
    real_compile = Index._compile.__func__
    monkeypatch.setattr(Index, "_compile", classmethod(lambda cls, entries: compiled.append(1) or real_compile(cls, entries)))
    frequency._tables.clear()
    assert _outputs(source) == expected and compiled == []
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in shipped.iterdir())
    marker = tmp_path / "pwned"
    for victim in sorted(shipped.iterdir()):
        saved = victim.read_bytes()
        for what, blob in _plants(victim, marker).items():
            victim.write_bytes(blob)
            for path in folder.iterdir():
                path.unlink()
            frequency._tables.clear()
            assert _outputs(source) == expected, (victim.name, what)
            assert not marker.exists(), (victim.name, what)
        victim.write_bytes(saved)
    assert compiled  # the planted index was not used: compiled again
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        victim = next(shipped.glob("gazetteer-*"))
        os.chown(victim, 4242, 4242)
        assert cache._read(victim, lambda d: d, shipped=True) is None
        os.chown(victim, 0, 0)
        assert cache._read(victim, lambda d: d, shipped=True) is not None


def test_prebuild_makes_what_a_first_start_reads(folder, monkeypatch, fresh_tables):
    """The build runs cache.prebuild() (hatch_build.py): it leaves the bundled gazetteer, its index and
    the word-frequency tables in the folder, which a start with an empty folder then reads."""
    cache.prebuild()
    made = sorted(p.name.split("-")[0] for p in folder.iterdir())
    assert made == ["gazetteer", "index", "zipf", "zipf"]
    monkeypatch.setattr(Index, "_compile", None)  # anything not read from the files would fail
    frequency._tables.clear()
    assert len(load_gazetteer().index.aliases) > 1000 and frequency.table("ar") and frequency.table("prs")


def test_cached_entries_are_a_sequence_by_position_and_by_id(folder, tmp_path):
    source = _small_file(tmp_path)
    built = list(load_gazetteer([source], bundled=False))
    entries = load_gazetteer([source], bundled=False)._entries
    assert entries[-1] == built[-1] and entries[:] == built and entries[::-1] == built[::-1]
    assert entries.get(built[0].id) == built[0] and entries.get("person:nobody") is None
    assert entries.index(built[-1]) == len(built) - 1 and built[0] in entries
