"""The viewer in a real Chromium (Debian's, via Playwright): play, follow along, seek, search, deep links.

Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations


import pytest

from helpers import ARTIFACTS

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, base_url=live_server.url)
    pg = context.new_page()
    pg.errors = []
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("response", lambda r: r.status >= 400 and pg.errors.append(f"{r.status} {r.url}"))
    yield pg
    context.close()


def _time(pg) -> float:
    return pg.evaluate("document.getElementById('player').currentTime")


def _ready(pg) -> None:
    pg.wait_for_function("() => document.getElementById('player').readyState >= 1", timeout=15_000)


def test_play_story_transcript_follows_playback(page):
    page.goto("/verhaal/pop-up-bazaar")
    _ready(page)
    page.evaluate("document.getElementById('player').play()")
    page.wait_for_function("() => document.getElementById('player').currentTime > 1.2", timeout=15_000)
    page.wait_for_selector(".seg.current")
    state = page.evaluate("""() => { const a = document.getElementById('player'); const w = document.querySelector('.w.now');
        return {t: a.currentTime, paused: a.paused, w: w && parseFloat(w.dataset.t),
                next: w && w.nextElementSibling ? parseFloat(w.nextElementSibling.dataset.t) : null}; }""")
    assert not state["paused"] and state["w"] is not None and state["w"] <= state["t"] + 0.3
    page.screenshot(path=str(ARTIFACTS / "story-playing.png"), full_page=True)
    # the highlight follows a jump: seek to 6 s, the current word is the one spoken at 6 s
    page.evaluate("const a = document.getElementById('player'); a.pause(); a.currentTime = 6.1")
    page.wait_for_function("() => Math.abs(parseFloat(document.querySelector('.w.now').dataset.t) - 6.08) < 0.01")
    assert page.locator(".seg.current").get_attribute("aria-current") == "true"
    assert page.errors == [], page.errors


def test_click_a_word_seeks_there(page):
    page.goto("/verhaal/pop-up-bazaar")
    _ready(page)
    word = page.locator(".w", has_text="jewelry")
    target = float(word.get_attribute("data-t"))
    word.click()
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - {target}) < 0.6")
    assert page.url.endswith("#t=00:03")
    assert "now" in word.get_attribute("class")


def test_keyboard_time_link_seeks(page):
    page.goto("/verhaal/pop-up-bazaar")
    _ready(page)
    page.evaluate("document.getElementById('player').currentTime = 5")
    link = page.locator(".seg .time").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.getElementById('player').currentTime < 1")


def test_deep_link_starts_at_that_second(page):
    page.goto("/verhaal/pop-up-bazaar#t=00:05")
    _ready(page)
    page.wait_for_function("() => document.getElementById('player').currentTime >= 4.9", timeout=15_000)
    page.goto("/verhaal/pop-up-bazaar?t=7")
    _ready(page)
    page.wait_for_function("() => document.getElementById('player').currentTime >= 6.9", timeout=15_000)
    assert "00:07" in page.locator(".start-note").inner_text()


def test_search_and_follow_a_hit_to_the_right_second(page):
    page.goto("/zoeken")
    page.fill("#q", "perfume")
    page.press("#q", "Enter")
    page.wait_for_selector("a.moment")
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)
    assert page.locator("mark").first.inner_text().lower() == "perfume"
    href = page.locator("a.moment").first.get_attribute("href")
    expected = float(href.split("?t=")[1].split("#")[0])
    page.locator("a.moment").first.click()
    page.wait_for_url("**/verhaal/pop-up-bazaar?t=*")
    _ready(page)
    page.wait_for_function(f"() => document.getElementById('player').currentTime >= {expected} - 0.1", timeout=15_000)
    assert _time(page) < expected + 3
    perfume = float(page.locator(".w", has_text="perfume").get_attribute("data-t"))
    assert int(perfume) == int(expected), "the hit lands on the word, to the second"


def test_cite_this_moment(page):
    page.goto("/verhaal/pop-up-bazaar")
    _ready(page)
    page.evaluate("document.getElementById('player').currentTime = 4.2")
    page.click("#cite")
    out = page.locator("#cite-out")
    page.wait_for_function("() => document.getElementById('cite-out').textContent.length > 0")
    assert out.get_attribute("data-url").endswith("/verhaal/pop-up-bazaar?t=4#t=00:04")


def test_bad_query_and_english_in_the_browser(page):
    page.goto("/zoeken?q=%22perfume&lang=en")
    assert page.locator("[role=alert]").is_visible()
    assert "We cannot understand this search" in page.content()
    page.screenshot(path=str(ARTIFACTS / "bad-query-en.png"))


def test_works_without_javascript_and_on_a_phone(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844},
                                  base_url=live_server.url, is_mobile=True)
    pg = context.new_page()
    pg.goto("/verhaal/pop-up-bazaar")
    assert pg.locator("#transcript").inner_text().count("perfume") == 1
    assert pg.locator("#cite").is_hidden(), "JS-only controls stay hidden without JS"
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "no sideways scrolling on a phone"
    pg.screenshot(path=str(ARTIFACTS / "story-phone-nojs.png"), full_page=True)
    pg.click("text=Levensverhalen")
    assert pg.url.endswith("/serie/levensverhalen")
    pg.goto("/")
    pg.screenshot(path=str(ARTIFACTS / "home-phone.png"), full_page=True)
    context.close()
