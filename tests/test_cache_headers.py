"""Cache-Control (issue 8, item 8): what is not public says `private, no-store`; public pages stay cached.

On the old code every image was sent `public, max-age=3600` whoever asked (so a shared cache could keep
an editor's view of a hidden person's portrait), and restricted pages, JSON and feeds carried no
Cache-Control at all; each test below failed there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import login
from verhalen.catalog import Person, Series

DATA = Path(__file__).parent / "data"
PRIVATE = "private, no-store"


@pytest.fixture
def pictured(workspace):
    """The workspace with a portrait for both narrators, artwork for both series and a cover for both stories.
    Amal, "Sleutelpersonen" and "Het koor" belong to the researchers-only story only."""
    archive = workspace.archive
    home = archive.settings.home
    (home / "portraits").mkdir(exist_ok=True)
    shutil.copyfile(DATA / "portrait_exif_rotated_gps.jpg", home / "portraits" / "picture.jpg")
    with archive.session() as s:
        for person in s.scalars(select(Person)):
            person.portrait = "portraits/picture.jpg"
        for series in s.scalars(select(Series)):
            series.artwork = "portraits/picture.jpg"
        for slug in ("het-koor", "pop-up-bazaar"):
            archive.story(s, slug).recording.cover_art = "portraits/picture.jpg"
        s.commit()
    return workspace


def signed_in(app, name: str):
    c = app.test_client()
    assert login(c, name).status_code == 302
    return c


HIDDEN_IMAGES = ["/beeld/verhaal/het-koor/320.jpg", "/beeld/persoon/amal/320.webp", "/beeld/serie/sleutelpersonen/640.jpg"]
PUBLIC_IMAGES = ["/beeld/verhaal/pop-up-bazaar/320.jpg", "/beeld/persoon/basma/320.webp",
                 "/beeld/serie/levensverhalen/640.jpg"]


@pytest.mark.parametrize("who", ["esseline", "onderzoeker"])
def test_images_of_hidden_stories_people_and_series_are_private_no_store(pictured, who):
    c = signed_in(pictured, who)
    for url in HIDDEN_IMAGES:
        r = c.get(url)
        assert r.status_code == 200 and r.mimetype.startswith("image/"), url
        assert r.headers["Cache-Control"] == PRIVATE and "Expires" not in r.headers, (url, r.headers)
        assert pictured.test_client().get(url).status_code == 404, "the public cannot see it at all"


def test_images_the_public_may_see_stay_publicly_cacheable(pictured):
    editor, anon = signed_in(pictured, "esseline"), pictured.test_client()
    for url in PUBLIC_IMAGES:
        for c in (editor, anon):
            r = c.get(url)
            assert r.status_code == 200, url
            assert r.headers["Cache-Control"] == "public, max-age=3600", (url, r.headers["Cache-Control"])


RESTRICTED_PAGES = ["/verhaal/het-koor", "/verhaal/het-koor.json", "/serie/sleutelpersonen/feed.xml",
                    "/persoon/amal", "/serie/sleutelpersonen", "/zoeken?q=koor", "/", "/sitemap.xml",
                    "/media/het-koor/listen.mp3", "/media/het-koor/transcript.vtt", "/media/het-koor/transcript.json"]


@pytest.mark.parametrize("who", ["esseline", "onderzoeker"])
def test_what_a_signed_in_user_sees_is_private_no_store(workspace, who):
    """Pages, JSON and feeds rendered for a signed-in user show what the public may not (or at least
    their name and the workspace links): a shared cache must never keep them."""
    c = signed_in(workspace, who)
    for url in RESTRICTED_PAGES + ["/verhaal/pop-up-bazaar", "/verhaal/pop-up-bazaar.json"]:
        r = c.get(url)
        assert r.status_code == 200, url
        assert r.headers["Cache-Control"] == PRIVATE, (url, r.headers.get("Cache-Control"))
        assert "Expires" not in r.headers and "X-Cache" not in r.headers, url
    # The editors' own pages, and the 404 of something that does not exist.
    assert c.get("/bestaat-niet").headers["Cache-Control"] == PRIVATE
    if who == "esseline":
        assert c.get("/editor/").headers["Cache-Control"] == PRIVATE


def test_public_media_and_static_files_stay_cacheable_for_signed_in_users(workspace):
    c = signed_in(workspace, "onderzoeker")
    assert c.get("/media/pop-up-bazaar/listen.mp3").headers["Cache-Control"] == "public, max-age=3600"
    assert c.get("/media/pop-up-bazaar/transcript.vtt").headers["Cache-Control"] == "max-age=300"
    assert "no-store" not in c.get("/static/player.js").headers.get("Cache-Control", "")


def test_public_pages_for_anonymous_visitors_are_still_cached_and_fast(workspace, monkeypatch):
    anon = workspace.test_client()
    entered = []
    dispatch = workspace.full_dispatch_request
    monkeypatch.setattr(workspace, "full_dispatch_request", lambda: entered.append(1) or dispatch())
    for url in ("/", "/verhaal/pop-up-bazaar", "/verhaal/pop-up-bazaar.json", "/zoeken?q=perfume",
                "/serie/levensverhalen/feed.xml", "/persoon/basma"):
        entered.clear()
        first = anon.get(url)
        assert first.status_code == 200 and first.headers["X-Cache"] == "MISS" and entered, url
        assert "no-store" not in first.headers.get("Cache-Control", ""), url
        # A shared HTTP cache must keep the signed-in and the anonymous answers apart.
        assert "Cookie" in first.headers.get("Vary", ""), url
        entered.clear()
        second = anon.get(url)
        assert second.headers["X-Cache"] == "HIT" and second.get_data() == first.get_data(), url
        assert "Cookie" in second.headers.get("Vary", ""), url
        # Fast because a hit never enters Flask (the figures are in docs/benchmarks.md).
        assert not entered, url


def test_anonymous_visitors_are_not_told_no_store(workspace):
    """The public's pages and media keep their ordinary caching: nothing non-public reaches them."""
    anon = workspace.test_client()
    assert anon.get("/media/pop-up-bazaar/listen.mp3").headers["Cache-Control"] == "public, max-age=3600"
    assert "Cache-Control" not in anon.get("/verhaal/pop-up-bazaar").headers
