"""Transcript correction on a real catalog and index: edits, conflicts, history, revert, redaction."""

from __future__ import annotations

import pytest

from verhalen import access
from verhalen.editing import TranscriptEditor, realign_words, review_queue, split_words
from verhalen.errors import Conflict, UsageError
from verhalen.index import Visibility

EVERYONE = Visibility(frozenset(access.ROLE_LEVELS["editor"]))


def test_realign_keeps_timings_of_unchanged_words():
    old = [[0.0, 0.4, " At", 0.9], [0.4, 0.8, " the", 0.9], [0.8, 1.5, " Popper", 0.3], [1.5, 2.0, " Bazaar", 0.4],
           [2.0, 2.5, " today", 0.9]]
    new = realign_words(old, "At the pop-up bazaar today", 0.0, 2.5)
    assert [w[2] for w in new] == [" At", " the", " pop-up", " bazaar", " today"]
    assert new[0][:2] == [0.0, 0.4] and new[-1][:2] == [2.0, 2.5]
    assert new[2][0] == pytest.approx(0.8) and new[3][1] == pytest.approx(2.0)  # new words fill the gap
    assert new[2][3] == 1.0 and new[3][3] == 0.4  # "bazaar" matched "Bazaar" (case-insensitive)


def test_split_needs_a_word_boundary():
    seg = {"start": 0, "end": 2, "text": " a b", "words": [[0, 1, " a", 1], [1, 2, " b", 1]]}
    first, second = split_words(seg, 1)
    assert (first["text"], first["end"], second["text"], second["start"]) == (" a", 1, " b", 1)
    with pytest.raises(UsageError):
        split_words(seg, 2)


@pytest.fixture
def editable(archive_copy):
    return archive_copy


def _first(archive, slug="pop-up-bazaar"):
    with archive.session() as s:
        seg = archive.story(s, slug).segments[0]
        return seg.id, seg.version, seg.text


def test_edit_reindexes_and_keeps_history(editable):
    sid, version, _ = _first(editable)
    with editable.session() as s:
        ed = TranscriptEditor(editable, s, "pop-up-bazaar", "esseline")
        ed.edit_text(sid, "At the pop-up bazaar, new residents sold zeep and perfume.", version)
        assert [e.action for e in ed.history()] == ["edit"] and ed.history()[0].user == "esseline"
    r = editable.index.search("zeep", EVERYONE)
    assert r.total == 1 and r.stories[0].hits[0].time < 5
    # A second editor saving against the version they opened gets a conflict, not an overwrite.
    with editable.session() as s:
        with pytest.raises(Conflict, match="changed by esseline"):
            TranscriptEditor(editable, s, "pop-up-bazaar", "fatima").edit_text(sid, "Iets anders", version)


def test_split_merge_and_revert_restore_the_transcript(editable):
    sid, version, text = _first(editable)
    with editable.session() as s:
        ed = TranscriptEditor(editable, s, "pop-up-bazaar", "esseline")
        count = len(ed.story.segments)
        first, second = ed.split(sid, 3, version)
        assert len(ed.story.segments) == count + 1 and first.end == second.start
        merged = ed.merge_with_next(first.id, first.version)
        assert " ".join(merged.text.split()) == " ".join(text.split())
        edits = ed.history()
        ed.revert(edits[0].id)  # undo the merge
        assert len(ed.story.segments) == count + 1
        ed.revert(edits[1].id)  # undo the split
        assert len(ed.story.segments) == count and ed.story.segments[0].text == text
        with pytest.raises(Conflict, match="already reverted"):
            ed.revert(edits[1].id)


def test_redaction_hides_a_passage_from_public_and_search(editable):
    with editable.session() as s:
        ed = TranscriptEditor(editable, s, "pop-up-bazaar", "esseline")
        target = [seg.id for seg in ed.story.segments if "perfume" in seg.text.lower()]
        ed.redact(target)
        story = ed.story
        assert all("perfume" not in seg.text.lower() for seg in access.public_segments(story))
        assert any(seg.redacted for seg in story.segments)  # kept for editors
    assert editable.index.search("perfume", EVERYONE).total == 0
    with editable.session() as s:
        story = editable.story(s, "pop-up-bazaar")
        hidden = [(seg.start, seg.end) for seg in story.segments if seg.redacted]
        kept = [(seg.start, seg.end) for seg in story.segments if not seg.redacted]
        listen = editable.derived(story.id, "listen.mp3")
    # The listening copy is silent where the passage was, and still speaks elsewhere.
    assert max_volume(listen, *hidden[0]) < -60
    if kept:
        assert max_volume(listen, *kept[0]) > -30


def max_volume(path, start, end):
    import re
    import subprocess

    from verhalen.media import ffmpeg_binary
    start, end = start + 0.3, end - 0.3  # stay clear of the edges
    out = subprocess.run([ffmpeg_binary(), "-v", "info", "-ss", str(start), "-t", str(end - start), "-i", str(path),
                          "-af", "volumedetect", "-f", "null", "-"], capture_output=True, text=True).stderr
    m = re.search(r"max_volume: (-?[\d.]+|-inf) dB", out)
    return float(m.group(1)) if m and m.group(1) != "-inf" else -999.0


def test_review_queue_lists_the_least_sure_first(editable):
    with editable.session() as s:
        queue = review_queue(s, limit=5)
        scores = [score for _, score in queue]
        assert scores == sorted(scores) and len(queue) >= 2
        worst, _ = queue[0]
        TranscriptEditor(editable, s, "het-koor" if worst.story_id != 1 else "pop-up-bazaar", "esseline") \
            .edit_text(worst.id, "Gecorrigeerd door een mens", worst.version)
        assert worst.id not in [seg.id for seg, _ in review_queue(s, limit=5)]  # corrected: off the queue


def test_a_corrected_word_no_longer_finds_the_story(editable):
    """Automatic keywords are recomputed after a correction: "perfume" must not linger as a keyword."""
    with editable.session() as s:
        ed = TranscriptEditor(editable, s, "pop-up-bazaar", "esseline")
        for seg in list(ed.story.segments):
            if "perfume" in seg.text.lower():
                ed.edit_text(seg.id, seg.text.lower().replace("perfume", "zeeppoeder"), seg.version)
        assert "perfume" not in [t.name for t in ed.story.themes("auto")]
    assert editable.index.search("perfume", EVERYONE).total == 0
    assert editable.index.search("zeeppoeder", EVERYONE).total == 1


def test_retranscribe_keeps_corrections_unless_told_and_redactions_always(editable, model_dir):
    """A new transcript replaces every segment: a person's corrections only when asked (--discard-edits),
    and a passage an editor redacted stays hidden in the new transcript too."""
    from helpers import run_cli

    home = editable.settings.home
    with editable.session() as s:
        first, second = [(x.id, x.version, x.start, x.end) for x in editable.story(s, "het-koor").segments[:2]]
        ed = TranscriptEditor(editable, s, "het-koor", "esseline")
        ed.edit_text(first[0], "Dat koor begon met een paar vrouwen uit de straat.", first[1])
        ed.redact([second[0]], versions={second[0]: second[1]})
        hidden = second[2:]
    r = run_cli("retranscribe", "het-koor", home=home, model_dir=model_dir)
    assert r.returncode == 2 and "--discard-edits" in r.stderr, r.stderr
    with editable.session() as s:
        assert "paar vrouwen uit de straat" in editable.story(s, "het-koor").segments[0].text

    r = run_cli("retranscribe", "--discard-edits", "het-koor", home=home, model_dir=model_dir)
    assert r.returncode == 0, r.stderr
    with editable.session() as s:
        story = editable.story(s, "het-koor")
        over = [x for x in story.segments if x.start < hidden[1] and hidden[0] < x.end]
        assert over and all(x.redacted for x in over)
        shown_words = {w.strip(".,?!").lower() for x in story.segments if not x.redacted for w in x.text.split()}
        secret = [w.strip(".,?!").lower() for x in over for w in x.text.split()]
    secret = [w for w in secret if len(w) > 3 and w not in shown_words]
    assert secret and all(editable.index.search(w, EVERYONE).total == 0 for w in secret)


def test_a_change_saved_before_speakers_existed_can_still_be_reverted(editable):
    """History rows from before migration 0013 have no voice or speaker_fixed in their snapshots."""
    sid, version, text = _first(editable)
    with editable.session() as s:
        ed = TranscriptEditor(editable, s, "pop-up-bazaar", "esseline")
        ed.edit_text(sid, "Een oude correctie.", version)
        edit = ed.history()[0]
        edit.before = [{k: v for k, v in d.items() if k not in ("voice", "speaker_fixed")} for d in edit.before]
        edit.after = [{k: v for k, v in d.items() if k not in ("voice", "speaker_fixed")} for d in edit.after]
        s.commit()
        ed.revert(edit.id)
        seg = ed.story.segments[0]
        assert seg.text == text and seg.speaker_fixed is False
