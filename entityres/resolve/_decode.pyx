# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The tagger's loops in C (entityres.resolve.tagger): a new word's features and scores, a text's
gap marks, sentence ends and memo slots, the local features of every word of a text, then its
emission scores and Viterbi per sentence.

The sums run in the order of the pure-Python decoder they replace (local features in their order,
then the word's own scores, then its neighbours' at -2, -1, +1, +2), so the labels are the same.
"""
cimport cython
from cpython.array cimport array, clone
from cpython.unicode cimport PyUnicode_GET_LENGTH, PyUnicode_READ_CHAR
from libc.stdlib cimport free, malloc

from entityres.text.normalize import ZWNJ


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
                   names, dict pairs=None, Py_ssize_t max_pairs=-1):
    """The features of each word that depend on its place (:func:`entityres.resolve.tagger.local_features`
    describes them), for every word of a text, as one flat list and where each word's begin.

    ``words``: the normalised words; ``marks[i]``: the punctuation mark before word i
    (``marks[len(words)]``: after the last); ``keys``: each word's folded main stem; ``rows``: per
    cue group of ``CUE_GROUPS``, the length of the phrase that ends right before each position
    0..len(words) (:func:`entityres.text.cues.rows`), counted only when it lies within the word's
    sentence; ``sentence_ends``: the end (exclusive) of each sentence, in order; ``prefixes`` and
    ``exact``: the gazetteer index's. ``names`` (:class:`entityres.resolve.tagger.FeatureNames`)
    writes each feature; a feature it writes as None (a name the model does not know) is left out.
    ``pairs``: a memo of two adjacent words' features (the pair → whether the second continues an
    alias the first begins, and the pair feature as ``names`` writes it), for words whose keys are
    always the same (one index and language); it is emptied past ``max_pairs`` (-1: never).
    Returns ``(features, starts)``: word i's features are ``features[starts[i]:starts[i + 1]]``.
    """
    cdef Py_ssize_t n = len(words), G = len(rows), i, p, g, s, first = 0, end, c
    cdef object v, pair
    cdef list row
    cdef tuple known
    if pairs is None:
        pairs = {}
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
                    pair = (words[i - 1], words[i])
                    known = pairs.get(pair)
                    if known is None:
                        k = keys[i - 1] + " " + keys[i]
                        known = (k in prefixes or k in exact, name(f"w-1|w={words[i - 1]}|{words[i]}"))
                        if 0 <= max_pairs <= len(pairs):
                            pairs.clear()
                        pairs[pair] = known
                    if known[0]:
                        _emit(out, continues_f)
                    _emit(out, known[1])
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


def word_features(str word, str lang, tuple cuts, tuple compound, dict freq, index, top_key, fold):
    """The features of one normalised word that do not depend on its place in the text
    (:func:`entityres.resolve.tagger.word_features` describes them), as ``(own, near, key)``:
    ``near`` are the features its neighbours see (each prefixed with their offset, at ±2 only the
    first two), ``key`` its folded main stem.

    ``lang``: the language code ("" for none); ``cuts``: the word's stem cuts
    (:func:`entityres.text.tokens.stem_cuts`), the whole word first; ``compound``: its
    :func:`entityres.resolve.cluster.compound_parts`; ``freq``: the language's Zipf table
    (:func:`entityres.text.frequency.table`); ``index``: the gazetteer index; ``top_key`` and
    ``fold``: :func:`entityres.text.keys.top_key` and :func:`entityres.gazetteer.index.fold_word`.
    """
    return _features(word, lang, cuts, compound, freq, index, top_key, fold)


@cython.wraparound(True)  # the last letters: lower[-2:]
cdef tuple _features(str word, str lang, tuple cuts, tuple compound, dict freq, index, top_key, fold):
    cdef Py_ssize_t n = len(word), a, b, best = -1
    cdef str lower = word.casefold(), stem, main = word, key, k, piece, shape, f
    cdef list stems = [], own, near, pieces
    cdef set gaz = set()
    exact = index.exact  # a dict, or a defaultdict in an index being built
    aliases, prefixes, parts, given = index.aliases, index.prefixes, index.parts, index.given
    for a, b in cuts:
        stems.append(word[a:b])
        if b == n and (best < 0 or b - a < best):  # the first shortest stem that ends the word
            best = b - a
            main = word[a:b]
    for stem in stems:
        pieces = [_fold(piece, fold) for piece in stem.replace(ZWNJ, " ").split()]
        key = " ".join(pieces)
        for k in {key, key.replace(" ", "")}:
            for alias in exact.get(k, ()):
                gaz.add("g=" + aliases[alias].type)
            if k in prefixes:
                gaz.add("gb")
            if k in parts:
                gaz.add("gp")
            if k in given:
                gaz.add("gg")
    if word.isascii() and word.isalpha():
        shape = "Lc" if word[:1].isupper() else "L"
    else:
        shape = "A"
        for piece in word:
            if piece.isdigit():
                shape = "D"
                break
    zipf_word = _zipf_bucket(freq, word)
    zipf_main = zipf_word if main == word else _zipf_bucket(freq, main)
    own = ["b", "w=" + lower, "k=" + top_key(main), "z=" + zipf_word, "zs=" + zipf_main,
           "sh=" + shape, "n=" + str(min(n, 10)), "p2=" + lower[:2], "p3=" + lower[:3],
           "x2=" + lower[-2:], "x3=" + lower[-3:], "x4=" + lower[-4:], "lang=" + lang]
    for stem in stems[1:]:
        own.append("s=" + stem.casefold())
    if ZWNJ in word:
        own.append("zwnj")
    if len(compound) > 1:  # حشمتالله: a compound name written joined
        own += ["cmp", "s=" + compound[0], "x=" + compound[1]]
    found = sorted(gaz)
    own += found
    near = ["w=" + lower, "s=" + main.casefold(), "z=" + zipf_word, "sh=" + shape] + found
    return tuple(own), tuple(near), _fold(main.replace(ZWNJ, ""), fold)


cdef inline str _fold(str word, fold):
    """``fold(word)`` (:func:`entityres.gazetteer.index.fold_word`), which leaves a word of Arabic
    script as it is: a word all of whose letters lie in the Arabic blocks is that without the call."""
    cdef Py_UCS4 c
    if not word:
        return fold(word)
    for c in word:
        if not (0x0600 <= c <= 0x06ff or 0x0750 <= c <= 0x077f or 0x08a0 <= c <= 0x08ff or 0xfb50 <= c <= 0xfdff
                or 0xfe70 <= c <= 0xfeff):
            return fold(word)
    return word


cdef str _zipf_bucket(dict freq, str word):
    cdef double z = freq.get(word.replace(ZWNJ, ""), 0.0)
    return str(min(<long> (z * 2), 14))  # half-steps; 0 for words wordfreq has not seen


def word_scores(const double[::1] weights, dict attributes, dict seen_rows, const int[::1] seen_ids, tuple own,
                tuple near, int n_labels):
    """A word's ``5 * n_labels`` scores (:func:`decode`'s table row): per label, the weights of its
    own features, then of what the words 2 after, 1 after, 1 before and 2 before it see of it
    (``near`` prefixed -2, -1, +1, +2; at ±2 only ``near[:2]``). ``attributes``: attribute numbers
    of the unprefixed features; ``seen_rows``: per feature, its row in ``seen_ids``, which holds the
    numbers of its -2, -1, +1 and +2 forms (-1: none). Each group adds its features in their order,
    as the pure-Python sum it replaced: the same floats. A feature the model lacks adds nothing."""
    _check_sizes(weights, seen_ids, n_labels)
    cdef array out = clone(array("d"), 5 * n_labels, True)
    _score_into(&out.data.as_doubles[0], weights, attributes, seen_rows, seen_ids, own, near, n_labels)
    return out


def new_word_scores(list words, lang, stem_cuts, compound_parts, dict freq, index, top_key, fold,
                    const double[::1] weights, dict attributes, dict seen_rows, const int[::1] seen_ids, int n_labels):
    """The :func:`word_scores` of each of ``words`` (one array, ``5 * n_labels`` per word in order)
    and its key, from its :func:`word_features` with ``stem_cuts(word, lang)`` and
    ``compound_parts(word)``: a tagger's new words in one call."""
    _check_sizes(weights, seen_ids, n_labels)
    cdef Py_ssize_t n = len(words), W = 5 * n_labels, i
    cdef array out = clone(array("d"), n * W, True)
    cdef list keys = []
    cdef str code = lang or ""
    cdef tuple f
    for i in range(n):
        word = words[i]
        f = _features(word, code, stem_cuts(word, lang), compound_parts(word), freq, index, top_key, fold)
        _score_into(&out.data.as_doubles[i * W], weights, attributes, seen_rows, seen_ids, f[0], f[1], n_labels)
        keys.append(f[2])
    return out, keys


cdef int _check_sizes(const double[::1] weights, const int[::1] seen_ids, int n_labels) except -1:
    if n_labels <= 0 or weights.shape[0] % n_labels or seen_ids.shape[0] % 4:
        raise ValueError("word_scores: inconsistent sizes")
    return 0


cdef int _score_into(double *v, const double[::1] weights, dict attributes, dict seen_rows, const int[::1] seen_ids,
                     tuple own, tuple near, Py_ssize_t L) except -1:
    # word_scores into v (5 * L zeros)
    cdef Py_ssize_t g, a, r, k, rows = weights.shape[0] // L, n_seen = seen_ids.shape[0] // 4
    for f in own:
        found = attributes.get(f)
        if found is not None:
            _add(v, 0, weights, found, rows, L)
    for k in range(len(near)):
        found = seen_rows.get(near[k])
        if found is None:
            continue
        r = found
        if r < 0 or r >= n_seen:
            raise ValueError("word_scores: a row out of range")
        for g in range(4):  # at -2 and +2 only the first two features
            a = seen_ids[4 * r + g]
            if a >= 0 and (k < 2 or g == 1 or g == 2):
                _add(v, (g + 1) * L, weights, a, rows, L)
    return 0


cdef inline void _add(double *v, Py_ssize_t at, const double[::1] weights, Py_ssize_t a, Py_ssize_t rows,
                      Py_ssize_t L) except *:
    cdef Py_ssize_t j
    if a < 0 or a >= rows:
        raise ValueError("word_scores: an attribute number is out of range")
    for j in range(L):
        v[at + j] = v[at + j] + weights[a * L + j]


SEEN_MARKS = {"-2": 0, "-1": 1, "+1": 2, "+2": 3}  # a neighbour's feature: its prefix, its slot in word_scores' rows


def split_attributes(list names):
    """The model's attribute names as :func:`word_scores` reads them: ``(attributes, seen_rows,
    seen_ids)``, the numbers of the unprefixed names, and of the names prefixed with a neighbour's
    offset (-2, -1, +1, +2) as a row of four per feature without the prefix. A name twice is an error."""
    cdef dict attributes = {}, seen_rows = {}
    seen_ids = array("i")
    cdef Py_ssize_t n, row
    cdef str name
    for n in range(len(names)):
        name = names[n]
        slot = SEEN_MARKS.get(name[:2])
        if slot is None:
            if attributes.setdefault(name, n) != n:
                raise ValueError(f"attribute {name!r} twice")
            continue
        row = seen_rows.setdefault(name[2:], len(seen_rows))
        if row * 4 == len(seen_ids):
            seen_ids.extend((-1, -1, -1, -1))
        if seen_ids[row * 4 + slot] >= 0:
            raise ValueError(f"attribute {name!r} twice")
        seen_ids[row * 4 + slot] = n
    return attributes, seen_rows, seen_ids


cdef inline bint _one_space(str gap) noexcept:
    return PyUnicode_GET_LENGTH(gap) == 1 and PyUnicode_READ_CHAR(gap, 0) == 0x20


def gap_marks(list gaps, mark):
    """``mark(gap)`` of each of a text's gaps (:func:`entityres.text.tokens.text_gaps`), ``""`` for
    one space without a call: most words stand one space apart. TypeError for a gap not a string."""
    cdef list out = []
    for gap in gaps:
        out.append("" if _one_space(<str?> gap) else mark(gap))
    return out


def sentence_ends(list gaps, frozenset ends):
    """The end (exclusive) of each sentence of the tokens that ``gaps`` surround (one more gap than
    tokens): after each token whose gap after it holds one of ``ends``, and after the last; none
    for no gaps. TypeError for a gap not a string."""
    cdef Py_ssize_t i, n = len(gaps)
    cdef list out = []
    cdef str gap
    if n == 0:
        return out
    for i in range(1, n - 1):
        gap = <str?> gaps[i]
        if not _one_space(gap) and not ends.isdisjoint(gap):
            out.append(i)
    out.append(n - 1)
    return out


def slots_and_keys(list found):
    """A text's words as the tagger's memo holds them, ``(slot, key)`` each: an array of the
    slots (32-bit) and a list of the keys. TypeError for an item that is no such pair."""
    cdef Py_ssize_t i, n = len(found)
    cdef array slots = clone(array("i"), n, False)
    cdef list keys = []
    cdef tuple pair
    for i in range(n):
        pair = <tuple?> found[i]
        if len(pair) != 2:
            raise TypeError(f"slots_and_keys: item {i} is not a (slot, key) pair: {pair!r}")
        slots.data.as_ints[i] = pair[0]
        keys.append(pair[1])
    return slots, keys
