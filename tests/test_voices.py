"""Speakers in the editors' workspace (issue 12, item 1): voices named, merged and swapped, a passage's
speaker set by hand, history and revert, conflicts, the exports, the web forms and the CLI.

The speakers stage's data is written here directly (Story.voices / turns, Segment.voice), so these tests
do not depend on the diarization itself: pop-up-bazaar's passages alternate between voices A and B.
"""

from __future__ import annotations

import json

import pytest

from helpers import csrf_of, run_cli
from verhalen import exports
from verhalen.catalog import Segment, SegmentEdit
from verhalen.editing import TranscriptEditor, relabel_turns, split_words, voice_rows
from verhalen.speakers import talk_times
from verhalen.errors import Conflict, NotFound, StaleVersion, UsageError

SLUG = "pop-up-bazaar"


def give_voices(archive, slug: str = SLUG, names: dict | None = None) -> dict:
    """Voices as the speakers stage leaves them: passages alternate A, B, A, ...; one turn per passage; names
    guessed ("by": "auto") from `names`. Returns {voice: [segment ids]}."""
    names = names or {}
    with archive.session() as s:
        story = archive.story(s, slug)
        # As the stage does at speaker changes: the passages cut by word times, here into four at least.
        while len(story.segments) < 4:
            longest = max(story.segments, key=lambda x: len(x.words or []))
            assert len(longest.words) >= 2, "the demo story needs words to cut its passages at"
            first, second = split_words(longest.as_dict(), len(longest.words) // 2)
            for k in ("end", "words", "text"):
                setattr(longest, k, first[k])
            story.segments.append(Segment(**{k: v for k, v in second.items() if k != "id"}))
            s.flush()
            s.expire(story, ["segments"])
        segs = sorted(story.segments, key=lambda x: x.start)
        out: dict[str, list[int]] = {"A": [], "B": []}
        for i, seg in enumerate(segs):
            seg.voice = "AB"[i % 2]
            seg.speaker = names.get(seg.voice)
            out[seg.voice].append(seg.id)
        story.turns = [[x.start, x.end, x.voice] for x in segs]
        story.voices = {v: {"name": names.get(v), "by": "auto"} for v in "AB"}
        s.commit()
    return out


@pytest.fixture
def voiced(archive_copy):
    ids = give_voices(archive_copy)
    return archive_copy, ids


def _story(archive, s):
    return archive.story(s, SLUG)


# -- pure ---------------------------------------------------------------------------------------------------

def test_talk_time_share_and_relabelled_turns():
    turns = [[0.0, 4.0, "A"], [4.0, 5.0, "B"], [5.0, 8.0, "A"], [9.0, 11.0, "C"]]
    assert talk_times(turns) == {"A": 7.0, "B": 1.0, "C": 2.0}
    rows = voice_rows({"A": {"name": "Basma", "by": "editor"}, "B": {"name": None, "by": "auto"},
                       "C": {"name": None, "by": "auto"}}, turns)
    assert [(r["voice"], r["name"], r["by"], r["seconds"]) for r in rows] == [
        ("A", "Basma", "editor", 7.0), ("B", None, "auto", 1.0), ("C", None, "auto", 2.0)]
    assert rows[0]["share"] == pytest.approx(0.7)
    # B was A all along: its turn joins its neighbours into one; C's stays apart (a pause between).
    assert relabel_turns(turns, "B", "A") == [[0.0, 8.0, "A"], [9.0, 11.0, "C"]]


def test_every_export_marks_turns_named_or_not():
    segs = [{"start": 0.0, "end": 2.0, "text": " Welkom.", "speaker": None, "voice": "A"},
            {"start": 2.0, "end": 4.0, "text": " Dank je.", "speaker": "Basma", "voice": "B"},
            {"start": 4.0, "end": 6.0, "text": " Vertel.", "speaker": None, "voice": "A"},
            {"start": 6.0, "end": 7.0, "text": " Tekst van een mens.", "speaker": None, "voice": None}]
    vtt, srt, txt = (exports.render(f, segs, "t") for f in ("vtt", "srt", "txt"))
    assert "<v Speaker A>Welkom." in vtt and "<v Basma>Dank je." in vtt and "<v Speaker A>Vertel." in vtt
    assert "\nTekst van een mens." in vtt  # no voice, no name: no voice tag
    assert "Speaker A: Welkom." in srt and "Basma: Dank je." in srt
    assert "[00:00] Speaker A: Welkom." in txt and "[00:02] Basma: Dank je." in txt and "[00:06] Tekst" in txt
    body = json.loads(exports.render("json", segs, "t", {"title": "t"}))
    assert [x.get("speaker") for x in body["segments"]] == ["Speaker A", "Basma", "Speaker A", None]
    # Read back: the voices become speakers again.
    assert [x["speaker"] for x in exports.parse_cues(vtt)] == ["Speaker A", "Basma", "Speaker A", None]


# -- the core, through the catalog ----------------------------------------------------------------------------

def test_naming_a_voice_names_its_passages_except_one_set_by_hand(voiced):
    archive, ids = voiced
    with archive.session() as s:
        ed = TranscriptEditor(archive, s, SLUG, "esseline")
        fixed = ids["A"][1] if len(ids["A"]) > 1 else ids["A"][0]
        ed.set_speaker([fixed], "Karim")
        version = ed.story.meta_version
        ed.name_voice("A", "  basma ", version)  # the story's narrator, spelled as credited
        story = _story(archive, s)
        assert story.voices["A"] == {"name": "Basma", "by": "editor"} and story.voices["B"]["name"] is None
        assert story.meta_version == version + 1
        by_id = {x.id: x for x in story.segments}
        assert all(by_id[i].speaker == "Basma" for i in ids["A"] if i != fixed)
        assert by_id[fixed].speaker == "Karim" and by_id[fixed].speaker_fixed
        assert all(by_id[i].speaker is None for i in ids["B"])
        # A new name, not one of the story's people, is fine too.
        ed.name_voice("B", "Amal Haddad")
        assert {x.speaker for x in _story(archive, s).segments if x.voice == "B"} == {"Amal Haddad"}
        # The history shows the real before and after of the voices.
        edit = ed.history()[1]
        assert edit.action == "voice-name"
        assert edit.before[-1]["story_voices"]["A"]["name"] is None and edit.after[-1]["story_voices"]["A"]["name"] == "Basma"
        assert {d["id"] for d in edit.after[:-1]} == set(ids["A"]) - {fixed}
        # Giving the passage back to its voice: it takes the voice's name, and follows it from now on.
        seg = s.get(type(by_id[fixed]), fixed)
        ed.release_speaker([fixed], {fixed: seg.version})
        assert seg.speaker == "Basma" and not seg.speaker_fixed
        with pytest.raises(UsageError, match="at most"):
            ed.name_voice("A", "x" * 500)
        with pytest.raises(NotFound, match="its voices are A, B"):
            ed.name_voice("C", "Niemand")
    # The exports read the names (the podcast JSON transcript's `speaker` too).
    with archive.session() as s:
        body = json.loads(exports.render("json", exports.rows(_story(archive, s).segments), "t", {}))
    assert {x["speaker"] for x in body["segments"]} == {"Basma", "Amal Haddad"}


def test_merge_and_swap_then_revert_them(voiced):
    archive, ids = voiced
    with archive.session() as s:
        ed = TranscriptEditor(archive, s, SLUG, "esseline")
        ed.name_voice("A", "Esseline")
        ed.name_voice("B", "Basma")
        hand = ids["B"][0]
        ed.set_speaker([hand], "Karim")
        # The guess was the wrong way round: swap.
        ed.swap_voices("A", "B")
        story = _story(archive, s)
        assert (story.voices["A"]["name"], story.voices["B"]["name"]) == ("Basma", "Esseline")
        by_id = {x.id: x for x in story.segments}
        assert {by_id[i].speaker for i in ids["A"]} == {"Basma"}
        assert {by_id[i].speaker for i in ids["B"] if i != hand} == {"Esseline"} and by_id[hand].speaker == "Karim"
        turns_before = [list(t) for t in story.turns]
        # One person heard as two voices: merge B into A.
        ed.merge_voices("B", "A")
        story = _story(archive, s)
        assert set(story.voices) == {"A"} and story.voices["A"]["name"] == "Basma"
        assert {x.voice for x in story.segments} == {"A"}
        assert len(story.turns) == 1 and story.turns[0][2] == "A"  # the alternating turns are one now
        assert story.turns[0][:2] == [turns_before[0][0], turns_before[-1][1]]
        assert by_id[hand].speaker == "Karim"
        assert {x.speaker for x in story.segments if x.id != hand} == {"Basma"}
        merge = ed.history()[0]
        assert merge.action == "merge-voices" and merge.after[-1]["merged"] == {"B": "A"}
        swap = ed.history()[1]
        with pytest.raises(Conflict, match="revert the later change first"):
            ed.revert(swap.id)
        ed.revert(merge.id)
        story = _story(archive, s)
        assert set(story.voices) == {"A", "B"} and story.turns == turns_before
        assert {x.voice for x in story.segments if x.id in ids["B"]} == {"B"}
        assert {x.speaker for x in story.segments if x.id in ids["B"] and x.id != hand} == {"Esseline"}
        ed.revert(swap.id)
        story = _story(archive, s)
        assert (story.voices["A"]["name"], story.voices["B"]["name"]) == ("Esseline", "Basma")
        assert {x.speaker for x in story.segments if x.id in ids["A"]} == {"Esseline"}
        with pytest.raises(UsageError, match="not into itself"):
            ed.merge_voices("A", "A")


def test_a_stale_page_conflicts_instead_of_overwriting(voiced):
    archive, ids = voiced
    with archive.session() as s:
        story = _story(archive, s)
        opened = story.meta_version
        seg = next(x for x in story.segments if x.id == ids["A"][0])
        seg_version = seg.version
    with archive.session() as s:
        TranscriptEditor(archive, s, SLUG, "karim").name_voice("A", "Basma", opened)
    with archive.session() as s:
        ed = TranscriptEditor(archive, s, SLUG, "esseline")
        with pytest.raises(StaleVersion, match="speakers of 'Pop-up bazaar' were changed"):
            ed.name_voice("A", "Esseline", opened)  # from the page opened before karim's change
        with pytest.raises(StaleVersion, match="changed by karim"):
            ed.edit_text(seg.id, "Iets anders", seg_version)  # a passage open from before: its version moved on
    with archive.session() as s:
        story = _story(archive, s)
        assert story.voices["A"]["name"] == "Basma"
        assert {x.speaker for x in story.segments if x.voice == "A"} == {"Basma"}


# -- the web forms, through the real app ---------------------------------------------------------------------

def _page(client) -> str:
    r = client.get(f"/editor/story/{SLUG}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _meta_version(page: str) -> str:
    import re
    return re.search(r'name="meta_version" value="(\d+)"', page).group(1)


def test_the_speakers_panel_names_merges_swaps_and_sets_one_passage(workspace, editor_client):
    archive = workspace.archive
    ids = give_voices(archive, names={"A": "Esseline"})
    page = _page(editor_client)
    assert 'id="sprekers"' in page and "Spreker B" in page and "nog geen naam" in page
    assert "(geraden)" in page  # A's name is the stage's guess
    with archive.session() as s:
        total = sum(t[1] - t[0] for t in _story(archive, s).turns)
        share_a = round(100 * sum(t[1] - t[0] for t in _story(archive, s).turns if t[2] == "A") / total)
    assert f"({share_a}%)" in page
    token, version = csrf_of(page), _meta_version(page)
    # B gets the narrator's name from the select.
    r = editor_client.post(f"/editor/story/{SLUG}/voices/name", data={
        "csrf_token": token, "meta_version": version, "voice": "B", "person": "Basma", "name": ""})
    assert r.status_code == 302 and r.headers["Location"].endswith("#sprekers")
    page = _page(editor_client)
    assert "Spreker B heet nu Basma." in page and "(door de redactie)" in page
    # The history names the change with the real before and after.
    assert "naam van een spreker" in page and "Spreker B: <del>geen naam</del> → <ins>Basma</ins>" in page
    # A second tab still showing the old version: refused, in Dutch and English, nothing changed.
    r = editor_client.post(f"/editor/story/{SLUG}/voices/name", data={
        "csrf_token": token, "meta_version": version, "voice": "A", "name": "Karim"})
    page = _page(editor_client)
    assert "De sprekers van dit verhaal zijn intussen gewijzigd door esseline" in page
    r = editor_client.post(f"/editor/story/{SLUG}/voices/name?lang=en", data={
        "csrf_token": token, "meta_version": version, "voice": "A", "name": "Karim"},
        headers={"Accept": "application/json"})
    assert r.status_code == 409 and "The speakers of this story were changed by esseline" in r.get_json()["error"]
    english = _page(editor_client)  # the language asked for stays (a cookie)
    assert "Voices in this story" in english and "Talk time" in english and "Name Speaker A" in english
    editor_client.get("/editor/?lang=nl")
    version = _meta_version(_page(editor_client))
    # Swap, then merge.
    editor_client.post(f"/editor/story/{SLUG}/voices/swap", data={
        "csrf_token": token, "meta_version": version, "a": "A", "b": "B"})
    page = _page(editor_client)
    assert "De namen van Spreker A en Spreker B zijn omgewisseld." in page
    with archive.session() as s:
        story = _story(archive, s)
        assert {x.speaker for x in story.segments if x.voice == "A"} == {"Basma"}
    r = editor_client.post(f"/editor/story/{SLUG}/voices/merge", data={
        "csrf_token": token, "meta_version": _meta_version(page), "voice": "A", "into": "A"})
    assert "Spreker A kan niet met zichzelf worden samengevoegd" in _page(editor_client)
    editor_client.post(f"/editor/story/{SLUG}/voices/merge", data={
        "csrf_token": token, "meta_version": _meta_version(page), "voice": "B", "into": "A"})
    page = _page(editor_client)
    assert "Spreker B is samengevoegd met Spreker A." in page and "samengevoegd met Spreker A" in page
    with archive.session() as s:
        assert set(_story(archive, s).voices) == {"A"}
        merge = s.query(SegmentEdit).filter_by(action="merge-voices").one()
    # Public transcript downloads carry the names.
    vtt = editor_client.get(f"/media/{SLUG}/transcript.vtt").get_data(as_text=True)
    assert "<v Basma>" in vtt and "<v Esseline>" not in vtt
    # Undone from the history: two voices again, B's passages Esseline's once more.
    editor_client.post(f"/editor/story/{SLUG}/revert/{merge.id}", data={"csrf_token": token})
    assert "De wijziging is teruggedraaid." in _page(editor_client)
    with archive.session() as s:
        story = _story(archive, s)
        assert set(story.voices) == {"A", "B"}
        assert {x.speaker for x in story.segments if x.id in ids["B"]} == {"Esseline"}

    # One passage's speaker set by hand: renaming its voice leaves it; "Terug naar Spreker A" gives it back.
    page = _page(editor_client)
    sid = ids["A"][0]
    with archive.session() as s:
        version = s.get(Segment, sid).version
    r = editor_client.post(f"/editor/story/{SLUG}/segment/{sid}/speaker", data={
        "csrf_token": token, "version": version, "speaker": "Karim"})
    assert r.status_code == 302
    page = _page(editor_client)
    assert "spreker met de hand gezet" in page and "Terug naar Spreker A" in page
    editor_client.post(f"/editor/story/{SLUG}/voices/name", data={
        "csrf_token": token, "meta_version": _meta_version(page), "voice": "A", "name": "Fatima"})
    with archive.session() as s:
        seg = s.get(Segment, sid)
        assert seg.speaker == "Karim" and seg.speaker_fixed
        assert {x.speaker for x in _story(archive, s).segments if x.voice == "A" and x.id != sid} == {"Fatima"}
        version = seg.version
    r = editor_client.post(f"/editor/story/{SLUG}/segment/{sid}/speaker", data={
        "csrf_token": token, "version": version, "speaker": "Karim", "release": "1"},
        headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.get_json()["segments"][0]["speaker"] == "Fatima"
    assert r.get_json()["message"] == "De passage volgt weer Spreker A."




# -- the CLI, through a real subprocess -------------------------------------------------------------------------

def test_cli_lists_names_merges_and_swaps(voiced):
    archive, ids = voiced
    home = archive.settings.home
    r = run_cli("transcript", "speakers", SLUG, "--name", "A=Amal Haddad", "--name", "B=basma", "--user", "script",
                home=home)
    assert r.returncode == 0, r.stderr
    lines = [line.split("\t") for line in r.stdout.splitlines()]
    assert [x[:3] for x in lines] == [["A", "Amal Haddad", "editor"], ["B", "Basma", "editor"]]
    assert sum(int(x[4].rstrip("%")) for x in lines) in (99, 100, 101) and all(":" in x[3] for x in lines)
    # The same command in this process (a subprocess costs seconds of imports): swap, and a wrong --swap.
    from click.testing import CliRunner

    from verhalen.cli import cli

    r = CliRunner().invoke(cli, ["--home", str(home), "transcript", "speakers", SLUG, "--swap", "A,B"])
    assert r.exit_code == 0 and r.output.splitlines()[-2].startswith("A\tBasma\teditor\t"), r.output
    r = CliRunner().invoke(cli, ["--home", str(home), "transcript", "speakers", SLUG, "--swap", "A"])
    assert isinstance(r.exception, UsageError) and "--swap takes A,B" in str(r.exception)  # exit 2 from `verhalen`
    # Each change is its own: the first merge lands, the second names a voice that is not there.
    r = run_cli("transcript", "speakers", SLUG, "--merge", "B=A", "--merge", "C=A", home=home)
    assert r.returncode == 4 and "has no voice 'C'; its voices are A" in r.stderr, r.stderr
    with archive.session() as s:
        story = _story(archive, s)
        assert set(story.voices) == {"A"} and {x.speaker for x in story.segments} == {"Basma"}
        edits = list(s.query(SegmentEdit).filter_by(story_id=story.id).order_by(SegmentEdit.id))
        assert [e.action for e in edits] == ["voice-name", "voice-name", "swap-voices", "merge-voices"]
        assert edits[0].user == "script"


def test_a_name_given_in_the_workspace_survives_the_speakers_stage(archive_copy):
    """Through the real speakers stage (verhalen.speakers): the demo story's voices as it found them, one named
    by an editor and a passage set by hand, then the stage again: both choices stay."""
    from verhalen.pipeline import run

    with archive_copy.session() as s:
        story = _story(archive_copy, s)
        assert story.stage("speakers").state == "done" and story.voices, "the demo ingest ran the speakers stage"
        sid, voice = story.id, sorted(story.voices)[0]
        ed = TranscriptEditor(archive_copy, s, SLUG, "esseline")
        first = next(x for x in story.segments if x.voice == voice)
        ed.split(first.id, len(first.words) // 2, first.version)  # two passages of that voice
        ed.name_voice(voice, "Basma", ed.story.meta_version)
        hand = next(x for x in _story(archive_copy, s).segments if x.voice == voice)
        ed.set_speaker([hand.id], "Karim", {hand.id: hand.version})
        hand_id = hand.id
    run(archive_copy, sid, redo=("speakers",))
    with archive_copy.session() as s:
        story = _story(archive_copy, s)
        named = [v for v, e in story.voices.items() if e == {"name": "Basma", "by": "editor"}]
        assert len(named) == 1, story.voices
        assert s.get(Segment, hand_id).speaker == "Karim"
        assert {x.speaker for x in story.segments if x.voice == named[0] and x.id != hand_id} == {"Basma"}
