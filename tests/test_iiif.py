"""IIIF Presentation 3.0 audio manifests (/iiif/<slug>/manifest.json, web/iiif.py + web/iiif_manifest.py).

Every manifest is validated against IIIF's own JSON Schema (tests/schemas/iiif/iiif_3_0.json); what the schema
does not check (the Sound body, the duration, the #t fragments, rights following the licence) is asserted here.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import time
from pathlib import Path

from PIL import Image
from schema_validation import validate_json
from sqlalchemy import select

from helpers import PASSWORD, login
from verhalen import licences, users
from verhalen.catalog import IndexPoint, Person, Segment
from verhalen.web.iiif_manifest import CONTEXT, ManifestData, manifest

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 6, 1)
MEDIA_TYPE = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'


def _get(client, slug: str):
    r = client.get(f"/iiif/{slug}/manifest.json")
    assert r.status_code == 200, (slug, r.status_code, r.get_data(as_text=True)[:300])
    return r, r.get_json(force=True)


def _canvas(m: dict) -> dict:
    assert len(m["items"]) == 1
    return m["items"][0]


def _sound(m: dict) -> dict:
    (page,) = _canvas(m)["items"]
    (anno,) = page["items"]
    assert anno["motivation"] == "painting" and anno["target"] == _canvas(m)["id"]
    return anno["body"]


def _fragments(m: dict) -> list[tuple[float, float]]:
    out = []
    canvas = _canvas(m)["id"]
    for r in m.get("structures", []):
        (item,) = r["items"]
        assert item["type"] == "Canvas" and item["id"].startswith(canvas + "#t=")
        start, end = item["id"].split("#t=")[1].split(",")
        out.append((float(start), float(end)))
    return out


def _make_public(archive, slug: str = "het-koor", **changes) -> None:
    with archive.session() as s:
        st = archive.story(s, slug)
        for key, value in {"access": "public", "published": True, **changes}.items():
            setattr(st, key, value)
        s.commit()


def test_public_story_manifest_validates_and_plays(client, demo_archive):
    r, m = _get(client, "pop-up-bazaar")
    assert r.headers["Content-Type"] == MEDIA_TYPE
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    validate_json(m, "iiif-presentation-3")
    assert m["@context"] == CONTEXT and m["type"] == "Manifest"
    assert m["id"] == "http://localhost/iiif/pop-up-bazaar/manifest.json", "absolute, and the URL it is served at"
    assert m["label"] == {"en": ["Pop-up bazaar"]}, "a language map in the story's language"
    with demo_archive.session() as s:
        duration = demo_archive.story(s, "pop-up-bazaar").recording.duration
    body = _sound(m)
    # The schema takes "Audio" as readily as "Sound"; only "Sound" plays in IIIF viewers.
    assert body["type"] == "Sound" and body["format"] == "audio/mpeg"
    assert body["id"] == "http://localhost/media/pop-up-bazaar/listen.mp3"
    assert body["duration"] == _canvas(m)["duration"] == round(duration, 3) and 9 < duration < 11
    assert m["rights"] == licences.parse("InC").uri, "the archive's default licence: in copyright"
    assert m["requiredStatement"]["value"] == {"none": ["Verhalen"]}
    values = {row["label"]["en"][0]: row["value"] for row in m["metadata"]}
    assert values["Narrator"] == {"none": ["Basma"]} and values["Interviewer"] == {"none": ["Esseline"]}
    assert values["Series"] == {"none": ["Levensverhalen"]} and values["Recorded"] == {"none": ["2024-05-03"]}
    assert values["Places"] == {"none": ["Rotterdam"]} and values["Themes"] == {"none": ["werk"]}
    (page,) = _canvas(m)["annotations"]
    (vtt,) = page["items"]
    assert vtt["motivation"] == "supplementing" and vtt["target"] == _canvas(m)["id"]
    assert vtt["body"]["format"] == "text/vtt" and vtt["body"]["language"] == "en"
    assert client.get(vtt["body"]["id"].replace("http://localhost", "")).mimetype == "text/vtt"
    formats = {x["format"] for x in m["rendering"]}
    assert {"audio/mpeg", "text/vtt", "application/x-subrip", "text/plain"} <= formats
    for x in m["rendering"]:  # every download the manifest offers is there
        assert client.get(x["id"].replace("http://localhost", "")).status_code == 200, x
    assert m["homepage"][0]["id"] == "http://localhost/verhaal/pop-up-bazaar"
    assert m["seeAlso"][0]["id"] == "http://localhost/verhaal/pop-up-bazaar.json"
    # The draft index of a ten-second story: one part, the whole recording.
    assert _fragments(m) == [(0.0, round(duration, 3))]
    assert m["structures"][0]["label"]["en"][0]


def test_the_ohms_download_is_offered(client):
    _, m = _get(client, "pop-up-bazaar")
    ohms = [x for x in m["rendering"] if x["label"] == {"none": ["OHMS XML"]}]
    assert [x["id"] for x in ohms] == ["http://localhost/media/pop-up-bazaar/ohms.xml"]


def test_hidden_story_is_the_same_404_as_a_missing_one(client, archive_copy, make_app):
    """het-koor is for researchers: anonymous viewers get exactly the answer of a story that does not exist."""
    hidden, missing = client.get("/iiif/het-koor/manifest.json"), client.get("/iiif/bestaat-niet/manifest.json")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data() == missing.get_data()
    assert "koor" not in hidden.get_data(as_text=True).lower()
    with archive_copy.session() as s:
        users.add(s, "onderzoeker", PASSWORD, "researcher")
    c = make_app(archive_copy).test_client()
    assert login(c, "onderzoeker").status_code == 302
    r = c.get("/iiif/het-koor/manifest.json")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store", "a researcher's view only"
    validate_json(r.get_json(force=True), "iiif-presentation-3")


def test_both_stories_public_with_picture_and_several_parts(archive_copy, make_app):
    home = archive_copy.settings.home
    shutil.copyfile(DATA / "portrait_exif_rotated_gps.jpg", home / "pic.jpg")
    _make_public(archive_copy)
    with archive_copy.session() as s:
        koor = archive_copy.story(s, "het-koor")
        duration = koor.recording.duration
        for p in s.scalars(select(Person)):
            p.portrait = "pic.jpg"
        # Three editors' points instead of the draft, given out of order, one past the end of the recording.
        koor.index_points.clear()
        for start, title in ((duration / 2, "Midden"), (0.0, "Begin"), (duration + 5, "Na het einde")):
            koor.index_points.append(IndexPoint(start=start, title=title, synopsis=f"Over {title.lower()}.",
                                                source="editor", version=1))
        s.commit()
    c = make_app(archive_copy, today=TODAY).test_client()
    for slug in ("pop-up-bazaar", "het-koor"):
        _, m = _get(c, slug)
        validate_json(m, "iiif-presentation-3")
        assert _sound(m)["type"] == "Sound"
        # The narrator's portrait accompanies the sound, at the size of the file it points at.
        acc = _canvas(m)["accompanyingCanvas"]
        (page,) = acc["items"]
        image = page["items"][0]["body"]
        assert image["type"] == "Image" and image["id"].endswith("/640.jpg") and "/beeld/persoon/" in image["id"]
        served = c.get(image["id"].replace("http://localhost", ""))
        assert served.status_code == 200
        real = Image.open(io.BytesIO(served.data)).size
        assert (image["width"], image["height"]) == (acc["width"], acc["height"]) == real
    _, m = _get(c, "het-koor")
    total = _canvas(m)["duration"]
    parts = _fragments(m)
    assert [r["label"]["nl"][0] for r in m["structures"]][:2] == ["Begin", "Midden"]
    assert "Na het einde" not in str(m["structures"]), "a point past the end of the recording is no part of it"
    assert parts == sorted(parts) and parts[0][0] == 0.0 and parts[-1][1] == total
    assert all(0 <= a < b <= total for a, b in parts)
    assert all(b == c2 for (_, b), (c2, _) in zip(parts, parts[1:])), "each part ends where the next begins"
    assert m["structures"][1]["summary"] == {"nl": ["Over midden."]}
    assert _canvas(m)["annotations"][0]["items"][0]["body"]["language"] == "nl"


def test_rights_follow_the_story_licence(archive_copy, make_app):
    c = make_app(archive_copy).test_client()
    assert _get(c, "pop-up-bazaar")[1]["rights"] == "http://rightsstatements.org/vocab/InC/1.0/"
    with archive_copy.session() as s:
        archive_copy.story(s, "pop-up-bazaar").licence = licences.parse("CC-BY-SA-4.0").uri
        s.commit()
    _, m = _get(c, "pop-up-bazaar")
    assert m["rights"] == "http://creativecommons.org/licenses/by-sa/4.0/"
    validate_json(m, "iiif-presentation-3")
    with archive_copy.session() as s:
        archive_copy.story(s, "pop-up-bazaar").licence = None
        s.commit()
    assert _get(c, "pop-up-bazaar")[1]["rights"] == "http://rightsstatements.org/vocab/InC/1.0/", "the default again"


def test_redacted_text_never_reaches_the_manifest(archive_copy, make_app):
    """A fully redacted transcript: no transcript annotation, no text downloads, and the draft point (made of
    the passage's words) is gone; no word of the passage is anywhere in the document."""
    c = make_app(archive_copy).test_client()
    _, before = _get(c, "pop-up-bazaar")
    assert "annotations" in _canvas(before) and before.get("structures")
    with archive_copy.session() as s:
        st = archive_copy.story(s, "pop-up-bazaar")
        words = {w.strip(".,!?").lower() for seg in st.segments for w in seg.text.split() if len(w) > 5}
        for seg in s.scalars(select(Segment).where(Segment.story_id == st.id)):
            seg.redacted = True
        s.commit()
    r, m = _get(c, "pop-up-bazaar")
    validate_json(m, "iiif-presentation-3")
    assert "annotations" not in _canvas(m) and "structures" not in m
    assert not {x["format"] for x in m["rendering"]} & {"text/vtt", "text/plain"}
    text = r.get_data(as_text=True).lower()
    assert words and not [w for w in words if w in text], "a redacted word in the manifest"


def test_builder_refuses_a_canvas_without_duration_and_keeps_fragments_inside():
    base = dict(manifest_url="https://ex.org/iiif/a/manifest.json", title="A", audio_url="https://ex.org/a.mp3")
    try:
        manifest(ManifestData(duration=0, **base))
    except ValueError:
        pass
    else:
        raise AssertionError("a zero-length canvas is invalid IIIF")
    m = manifest(ManifestData(duration=100.0, chapters=[{"start": 0, "end": 40, "title": "a"},
                                                        {"start": 40, "end": 250, "title": "b"}], **base))
    validate_json(m, "iiif-presentation-3")
    assert [r["items"][0]["id"].split("#t=")[1] for r in m["structures"]] == ["0,40", "40,100"]
    assert m["label"] == {"none": ["A"]} and "rights" not in m


def test_manifest_is_fast_and_reads_only_its_story(archive_copy, make_app):
    """The manifest's work is one story's: p95 well under 100 ms here (docs/interchange.md has the figure)."""
    c = make_app(archive_copy).test_client()
    _get(c, "pop-up-bazaar")
    times = []
    for _ in range(40):
        t0 = time.perf_counter()
        _get(c, "pop-up-bazaar")
        times.append(time.perf_counter() - t0)
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    assert p95 < 0.1, f"p95 {p95 * 1000:.1f} ms"


def test_the_page_cache_keeps_the_manifest_with_its_headers(archive_copy, make_app):
    """The manifest is in the page cache (bench/web.py: 20 viewers at once); a stored copy keeps CORS and the
    IIIF media type, and a change to the story reaches the next request."""
    c = make_app(archive_copy).test_client()
    first, second = (c.get("/iiif/pop-up-bazaar/manifest.json") for _ in range(2))
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    for r in (first, second):
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        assert r.headers["Content-Type"].startswith("application/ld+json;profile=")
    assert second.get_json() == first.get_json()
    with archive_copy.session() as s:
        archive_copy.story(s, "pop-up-bazaar").title = "De bazaar"
        s.commit()
    assert c.get("/iiif/pop-up-bazaar/manifest.json").get_json()["label"] != first.get_json()["label"]
