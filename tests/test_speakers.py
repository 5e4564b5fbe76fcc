"""Who speaks when (issue 12): the pure decisions on plain data, the real encoder on the committed two-voice
interviews (DER against their exact turns), and the speakers stage and `verhalen diarize` on a real archive.

The interviews' transcripts are made here from their .tsv (words spread over each turn) instead of by Whisper:
the speakers stage reads the segments' word times, and this keeps these tests seconds long.
"""

from __future__ import annotations

import csv
import itertools

import numpy as np
import pytest
from helpers import DATA, ffmpeg_make, run_cli

from verhalen import catalog, speakers
from verhalen import settings as settings_mod
from verhalen.archive import Archive
from verhalen.catalog import Segment, Story, TranscriptRun
from verhalen.media import voices
from verhalen.pipeline import StoryMeta, accept, ingest, run

MARKT_PEOPLE = [("Henk Dijkstra", "narrator"), ("Fatima Ouali", "interviewer")]
MARKT_SECONDS = 60.5  # the market interview's first eight turns (the tram too): enough for two voices, quick


def reference(name: str) -> list[list]:
    with open(DATA / f"{name}.tsv", encoding="utf-8") as f:
        return [[float(r["start_s"]), float(r["end_s"]), r["speaker"]] for r in csv.DictReader(f, delimiter="\t")]


def reference_text(name: str, until: float = float("inf")) -> list[tuple[float, float, str, str]]:
    with open(DATA / f"{name}.tsv", encoding="utf-8") as f:
        rows = [(float(r["start_s"]), float(r["end_s"]), r["speaker"], r["text"]) for r in csv.DictReader(f, delimiter="\t")]
    return [r for r in rows if r[1] <= until]


def to_wav(src, out, seconds: float | None = None):
    """16 kHz mono WAV of (the first seconds of) a test recording, by the real ffmpeg."""
    import subprocess

    from verhalen.media import ffmpeg_binary

    cut = ["-t", str(seconds)] if seconds else []
    subprocess.run([ffmpeg_binary(), "-v", "error", "-i", str(src), *cut, "-ar", "16000", "-ac", "1",
                    "-c:a", "pcm_s16le", str(out)], check=True)
    return out


def spread_words(start: float, end: float, text: str) -> list[list]:
    """Words over [start, end] in proportion to their length, as Whisper writes them (leading space)."""
    words = text.split()
    total = sum(len(w) + 1 for w in words)
    out, t = [], start
    for w in words:
        d = (end - start) * (len(w) + 1) / total
        out.append([round(t, 3), round(t + d * 0.9, 3), " " + w, 0.9])
        t += d
    return out


# -- pure functions ------------------------------------------------------------------------------------


def _greedy_average_linkage(vectors: np.ndarray, k: int) -> list[set]:
    """The textbook algorithm: merge the two closest clusters (mean pairwise distance) until k are left."""
    d = speakers.cosine_distances(vectors)
    clusters = [{i} for i in range(len(vectors))]
    while len(clusters) > k:
        a, b = min(itertools.combinations(range(len(clusters)), 2),
                   key=lambda p: d[np.ix_(list(clusters[p[0]]), list(clusters[p[1]]))].mean())
        clusters[a] |= clusters.pop(b)
    return sorted(clusters, key=min)


def test_the_chain_algorithm_finds_the_clusters_the_textbook_algorithm_finds():
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(4, 16))
    vectors = np.concatenate([c + 0.6 * rng.normal(size=(9, 16)) for c in centres])
    merges = speakers.average_linkage(speakers.cosine_distances(vectors))
    assert len(merges) == len(vectors) - 1 and [m[2] for m in merges] == sorted(m[2] for m in merges)
    for k in (1, 2, 3, 4, 6):
        labels = speakers.cut(len(vectors), merges, k)
        ours = sorted(({i for i in range(len(vectors)) if labels[i] == c} for c in set(labels)), key=min)
        assert ours == _greedy_average_linkage(vectors, k), k
    # Four groups far apart: the estimate finds four, and the silhouette prefers them to two.
    assert len(set(speakers.cluster(vectors, None))) == 4


def test_turns_bridge_short_pauses_and_absorb_short_blips():
    raw = [[0.0, 2.0, 0], [2.2, 4.0, 0], [4.0, 4.2, 1], [4.2, 6.0, 0], [7.0, 9.0, 1]]
    # The 0.2-s pause inside voice 0 is bridged; the 0.2-s blip of voice 1 is voice 0's; the real reply stays.
    assert speakers.relabel(speakers.smooth(raw)) == [[0.0, 6.0, "A"], [7.0, 9.0, "B"]]
    # Labels follow first appearance, whatever the cluster numbers were.
    assert speakers.relabel([[0.0, 1.0, 5], [1.5, 3.0, 2], [3.5, 4.0, 5]]) == [
        [0.0, 1.0, "A"], [1.5, 3.0, "B"], [3.5, 4.0, "A"]]
    assert [speakers.label(i) for i in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]


def test_voices_are_named_from_the_people_the_interviewer_talks_less():
    turns = [[0, 3, "A"], [3, 30, "B"], [31, 33, "A"], [33, 60, "B"]]
    assert set(speakers.ASKING_ROLES + speakers.TELLING_ROLES) == set(catalog.ROLES)
    assert speakers.names_from_people(turns, [("Amal", "narrator"), ("Esseline", "interviewer")]) == {
        "A": "Esseline", "B": "Amal"}
    assert speakers.names_from_people(turns, [("Gast", "guest"), ("Presentator", "host")]) == {
        "A": "Presentator", "B": "Gast"}
    assert speakers.names_from_people(turns, [("Amal", "narrator")]) == {"A": None, "B": "Amal"}, "one person: who talks most"
    three = [("Amal", "narrator"), ("Esseline", "interviewer"), ("Henk", "guest")]
    assert speakers.names_from_people(turns, three) == {"A": None, "B": None}
    assert speakers.names_from_people(turns, [("Amal", "narrator"), ("Henk", "narrator")]) == {"A": None, "B": None}
    assert speakers.voice_count(0, three[:2]) == 2 and speakers.voice_count(0, three) is None
    assert speakers.voice_count(3, three[:1]) == 3


def test_a_rerun_keeps_the_name_an_editor_gave_even_when_the_labels_change():
    before = [[0, 10, "A"], [10, 40, "B"], [40, 45, "A"]]
    editor = {"A": {"name": "Juf Els", "by": "editor"}, "B": {"name": "Amal", "by": "auto"}}
    # The re-run hears the long talker first this time, so the labels swap.
    after = [[0.5, 10.2, "B"], [10.2, 40, "A"], [40.3, 45, "B"]]
    assert speakers.match_voices(before, after) == {"B": "A", "A": "B"}
    voices_now = speakers.voices_after_run(after, [("Amal", "narrator"), ("Esseline", "interviewer")], before, editor)
    assert voices_now == {"A": {"name": "Amal", "by": "auto"}, "B": {"name": "Juf Els", "by": "editor"}}
    # An editor's name wins over the same name proposed for another voice.
    clash = speakers.voices_after_run([[0, 5, "A"], [5, 60, "B"]], [("Amal", "narrator")], [[0, 60, "A"]],
                                      {"A": {"name": "Amal", "by": "editor"}})
    assert clash == {"A": {"name": None, "by": "auto"}, "B": {"name": "Amal", "by": "editor"}}


def test_a_rerun_keeps_an_editors_merge_and_only_that():
    # The stage heard one person as A and C; an editor merged C into A (speakers.follow_merges).
    merged = [[0, 30, "A"], [30, 50, "B"], [50, 60, "A"]]
    voices = {"A": {"name": "Amal", "by": "editor", "merged": ["C"]}, "B": {"name": "Els", "by": "auto"}}
    again = [[0, 12, "A"], [12, 30, "C"], [30, 50, "B"], [50, 60, "C"]]
    kept = speakers.follow_merges(merged, voices, again)
    assert [t[:2] for t in kept] == [[0, 30], [30, 50], [50, 60]] and kept[0][2] == kept[2][2] != kept[1][2]
    named = speakers.voices_after_run(kept, [], merged, voices)
    assert len(named) == 2 and named[kept[0][2]]["name"] == "Amal" and named[kept[0][2]]["by"] == "editor"
    # Without a merge on record the new third voice stays (an editor's name alone is no merge).
    plain = {"A": {"name": "Amal", "by": "editor"}, "B": {"name": "Els", "by": "auto"}}
    assert {v for *_, v in speakers.follow_merges(merged, plain, again)} == {"A", "B", "C"}
    # A new voice mostly outside the merged voice's talk is another person: it stays.
    elsewhere = [[0, 30, "A"], [30, 35, "B"], [35, 50, "C"], [50, 60, "A"]]
    assert {v for *_, v in speakers.follow_merges(merged, voices, elsewhere)} == {"A", "B", "C"}


def test_segments_are_cut_where_the_words_change_voice():
    turns = [[0.0, 2.9, "A"], [3.1, 8.0, "B"]]
    words = [[0.1, 0.6, " Hoe", 0.9], [0.7, 1.2, " gaat", 0.9], [1.3, 2.8, " het?", 0.9],
             [3.2, 3.8, " Goed,", 0.9], [3.9, 4.5, " dank", 0.8], [4.6, 5.0, " je.", 0.9]]
    gap = (6.0, 7.5, [])  # speech without words (a gap segment): the voice with most overlap
    pieces = speakers.split_at_turns([(0.0, 5.2, words), gap], turns)
    assert [(p.source, p.start, p.end, p.voice, p.text) for p in pieces] == [
        (0, 0.0, 2.8, "A", " Hoe gaat het?"), (0, 3.2, 5.2, "B", " Goed, dank je."), (1, 6.0, 7.5, "B", None)]
    assert pieces[0].words + pieces[1].words == words, "every word stays, in its piece"
    one = speakers.split_at_turns([(3.2, 5.0, words[3:])], turns)
    assert len(one) == 1 and one[0].text is None and one[0].voice == "B"
    assert speakers.split_at_turns([(0, 1, [])], []) == [speakers.Piece(0, 0, 1, [], None)]


def test_der_counts_miss_false_alarm_and_confusion_outside_the_collar():
    ref = [[0.0, 10.0, "x"], [10.0, 20.0, "y"]]
    assert speakers.der(ref, [[0.0, 10.0, "B"], [10.0, 20.0, "A"]])["der"] == 0.0, "labels are mapped, not compared"
    half = speakers.der(ref, [[0.0, 20.0, "A"]], collar=0.0)
    assert half["confusion"] == pytest.approx(0.5, abs=0.01) and half["miss"] == 0
    missed = speakers.der(ref, [[0.0, 10.0, "A"]], collar=0.0)
    assert missed["miss"] == pytest.approx(0.5, abs=0.01)
    fa = speakers.der([[0.0, 10.0, "x"]], [[0.0, 15.0, "A"]], collar=0.0)
    assert fa["false_alarm"] == pytest.approx(0.5, abs=0.01)
    # A boundary 0.2 s off is forgiven by the 0.25-s collar.
    assert speakers.der(ref, [[0.0, 10.2, "A"], [10.2, 20.0, "B"]])["der"] == 0.0


# -- the real encoder on the committed interviews ---------------------------------------------------------


def test_two_voices_found_in_an_interview_within_the_error_target(tmp_path):
    found = voices.embed_file(to_wav(DATA / "nl_buurtgesprek.opus", tmp_path / "buurt.wav"))
    assert found.vectors.shape == (len(found.windows), 256) and found.vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(found.vectors, axis=1), 1, atol=1e-4)
    # The jingle (0-6.6 s) is music, not speech.
    assert found.speech[0][0] > 6.0
    turns = speakers.diarize(found.windows, found.vectors, found.speech, found.duration, 2)
    score = speakers.der(reference("nl_buurtgesprek"), turns)
    assert score["der"] <= 0.10, score  # the target for two voices (0.25-s collar)
    assert score["confusion"] <= 0.03, score
    # The quiet, short questions are the interviewer's; estimating the count also finds two.
    assert speakers.names_from_people(turns, [("Amal Haddad", "narrator"), ("Esseline Brouwer", "interviewer")]) == {
        "A": "Esseline Brouwer", "B": "Amal Haddad"}
    assert len({v for *_, v in speakers.diarize(found.windows, found.vectors, found.speech, found.duration, None)}) == 2


def test_one_voice_stays_one_voice(tmp_path):
    found = voices.embed_file(to_wav(DATA / "nl_koor.mp3", tmp_path / "koor.wav"))
    turns = speakers.diarize(found.windows, found.vectors, found.speech, found.duration, 2)
    assert {v for *_, v in turns} == {"A"}, "a monologue is not split into two made-up speakers"
    forced = speakers.diarize(found.windows, found.vectors, found.speech, found.duration, 2, forced=True)
    assert {v for *_, v in forced} == {"A", "B"}, "a count asked for is a count given"
    silence = voices.embed(np.zeros(16000 * 3, dtype=np.float32))
    assert silence.windows == [] and speakers.diarize(silence.windows, silence.vectors, silence.speech, 3.0) == []


# -- the stage on a real archive -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def markt(model_dir, tmp_path_factory):
    """The market interview in an archive: real audio stage and speakers stage, its transcript from the .tsv
    (turns 0 and 1 in one segment, as a decoder might hear a quick reply), a segment whose speaker an
    editor set."""
    home = tmp_path_factory.mktemp("speakers") / "archive"
    archive = Archive(settings_mod.load(home, env={}, model=str(model_dir), opus_copy=False))
    wav = to_wav(DATA / "nl_marktgesprek.opus", home.parent / "markt.wav", MARKT_SECONDS)
    sid = accept(archive, wav, StoryMeta(title="Markt", people=MARKT_PEOPLE, language="nl"))
    rows = reference_text("nl_marktgesprek", MARKT_SECONDS)
    with archive.session() as s:
        story = s.get(Story, sid)
        segs = []
        for n, (a, b, _, text) in enumerate(rows):
            if n == 1:
                continue
            if n == 0:  # question and answer in one segment
                words = spread_words(a, b, text) + spread_words(rows[1][0], rows[1][1], rows[1][3])
                segs.append(Segment(start=a, end=rows[1][1], text="".join(w[2] for w in words), words=words,
                                    language="nl", avg_logprob=-0.3, guard=None))
            else:
                segs.append(Segment(start=a, end=b, text=" " + text, words=spread_words(a, b, text), language="nl",
                                    avg_logprob=-0.2, guard=None))
        segs[-1].speaker, segs[-1].speaker_fixed = "Henk (vaste klant)", True
        story.segments = segs
        story.transcript_run = TranscriptRun(source="whisper", model="from the .tsv", options={}, hotwords=[])
        story.stage("transcript").state = "done"
        s.commit()
    run(archive, sid)
    yield archive, sid
    archive.close()


def _story(archive, sid):
    with archive.session() as s:
        st = s.get(Story, sid)
        return ({st2.stage: st2.state for st2 in st.stages}, st.turns, st.voices,
                [(x.start, x.end, x.text, x.voice, x.speaker, x.speaker_fixed, len(x.words), x.avg_logprob)
                 for x in sorted(st.segments, key=lambda x: x.start)], st.slug)


def test_the_stage_finds_the_speakers_names_them_and_splits_a_shared_segment(markt):
    archive, sid = markt
    stages, turns, voices_, segs, _ = _story(archive, sid)
    assert stages["speakers"] == "done" and stages["index"] == "done"
    rows = reference_text("nl_marktgesprek", MARKT_SECONDS)
    assert speakers.der([r[:3] for r in rows], turns)["der"] <= 0.10
    assert voices_ == {"A": {"name": "Fatima Ouali", "by": "auto"}, "B": {"name": "Henk Dijkstra", "by": "auto"}}
    # The question and its answer, one segment before, are two now: cut at the word boundary, words kept.
    first, second = segs[0], segs[1]
    assert first[2].strip() == rows[0][3] and second[2].strip() == rows[1][3]
    assert (first[3], first[4]) == ("A", "Fatima Ouali") and (second[3], second[4]) == ("B", "Henk Dijkstra")
    assert first[1] <= rows[0][1] + 0.01 and abs(second[0] - rows[1][0]) < 0.01 and second[7] == -0.3
    assert first[6] + second[6] == len(rows[0][3].split()) + len(rows[1][3].split())
    # Every other segment carries the voice of the turn it is in.
    for (a, b, text, voice, speaker, fixed, _, _), (_, _, who, _) in zip(segs[2:-1], rows[2:-1]):
        assert speaker == ("Fatima Ouali" if who == "interviewer" else "Henk Dijkstra"), text
    assert segs[-1][4:6] == ("Henk (vaste klant)", True), "a speaker an editor set stays"
    assert archive.index.search('"hoor je die tram"').total == 1, "the cut segments are in the index"


def test_diarize_again_keeps_an_editors_name_and_runs_through_the_index(markt):
    archive, sid = markt
    with archive.session() as s:
        st = s.get(Story, sid)
        st.voices = {**st.voices, "B": {"name": "Henk van de markt", "by": "editor"}}
        for seg in st.segments:
            if seg.voice == "B" and not seg.speaker_fixed:
                seg.speaker, seg.version = "Henk van de markt", seg.version + 1
        slug = st.slug
        s.commit()
    r = run_cli("diarize", slug, home=archive.settings.home)
    assert r.returncode == 0, r.stderr
    assert "B\tHenk van de markt\t" in r.stdout and "A\tFatima Ouali\t" in r.stdout and "ready" in r.stdout
    _, turns, voices_, segs, _ = _story(archive, sid)
    assert voices_["B"] == {"name": "Henk van de markt", "by": "editor"}
    assert {x[4] for x in segs if x[3] == "B" and not x[5]} == {"Henk van de markt"}
    assert len(segs) == len(reference_text("nl_marktgesprek", MARKT_SECONDS)), "a re-run does not cut what is cut"
    from click.testing import CliRunner

    from verhalen.cli import cli

    help_ = CliRunner().invoke(cli, ["diarize", "--help"])
    assert "who speaks when" in help_.output and "--speakers N" in help_.output
    missing = CliRunner().invoke(cli, ["--home", str(archive.settings.home), "diarize", "geen-verhaal"])
    assert missing.exit_code != 0


def test_the_setting_turns_the_stage_off(markt):
    archive, sid = markt
    _, turns_before, voices_before, _, _ = _story(archive, sid)
    off = Archive(archive.settings.replace(speakers=False))
    try:
        run(off, sid, redo=("speakers",))
        stages, turns, voices_, _, _ = _story(off, sid)
        assert stages["speakers"] == "skipped" and turns == turns_before and voices_ == voices_before
    finally:
        off.close()
    assert settings_mod.load(archive.settings.home, env={"VERHALEN_SPEAKERS": "nee"}).speakers is False


def test_stories_without_speech_or_without_a_transcript_pass_the_stage(archive, tmp_path):
    silent = ffmpeg_make(tmp_path / "stil.wav", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "3")
    st = ingest(archive, silent, StoryMeta(title="Stil", people=[("Amal", "narrator")]))
    assert st.stage("speakers").state == "done" and st.status == "ready"
    kurdish = ingest(archive, DATA / "nl_koor.mp3", StoryMeta(title="Kurdisch", language="ku",
                                                                people=[("Amal", "narrator")]))
    assert kurdish.stage("transcript").state == "needs_human" and kurdish.stage("speakers").state == "done"
    with archive.session() as s:
        assert s.get(Story, st.id).turns == []
        k = s.get(Story, kurdish.id)
        assert {v for *_, v in k.turns} == {"A"} and k.voices == {"A": {"name": "Amal", "by": "auto"}}


def test_a_merge_made_in_the_workspace_survives_diarize(markt):
    """An editor merges the market interview's two voices (say the stage was wrong); `verhalen diarize` runs the
    real stage again, which hears two voices as before, but the merge stands: one voice, one name."""
    from verhalen.editing import TranscriptEditor

    archive, sid = markt
    with archive.session() as s:
        st = s.get(Story, sid)
        assert set(st.voices) == {"A", "B"}
        ed = TranscriptEditor(archive, s, st.slug, "esseline")
        ed.merge_voices("B", "A", st.meta_version)
        slug = st.slug
    r = run_cli("diarize", slug, home=archive.settings.home)
    assert r.returncode == 0, r.stderr
    _, turns, voices_, segs, _ = _story(archive, sid)
    assert len(voices_) == 1, voices_
    (voice,) = voices_
    assert {t[2] for t in turns} == {voice} and {x[3] for x in segs} == {voice}
    assert {x[4] for x in segs if not x[5]} == {voices_[voice]["name"]}
