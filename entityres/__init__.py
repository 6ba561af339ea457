"""entityres: resolve person and place names in Persian, Dari and Arabic text, whatever the spelling.

The transliteration layer, flat and small like rapidfuzz's:

* :func:`normalize` — script normalisation with a map back to the original text;
* :func:`tokenize`, :func:`stems` — tokens with exact offsets, and clitic/affix-stripped stems;
* :func:`readings` — k-best Latin readings of a name in any script;
* :func:`keys` — cross-script keys for blocking;
* :func:`similarity` — pairwise name similarity in [0, 1]; same name at or above :data:`THRESHOLD`.
"""
from .keys import keys
from .langs import canonical_lang
from .normalize import Normalized, normalize
from .similarity import THRESHOLD, similarity
from .tokens import Stem, Token, stems, tokenize
from .transliterate import latin_reading, readings

__version__ = "0.1.0"

__all__ = [
    "THRESHOLD",
    "Normalized",
    "Stem",
    "Token",
    "canonical_lang",
    "keys",
    "latin_reading",
    "normalize",
    "readings",
    "similarity",
    "stems",
    "tokenize",
]
