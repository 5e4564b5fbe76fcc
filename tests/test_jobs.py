"""The job layer for real: Huey queues (SQLite file and a real Redis server), worker processes, SIGKILL."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import update

from helpers import DATA, Redis, ffmpeg_make, wait_until
from verhalen import jobs, settings as settings_mod
from verhalen.archive import Archive
from verhalen.catalog import Story, now
from verhalen.index import Visibility
from verhalen.pipeline import StoryMeta, accept

pytestmark = pytest.mark.slow


def _settings(tmp_path, model_dir, **kw):
    return settings_mod.load(tmp_path / "archive", env={}, model=str(model_dir), **kw)


def _worker(settings, lease=2.0) -> subprocess.Popen:
    env = {**os.environ, "VERHALEN_HOME": str(settings.home), "VERHALEN_MODEL": settings.model,
           "VERHALEN_WORKER_LEASE_SECONDS": str(lease), "VERHALEN_REDIS_URL": settings.redis_url}
    return subprocess.Popen([sys.executable, "-m", "verhalen.cli", "worker"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


_wait = wait_until


def _state(archive, story_id):
    with archive.session() as s:
        st = s.get(Story, story_id)
        return st.status, {x.stage: (x.state, x.attempts, x.progress) for x in st.stages}, len(st.segments)


def test_claims_keep_two_workers_off_one_story(archive):
    sid = accept(archive, DATA / "en_market.wav", StoryMeta(title="Markt"))
    assert jobs.claim(archive, sid, "a") and not jobs.claim(archive, sid, "b")
    assert jobs.claim(archive, sid, "a")  # the holder may renew
    with archive.session() as s:  # a's heartbeat goes stale: a died
        s.execute(update(Story).values(heartbeat=now() - dt.timedelta(seconds=archive.settings.worker_lease_seconds + 1)))
        s.commit()
    assert jobs.claim(archive, sid, "b")
    jobs.release(archive, sid, "b")
    with archive.session() as s:
        assert s.get(Story, sid).claimed_by is None


def test_worker_killed_mid_transcription_is_taken_over(tmp_path, model_dir):
    settings = _settings(tmp_path, model_dir, worker_lease_seconds=2.0)
    archive = Archive(settings)
    # Four minutes of speech: long enough that batched decoding is still busy when the kill comes.
    parts = ["-i", str(DATA / "en_market.wav")] * 24
    clip = ffmpeg_make(tmp_path / "lang.wav", *parts, "-filter_complex",
                       "".join(f"[{i}:a]" for i in range(24)) + "concat=n=24:v=0:a=1")
    sid = accept(archive, clip, StoryMeta(title="Lang", published=True))
    jobs.enqueue(jobs.make_huey(settings), sid)
    first = _worker(settings)
    _wait(lambda: _state(archive, sid)[1].get("transcript", ("",))[0] == "running", what="transcription to start")
    _wait(lambda: (_state(archive, sid)[1]["transcript"][2] or 0) > 0, what="progress to be reported", poll=0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    status, stages, segments = _state(archive, sid)
    assert status == "pending" and stages["transcript"][0] == "running" and segments == 0  # no half transcript
    assert archive.index.search("perfume").total == 0  # no half story visible
    second = _worker(settings)
    try:
        _wait(lambda: _state(archive, sid)[0] == "ready", timeout=240, what="the second worker to finish")
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(timeout=60)
    status, stages, segments = _state(archive, sid)
    assert segments > 0 and stages["transcript"][1] == 2  # tried twice: killed once, finished once
    archive.index.close()
    assert archive.index.search("perfume").total == 1
    with archive.session() as s:
        assert s.query(Story).count() == 1  # no duplicate story
    archive.close()


def test_redis_queue_shared_by_two_workers(tmp_path, model_dir):
    redis = Redis()
    try:
        settings = _settings(tmp_path, model_dir, redis_url=redis.url)
        archive = Archive(settings)
        ids = [accept(archive, DATA / "en_market.wav", StoryMeta(title="Markt", language="en")),
               accept(archive, DATA / "nl_koor.mp3", StoryMeta(title="Koor", language="nl"))]
        huey = jobs.make_huey(settings)
        for sid in ids:
            jobs.enqueue(huey, sid)
            jobs.enqueue(huey, sid)  # a duplicate job must not process a story twice
        workers = [_worker(settings, lease=60), _worker(settings, lease=60)]
        try:
            _wait(lambda: all(_state(archive, sid)[0] == "ready" for sid in ids), timeout=240, what="both stories")
        finally:
            for w in workers:
                w.send_signal(signal.SIGINT)
            for w in workers:
                w.wait(timeout=60)
        for sid in ids:
            assert _state(archive, sid)[1]["transcript"][1] == 1  # transcribed exactly once
        archive.index.close()
        vis = Visibility()
        assert archive.index.search("perfume", vis).total == 1 and archive.index.search("rotterdam", vis).total == 1
        archive.close()
    finally:
        redis.stop()
