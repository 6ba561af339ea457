# Hints to the CPU, for the compiled kernels (entityres/text/_kernels.pyx, gazetteer/_index.pyx).

cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define entityres_read_ahead(p) __builtin_prefetch(p)
    #else
    #define entityres_read_ahead(p) ((void) (p))
    #endif
    """
    void entityres_read_ahead(const void *p) noexcept nogil  # p is read soon: fetch it meanwhile
