"""The anonymous page cache (web/page_cache.py) and the catalog generation it is keyed by (migration 0004)."""

from __future__ import annotations

import gzip
import sqlite3

import pytest
from sqlalchemy import text

from helpers import LiveServer, login
from verhalen import catalog

STORY = "/verhaal/pop-up-bazaar"


def cache_of(app):
    return app.wsgi_app


def gen(archive) -> int:
    with archive.engine.connect() as c:
        return catalog.generation(c)


@pytest.fixture
def app(archive_copy, make_app):
    return make_app(archive_copy)


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


def test_embargo_lifts_although_pages_are_cached(archive_copy, make_app):
    import datetime as dt

    with archive_copy.engine.begin() as conn:
        conn.execute(text("UPDATE stories SET access = 'embargoed', embargo_until = '2030-01-01' WHERE slug = 'pop-up-bazaar'"))
    app = make_app(archive_copy, today=dt.date(2029, 12, 31))
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


# -- Trust (issue 8, item 1): the cache must never hand a signed-in user's page to anyone else ----------
#
# The old middleware read cookies with http.cookies.SimpleCookie, which stops at the first cookie it cannot
# parse (here a consent cookie holding JSON) and keeps the last of two duplicates, while Flask (werkzeug's
# parser) skips the bad one and keeps the first. Each test below failed on that code: the editor's page was
# stored as if anonymous and then served to everyone with X-Cache: HIT.

CONSENT = 'cookieconsent={"necessary":true}'
# What only a signed-in user may see, per URL, and how it shows up in the body.
RESTRICTED = {
    "/": "Het koor",
    "/verhaal/het-koor": "Het koor",
    "/verhaal/het-koor.json": '"het-koor"',
    "/zoeken?q=koor": "Het koor",
    "/serie/sleutelpersonen/feed.xml": "Het koor",
    "/persoon/amal": "Het koor",
}


def session_of(app, name: str = "esseline") -> str:
    """A real signed-in session cookie, got through the login form, as the browser holds it after its first
    page (which added the CSRF token to the session: later pages set no cookie, so the old cache kept them)."""
    c = app.test_client()
    assert login(c, name).status_code == 302
    c.get("/")
    return c.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def raw_client(app):
    # use_cookies=False: the test client would otherwise replace the Cookie header with its own jar.
    return app.test_client(use_cookies=False)


def assert_nothing_restricted_kept(app):
    """No stored page, whatever its key, holds what only signed-in users may see."""
    for entry in cache_of(app)._entries.values():
        assert b"Het koor" not in gzip.decompress(entry.body) and b"het-koor" not in gzip.decompress(entry.body)


def assert_anonymous_sees_no_restricted(app):
    anon = app.test_client()
    for url, marker in RESTRICTED.items():
        r = anon.get(url)
        assert r.status_code in (200, 404), url
        assert marker not in r.get_data(as_text=True), (url, r.headers.get("X-Cache"))


@pytest.mark.parametrize("url", list(RESTRICTED))
def test_an_editor_with_a_consent_cookie_first_is_never_stored(workspace, url):
    session = session_of(workspace)
    editor = raw_client(workspace)
    for _ in range(2):  # twice: a second view would be the HIT
        r = editor.get(url, headers={"Cookie": f"{CONSENT}; session={session}"})
        # Flask did sign the editor in (the restricted item is there), and the cache stayed out of it.
        assert r.status_code == 200 and RESTRICTED[url] in r.get_data(as_text=True), url
        assert "X-Cache" not in r.headers
    assert_anonymous_sees_no_restricted(workspace)
    assert_nothing_restricted_kept(workspace)


@pytest.mark.parametrize("restriction", ["embargoed", "unpublished", "editors"])
def test_embargoed_unpublished_and_editors_only_titles_do_not_leak(workspace, restriction):
    with workspace.archive.engine.begin() as conn:
        if restriction == "unpublished":
            conn.execute(text("UPDATE stories SET published = false WHERE slug = 'het-koor'"))
        else:
            conn.execute(text("UPDATE stories SET access = :a, embargo_until = '2999-01-01' WHERE slug = 'het-koor'"),
                         {"a": restriction})
    session = session_of(workspace)
    editor = raw_client(workspace)
    for url in ("/", "/verhaal/het-koor", "/verhaal/het-koor.json"):
        r = editor.get(url, headers={"Cookie": f"{CONSENT}; session={session}"})
        assert r.status_code == 200 and RESTRICTED[url] in r.get_data(as_text=True), url
        anon = workspace.test_client().get(url)
        assert RESTRICTED[url] not in anon.get_data(as_text=True), (url, anon.headers.get("X-Cache"))


def test_duplicate_language_cookies_do_not_store_a_page_under_the_wrong_language(app):
    c = raw_client(app)
    # Flask keeps the first of two cookies with one name: this page is English.
    first = c.get(STORY, headers={"Cookie": "lang=en; lang=nl"})
    assert '<html lang="en">' in first.get_data(as_text=True)
    # A visitor without any cookie gets Dutch, not the English page kept under "nl" (the old bug).
    plain = c.get(STORY)
    assert '<html lang="nl">' in plain.get_data(as_text=True), plain.headers.get("X-Cache")
    # And the other way round: the Dutch page with "lang=nl; lang=en" is no answer for lang=en.
    c.get("/", headers={"Cookie": "lang=nl; lang=en"})
    assert '<html lang="en">' in c.get("/", headers={"Cookie": "lang=en"}).get_data(as_text=True)
    # The English page is still cached for visitors who chose English (the cache keys on what Flask read).
    again = c.get(STORY, headers={"Cookie": "lang=en; lang=nl"})
    assert again.headers["X-Cache"] == "HIT" and '<html lang="en">' in again.get_data(as_text=True)


# Cookie headers browsers, proxies and attackers send. Each is tried alone, and before and after a valid
# editor session (with and without a space), so the parser's every odd corner meets a real login.
ODD_COOKIES = [
    CONSENT,
    'cookieconsent={"necessary":true,"analytics":false}; _ga=GA1.2.3.4',
    'cookieconsent="{\\"necessary\\":true}"',
    '"quoted name"=value',
    'a="unterminated',
    'a=1;;b=2',
    ";;",
    ";",
    "   ",
    "lang=en; lang=nl",
    "lang=nl; lang=en",
    'lang="en"',
    "lang = en",
    "lang=en ; lang=nl",
    "lang=",
    "lang=fr",
    "=novalue",
    "noequals",
    "a=b=c",
    "x=\xe9\xff\xfe",  # latin-1 bytes that are not UTF-8
    'x="\\303\\251"',  # octal escapes inside quotes
    "x=caf\xc3\xa9",  # UTF-8 seen as latin-1, as WSGI hands it on
    "tab=\tvalue",
    "x=1\tsession=2",
    "x=1,session=2",
    "$Version=1; a=b; $Path=/",
    "a=" + "x" * 4000,
    "session=",
    "session=garbage",
    "remember_token=garbage",
    "Session=abc",
    "sess%69on=abc",
    "session=.eJyrVkrOyS9KLVKyUipKTUlNLFHSUSotTi0CAE2ZB1c.garbage",
]


def with_session(odd: str, session: str) -> list[str]:
    s = f"session={session}"
    return [f"{odd}; {s}", f"{s}; {odd}", f"{odd};{s}", f"session=garbage; {odd}; {s}"]


@pytest.mark.parametrize("odd", ODD_COOKIES)
def test_odd_cookie_headers_never_store_an_editor_page_or_fail(workspace, odd):
    session = session_of(workspace)
    c = raw_client(workspace)
    for header in [odd, *with_session(odd, session)]:
        for url in RESTRICTED:
            r = c.get(url, headers={"Cookie": header})
            assert r.status_code < 500, (header, url)
            signed_in = RESTRICTED[url] in r.get_data(as_text=True)
            # A signed-in page never comes from the cache, and a page from the cache is never signed in.
            assert not (signed_in and "X-Cache" in r.headers), (header, url)
    assert_anonymous_sees_no_restricted(workspace)
    assert_nothing_restricted_kept(workspace)


QUERIES = ["", "lang=en", "lang=nl&lang=en", "lang=", "l%61ng=en", "lang=e%6E", "lang=%ff", "lang=en;x", "lang=en+",
           "q=\xff", "lang=en\xe9"]  # the last two: raw bytes that are not UTF-8 (werkzeug cannot read them)


def flask_view(app, environ: dict):
    """(args, cookies, language) as the app reads them, or "unreadable"."""
    from flask import request

    from verhalen.web import i18n

    with app.request_context(dict(environ)):
        try:
            # to_dict(): the first value of each name, which is what request.args.get and .cookies.get answer
            return request.args.to_dict(), request.cookies.to_dict(), i18n.current_language()
        except UnicodeDecodeError:
            return "unreadable"


@pytest.mark.parametrize("odd", ODD_COOKIES)
def test_the_cache_reads_cookies_and_language_exactly_as_flask_does(workspace, odd):
    """The middleware's view of a request (cookies, language, a login) is the app's, for every odd header."""
    pc = cache_of(workspace)
    for query in QUERIES:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": query, "SERVER_NAME": "x",
                   "SERVER_PORT": "80", "wsgi.url_scheme": "http", "HTTP_COOKIE": odd}
        try:
            (args, cookies), (_, lang) = pc.parse(environ), pc.read(environ)
            mine = dict(args), dict(cookies), lang
        except UnicodeDecodeError:
            mine = "unreadable"  # then the cache leaves the request to the app, which answers 400
        theirs = flask_view(workspace, environ)
        assert mine == theirs, (odd, query)
        if theirs != "unreadable" and {"session", "remember_token"} & set(theirs[1]):
            assert pc.private(environ), (odd, query)


def test_odd_cookie_headers_over_a_real_server(workspace):
    """Raw Cookie headers (bytes, as a client puts them on the wire) through waitress."""
    import http.client

    session = session_of(workspace)
    server = LiveServer(workspace)
    host, port = server.url.removeprefix("http://").split(":")
    try:
        def get(url: str, cookie: str | None) -> tuple[int, bytes, dict]:
            conn = http.client.HTTPConnection(host, int(port), timeout=30)
            conn.putrequest("GET", url)
            if cookie is not None:
                conn.putheader("Cookie", cookie.encode("latin-1"))
            conn.endheaders()
            r = conn.getresponse()
            body, headers = r.read(), r.getheaders()
            conn.close()
            return r.status, body, {k.lower(): v for k, v in headers} | {"set-cookie": [v for k, v in headers
                                                                                       if k.lower() == "set-cookie"]}

        def http_cookies(headers: dict) -> list[str]:
            return headers["set-cookie"]

        # As a browser would: take the cookie the server hands back (flask-login marks a session that moved to
        # another client address or user agent as not fresh), until it no longer changes.
        for _ in range(3):
            fresh = [c for c in http_cookies(get("/", f"session={session}")[2]) if c.startswith("session=")]
            if not fresh:
                break
            session = fresh[0].split(";")[0].removeprefix("session=")
        for odd in ODD_COOKIES:
            for header in [*with_session(odd, session), odd]:  # the editor first: what a leak needs
                for url in ("/", "/verhaal/het-koor", "/serie/sleutelpersonen/feed.xml"):
                    status, body, headers = get(url, header)
                    assert status < 500, (header, url)
                    assert not (b"Het koor" in body and "x-cache" in headers), (header, url)
        # Over the wire too, the editor's pages reached nobody else.
        for url in ("/", "/verhaal/het-koor", "/serie/sleutelpersonen/feed.xml", "/zoeken?q=koor"):
            status, body, headers = get(url, None)
            assert b"Het koor" not in body, (url, headers.get("x-cache"))
        assert get("/verhaal/het-koor", None)[0] == 404
        assert_nothing_restricted_kept(workspace)
        # Raw bytes that are not UTF-8 in the query (werkzeug cannot read it): a plain 400, not a 500.
        import socket

        for target in (b"/?q=\xff", b"/zoeken?lang=en\xe9", b"/verhaal/het-koor?x=\xc3("):
            for cookie in (b"", b"Cookie: session=" + session.encode() + b"\r\n"):
                with socket.create_connection((host, int(port)), timeout=30) as sock:
                    sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n" + cookie + b"Connection: close\r\n\r\n")
                    assert sock.recv(64).startswith(b"HTTP/1.1 400"), (target, cookie)
    finally:
        server.close()


def test_visitors_with_other_cookies_still_get_cached_pages(app):
    """A consent or analytics cookie is no login: those visitors share the anonymous pages."""
    c = raw_client(app)
    c.get(STORY)
    r = c.get(STORY, headers={"Cookie": f"{CONSENT}; _ga=GA1.2.3.4; lang=nl"})
    assert r.headers["X-Cache"] == "HIT"


def test_any_session_cookie_bypasses_the_cache_even_an_invalid_one(workspace):
    pc = cache_of(workspace)
    c = raw_client(workspace)
    c.get(STORY)
    for cookie in ("session=garbage", "remember_token=garbage", f"{CONSENT}; session=", "a=1; session=x; b=2"):
        r = c.get(STORY, headers={"Cookie": cookie})
        assert r.status_code == 200 and "X-Cache" not in r.headers, cookie
    assert pc.hits == 0 and pc.misses == 1


def test_only_pages_the_app_vouches_for_are_stored(workspace):
    """Even if the cookie check missed a login, the app does not vouch for a signed-in page: nothing is kept."""
    pc = cache_of(workspace)
    pc.private_cookies = ()  # simulate the old blind spot: the cache thinks this request is anonymous
    session = session_of(workspace)
    editor = raw_client(workspace)
    for _ in range(2):
        r = editor.get("/verhaal/het-koor", headers={"Cookie": f"session={session}"})
        assert r.status_code == 200 and r.headers.get("X-Cache") != "HIT"
    assert not pc._entries
    assert workspace.test_client().get("/verhaal/het-koor").status_code == 404


def test_a_language_the_app_did_not_use_is_not_stored(app):
    """The app vouches only when the language it rendered is the one the cache keyed on."""
    pc = cache_of(app)
    pc.language = lambda args, cookies: "nl"  # a cache that got the language wrong
    r = raw_client(app).get(STORY, headers={"Cookie": "lang=en"})
    assert '<html lang="en">' in r.get_data(as_text=True)
    assert not pc._entries
