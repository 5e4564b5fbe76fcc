"""Speakers in a real Chromium against a real server: an editor names the voices through the Sprekers panel
(a person of the story from the list, and a new name typed), sees the names in the transcript editor, and a
listener sees them on the public story page.

Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import pytest

from helpers import ARTIFACTS, LiveServer
from test_voices import SLUG, give_voices

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def voiced_server(workspace):
    ids = give_voices(workspace.archive)
    server = LiveServer(workspace)
    yield server, ids
    server.close()


def test_an_editor_names_the_voices_and_listeners_see_the_names(sign_in, voiced_server, browser):
    server, ids = voiced_server
    editor = sign_in(server.url)
    page = editor.page
    page.goto(f"/editor/story/{SLUG}")
    panel = page.locator("#sprekers")
    row_a, row_b = panel.locator("#voice-A"), panel.locator("#voice-B")
    assert "nog geen naam" in row_a.inner_text() and "%" in row_a.locator(".talk").inner_text()
    first_a = page.locator(f"#s{ids['A'][0]}")
    assert "Spreker A" in first_a.locator(".seg-head").inner_text()  # no name yet: the voice's label

    # A: the narrator, chosen from the story's people.
    page.get_by_label("Persoon voor Spreker A").select_option("Basma")
    editor.follow(page.get_by_role("button", name="Naam geven aan Spreker A"))
    assert "Spreker A heet nu Basma." in editor.flash()
    assert "Basma" in panel.locator("#voice-A .voice-name").inner_text()
    # B: a name typed, not one of the story's people yet.
    page.get_by_label("of een andere naam voor Spreker B").fill("Amal Haddad")
    editor.follow(page.get_by_role("button", name="Naam geven aan Spreker B"))
    assert "Spreker B heet nu Amal Haddad." in editor.flash()
    page.screenshot(path=str(ARTIFACTS / "voices-named.png"), full_page=True)
    assert {page.locator(f"#s{i} .seg-speaker").inner_text() for i in ids["A"]} == {"Basma"}
    assert {page.locator(f"#s{i} .seg-speaker").inner_text() for i in ids["B"]} == {"Amal Haddad"}
    assert "naam van een spreker" in page.locator("#geschiedenis").inner_text()
    # axe-core on the panel: labelled controls, contrast, a table with headers.
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context={"include": [["#sprekers"]]})
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], bad
    editor.done()

    # A listener, not signed in, on the public story page.
    listener = browser.new_context(base_url=server.url)
    try:
        public = listener.new_page()
        public.goto(f"/verhaal/{SLUG}")
        text = public.locator("body").inner_text()
        assert "Basma" in text and "Amal Haddad" in text
    finally:
        listener.close()
