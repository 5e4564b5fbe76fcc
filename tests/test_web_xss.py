"""Hostile titles, names and transcript text are shown as text on every surface: pages, feed, exports, JSON."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import feedparser

from verhalen.index_sync import story_doc

TITLE = "<script>alert('t')</script> Bazaar"
NAME = '"><img src=x onerror=alert(1)>'
SAY = "perfume </p><script>alert(2)</script> & <b>bold</b>"
PAYLOADS = ("<script>alert", "<img src=x", "<b>bold</b>", "</p><script>")


def _poison(archive):
    with archive.session() as s:
        st = archive.story(s, "pop-up-bazaar")
        st.title = TITLE
        st.description = "<iframe src=//evil>"
        st.series.name, st.series.description = "Levens<script>x</script>", '"><svg onload=alert(3)>'
        st.credits[0].person.name, st.credits[0].person.bio = NAME, "<script>bio()</script>"
        st.story_themes[0].theme.name = "<u>werk</u>"
        st.segments[0].text = SAY
        st.segments[0].speaker = "<i>Basma</i>"
        st.segments[0].words = [[2.0, 2.4, " perfume", 0.9], [2.5, 3.0, " <script>alert(4)</script>", 0.3]]
        s.commit()
        archive.index.write(add=[story_doc(st)])


def _no_markup(body: str, where: str) -> None:
    for p in PAYLOADS + ("<iframe", "<svg", "<u>werk", "<i>Basma"):
        assert p not in body, (where, p)


def test_hostile_text_is_escaped_on_pages(archive_copy, make_app):
    _poison(archive_copy)
    c = make_app(archive_copy).test_client()
    pages = ["/", "/verhaal/pop-up-bazaar", "/persoon/basma", "/serie/levensverhalen", "/thema/werk", "/themas",
             "/plaats/rotterdam", "/zoeken?q=perfume", "/zoeken?q=bazaar"]
    for url in pages:
        r = c.get(url)
        assert r.status_code == 200, url
        _no_markup(r.get_data(as_text=True), url)
    story = c.get("/verhaal/pop-up-bazaar").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; Bazaar" in story
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in story
    assert "&lt;script&gt;alert(4)&lt;/script&gt;" in story
    hit = c.get("/zoeken?q=perfume").get_data(as_text=True)
    assert "<mark>perfume</mark>" in hit and "&lt;/p&gt;&lt;script&gt;" in hit


def test_hostile_text_is_escaped_in_feed_json_and_exports(archive_copy, make_app):
    _poison(archive_copy)
    c = make_app(archive_copy).test_client()
    raw = c.get("/serie/levensverhalen/feed.xml").get_data(as_text=True)
    _no_markup(raw, "feed")
    doc = ET.fromstring(raw.encode())  # still well-formed XML
    feed = feedparser.parse(raw)
    assert feed.entries[0].title == TITLE, "a feed reader shows the title as text"
    people = [p.text for p in doc.iter("{https://podcastindex.org/namespace/1.0}person")]
    assert NAME in people, "the name survives as text"
    vtt = c.get("/media/pop-up-bazaar/transcript.vtt").get_data(as_text=True)
    # Cue text is escaped. (The header line "WEBVTT - <title>" is ignored by VTT parsers; exports.py
    # still writes the title there raw — reported to the core, see docs/viewer.md.)
    _no_markup(vtt.split("\n", 1)[1], "vtt cues")
    data = c.get("/media/pop-up-bazaar/transcript.json")
    assert data.get_json()["segments"][0]["body"] == SAY, "JSON keeps the text exactly, as data"
    assert data.mimetype == "application/json"
    txt = c.get("/media/pop-up-bazaar/transcript.txt")
    assert txt.mimetype == "text/plain" and txt.headers["X-Content-Type-Options"] == "nosniff"
    meta = c.get("/verhaal/pop-up-bazaar.json").get_json()
    assert meta["title"] == TITLE
