"""Pure parts: settings, language decision, loop collapsing, exports round trip."""

from __future__ import annotations

import io
import json

import pytest
import srt
import webvtt

from verhalen import exports, settings as settings_mod
from verhalen.catalog import slugify
from verhalen.errors import UsageError
from verhalen.language_plan import Run, Window, decide_language, plan_languages
from verhalen.transcript_guards import SegmentText, Word, collapse_repeats, repeats_previous
from verhalen.transcription import hotwords_for

EXPECTED = ("nl", "en", "ar", "fa", "tr")


def test_settings_layering(tmp_path):
    home = tmp_path / "a"
    home.mkdir()
    (home / "verhalen.toml").write_text('beam_size = 2\ndefault_language = "en"\n')
    s = settings_mod.load(home, env={"VERHALEN_BEAM_SIZE": "3", "VERHALEN_EXPECTED_LANGUAGES": "nl, ar"})
    assert (s.beam_size, s.default_language, s.expected_languages) == (3, "en", ("nl", "ar"))
    assert settings_mod.load(home, env={}, beam_size=1).beam_size == 1
    assert s.catalog_url == f"sqlite:///{home / 'catalog.sqlite'}"


def test_settings_reject_bad_values(tmp_path):
    with pytest.raises(UsageError, match="beam_size"):
        settings_mod.load(tmp_path, env={"VERHALEN_BEAM_SIZE": "many"})
    (tmp_path / "verhalen.toml").write_text("colour = 1\n")
    with pytest.raises(UsageError, match="unknown setting 'colour'"):
        settings_mod.load(tmp_path, env={})


@pytest.mark.parametrize("detected,p,expect,source", [
    ("en", 0.86, "en", "detected"),      # sure and expected: trusted
    ("en", 0.73, "nl", "fallback"),      # robotic Dutch guessed as English at 0.73: unsure
    ("la", 0.95, "nl", "fallback"),      # Latin is not an expected language
    ("is", 0.5, "nl", "fallback"),
    (None, None, "nl", "fallback"),      # silence
])
def test_language_decision(detected, p, expect, source):
    d = decide_language(None, detected, p, "nl", EXPECTED, 0.8)
    assert (d.language, d.source) == (expect, source)
    assert (source == "fallback") == bool(d.note)


def test_requested_language_wins():
    assert decide_language("ar", "en", 0.99, "nl", EXPECTED, 0.8).language == "ar"


def _words(text):
    return [Word(i, i + 0.5, " " + w, 0.9) for i, w in enumerate(text.split())]


def test_collapse_repeated_phrase():
    words = _words("ik ging naar de markt naar de markt naar de markt naar de markt en toen")
    kept, removed = collapse_repeats(words)
    assert "".join(w.word for w in kept) == " ik ging naar de markt en toen"
    assert removed == 9
    assert [w.start for w in kept][-2:] == [14, 15]  # timings of kept words survive


def test_ordinary_repetition_is_kept():
    words = _words("heel heel mooi dat dat")
    assert collapse_repeats(words) == (words, 0)


def test_hotwords_unique_and_capped():
    assert hotwords_for(["Basma", "basma", " Stadscoalitie  Delfshaven ", ""]) == ["Basma", "Stadscoalitie Delfshaven"]
    assert len(hotwords_for([f"w{i}" for i in range(500)])) == 60


def test_slugify():
    assert slugify("Basma bakt!") == "basma-bakt"
    assert slugify("Café Ñandú") == "cafe-nandu"
    assert slugify("قصة") == "verhaal"


SEGS = [
    {"start": 0.0, "end": 2.5, "text": " Hallo <script>alert(1)</script> & welkom", "speaker": "Basma",
     "words": [[0.0, 0.5, " Hallo", 0.9]]},
    {"start": 2.5, "end": 3661.25, "text": " Lange -->\n\npauze", "speaker": None, "words": []},
]


def test_vtt_parses_with_real_parser():
    text = exports.to_vtt(SEGS, "Titel")
    captions = webvtt.from_buffer(io.StringIO(text)).captions
    assert len(captions) == 2
    assert captions[0].start == "00:00:00.000" and captions[1].end == "01:01:01.250"
    assert "alert(1)" in captions[0].text and "<script>" not in captions[0].raw_text
    assert captions[0].voice == "Basma"


def test_srt_parses_and_round_trips():
    text = exports.to_srt(SEGS)
    subs = list(srt.parse(text))
    assert [s.index for s in subs] == [1, 2]
    assert subs[1].end.total_seconds() == pytest.approx(3661.25)
    back = exports.parse_cues(text)
    assert [round(s["start"], 2) for s in back] == [0.0, 2.5]


def test_json_has_word_timings():
    body = json.loads(exports.to_json(SEGS, {"title": "T"}))
    assert body["version"] == "1.0.0"
    assert body["segments"][0]["words"][0] == {"startTime": 0.0, "endTime": 0.5, "body": "Hallo", "probability": 0.9}


def test_plain_text_import_spreads_over_duration():
    segs = exports.parse_transcript("t.txt", "Eerste alinea.\n\nTweede alinea, langer dan de eerste.".encode(), 100.0)
    assert len(segs) == 2 and segs[0]["start"] == 0 and segs[-1]["end"] == pytest.approx(100.0)


def test_transcript_import_rejects_binary():
    from verhalen.errors import UnsupportedMedia

    with pytest.raises(UnsupportedMedia, match="not UTF-8"):
        exports.parse_transcript("t.vtt", b"\xff\xfe\x00\x81", 10)


def W(start, lang=None, p=None):
    return Window(start, start + 30, lang, p)


def test_plan_one_language():
    d, runs = plan_languages([W(0, "en", 0.9), W(30, "en", 0.6), W(60, "en", 0.95)], None, "nl", EXPECTED, 0.8)
    assert (d.language, d.source) == ("en", "detected") and runs == [Run(0, 90, "en")]


def test_plan_switches_only_on_sure_windows():
    windows = [W(0, "la", 0.3), W(30, "en", 0.7), W(60, "ar", 0.93), W(90, "ar", 0.9), W(120, "is", 0.5)]
    d, runs = plan_languages(windows, None, "nl", EXPECTED, 0.8)
    # Robotic Dutch is never sure: it counts as the default; the sure Arabic stretch keeps its own language.
    assert d.language == "nl" and d.source == "fallback" and "also spoken: ar" in d.note
    assert runs == [Run(0, 60, "nl"), Run(60, 120, "ar"), Run(120, 150, "nl")]


def test_plan_one_lucky_window_does_not_switch_the_story():
    d, runs = plan_languages([W(0, "la", 0.3), W(30, "en", 0.85), W(60, "la", 0.4)], None, "nl", EXPECTED, 0.8)
    assert d.language == "nl" and [r.language for r in runs] == ["nl", "en", "nl"]


def test_plan_silence_and_requested():
    d, runs = plan_languages([W(0), W(30)], None, "nl", EXPECTED, 0.8)
    assert d.language == "nl" and d.source == "fallback" and runs == [Run(0, 60, "nl")]
    d, runs = plan_languages([W(0, "en", 0.99)], "ar", "nl", EXPECTED, 0.8)
    assert d.source == "given" and runs == [Run(0, 30, "ar")]


def test_a_segment_repeating_the_previous_one_is_a_loop():
    a = SegmentText(16.2, 20.7, " Mij van netig mensen, at het hele land.", -0.3, 0.1)
    squeezed = SegmentText(20.7, 21.7, " mij van netig mensen at het hele land", -0.3, 0.1)  # 8 words in 1 s
    assert repeats_previous(squeezed, [a]) and not repeats_previous(squeezed, [])
    unsure = SegmentText(21.0, 25.0, " Mij van netig mensen at het hele land.", -1.4, 0.1)
    assert repeats_previous(unsure, [a])
    assert not repeats_previous(SegmentText(2, 3, " Ja ja.", 0, 0), [SegmentText(0, 1, " Ja ja.", 0, 0)])


def test_a_sentence_really_said_twice_is_kept():
    first = SegmentText(0.0, 4.0, " Many visitors came back the next week.", -0.2, 0.1)
    again = SegmentText(4.5, 8.5, " Many visitors came back the next week.", -0.2, 0.1)
    assert not repeats_previous(again, [first])
