"""The story index in a real Chromium against a real server: an editor adds a point through the form (a time
typed as 00:07), rewrites the draft point's title and place, and a podcast app then gets both as chapters.

Locators go by role and label, so an unlabelled field or button fails here too.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from helpers import PASSWORD, LiveServer
from verhalen import index_points, users

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def site(archive_copy, make_app):
    with archive_copy.session() as s:
        users.add(s, "esseline", PASSWORD, "editor")
        st = archive_copy.story(s, "pop-up-bazaar")
        index_points.refresh(s, st, archive_copy.settings)
        s.commit()
    server = LiveServer(make_app(archive_copy))
    yield server
    server.close()


def test_an_editor_adds_and_rewrites_points_through_the_form(site, sign_in):
    editor = sign_in(site.url)
    page = editor.page
    page.goto("/editor/story/pop-up-bazaar/contents")
    points = page.locator("li.index-point")
    assert points.count() == 1 and "(voorstel)" in points.first.inner_text()

    add = page.locator("#add-point")
    add.get_by_label("Begint bij (zoals 01:23)").fill("00:07")
    add.get_by_label("Titel").fill("Terug naar de makers")
    add.get_by_label("Trefwoorden (gescheiden door komma's)").fill("makers, bezoekers")
    editor.follow(add.get_by_role("button", name="Punt toevoegen"))
    assert "Punt toegevoegd bij 00:07." in editor.flash()
    assert points.count() == 2
    second = points.nth(1)
    assert "00:07" in second.inner_text() and "Terug naar de makers" in second.inner_text()
    assert "(redactie)" in second.inner_text() and "makers, bezoekers" in second.inner_text()

    first = points.first
    first.locator("summary").click()
    first.get_by_label("Titel").fill("De bazaar")
    first.get_by_label("Plaats").fill("Rotterdam")
    first.get_by_label("Breedtegraad").fill("51,9225")
    first.get_by_label("Lengtegraad").fill("4.47917")
    editor.follow(first.get_by_role("button", name="Bewaren"))
    assert "Bewaard." in editor.flash()
    text = points.first.inner_text()
    assert "De bazaar" in text and "(redactie)" in text and "Rotterdam (51.9225, 4.47917)" in text
    history = page.locator("#geschiedenis li")
    assert history.count() == 2 and "gewijzigd" in history.first.inner_text()
    editor.done()

    with urllib.request.urlopen(site.url + "/media/pop-up-bazaar/chapters.json") as r:
        doc = json.loads(r.read())
    assert doc["chapters"] == [
        {"startTime": 0.0, "title": "De bazaar", "location": {"name": "Rotterdam", "geo": "geo:51.9225,4.47917"}},
        {"startTime": 7.0, "title": "Terug naar de makers"}]
