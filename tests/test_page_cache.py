"""The anonymous page cache (web/page_cache.py) and the catalog generation it is keyed by (migration 0004)."""

from __future__ import annotations

import gzip
import sqlite3

import pytest
from sqlalchemy import text

from verhalen import catalog
from verhalen.web import create_app

from conftest import login

STORY = "/verhaal/pop-up-bazaar"


def cache_of(app):
    return app.wsgi_app


def gen(archive) -> int:
    with archive.engine.connect() as c:
        return catalog.generation(c)


@pytest.fixture
def app(archive_copy):
    return create_app(archive_copy.settings, archive_copy)


def test_second_view_comes_from_the_cache_compressed_with_an_etag(app):
    c = app.test_client()
    pc = cache_of(app)
    first = c.get(STORY, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and pc.misses == 1 and pc.hits == 0
    second = c.get(STORY, headers={"Accept-Encoding": "gzip, deflate"})
    assert pc.hits == 1
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert second.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in second.headers.get_all("Vary")
    body = gzip.decompress(second.get_data())
    assert body == gzip.decompress(first.get_data()) and b"Pop-up bazaar" in body
    # The app's own headers travel with the cached copy.
    assert second.headers["Content-Security-Policy"] and second.headers["Content-Language"] == "nl"
    # A client without gzip gets the plain page.
    plain = c.get(STORY)
    assert "Content-Encoding" not in plain.headers and plain.get_data() == body
    # Revalidation: the ETag answers 304 without a body.
    again = c.get(STORY, headers={"If-None-Match": second.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_language_and_query_are_part_of_the_key(app):
    c = app.test_client()
    nl = c.get(STORY).get_data(as_text=True)
    en = c.get(STORY + "?lang=en").get_data(as_text=True)
    assert 'lang="nl"' in nl and 'lang="en"' in en
    # The cookie set by ?lang=en above makes the next plain URL English, served fresh or cached.
    assert 'lang="en"' in c.get(STORY).get_data(as_text=True)
    assert "Deze link begint bij 00:02" in app.test_client().get(STORY + "?t=2").get_data(as_text=True)


def test_a_change_by_another_connection_shows_at_once(app, archive_copy):
    c = app.test_client()
    assert "Pop-up bazaar" in c.get(STORY).get_data(as_text=True)
    before = gen(archive_copy)
    # Another process's write, by plain sqlite3: the trigger bumps the generation.
    db = sqlite3.connect(archive_copy.settings.home / "catalog.sqlite")
    with db:
        db.execute("UPDATE stories SET title = 'Bazaar op zaterdag' WHERE slug = 'pop-up-bazaar'")
    db.close()
    assert gen(archive_copy) > before
    assert "Bazaar op zaterdag" in c.get(STORY).get_data(as_text=True)
    # The page kept for the old generation is gone, not just unreachable.
    assert len(cache_of(app)._entries) == 1


def test_segment_edit_and_person_rename_invalidate(app, archive_copy):
    c = app.test_client()
    c.get(STORY)
    with archive_copy.engine.begin() as conn:
        conn.execute(text("UPDATE segments SET speaker = 'Verteller Zeta' WHERE id = "
                          "(SELECT min(id) FROM segments WHERE story_id = (SELECT id FROM stories WHERE slug = 'pop-up-bazaar'))"))
    assert "Verteller Zeta" in c.get(STORY).get_data(as_text=True)
    with archive_copy.engine.begin() as conn:
        conn.execute(text("UPDATE people SET name = 'Basma Y.' WHERE name = 'Basma'"))
    assert "Basma Y." in c.get(STORY).get_data(as_text=True)


def test_job_bookkeeping_does_not_empty_the_cache(archive_copy):
    before = gen(archive_copy)
    with archive_copy.engine.begin() as conn:
        conn.execute(text("UPDATE stories SET heartbeat = CURRENT_TIMESTAMP, claimed_by = 'w1'"))
    assert gen(archive_copy) == before
    with archive_copy.engine.begin() as conn:
        conn.execute(text("UPDATE stories SET access = access"))
    assert gen(archive_copy) > before


def test_signed_in_users_and_errors_are_never_cached(workspace):
    pc = cache_of(workspace)
    c = workspace.test_client()
    assert login(c, "onderzoeker").status_code == 302
    # The researcher sees the researchers-only story; the cache never sees the request.
    assert c.get("/verhaal/het-koor").status_code == 200
    assert pc.hits == pc.misses == 0
    anon = workspace.test_client()
    assert anon.get("/verhaal/het-koor").status_code == 404
    assert anon.get("/verhaal/het-koor").status_code == 404
    assert pc.hits == 0 and pc.misses == 2
    # Media never passes through the cache.
    anon.get(STORY + ".json")
    anon.get("/media/pop-up-bazaar/listen.mp3", headers={"Range": "bytes=0-99"})
    assert pc.misses == 3


def test_embargo_lifts_although_pages_are_cached(archive_copy):
    import datetime as dt

    with archive_copy.engine.begin() as conn:
        conn.execute(text("UPDATE stories SET access = 'embargoed', embargo_until = '2030-01-01' WHERE slug = 'pop-up-bazaar'"))
    app = create_app(archive_copy.settings, archive_copy, today=dt.date(2029, 12, 31))
    c = app.test_client()
    assert c.get(STORY).status_code == 404
    app.config["TODAY"] = dt.date(2030, 1, 1)
    assert c.get(STORY).status_code == 200


def test_search_page_follows_the_index(app, archive_copy):
    c = app.test_client()
    assert "Pop-up bazaar" in c.get("/zoeken?q=perfume").get_data(as_text=True)
    archive_copy.index.write(remove=list(archive_copy.index.story_ids()))
    assert "Pop-up bazaar" not in c.get("/zoeken?q=perfume").get_data(as_text=True)


def test_an_unreadable_catalog_generation_bypasses_the_cache(app):
    def broken():
        raise OSError("disk gone")

    cache_of(app).version = broken
    r = app.test_client().get(STORY)
    assert r.status_code == 200 and "X-Cache" not in r.headers
