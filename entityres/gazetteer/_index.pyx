# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The index's inner loops in C (entityres.gazetteer.index): what a word pair is posted under,
the postings of each alias, and the postings packed into one array. Each computes exactly what the
Python it replaced did, in the same order, so the index and its cache file do not change
(tests/test_index.py). And :class:`Aliases`, the index's aliases as columns, each made when asked."""
from cpython.array cimport array, clone, resize_smart
from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.list cimport PyList_Append, PyList_GET_ITEM, PyList_GET_SIZE
from cpython.object cimport PyObject
from libc.stdint cimport uint32_t


def cheap_key_slots(tuple keys, tuple slots, long max_cost):
    """``(key, cost, slots)`` of a word's keys ``(key, cost)`` and their vowel slots, those of at
    most ``max_cost`` second choices (:func:`entityres.gazetteer.index.cheap_key_slots`)."""
    cdef Py_ssize_t i, n = min(len(keys), len(slots))
    cdef tuple kc
    out = []
    for i in range(n):
        kc = keys[i]
        if <long> kc[1] <= max_cost:
            out.append((kc[0], kc[1], slots[i]))
    return tuple(out)


def post(lists, list groups, value):
    """Append ``value`` to ``lists[key]`` (a new list for a new key) for each key of each of
    ``groups`` (lists of keys), once per key, in the order the keys first come. ``value`` is
    larger than every value already in the lists, so a list that ends with it holds the key.
    ``lists`` is a dict or a subclass (a defaultdict), read and written as a dict."""
    if not isinstance(lists, dict):
        raise TypeError(f"lists must be a dict, not {type(lists).__name__}")
    cdef Py_ssize_t g, i
    cdef list group, found
    cdef object key, last
    cdef PyObject *entry
    for g in range(PyList_GET_SIZE(groups)):
        group = groups[g]
        for i in range(PyList_GET_SIZE(group)):
            key = <object> PyList_GET_ITEM(group, i)
            entry = PyDict_GetItem(lists, key)
            if entry is NULL:  # appended to, not made whole: room for four, as a list grows
                found = []
                PyList_Append(found, value)
                PyDict_SetItem(lists, key, found)
                continue
            found = <list> entry
            last = <object> PyList_GET_ITEM(found, PyList_GET_SIZE(found) - 1)
            if last is not value and last != value:
                PyList_Append(found, value)


def pack_runs(lists, array numbers):
    """Append each list of ``lists`` (keys → lists of whole numbers below 2 ** 32) to ``numbers``
    (an array of 32-bit items), in the dict's order, and replace the list by its run's span,
    ``start << 32 | length``, as it goes: each list is freed as the array grows by it, so the two
    are never held whole at once (:meth:`entityres.gazetteer.index.Postings.collect`)."""
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


cdef str _U32 = next(code for code in "ILH" if array(code).itemsize == 4)


cdef array _ends(const unsigned char[:] counts):
    """Where each run ends, for runs of ``counts`` items laid end to end (an array of 32-bit items)."""
    cdef Py_ssize_t i, n = counts.shape[0]
    cdef uint32_t total = 0
    cdef array out = clone(array(_U32), n, False)
    cdef uint32_t *ends = <uint32_t *> out.data.as_voidptr
    for i in range(n):
        total += counts[i]
        ends[i] = total
    return out


cdef class Aliases:
    """An index's aliases (``gazetteer.index.Alias``) in order, as a read-only sequence.

    An index built in memory holds every alias made. A cached one keeps the columns it was read
    from and makes an alias the first time it is asked for (then keeps it): at 774,000 aliases,
    making them all was a third of the cached open, and a run of matching or linking asks for a
    few thousand. The columns the index's kernels and sets need (entry numbers, type codes, word
    counts, keys) are read without making any alias.
    """
    cdef list _made  # an alias, or None until asked for
    cdef Py_ssize_t _n
    cdef object _alias  # the Alias class
    cdef tuple _type_names  # type code -> the type as Alias.type holds it
    # the columns of a cached index (each checked by entityres.gazetteer.index._aliases)
    cdef array _entries, _refs
    cdef bytes _types, _lengths, _heard_counts
    cdef list _langs, _names, _keys, _trusts, _heard, _words
    cdef array _word_ends, _heard_ends

    def __init__(self, alias, tuple type_names, list made):
        """``made``: every alias (an index built in memory), kept as it is."""
        self._alias, self._type_names, self._made, self._n = alias, type_names, made, len(made)

    @classmethod
    def columns(cls, alias, tuple type_names, array entries, bytes types, list langs, list names, list keys, list trusts,
                bytes lengths, array refs, list heard, bytes heard_counts, list words):
        """The aliases of a cached index, column by column (as ``Index._encode`` writes them),
        already checked; ``refs`` numbers the ``words`` of every alias in turn."""
        if entries.ob_descr.itemsize != 4 or refs.ob_descr.itemsize != 4:
            raise TypeError("entries and refs must be arrays of 32-bit items")
        cdef Aliases self = cls(alias, type_names, [None] * len(names))
        self._entries, self._types, self._langs, self._names, self._keys = entries, types, langs, names, keys
        self._trusts, self._lengths, self._refs, self._heard, self._heard_counts = trusts, lengths, refs, heard, heard_counts
        self._words, self._word_ends, self._heard_ends = words, _ends(lengths), _ends(heard_counts)
        return self

    def __len__(self):
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple([self._get(j) for j in range(*i.indices(self._n))])
        cdef Py_ssize_t k = i
        if k < 0:
            k += self._n
        if not 0 <= k < self._n:
            raise IndexError(f"alias {i} of {self._n}")
        return self._get(k)

    cdef object _get(self, Py_ssize_t k):
        cdef object a = <object> PyList_GET_ITEM(self._made, k)
        if a is None:
            a = self._make(k)
            self._made[k] = a
        return a

    cdef object _make(self, Py_ssize_t k):
        cdef const uint32_t *word_ends = <const uint32_t *> self._word_ends.data.as_voidptr
        cdef const uint32_t *heard_ends = <const uint32_t *> self._heard_ends.data.as_voidptr
        cdef const uint32_t *refs = <const uint32_t *> self._refs.data.as_voidptr
        cdef Py_ssize_t r, w0 = word_ends[k - 1] if k else 0, h0 = heard_ends[k - 1] if k else 0
        words = tuple([self._words[refs[r]] for r in range(w0, word_ends[k])])
        cdef const uint32_t *entries = <const uint32_t *> self._entries.data.as_voidptr
        return self._alias._make((entries[k], self._type_names[self._types[k]], self._langs[k], self._names[k],
                                  self._keys[k], self._trusts[k], words, tuple(self._heard[h0:heard_ends[k]])))

    def __iter__(self):
        cdef Py_ssize_t k
        for k in range(self._n):
            yield self._get(k)

    def __eq__(self, other):
        if not isinstance(other, (Aliases, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def __repr__(self):
        return f"Aliases({self._n} aliases)"

    def __reduce__(self):
        # a pickle (the Spark broadcast, batch workers) carries the columns, not every alias made
        if self._words is None:
            return Aliases, (self._alias, self._type_names, list(self._made))
        return _columns, (self._alias, self._type_names, self._entries, self._types, self._langs, self._names,
                          self._keys, self._trusts, self._lengths, self._refs, self._heard, self._heard_counts,
                          self._words)

    @property
    def entry_numbers(self):
        """Each alias's entry number (Alias.entry), an array, read without making the aliases."""
        if self._entries is None:
            self._entries = array(_U32, [a.entry for a in self._made])
        return self._entries

    @property
    def keys(self):
        """Each alias's exact key (Alias.key), read without making the aliases."""
        if self._keys is None:
            self._keys = [a.key for a in self._made]
        return self._keys

    @property
    def type_codes(self):
        """Each alias's type code (its type's place in ``type_names``), one byte per alias."""
        if self._types is None:
            codes = {name: code for code, name in enumerate(self._type_names)}
            self._types = bytes([codes[a.type] for a in self._made])
        return self._types

    @property
    def word_counts(self):
        """Each alias's number of words, one byte per alias."""
        if self._lengths is None:
            self._lengths = bytes([len(a.words) for a in self._made])
        return self._lengths


def _columns(*args):
    return Aliases.columns(*args)
