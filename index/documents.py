"""Plain data going into the index and coming out of it."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SegmentDoc:
    segment_id: int
    start: float
    end: float
    text: str
    language: str | None = None
    speaker: str | None = None
    # (start time, word) for each word, in order; "".join(words) == text when
    # the words came from Whisper. Used to land a hit on the word, not the segment.
    words: tuple[tuple[float, str], ...] = ()


@dataclass(frozen=True)
class StoryDoc:
    story_id: int
    slug: str
    title: str
    access: str = "public"
    embargo_until: dt.date | None = None
    series: str | None = None
    languages: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()  # found by search, never a facet (unreviewed proposals)
    year: int | None = None
    description: str = ""
    segments: tuple[SegmentDoc, ...] = ()


@dataclass(frozen=True)
class Visibility:
    """Which access levels a reader may see; embargoed stories show once `today` passes their date."""

    levels: frozenset[str] = frozenset({"public"})
    today: dt.date = field(default_factory=dt.date.today)


@dataclass(frozen=True)
class SegmentHit:
    segment_id: int
    start: float  # segment start
    end: float
    time: float  # start of the first matching word (where a listener should land)
    text: str
    marks: tuple[tuple[int, int], ...] = ()  # character ranges of matched words

    def snippet(self, before: str = "", after: str = "", escape=html.escape, width: int = 220) -> str:
        """The text around the first match, matches wrapped in before/after, pieces escaped."""
        text = self.text.strip()
        offset = len(self.text) - len(self.text.lstrip())
        marks = [(a - offset, b - offset) for a, b in self.marks]
        lo = 0
        if marks and len(text) > width:
            lo = max(0, marks[0][0] - width // 3)
        hi = min(len(text), lo + width)
        out, pos = [], lo
        for a, b in marks:
            if a < lo or b > hi:
                continue
            out.append(escape(text[pos:a]))
            out.append(before + escape(text[a:b]) + after)
            pos = b
        out.append(escape(text[pos:hi]))
        return ("…" if lo else "") + "".join(out) + ("…" if hi < len(text) else "")


@dataclass(frozen=True)
class StoryHit:
    story_id: int
    slug: str
    title: str
    score: float
    hits: tuple[SegmentHit, ...] = ()


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int  # exact number of matching stories
    page: int
    per_page: int
    stories: tuple[StoryHit, ...] = ()
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))
