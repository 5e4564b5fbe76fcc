"""Logging in and out, the secret key, cookie flags, the login limit, and what a signed-in researcher sees."""

from __future__ import annotations

import csv
import io
import stat

from conftest import PASSWORD, csrf_of, login, token_for
from verhalen import users
from verhalen.web import create_app


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


def test_failed_logins_count_across_server_processes(workspace):
    """Two apps on one archive, as `serve --processes 2` runs them: the attempts add up."""
    from verhalen import settings as settings_mod
    from verhalen.archive import Archive
    from verhalen.web import create_app

    home = workspace.archive.settings.home
    other_archive = Archive(settings_mod.load(home, env={}, model=str(workspace.archive.settings.model)))
    other = create_app(other_archive.settings, other_archive)
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


def test_secret_key_lives_in_the_home_with_mode_600(workspace):
    path = workspace.archive.settings.home / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = create_app(workspace.archive.settings, workspace.archive)
    assert again.secret_key == workspace.secret_key and len(workspace.secret_key) >= 32
    # a session made by one app is valid for the other (a restart does not log everyone out)
    c = workspace.test_client()
    login(c, "esseline")
    cookie = c.get_cookie("session")
    c2 = again.test_client()
    c2.set_cookie("session", cookie.value)
    assert c2.get("/editor/").status_code == 200


def test_cookie_flags(workspace, make_settings):
    r = login(workspace.test_client(), "esseline")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure_settings = workspace.archive.settings.replace(session_cookie_secure=True)
    app = create_app(secure_settings, workspace.archive)
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
