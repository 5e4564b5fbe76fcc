"""The interview reader in a real Chromium (Debian's, via Playwright), on a phone (390x844) and a laptop
(1280x800): the player first and pinned, reached in a few Tabs, its buttons, the table of contents, search
inside the story, deep links with autoplay blocked and without JavaScript, and axe-core's checks.

The story is an 80-second recording (generated silence: the reader is under test, not the model) with a
transcript of 26 passages, two voices and a table of contents written through the catalog, as an imported
transcript, the speakers stage and an editor's index would leave them. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import shutil

import pytest

from helpers import ARTIFACTS, CHROMIUM_ARGS, LiveServer, ffmpeg_make
from verhalen import settings as settings_mod
from verhalen.archive import Archive
from verhalen.catalog import IndexPoint, Segment
from verhalen.pipeline import StoryMeta, ingest

pytestmark = pytest.mark.browser

SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}
PARTS = [(0.0, "Hoe het begon"), (21.0, "De eerste optredens"), (42.0, "Zingen in veel talen"), (60.0, "Op dinsdag")]
SENTENCES = [
    "Hoe is het koor eigenlijk begonnen?", "Het begon met een paar zangers uit Syrië en Turkije.",
    "We zongen eerst in een huiskamer.", "Daarna kwamen er steeds meer mensen bij.",
    "Wie waren die eerste zangers?", "Buren, vrienden en collega's van de markt.",
    "Niemand had ooit op een podium gestaan.", "Waar traden jullie voor het eerst op?",
    "Op het buurtfeest, onder een grote tent.", "Het regende, maar iedereen bleef staan.",
    "Er stonden drie koren op het programma.", "Wij waren het kleinste koor van de dag.",
    "En hoe klonk het?", "Vals, maar met heel veel plezier.",
    "In welke talen zingen jullie?", "In het Arabisch, het Turks, het Nederlands en het Koerdisch.",
    "Iedere zanger neemt een lied mee van thuis.", "Dan leren we elkaar de woorden.",
    "Is dat niet moeilijk?", "Soms, maar de melodie helpt.",
    "Wanneer repeteren jullie?", "Op dinsdag repeteren we in het buurthuis.",
    "Na afloop drinken we thee met elkaar.", "Wie wil, mag altijd komen luisteren.",
    "Komt er een nieuw optreden?", "In december zingen we bij de bibliotheek.",
]


def _voice(i: int) -> str:
    return "A" if SENTENCES[i].endswith("?") else "B"  # the interviewer asks, the narrator answers


@pytest.fixture(scope="module")
def reader_server(demo_archive, make_app, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reader-browser")
    home = tmp / "archive"
    shutil.copytree(demo_archive.settings.home, home)
    a = Archive(settings_mod.load(home, env={}, model=str(demo_archive.settings.model)))
    wav = ffmpeg_make(tmp / "gesprek.wav", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "80")
    # Kurdish: the model is not asked (it cannot transcribe it); the transcript comes in by hand, as here.
    st = ingest(a, wav, StoryMeta(title="Zingen in de buurt", people=[("Amal", "narrator"), ("Esseline", "interviewer")],
                                  language="ku"))
    with a.session() as s:
        story = a.story(s, st.slug)
        segs = []
        for i, text in enumerate(SENTENCES):
            start = i * 3.0
            parts = text.split()
            step = 2.8 / len(parts)
            words = [[round(start + k * step, 2), round(start + (k + 1) * step, 2), " " + w, 0.95]
                     for k, w in enumerate(parts)]
            segs.append(Segment(start=start, end=start + 2.8, text=" " + text, language="nl", words=words,
                                voice=_voice(i)))
        story.segments = segs
        story.language, story.language_source = "nl", "imported"
        story.voices = {"A": {"name": "Esseline", "by": "auto"}, "B": {"name": None, "by": "auto"}}
        story.index_points = [IndexPoint(start=t, title=title, synopsis=f"Over: {title.lower()}.", source="editor")
                              for t, title in PARTS]
        s.commit()
    server = LiveServer(make_app(a))
    server.slug = st.slug
    yield server
    server.close()
    a.close()


def _open(browser, server, size: str, **kw):
    context = browser.new_context(viewport=SIZES[size], base_url=server.url, is_mobile=size == "phone", **kw)
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
    return pg


@pytest.fixture
def opened(browser, reader_server):
    pages = []

    def open_page(size: str, path: str = "", **kw):
        pg = _open(browser, reader_server, size, **kw)
        pages.append(pg)
        pg.goto(f"/verhaal/{reader_server.slug}{path}")
        return pg
    yield open_page
    for pg in pages:
        assert pg.errors == [], pg.errors
        pg.context.close()


def _ready(pg) -> None:
    pg.wait_for_function("() => document.getElementById('player').readyState >= 1", timeout=15_000)


def _time(pg) -> float:
    return pg.evaluate("document.getElementById('player').currentTime")


def _box(pg, selector: str) -> dict:
    return pg.locator(selector).first.bounding_box()


@pytest.mark.parametrize("size", SIZES)
def test_the_player_comes_first_stays_pinned_and_is_a_few_tabs_away(opened, size):
    pg = opened(size)
    height = SIZES[size]["height"]
    pg.locator("#controls").wait_for()
    player = _box(pg, "#speler")
    assert 0 <= player["y"] and player["y"] + player["height"] <= height, f"the whole player is on the first screen: {player}"
    pg.screenshot(path=str(ARTIFACTS / f"reader-{size}.png"))
    assert pg.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], "no sideways scrolling"
    pg.locator(".seg").nth(20).scroll_into_view_if_needed()
    assert pg.evaluate("window.scrollY") > 300
    pinned = _box(pg, "#speler")
    assert abs(pinned["y"]) < 2, f"pinned at the top after scrolling: {pinned}"
    covered = pg.evaluate("""() => { const b = document.getElementById('fwd15').getBoundingClientRect();
        return document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2).id; }""")
    assert covered == "fwd15", "the player's buttons stay on top of the transcript"
    pg.screenshot(path=str(ARTIFACTS / f"reader-{size}-scrolled.png"))

    # From the top of a fresh page: the skip link, then into the player.
    pg.goto(f"/verhaal/{pg.url.split('/verhaal/')[1].split('?')[0]}")
    pg.locator("#controls").wait_for()
    tabs = 0
    while tabs < 20:
        pg.keyboard.press("Tab")
        tabs += 1
        where = pg.evaluate("""() => { const e = document.activeElement;
            return {skip: e.getAttribute('href') === '#speler', text: e.textContent.trim(),
                    inPlayer: e.id !== 'speler' && !!e.closest('#speler')}; }""")
        if where["skip"]:
            assert where["text"] == "Naar de speler"
            pg.keyboard.press("Enter")
        elif where["inPlayer"]:
            break
    assert tabs <= 5, f"{tabs} Tabs to reach the player"
    while pg.evaluate("document.activeElement.tagName") != "BUTTON":
        pg.keyboard.press("Tab")
    focus = pg.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), visible: document.activeElement.matches(':focus-visible')}; }""")
    assert focus["visible"] and focus["style"] != "none" and focus["width"] >= 2, focus


def test_buttons_and_contents_move_the_audio(opened):
    pg = opened("phone")
    _ready(pg)
    pg.click("#fwd15")
    assert abs(_time(pg) - 15) < 0.3
    pg.focus("#fwd15")
    pg.keyboard.press("Enter")  # real buttons: the keyboard works them too
    assert abs(_time(pg) - 30) < 0.3
    pg.keyboard.press("Shift+Tab")
    pg.keyboard.press("Space")
    assert abs(_time(pg) - 15) < 0.3, "back 15 s"
    speed = pg.locator("#speed")
    speed.click()
    assert pg.evaluate("document.getElementById('player').playbackRate") == 1.25
    assert speed.get_attribute("aria-label") == "Afspeelsnelheid 1,25×" and speed.inner_text() == "1,25×"
    for _ in range(3):
        speed.click()
    assert pg.evaluate("document.getElementById('player').playbackRate") == 0.75
    pg.click("#next-part")
    assert _time(pg) == 21
    pg.wait_for_selector("#toc li.current >> text=De eerste optredens")
    pg.click("#next-part")
    assert _time(pg) == 42
    pg.click("#prev-part")
    assert _time(pg) == 21, "back to the part before, when just past a part's start"
    # the table of contents: a click jumps the audio there and marks the part as current
    pg.click("#toc >> text=Op dinsdag")
    pg.wait_for_function("() => Math.abs(document.getElementById('player').currentTime - 60) < 1")
    current = pg.locator("#toc a[aria-current=true]")
    assert current.count() == 1 and "Op dinsdag" in current.inner_text()
    assert pg.locator(".seg.current").get_attribute("data-start") == "60.0"


def test_search_inside_the_story_next_previous_and_escape(opened):
    pg = opened("phone")
    pg.fill("#q-story", "koren")
    pg.press("#q-story", "Enter")
    pg.wait_for_url("**?q=koren*")
    pg.locator("#hit-nav").wait_for()
    assert pg.locator("a.moment").count() == 3, "the server's list of hits"
    assert pg.locator("#transcript .seg.hit").count() == 3
    pos = pg.locator("#hit-pos")
    assert pos.inner_text() == "1 van 3"
    first = pg.locator(".seg.hit-current")
    assert first.count() == 1 and "Hoe is het koor" in first.inner_text()
    player_bottom = _box(pg, "#speler")["y"] + _box(pg, "#speler")["height"]
    hit = first.bounding_box()
    assert hit["y"] >= player_bottom - 1 and hit["y"] + hit["height"] <= 844, "the hit is in sight, below the player"
    pg.screenshot(path=str(ARTIFACTS / "reader-search-phone.png"))
    pg.click("#hit-next")
    assert pos.inner_text() == "2 van 3" and "drie koren" in pg.locator(".seg.hit-current").inner_text()
    assert pg.locator(".seg.hit-current mark").inner_text() == "koren"
    pg.click("#hit-prev")
    pg.click("#hit-prev")
    assert pos.inner_text() == "3 van 3", "previous from the first goes round to the last"
    pg.keyboard.press("Escape")
    assert pg.locator("#transcript .seg.hit").count() == 0 and pg.locator("#transcript mark").count() == 0
    assert pg.locator("#hit-nav").is_hidden() and pg.input_value("#q-story") == ""
    assert "q=" not in pg.url
    assert pg.evaluate("document.activeElement.id") == "q-story", "ready for the next search"


@pytest.fixture(scope="module")
def strict_browser(browser):
    """A second Chromium that blocks autoplay until the user has clicked on the page (as browsers do by default)."""
    args = [a for a in CHROMIUM_ARGS if not a.startswith("--autoplay-policy")]
    b = browser.browser_type.launch(executable_path=shutil.which("chromium"),
                                    args=args + ["--autoplay-policy=document-user-activation-required"])
    yield b
    b.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_deep_link_with_autoplay_blocked(strict_browser, reader_server, size):
    pg = _open(strict_browser, reader_server, size)
    try:
        pg.goto(f"/verhaal/{reader_server.slug}?t=60#t=01:00")
        button = pg.locator("#play-from")
        button.wait_for(timeout=15_000)
        assert button.inner_text() == "Afspelen vanaf 01:00"
        assert pg.evaluate("document.getElementById('player').paused"), "the browser did not let it play"
        assert abs(_time(pg) - 60) < 0.5
        target = pg.locator(".seg.target")
        assert target.count() == 1 and target.get_attribute("data-start") == "60.0"
        box, player = target.bounding_box(), _box(pg, "#speler")
        height = SIZES[size]["height"]
        top = player["y"] + player["height"] if size == "phone" else 0
        assert box["y"] >= top - 1 and box["y"] + box["height"] <= height, f"scrolled into sight: {box}"
        pg.screenshot(path=str(ARTIFACTS / f"reader-deeplink-{size}.png"))
        button.click()
        pg.wait_for_function("() => !document.getElementById('player').paused", timeout=10_000)
        assert button.is_hidden() and _time(pg) >= 59.9
        pg.goto(f"/verhaal/{reader_server.slug}?t=60&lang=en#t=01:00")
        assert pg.locator("#play-from").inner_text(timeout=15_000) == "Play from 01:00"
        assert pg.errors == [], pg.errors
    finally:
        pg.context.close()


def test_a_deep_link_without_javascript_lands_on_its_passage(opened):
    pg = opened("phone", "?t=60#t=01:00", java_script_enabled=False)
    assert pg.evaluate("window.scrollY") > 0, "the browser scrolled to the fragment by itself"
    target = pg.locator(".seg.target")
    assert target.get_attribute("data-start") == "60.0"
    box, player = target.bounding_box(), _box(pg, "#speler")
    assert box["y"] >= player["y"] + player["height"] - 1 and box["y"] + box["height"] <= 844, (box, player)
    assert pg.locator("#controls").is_hidden() and pg.locator("#play-from").is_hidden()
    assert pg.locator("#transcript .seg.target").evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    # the search works as a plain list without JavaScript
    pg.goto(f"{pg.url.split('?')[0]}?q=%22drie+koren%22")
    assert pg.locator("a.moment").count() == 1 and pg.locator("a.moment mark").all_inner_texts() == ["drie", "koren"]
    pg.screenshot(path=str(ARTIFACTS / "reader-nojs-phone.png"), full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_no_serious_accessibility_violations(opened, size):
    from axe_playwright_python.sync_playwright import Axe

    pg = opened(size, "?q=koor&t=21#t=00:21")
    pg.locator("#hit-nav").wait_for()
    pg.locator("#toc details").first.evaluate("d => d.open = true")
    results = Axe().run(pg)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]
    assert bad == [], bad
