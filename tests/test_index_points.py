"""The story index (table of contents): the draft (verhalen.draft_index), editors' changes with history and
conflicts (verhalen.index_points), and its outputs: Podcasting 2.0 chapters JSON and a WebVTT chapters track
through the real app, `verhalen contents` and the workspace page.

One real recording: two clearly different subjects (a bakery, then a football club) spoken by espeak-ng into
tmp_path, ingested with the real model; the boundary must land between them.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess

import pytest
import webvtt

from helpers import PASSWORD, csrf_of, login, run_cli
from verhalen import draft_index, index_points
from verhalen.catalog import IndexEdit
from verhalen.errors import StaleVersion, UsageError
from verhalen.pipeline import StoryMeta, ingest

BAKERY = ("My grandfather opened the bakery on the corner in nineteen sixty. Every morning he baked bread before five "
          "o'clock. The oven was heated with wood, and the flour came from the mill by the river. He kneaded the "
          "dough by hand, and the smell of fresh bread filled the whole street. Customers came for his rye bread and "
          "his sweet raisin buns. On Saturdays the bakery sold apple pies, and the queue reached the church. My "
          "mother helped him weigh the flour and shape the loaves. When the new oven arrived, the bakery could bake "
          "twice as much bread. The baker's trade was hard work, but he loved the warm oven and the quiet hours "
          "before dawn. Later my uncle took over the bakery and kept the old recipes for rye bread and raisin buns.")
FOOTBALL = ("Then the football club changed everything for our family. My brother joined the football club when he "
            "was eight. The team trained on the field behind the school every Tuesday and Thursday. The coach was "
            "strict about passing the ball and running back to defend. In his first season the team lost almost "
            "every match, but the players kept training. Two years later they won the regional cup after a penalty "
            "shootout. My brother scored the winning goal with his left foot, and the whole stadium cheered. The "
            "club bought new shirts and a new goal for the training field. Every Sunday we drove to away matches in "
            "other towns and watched the players fight for the ball. The football club is still there, and the "
            "coach still shouts at the players to pass the ball.")


def _segments(text: str, start: float, seconds_per_sentence: float = 5.0, speaker: str | None = None) -> list[dict]:
    out, t = [], start
    for sentence in re.split(r"(?<=\.)\s+", text):
        out.append({"start": t, "end": t + seconds_per_sentence - 0.4, "text": " " + sentence, "speaker": speaker,
                    "words": []})
        t += seconds_per_sentence
    return out


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


# -- the draft, pure -------------------------------------------------------------------------------


def test_the_draft_cuts_between_two_subjects_and_names_each_from_its_own_words():
    bakery = _segments(BAKERY, 0.0)
    football = _segments(FOOTBALL, bakery[-1]["start"] + 5.0)
    segs = bakery + football
    points = draft_index.propose(segs, segs[-1]["end"] + 1, "en")
    assert [p["start"] for p in points] == [0.0, football[0]["start"]], points
    first, second = points
    assert "bread" in _norm(first["title"] + " " + " ".join(first["keywords"])) or "bakery" in _norm(first["title"])
    assert "football" in _norm(second["title"]) or "club" in _norm(second["title"])
    # Nothing invented: titles, keywords and synopses are words said in their own part.
    for point, part in ((first, BAKERY), (second, FOOTBALL)):
        said = " " + _norm(part) + " "
        assert point["title"][:1].isupper()
        assert f" {_norm(point['title'])} " in said
        assert all(f" {_norm(k)} " in said for k in point["keywords"]) and 1 <= len(point["keywords"]) <= 4
        assert point["synopsis"] and _norm(point["synopsis"]) in _norm(part)
    assert draft_index.propose(segs, segs[-1]["end"] + 1, "en") == points, "deterministic"


def test_a_short_clip_gets_one_point_and_redacted_or_guard_text_is_never_evidence():
    clip = _segments("At the pop up bazaar, new residents sold perfume, jewellery and hand made bags. Many visitors "
                     "came back the next week to meet the makers again.", 0.0)
    points = draft_index.propose(clip, 10.2, "en")
    assert len(points) == 1 and points[0]["start"] == 0.0
    secret = {"start": 10.5, "end": 14.0, "text": " Zeppelin zeppelin secret zeppelin address.", "redacted": True}
    rescue = {"start": 14.5, "end": 18.0, "text": " Marmalade marmalade marmalade.", "guard": "loop"}
    gap = {"start": 18.5, "end": 20.0, "text": "", "guard": "gap"}
    points = draft_index.propose(clip + [secret, rescue, gap], 20.0, "en")
    shown = json.dumps(points).lower()
    assert "zeppelin" not in shown and "marmalade" not in shown and len(points) == 1
    assert draft_index.propose([secret, gap], 20.0, "en") == [], "nothing to name a part by: no point"


def test_parts_are_long_enough_and_the_density_is_capped():
    # Subjects alternate every 20 s: too short for parts of their own (MIN_PART_SECONDS).
    segs, t = [], 0.0
    for _ in range(3):
        for text in (BAKERY.split(". ")[:4], FOOTBALL.split(". ")[:4]):
            for sentence in text:
                segs.append({"start": t, "end": t + 4.6, "text": " " + sentence + "."})
                t += 5.0
    points = draft_index.propose(segs, t, "en")
    starts = [p["start"] for p in points]
    assert starts[0] == 0.0 and all(b - a >= draft_index.MIN_PART_SECONDS for a, b in zip(starts, starts[1:]))
    assert len(points) - 1 <= round(t / draft_index.MEAN_PART_SECONDS)


def test_a_point_starts_at_the_question_that_opened_the_new_subject():
    bakery = _segments(BAKERY, 0.0, speaker="Anna")
    # The interviewer's question has none of the new subject's words, and the answer takes two sentences to
    # leave the bakery: the words change at "Then the football club", but the part begins with the question.
    question = {"start": bakery[-1]["end"] + 0.5, "end": bakery[-1]["end"] + 3.0, "speaker": "Piet",
                "text": " And what happened after that?"}
    answer = _segments("The bakery stayed with my uncle. He still bakes the rye bread in the old oven. " + FOOTBALL,
                       question["end"] + 0.5, speaker="Anna")
    segs = bakery + [question] + answer
    points = draft_index.propose(segs, segs[-1]["end"], "en")
    assert [p["start"] for p in points] == [0.0, question["start"]]
    assert draft_index.propose([{**x, "speaker": None} for x in segs], segs[-1]["end"], "en")[1]["start"] == \
        answer[2]["start"], "without speakers: where the words change"


# -- one real recording: espeak-ng, the real model, the real app and CLI -----------------------------------


@pytest.fixture
def two_subjects(archive, tmp_path):
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng makes the two-subject recording: apt-get install espeak-ng"
    wav = tmp_path / "twee_onderwerpen.wav"
    subprocess.run([espeak, "-v", "en", "-s", "150", "-w", str(wav), BAKERY + "\n" + FOOTBALL], check=True)
    story = ingest(archive, wav, StoryMeta(title="Bakery and football", series="Twee", language="en"))
    with archive.session() as s:
        st = archive.story(s, story.slug)
        index_points.refresh(s, st, archive.settings)
        s.commit()
    return archive, story.slug


def test_a_real_two_subject_recording_gets_two_points_served_as_chapters(two_subjects, make_app, model_dir):
    archive, slug = two_subjects
    with archive.session() as s:
        st = archive.story(s, slug)
        points = [p.as_dict() for p in st.index_points]
        segments = sorted(st.segments, key=lambda x: x.start)
        duration = st.recording.duration
        transcript = " ".join(x.text for x in segments)
    assert [p["source"] for p in points] == ["draft", "draft"], points
    # Where the words change: after the last bakery sentence ("...raisin buns"), at "Then the football club".
    turn = next(x for x in segments if "football" in x.text.lower())
    assert points[0]["start"] == 0.0 and points[1]["start"] == turn.start, (points, turn.text)
    assert 40 < turn.start < 55
    for p in points:
        assert _norm(p["title"]) in _norm(transcript) and _norm(p["synopsis"]) in _norm(transcript)
    assert "football" in _norm(points[1]["title"] + " " + " ".join(points[1]["keywords"]))

    app = make_app(archive)
    c = app.test_client()
    r = c.get(f"/media/{slug}/chapters.json")
    assert r.status_code == 200 and r.content_type == "application/json+chapters"
    doc = json.loads(r.data)
    assert doc["version"] == "1.2.0" and [ch["title"] for ch in doc["chapters"]] == [p["title"] for p in points]
    starts = [ch["startTime"] for ch in doc["chapters"]]
    assert starts == sorted(starts) and all(isinstance(x, float) for x in starts)
    r = c.get(f"/media/{slug}/chapters.vtt")
    assert r.status_code == 200 and r.mimetype == "text/vtt" and r.headers["Access-Control-Allow-Origin"] == "*"
    cues = list(webvtt.from_buffer(io.StringIO(r.get_data(as_text=True))))
    assert [c.text for c in cues] == [p["title"] for p in points]
    assert cues[0].start == "00:00:00.000" and cues[0].end == cues[1].start
    h, m, sec = cues[1].end.split(":")
    assert abs(int(h) * 3600 + int(m) * 60 + float(sec) - duration) < 0.002, "the last cue ends with the recording"
    feed = c.get("/serie/twee/feed.xml").get_data(as_text=True)
    assert f"/media/{slug}/chapters.json" in feed and 'type="application/json+chapters"' in feed

    # A passage redacted after the draft was made never speaks through it: that point leaves the outputs.
    with archive.session() as s:
        st = archive.story(s, slug)
        said = next(x for x in st.segments if _norm(points[1]["synopsis"]) in _norm(x.text))
        said.redacted = True
        s.commit()
    doc = json.loads(c.get(f"/media/{slug}/chapters.json").data)
    assert [ch["title"] for ch in doc["chapters"]] == [points[0]["title"]]

    # The command line: add (with a place; it lists the index after), and a refusal in words.
    home = archive.settings.home
    r = run_cli("contents", slug, "--add", "1:10", "--title", "De beker", "--place", "Rotterdam", "--lat", "51.92",
                "--lon", "4.48", home=home, model_dir=model_dir)
    assert r.returncode == 0 and re.search(r"\t01:10\teditor\tDe beker\t-\tRotterdam \(51\.92, 4\.48\)", r.stdout), r
    assert f"\t00:47\tdraft\t{points[1]['title']}\t" in r.stdout or f"\tdraft\t{points[1]['title']}\t" in r.stdout
    r = run_cli("contents", slug, "--add", "59:00", "--title", "Te laat", home=home, model_dir=model_dir)
    assert r.returncode == 2 and "inside the recording (00:00-01:36)" in r.stderr
    doc = json.loads(c.get(f"/media/{slug}/chapters.json").data)
    beker = doc["chapters"][-1]
    assert beker == {"startTime": 70.0, "title": "De beker", "location": {"name": "Rotterdam", "geo": "geo:51.92,4.48"}}
    # `verhalen export --format chapters` writes what the chapters route serves.
    r = run_cli("export", slug, "--format", "chapters", home=home, model_dir=model_dir)
    assert r.returncode == 0 and json.loads(r.stdout) == doc, r.stderr


# -- the file's chapter marks, editors' changes ----------------------------------------------------------


def test_file_chapters_win_over_the_draft(archive_copy):
    with archive_copy.session() as s:
        st = archive_copy.story(s, "het-koor")
        st.chapters = [{"start": 0.0, "title": "Het begin"}, {"start": 4.0, "title": "Dinsdag"}]
        index_points.refresh(s, st, archive_copy.settings)
        s.commit()
        assert [(p.start, p.title, p.source) for p in st.index_points] == [(0.0, "Het begin", "file"),
                                                                          (4.0, "Dinsdag", "file")]
        index_points.IndexEditor(s, st, "esseline").redraft(archive_copy.settings)
        assert [p.source for p in archive_copy.story(s, "het-koor").index_points] == ["file", "file"], "no draft"


def test_editors_add_edit_move_merge_delete_with_history_and_a_conflict(archive_copy):
    with archive_copy.session() as s:
        st = archive_copy.story(s, "pop-up-bazaar")
        index_points.refresh(s, st, archive_copy.settings)
        s.commit()
        (draft,) = st.index_points
        assert draft.source == "draft" and draft.start == 0.0
        ed = index_points.IndexEditor(s, st, "esseline")
        added = ed.add(5.5, "Sieraden", keywords="sieraden, Sieraden, tassen", place="Rotterdam", latitude=51.9225,
                       longitude=4.47917)
        assert added.keywords == ["sieraden", "tassen"] and added.source == "editor"
        v = draft.version
        ed.edit(draft.id, v, title="De markt", synopsis="Nieuwe bewoners verkopen hun waren.")
        assert draft.source == "editor" and draft.version == v + 1
        with pytest.raises(StaleVersion):  # a save from the page as it was before that edit
            ed.edit(draft.id, v, title="Iets anders")
        for bad in (dict(latitude=91, longitude=4), dict(latitude=51, longitude=-181)):
            with pytest.raises(UsageError, match="outside"):
                ed.edit(added.id, added.version, **bad)
        with pytest.raises(UsageError, match="both a latitude and a longitude"):
            ed.edit(draft.id, draft.version, latitude=51)
        with pytest.raises(UsageError, match="inside the recording"):
            ed.move(added.id, added.version, 99.0)
        with pytest.raises(UsageError, match="already an index point at 00:00"):
            ed.add(0.2, "Dubbel")
        ed.move(added.id, added.version, 6.0)
        merged = ed.merge_with_next(draft.id, draft.version)
        assert merged.title == "De markt" and merged.keywords[-2:] == ["sieraden", "tassen"]
        assert merged.place == "Rotterdam" and merged.latitude == 51.9225
        assert [p.id for p in archive_copy.story(s, "pop-up-bazaar").index_points] == [draft.id]
        with pytest.raises(UsageError, match="no next point"):
            ed.merge_with_next(draft.id, merged.version)
        ed.delete(draft.id, merged.version)
        history = [(e.action, e.user) for e in s.query(IndexEdit).order_by(IndexEdit.id)]
        assert history == [(a, "esseline") for a in ("add", "edit", "move", "merge", "delete")]
        merge = s.query(IndexEdit).filter_by(action="merge").one()
        assert [p["title"] for p in merge.before] == ["De markt", "Sieraden"] and merge.after[0]["title"] == "De markt"
        # A new draft: the editors' work stays out of its way (here: none left, so the draft is back).
        ed.redraft(archive_copy.settings)
        assert [p.source for p in archive_copy.story(s, "pop-up-bazaar").index_points] == ["draft"]


@pytest.fixture
def desk(archive_copy, make_app):
    """The app over a writable demo archive with one editor (a password hash costs seconds: one is enough)."""
    from verhalen import users

    with archive_copy.session() as s:
        users.add(s, "esseline", PASSWORD, "editor")
    return make_app(archive_copy)


def test_the_workspace_page_saves_refuses_in_dutch_and_reports_a_conflict(desk):
    archive = desk.archive
    with archive.session() as s:
        st = archive.story(s, "pop-up-bazaar")
        index_points.refresh(s, st, archive.settings)
        s.commit()
        (point,) = st.index_points
        pid, version = point.id, point.version
    esseline = desk.test_client()
    login(esseline, "esseline")
    url = "/editor/story/pop-up-bazaar/contents"
    page = esseline.get(url).get_data(as_text=True)
    assert "Inhoudsopgave" in page and "(voorstel)" in page and f'id="p{pid}"' in page
    token = csrf_of(page)
    r = esseline.post(f"{url}/add", data={"csrf_token": token, "start": "00:07", "title": "Terug",
                                          "latitude": "95", "longitude": "4"}, follow_redirects=True)
    assert "Breedtegraad 95 ligt buiten -90 tot 90." in r.get_data(as_text=True)
    r = esseline.post(f"{url}/add", data={"csrf_token": token, "start": "00:07", "title": "Terug",
                                          "keywords": "bezoekers"}, follow_redirects=True)
    assert "Punt toegevoegd bij 00:07." in r.get_data(as_text=True)
    # A save from the page as it was (another tab, another editor) after a save from it: told who changed it.
    r = esseline.post(f"{url}/{pid}/edit", data={"csrf_token": token, "version": version, "title": "Bazaar"},
                      follow_redirects=True)
    assert "Bewaard." in r.get_data(as_text=True)
    r = esseline.post(f"{url}/{pid}/edit", data={"csrf_token": token, "version": version, "title": "Markt"},
                      follow_redirects=True)
    text = r.get_data(as_text=True)
    assert "De inhoudsopgave is intussen gewijzigd door esseline om" in text and "Jouw wijziging is niet bewaard" in text
    english = esseline.post(f"{url}/{pid}/edit?lang=en", data={"csrf_token": token, "version": version,
                                                                "title": "Markt"}, follow_redirects=True)
    assert "The index was changed in the meantime by esseline at" in english.get_data(as_text=True)
    # Deleting asks first.
    r = esseline.post(f"{url}/{pid}/delete?lang=nl", data={"csrf_token": token, "version": version + 1})
    assert r.status_code == 302 and f"delete={pid}" in r.headers["Location"]
    ask = esseline.get(r.headers["Location"]).get_data(as_text=True)
    assert "Punt verwijderen?" in ask and "‘Bazaar’" in ask
    r = esseline.post(f"{url}/{pid}/delete", data={"csrf_token": token, "version": version + 1, "confirm": "1"},
                      follow_redirects=True)
    page = r.get_data(as_text=True)
    assert "Het punt is verwijderd." in page and "Bazaar" in page, "gone from the points, named in the history"
    assert f'id="p{pid}"' not in page
    anonymous = desk.test_client()
    assert anonymous.get(url).status_code == 302, "the workspace's role check"
    doc = json.loads(anonymous.get("/media/pop-up-bazaar/chapters.json").data)
    assert doc["chapters"] == [{"startTime": 7.0, "title": "Terug"}]
