"""Pipeline jobs on Huey: SqliteHuey in the archive home, or RedisHuey when `redis_url` is set.

One task, `process_story(story_id, redo)`, runs `pipeline.run` for a story.
Huey removes a task from the queue when a worker takes it, so a worker killed
with SIGKILL loses it: the catalog is what survives. Each story carries a
claim (worker id + heartbeat); a worker starting up, and every worker once a
minute, re-queues unfinished stories whose heartbeat is older than
`worker_lease_seconds`. Running a story twice is harmless: finished stages are
skipped and the claim keeps two live workers off the same story.

An editor's cancel (verhalen.cancel) is honoured by pipeline.run: a job taken
after it does nothing, a running one stops; `retry` lets the work run again.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from functools import lru_cache

from huey import RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from . import cancel, outbox
from .archive import Archive
from .catalog import StageState, Story, now
from .errors import Conflict, UsageError, VerhalenError
from .lifecycle import DONE, FAILED, PENDING, RUN_STAGES, RUNNING
from .settings import Settings

log = logging.getLogger("verhalen.jobs")
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
_PROGRESS_EVERY = 2.0  # seconds between progress writes


def make_huey(settings: Settings):
    """The queue for this archive, with its tasks registered."""
    if settings.redis_url:
        try:
            import redis  # noqa: F401 - optional: only archives with a Redis queue need it
        except ImportError:
            raise UsageError("redis_url is set but the redis package is not installed: "
                             "pip install 'verhalen[redis]' (or unset VERHALEN_REDIS_URL for the SQLite queue)") from None
        huey = RedisHuey("verhalen", url=settings.redis_url, results=False)
    else:
        settings.home.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("verhalen", filename=str(settings.queue_file), results=False)

    @huey.task(name="process_story")
    def process_story(story_id: int, redo: tuple[str, ...] = ()) -> None:
        process(archive_for(settings), story_id, tuple(redo))

    @huey.periodic_task(crontab(minute="*"), name="recover")
    def recover_periodic() -> None:
        recover(archive_for(settings), huey)

    @huey.periodic_task(crontab(minute="23"), name="purge_trash")
    def purge_trash_periodic() -> None:
        """Every hour: the stories that have been in the trash for trash_days go for good (verhalen.trash)."""
        from . import trash

        try:
            for slug in trash.purge(archive_for(settings)):
                log.info("purged %s from the trash (trash_days %s)", slug, settings.trash_days)
        except Exception as e:  # noqa: BLE001 - another worker purging the same story; the next hour retries
            log.warning("purging the trash failed: %s", e)

    huey.verhalen_process = process_story
    return huey


@lru_cache(maxsize=8)
def archive_for(settings: Settings) -> Archive:
    return Archive(settings)


def enqueue(huey, story_id: int, redo: tuple[str, ...] = ()) -> None:
    huey.verhalen_process(story_id, tuple(redo))


# -- claims -----------------------------------------------------------------------


def claim(archive: Archive, story_id: int, worker: str = WORKER_ID) -> bool:
    """Take the story for this worker unless a live worker has it; True when taken."""
    stale = now() - dt.timedelta(seconds=archive.settings.worker_lease_seconds)
    with archive.session() as s:
        result = s.execute(update(Story).where(
            Story.id == story_id,
            or_(Story.claimed_by.is_(None), Story.claimed_by == worker, Story.heartbeat.is_(None), Story.heartbeat < stale),
        ).values(claimed_by=worker, heartbeat=now()))
        s.commit()
        return result.rowcount == 1


def release(archive: Archive, story_id: int, worker: str = WORKER_ID) -> None:
    with archive.session() as s:
        s.execute(update(Story).where(Story.id == story_id, Story.claimed_by == worker)
                  .values(claimed_by=None, heartbeat=None))
        s.commit()


class ProgressWriter:
    """Pipeline progress -> the stage's progress/ETA and the story's heartbeat, at most every 2 s."""

    def __init__(self, archive: Archive, story_id: int, worker: str):
        self.archive, self.story_id, self.worker = archive, story_id, worker
        self.last = 0.0
        self.started: dict[str, float] = {}

    def __call__(self, stage: str, done: float, total: float) -> None:
        t = time.monotonic()
        self.started.setdefault(stage, t)
        if t - self.last < _PROGRESS_EVERY and done < total:
            return
        self.last = t
        fraction = min(1.0, done / total) if total else 1.0
        elapsed = t - self.started[stage]
        eta = elapsed * (1 - fraction) / fraction if 0 < fraction < 1 else None
        with self.archive.session() as s:
            s.execute(update(StageState).where(StageState.story_id == self.story_id, StageState.stage == stage)
                      .values(progress=round(fraction, 4), eta_seconds=eta))
            s.execute(update(Story).where(Story.id == self.story_id, Story.claimed_by == self.worker)
                      .values(heartbeat=now()))
            s.commit()


def process(archive: Archive, story_id: int, redo: tuple[str, ...] = (), worker: str = WORKER_ID) -> bool:
    """Run the story's pipeline under a claim; False when another live worker has it."""
    from .pipeline import run

    if not claim(archive, story_id, worker):
        log.info("story %s is being processed by another worker", story_id)
        return False
    stop = threading.Event()

    def beat() -> None:  # keeps the claim alive through stages that report no progress
        while not stop.wait(max(1.0, archive.settings.worker_lease_seconds / 4)):
            with archive.session() as s:
                s.execute(update(Story).where(Story.id == story_id, Story.claimed_by == worker).values(heartbeat=now()))
                s.commit()

    beater = threading.Thread(target=beat, daemon=True)
    beater.start()
    try:
        run(archive, story_id, redo=redo, progress=ProgressWriter(archive, story_id, worker))
    except cancel.Cancelled as e:
        log.info("story %s: %s", story_id, e)  # the stage is as it was; an editor retries from the jobs page
    except VerhalenError as e:
        # Recorded on the stage by run(); an editor retries from the jobs page.
        log.warning("story %s failed: %s", story_id, e)
    finally:
        stop.set()
        beater.join(timeout=5)
        release(archive, story_id, worker)
    return True


def recover(archive: Archive, huey) -> list[int]:
    """Re-queue stories with work left that nobody is doing (their worker died, or the process that
    was to queue a job did); returns their ids. Failed ones wait for an editor's retry."""
    from .pipeline import unfinished

    stale = now() - dt.timedelta(seconds=archive.settings.worker_lease_seconds)
    with archive.session() as s:
        failed = set(s.scalars(select(Story.id).where(Story.status == "failed")))
        idle = or_(Story.claimed_by.is_(None), Story.heartbeat.is_(None), Story.heartbeat < stale)
        audio = [sid for sid in outbox.audio_stories(s)
                 if s.scalar(select(Story.id).where(Story.id == sid, idle)) is not None]
    ids = [sid for sid in unfinished(archive) if sid not in failed and not _only_failed_stages(archive, sid)]
    for sid in ids:
        enqueue(huey, sid)
    for sid in audio:
        if sid not in ids:
            enqueue(huey, sid, redo=("audio",))
    if ids or audio:
        log.info("re-queued stories %s", sorted(set(ids) | set(audio)))
    return sorted(set(ids) | set(audio))


def _only_failed_stages(archive: Archive, story_id: int) -> bool:
    """A finished story whose redo failed: an editor retries it (jobs page), not a loop every minute."""
    with archive.session() as s:
        states = {st.state for st in s.scalars(select(StageState).where(StageState.story_id == story_id))}
    return "failed" in states and not states & {"pending", "running"}


# -- retry -------------------------------------------------------------------------


def retry_stages(story: Story) -> tuple[str, ...]:
    """What a retry runs: the first stage that failed (or, after a cancel, that was left undone) and the
    ones after it. A transcript that is already done is kept (it may hold editors' corrections); the
    stages after the first still run when they are not done."""
    names = list(RUN_STAGES)
    states = cancel.stage_states(story)
    left = (FAILED, PENDING, RUNNING) if story.cancelled_at is not None else (FAILED,)
    todo = [i for i, name in enumerate(names) if states[name] in left]
    if not todo:
        return ()
    return tuple(n for n in names[min(todo):] if not (n == "transcript" and states[n] == DONE))


def can_retry(story: Story) -> bool:
    return story.cancelled_at is not None or bool(retry_stages(story))


def retry(archive: Archive, session: Session, story: Story) -> tuple[str, ...]:
    """Make a failed or cancelled story's work runnable again (the failed stages wait again, a cancel is
    lifted) and return the stages to queue (`enqueue(huey, story.id, redo=...)`); () when a cancel left
    nothing undone."""
    if cancel.being_run(story, archive.settings.worker_lease_seconds) and story.cancelled_at is not None:
        raise Conflict(f"{story.slug!r} is still being stopped after its cancel; try again in a moment")
    if not can_retry(story):
        raise Conflict(f"nothing failed or was cancelled in {story.slug!r}: there is nothing to retry")
    redo = retry_stages(story)
    for st in story.stages:
        if st.state == FAILED or (st.state == RUNNING and story.cancelled_at is not None):
            st.state, st.error = PENDING, None  # a stage left running by a cancel's stopped worker: its worker is gone
    if story.status == FAILED:
        story.status = PENDING  # so a worker that dies now has it re-queued (recover)
    cancel.lift(session, story.id)
    session.commit()
    session.refresh(story)
    return redo


# -- consumers --------------------------------------------------------------------


class EmbeddedConsumer(Consumer):
    """A consumer that runs beside a server in the same process: no signal handlers of its own."""

    def _set_signal_handlers(self) -> None:
        pass


def start_embedded(settings: Settings, workers: int = 1) -> EmbeddedConsumer:
    """The job worker beside a server, with the applier of pending index work (verhalen.outbox)."""
    huey = make_huey(settings)
    archive = archive_for(settings)
    outbox.Applier(archive).start()
    recover(archive, huey)
    consumer = EmbeddedConsumer(huey, workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    return consumer


def run_worker(settings: Settings, workers: int = 1) -> None:
    """`verhalen worker`: a foreground consumer (Ctrl-C stops it after the current job)."""
    huey = make_huey(settings)
    archive = archive_for(settings)
    outbox.Applier(archive).start()
    recover(archive, huey)
    Consumer(huey, workers=workers, worker_type="thread", periodic=True).run()
