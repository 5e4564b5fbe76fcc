"""The one access rule: who may see which story, on every surface.

A story is visible to a viewer when it is published, has finished the pipeline
(status ready or needs_transcript) and its access level is one of the viewer's
levels; an embargoed story becomes public by itself once `today` reaches its
`embargo_until` date. A story in the trash (verhalen.trash) is visible to nobody, editors
included, outside the trash views (`in_trash`, `outside_trash`). Pages, search, feeds, media, transcripts, images,
sitemaps and JSON all ask this module; nothing else decides.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from verhalen.index import Visibility

from .catalog import ACCESS_LEVELS, Segment, Story
from .lifecycle import FINISHED
from .errors import NotFound, UsageError
from .transcript_guards import GAP

PUBLIC = frozenset({"public"})
# What each kind of user may see. Editors see everything, including embargoed and unpublished work.
ROLE_LEVELS = {
    "public": PUBLIC,
    "researcher": frozenset({"public", "researchers"}),
    "editor": frozenset({"public", "researchers", "editors", "embargoed", "unpublished"}),
    "admin": frozenset({"public", "researchers", "editors", "embargoed", "unpublished"}),
}
SHOWN_STATUSES = FINISHED  # the lifecycle says which statuses are finished; only those are shown


def level_problem(access: str, embargo_until: dt.date | None) -> str | None:
    """What is wrong with an access level and embargo date an editor chose: "level" (not one of
    catalog.ACCESS_LEVELS), "embargo_date" (an embargo lifts on a date, so it needs one), or None.
    Callers word it for their reader (the CLI in English, the web in Dutch and English)."""
    if access not in ACCESS_LEVELS:
        return "level"
    if access == "embargoed" and embargo_until is None:
        return "embargo_date"
    return None


def check_level(access: str, embargo_until: dt.date | None) -> None:
    """level_problem as a UsageError in English (the CLI, scripts)."""
    problem = level_problem(access, embargo_until)
    if problem == "level":
        raise UsageError(f"access must be one of {', '.join(ACCESS_LEVELS)}, not {access!r}")
    if problem == "embargo_date":
        raise UsageError("an embargoed story needs an end date (--embargo-until DATE)")


def levels_for(user: object | None = None) -> frozenset[str]:
    """Access levels a user may see. Anonymous visitors (None) are the public.

    Signed-in users get their role's levels (ROLE_LEVELS); an object without a role may carry `levels`.
    """
    if user is None:
        return PUBLIC
    role = getattr(user, "role", None)
    if role in ROLE_LEVELS:
        return ROLE_LEVELS[role]
    return frozenset(getattr(user, "levels", PUBLIC)) | PUBLIC


def level_allows(access: str, embargo_until: dt.date | None, levels: frozenset[str], today: dt.date) -> bool:
    """The level part of the rule, on plain values (shared with the index filter)."""
    if access == "unpublished":
        return "unpublished" in levels
    if access == "embargoed":
        return "embargoed" in levels or (embargo_until is not None and embargo_until <= today)
    return access in levels


def visible(story: Story | None, levels: frozenset[str] = PUBLIC, today: dt.date | None = None) -> bool:
    """True when a viewer with `levels` may see `story` (and anything derived from it) on `today`."""
    if story is None:
        return False
    today = today or dt.date.today()
    return ((bool(story.published) or "unpublished" in levels) and story.status in SHOWN_STATUSES
            and not in_trash(story) and level_allows(story.access, story.embargo_until, levels, today))


def require(story: Story | None, levels: frozenset[str] = PUBLIC, today: dt.date | None = None) -> Story:
    """The story if visible, else NotFound — the same answer as for a story that does not exist."""
    if not visible(story, levels, today):
        raise NotFound("this story does not exist or is not public")
    return story  # type: ignore[return-value]


def clause(levels: frozenset[str] = PUBLIC, today: dt.date | None = None) -> ColumnElement[bool]:
    """The same rule as `visible`, as a SQL condition on Story for listing queries."""
    today = today or dt.date.today()
    plain = [lvl for lvl in levels if lvl != "embargoed"]
    embargo = (Story.access == "embargoed") if "embargoed" in levels else and_(
        Story.access == "embargoed", Story.embargo_until.is_not(None), Story.embargo_until <= today)
    published = Story.published.is_(True) if "unpublished" not in levels else Story.published.is_not(None)
    return and_(published, Story.status.in_(SHOWN_STATUSES), outside_trash(), or_(Story.access.in_(plain), embargo))


def in_trash(story: Story) -> bool:
    """The trash part of the rule: a deleted story waits in the trash, seen only by the trash views."""
    return getattr(story, "deleted_at", None) is not None


def outside_trash() -> ColumnElement[bool]:
    """`not in_trash` as a SQL condition on Story: editors' lists (workspace, review queue, jobs) use it too."""
    return Story.deleted_at.is_(None)


def visibility(levels: frozenset[str] = PUBLIC, today: dt.date | None = None) -> Visibility:
    """The index's form of the rule: unpublished stories are indexed at the level "unpublished",
    and only stories that finished the pipeline are indexed (verhalen.index_sync)."""
    return Visibility(levels=frozenset(levels), today=today or dt.date.today())


def public_segments(story: Story) -> list:
    """The transcript as anyone outside the editors' workspace sees it: redacted passages left out,
    and gaps (speech no decode found words in, empty until an editor fills them in)."""
    return [s for s in story.segments if shown(s)]


def shown(segment) -> bool:
    """The rule for one segment, for every reader outside the workspace: the index, exports, feeds."""
    return not segment.redacted and segment.guard != GAP


def public_segment_rows(session: Session, story: Story) -> list:
    """public_segments as plain rows (same attribute names, no ORM objects): ~3x cheaper to load
    for the viewer, which reads a 1-hour story's 450 segments on every uncached page."""
    cols = [Segment.id, Segment.start, Segment.end, Segment.text, Segment.speaker, Segment.words,
            Segment.avg_logprob, Segment.no_speech_prob, Segment.version]
    return list(session.execute(select(*cols).where(*_shown_where(story)).order_by(Segment.start)))


def public_segment_at(session: Session, story: Story, seconds: float):
    """The public passage being said at `seconds` (as a public_segment_rows row), or None: the latest one that
    starts by then (50 ms early counts) and has not ended, asked of the database for just that row."""
    cols = [Segment.id, Segment.start, Segment.end, Segment.text, Segment.speaker]
    return session.execute(select(*cols).where(*_shown_where(story), Segment.start <= seconds + 0.05,
                                               Segment.end > seconds)
                           .order_by(Segment.start.desc()).limit(1)).first()


def has_public_text(session: Session, story: Story) -> bool:
    """Whether public_segments would give anything, asked of the database without loading a passage (the IIIF
    manifest offers the transcript only then; an hour's segments with their word timings cost ~30 ms to load)."""
    return session.scalar(select(Segment.id).where(*_shown_where(story)).limit(1)) is not None


def _shown_where(story: Story) -> tuple:
    """`shown` as SQL conditions on one story's segments."""
    return Segment.story_id == story.id, Segment.redacted.is_(False), Segment.guard.is_distinct_from(GAP)


def redacted_times(session: Session, story: Story) -> list[tuple[float, float]]:
    """When the public hears silence because an editor redacted something: the (start, end) of each
    redacted stretch, touching ones joined. Only times: the text stays in the workspace."""
    rows = session.execute(select(Segment.start, Segment.end).where(
        Segment.story_id == story.id, Segment.redacted.is_(True)).order_by(Segment.start))
    out: list[tuple[float, float]] = []
    for start, end in rows:
        if out and start - out[-1][1] < 0.5:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out
