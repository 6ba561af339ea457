# Hints for the compiled modules (entityres/text/_kernels.pyx, gazetteer/_index.pyx): to the CPU, what
# is read soon; to the cycle collector, what it need not walk. And what both make alike: scratch
# memory on the stack or the heap, strings of code points.
from cpython.mem cimport PyMem_Malloc
from cpython.unicode cimport PyUnicode_4BYTE_KIND, PyUnicode_FromKindAndData

cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define entityres_read_ahead(p) __builtin_prefetch(p)
    #else
    #define entityres_read_ahead(p) ((void) (p))
    #endif
    """
    void entityres_read_ahead(const void *p) noexcept nogil  # p is read soon: fetch it meanwhile


cdef extern from "Python.h":
    bint PyObject_IS_GC(object o)
    bint PyObject_GC_IsTracked(object o)
    void PyObject_GC_UnTrack(void *o)


cdef inline bint settle(object x) except -1:
    """Take ``x`` and the tuples in it out of the cycle collector's sight when it holds nothing
    but strings, numbers, None and such tuples (True then): no reference cycle can pass through
    it, and the collector walked every alias, word and joined word a run made, again and again
    (its collections took 7 to 13% of ``match()`` at 100,000 entries; half as long with the
    aliases and words out of sight). Anything else is left as it is (False)."""
    if not PyObject_IS_GC(x):
        return True  # a string, a number, None: it refers to nothing
    if not isinstance(x, tuple) or (type(x) is not tuple and type(x).__dictoffset__ != 0):
        return False  # a list or dict may come to hold anything; so may a tuple subclass's __dict__
    if not PyObject_GC_IsTracked(x):
        return True  # settled already (an alias's words), or by the collector: it holds no container
    for item in <tuple> x:
        if not settle(item):
            return False
    PyObject_GC_UnTrack(<void *> x)  # (nothing if the collector untracked it already)
    return True


cdef inline void *scratch(void *stack, size_t capacity, size_t size) except NULL:
    """``stack`` when ``size`` bytes fit in its ``capacity``, else heap memory the caller frees."""
    if size <= capacity:
        return stack
    cdef void *heap = PyMem_Malloc(size)
    if heap == NULL:
        raise MemoryError()
    return heap


cdef inline str ucs4_str(const Py_UCS4 *chars, Py_ssize_t n):
    """The string of ``n`` code points at ``chars``."""
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, chars, n)
