"""What the matcher (:mod:`entityres.gazetteer.match`) returns: a pydantic model at the boundary,
kept apart from the compiled matcher so that it is documented from its source."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ..explanation import Explanation
from .schema import Entry


class Match(BaseModel):
    """One candidate entry for a name.

    ``accepted`` is the matcher's own judgement: the first candidate, at or above
    ``MATCH_THRESHOLD``, and not ``ambiguous``. ``ambiguous``: another candidate scores within
    ``TIE`` of this one and is about as prominent (its prominence at most ``PROMINENCE_MARGIN``
    lower; unknown prominence counts as 0), so the name alone does not tell them apart (ترامب:
    Ivanka and Melania Trump beside Donald). The three are the matcher's
    (:mod:`entityres.gazetteer.match`).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    entry: Entry
    score: float
    explanation: Explanation
    ambiguous: bool = False
    accepted: bool = False
