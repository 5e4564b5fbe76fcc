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
import urllib.request
import uuid
from urllib.parse import unquote

import pytest
from lxml import etree
from PIL import Image

from helpers import LiveServer
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


# -- named downloads ----------------------------------------------------------------------------------


def _get(url: str, headers: dict | None = None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        return urllib.request.urlopen(req, timeout=30)
    except urllib.error.HTTPError as e:
        return e


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
        plain = _get(f"{server.url}/media/pop-up-bazaar/listen.mp3")
        # The <audio> element's stream: werkzeug names the file, but inline, never an attachment.
        assert plain.status == 200 and plain.headers["Content-Disposition"].startswith("inline")
        r = _get(f"{server.url}/media/pop-up-bazaar/listen.mp3?download=1")
        assert r.status == 200 and r.headers["Content-Type"] == "audio/mpeg"
        assert _disposition(r.headers["Content-Disposition"]) == ("attachment", "pop-up-bazaar.mp3", "Pop-up bazaar.mp3")
        assert r.read() == plain.read()
        part = _get(f"{server.url}/media/pop-up-bazaar/listen.mp3?download=1", {"Range": "bytes=100-199"})
        assert part.status == 206 and len(part.read()) == 100 and part.headers["Content-Range"].startswith("bytes 100-199/")
        assert "attachment" in part.headers["Content-Disposition"]
        opus = _get(f"{server.url}/media/pop-up-bazaar/listen.opus?download=1")
        assert _disposition(opus.headers["Content-Disposition"])[1:] == ("pop-up-bazaar.opus", "Pop-up bazaar.opus")
        for title, expected in (("Şükrü's verhaal \"één\"", "Şükrü's verhaal één.mp3"),
                                ("Regel één\r\nX-Evil: 1\u2028/..\\<b>", "Regel één X-Evil 1 .. b.mp3"),
                                ("???", "pop-up-bazaar.mp3")):
            with archive_copy.session() as s:
                archive_copy.story(s, "pop-up-bazaar").title = title
                s.commit()
            r = _get(f"{server.url}/media/pop-up-bazaar/listen.mp3?download=1")
            assert r.status == 200 and "X-Evil" not in r.headers, title
            assert _disposition(r.headers["Content-Disposition"]) == ("attachment", "pop-up-bazaar.mp3", expected)
        # Still the access rule: a hidden story's download is a 404 like its stream.
        with archive_copy.session() as s:
            archive_copy.story(s, "pop-up-bazaar").access = "researchers"
            s.commit()
        assert _get(f"{server.url}/media/pop-up-bazaar/listen.mp3?download=1").status == 404
    finally:
        server.close()


def test_story_page_download_link_asks_for_the_named_download(client):
    page = client.get("/verhaal/pop-up-bazaar").get_data(as_text=True)
    downloads = page[page.index('class="downloads"'):]
    assert '<a href="/media/pop-up-bazaar/listen.mp3?download=1" download>MP3</a>' in downloads
    player = page[page.index("<audio"):page.index("</audio>")]
    assert 'src="/media/pop-up-bazaar/listen.mp3"' in player and "download=1" not in player.split("<track")[0]


