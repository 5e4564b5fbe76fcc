"""schema.org JSON-LD and Open Graph / Twitter card tags on the story, series and person pages (web/linked_data.py,
web/sharing.py), the licence on the story page and in its JSON, and what the shared pages never say.

The JSON-LD is read back out of the HTML the way a crawler reads it: the text of each
<script type="application/ld+json">, parsed as JSON (the stdlib's HTML parser; see docs/decisions.md for why
not pyld or extruct).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from verhalen import licences
from verhalen.catalog import Person
from verhalen.web import linked_data

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 6, 1)
ISO_DURATION = re.compile(r"^PT(\d+H)?(\d+M)?(\d+S)?$")


class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.json_ld: list[str] = []
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")
        elif tag == "meta" and (a.get("property") or a.get("name")):
            self.meta.setdefault(a.get("property") or a.get("name"), []).append(a.get("content"))
        elif tag == "a":
            self.links.append(a)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data


def read(html: str) -> _Head:
    h = _Head()
    h.feed(html)
    return h


def _page(client, url: str) -> tuple[dict, dict, _Head]:
    r = client.get(url)
    assert r.status_code == 200, url
    h = read(r.get_data(as_text=True))
    (block,) = h.json_ld
    return json.loads(block), {k: v[0] for k, v in h.meta.items()}, h


def test_story_page_is_a_podcast_episode(client, demo_archive):
    ld, og, _ = _page(client, "/verhaal/pop-up-bazaar")
    assert ld["@context"] == "https://schema.org" and ld["@type"] == "PodcastEpisode"
    assert ld["name"] == "Pop-up bazaar" and ld["url"] == "http://localhost/verhaal/pop-up-bazaar"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", ld["datePublished"]) and ld["dateCreated"] == "2024-05-03"
    series = ld["partOfSeries"]
    assert series == {"@type": "PodcastSeries", "name": "Levensverhalen", "url": "http://localhost/serie/levensverhalen",
                      "webFeed": "http://localhost/serie/levensverhalen/feed.xml"}
    audio = ld["associatedMedia"]
    assert audio["@type"] == "AudioObject" and audio["encodingFormat"] == "audio/mpeg"
    assert audio["contentUrl"] == "http://localhost/media/pop-up-bazaar/listen.mp3" and audio["inLanguage"] == "en"
    with demo_archive.session() as s:
        duration = demo_archive.story(s, "pop-up-bazaar").recording.duration
    assert ISO_DURATION.match(audio["duration"]) and audio["duration"] == f"PT{round(duration)}S" == ld["duration"]
    assert "perfume" in audio["transcript"], "the public transcript as plain text"
    (clip,) = ld["hasPart"]
    assert clip["@type"] == "Clip" and clip["name"] and clip["startOffset"] == 0.0
    assert clip["endOffset"] == pytest.approx(duration, abs=0.01) and clip["url"].endswith("/verhaal/pop-up-bazaar?t=0")
    assert [p["name"] for p in ld["actor"]] == ["Basma"] and [p["name"] for p in ld["contributor"]] == ["Esseline"]
    assert ld["actor"][0]["url"] == "http://localhost/persoon/basma"
    assert ld["contentLocation"] == [{"@type": "Place", "name": "Rotterdam", "url": "http://localhost/plaats/rotterdam"}]
    assert "werk" in ld["keywords"] and ld["about"][0]["name"] == "werk"
    assert ld["license"] == "http://rightsstatements.org/vocab/InC/1.0/"
    assert ld["conditionsOfAccess"] == "Vrij toegankelijk"
    assert og["og:title"] == "Pop-up bazaar" and og["og:type"] == "article"
    assert og["og:url"] == "http://localhost/verhaal/pop-up-bazaar" and og["og:locale"] == "nl_NL"
    assert og["og:locale:alternate"] == "en_GB"
    assert og["og:audio"] == "http://localhost/media/pop-up-bazaar/listen.mp3" and og["og:audio:type"] == "audio/mpeg"
    assert og["twitter:card"] == "summary" and "og:image" not in og, "no picture in the demo"
    assert og["og:description"] == "Basma, Esseline · Levensverhalen"


def test_english_page_says_so(client):
    ld, og, _ = _page(client, "/verhaal/pop-up-bazaar?lang=en")
    assert og["og:locale"] == "en_GB" and og["og:locale:alternate"] == "nl_NL"
    assert ld["conditionsOfAccess"] == "Open to everyone"


def test_pictures_are_absolute_and_served_at_an_allowed_size(archive_copy, make_app):
    shutil.copyfile(DATA / "portrait_exif_rotated_gps.jpg", archive_copy.settings.home / "pic.jpg")
    with archive_copy.session() as s:
        for p in s.scalars(select(Person)):
            p.portrait = "pic.jpg"
        archive_copy.story(s, "pop-up-bazaar").series.artwork = "pic.jpg"
        s.commit()
    c = make_app(archive_copy).test_client()
    for url, kind in (("/verhaal/pop-up-bazaar", "persoon/basma"), ("/serie/levensverhalen", "serie/levensverhalen"),
                      ("/persoon/basma", "persoon/basma")):
        ld, og, _ = _page(c, url)
        assert og["og:image"] == f"http://localhost/beeld/{kind}/640.jpg" == og["twitter:image"], url
        assert og["twitter:card"] == "summary_large_image"
        assert ld["image"] == og["og:image"]
        assert c.get(og["og:image"].replace("http://localhost", "")).status_code == 200
        assert og["og:url"] == f"http://localhost{url}"
    ld, _, _ = _page(c, "/verhaal/pop-up-bazaar")
    assert ld["actor"][0]["image"] == "http://localhost/beeld/persoon/basma/320.jpg"


def test_series_and_person_pages(client):
    ld, og, _ = _page(client, "/serie/levensverhalen")
    assert ld["@type"] == "PodcastSeries" and ld["name"] == "Levensverhalen"
    assert ld["url"] == "http://localhost/serie/levensverhalen"
    assert ld["webFeed"] == "http://localhost/serie/levensverhalen/feed.xml"
    assert og["og:type"] == "website" and og["og:title"] == "Levensverhalen"
    ld, og, _ = _page(client, "/persoon/basma")
    assert ld == {"@context": "https://schema.org", "@type": "Person", "@id": "http://localhost/persoon/basma",
                  "url": "http://localhost/persoon/basma", "name": "Basma"}
    assert og["og:type"] == "profile" and og["og:url"] == "http://localhost/persoon/basma"


def test_hostile_title_cannot_leave_the_json_ld_or_the_tags(archive_copy, make_app):
    title = '</script><script>alert(1)</script> "quoted" & \'single\' <!-- ]]>'
    with archive_copy.session() as s:
        st = archive_copy.story(s, "pop-up-bazaar")
        st.title = title
        st.description = '"><meta http-equiv="refresh" content="0;url=//evil">'
        s.commit()
    c = make_app(archive_copy).test_client()
    r = c.get("/verhaal/pop-up-bazaar")
    html = r.get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<!--" not in html.split("<body>")[0].split("<title>")[1]
    assert 'http-equiv="refresh"' not in html
    h = read(html)
    (block,) = h.json_ld
    assert "</" not in block and "<" not in block
    ld = json.loads(block)
    assert ld["name"] == title, "the title survives as data"
    og = {k: v[0] for k, v in h.meta.items()}
    assert og["og:title"] == title and og["og:description"].startswith('"><meta')
    assert "script-src 'self'" in r.headers["Content-Security-Policy"], "the data block needs no CSP change"


def test_script_json_escapes_everything_that_could_end_the_element():
    text = linked_data.script_json({"a": "</script>\u2028<!--&"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(str(text)) == {"a": "</script>\u2028<!--&"}


@pytest.mark.parametrize("seconds, iso", [(0, "PT0S"), (9.6, "PT10S"), (214.4, "PT3M34S"), (3600, "PT1H"),
                                          (3725, "PT1H2M5S"), (None, None)])
def test_iso_duration(seconds, iso):
    assert linked_data.iso_duration(seconds) == iso


def test_long_transcript_is_linked_not_inlined():
    short = linked_data.transcript_value(["Hallo", " daar"], "https://ex.org/t.txt")
    assert short == "Hallo daar"
    words = ["woord " * 100] * (linked_data.TRANSCRIPT_INLINE_MAX // 600 + 1)
    assert linked_data.transcript_value(words, "https://ex.org/t.txt") == "https://ex.org/t.txt"


def test_licence_on_the_story_page_and_in_its_json(archive_copy, make_app):
    c = make_app(archive_copy).test_client()
    _, _, h = _page(c, "/verhaal/pop-up-bazaar")
    (link,) = [a for a in h.links if a.get("rel") == "license"]
    assert link["href"] == "http://rightsstatements.org/vocab/InC/1.0/"
    assert ">Auteursrechtelijk beschermd</a>" in c.get("/verhaal/pop-up-bazaar").get_data(as_text=True)
    with archive_copy.session() as s:
        archive_copy.story(s, "pop-up-bazaar").licence = licences.parse("CC-BY-4.0").uri
        s.commit()
    page = c.get("/verhaal/pop-up-bazaar?lang=en").get_data(as_text=True)
    assert '<a rel="license" href="http://creativecommons.org/licenses/by/4.0/" class="licence">' \
           'Creative Commons Attribution 4.0</a>' in page
    assert json.loads(read(page).json_ld[0])["license"] == "http://creativecommons.org/licenses/by/4.0/"
    body = c.get("/verhaal/pop-up-bazaar.json").get_json()
    assert body["license"] == {"uri": "http://creativecommons.org/licenses/by/4.0/", "code": "CC-BY-4.0",
                               "nl": "Creative Commons Naamsvermelding 4.0", "en": "Creative Commons Attribution 4.0"}


def test_shared_pages_never_name_the_restricted_story(client):
    """het-koor is for researchers: the JSON-LD and tags of the pages it shares things with stay silent."""
    for url in ("/", "/serie/levensverhalen", "/persoon/basma", "/verhaal/pop-up-bazaar"):
        r = client.get(url)
        h = read(r.get_data(as_text=True))
        said = " ".join(h.json_ld) + json.dumps(h.meta)
        assert not [w for w in ("het-koor", "Het koor", "Amal", "Sleutelpersonen", "muziek") if w in said], url
    ld, _, _ = _page(client, "/verhaal/pop-up-bazaar")
    assert [p["name"] for p in ld["contentLocation"]] == ["Rotterdam"]
