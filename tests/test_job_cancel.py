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
from functools import partial

import pytest
from sqlalchemy import func, select

from helpers import DATA, PASSWORD, csrf_of, ffmpeg_make, login, run_cli, wait_until
from verhalen import cancel, jobs, outbox, settings as settings_mod, trash, users
from verhalen.access import levels_for, visibility
from verhalen.archive import Archive
from verhalen.catalog import PendingWork, Story
from verhalen.pipeline import StoryMeta, accept, ingest, run, unfinished

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


_wait = partial(wait_until, timeout=240, poll=0.2)  # a real transcription runs under the wait


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


# -- a running job ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_running_transcription_is_cancelled_from_the_jobs_page_and_stops_within_seconds(
        home, model_dir, long_clip, make_app):
    archive = _archive(home, model_dir)
    app = make_app(archive)
    editor = _editor(app)
    sid = accept(archive, long_clip, StoryMeta(title="Lang verhaal", language="en"))
    jobs.enqueue(jobs.make_huey(archive.settings), sid)
    worker = _worker(home, model_dir)
    try:
        _wait(lambda: (_story(archive, sid)["stages"].get("transcript", ("", 0, 0))[2] or 0) > 0,
              what="the transcription to report progress", poll=0.1)
        page = editor.get("/editor/jobs").get_data(as_text=True)
        assert f'href="/editor/jobs/{sid}/cancel"' in page, "a running job has its cancel link"
        confirm = editor.get(f"/editor/jobs/{sid}/cancel").get_data(as_text=True)
        assert "Verwerking annuleren: Lang verhaal" in confirm and "wordt nu verwerkt (“Uitschrijven”)" in confirm
        assert 'value="keep" checked' in confirm and 'value="trash"' in confirm, "the choice, for a new upload"
        r = editor.post(f"/editor/jobs/{sid}/cancel", data={"csrf_token": csrf_of(confirm), "then": "keep"})
        cancelled_at = time.monotonic()
        assert r.status_code == 302
        assert "Lang verhaal wordt gestopt" in editor.get("/editor/jobs").get_data(as_text=True)
        _wait(lambda: _story(archive, sid)["claimed_by"] is None, timeout=120, what="the worker to stop", poll=0.1)
        took = time.monotonic() - cancelled_at
        assert took < STOP_WITHIN, f"the worker went on for {took:.1f} s after the cancel"
        print(f"stopped {took:.1f} s after the cancel")
        assert worker.poll() is None, "the job stopped, not the worker"

        story = _story(archive, sid)
        assert story["status"] == "pending" and story["cancelled"] and story["cancelled_by"] == "esseline"
        assert story["stages"]["audio"][0] == "done", "what was done stays done"
        assert story["stages"]["transcript"][:2] == ("pending", 1), "the stopped stage is not done, nor failed"
        assert story["segments"] == [] and story["run"] is None, "nothing of the stopped transcription is written"
        assert "keywords" not in story["stages"] or story["stages"]["keywords"][1] == 0
        assert not _searchable(archive, "perfume") and _pending_rows(archive) == 0
        assert archive.derived(sid, "asr.wav").is_file() and archive.derived(sid, "listen.mp3").is_file()
        doctor = run_cli("doctor", home=home, model_dir=model_dir)
        assert doctor.returncode == 0, doctor.stdout + doctor.stderr
        assert jobs.recover(archive, jobs.make_huey(archive.settings)) == [], "a cancelled story is not re-queued"

        page = editor.get("/editor/jobs").get_data(as_text=True)
        assert "geannuleerd" in page and "Geannuleerd door esseline" in page
        assert f'action="/editor/jobs/{sid}/retry"' in page and f"/editor/jobs/{sid}/cancel" not in page
        english = editor.get("/editor/jobs?lang=en").get_data(as_text=True)
        assert "cancelled" in english and "Cancelled by esseline" in english and "Retry" in english
        editor.get("/editor/jobs?lang=nl")

        r = editor.post(f"/editor/jobs/{sid}/retry", data={"csrf_token": csrf_of(page)})
        assert r.status_code == 302
        _wait(lambda: _story(archive, sid)["status"] == "ready", what="the retried job to finish")
        story = _story(archive, sid)
        assert not story["cancelled"] and story["stages"]["transcript"][:2] == ("done", 2) and story["segments"]
        _wait(lambda: _searchable(archive, "perfume"), timeout=30, what="the index, written after the catalog")
    finally:
        _stop(worker)
        archive.close()


# -- a queued job --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_queued_job_cancelled_before_a_worker_takes_it_does_nothing(home, model_dir):
    archive = _archive(home, model_dir)
    sid = accept(archive, DATA / "en_market.wav", StoryMeta(title="Markt", language="en"))
    huey = jobs.make_huey(archive.settings)
    jobs.enqueue(huey, sid)
    r = run_cli("jobs", home=home)
    assert r.returncode == 0 and "markt\twaiting for audio\tMarkt" in r.stdout, r.stdout + r.stderr
    r = run_cli("jobs", "cancel", "markt", home=home)
    assert r.returncode == 0 and "cancelled markt: it will not start" in r.stdout, r.stderr
    r = run_cli("jobs", "cancel", "markt", home=home)
    assert r.returncode == 9 and "cancelled already" in r.stderr
    assert huey.pending_count() == 1, "the job is still in the queue"
    worker = _worker(home, model_dir)
    try:
        _wait(lambda: huey.pending_count() == 0, timeout=120, what="the worker to take the job")
        time.sleep(3)  # what a job that ran would have done by now: convert the audio
    finally:
        _stop(worker)
    story = _story(archive, sid)
    assert story["status"] == "pending" and story["cancelled"] and story["claimed_by"] is None
    assert all(attempts == 0 for _, attempts, _ in story["stages"].values()), story["stages"]
    assert not archive.derived(sid, "asr.wav").exists(), "the audio was not converted"
    r = run_cli("resume", home=home, model_dir=model_dir)
    assert r.returncode == 0 and _story(archive, sid)["stages"].get("audio", ("pending", 0))[1] == 0, \
        "`verhalen resume` leaves a cancelled story alone"
    r = run_cli("jobs", home=home)
    assert "markt\tcancelled (by " in r.stdout
    # A command that runs the pipeline itself stops at the cancel, with its reason.
    r = run_cli("retag", "markt", home=home, model_dir=model_dir)
    assert r.returncode == 9 and "was cancelled by" in r.stderr and "verhalen jobs retry markt" in r.stderr

    r = run_cli("jobs", "retry", "markt", home=home)
    assert r.returncode == 0 and "queued markt again: audio, transcript, speakers, keywords, contents, index" in r.stdout, r.stderr
    worker = _worker(home, model_dir)
    try:
        _wait(lambda: _story(archive, sid)["status"] == "ready", what="the retried job")
    finally:
        _stop(worker)
    assert not _story(archive, sid)["cancelled"] and _searchable(archive, "perfume")
    r = run_cli("jobs", "cancel", "markt", home=home)
    assert r.returncode == 9 and "'markt' is finished: nothing is running or waiting" in r.stderr
    r = run_cli("jobs", "retry", "markt", home=home)
    assert r.returncode == 9 and "nothing to retry" in r.stderr
    assert "No jobs" in run_cli("jobs", home=home, check=True).stdout
    archive.close()


# -- a stage being redone ------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_retranscription_cancelled_from_the_cli_keeps_the_previous_transcript(home, model_dir, long_clip):
    archive = _archive(home, model_dir)
    story = ingest(archive, long_clip, StoryMeta(title="Lang", language="en"))
    before = _story(archive, story.id)
    assert before["status"] == "ready" and before["segments"] and _searchable(archive, "perfume")
    redo = subprocess.Popen([sys.executable, "-m", "verhalen.cli", "retranscribe", "lang"],
                            env={**os.environ, "VERHALEN_HOME": str(home), "VERHALEN_MODEL": str(model_dir)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait(lambda: _story(archive, story.id)["stages"]["transcript"][:2] == ("running", 2),
              what="the transcription to start again")
        time.sleep(2)
        r = run_cli("jobs", "cancel", "lang", "--remove", "--yes", home=home)
        assert r.returncode == 9 and "was finished before, so a cancel does not remove it" in r.stderr
        r = run_cli("jobs", "cancel", "lang", home=home)
        assert r.returncode == 0 and "lang" in r.stdout, r.stderr
        out, err = redo.communicate(timeout=STOP_WITHIN + 30)
    finally:
        if redo.poll() is None:
            redo.kill()
    assert redo.returncode == 9 and "'lang' was cancelled by" in err, err
    after = _story(archive, story.id)
    assert after["segments"] == before["segments"] and after["run"] == before["run"], "the previous transcript stays"
    assert after["status"] == "ready" and after["stages"]["transcript"][0] == "pending" and after["cancelled"]
    assert after["stages"]["keywords"] == before["stages"]["keywords"]
    assert _searchable(archive, "perfume") and _pending_rows(archive) == 0
    assert run_cli("doctor", home=home, model_dir=model_dir).returncode == 0
    archive.close()


# -- a new upload, removed -----------------------------------------------------------------------------


def test_cancelling_a_new_upload_can_move_it_to_the_trash_and_a_finished_job_is_refused(workspace, editor_client):
    archive = workspace.archive
    sid = accept(archive, DATA / "nl_wijkagenda.opus", StoryMeta(title="Wijkagenda"))
    with archive.session() as s:
        original = archive.original(s.get(Story, sid).recording)
    page = editor_client.get("/editor/jobs").get_data(as_text=True)
    assert f'href="/editor/jobs/{sid}/cancel"' in page
    assert "/editor/jobs/1/cancel" not in page and "/editor/jobs/2/cancel" not in page, "finished jobs have none"
    confirm = editor_client.get(f"/editor/jobs/{sid}/cancel").get_data(as_text=True)
    assert "wacht op verwerking" in confirm and "deze nieuwe upload gaat naar de prullenbak" in confirm
    r = editor_client.post(f"/editor/jobs/{sid}/cancel", data={"csrf_token": csrf_of(confirm), "then": "trash"})
    assert r.status_code == 302
    assert "Wijkagenda is geannuleerd en staat in de prullenbak" in editor_client.get("/editor/jobs").get_data(as_text=True)
    story = _story(archive, sid)
    assert story["deleted"] and story["cancelled"] and story["status"] == "pending"
    with archive.session() as s:
        assert [st.slug for st in trash.listed(s)] == ["wijkagenda"]
        assert s.get(Story, sid).deleted_by == "esseline"
    assert original.is_file(), "nothing is purged by a cancel"
    assert "Wijkagenda" not in editor_client.get("/editor/jobs").get_data(as_text=True)
    assert "Wijkagenda" in editor_client.get("/editor/trash").get_data(as_text=True)
    r = editor_client.post(f"/editor/jobs/{sid}/cancel", data={"csrf_token": csrf_of(confirm), "then": "keep"})
    assert r.status_code == 409 and "staat in de prullenbak" in r.get_data(as_text=True)
    # Restored, it is still cancelled: it waits for a retry.
    with archive.session() as s:
        trash.restore(archive, s, s.get(Story, sid))
    page = editor_client.get("/editor/jobs").get_data(as_text=True)
    assert "Geannuleerd door esseline" in page and f'action="/editor/jobs/{sid}/retry"' in page

    # A finished job: no confirmation form, and the POST is refused in words, in both languages.
    with archive.session() as s:
        done = archive.story(s, "pop-up-bazaar").id
    confirm = editor_client.get(f"/editor/jobs/{done}/cancel").get_data(as_text=True)
    assert "is al klaar" in confirm and 'name="then"' not in confirm
    r = editor_client.post(f"/editor/jobs/{done}/cancel", data={"csrf_token": csrf_of(page), "then": "keep"})
    assert r.status_code == 409
    assert "Pop-up bazaar is al klaar: er loopt of wacht niets meer, dus er is niets te annuleren." in r.get_data(as_text=True)
    r = editor_client.post(f"/editor/jobs/{done}/cancel?lang=en", data={"csrf_token": csrf_of(page), "then": "keep"})
    assert r.status_code == 409 and "Pop-up bazaar is finished: nothing is running or waiting" in r.get_data(as_text=True)
    editor_client.get("/editor/jobs?lang=nl")
    r = editor_client.post(f"/editor/jobs/{done}/cancel", data={"csrf_token": csrf_of(page), "then": "elsewhere"})
    assert r.status_code == 400
    with archive.session() as s:
        assert s.get(Story, done).cancelled_at is None
    # Removing is for new uploads only: a finished story being redone is not trashed by a cancel.
    with archive.session() as s:
        st = s.get(Story, done)
        st.stage("keywords").state = "pending"
        s.commit()
    r = editor_client.post(f"/editor/jobs/{done}/cancel", data={"csrf_token": csrf_of(page), "then": "trash"})
    assert r.status_code == 409 and "gaat daarom niet met het annuleren naar de prullenbak" in r.get_data(as_text=True)
    assert not _story(archive, done)["deleted"]


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
        assert jobs.retry_stages(st) == ("transcript", "speakers", "keywords", "contents", "index"), "a retry redoes what was stopped"


def test_the_cli_refuses_a_story_in_the_trash(archive_copy, tmp_path):
    home = archive_copy.settings.home
    slug = "pop-up-bazaar"
    with archive_copy.session() as s:
        trash.move(archive_copy, s, archive_copy.story(s, slug), "esseline")
    vtt = tmp_path / "t.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:02.000\nHallo\n")
    for command in (["edit", slug, "--title", "Anders"], ["transcript", "import", slug, str(vtt)],
                    ["keywords", "list", slug], ["keywords", "accept", slug, "bazaar"],
                    ["keywords", "reject", slug, "bazaar"], ["keywords", "rename", slug, "bazaar", "markt"],
                    ["jobs", "cancel", slug], ["jobs", "retry", slug]):
        r = run_cli(*command, home=home)
        assert r.returncode == 4 and f"is in the trash (verhalen restore {slug})" in r.stderr, (command, r.stderr)
    with archive_copy.session() as s:
        st = archive_copy.story(s, slug)
        assert st.title == "Pop-up bazaar" and st.transcript_run.source == "whisper", "nothing changed"


@pytest.mark.slow
def test_cancel_and_retry_on_postgresql(model_dir, tmp_path):
    """Migration 0012's columns on PostgreSQL: the request, a run that stops at it, the retry that lifts it."""
    from helpers import Postgres

    pg = Postgres()
    try:
        a = Archive(settings_mod.load(tmp_path / "archive", env={}, model=str(model_dir), database_url=pg.url))
        try:
            sid = accept(a, DATA / "en_market.wav", StoryMeta(title="Markt", language="en"))
            with a.session() as s:
                assert cancel.request(a, s, s.get(Story, sid), "esseline") is False, "queued, not running"
            with pytest.raises(cancel.Cancelled, match="cancelled by esseline"):
                run(a, sid)
            assert _story(a, sid)["stages"].get("audio", ("pending", 0))[1] == 0
            assert a.engine.dialect.name == "postgresql" and sid not in unfinished(a)
            with a.session() as s:
                assert jobs.retry(a, s, s.get(Story, sid)) == ("audio", "transcript", "speakers", "keywords", "contents", "index")
            assert run(a, sid).status == "ready" and not _story(a, sid)["cancelled"]
        finally:
            a.close()
    finally:
        pg.stop()
