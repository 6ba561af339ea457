# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled inner loops of the scorer and the matcher's blocking, on plain strings and tuples.

The rules stay in Python and YAML: every cost comes in as data (:class:`CostTable`), and each
function here computes exactly what the readable Python it replaces computed, to the last bit
(tests/test_kernels.py compares them). Arithmetic is done in the same order as that Python, so
scores, and hence rankings and ties, do not move.
"""
from cpython.array cimport array, clone
from cpython.dict cimport PyDict_GetItem
from cpython.long cimport PyLong_FromVoidPtr
from cpython.mem cimport PyMem_Calloc, PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.ref cimport Py_DECREF, Py_INCREF, PyObject
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM
from libc.math cimport INFINITY, fabs, log
from libc.stdint cimport int32_t, int64_t, uint32_t, uint64_t
from libc.stdlib cimport qsort
from libc.string cimport memcmp, memcpy, memset

from entityres._hints cimport entityres_read_ahead, scratch, settle, ucs4_str

from rapidfuzz.distance import Levenshtein as _Levenshtein
from cpython.unicode cimport (Py_UNICODE_ISALNUM, Py_UNICODE_ISUPPER, PyUnicode_1BYTE_KIND, PyUnicode_DATA,
                              PyUnicode_DecodeUTF8,
                              PyUnicode_GET_LENGTH, PyUnicode_KIND, PyUnicode_READ, PyUnicode_READ_CHAR, PyUnicode_Substring,
                              PyUnicode_Tailmatch)


cdef extern from "Python.h":
    ctypedef struct _Type "PyTypeObject":  # only the slot a tuple subclass's instances are made by
        PyObject *(*tp_alloc)(_Type *, Py_ssize_t)


cdef enum:
    TABLE = 128  # classes are ASCII letters; other characters take the default costs
    STACK = 64  # strings up to about this long use buffers on the stack
    EDGE_RULES = 16  # rules of each kind of edge (written_for, consonant_of) at most (VowelRules)
    SEEN_SLOTS = 4096  # vowel slots whose costs VowelRules keeps, and costs kept for each (_seen_cost)

# A bound is worked out in another order of operations than the score it bounds: what it rules out
# is left out only when the bound is this far below what it must reach.
cdef double BOUND_SLACK = 1e-9


cdef class CostTable:
    """Deletion weights per class and substitution costs between classes, as C arrays.

    ``weights``: class → cost of inserting or deleting it (default 1.0); ``swap``: class → class →
    cost of substituting one for the other (default 0.0 for a class and itself, else 1.0).
    """

    cdef double weight[TABLE]
    cdef double swap[TABLE][TABLE]
    cdef bint balanced  # no substitution costs less than its classes' weights differ (see _length_bound)

    def __init__(self, dict weights, dict swap):
        cdef int a, b
        for a in range(TABLE):
            self.weight[a] = 1.0
            for b in range(TABLE):
                self.swap[a][b] = 0.0 if a == b else 1.0
        for c, w in weights.items():
            self.weight[_ascii(c)] = w
        for c, row in swap.items():
            for d, cost in row.items():
                self.swap[_ascii(c)][_ascii(d)] = cost
        self.balanced = True
        for a in range(TABLE):  # other characters weigh 1 and cost 1 to substitute
            if not 0.0 <= self.weight[a] <= 2.0:
                self.balanced = False
            for b in range(TABLE):
                if self.swap[a][b] < fabs(self.weight[a] - self.weight[b]):
                    self.balanced = False


cdef int _ascii(str c) except -1:
    if len(c) != 1 or ord(c) >= TABLE:
        raise ValueError(f"cost table classes must be single ASCII characters, not {c!r}")
    return ord(c)


cdef inline double _weight(CostTable t, Py_UCS4 c) noexcept:
    return t.weight[c] if c < TABLE else 1.0


cdef inline double _swap(CostTable t, Py_UCS4 a, Py_UCS4 b) noexcept:
    if a < TABLE and b < TABLE:
        return t.swap[a][b]
    return 0.0 if a == b else 1.0


cdef inline double _distance(CostTable t, const Py_UCS4 *x, const double *wx, Py_ssize_t n,
                             const Py_UCS4 *y, const double *wy, Py_ssize_t m, double *prev, double *cur) noexcept:
    """The weighted edit distance of ``x`` and ``y``; ``prev`` holds the first row (the running sums
    of ``wy``) on entry, ``prev`` and ``cur`` have room for m + 1 cells each."""
    cdef Py_ssize_t i, j
    cdef double wa, cell, sub
    cdef double *row
    for i in range(n):
        wa = wx[i]
        cur[0] = prev[0] + wa
        for j in range(m):
            cell = prev[j] + _swap(t, x[i], y[j])
            sub = prev[j + 1] + wa
            if sub < cell:
                cell = sub
            sub = cur[j] + wy[j]
            if sub < cell:
                cell = sub
            cur[j + 1] = cell
        row = prev
        prev = cur
        cur = row
    return prev[m]


cdef double _weighted_similarity(str x, str y, CostTable t) except -1.0:
    """1 - weighted edit distance / the heavier string's total weight, at least 0."""
    if x == y:
        return 1.0
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(x), m = PyUnicode_GET_LENGTH(y), i, j
    # doubles: two rows, the weights of y and of x; then the characters of x and y
    cdef double stack[(STACK + 1) * 6]
    cdef Py_ssize_t cells = 3 * m + 2 + n
    cdef double *prev = <double *> scratch(stack, sizeof(stack), cells * sizeof(double) + (n + m) * sizeof(Py_UCS4))
    cdef double *cur = prev + m + 1
    cdef double *wy = cur + m + 1
    cdef double *wx = wy + m
    cdef Py_UCS4 *cx = <Py_UCS4 *> (prev + cells)
    cdef Py_UCS4 *cy = cx + n
    cdef double *buffer = prev
    cdef double best, sum_x = 0.0, sum_y = 0.0, total
    try:
        prev[0] = 0.0
        for j in range(m):
            cy[j] = PyUnicode_READ_CHAR(y, j)
            wy[j] = _weight(t, cy[j])
            prev[j + 1] = prev[j] + wy[j]
            sum_y += wy[j]
        for i in range(n):
            cx[i] = PyUnicode_READ_CHAR(x, i)
            wx[i] = _weight(t, cx[i])
            sum_x += wx[i]
        total = sum_x if sum_x >= sum_y else sum_y
        # As the Python did: a zero total (two empty keys) is a ZeroDivisionError there.
        if total == 0.0:
            raise ZeroDivisionError("float division by zero")
        best = 1.0 - _distance(t, cx, wx, n, cy, wy, m, prev, cur) / total
        return best if best > 0.0 else 0.0
    finally:
        if buffer != stack:
            PyMem_Free(buffer)


def weighted_similarity(str x, str y, CostTable table) -> float:
    """Similarity of two keys in [0, 1] by the weighted edit distance of ``table``."""
    return _weighted_similarity(x, y, table)


# Bit-parallel distances (one machine word holds the whole shorter string): the pattern's
# positions of each ASCII character, then one step per character of the other string.
cdef bint _pattern(str x, uint64_t *pm) noexcept:
    """Set in ``pm`` (TABLE words, all zero) ``x``'s positions per character; False, ``pm`` left
    all zero, when ``x`` does not fit (longer than 64, or not ASCII), and the caller takes the
    dynamic programme. :func:`_unpattern` makes ``pm`` all zero again for the next string: a
    word's few keys and codes clear a few words, not the whole table each."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(x), i
    cdef Py_UCS4 c
    if n > 64:
        return False
    for i in range(n):
        c = PyUnicode_READ_CHAR(x, i)
        if c >= TABLE:
            _unpattern(x, pm)
            return False
        pm[c] |= (<uint64_t> 1) << i
    return True


cdef inline void _unpattern(str x, uint64_t *pm) noexcept:
    """``pm`` all zero again after :func:`_pattern` of ``x``."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(x), i
    cdef Py_UCS4 c
    for i in range(n if n < 64 else 64):
        c = PyUnicode_READ_CHAR(x, i)
        if c < TABLE:
            pm[c] = 0


cdef inline Py_ssize_t _popcount(uint64_t x) noexcept:
    x = x - ((x >> 1) & 0x5555555555555555ULL)
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL)
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL
    return <Py_ssize_t> ((x * 0x0101010101010101ULL) >> 56)


cdef inline uint64_t _match(const uint64_t *pm, Py_UCS4 c) noexcept:
    return pm[c] if c < TABLE else 0


cdef Py_ssize_t _lcs_bits(const uint64_t *pm, Py_ssize_t n, int kind, const void *y, Py_ssize_t m) noexcept:
    """Length of the longest common subsequence (Hyyrö 2004) of the pattern and ``y``, ``m``
    characters of a string's ``kind`` (ASCII bytes are of the 1-byte kind)."""
    cdef uint64_t v = ~(<uint64_t> 0), u
    cdef Py_ssize_t j
    for j in range(m):
        u = v & _match(pm, PyUnicode_READ(kind, y, j))
        v = (v + u) | (v - u)
    if n < 64:
        v |= ~(((<uint64_t> 1) << n) - 1)
    return _popcount(~v)


cdef Py_ssize_t _levenshtein_bits(const uint64_t *pm, Py_ssize_t n, str y) noexcept:
    """Unit-cost edit distance (Myers 1999, Hyyrö 2003) of the pattern (length ``n``) and ``y``."""
    cdef Py_ssize_t m = PyUnicode_GET_LENGTH(y), j, dist = n
    cdef uint64_t vp = ~(<uint64_t> 0), vn = 0, x, d0, hp, hn, last
    if n == 0:
        return m
    last = (<uint64_t> 1) << (n - 1)
    for j in range(m):
        x = _match(pm, PyUnicode_READ_CHAR(y, j))
        d0 = (((x & vp) + vp) ^ vp) | x | vn
        hp = vn | ~(d0 | vp)
        hn = d0 & vp
        if hp & last:
            dist += 1
        elif hn & last:
            dist -= 1
        hp = (hp << 1) | 1
        hn = hn << 1
        vp = hn | ~(d0 | hp)
        vn = hp & d0
    return dist


cdef double _levenshtein_similarity(str x, str y) except -1.0:
    """rapidfuzz's Levenshtein.normalized_similarity (unit costs): 1 - distance / longer length."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(x), m = PyUnicode_GET_LENGTH(y), i, j, longest
    cdef Py_ssize_t stack[(STACK + 1) * 3]
    cdef Py_ssize_t *prev
    cdef Py_ssize_t *cur
    cdef Py_ssize_t *buffer
    cdef Py_ssize_t best, other
    cdef Py_UCS4 a
    longest = n if n >= m else m
    if longest == 0:
        return 1.0
    buffer = prev = <Py_ssize_t *> scratch(stack, sizeof(stack), 2 * (m + 1) * sizeof(Py_ssize_t))
    cur = prev + m + 1
    try:
        for j in range(m + 1):
            prev[j] = j
        for i in range(n):
            a = PyUnicode_READ_CHAR(x, i)
            cur[0] = i + 1
            for j in range(m):
                best = prev[j] + (0 if a == PyUnicode_READ_CHAR(y, j) else 1)
                other = prev[j + 1] + 1
                if other < best:
                    best = other
                other = cur[j] + 1
                if other < best:
                    best = other
                cur[j + 1] = best
            prev, cur = cur, prev
        return 1.0 - <double> prev[m] / <double> longest
    finally:
        if buffer != stack:
            PyMem_Free(buffer)


def best_key_similarity(tuple a, tuple b, Py_ssize_t max_keys, Py_ssize_t shortlist, double penalty,
                        CostTable table) -> float:
    """Best ``weighted similarity - penalty * (cost a + cost b)`` over pairs of ``(key, cost)``, at least 0.

    The pairs are those of the first ``max_keys`` keys of ``a`` and of ``b``, in that order; with
    ``shortlist`` (and more pairs than that), only the ``shortlist`` pairs best by plain Levenshtein
    similarity less the same penalty, earlier pairs first on ties.
    """
    return _best_key_similarity(a, b, max_keys, shortlist, penalty, table)


cdef double _best_key_similarity(tuple a, tuple b, Py_ssize_t max_keys, Py_ssize_t shortlist, double penalty,
                                 CostTable table) except -1.0:
    """As :func:`best_key_similarity`."""
    cdef Py_ssize_t na = min(len(a), max_keys), nb = min(len(b), max_keys), n = na * nb, k
    cdef double best = 0.0, s
    cdef Py_ssize_t stack[STACK]
    cdef Py_ssize_t *picks
    if n == 0:
        return 0.0
    if shortlist == 0 or n <= shortlist:
        return _all_key_pairs(a, b, na, nb, penalty, table)
    picks = <Py_ssize_t *> scratch(stack, sizeof(stack), shortlist * sizeof(Py_ssize_t))
    try:
        _shortlist(a, b, na, nb, shortlist, penalty, picks)
        for k in range(shortlist):
            ka, ca = a[picks[k] // nb]
            kb, cb = b[picks[k] % nb]
            s = _weighted_similarity(ka, kb, table) - penalty * <double> (<long> ca + <long> cb)
            if s > best:
                best = s
        return best
    finally:
        if picks != stack:
            PyMem_Free(picks)


cdef int _shortlist(tuple a, tuple b, Py_ssize_t na, Py_ssize_t nb, Py_ssize_t shortlist, double penalty,
                    Py_ssize_t *picks) except -1:
    """The ``shortlist`` pairs (``i * nb + j``: key i of ``a``, j of ``b``) best by plain
    Levenshtein similarity less ``penalty`` per second-choice cost, best first, earlier pairs first
    on ties, into ``picks``; ``shortlist`` is less than the ``na * nb`` pairs."""
    cdef Py_ssize_t n = na * nb, i, j, k, pick, longest
    cdef double s, top
    cdef uint64_t pm[TABLE]
    cdef bint fits
    cdef str ka, kb
    cdef double *rough = <double *> PyMem_Malloc(n * sizeof(double))
    cdef char *taken = <char *> PyMem_Malloc(n)
    if rough == NULL or taken == NULL:
        PyMem_Free(rough); PyMem_Free(taken)
        raise MemoryError()
    memset(pm, 0, sizeof(pm))
    try:
        for i in range(na):
            ka, ca = a[i]
            fits = _pattern(ka, pm)
            for j in range(nb):
                kb, cb = b[j]
                if fits:
                    longest = max(PyUnicode_GET_LENGTH(ka), PyUnicode_GET_LENGTH(kb))
                    s = 1.0 if longest == 0 else \
                        1.0 - <double> _levenshtein_bits(pm, PyUnicode_GET_LENGTH(ka), kb) / <double> longest
                else:
                    s = _levenshtein_similarity(ka, kb)
                rough[i * nb + j] = s - penalty * <double> (<long> ca + <long> cb)
                taken[i * nb + j] = 0
            _unpattern(ka, pm)
        for k in range(shortlist):
            pick = -1
            for i in range(n):
                if not taken[i] and (pick < 0 or rough[i] > top):
                    pick, top = i, rough[i]
            taken[pick] = 1
            picks[k] = pick
        return 0
    finally:
        PyMem_Free(rough); PyMem_Free(taken)


def closest_key_pairs(tuple a, tuple b, Py_ssize_t max_keys, Py_ssize_t n, double penalty) -> list:
    """The ``(key, cost, key, cost)`` pairs of the first ``max_keys`` keys of ``a`` and of ``b``, in
    that order; with ``n`` (and more pairs than that), only the ``n`` best by plain Levenshtein
    similarity less ``penalty`` per second-choice cost, best first (the pairs
    :func:`best_key_similarity` shortlists)."""
    cdef Py_ssize_t na = min(len(a), max_keys), nb = min(len(b), max_keys), i, j, k
    cdef Py_ssize_t stack[STACK]
    cdef Py_ssize_t *picks
    if n < 0 or max_keys < 0:
        raise ValueError("n and max_keys must not be negative")
    if n == 0 or na * nb <= n:
        return [(*(<tuple?> a[i]), *(<tuple?> b[j])) for i in range(na) for j in range(nb)]
    picks = <Py_ssize_t *> scratch(stack, sizeof(stack), n * sizeof(Py_ssize_t))
    try:
        _shortlist(a, b, na, nb, n, penalty, picks)
        return [(*(<tuple?> a[picks[k] // nb]), *(<tuple?> b[picks[k] % nb])) for k in range(n)]
    finally:
        if picks != stack:
            PyMem_Free(picks)


cdef struct _Keys:
    Py_ssize_t *start  # key i's classes are codes[start[i]:start[i + 1]]
    long *cost
    Py_UCS4 *codes
    double *weight  # per class
    double *running  # per key, its length + 1 running sums of weights (the first row of the distance)


cdef int _read_keys(tuple keys, Py_ssize_t n, CostTable t, _Keys *out) except -1:
    """The first ``n`` ``(key, cost)`` pairs of ``keys`` as arrays (freed by :func:`_free_keys`)."""
    cdef Py_ssize_t i, p, size = 0, at
    cdef str k
    for i in range(n):
        size += PyUnicode_GET_LENGTH(<str> (<tuple> keys[i])[0])
    out.start = <Py_ssize_t *> PyMem_Malloc((n + 1) * sizeof(Py_ssize_t))
    out.cost = <long *> PyMem_Malloc((n + 1) * sizeof(long))
    out.codes = <Py_UCS4 *> PyMem_Malloc((size + 1) * sizeof(Py_UCS4))
    out.weight = <double *> PyMem_Malloc((size + 1) * sizeof(double))
    out.running = <double *> PyMem_Malloc((size + n + 1) * sizeof(double))
    if not (out.start and out.cost and out.codes and out.weight and out.running):
        raise MemoryError()
    out.start[0] = 0
    for i in range(n):
        k, c = keys[i]
        out.cost[i] = c
        at = out.start[i]
        out.running[at + i] = 0.0
        for p in range(PyUnicode_GET_LENGTH(k)):
            out.codes[at + p] = PyUnicode_READ_CHAR(k, p)
            out.weight[at + p] = _weight(t, out.codes[at + p])
            out.running[at + i + p + 1] = out.running[at + i + p] + out.weight[at + p]
        out.start[i + 1] = at + PyUnicode_GET_LENGTH(k)
    return 0


cdef void _free_keys(_Keys *k) noexcept:
    PyMem_Free(k.start); PyMem_Free(k.cost); PyMem_Free(k.codes); PyMem_Free(k.weight); PyMem_Free(k.running)


cdef double _all_key_pairs(tuple a, tuple b, Py_ssize_t na, Py_ssize_t nb, double penalty, CostTable t) except -1.0:
    """:func:`best_key_similarity` over every pair: :func:`_weighted_similarity`'s arithmetic, in its
    order, on each key read once; a pair is skipped when even similarity 1 could not beat the best."""
    cdef _Keys ka, kb
    cdef Py_ssize_t i, j, jj, n, m, longest = 0
    cdef double best = 0.0, s, total, sum_x, sum_y
    cdef const Py_UCS4 *x
    cdef const Py_UCS4 *y
    cdef const double *wy
    cdef double *work = NULL
    memset(&ka, 0, sizeof(ka))
    memset(&kb, 0, sizeof(kb))
    try:
        _read_keys(a, na, t, &ka)
        _read_keys(b, nb, t, &kb)
        for j in range(nb):
            if kb.start[j + 1] - kb.start[j] > longest:
                longest = kb.start[j + 1] - kb.start[j]
        work = <double *> PyMem_Malloc(2 * (longest + 1) * sizeof(double))
        if work == NULL:
            raise MemoryError()
        for i in range(na):
            x, n = ka.codes + ka.start[i], ka.start[i + 1] - ka.start[i]
            sum_x = ka.running[ka.start[i] + i + n]
            for j in range(nb):
                y, m = kb.codes + kb.start[j], kb.start[j + 1] - kb.start[j]
                wy = kb.weight + kb.start[j]
                sum_y = kb.running[kb.start[j] + j + m]
                if n == m and memcmp(x, y, n * sizeof(Py_UCS4)) == 0:
                    s = 1.0
                else:
                    total = sum_x if sum_x >= sum_y else sum_y
                    if total == 0.0:  # as _weighted_similarity
                        raise ZeroDivisionError("float division by zero")
                    if 1.0 - penalty * <double> (ka.cost[i] + kb.cost[j]) <= best:
                        continue  # even similarity 1 would not beat the best
                    for jj in range(m + 1):
                        work[jj] = kb.running[kb.start[j] + j + jj]
                    s = 1.0 - _distance(t, x, ka.weight + ka.start[i], n, y, wy, m, work, work + longest + 1) / total
                    if not s > 0.0:
                        s = 0.0
                s = s - penalty * <double> (ka.cost[i] + kb.cost[j])
                if s > best:
                    best = s
        return best
    finally:
        _free_keys(&ka)
        _free_keys(&kb)
        PyMem_Free(work)


cdef Py_ssize_t _lcs_length(str x, str y) except -1:
    """Length of the longest common subsequence of ``x`` and ``y``."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(x), m = PyUnicode_GET_LENGTH(y), i, j
    cdef Py_ssize_t stack[(STACK + 1) * 3]
    cdef Py_ssize_t *prev
    cdef Py_ssize_t *cur
    cdef Py_ssize_t *buffer
    cdef Py_UCS4 a
    cdef int xkind = PyUnicode_KIND(x), ykind = PyUnicode_KIND(y)  # read once, not per character
    cdef void *xdata = PyUnicode_DATA(x)
    cdef void *ydata = PyUnicode_DATA(y)
    buffer = prev = <Py_ssize_t *> scratch(stack, sizeof(stack), 2 * (m + 1) * sizeof(Py_ssize_t))
    cur = prev + m + 1
    try:
        for j in range(m + 1):
            prev[j] = 0
        for i in range(n):
            a = PyUnicode_READ(xkind, xdata, i)
            cur[0] = 0
            for j in range(m):
                if a == PyUnicode_READ(ykind, ydata, j):
                    cur[j + 1] = prev[j] + 1
                else:
                    cur[j + 1] = prev[j + 1] if prev[j + 1] >= cur[j] else cur[j]
            prev, cur = cur, prev
        return prev[m]
    finally:
        if buffer != stack:
            PyMem_Free(buffer)


cdef double _indel_similarity(str x, str y) except -1.0:
    """rapidfuzz's Indel.normalized_similarity: 1 - (insertions + deletions) / total length."""
    cdef Py_ssize_t total = PyUnicode_GET_LENGTH(x) + PyUnicode_GET_LENGTH(y)
    if total == 0:
        return 1.0
    return 1.0 - <double> (total - 2 * _lcs_length(x, y)) / <double> total


def best_indel_similarity(tuple a, tuple b) -> float:
    """The best Indel.normalized_similarity between a string of ``a`` and one of ``b``."""
    return _best_indel_similarity(a, b)


cdef double _indel_from(str x, const uint64_t *pm, bint fits, str y) except -1.0:
    """:func:`_indel_similarity` of ``x`` and ``y``, bit-parallel when ``x`` fits its pattern ``pm``
    (:func:`_pattern`, made once for many ``y``)."""
    if not fits:
        return _indel_similarity(x, y)
    return _indel_bits(pm, PyUnicode_GET_LENGTH(x), PyUnicode_KIND(y), PyUnicode_DATA(y), PyUnicode_GET_LENGTH(y))


cdef inline double _indel_bits(const uint64_t *pm, Py_ssize_t n, int kind, const void *y, Py_ssize_t m) noexcept:
    """The Indel similarity of a pattern's string of ``n`` characters and ``y`` (:func:`_lcs_bits`)."""
    cdef Py_ssize_t total = n + m
    return 1.0 if total == 0 else 1.0 - <double> (total - 2 * _lcs_bits(pm, n, kind, y, m)) / <double> total


cdef double _best_indel_similarity(tuple a, tuple b) except -2.0:
    cdef double best = -1.0, s
    cdef str x, y
    cdef uint64_t pm[TABLE]
    cdef bint fits
    if not a or not b:
        raise ValueError("best_indel_similarity needs at least one string on each side")
    memset(pm, 0, sizeof(pm))
    for x in a:
        fits = _pattern(x, pm)
        for y in b:
            s = _indel_from(x, pm, fits, y)
            if s > best:
                best = s
        _unpattern(x, pm)
    return best


cdef struct _Text:
    double cost
    Py_UCS4 *chars
    Py_ssize_t n
    uint64_t hash  # FNV-1a of the characters


cdef inline uint64_t _fnv(uint64_t hash, const Py_UCS4 *chars, Py_ssize_t n) noexcept:
    cdef Py_ssize_t i
    for i in range(n):
        hash = (hash ^ <uint32_t> chars[i]) * 1099511628211ULL
    return hash


cdef inline int _compare_texts(const _Text *a, const _Text *b) noexcept nogil:
    """Two texts in Python's order of strings."""
    cdef Py_ssize_t i, m = a.n if a.n < b.n else b.n
    for i in range(m):
        if a.chars[i] != b.chars[i]:
            return -1 if a.chars[i] < b.chars[i] else 1
    return (a.n > b.n) - (a.n < b.n)


cdef inline int _compare_readings(const _Text *a, const _Text *b) noexcept:
    """As Python sorts ``(cost, text)`` pairs."""
    cdef int c = (a.cost > b.cost) - (a.cost < b.cost)
    return c if c else _compare_texts(a, b)


cdef inline Py_ssize_t _find(const Py_ssize_t *table, Py_ssize_t mask, const _Text *kept, const _Text *t) noexcept:
    """The place of ``table`` (a hash table of numbers of ``kept``, -1 for none; ``mask`` + 1 places,
    a power of two) that holds the text equal to ``t``, or the empty one where it goes."""
    cdef Py_ssize_t at = <Py_ssize_t> (t.hash & <uint64_t> mask)
    cdef const _Text *k
    while table[at] >= 0:
        k = &kept[table[at]]
        if k.hash == t.hash and k.n == t.n and memcmp(k.chars, t.chars, k.n * sizeof(Py_UCS4)) == 0:
            break
        at = (at + 1) & mask
    return at


cdef Py_ssize_t _distinct(_Text *x, Py_ssize_t n, Py_ssize_t *table, Py_ssize_t size) noexcept:
    """Keeps one entry a text, at its least cost, in the first places of ``x``; returns how many.
    ``table`` (``size`` places, a power of two above ``n``) is scratch for a hash table."""
    cdef Py_ssize_t i, at, u = 0
    memset(table, -1, size * sizeof(Py_ssize_t))
    for i in range(n):
        at = _find(table, size - 1, x, &x[i])
        if table[at] >= 0:
            if x[i].cost < x[table[at]].cost:
                x[table[at]].cost = x[i].cost
        else:
            table[at] = u
            x[u] = x[i]
            u += 1
    return u


cdef extern from *:
    """
    #if defined(_MSC_VER)
    #include <intrin.h>
    static __inline int entityres_ctz64(unsigned __int64 x) { unsigned long i; _BitScanForward64(&i, x); return (int) i; }
    #else
    #define entityres_ctz64(x) __builtin_ctzll(x)
    #endif
    """
    int entityres_ctz64(uint64_t x) noexcept nogil  # trailing zeros of x, not 0: the CPU's instruction


cdef struct _Ranked:
    double hit  # -(hit + exact bonus)
    Py_ssize_t gap
    int32_t alias


cdef int _compare_ranked(const void *x, const void *y) noexcept nogil:
    """As Python orders the tuples ``(hit, gap, alias)``."""
    cdef const _Ranked *a = <const _Ranked *> x
    cdef const _Ranked *b = <const _Ranked *> y
    if a.hit != b.hit:
        return -1 if a.hit < b.hit else 1
    if a.gap != b.gap:
        return -1 if a.gap < b.gap else 1
    return (a.alias > b.alias) - (a.alias < b.alias)


ctypedef fused _Ordered:
    double
    _Ranked


cdef inline bint _less(_Ordered a, _Ordered b) noexcept:
    if _Ordered is double:
        return a < b
    else:
        return _compare_ranked(&a, &b) < 0


cdef _Ordered _nth_smallest(_Ordered *x, Py_ssize_t n, Py_ssize_t k) noexcept:
    """The ``k``-th smallest of ``x`` (from 0), which it reorders so that the ``k`` before it come
    first (Hoare's selection)."""
    cdef Py_ssize_t lo = 0, hi = n - 1, i, j
    cdef _Ordered pivot, held
    while lo < hi:
        pivot = x[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while _less(x[i], pivot):
                i += 1
            while _less(pivot, x[j]):
                j -= 1
            if i <= j:
                held = x[i]
                x[i] = x[j]
                x[j] = held
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            break
    return x[k]


cdef void *_grow(void *memory, size_t size) except NULL:
    cdef void *out = PyMem_Realloc(memory, size if size > 0 else 1)
    if out == NULL:
        raise MemoryError()
    return out


cdef Py_ssize_t _read_texts(tuple texts, bint pairs, _Text *out, Py_UCS4 **chars) except -1:
    """Strings, or ``(string, cost)`` pairs (else a string costs its rank), as texts in one buffer
    (``*chars``, grown to fit); returns the longest length."""
    cdef Py_ssize_t i, j, total = 0, longest = 0
    cdef str text
    for i in range(len(texts)):
        total += PyUnicode_GET_LENGTH(<str> (texts[i][0] if pairs else texts[i]))
    chars[0] = <Py_UCS4 *> _grow(chars[0], total * sizeof(Py_UCS4))
    total = 0
    for i in range(len(texts)):
        text = <str> (texts[i][0] if pairs else texts[i])
        out[i].cost = <double> texts[i][1] if pairs else <double> i
        out[i].chars = chars[0] + total
        out[i].n = PyUnicode_GET_LENGTH(text)
        for j in range(out[i].n):
            out[i].chars[j] = PyUnicode_READ_CHAR(text, j)
        total += out[i].n
        longest = max(longest, out[i].n)
    return longest


def kbest_readings(list steps, Py_ssize_t width, Py_ssize_t k):
    """The ``k`` cheapest strings of a beam search, cheapest first (ties by string), empty ones left out.

    Each step is ``(gaps, options)``: the string so far, then a gap ``(text, cost)``, then an
    option, whose cost is its rank. After each step the ``width`` cheapest strings are kept.
    Strings are built in C buffers, and only the candidates up to a cost bound: the bound is the
    cost of the ``2 * width``-th cheapest candidate, raised until ``width`` different strings lie
    within it (a string's cheapest way to it is then among those built, so the beam is the same).
    """
    cdef _Text *beam = <_Text *> _grow(NULL, sizeof(_Text))
    cdef _Text *cand = NULL
    cdef _Text *gap = NULL
    cdef _Text *option = NULL
    cdef Py_UCS4 *beam_chars = NULL
    cdef Py_UCS4 *cand_chars = NULL
    cdef Py_UCS4 *gap_chars = NULL
    cdef Py_UCS4 *option_chars = NULL
    cdef Py_UCS4 *at
    cdef double *costs = NULL
    cdef Py_ssize_t *table = NULL
    cdef double bound, c
    cdef Py_ssize_t nb = 1, ng, no, n, i, b, g, r, m, u, want, longest, total, size
    cdef tuple gaps, options
    beam[0].cost, beam[0].chars, beam[0].n, beam[0].hash = 0.0, NULL, 0, 14695981039346656037ULL
    try:
        for gaps, options in steps:
            ng, no = len(gaps), len(options)
            n = nb * ng * no
            if n == 0:
                nb = 0
                continue
            gap = <_Text *> _grow(gap, ng * sizeof(_Text))
            option = <_Text *> _grow(option, no * sizeof(_Text))
            longest = _read_texts(gaps, True, gap, &gap_chars) + _read_texts(options, False, option, &option_chars)
            longest += max([beam[b].n for b in range(nb)])
            costs = <double *> _grow(costs, n * sizeof(double))
            i = 0
            for b in range(nb):
                for g in range(ng):
                    for r in range(no):
                        costs[i] = beam[b].cost + gap[g].cost + option[r].cost
                        i += 1
            want = max(2 * width, 1)
            while True:
                bound = _nth_smallest(costs, n, want - 1) if want < n else INFINITY
                m = 0
                for i in range(n):
                    m += costs[i] <= bound
                cand = <_Text *> _grow(cand, m * sizeof(_Text))
                cand_chars = <Py_UCS4 *> _grow(cand_chars, m * longest * sizeof(Py_UCS4))
                m = 0
                for b in range(nb):
                    for g in range(ng):
                        for r in range(no):
                            c = beam[b].cost + gap[g].cost + option[r].cost
                            if c > bound:
                                continue
                            at = cand_chars + m * longest
                            memcpy(at, beam[b].chars, beam[b].n * sizeof(Py_UCS4))
                            memcpy(at + beam[b].n, gap[g].chars, gap[g].n * sizeof(Py_UCS4))
                            memcpy(at + beam[b].n + gap[g].n, option[r].chars, option[r].n * sizeof(Py_UCS4))
                            cand[m].cost, cand[m].chars, cand[m].n = c, at, beam[b].n + gap[g].n + option[r].n
                            cand[m].hash = _fnv(_fnv(beam[b].hash, gap[g].chars, gap[g].n), option[r].chars, option[r].n)
                            m += 1
                size = 16
                while size < 2 * m:
                    size *= 2
                table = <Py_ssize_t *> _grow(table, size * sizeof(Py_ssize_t))
                u = _distinct(cand, m, table, size)
                if u >= width or want >= n:
                    break
                want *= 2
            _shell_sort(cand, u)
            nb = min(u, width)
            beam = <_Text *> _grow(beam, max(nb, 1) * sizeof(_Text))
            total = 0
            for b in range(nb):
                total += cand[b].n
            beam_chars = <Py_UCS4 *> _grow(beam_chars, total * sizeof(Py_UCS4))
            total = 0
            for b in range(nb):
                memcpy(beam_chars + total, cand[b].chars, cand[b].n * sizeof(Py_UCS4))
                beam[b] = cand[b]
                beam[b].chars = beam_chars + total
                total += cand[b].n
        return tuple([ucs4_str(beam[b].chars, beam[b].n) for b in range(min(nb, k)) if beam[b].n])
    finally:
        PyMem_Free(beam); PyMem_Free(cand); PyMem_Free(gap); PyMem_Free(option)
        PyMem_Free(beam_chars); PyMem_Free(cand_chars); PyMem_Free(gap_chars); PyMem_Free(option_chars)
        PyMem_Free(costs); PyMem_Free(table)


cdef struct _Unit:
    double score  # with lazy, a bound of the score, not yet worked out (_LazyUnits)
    int a0, a1, b0, b1  # positions in a and in b; a1, b1 -1 for a unit of one word
    bint lazy


cdef inline int _compare_positions(int x0, int x1, int y0, int y1) noexcept nogil:
    """The position tuples ``(x0[, x1])`` and ``(y0[, y1])`` in Python's order: -1, 0 or 1."""
    if x0 != y0:
        return -1 if x0 < y0 else 1
    if x1 == y1:
        return 0
    if x1 < 0 or y1 < 0:  # the shorter tuple first
        return -1 if x1 < 0 else 1
    return -1 if x1 < y1 else 1


cdef inline int _compare_units(const _Unit *a, const _Unit *b) noexcept nogil:
    """Higher similarity first (a bound before a score as high), then fewer words, then by positions
    (no two units share all, so any sort puts them in one order)."""
    cdef int na = 2 + (a.a1 >= 0) + (a.b1 >= 0), nb = 2 + (b.a1 >= 0) + (b.b1 >= 0), c
    if a.score != b.score:
        return -1 if a.score > b.score else 1
    if a.lazy != b.lazy:
        return -1 if a.lazy else 1
    if na != nb:
        return -1 if na < nb else 1
    c = _compare_positions(a.a0, a.a1, b.a0, b.a1)
    return c if c else _compare_positions(a.b0, a.b1, b.b0, b.b1)


ctypedef fused _Sorted:
    _Text
    _Unit


cdef inline bint _after(const _Sorted *a, const _Sorted *b) noexcept:
    if _Sorted is _Text:
        return _compare_readings(a, b) > 0
    else:
        return _compare_units(a, b) > 0


cdef void _shell_sort(_Sorted *x, Py_ssize_t n) noexcept:
    """Shell sort (Ciura's gaps): a beam's few dozen readings and an alignment's few dozen units sort
    faster inline than through qsort's calls of a comparison."""
    cdef Py_ssize_t[9] gaps = [1750, 701, 301, 132, 57, 23, 10, 4, 1]
    cdef Py_ssize_t g, gap, i, j
    cdef _Sorted held
    for g in range(9):
        gap = gaps[g]
        for i in range(gap, n):
            held = x[i]
            j = i
            while j >= gap and _after(&x[j - gap], &held):
                x[j] = x[j - gap]
                j -= gap
            x[j] = held


cdef inline tuple _positions(int x0, int x1):
    if x1 < 0:
        return (x0,)
    return (x0, x1)


cdef list _greedy(_Unit *units, Py_ssize_t n, double floor, unsigned char *used_a, Py_ssize_t n_a,
                  unsigned char *used_b, Py_ssize_t n_b, _LazyUnits lazy):
    """Units taken best first while none of their positions is taken and they reach ``floor``. A
    lazy unit is worked out when its bound comes first with its positions free, then goes to its
    place among the rest (its score is at most its bound): one whose positions are taken before
    then is never worked out, and the units taken are those a greedy of worked-out scores takes."""
    cdef Py_ssize_t k = 0, j
    cdef list out = []
    cdef _Unit u
    _shell_sort(units, n)
    memset(used_a, 0, n_a)
    memset(used_b, 0, n_b)
    while k < n:
        u = units[k]
        if u.score < floor:
            break
        if used_a[u.a0] or (u.a1 >= 0 and used_a[u.a1]) or used_b[u.b0] or (u.b1 >= 0 and used_b[u.b1]):
            k += 1
            continue
        if u.lazy:
            units[k].score, units[k].lazy = lazy.score(&units[k]), False
            if units[k].score < floor:
                k += 1
                continue
            j = k
            while j + 1 < n and _compare_units(&units[j], &units[j + 1]) > 0:
                units[j], units[j + 1] = units[j + 1], units[j]
                j += 1
            continue
        k += 1
        used_a[u.a0] = used_b[u.b0] = 1
        if u.a1 >= 0:
            used_a[u.a1] = 1
        if u.b1 >= 0:
            used_b[u.b1] = 1
        out.append((u.score, _positions(u.a0, u.a1), _positions(u.b0, u.b1)))
    return out


cdef int _check_shape(list scores, Py_ssize_t rows, Py_ssize_t cols) except -1:
    """ValueError unless ``scores`` has ``rows * cols`` items (``rows``, ``cols`` at least 1),
    checked so that the product cannot overflow: each is at most the count of scores."""
    if rows > len(scores) or cols > len(scores) or rows * cols != len(scores):
        raise ValueError(f"{rows} x {cols} scores expected, not {len(scores)}")
    return 0


cdef int _fill(_Unit *units, Py_ssize_t at, list scores, Py_ssize_t rows, Py_ssize_t cols, bint pair_in_a,
               bint pair_in_b, bint lazy, double floor) except -1:
    """Units of ``scores`` (row i, column j at ``i * cols + j``; with ``lazy``, bounds of them): word
    i (and i + 1 with ``pair_in_a``) of a against word j (and j + 1 with ``pair_in_b``) of b. Those
    below ``floor`` are left out: the greedy would neither take nor work them out, only sort them."""
    cdef Py_ssize_t i, j
    cdef double score
    _check_shape(scores, rows, cols)
    for i in range(rows):
        for j in range(cols):
            score = scores[i * cols + j]
            if score < floor:
                continue
            units[at].score = score
            units[at].a0, units[at].a1 = <int> i, (<int> i + 1 if pair_in_a else -1)
            units[at].b0, units[at].b1 = <int> j, (<int> j + 1 if pair_in_b else -1)
            units[at].lazy = lazy
            at += 1
    return at


def align_units(Py_ssize_t n_a, Py_ssize_t n_b, list sims, pair_a, pair_b, double floor, double good):
    """Best-first one-to-one alignment of the words of two names, ``(similarity, positions in a,
    positions in b)`` (:func:`entityres.text.similarity.align_units` says how). Units go best first
    (higher similarity, then fewer words, then by positions); one is taken when none of its
    positions is taken yet and its similarity reaches ``floor``. ``pair_b()`` and ``pair_a()`` are
    called only when a word is left without a ``good`` partner."""
    return _align_units(n_a, n_b, sims, pair_a, pair_b, floor, good, None)


cdef list _align_units(Py_ssize_t n_a, Py_ssize_t n_b, list sims, pair_a, pair_b, double floor, double good,
                       _LazyUnits lazy):
    """With ``lazy``, the lists hold bounds of the scores, which ``lazy`` works out when needed."""
    cdef Py_ssize_t n, total
    cdef list aligned
    cdef object s
    if n_a <= 0 or n_b <= 0:
        return []
    _check_shape(sims, n_a, n_b)  # before the sizes below are computed from them
    total = n_a * n_b + n_a * (n_b - 1) + (n_a - 1) * n_b
    cdef _Unit *units = <_Unit *> PyMem_Malloc(total * sizeof(_Unit))
    cdef unsigned char *used = <unsigned char *> PyMem_Malloc(n_a + n_b)
    if units == NULL or used == NULL:
        PyMem_Free(units)
        PyMem_Free(used)
        raise MemoryError()
    try:
        n = _fill(units, 0, sims, n_a, n_b, False, False, lazy is not None, floor)
        aligned = _greedy(units, n, floor, used, n_a, used + n_a, n_b, lazy)
        if len(aligned) == min(n_a, n_b) and all([(<tuple> s)[0] >= good for s in aligned]):
            return aligned
        if n_b > 1:
            n = _fill(units, n, pair_b(), n_a, n_b - 1, False, True, lazy is not None, floor)
        if n_a > 1:
            n = _fill(units, n, pair_a(), n_a - 1, n_b, True, False, lazy is not None, floor)
        return _greedy(units, n, floor, used, n_a, used + n_a, n_b, lazy)
    finally:
        PyMem_Free(units)
        PyMem_Free(used)


cdef enum:
    GROUP = 16  # query words at most (MAX_NAME_WORDS), each with a row of slots and of firsts
    READ_AHEAD = 8  # pooled words of the bitmaps whose word counts are fetched before they are read
    SPARSE = 4  # a query posting fewer aliases than a quarter of the bitmaps' words reads only the words posted


cdef inline void _touch(uint64_t *rows, Py_ssize_t words, Py_ssize_t n_rows, uint64_t *touched, Py_ssize_t w) noexcept:
    """Note bitmap word ``w`` in ``touched`` (a bit a word), zeroing it in every row the first time:
    the rows of a query with few postings are neither zeroed nor read in full."""
    cdef uint64_t bit = (<uint64_t> 1) << (w & 63)
    cdef Py_ssize_t g
    if not touched[w >> 6] & bit:
        touched[w >> 6] |= bit
        for g in range(n_rows):
            rows[g * words + w] = 0


cdef inline int _span(object item, Py_ssize_t size, Py_ssize_t *start, Py_ssize_t *length) except -1:
    """The postings ``item`` (``start << 32 | length``) names, checked to lie in ``size`` numbers."""
    cdef uint64_t span = item
    start[0], length[0] = <Py_ssize_t> (span >> 32), <Py_ssize_t> (span & 0xFFFFFFFFU)
    if start[0] + length[0] > size:
        raise IndexError(f"postings {start[0]}..{start[0] + length[0]} are not under {size}")
    return 0


cdef int _mark(list groups, const unsigned int[::1] numbers, uint64_t *rows, Py_ssize_t words, Py_ssize_t n,
               Py_ssize_t *sizes) except -1:
    """Set the bit of every alias posted in group ``g`` of ``groups`` (a list of postings: each a
    span ``start << 32 | length`` of ``numbers``) in row ``g``, a bitmap of ``words`` words from
    ``rows``; ``sizes[g]`` counts the row's aliases."""
    cdef Py_ssize_t g, i, start, length, size, w
    cdef unsigned int a
    cdef uint64_t old, b
    cdef uint64_t *row
    for g in range(len(groups)):
        row, size = rows + g * words, 0
        for item in <list> groups[g]:
            _span(item, numbers.shape[0], &start, &length)
            for i in range(start, start + length):
                a = numbers[i]
                if a >= n:
                    raise IndexError(f"alias {a} is not under {n}")
                w, b = a >> 6, (<uint64_t> 1) << (a & 63)
                old = row[w]
                row[w] = old | b
                size += (old & b) == 0
        sizes[g] = size
    return 0


cdef int _touch_posted(list groups, const unsigned int[::1] numbers, uint64_t *rows, Py_ssize_t words,
                       Py_ssize_t n_rows, uint64_t *touched, Py_ssize_t n) except -1:
    """:func:`_touch` the bitmap word of every alias posted in ``groups`` (:func:`_mark` refuses
    any not under ``n``)."""
    cdef Py_ssize_t i, start, length
    cdef unsigned int a
    for postings in groups:
        for item in <list> postings:
            _span(item, numbers.shape[0], &start, &length)
            for i in range(start, start + length):
                a = numbers[i]
                if a < n:
                    _touch(rows, words, n_rows, touched, a >> 6)
    return 0


cdef Py_ssize_t _posted(list groups, Py_ssize_t size) except -1:
    """How many postings the groups' spans (of ``size`` numbers) hold, an alias perhaps more than once."""
    cdef Py_ssize_t total = 0, start, length
    for postings in groups:
        for item in <list> postings:
            _span(item, size, &start, &length)
            total += length
    return total


cdef inline Py_ssize_t _pool_word(const uint64_t *rows, Py_ssize_t words, Py_ssize_t w, Py_ssize_t first_row,
                                  const Py_ssize_t *alone_rows, Py_ssize_t n_alone, const uint64_t *keep,
                                  uint64_t *pools, uint32_t *pooled_at, Py_ssize_t n_pooled) noexcept:
    """List bitmap word ``w`` in ``pools``/``pooled_at`` when it pools an alias: one in two of the
    rows before ``first_row`` (the slots and pairs), or in a row that pools alone. The new count."""
    cdef uint64_t x, ones = 0, twos = 0, pool
    cdef Py_ssize_t g
    # Two words, or a word and two written as one (أحمد داود أوغلو, Ahmet Davutoğlu).
    for g in range(first_row):
        x = rows[g * words + w]
        twos |= ones & x
        ones |= x
    pool = twos
    for g in range(n_alone):
        pool |= rows[alone_rows[g] * words + w]
    if keep != NULL:  # a word of the bitmap, not a byte an alias read at random: most were cache misses
        pool &= keep[w]
    if pool:
        pools[n_pooled], pooled_at[n_pooled] = pool, <uint32_t> w
        n_pooled += 1
    return n_pooled


cdef inline double _hit(const uint64_t *rows, Py_ssize_t words, Py_ssize_t w, int k, Py_ssize_t n_slots,
                        Py_ssize_t n_pairs, const double *shares, const double *paired) noexcept:
    """``-(hit + exact bonus)`` of alias bit ``k`` of bitmap word ``w`` (:func:`blocking_ranked`'s rows:
    the slots, the pairs, the firsts, the exact hits). Each slot's share is looked up by the alias's
    two bits (``shares[4 * i + 2 * slot + first]``), each pair's by its bit: no branch an alias
    could mispredict, and adding the 0.0 of a slot it lacks leaves the sum as it was."""
    cdef const uint64_t *at = rows + w
    cdef Py_ssize_t i
    cdef double h1 = 0.0, h2 = 0.0
    for i in range(n_slots):
        h1 += shares[4 * i + 2 * ((at[i * words] >> k) & 1) + ((at[(n_slots + n_pairs + i) * words] >> k) & 1)]
    for i in range(n_pairs):
        h2 += paired[2 * i + ((at[(n_slots + i) * words] >> k) & 1)]
    return -((h1 + h2) + (100.0 if (at[(2 * n_slots + n_pairs) * words] >> k) & 1 else 0.0))


def type_bitmap(const unsigned char[::1] types, int code) -> array:
    """A bitmap over the aliases whose type code (``types``: one byte per alias) is ``code``: bit
    ``a % 64`` of word ``a // 64`` for alias ``a``, as :func:`blocking_ranked` takes it."""
    cdef Py_ssize_t n = types.shape[0], a
    cdef array out = clone(array("Q"), (n + 63) >> 6, True)
    cdef uint64_t *bits = <uint64_t *> out.data.as_voidptr
    for a in range(n):
        if types[a] == code:
            bits[a >> 6] |= (<uint64_t> 1) << (a & 63)
    return out


def blocking_ranked(list slots, list firsts, list pairs, tuple found, const unsigned int[::1] numbers, Py_ssize_t n,
                    const uint64_t[::1] allowed, const unsigned char[::1] words,
                    Py_ssize_t query_words, Py_ssize_t small, double second, Py_ssize_t limit):
    """The candidates of a query from its postings, ``(-(hit + exact bonus), word-count gap, alias)``,
    sorted, the first ``limit``.

    Per query word ``i``, ``slots[i]`` holds the postings of its blocking keys, ``firsts[i]``
    those of its likeliest keys, each a span ``start << 32 | length`` of ``numbers``, the alias
    numbers of every key in one array (:class:`entityres.gazetteer._index.Runs`); ``pairs[p]``
    those of words ``p`` and ``p + 1`` written as one;
    ``found``: the aliases with the query's exact key. An alias joins the pool when it is found,
    in a word's slot of at most ``small`` aliases (any slot of a one-word query), in the first
    postings (at most ``4 * small``) of a word whose slot is larger, in two words' slots (a pair's
    postings counting as a word's), or in a pair's postings of at most ``4 * small``. Its hit is the sum, in word order, of each slot's
    idf (``log(n / (1 + size)) + 1``), times ``second`` unless it came by the likeliest key, plus
    ``second`` times both words' idf per pair. ``allowed``, None or a bitmap over the aliases
    (:func:`type_bitmap`), keeps only the aliases it has; ``words`` gives each alias's word count.
    """
    # Each group of postings is a bitmap over the aliases (a million aliases: 125 kB, held in the
    # CPU's cache, where a mask per alias read at random was not). The pool is read from the bitmaps
    # a word of 64 aliases at a time: the groups' union where a group pools alone, and aliases in two.
    # Rows: the slots, the pairs (the two counted by the two-of rule), the firsts, the exact hits.
    cdef Py_ssize_t n_slots = len(slots), n_pairs = len(pairs), i, t, g, w, lack, capacity, total = len(found)
    cdef Py_ssize_t pair_row = n_slots, first_row = n_slots + n_pairs, found_row = 2 * n_slots + n_pairs
    cdef Py_ssize_t n_rows = found_row + 1, n_words = (n + 63) >> 6, n_kept = 0
    cdef Py_ssize_t sizes[3 * GROUP + 1]
    cdef double idf[GROUP]
    cdef uint64_t x, pool, b, alone
    cdef const uint64_t *keep = NULL
    cdef const unsigned char *words_of
    cdef list out = []
    cdef uint64_t *rows = NULL
    cdef uint64_t *touched = NULL
    cdef bint sparse
    cdef Py_ssize_t posted
    cdef Py_ssize_t v
    cdef _Ranked *kept = NULL
    cdef _Ranked ranked, bound
    cdef bint bounded = False
    cdef Py_ssize_t alone_rows[3 * GROUP + 1]
    cdef Py_ssize_t n_alone = 0, n_pooled = 0, j
    cdef double shares[4 * GROUP]
    cdef double paired[2 * GROUP]
    cdef int k
    cdef uint64_t *pools = NULL
    cdef uint32_t *pooled_at = NULL
    if n_slots > GROUP or len(firsts) != n_slots or n_pairs >= GROUP:
        raise ValueError(f"at most {GROUP} query words, each with its firsts")
    if words.shape[0] != n:
        raise ValueError("words needs one byte per alias")
    if allowed is not None:
        if allowed.shape[0] != (n + 63) >> 6:
            raise ValueError(f"a bitmap over {n} aliases has {(n + 63) >> 6} words, not {allowed.shape[0]}")
        if n:
            keep = &allowed[0]
    if limit < 0:
        raise ValueError("limit must not be negative")
    if n == 0:
        return out
    words_of = &words[0]
    # A query of rare words posts a few thousand aliases among a million: its rows are zeroed and
    # read only where it posted (noted in ``touched``); any other's are zeroed and read in full.
    posted = sum([_posted(groups, numbers.shape[0]) for groups in (slots, pairs, firsts)]) + len(found)
    sparse = posted * SPARSE < n_words
    if sparse:
        touched = <uint64_t *> PyMem_Calloc((n_words + 63) >> 6, sizeof(uint64_t))
        rows = <uint64_t *> PyMem_Malloc(n_rows * n_words * sizeof(uint64_t))
    else:
        rows = <uint64_t *> PyMem_Calloc(n_rows * n_words, sizeof(uint64_t))
    try:
        if rows == NULL or (sparse and touched == NULL):
            raise MemoryError()
        if sparse:
            for groups in (slots, pairs, firsts):
                _touch_posted(groups, numbers, rows, n_words, n_rows, touched, n)
        _mark(slots, numbers, rows, n_words, n, sizes)
        _mark(pairs, numbers, rows + pair_row * n_words, n_words, n, sizes + pair_row)
        _mark(firsts, numbers, rows + first_row * n_words, n_words, n, sizes + first_row)
        for item in found:
            t = item
            if t < 0 or t >= n:
                raise IndexError(f"alias {t} is not under {n}")
            w, b = t >> 6, (<uint64_t> 1) << (t & 63)
            if sparse:
                _touch(rows, n_words, n_rows, touched, w)
            rows[found_row * n_words + w] |= b
        for g in range(found_row):
            total += sizes[g]
        for i in range(n_slots):
            idf[i] = log(<double> n / <double> (1 + sizes[i])) + 1.0
        for i in range(n_slots):  # each slot's share of a hit (none, by a rarer key, by the likeliest); each pair's
            shares[4 * i], shares[4 * i + 1] = 0.0, 0.0
            shares[4 * i + 2], shares[4 * i + 3] = idf[i] * second, idf[i] * 1.0
        for i in range(n_pairs):
            paired[2 * i], paired[2 * i + 1] = 0.0, second * (idf[i] + idf[i + 1])
        # The rows that pool alone: a small slot (any slot of a one-word query), else the word's
        # firsts when few, a pair's postings when few, and the exact hits.
        alone = (<uint64_t> 1) << found_row
        for i in range(n_slots):
            if sizes[i] <= small or n_slots == 1:
                alone |= (<uint64_t> 1) << i
            elif sizes[first_row + i] <= small * 4:
                alone |= (<uint64_t> 1) << (first_row + i)
        for i in range(n_pairs):
            if sizes[pair_row + i] <= small * 4:
                alone |= (<uint64_t> 1) << (pair_row + i)
        for g in range(n_rows):
            if (alone >> g) & 1:
                alone_rows[n_alone] = g
                n_alone += 1
        if limit == 0:
            return out
        # Thousands of aliases may share a common name's keys, and only the first few hundred go
        # on: when the buffer fills, its ``limit`` best are kept and the worst of them bars any
        # alias that does not rank before it (the order is total, so the result is the same).
        capacity = 2 * limit + 64 if limit < total else total + 1  # (no more than the postings can pool)
        kept = <_Ranked *> PyMem_Malloc(capacity * sizeof(_Ranked))
        pools = <uint64_t *> PyMem_Malloc(n_words * sizeof(uint64_t))
        pooled_at = <uint32_t *> PyMem_Malloc(n_words * sizeof(uint32_t))
        if kept == NULL or pools == NULL or pooled_at == NULL:
            raise MemoryError()
        if not sparse:  # the postings of a query's words span nearly all the aliases
            for w in range(n_words):
                n_pooled = _pool_word(rows, n_words, w, first_row, alone_rows, n_alone, keep, pools, pooled_at,
                                      n_pooled)
        else:
            for v in range((n_words + 63) >> 6):
                x = touched[v]
                while x:
                    b = x & (~x + 1)
                    x ^= b
                    n_pooled = _pool_word(rows, n_words, (v << 6) + entityres_ctz64(b), first_row, alone_rows, n_alone,
                                          keep, pools, pooled_at, n_pooled)
        # The words with a pool listed, their aliases' word counts (a byte an alias: a line for 64)
        # are read ahead, eight words on: read only when needed, each was a miss at a million aliases.
        for j in range(min(n_pooled, READ_AHEAD)):
            entityres_read_ahead(words_of + (<Py_ssize_t> pooled_at[j] << 6))
        for j in range(n_pooled):
            if j + READ_AHEAD < n_pooled:
                entityres_read_ahead(words_of + (<Py_ssize_t> pooled_at[j + READ_AHEAD] << 6))
            pool, w = pools[j], pooled_at[j]
            while pool:
                b = pool & (~pool + 1)
                pool ^= b
                k = entityres_ctz64(b)
                t = (w << 6) + k
                ranked.hit = _hit(rows, n_words, w, k, n_slots, n_pairs, shares, paired)
                if bounded and ranked.hit > bound.hit:  # barred by its hit: its word count not read
                    continue
                lack = <Py_ssize_t> words_of[t] - query_words
                ranked.gap = lack if lack >= 0 else -lack
                ranked.alias = <int32_t> t
                if bounded and _compare_ranked(&ranked, &bound) >= 0:
                    continue
                kept[n_kept] = ranked
                n_kept += 1
                if n_kept == capacity:
                    bound = _nth_smallest(kept, n_kept, limit - 1)
                    n_kept, bounded = limit, True
        if n_kept > limit:  # the first ``limit`` picked out, and only they are sorted
            _nth_smallest(kept, n_kept, limit - 1)
            n_kept = limit
        qsort(kept, n_kept, sizeof(_Ranked), _compare_ranked)
        for t in range(n_kept):
            out.append((kept[t].hit, kept[t].gap, kept[t].alias))
        return out
    finally:
        PyMem_Free(rows)
        PyMem_Free(touched)
        PyMem_Free(kept)
        PyMem_Free(pools)
        PyMem_Free(pooled_at)


# --- the word-pair scorer: written vowels, word edges, and the fuzzy score of two profiled words ---

cdef class VowelRules:
    """The rules of written vowels and word edges (keys.yaml: vowels, edges), as the kernels take them.

    ``arabic_latin(written, cluster)`` and ``latin_latin(x, y)`` are the mismatches between the
    vowels of one slot (:func:`entityres.text.keys.slot_mismatch`); ``joint`` marks a slot where two
    words were joined; ``spread``: slots compared at full cost. ``written_final``: letters an
    Arabic-script word ends in that write a long vowel; ``related`` and ``alike``: groups of
    classes whose onsets cost half and nothing; ``onset`` and ``final``: the costs of an edge.
    ``consonant_of``: (letter, class, the class's other letters, Latin letters), a letter read as a
    consonant class that needs a Latin letter writing it. ``moved``: the cost of a written vowel
    unread beside a Latin vowel left unwritten, in the next slot.
    """

    cdef object arabic_latin, latin_latin, written_final
    cdef dict _arabic_latin_seen, _latin_latin_seen  # their answers by first slot, then second (_seen_cost)
    cdef tuple last_letters, written_for, consonant_of
    cdef str joint
    cdef double spread, onset, final, last_letter, written_for_cost, consonant_of_cost, moved
    cdef unsigned char group[TABLE][TABLE]  # 1 related, 2 alike (alike wins)

    def __init__(self, arabic_latin, latin_latin, str joint, double spread, written_final, related, alike,
                 double onset, double final, last_letters=(), double last_letter=0.0, written_for=(),
                 double written_for_cost=0.0, consonant_of=(), double consonant_of_cost=0.0, double moved=0.0):
        self.arabic_latin, self.latin_latin, self.joint, self.spread = arabic_latin, latin_latin, joint, spread
        self._arabic_latin_seen, self._latin_latin_seen = {}, {}
        self.written_final, self.onset, self.final = frozenset(written_final), onset, final
        self.last_letters, self.last_letter = tuple((str(a), str(b)) for a, b in last_letters), last_letter
        self.written_for, self.written_for_cost = tuple((str(a), str(b)) for a, b in written_for), written_for_cost
        self.consonant_of = tuple((str(a), str(c), str(o), str(b)) for a, (c, o, b) in consonant_of)
        if len(self.written_for) > EDGE_RULES or len(self.consonant_of) > EDGE_RULES:
            raise ValueError(f"at most {EDGE_RULES} written_for and {EDGE_RULES} consonant_of rules")
        self.consonant_of_cost, self.moved = consonant_of_cost, moved
        memset(self.group, 0, sizeof(self.group))
        for kind, groups in ((1, related), (2, alike)):
            for g in groups:
                for c in g:
                    for d in g:
                        if self.group[_ascii(c)][_ascii(d)] < kind:
                            self.group[_ascii(c)][_ascii(d)] = kind


cdef inline unsigned char _group(VowelRules r, Py_UCS4 a, Py_UCS4 b) noexcept:
    return r.group[a][b] if a < TABLE and b < TABLE else 0


cdef bint _diagonals(str x, str y, Py_ssize_t *aligned) except -1:
    """``aligned[i]``: the position of ``y`` that rapidfuzz's Levenshtein edit script of ``x`` into
    ``y`` aligns with ``x[i]`` (a match or a substitution), or -1. The same script as rapidfuzz
    (common affixes first, then Hyyrö's bit-parallel matrix, read back deletion first, then
    insertion, then the diagonal), for an ``x`` that fits 64 bits past its common affixes; False
    when it does not (the caller asks rapidfuzz)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(x), m = PyUnicode_GET_LENGTH(y), p = 0, s = 0, i, j, row, col, n1, m1
    cdef uint64_t pm[TABLE]
    cdef uint64_t vp, vn, x_, d0, hp, hn
    cdef uint64_t stack[2 * STACK]
    cdef uint64_t *vps
    cdef uint64_t *vns
    cdef Py_UCS4 c
    while p < n and p < m and PyUnicode_READ_CHAR(x, p) == PyUnicode_READ_CHAR(y, p):
        p += 1
    while s < n - p and s < m - p and PyUnicode_READ_CHAR(x, n - 1 - s) == PyUnicode_READ_CHAR(y, m - 1 - s):
        s += 1
    n1, m1 = n - p - s, m - p - s
    if n1 > 64:
        return False
    memset(pm, 0, sizeof(pm))
    for i in range(n1):
        c = PyUnicode_READ_CHAR(x, p + i)
        if c >= TABLE:
            return False
        pm[c] |= (<uint64_t> 1) << i
    for i in range(n):
        aligned[i] = -1
    for i in range(p):
        aligned[i] = i
    for i in range(s):
        aligned[n - 1 - i] = m - 1 - i
    if n1 == 0 or m1 == 0:
        return True
    vps = <uint64_t *> scratch(stack, sizeof(stack), 2 * m1 * sizeof(uint64_t))
    vns = vps + m1
    try:
        vp = ~(<uint64_t> 0) if n1 == 64 else ((<uint64_t> 1) << n1) - 1
        vn = 0
        for j in range(m1):
            x_ = _match(pm, PyUnicode_READ_CHAR(y, p + j))
            d0 = (((x_ & vp) + vp) ^ vp) | x_ | vn
            hp = vn | ~(d0 | vp)
            hn = d0 & vp
            hp = (hp << 1) | 1
            hn = hn << 1
            vp = hn | ~(d0 | hp)
            vn = hp & d0
            vps[j], vns[j] = vp, vn
        col, row = n1, m1
        while row != 0 and col != 0:
            if (vps[row - 1] >> (col - 1)) & 1:  # deletion
                col -= 1
            else:
                row -= 1
                if not (row and (vns[row - 1] >> (col - 1)) & 1):  # not an insertion: the diagonal
                    col -= 1
                    aligned[p + col] = p + row
        return True
    finally:
        if vps != stack:
            PyMem_Free(vps)


cdef double _seen_cost(object rule, dict seen, str x, str y) except -1.0:
    """``rule(x, y)``, a pure function of two vowel slots, kept in ``seen`` by ``x``, then ``y``: two
    lookups here cost a tenth of a call through the rule's Python cache. A few hundred slots come
    back; what is kept is bounded all the same (cleared at SEEN_SLOTS)."""
    cdef PyObject *row = PyDict_GetItem(seen, x)
    cdef PyObject *found
    cdef dict costs
    if row != NULL:
        found = PyDict_GetItem(<dict> <object> row, y)
        if found != NULL:
            return <double> <object> found
        costs = <dict> <object> row
    else:
        if len(seen) >= SEEN_SLOTS:
            seen.clear()
        costs = seen[x] = {}
    if len(costs) >= SEEN_SLOTS:
        costs.clear()
    cdef double value = rule(x, y)
    costs[y] = value
    return value


cdef inline double _arabic_latin(VowelRules r, str written, str cluster) except -1.0:
    return _seen_cost(r.arabic_latin, r._arabic_latin_seen, written, cluster)


cdef double _slot_mismatch(str x, bint x_arabic, str y, bint y_arabic, VowelRules r) except -1.0:
    if r.joint in x or r.joint in y or (x_arabic and y_arabic):
        return 0.0
    if x_arabic:
        return _arabic_latin(r, x, y)
    if y_arabic:
        return _arabic_latin(r, y, x)
    return _seen_cost(r.latin_latin, r._latin_latin_seen, x, y)


cdef int _moved_kind(str x, bint x_arabic, str y, VowelRules r) except -1:
    """Across scripts, 1: a slot whose written vowel no Latin vowel reads (unread); 2: a Latin vowel
    where the Arabic-script spelling writes none; else 0."""
    cdef str written = x if x_arabic else y, latin = y if x_arabic else x
    if r.joint in x or r.joint in y:
        return 0
    if written and not latin:
        return 1 if _arabic_latin(r, written, latin) > 0.0 else 0
    return 2 if latin and not written else 0


cdef bint _ordered_before(str kb, tuple sb, bint b_arabic, str ka, tuple sa, bint a_arabic) except -1:
    """``(kb, sb, b_arabic) < (ka, sa, a_arabic)`` as Python compares tuples."""
    if kb != ka:
        return kb < ka
    if sb != sa:
        return sb < sa
    return b_arabic < a_arabic


cdef double _vowel_mismatches(str ka, tuple sa, bint a_arabic, str kb, tuple sb, bint b_arabic,
                              VowelRules r) except -1.0:
    cdef Py_ssize_t n, m, i, j, count = 0, last = -2
    cdef Py_ssize_t stack[STACK]
    cdef Py_ssize_t *aligned
    cdef double found = 0.0
    cdef int kind, last_kind = 0
    if a_arabic and b_arabic:
        return 0.0
    if _ordered_before(kb, sb, b_arabic, ka, sa, a_arabic):  # edit scripts break ties by argument order
        ka, sa, a_arabic, kb, sb, b_arabic = kb, sb, b_arabic, ka, sa, a_arabic
    n, m = PyUnicode_GET_LENGTH(ka), PyUnicode_GET_LENGTH(kb)
    if len(sa) < n or len(sb) < m:
        raise IndexError("a key needs a vowel slot before each class")
    aligned = <Py_ssize_t *> scratch(stack, sizeof(stack), (n + 1) * sizeof(Py_ssize_t))
    try:
        if ka == kb:
            for i in range(n):
                aligned[i] = i
        elif not _diagonals(ka, kb, aligned):
            for i in range(n):
                aligned[i] = -1
            for tag, i1, i2, j1, j2 in _Levenshtein.opcodes(ka, kb):
                if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
                    for i in range(i2 - i1):
                        aligned[i1 + i] = j1 + i
        for i in range(1, n):
            j = aligned[i]
            if j < 1 or aligned[i - 1] != j - 1:
                continue
            if (PyUnicode_READ_CHAR(ka, i - 1) == u'A' or PyUnicode_READ_CHAR(ka, i) == u'A'
                    or PyUnicode_READ_CHAR(kb, j - 1) == u'A' or PyUnicode_READ_CHAR(kb, j) == u'A'):
                continue
            found += _slot_mismatch(<str> sa[i], a_arabic, <str> sb[j], b_arabic, r)
            count += 1
            if a_arabic != b_arabic:  # a vowel written one slot off the Latin one (Stark, Struck)
                kind = _moved_kind(<str> sa[i], a_arabic, <str> sb[j], r)
                if kind and last == i - 1 and last_kind + kind == 3:
                    found += r.moved
                    kind = 0  # a slot pairs once
                last, last_kind = i, kind
    finally:
        if aligned != stack:
            PyMem_Free(aligned)
    if count == 0:
        return 0.0
    return found * r.spread / (r.spread if r.spread >= <double> count else <double> count)


def vowel_mismatches(str ka, tuple sa, bint a_arabic, str kb, tuple sb, bint b_arabic, VowelRules rules) -> float:
    """Mismatches between the inner vowels two keys' spellings write, where the keys align
    (:func:`entityres.text.keys.vowel_mismatches` says how)."""
    return _vowel_mismatches(ka, sa, a_arabic, kb, sb, b_arabic, rules)


cdef struct _WordEdges:
    # What the edge rules read of the two words alone, counted once per word pair and not per key
    # pair (_written_vowels compares up to 36 pairs of keys of the same two words).
    bint long_latin  # the Latin word has more than one letter (an initial's first class is not compared)
    bint written_final  # the Arabic-script word ends in a letter of written_final
    Py_ssize_t last_hits  # last_letters rules that hold
    Py_ssize_t written_extra[EDGE_RULES]  # written_for, per rule: the letter's count beyond its Latin letters
    Py_ssize_t others[EDGE_RULES]  # consonant_of, per rule: the class's other letters in the Arabic-script word,
    Py_ssize_t letters[EDGE_RULES]  # the rule's letter in it,
    Py_ssize_t latin[EDGE_RULES]  # and the Latin letters that write it


cdef Py_ssize_t _count_any(str word, str letters) noexcept:
    """``sum(word.count(c) for c in letters)``."""
    cdef Py_ssize_t i, j, total = 0, n = PyUnicode_GET_LENGTH(word)
    cdef Py_UCS4 c
    for j in range(PyUnicode_GET_LENGTH(letters)):
        c = PyUnicode_READ_CHAR(letters, j)
        for i in range(n):
            if PyUnicode_READ_CHAR(word, i) == c:
                total += 1
    return total


cdef int _edge_words(str arabic_word, str latin_word, VowelRules r, _WordEdges *e) except -1:
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(arabic_word), k
    cdef str letter, latin, cls, others
    e.long_latin = PyUnicode_GET_LENGTH(latin_word) > 1
    e.written_final = arabic_word[n - 1 if n else 0:] in r.written_final
    e.last_hits = 0
    for letter, latin in r.last_letters:  # a last letter against an ending it never stands for
        if arabic_word.endswith(letter) and latin_word.endswith(latin):
            e.last_hits += 1
    for k, (letter, latin) in enumerate(r.written_for):  # a letter inside the word with no Latin letter to stand for
        e.written_extra[k] = arabic_word[:n - 1 if n else 0].count(letter) - _count_any(latin_word, latin)
    for k, (letter, cls, others, latin) in enumerate(r.consonant_of):
        e.others[k] = _count_any(arabic_word, others)
        e.letters[k] = arabic_word.count(letter)
        e.latin[k] = _count_any(latin_word, latin)
    return 0


cdef double _edge_cost(str arabic_key, str latin_key, VowelRules r, const _WordEdges *e) except -1.0:
    # The costs are added in the order of keys.edge_mismatches, so the sum is the same to the last bit.
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(arabic_key), m = PyUnicode_GET_LENGTH(latin_key), k, extra
    cdef Py_UCS4 first, other
    cdef unsigned char group
    cdef double found = 0.0
    cdef str cls
    if n == 0 or m == 0:
        return 0.0
    first, other = PyUnicode_READ_CHAR(arabic_key, 0), PyUnicode_READ_CHAR(latin_key, 0)
    if first != other and e.long_latin:
        group = _group(r, first, other)
        if group != 2:
            found += r.onset * (0.5 if group == 1 else 1.0)
    if e.written_final and PyUnicode_READ_CHAR(arabic_key, n - 1) == u'A' and PyUnicode_READ_CHAR(latin_key, m - 1) != u'A':
        found += r.final
    for k in range(e.last_hits):
        found += r.last_letter
    for k in range(len(r.written_for)):
        if e.written_extra[k] > 0:
            found += r.written_for_cost * e.written_extra[k]
    for k in range(len(r.consonant_of)):  # a letter read as a consonant no Latin letter writes
        cls = (<tuple> r.consonant_of[k])[1]
        extra = arabic_key.count(cls) - e.others[k]
        if extra > e.letters[k]:
            extra = e.letters[k]
        extra -= e.latin[k]
        if extra > 0:
            found += r.consonant_of_cost * extra
    return found


def edge_mismatches(str arabic_key, str arabic_word, str latin_key, str latin_word, VowelRules rules) -> float:
    """Mismatches at the edges of the keys of an Arabic-script word and a Latin one
    (:func:`entityres.text.keys.edge_mismatches` says how)."""
    cdef _WordEdges e
    _edge_words(arabic_word, latin_word, rules, &e)
    return _edge_cost(arabic_key, latin_key, rules, &e)


cdef class ScoreRules:
    """The weights of :func:`entityres.text.similarity._fuzzy_similarity` with the tables it reads."""

    cdef CostTable compare
    cdef VowelRules vowels
    cdef double alt_class, vowel, edge, key_weight, swap, surface_weight, different_part
    cdef Py_ssize_t short_key
    cdef str swap_vowels
    cdef object parts_differ, joins_into

    def __init__(self, CostTable compare, VowelRules vowels, double alt_class, double vowel, double edge,
                 double key_weight, double swap, str swap_vowels, Py_ssize_t short_key, double surface_weight,
                 parts_differ, joins_into, double different_part):
        self.compare, self.vowels = compare, vowels
        self.alt_class, self.vowel, self.edge, self.key_weight = alt_class, vowel, edge, key_weight
        self.swap, self.swap_vowels, self.short_key, self.surface_weight = swap, swap_vowels, short_key, surface_weight
        # name_parts.parts_differ(a, b): two known parts that name different people; name_parts.joins_into(pieces,
        # part): words written apart that split between a compound's parts (both rare: left in Python)
        self.parts_differ, self.joins_into, self.different_part = parts_differ, joins_into, different_part


cdef double _written_vowels(tuple keys_a, tuple slots_a, bint a_arabic, str surface_a, tuple keys_b, tuple slots_b,
                            bint b_arabic, str surface_b, double key_sim, Py_ssize_t max_keys,
                            ScoreRules r) except -2.0:
    cdef Py_ssize_t na = min(min(len(keys_a), max_keys), len(slots_a))
    cdef Py_ssize_t nb = min(min(len(keys_b), max_keys), len(slots_b)), i, j
    cdef double best = 0.0, s, t
    cdef str ka, kb
    cdef _WordEdges edges
    cdef bint edges_read = False
    for i in range(na):
        ka, ca = keys_a[i]
        for j in range(nb):
            kb, cb = keys_b[j]
            t = _weighted_similarity(ka, kb, r.compare) - r.alt_class * <double> (<long> ca + <long> cb)
            s = t if t < key_sim else key_sim
            if s <= best:
                continue
            s -= r.vowel * _vowel_mismatches(ka, slots_a[i], a_arabic, kb, slots_b[j], b_arabic, r.vowels)
            if a_arabic != b_arabic:
                if not edges_read:
                    if a_arabic:
                        _edge_words(surface_a, surface_b, r.vowels, &edges)
                    else:
                        _edge_words(surface_b, surface_a, r.vowels, &edges)
                    edges_read = True
                s -= r.edge * (_edge_cost(ka, kb, r.vowels, &edges) if a_arabic else _edge_cost(kb, ka, r.vowels, &edges))
            if s > best:
                best = s
                if best >= key_sim:
                    return key_sim
    return best


cdef Py_ssize_t _vowel_swaps(str a, str b, str vowels) except -1:
    """Inner letters of ``vowels`` that one spelling writes where the other writes another: the
    fewer of them less the longest run the two have in common (a subsequence)."""
    cdef str x = _inner_letters(a, vowels), y = _inner_letters(b, vowels)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(x), m = PyUnicode_GET_LENGTH(y)
    if n == 0 or m == 0:
        return 0
    return (n if n < m else m) - _lcs_length(x, y)


cdef str _inner_letters(str word, str letters):
    """The letters of ``word`` between its first and its last that are among ``letters``."""
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(word)
    cdef Py_UCS4 c
    cdef list kept = []
    for i in range(1, n - 1):
        c = PyUnicode_READ_CHAR(word, i)
        if c in letters:
            kept.append(c)
    return "".join(kept)


def vowel_swaps(str a, str b, str vowels) -> int:
    """Inner letters of ``vowels`` that one spelling writes where the other writes another
    (:func:`entityres.text.similarity._vowel_swaps` says why)."""
    return _vowel_swaps(a, b, vowels)


cdef struct _Sized:
    PyObject *word  # held, so that its address names it: a profile (similarity.Word)
    PyObject *table  # held: the CostTable its keys are weighed by
    _Weighed *keys  # every key's weight and classes
    Py_ssize_t n_keys
    Py_ssize_t *codes  # every code's length
    Py_ssize_t n_codes
    Py_ssize_t surface  # the surface's length
    long weight
    bint arabic


cdef enum:
    SIZED_SETS = 512  # two words a set: more than the words a query's alignments bound at once


# The bounds from lengths read the same words again and again: a query's units against every
# alias word, an alias word against every unit. Their sizes are read once and kept here.
cdef _Sized _sized[2 * SIZED_SETS]


cdef int _read_sized(_Sized *s, tuple word, CostTable t) except -1:
    """The sizes of ``word`` (a Word) read into ``s``, which lets go of what it held once they are read."""
    cdef tuple keys = <tuple?> word[1], codes = <tuple?> word[2]
    cdef Py_ssize_t i, nk = len(keys), nc = len(codes)
    cdef long weight = word[3]
    cdef bint arabic = word[4]
    cdef Py_ssize_t surface = PyUnicode_GET_LENGTH(<str?> word[5])
    cdef _Weighed *weighed = <_Weighed *> PyMem_Malloc(nk * sizeof(_Weighed) + nc * sizeof(Py_ssize_t) + 1)
    if weighed == NULL:
        raise MemoryError()
    cdef Py_ssize_t *lengths = <Py_ssize_t *> (weighed + nk)  # one block: the keys' weights, then the lengths
    try:
        _weigh_keys(keys, nk, t, weighed)
        for i in range(nc):
            lengths[i] = PyUnicode_GET_LENGTH(<str?> codes[i])
    except BaseException:
        PyMem_Free(weighed)
        raise
    _release_sized(s)
    Py_INCREF(word)
    Py_INCREF(t)
    s.word, s.table = <PyObject *> word, <PyObject *> t
    s.keys, s.n_keys = weighed, nk
    s.codes, s.n_codes = lengths, nc
    s.surface, s.weight, s.arabic = surface, weight, arabic
    return 0


cdef void _release_sized(_Sized *s) noexcept:
    if s.word != NULL:
        PyMem_Free(s.keys)
        Py_DECREF(<object> s.word)
        Py_DECREF(<object> s.table)
        s.word = NULL


cdef const _Sized *_sizes(tuple word, CostTable t, const _Sized *keep) except NULL:
    """The sizes of ``word`` by ``t``, kept from an earlier call or read now into the set its
    address picks (the last used first); the sizes at ``keep`` stay where they are."""
    cdef size_t h = ((<size_t> <void *> word) >> 4) * <size_t> 0x9E3779B97F4A7C15ULL
    cdef _Sized *s = &_sized[2 * ((h >> 32) % SIZED_SETS)]
    cdef _Sized held
    if s[0].word == <PyObject *> word and s[0].table == <PyObject *> t:
        return &s[0]
    if s[1].word == <PyObject *> word and s[1].table == <PyObject *> t:
        if &s[0] == keep or &s[1] == keep:
            return &s[1]
        held = s[1]  # the last used first
        s[1] = s[0]
        s[0] = held
        return &s[0]
    if &s[0] == keep:
        _read_sized(&s[1], word, t)
        return &s[1]
    if &s[1] != keep:
        _release_sized(&s[1])
        s[1] = s[0]
        s[0].word = NULL
    _read_sized(&s[0], word, t)
    return &s[0]


cdef double _first_bound(tuple a, tuple b, Py_ssize_t max_keys, ScoreRules r, double *key_sim, double *read_sim,
                         double *surface) except -2.0:
    """At least :func:`_fuzzy_similarity` of ``a`` and ``b`` from lengths alone (the keys' weights
    for a balanced table, the readings', the surfaces'), leaving each part's bound for the next."""
    cdef const _Sized *x = _sizes(a, r.compare, NULL)
    cdef const _Sized *y = _sizes(b, r.compare, x)
    surface[0] = _share(x.surface, y.surface)
    read_sim[0] = _lengths_bound(x.codes, x.n_codes, y.codes, y.n_codes)
    key_sim[0] = _weights_bound(x.keys, min(x.n_keys, max_keys), y.keys, min(y.n_keys, max_keys), r.alt_class) \
        if r.compare.balanced else 1.0
    return _score_bound(key_sim[0], read_sim[0], surface[0], x.arabic == y.arabic, x.weight, y.weight, r)


cdef double _fuzzy_similarity(tuple a, tuple b, Py_ssize_t max_keys, Py_ssize_t shortlist, ScoreRules r,
                              double need=-INFINITY) except -2.0:
    # a and b are laid out as similarity.Word (a tuple): text, keys, codes, weight, arabic, surface, part, slots.
    # With need, for callers that drop a score below it: -1.0 as soon as a bound says the score is,
    # from the lengths (the keys' weights for a balanced table, the readings', the surfaces'), then
    # the keys' score, then the readings' (the written vowels, the most work, only lower it). The
    # keys come first: with the readings' length bound they rule out most pairs of words that
    # reach them (three in four of the matcher's), and the readings' score costs as much again.
    cdef bint a_arabic = a[4], b_arabic = b[4], same = a_arabic == b_arabic, cut = need > -INFINITY
    cdef double key_sim, read_sim, score, surface
    cdef long weight_a = a[3], weight_b = b[3]
    need -= BOUND_SLACK
    if cut and _first_bound(a, b, max_keys, r, &key_sim, &read_sim, &surface) < need:
        return -1.0
    key_sim = _best_key_similarity(a[1], b[1], max_keys, shortlist, r.alt_class, r.compare)
    if cut and _score_bound(key_sim, read_sim, surface, same, weight_a, weight_b, r) < need:
        return -1.0
    read_sim = _best_indel_similarity(a[2], b[2])
    if cut and _score_bound(key_sim, read_sim, surface, same, weight_a, weight_b, r) < need:
        return -1.0
    if key_sim > 0.0 and not (a_arabic and b_arabic):
        key_sim = _written_vowels(a[1], a[7], a_arabic, a[5], b[1], b[7], b_arabic, b[5], key_sim, max_keys, r)
    score = r.key_weight * key_sim + (1 - r.key_weight) * read_sim
    if not score > 0.0:
        score = 0.0
    if a_arabic and b_arabic:
        score -= r.swap * <double> _vowel_swaps(a[5], b[5], r.swap_vowels)
    if a_arabic == b_arabic and (weight_a if weight_a < weight_b else weight_b) <= r.short_key:
        score = (1 - r.surface_weight) * score + r.surface_weight * _indel_similarity(a[5], b[5])
    return score


def fuzzy_similarity(a, b, Py_ssize_t max_keys, Py_ssize_t shortlist, ScoreRules rules) -> float:
    """The fuzzy score of two profiled words (:class:`entityres.text.similarity.Word`): keys less
    their written vowels' and edges' penalties, and the readings' codes
    (:func:`entityres.text.similarity._fuzzy_similarity` says how)."""
    if not isinstance(a, tuple) or not isinstance(b, tuple):
        raise TypeError("fuzzy_similarity compares two profiled words (similarity.Word)")
    return _fuzzy_similarity(<tuple> a, <tuple> b, max_keys, shortlist, rules)


cdef double _word_similarity(tuple a, tuple b, Py_ssize_t max_keys, Py_ssize_t shortlist, ScoreRules r,
                             double need=-INFINITY) except -2.0:
    # Word fields: text 0, part 6, pieces 8. One text or one known part is the same name; two known
    # parts that differ, or words written apart that do not split between the other's compound
    # parts, are at most different_part, whatever the fuzzy signals say.
    cdef object part_a = a[6], part_b = b[6]
    cdef tuple pieces_a = a[8], pieces_b = b[8]
    cdef double score
    if _same_name(a, b):
        return 1.0
    cdef bint capped = (part_a is not None and part_b is not None and r.parts_differ(part_a, part_b)) \
        or (part_a is not None and pieces_b and not r.joins_into(pieces_b, part_a)) \
        or (part_b is not None and pieces_a and not r.joins_into(pieces_a, part_b))
    if capped and r.different_part < need:  # at most different_part, below what is needed: not scored
        return -1.0
    score = _fuzzy_similarity(a, b, max_keys, shortlist, r, need)
    if capped:
        return r.different_part if r.different_part < score else score
    return score


cdef inline bint _same_name(tuple a, tuple b) except -1:
    return a[0] == b[0] or (a[6] is not None and a[6] == b[6])


cdef double _word_bound(tuple a, tuple b, Py_ssize_t max_keys, ScoreRules r) except -2.0:
    """At least :func:`_word_similarity` of ``a`` and ``b`` (the rules of known parts only lower a score)."""
    cdef double key_sim, read_sim, surface
    return 1.0 if _same_name(a, b) else _first_bound(a, b, max_keys, r, &key_sim, &read_sim, &surface)


def word_similarity(a, b, Py_ssize_t max_keys, Py_ssize_t shortlist, ScoreRules rules, double need=-INFINITY) -> float:
    """:func:`entityres.text.similarity.word_similarity` of two profiled words; with ``need``,
    -1.0 as soon as a bound says the score is below it, or known parts keep it below (the score
    itself otherwise)."""
    if not isinstance(a, tuple) or not isinstance(b, tuple):
        raise TypeError("word_similarity compares two profiled words (similarity.Word)")
    return _word_similarity(<tuple> a, <tuple> b, max_keys, shortlist, rules, need)


cdef inline double _share(Py_ssize_t nx, Py_ssize_t ny) noexcept:
    """At least the Indel similarity of strings of ``nx`` and ``ny`` characters: the shorter whole
    in the longer is the most two strings can share. The formula is :func:`_indel_similarity`'s, so
    rounding cannot put the bound below the score."""
    cdef Py_ssize_t total = nx + ny
    return 1.0 if total == 0 else 1.0 - <double> (total - 2 * (nx if nx < ny else ny)) / <double> total


cdef double _lengths_bound(const Py_ssize_t *a, Py_ssize_t na, const Py_ssize_t *b, Py_ssize_t nb) noexcept:
    """At least the best Indel similarity of a string of lengths ``a`` and one of lengths ``b``
    (1.0 when either has none, which :func:`_best_indel_similarity` refuses). Two strings of one
    length end the search (a share is at most 1)."""
    cdef Py_ssize_t i, j
    cdef double best = 0.0, s
    if not na or not nb:
        return 1.0
    for i in range(na):
        for j in range(nb):
            s = _share(a[i], b[j])
            if s > best:
                best = s
                if best >= 1.0:
                    return best
    return best


cdef double _score_bound(double key_sim, double read_sim, double surface_sim, bint same_script, long weight_a,
                         long weight_b, ScoreRules r) noexcept:
    """At least :func:`_fuzzy_similarity` given bounds of its keys', readings' and surfaces' scores:
    its arithmetic without the terms that only lower it (the vowel swaps)."""
    cdef double score = r.key_weight * key_sim + (1 - r.key_weight) * read_sim
    if not score > 0.0:
        score = 0.0
    if same_script and (weight_a if weight_a < weight_b else weight_b) <= r.short_key:
        score = (1 - r.surface_weight) * score + r.surface_weight * surface_sim
    return score


def unit_similarities(tuple units, tuple targets, Py_ssize_t max_keys, Py_ssize_t shortlist, ScoreRules rules,
                      double floor=-INFINITY) -> list:
    """The scores of every unit against every target, row by row (unit i, target j at
    ``i * len(targets) + j``): the best over the unit's ``(word, penalty)`` alternatives of
    :func:`word_similarity` less the penalty, as Python's ``max`` finds it; -1.0 for a unit or a
    target None (one that may not be formed), and, with ``floor``, for a unit that scores below
    it: an alternative is scored only as far as bounds say it may still reach ``floor`` and beat
    the unit's best (:func:`_fuzzy_similarity`'s need, less a margin for rounding)."""
    return _unit_similarities(units, targets, max_keys, shortlist, rules, floor)


cdef list _unit_similarities(tuple units, tuple targets, Py_ssize_t max_keys, Py_ssize_t shortlist, ScoreRules rules,
                             double floor, bint bounds=False):
    """With ``bounds``, a bound of each score from lengths alone (:func:`_unit_bound_of`) instead."""
    cdef Py_ssize_t i, j, na = len(units), nb = len(targets)
    cdef tuple alternatives
    cdef object target
    cdef list out = []
    for i in range(na):
        if units[i] is None:
            out.extend([-1.0] * nb)
            continue
        alternatives = units[i]
        if not alternatives:
            raise ValueError("a unit needs at least one alternative")
        for j in range(nb):
            target = targets[j]
            if target is None:
                out.append(-1.0)
                continue
            if not isinstance(target, tuple):
                raise TypeError("unit_similarities compares profiled words (similarity.Word)")
            out.append(_unit_bound_of(alternatives, <tuple> target, max_keys, rules) if bounds
                       else _unit_score(alternatives, <tuple> target, max_keys, shortlist, rules, floor))
    return out


cdef double _unit_score(tuple alternatives, tuple target, Py_ssize_t max_keys, Py_ssize_t shortlist, ScoreRules rules,
                        double floor) except -2.0:
    """One score of :func:`unit_similarities`: ``alternatives`` (at least one) against ``target``."""
    cdef Py_ssize_t k
    cdef tuple alternative
    cdef double best = -1.0, s, penalty
    cdef bint floored = floor > -INFINITY
    for k in range(len(alternatives)):
        alternative = alternatives[k]
        penalty = alternative[1]
        s = _word_similarity(<tuple> alternative[0], target, max_keys, shortlist, rules,
                             ((floor if k == 0 or best < floor else best) + penalty) if floored else -INFINITY) \
            - penalty
        if k == 0 or s > best:
            best = s
    return -1.0 if floored and best < floor else best


cdef double _unit_bound_of(tuple alternatives, tuple target, Py_ssize_t max_keys, ScoreRules rules) except -2.0:
    """At least :func:`_unit_score` of ``alternatives`` against ``target``, from lengths alone (less
    than it costs to score the keys), with room for rounding."""
    cdef Py_ssize_t k
    cdef tuple alternative
    cdef double best = -INFINITY, s
    for k in range(len(alternatives)):
        alternative = alternatives[k]
        s = _word_bound(<tuple> alternative[0], target, max_keys, rules) - <double> alternative[1]
        if s > best:
            best = s
    return best + BOUND_SLACK


cdef class UnitScores:
    """The scores :func:`align_names` works out for one name's ``units`` and ``pair_units``, kept
    across its calls with the same settings: a query's candidates share words (Mohammad, Ali, a
    surname and its spellings), and each is scored once a query. Each score is kept by its unit and
    the word's object; the words are held, so an object's id is not reused while they are kept."""
    cdef readonly tuple units, pair_units
    cdef readonly Py_ssize_t max_keys, shortlist
    cdef readonly ScoreRules rules
    cdef readonly double floor
    cdef list _by_unit  # per unit (2 * position, + 1 for a pair unit): {id(word): score}
    cdef list _held

    def __init__(self, tuple units, tuple pair_units, Py_ssize_t max_keys, Py_ssize_t shortlist, ScoreRules rules,
                 double floor):
        self.units, self.pair_units, self.max_keys, self.shortlist = units, pair_units, max_keys, shortlist
        self.rules, self.floor = rules, floor
        self._by_unit = [{} for _ in range(2 * len(units))]
        self._held = []

    def __len__(self):
        return len(self._held)

    cdef int _check(self, tuple units, tuple pair_units, Py_ssize_t max_keys, Py_ssize_t shortlist, ScoreRules rules,
                    double floor) except -1:
        if units is not self.units or pair_units is not self.pair_units or max_keys != self.max_keys \
                or shortlist != self.shortlist or rules is not self.rules or not floor == self.floor:
            raise ValueError("these unit scores were kept for other units or other settings")
        return 0

    cdef double score(self, Py_ssize_t unit, tuple alternatives, tuple target) except -2.0:
        cdef dict kept = <dict> self._by_unit[unit]
        cdef object at = PyLong_FromVoidPtr(<void *> target)
        cdef PyObject *found = PyDict_GetItem(kept, at)
        cdef double s
        if found != NULL:
            return <double> <object> found
        s = _unit_score(alternatives, target, self.max_keys, self.shortlist, self.rules, self.floor)
        kept[at] = s
        self._held.append(target)
        return s


cdef class _LazyUnits:
    """What :func:`align_names` needs to score a unit when the greedy comes to it (_greedy)."""
    cdef tuple units, pair_units, words, joined
    cdef Py_ssize_t max_keys, shortlist
    cdef ScoreRules rules
    cdef double floor
    cdef UnitScores kept

    cdef double score(self, const _Unit *u) except -2.0:
        cdef object unit = self.pair_units[u.a0] if u.a1 >= 0 else self.units[u.a0]
        cdef object target = self.joined[u.b0] if u.b1 >= 0 else self.words[u.b0]
        if unit is None or target is None:
            return -1.0
        # its turn came: its bound reached the floor (_greedy)
        if self.kept is not None:
            return self.kept.score(2 * u.a0 + (u.a1 >= 0), <tuple> unit, <tuple> target)
        return _unit_score(<tuple> unit, <tuple> target, self.max_keys, self.shortlist, self.rules, self.floor)


def align_names(tuple units, tuple pair_units, tuple words, pairs, Py_ssize_t max_keys, Py_ssize_t shortlist,
                ScoreRules rules, double floor, double good, UnitScores kept=None) -> list:
    """:func:`align_units` of a name given as ``units`` (each its ``(word, penalty)`` alternatives,
    as :func:`unit_similarities` takes them; ``pair_units``: its adjacent words written as one, None
    where they may not be) against profiled ``words``, every score as :func:`unit_similarities`
    gives it with ``floor``. ``pairs()`` gives the words' adjacent pairs written as one; it is asked
    for only when a pair of words is needed and one is :func:`joinable`. ``kept``: the scores of
    the same units and settings from earlier calls (:class:`UnitScores`), read and added to."""
    cdef Py_ssize_t n_b = len(words)
    _check_words(words)
    if len(pair_units) != max(len(units) - 1, 0):
        raise ValueError(f"{len(units)} units have {len(units) - 1} pairs, not {len(pair_units)}")
    if kept is not None:
        kept._check(units, pair_units, max_keys, shortlist, rules, floor)

    # Units are scored when the greedy comes to them: most of a name's units lose their words to
    # better ones first, and a bound from lengths sets their turn.
    cdef _LazyUnits lazy = _LazyUnits.__new__(_LazyUnits)
    lazy.units, lazy.pair_units, lazy.words = units, pair_units, words
    lazy.max_keys, lazy.shortlist, lazy.rules, lazy.floor, lazy.kept = max_keys, shortlist, rules, floor, kept

    def pair_a():
        return _unit_similarities(pair_units, words, max_keys, shortlist, rules, floor, True)

    def pair_b():
        lazy.joined = _joinable_pairs(words, pairs)
        return _unit_similarities(units, lazy.joined, max_keys, shortlist, rules, floor, True)

    return _align_units(len(units), n_b, _unit_similarities(units, words, max_keys, shortlist, rules, floor, True),
                        pair_a, pair_b, floor, good, lazy)


cdef tuple _joinable_pairs(tuple words, pairs):
    """``pairs()[i]`` where words i and i + 1 are :func:`joinable`, else None; ``pairs()`` only if one is."""
    cdef Py_ssize_t i, n = len(words) - 1
    cdef tuple joined = None
    cdef list out = []
    for i in range(n):
        if not _joinable(<tuple> words[i], <tuple> words[i + 1]):
            out.append(None)
            continue
        if joined is None:
            joined = <tuple?> pairs()
            if len(joined) != n:
                raise ValueError(f"{n + 1} words have {n} pairs, not {len(joined)}")
        out.append(joined[i])
    return tuple(out)


cdef inline tuple _word(object word):
    if not isinstance(word, tuple) or len(<tuple> word) < 9:
        raise TypeError("expected a profiled word (similarity.Word)")
    return <tuple> word


cdef int _check_words(tuple words) except -1:
    for w in words:
        _word(w)
    return 0


cdef inline bint _initial(tuple word) except -1:
    # Word fields: text 0, surface 5
    return PyUnicode_GET_LENGTH(<str?> word[5]) <= 1 or (<str?> word[0]).endswith(".")


def initial(word) -> bool:
    """:func:`entityres.text.similarity.initial` of a profiled word: its letters one at most, or its
    text ending with an abbreviation dot."""
    return _initial(_word(word))


def joinable(x, y) -> bool:
    """:func:`entityres.text.similarity.joinable`: neither word is an initial."""
    return _joinable(_word(x), _word(y))


cdef inline bint _joinable(tuple x, tuple y) except -1:
    return not (_initial(x) or _initial(y))


# --- a name's score after the alignment ----------------------------------------------------------

cdef class NameRules:
    """The name parts' groups and the floors :func:`different_names` reads
    (:func:`entityres.text.similarity.different_names`)."""

    cdef frozenset particles, lineages, generations
    cdef object parts_differ
    cdef double lacking, lacking_across

    def __init__(self, particles, lineages, generations, parts_differ, double lacking, double lacking_across):
        self.particles, self.lineages, self.generations = frozenset(particles), frozenset(lineages), frozenset(generations)
        # name_parts.parts_differ(a, b): two known parts that name different people (rare: left in Python)
        self.parts_differ, self.lacking, self.lacking_across = parts_differ, lacking, lacking_across


cdef class AliasRules:
    """The weights of :func:`entityres.gazetteer.match.score_alias` after the alignment (:func:`aligned_score`)."""

    cdef double first, inner, last, order, different
    cdef Py_ssize_t chain
    cdef NameRules names

    def __init__(self, double first, double inner, double last, double order, double different, Py_ssize_t chain,
                 NameRules names):
        self.first, self.inner, self.last, self.order, self.different = first, inner, last, order, different
        self.chain, self.names = chain, names


cdef inline bint _grouped(object part, frozenset group) except -1:
    return part is not None and part in group


cdef int _read_aligned(list aligned, Py_ssize_t n_a, Py_ssize_t n_b) except -1:
    """Check that each unit of ``aligned`` is ``(similarity, positions in a, positions in b)``, each
    position a word of its name and neither side empty."""
    cdef tuple item
    for item in aligned:
        if len(item) != 3 or not item[1] or not item[2]:
            raise ValueError(f"an aligned unit is (similarity, positions, positions), each side a word or more, not {item!r}")
        for i in <tuple?> item[1]:
            if not 0 <= <Py_ssize_t?> i < n_a:
                raise IndexError(f"position {i} is not a word of a name of {n_a}")
        for j in <tuple?> item[2]:
            if not 0 <= <Py_ssize_t?> j < n_b:
                raise IndexError(f"position {j} is not a word of a name of {n_b}")
    return 0


cdef Py_ssize_t _lineage_cut(tuple words, frozenset lineages) except -2:
    """The position of a name's first lineage particle with a word on each side, or -1: one at an
    edge links nothing (a name with its words shuffled)."""
    cdef Py_ssize_t i
    for i in range(1, len(words) - 1):
        if _grouped((<tuple> words[i])[6], lineages):
            return i
    return -1


cdef bint _generations_differ(tuple a, tuple b, frozenset generations) except -1:
    """Whether the generations (Jr, III) of one name are not those of the other, as sets."""
    return _generations_missing(a, b, generations) or _generations_missing(b, a, generations)


cdef bint _generations_missing(tuple a, tuple b, frozenset generations) except -1:
    cdef object part
    for w in a:
        part = (<tuple> w)[6]
        if _grouped(part, generations) and not any([(<tuple> v)[6] == part for v in b]):
            return True
    return False


def generations_differ(tuple a, tuple b, NameRules rules) -> bool:
    """:func:`entityres.text.similarity.generations_differ` of two names' profiled words."""
    _check_words(a)
    _check_words(b)
    return _generations_differ(a, b, rules.generations)


cdef bint _lacks_word(tuple words, list aligned, Py_ssize_t side, double floor, frozenset particles) except -1:
    """Whether a word of ``words`` (side 1 or 2 of ``aligned``) found no partner scoring ``floor``
    or more; particles and initials say too little to count."""
    cdef Py_ssize_t i, n = len(words)
    cdef double stack[STACK]
    cdef double *best = <double *> scratch(stack, sizeof(stack), n * sizeof(double))
    cdef tuple item, w
    try:
        for i in range(n):
            best[i] = 0.0
        for item in aligned:
            for i in <tuple> item[side]:
                best[i] = item[0]
        for i in range(n):
            w = <tuple> words[i]
            if best[i] < floor and PyUnicode_GET_LENGTH(<str?> w[5]) > 1 and not _grouped(w[6], particles):
                return True
        return False
    finally:
        if best != stack:
            PyMem_Free(best)


cdef bint _different_names(tuple a, tuple b, list aligned, NameRules r) except -1:
    # Word fields: arabic 4, surface 5, part 6
    cdef tuple item, ia, ja
    cdef Py_ssize_t cut_a, cut_b
    cdef object part_a, part_b
    if not a or not b:
        raise ValueError("different_names compares two names of one word or more")
    for item in aligned:  # two aligned words that are different known parts, neither a particle
        ia, ja = item[1], item[2]
        if len(ia) == 1 and len(ja) == 1:
            part_a, part_b = (<tuple> a[<Py_ssize_t> ia[0]])[6], (<tuple> b[<Py_ssize_t> ja[0]])[6]
            # a part does not differ from itself: parts_differ is asked only of two
            if part_a is not None and part_b is not None and part_a != part_b and part_a not in r.particles \
                    and part_b not in r.particles and r.parts_differ(part_a, part_b):
                return True
    cut_a, cut_b = _lineage_cut(a, r.lineages), _lineage_cut(b, r.lineages)
    if cut_a >= 0 and cut_b >= 0:  # a word before bin in one name aligned with one after it in the other
        for item in aligned:
            ia, ja = item[1], item[2]
            if len(ia) == 1 and len(ja) == 1 and ia[0] != cut_a and ja[0] != cut_b \
                    and (<Py_ssize_t> ia[0] < cut_a) != (<Py_ssize_t> ja[0] < cut_b):
                return True
    if _generations_differ(a, b, r.generations):
        return True
    cdef double floor = r.lacking if bool((<tuple> a[0])[4]) == bool((<tuple> b[0])[4]) else r.lacking_across
    return _lacks_word(a, aligned, 1, floor, r.particles) and _lacks_word(b, aligned, 2, floor, r.particles)


def different_names(tuple a, tuple b, list aligned, NameRules rules) -> bool:
    """:func:`entityres.text.similarity.different_names` of two names' profiled words and their
    alignment (as :func:`align_units` gives it)."""
    _check_words(a)
    _check_words(b)
    _read_aligned(aligned, len(a), len(b))
    return _different_names(a, b, aligned, rules)


cdef inline double _missing_weight(Py_ssize_t j, Py_ssize_t n, Py_ssize_t query_words, AliasRules r) noexcept:
    if n == 1:
        return 1.0
    if 0 < j < n - 1:
        return r.inner
    if query_words > 1:
        return 1.0
    return r.first if j == 0 else r.last


def aligned_score(tuple query, Py_ssize_t written, tuple words, list aligned, Py_ssize_t title,
                  AliasRules rules) -> float:
    """The score of an alias's profiled ``words``, the first ``title`` of them a title, for a
    query's (``query``; ``written``: its words as written) aligned as ``aligned`` (:func:`align_names`):
    the share of both names' weight that aligned, lowered for another order and capped for
    different names (:func:`entityres.gazetteer.match.score_alias` says how). Word fields: weight 3."""
    cdef Py_ssize_t nq = len(query), na = len(words), i, j, k, n_aligned = len(aligned)
    cdef Py_ssize_t sum_q = 0, count_q = 0, sum_a = 0, count_a = 0, w
    cdef double matched = 0.0, total = 0.0, rest = 0.0, unit, unit_q, score
    cdef bint in_order = True
    cdef tuple item
    if not nq or not na:
        raise ValueError("aligned_score scores names of one word or more")
    _check_words(query)
    _check_words(words)
    _read_aligned(aligned, nq, na)
    cdef unsigned char stack[2 * STACK]
    cdef unsigned char *used_q = <unsigned char *> scratch(stack, sizeof(stack), nq + na)
    cdef unsigned char *used_a = used_q + nq
    cdef Py_ssize_t order_stack[2 * STACK]
    cdef Py_ssize_t *firsts = <Py_ssize_t *> scratch(order_stack, sizeof(order_stack), 2 * n_aligned * sizeof(Py_ssize_t))
    try:
        memset(used_q, 0, nq + na)
        for k in range(n_aligned):
            item = aligned[k]
            w = 0
            for i in <tuple> item[1]:
                w += <Py_ssize_t?> (<tuple> query[<Py_ssize_t> i])[3]
                used_q[<Py_ssize_t> i] = 1
            for j in <tuple> item[2]:
                w += <Py_ssize_t?> (<tuple> words[<Py_ssize_t> j])[3]
                used_a[<Py_ssize_t> j] = 1
            matched += <double?> item[0] * <double> w
            # each unit's first positions: in order when sorted by the query's, the alias's rise
            firsts[2 * k], firsts[2 * k + 1] = (<tuple> item[1])[0], (<tuple> item[2])[0]
        for k in range(n_aligned):
            for i in range(k + 1, n_aligned):
                if (firsts[2 * i] < firsts[2 * k]) != (firsts[2 * i + 1] < firsts[2 * k + 1]):
                    in_order = False
        for i in range(nq):
            if used_q[i]:
                sum_q += <Py_ssize_t?> (<tuple> query[i])[3]
                count_q += 1
        for j in range(na):
            if used_a[j]:
                sum_a += <Py_ssize_t?> (<tuple> words[j])[3]
                count_a += 1
        unit = <double> sum_a / <double> count_a if count_a else 0.0
        unit_q = <double> sum_q / <double> count_q if count_q else 0.0
        # A missing word costs by its position, in units of the words that did align
        for i in range(nq):
            w = <Py_ssize_t?> (<tuple> query[i])[3]
            if used_q[i] or not (in_order and 0 < i < nq - 1):
                total += <double> w
            else:  # an inner word the alias lacks costs as the alias's would; a middle initial a whole word
                total += (unit_q if unit_q != 0.0 else <double> w) * (1.0 if _initial(<tuple> query[i]) else rules.inner)
        for j in range(na):
            w = <Py_ssize_t?> (<tuple> words[j])[3]
            if used_a[j]:
                rest += <double> w
            elif j >= title:
                rest += (unit if unit != 0.0 else <double> w) * _missing_weight(j - title, na - title, written, rules)
        total += rest
        if total == 0.0:
            raise ZeroDivisionError("the names weigh nothing")
        score = matched / total
        if not in_order:
            score *= rules.order
        if _different_names(query, words, aligned, rules.names) or _names_a_son(nq, aligned, rules.chain):
            score = rules.different if rules.different < score else score
        return score
    finally:
        if used_q != stack:
            PyMem_Free(used_q)
        if firsts != order_stack:
            PyMem_Free(firsts)


cdef bint _names_a_son(Py_ssize_t query_words, list aligned, Py_ssize_t chain) except -1:
    """Whether a name chain of ``chain`` words or more puts words of its own before the alias's
    first name (:func:`entityres.gazetteer.match.score_alias`)."""
    cdef Py_ssize_t at = -1
    cdef tuple item
    if query_words < chain:
        return False
    for item in aligned:
        if (<tuple> item[2])[0] == 0:
            at = (<tuple> item[1])[0]
            break
    if at <= 0:
        return False
    for item in aligned:
        for i in <tuple> item[1]:
            if <Py_ssize_t> i < at:
                return False
    return True


# --- the merge's bound ---------------------------------------------------------------------------

cdef double _key_weight(str key, CostTable t) noexcept:
    cdef Py_ssize_t i, n = PyUnicode_GET_LENGTH(key)
    cdef int kind = PyUnicode_KIND(key)
    cdef const void *data = PyUnicode_DATA(key)
    cdef double total = 0.0
    for i in range(n):
        total += _weight(t, PyUnicode_READ(kind, data, i))
    return total


cdef struct _Weighed:
    double weight  # the key's weight (_key_weight)
    long classes  # its letters read as a rarer class


cdef int _weigh_keys(tuple keys, Py_ssize_t n, CostTable t, _Weighed *out) except -1:
    """The first ``n`` ``(key, classes)`` pairs of ``keys`` as weights (:func:`_key_weight`) into ``out``."""
    cdef Py_ssize_t i
    cdef tuple key
    for i in range(n):
        key = <tuple?> keys[i]
        out[i].weight, out[i].classes = _key_weight(<str?> key[0], t), key[1]
    return 0


cdef double _weights_bound(const _Weighed *a, Py_ssize_t na, const _Weighed *b, Py_ssize_t nb,
                           double penalty) noexcept:
    """At least :func:`best_key_similarity` (without shortlist) of keys weighing ``a`` and ``b``
    by a balanced table: each edit changes the weight left to match by no more than it costs, so
    the distance is at least the difference of the keys' weights, and a similarity at most the
    lighter weight over the heavier."""
    cdef Py_ssize_t i, j
    cdef double best = 0.0, s, wa, wb
    for i in range(na):
        wa = a[i].weight
        for j in range(nb):
            wb = b[j].weight
            s = 1.0 if wa == wb else (wa / wb if wa < wb else wb / wa)
            s -= penalty * <double> (a[i].classes + b[j].classes)
            if s > best:
                best = s
    return best


cdef double _length_bound(tuple a, tuple b, Py_ssize_t max_keys, double penalty, CostTable t) except -1.0:
    """:func:`_weights_bound` of the first ``max_keys`` keys of ``a`` and of ``b``."""
    cdef Py_ssize_t na = min(len(a), max_keys), nb = min(len(b), max_keys)
    cdef _Weighed stack[STACK]
    cdef _Weighed *keys = <_Weighed *> scratch(stack, sizeof(stack), (na + nb) * sizeof(_Weighed))
    try:
        _weigh_keys(a, na, t, keys)
        _weigh_keys(b, nb, t, keys + na)
        return _weights_bound(keys, na, keys + na, nb, penalty)
    finally:
        if keys != &stack[0]:
            PyMem_Free(keys)


cdef double _unit_bound(tuple a, tuple b, Py_ssize_t max_keys, bint rough, ScoreRules r) except -2.0:
    """At least :func:`word_similarity` of the profiles of two sketched words (similarity.Sketch:
    text 0, keys 1, weight 2, arabic 3, part 5): their keys' score with readings that match in
    full; ``rough``, with :func:`_length_bound` for the keys' score."""
    cdef double key_sim
    if a[0] == b[0] or (a[5] is not None and a[5] == b[5]):
        return 1.0
    if rough:
        key_sim = _length_bound(a[1], b[1], max_keys, r.alt_class, r.compare)
    else:
        key_sim = _best_key_similarity(a[1], b[1], max_keys, 0, r.alt_class, r.compare)
    return _score_bound(key_sim, 1.0, 1.0, a[3] == b[3], a[2], b[2], r)


cdef void _joined_units(tuple a, tuple joined_a, tuple b, tuple joined_b, double *best_a, double *best_b,
                        Py_ssize_t max_keys, bint rough, ScoreRules r) except *:
    """Raise each word's best to the bound of every unit of two adjacent words read as one it is in."""
    cdef Py_ssize_t i, j
    cdef double u
    for i in range(len(joined_a)):
        for j in range(len(b)):
            u = _unit_bound(<tuple> joined_a[i], <tuple> b[j], max_keys, rough, r)
            best_a[i] = max(best_a[i], u)
            best_a[i + 1] = max(best_a[i + 1], u)
            best_b[j] = max(best_b[j], u)
    for i in range(len(a)):
        for j in range(len(joined_b)):
            u = _unit_bound(<tuple> a[i], <tuple> joined_b[j], max_keys, rough, r)
            best_a[i] = max(best_a[i], u)
            best_b[j] = max(best_b[j], u)
            best_b[j + 1] = max(best_b[j + 1], u)


cdef double _weighted_mean(tuple evidence_a, tuple evidence_b, double *best_a, double *best_b) except -1.0:
    cdef double matched = 0.0, total = 0.0
    cdef Py_ssize_t i
    for i in range(len(evidence_a)):
        matched += <double> evidence_a[i] * best_a[i]
        total += <double> evidence_a[i]
    for i in range(len(evidence_b)):
        matched += <double> evidence_b[i] * best_b[i]
        total += <double> evidence_b[i]
    return matched / total


def name_may_reach(a, b, double threshold, double slack, Py_ssize_t max_keys, ScoreRules rules) -> bool:
    """Whether two sketched names (similarity.NameSketch: words 0, joined 1, evidence 2) may score
    ``threshold`` (less ``slack``, for rounding) by :func:`entityres.text.similarity.name_similarity`:
    each word counts with its evidence at the best bound (:func:`_unit_bound`) of any unit it may be
    aligned in. Units of two words read as one are bounded roughly first, then exactly if need be."""
    if not isinstance(a, tuple) or not isinstance(b, tuple):
        raise TypeError("name_may_reach compares two sketched names (similarity.NameSketch)")
    cdef tuple words_a = a[0], words_b = b[0], joined_a = a[1], joined_b = b[1], evidence_a = a[2], evidence_b = b[2]
    cdef Py_ssize_t na = len(words_a), nb = len(words_b), i, j
    cdef double u
    if na == 0 or nb == 0:
        return 0.0 >= threshold
    cdef double *best = <double *> PyMem_Malloc(2 * (na + nb) * sizeof(double))
    cdef double *best_a = best
    cdef double *best_b = best + na
    if best == NULL:
        raise MemoryError()
    try:
        memset(best, 0, 2 * (na + nb) * sizeof(double))
        for i in range(na):
            for j in range(nb):
                u = _unit_bound(<tuple> words_a[i], <tuple> words_b[j], max_keys, False, rules)
                best_a[i] = max(best_a[i], u)
                best_b[j] = max(best_b[j], u)
        if rules.compare.balanced:
            memcpy(best + na + nb, best, (na + nb) * sizeof(double))
            _joined_units(words_a, joined_a, words_b, joined_b, best + na + nb, best + 2 * na + nb, max_keys, True, rules)
            if _weighted_mean(evidence_a, evidence_b, best + na + nb, best + 2 * na + nb) < threshold - slack:
                return False
        _joined_units(words_a, joined_a, words_b, joined_b, best_a, best_b, max_keys, False, rules)
        return _weighted_mean(evidence_a, evidence_b, best_a, best_b) >= threshold - slack
    finally:
        PyMem_Free(best)


# --- the matcher's pre-rank ------------------------------------------------------------------------

cdef struct _Heard:
    int absent  # no exact hit
    double sound  # -(closest codes + a share of the blocking hit)
    Py_ssize_t at  # the position in ranked: equal keys keep their order


cdef int _compare_heard(const void *x, const void *y) noexcept nogil:
    cdef const _Heard *a = <const _Heard *> x
    cdef const _Heard *b = <const _Heard *> y
    if a.absent != b.absent:
        return a.absent - b.absent
    if a.sound != b.sound:
        return -1 if a.sound < b.sound else 1
    return (a.at > b.at) - (a.at < b.at)


def heard_ranked(list ranked, tuple heard, tuple codes, double top, double hit_weight) -> list:
    """The matcher's pre-rank: ``ranked`` (its ``(-hit, gap, alias)`` candidates) sorted, stably,
    by ``(exact hit absent, -sound)``, where sound is the best Indel similarity of ``codes``
    against the codes heard in the alias plus ``hit_weight * hit / top``. ``heard`` holds those
    codes as ``gazetteer._index.Aliases.heard`` packs them: ``(UTF-8, where each code ends, where
    each item's codes end)``, read here without making a string of an ASCII code."""
    cdef const unsigned char[::1] text
    cdef const uint32_t[::1] code_ends, item_ends
    cdef const unsigned char *t
    cdef double hit, best, s
    cdef Py_ssize_t n = len(codes), k, i, c, c0 = 0, b0 = 0, b1, j
    cdef str x
    cdef object y
    cdef unsigned char ascii
    if len(heard) != 3:
        raise ValueError("heard_ranked: the codes heard are (UTF-8, code ends, item ends)")
    text, code_ends, item_ends = heard
    if item_ends.shape[0] != len(ranked):
        raise ValueError(f"heard_ranked: the codes heard in {item_ends.shape[0]} aliases for {len(ranked)}")
    if not ranked:
        return []
    if not n:
        raise ValueError("heard_ranked needs at least one code of the query")
    t = &text[0] if text.shape[0] else NULL
    # The query's codes' patterns are made once for the few hundred aliases.
    cdef uint64_t *pm = <uint64_t *> PyMem_Calloc(n * TABLE, sizeof(uint64_t))  # _pattern sets in zeros
    cdef unsigned char *fits = <unsigned char *> PyMem_Malloc(n)
    cdef _Heard *keys = <_Heard *> PyMem_Malloc(len(ranked) * sizeof(_Heard))
    if pm == NULL or fits == NULL or keys == NULL:
        PyMem_Free(pm)
        PyMem_Free(fits)
        PyMem_Free(keys)
        raise MemoryError()
    try:
        for k in range(n):
            fits[k] = _pattern(<str?> codes[k], pm + k * TABLE)
        for i in range(len(ranked)):
            if item_ends[i] <= c0 or item_ends[i] > code_ends.shape[0]:
                raise ValueError(f"heard_ranked: alias {i} has no codes heard, or codes past the last")
            best = -1.0
            for c in range(c0, item_ends[i]):
                b1 = code_ends[c]
                if b1 < b0 or b1 > text.shape[0]:
                    raise ValueError(f"heard_ranked: code {c} ends at {b1}, not in {b0}..{text.shape[0]}")
                ascii, y = 0, None
                for j in range(b0, b1):
                    ascii |= t[j]
                for k in range(n):
                    x = codes[k]
                    if fits[k] and ascii < 128:
                        s = _indel_bits(pm + k * TABLE, PyUnicode_GET_LENGTH(x), PyUnicode_1BYTE_KIND, t + b0, b1 - b0)
                    else:  # a code off ASCII, or a query code too long for a pattern: as strings
                        if y is None:
                            y = PyUnicode_DecodeUTF8(<const char *> t + b0, b1 - b0, "surrogatepass")
                        s = _indel_from(x, pm + k * TABLE, fits[k], <str> y)
                    if s > best:
                        best = s
                b0 = b1
            c0 = item_ends[i]
            hit = (<tuple?> ranked[i])[0]
            keys[i].absent, keys[i].sound, keys[i].at = hit > -100.0, -(best + hit_weight * (-hit / top)), i
        qsort(keys, len(ranked), sizeof(_Heard), _compare_heard)
        return [ranked[keys[k].at] for k in range(len(ranked))]
    finally:
        PyMem_Free(pm)
        PyMem_Free(fits)
        PyMem_Free(keys)


def per_entry(list ranked, const unsigned int[::1] entry_of, Py_ssize_t most, Py_ssize_t entries) -> list:
    """The aliases of ``ranked`` (its ``(-hit, gap, alias)`` candidates, in order) kept as the
    matcher rescores them: at most ``most`` of one entry (``entry_of[alias]``), and only of the first ``entries``
    entries met."""
    cdef Py_ssize_t i, k, n = 0, alias
    cdef unsigned int e
    cdef list out = []
    if most < 0 or entries < 0:
        raise ValueError("per_entry: negative limits")
    cdef Py_ssize_t room = min(entries, len(ranked)) + 1  # no more entries met than aliases ranked
    cdef unsigned int *met = <unsigned int *> PyMem_Malloc(room * sizeof(unsigned int))
    cdef Py_ssize_t *kept = <Py_ssize_t *> PyMem_Malloc(room * sizeof(Py_ssize_t))
    if met == NULL or kept == NULL:
        PyMem_Free(met)
        PyMem_Free(kept)
        raise MemoryError()
    try:
        for i in range(len(ranked)):  # far apart in a million aliases: fetched together first
            alias = (<tuple?> ranked[i])[2]
            if not 0 <= alias < entry_of.shape[0]:
                raise IndexError(f"alias {alias} is not under {entry_of.shape[0]}")
            entityres_read_ahead(&entry_of[alias])
        for i in range(len(ranked)):
            alias = (<tuple> ranked[i])[2]
            e = entry_of[alias]
            k = 0  # the entries met are few (RESCORED): a scan finds one
            while k < n and met[k] != e:
                k += 1
            if k == n:
                if n == entries or most == 0:
                    continue
                met[k], kept[k] = e, 0
                n += 1
            if kept[k] < most:
                kept[k] += 1
                out.append(alias)
        return out
    finally:
        PyMem_Free(met)
        PyMem_Free(kept)


# --- Latin rules: a word's units ----------------------------------------------------------------

cpdef enum RuleItem:  # the kinds of a Latin rule's items (keys._rule_items)
    CONSUME, BEGIN, END, AHEAD, BEHIND

cdef enum:
    ANY_CHAR = 128  # the dispatch slot of characters past ASCII


cdef struct _Item:
    int kind
    bint negate_class, negate_assert
    Py_ssize_t lo, hi  # a repeat's bounds, hi -1 for none
    uint64_t mask[2]  # the class, ASCII only


cdef class LatinRules:
    """The Latin rules of keys.yaml as the kernel matches them: per rule its items (from
    :func:`entityres.text.keys._rule_items`) and its options, and per first character the rules
    that could match there, in their order."""

    cdef _Item *items
    cdef Py_ssize_t *starts  # rule r's items are items[starts[r]:starts[r + 1]]
    cdef Py_ssize_t *dispatch  # the rules to try at a character c: dispatch[first[c]:first[c + 1]]
    cdef Py_ssize_t first[ANY_CHAR + 2]
    cdef tuple options

    def __cinit__(self, list rules):
        cdef Py_ssize_t n_items = sum([len(items) for items, _ in rules]), i = 0, r, c, slot, at = 0
        cdef uint64_t lead[2]
        cdef bint any_char
        self.items = <_Item *> PyMem_Malloc(max(n_items, 1) * sizeof(_Item))
        self.starts = <Py_ssize_t *> PyMem_Malloc((len(rules) + 1) * sizeof(Py_ssize_t))
        self.dispatch = <Py_ssize_t *> PyMem_Malloc(max(len(rules) * (ANY_CHAR + 1), 1) * sizeof(Py_ssize_t))
        if self.items == NULL or self.starts == NULL or self.dispatch == NULL:
            raise MemoryError()
        self.options = tuple([tuple(options) for _, options in rules])
        for r, (items, _) in enumerate(rules):
            self.starts[r] = i
            for kind, chars, negate_class, negate_assert, lo, hi in items:
                self.items[i].kind, self.items[i].lo, self.items[i].hi = kind, lo, hi
                self.items[i].negate_class, self.items[i].negate_assert = negate_class, negate_assert
                self.items[i].mask[0] = self.items[i].mask[1] = 0
                for ch in chars:
                    c = _ascii(ch)
                    self.items[i].mask[c >> 6] |= (<uint64_t> 1) << (c & 63)
                i += 1
        self.starts[len(rules)] = i
        # A rule is tried at a character only if it could consume it first.
        for slot in range(ANY_CHAR + 1):
            self.first[slot] = at
            for r in range(len(rules)):
                lead[0] = lead[1] = 0
                any_char = False
                for i in range(self.starts[r], self.starts[r + 1]):
                    if self.items[i].kind != CONSUME:
                        continue
                    if self.items[i].negate_class:
                        any_char = True
                    lead[0] |= self.items[i].mask[0]
                    lead[1] |= self.items[i].mask[1]
                    if self.items[i].lo > 0:
                        break
                if any_char or (slot < ANY_CHAR and (lead[slot >> 6] >> (slot & 63)) & 1):
                    self.dispatch[at] = r
                    at += 1
        self.first[ANY_CHAR + 1] = at

    def __dealloc__(self):
        PyMem_Free(self.items)
        PyMem_Free(self.starts)
        PyMem_Free(self.dispatch)


cdef inline bint _in_class(const _Item *item, Py_UCS4 letter) noexcept:
    cdef uint32_t c = <uint32_t> letter
    cdef bint found = c < 128 and (item.mask[c >> 6] >> (c & 63)) & 1
    return found != item.negate_class


cdef Py_ssize_t _match_items(LatinRules rules, Py_ssize_t i, Py_ssize_t stop, str word, Py_ssize_t n,
                             Py_ssize_t pos) except -2:
    """Where items ``i:stop`` matching at ``pos`` end, or -1: as Python's ``re`` matches them (a
    repeat takes the most it can, then gives back one at a time; ``$`` also before a final newline)."""
    cdef const _Item *item
    cdef Py_ssize_t run, end
    cdef bint found
    while i < stop:
        item = &rules.items[i]
        if item.kind == BEGIN:
            if pos != 0:
                return -1
        elif item.kind == END:
            if not (pos == n or (pos == n - 1 and PyUnicode_READ_CHAR(word, pos) == u'\n')):
                return -1
        elif item.kind == AHEAD or item.kind == BEHIND:
            if item.kind == AHEAD:
                found = pos < n and _in_class(item, PyUnicode_READ_CHAR(word, pos))
            else:
                found = pos > 0 and _in_class(item, PyUnicode_READ_CHAR(word, pos - 1))
            if found == item.negate_assert:
                return -1
        else:
            run = 0
            while (item.hi < 0 or run < item.hi) and pos + run < n and _in_class(item, PyUnicode_READ_CHAR(word, pos + run)):
                run += 1
            while run >= item.lo:
                end = _match_items(rules, i + 1, stop, word, n, pos + run)
                if end >= 0:
                    return end
                run -= 1
            return -1
        i += 1
    return pos


def latin_units(str word, LatinRules rules) -> list:
    """A Latin word's units, ``(letters, options)``, as ``re.finditer`` over the rules' ordered
    alternation finds them: at each position the first rule that matches, else the letter is skipped."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(word), pos = 0, j, r, end, slot
    cdef list out = []
    while pos < n:
        slot = <Py_ssize_t> PyUnicode_READ_CHAR(word, pos)
        slot = min(slot, <Py_ssize_t> ANY_CHAR)
        end = -1
        for j in range(rules.first[slot], rules.first[slot + 1]):
            r = rules.dispatch[j]
            end = _match_items(rules, rules.starts[r], rules.starts[r + 1], word, n, pos)
            if end >= 0:
                out.append((word[pos:end], rules.options[r]))
                break
        pos = end if end > pos else pos + 1
    return out


# --- keys: every key a word's letter options make ------------------------------------------------

def expand_keys(list units, bint collapse, Py_ssize_t max_keys, Py_ssize_t max_combos):
    """All keys from per-unit class options, as ``(key, choices off the first, vowel slots)``,
    cheapest first (then by key), at most ``max_keys`` (:func:`entityres.text.keys._expand` says how).

    A unit is ``(its letters, its options)``; an option is a string of classes, or ``-`` for a
    vowel, whose letters go into the slot before the next class. Only the first option of later
    ambiguous units is tried once 2 ** (ambiguous units) would pass ``max_combos``. Combinations
    go in the order of ``itertools.product``; a key keeps the slots of its first cheapest one.
    Each distinct key is kept in C, its classes, slot letters and bounds, and only the ``max_keys``
    returned are made strings (a word's combinations made a str each, and its slots a tuple).
    """
    cdef Py_ssize_t n = len(units), i, k, f, n_classes, n_slot_chars, cost, longest_option = 0, letters = 0
    cdef Py_ssize_t n_ambiguous = 0, kept, width, n_found = 0, room = 8, best, slot
    cdef list texts = [], options = []
    cdef tuple opts
    cdef str opt, text
    cdef Py_ssize_t *count
    cdef Py_ssize_t *at
    cdef Py_ssize_t *bounds
    cdef Py_UCS4 *classes
    cdef Py_UCS4 *slot_chars
    cdef Py_UCS4 c
    # the keys found as texts (cost, classes, hash), each with its slot letters after its classes
    # (width a key) and its bounds (width + 2), and a hash table of their numbers (a word of six
    # units of four options each has 4,096 combinations)
    cdef _Text combo
    cdef _Text *found = NULL
    cdef Py_UCS4 *found_chars = NULL
    cdef Py_ssize_t *found_bounds = NULL
    cdef Py_ssize_t *table = NULL
    cdef Py_ssize_t *order = NULL
    cdef bint done
    for text, raw in units:
        opts = tuple(raw)
        texts.append(text)
        options.append(opts)
        letters += PyUnicode_GET_LENGTH(text)
        if len(opts) > 1:
            n_ambiguous += 1
        for opt in opts:
            if PyUnicode_GET_LENGTH(opt) > longest_option:
                longest_option = PyUnicode_GET_LENGTH(opt)
    kept = n_ambiguous  # the first ambiguous units, as many as 2 ** kept <= max_combos allows
    while kept and (kept >= 63 or (<Py_ssize_t> 1 << kept) > max_combos):
        kept -= 1
    width = n * longest_option + letters
    count = <Py_ssize_t *> PyMem_Malloc((3 * n + n * longest_option + 2) * sizeof(Py_ssize_t))
    classes = <Py_UCS4 *> PyMem_Malloc((n * longest_option + letters + 1) * sizeof(Py_UCS4))
    if count == NULL or classes == NULL:
        PyMem_Free(count); PyMem_Free(classes)
        raise MemoryError()
    at, bounds, slot_chars = count + n, count + 2 * n, classes + n * longest_option
    try:
        k = 0  # ambiguous units so far
        for i in range(n):
            count[i] = len(<tuple> options[i])
            if count[i] > 1:
                if k >= kept:
                    count[i] = 1
                k += 1
            if count[i] == 0:
                return ()
            at[i] = 0
        found = <_Text *> _grow(NULL, room * sizeof(_Text))
        found_chars = <Py_UCS4 *> _grow(NULL, room * (width + 1) * sizeof(Py_UCS4))
        found_bounds = <Py_ssize_t *> _grow(NULL, room * (width + 2) * sizeof(Py_ssize_t))
        table = <Py_ssize_t *> _grow(NULL, 2 * room * sizeof(Py_ssize_t))
        memset(table, -1, 2 * room * sizeof(Py_ssize_t))
        while True:
            n_classes = n_slot_chars = cost = 0
            bounds[0] = 0
            for i in range(n):
                opt = <str> (<tuple> options[i])[at[i]]
                cost += at[i]
                if opt == "-":
                    text = <str> texts[i]
                    for k in range(PyUnicode_GET_LENGTH(text)):
                        slot_chars[n_slot_chars] = PyUnicode_READ_CHAR(text, k)
                        n_slot_chars += 1
                    continue
                for k in range(PyUnicode_GET_LENGTH(opt)):
                    c = PyUnicode_READ_CHAR(opt, k)
                    # a run of one class is one class unless a vowel stands between
                    if collapse and n_classes and classes[n_classes - 1] == c and n_slot_chars == bounds[n_classes]:
                        continue
                    classes[n_classes] = c
                    n_classes += 1
                    bounds[n_classes] = n_slot_chars
            bounds[n_classes + 1] = n_slot_chars  # the last slot ends with the letters
            combo.cost, combo.chars, combo.n = cost, classes, n_classes
            combo.hash = _fnv(14695981039346656037ULL, classes, n_classes)
            slot = _find(table, 2 * room - 1, found, &combo)
            f = table[slot]
            if f < 0 or combo.cost < found[f].cost:  # new, or cheaper: its slots now
                if f < 0:
                    f = n_found
                    if n_found == room:  # kept at most half full
                        room *= 2
                        found = <_Text *> _grow(found, room * sizeof(_Text))
                        found_chars = <Py_UCS4 *> _grow(found_chars, room * (width + 1) * sizeof(Py_UCS4))
                        found_bounds = <Py_ssize_t *> _grow(found_bounds, room * (width + 2) * sizeof(Py_ssize_t))
                        table = <Py_ssize_t *> _grow(table, 2 * room * sizeof(Py_ssize_t))
                        memset(table, -1, 2 * room * sizeof(Py_ssize_t))
                        for k in range(n_found):  # moved: each key again, by its hash
                            found[k].chars = found_chars + k * (width + 1)
                            table[_find(table, 2 * room - 1, found, &found[k])] = k
                        slot = _find(table, 2 * room - 1, found, &combo)
                    table[slot] = f
                    n_found += 1
                found[f] = combo
                found[f].chars = found_chars + f * (width + 1)
                memcpy(found[f].chars, classes, n_classes * sizeof(Py_UCS4))
                memcpy(found[f].chars + n_classes, slot_chars, n_slot_chars * sizeof(Py_UCS4))
                memcpy(found_bounds + f * (width + 2), bounds, (n_classes + 2) * sizeof(Py_ssize_t))
            # the next combination, the last unit fastest (itertools.product)
            done = True
            for i in range(n - 1, -1, -1):
                at[i] += 1
                if at[i] < count[i]:
                    done = False
                    break
                at[i] = 0
            if done:
                break
        # the max_keys first as Python sorts (cost, key): a selection, max_keys passes over those found
        order = <Py_ssize_t *> _grow(NULL, n_found * sizeof(Py_ssize_t))
        for f in range(n_found):
            order[f] = f
        out = []
        for k in range(min(n_found, max_keys)):
            best = k
            for f in range(k + 1, n_found):
                if _compare_readings(&found[order[f]], &found[order[best]]) < 0:
                    best = f
            order[k], order[best] = order[best], order[k]
            f = order[k]
            out.append((ucs4_str(found[f].chars, found[f].n), <Py_ssize_t> found[f].cost,
                        _slots(found[f].chars + found[f].n, found_bounds + f * (width + 2), found[f].n)))
        return tuple(out)
    finally:
        PyMem_Free(count)
        PyMem_Free(classes)
        PyMem_Free(found)
        PyMem_Free(found_chars)
        PyMem_Free(found_bounds)
        PyMem_Free(table)
        PyMem_Free(order)


cdef tuple _slots(const Py_UCS4 *letters, const Py_ssize_t *bounds, Py_ssize_t n_classes):
    """A key's vowel slots: the letters before each of its ``n_classes`` classes and after the
    last, slot ``k`` from ``bounds[k]`` to ``bounds[k + 1]``."""
    cdef tuple out = PyTuple_New(n_classes + 1)
    cdef Py_ssize_t k
    for k in range(n_classes + 1):
        item = ucs4_str(letters + bounds[k], bounds[k + 1] - bounds[k])
        Py_INCREF(item)  # PyTuple_SET_ITEM steals it
        PyTuple_SET_ITEM(out, k, item)
    return out


def key_codes(tuple expansion, Py_ssize_t n):
    """The codes of the first ``n`` keys of ``expansion`` (``(key, cost, slots)``, as
    :func:`expand_keys` gives them): each class of the key, with ``A`` before it where its slot
    holds letters and ``A`` at the end where the last slot does; each code once, in order
    (:func:`entityres.text.keys.latin_codes`)."""
    cdef list out = []
    cdef str key, code
    cdef tuple slots
    cdef Py_ssize_t i, m, size
    cdef Py_UCS4 stack[2 * STACK + 1]
    cdef Py_UCS4 *buf
    for item in expansion[:n]:
        key, slots = <str> (<tuple> item)[0], <tuple> (<tuple> item)[2]
        m = PyUnicode_GET_LENGTH(key)
        if len(slots) != m + 1:
            raise ValueError(f"key {key!r} has {len(slots)} slots, not one more than its classes")
        buf = &stack[0] if m <= STACK else <Py_UCS4 *> PyMem_Malloc((2 * m + 1) * sizeof(Py_UCS4))
        if buf == NULL:
            raise MemoryError()
        size = 0
        for i in range(m):
            if PyUnicode_GET_LENGTH(<str> slots[i]):
                buf[size] = u'A'
                size += 1
            buf[size] = PyUnicode_READ_CHAR(key, i)
            size += 1
        if PyUnicode_GET_LENGTH(<str> slots[m]):
            buf[size] = u'A'
            size += 1
        code = ucs4_str(buf, size)
        if buf != &stack[0]:
            PyMem_Free(buf)
        if code not in out:
            out.append(code)
    return tuple(out)


cdef enum:  # how two keys meet when written as one (_joint_shape)
    DROP_LAST = 1  # the first ends in an edge vowel A, which is no longer at an edge
    DROP_FIRST = 2  # the second starts with one
    ONE_LETTER = 4  # the classes either side of the joint are one letter written apart


cdef int _joint_shape(str k1, str k2) noexcept:
    """How ``k1`` and ``k2`` join (DROP_LAST, DROP_FIRST, ONE_LETTER), or -1 when ``k1`` is empty
    (the first word: ``k2`` as it is): the one rule of :func:`_join_text` and :func:`_join_slots`."""
    cdef Py_ssize_t n1 = PyUnicode_GET_LENGTH(k1), n2 = PyUnicode_GET_LENGTH(k2)
    cdef int shape = 0
    if n1 == 0:
        return -1
    if PyUnicode_READ_CHAR(k1, n1 - 1) == u'A':
        shape |= DROP_LAST
        n1 -= 1
    if n2 and PyUnicode_READ_CHAR(k2, 0) == u'A':
        shape |= DROP_FIRST
    if n1 and n2 - (shape & DROP_FIRST != 0) > 0 and \
            PyUnicode_READ_CHAR(k1, n1 - 1) == PyUnicode_READ_CHAR(k2, 1 if shape & DROP_FIRST else 0):
        shape |= ONE_LETTER
    return shape


cdef str _join_text(str k1, str k2, int shape):
    """The key of ``k1`` and ``k2`` written as one, joined as ``shape`` says (:func:`_joint_shape`)."""
    if shape < 0:
        return k2
    cdef Py_ssize_t n1 = PyUnicode_GET_LENGTH(k1) - (shape & DROP_LAST != 0)
    cdef Py_ssize_t skip = (shape & DROP_FIRST != 0) + (shape & ONE_LETTER != 0)
    return (k1[:n1] if n1 < PyUnicode_GET_LENGTH(k1) else k1) + (k2[skip:] if skip else k2)


cdef tuple _join_slots(tuple s1, tuple s2, int shape, str joint):
    """The vowel slots of two keys written as one, joined as ``shape`` says (:func:`_joint_shape`):
    ``s1`` without its last slot (its last two when its edge vowel goes), the joint unless one
    letter was written apart, then ``s2`` without its first slot (its first two likewise); made
    as one tuple, without the slices Python would make."""
    cdef Py_ssize_t n1 = len(s1) - (2 if shape & DROP_LAST else 1), skip = 2 if shape & DROP_FIRST else 1
    cdef Py_ssize_t n2 = len(s2) - skip, i, at = 0
    cdef bint mid = not shape & ONE_LETTER
    n1 = 0 if n1 < 0 else n1
    n2 = 0 if n2 < 0 else n2
    cdef tuple slots = PyTuple_New(n1 + mid + n2)
    for i in range(n1):
        _put(slots, at, s1[i])
        at += 1
    if mid:
        _put(slots, at, joint)
        at += 1
    for i in range(n2):
        _put(slots, at, s2[skip + i])
        at += 1
    return slots


def join_key_slots(list parts, Py_ssize_t max_keys, str joint):
    """Keys (with slots) of words written together, ``(key, cost, slots)``, cheapest first, at most
    ``max_keys`` after each word (:func:`entityres.text.keys.join_key_slots` says how)."""
    return _join_key_slots(parts, max_keys, joint)


cdef tuple _join_key_slots(list parts, Py_ssize_t max_keys, str joint):
    # Each distinct joined key keeps its cheapest combination (the first of equal cost); its slots
    # are made only then (joint None: keys without slots, each None). Then the max_keys cheapest
    # (by cost, then key) go on to the next word. The first word's keys joined to nothing are
    # themselves: when they come distinct and cheapest first (a profile's do), they are taken as they are.
    cdef list combos
    cdef Py_ssize_t i
    if not parts:
        return (("", 0, ("",)),)
    combos = list((<tuple?> parts[0])[:max_keys]) if _ranked_keys(<tuple?> parts[0]) \
        else _joined_keys([("", 0, ("",))], <tuple?> parts[0], max_keys, joint)
    for i in range(1, len(parts)):
        combos = _joined_keys(combos, <tuple?> parts[i], max_keys, joint)
    return tuple(combos)


cdef bint _ranked_keys(tuple keys) except -1:
    """Whether ``keys`` are ``(key, cost, slots)`` triples of str keys and int costs, each distinct
    and cheapest first, then by key: what a sort of their joins to nothing would give."""
    cdef Py_ssize_t i, j
    cdef object item, last = None
    for i in range(len(keys)):
        item = keys[i]
        if type(item) is not tuple or len(<tuple> item) != 3 or type((<tuple> item)[0]) is not str \
                or type((<tuple> item)[1]) is not int:
            return False
        if last is not None and not (((<tuple> last)[1], (<tuple> last)[0]) < ((<tuple> item)[1], (<tuple> item)[0])):
            return False
        for j in range(i):  # a key twice at two costs is in order, but not distinct (a word has a few keys)
            if (<tuple> keys[j])[0] == (<tuple> item)[0]:
                return False
        last = item
    return True


cdef list _joined_keys(list combos, tuple part, Py_ssize_t max_keys, str joint):
    """One step of :func:`_join_key_slots`: ``combos`` joined to each key of ``part``."""
    cdef dict nxt = {}
    cdef tuple best
    cdef str k1, k2, k
    cdef long c1, c2
    cdef int shape
    for k1, c1, s1 in combos:
        for k2, c2, s2 in part:
            shape = _joint_shape(k1, k2)
            k = _join_text(k1, k2, shape)
            best = nxt.get(k)
            if best is None or c1 + c2 < <long> best[0]:
                nxt[k] = (c1 + c2, s2 if shape < 0 or joint is None else _join_slots(s1, s2, shape, joint))
    if len(nxt) == 1:  # nothing to sort
        return [(k, c, s) for k, (c, s) in nxt.items()]
    return [(k, c, s) for c, k, s in sorted([(c, k, s) for k, (c, s) in nxt.items()])[:max_keys]]


def join_keys(list parts, Py_ssize_t max_keys):
    """Keys ``(key, cost)`` of words written together, without their slots
    (:func:`entityres.text.keys.join_keys`): each word's keys joined as keys, no slots made."""
    return tuple([(k, c) for k, c, _ in _join_key_slots([tuple([(k, c, None) for k, c in p]) for p in parts],
                                                        max_keys, None)])


def join_codes(list parts, Py_ssize_t max_keys, Py_ssize_t max_codes):
    """The codes of words written together (:func:`entityres.text.keys.join_codes`): each word's
    first ``max_codes`` joined as keys with no vowel slots."""
    return _join_codes(parts, max_keys, max_codes)


cdef tuple _join_codes(list parts, Py_ssize_t max_keys, Py_ssize_t max_codes):
    # Codes cost nothing and have no slots: the combinations are the distinct joined texts, sorted
    # (as _join_key_slots orders keys of one cost), the first max_keys going on to the next word.
    # One code joined to one code is one text: nothing to gather or sort.
    cdef list combos = [""], found
    cdef set seen
    cdef tuple codes
    cdef str k1, k2, k
    cdef Py_ssize_t i, n
    for p in parts:
        codes = <tuple> p
        n = min(len(codes), max_codes)
        if n == 1 and len(combos) == 1:
            k1, k2 = <str> combos[0], <str> codes[0]
            combos = [_join_text(k1, k2, _joint_shape(k1, k2))]
            continue
        found, seen = [], set()
        for k1 in combos:
            for i in range(n):
                k2 = <str> codes[i]
                k = _join_text(k1, k2, _joint_shape(k1, k2))
                if k not in seen:
                    seen.add(k)
                    found.append(k)
        found.sort()
        combos = found[:max_keys] if len(found) > max_keys else found
    return tuple(combos)


cdef class Joiner:
    """Profiled words read as one (:func:`entityres.text.similarity.join_profiles`), made in C as
    ``word`` tuples (similarity.Word: text, keys, codes, weight, arabic, surface, part, slots,
    pieces): each word's keys joined, the ``max_keys`` cheapest kept after each word, their vowel
    slots joined at ``joint``; the first ``max_codes`` codes of each joined likewise; their known
    part (:meth:`part_of`, from the tables' ``part_symbol`` and ``compound_part``). The matcher
    joins every pair of an alias's words it may align: no Python runs here but those two."""
    cdef type word
    cdef Py_ssize_t max_keys, max_codes
    cdef str joint
    cdef object part_symbol, compound_part

    def __init__(self, type word, Py_ssize_t max_keys, str joint, Py_ssize_t max_codes, part_symbol, compound_part):
        if not issubclass(word, tuple) or len(getattr(word, "_fields", ())) != 9:
            raise TypeError("Joiner: word must be a named tuple of the nine fields of a profiled word")
        self.word, self.max_keys, self.joint, self.max_codes = word, max_keys, joint, max_codes
        self.part_symbol, self.compound_part = part_symbol, compound_part

    cdef object _own_part(self, tuple word):
        # the part a word's letters spell: its profile's, unless it joins words (then their compound)
        return self.part_symbol(word[5]) if word[8] else word[6]

    cpdef object part_of(self, list surfaces, str surface, object first, object second):
        """The known part of words read as one: the part their letters spell together (``surface``:
        their ``surfaces`` joined), else, for two words, ``first+second`` when both of their own
        parts are known, and for more, ``compound_part(surfaces)``."""
        cdef object joined = self.part_symbol(surface)
        if joined is not None or len(surfaces) != 2:
            return joined or self.compound_part(surfaces)
        # two words (the matcher joins every alias's pairs): compound_part's answer without its loop
        return None if first is None or second is None else f"{first}+{second}"

    cpdef tuple join(self, tuple parts):
        """``parts`` (profiled words) read as one word; one word as it is."""
        cdef tuple keys, slots, found, w
        cdef Py_ssize_t i, weight = 0
        cdef list key_parts = [], codes = [], texts = [], surfaces = [], pieces = []
        cdef str surface
        cdef object part, first = None, second = None
        if not parts:
            raise ValueError("Joiner.join needs at least one word")
        if len(parts) == 1:
            return _word(parts[0])
        for part in parts:
            w = _word(part)  # read as a tuple: a NamedTuple's items through its type cost a call each
            keys, slots = <tuple> w[1], <tuple> w[7]
            key_parts.append(tuple([((<tuple> keys[i])[0], (<tuple> keys[i])[1], slots[i])
                                    for i in range(min(len(keys), len(slots)))]))
            codes.append(w[2])
            texts.append(w[0])
            surfaces.append(w[5])
            weight += <Py_ssize_t> w[3]
            if w[8]:
                pieces.extend(<tuple> w[8])
            else:
                pieces.append(w[6])
        found = _join_key_slots(key_parts, self.max_keys, self.joint)
        surface = "".join(surfaces)
        if len(parts) == 2:
            first, second = self._own_part(<tuple> parts[0]), self._own_part(<tuple> parts[1])
        part = self.part_of(surfaces, surface, first, second)
        cdef PyObject *raw = (<_Type *> self.word).tp_alloc(<_Type *> self.word, 9)
        if raw is NULL:
            raise MemoryError()
        cdef tuple made = <tuple> <object> raw
        Py_DECREF(made)  # the cast took a reference of its own
        _put(made, 0, "".join(texts))
        _put(made, 1, tuple([(k, c) for k, c, _ in found]))
        _put(made, 2, _join_codes(codes, self.max_keys, self.max_codes))
        _put(made, 3, weight)
        _put(made, 4, (<tuple> parts[0])[4])
        _put(made, 5, surface)
        _put(made, 6, part)
        _put(made, 7, tuple([s_ for _, _, s_ in found]))
        _put(made, 8, tuple(pieces))
        settle(made)  # kept in the matcher's caches (an alias's pairs): out of the cycle collector's sight
        return made

    cpdef tuple pairs(self, tuple words):
        """``words`` adjacent two by two read as one: item i joins words i and i + 1."""
        cdef Py_ssize_t i
        return tuple([self.join((words[i], words[i + 1])) for i in range(len(words) - 1)])


def letter_units(str word, dict table, vowels):
    """A normalised Arabic-script word (ZWNJ already removed) as the units of ``table`` with their
    options (:func:`entityres.text.transliterate.letter_units` describes them): a digraph the table
    names where its rule has options for the position, else one letter; letters the table does not
    know are skipped. ``vowels``: the letters after (before) which a rule's ``after_vowel`` (``before_vowel``) options apply."""
    cdef Py_ssize_t i = 0, n = len(word), size
    cdef list units = []
    while i < n:
        options = _unit_at(word, i, table, vowels, &size)
        if options is not None:
            units.append((word[i:i + size], options))
        i += size
    return units


def stem_cuts(str text, tuple prefixes, tuple suffixes, Py_ssize_t min_stem):
    """Where the stems of a normalised word begin and end, the whole word first, then by position
    (:func:`entityres.text.tokens.stem_cuts` describes them): ``prefixes`` and ``suffixes`` as
    ``(length, forms)`` pairs; a stem shorter than ``min_stem`` is no stem; a suffix takes the ZWNJ
    before it; the first ZWNJ cuts the word too (a rarer suffix joined by it may hide a name)."""
    cdef Py_ssize_t n = len(text), cap = 2 + len(prefixes) + len(suffixes), count = 1, size, stem, i, j, a, b
    cdef Py_ssize_t *cuts = <Py_ssize_t *> PyMem_Malloc(2 * cap * sizeof(Py_ssize_t))
    if cuts == NULL:
        raise MemoryError()
    try:
        cuts[0], cuts[1] = 0, n
        for size, forms in prefixes:
            if n - size >= min_stem and size <= n and text[:size] in forms:
                count = _add_cut(cuts, count, size, n)
        for size, forms in suffixes:
            if size <= n and text[n - size:] in forms:
                stem = n - size
                while stem > 0 and PyUnicode_READ_CHAR(text, stem - 1) == 0x200c:  # rstrip(ZWNJ)
                    stem -= 1
                if stem >= min_stem:
                    count = _add_cut(cuts, count, 0, stem)
        i = text.find("\u200c")
        if i >= 0:
            count = _add_cut(cuts, count, 0, i)
        for i in range(2, count):  # the cuts after the whole word, by (start, end)
            a, b = cuts[2 * i], cuts[2 * i + 1]
            j = i
            while j > 1 and (cuts[2 * j - 2] > a or (cuts[2 * j - 2] == a and cuts[2 * j - 1] > b)):
                cuts[2 * j], cuts[2 * j + 1] = cuts[2 * j - 2], cuts[2 * j - 1]
                j -= 1
            cuts[2 * j], cuts[2 * j + 1] = a, b
        return tuple([(cuts[2 * i], cuts[2 * i + 1]) for i in range(count)])
    finally:
        PyMem_Free(cuts)


cdef inline Py_ssize_t _add_cut(Py_ssize_t *cuts, Py_ssize_t count, Py_ssize_t a, Py_ssize_t b) noexcept:
    cdef Py_ssize_t i
    for i in range(count):
        if cuts[2 * i] == a and cuts[2 * i + 1] == b:
            return count
    cuts[2 * count], cuts[2 * count + 1] = a, b
    return count + 1


def first_key(str word, dict table, vowels):
    """The key of the first option of each of :func:`letter_units`' units (a vowel, ``-``, adds no
    class): the one key of cost 0 that :func:`expand_keys` makes of them uncollapsed, so the
    cheapest of the word's keys (:func:`entityres.text.keys.top_key`). None when a unit has no
    options (the units give no key)."""
    cdef Py_ssize_t i = 0, n = len(word), size
    cdef list classes = []
    while i < n:
        options = _unit_at(word, i, table, vowels, &size)
        if options is not None:
            if not len(options):
                return None
            option = options[0]
            if option != "-":
                classes.append(option)
        i += size
    return "".join(classes)


cdef object _unit_at(str word, Py_ssize_t i, dict table, vowels, Py_ssize_t *size):
    # the options of the unit at i (None: a letter the table does not know), its length in size:
    # a digraph the table names where its rule has options for the position, else one letter
    options = None
    if i + 2 <= len(word):
        rule = table.get(word[i:i + 2])
        if rule is not None:
            options = _position_options(rule, word, i, 2, vowels)
            if options is not None:
                size[0] = 2
                return options
    size[0] = 1
    rule = table.get(word[i])
    if rule is not None:
        options = _position_options(rule, word, i, 1, vowels)
    return options


cdef object _position_options(rule, str word, Py_ssize_t i, Py_ssize_t size, vowels):
    # a rule's options where its unit stands: initial, final, after a vowel letter, before one, else default
    if not isinstance(rule, dict):
        return rule
    if i == 0 and "initial" in rule:
        return rule["initial"]
    if i + size == len(word) and "final" in rule:
        return rule["final"]
    if i > 0 and word[i - 1] in vowels and "after_vowel" in rule:
        return rule["after_vowel"]
    if i + size < len(word) and word[i + size] in vowels and "before_vowel" in rule:
        return rule["before_vowel"]
    return rule.get("default")


def walk_phrases(list parts, dict root, bint forward, list found):
    """The walks of :func:`entityres.text.cues.rows` through a tree of phrases, from every word.

    ``parts``: each word's pieces (tuples of strings; an empty one ends every walk); ``root``: a
    tree of dicts, piece → node, where a node's ``""`` holds the numbers of the groups whose
    phrases end there. From word i on (``forward``) or back, reading each word's pieces in that
    direction, ``found[g][i]`` (forward) or ``found[g][i + 1]`` (back) is set to the words covered
    by the longest phrase of group g that fits whole words; other items are left alone. ValueError
    when a list of ``found`` is shorter than ``len(parts)`` (forward) or ``len(parts) + 1``, or a
    group has no list."""
    cdef Py_ssize_t i, j, k, m, n, g, nparts = len(parts), step = 1 if forward else -1
    cdef Py_ssize_t shift = 0 if forward else 1
    cdef PyObject *node
    cdef PyObject *ended
    cdef tuple word
    for row in found:
        if len(<list?> row) < nparts + shift:
            raise ValueError(f"walk_phrases: a row of {len(row)} items for {nparts} words")
    for i in range(nparts):
        node, k, n = <PyObject *> root, i, 0
        while 0 <= k < nparts:
            word = <tuple?> parts[k]
            m = len(word)
            if m == 0:
                break
            for j in range(m):
                node = PyDict_GetItem(<object> node, word[j] if forward else word[m - 1 - j])
                if node is NULL:
                    break
            if node is NULL:
                break
            k, n = k + step, n + 1
            ended = PyDict_GetItem(<object> node, "")
            if ended is not NULL:  # deeper phrases come later: the longest wins
                for group in <tuple?> ended:
                    g = group
                    if not 0 <= g < len(found):
                        raise ValueError(f"walk_phrases: group {g} has no row")
                    (<list> found[g])[i + shift] = n


cdef inline bint _joint(Py_UCS4 c) noexcept:
    return c == 0x27 or c == 0x200C  # an apostrophe or a ZWNJ may join two runs of a token


def tokens(type cls, str text, starts=None, ends=None):
    """The tokens of a normalised text, in order, as ``cls`` tuples ``(text, start, end, nstart,
    nend)``: the matches of ``[^\\W_]+(?:['\\u200c][^\\W_]+)*`` (letters and digits as ``re``
    reads them, an apostrophe or ZWNJ allowed between two), ``nstart``/``nend`` in ``text``, and
    ``start``/``end`` in the original read from ``starts`` and ``ends`` (where each character of
    ``text`` starts and ends there, 64-bit items; None: one-to-one). ``cls``: a subclass of tuple
    whose instances hold five items (a named tuple), made without calling it."""
    cdef Py_ssize_t n = len(text), i = 0, a
    cdef const int64_t[::1] s
    cdef const int64_t[::1] e
    cdef bint mapped = starts is not None
    if (starts is None) != (ends is None):
        raise TypeError("tokens: starts and ends, or neither")
    if not issubclass(cls, tuple) or getattr(cls, "_fields", ()) != ("text", "start", "end", "nstart", "nend"):
        raise TypeError("tokens: cls must be a named tuple of text, start, end, nstart, nend")
    if mapped:
        s, e = starts, ends
        if s.shape[0] != n or e.shape[0] != n:
            raise ValueError(f"tokens: offsets of {s.shape[0]} and {e.shape[0]} characters for a text of {n}")
    cdef int kind = PyUnicode_KIND(text)
    cdef void *data = PyUnicode_DATA(text)
    cdef list out = []
    cdef PyObject *made
    while i < n:
        if not Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, i)):
            i += 1
            continue
        a, i = i, i + 1
        while True:
            while i < n and Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, i)):
                i += 1
            if i + 1 < n and _joint(PyUnicode_READ(kind, data, i)) and Py_UNICODE_ISALNUM(PyUnicode_READ(kind, data, i + 1)):
                i += 2
                continue
            break
        made = (<_Type *> cls).tp_alloc(<_Type *> cls, 5)
        if made is NULL:
            raise MemoryError()
        token = <object> made
        Py_DECREF(token)  # the cast took a reference of its own
        _put(token, 0, PyUnicode_Substring(text, a, i))
        _put(token, 1, s[a] if mapped else a)
        _put(token, 2, e[i - 1] if mapped else i)
        _put(token, 3, a)
        _put(token, 4, i)
        out.append(token)
    return out


cdef inline void _put(object t, Py_ssize_t k, object item) noexcept:
    Py_INCREF(item)  # PyTuple_SET_ITEM steals it
    PyTuple_SET_ITEM(t, k, item)


def gaps(str text, list tokens, bint squeeze):
    """What stands between the tokens of ``text`` (tuples whose items 3 and 4 are ``nstart`` and
    ``nend`` in it, in order): the text before the first, between each two, and after the last
    (one more string than tokens; none for none). ``squeeze``: one string per token instead, what
    stands before it with its spaces removed, the first ``""``. ValueError when the tokens' offsets
    are not in order within the text, TypeError for a token that is no such tuple."""
    cdef Py_ssize_t n = len(tokens), size = len(text), k, a, b, prev = 0
    cdef list out = []
    cdef object gap
    for k in range(n + (0 if squeeze or n == 0 else 1)):
        if k < n:
            token = tokens[k]
            if not isinstance(token, tuple) or len(<tuple> token) < 5:
                raise TypeError(f"gaps: token {k} is not a tuple (text, start, end, nstart, nend): {token!r}")
            a, b = (<tuple> token)[3], (<tuple> token)[4]
        else:
            a = b = size
        if not prev <= a <= b <= size:
            raise ValueError(f"gaps: token {k} at {a}:{b} is out of order in a text of {size} characters")
        if squeeze and k == 0:
            gap = ""
        elif squeeze and a - prev == 1 and PyUnicode_READ_CHAR(text, prev) == 0x20:
            gap = ""  # most words stand one space apart
        else:
            gap = PyUnicode_Substring(text, prev, a)
            if squeeze and " " in gap:
                gap = gap.replace(" ", "")
        out.append(gap)
        prev = b
    return out


def short_pairs(list words, list segs, Py_ssize_t longest):
    """The positions i of two adjacent words in one segment (``segs[i] == segs[i + 1]``), one of
    them at most ``longest`` characters long. ValueError when ``segs`` is shorter than ``words``."""
    cdef Py_ssize_t i, n = len(words), before = 0, size
    cdef list out = []
    if len(segs) < n:
        raise ValueError(f"short_pairs: {len(segs)} segments for {n} words")
    for i in range(n):
        size = len(<str?> words[i])
        if i and (before <= longest or size <= longest) and segs[i - 1] == segs[i]:
            out.append(i - 1)
        before = size
    return out


def starting(list words, str prefix, Py_ssize_t shift):
    """``i + shift`` for each position i of a word that starts with ``prefix``."""
    cdef Py_ssize_t i, m = len(prefix)
    cdef list out = []
    for i in range(len(words)):
        word = <str?> words[i]
        if len(word) >= m and PyUnicode_Tailmatch(word, prefix, 0, m, -1) == 1:
            out.append(i + shift)
    return out


def capitalised(list words):
    """The positions of the words whose first character is upper case (``str.isupper``)."""
    cdef Py_ssize_t i
    cdef list out = []
    for i in range(len(words)):
        word = <str?> words[i]
        if len(word) and Py_UNICODE_ISUPPER(PyUnicode_READ_CHAR(word, 0)):
            out.append(i)
    return out


def near_letters(list strings, str word, double cutoff):
    """The positions of ``strings`` as close to ``word`` in their letters as ``cutoff`` or closer:
    rapidfuzz's ``Indel.normalized_similarity`` (one minus the insertions and deletions that make
    one the other, over both lengths), computed the same way, without a call per string.
    (rapidfuzz's ``process.extract`` with ``score_cutoff`` is as quick but drops pairs exactly at the
    cutoff, such as ماسيو and ماسیو at 0.8, which ``normalized_similarity`` keeps.)"""
    cdef uint64_t pm[TABLE]
    memset(pm, 0, sizeof(pm))
    cdef bint fits = _pattern(word, pm)
    cdef Py_ssize_t k
    cdef list out = []
    for k in range(len(strings)):
        if _indel_from(word, pm, fits, <str?> strings[k]) >= cutoff:
            out.append(k)
    return out
