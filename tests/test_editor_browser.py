"""The workspace in a real Chromium against a real server with a real job worker:
log in, upload a recording, watch the job finish, correct a word, publish, see the public page and search change.

Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations


import pytest

from helpers import ARTIFACTS, DATA, PASSWORD, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_upload_transcribe_correct_publish(browser, served):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, base_url=served.url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    page.goto("/editor/upload")
    assert "/login" in page.url
    page.fill("#name", "esseline")
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/editor/upload")

    page.set_input_files("#recording", str(DATA / "en_market.wav"))
    page.fill("#title", "Markt in de wijk")
    page.fill("#description", "Over de pop-up bazaar")
    page.fill("#recorded", "2024-05-03")
    page.select_option("#language", "en")
    page.fill("#person-0", "Basma")
    page.select_option("#role-0", "narrator")
    page.fill("#places", "Rotterdam")
    page.fill("#themes", "werk")
    page.fill("#consent_notes", "Mondeling akkoord")
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/editor/jobs*")
    job = page.locator("#job-markt-in-de-wijk")
    assert job.is_visible()
    page.screenshot(path=str(ARTIFACTS / "editor-jobs-running.png"), full_page=True)
    # the page updates itself (no reload) until the job is done
    page.evaluate("window.__same_page = true")
    page.wait_for_selector("#job-markt-in-de-wijk[data-finished=true]", timeout=180_000)
    assert page.evaluate("window.__same_page === true"), "updated by the poll, not by a reload"
    assert job.locator(".status-label").inner_text() == "klaar"
    page.screenshot(path=str(ARTIFACTS / "editor-jobs-done.png"), full_page=True)

    # not public yet
    anonymous = browser.new_context(base_url=served.url).new_page()
    assert anonymous.goto("/verhaal/markt-in-de-wijk").status == 404

    # correct a word; the audio plays from the passage being edited
    job.locator("h2 a").click()
    page.wait_for_url("**/editor/story/markt-in-de-wijk")
    box = page.locator("textarea", has_text="perfume").first
    form = box.locator("xpath=ancestor::form")
    start = float(form.get_attribute("data-start"))
    version = int(form.locator("input[name=version]").input_value())  # the speakers stage may have set it
    box.click()
    page.wait_for_function("() => !document.getElementById('player').paused", timeout=15_000)
    assert page.evaluate("document.getElementById('player').currentTime") >= start
    corrected = box.input_value().replace("perfume", "zeeppoeder")
    box.fill(corrected)
    form.locator("button.save").click()
    page.wait_for_function("(f) => f.querySelector('.seg-msg').textContent === 'Bewaard.'", arg=form.element_handle())
    assert form.locator("input[name=version]").input_value() == str(version + 1)
    page.screenshot(path=str(ARTIFACTS / "editor-transcript.png"), full_page=True)

    page.click("#publish")
    page.wait_for_selector("#unpublish")
    assert "is gepubliceerd" in page.locator(".flash").inner_text()

    anonymous.goto("/verhaal/markt-in-de-wijk")
    assert "zeeppoeder" in anonymous.locator("#transcript").inner_text()
    anonymous.goto("/zoeken?q=zeeppoeder")
    assert anonymous.locator(".hit h3").inner_text() == "Markt in de wijk"
    anonymous.screenshot(path=str(ARTIFACTS / "editor-public-search.png"), full_page=True)
    anonymous.goto("/zoeken?q=perfume")
    assert anonymous.locator("a.moment").count() == 0, "no passage says the old word any more"
    assert errors == [], errors
    context.close()


def test_story_details_form_changes_the_public_page_and_search(browser, sign_in, workspace):
    """Issue 11 part 1 in Chromium: the Gegevens form on the story page, then the public page and the facets."""
    server = LiveServer(workspace)
    try:
        editor = sign_in(server.url)
        page = editor.page
        page.goto("/editor/story/pop-up-bazaar")
        page.get_by_label("Titel", exact=True).fill("Bazaar aan de Maas")
        page.get_by_label("Plaatsen toevoegen (gescheiden door komma's)").fill("Schiedam")
        page.get_by_label("werk weghalen").check()
        page.get_by_label("Thema's toevoegen (gescheiden door komma's)").fill("markt")
        page.get_by_label("Persoon toevoegen").fill("Karim")
        page.get_by_label("als", exact=True).select_option("host")
        page.click("#save-details")
        page.wait_for_url("**/editor/story/pop-up-bazaar#gegevens")
        assert "Gegevens bewaard." in page.content()
        page.screenshot(path=str(ARTIFACTS / "editor-story-details.png"), full_page=True)
        anonymous = browser.new_context(base_url=server.url).new_page()
        anonymous.goto("/verhaal/pop-up-bazaar")
        assert anonymous.locator("h1").inner_text() == "Bazaar aan de Maas"
        assert "Karim" in anonymous.content() and "Schiedam" in anonymous.content()
        anonymous.goto("/zoeken?q=bazaar")
        themes = anonymous.locator('[data-facet="theme"]').inner_text()
        assert "markt" in themes and "werk" not in themes
        editor.done()
    finally:
        server.close()
