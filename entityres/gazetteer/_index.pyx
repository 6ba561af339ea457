# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The index's inner loops in C (entityres.gazetteer.index): the postings collected as a build
goes (:class:`Collector`), its words and aliases packed as they come (:class:`WordColumns`,
:class:`AliasColumns`), and lists packed into one array. Each computes exactly what the Python it
replaced did, in the same order, so the index and its cache file do not change
(tests/test_index.py). And the index's structures read in place: :class:`Texts` (strings as
UTF-8), :class:`Keys` (a set of strings), :class:`Runs` (strings to runs of numbers: the postings,
the exact keys), :class:`Vocab` (the vocabulary), and :class:`Aliases` and :class:`Words` (the
aliases and word profiles as columns, each made when asked)."""
from cpython.array cimport array, clone, resize_smart
from cpython.dict cimport PyDict_SetItem
from cpython.list cimport PyList_GET_ITEM, PyList_GET_SIZE, PyList_Sort
from cpython.mem cimport PyMem_Free
from cpython.ref cimport Py_INCREF
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from libc.stdint cimport uint32_t, uint64_t
from libc.string cimport memcmp, memcpy

from entityres._hints cimport entityres_read_ahead, scratch, settle, ucs4_str

cdef extern from "Python.h":
    bint PyUnicode_IS_COMPACT_ASCII(object text)
    int PyUnicode_KIND(object text)
    Py_UCS4 PyUnicode_READ(int kind, void *data, Py_ssize_t index)
    void *PyUnicode_DATA(object text)
    Py_ssize_t PyUnicode_GET_LENGTH(object text)
    object PyBytes_FromStringAndSize(const char *data, Py_ssize_t size)
    str PyUnicode_DecodeUTF8(const char *data, Py_ssize_t size, const char *errors)
    char *PyBytes_AS_STRING(object data)


def pack_runs(lists, array numbers):
    """Append each list of ``lists`` (keys → lists of whole numbers below 2 ** 32) to ``numbers``
    (an array of 32-bit items), in the dict's order, and replace the list by its run's span,
    ``start << 32 | length``, as it goes: each list is freed as the array grows by it, so the two
    are never held whole at once (:meth:`Runs.collect`)."""
    if not isinstance(lists, dict):
        raise TypeError(f"lists must be a dict, not {type(lists).__name__}")
    if numbers.ob_descr.itemsize != 4:
        raise TypeError("numbers must be an array of 32-bit items")
    cdef Py_ssize_t start = len(numbers), i, n
    cdef list run
    cdef uint32_t *out
    for key, value in (<dict> lists).items():
        run = value
        n = PyList_GET_SIZE(run)
        resize_smart(numbers, start + n)
        out = <uint32_t *> numbers.data.as_voidptr
        for i in range(n):
            out[start + i] = <object> PyList_GET_ITEM(run, i)
        PyDict_SetItem(lists, key, start << 32 | n)
        start += n
    return numbers


from entityres.cache import U32 as _U32, owned as _owned  # the array type of 32-bit items


cdef inline uint64_t _fnv(const unsigned char *s, Py_ssize_t n) noexcept:
    cdef uint64_t h = 14695981039346656037ULL
    cdef Py_ssize_t i
    for i in range(n):
        h = (h ^ s[i]) * 1099511628211ULL
    return h


cdef enum:
    _SHORT = 64  # characters of a key looked up without allocating its UTF-8


cdef Py_ssize_t _utf8_into(str text, unsigned char *out) noexcept:
    """Write the UTF-8 of ``text`` (surrogates as surrogatepass writes them) to ``out``, which has
    room for four bytes a character; its length."""
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef Py_ssize_t i, m = 0
    cdef uint32_t c
    for i in range(PyUnicode_GET_LENGTH(text)):
        c = <uint32_t> PyUnicode_READ(kind, data, i)
        if c < 0x80:
            out[m] = <unsigned char> c
            m += 1
            continue
        if c < 0x800:
            out[m] = <unsigned char> (0xC0 | (c >> 6))
            m += 1
        elif c < 0x10000:
            out[m] = <unsigned char> (0xE0 | (c >> 12))
            out[m + 1] = <unsigned char> (0x80 | ((c >> 6) & 0x3F))
            m += 2
        else:
            out[m] = <unsigned char> (0xF0 | (c >> 18))
            out[m + 1] = <unsigned char> (0x80 | ((c >> 12) & 0x3F))
            out[m + 2] = <unsigned char> (0x80 | ((c >> 6) & 0x3F))
            m += 3
        out[m] = <unsigned char> (0x80 | (c & 0x3F))
        m += 1
    return m


cdef Py_ssize_t _utf8_error(const unsigned char *s, Py_ssize_t n) noexcept:
    """Where ``s`` stops being UTF-8 as Python writes it with surrogatepass (lone surrogates
    allowed), or -1 when it is. In place: decoding a column to check it made a str as large."""
    cdef Py_ssize_t i = 0, k, need
    cdef uint64_t w
    cdef unsigned char c, lo, hi
    while i < n:
        c = s[i]
        if c < 0x80:  # ASCII: eight bytes a step while they are, then a byte at a time
            while i + 8 <= n:
                memcpy(&w, s + i, 8)
                if w & 0x8080808080808080ULL:
                    break
                i += 8
            while i < n and s[i] < 0x80:
                i += 1
            continue
        if 0xC2 <= c <= 0xDF:  # two bytes (Arabic script's letters): the common case, checked first
            if i + 1 >= n or s[i + 1] & 0xC0 != 0x80:
                return i
            i += 2
            continue
        lo, hi = 0x80, 0xBF  # the range of the byte after the first
        if 0xE0 <= c <= 0xEF:
            need = 2
            if c == 0xE0:
                lo = 0xA0
        elif 0xF0 <= c <= 0xF4:
            need = 3
            if c == 0xF0:
                lo = 0x90
            elif c == 0xF4:
                hi = 0x8F
        else:
            return i
        if i + need >= n:  # cut short
            return i
        if not lo <= s[i + 1] <= hi:
            return i
        for k in range(i + 2, i + 1 + need):
            if s[k] & 0xC0 != 0x80:
                return i
        i += need + 1
    return -1


def utf8_error(const unsigned char[::1] data):
    """Where ``data`` stops being UTF-8 as Python writes it with surrogatepass, or None when it
    is: the check of :class:`Texts`."""
    cdef Py_ssize_t at = _utf8_error(&data[0], data.shape[0]) if data.shape[0] else -1
    return None if at < 0 else at


cdef inline bytes _encoded(str text):
    """The UTF-8 of ``text``, or None when ``text`` is ASCII and so its own UTF-8 (no copy). A
    lone surrogate (no normalised text holds one) is written as Python would with surrogatepass."""
    return None if PyUnicode_IS_COMPACT_ASCII(text) else text.encode("utf-8", "surrogatepass")


cdef bytes _utf8_view(str key, unsigned char *buf, const unsigned char **s, Py_ssize_t *n):
    """Point ``s`` and ``n`` at the UTF-8 of ``key``: its own characters when it is ASCII, else
    written into ``buf`` (room for ``_SHORT`` characters) when it is short (a key of a query or a
    text: not allocated), else a bytes object made for it, returned to be kept while ``s`` is read
    (None otherwise)."""
    n[0] = PyUnicode_GET_LENGTH(key)
    if PyUnicode_IS_COMPACT_ASCII(key):
        s[0] = <const unsigned char *> PyUnicode_DATA(key)
        return None
    if n[0] <= _SHORT:
        n[0] = _utf8_into(key, buf)
        s[0] = buf
        return None
    cdef bytes raw = _encoded(key)
    s[0] = <const unsigned char *> PyBytes_AS_STRING(raw)
    n[0] = len(raw)
    return raw


cdef inline uint32_t *_u32(array a) noexcept:
    return <uint32_t *> a.data.as_voidptr


# A column read from a file is a memoryview of the mapped file (entityres.cache), one built in memory
# an array or bytes: each is held as a typed memoryview, whose ``base`` is what it was made from.
cdef inline const uint32_t *_at(const uint32_t[::1] a) noexcept:
    return &a[0]


cdef inline uint32_t _start(const uint32_t *ends, Py_ssize_t i) noexcept:
    """Where run ``i`` starts, for runs laid end to end that end at ``ends``."""
    return ends[i - 1] if i else 0


def checked_ends(ends, Py_ssize_t total, str what):
    """``ends`` when they are 32-bit numbers rising to ``total`` (where runs laid end to end
    end); ValueError naming ``what`` otherwise."""
    _checked_ends(_u32s(ends, what), total, what)
    return ends


cdef const uint32_t[::1] _u32s(object column, str what) except *:
    """``column`` (an array or memoryview of 32-bit items) as a typed memoryview; ValueError
    naming ``what`` otherwise."""
    try:
        return column
    except (ValueError, TypeError, BufferError):
        raise ValueError(f"{what}: not an array of 32-bit items") from None


cdef const unsigned char[::1] _u8s(object column, str what) except *:
    """``column`` (bytes, or a memoryview or array of bytes) as a typed memoryview; ValueError
    naming ``what`` otherwise."""
    try:
        return column
    except (ValueError, TypeError, BufferError):
        raise ValueError(f"{what}: not bytes") from None


cdef int _checked_ends(const uint32_t[::1] ends, Py_ssize_t total, str what) except -1:
    """ValueError naming ``what`` unless ``ends`` rise to ``total``."""
    cdef Py_ssize_t i, n = ends.shape[0]
    cdef const uint32_t *e = _at(ends)
    for i in range(n):
        if e[i] < _start(e, i):
            raise ValueError(f"{what}: the ends fall")
    if _start(e, n) != total:
        raise ValueError(f"{what}: the ends stop at {_start(e, n)}, not {total}")
    return 0


cdef Py_ssize_t _position(object i, Py_ssize_t n, str what) except -1:
    """Item ``i`` (negative from the end) of a sequence of ``n``; IndexError outside it."""
    cdef Py_ssize_t k = i
    if k < 0:
        k += n
    if not 0 <= k < n:
        raise IndexError(f"{what} {i} of {n}")
    return k


cdef inline Py_ssize_t _note(uint32_t *ends, Py_ssize_t count, Py_ssize_t end) noexcept:
    """Note ``end`` as the end of item ``count`` (when ``ends`` is given); the count after it."""
    if ends != NULL:
        ends[count] = <uint32_t> end
    return count + 1


cdef Py_ssize_t _put_text(str text, char *out, Py_ssize_t at) except -1:
    """Copy ``text``'s UTF-8 to ``out`` at ``at`` (only count it when ``out`` is NULL); the end."""
    cdef bytes b = text.encode("utf-8", "surrogatepass")
    if out != NULL:
        memcpy(out + at, PyBytes_AS_STRING(b), len(b))
    return at + len(b)


cdef class Texts:
    """Strings in order, held in place: their UTF-8 in one bytes object, cut at ``ends`` (an
    array of 32-bit items). A string is decoded when asked for. A cached index keeps the names,
    keys and codes of its aliases so: msgpack made 2,300,000 strings on opening a 258,000-entry
    import, for the few thousand a run reads."""
    cdef const unsigned char[::1] _text
    cdef const uint32_t[::1] _ends
    cdef const unsigned char *_t  # the two in place (held by the memoryviews)
    cdef const uint32_t *_e
    cdef Py_ssize_t _n

    def __init__(self, text, ends):
        """``text``: bytes, or a memoryview or array of bytes; ``ends``: an array or memoryview
        of 32-bit items. ValueError when ``ends`` do not rise to the end of ``text`` or cut a
        character, or ``text`` is not UTF-8 (lone surrogates allowed, as Python writes them)."""
        self._text, self._ends = _u8s(text, "text"), _u32s(ends, "texts")
        cdef Py_ssize_t size = self._text.shape[0]
        _checked_ends(self._ends, size, "texts")
        self._t, self._e, self._n = &self._text[0], _at(self._ends), self._ends.shape[0]
        cdef const unsigned char *t = self._t
        cdef Py_ssize_t bad = _utf8_error(t, size)
        if bad >= 0:
            raise ValueError(f"text: not UTF-8 at byte {bad}")
        cdef const uint32_t *e = self._e
        cdef Py_ssize_t i
        for i in range(self._n - 1):  # so each string is UTF-8 of its own
            if e[i] < size and t[e[i]] & 0xC0 == 0x80:
                raise ValueError(f"text {i + 1} starts inside a character")

    @classmethod
    def of(cls, strings):
        """``strings`` (an iterable of str) held in place. Written straight into one bytes
        object (an ASCII string is its own UTF-8): a bytes object per key beside the keys was
        +110 MB at the peak of a 100,000-entry build."""
        if not isinstance(strings, (list, tuple, dict)):
            strings = list(strings)
        cdef Py_ssize_t n, total = 0, i = 0
        cdef array ends = clone(array(_U32), len(strings), False)
        cdef uint32_t *e = _u32(ends)
        cdef bytes raw
        for x in strings:  # the size first
            raw = _encoded(x)
            total += PyUnicode_GET_LENGTH(x) if raw is None else len(raw)
            if total > 0xFFFFFFFFU:
                raise ValueError("more than 4 GB of text")
            e[i] = total
            i += 1
        text = PyBytes_FromStringAndSize(NULL, total)
        cdef char *out = PyBytes_AS_STRING(text)
        i = 0
        for x in strings:
            raw = _encoded(x)
            n = e[i] - _start(e, i)
            memcpy(out + e[i] - n, PyUnicode_DATA(x) if raw is None else <char *> raw, n)
            i += 1
        return cls(text, ends)

    cdef inline uint32_t _start(self, Py_ssize_t i) noexcept:
        return _start(self._e, i)

    cdef str _get(self, Py_ssize_t i):
        cdef uint32_t a = self._start(i)
        return PyUnicode_DecodeUTF8(<const char *> self._t + a, self._e[i] - a, "surrogatepass")

    cdef inline Py_ssize_t _put(self, Py_ssize_t i, char *out, Py_ssize_t at) noexcept:
        """Copy string ``i``'s UTF-8 to ``out`` at ``at`` (only count it when ``out`` is NULL); the end."""
        cdef uint32_t a = self._start(i)
        if out != NULL:
            memcpy(out + at, self._t + a, self._e[i] - a)
        return at + self._e[i] - a

    cdef tuple _range(self, Py_ssize_t a, Py_ssize_t b):
        cdef Py_ssize_t i
        return tuple([self._get(i) for i in range(a, b)])

    cdef inline bint _same(self, Py_ssize_t i, const unsigned char *s, Py_ssize_t n) noexcept:
        cdef uint32_t a = self._start(i)
        return self._e[i] - a == n and memcmp(self._t + a, s, n) == 0

    def __len__(self):
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._get(j) for j in range(*i.indices(self._n))]
        return self._get(_position(i, self._n, "text"))

    def __iter__(self):
        cdef Py_ssize_t i
        for i in range(self._n):
            yield self._get(i)

    def __eq__(self, other):
        cdef Texts o
        if isinstance(other, Texts):  # by content, whether held as bytes, an array or a mapped file
            o = <Texts> other
            return (self._n == o._n and self._text.shape[0] == o._text.shape[0]
                    and (self._n == 0 or memcmp(self._e, o._e, self._n * sizeof(uint32_t)) == 0)
                    and (self._text.shape[0] == 0 or memcmp(self._t, o._t, self._text.shape[0]) == 0))
        if isinstance(other, (list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self):
        return f"Texts({self._n} strings)"

    def columns(self) -> tuple:
        """``(text, ends)``: what :class:`Texts` is made of, to write."""
        return self._text.base, self._ends.base

    def __reduce__(self):
        return Texts, tuple(map(_owned, self.columns()))


def all_below(numbers, below) -> bool:
    """Whether every number of ``numbers`` (an array or memoryview of 32-bit items) is under
    ``below``: the range checks of a cached index's columns, in C."""
    cdef const uint32_t[::1] view = _u32s(numbers, "numbers")
    cdef Py_ssize_t j
    cdef const uint32_t *x = _at(view)
    cdef uint64_t limit = below
    for j in range(view.shape[0]):
        if x[j] >= limit:
            return False
    return True


cdef Py_ssize_t _table_size(Py_ssize_t n) noexcept:
    """The slots of the hash table of ``n`` keys: a power of two at least twice ``n``."""
    cdef Py_ssize_t size = 1
    while size < 2 * n:
        size *= 2
    return size


cdef class Keys:
    """A read-only set of strings, held in place: the strings as :class:`Texts` and a hash table of
    their numbers (open addressing on a 64-bit FNV-1a hash, the same on every machine). Each key is
    known by its number, its place in order. The keys of :class:`Runs`, and the index's prefixes
    and ambiguous keys: as frozensets, msgpack made 312,000 strings and Python hashed each on
    opening a 258,000-entry import. A cache file holds the table too: made again on opening, the
    tables were a fifth of a large index's open."""
    cdef Texts _texts
    cdef const uint32_t[::1] _table
    cdef Py_ssize_t _n
    cdef uint64_t _mask

    def __init__(self, Texts texts, table=None):
        """``table``: the table as :attr:`table` gave it (an array or memoryview of 32-bit items),
        to be used as it is; else it is made. ValueError when a key comes twice, or when a table
        given has not this one's size or does not hold each key's number once; a table of that
        shape that is still wrong (only a file written by hand holds one) can make a key missed,
        never read outside the keys or loop."""
        self._texts, self._n = texts, len(texts)
        cdef Py_ssize_t size = _table_size(self._n)
        self._mask = size - 1
        if table is not None:
            self._table = _u32s(table, "key table")
            if self._table.shape[0] != size or not _numbers_each_once(self._table, self._n):
                raise ValueError(f"key table: not the table of {self._n} keys")
            return
        made = clone(array(_U32), size, True)
        cdef uint32_t *slots = _u32(made)
        cdef const unsigned char *t = texts._t
        cdef const uint32_t *k = texts._e
        cdef uint32_t a, b
        cdef Py_ssize_t i, slot
        for i in range(self._n):
            a, b = texts._start(i), k[i]
            slot = _fnv(t + a, b - a) & self._mask
            while slots[slot]:
                if texts._same(slots[slot] - 1, t + a, b - a):
                    raise ValueError(f"key {i} comes twice")
                slot = (slot + 1) & self._mask
            slots[slot] = i + 1
        self._table = made

    @property
    def table(self):
        """The hash table: each slot the number of a key plus one, 0 where empty (an array, or a
        memoryview of the file it was read from)."""
        return self._table.base

    @classmethod
    def of(cls, strings):
        """``strings`` (distinct) held in place, in their order."""
        return cls(Texts.of(strings))

    cdef Py_ssize_t _find(self, object key) except -2:
        """The key's number, or -1."""
        if type(key) is not str:
            return -1
        cdef unsigned char buf[_SHORT * 4]
        cdef const unsigned char *s
        cdef Py_ssize_t n, slot
        cdef bytes raw = _utf8_view(key, buf, &s, &n)
        cdef const uint32_t *table = _at(self._table)
        slot = _fnv(s, n) & self._mask
        while table[slot]:
            if self._texts._same(table[slot] - 1, s, n):
                return table[slot] - 1
            slot = (slot + 1) & self._mask
        return -1

    def __contains__(self, key):
        return self._find(key) >= 0

    def __len__(self):
        return self._n

    def __iter__(self):
        return iter(self._texts)

    def __eq__(self, other):
        # by content, whatever the order, as sets compare
        if isinstance(other, (Keys, set, frozenset)):
            return len(other) == self._n and all(k in self for k in other)
        return NotImplemented

    def __repr__(self):
        return f"Keys({self._n} strings)"

    def columns(self) -> tuple:
        """``(texts, table)``: what :class:`Keys` is made of, to write."""
        return self._texts, self.table

    def __reduce__(self):
        return Keys, (self._texts, _owned(self.table))


cdef bint _numbers_each_once(const uint32_t[::1] table, Py_ssize_t n) except -1:
    """Whether ``table`` holds each of ``1..n`` once, and 0 in its other slots."""
    cdef Py_ssize_t i, filled = 0
    cdef const uint32_t *x = _at(table)
    cdef bytearray seen = bytearray(n + 1)
    cdef unsigned char *s = seen
    for i in range(table.shape[0]):
        if x[i]:
            if x[i] > <uint64_t> n or s[x[i]]:
                return False
            s[x[i]] = 1
            filled += 1
    return filled == n


_PIECES = {"pairs": 0, "words": 1, "joined": 2}


def key_pieces(Texts keys, str how, codes=None, int code=-1):
    """The distinct pieces of ``keys`` (each words parted by single spaces) as :class:`Keys`, in
    the order first met. ``how``: ``"pairs"``, every two adjacent words of a key of two words or
    more (``"a b c"`` gives ``"a b"``, ``"b c"``); ``"words"``, every word (``key.split(" ")``);
    ``"joined"``, the key without its spaces. With ``codes`` (a byte per key), only the keys whose
    code is ``code``. Made from the keys' UTF-8 with no string object: as a frozenset, the pairs of
    a million names took 2 s to make, and every full collection of the cycle collector walked them."""
    if how not in _PIECES:
        raise ValueError(f"key_pieces: how is one of {', '.join(_PIECES)}, not {how!r}")
    cdef int mode = _PIECES[how]
    cdef Py_ssize_t n = keys._n, i, a, b, p, q, w, total = 0, m = 0, pieces = 0, size = 0
    cdef const unsigned char[::1] chosen
    cdef const unsigned char *c = NULL
    if codes is not None:
        chosen = _u8s(codes, "codes")
        if chosen.shape[0] != n:
            raise ValueError("key_pieces: one code for each key")
        c = &chosen[0] if n else NULL
    cdef const unsigned char *t = keys._t
    cdef const uint32_t *e = keys._e
    for i in range(n):  # the pieces and their bytes at most, repeats counted
        if c != NULL and c[i] != code:
            continue
        a, b = keys._start(i), e[i]
        w = 0
        for p in range(a, b):
            w += t[p] == 32
        pieces += w if mode == 0 else w + 1 if mode == 1 else 1
        size += 2 * (b - a) if mode == 0 else b - a
    cdef bytearray out = bytearray(size)
    cdef unsigned char *o = out
    cdef array ends = clone(array(_U32), pieces, False)
    cdef uint32_t *x = _u32(ends)
    cdef array table = clone(array(_U32), _table_size(pieces), True)
    cdef uint32_t *slots = _u32(table)
    cdef uint64_t mask = len(table) - 1
    for i in range(n):
        if c != NULL and c[i] != code:
            continue
        a, b = keys._start(i), e[i]
        if mode == 2:  # the key's bytes but its spaces
            q = total
            for p in range(a, b):
                if t[p] != 32:
                    o[q] = t[p]
                    q += 1
            m, total = _piece(o, x, m, total, q, slots, mask)
            continue
        p = a  # where the current word begins
        w = -1  # where the word before it began (pairs)
        for q in range(a, b + 1):
            if q < b and t[q] != 32:
                continue
            if mode == 1:
                memcpy(o + total, t + p, q - p)
                m, total = _piece(o, x, m, total, total + q - p, slots, mask)
            elif w >= 0:
                memcpy(o + total, t + w, q - w)
                m, total = _piece(o, x, m, total, total + q - w, slots, mask)
            w, p = p, q + 1
    resize_smart(ends, m)
    # the table is the one Keys would make when it has that size: the same hash, order and probing
    return Keys(Texts(PyBytes_FromStringAndSize(<const char *> o, total), ends),
                table if len(table) == _table_size(m) else None)


cdef inline (Py_ssize_t, Py_ssize_t) _piece(const unsigned char *o, uint32_t *ends, Py_ssize_t m,
                                            Py_ssize_t start, Py_ssize_t end, uint32_t *slots,
                                            uint64_t mask) noexcept:
    """The piece written at ``o[start:end]`` kept as piece ``m`` unless it is one already:
    the pieces and the bytes written after it."""
    cdef Py_ssize_t n = end - start, j
    cdef uint32_t a
    cdef uint64_t slot = _fnv(o + start, n) & mask
    while slots[slot]:
        j = slots[slot] - 1
        a = _start(ends, j)
        if ends[j] - a == n and memcmp(o + a, o + start, n) == 0:
            return m, start
        slot = (slot + 1) & mask
    slots[slot] = m + 1
    ends[m] = end
    return m + 1, end


cdef class _KeyMap:
    """A read-only mapping of the strings of :class:`Keys` to a value each, found by the key's
    number (``_value``, by the subclass). It reads as the dict it replaces."""
    cdef Keys _keys

    cdef object _value(self, Py_ssize_t i):
        raise NotImplementedError

    def get(self, key, default=None):
        cdef Py_ssize_t i = self._keys._find(key)
        return default if i < 0 else self._value(i)

    def __getitem__(self, key):
        cdef Py_ssize_t i = self._keys._find(key)
        if i < 0:
            raise KeyError(key)
        return self._value(i)

    def __contains__(self, key):
        return self._keys._find(key) >= 0

    def __len__(self):
        return self._keys._n

    def __iter__(self):
        return iter(self._keys)

    def keys(self):
        return list(self._keys)

    def values(self):
        return [self._value(i) for i in range(self._keys._n)]

    def items(self):
        return list(zip(self._keys, self.values()))

    @property
    def table(self):
        """The keys' hash table (:attr:`Keys.table`)."""
        return self._keys.table

    def __eq__(self, other):
        # by content, whatever the order, as dicts compare
        if isinstance(other, (type(self), dict)):
            return len(other) == len(self) and all(self.get(k) == v for k, v in other.items())
        return NotImplemented


cdef class Numbered(_KeyMap):
    """Distinct strings, each mapped to its number (its place in order), held in place: a cached
    gazetteer's entry IDs (``Entries.position``). A dict of 258,000 IDs was a sixth of a large
    import's cached open."""

    def __init__(self, Texts texts, table=None):
        """ValueError when a string comes twice; ``table``: as :class:`Keys` takes it."""
        self._keys = Keys(texts, table)

    cdef object _value(self, Py_ssize_t i):
        return i

    def __repr__(self):
        return f"Numbered({len(self)} strings)"

    def __reduce__(self):
        return Numbered, (self._keys._texts, _owned(self.table))


cdef class Runs(_KeyMap):
    """A read-only map of strings (keys) to runs of whole numbers below 2 ** 32, held in place:
    the keys as :class:`Keys`, every run in one array (``numbers``). It reads as a mapping, a key
    giving its run as a tuple, and :meth:`span` gives the run's ``start << 32 | length`` for a
    kernel that reads ``numbers``.

    The index's postings and exact keys are maps of a million keys: as Python dicts of strings
    they were most of a large cached index's open (made key by key) and a fifth of its memory. A
    cached index reads the bytes and arrays as they are, the keys' hash table among them.
    """
    cdef const uint32_t[::1] _run_ends, _numbers

    def __init__(self, Texts keys, run_ends, numbers, below=None, table=None):
        """The runs of ``keys`` are ``numbers`` cut at ``run_ends`` (arrays or memoryviews of
        32-bit items); ValueError when they do not fit together, a key comes twice, or a number
        is not under ``below`` (when given). ``table``: the keys' hash table, as :class:`Keys` takes it."""
        self._numbers, self._run_ends = _u32s(numbers, "numbers"), _u32s(run_ends, "runs")
        if below is not None and not all_below(numbers, below):
            raise ValueError(f"a number is not under {below}")
        if len(keys) != self._run_ends.shape[0]:
            raise ValueError(f"{len(keys)} keys but {self._run_ends.shape[0]} runs")
        _checked_ends(self._run_ends, self._numbers.shape[0], "runs")
        self._keys = Keys(keys, table)

    @property
    def numbers(self):
        """Every run in one array (or a memoryview of the file it was read from)."""
        return self._numbers.base

    def numbers_where(self, keys, flags, int want):
        """The numbers in the runs of ``keys`` (a key absent gives none) whose byte in ``flags``
        is ``want``, run after run (a number in two runs comes twice). IndexError for a number
        with no byte. The filter of long runs in C: at a million entries, a rare word's
        corrections met thousands of words in another script, each looked up in Python."""
        cdef const unsigned char[::1] f = _u8s(flags, "flags")
        cdef const uint32_t *r = _at(self._run_ends)
        cdef const uint32_t *numbers = _at(self._numbers)
        cdef Py_ssize_t i, j, size = f.shape[0]
        cdef list out = []
        for key in keys:
            i = self._keys._find(key)
            if i < 0:
                continue
            for j in range(_start(r, i), r[i]):
                if numbers[j] >= size:
                    raise IndexError(f"numbers_where: number {numbers[j]} has no flag ({size} flags)")
                if f[numbers[j]] == want:
                    out.append(numbers[j])
        return out

    cdef object _value(self, Py_ssize_t i):  # the run, as a tuple
        cdef const uint32_t *r = _at(self._run_ends)
        cdef const uint32_t *numbers = _at(self._numbers)
        cdef uint32_t a = _start(r, i), j
        cdef tuple out = PyTuple_New(r[i] - a)
        cdef object number
        for j in range(a, r[i]):
            number = numbers[j]
            Py_INCREF(number)
            PyTuple_SET_ITEM(out, j - a, number)
        return out

    @classmethod
    def collect(cls, lists):
        """``lists`` (keys → lists of numbers below 2 ** 32) held in place, in the dict's order.
        The lists are packed as :func:`pack_runs` does (each freed as it goes), and ``lists``
        is left empty. ``lists`` is a dict or a subclass (a defaultdict)."""
        cdef array numbers = pack_runs(lists, array(_U32))
        cdef array run_ends = clone(array(_U32), len(lists), False)
        cdef uint32_t *r = _u32(run_ends)
        cdef Py_ssize_t i = 0
        cdef uint64_t span
        for span in (<dict> lists).values():
            r[i] = (span >> 32) + (span & 0xFFFFFFFFU)
            i += 1
        keys = Texts.of(lists)
        lists.clear()  # the keys as strings go before the hash table is made
        return cls(keys, run_ends, numbers)

    def span(self, key):
        """The run of ``key`` as ``start << 32 | length`` in :attr:`numbers`, or None."""
        cdef Py_ssize_t i = self._keys._find(key)
        if i < 0:
            return None
        cdef const uint32_t *r = _at(self._run_ends)
        cdef uint64_t a = _start(r, i)
        return a << 32 | (r[i] - a)

    def runs(self):
        """Each key with where its run starts and ends in :attr:`numbers`, in order."""
        cdef const uint32_t *r = _at(self._run_ends)
        return [(key, _start(r, i), r[i]) for i, key in enumerate(self._keys)]

    def __eq__(self, other):
        # by content, whatever the keys' order, as dicts compare
        if isinstance(other, (Runs, dict)):
            return len(other) == len(self) and all(self.get(k) == tuple(v) for k, v in other.items())
        return NotImplemented

    def __repr__(self):
        return f"Runs({len(self)} keys, {self._numbers.shape[0]} numbers)"

    def columns(self) -> tuple:
        """``(keys, run_ends, numbers, table)``: what :class:`Runs` is made of, to write."""
        return self._keys._texts, self._run_ends.base, self._numbers.base, self.table

    def __reduce__(self):
        keys, run_ends, numbers, table = self.columns()
        return Runs, (keys, _owned(run_ends), _owned(numbers), None, _owned(table))


cdef inline void _push(array a, uint32_t value):
    """Append ``value`` to ``a`` (32-bit items), the array growing as a list does."""
    cdef Py_ssize_t n = len(a)
    resize_smart(a, n + 1)
    _u32(a)[n] = value


cdef class Blocking:
    """A word's blocking keys (:func:`entityres.gazetteer.index.blocking_keys`) from its ``(key,
    cost, ...)`` list, likeliest first: its first ``per_word`` keys of at most ``max_cost``, then
    the coarse keys of its likeliest key: the coarse skeleton ``~S`` (each class as ``merge`` maps
    it, those of ``drop`` left out; none shorter than ``min_skeleton``), and its one-class deletions
    when it has at least ``min_deletion`` classes, sorted: posted as ``-D``, looked up (``query``)
    as ``-S`` and ``~D``. A build asks this of every word and pair of words it posts."""
    cdef Py_UCS4 _class[128]  # each ASCII character's coarse class, _DROPPED when dropped
    cdef readonly Py_ssize_t min_deletion
    cdef Py_ssize_t _per_word, _max_cost, _min_skeleton

    def __init__(self, dict merge, str drop, Py_ssize_t min_deletion, Py_ssize_t min_skeleton,
                 Py_ssize_t per_word, Py_ssize_t max_cost):
        cdef Py_ssize_t c
        for c in range(128):
            self._class[c] = c
        for k, v in merge.items():
            if not (type(k) is str and type(v) is str and len(k) == len(v) == 1 and ord(k) < 128 and ord(v) < 128):
                raise ValueError(f"Blocking: a merge must map one ASCII character to one, not {k!r}: {v!r}")
            self._class[ord(k)] = ord(v)
        for k in drop:
            if ord(k) >= 128:
                raise ValueError(f"Blocking: a dropped class must be ASCII, not {k!r}")
            self._class[ord(k)] = _DROPPED
        if min_skeleton < 1:
            raise ValueError("Blocking: min_skeleton must be at least 1")
        self.min_deletion, self._min_skeleton = min_deletion, min_skeleton
        self._per_word, self._max_cost = per_word, max_cost

    cpdef str skeleton(self, str key):
        """The coarse skeleton of ``key`` (classes merged, weak ones dropped); None when shorter
        than ``min_skeleton``."""
        if key is None:
            raise TypeError("Blocking.skeleton: a key must be a str, not None")
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(key)
        cdef Py_UCS4 stack[64]
        cdef Py_UCS4 *out = <Py_UCS4 *> scratch(stack, sizeof(stack), n * sizeof(Py_UCS4))
        try:
            n = self._coarse(key, out)
            return ucs4_str(out, n) if n >= self._min_skeleton else None
        finally:
            if out != stack:
                PyMem_Free(out)

    cdef Py_ssize_t _coarse(self, str key, Py_UCS4 *out) noexcept:
        cdef int kind = PyUnicode_KIND(key)
        cdef void *data = PyUnicode_DATA(key)
        cdef Py_ssize_t i, n = 0
        cdef Py_UCS4 c
        for i in range(PyUnicode_GET_LENGTH(key)):
            c = PyUnicode_READ(kind, data, i)
            if c < 128:
                c = self._class[c]
            if c != _DROPPED:
                out[n] = c
                n += 1
        return n

    cpdef list keys(self, keys, bint query=False):
        """The blocking keys of a word's ``(key, cost, ...)`` list (see the class)."""
        cdef list out = []
        cdef Py_ssize_t i, n = len(keys)
        for i in range(min(n, self._per_word)):
            k = keys[i]
            if k[1] <= self._max_cost and k[0]:
                out.append(k[0])
        if n:
            first = keys[0][0]
            if type(first) is not str:
                raise TypeError(f"Blocking.keys: a key must be a str, not {type(first).__name__}")
            self._coarse_keys(first, query, out)
        return out

    cdef int _coarse_keys(self, str key, bint query, list out) except -1:
        cdef Py_ssize_t n = PyUnicode_GET_LENGTH(key), m, i, j
        # a prefix, the skeleton, then each deletion made in place after the prefix
        cdef Py_UCS4 stack[130]
        cdef Py_UCS4 *buf = <Py_UCS4 *> scratch(stack, sizeof(stack), (2 * n + 2) * sizeof(Py_UCS4))
        cdef Py_UCS4 *s = buf + 1
        cdef Py_UCS4 *deleted = s + n  # its prefix, then a deletion
        cdef list deletions
        try:
            m = self._coarse(key, s)
            if m < self._min_skeleton:
                return 0
            buf[0] = "~"
            out.append(ucs4_str(buf, m + 1))
            if query:
                buf[0] = "-"
                out.append(ucs4_str(buf, m + 1))
            if m < self.min_deletion:
                return 0
            deleted[0] = "~" if query else "-"
            deletions = []
            for i in range(m):
                if i and s[i] == s[i - 1]:
                    continue  # deleting either of two equal neighbours leaves one string
                for j in range(i):
                    deleted[j + 1] = s[j]
                for j in range(i + 1, m):
                    deleted[j] = s[j]
                deletions.append(ucs4_str(deleted, m))
            PyList_Sort(deletions)
            out.extend(deletions)
            return 0
        finally:
            if buf != stack:
                PyMem_Free(buf)


cdef enum:
    _DROPPED = 0x110000  # past every code point: a class left out of the skeleton


cdef class Collector:
    """Runs of whole numbers by key, collected as an index is built (its postings, exact keys,
    surnames, given names and vocabulary's postings) and made :class:`Runs` at the end
    (:meth:`runs`): keys in the order they first came, each run in the order its numbers came.

    Each key is numbered when it first comes, in a hash table of its own (by the FNV-1a hash of
    its UTF-8, which a key split from a group has without a str), and kept as UTF-8 on
    one array, as :class:`Texts` holds it; each (key, number) pair is the key's number on one
    array, after the first pair of its number. A dict of lists held a list a key (871,000 at
    100,000 entries, 5.6 million at a million) and each key as a str; most keys (a pair of
    words' keys, a name's words written together) are made for the postings alone."""
    cdef array _text  # the keys' UTF-8, one after another (8-bit items)
    cdef array _ends  # where each key's UTF-8 ends, by number
    cdef array _hashes  # each key's hash (its low 32 bits), by number
    cdef array _last  # the last number each key took (0xFFFFFFFF for none yet)
    cdef array _table  # key number + 1 by slot, 0 for an empty slot
    cdef uint64_t _mask
    cdef array _of  # the key number of each pair
    cdef array _numbers, _firsts  # each number added, and its first pair: a number's pairs are together

    def __init__(self):
        self._clear()

    cdef void _clear(self):
        self._text, self._ends = array("B"), array(_U32)
        self._hashes, self._last = array(_U32), array(_U32)
        self._table = clone(array(_U32), 8, True)
        self._mask = 7
        self._of, self._numbers, self._firsts = array(_U32), array(_U32), array(_U32)

    cdef int _grow(self) except -1:
        """A table twice as large, the keys placed again by their hashes."""
        cdef Py_ssize_t size = 2 * (self._mask + 1), i
        cdef uint64_t slot
        self._table = clone(array(_U32), size, True)
        self._mask = size - 1
        cdef uint32_t *table = _u32(self._table)
        cdef const uint32_t *hashes = _u32(self._hashes)
        for i in range(len(self._ends)):
            slot = hashes[i] & self._mask
            while table[slot]:
                slot = (slot + 1) & self._mask
            table[slot] = i + 1
        return 0

    cdef Py_ssize_t _number(self, const unsigned char *s, Py_ssize_t n) except -1:
        """The number of the key whose UTF-8 is ``s[:n]``, a new one when it is new."""
        cdef uint32_t h = <uint32_t> _fnv(s, n)  # the table never has 2 ** 32 slots
        cdef uint64_t slot = h & self._mask
        cdef uint32_t *table = _u32(self._table)
        cdef const uint32_t *hashes = _u32(self._hashes)
        cdef const uint32_t *ends = _u32(self._ends)
        cdef const unsigned char *text = <const unsigned char *> self._text.data.as_voidptr
        cdef Py_ssize_t i, a
        while table[slot]:
            i = table[slot] - 1
            if hashes[i] == h:  # the key's bytes read only then: each is a read far from the last
                a = _start(ends, i)
                if ends[i] - a == n and memcmp(text + a, s, n) == 0:
                    return i
            slot = (slot + 1) & self._mask
        i = len(self._ends)
        a = len(self._text)
        if i >= 0xFFFFFFFFU or a + n > 0xFFFFFFFFU:
            raise ValueError("more than 2 ** 32 - 1 keys or 4 GB of them")
        resize_smart(self._text, a + n)
        memcpy(self._text.data.as_chars + a, s, n)
        _push(self._ends, a + n)
        _push(self._hashes, h)
        _push(self._last, 0xFFFFFFFFU)
        table[slot] = i + 1
        if 2 * (i + 1) > <Py_ssize_t> self._mask:  # kept at most half full
            self._grow()
        return i

    cdef int _post(self, const unsigned char *s, Py_ssize_t n, uint32_t v) except -1:
        """``v`` added to the run of the key whose UTF-8 is ``s[:n]``, unless it is there already."""
        cdef Py_ssize_t k = self._number(s, n)
        cdef uint32_t *last = _u32(self._last)
        if last[k] != v:
            last[k] = v
            _push(self._of, k)
        return 0

    def add(self, groups, value):
        """Add ``value`` to the run of each key of each of ``groups``, once per key. A group is a
        sequence of keys (strs), or a str of keys joined by newlines (as a build keeps a word's
        blocking keys; "" holds none), split here without a str made for each.
        ``value`` is a whole number below 2 ** 32 - 1, at least every value added before (the
        alias being built), so the runs come out in order."""
        cdef uint64_t v = value
        cdef Py_ssize_t m = len(self._numbers), n, i, a
        cdef uint32_t top = _u32(self._numbers)[m - 1] if m else 0
        cdef unsigned char buf[_SHORT * 4]
        cdef const unsigned char *s
        cdef bytes raw
        if v >= 0xFFFFFFFFU or v < top:
            raise ValueError(f"{value} is not below 2 ** 32 - 1 and at least {top}")
        if not m or v != top:
            _push(self._numbers, v)
            _push(self._firsts, len(self._of))
        for group in groups:
            if type(group) is str:
                raw = _utf8_view(group, buf, &s, &n)
                a = 0
                for i in range(n + 1 if n else 0):
                    if i == n or s[i] == 10:  # a newline: UTF-8 holds its byte for it alone
                        self._post(s + a, i - a, <uint32_t> v)
                        a = i + 1
                continue
            for key in group:
                if type(key) is not str:
                    raise TypeError(f"a key must be a str, not {type(key).__name__}")
                raw = _utf8_view(key, buf, &s, &n)
                self._post(s, n, <uint32_t> v)

    def __len__(self):
        """How many keys have come so far."""
        return len(self._ends)

    def runs(self) -> Runs:
        """The runs collected, as :class:`Runs`; the collector is left empty. What is no longer
        needed goes before what is made is allocated: the table before the runs, the pairs
        before the keys' bytes."""
        cdef Py_ssize_t n = len(self._ends), m = len(self._of), d = len(self._numbers), i, j, b
        if m > 0xFFFFFFFFU:
            raise ValueError("more than 2 ** 32 numbers in all")
        cdef array run_ends, numbers
        cdef uint32_t *ends
        cdef uint32_t *out
        cdef const uint32_t *of = _u32(self._of)
        cdef const uint32_t *added = _u32(self._numbers)
        cdef const uint32_t *firsts = _u32(self._firsts)
        cdef uint32_t total = 0, count
        try:
            self._table = self._hashes = self._last = None
            run_ends, numbers = clone(array(_U32), n, True), clone(array(_U32), m, False)
            ends, out = _u32(run_ends), _u32(numbers)
            for i in range(m):  # a counting sort by key, stable: each run keeps its order
                ends[of[i]] += 1
            for i in range(n):  # each run's start, for now
                count = ends[i]
                ends[i] = total
                total += count
            for j in range(d):
                b = firsts[j + 1] if j + 1 < d else m
                for i in range(firsts[j], b):
                    out[ends[of[i]]] = added[j]
                    ends[of[i]] += 1  # ends as it goes
            self._of = self._numbers = self._firsts = None
            text, key_ends = self._text, self._ends  # handed over, not copied
        finally:
            self._clear()
        return Runs(Texts(text, key_ends), run_ends, numbers)


cdef array _ends(object counts, str what):
    """Where each run ends, for runs of ``counts`` items laid end to end (an array of 32-bit
    items): ``counts`` is bytes (a count a byte) or an array of 32-bit items (or a memoryview of either)."""
    cdef const unsigned char *small = NULL
    cdef const uint32_t *large = NULL
    cdef const unsigned char[::1] bytes_view
    cdef const uint32_t[::1] u32_view
    cdef Py_ssize_t i, n
    try:
        itemsize = memoryview(counts).itemsize
    except TypeError:
        itemsize = 0
    if itemsize == 1:
        bytes_view = _u8s(counts, what)
        small, n = &bytes_view[0], bytes_view.shape[0]
    elif itemsize == 4:
        u32_view = _u32s(counts, what)
        large, n = _at(u32_view), u32_view.shape[0]
    else:
        raise ValueError(f"{what}: not bytes or an array of 32-bit items")
    cdef uint64_t total = 0
    cdef array out = clone(array(_U32), n, False)
    cdef uint32_t *ends = _u32(out)
    for i in range(n):
        total += small[i] if small != NULL else large[i]
        if total > 0xFFFFFFFFU:
            raise ValueError(f"{what}: more than 2 ** 32 in all")
        ends[i] = total
    return out


cdef array _counts(array ends):
    """The counts that :func:`_ends` summed into ``ends``."""
    cdef const uint32_t *e = _u32(ends)
    return array(_U32, [e[i] - _start(e, i) for i in range(len(ends))])


cdef class _Made:
    """A read-only sequence whose items are made the first time each is asked for (``_make``,
    by the subclass), then kept: what a cached index holds as columns."""
    cdef list _made  # an item, or None until asked for
    cdef Py_ssize_t _n
    cdef str _what  # what an item is, for errors

    cdef _hold(self, list made, str what):
        self._made, self._n, self._what = made, len(made), what

    cdef object _make(self, Py_ssize_t i):
        raise NotImplementedError

    cdef object _get(self, Py_ssize_t i):
        cdef object x = <object> PyList_GET_ITEM(self._made, i)
        if x is None:
            x = self._make(i)
            settle(x)  # kept as long as the index: made of strings and numbers
            self._made[i] = x
        return x

    def __len__(self):
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple([self._get(j) for j in range(*i.indices(self._n))])
        return self._get(_position(i, self._n, self._what))

    def __iter__(self):
        cdef Py_ssize_t i
        for i in range(self._n):
            yield self._get(i)

    def __eq__(self, other):
        if not isinstance(other, (_Made, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def made(self) -> int:
        """How many items have been made so far; the others are still only columns."""
        return self._n - self._made.count(None)


cdef class Words(_Made):
    """A cached index's word profiles (``entityres.text.similarity.Word``) as a read-only
    sequence, held as the columns they were read from: a word is made the first time it is
    asked for (when an alias that has it is made, or the vocabulary is read), then kept. Making
    all 65,000 words of a 258,000-entry import, and msgpack's 570,000 strings for them, were a
    sixth of its index's open."""
    cdef object _word  # the Word class
    cdef Texts _texts, _surfaces, _keys, _codes
    cdef list _parts, _key_slots
    cdef const uint32_t[::1] _weights, _costs
    cdef array _key_ends, _code_ends
    cdef const unsigned char[::1] _arabic

    def __init__(self, word, Texts texts, Texts surfaces, list parts, weights, arabic, Texts keys,
                 costs, key_counts, list key_slots, Texts codes, code_counts):
        """Word ``i`` is ``word`` of ``texts[i]``, its next ``key_counts[i]`` keys with their
        costs and vowel slots (``key_slots``: a tuple each, one more slot than its key has
        letters), its next ``code_counts[i]`` codes, and so on: ``weights``, ``costs`` and the
        counts arrays or memoryviews of 32-bit items, ``arabic`` bytes. ValueError when the
        columns do not fit together, so that making a word later cannot fail."""
        cdef Py_ssize_t n = len(texts), j, a, b, m
        self._weights, self._costs = _u32s(weights, "words"), _u32s(costs, "words")
        self._arabic = _u8s(arabic, "words: the script flags")
        if not n == len(surfaces) == len(parts) == len(weights) == len(arabic) == len(key_counts) == len(code_counts):
            raise ValueError("words: columns of different lengths")
        self._key_ends, self._code_ends = _ends(key_counts, "keys"), _ends(code_counts, "codes")
        if not _start(_u32(self._key_ends), n) == len(keys) == len(costs) == len(key_slots):
            raise ValueError("words: the keys do not add up")
        if _start(_u32(self._code_ends), n) != len(codes):
            raise ValueError("words: the codes do not add up")
        if byte_stats(arabic)[1] > 1:
            raise ValueError("words: a script flag that is not 0 or 1")
        cdef const unsigned char *t = keys._t
        cdef const uint32_t *e = keys._e
        for j in range(len(keys)):  # a key's letters: its UTF-8 bytes that begin a character
            slots = key_slots[j]
            a, b, m = _start(e, j), e[j], 0
            while a < b:
                m += t[a] & 0xC0 != 0x80
                a += 1
            if type(slots) is not tuple or len(<tuple> slots) != m + 1:
                raise ValueError(f"words: key {j} has not one slot more than letters")
        self._word = word
        self._texts, self._surfaces, self._parts = texts, surfaces, parts
        self._keys, self._key_slots, self._codes = keys, key_slots, codes
        self._hold([None] * n, "word")

    cdef object _make(self, Py_ssize_t i):
        cdef const uint32_t *key_ends = _u32(self._key_ends)
        cdef const uint32_t *code_ends = _u32(self._code_ends)
        cdef const uint32_t *cost = _at(self._costs)
        cdef Py_ssize_t j, k0 = _start(key_ends, i), k1 = key_ends[i]
        pairs = tuple([(self._keys._get(j), cost[j]) for j in range(k0, k1)])
        return tuple.__new__(self._word, (self._texts._get(i), pairs, self._codes._range(_start(code_ends, i), code_ends[i]),
                                          _at(self._weights)[i], self._arabic[i] == 1, self._surfaces._get(i),
                                          self._parts[i], tuple(self._key_slots[k0:k1]), ()))

    cdef void _read_ahead(self, Py_ssize_t i) noexcept:
        """Ask the CPU for the columns word ``i`` is made of (:meth:`Aliases.read_ahead`)."""
        cdef Py_ssize_t before = i - (i > 0)
        entityres_read_ahead(_u32(self._key_ends) + before)
        entityres_read_ahead(_u32(self._code_ends) + before)
        entityres_read_ahead(self._texts._e + before)
        entityres_read_ahead(self._surfaces._e + before)
        entityres_read_ahead(&self._weights[i])
        entityres_read_ahead(&self._arabic[i])

    def __repr__(self):
        return f"Words({self._n} words)"

    def packed(self) -> tuple:
        """The columns the words are made of, in the order :class:`Words` takes them after the class."""
        return (self._texts, self._surfaces, self._parts, self._weights.base, self._arabic.base, self._keys,
                self._costs.base, _counts(self._key_ends), self._key_slots, self._codes, _counts(self._code_ends))

    def __reduce__(self):
        return Words, (self._word, *map(_owned, self.packed()))


cdef class Vocab(_KeyMap):
    """A cached index's vocabulary (a folded word → its profile), read in place: the words as
    :class:`Keys`, and each one's number in ``words`` (a sequence such as :class:`Words`). It
    reads as the mapping it replaces."""
    cdef const uint32_t[::1] _numbers
    cdef readonly object words  # the sequence the numbers index

    def __init__(self, Texts keys, numbers, words, table=None):
        """``numbers``: an array or memoryview of 32-bit items. ValueError when a word comes
        twice or its number is not one of ``words``; ``table``: as :class:`Keys` takes it."""
        self._numbers = _u32s(numbers, "vocabulary")
        if len(keys) != self._numbers.shape[0] or not all_below(numbers, len(words)):
            raise ValueError("vocabulary: a word without its number in the words")
        self._keys, self.words = Keys(keys, table), words

    cdef object _value(self, Py_ssize_t i):
        return self.words[_at(self._numbers)[i]]

    def arabic(self):
        """A byte per word, in order: 1 where its profile is of Arabic script (``Word.arabic``).
        From the words' column when they are :class:`Words`, no profile made."""
        cdef Py_ssize_t i, n = len(self)
        cdef const uint32_t *numbers = _at(self._numbers)
        if not isinstance(self.words, Words):
            return bytes([self.words[numbers[i]].arabic for i in range(n)])
        cdef const unsigned char[::1] column = (<Words> self.words)._arabic
        out = PyBytes_FromStringAndSize(NULL, n)
        cdef char *o = PyBytes_AS_STRING(out)
        for i in range(n):
            o[i] = column[numbers[i]] == 1
        return out

    def surfaces(self, numbers):
        """The surfaces (``Word.surface``) of the words numbered ``numbers`` (their places in
        order), read from the words' column when they are :class:`Words`, no profile made.
        IndexError for a number that is no word's."""
        cdef Py_ssize_t i, n = len(self)
        cdef const uint32_t *at = _at(self._numbers)
        cdef list out = []
        cdef bint column = isinstance(self.words, Words)
        for number in numbers:
            i = number
            if not 0 <= i < n:
                raise IndexError(f"surfaces: no word {i} of {n}")
            out.append((<Words> self.words)._surfaces._get(at[i]) if column else self.words[at[i]].surface)
        return out

    def __repr__(self):
        return f"Vocab({len(self)} words)"

    def columns(self) -> tuple:
        """``(keys, table, numbers)``: the words, their hash table and their numbers, to write."""
        return self._keys._texts, self.table, self._numbers.base

    def __reduce__(self):
        return Vocab, (self._keys._texts, _owned(self._numbers.base), self.words, _owned(self.table))


def byte_stats(const unsigned char[::1] data):
    """``(least, most, total)`` of the bytes of ``data`` ((0, 0, 0) when empty): the checks of a
    cached index's columns of one byte an alias (types, word counts), in one pass in C."""
    cdef Py_ssize_t i, n = data.shape[0]
    cdef unsigned char least = 255, most = 0
    cdef uint64_t total = 0
    if n == 0:
        return 0, 0, 0
    for i in range(n):
        least = min(least, data[i])
        most = max(most, data[i])
        total += data[i]
    return least, most, total


cdef class Aliases(_Made):
    """An index's aliases (``gazetteer.index.Alias``) in order, as a read-only sequence.

    It keeps the columns it was read from (a cached index) or packed into (:class:`AliasColumns`,
    a build) and makes an alias the first time it is asked for (then keeps it): at 774,000
    aliases, making them all was a third of the cached open, and a run of matching or linking asks
    for a few thousand. The columns the index's kernels and sets need (entry numbers, type codes,
    word counts, keys) are read without making any alias.
    """
    cdef object _alias  # the Alias class
    cdef tuple _type_names  # type code -> the type as Alias.type holds it
    # the columns of a cached index (each checked by entityres.gazetteer.index._aliases)
    cdef const uint32_t[::1] _entries, _refs, _langs
    cdef const double[::1] _trusts
    cdef tuple _lang_names
    cdef const unsigned char[::1] _types, _lengths, _heard_counts, _titles
    cdef object _words  # a sequence of words (Words)
    cdef Texts _names, _keys, _heard
    cdef array _word_ends, _heard_ends

    @classmethod
    def columns(cls, alias, tuple type_names, entries, types, langs, tuple lang_names, Texts names,
                Texts keys, trusts, lengths, refs, Texts heard, heard_counts, titles, words):
        """The aliases, column by column (as ``Index._encode`` writes them), already checked;
        ``langs`` are numbers of ``lang_names``, ``trusts`` doubles, and ``refs`` numbers the
        ``words`` of every alias in turn. ``entries``, ``langs`` and ``refs`` are arrays or
        memoryviews of 32-bit items, ``types``, ``lengths``, ``heard_counts`` and ``titles`` bytes."""
        cdef Aliases self = Aliases.__new__(cls)
        self._alias, self._type_names = alias, type_names
        self._hold([None] * len(names), "alias")
        self._entries, self._langs, self._refs = (_u32s(entries, "entries"), _u32s(langs, "langs"),
                                                  _u32s(refs, "refs"))
        self._trusts = trusts
        self._types, self._lang_names = types, lang_names
        self._names, self._keys = names, keys
        self._lengths, self._heard, self._heard_counts, self._titles = lengths, heard, heard_counts, titles
        self._words, self._word_ends, self._heard_ends = words, _ends(lengths, "word counts"), _ends(heard_counts, "codes heard")
        return self

    cdef object _make(self, Py_ssize_t k):
        cdef const uint32_t *word_ends = _u32(self._word_ends)
        cdef const uint32_t *heard_ends = _u32(self._heard_ends)
        cdef const uint32_t *refs = _at(self._refs)
        cdef Py_ssize_t r, w0 = _start(word_ends, k), h0 = _start(heard_ends, k)
        # a cached or built index's words are Words: read without the sequence protocol (a number
        # past them still goes through it, to its IndexError)
        cdef Words table = self._table()
        cdef Py_ssize_t n_words = table._n if table is not None else 0
        words = tuple([table._get(refs[r]) if refs[r] < n_words else self._words[refs[r]] for r in range(w0, word_ends[k])])
        cdef const uint32_t *entries = _at(self._entries)
        cdef const uint32_t *langs = _at(self._langs)
        return tuple.__new__(self._alias, (entries[k], self._type_names[self._types[k]], self._lang_names[langs[k]],
                                           self._names._get(k), self._keys._get(k), self._trusts[k], words,
                                           self._heard._range(h0, heard_ends[k]), self._titles[k]))

    cdef Words _table(self):
        """The aliases' words when they are :class:`Words` (a cached or built index's), read in
        place; None for a plain sequence of profiles."""
        return self._words if isinstance(self._words, Words) else None

    def read_ahead(self, list numbers) -> None:
        """Ask the CPU for the columns of the aliases ``numbers`` not made yet, and of their
        words, before they are made one by one (the matcher's candidates): in a million aliases
        they are far apart, and each read of a column waited for memory in turn."""
        cdef const uint32_t *word_ends = _u32(self._word_ends)
        cdef const uint32_t *heard_ends = _u32(self._heard_ends)
        cdef const uint32_t *refs = _at(self._refs) if self._refs.shape[0] else NULL
        cdef Words table = self._table()
        cdef Py_ssize_t i, k, r, w, before, n = len(numbers)
        cdef list todo = []
        for i in range(n):
            k = _position(numbers[i], self._n, "alias")
            if <object> PyList_GET_ITEM(self._made, k) is not None:
                continue
            todo.append(k)
            before = k - (k > 0)
            entityres_read_ahead(word_ends + before)
            entityres_read_ahead(heard_ends + before)
            entityres_read_ahead(self._names._e + before)
            entityres_read_ahead(self._keys._e + before)
            entityres_read_ahead(_at(self._entries) + k)
            entityres_read_ahead(_at(self._langs) + k)
            entityres_read_ahead(&self._types[k])
            entityres_read_ahead(&self._trusts[k])
        for k in todo:  # then what those columns point to
            entityres_read_ahead(self._names._t + _start(self._names._e, k))
            entityres_read_ahead(self._keys._t + _start(self._keys._e, k))
            r = _start(heard_ends, k)
            entityres_read_ahead(self._heard._e + r - (r > 0))
            if refs != NULL:
                entityres_read_ahead(refs + _start(word_ends, k))
        if table is None or refs == NULL:
            return
        for k in todo:
            for r in range(_start(word_ends, k), word_ends[k]):
                w = refs[r]
                if w < table._n and <object> PyList_GET_ITEM(table._made, w) is None:
                    table._read_ahead(w)

    def __repr__(self):
        return f"Aliases({self._n} aliases)"

    def refs(self, i) -> tuple:
        """The numbers of alias ``i``'s words in its table of words, read from the columns."""
        cdef Py_ssize_t k = _position(i, self._n, self._what), r
        cdef const uint32_t *word_ends = _u32(self._word_ends)
        cdef const uint32_t *refs = _at(self._refs)
        return tuple([refs[r] for r in range(_start(word_ends, k), word_ends[k])])

    def heard(self, list ranked, bint words_too) -> tuple:
        """For each ``(-hit, gap, alias)`` of ``ranked`` (the matcher's candidates), the codes
        heard in the alias (``Alias.heard``), then, with ``words_too``, the first code of each of
        its words: what the pre-rank compares (``_kernels.heard_ranked``), read from the columns
        and packed as ``(UTF-8 of every code, where each code ends, where each item's codes end)``.
        Making the few hundred aliases a query pre-ranks, and their words, to read them was a
        sixth of ``match()`` on an index built or opened afresh; making a string of each code took
        as long as comparing them."""
        cdef Py_ssize_t i, n = len(ranked)
        cdef array item_ends = clone(array(_U32), n, False)
        cdef array aliases = clone(array(_U32), n, False)  # each item's alias, checked once for the three reads
        cdef uint32_t *at = _u32(aliases)
        for i in range(n):
            at[i] = <uint32_t> _position((<tuple?> ranked[i])[2], self._n, "alias")
        self._read_heard_ahead(at, n)
        cdef Py_ssize_t codes = 0, size = self._heard_walk(at, n, words_too, NULL, NULL, _u32(item_ends), &codes)
        cdef array code_ends = clone(array(_U32), codes, False)
        cdef bytes text = PyBytes_FromStringAndSize(NULL, size)
        self._heard_walk(at, n, words_too, PyBytes_AS_STRING(text), _u32(code_ends), _u32(item_ends), &codes)
        return text, code_ends, item_ends

    cdef void _read_heard_ahead(self, const uint32_t *at, Py_ssize_t n) noexcept:
        """Ask the CPU for the codes heard of the aliases ``at`` before they are read: in a
        million aliases they are far apart, and each read waited for the one before (three reads
        deep: where its codes start, where each ends, their bytes)."""
        cdef const uint32_t *heard_ends = _u32(self._heard_ends)
        cdef const uint32_t *code_ends = self._heard._e
        cdef Py_ssize_t i, c
        if self._heard._n == 0:
            return
        for i in range(n):
            entityres_read_ahead(heard_ends + at[i] - (at[i] > 0))
        for i in range(n):
            c = _start(heard_ends, at[i])
            entityres_read_ahead(code_ends + c - (c > 0))
        for i in range(n):
            entityres_read_ahead(self._heard._t + _start(code_ends, _start(heard_ends, at[i])))

    cdef Py_ssize_t _heard_walk(self, const uint32_t *at, Py_ssize_t n, bint words_too, char *out,
                                uint32_t *code_ends_out, uint32_t *item_ends_out, Py_ssize_t *codes) except -1:
        """The bytes of the codes :meth:`heard` packs for the aliases ``at``, and their count in
        ``codes``; with ``out``, the codes are copied there and their ends noted in ``code_ends_out``."""
        cdef const uint32_t *heard_ends = _u32(self._heard_ends)
        cdef const uint32_t *word_ends = _u32(self._word_ends)
        cdef const uint32_t *refs = _at(self._refs)
        cdef Words words = self._table()
        cdef const uint32_t *code_ends = _u32(words._code_ends) if words is not None else NULL
        cdef Py_ssize_t i, k, r, w, c, size = 0, count = 0
        for i in range(n):
            k = at[i]
            for c in range(_start(heard_ends, k), heard_ends[k]):
                size = self._heard._put(c, out, size)
                count = _note(code_ends_out, count, size)
            if words_too:
                for r in range(_start(word_ends, k), word_ends[k]):
                    w = refs[r]
                    if words is None:  # words given as a sequence of Word
                        size = _put_text(self._words[w][2][0], out, size)
                    elif code_ends[w] == _start(code_ends, w):
                        raise IndexError(f"word {w} has no codes")
                    else:
                        size = words._codes._put(_start(code_ends, w), out, size)
                    count = _note(code_ends_out, count, size)
            if count > 0xFFFFFFFFU or size > 0xFFFFFFFFU:
                raise OverflowError("the codes heard do not fit 32-bit ends")
            item_ends_out[i] = <uint32_t> count
        codes[0] = count
        return size

    def packed(self) -> tuple:
        """The columns the aliases are made of, in the order :meth:`columns` takes them after the
        class and the type names (``words`` last)."""
        return (self._entries.base, self._types.base, self._langs.base, self._lang_names, self._names, self._keys,
                self._trusts.base, self._lengths.base, self._refs.base, self._heard, self._heard_counts.base,
                self._titles.base, self._words)

    def __reduce__(self):
        # a pickle (the Spark broadcast, batch workers) carries the columns, not every alias made
        *columns, words = self.packed()
        return _columns, (self._alias, self._type_names, *map(_owned, columns), words)

    @property
    def entry_numbers(self):
        """Each alias's entry number (Alias.entry), an array, read without making the aliases."""
        return self._entries.base

    @property
    def keys(self):
        """Each alias's exact key (Alias.key), read without making the aliases."""
        return self._keys

    @property
    def type_codes(self):
        """Each alias's type code (its type's place in ``type_names``), one byte per alias."""
        return self._types.base

    @property
    def word_counts(self):
        """Each alias's number of words, one byte per alias."""
        return self._lengths.base


def _columns(*args):
    return Aliases.columns(*args)


cdef class TextColumn:
    """Strings added one at a time, kept as :class:`Texts` keeps them (their UTF-8 on one array,
    and where each ends): a column of an index as it is built, no str object kept per item."""
    cdef array _text, _ends

    def __init__(self):
        self._text, self._ends = array("B"), array(_U32)

    cdef int add(self, str s) except -1:
        cdef unsigned char buf[_SHORT * 4]
        cdef const unsigned char *p
        cdef Py_ssize_t n, a = len(self._text)
        cdef bytes raw = _utf8_view(s, buf, &p, &n)
        if a + n > 0xFFFFFFFFU:
            raise ValueError("a column of more than 4 GB of text")
        resize_smart(self._text, a + n)
        memcpy(self._text.data.as_chars + a, p, n)
        _push(self._ends, a + n)
        return 0

    cdef int copy(self, Texts t, Py_ssize_t first, Py_ssize_t last) except -1:
        """Add strings ``first`` to ``last`` (not included) of ``t``, as their bytes."""
        cdef Py_ssize_t a = len(self._text), e0 = len(self._ends), i
        cdef uint32_t b0 = t._start(first) if last > first else 0
        cdef Py_ssize_t size = (t._e[last - 1] - b0) if last > first else 0
        if a + size > 0xFFFFFFFFU:
            raise ValueError("a column of more than 4 GB of text")
        resize_smart(self._text, a + size)
        if size:
            memcpy(self._text.data.as_chars + a, t._t + b0, size)
        resize_smart(self._ends, e0 + last - first)
        cdef uint32_t *e = _u32(self._ends)
        for i in range(first, last):
            e[e0 + i - first] = a + t._e[i] - b0
        return 0

    cdef str get(self, Py_ssize_t i):
        cdef const uint32_t *e = _u32(self._ends)
        cdef uint32_t a = _start(e, i)
        return PyUnicode_DecodeUTF8(self._text.data.as_chars + a, e[i] - a, "surrogatepass")

    cdef Texts texts(self):
        return Texts(self._text, self._ends)


cdef class WordColumns:
    """Word profiles (``entityres.text.similarity.Word``) packed as an index is built, in the
    columns :class:`Words` reads (``Index._encode``'s): what a build keeps of each word, instead
    of the word. At 100,000 entries the words were a third of an index built in memory."""
    cdef TextColumn _texts, _surfaces, _keys, _codes
    cdef list _parts, _key_slots
    cdef dict _slots  # each vowel slot tuple once: 150,000 keys have 14,000 distinct
    cdef array _weights, _costs, _key_counts, _code_counts, _key_firsts, _code_firsts  # firsts: where a word's begin
    cdef Py_ssize_t _n_codes
    cdef bytearray _arabic

    def __init__(self):
        self._texts, self._surfaces, self._keys, self._codes = TextColumn(), TextColumn(), TextColumn(), TextColumn()
        self._parts, self._key_slots, self._slots = [], [], {}
        self._weights, self._costs, self._key_counts, self._code_counts = (array(_U32), array(_U32), array(_U32),
                                                                           array(_U32))
        self._key_firsts, self._code_firsts = array(_U32), array(_U32)
        self._arabic = bytearray()

    def add(self, w) -> int:
        """Pack ``w`` (a Word); its number, counted from 0."""
        if not isinstance(w, tuple) or len(<tuple> w) < 8:
            raise TypeError("add: a Word")
        cdef tuple word = <tuple> w
        cdef Py_ssize_t n = len(self._weights)
        cdef tuple keys = word[1], codes = word[2], slots = word[7]
        if len(keys) != len(slots):
            raise ValueError("add: a word has one vowel slot tuple per key")
        _push(self._key_firsts, len(self._costs))
        _push(self._code_firsts, self._n_codes)
        self._texts.add(word[0])
        self._surfaces.add(word[5])
        self._parts.append(word[6])
        _push(self._weights, word[3])
        self._arabic.append(1 if word[4] else 0)
        for key in keys:
            self._keys.add((<tuple?> key)[0])
            _push(self._costs, key[1])
        _push(self._key_counts, len(keys))
        for s in slots:
            self._key_slots.append(self._slots.setdefault(s, s))
        for c in codes:
            self._codes.add(c)
        _push(self._code_counts, len(codes))
        self._n_codes += len(codes)
        return n

    def __len__(self):
        return len(self._weights)

    def extend(self, Words words) -> int:
        """Add every word of ``words`` as its columns hold it, none made; the number of the first."""
        cdef Py_ssize_t first = len(self._weights), n = words._n, i, k0 = len(self._costs)
        cdef const uint32_t *key_ends = _u32(words._key_ends)
        cdef const uint32_t *code_ends = _u32(words._code_ends)
        if first + n > 0xFFFFFFFFU or k0 + _start(key_ends, n) > 0xFFFFFFFFU or self._n_codes + _start(code_ends, n) > 0xFFFFFFFFU:
            raise ValueError("extend: more than 2 ** 32 words, keys or codes")
        cdef const uint32_t *costs = _at(words._costs) if words._costs.shape[0] else NULL
        for column, source in ((self._texts, words._texts), (self._surfaces, words._surfaces),
                               (self._keys, words._keys), (self._codes, words._codes)):
            (<TextColumn> column).copy(<Texts> source, 0, len(source))
        self._parts.extend(words._parts)
        for i in range(n):
            _push(self._weights, _at(words._weights)[i])
            self._arabic.append(words._arabic[i])
            _push(self._key_firsts, k0 + _start(key_ends, i))
            _push(self._key_counts, key_ends[i] - _start(key_ends, i))
            _push(self._code_firsts, self._n_codes + _start(code_ends, i))
            _push(self._code_counts, code_ends[i] - _start(code_ends, i))
        for i in range(words._costs.shape[0]):
            _push(self._costs, costs[i])
        for x in words._key_slots:
            self._key_slots.append(self._slots.setdefault(x, x))
        self._n_codes += _start(code_ends, n)
        return first

    cdef Py_ssize_t _number(self, Py_ssize_t n) except -1:
        if not 0 <= n < len(self._weights):
            raise IndexError(f"no word {n} of {len(self._weights)}")
        return n

    def cheap_key_slots(self, Py_ssize_t n, long max_cost) -> tuple:
        """``(key, cost, slots)`` of word ``n``'s keys with their vowel slots, those of at most
        ``max_cost`` second choices: what a pair of words is posted under
        (``index.pair_blocking_keys``), read again from the columns for each pair the word is in."""
        cdef Py_ssize_t j, a = _u32(self._key_firsts)[self._number(n)]
        cdef const uint32_t *costs = _u32(self._costs)
        out = []
        for j in range(a, a + _u32(self._key_counts)[n]):
            if costs[j] <= max_cost:
                out.append((self._keys.get(j), costs[j], self._key_slots[j]))
        return tuple(out)

    def codes(self, Py_ssize_t n, Py_ssize_t most) -> tuple:
        """The first ``most`` codes of word ``n`` (``Word.codes``), read from the columns."""
        cdef Py_ssize_t j, a = _u32(self._code_firsts)[self._number(n)]
        return tuple([self._codes.get(j) for j in range(a, a + min(most, <Py_ssize_t> _u32(self._code_counts)[n]))])

    def words(self, word) -> Words:
        """The words packed, as :class:`Words` of the class ``word``; the columns are handed over
        (no word can be added after)."""
        return Words(word, self._texts.texts(), self._surfaces.texts(), self._parts, self._weights, bytes(self._arabic),
                     self._keys.texts(), self._costs, self._key_counts, self._key_slots, self._codes.texts(),
                     self._code_counts)


cdef class AliasColumns:
    """Aliases packed as an index is built, in the columns :meth:`Aliases.columns` takes: the
    words of each by their numbers (:class:`WordColumns`), its trust as the build found it
    (:meth:`scale` divides it later)."""
    cdef array _entries, _langs, _refs, _trusts
    cdef bytearray _types, _lengths, _heard_counts, _titles
    cdef dict _lang_numbers
    cdef TextColumn _names, _keys, _heard

    def __init__(self):
        self._entries, self._langs, self._refs, self._trusts = array(_U32), array(_U32), array(_U32), array("d")
        self._types, self._lengths, self._heard_counts, self._titles = bytearray(), bytearray(), bytearray(), bytearray()
        self._lang_numbers = {}
        self._names, self._keys, self._heard = TextColumn(), TextColumn(), TextColumn()

    def add(self, entry, type_code, lang, str name, str key, double trust, refs, heard, title) -> int:
        """Pack an alias: entry number, type code, language (a str or None), name, exact key, trust,
        its words' numbers, the codes heard and how many of its first words are a title; its
        number, counted from 0."""
        cdef Py_ssize_t n = len(self._entries)
        cdef list words = list(refs), codes = list(heard)
        if len(words) > 255 or len(codes) > 255:
            raise ValueError("add: more than 255 words or codes")
        if not 0 <= title < max(len(words), 1):
            raise ValueError(f"add: a title of {title} words in an alias of {len(words)}")
        _push(self._entries, entry)
        self._types.append(type_code)
        _push(self._langs, self._lang_numbers.setdefault(lang, len(self._lang_numbers)))
        self._names.add(name)
        self._keys.add(key)
        self._trusts.append(trust)
        for r in words:
            _push(self._refs, r)
        for c in codes:
            self._heard.add(c)
        self._lengths.append(len(words))
        self._heard_counts.append(len(codes))
        self._titles.append(title)
        return n

    def __len__(self):
        return len(self._entries)

    def add_from(self, Aliases aliases, i, Py_ssize_t shift=0, trust=None) -> int:
        """Add alias ``i`` of ``aliases`` as its columns hold it, none made, its words' numbers
        moved by ``shift``, its trust ``trust`` (else its own); its number, counted from 0."""
        cdef Py_ssize_t k = _position(i, aliases._n, "alias"), n = len(self._entries), r
        cdef const uint32_t *word_ends = _u32(aliases._word_ends)
        cdef const uint32_t *heard_ends = _u32(aliases._heard_ends)
        cdef const uint32_t *refs = _at(aliases._refs)
        for r in range(_start(word_ends, k), word_ends[k]):
            if not 0 <= refs[r] + shift <= 0xFFFFFFFFU:
                raise ValueError(f"add_from: word {refs[r]} moved by {shift} is no 32-bit number")
        _push(self._entries, _at(aliases._entries)[k])
        self._types.append(aliases._types[k])
        lang = aliases._lang_names[_at(aliases._langs)[k]]
        _push(self._langs, self._lang_numbers.setdefault(lang, len(self._lang_numbers)))
        self._names.copy(aliases._names, k, k + 1)
        self._keys.copy(aliases._keys, k, k + 1)
        self._trusts.append(aliases._trusts[k] if trust is None else <double> trust)
        for r in range(_start(word_ends, k), word_ends[k]):
            _push(self._refs, refs[r] + shift)
        self._heard.copy(aliases._heard, _start(heard_ends, k), heard_ends[k])
        self._lengths.append(aliases._lengths[k])
        self._heard_counts.append(aliases._heard_counts[k])
        self._titles.append(aliases._titles[k])
        return n

    def most_trusted(self, double other_than):
        """The highest trust but ``other_than``'s, or None when there is none."""
        cdef double t, top = -1.0
        cdef bint found = False
        for t in self._trusts:
            if t != other_than and (not found or t > top):
                top, found = t, True
        return top if found else None

    def scale(self, double scale) -> None:
        """Each trust as ``min(1.0, trust / scale)``, in place (``Index._compile``)."""
        cdef Py_ssize_t i
        cdef double *t = self._trusts.data.as_doubles
        for i in range(len(self._trusts)):
            t[i] = min(1.0, t[i] / scale)

    def aliases(self, alias, tuple type_names, words) -> Aliases:
        """The aliases packed, as :class:`Aliases` of the class ``alias`` whose words are ``words``;
        the columns are handed over (no alias can be added after)."""
        return Aliases.columns(alias, type_names, self._entries, bytes(self._types), self._langs,
                               tuple(self._lang_numbers), self._names.texts(), self._keys.texts(), self._trusts,
                               bytes(self._lengths), self._refs, self._heard.texts(), bytes(self._heard_counts),
                               bytes(self._titles), words)


def alias_walks(list forms, list segs, starts, exact, prefixes):
    """The aliases that begin at each token of ``starts`` and go on through later tokens of its
    segment (``segs``), read from each token's forms (``forms[i]``: tuples ``(key, start, end,
    cost, starts_only, ends_only)``) joined by spaces: ``(i, j, first form, last form, cost,
    key, exact[key])`` for each key in ``exact`` (a map), going on while the key is in
    ``prefixes``; a form that only starts a name is not read after the first token, one that only
    ends it ends the walk. In the order a depth-first walk over the forms meets them.
    ValueError when ``segs`` is shorter than ``forms`` or a start is not a token."""
    cdef Py_ssize_t n = len(forms)
    cdef list out = []
    if len(segs) < n:
        raise ValueError(f"alias_walks: {len(segs)} segments for {n} tokens")
    for i in starts:
        if not 0 <= i < n:
            raise ValueError(f"alias_walks: no token {i} of {n}")
        _walk(forms, segs, exact, prefixes, i, i, "", 0.0, None, out)
    return out


cdef void _walk(list forms, list segs, exact, prefixes, Py_ssize_t i, Py_ssize_t j, str key, double cost,
                object first, list out) except *:
    cdef tuple form
    cdef str k
    cdef double c
    for f in forms[j]:
        if not isinstance(f, tuple) or len(<tuple> f) < 6:
            raise TypeError(f"alias_walks: a form is a tuple of 6 items, not {f!r}")
        form = <tuple> f
        if j > i and form[4]:
            continue
        k = key + " " + <str?> form[0] if key else <str?> form[0]
        c = cost + <double> form[3]
        if k in exact:
            out.append((i, j, form if first is None else first, form, c, k, exact[k]))
        if k in prefixes and not form[5] and j + 1 < len(forms) and segs[j + 1] == segs[i]:
            _walk(forms, segs, exact, prefixes, i, j + 1, k, c, form if first is None else first, out)
