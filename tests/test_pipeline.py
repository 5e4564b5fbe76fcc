"""End to end with the real model, ffmpeg, catalog and index: what an editor and a researcher notice."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import time

import pytest
import webvtt

from helpers import DATA, VERHALEN, ffmpeg_make, run_cli
from verhalen import exports
from verhalen.archive import Archive
from verhalen.errors import ArchiveError, Duplicate, UnsupportedMedia
from verhalen.index import Visibility
from verhalen.pipeline import StoryMeta, ingest

pytestmark = pytest.mark.slow
EVERYONE = Visibility(frozenset({"public", "researchers", "editors"}))


def test_english_word_found_at_the_right_second(demo_archive):
    r = demo_archive.index.search("perfume", EVERYONE)
    assert [s.slug for s in r.stories] == ["pop-up-bazaar"]
    hit = r.stories[0].hits[0]
    # "perfume" is the 9th word, said at about 2.8 s in the espeak-ng clip.
    assert 1.8 <= hit.time <= 3.8
    assert "<b>perfume</b>" in hit.snippet("<b>", "</b>")


def test_languages_detected_or_fallen_back(demo_archive):
    with demo_archive.session() as s:
        en = demo_archive.story(s, "pop-up-bazaar")
        nl = demo_archive.story(s, "het-koor")
        assert (en.language, en.language_source) == ("en", "detected")
        # Robotic Dutch is never detected as Dutch with confidence: the fallback must say so.
        assert (nl.language, nl.language_source) == ("nl", "fallback")
        assert nl.transcript_run.language_note.startswith("fell back to nl")
        assert "Amal" in nl.transcript_run.hotwords and "Rotterdam" in nl.transcript_run.hotwords
        words = [w for seg in en.segments for w in seg.words]
        assert words and all(0 <= w[3] <= 1 for w in words)
        assert en.recording.sha256 and en.recording.sample_rate == 16000
        assert {st.stage: st.state for st in en.stages} == dict.fromkeys(
            ("probe", "store", "audio", "transcript", "speakers", "keywords", "contents", "index"), "done")
        assert en.themes("auto"), "automatic keywords are stored apart from editor themes"
        assert [t.name for t in en.themes("editor")] == ["werk"]


def test_dutch_word_and_filters(demo_archive):
    r = demo_archive.index.search("rotterdam language:nl", EVERYONE)
    assert [s.slug for s in r.stories] == ["het-koor"]
    assert 9.0 <= r.stories[0].hits[0].time <= 12.2
    assert demo_archive.index.search("rotterdam language:nl").total == 0  # researchers-only story
    assert demo_archive.index.search('"elke dinsdag" series:Sleutelpersonen', EVERYONE).total == 1
    assert demo_archive.index.search('"dinsdag elke" series:Sleutelpersonen', EVERYONE).total == 0  # a phrase keeps its order


def test_exports_parse(demo_archive):
    with demo_archive.session() as s:
        st = demo_archive.story(s, "pop-up-bazaar")
        segs = [{"start": x.start, "end": x.end, "text": x.text, "speaker": x.speaker, "words": x.words} for x in st.segments]
    captions = webvtt.from_buffer(io.StringIO(exports.render("vtt", segs, "Pop-up bazaar"))).captions
    assert captions and "perfume" in " ".join(c.text for c in captions).lower()
    body = json.loads(exports.render("json", segs))
    assert body["segments"][0]["words"][0]["startTime"] >= 0


def test_cli_show_search_export(demo_archive, tmp_path):
    home = demo_archive.settings.home
    out = run_cli("show", "pop-up-bazaar", home=home)
    assert out.returncode == 0 and "Basma (narrator)" in out.stdout and "perfume" in out.stdout.lower()
    assert "second looks" in out.stdout and "of the speech" in out.stdout  # what the transcript guards did
    out = run_cli("search", "perfume series:Levensverhalen", home=home)
    assert out.returncode == 0 and "pop-up-bazaar" in out.stdout and "[perfume]" in out.stdout
    assert "00:02" in out.stdout or "00:03" in out.stdout
    out = run_cli("search", '"unbalanced', home=home)
    assert out.returncode == 6 and "unbalanced quote" in out.stderr and "Traceback" not in out.stderr
    vtt = tmp_path / "t.vtt"
    assert run_cli("export", "pop-up-bazaar", "--format", "vtt", "-o", str(vtt), home=home).returncode == 0
    assert webvtt.read(str(vtt)).captions
    out = run_cli("export", "no-such-story", home=home)
    assert out.returncode == 4 and "no story 'no-such-story'" in out.stderr


def test_duplicate_is_reported_not_stored(demo_archive):
    with pytest.raises(Duplicate, match="already in the archive as 'pop-up-bazaar'"):
        ingest(demo_archive, DATA / "en_market.wav", StoryMeta(title="Again"))
    with demo_archive.session() as s:
        from sqlalchemy import func, select

        from verhalen.catalog import Story
        assert s.scalar(select(func.count(Story.id))) == 2


def test_bad_input_leaves_the_archive_intact(archive, tmp_path, model_dir):
    ingest(archive, DATA / "en_market.wav", StoryMeta(title="Market"))
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.mp3").write_bytes(b"")
    (bad / "notes.mp3").write_text("geen audio\n")
    (bad / "lying.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + os.urandom(3000))
    files = [bad / "empty.mp3", bad / "notes.mp3", bad / "lying.wav", DATA / "truncated_tagged.mp3",
             DATA / "fake_header.flac", bad / "missing.wav"]
    out = run_cli("ingest", *map(str, files), home=archive.settings.home, model_dir=model_dir)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    for f in files:
        assert f.name in out.stderr, out.stderr
    assert archive.index.search("perfume").total == 1
    listing = run_cli("list", home=archive.settings.home).stdout
    assert listing.count("\n") == 1 and "market\tready" in listing
    assert run_cli("doctor", home=archive.settings.home, model_dir=model_dir).returncode == 0


def test_hostile_file_names(archive, tmp_path):
    weird = tmp_path / "in" / "..\u202e نقاش 🎙 met spaties.mp3"
    weird.parent.mkdir()
    weird.write_bytes((DATA / "nl_koor.mp3").read_bytes())
    story = ingest(archive, weird, StoryMeta(language="nl"))
    assert story.status == "ready" and story.slug == "met-spaties"
    stored = list(archive.settings.originals_dir.rglob("*.mp3"))
    assert len(stored) == 1 and stored[0].parent.parent == archive.settings.originals_dir
    with pytest.raises(UnsupportedMedia):
        ingest(archive, tmp_path, StoryMeta())  # a directory


def test_silence_stores_no_text(archive, tmp_path):
    silence = ffmpeg_make(tmp_path / "stilte.wav", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "300")
    story = ingest(archive, silence, StoryMeta(title="Stilte"))
    assert story.status == "ready"
    with archive.session() as s:
        st = archive.story(s, "stilte")
        assert st.segments == [] and st.language == "nl"


def test_unwritable_home(make_settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ArchiveError, match="is not writable"):
        Archive(make_settings(home=blocker / "archive"))
    out = run_cli("list", home=blocker / "archive")
    assert out.returncode == 7 and "not writable" in out.stderr or "no archive" in out.stderr


def test_language_the_model_cannot_do_waits_for_a_human_transcript(archive, tmp_path):
    story = ingest(archive, DATA / "nl_wijkagenda.opus", StoryMeta(title="Çîrok", language="ku"))
    assert story.status == "needs_transcript"
    vtt = tmp_path / "ku.vtt"
    vtt.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Rojda>Ez ji Amedê me\n\n"
                   "00:00:04.500 --> 00:00:08.000\nMin li Rotterdamê kar kir\n")
    out = run_cli("transcript", "import", story.slug, str(vtt), home=archive.settings.home)
    assert out.returncode == 0, out.stderr
    archive.index.close()
    r = archive.index.search("amedê", EVERYONE)
    assert [s.slug for s in r.stories] == [story.slug] and r.stories[0].hits[0].time == pytest.approx(1.0)
    with archive.session() as s:
        st = archive.story(s, story.slug)
        assert st.status == "ready" and st.segments[0].speaker == "Rojda" and st.language == "ku"


def _long_clip(tmp_path, repeats=8):
    inputs = []
    for _ in range(repeats):
        inputs += ["-i", str(DATA / "en_market.wav")]
    return ffmpeg_make(tmp_path / "long.wav", *inputs, "-filter_complex",
                       "".join(f"[{i}:a]" for i in range(repeats)) + f"concat=n={repeats}:v=0:a=1")


def _wait_for_stage(db, stage, state, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with sqlite3.connect(db) as c:
                row = c.execute("select state from stage_states where stage=?", (stage,)).fetchone()
            if row and row[0] == state:
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"stage {stage} never became {state}")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_ingest_resumes(tmp_path, model_dir, sig):
    home = tmp_path / "archive"
    clip = _long_clip(tmp_path)
    env = {**os.environ, "VERHALEN_HOME": str(home), "VERHALEN_MODEL": str(model_dir)}
    proc = subprocess.Popen([*VERHALEN, "ingest", str(clip), "--title", "Lang"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for_stage(home / "catalog.sqlite", "transcript", "running")
    time.sleep(1.0)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "verhalen resume" in err
    out = run_cli("search", "perfume", home=home)
    assert "0 stories found" in out.stdout  # no half story is visible
    assert "lang\tpending" in run_cli("list", home=home).stdout or "lang\tfailed" in run_cli("list", home=home).stdout
    out = run_cli("ingest", str(clip), home=home, model_dir=model_dir)
    assert out.returncode == 0, out.stderr
    listing = run_cli("list", home=home).stdout
    assert listing.count("\n") == 1 and "lang\tready" in listing
    assert "1 story found" in run_cli("search", "perfume", home=home).stdout


def test_two_ingests_at_once_both_land(tmp_path, model_dir):
    home = tmp_path / "archive"
    env = {**os.environ, "VERHALEN_HOME": str(home), "VERHALEN_MODEL": str(model_dir)}
    run_cli("glossary", "add", "Tarab", home=home, check=True)  # create the archive first
    procs = [subprocess.Popen([*VERHALEN, "ingest", str(DATA / f), "--language", lang, "-q"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for f, lang in (("en_market.wav", "en"), ("nl_koor.mp3", "nl"))]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert "1 story" in run_cli("search", "perfume", home=home).stdout
    assert "1 story" in run_cli("search", "rotterdam", home=home).stdout


def test_reindex_gives_the_same_results(archive):
    ingest(archive, DATA / "en_market.wav", StoryMeta(title="Market", series="Levensverhalen", places=["Rotterdam"]))
    ingest(archive, DATA / "nl_koor.mp3", StoryMeta(title="Koor", language="nl", places=["Rotterdam"]))
    queries = ["perfume", "rotterdam", "place:Rotterdam", "m*", '"hele land"']
    before = [archive.index.search(q, EVERYONE) for q in queries]
    archive.index.close()
    out = run_cli("reindex", home=archive.settings.home)
    assert out.returncode == 0 and "indexed 2 stories" in out.stdout
    fresh = Archive(archive.settings)
    after = [fresh.index.search(q, EVERYONE) for q in queries]
    fresh.close()
    assert [(r.total, r.facets, [(s.slug, [h.time for h in s.hits]) for s in r.stories]) for r in before] == \
           [(r.total, r.facets, [(s.slug, [h.time for h in s.hits]) for s in r.stories]) for r in after]


def test_language_switch_is_transcribed_in_runs(archive, tmp_path):
    """English for 30 s, then Dutch: each stretch in its own language, times still absolute.

    Languages are told apart per decoder chunk (up to 30 s of speech, cut at pauses): the first chunk
    (0-26 s) is English; the last English sentence shares the next chunk with the Dutch."""
    parts = ["en_market.wav"] * 3 + ["nl_koor.mp3"] * 2
    args = []
    for p in parts:
        args += ["-i", str(DATA / p)]
    chain = "".join(f"[{i}:a]aresample=16000,aformat=channel_layouts=mono[a{i}];" for i in range(len(parts)))
    clip = ffmpeg_make(tmp_path / "mixed.wav", *args, "-filter_complex",
                       chain + "".join(f"[a{i}]" for i in range(len(parts))) + f"concat=n={len(parts)}:v=0:a=1")
    story = ingest(archive, clip, StoryMeta(title="Gemengd"))
    with archive.session() as s:
        st = archive.story(s, story.slug)
        langs = [(round(seg.start), seg.language) for seg in st.segments]
        assert st.language == "nl" and "also spoken: en" in st.transcript_run.language_note, langs
        assert all(lang == "en" for start, lang in langs if start < 25) and any(l == "nl" for _, l in langs)
        assert all(lang == "nl" for start, lang in langs if start >= 31)
    r = archive.index.search("rotterdam language:nl", EVERYONE)
    times = sorted(h.time for h in r.stories[0].hits)
    assert 40.0 <= times[0] <= 43.5, times  # 30.6 s of English + ~11 s into the Dutch clip
    assert archive.index.search("perfume language:en", EVERYONE).total == 1


def test_stories_older_than_the_speakers_and_contents_stages_get_them_from_resume(archive_copy):
    """An archive from before the speakers stage and the draft index: its ready stories have no rows for
    them. They are work left (doctor and resume agree), `verhalen resume` runs exactly those two stages, and
    the transcript stays as it was (a missing stage is never a reason to transcribe again)."""
    from sqlalchemy import delete, select

    from verhalen.catalog import Segment, StageState, Story
    from verhalen.pipeline import unfinished

    a = archive_copy
    with a.session() as s:
        st = a.story(s, "pop-up-bazaar")
        sid = st.id
        s.execute(delete(StageState).where(StageState.story_id == sid, StageState.stage.in_(("speakers", "contents"))))
        st.turns, st.voices = [], {}
        for seg in st.segments:
            seg.voice = None
        texts = [seg.text for seg in st.segments]
        s.commit()
    assert unfinished(a) == [sid]
    doctor = run_cli("doctor", home=a.settings.home)
    assert "pop-up-bazaar" in doctor.stdout + doctor.stderr
    r = run_cli("resume", home=a.settings.home)
    assert r.returncode == 0, r.stderr
    with a.session() as s:
        st = s.get(Story, sid)
        states = {x.stage: x.state for x in st.stages}
        assert states["speakers"] == "done" and states["contents"] == "done" and states["transcript"] == "done"
        assert st.voices and st.turns and all(seg.voice for seg in st.segments)
        assert "".join(s.scalars(select(Segment.text).where(Segment.story_id == sid).order_by(Segment.start))) \
            .split() == "".join(texts).split(), "the transcript is not made again"
    assert unfinished(a) == []
