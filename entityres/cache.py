"""The on-disk cache: loaded gazetteers, compiled indexes and word-frequency tables.

The cache is data, never code (docs/reliability.md):

* A file is a header (magic, build, kind, key, checksum of the body) and a body of plain lists,
  maps, strings, numbers and bytes: msgpack, its large bytes values laid after it. A file is
  memory-mapped, not read: those values are read in place (a memoryview of the file), and its
  pages are shared by every process that opens it. Each reader checks the shape and types of what
  it gets back (:class:`CacheFormatError` otherwise); anything unexpected is a miss, and the value
  is rebuilt.
  (A cached gazetteer's entries are validated when first used: :mod:`entityres.gazetteer.entries`.)
* Everything cached is keyed by what shapes it (:func:`rules_digest`: the package version, a digest
  of the package's code (:func:`build_id`: every module, the kernels and every rule table), the
  versions of the libraries whose output is cached, and the content), so a stale file is never
  used, and a change of code needs no hand-bumped layout number.
* The folder is read only when it belongs to the current user and nobody else may write to it; a
  file only when it is a regular file of the same owner that nobody else may write to.
* Writes are atomic (a temporary file renamed into place, removed on any failure); files of other
  versions or builds are evicted, and the folder is kept under a size cap (least recently used
  first). The cache is optional: a folder that cannot be found or used only costs the speed.
* The package ships the cache files of its bundled data, made when it was built
  (:func:`prebuilt_dir`): on a miss, the file of the same name there is read (and copied into the
  folder), so a fresh install does not compile the bundled gazetteer's index.

The folder is ``$ENTITYRES_CACHE_DIR`` if set, else the platform's user cache folder
(``platformdirs``; ``$XDG_CACHE_HOME/entityres`` or ``~/.cache/entityres`` on Linux).
"""
from __future__ import annotations

import gc
import hashlib
import logging
import mmap
import os
import stat
import struct
import sys
import tempfile
import threading
from array import array
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, TypeVar

import msgpack
import xxhash

from . import __version__

log = logging.getLogger(__name__)

MAGIC = b"entityres-cache\n"
SUFFIX = ".msgpack"
DEFAULT_MAX_MB = 1024  # size cap of the folder (two layers of a 258,000-entry import: 550 MB); $ENTITYRES_CACHE_MAX_MB overrides it
KINDS = ("gazetteer", "index", "stat", "version", "zipf")

T = TypeVar("T")


class CacheFormatError(ValueError):
    """A cache file whose content is not what its reader expects: treated as a miss."""


def _home() -> str | None:
    """The user's home folder: ``$HOME`` when absolute, else the password database's; None when neither."""
    home = os.environ.get("HOME")
    if home is not None:  # set but empty or relative (HOME='' or HOME=.): no usable home
        return home if os.path.isabs(home) else None
    try:
        import pwd

        home = pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError, OSError):
        return None
    return home if home and os.path.isabs(home) else None


def _platform_dir() -> Path | None:
    if sys.platform.startswith(("win", "darwin")):
        import platformdirs

        try:
            path = platformdirs.user_cache_path("entityres", appauthor=False)
        except Exception:  # noqa: BLE001 - no profile folder: run without a cache
            return None
        return path if path.is_absolute() else None
    # XDG base directories: a relative XDG_CACHE_HOME is invalid and ignored (as the spec says).
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "entityres"
    home = _home()
    return Path(home) / ".cache" / "entityres" if home else None


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _warned:
        _warned.add(message)
        log.warning("%s", message)


def cache_dir() -> Path | None:
    """The cache folder (created, owner-only, when missing), or None when there is no usable one.

    ``$ENTITYRES_CACHE_DIR`` wins; else the platform's user cache folder. None (logged once) when
    no folder can be found or created, or when it is not the current user's own or others may
    write to it: the cache is then not used at all.
    """
    override = os.environ.get("ENTITYRES_CACHE_DIR")
    path = Path(override).absolute() if override else _platform_dir()
    if path is None:
        _warn_once("entityres: no cache folder (no home folder and no ENTITYRES_CACHE_DIR): running without a cache")
        return None
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = os.stat(path)
    except OSError as err:
        _warn_once(f"entityres: cache folder {path} is not usable ({err.strerror}): running without a cache")
        return None
    problem = _unsafe(info, directory=True)
    if problem:
        _warn_once(f"entityres: cache folder {path} {problem}: running without a cache")
        return None
    return path


def _unsafe(info: os.stat_result, directory: bool, installed: bool = False) -> str | None:
    """Why a folder or file of the cache must not be trusted, or None. A file ``installed`` with
    the package (:func:`prebuilt_dir`) may belong to root, as the package's code does."""
    if directory and not stat.S_ISDIR(info.st_mode):
        return "is not a folder"
    if not directory and not stat.S_ISREG(info.st_mode):
        return "is not a regular file"
    if hasattr(os, "getuid") and info.st_uid != os.getuid() and not (installed and info.st_uid == 0):
        return "belongs to another user"
    if os.name == "posix" and info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return "is writable by other users"
    return None


def max_bytes() -> int:
    """The size cap of the cache folder in bytes (``$ENTITYRES_CACHE_MAX_MB``, default 1 GB)."""
    value = os.environ.get("ENTITYRES_CACHE_MAX_MB", "")
    try:
        mb = float(value) if value else DEFAULT_MAX_MB
    except ValueError:
        mb = DEFAULT_MAX_MB
    return int(max(mb, 0) * 1024 * 1024)


CODE_SUFFIXES = (".py", ".pyx", ".so", ".pyd", ".yaml")  # modules, kernels (source and built), rule tables


def _code_files(folder, prefix: str = "") -> list[tuple[str, object]]:
    """(path inside the package, file) of everything that runs or is read as rules, sorted by path."""
    out = []
    for item in folder.iterdir():
        name = prefix + item.name
        if item.is_dir():
            if item.name != "__pycache__":
                out.extend(_code_files(item, name + "/"))
        elif item.name.endswith(CODE_SUFFIXES):
            out.append((name, item))
    return sorted(out, key=lambda f: f[0])


@lru_cache(maxsize=1)
def _rules() -> bytes:
    """The checksum (:func:`_checksum`) of the package's code and rule tables, and of the versions
    of the libraries whose output is cached: every process hashes these 9 MB once (0.008 s of
    SHA-256, a tenth of that by XXH3)."""
    return _checksum(_rule_parts())


def _rule_parts() -> Iterator[bytes]:
    for name, item in _code_files(resources.files("entityres")):
        yield name.encode() + b"\0" + item.read_bytes() + b"\0"
    for dist in ("pyicu-wheels", "unidecode", "wordfreq"):
        try:
            version = metadata.version(dist)
        except metadata.PackageNotFoundError:
            version = "?"
        yield f"{dist}={version}\0".encode()


def build_id() -> str:
    """A short digest of this build (:func:`_rules`): part of every cache file's name, so files
    that another build wrote are evicted."""
    return hashlib.sha256(_rules()).hexdigest()[:12]


def rules_digest(content: str) -> str:
    """A cache key for ``content`` under this package version, code, rule tables and libraries."""
    digest = hashlib.sha256(f"{__version__}\0".encode() + _rules() + content.encode())
    return digest.hexdigest()[:32]


def cache_path(kind: str, content: str) -> Path | None:
    """Where the ``kind`` cache of ``content`` lives; None when there is no usable cache folder."""
    folder = cache_dir()
    if folder is None:
        return None
    return folder / f"{kind}-{__version__}-{build_id()}-{rules_digest(content)}{SUFFIX}"


def _header(kind: str, key: str) -> bytes:
    """A file's header, but the checksum of its body that follows it (:func:`_checksum`)."""
    return MAGIC + f"{build_id()}\0{kind}\0{key}\0".encode()


def read_cache(path: Path | None, decode: Callable[[object], T]) -> T | None:
    """The value cached at ``path`` as ``decode`` rebuilds it from plain data; None on a miss.

    A miss is: no file, a file that is not safe to read (see the module docstring), a damaged
    file, a file written for another key, or content that ``decode`` rejects. On a miss the file
    of the same name that the package was built with (:func:`prebuilt_dir`) is read the same way,
    and copied into the cache folder when it is used.
    """
    if path is None:
        return None
    found = _read(path, decode, shipped=False)
    if found is not None:
        try:
            os.utime(path)  # recently used: evicted last
        except OSError:
            pass
        return found[0]
    shipped = prebuilt_dir()
    found = _read(shipped / path.name, decode, shipped=True) if shipped is not None else None
    if found is None:
        return None
    _write_blob(path, [found[1]])
    return found[0]


def _read(path: Path, decode: Callable[[object], T], shipped: bool) -> tuple[T, mmap.mmap | bytes] | None:
    """(value, the file mapped) of the cache file ``path``, None on a miss (:func:`read_cache`)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            problem = _unsafe(info, directory=False, installed=shipped)
            if problem:
                _warn_once(f"entityres: cache file {path} {problem}: not read")
                return None
            if info.st_size > (PREBUILT_MAX_BYTES if shipped else max_bytes()):
                return None
            # Mapped, not read: its pages are the page cache's, shared by every process that opens
            # it, and the large columns are read in place (no copy of an index's 150 MB).
            mapped = _mapped(f)
        kind, key = path.name.removesuffix(SUFFIX).split("-")[0], path.name.removesuffix(SUFFIX)
        header = _header(kind, key)
        view = memoryview(mapped)
        at = len(header) + CHECKSUM
        if len(view) < at or view[:len(header)] != header or _checksum([view[at:]]) != view[len(header):at]:
            return None  # another file's, or damaged
        collecting = gc.isenabled()
        gc.disable()  # many small containers: the collector would run over them again and again
        try:
            value = decode(_unpacked(view[at:], at))
        finally:
            if collecting:
                gc.enable()
    except (OSError, ValueError, TypeError, KeyError, IndexError, msgpack.UnpackException) as err:
        log.info("entityres: cache file %s not used (%s): rebuilding", path, err)
        return None
    return value, mapped


def _mapped(f: BinaryIO) -> mmap.mmap | bytes:
    """The open file ``f`` mapped read-only; on Linux with its pages mapped at once (MAP_POPULATE:
    one call, not a page fault every 4 KB as it is read, 2 ms for 150 MB). Where the file system
    cannot map it, its bytes, read: the same to every reader, only not shared."""
    populate = getattr(mmap, "MAP_POPULATE", 0)
    try:
        if populate:
            return mmap.mmap(f.fileno(), 0, flags=mmap.MAP_SHARED | populate, prot=mmap.PROT_READ)
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as err:
        log.info("entityres: cache file %s read, not mapped (%s)", f.name, err)
        return f.read()


CHECKSUM = 16  # bytes of a body's checksum, after the header


def _checksum(parts: Iterable) -> bytes:
    """The checksum of a body given in ``parts`` (buffers): XXH3's 128 bits, which find a damaged
    or cut file as a cryptographic digest would, ten times faster (0.02 s, not 0.2, for a 258,000-entry
    import's 240 MB; SHA-256 was a third of its cached open). Not a seal against a forger: the
    folder and its files are the user's own (:func:`_unsafe`), and nothing in them can run code."""
    digest = xxhash.xxh3_128()
    for part in parts:
        digest.update(part)
    return digest.digest()


# A body is the length of its head (8 bytes), the head (msgpack), then each large bytes value of the
# head, 8-byte aligned in the file, which the head holds as an extension (its offset and length):
# read back as a read-only memoryview of the mapped file, not a copy.
BLOB = 1  # the msgpack extension code of a large bytes value kept after the head
BLOB_MIN = 4096  # a bytes value this large is kept after the head; a smaller one stays in it
_SPAN = struct.Struct("<QQ")


def _aligned(n: int) -> int:
    return -n % 8


def _unpacked(body: memoryview, at: int) -> object:
    """The plain data of a body that starts at byte ``at`` of its file (:func:`_packed`)."""
    if len(body) < 8:
        raise ValueError("a body without its head's length")
    head_end = 8 + int.from_bytes(body[:8], "little")
    if head_end > len(body):
        raise ValueError("a head longer than the body")
    blobs = body[head_end + _aligned(at + head_end):]

    def blob(code: int, data: bytes) -> memoryview:
        if code != BLOB or len(data) != _SPAN.size:
            raise ValueError(f"an unknown msgpack extension ({code})")
        start, size = _SPAN.unpack(data)
        if start + size > len(blobs):
            raise ValueError("a bytes value past the end of the file")
        return blobs[start:start + size]

    return msgpack.unpackb(body[8:head_end], raw=False, strict_map_key=True, ext_hook=blob)


def _packed(data: object, at: int) -> list:
    """The body of plain ``data`` that starts at byte ``at`` of its file (:func:`_unpacked`), as
    parts to be written one after another (never joined: an index's columns are 150 MB). Bytes
    values are bytes, or any buffer of bytes (a memoryview, an array of 8-bit items)."""
    blobs: list[tuple[int, memoryview]] = []  # each large value with where it starts after the head
    end = 0

    def out(value: object) -> object:
        nonlocal end
        kind = type(value)
        if kind is dict:
            return {k: out(v) for k, v in value.items()}  # type: ignore[attr-defined]
        if kind is list:
            return [out(v) for v in value]  # type: ignore[attr-defined]
        if kind in (str, int, float, bool) or value is None:
            return value
        view = memoryview(value)  # type: ignore[arg-type]
        if view.itemsize != 1:
            raise TypeError(f"a buffer of {view.itemsize}-byte items, not bytes")
        if view.nbytes < BLOB_MIN:
            return value if kind is bytes else view.tobytes()
        start = end + _aligned(end)
        blobs.append((start, view.cast("B") if view.format != "B" else view))
        end = start + view.nbytes
        return msgpack.ExtType(BLOB, _SPAN.pack(start, view.nbytes))

    head = msgpack.packb(out(data), use_bin_type=True)
    parts: list = [len(head).to_bytes(8, "little"), head]
    if blobs:
        parts.append(bytes(_aligned(at + 8 + len(head))))
    written = 0
    for start, view in blobs:
        parts += [bytes(start - written), view]
        written = start + view.nbytes
    return parts


PREBUILT = "_prebuilt"  # folder of the package: cache files of the bundled data, made by the build
PREBUILT_MAX_BYTES = 64 * 1024 * 1024


def prebuilt_dir() -> Path | None:
    """The package's folder of cache files made when it was built (hatch_build.py runs
    :func:`prebuild`), so that a first start on a fresh install reads the bundled gazetteer's index
    instead of compiling it; None when the build made none. Its files are named and checked as the
    cache folder's are, so one of another build or content is never read; only the owner (the
    current user, or root for a system-wide install) may write to them."""
    folder = Path(__file__).resolve().parent / PREBUILT
    return folder if folder.is_dir() else None


def prebuild() -> None:
    """Fill the cache folder with everything a first ``resolve()`` on the bundled data reads: the
    loaded gazetteer, its index and the word-frequency tables (run by hatch_build.py)."""
    from .gazetteer.loader import load_gazetteer
    from .text import frequency

    load_gazetteer().index
    for lang in sorted(set(frequency._WORDFREQ_LANG.values())):
        frequency.table(lang)
    folder = cache_dir()
    for memo in folder.glob(f"stat-*{SUFFIX}") if folder is not None else ():
        memo.unlink()  # what this machine's files were (their inodes and times): of no use on another


_write_lock = threading.Lock()


def write_cache(path: Path | None, data: object) -> None:
    """Write plain ``data`` (lists, maps, strings, numbers, bytes) to ``path`` atomically.

    A read-only or full disk only costs the next start its speed; the temporary file never stays.
    """
    if path is None:
        return
    name = path.name.removesuffix(SUFFIX)
    kind = name.split("-")[0]
    header = _header(kind, name)
    try:
        body = _packed(data, len(header) + CHECKSUM)
    except (ValueError, TypeError, OverflowError) as err:
        log.info("entityres: cache file %s not written (%s)", path, err)
        return
    _write_blob(path, [header, _checksum(body), *body])


def _write_blob(path: Path, parts: list) -> None:
    """Write a whole cache file (its ``parts``: header, body) to ``path`` atomically, then evict."""
    if sum(memoryview(p).nbytes for p in parts) > max_bytes():
        log.info("entityres: %s is larger than the cache cap: not cached", path.name)
        return
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".write-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            for part in parts:
                f.write(part)
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        log.info("entityres: cache file %s not written (%s)", path, err)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    with _write_lock:
        evict(path.parent, keep=path)


def _ours(name: str) -> bool:
    """A file this package wrote into the cache folder (of any version or build)."""
    return name.split("-")[0] in KINDS and (name.endswith(SUFFIX) or name.endswith(".pickle"))


def _current(name: str) -> bool:
    return name.endswith(SUFFIX) and name.split("-")[1:3] == [__version__, build_id()]


def entries(folder: Path | None = None) -> list[tuple[Path, int, float]]:
    """The cache files of ``folder`` (default: the cache folder) as (path, bytes, last used), oldest first."""
    folder = folder or cache_dir()
    if folder is None:
        return []
    out = []
    try:
        with os.scandir(folder) as it:
            for item in it:
                if _ours(item.name) or item.name.startswith(".write-"):
                    try:
                        info = item.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    out.append((Path(item.path), info.st_size, info.st_mtime))
    except OSError:
        return []
    return sorted(out, key=lambda e: (e[2], e[0].name))


def evict(folder: Path, keep: Path | None = None) -> list[Path]:
    """Remove files of other versions or builds, abandoned temporary files, then the least
    recently used files until the folder is under :func:`max_bytes`. Returns what was removed."""
    import time

    removed = []
    files = entries(folder)
    now = time.time()
    live = []
    for path, size, used in files:
        stale_tmp = path.name.startswith(".write-") and now - used > 3600
        if stale_tmp or (_ours(path.name) and not _current(path.name)):
            removed.append(path)
        elif not path.name.startswith(".write-"):
            live.append((path, size, used))
    total = sum(size for _, size, _ in live)
    cap = max_bytes()
    for path, size, _ in live:  # oldest first
        if total <= cap:
            break
        if path != keep:
            removed.append(path)
            total -= size
    for path in removed:
        try:
            path.unlink()
        except OSError:
            pass
    return removed


def clear(folder: Path | None = None) -> tuple[int, int]:
    """Remove every cache file: (files removed, bytes freed)."""
    count = size = 0
    for path, nbytes, _ in entries(folder):
        try:
            path.unlink()
        except OSError:
            continue
        count, size = count + 1, size + nbytes
    return count, size


# --- checks for decoders: plain data of the expected shape, else CacheFormatError

def expect(ok: bool, what: str) -> None:
    if not ok:
        raise CacheFormatError(f"expected {what}")


def str_list(value: object) -> list[str]:
    try:  # join checks every item in C
        expect(type(value) is list and type("".join(value)) is str, "a list of strings")  # type: ignore[arg-type]
    except TypeError:
        expect(False, "a list of strings")
    return value  # type: ignore[return-value]


def int_list(value: object, below: int) -> list[int]:
    try:  # array checks every item in C
        numbers = array("q", value)  # type: ignore[arg-type]
    except (TypeError, OverflowError):
        numbers = None
    expect(type(value) is list and numbers is not None and (not numbers or (min(numbers) >= 0 and max(numbers) < below)),
           f"a list of whole numbers under {below}")
    return value  # type: ignore[return-value]


def str_map(value: object) -> dict:
    expect(type(value) is dict, "a map")
    str_list(list(value))  # type: ignore[arg-type]
    return value  # type: ignore[return-value]


# --- whole numbers stored as packed 32-bit words: one bytes object, not a list item per number

U32 = next(code for code in "ILH" if array(code).itemsize == 4)  # the array type of 32-bit words


def is_bytes(value: object) -> bool:
    """Whether ``value`` is bytes as a cache file gives them back: bytes, or a memoryview of the
    mapped file (a large value: :data:`BLOB_MIN`)."""
    return type(value) is bytes or (type(value) is memoryview and value.format == "B" and value.ndim == 1)  # type: ignore[union-attr]


def owned(column: object) -> object:
    """``column`` as an object of its own when it is a memoryview (of a mapped file): bytes, or an
    array of its items; else itself. What is pickled (to Spark's workers, batch processes)."""
    if type(column) is not memoryview:
        return column
    if column.itemsize == 1:  # type: ignore[attr-defined]
        return column.tobytes()  # type: ignore[attr-defined]
    out = array(column.format)  # type: ignore[attr-defined]
    out.frombytes(column.cast("B"))  # type: ignore[attr-defined]
    return out


def _little_endian(packed: object) -> bytes:
    """The items of an array (or a memoryview of one) as little-endian bytes (the caller's left as they are)."""
    view = memoryview(packed)  # type: ignore[arg-type]
    if sys.byteorder == "big":
        copy = owned(view)  # an array of its own
        copy.byteswap()  # type: ignore[attr-defined]
        return copy.tobytes()  # type: ignore[attr-defined]
    return view.tobytes()


def _read_little_endian(value: object, typecode: str, what: str) -> array | memoryview:
    """The numbers of ``typecode`` whose little-endian bytes are ``value``, read in place (a
    memoryview of them) on a little-endian machine; a miss naming ``what``."""
    expect(is_bytes(value) and len(value) % array(typecode).itemsize == 0, what)  # type: ignore[arg-type]
    if sys.byteorder == "little":
        return memoryview(value).cast(typecode)  # type: ignore[arg-type]
    numbers = array(typecode)
    numbers.frombytes(value)  # type: ignore[arg-type]
    numbers.byteswap()
    return numbers


def pack_u32(numbers: Iterable[int]) -> bytes:
    """Whole numbers as little-endian 32-bit words."""
    return _little_endian(array(U32, numbers))


def u32_bytes(packed: array | memoryview) -> bytes | memoryview:
    """An array of 32-bit words (or a memoryview of one) as little-endian bytes: on a
    little-endian machine a view of its own bytes, not a copy (an index's columns are written
    from it as they are, :func:`write_cache`), else a swapped copy."""
    if sys.byteorder == "little":
        return memoryview(packed).cast("B")  # type: ignore[arg-type]
    return _little_endian(packed)


def pack_f64(numbers: Iterable[float]) -> bytes:
    """Numbers as little-endian 64-bit floats."""
    return _little_endian(array("d", numbers))


def f64_array(value: object) -> array | memoryview:
    """Numbers packed by :func:`pack_f64`."""
    return _read_little_endian(value, "d", "packed floats")


def u32_array(value: object) -> array | memoryview:
    """Whole numbers packed by :func:`pack_u32`."""
    return _read_little_endian(value, U32, "packed numbers")
