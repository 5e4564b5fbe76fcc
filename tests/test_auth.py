"""Logging in and out, the secret key, cookie flags, the login limit, and what a signed-in researcher sees."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import pytest

from helpers import PASSWORD, LiveServer, Postgres, csrf_of, login, run_cli, token_for
from verhalen import users


def test_login_and_logout(workspace):
    c = workspace.test_client()
    assert c.get("/editor/").status_code == 302
    r = login(c, "esseline")
    assert r.status_code == 302 and r.headers["Location"] == "/editor/"
    page = c.get("/editor/").get_data(as_text=True)
    assert "Je bent ingelogd als esseline." in page and "Uitloggen" in page and "Opname toevoegen" in page
    r = c.post("/logout", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 302
    assert c.get("/editor/").status_code == 302
    assert "Inloggen" in c.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_plain_message(workspace):
    c = workspace.test_client()
    r = login(c, "esseline", "wrong password!")
    assert r.status_code == 401 and "Naam of wachtwoord klopt niet." in r.get_data(as_text=True)
    assert login(c, "niemand", PASSWORD).status_code == 401
    assert c.get("/editor/").status_code == 302


def test_login_goes_back_to_the_page_asked_for_but_never_elsewhere(workspace):
    c = workspace.test_client()
    first = c.get("/editor/jobs")
    assert first.headers["Location"] == "/login?next=%2Feditor%2Fjobs"
    token = csrf_of(c.get(first.headers["Location"]).get_data(as_text=True))
    r = c.post("/login?next=/editor/jobs", data={"name": "esseline", "password": PASSWORD, "csrf_token": token})
    assert r.headers["Location"] == "/editor/jobs"
    c2 = workspace.test_client()
    token = token_for(c2, "/login")
    r = c2.post("/login?next=//evil.example/x", data={"name": "esseline", "password": PASSWORD, "csrf_token": token})
    assert r.headers["Location"] == "/editor/"


def test_failed_logins_are_rate_limited(workspace):
    c = workspace.test_client()
    for _ in range(5):
        assert login(c, "karim", "guess-guess-guess").status_code == 401
    r = login(c, "karim", PASSWORD)
    assert r.status_code == 429 and "Te veel mislukte pogingen" in r.get_data(as_text=True)
    # another account from the same address still works
    assert login(workspace.test_client(), "esseline").status_code == 302


def test_failed_logins_count_across_server_processes(workspace, make_app):
    """Two apps on one archive, as `serve --processes 2` runs them: the attempts add up."""
    from verhalen import settings as settings_mod
    from verhalen.archive import Archive

    home = workspace.archive.settings.home
    other_archive = Archive(settings_mod.load(home, env={}, model=str(workspace.archive.settings.model)))
    other = make_app(other_archive)
    try:
        for app in (workspace, other, workspace, other, workspace):
            assert login(app.test_client(), "karim", "guess-guess-guess").status_code == 401
        assert login(other.test_client(), "karim", PASSWORD).status_code == 429
        assert login(workspace.test_client(), "karim", PASSWORD).status_code == 429
    finally:
        other_archive.close()


def test_a_good_login_clears_that_names_failures(workspace):
    c = workspace.test_client()
    for _ in range(4):
        assert login(c, "karim", "guess-guess-guess").status_code == 401
    assert login(workspace.test_client(), "karim").status_code == 302
    for _ in range(4):
        assert login(workspace.test_client(), "karim", "guess-guess-guess").status_code == 401
    assert login(workspace.test_client(), "karim").status_code == 302


def test_secret_key_lives_in_the_home_with_mode_600(workspace, make_app):
    path = workspace.archive.settings.home / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = make_app(workspace.archive)
    assert again.secret_key == workspace.secret_key and len(workspace.secret_key) >= 32
    # a session made by one app is valid for the other (a restart does not log everyone out)
    c = workspace.test_client()
    login(c, "esseline")
    cookie = c.get_cookie("session")
    c2 = again.test_client()
    c2.set_cookie("session", cookie.value)
    assert c2.get("/editor/").status_code == 200


def test_cookie_flags(workspace, make_app):
    r = login(workspace.test_client(), "esseline")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    app = make_app(workspace.archive, session_cookie_secure=True)
    r = login(app.test_client(), "esseline")
    assert "Secure" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]


def test_public_pages_set_no_cookie_for_anonymous_visitors(workspace):
    for url in ("/", "/verhaal/pop-up-bazaar", "/zoeken?q=perfume"):
        assert "Set-Cookie" not in workspace.test_client().get(url).headers, url


def test_disabling_a_user_or_changing_the_password_ends_their_session(workspace):
    c = workspace.test_client()
    login(c, "karim")
    assert c.get("/editor/").status_code == 200
    with workspace.archive.session() as s:
        users.set_password(s, "karim", "another long password")
    assert c.get("/editor/").status_code == 302
    login(c, "karim", "another long password")
    assert c.get("/editor/").status_code == 200
    with workspace.archive.session() as s:
        users.get(s, "karim").active = False
        s.commit()
    assert c.get("/editor/").status_code == 302
    assert login(c, "karim", "another long password").status_code == 401


def test_researchers_see_researchers_stories_and_export_search_results(workspace):
    anonymous, researcher = workspace.test_client(), workspace.test_client()
    login(researcher, "onderzoeker")
    assert anonymous.get("/verhaal/het-koor").status_code == 404
    assert researcher.get("/verhaal/het-koor").status_code == 200
    assert "Het koor" in researcher.get("/zoeken?q=koor").get_data(as_text=True)
    assert "Het koor" not in anonymous.get("/zoeken?q=koor").get_data(as_text=True)
    page = researcher.get("/zoeken?q=place:Rotterdam").get_data(as_text=True)
    assert "2 verhalen gevonden" in page and "/zoeken/export.csv?q=place" in page
    r = researcher.get("/zoeken/export.csv?q=place:Rotterdam")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["story"] for row in rows} == {"pop-up-bazaar", "het-koor"}
    r = researcher.get("/zoeken/export.csv?q=perfume")
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["story"] == "pop-up-bazaar" and "perfume" in rows[0]["text"].lower()
    assert rows[0]["link"].endswith(f"/verhaal/pop-up-bazaar?t={rows[0]['seconds']}")
    assert anonymous.get("/zoeken/export.csv?q=perfume").status_code == 302
    # researchers do not see what only editors may
    with workspace.archive.session() as s:
        workspace.archive.story(s, "het-koor").access = "editors"
        s.commit()
    assert researcher.get("/verhaal/het-koor").status_code == 404


def test_restricted_media_is_never_publicly_cacheable(workspace):
    """het-koor is for researchers: what a signed-in researcher gets must be marked private."""
    c = workspace.test_client()
    assert login(c, "onderzoeker").status_code == 302
    for url in ("/media/het-koor/listen.mp3", "/media/het-koor/transcript.vtt"):
        r = c.get(url)
        cache = r.headers["Cache-Control"]
        assert r.status_code == 200 and "private" in cache and "public" not in cache, (url, cache)
    assert "private" not in c.get("/media/pop-up-bazaar/listen.mp3").headers.get("Cache-Control", "")


# -- sessions end on the server (issue 8, item 4) ---------------------------------------------------


def _session_rows(app, name: str | None = None) -> list:
    from sqlalchemy import select

    from verhalen.catalog import User, UserSession

    with app.archive.session() as s:
        q = select(UserSession).join(User, User.id == UserSession.user_id)
        return list(s.scalars(q.where(User.name == name) if name else q))


def _stranger(app, cookie: str):
    """Another browser at another address, holding a copy of someone's session cookie."""
    c = app.test_client()
    c.environ_base.update(REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="curl/8.0 (the thief)")
    c.set_cookie("session", cookie)
    return c


def test_a_cookie_copied_before_logout_opens_nothing_afterwards(workspace):
    c = workspace.test_client()
    login(c, "esseline")
    copied = c.get_cookie("session").value
    thief = _stranger(workspace, copied)
    assert thief.get("/editor/").status_code == 200  # the copy worked while the session lived
    assert thief.get("/verhaal/het-koor").status_code == 200  # a researchers' story
    c.post("/logout", data={"csrf_token": token_for(c)})
    for client in (thief, _stranger(workspace, copied)):
        assert client.get("/editor/").status_code == 302
        assert client.get("/verhaal/het-koor").status_code == 404
        assert client.get("/zoeken/export.csv?q=koor").status_code == 302
    assert _session_rows(workspace, "esseline") == []


class _Browser:
    """A small browser over http.client from a chosen local address: keeps cookies, follows no redirect."""

    def __init__(self, url: str, source: str, agent: str):
        import http.cookies
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        self.host, self.port, self.source, self.agent = parts.hostname, parts.port, source, agent
        self.cookies = http.cookies.SimpleCookie()

    def request(self, method: str, path: str, form: dict | None = None):
        import http.client
        from urllib.parse import urlencode

        conn = http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=(self.source, 0))
        headers = {"User-Agent": self.agent}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            text = r.read().decode()
            for header in r.headers.get_all("Set-Cookie") or []:
                self.cookies.load(header)
            return r.status, r.headers, text
        finally:
            conn.close()


def _stop(live) -> None:
    live.close()


def test_over_http_a_copied_cookie_dies_with_logout_at_every_address(workspace):
    server = LiveServer(workspace)
    try:
        editor = _Browser(server.url, "127.0.0.1", "Firefox (the editor)")
        _, _, page = editor.request("GET", "/login")
        status, headers, _ = editor.request("POST", "/login", {"name": "esseline", "password": PASSWORD,
                                                                "csrf_token": csrf_of(page)})
        assert status == 302 and headers["Location"] == "/editor/"
        thief = _Browser(server.url, "127.0.0.2", "curl (the thief)")  # another address of this machine
        thief.cookies["session"] = editor.cookies["session"].value
        assert thief.request("GET", "/editor/")[0] == 200
        assert thief.request("GET", "/verhaal/het-koor")[0] == 200
        _, _, page = editor.request("GET", "/editor/")
        assert editor.request("POST", "/logout", {"csrf_token": csrf_of(page)})[0] == 302
        status, headers, _ = thief.request("GET", "/editor/")
        assert status == 302 and headers["Location"].startswith("/login")
        assert thief.request("GET", "/verhaal/het-koor")[0] == 404
    finally:
        _stop(server)


def _age_session(app, name: str, **moved) -> None:
    """Move a user's session timestamps into the past, as if time had passed."""
    import datetime as dt

    from sqlalchemy import select, update

    from verhalen.catalog import User, UserSession, now

    with app.archive.session() as s:
        uid = s.scalar(select(User.id).where(User.name == name))
        s.execute(update(UserSession).where(UserSession.user_id == uid).values(
            **{column: now() - dt.timedelta(minutes=minutes) for column, minutes in moved.items()}))
        s.commit()


def test_an_unused_session_ends_after_the_idle_time_and_use_keeps_it_alive(workspace, make_app):
    settings = workspace.archive.settings
    assert settings.session_idle_minutes == 240
    c = workspace.test_client()
    login(c, "esseline")
    _age_session(workspace, "esseline", last_seen=230)
    assert c.get("/editor/").status_code == 200  # still within the idle time: this use renews it
    _age_session(workspace, "esseline", created_at=300)
    assert c.get("/editor/").status_code == 200  # last_seen was written by the request above
    _age_session(workspace, "esseline", last_seen=241)
    assert c.get("/editor/").status_code == 302
    assert _session_rows(workspace, "esseline") == []  # and the dead row is gone
    # a shorter idle time from the settings applies
    short = make_app(workspace.archive, session_idle_minutes=5)
    c = short.test_client()
    login(c, "esseline")
    _age_session(short, "esseline", last_seen=6)
    assert c.get("/editor/").status_code == 302


def test_a_session_ends_after_the_absolute_lifetime_however_busy(workspace, make_app):
    app = make_app(workspace.archive, session_max_hours=2)
    c = app.test_client()
    login(c, "esseline")
    _age_session(app, "esseline", created_at=119)
    assert c.get("/editor/").status_code == 200
    _age_session(app, "esseline", created_at=121)  # last_seen is fresh: used a moment ago
    assert c.get("/editor/").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(workspace):
    from sqlalchemy import event

    writes = []

    def count(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("UPDATE USER_SESSIONS", "INSERT INTO USER_SESSIONS")):
            writes.append(statement)

    c = workspace.test_client()
    login(c, "esseline")
    event.listen(workspace.archive.engine, "before_cursor_execute", count)
    try:
        for _ in range(5):
            assert c.get("/editor/").status_code == 200
        assert writes == []
        _age_session(workspace, "esseline", last_seen=2)
        writes.clear()  # the test's own
        c.get("/editor/")
        c.get("/editor/")
        assert len(writes) == 1
    finally:
        event.remove(workspace.archive.engine, "before_cursor_execute", count)


def test_a_new_password_or_disabling_ends_every_session_of_that_user(workspace):
    admin = workspace.test_client()
    login(admin, "beheer")
    laptop, phone, other = (workspace.test_client() for _ in range(3))
    login(laptop, "karim")
    login(phone, "karim")
    login(other, "esseline")
    r = admin.post("/editor/users/karim/password", data={"password": "another long password",
                                                          "csrf_token": token_for(admin)})
    assert r.status_code == 302
    assert laptop.get("/editor/").status_code == 302 and phone.get("/editor/").status_code == 302
    assert other.get("/editor/").status_code == 200  # other users are not affected
    # disabled (in /editor/users, which sets the column directly) and enabled again: old cookies stay dead
    login(laptop, "karim", "another long password")
    copied = laptop.get_cookie("session").value
    admin.post("/editor/users/karim/active", data={"active": "0", "csrf_token": token_for(admin)})
    admin.post("/editor/users/karim/active", data={"active": "1", "csrf_token": token_for(admin)})
    assert _stranger(workspace, copied).get("/editor/").status_code == 302
    assert laptop.get("/editor/").status_code == 302
    assert _session_rows(workspace, "karim") == []  # the rows are gone, not just refused


def test_a_password_changed_in_sql_ends_the_sessions_too(workspace):
    """The catalog's triggers, not the code path, end the sessions: a fix made by hand counts."""
    from sqlalchemy import text

    c = workspace.test_client()
    login(c, "karim")
    with workspace.archive.engine.begin() as conn:
        conn.execute(text("UPDATE users SET role = 'editor' WHERE name = 'karim'"))  # not a reason to end it
    assert c.get("/editor/").status_code == 200
    with workspace.archive.engine.begin() as conn:
        conn.execute(text("UPDATE users SET password_hash = 'scrypt:reset-by-hand' WHERE name = 'karim'"))
    assert _session_rows(workspace, "karim") == []
    login(c, "esseline")
    with workspace.archive.engine.begin() as conn:
        conn.execute(text("UPDATE users SET active = false WHERE name = 'esseline'"))
    assert _session_rows(workspace, "esseline") == []


def test_cli_logout_and_disable_end_every_session(workspace):
    home = workspace.archive.settings.home
    a, b = workspace.test_client(), workspace.test_client()
    login(a, "karim")
    login(b, "karim")
    r = run_cli("user", "logout", "KARIM", home=home)
    assert r.returncode == 0 and "ended 2 sessions of karim" in r.stdout, r.stderr
    assert a.get("/editor/").status_code == 302 and b.get("/editor/").status_code == 302
    assert login(a, "karim").status_code == 302  # logging out is not locking out
    r = run_cli("user", "disable", "karim", home=home)
    assert r.returncode == 0, r.stderr
    assert a.get("/editor/").status_code == 302 and _session_rows(workspace, "karim") == []


# -- the sign-in limit: per account and per address (issue 8, item 5) ----------------------------


def _from(app, address: str, **headers):
    c = app.test_client()
    c.environ_base.update(REMOTE_ADDR=address, **{f"HTTP_{k.upper()}": v for k, v in headers.items()})
    return c


def test_many_failures_from_one_address_do_not_lock_the_other_accounts(workspace):
    """Behind a reverse proxy everyone has the proxy's address: 20 failures there used to lock out everyone."""
    proxy = "10.0.0.1"
    for i in range(25):
        assert login(_from(workspace, proxy), f"guess{i}", "guess-guess-guess").status_code == 401
    assert login(_from(workspace, proxy), "esseline").status_code == 302
    assert login(_from(workspace, proxy), "karim").status_code == 302


def test_the_per_address_limit_comes_from_the_settings(workspace, make_app):
    app = make_app(workspace.archive, login_max_failures_per_address=6)
    for i in range(6):
        assert login(_from(app, "192.0.2.10"), f"guess{i}", "guess-guess-guess").status_code == 401
    r = login(_from(app, "192.0.2.10"), "esseline")
    assert r.status_code == 429 and "Wacht 10 minuten" in r.get_data(as_text=True)
    assert login(_from(app, "192.0.2.11"), "esseline").status_code == 302


def test_the_per_account_limit_holds_across_addresses_but_not_for_a_known_browser(workspace):
    own = workspace.test_client()  # karim's own browser: he signed in here before
    login(own, "karim")
    own.post("/logout", data={"csrf_token": token_for(own)})
    for i in range(10):  # one guess each from ten addresses: no address reaches its own limits
        assert login(_from(workspace, f"203.0.113.{i}"), "karim", "guess-guess-guess").status_code == 401
    assert login(_from(workspace, "203.0.113.99"), "karim").status_code == 429  # even the right password
    assert login(_from(workspace, "203.0.113.99"), "KARIM").status_code == 429  # in any case
    assert login(_from(workspace, "203.0.113.99"), "esseline").status_code == 302  # other accounts work
    # the stranger cannot lock karim out of the browser he signed in with before
    assert login(own, "karim").status_code == 302
    # a known-device cookie of another account does not help
    other = workspace.test_client()
    login(other, "esseline")
    assert login(other, "karim").status_code == 429


def test_a_password_change_forgets_the_known_browsers(workspace):
    own = workspace.test_client()
    login(own, "karim")
    with workspace.archive.session() as s:
        users.set_password(s, "karim", "another long password")
    for i in range(10):
        login(_from(workspace, f"203.0.113.{i}"), "karim", "guess-guess-guess")
    assert login(own, "karim", "another long password").status_code == 429


def test_ipv6_addresses_count_by_their_64_prefix(workspace):
    for i in range(5):
        assert login(_from(workspace, f"2001:db8:1:2::{i + 1:x}"), "karim", "guess-guess-guess").status_code == 401
    assert login(_from(workspace, "2001:db8:1:2:ffff::1"), "karim").status_code == 429
    assert login(_from(workspace, "2001:db8:1:3::1"), "karim").status_code == 302


def _failure_addresses(app) -> list[str]:
    from sqlalchemy import select

    from verhalen.catalog import LoginFailure

    with app.archive.session() as s:
        return list(s.scalars(select(LoginFailure.address).order_by(LoginFailure.id)))


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(workspace, make_app):
    app = make_app(workspace.archive, trusted_proxy_hops=1)
    for i in range(5):
        c = _from(app, "10.0.0.1", x_forwarded_for="203.0.113.5")
        assert login(c, "karim", "guess-guess-guess").status_code == 401
    assert set(_failure_addresses(app)) == {"203.0.113.5"}
    assert login(_from(app, "10.0.0.1", x_forwarded_for="203.0.113.5"), "karim").status_code == 429
    assert login(_from(app, "10.0.0.1", x_forwarded_for="203.0.113.6"), "karim").status_code == 302
    assert {row.address for row in _session_rows(app, "karim")} == {"203.0.113.6"}


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(workspace):
    for i in range(5):  # a guesser making up a new X-Forwarded-For each time
        c = _from(workspace, "192.0.2.50", x_forwarded_for=f"203.0.113.{i}")
        assert login(c, "karim", "guess-guess-guess").status_code == 401
    assert set(_failure_addresses(workspace)) == {"192.0.2.50"}
    assert login(_from(workspace, "192.0.2.50", x_forwarded_for="198.51.100.1"), "karim").status_code == 429
    c = _from(workspace, "192.0.2.51", x_forwarded_for="192.0.2.50")
    assert login(c, "esseline").status_code == 302
    assert {row.address for row in _session_rows(workspace, "esseline")} == {"192.0.2.51"}


# -- one name whatever its case ------------------------------------------------------------------


def test_user_names_are_one_name_in_upper_and_lower_case(workspace):
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from verhalen.errors import Conflict

    with workspace.archive.session() as s:
        users.add(s, "ED1", PASSWORD, "editor")
        for twin in ("ed1", "Ed1", "ＥＤ１"):
            with pytest.raises(Conflict):
                users.add(s, twin, PASSWORD, "editor")
        assert users.get(s, "ed1").name == "ED1"
    c = workspace.test_client()
    r = login(c, "ed1")
    assert r.status_code == 302
    assert "Je bent ingelogd als ED1." in c.get("/editor/").get_data(as_text=True)
    # the failures of `Karim` and `KARIM` are failures of one account
    for variant in ("Karim", "KARIM", "karim", "kArim", "KARIM"):
        assert login(workspace.test_client(), variant, "guess-guess-guess").status_code == 401
    assert login(workspace.test_client(), "karim").status_code == 429
    # the catalog itself refuses a twin, whatever code tries
    with pytest.raises(IntegrityError), workspace.archive.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (name, name_key, password_hash, role, active, created_at) "
                          "VALUES ('eD1', 'ed1', 'x', 'editor', true, CURRENT_TIMESTAMP)"))


def test_cli_refuses_a_name_that_differs_only_in_case(workspace):
    home = workspace.archive.settings.home
    r = run_cli("user", "add", "Esseline", "--role", "editor", "--password-stdin", home=home, input=PASSWORD + "\n")
    assert r.returncode != 0 and "already a user called 'esseline'" in r.stderr, (r.stdout, r.stderr)
    r = run_cli("user", "passwd", "ESSELINE", "--password-stdin", home=home, input="another long password\n")
    assert r.returncode == 0, r.stderr
    assert login(workspace.test_client(), "esseline", "another long password").status_code == 302


def test_the_migrations_name_key_is_the_models():
    import importlib

    from verhalen.catalog import User

    migration = importlib.import_module("verhalen.migrations.versions.0007_user_sessions")
    for name in ("ED1", "ed1", "Straße", "STRASSE", "İstanbul", "ǅemal", "ＥＤ１", "Ωmega", "ﬁona", "Zo\u00eb",
                 "Zoe\u0308"):
        assert migration.name_key(name) == User.key_for(name), name
    assert User.key_for("Zo\u00eb") == User.key_for("Zoe\u0308") == User.key_for("ZOË")  # composed or not, any case


def _archive_at_0006(url: str, names: list[str]):
    """A catalog as an archive made before migration 0007 has it, with these users."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from verhalen import catalog

    engine = catalog.make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(catalog.__file__).parent / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
        for name in names:
            conn.execute(text("INSERT INTO users (name, password_hash, role, active, created_at) "
                              "VALUES (:n, 'x', 'editor', true, CURRENT_TIMESTAMP)"), {"n": name})
    return engine


def _check_upgrade_of_twins(engine, caplog):
    import logging

    from sqlalchemy import text

    from verhalen import catalog

    with caplog.at_level(logging.WARNING, logger="verhalen.migrations"):
        catalog.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, name, name_key, active FROM users ORDER BY id")).all()
    assert [(r.name, r.name_key, bool(r.active)) for r in rows] == [
        ("ED1", "ed1", True), ("ed1~2", "ed1~2", False), ("karim", "karim", True), ("Ed1~4", "ed1~4", False)]
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "'ed1' differs from 'ED1' only in case: renamed to 'ed1~2' and disabled" in warned
    assert "'Ed1~4'" in warned
    # the triggers of the same migration end sessions on this database too
    with engine.begin() as conn:
        for sid, uid in (("a", 1), ("b", 1), ("c", 3)):
            conn.execute(text("INSERT INTO user_sessions (id, user_id, created_at, last_seen) "
                              "VALUES (:s, :u, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"s": sid, "u": uid})
        conn.execute(text("UPDATE users SET password_hash = 'y' WHERE id = 1"))
        conn.execute(text("UPDATE users SET active = false WHERE id = 3"))
        assert conn.execute(text("SELECT count(*) FROM user_sessions")).scalar() == 0


def test_upgrading_an_archive_with_names_that_differ_only_in_case(tmp_path, caplog):
    engine = _archive_at_0006(f"sqlite:///{tmp_path / 'catalog.sqlite'}", ["ED1", "ed1", "karim", "Ed1"])
    try:
        _check_upgrade_of_twins(engine, caplog)
    finally:
        engine.dispose()


@pytest.mark.slow
def test_upgrading_an_archive_with_twin_names_on_postgresql(caplog):
    pg = Postgres()
    try:
        engine = _archive_at_0006(pg.url, ["ED1", "ed1", "karim", "Ed1"])
        try:
            _check_upgrade_of_twins(engine, caplog)
        finally:
            engine.dispose()
    finally:
        pg.stop()


# -- next= after login ------------------------------------------------------------------------------


UNSAFE_NEXT = ["/editor/\r\nSet-Cookie: stolen=1", "\r\nLocation: https://evil.example/", "/x\ny", "/\t/evil.example",
               "//evil.example/x", "///evil.example", "\\\\evil.example", "/\\evil.example", "\\/evil.example",
               "javascript:alert(1)", "JavaScript:alert(1)", "https://evil.example/", " //evil.example",
               "/editor/\x00", "/editor/\u202e", "data:text/html,hi"]


def _assert_local_redirect(r, wanted: str | None = None) -> None:
    from urllib.parse import urlsplit

    assert r.status_code == 302, r.status_code
    location = r.headers["Location"]
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc and location.startswith("/") and not location.startswith("//")
    assert "\\" not in location and not any(ord(ch) < 32 for ch in location), location
    if wanted:
        assert location == wanted


def test_next_after_login_never_fails_and_never_leaves_the_site(workspace):
    from urllib.parse import quote

    c = workspace.test_client()
    for target in UNSAFE_NEXT:
        query = "next=" + quote(target, safe="")
        assert c.get(f"/login?{query}").status_code == 200, target
        token = csrf_of(c.get("/login").get_data(as_text=True))
        r = c.post(f"/login?{query}", data={"name": "esseline", "password": PASSWORD, "csrf_token": token})
        _assert_local_redirect(r, "/editor/")
    # raw percent-escapes in the query string, as a crafted link carries them
    for raw in ("next=/editor/%0d%0aSet-Cookie:%20x=1", "next=%0d%0a/editor/", "next=/%09/evil.example",
                "next=%5C%5Cevil.example", "next=/%5Cevil.example"):
        token = csrf_of(c.get("/login").get_data(as_text=True))
        _assert_local_redirect(c.post(f"/login?{raw}", data={"name": "esseline", "password": PASSWORD,
                                                             "csrf_token": token}), "/editor/")
    # a researcher without a safe next= goes to the public home; a safe one is kept, query and all
    r = workspace.test_client()
    token = token_for(r, "/login")
    _assert_local_redirect(r.post("/login?next=%0d%0a", data={"name": "onderzoeker", "password": PASSWORD,
                                                               "csrf_token": token}), "/")
    token = token_for(r, "/login")
    _assert_local_redirect(r.post("/login?next=" + quote("/zoeken?q=koor&p=2", safe=""),
                                  data={"name": "onderzoeker", "password": PASSWORD, "csrf_token": token}),
                           "/zoeken?q=koor&p=2")


def test_next_over_http_with_crlf_is_a_plain_redirect(workspace):
    server = LiveServer(workspace)
    try:
        b = _Browser(server.url, "127.0.0.1", "test")
        _, _, page = b.request("GET", "/login?next=/editor/%0d%0aSet-Cookie:%20stolen=1")
        status, headers, _ = b.request("POST", "/login?next=/editor/%0d%0aSet-Cookie:%20stolen=1",
                                       {"name": "esseline", "password": PASSWORD, "csrf_token": csrf_of(page)})
        assert status == 302 and headers["Location"] == "/editor/" and "stolen" not in b.cookies
    finally:
        _stop(server)
