"""entityres: resolve person and place names in Persian, Dari and Arabic text, whatever the spelling.

The transliteration layer, flat and small like rapidfuzz's:

* :func:`normalize` — script normalisation with a map back to the original text;
* :func:`tokenize`, :func:`stems` — tokens with exact offsets, and clitic/affix-stripped stems;
* :func:`readings` — k-best Latin readings of a name in any script;
* :func:`keys` — cross-script keys for blocking;
* :func:`similarity` — pairwise name similarity in [0, 1]; same name at or above :data:`THRESHOLD`.

The main job: :func:`resolve` (and :class:`Resolver` for many documents) finds every person and
place of a text, links it to the gazetteer and gives it a canonical ID.

The gazetteer and matcher:

* :func:`load_gazetteer` — the bundled gazetteer plus the user's YAML (:class:`Gazetteer`);
* :func:`match` — entries of the bundled gazetteer a name may be, scored and explained (accepted at
  :data:`MATCH_THRESHOLD`); :meth:`Gazetteer.match` for a gazetteer of your own.
"""
import logging

__version__ = "0.1.0"  # the one version source: the build reads it (pyproject.toml, tool.hatch.version)

# The library logs (logger "entityres") and never prints; the application decides where logs go.
logging.getLogger(__name__).addHandler(logging.NullHandler())

from .gazetteer import Entry, Gazetteer, GazetteerError, load_gazetteer  # noqa: E402
from .gazetteer.loader import match
from .explanation import Explanation, Part
from .gazetteer.match import MATCH_THRESHOLD
from .gazetteer.results import Match
from .text.keys import keys
from .text.langs import canonical_lang
from .text.normalize import Normalized, normalize
from .text.similarity import THRESHOLD, similarity
from .text.tokens import Stem, Token, stems, tokenize
from .text.transliterate import latin_reading, readings
# Last: binds the name ``resolve`` to the function, over the subpackage of the same name.
from .resolve.resolver import Entity, Mention, Resolver, Result, detect_lang, resolve
from .resolve.batch import FailedDocument, NewEntityMerge, apply_ids

__all__ = [
    "MATCH_THRESHOLD",
    "THRESHOLD",
    "Entry",
    "Explanation",
    "Gazetteer",
    "GazetteerError",
    "Match",
    "Mention",
    "Entity",
    "FailedDocument",
    "NewEntityMerge",
    "apply_ids",
    "Resolver",
    "Result",
    "detect_lang",
    "resolve",
    "Normalized",
    "Part",
    "Stem",
    "Token",
    "canonical_lang",
    "keys",
    "latin_reading",
    "load_gazetteer",
    "match",
    "normalize",
    "readings",
    "similarity",
    "stems",
    "tokenize",
]
