"""What the search index and the listening copies still owe the catalog (table pending_work).

The catalog is the truth. A change that alters what the index must show (a
transcript edit, a redaction, publishing, an access level, a deletion, a
finished pipeline) adds a row here *in the same transaction* (`note`), so a
crash between the catalog commit and the index write leaves the row behind
instead of a silent disagreement. `apply` makes the index agree with the
catalog for the stories that have rows and deletes only the rows it read
before loading the stories, so a change made meanwhile keeps its own row.

Appliers run in the editor's request, in every server and worker (at start and
every few seconds, `Applier`), and in `verhalen resume`; one at a time per
archive (a file lock), so a slow applier holding old data can never write it
over a newer one. While a change that hides something (redaction,
unpublishing, a stricter access level, deletion) is pending, the index leaves
that story out of every search (`withheld`), so "saved" never means "still
findable".
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from typing import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload

from .catalog import PendingWork, Story
from .index_sync import exclusive, sync

log = logging.getLogger("verhalen.outbox")
INDEX, AUDIO = "index", "audio"
APPLY_EVERY = 5.0  # seconds between an Applier's looks at the table


def note(session: Session, story_id: int, kind: str = INDEX, hides: bool = False) -> None:
    """Record, in the caller's transaction, that the story's index entry (or audio) must follow the catalog."""
    session.add(PendingWork(story_id=story_id, kind=kind, hides=hides))


def withheld(session: Session) -> frozenset[int]:
    """Stories whose hiding change has not reached the index yet: left out of every search."""
    return frozenset(session.scalars(select(PendingWork.story_id).where(
        PendingWork.kind == INDEX, PendingWork.hides.is_(True))))


def pending(session: Session, kind: str | None = None) -> list[PendingWork]:
    q = select(PendingWork).order_by(PendingWork.id)
    if kind:
        q = q.where(PendingWork.kind == kind)
    return list(session.scalars(q))


def apply(archive, story_ids: Iterable[int] | None = None) -> list[tuple[int, str]]:
    """Bring the index in line for the stories with pending index rows (only `story_ids`, if given).

    Returns (story id, error) for each story that could not be applied; its rows stay, with the
    error and an attempt more, for the next applier. Never raises for one story's failure.
    """
    wanted = None if story_ids is None else list(story_ids)
    failures: list[tuple[int, str]] = []
    index = archive.index  # opened (and, if made by an older verhalen, rebuilt) before taking the lock
    with exclusive(archive):
        with archive.session() as s:
            q = select(PendingWork.id, PendingWork.story_id).where(PendingWork.kind == INDEX)
            if wanted is not None:
                q = q.where(PendingWork.story_id.in_(wanted))
            rows: dict[int, list[int]] = defaultdict(list)
            for row_id, sid in s.execute(q):
                rows[sid].append(row_id)
        for sid, ids in rows.items():
            # The story is read after its rows: anything changed later has a row of its own.
            with archive.session() as s:
                story = s.get(Story, sid, options=[selectinload(Story.segments)])
                try:
                    if story is None:
                        index.remove(sid)
                    else:
                        sync(index, story, archive.settings.publish_keywords)
                except Exception as e:  # noqa: BLE001 - one story's failure must not stop the others
                    log.warning("index update for story %s failed: %s", sid, e)
                    s.rollback()
                    s.execute(update(PendingWork).where(PendingWork.id.in_(ids)).values(
                        attempts=PendingWork.attempts + 1, error=f"{type(e).__name__}: {e}"[:1000]))
                    s.commit()
                    failures.append((sid, str(e) or type(e).__name__))
                    continue
                s.execute(delete(PendingWork).where(PendingWork.id.in_(ids)))
                s.commit()
    return failures


def audio_done(session: Session, story_id: int, up_to: int) -> None:
    """The listening copies were rebuilt from a catalog read after row `up_to`: those rows are done."""
    session.execute(delete(PendingWork).where(PendingWork.story_id == story_id, PendingWork.kind == AUDIO,
                                              PendingWork.id <= up_to))


def last_row(session: Session, story_id: int, kind: str) -> int:
    return session.scalar(select(PendingWork.id).where(PendingWork.story_id == story_id, PendingWork.kind == kind)
                          .order_by(PendingWork.id.desc()).limit(1)) or 0


def audio_stories(session: Session) -> list[int]:
    """Stories whose listening copies must still be rebuilt (e.g. to mute a redaction)."""
    return sorted(set(session.scalars(select(PendingWork.story_id).where(PendingWork.kind == AUDIO))))


def muting_pending(session: Session, story_id: int) -> bool:
    """A redaction (or its undo) is not yet in the listening copies: they must not be served to the public."""
    return session.scalar(select(PendingWork.id).where(PendingWork.story_id == story_id, PendingWork.kind == AUDIO,
                                                       PendingWork.hides.is_(True)).limit(1)) is not None


class Applier(threading.Thread):
    """Applies pending index rows at start and every APPLY_EVERY seconds, until `stop()`."""

    def __init__(self, archive, every: float = APPLY_EVERY):
        super().__init__(name="verhalen-outbox", daemon=True)
        self.archive, self.every = archive, every
        self._stop = threading.Event()

    def run(self) -> None:
        while True:
            try:
                with self.archive.session() as s:
                    busy = s.scalar(select(PendingWork.id).where(PendingWork.kind == INDEX).limit(1)) is not None
                if busy:
                    apply(self.archive)
            except Exception as e:  # noqa: BLE001 - a catalog that is down now may be up in a moment
                log.warning("applying pending index work failed: %s", e)
            if self._stop.wait(self.every):
                return

    def stop(self) -> None:
        self._stop.set()
