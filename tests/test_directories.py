"""Podcast directories, the site-wide feed, the embeddable player and named downloads (issue 13, part 4b).

The feeds are read with lxml and XPath in the canonical namespaces (../shared/design/STANDARDS.md §2), their
artwork fetched from the real image routes and measured with Pillow; the embed page's headers are checked
against the setting and against every other page; the download's Content-Disposition is read over a real
server (waitress), where a broken header would show. The last test puts the embed page in an <iframe> on
another origin in Chromium and presses its "play from" button.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid
from urllib.parse import unquote

import pytest
from lxml import etree
from PIL import Image

from helpers import LiveServer, http_get
from verhalen.errors import UsageError

NS = {"itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd", "podcast": "https://podcastindex.org/namespace/1.0",
      "atom": "http://www.w3.org/2005/Atom"}
GUID_NS = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


def _xml(client, url: str):
    r = client.get(url)
    assert r.status_code == 200 and r.mimetype == "application/rss+xml", (url, r.status_code)
    doc = etree.fromstring(r.data)
    assert doc.tag == "rss" and doc.get("version") == "2.0"
    return doc


def _one(doc, path: str):
    found = doc.xpath(path, namespaces=NS)
    assert len(found) == 1, (path, found)
    return found[0]


def _image_of(client, url: str) -> Image.Image:
    r = client.get(url.replace("http://localhost", ""))
    assert r.status_code == 200 and r.mimetype in ("image/jpeg", "image/png"), (url, r.status_code, r.mimetype)
    return Image.open(io.BytesIO(r.data))


def _picture(path, size) -> str:
    Image.new("RGB", size, (200, 120, 40)).save(path, "JPEG")
    return path.name


# -- feeds for podcast directories -------------------------------------------------------------------


def test_podcast_guid_is_uuid5_of_the_feed_url_without_scheme_or_trailing_slash():
    from verhalen.web.feeds import podcast_guid

    # The example of the Podcasting 2.0 guid tag's own documentation.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    assert podcast_guid("http://ex.org/serie/a/feed.xml/") == str(uuid.uuid5(GUID_NS, "ex.org/serie/a/feed.xml"))
    assert podcast_guid("https://ex.org/feed.xml") == podcast_guid("http://ex.org/feed.xml//")


def test_series_feed_has_what_apple_spotify_and_podcast_index_ask(client):
    doc = _xml(client, "/serie/levensverhalen/feed.xml")
    ch = _one(doc, "/rss/channel")
    assert _one(ch, "podcast:guid/text()") == str(uuid.uuid5(GUID_NS, "localhost/serie/levensverhalen/feed.xml"))
    assert _one(ch, "podcast:guid/text()") == "e7dc07cb-c4b6-50cc-85cb-a7958c0c1ce1"  # worked out by hand
    assert _one(ch, "podcast:locked/text()") == "yes" and _one(ch, "podcast:locked").get("owner") is None
    assert _one(ch, "itunes:author/text()") == "Verhalen" and _one(ch, "itunes:explicit/text()") == "false"
    assert _one(ch, "itunes:category/@text") == "Society & Culture"
    assert ch.xpath("itunes:owner", namespaces=NS) == [], "no made-up contact address without admin_email"
    assert _one(ch, "atom:link[@rel='self']/@href") == "http://localhost/serie/levensverhalen/feed.xml"
    # No series artwork and no story cover in the demo: the archive's own artwork, also as RSS <image>.
    art = _one(ch, "itunes:image/@href")
    assert art == "http://localhost/static/podcast-artwork.png" and _one(ch, "image/url/text()") == art
    assert _one(ch, "image/link/text()") == _one(ch, "link/text()")
    im = _image_of(client, art)
    assert im.size[0] == im.size[1] >= 1400 and im.mode == "RGB", (im.size, im.mode)
    (item,) = ch.xpath("item")
    assert _one(item, "itunes:explicit/text()") == "false" and item.xpath("itunes:image", namespaces=NS) == []


def test_locked_and_owner_follow_the_settings(demo_archive, make_app):
    c = make_app(demo_archive, podcast_locked=False, admin_email="archief@buurt.example",
                 archive_name="Buurtarchief").test_client()
    for url in ("/serie/levensverhalen/feed.xml", "/feed.xml"):
        ch = _one(_xml(c, url), "/rss/channel")
        locked = _one(ch, "podcast:locked")
        assert (locked.text, locked.get("owner")) == ("no", "archief@buurt.example"), url
        assert _one(ch, "itunes:owner/itunes:email/text()") == "archief@buurt.example"
        assert _one(ch, "itunes:owner/itunes:name/text()") == "Buurtarchief"
        assert _one(ch, "itunes:author/text()") == "Buurtarchief"
    locked = _one(_xml(make_app(demo_archive, admin_email="archief@buurt.example").test_client(), "/feed.xml"),
                  "/rss/channel/podcast:locked")
    assert (locked.text, locked.get("owner")) == ("yes", "archief@buurt.example")


def test_artwork_is_a_1400_px_square_from_the_series_or_a_cover_never_upscaled(archive_copy, make_app, tmp_path):
    home = archive_copy.settings.home
    big_art, big_cover, small = (_picture(home / "serie.jpg", (2000, 1500)), _picture(home / "hoes.jpg", (1600, 1800)),
                                 _picture(home / "klein.jpg", (900, 900)))
    with archive_copy.session() as s:
        st = archive_copy.story(s, "pop-up-bazaar")
        st.recording.cover_art = big_cover
        st.series.artwork = small
        s.commit()
    c = make_app(archive_copy).test_client()
    ch = _one(_xml(c, "/serie/levensverhalen/feed.xml"), "/rss/channel")
    # The series' own artwork is too small for a directory: the story's cover stands in, cut square.
    assert _one(ch, "itunes:image/@href") == "http://localhost/beeld/verhaal/pop-up-bazaar/1400.jpg"
    assert _one(ch, "item/itunes:image/@href") == "http://localhost/beeld/verhaal/pop-up-bazaar/1400.jpg"
    assert _image_of(c, _one(ch, "itunes:image/@href")).size == (1400, 1400)
    assert c.get("/beeld/serie/levensverhalen/1400.jpg").status_code == 404, "a 900 px picture is not made 1400"
    assert c.get("/beeld/serie/levensverhalen/1000.jpg").status_code == 404, "only the feed's size is added"
    with archive_copy.session() as s:
        archive_copy.story(s, "pop-up-bazaar").series.artwork = big_art
        s.commit()
    ch = _one(_xml(c, "/serie/levensverhalen/feed.xml"), "/rss/channel")
    assert _one(ch, "itunes:image/@href") == "http://localhost/beeld/serie/levensverhalen/1400.jpg"
    assert _image_of(c, _one(ch, "itunes:image/@href")).size == (1400, 1400)
    assert _one(_xml(c, "/feed.xml"), "/rss/channel/itunes:image/@href").endswith("/beeld/verhaal/pop-up-bazaar/1400.jpg")


# -- the site-wide feed --------------------------------------------------------------------------------


def test_site_feed_lists_the_newest_public_stories_as_the_series_feed_does(archive_copy, make_app):
    c = make_app(archive_copy).test_client()
    site = _xml(c, "/feed.xml")
    assert [t for t in site.xpath("/rss/channel/item/title/text()")] == ["Pop-up bazaar"], "het-koor is for researchers"
    ch = _one(site, "/rss/channel")
    assert _one(ch, "title/text()") == "Verhalen" and _one(ch, "link/text()") == "http://localhost/"
    assert _one(ch, "podcast:guid/text()") == str(uuid.uuid5(GUID_NS, "localhost/feed.xml"))
    # One builder: the story's item is the same in both feeds.
    series_item = _one(_xml(c, "/serie/levensverhalen/feed.xml"), "/rss/channel/item")
    assert etree.tostring(_one(site, "/rss/channel/item")) == etree.tostring(series_item)
    with archive_copy.session() as s:
        archive_copy.story(s, "het-koor").access = "public"
        s.commit()
    assert _xml(c, "/feed.xml").xpath("/rss/channel/item/title/text()") == ["Het koor", "Pop-up bazaar"], "newest first"
    for change in ({"published": False}, {"deleted_at": dt.datetime(2026, 1, 1)}, {"access": "embargoed",
                   "embargo_until": dt.date.today() + dt.timedelta(days=30)}):
        with archive_copy.session() as s:
            st = archive_copy.story(s, "het-koor")
            for key, value in {"published": True, "deleted_at": None, "access": "public", **change}.items():
                setattr(st, key, value)
            s.commit()
        body = c.get("/feed.xml").get_data(as_text=True)
        assert "Het koor" not in body and "het-koor" not in body and "Pop-up bazaar" in body, change


def test_home_links_the_site_feed(client):
    page = client.get("/").get_data(as_text=True)
    head, body = page.split("</head>", 1)
    assert re.search(r'<link rel="alternate" type="application/rss\+xml" title="Nieuwe verhalen" href="/feed.xml">',
                     head)
    assert '<a class="feed" href="/feed.xml">Nieuwe verhalen als podcastfeed (RSS)</a>' in body
    assert "New stories as a podcast feed (RSS)" in client.get("/?lang=en").get_data(as_text=True)


# -- the embeddable player --------------------------------------------------------------------------


def _frame_ancestors(response) -> str:
    (directive,) = [d.strip() for d in response.headers["Content-Security-Policy"].split(";")
                    if d.strip().startswith("frame-ancestors")]
    return directive


def test_only_the_embed_page_may_be_framed_elsewhere(demo_archive, make_app):
    for setting, expected in ((None, "frame-ancestors *"),
                              ("'self'  https://buurt.example", "frame-ancestors 'self' https://buurt.example")):
        c = make_app(demo_archive, embed_frame_ancestors=setting).test_client()
        r = c.get("/embed/pop-up-bazaar")
        assert r.status_code == 200 and _frame_ancestors(r) == expected
        assert "X-Frame-Options" not in r.headers
        assert "script-src 'self'" in r.headers["Content-Security-Policy"], "the rest of the policy stays"
        for url in ("/", "/verhaal/pop-up-bazaar", "/feed.xml", "/embed/bestaat-niet"):
            assert _frame_ancestors(c.get(url)) == "frame-ancestors 'self'", url
    for bad in ("https://a.example; script-src *", "", "'unsafe-inline'", "'none' https://a.example", "a,b"):
        with pytest.raises(UsageError, match="embed_frame_ancestors"):
            make_app(demo_archive, embed_frame_ancestors=bad)


def test_embed_page_is_a_small_accessible_player(client):
    r = client.get("/embed/pop-up-bazaar?t=3")
    page = r.get_data(as_text=True)
    assert '<html lang="nl">' in page and 'lang="en">Pop-up bazaar</span>' in page
    audio = re.search(r"<audio [^>]*>", page).group(0)
    assert 'controls' in audio and 'preload="metadata"' in audio and "autoplay" not in page
    assert 'aria-labelledby="embed-title"' in audio
    assert '<source src="/media/pop-up-bazaar/listen.mp3#t=3" type="audio/mpeg">' in page
    assert '<source src="/media/pop-up-bazaar/listen.opus#t=3"' in page
    assert ">Afspelen vanaf 00:03</button>" in page and "Deze link begint bij 00:03." in page
    assert "Verteld door Basma" in page and "Esseline" not in page, "the narrator, not the interviewer"
    assert '<blockquote class="line" lang="en"><p><span class="time">00:00</span> At the proper bar' in page
    links = re.findall(r'<a href="([^"]+)" target="_blank" rel="noopener">', page)
    assert "http://localhost/verhaal/pop-up-bazaar?t=3" in links and all(links)
    assert "opent in een nieuw tabblad" in page and "<script>" not in page
    en = client.get("/embed/pop-up-bazaar?t=3&lang=en").get_data(as_text=True)
    assert '<html lang="en">' in en and "Play from 00:03" in en and "Told by Basma" in en


@pytest.mark.parametrize("t", ["-5", "1e308", "abc", "%0D%0AX-Evil:%201", "99999", "", "nan", "11", "1%00"])
def test_embed_never_fails_on_a_bad_t(client, t):
    r = client.get(f"/embed/pop-up-bazaar?t={t}")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "X-Evil" not in r.headers, t
    # Each of these is no moment of this 10-second story: the player starts at the beginning.
    assert 'id="play-from"' not in page and "#t=" not in page and "X-Evil" not in page, t


def test_embed_page_is_served_from_the_page_cache_with_its_policy(demo_archive, make_app):
    c = make_app(demo_archive, embed_frame_ancestors="https://buurt.example").test_client()
    first, second = c.get("/embed/pop-up-bazaar?t=2"), c.get("/embed/pop-up-bazaar?t=2")
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert _frame_ancestors(second) == "frame-ancestors https://buurt.example" and second.data == first.data
    c.set_cookie("lang", "en")  # the remembered choice (a ?lang= answer sets the cookie, so is not stored)
    english = [c.get("/embed/pop-up-bazaar?t=2") for _ in range(2)]
    assert [r.headers["X-Cache"] for r in english] == ["MISS", "HIT"], "kept per language"
    assert b"Play from 00:02" in english[1].data and b"Afspelen" not in english[1].data


def test_story_page_offers_the_embed_snippet(client):
    import html

    page = client.get("/verhaal/pop-up-bazaar?t=4").get_data(as_text=True)
    details = page[page.index('<details class="embed-code">'):]
    assert "<summary>Insluiten</summary>" in details
    snippet = html.unescape(re.search(r"<textarea[^>]*>(.*?)</textarea>", details, re.S).group(1))
    assert snippet == ('<iframe src="http://localhost/embed/pop-up-bazaar?t=4" title="Pop-up bazaar" width="100%" '
                       'height="200" loading="lazy"></iframe>')
    assert "<summary>Embed</summary>" in client.get("/verhaal/pop-up-bazaar?lang=en").get_data(as_text=True)


def test_embed_snippet_escapes_the_title():
    from verhalen.web import embed

    from flask import Flask

    app = Flask(__name__)
    app.add_url_rule("/embed/<slug>", "embed.embed")
    with app.test_request_context():
        snippet = embed.embed_snippet("x", 'Het "koor" & <zang>')
    assert 'title="Het &#34;koor&#34; &amp; &lt;zang&gt;"' in snippet


# -- named downloads ----------------------------------------------------------------------------------


def _disposition(value: str) -> tuple[str, str, str]:
    """(type, filename, the UTF-8 filename* decoded) of a Content-Disposition header."""
    # werkzeug quotes `filename` only when it needs quoting (a slug never does); filename* is never quoted.
    m = re.fullmatch(r"""(attachment); filename="?([a-z0-9.-]+)"?; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]*)""",
                     value)
    assert m, value
    return m.group(1), m.group(2), unquote(m.group(3))


def test_downloads_are_named_after_the_story_and_streaming_stays_inline(archive_copy, make_app):
    server = LiveServer(make_app(archive_copy))
    try:
        plain = http_get(f"{server.url}/media/pop-up-bazaar/listen.mp3")
        # The <audio> element's stream: werkzeug names the file, but inline, never an attachment.
        assert plain.status == 200 and plain.headers["Content-Disposition"].startswith("inline")
        r = http_get(f"{server.url}/media/pop-up-bazaar/listen.mp3?download=1")
        assert r.status == 200 and r.headers["Content-Type"] == "audio/mpeg"
        assert _disposition(r.headers["Content-Disposition"]) == ("attachment", "pop-up-bazaar.mp3", "Pop-up bazaar.mp3")
        assert r.read() == plain.read()
        part = http_get(f"{server.url}/media/pop-up-bazaar/listen.mp3?download=1", {"Range": "bytes=100-199"})
        assert part.status == 206 and len(part.read()) == 100 and part.headers["Content-Range"].startswith("bytes 100-199/")
        assert "attachment" in part.headers["Content-Disposition"]
        opus = http_get(f"{server.url}/media/pop-up-bazaar/listen.opus?download=1")
        assert _disposition(opus.headers["Content-Disposition"])[1:] == ("pop-up-bazaar.opus", "Pop-up bazaar.opus")
        for title, expected in (("Şükrü's verhaal \"één\"", "Şükrü's verhaal één.mp3"),
                                ("Regel één\r\nX-Evil: 1\u2028/..\\<b>", "Regel één X-Evil 1 .. b.mp3"),
                                ("???", "pop-up-bazaar.mp3")):
            with archive_copy.session() as s:
                archive_copy.story(s, "pop-up-bazaar").title = title
                s.commit()
            r = http_get(f"{server.url}/media/pop-up-bazaar/listen.mp3?download=1")
            assert r.status == 200 and "X-Evil" not in r.headers, title
            assert _disposition(r.headers["Content-Disposition"]) == ("attachment", "pop-up-bazaar.mp3", expected)
        # Still the access rule: a hidden story's download is a 404 like its stream.
        with archive_copy.session() as s:
            archive_copy.story(s, "pop-up-bazaar").access = "researchers"
            s.commit()
        assert http_get(f"{server.url}/media/pop-up-bazaar/listen.mp3?download=1").status == 404
    finally:
        server.close()


def test_story_page_download_link_asks_for_the_named_download(client):
    page = client.get("/verhaal/pop-up-bazaar").get_data(as_text=True)
    downloads = page[page.index('class="downloads"'):]
    assert '<a href="/media/pop-up-bazaar/listen.mp3?download=1" download>MP3</a>' in downloads
    player = page[page.index("<audio"):page.index("</audio>")]
    assert 'src="/media/pop-up-bazaar/listen.mp3"' in player and "download=1" not in player.split("<track")[0]


# -- in a real browser: framed by another site --------------------------------------------------------


@pytest.mark.browser
def test_embed_plays_from_its_moment_inside_another_sites_iframe(browser, live_server):
    """Another origin (a second real server on localhost: Chromium's local-network checks refuse a page of a
    made-up public host framing 127.0.0.1) frames the embed page and, as a control, the story page."""
    host_page = (f'<!doctype html><html lang="nl"><title>Buurt</title><h1>Onze buurt</h1>'
                 f'<iframe id="e" src="{live_server.url}/embed/pop-up-bazaar?t=4" title="Pop-up bazaar"></iframe>'
                 f'<iframe id="s" src="{live_server.url}/verhaal/pop-up-bazaar" title="Het verhaal"></iframe>').encode()

    def other_site(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [host_page]

    other = LiveServer(other_site)
    context = browser.new_context()
    try:
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(other.url.replace("127.0.0.1", "localhost") + "/verhalen.html")
        assert pg.evaluate("location.origin") != live_server.url
        frame = pg.frame_locator("#e")
        button = frame.locator("#play-from")
        button.wait_for(timeout=15_000)
        assert button.inner_text() == "Afspelen vanaf 00:04"
        assert frame.locator("h1 a").get_attribute("target") == "_blank"
        button.click()
        embedded = pg.query_selector("#e").content_frame()
        embedded.wait_for_function("() => !document.getElementById('player').paused", timeout=10_000)
        assert embedded.evaluate("document.getElementById('player').currentTime") >= 3.9
        # The story page itself keeps frame-ancestors 'self': Chromium refuses to show it in the frame.
        story = pg.query_selector("#s").content_frame()
        assert story.evaluate("document.querySelector('h1.story-title')") is None
        direct = context.new_page()
        direct.goto(f"{live_server.url}/verhaal/pop-up-bazaar")
        assert direct.evaluate("document.querySelector('h1.story-title') !== null"), "the control: it is there"
        assert errors == [], errors
    finally:
        context.close()
        other.close()
