"""The transcript guards (issue 10): pure detectors, then each guard on a real recording with the real model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verhalen import keywords, settings as settings_mod
from verhalen.transcript_guards import (COVERAGE, ECHO, GAP, SegmentText, Span, Word, covered_share, has_loop, is_echo,
                                        loop_unit, repeats_neighbours, rounds, uncovered, vocabulary_positions)
from verhalen.transcription import SAID_AGAIN, Transcriber

from helpers import DATA, ffmpeg_make

SIDECAR = json.loads((DATA / "nl_buurtgesprek.json").read_text())
VOCABULARY = vocabulary_positions(SIDECAR["hotwords"])


# -- detectors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "Brouwer Delfshaven Brouwer Delfshaven Brouwer Delfshaven Brouwer Delfshaven",   # measured, batched + hotwords
    "Wat Keti Koti wijkpanel buurtbemiddeling in het samentonjoch",                   # four in prompt order
    "Delfshaven Rotterdam Sleutel",                                                   # cut off, still the prompt
    " Voor Keti Koti wijkpanel en muren lieden tot Samtonio.",                        # measured: "oefenen" heard as the next entry
    " Amal Haddad Esseline Brouwer Delfshaven Rotterdam Sleutelpersonen koor buurt",
])
def test_echo_is_the_prompt_read_back(text):
    assert is_echo(text, VOCABULARY)


@pytest.mark.parametrize("text", [
    "Vandaag ben ik in Delfshaven, in Rotterdam, bij Amal.",
    "Amal zingt in het koor van de buurt in Delfshaven",
    "Dank je wel, Esseline.",
    "Toen vroeg de Stadscoalitie of we wilden optreden op het buurtfeest.",
    "Voor Keti Koti oefenen we een lied.",
    "Dank je wel, Esseline Brouwer, tot ziens in Delfshaven.",
])
def test_sentences_that_name_the_vocabulary_are_speech(text):
    assert not is_echo(text, VOCABULARY)


def _segs(*texts_and_times):
    return [SegmentText(a, b, text, -0.3, 0.1) for text, a, b in texts_and_times]


def test_a_loop_is_three_rounds_the_decoder_made_a_sentence_said_twice_is_speech():
    assert not has_loop(_segs(("Elke dinsdag, elke dinsdag.", 0, 3)))
    assert not has_loop(_segs((" Luisteren is het belangrijkste.", 0, 2), (" Luisteren is het belangrijkste.", 2.5, 4.5)))
    assert not has_loop(_segs(("heel heel heel mooi", 0, 2)))  # one word: collapse_repeats handles it
    looping = " Je zit ook in het wijkpanel, toch? Ja, de oudere leden leren het aan de jonge leden."
    assert has_loop(_segs((looping * 3, 70, 104)))  # measured: one 35-s segment going round
    squeezed = (" Zeg het maar.", 1.0, 1.2)
    assert has_loop(_segs((" Zeg het maar.", 0, 1), squeezed, (" Zeg het maar.", 1.2, 1.4)))


def test_a_sentence_said_three_times_in_its_own_time_is_speech():
    said = _segs((" Zeg het maar.", 0, 1.2), (" Zeg het maar.", 2.0, 3.1), (" Zeg het maar.", 4.0, 5.0))
    assert not has_loop(said)
    overlapping = _segs((" Zeg het maar.", 0, 1.2), (" Zeg het maar.", 0.5, 1.6), (" Zeg het maar.", 4.0, 5.0))
    assert has_loop(overlapping)


def test_a_refrain_a_second_decode_hears_again_is_speech_a_loop_it_does_not_repeat_is_not():
    # measured on tests/data/nl_marktgesprek.opus: the refrain in one segment, then the chunk decoded again
    first = _segs((" Ik roep altijd hetzelfde. Kom maar kijken, kom maar kijken, kom maar kijken, dan lacht ze.", 60, 76))
    unit = loop_unit(first)
    assert unit == ("kom", "maar", "kijken") and rounds(unit, first) == 3
    garbled = _segs((" Ik hoop altijd het lelder. Kommar kijkend Kom Markijken. Kommar kijkern Dan lacht ze", 60, 76))
    assert rounds(unit, garbled) == 0 and rounds(unit, garbled, SAID_AGAIN) == 3
    once = _segs((" Ja, de oudere leden leren het aan de jonge leden.", 70, 78))
    looped = loop_unit(_segs((once[0].text * 3, 70, 104)))
    assert looped and rounds(looped, once, SAID_AGAIN) == 1
    assert rounds(unit, _segs((" Kom maar even kijken bij de kraam. Kom morgen terug.", 0, 3)), SAID_AGAIN) == 1


def test_uncovered_speech_is_what_no_word_reaches():
    speech = [Span(0.0, 10.0), Span(12.0, 13.5)]
    words = [Word(0.5, 1.0, " a", 0.9), Word(1.2, 4.0, " b", 0.9), Word(8.0, 9.9, " c", 0.9)]
    # 4.0+0.3 .. 8.0-0.3 is a hole; 12-13.5 has no word at all; the 0.2-s edges are not holes.
    assert uncovered(speech, words) == [Span(4.3, 7.7), Span(12.0, 13.5)]
    assert uncovered(speech, words, min_length=4.0) == []
    share = covered_share(speech, [Span(w.start - 0.3, w.end + 0.3) for w in words] + [Span(12.0, 13.5)])
    assert share == pytest.approx((4.1 + 2.3 + 1.5) / 11.5, abs=0.001)  # 0.2-4.3, 7.7-10, 12-13.5


def test_a_second_look_that_only_repeats_the_neighbours_found_no_new_speech():
    around = [SegmentTextLike(" Dank je wel, Amal."), SegmentTextLike(" Graag gedaan.")]
    assert repeats_neighbours([Word(0, 1, " dank", 0.9), Word(1, 2, " je", 0.9), Word(2, 3, " wel", 0.9)], around)
    assert not repeats_neighbours([Word(0, 1, " tot", 0.9), Word(1, 2, " ziens", 0.9)], around)


class SegmentTextLike:
    def __init__(self, text):
        self.text = text


def test_keywords_come_only_from_sure_words_and_never_from_filler():
    class Seg:
        def __init__(self, words):
            self.words, self.text = words, ""

    sure = [[i, i + 0.4, w, 0.95] for i, w in enumerate(
        "het koor repeteert elke dinsdag in het buurthuis aan de haven van Delfshaven".split())]
    unsure = [[20 + i, 20.4 + i, w, 0.2] for i, w in enumerate("krokbevond heel lond paraf".split())]
    text = keywords.confident_text([Seg(sure), Seg(unsure)] * 3)
    assert "krokbevond" not in text and "lond" not in text
    found = [k for k, _ in keywords.extract(text + " ja nou eigenlijk gewoon heel mooi " * 3, "nl", 10)]
    assert found and not any(keywords.is_filler(k) for k in found)
    assert any("koor" in k or "buurthuis" in k for k in found)


# -- each guard on a real recording -------------------------------------------------------------


@pytest.fixture(scope="module")
def transcriber(model_dir, tmp_path_factory):
    home = tmp_path_factory.mktemp("guards") / "archive"
    return Transcriber(model_dir, settings_mod.load(home, env={}, model=str(model_dir)))


@pytest.fixture(scope="module")
def interview(transcriber):
    """The 2:46 Dutch interview (jingle, a quiet first turn, two voices, pauses) with its vocabulary."""
    return transcriber.transcribe(DATA / "nl_buurtgesprek.opus", "nl", SIDECAR["hotwords"])


def test_no_segment_echoes_the_vocabulary(interview):
    # Measured before the guard: [00:07-00:32] was "Brouwer Delfshaven" four times and [01:10-01:45] began
    # "Wat Keti Koti wijkpanel buurtbemiddeling": batched decoding with the prompt echoes it.
    assert not [s.text for s in interview.segments if is_echo(s.text, VOCABULARY)]
    assert interview.guards.get(ECHO, 0) >= 1
    first = " ".join(s.text for s in interview.segments if s.start < 18).lower()
    assert "welkom" in first and "delfshaven" not in first.split()[:2]


def test_no_loop_is_left(interview):
    assert not has_loop(interview.segments)


def test_names_the_decoder_nearly_heard_are_spelled_as_the_vocabulary_spells_them(interview):
    # Measured without the vocabulary pass: "Dank je wel, Ezeline." and "Zürtelpersonen" for Sleutelpersonen.
    text = " ".join(s.text for s in interview.segments)
    assert "Esseline" in text and "Ezeline" not in text
    assert interview.guards.get("vocabulary", 0) >= 1
    assert len(text.split()) >= 200  # nothing was swallowed


def test_a_refrain_the_speaker_really_said_three_times_stays_three_times(transcriber):
    """nl_marktgesprek: "Kom maar kijken, kom maar kijken, kom maar kijken." in one segment reads as a loop;
    the chunk decoded again piece by piece garbles the rounds ("Kom Markeken"), so the first decode stays."""
    o = transcriber.transcribe(DATA / "nl_marktgesprek.opus", "nl", None)
    text = " ".join(s.text for s in o.segments).lower()
    assert text.count("kom maar kijken") == 3, text
    assert "een kilo" in text  # the turn goes on after the refrain


def test_every_turn_has_words_or_a_gap(interview):
    """The last short turns and the questions (lost in the issue's recording) are there."""
    rows = [line.split("\t") for line in (DATA / "nl_buurtgesprek.tsv").read_text().splitlines()[1:]]
    heard = [Span(w.start, w.end) for s in interview.segments for w in s.words] + interview.gaps
    missing = [(float(a), text) for a, b, _, text in rows
               if not any(h.start < float(b) and float(a) < h.end for h in heard)]
    assert not missing
    words = [Span(w.start - 0.3, w.end + 0.3) for s in interview.segments for w in s.words]
    assert covered_share(interview.speech, words + interview.gaps) >= 0.97


def test_speech_no_decode_hears_becomes_a_gap(transcriber, tmp_path):
    """A voiced stretch with no words in any decode (a hummed tone under noise between two sentences)
    is kept as a gap, not dropped."""
    hum = ffmpeg_make(tmp_path / "hum.wav", "-f", "lavfi", "-i",
                      "sine=frequency=180:duration=3,volume=0.6,tremolo=f=5:d=0.7", "-ar", "16000", "-ac", "1")
    speech = DATA / "nl_koor.mp3"
    out = tmp_path / "with_hum.wav"
    ffmpeg_make(out, "-i", str(speech), "-i", str(hum), "-i", str(speech), "-filter_complex",
                "[0:a]aresample=16000[a];[1:a]aresample=16000[b];[2:a]aresample=16000[c];[a][b][c]concat=n=3:v=0:a=1",
                "-ac", "1")
    o = transcriber.transcribe(out, "nl", None)
    spans = [Span(w.start, w.end) for s in o.segments for w in s.words] + o.gaps
    words = [Span(w.start - 0.3, w.end + 0.3) for s in o.segments for w in s.words]
    assert covered_share(o.speech, words + o.gaps) >= 0.97
    assert spans
    if o.gaps:  # VAD heard the hum as voice: it must be a gap, never invented words
        assert all(11.0 <= g.start and g.end <= 16.5 for g in o.gaps)
        assert o.guards.get(GAP) == len(o.gaps)
    assert not any(s.guard == COVERAGE and 12.5 < s.start < 14.5 for s in o.segments)


# -- gaps in the archive --------------------------------------------------------------------------


def test_a_gap_heads_the_review_queue_stays_out_of_public_view_and_is_filled_in_by_an_edit(archive_copy):
    from verhalen.access import public_segments
    from verhalen.catalog import Segment
    from verhalen.editing import TranscriptEditor, review_queue

    with archive_copy.session() as s:
        story = archive_copy.story(s, "pop-up-bazaar")
        s.add(Segment(story_id=story.id, start=10.5, end=12.0, text="", guard=GAP, words=[]))
        s.commit()
        queue = review_queue(s)
        assert queue[0][0].guard == GAP and queue[0][0].start == 10.5
        assert all(x.guard != GAP for x in public_segments(story))
        gap = queue[0][0]
        TranscriptEditor(archive_copy, s, "pop-up-bazaar", "esseline").edit_text(gap.id, "Tot volgende week.", gap.version)
        s.refresh(gap)
        assert gap.guard is None and gap.text.strip() == "Tot volgende week."
        assert gap in public_segments(story)
        assert all(x.guard != GAP for x, _ in review_queue(s))
    from verhalen import access
    from verhalen.index import Visibility

    everyone = Visibility(frozenset(access.ROLE_LEVELS["editor"]))
    assert archive_copy.index.search("volgende week", everyone).total >= 1


def test_a_repetition_really_said_is_kept(transcriber, tmp_path):
    """One sentence said three times with pauses, inside one chunk. Batched decoding writes the three as
    one untimed segment (measured), which reads as a loop: the chunk is decoded again piece by piece,
    and each round comes back as its own segment at its own time, so all three stay. (The whole chunk
    decoded sequentially would lose one: its compression check reads three equal sentences as a loop.)"""
    src = DATA / "en_market.wav"
    once = "atrim=5.6:9.9,asetpts=PTS-STARTPTS"
    out = ffmpeg_make(tmp_path / "thrice.wav", "-i", str(src), "-filter_complex",
                      f"[0:a]{once},apad=pad_dur=1.5,asplit=3[a][b][c];[a][b][c]concat=n=3:v=0:a=1",
                      "-ac", "1", "-ar", "16000")
    o = transcriber.transcribe(out, "en", None)
    said = [s for s in o.segments if "came back the next week" in s.text.lower()]
    assert len(said) == 3, [s.text for s in o.segments]
    assert o.guards.get("loop") == 1 and all(s.guard == "loop" for s in said)
    assert said[0].end <= said[1].start and said[1].end <= said[2].start


def test_a_long_untimed_segment_is_cut_where_sentences_end_and_speakers_pause():
    from verhalen.transcript_guards import split_long

    words = [Word(137.5, 138.0, " Als", 0.9), Word(138.0, 141.7, " ik over straat loop.", 0.9),
             Word(144.9, 147.1, " Heb je nog een wens", 0.9), Word(148.3, 151.0, " Ik hoop", 0.9),
             Word(151.5, 159.5, " dat het koor blijft.", 0.9)]
    seg = SegmentText(137.5, 159.5, "".join(w.word for w in words), -0.6, 0.1, tuple(words), "nl")
    parts = split_long(seg)
    assert [(p.start, p.end) for p in parts] == [(137.5, 141.7), (144.9, 147.1), (148.3, 159.5)]
    assert "".join(p.text for p in parts) == seg.text
    short = SegmentText(0, 5, " Ja. Nee.", 0, 0, (Word(0, 1, " Ja.", 1), Word(4, 5, " Nee.", 1)))
    assert split_long(short) == [short]


def test_an_editor_sees_a_gap_and_fills_it_in_from_the_browser(workspace, editor_client):
    from helpers import csrf_of
    from verhalen.catalog import Segment

    archive = workspace.archive
    with archive.session() as s:
        story = archive.story(s, "pop-up-bazaar")
        gap = Segment(story_id=story.id, start=10.5, end=12.0, text="", guard=GAP, words=[])
        s.add(gap)
        s.commit()
        gap_id, version = gap.id, gap.version
    review = editor_client.get("/editor/review").get_data(as_text=True)
    assert "geen tekst herkend, 00:10" in review
    page = editor_client.get("/editor/story/pop-up-bazaar").get_data(as_text=True)
    assert "geen tekst herkend: luister en vul aan" in page and 'placeholder="Wat wordt hier gezegd?"' in page
    public = editor_client.get("/verhaal/pop-up-bazaar")
    assert public.status_code == 200 and "perfume" in public.get_data(as_text=True).lower()
    assert "geen tekst herkend" not in public.get_data(as_text=True)
    r = editor_client.post(f"/editor/story/pop-up-bazaar/segment/{gap_id}/save", data={
        "text": "Tot volgende week!", "version": version, "csrf_token": csrf_of(page)})
    assert r.status_code in (200, 302, 303)
    with archive.session() as s:
        filled = s.get(Segment, gap_id)
        assert filled.guard is None and filled.text.strip() == "Tot volgende week!"
    assert "geen tekst herkend, 00:10" not in editor_client.get("/editor/review").get_data(as_text=True)


def test_language_detection_encodes_nothing_twice(transcriber, monkeypatch):
    """Detection reads each chunk's language off the encoder output its decoding needs: a recording of one
    chunk is encoded once, language given or not (it was encoded twice: a detection pass, then decoding)."""
    from faster_whisper import WhisperModel

    calls = []
    real = WhisperModel.encode

    def counting(self, features):
        calls.append(features.shape[0])
        return real(self, features)

    monkeypatch.setattr(WhisperModel, "encode", counting)
    o = transcriber.transcribe(DATA / "en_market.wav", None, None)
    assert (o.language.language, o.language.source) == ("en", "detected")
    assert calls == [1] and not o.guards
    calls.clear()
    transcriber.transcribe(DATA / "en_market.wav", "en", None)
    assert calls == [1]


def test_progress_is_reported_while_decoding_not_at_the_end(model_dir, tmp_path):
    """The jobs page shows the share of audio done as segments are decoded (it stayed at 0 % and then
    jumped to done): with one chunk per batch, the first chunk's progress arrives while the second
    is still being decoded."""
    import time

    src = DATA / "en_market.wav"
    out = ffmpeg_make(tmp_path / "long.wav", "-i", str(src), "-i", str(src), "-i", str(src), "-i", str(src),
                      "-filter_complex", "[0:a][1:a][2:a][3:a]concat=n=4:v=0:a=1", "-ac", "1", "-ar", "16000")
    settings = settings_mod.load(tmp_path / "home", env={}, model=str(model_dir), batch_size=1)
    reports = []
    started = time.perf_counter()
    o = Transcriber(model_dir, settings).transcribe(out, "en", None,
                                                    progress=lambda done, total: reports.append((time.perf_counter(), done)))
    ended = time.perf_counter()
    assert reports[-1][1] == pytest.approx(o.duration)
    early = [t for t, done in reports if done < o.duration / 2]
    assert early and early[0] < started + 0.75 * (ended - started)
