"""verhalen.index: the full-text index behind one small interface.

    idx = SearchIndex(path)
    idx.write(add=[StoryDoc(...)], remove=[story_id])
    result = idx.search('"eigen bakkerij" series:Levensverhalen', Visibility(...), page=1)

Takes and returns plain data (documents.py); knows nothing of the catalog.
"""

from .documents import SearchResult, SegmentDoc, SegmentHit, StoryDoc, StoryHit, Visibility
from .query import FACETS, check
from .search_index import SearchIndex, destroy

__all__ = ["FACETS", "SearchIndex", "SearchResult", "SegmentDoc", "SegmentHit", "StoryDoc", "StoryHit",
           "Visibility", "check", "destroy"]
