"""Cancelling pipeline jobs (verhalen.cancel): a real worker stopped mid-transcription, a queued job that a
worker takes after the cancel, a redone transcript cancelled in a CLI run, a new upload cancelled into the
trash; the jobs page through its real forms (Flask test client), the CLI through real subprocesses, and the
CLI's refusals of a story in the trash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from helpers import DATA, PASSWORD, csrf_of, ffmpeg_make, login, run_cli
from verhalen import cancel, catalog, jobs, outbox, settings as settings_mod, trash, users
from verhalen.access import levels_for, visibility
from verhalen.archive import Archive
from verhalen.catalog import PendingWork, Story
from verhalen.pipeline import StoryMeta, accept, ingest, run

EDITOR = levels_for(type("U", (), {"role": "editor"})())
# One speech chunk per decoded batch: the transcription reports progress (and so meets the cancel check)
# every ~30 s of speech, a few seconds apart here.
TOML = "batch_size = 1\n"
STOP_WITHIN = 20.0  # seconds from the cancel to the worker letting go of the story (one batch and the check)


# -- helpers ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def long_clip(tmp_path_factory):
    """Two minutes of speech (the 10-s market clip twelve times): several decoded batches."""
    n = 12
    parts = ["-i", str(DATA / "en_market.wav")] * n
    return ffmpeg_make(tmp_path_factory.mktemp("clip") / "lang.wav", *parts, "-filter_complex",
                       "".join(f"[{i}:a]" for i in range(n)) + f"concat=n={n}:v=0:a=1")


@pytest.fixture
def home(tmp_path, model_dir):
    home = tmp_path / "archive"
    home.mkdir()
    (home / "verhalen.toml").write_text(TOML)
    return home


def _archive(home, model_dir) -> Archive:
    return Archive(settings_mod.load(home, env={}, model=str(model_dir)))


def _worker(home, model_dir, lease: float = 10.0) -> subprocess.Popen:
    env = {**os.environ, "VERHALEN_HOME": str(home), "VERHALEN_MODEL": str(model_dir),
           "VERHALEN_WORKER_LEASE_SECONDS": str(lease)}
    env.pop("VERHALEN_REDIS_URL", None)
    return subprocess.Popen([sys.executable, "-m", "verhalen.cli", "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _stop(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGINT)
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _wait(predicate, timeout: float = 240, what: str = "condition", poll: float = 0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(poll)
    raise AssertionError(f"timed out waiting for {what}")


def _story(archive, story_id: int) -> dict:
    with archive.session() as s:
        st = s.get(Story, story_id)
        return {"status": st.status, "stages": {x.stage: (x.state, x.attempts, x.progress) for x in st.stages},
                "segments": [(x.id, x.text) for x in st.segments], "run": st.transcript_run.id if st.transcript_run else None,
                "claimed_by": st.claimed_by, "cancelled_by": st.cancelled_by, "cancelled": st.cancelled_at is not None,
                "deleted": st.deleted_at is not None, "slug": st.slug}


def _searchable(archive, word: str) -> bool:
    archive.index.close()  # another process wrote the index: read it afresh
    return archive.index.search(word, visibility(EDITOR)).total > 0


def _editor(app):
    with app.archive.session() as s:
        users.add(s, "esseline", PASSWORD, "editor")
    c = app.test_client()
    assert login(c, "esseline").status_code == 302
    return c


def _pending_rows(archive) -> int:
    with archive.session() as s:
        return s.scalar(select(func.count()).select_from(PendingWork))


# -- the rules in the core ------------------------------------------------------------------------------


def test_while_a_cancel_stands_only_an_owed_mute_runs(archive_copy):
    """A job taken after a cancel does nothing, except a redaction's mute of the listening copies, which must
    not wait for an editor's retry; the work the cancel stopped stays stopped."""
    a = archive_copy
    with a.session() as s:
        st = a.story(s, "het-koor")
        sid, segments = st.id, [(x.id, x.text) for x in st.segments]
        st.stage("transcript").state = "pending"  # a retranscription, waiting
        s.commit()
        cancel.request(a, s, st, "esseline")
        assert cancel.refusal(st, False) == cancel.ALREADY
    with pytest.raises(cancel.Cancelled, match="cancelled by esseline"):
        run(a, sid)  # the job queued before the cancel, or a worker's recovery
    with a.session() as s:
        st = s.get(Story, sid)
        assert st.stage("audio").attempts == 1 and st.stage("transcript").attempts == 1, "nothing ran"
        outbox.note(s, sid, outbox.AUDIO, hides=True)  # an editor redacts a passage meanwhile
        s.commit()
    with pytest.raises(cancel.Cancelled):
        run(a, sid, redo=("audio",))
    with a.session() as s:
        st = s.get(Story, sid)
        assert st.stage("audio").attempts == 2 and not outbox.audio_stories(s), "the mute was made"
        assert st.stage("transcript").state == "pending" and st.stage("transcript").attempts == 1
        assert [(x.id, x.text) for x in st.segments] == segments and st.status == "ready"
        assert jobs.retry_stages(st) == ("transcript", "keywords", "index"), "a retry redoes what was stopped"

