"""Working on part of a transcript: redact some words of a passage, type text where there is none, and have
the model do a stretch again (reviewed before it replaces anything). Real catalog, index, ffmpeg and model."""

from __future__ import annotations

import pytest

from verhalen import access, redo
from verhalen.editing import MIN_GAP_LEFT, TranscriptEditor, cut_out
from verhalen.errors import Conflict, StaleVersion, UsageError
from verhalen.index import Visibility
from verhalen.transcript_guards import GAP

from helpers import make_gap
from test_editing import max_volume

EVERYONE = Visibility(frozenset(access.ROLE_LEVELS["editor"]))


def test_cut_out_makes_three_pieces_around_the_chosen_words():
    words = [[0.0, 0.5, " Mijn", 0.9], [0.6, 1.0, " broer", 0.9], [1.2, 1.8, " Karim", 0.9],
             [2.0, 2.4, " woont", 0.9], [2.5, 3.0, " hier", 0.9]]
    seg = {"start": 0.0, "end": 3.2, "text": "".join(w[2] for w in words), "words": words, "redacted": False}
    before, middle, after = cut_out(seg, 2, 2)
    assert (before["text"], middle["text"], after["text"]) == (" Mijn broer", " Karim", " woont hier")
    assert middle["redacted"] and not before["redacted"] and not after["redacted"]
    # Muted from the hidden word's start up to the next word: the pause after it, never a syllable of it.
    assert (middle["start"], middle["end"]) == (1.2, 2.0) and before["end"] == 1.2 and after["start"] == 2.0
    assert [p["text"] for p in cut_out(seg, 0, 1)] == [" Mijn broer", " Karim woont hier"]
    assert [p["redacted"] for p in cut_out(seg, 3, 4)] == [False, True]
    with pytest.raises(UsageError, match="5 words"):
        cut_out(seg, 3, 5)


def _segment_with(archive, slug, word):
    with archive.session() as s:
        for seg in archive.story(s, slug).segments:
            texts = [w[2].strip(" .,?!").lower() for w in seg.words]
            found = [i for i, t in enumerate(texts) if t.startswith(word)]
            if found and len(texts) >= 4:
                return seg.id, seg.version, found[0], len(texts)
    raise AssertionError(f"no passage with {word!r}")


def test_redacting_some_words_mutes_and_hides_only_them(archive_copy):
    a = archive_copy
    sid, version, at, n = _segment_with(a, "pop-up-bazaar", "perfume")
    with a.session() as s:
        ed = TranscriptEditor(a, s, "pop-up-bazaar", "esseline")
        pieces = ed.redact_words(sid, at, at, version)
        hidden = [p for p in pieces if p.redacted]
        assert len(hidden) == 1 and hidden[0].text.strip(".,?! ").lower().startswith("perfume")
        kept = [p for p in pieces if not p.redacted]
        assert kept and all("perfume" not in p.text.lower() for p in kept)
        span = (hidden[0].start, hidden[0].end)
        neighbour = max(kept, key=lambda p: p.end - p.start)
        neighbour_span = (neighbour.start, neighbour.end)
        story_id = ed.story.id
        assert [e.action for e in ed.history()][:1] == ["redact"]
    assert a.index.search("perfume", EVERYONE).total == 0
    listen = a.derived(story_id, "listen.mp3")
    assert max_volume(listen, span[0] - 0.25, span[1] + 0.25) < -60  # max_volume trims 0.3 s from each edge
    assert max_volume(listen, *neighbour_span) > -30                  # the rest of the passage still speaks

    # Undone: one passage again, audible and findable.
    with a.session() as s:
        ed = TranscriptEditor(a, s, "pop-up-bazaar", "esseline")
        ed.revert(ed.history()[0].id)
        assert not any(x.redacted for x in ed.story.segments)
    assert a.index.search("perfume", EVERYONE).total == 1
    assert max_volume(listen, span[0] - 0.25, span[1] + 0.25) > -30


def test_public_page_marks_the_redacted_time(archive_copy, make_app):
    """A listener hears silence where words were redacted: the page says so, with the length and no text."""
    a = archive_copy
    sid, version, at, n = _segment_with(a, "pop-up-bazaar", "perfume")
    with a.session() as s:
        TranscriptEditor(a, s, "pop-up-bazaar", "esseline").redact_words(sid, at, min(at + 1, n - 1), version)
    anon = make_app(a).test_client()
    page = anon.get("/verhaal/pop-up-bazaar").get_data(as_text=True)
    assert "perfume" not in page.lower()
    assert "[afgeschermd, " in page and " s]" in page
    assert "[redacted, " in anon.get("/verhaal/pop-up-bazaar?lang=en").get_data(as_text=True)


def test_insert_fills_a_gap_and_refuses_to_cover_text(archive_copy):
    a = archive_copy
    with a.session() as s:
        story = a.story(s, "het-koor")
        gap, other = make_gap(s, story)
        gap_start, gap_end = gap.start, gap.end
        fill = round((gap_end - gap_start) / 2, 3)
        assert fill >= MIN_GAP_LEFT
        duration = story.recording.duration
        ed = TranscriptEditor(a, s, "het-koor", "esseline")
        with pytest.raises(Conflict, match="overlaps the passage at 00:"):
            ed.insert(other.start, other.end, "Dit staat er al")
        new = ed.insert(gap_start, gap_start + fill, "Wij zongen elke zondag samen")
        assert new.guard is None and [w[2] for w in new.words][0] == " Wij"
        assert new.words[0][0] == pytest.approx(gap_start) and new.words[-1][1] == pytest.approx(gap_start + fill)
        assert all(w[3] == 1.0 for w in new.words)
        left = [(x.start, x.end) for x in ed.story.segments if x.guard == GAP]
        assert left == [(pytest.approx(gap_start + fill), pytest.approx(gap_end))]  # the rest stays a gap
        with pytest.raises(UsageError, match="inside the recording"):
            ed.insert(duration + 5, duration + 9, "Na het einde")
    assert a.index.search("zondag", EVERYONE).total == 1
    with a.session() as s:
        ed = TranscriptEditor(a, s, "het-koor", "esseline")
        ed.revert(ed.history()[0].id)
        assert [(x.start, x.end) for x in ed.story.segments if x.guard == GAP] == [(gap_start, gap_end)]
    assert a.index.search("zondag", EVERYONE).total == 0


def test_redo_a_stretch_is_a_proposal_until_accepted(archive_copy):
    """The model transcribes only the stretch; nothing changes until the editor accepts, and an edit made
    meanwhile makes the acceptance stale instead of being overwritten."""
    a = archive_copy
    with a.session() as s:
        story = a.story(s, "het-koor")
        segs = sorted(story.segments, key=lambda x: x.start)
        target = max(segs, key=lambda x: x.end - x.start)
        where = redo.stretch(story, target.start + 0.3, target.end - 0.3, a.settings.max_redo_seconds)
        assert (where.start, where.end) == (target.start, target.end) and where.replaces == {target.id: target.version}
        before_text = target.text
        proposal = redo.propose(a, s, story, where, language="nl", with_vocabulary=False)
        assert proposal and all(where.start <= p["start"] <= p["end"] <= where.end for p in proposal)
        heard = " ".join(p["text"] for p in proposal).lower()
        assert len(set(heard.split()) & set(before_text.lower().split())) >= 2  # the same speech, heard again
        s.refresh(target)
        assert target.text == before_text  # a proposal saves nothing
        with pytest.raises(UsageError, match="max_redo_seconds"):
            redo.stretch(story, 0, story.recording.duration, 5)

        # Someone corrects the passage meanwhile: accepting the old proposal is stale.
        ed = TranscriptEditor(a, s, "het-koor", "fatima")
        ed.edit_text(target.id, "Tekst van Fatima", target.version)
        with pytest.raises(StaleVersion):
            TranscriptEditor(a, s, "het-koor", "esseline").replace_stretch(where, proposal)
        s.rollback()
        where = redo.stretch(a.story(s, "het-koor"), where.start, where.end, 120)
        ed = TranscriptEditor(a, s, "het-koor", "esseline")
        new = ed.replace_stretch(where, proposal)
        assert " ".join(x.text for x in new).lower() == " ".join(p["text"] for p in proposal).lower()
        assert ed.history()[0].action == "redo" and "Fatima" in ed.history()[0].before[0]["text"]
    assert a.index.search("fatima", EVERYONE).total == 0


# -- the same through the workspace's forms and the CLI ------------------------------------------------


def test_workspace_redacts_words_after_a_confirmation_naming_them(editor_client, archive_copy):
    from helpers import token_for

    a, c = archive_copy, editor_client
    sid, version, at, n = _segment_with(a, "pop-up-bazaar", "perfume")
    token = token_for(c, "/editor/story/pop-up-bazaar")
    url = f"/editor/story/pop-up-bazaar/segment/{sid}/redact-words"
    ask = c.post(url, data={"csrf_token": token, "version": version, "first": at + 1, "last": at + 1})
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "perfume" in page.lower() and "Ja, deze woorden afschermen" in page
    with a.session() as s:
        assert not any(x.redacted for x in a.story(s, "pop-up-bazaar").segments)  # asking changed nothing
    bad = c.post(url, data={"csrf_token": token, "version": version, "first": n + 3, "last": n + 4})
    assert bad.status_code == 302  # back to the passage, with the message
    assert f"Kies woorden tussen 1 en {n}" in c.get("/editor/story/pop-up-bazaar").get_data(as_text=True)
    done = c.post(url, data={"csrf_token": token, "version": version, "first": at + 1, "last": at + 1, "confirm": "1"})
    assert done.status_code == 302
    editor_page = c.get("/editor/story/pop-up-bazaar").get_data(as_text=True)
    assert "alleen die woorden zijn verborgen" in editor_page and "s gedempt" in editor_page  # the history says what
    assert a.index.search("perfume", EVERYONE).total == 0


def test_workspace_inserts_text_and_redoes_a_stretch(editor_client, archive_copy):
    import re

    from helpers import token_for

    a, c = archive_copy, editor_client
    with a.session() as s:
        gap, other = make_gap(s, a.story(s, "het-koor"))
        gap_start, gap_end, other_id = gap.start, gap.end, other.id
    token = token_for(c, "/editor/story/het-koor")
    r = c.post("/editor/story/het-koor/insert", data={
        "csrf_token": token, "start": f"{gap_start:.2f}", "end": f"{(gap_start + gap_end) / 2:.2f}",
        "text": "Tot ziens allemaal"})
    assert r.status_code == 302 and a.index.search("allemaal", EVERYONE).total == 1
    overlap = c.post("/editor/story/het-koor/insert", data={
        "csrf_token": token, "start": f"{other.start:.2f}", "end": f"{other.end:.2f}", "text": "Dubbel"},
        headers={"Accept": "application/json"})
    assert overlap.status_code == 409 and "00:" in overlap.get_json()["error"]
    bad_time = c.post("/editor/story/het-koor/insert", data={"csrf_token": token, "start": "gisteren", "end": "1:00",
                                                             "text": "x"}, headers={"Accept": "application/json"})
    assert bad_time.status_code == 400 and "1:15" in bad_time.get_json()["error"]

    form = c.get(f"/editor/story/het-koor/redo?from={other_id}").get_data(as_text=True)
    assert 'name="until"' in form and 'name="language"' in form and 'name="vocabulary"' in form
    shown = c.post("/editor/story/het-koor/redo", data={
        "csrf_token": token, "from": other_id, "until": other_id, "language": "nl", "vocabulary": "1"})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Voorstel overnemen" in page
    proposal = re.search(r'name="proposal" value="([^"]+)"', page).group(1)
    forged = c.post("/editor/story/het-koor/redo/accept", data={"csrf_token": token, "proposal": proposal[:-3] + "abc"})
    assert forged.status_code == 302
    with a.session() as s:
        assert "redo" not in [e.action for e in TranscriptEditor(a, s, "het-koor", "").history()]
    ok = c.post("/editor/story/het-koor/redo/accept", data={"csrf_token": token, "proposal": proposal})
    assert ok.status_code == 302
    with a.session() as s:
        assert TranscriptEditor(a, s, "het-koor", "").history()[0].action == "redo"
    again = c.post("/editor/story/het-koor/redo/accept", data={"csrf_token": token, "proposal": proposal},
                   headers={"Accept": "application/json"})
    assert again.status_code == 409  # the same proposal twice: the passages it replaced are gone


def test_cli_insert_redact_and_redo(archive_copy, model_dir):
    from helpers import run_cli

    a = archive_copy
    home = a.settings.home
    with a.session() as s:
        story = a.story(s, "het-koor")
        segs = sorted(story.segments, key=lambda x: x.start)
        first, last = segs[0], segs[-1]
        n_first = len(first.words)
    r = run_cli("transcript", "insert", "het-koor", "Dit staat er al", "--from", "0:00", "--to", f"{first.end:.1f}",
                home=home, model_dir=model_dir)
    assert r.returncode == 9 and "overlaps the passage" in r.stderr, r.stderr
    r = run_cli("transcript", "redact", "het-koor", "--at", f"{first.start + 0.2:.1f}", "--words", f"1-{min(2, n_first)}",
                "--user", "esseline", home=home, model_dir=model_dir)
    assert r.returncode == 0 and "redacted 00:" in r.stdout, r.stderr
    r = run_cli("transcript", "redact", "het-koor", "--at", "gisteren", home=home, model_dir=model_dir)
    assert r.returncode == 2 and "not a time" in r.stderr
    r = run_cli("transcript", "redo", "het-koor", "--from", f"{last.start:.1f}", "--to", f"{last.end:.1f}",
                "--language", "nl", home=home, model_dir=model_dir, input="n\n")
    assert r.returncode == 0 and "proposed:" in r.stdout and r.stdout.rstrip().endswith("unchanged"), r.stdout + r.stderr
    r = run_cli("transcript", "redo", "het-koor", "--from", f"{last.start:.1f}", "--to", f"{last.end:.1f}", "--yes",
                home=home, model_dir=model_dir)
    assert r.returncode == 0 and "replaced" in r.stdout, r.stderr
    with a.session() as s:
        story = a.story(s, "het-koor")
        assert any(x.redacted for x in story.segments)
        assert [e.action for e in TranscriptEditor(a, s, "het-koor", "").history()][:2] == ["redo", "redact"]
