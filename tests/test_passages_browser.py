"""Working on part of a transcript in a real Chromium against a real server: the keyboard shortcuts, the
doubtful words after a save, redacting selected words after the confirmation, typing text into a gap with
times taken from the player, and a stretch re-done by the model and taken over.

Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import pytest

from helpers import ARTIFACTS, LiveServer, make_gap

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def koor(workspace):
    """het-koor with a gap (its longest passage, as the coverage guard stores one) and one word the model
    doubted in another passage; served for real."""
    a = workspace.archive
    with a.session() as s:
        gap, other = make_gap(s, a.story(s, "het-koor"))
        words = [list(w) for w in other.words]
        for w in words:
            w[3] = max(w[3], 0.9)
        words[1][3] = 0.2
        other.words = words
        s.commit()
        info = {"gap": (gap.id, gap.start, gap.end), "other": other.id, "doubt": words[1][2].strip(),
                "first_words": "".join(w[2] for w in words[:2]).strip()}
    server = LiveServer(workspace)
    yield server, info
    server.close()


def test_shortcuts_redaction_insert_and_redo_in_the_browser(sign_in, koor):
    server, info = koor
    editor = sign_in(server.url)
    page = editor.page
    page.goto("/editor/story/het-koor")
    other = page.locator(f"#s{info['other']}")

    # The shortcuts are listed on the page; Alt+N selects the doubted word.
    assert page.get_by_text("Sneltoetsen").is_visible()
    assert other.locator(".hint").inner_text().endswith(info["doubt"])
    page.locator("h1").click()
    page.keyboard.press("Alt+KeyN")
    assert page.evaluate("document.activeElement.id") == f"text-{info['other']}"
    assert page.evaluate("(() => { const t = document.activeElement; return t.value.slice(t.selectionStart, t.selectionEnd); })()") == info["doubt"]
    page.keyboard.type("koorzang")
    page.keyboard.press("Control+Enter")
    page.wait_for_function("(f) => f.querySelector('.seg-msg').textContent === 'Bewaard.'", arg=other.element_handle())
    assert other.locator(".hint").count() == 0  # corrected: nothing doubtful left in it
    assert "koorzang" in other.locator("textarea").input_value()

    # Esc plays and pauses, Alt+L jumps 5 s ahead.
    # (Focusing the passage started playback: the editor plays what is being edited.)
    page.evaluate("document.getElementById('player').pause()")
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.getElementById('player').paused")
    before = page.evaluate("document.getElementById('player').currentTime")
    page.keyboard.press("Alt+KeyL")
    after = page.evaluate("document.getElementById('player').currentTime")
    duration = page.evaluate("document.getElementById('player').duration")
    assert after >= min(before + 4.5, duration - 0.5)
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.getElementById('player').paused")

    # Redact the first two words by selecting them; the next page names them and asks.
    box = other.locator("textarea")
    text = box.input_value()
    upto = len(" ".join(text.split()[:2]))
    box.evaluate(f"(t) => {{ t.focus(); t.setSelectionRange(0, {upto}); }}")
    other.get_by_role("button", name="Woorden afschermen…").click()
    page.wait_for_url("**/redact-words")
    quoted = page.locator("blockquote.to-redact").inner_text()
    assert quoted == " ".join(text.split()[:2])
    page.screenshot(path=str(ARTIFACTS / "editor-redact-words.png"), full_page=True)
    page.get_by_role("button", name="Ja, deze woorden afschermen").click()
    page.wait_for_url("**/editor/story/het-koor*")
    assert "alleen die woorden" in page.locator(".flash").inner_text()
    assert "gedempt" in page.locator("#geschiedenis").inner_text()

    # Type the text of the gap, with its start and end taken from the player.
    gap_id, gap_start, gap_end = info["gap"]
    page.get_by_text("Tekst toevoegen waar niets staat").click()
    page.evaluate(f"document.getElementById('player').currentTime = {gap_start + 0.05}")
    page.locator("button.take-time[data-for=ins-start]").click()
    page.evaluate(f"document.getElementById('player').currentTime = {gap_end - 0.05}")
    page.locator("button.take-time[data-for=ins-end]").click()
    assert page.locator("#ins-start").input_value().startswith("0:")
    page.get_by_label("Wat wordt er gezegd?").fill("Wij zongen elke zondag in de kerk")
    page.locator("#insert-save").click()
    page.wait_for_url("**/editor/story/het-koor*")
    assert "De tekst is toegevoegd." in page.locator(".flash").inner_text()

    # Re-do the corrected passage with the model: a proposal first, then taken over.
    page.locator(f"#s{info['other']} a.redo-link").click()
    page.wait_for_url("**/redo?from=*")
    page.get_by_label("Taal van dit stuk").select_option("nl")
    page.get_by_role("button", name="Laten herkennen").click()
    page.wait_for_selector("#proposal", timeout=120_000)
    assert "koorzang" not in page.locator("#proposal").inner_text()
    page.screenshot(path=str(ARTIFACTS / "editor-redo.png"), full_page=True)
    page.get_by_role("button", name="Voorstel overnemen").click()
    page.wait_for_url("**/editor/story/het-koor*")
    assert "De nieuwe tekst staat erin" in page.locator(".flash").inner_text()

    # The story page (het-koor is for researchers: the editor sees it as they do) shows the marker where
    # the words were, the typed text, and not the hidden words.
    assert page.goto("/verhaal/het-koor").status == 200
    shown = page.locator("#transcript").inner_text()
    assert "[afgeschermd, " in shown and "zondag in de kerk" in shown
    editor.done()
