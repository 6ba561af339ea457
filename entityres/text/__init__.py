"""The transliteration layer: script normalisation, tokens with offsets, Latin readings,
cross-script keys, pairwise similarity, linguistic cues and word frequencies."""
