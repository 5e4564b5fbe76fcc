"""The jobs page in a real browser (issue 11, item 7): an editor uploads a recording through the form,
watches its transcription progress update in place, cancels it while it runs, sees it marked cancelled
without reloading by hand, and retries it until it is done. Served by waitress with the embedded worker
of `verhalen serve`, driven in headless Chromium."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from helpers import ARTIFACTS, DATA, PASSWORD, LiveServer, ffmpeg_make
from verhalen import jobs, users
from verhalen.archive import Archive
from verhalen.catalog import Story

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def served_in_small_batches(make_settings, make_app, tmp_path):
    """An empty archive served with its embedded worker, decoding one speech chunk per batch, so the
    transcription reports progress (and meets a cancel) every few seconds."""
    archive = Archive(make_settings(batch_size=1))
    with archive.session() as s:
        users.add(s, "esseline", PASSWORD, "editor")
    server = LiveServer(make_app(archive))
    consumer = jobs.start_embedded(archive.settings)
    yield archive, server
    consumer.stop(graceful=False)
    server.close()
    archive.close()


def test_an_editor_cancels_a_running_transcription_in_the_browser_and_retries_it(
        served_in_small_batches, sign_in, tmp_path):
    archive, server = served_in_small_batches
    n = 6  # a minute of speech: several batches
    clip = ffmpeg_make(tmp_path / "markt-lang.wav", *(["-i", str(DATA / "en_market.wav")] * n), "-filter_complex",
                       "".join(f"[{i}:a]" for i in range(n)) + f"concat=n={n}:v=0:a=1")
    editor = sign_in(server.url)
    page = editor.page
    page.goto("/editor/upload")
    page.get_by_label("Geluids- of videobestand").set_input_files(str(clip))
    page.get_by_label("Titel").fill("Lange markt")
    page.locator("select#language").select_option("en")
    editor.follow(page.get_by_role("button", name="Uploaden"))
    assert "/editor/jobs" in page.url
    job = page.locator("li.job", has=page.get_by_role("link", name="Lange markt"))

    # Progress arrives in place, from the page's own polling: no reload by hand.
    transcript = job.locator('li.stage[data-stage="transcript"]')
    transcript.locator(".percent").wait_for(timeout=180_000)
    percent = int(re.search(r"\d+", transcript.locator(".percent").inner_text()).group())
    assert 0 <= percent < 100

    editor.follow(job.get_by_role("link", name="Annuleren…"))
    assert page.get_by_role("heading", name="Verwerking annuleren: Lange markt").is_visible()
    assert "wordt nu verwerkt" in page.locator("main").inner_text()
    keep = page.get_by_label(re.compile("Het blijft zoals het is"))
    assert keep.is_checked(), "keeping the story is the default"
    assert page.get_by_label(re.compile("Verwijderen: deze nieuwe upload")).count() == 1, "a new upload may go too"
    editor.follow(page.get_by_role("button", name="Verwerking annuleren"))
    assert "Lange markt wordt gestopt" in editor.flash()

    # When the worker has let go, the page shows it by itself: cancelled, with a retry and no cancel link.
    job = page.locator("li.job", has=page.get_by_role("link", name="Lange markt"))
    job.get_by_role("button", name="Opnieuw proberen").wait_for(timeout=60_000)
    assert "Geannuleerd door esseline" in job.inner_text()
    assert job.get_by_role("link", name="Annuleren…").count() == 0
    with archive.session() as s:
        story = s.scalar(select(Story).where(Story.title == "Lange markt"))
        assert story.cancelled_by == "esseline" and story.status == "pending" and not story.segments
    page.screenshot(path=str(ARTIFACTS / "jobs-cancelled.png"), full_page=True)

    editor.follow(job.get_by_role("button", name="Opnieuw proberen"))
    assert "Lange markt staat weer in de wachtrij" in editor.flash()
    job = page.locator("li.job", has=page.get_by_role("link", name="Lange markt"))
    page.wait_for_function(
        "() => { const li = [...document.querySelectorAll('li.job')].find(l => l.textContent.includes('Lange markt'));"
        " return li && li.dataset.finished === 'true'; }", timeout=240_000)
    assert "Geannuleerd" not in job.inner_text()
    with archive.session() as s:
        story = s.scalar(select(Story).where(Story.title == "Lange markt"))
        assert story.status == "ready" and story.cancelled_at is None and story.segments
    editor.done()
