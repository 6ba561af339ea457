"""The gazetteer: YAML sources and their schema, the loader and its merge rules, the compiled
index and the matcher."""
from .loader import Gazetteer, GazetteerError, Issue, load_gazetteer, read_file
from .schema import Entry

__all__ = ["Entry", "Gazetteer", "GazetteerError", "Issue", "load_gazetteer", "read_file"]
