"""The viewer's pages through the Flask test client: what a visitor sees, in Dutch and English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import srt
import webvtt

from verhalen.web.public import parse_time

WEB = Path(__file__).resolve().parents[1] / "web"


def test_home_lists_latest_story_series_and_narrators(client):
    r = client.get("/")
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and '<html lang="nl">' in page
    assert "Pop-up bazaar" in page and "Levensverhalen" in page and "Basma" in page
    for landmark in ('role="banner"', "<main", 'role="contentinfo"', 'role="search"', "<nav"):
        assert landmark in page


def test_story_page_has_player_transcript_metadata_and_downloads(client):
    page = client.get("/verhaal/pop-up-bazaar").get_data(as_text=True)
    assert '<audio id="player" controls' in page
    assert 'src="/media/pop-up-bazaar/listen.mp3"' in page and 'type="audio/mpeg"' in page
    assert re.search(r'class="w[^"]*" data-t="2\.\d+">perfume', page), "words carry their time"
    for link in ("/serie/levensverhalen", "/persoon/basma", "/persoon/esseline", "/plaats/rotterdam", "/thema/werk"):
        assert f'href="{link}"' in page
    assert "(verteller)" in page and "(interviewer)" in page and "03-05-2024" in page
    for fmt in ("vtt", "srt", "txt", "json"):
        assert f'href="/media/pop-up-bazaar/transcript.{fmt}"' in page
    assert 'class="w low"' in page, "low-confidence words are marked"
    assert "<script" in page and 'src="/static/player.js"' in page and "<script>" not in page


def test_time_links_work_without_javascript(client):
    page = client.get("/verhaal/pop-up-bazaar?t=2").get_data(as_text=True)
    assert 'listen.mp3#t=2"' in page, "the media fragment starts playback without JS"
    assert "Deze link begint bij 00:02." in page
    assert 'href="?t=0#t=00:00"' in page


@pytest.mark.parametrize("value, seconds", [("75", 75), ("1:15", 75), ("01:02:03", 3723), ("1m15s", 75),
                                            ("2.5", 2.5), ("", None), ("abc", None)])
def test_parse_time(value, seconds):
    assert parse_time(value) == seconds


def test_english_switch_is_remembered(web_app):
    c = web_app.test_client()
    page = c.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Latest stories" in page
    assert "Latest stories" in c.get("/").get_data(as_text=True), "cookie keeps the choice"
    assert "Nieuwste verhalen" in c.get("/?lang=nl").get_data(as_text=True)


def test_every_interface_string_has_an_english_translation():
    from verhalen.web.translations.en import MESSAGES

    used = set()
    for tpl in (WEB / "templates").glob("*.html"):
        used |= set(re.findall(r"""_\(["']([^"']+)["']""", tpl.read_text()))
    assert not used - set(MESSAGES), sorted(used - set(MESSAGES))


def test_security_headers_and_no_external_resources(client):
    for url in ("/", "/verhaal/pop-up-bazaar", "/zoeken?q=perfume"):
        r = client.get(url)
        csp = r.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        page = r.get_data(as_text=True)
        # A link a reader follows may leave the site (the licence, rel="license"); nothing the page loads may.
        assert not re.search(r'<(?!a\s)[^>]*\b(src|href)="(https?:)?//', page), "no CDN, fonts or scripts from elsewhere"
        assert "<script>" not in page and " onclick=" not in page and " style=" not in page


def test_transcripts_have_cors_and_parse(client):
    vtt = client.get("/media/pop-up-bazaar/transcript.vtt")
    assert vtt.headers["Access-Control-Allow-Origin"] == "*" and vtt.mimetype == "text/vtt"
    cues = webvtt.from_string(vtt.get_data(as_text=True)) if hasattr(webvtt, "from_string") else \
        webvtt.read_buffer(__import__("io").StringIO(vtt.get_data(as_text=True)))
    assert any("perfume" in c.text for c in cues)
    subs = list(srt.parse(client.get("/media/pop-up-bazaar/transcript.srt").get_data(as_text=True)))
    assert subs and subs[0].start.total_seconds() == 0
    body = client.get("/media/pop-up-bazaar/transcript.json").get_json()
    assert body["version"] == "1.0.0" and body["segments"][0]["words"][0]["startTime"] == 0.0
    assert "perfume" in client.get("/media/pop-up-bazaar/transcript.txt").get_data(as_text=True)
    etag = vtt.headers["ETag"]
    assert client.get("/media/pop-up-bazaar/transcript.vtt", headers={"If-None-Match": etag}).status_code == 304


def test_story_json(client):
    r = client.get("/verhaal/pop-up-bazaar.json")
    body = r.get_json()
    assert body["title"] == "Pop-up bazaar" and body["series"]["slug"] == "levensverhalen"
    assert {"name": "Basma", "slug": "basma", "role": "narrator"} in body["people"]
    assert body["transcripts"]["json"].endswith("/media/pop-up-bazaar/transcript.json")
    # The index as the page's table of contents shows it: the draft's one point of a ten-second story.
    assert [c["start"] for c in body["chapters"]] == [0.0] and body["chapters"][0]["title"], body["chapters"]


def test_search_groups_hits_with_time_and_highlight(client):
    page = client.get("/zoeken?q=perfume&lang=nl").get_data(as_text=True)
    assert "1 verhaal gevonden" in page
    m = re.search(r'href="/verhaal/pop-up-bazaar\?t=(\d+)#t=(\d\d:\d\d)"', page)
    assert m and 1 <= int(m.group(1)) <= 4, "hit links to the story at the moment"
    assert "<mark>perfume</mark>" in page
    assert 'data-facet="series"' in page and 'data-facet="year"' in page and "2024" in page


def test_search_facet_links_add_a_filter(client):
    page = client.get("/zoeken?q=perfume").get_data(as_text=True)
    assert 'href="/zoeken?q=perfume+series:Levensverhalen"' in page
    assert "1 verhaal" in client.get("/zoeken?q=perfume+series:Levensverhalen&lang=nl").get_data(as_text=True)


@pytest.mark.parametrize("q", ['"perfume', "(perfume", "perfume)", "colour:red"])
def test_bad_query_is_a_friendly_message_not_a_500(client, q):
    r = client.get("/zoeken", query_string={"q": q, "lang": "nl"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Deze zoekvraag begrijpen we niet" in page and 'role="alert"' in page


def test_search_without_query_explains_the_syntax(client):
    page = client.get("/zoeken?lang=nl").get_data(as_text=True)
    assert "Zo zoek je" in page and "serie:Levensverhalen" in page


def test_browse_pages(client):
    assert "Pop-up bazaar" in client.get("/persoon/basma").get_data(as_text=True)
    series = client.get("/serie/levensverhalen").get_data(as_text=True)
    assert 'href="/serie/levensverhalen/feed.xml"' in series and "Pop-up bazaar" in series
    assert 'href="/thema/werk"' in client.get("/themas").get_data(as_text=True)
    assert 'href="/plaats/rotterdam"' in client.get("/plaatsen").get_data(as_text=True)
    assert "Pop-up bazaar" in client.get("/plaats/rotterdam").get_data(as_text=True)
    assert "/verhaal/pop-up-bazaar" in client.get("/sitemap.xml").get_data(as_text=True)


def test_unknown_things_get_a_friendly_404(client):
    for url in ("/verhaal/bestaat-niet", "/persoon/niemand", "/nergens", "/serie/geen/feed.xml"):
        r = client.get(url)
        assert r.status_code == 404, url
    page = client.get("/verhaal/bestaat-niet?lang=nl").get_data(as_text=True)
    assert "Niet gevonden" in page and "Traceback" not in page


def test_verhalen_error_maps_to_its_status(demo_archive, make_app):
    from verhalen.errors import ArchiveError

    app = make_app(demo_archive)

    def boom():
        raise ArchiveError("catalog locked")
    app.add_url_rule("/_boom", "boom", boom)
    r = app.test_client().get("/_boom?lang=nl")
    assert r.status_code == 503 and "Er ging iets mis" in r.get_data(as_text=True)


def test_search_pagination(archive_copy, monkeypatch, make_app):
    from verhalen.index_sync import story_doc
    from verhalen.web import search

    with archive_copy.session() as s:
        st = archive_copy.story(s, "het-koor")
        st.access = "public"
        s.commit()
        archive_copy.index.write(add=[story_doc(st)])
    monkeypatch.setattr(search, "PER_PAGE", 1)
    c = make_app(archive_copy).test_client()
    first = c.get("/zoeken?q=place:Rotterdam&lang=nl").get_data(as_text=True)
    assert "2 verhalen gevonden" in first and "Pagina 1 van 2" in first
    assert 'rel="next" href="/zoeken?q=place:Rotterdam&amp;page=2"' in first
    second = c.get("/zoeken?q=place:Rotterdam&page=2").get_data(as_text=True)
    assert "Pagina 2 van 2" in second and 'rel="prev"' in second
    hits = [re.findall(r'<article class="hit">\s*<h3><a href="/verhaal/([^"]+)"', p) for p in (first, second)]
    assert len(hits[0]) == len(hits[1]) == 1 and {hits[0][0], hits[1][0]} == {"pop-up-bazaar", "het-koor"}
