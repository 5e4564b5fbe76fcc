"""Every route of the workspace, enumerated from the app's url_map so a new one cannot be forgotten:
anonymous visitors are sent to /login, researchers get 403, admin pages are for admins only, and
every POST without a CSRF token is refused with 400."""

from __future__ import annotations

import pytest

from helpers import login, token_for

SIGNED_IN = ("editor", "editor_upload", "editor_jobs", "editor_story", "editor_transcript", "editor_contents", "editor_keywords", "editor_trash", "editor_admin", "export",
             "auth")
ADMIN_ONLY = {"editor_admin"}


def _urls(app) -> list[tuple[str, str, str]]:
    """(method, url, blueprint) for every route of the workspace, with real values for its arguments."""
    archive = app.archive
    with archive.session() as s:
        story = archive.story(s, "pop-up-bazaar")
        values = {"slug": story.slug, "story_id": story.id, "segment_id": story.segments[0].id, "edit_id": 1, "point_id": 1,
                  "name": "karim"}
    out = []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.split(".")[0]
        if not (rule.rule.startswith("/editor") or blueprint in SIGNED_IN):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", str(values[arg])).replace(f"<{arg}>", str(values[arg]))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, url, blueprint))
    return out


def test_every_editor_route_is_enumerated(workspace):
    urls = _urls(workspace)
    editor_rules = [r for r in workspace.url_map.iter_rules() if r.rule.startswith("/editor")]
    assert len(editor_rules) >= 20 and all(r.endpoint.split(".")[0] in SIGNED_IN for r in editor_rules), \
        "every /editor/ route lives in a workspace blueprint (web/editor/workspace.py workspace_blueprint)"
    for expected in ("/editor/upload", "/editor/jobs", "/editor/review", "/editor/users", "/zoeken/export.csv"):
        assert expected in {u for _, u, _ in urls}


def test_anonymous_visitors_are_sent_to_login(workspace):
    c = workspace.test_client()
    token = token_for(c, "/login")  # a real token, so the refusal is about the login, not the form
    for method, url, bp in _urls(workspace):
        if bp == "auth":
            continue
        r = c.open(url, method=method, data={"csrf_token": token})
        assert r.status_code == 302 and r.headers["Location"].startswith("/login?next="), (method, url, r.status_code)


def test_researchers_are_refused_everywhere_in_the_workspace(workspace):
    c = workspace.test_client()
    login(c, "onderzoeker")
    token = token_for(c, "/zoeken")
    for method, url, bp in _urls(workspace):
        if not url.startswith("/editor"):
            continue
        r = c.open(url, method=method, data={"csrf_token": token})
        assert r.status_code == 403, (method, url, r.status_code)
    assert "geen toegang" in c.get("/editor/").get_data(as_text=True)
    assert c.get("/zoeken/export.csv?q=perfume").status_code == 200, "researchers may export search results"


def test_admin_pages_are_for_admins_only(workspace):
    editor, admin = workspace.test_client(), workspace.test_client()
    login(editor, "esseline")
    login(admin, "beheer")
    token = token_for(editor)
    for method, url, bp in _urls(workspace):
        if bp in ADMIN_ONLY:
            assert editor.open(url, method=method, data={"csrf_token": token}).status_code == 403, url
    assert admin.get("/editor/users").status_code == 200
    for url in ("/editor/", "/editor/upload", "/editor/jobs", "/editor/review", "/editor/story/pop-up-bazaar"):
        assert editor.get(url).status_code == 200, url
        assert admin.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["esseline", "beheer"])
def test_every_post_without_csrf_token_is_refused(workspace, who):
    c = workspace.test_client()
    login(c, who)
    with workspace.archive.session() as s:
        before = workspace.archive.story(s, "pop-up-bazaar").segments[0].version  # the speakers stage may have set it
    posts = [(m, u) for m, u, _ in _urls(workspace) if m == "POST"]
    assert len(posts) >= 15
    for method, url in posts:
        r = c.post(url, data={"text": "overwritten", "version": "1", "published": "1", "access": "public"})
        assert r.status_code == 400, (url, r.status_code)
        r = c.post(url, data={"csrf_token": "forged"})
        assert r.status_code == 400, (url, r.status_code)
    # nothing changed
    with workspace.archive.session() as s:
        story = workspace.archive.story(s, "pop-up-bazaar")
        assert "overwritten" not in story.segments[0].text and story.segments[0].version == before


def test_login_form_itself_needs_the_csrf_token(workspace):
    c = workspace.test_client()
    r = c.post("/login", data={"name": "esseline", "password": "correct horse battery"})
    assert r.status_code == 400
    assert c.get("/editor/").status_code == 302
