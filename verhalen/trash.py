"""The trash: deleting a story hides it at once and keeps it for `trash_days` (setting), so nothing is lost
by one click; purging removes it for good.

A story in the trash keeps every catalog row, its original and its listening copies; only
`deleted_at`/`deleted_by` are set. The visibility rule (verhalen.access `in_trash`/`outside_trash`)
hides it from every public surface and every editors' list but the trash views, and the index drops it
(verhalen.index_sync `indexable`), noted in the same transaction as the move (verhalen.outbox), so a
crash cannot leave it findable. Moving it sets a column the page-cache triggers watch (migration 0011),
so cached public pages go stale at once.

Purging (`purge`: the expired ones, or all) removes the catalog rows, the index entries, the derived
audio and the original. The job worker does it every hour for the expired ones (verhalen.jobs),
`verhalen trash purge` on demand (or from cron where no worker runs).
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import outbox
from .access import in_trash
from .catalog import Story, now
from .errors import Conflict, NotFound


@dataclass(frozen=True)
class Contents:
    """What deleting a story takes away, for the confirmation (CLI and web)."""
    title: str
    slug: str
    file_name: str | None
    duration: float | None
    passages: int


def contents(story: Story) -> Contents:
    rec = story.recording
    return Contents(story.title, story.slug, rec.original_name if rec else None, rec.duration if rec else None,
                    len(story.segments))


def require_outside(story: Story) -> Story:
    """The story, unless it is in the trash: then NotFound naming `verhalen restore` (for commands that act on it)."""
    if in_trash(story):
        raise NotFound(f"{story.slug!r} is in the trash (verhalen restore {story.slug})")
    return story


def move(archive, session: Session, story: Story, user: str = "") -> Story:
    """Put a story in the trash: hidden everywhere outside the trash at once, restorable for trash_days."""
    if in_trash(story):
        raise Conflict(f"{story.title!r} is already in the trash")
    story.deleted_at, story.deleted_by = now(), (user or "")[:200] or None
    story.meta_version = (story.meta_version or 0) + 1  # a page opened before the delete cannot save over it
    outbox.note(session, story.id, outbox.INDEX, hides=True)  # with the move: a crash cannot leave it findable
    session.commit()
    outbox.apply(archive, [story.id])
    session.refresh(story)
    return story


def restore(archive, session: Session, story: Story) -> Story:
    """Take a story out of the trash: it shows again wherever it showed before."""
    if not in_trash(story):
        raise Conflict(f"{story.title!r} is not in the trash")
    story.deleted_at, story.deleted_by = None, None
    story.meta_version = (story.meta_version or 0) + 1
    outbox.note(session, story.id, outbox.INDEX)
    session.commit()
    outbox.apply(archive, [story.id])
    session.refresh(story)
    return story


def listed(session: Session) -> list[Story]:
    """The stories in the trash, most recently deleted first."""
    return list(session.scalars(select(Story).where(Story.deleted_at.is_not(None))
                                .order_by(Story.deleted_at.desc(), Story.id.desc())))


def days_left(story: Story, days: int, at: dt.datetime | None = None) -> int:
    """Whole days (rounded up) until the story may be purged; 0 once it has expired."""
    left = story.deleted_at + dt.timedelta(days=days) - (at or now())
    return max(0, math.ceil(left.total_seconds() / 86400))


def expired(session: Session, days: int, at: dt.datetime | None = None) -> list[Story]:
    """Stories that have been in the trash for `days` days or more."""
    cutoff = (at or now()) - dt.timedelta(days=days)
    return [st for st in listed(session) if st.deleted_at <= cutoff]


def purge(archive, everything: bool = False, slugs: list[str] | None = None,
          at: dt.datetime | None = None) -> list[str]:
    """Remove for good the trash's expired stories (trash_days), or all of them (`everything`), or those
    named in `slugs` (which must be in the trash): catalog rows, index entries, derived audio, original.
    Returns the slugs removed."""
    with archive.session() as s:
        if slugs is not None:
            stories = [archive.story(s, slug) for slug in slugs]
            for st in stories:
                if not in_trash(st):
                    raise Conflict(f"{st.slug!r} is not in the trash; `verhalen delete {st.slug}` puts it there first")
        elif everything:
            stories = listed(s)
        else:
            stories = expired(s, archive.settings.trash_days, at)
        removed, files = [], []
        for st in stories:
            original: Path | None = archive.original(st.recording) if st.recording else None
            files.append((st.id, original))
            removed.append(st.slug)
            s.delete(st)
            outbox.note(s, st.id, outbox.INDEX, hides=True)  # with the delete: a crash cannot leave it findable
        s.commit()
    if not files:
        return []
    outbox.apply(archive, [story_id for story_id, _ in files])
    for story_id, original in files:
        shutil.rmtree(archive.derived_story_dir(story_id), ignore_errors=True)
        if original is not None:
            original.unlink(missing_ok=True)
    return removed
