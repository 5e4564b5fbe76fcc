"""Over a real waitress server: the podcast feed (parsed with feedparser) and media with HTTP Range."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser

from helpers import DATA, http_get

PODCAST = "{https://podcastindex.org/namespace/1.0}"


def test_feed_parses_with_itunes_and_podcasting20_tags(live_server, demo_archive):
    resp = http_get(f"{live_server.url}/serie/levensverhalen/feed.xml")
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("application/rss+xml")
    raw = resp.read()
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "rss20"
    assert feed.feed.title == "Levensverhalen" and feed.feed.link.endswith("/serie/levensverhalen")
    assert "itunes_explicit" in feed.feed  # "false" (Apple's current spelling; feedparser maps only yes/clean)
    assert feed.feed.tags[0].term == "Society & Culture" and feed.feed.tags[0].scheme == "http://www.itunes.com/"
    assert feed.feed.author == "Verhalen"  # the archive (settings.archive_name) makes the show, not the series
    (entry,) = feed.entries
    assert entry.title == "Pop-up bazaar" and entry.link.endswith("/verhaal/pop-up-bazaar")
    assert entry.published_parsed[:3] == (2024, 5, 3)
    assert entry.itunes_duration == "10"
    (enclosure,) = entry.enclosures
    with demo_archive.session() as s:
        story_id = demo_archive.story(s, "pop-up-bazaar").id
    size = demo_archive.derived(story_id, "listen.mp3").stat().st_size
    assert enclosure.type == "audio/mpeg" and int(enclosure.length) == size
    assert enclosure.href == f"{live_server.url}/media/pop-up-bazaar/listen.mp3"
    # feedparser does not expose the podcast: namespace; read those tags from the XML itself.
    item = ET.fromstring(raw).find("channel/item")
    transcripts = {t.get("type"): t.get("url") for t in item.iter(f"{PODCAST}transcript")}
    assert set(transcripts) == {"text/vtt", "application/x-subrip", "application/json"}
    for mime, url in transcripts.items():
        r = http_get(url)
        assert r.status == 200 and r.headers["Access-Control-Allow-Origin"] == "*", url
        assert r.headers["Content-Type"].startswith(mime)
    words = __import__("json").loads(http_get(transcripts["application/json"]).read())["segments"][0]["words"]
    assert words and {"startTime", "endTime", "body"} <= set(words[0])
    people = {p.text: p.attrib for p in item.iter(f"{PODCAST}person")}
    assert people["Basma"]["role"] == "guest" and people["Esseline"]["role"] == "host"
    assert people["Basma"]["href"].endswith("/persoon/basma")


def test_feed_person_has_portrait_img(archive_copy, make_app):
    from pathlib import Path

    from verhalen.catalog import Person

    src = Path(__file__).parent / "data" / "portrait_exif_rotated_gps.jpg"
    (archive_copy.settings.home / "p.jpg").write_bytes(src.read_bytes())
    with archive_copy.session() as s:
        s.query(Person).filter_by(slug="basma").one().portrait = "p.jpg"
        s.commit()
    c = make_app(archive_copy).test_client()
    item = ET.fromstring(c.get("/serie/levensverhalen/feed.xml").get_data()).find("channel/item")
    basma = next(p for p in item.iter(f"{PODCAST}person") if p.text == "Basma")
    img = basma.get("img")
    assert img.endswith("/beeld/persoon/basma/320.jpg")
    assert c.get(img.replace("http://localhost", "")).mimetype == "image/jpeg"


def test_listening_copy_supports_range_requests(live_server, demo_archive):
    url = f"{live_server.url}/media/pop-up-bazaar/listen.mp3"
    full = http_get(url)
    body = full.read()
    assert full.status == 200 and full.headers["Content-Type"] == "audio/mpeg"
    assert full.headers["Accept-Ranges"] == "bytes" and full.headers["ETag"] and full.headers["Last-Modified"]
    part = http_get(url, {"Range": "bytes=1000-1999"})
    assert part.status == 206
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(body)}"
    assert part.read() == body[1000:2000]
    tail = http_get(url, {"Range": "bytes=-100"})
    assert tail.status == 206 and tail.read() == body[-100:]
    assert http_get(url, {"If-None-Match": full.headers["ETag"]}).status == 304
    assert http_get(url, {"Range": f"bytes={len(body) + 10}-"}).status == 416
    opus = http_get(f"{live_server.url}/media/pop-up-bazaar/listen.opus", {"Range": "bytes=0-99"})
    assert opus.status == 206 and opus.headers["Content-Type"].startswith("audio/ogg")


def test_restricted_media_is_404_over_http(live_server):
    for path in ("/media/het-koor/listen.mp3", "/media/het-koor/transcript.vtt", "/serie/sleutelpersonen/feed.xml"):
        assert http_get(live_server.url + path, {"Range": "bytes=0-10"}).status == 404, path


def test_chapters_from_the_file_reach_the_page_json_and_feed(archive, tmp_path, make_app):
    """ID3 chapter marks in the recording become the story's chapters: listed on the page, served as
    Podcasting 2.0 JSON chapters, and linked from the feed with podcast:chapters."""
    import json as json_mod
    import shutil as sh

    import feedparser
    from mutagen.id3 import CHAP, CTOC, ID3, TIT2, CTOCFlags

    from verhalen.pipeline import StoryMeta, ingest

    mp3 = tmp_path / "hoofdstukken.mp3"
    sh.copyfile(DATA / "nl_koor.mp3", mp3)
    tags = ID3()
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["c1", "c2"]))
    tags.add(CHAP(element_id="c1", start_time=0, end_time=4000, sub_frames=[TIT2(text=["Het begin"])]))
    tags.add(CHAP(element_id="c2", start_time=4000, end_time=12000, sub_frames=[TIT2(text=["Repetities <b>&</b>"])]))
    tags.save(mp3)
    story = ingest(archive, mp3, StoryMeta(title="Met hoofdstukken", series="Koren", language="nl"))
    assert story.chapters == [{"start": 0.0, "title": "Het begin"}, {"start": 4.0, "title": "Repetities <b>&</b>"}]
    c = make_app(archive).test_client()
    page = c.get(f"/verhaal/{story.slug}").get_data(as_text=True)
    assert "Hoofdstukken" in page and "Repetities &lt;b&gt;&amp;&lt;/b&gt;" in page and "?t=4#t=00:04" in page
    r = c.get(f"/media/{story.slug}/chapters.json")
    assert r.status_code == 200 and r.content_type.startswith("application/json+chapters")
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert json_mod.loads(r.data)["chapters"][1] == {"startTime": 4.0, "title": "Repetities <b>&</b>"}
    feed = feedparser.parse(c.get("/serie/koren/feed.xml").data)
    item = feed.entries[0]
    assert item["podcast_chapters"]["url"].endswith(f"/media/{story.slug}/chapters.json")
    assert item["podcast_chapters"]["type"] == "application/json+chapters"
    # The contents step makes the marks the story's index ("file" points), and they win over a draft.
    from verhalen import index_points

    with archive.session() as s:
        st = archive.story(s, story.slug)
        index_points.refresh(s, st, archive.settings)
        s.commit()
        assert [(p.start, p.title, p.source) for p in st.index_points] == [
            (0.0, "Het begin", "file"), (4.0, "Repetities <b>&</b>", "file")]
    assert json_mod.loads(c.get(f"/media/{story.slug}/chapters.json").data)["chapters"][1] == {
        "startTime": 4.0, "title": "Repetities <b>&</b>"}
    vtt = c.get(f"/media/{story.slug}/chapters.vtt").get_data(as_text=True)
    assert "00:00:04.000 --> 00:00:12.1" in vtt and "Repetities &lt;b&gt;&amp;&lt;/b&gt;" in vtt
