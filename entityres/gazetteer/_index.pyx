# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The index build's inner loops in C (entityres.gazetteer.index): what a word pair is posted
under, the postings of each alias, and the postings packed into one array. Each computes exactly
what the Python it replaced did, in the same order, so the index and its cache file do not change
(tests/test_index.py)."""
from cpython.array cimport array, resize_smart
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
