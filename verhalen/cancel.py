"""Cancelling a story's pipeline work: an editor's request (the jobs page, `verhalen jobs cancel`) and the
checks that honour it (pipeline.run).

The request is a catalog column (`stories.cancelled_at`/`cancelled_by`, migration 0012), so a worker on
any machine sees it. pipeline.run asks before each stage and, through the progress callback, while a
stage runs (at most once a second; the transcription reports progress as each batch is decoded). Where
it stops it rolls the stage's transaction back, so nothing of the stopped stage is written (a stage
writes all of its results with its "done"), and puts the stage back as it was: what was done stays
done, a previous transcript stays as it was.

While the request stands no stage starts, wherever the job comes from (one queued before the cancel, a
worker's recovery, `verhalen resume`), except a redaction's mute of the listening copies, which must
not wait for an editor. A retry (verhalen.jobs.retry) lifts the request; so does a run that gets to its
end anyway (the request came during its last stage): nothing is left to cancel then.

With `remove`, a new upload that never finished goes to the trash at once (verhalen.trash: restorable
for trash_days, nothing is purged by a cancel).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import outbox, trash
from .access import in_trash
from .catalog import PendingWork, Story, now
from .errors import Conflict
from .lifecycle import FAILED, PENDING, RUN_STAGES, RUNNING, finished

ASK_EVERY = 1.0  # seconds between the catalog reads of a running stage's checks
WORK = (PENDING, RUNNING)  # a stage in one of these is work a cancel can stop


class Cancelled(Conflict):
    """Raised by pipeline.run where it stops the work of a story an editor cancelled."""


# Why a cancel is refused: `refusal` decides, the CLI (MESSAGES) and the web (in Dutch and English) word it.
IN_TRASH, ALREADY, FINISHED, STOPPED, MUTING, NOT_NEW = "in_trash", "already", "finished", "stopped", "muting", "not_new"
MESSAGES = {
    IN_TRASH: "{slug!r} is in the trash (verhalen restore {slug})",
    ALREADY: "{slug!r} is cancelled already; `verhalen jobs retry {slug}` lets it run again",
    FINISHED: "{slug!r} is finished: nothing is running or waiting, so there is nothing to cancel",
    STOPPED: "{slug!r} has nothing running or waiting: a stage failed (`verhalen jobs retry {slug}`, "
             "or `verhalen delete {slug}`)",
    MUTING: "{slug!r} is having a redacted passage muted in its listening copies; that cannot be cancelled",
    NOT_NEW: "{slug!r} was finished before, so a cancel does not remove it: cancel without --remove, "
             "or `verhalen delete {slug}`",
}


def stage_states(story: Story) -> dict[str, str]:
    """The state of each stage pipeline.run walks; a stage without a row has not started: it waits."""
    rows = {st.stage: st.state for st in story.stages}
    return {name: rows.get(name, PENDING) for name in RUN_STAGES}


def removable(story: Story) -> bool:
    """A new upload that never finished: the only story a cancel may move to the trash."""
    return not finished(story.status)


def refusal(story: Story, owes_audio: bool, remove: bool = False) -> str | None:
    """Why the story's work cannot be cancelled, or None when it can (`owes_audio`: a redaction's mute is
    still owed to its listening copies, verhalen.outbox)."""
    if in_trash(story):
        return IN_TRASH
    if story.cancelled_at is not None:
        return ALREADY
    states = stage_states(story)
    if FAILED in states.values():
        return STOPPED  # it waits for an editor's retry; nothing runs
    if not any(state in WORK for state in states.values()):
        return FINISHED
    if owes_audio and states["audio"] in WORK:
        return MUTING
    if remove and not removable(story):
        return NOT_NEW
    return None


def being_run(story: Story, lease_seconds: float, at: dt.datetime | None = None) -> bool:
    """A live worker holds the story (its heartbeat is younger than the lease, as verhalen.jobs.claim reads it)."""
    return (story.claimed_by is not None and story.heartbeat is not None
            and story.heartbeat >= (at or now()) - dt.timedelta(seconds=lease_seconds))


def owes_audio(session: Session, story_id: int) -> bool:
    return session.scalar(select(PendingWork.id).where(PendingWork.story_id == story_id,
                                                       PendingWork.kind == outbox.AUDIO).limit(1)) is not None


def request(archive, session: Session, story: Story, user: str = "", remove: bool = False) -> bool:
    """Cancel the story's work left: a queued job will do nothing, a running one stops at its next check.
    With `remove` a new upload goes to the trash as well. Returns True when it is running now (a worker's
    claim, or a stage running in a command's own process)."""
    trash.require_outside(story)
    reason = refusal(story, owes_audio(session, story.id), remove)
    if reason is not None:
        raise Conflict(MESSAGES[reason].format(slug=story.slug))
    story.cancelled_at, story.cancelled_by = now(), (user or "")[:200] or None
    session.commit()
    if remove:
        trash.move(archive, session, story, user)
    return being_run(story, archive.settings.worker_lease_seconds) or RUNNING in stage_states(story).values()


def cancelled_error(slug: str, by: str | None, at: dt.datetime) -> Cancelled:
    return Cancelled(f"{slug!r} was cancelled by {by or 'an editor'} at {at:%Y-%m-%d %H:%M} UTC; "
                     f"`verhalen jobs retry {slug}` (or Opnieuw proberen on the jobs page) lets it run again")


def lift(session: Session, story_id: int) -> None:
    """Let the story's work run again (a retry; a run that finished anyway). The caller commits."""
    session.execute(update(Story).where(Story.id == story_id, Story.cancelled_at.is_not(None))
                    .values(cancelled_at=None, cancelled_by=None))


class Watch:
    """pipeline.run's checks for one story and one run: `before` each stage, and `progress`, which wraps
    the run's progress callback so that a stage reporting progress is asked too."""

    def __init__(self, archive, story_id: int, redo: tuple[str, ...] = ()):
        self.archive, self.story_id, self.redo = archive, story_id, redo
        self.exempt = False
        self.asked = float("-inf")

    def before(self, session: Session, story: Story, stage: str) -> None:
        """Raises Cancelled while an editor's cancel stands, unless the stage is an owed mute asked for."""
        self.exempt = stage == "audio" and "audio" in self.redo and owes_audio(session, story.id)
        if story.cancelled_at is not None and not self.exempt:
            raise cancelled_error(story.slug, story.cancelled_by, story.cancelled_at)

    def progress(self, forward: Callable[[str, float, float], None] | None) -> Callable[[str, float, float], None]:
        def report(stage: str, done: float, total: float) -> None:
            self.during()
            if forward:
                forward(stage, done, total)
        return report

    def during(self) -> None:
        t = time.monotonic()
        if self.exempt or t - self.asked < ASK_EVERY:
            return
        self.asked = t
        with self.archive.session() as s:
            row = s.execute(select(Story.slug, Story.cancelled_by, Story.cancelled_at)
                            .where(Story.id == self.story_id)).first()
        if row is not None and row.cancelled_at is not None:
            raise cancelled_error(row.slug, row.cancelled_by, row.cancelled_at)
