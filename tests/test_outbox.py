"""The index follows the catalog by construction (verhalen.outbox): kill -9 anywhere in a redaction,
an index that fails, oversized input, and doctor/resume agreeing about what is left."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import select

from helpers import PASSWORD, login, run_cli, token_for
from test_concurrent_edits import SLUG, seed
from verhalen import catalog, outbox
from verhalen import settings as settings_mod
from verhalen.archive import Archive
from verhalen.catalog import PendingWork, Segment, StageState, Story
from verhalen.editing import TranscriptEditor
from verhalen.errors import UsageError
from verhalen.index import Visibility

SECRET = "woord2x1"  # a word of the third passage


def public_hits(archive: Archive, word: str = SECRET) -> int:
    return archive.index.search(word, Visibility()).total


def fresh(archive: Archive) -> Archive:
    """The archive as a restarted server sees it: new connections, a new index handle."""
    archive.close()
    return Archive(archive.settings)


@pytest.fixture
def seeded(tmp_path, model_dir):
    archive = Archive(settings_mod.load(tmp_path / "archive", env={}, model=str(model_dir)))
    seed(archive)
    yield archive
    archive.close()


def third_segment(archive: Archive) -> int:
    with archive.session() as s:
        return archive.story(s, SLUG).segments[2].id


REDACT = textwrap.dedent("""
    import os, signal, sys
    from verhalen import outbox, settings
    from verhalen.archive import Archive
    from verhalen.editing import TranscriptEditor
    home, seg, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    archive = Archive(settings.load(home, env={}))
    if mode == "after-commit":  # die exactly between the catalog commit and the index write
        outbox.apply = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
    print("ready", flush=True)
    with archive.session() as s:
        TranscriptEditor(archive, s, "twee-stemmen", "esseline", remix_here=False).redact([seg])
    print("done", flush=True)
""")


def redact_in_subprocess(archive: Archive, seg: int, mode: str, kill_after: float | None = None) -> int:
    proc = subprocess.Popen([sys.executable, "-c", REDACT, str(archive.settings.home), str(seg), mode],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    if kill_after is not None:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
    return proc.wait(60)


def redacted_in_catalog(archive: Archive, seg: int) -> bool:
    with archive.session() as s:
        return s.get(Segment, seg).redacted


def test_kill_between_catalog_commit_and_index_write_never_leaves_the_passage_findable(seeded):
    seg = third_segment(seeded)
    assert public_hits(seeded) == 1
    assert redact_in_subprocess(seeded, seg, "after-commit") == -signal.SIGKILL
    archive = fresh(seeded)
    try:
        assert redacted_in_catalog(archive, seg)
        # The index still holds the passage, but the pending row keeps the story out of every search.
        assert public_hits(archive) == 0
        assert archive.index.search("woord0x1", Visibility()).total == 0
        doctor = run_cli("doctor", home=archive.settings.home, model_dir=archive.settings.model)
        assert "pending" in doctor.stdout and "hidden from search meanwhile" in doctor.stdout, doctor.stdout
        assert doctor.returncode != 0
        resume = run_cli("resume", home=archive.settings.home)
        assert resume.returncode == 0, resume.stderr
        assert "search index brought in line for 1 of 1" in resume.stdout
        archive = fresh(archive)
        assert public_hits(archive) == 0  # gone from the index itself now
        assert archive.index.search("woord0x1", Visibility()).total == 1  # the rest of the story is back
        doctor = run_cli("doctor", home=archive.settings.home, model_dir=archive.settings.model)
        assert doctor.returncode == 0, doctor.stdout
    finally:
        archive.close()


def test_kill_at_random_moments_of_a_redaction_catalog_and_search_agree(seeded):
    rng = random.Random(8)
    archive = seeded
    with archive.session() as s:
        ids = [seg.id for seg in archive.story(s, SLUG).segments]
    for round_, seg in enumerate(ids[:5]):
        word = f"woord{round_}x1"
        redact_in_subprocess(archive, seg, "normal", kill_after=rng.uniform(0.0, 0.6))
        archive = fresh(archive)
        # Whatever moment the kill came: if the catalog says hidden, search cannot find it.
        if redacted_in_catalog(archive, seg):
            assert archive.index.search(word, Visibility()).total == 0, f"round {round_}: redacted yet findable"
        outbox.apply(archive)
        findable = archive.index.search(word, Visibility()).total == 1
        assert findable != redacted_in_catalog(archive, seg), f"round {round_}: catalog and index disagree"
    archive.close()


def test_an_index_that_fails_keeps_the_redaction_unfindable_and_says_so(seeded, monkeypatch):
    seg = third_segment(seeded)
    index = seeded.index

    def broken(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(index, "add", broken)
    with seeded.session() as s:
        TranscriptEditor(seeded, s, SLUG, "esseline", remix_here=False).redact([seg])
    assert redacted_in_catalog(seeded, seg)
    assert public_hits(seeded) == 0  # withheld while the index is broken
    with seeded.session() as s:
        row = s.scalars(select(PendingWork).where(PendingWork.kind == outbox.INDEX)).one()
        assert row.hides and row.attempts == 1 and "disk full" in row.error
    monkeypatch.undo()
    assert outbox.apply(seeded) == []
    assert public_hits(seeded) == 0 and seeded.index.search("woord0x1", Visibility()).total == 1


def test_oversized_input_is_refused_before_anything_is_saved(seeded):
    seg = third_segment(seeded)
    huge = " ".join(["woord"] * 120_000)
    with seeded.session() as s:
        ed = TranscriptEditor(seeded, s, SLUG, "esseline", remix_here=False)
        with pytest.raises(UsageError, match="at most 5,000 fit in one passage"):
            ed.edit_text(seg, huge, None)
        with pytest.raises(UsageError, match="at most 200 characters"):
            ed.set_speaker([seg], "x" * 5000)
    with seeded.session() as s:
        assert s.get(Segment, seg).version == 1
        assert not s.scalars(select(catalog.SegmentEdit)).all()
    # The redaction of the same story afterwards works and hides the passage.
    with seeded.session() as s:
        TranscriptEditor(seeded, s, SLUG, "esseline", remix_here=False).redact([seg])
    assert public_hits(seeded) == 0


def test_oversized_input_over_http_is_a_400_and_the_story_stays_findable(seeded, make_app):
    from verhalen import users

    with seeded.session() as s:
        users.add(s, "beheer", PASSWORD, "admin")
    c = make_app(seeded).test_client()
    login(c, "beheer")
    seg = third_segment(seeded)
    token = token_for(c, f"/editor/story/{SLUG}")
    r = c.post(f"/editor/story/{SLUG}/segment/{seg}/save", data={
        "text": " ".join(["woord"] * 120_000), "version": 1, "csrf_token": token}, headers={"Accept": "application/json"})
    assert r.status_code == 400 and "5,000" in r.get_json()["error"]
    r = c.post(f"/editor/story/{SLUG}/segment/{seg}/redact", data={"redacted": "1", "version": 1, "csrf_token": token},
               headers={"Accept": "application/json"})
    assert r.status_code == 200
    assert public_hits(seeded) == 0


def test_a_stage_left_running_by_a_dead_process_is_unfinished_for_doctor_and_resume_alike(seeded):
    """kill -9 during `retag` once left the keywords stage running: doctor said run resume, resume said nothing to do."""
    with seeded.session() as s:
        st = seeded.story(s, SLUG)
        st.stage("keywords").state = "running"
        s.commit()
    doctor = run_cli("doctor", home=seeded.settings.home, model_dir=seeded.settings.model)
    assert "twee-stemmen (keywords: running)" in doctor.stdout and doctor.returncode != 0
    resume = run_cli("resume", home=seeded.settings.home)
    assert resume.returncode == 0, resume.stderr
    assert "twee-stemmen\tready" in resume.stdout
    with seeded.session() as s:
        states = {x.stage: x.state for x in s.scalars(select(StageState))}
    assert states["keywords"] == "done"
    assert run_cli("doctor", home=seeded.settings.home, model_dir=seeded.settings.model).returncode == 0


def test_an_imported_transcript_with_an_oversized_passage_is_refused_whole(seeded, tmp_path):
    vtt = tmp_path / "groot.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:09.000\nkort\n\n00:00:10.000 --> 00:00:50.000\n"
                   + " ".join(["woord"] * 120_000) + "\n", encoding="utf-8")
    r = run_cli("transcript", "import", SLUG, str(vtt), home=seeded.settings.home)
    assert r.returncode == 2 and "groot.vtt: the passage at 00:10 has 719,999 characters" in r.stderr, r.stderr
    with seeded.session() as s:
        assert len(seeded.story(s, SLUG).segments) == 6  # the old transcript is untouched
    assert seeded.index.search("woord0x1", Visibility()).total == 1


def test_listeners_wait_while_a_redaction_is_not_yet_muted_in_the_listening_copies(seeded, make_app):
    """The web saves a redaction and queues the remix; until the job has run, the old copies still hold the
    passage: the public gets 503, editors still hear it (they must, to check it)."""
    from verhalen import pipeline, users

    with seeded.session() as s:
        users.add(s, "beheer", PASSWORD, "admin")
        story_id = seeded.story(s, SLUG).id
    app = make_app(seeded)
    anonymous, editor = app.test_client(), app.test_client()
    login(editor, "beheer")
    audio = f"/media/{SLUG}/listen.mp3"
    assert anonymous.get(audio).status_code == 200
    seg = third_segment(seeded)
    r = editor.post(f"/editor/story/{SLUG}/segment/{seg}/redact", headers={"Accept": "application/json"},
                    data={"redacted": "1", "version": 1, "csrf_token": token_for(editor, f"/editor/story/{SLUG}")})
    assert r.status_code == 200
    assert anonymous.get(audio).status_code == 503
    assert anonymous.get(audio + "?lang=en").status_code == 503
    assert editor.get(audio).status_code == 200
    pipeline.run(seeded, story_id, redo=("audio",))  # what the queued job does
    assert anonymous.get(audio).status_code == 200
    with seeded.session() as s:
        assert not outbox.muting_pending(s, story_id)
