"""The one access rule (verhalen.access), and every route of the viewer checked against it.

A copy of the demo archive gets "het-koor" (narrator Amal, series Sleutelpersonen,
theme muziek, place Rotterdam shared with the public story) at each restricted
level; every route must then answer 404 or leave it out, including search
results and facet counts. The same routes answer 200 when the story is public,
so the enumeration cannot pass by accident.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from verhalen import access
from verhalen.catalog import Person, Story
from verhalen.indexing import sync
from verhalen.web import create_app

DATA = Path(__file__).parent / "data"
TODAY = dt.date(2026, 6, 1)
SLUG = "het-koor"

# Routes that belong to the restricted story (directly or through people/series/themes only it has).
OWN = [f"/verhaal/{SLUG}", f"/verhaal/{SLUG}.json", f"/media/{SLUG}/listen.mp3", f"/media/{SLUG}/listen.opus",
       *(f"/media/{SLUG}/transcript.{f}" for f in ("vtt", "srt", "txt", "json")), f"/media/{SLUG}/chapters.json",
       f"/beeld/verhaal/{SLUG}/320.jpg", f"/beeld/verhaal/{SLUG}/160.webp",
       "/persoon/amal", "/beeld/persoon/amal/320.jpg", "/beeld/persoon/amal/640.webp",
       "/serie/sleutelpersonen", "/serie/sleutelpersonen/feed.xml", "/beeld/serie/sleutelpersonen/320.jpg",
       "/thema/muziek"]
# Routes shared with public material: they answer, but must not mention the story.
SHARED = ["/", "/?lang=en", "/themas", "/plaatsen", "/plaats/rotterdam", "/persoon/basma", "/serie/levensverhalen",
          "/serie/levensverhalen/feed.xml", "/sitemap.xml", "/robots.txt", "/zoeken", "/zoeken?q=dinsdag",
          "/zoeken?q=zingen+OR+perfume", "/zoeken?q=place:Rotterdam", "/zoeken?q=koor", "/zoeken?q=person:Amal",
          "/thema/werk", "/verhaal/pop-up-bazaar", "/verhaal/pop-up-bazaar.json",
          "/media/pop-up-bazaar/transcript.json", "/beeld/persoon/basma/160.jpg"]
SECRETS = ["het-koor", "Het koor", "Amal", "Sleutelpersonen", "sleutelpersonen", "muziek", "dinsdag", "zingen"]

RESTRICTED = {
    "researchers": dict(access="researchers"),
    "editors": dict(access="editors"),
    "embargoed-until-later": dict(access="embargoed", embargo_until=TODAY + dt.timedelta(days=1)),
    "public-but-unpublished": dict(access="public", published=False),
    "public-but-failed": dict(access="public", status="failed"),
}


def _prepare(archive, **changes) -> None:
    """Give het-koor cover art, Amal and Basma portraits, Sleutelpersonen artwork; apply `changes`; reindex."""
    home = archive.settings.home
    shutil.copyfile(DATA / "portrait_exif_rotated_gps.jpg", home / "pic.jpg")
    with archive.session() as s:
        st = archive.story(s, SLUG)
        st.recording.cover_art = "pic.jpg"
        st.chapters = [{"start": 0.0, "title": "Begin"}, {"start": 4.0, "title": "Dinsdag"}]
        st.series.artwork = "pic.jpg"
        for p in s.scalars(select(Person)):
            p.portrait = "pic.jpg"
        for key, value in {"access": "public", "embargo_until": None, "published": True, "status": "ready",
                           **changes}.items():
            setattr(st, key, value)
        s.commit()
        sync(archive.index, st)


def _client(archive, today=TODAY):
    return create_app(archive.settings, archive, today=today).test_client()


# Signed-in routes (login, the editors' workspace, the researchers' export) answer anonymous visitors with a
# redirect to /login; tests/test_editor_permissions.py enumerates those.
SIGNED_IN = ("auth", "editor", "export")


def _routes_of(app) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules()
            if r.endpoint != "static" and r.endpoint.split(".")[0].split("_")[0] not in SIGNED_IN}


def test_enumeration_covers_every_route(archive_copy):
    app = create_app(archive_copy.settings, archive_copy)
    adapter = app.url_map.bind("localhost")
    covered = {adapter.match(url.split("?")[0])[0] for url in OWN + SHARED}
    assert _routes_of(app) <= covered, f"routes missing from the access test: {_routes_of(app) - covered}"


def test_public_story_answers_everywhere(archive_copy):
    """Control: with het-koor public, every one of its routes works and it shows in lists and search."""
    _prepare(archive_copy)
    c = _client(archive_copy)
    for url in OWN:
        assert c.get(url).status_code == 200, url
    assert "Het koor" in c.get("/").get_data(as_text=True)
    assert "het-koor" in c.get("/sitemap.xml").get_data(as_text=True)
    page = c.get("/zoeken?q=place:Rotterdam").get_data(as_text=True)
    assert "2 verhalen gevonden" in page and "Sleutelpersonen" in page


@pytest.mark.parametrize("variant", sorted(RESTRICTED))
def test_restricted_story_is_404_or_absent_on_every_route(archive_copy, variant):
    _prepare(archive_copy, **RESTRICTED[variant])
    c = _client(archive_copy)
    for url in OWN:
        r = c.get(url)
        assert r.status_code == 404, (variant, url, r.status_code)
        body = r.get_data(as_text=True).replace(url, "")  # the language links repeat the path asked for
        assert not [s for s in SECRETS if s in body], url
    missing = c.get("/verhaal/bestaat-niet")
    hidden = c.get(f"/verhaal/{SLUG}").get_data(as_text=True).replace(SLUG, "x")
    assert hidden == missing.get_data(as_text=True).replace("bestaat-niet", "x"), "hidden and missing must look the same"
    for url in SHARED:
        r = c.get(url)
        assert r.status_code in (200, 400), (variant, url)
        body = r.get_data().decode("utf-8", "replace")
        leaked = [s for s in SECRETS if s in body and not (s == "dinsdag" and "q=dinsdag" in url or
                                                           s in url.replace("+", " ") or s.lower() in url.lower())]
        assert not leaked, (variant, url, leaked)
    # search counts and facets: only the public story
    page = c.get("/zoeken?q=place:Rotterdam&lang=nl").get_data(as_text=True)
    assert "1 verhaal gevonden" in page
    assert 'data-facet="series"' in page and "Levensverhalen" in page and "Sleutelpersonen" not in page


def test_embargo_lifts_by_itself_when_its_date_passes(archive_copy):
    lift = dt.date(2030, 1, 1)
    _prepare(archive_copy, access="embargoed", embargo_until=lift)
    before, on_the_day = _client(archive_copy, lift - dt.timedelta(days=1)), _client(archive_copy, lift)
    for url in (f"/verhaal/{SLUG}", f"/media/{SLUG}/listen.mp3", "/serie/sleutelpersonen/feed.xml"):
        assert before.get(url).status_code == 404, url
        assert on_the_day.get(url).status_code == 200, url
    assert "Het koor" in on_the_day.get("/zoeken?q=dinsdag").get_data(as_text=True)
    assert "Het koor" not in before.get("/zoeken?q=dinsdag").get_data(as_text=True)


# -- the rule itself, without the web --------------------------------------------------


def _story(**kw):
    base = dict(published=True, status="ready", access="public", embargo_until=None)
    return SimpleNamespace(**{**base, **kw})


@pytest.mark.parametrize("kw, levels, expected", [
    ({}, access.PUBLIC, True),
    ({"access": "researchers"}, access.PUBLIC, False),
    ({"access": "researchers"}, frozenset({"public", "researchers"}), True),
    ({"access": "editors"}, frozenset({"public", "researchers"}), False),
    ({"access": "embargoed", "embargo_until": TODAY}, access.PUBLIC, True),
    ({"access": "embargoed", "embargo_until": TODAY + dt.timedelta(days=1)}, access.PUBLIC, False),
    ({"access": "embargoed", "embargo_until": None}, access.PUBLIC, False),
    ({"published": False}, access.PUBLIC, False),
    ({"status": "pending"}, access.PUBLIC, False),
    ({"status": "needs_transcript"}, access.PUBLIC, True),
])
def test_visible(kw, levels, expected):
    assert access.visible(_story(**kw), levels, TODAY) is expected


def test_sql_clause_agrees_with_visible(archive_copy):
    cases = [dict(), dict(access="researchers"), dict(access="embargoed", embargo_until=TODAY),
             dict(access="embargoed", embargo_until=TODAY + dt.timedelta(days=3)), dict(published=False),
             dict(status="pending")]
    for kw in cases:
        with archive_copy.session() as s:
            st = archive_copy.story(s, SLUG)
            for key, value in {"access": "public", "embargo_until": None, "published": True, "status": "ready",
                               **kw}.items():
                setattr(st, key, value)
            s.commit()
            in_sql = s.scalar(select(Story.id).where(Story.slug == SLUG, access.clause(access.PUBLIC, TODAY)))
            assert (in_sql is not None) == access.visible(st, access.PUBLIC, TODAY), kw


def test_levels_for_anonymous_is_public():
    assert access.levels_for(None) == frozenset({"public"})
    assert access.levels_for(SimpleNamespace(levels={"researchers"})) == frozenset({"public", "researchers"})
