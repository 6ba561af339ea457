# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The tagger's loops in C (entityres.resolve.tagger): the local features of every word of a text,
then its emission scores and Viterbi per sentence.

The sums run in the order of the pure-Python decoder they replace (local features in their order,
then the word's own scores, then its neighbours' at -2, -1, +1, +2), so the labels are the same.
"""
from cpython.array cimport array, clone
from libc.stdlib cimport free, malloc


def decode(const double[::1] table, const int[::1] slots, const double[::1] weights, const int[::1] ids,
           const int[::1] id_starts, const double[::1] into, const int[::1] sentence_ends, int n_labels):
    """Label numbers of every token of a text.

    ``table``: per memoised word (``slots[i]`` is token i's), ``5 * n_labels`` scores: its own,
    then what it adds to the word 2 after it, 1 after, 1 before and 2 before (as that word's
    neighbour at -2, -1, +1, +2). ``weights``: per attribute, ``n_labels`` scores; token i's local
    attributes are ``ids[id_starts[i]:id_starts[i + 1]]``. ``into[j * n_labels + k]``: the score of
    label k followed by label j. ``sentence_ends``: the end (exclusive) of each sentence, in order.
    """
    cdef Py_ssize_t n = slots.shape[0], L = n_labels, W = 5 * n_labels
    cdef array out = clone(array("i"), n, False)
    cdef int[::1] labels = out
    if n == 0:
        return out
    if (table.shape[0] % W or weights.shape[0] % L or into.shape[0] != L * L or id_starts.shape[0] != n + 1
            or (sentence_ends.shape[0] and sentence_ends[sentence_ends.shape[0] - 1] != n)):
        raise ValueError("decode: inconsistent array sizes")
    cdef Py_ssize_t words = table.shape[0] // W, attributes = weights.shape[0] // L
    cdef Py_ssize_t i, j, k, s, a, first = 0, end, best, prev_end
    for i in range(n):
        if slots[i] < 0 or slots[i] >= words:
            raise ValueError("decode: a token's word is not in the table")
    for i in range(id_starts[n]):
        if ids[i] < 0 or ids[i] >= attributes:
            raise ValueError("decode: an attribute number is out of range")
    prev_end = 0
    for s in range(sentence_ends.shape[0]):
        if sentence_ends[s] < prev_end:
            raise ValueError("decode: sentences out of order")
        prev_end = sentence_ends[s]
    cdef double *em = <double *> malloc(n * L * sizeof(double))
    cdef double *score = <double *> malloc(n * L * sizeof(double))
    cdef double v, m, c
    if em == NULL or score == NULL:
        free(em)
        free(score)
        raise MemoryError()
    try:
        for s in range(sentence_ends.shape[0]):
            end = sentence_ends[s]
            if end == first:
                continue
            # emissions of the sentence's tokens
            for i in range(first, end):
                for j in range(L):
                    v = 0.0
                    for a in range(id_starts[i], id_starts[i + 1]):
                        v = v + weights[ids[a] * L + j]
                    v = v + table[slots[i] * W + j]
                    if i - 2 >= first:
                        v = v + table[slots[i - 2] * W + L + j]
                    if i - 1 >= first:
                        v = v + table[slots[i - 1] * W + 2 * L + j]
                    if i + 1 < end:
                        v = v + table[slots[i + 1] * W + 3 * L + j]
                    if i + 2 < end:
                        v = v + table[slots[i + 2] * W + 4 * L + j]
                    em[i * L + j] = v
            # Viterbi forward: best score of each label at each position
            for j in range(L):
                score[first * L + j] = em[first * L + j]
            for i in range(first + 1, end):
                for j in range(L):
                    m = score[(i - 1) * L] + into[j * L]
                    for k in range(1, L):
                        c = score[(i - 1) * L + k] + into[j * L + k]
                        if c > m:
                            m = c
                    score[i * L + j] = m + em[i * L + j]
            # back: the first best label at the end, then the first best predecessor of each
            best = 0
            for j in range(1, L):
                if score[(end - 1) * L + j] > score[(end - 1) * L + best]:
                    best = j
            labels[end - 1] = best
            for i in range(end - 2, first - 1, -1):
                j = labels[i + 1]
                best = 0
                m = score[i * L] + into[j * L]
                for k in range(1, L):
                    c = score[i * L + k] + into[j * L + k]
                    if c > m:
                        m = c
                        best = k
                labels[i] = best
            first = end
    finally:
        free(em)
        free(score)
    return out


def local_features(list words, list marks, list keys, list rows, const int[::1] sentence_ends, prefixes, exact,
                   names):
    """The features of each word that depend on its place (:func:`entityres.resolve.tagger.local_features`
    describes them), for every word of a text, as one flat list and where each word's begin.

    ``words``: the normalised words; ``marks[i]``: the punctuation mark before word i
    (``marks[len(words)]``: after the last); ``keys``: each word's folded main stem; ``rows``: per
    cue group of ``CUE_GROUPS``, the length of the phrase that ends right before each position
    0..len(words) (:func:`entityres.text.cues.rows`), counted only when it lies within the word's
    sentence; ``sentence_ends``: the end (exclusive) of each sentence, in order; ``prefixes`` and
    ``exact``: the gazetteer index's. ``names`` (:class:`entityres.resolve.tagger.FeatureNames`)
    writes each feature; a feature it writes as None (a name the model does not know) is left out.
    Returns ``(features, starts)``: word i's features are ``features[starts[i]:starts[i + 1]]``.
    """
    cdef Py_ssize_t n = len(words), G = len(rows), i, p, g, s, first = 0, end, c
    cdef object v
    if len(marks) != n + 1 or len(keys) != n or (sentence_ends.shape[0] and sentence_ends[sentence_ends.shape[0] - 1] != n):
        raise ValueError("local_features: inconsistent sizes")
    if G > 16:
        raise ValueError("local_features: at most 16 cue groups")
    for g in range(G):
        if len(rows[g]) != n + 1:
            raise ValueError("local_features: a cue row of the wrong length")
    cdef tuple cue = tuple(names.cue), cue_prev = tuple(names.cue_prev), cue_next = tuple(names.cue_next)
    if len(cue) < 2 * G or len(cue_prev) < 2 * G or len(cue_next) < 2 * G:
        raise ValueError("local_features: fewer cue names than cue groups")
    name = names.name
    first_f, second_f, last_f, continues_f = names.first, names.second, names.last, names.continues
    cdef list out = []
    starts = array("i")
    starts.append(0)
    # bits[i]: code 2g set when a phrase of group g ends right before word i, 2g + 1 when it ends at it
    cdef unsigned int *bits = <unsigned int *> malloc((n + 1) * sizeof(unsigned int))
    if bits == NULL:
        raise MemoryError()
    try:
        for s in range(sentence_ends.shape[0]):
            end = sentence_ends[s]
            if end < first:
                raise ValueError("local_features: sentences out of order")
            for i in range(first, end + 1):
                bits[i] = 0
            for g in range(G):
                row = rows[g]
                for p in range(first + 1, end + 1):
                    v = row[p]
                    if v and p - first >= <Py_ssize_t> v:  # the phrase lies within the sentence
                        bits[p - 1] |= 1u << (2 * g + 1)
                        if p < end:
                            bits[p] |= 1u << (2 * g)
            for i in range(first, end):
                for c in range(2 * G):
                    if bits[i] >> c & 1:
                        _emit(out, cue[c])
                if marks[i]:
                    _emit(out, name("g<" + marks[i]))
                if marks[i + 1]:
                    _emit(out, name("g>" + marks[i + 1]))
                if i - first < 2:
                    _emit(out, first_f if i == first else second_f)
                if i == end - 1:
                    _emit(out, last_f)
                if i > first:
                    k = keys[i - 1] + " " + keys[i]
                    if k in prefixes or k in exact:
                        _emit(out, continues_f)
                    _emit(out, name(f"w-1|w={words[i - 1]}|{words[i]}"))
                    for c in range(2 * G):
                        if bits[i - 1] >> c & 1:
                            _emit(out, cue_prev[c])
                if i + 1 < end:
                    for c in range(2 * G):
                        if bits[i + 1] >> c & 1:
                            _emit(out, cue_next[c])
                starts.append(len(out))
            first = end
    finally:
        free(bits)
    if first != n:
        raise ValueError("local_features: the sentences do not end at the last word")
    return out, starts


cdef inline void _emit(list out, object feature) except *:
    if feature is not None:
        out.append(feature)


def feature_scores(const double[::1] weights, list attributes, int n_labels):
    """Per label, the sum of the weights of ``attributes`` (attribute numbers; None for a feature
    the model does not know), added in their order as the pure-Python sum it replaces: the same floats."""
    cdef Py_ssize_t L = n_labels, j, a, i
    if L <= 0 or weights.shape[0] % L:
        raise ValueError("feature_scores: inconsistent array sizes")
    cdef Py_ssize_t rows = weights.shape[0] // L
    cdef array out = clone(array("d"), L, True)
    cdef double[::1] v = out
    for i in range(len(attributes)):
        if attributes[i] is None:
            continue
        a = attributes[i]
        if a < 0 or a >= rows:
            raise ValueError("feature_scores: an attribute number is out of range")
        for j in range(L):
            v[j] = v[j] + weights[a * L + j]
    return out.tolist()
