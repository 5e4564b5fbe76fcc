"""A story's index (table of contents) in the catalog: the draft, the file's chapter marks, editors' changes.

`refresh` is the pipeline's "contents" step: it replaces the "draft" points with a new proposal
(verhalen.draft_index) and keeps what editors made. Chapter marks from the recording ("file" points, from
Story.chapters) win over a draft: a story that has them gets no draft. `IndexEditor` makes editors'
changes (add, edit, move, merge, delete, a new draft), each with a history row (IndexEdit) in the same
transaction; a save names the version of each point it started from, and the UPDATE compares it
(IndexPoint's version_id_col), so of two saves from one version exactly one lands and the other is a
StaleVersion, as for transcript passages (verhalen.editing). A draft or file point an editor changes
becomes an "editor" point: a new draft leaves it alone.

`shown_points` is what readers outside the workspace get (chapters JSON and VTT, the feed, the story page):
a draft point only while its title and synopsis are still words of the public transcript, so a passage
redacted after the draft was made never speaks through the index.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from . import draft_index
from .access import shown
from .catalog import IndexEdit, IndexPoint, Story
from .errors import NotFound, StaleVersion, UsageError
from .exports import mmss
from .settings import Settings

FILE, DRAFT, EDITOR = "file", "draft", "editor"
SOURCES = (FILE, DRAFT, EDITOR)
# Lengths the catalog's columns hold (catalog.IndexPoint) and what a person reasonably writes.
MAX_TITLE, MAX_PLACE, MAX_SYNOPSIS = 300, 200, 2000
MAX_KEYWORDS, MAX_KEYWORD = 20, 100
NEAR_SECONDS = draft_index.MIN_PART_SECONDS / 2  # a draft point this close to an editor's point is left out

_FIELDS = ("start", "title", "synopsis", "keywords", "place", "latitude", "longitude", "source")


def file_points(chapters: list[dict]) -> list[dict]:
    """The recording's chapter marks (Story.chapters) as point dicts with source "file"."""
    return [{"start": float(c.get("start", 0) or 0), "title": str(c.get("title", "") or "")[:MAX_TITLE],
             "synopsis": "", "keywords": [], "place": "", "latitude": None, "longitude": None, "source": FILE}
            for c in sorted(chapters or [], key=lambda c: float(c.get("start", 0) or 0))]


def _segment_dicts(story: Story) -> list[dict]:
    return [{"start": s.start, "end": s.end, "text": s.text, "words": s.words, "speaker": s.speaker,
             "voice": s.voice, "redacted": s.redacted, "guard": s.guard} for s in story.segments]


def _duration(story: Story) -> float | None:
    return story.recording.duration if story.recording else None


def _has_history(session: Session, story: Story) -> bool:
    return session.scalar(select(IndexEdit.id).where(IndexEdit.story_id == story.id).limit(1)) is not None


def refresh(session: Session, story: Story, settings: Settings) -> None:
    """Replace the story's draft points with a new proposal; editors' points stay. When the recording had
    chapter marks they are the index (made into "file" points the first time, unless editors have already
    worked on the index) and no draft is made. Writes in the caller's transaction; does not commit."""
    points = list(story.index_points)
    drafts = [p for p in points if p.source == DRAFT]
    kept = [p for p in points if p.source != DRAFT]
    for p in drafts:
        story.index_points.remove(p)
    if story.chapters or any(p.source == FILE for p in kept):
        if not kept and not _has_history(session, story):
            for d in file_points(story.chapters):
                story.index_points.append(IndexPoint(version=1, **d))
        session.flush()
        return
    taken = [p.start for p in kept]
    for d in draft_index.propose(_segment_dicts(story), _duration(story), story.language):
        if any(abs(d["start"] - t) < NEAR_SECONDS for t in taken):
            continue
        story.index_points.append(IndexPoint(version=1, source=DRAFT, place="", latitude=None, longitude=None,
                                             **{k: d[k] for k in ("start", "title", "synopsis", "keywords")}))
    session.flush()


# -- what readers see ------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", (text or "").lower()))


def _still_said(point: IndexPoint, public_text: str) -> bool:
    return all(_norm(part) in public_text for part in (point.title, (point.synopsis or "").rstrip("…")) if _norm(part))


def shown_points(session: Session, story: Story) -> list[dict]:
    """The index as readers outside the workspace get it, as point dicts in time order (see the module's
    docstring for drafts). A story whose chapter marks have not been made into points yet (ingested before
    the contents step ran) shows the marks, unless editors have worked on its index."""
    points = list(story.index_points)
    if not points:
        return file_points(story.chapters) if story.chapters and not _has_history(session, story) else []
    public_text = ""
    if any(p.source == DRAFT for p in points):
        public_text = " " + " ".join(_norm(s.text) for s in story.segments if shown(s)) + " "
    return [p.as_dict() for p in sorted(points, key=lambda p: p.start)
            if p.source != DRAFT or _still_said(p, public_text)]


# -- editors' changes ------------------------------------------------------------------------------


def _text(value: str | None, limit: int, what: str) -> str:
    value = " ".join((value or "").split())
    if len(value) > limit:
        raise UsageError(f"the {what} of an index point has at most {limit} characters ({len(value):,} given)")
    return value


def check_keywords(values) -> list[str]:
    """Keywords from a list or a comma-separated text: trimmed, each once (whatever its case), in order."""
    if isinstance(values, str):
        values = values.split(",")
    out: list[str] = []
    for v in values or []:
        v = " ".join(str(v).split())
        if not v or v.lower() in {o.lower() for o in out}:
            continue
        if len(v) > MAX_KEYWORD:
            raise UsageError(f"a keyword of an index point has at most {MAX_KEYWORD} characters ({len(v):,} given)")
        out.append(v)
    if len(out) > MAX_KEYWORDS:
        raise UsageError(f"an index point has at most {MAX_KEYWORDS} keywords ({len(out)} given)")
    return out


def check_coordinates(latitude: float | None, longitude: float | None) -> tuple[float | None, float | None]:
    """Both or neither; latitude -90..90, longitude -180..180 (decimal degrees, WGS 84)."""
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        raise UsageError("give both a latitude and a longitude, or neither")
    lat, lon = float(latitude), float(longitude)
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise UsageError(f"latitude {lat:g} is outside -90..90")
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise UsageError(f"longitude {lon:g} is outside -180..180")
    return round(lat, 6), round(lon, 6)


class IndexEditor:
    """Changes to one story's index on behalf of `user`, each saved (committed) with its history row."""

    def __init__(self, session: Session, story: Story, user: str):
        self.session, self.story, self.user = session, story, user

    # -- helpers -----------------------------------------------------------------------------------
    def point(self, point_id: int, version: int | None) -> IndexPoint:
        p = self.session.get(IndexPoint, point_id)
        if p is None or p.story_id != self.story.id:
            raise NotFound(f"index point {point_id} is not part of {self.story.slug!r} (it may have been merged "
                           "or deleted)")
        if version is not None and p.version != version:
            raise self._stale()
        return p

    def _stale(self) -> StaleVersion:
        self.session.rollback()
        return StaleVersion(f"the index of {self.story.slug!r} was changed after you opened it; reload the page "
                            "and make your change again")

    def _start(self, start: float | None, moving: IndexPoint | None = None) -> float:
        duration = _duration(self.story)
        if start is None or not math.isfinite(start) or start < 0 or (duration and start >= duration):
            end = mmss(duration) if duration else "the end"
            raise UsageError(f"choose a moment inside the recording (00:00-{end}) for the index point")
        taken = next((p for p in self.story.index_points if p is not moving and abs(p.start - start) < 0.5), None)
        if taken is not None:
            raise UsageError(f"there is already an index point at {mmss(taken.start)} ({taken.title!r})")
        return round(float(start), 3)

    def _title(self, title: str | None) -> str:
        title = _text(title, MAX_TITLE, "title")
        if not title:
            raise UsageError("an index point needs a title")
        return title

    def _record(self, action: str, before: list[dict], after: list[IndexPoint]) -> IndexEdit:
        try:
            self.session.flush()
            edit = IndexEdit(story_id=self.story.id, user=self.user, action=action, before=before,
                             after=[p.as_dict() for p in after])
            self.session.add(edit)
            self.session.commit()
        except StaleDataError:
            raise self._stale() from None
        self.session.expire(self.story, ["index_points"])
        return edit

    # -- operations --------------------------------------------------------------------------------
    def add(self, start: float, title: str, synopsis: str = "", keywords=(), place: str = "",
            latitude: float | None = None, longitude: float | None = None) -> IndexPoint:
        lat, lon = check_coordinates(latitude, longitude)
        p = IndexPoint(story_id=self.story.id, start=self._start(start), title=self._title(title),
                       synopsis=_text(synopsis, MAX_SYNOPSIS, "synopsis"), keywords=check_keywords(keywords),
                       place=_text(place, MAX_PLACE, "place"), latitude=lat, longitude=lon, source=EDITOR, version=1)
        self.session.add(p)
        self._record("add", [], [p])
        return p

    def edit(self, point_id: int, version: int | None, **fields: Any) -> IndexPoint:
        """Change any of title, synopsis, keywords, place, latitude and longitude (both together)."""
        p = self.point(point_id, version)
        before = [p.as_dict()]
        if "title" in fields:
            p.title = self._title(fields["title"])
        if "synopsis" in fields:
            p.synopsis = _text(fields["synopsis"], MAX_SYNOPSIS, "synopsis")
        if "keywords" in fields:
            p.keywords = check_keywords(fields["keywords"])
        if "place" in fields:
            p.place = _text(fields["place"], MAX_PLACE, "place")
        if "latitude" in fields or "longitude" in fields:
            p.latitude, p.longitude = check_coordinates(fields.get("latitude", p.latitude),
                                                        fields.get("longitude", p.longitude))
        p.source, p.version = EDITOR, p.version + 1
        self._record("edit", before, [p])
        return p

    def move(self, point_id: int, version: int | None, start: float) -> IndexPoint:
        p = self.point(point_id, version)
        before = [p.as_dict()]
        p.start = self._start(start, moving=p)
        p.source, p.version = EDITOR, p.version + 1
        self._record("move", before, [p])
        return p

    def merge_with_next(self, point_id: int, version: int | None, next_version: int | None = None) -> IndexPoint:
        """One point from a point and the next: the first's start and title, synopses joined, keywords united,
        the first's place (or else the second's)."""
        p = self.point(point_id, version)
        later = [q for q in sorted(self.story.index_points, key=lambda q: q.start) if q.start > p.start]
        if not later:
            raise UsageError("the last index point has no next point to merge with")
        q = later[0]
        if next_version is not None and q.version != next_version:
            raise self._stale()
        before = [p.as_dict(), q.as_dict()]
        p.synopsis = _text(" ".join(s for s in (p.synopsis.strip(), q.synopsis.strip()) if s), MAX_SYNOPSIS * 2,
                           "synopsis")[:MAX_SYNOPSIS * 2]
        p.keywords = check_keywords([*(p.keywords or []), *(q.keywords or [])][:MAX_KEYWORDS * 2])[:MAX_KEYWORDS]
        if not p.place and q.place:
            p.place, p.latitude, p.longitude = q.place, q.latitude, q.longitude
        p.source, p.version = EDITOR, p.version + 1
        # The DELETE names the version read too (version_id_col): a concurrent change of it makes this stale.
        self.session.delete(q)
        self._record("merge", before, [p])
        return p

    def delete(self, point_id: int, version: int | None) -> None:
        p = self.point(point_id, version)
        before = [p.as_dict()]
        self.session.delete(p)
        self._record("delete", before, [])

    def redraft(self, settings: Settings) -> list[IndexPoint]:
        """A new draft (refresh), saved with a history row: the draft points before and after."""
        before = [p.as_dict() for p in self.story.index_points if p.source == DRAFT]
        refresh(self.session, self.story, settings)
        after = [p for p in self.story.index_points if p.source == DRAFT]
        self._record("draft", before, after)
        return after

    def history(self, limit: int = 50) -> list[IndexEdit]:
        return list(self.session.scalars(select(IndexEdit).where(IndexEdit.story_id == self.story.id)
                                         .order_by(IndexEdit.id.desc()).limit(limit)))
