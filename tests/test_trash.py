"""Delete and restore (verhalen.trash): a deleted story waits in the trash, hidden everywhere outside it,
until it is restored or purged; the core, `verhalen delete/trash/restore` through real subprocesses, and the
workspace's pages through the Flask test client (with the page cache on, as the app runs)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, select

from helpers import DATA, csrf_of, login, run_cli
from verhalen import catalog, editing, keyword_review, outbox, trash
from verhalen.access import clause, levels_for, visibility, visible
from verhalen.catalog import PendingWork, Segment, Story
from verhalen.errors import NotFound
from verhalen.pipeline import StoryMeta, accept, unfinished

SLUG = "pop-up-bazaar"
EDITOR = levels_for(type("U", (), {"role": "editor"})())


def _search(archive, q: str, levels=None) -> list[str]:
    return [h.slug for h in archive.index.search(q, visibility(levels or frozenset({"public"}))).stories]


def _move(archive, slug: str = SLUG, user: str = "esseline"):
    with archive.session() as s:
        trash.move(archive, s, archive.story(s, slug), user)


def _restore(archive, slug: str = SLUG):
    with archive.session() as s:
        trash.restore(archive, s, archive.story(s, slug))


def _files(archive, slug: str = SLUG):
    with archive.session() as s:
        st = archive.story(s, slug)
        return st.id, archive.original(st.recording), archive.derived_story_dir(st.id)


# -- the core ------------------------------------------------------------------------------------


def test_a_story_in_the_trash_is_hidden_everywhere_and_restore_brings_it_back(archive_copy, make_app):
    a = archive_copy
    app = make_app(a)
    anonymous = app.test_client()
    assert anonymous.get(f"/verhaal/{SLUG}").status_code == 200
    assert SLUG in _search(a, "bazaar")
    with a.session() as s:
        st = a.story(s, SLUG)
        assert visible(st, EDITOR)
        queue_before = {seg.story_id for seg, _ in editing.review_queue(s, limit=500)}
        proposals_before = {p.story_id for p in keyword_review.proposals(s)}
        assert st.id in queue_before and st.id in proposals_before, "the demo story is in both lists"
    _move(a)
    with a.session() as s:
        st = a.story(s, SLUG)  # Archive.story still finds it: restore needs it
        assert st.deleted_at is not None and st.deleted_by == "esseline"
        assert not visible(st) and not visible(st, EDITOR), "not even editors see it outside the trash"
        assert SLUG not in set(s.scalars(select(Story.slug).where(clause(EDITOR))))
        assert st.id not in {seg.story_id for seg, _ in editing.review_queue(s, limit=500)}
        assert st.id not in {p.story_id for p in keyword_review.proposals(s)}
        assert [x.slug for x in trash.listed(s)] == [SLUG]
        assert not outbox.pending(s, outbox.INDEX), "the index work was applied with the move"
        story_id = st.id
    assert SLUG not in _search(a, "bazaar") and SLUG not in _search(a, "bazaar", EDITOR)
    assert anonymous.get(f"/verhaal/{SLUG}").status_code == 404
    assert anonymous.get("/serie/levensverhalen/feed.xml").status_code == 404, "its series has no story left"
    assert "Pop-up bazaar" not in anonymous.get("/").get_data(as_text=True)
    # Nothing is lost: every row and file is still there.
    _, original, derived = _files(a)
    assert original.exists() and derived.exists()

    _restore(a)
    with a.session() as s:
        st = a.story(s, SLUG)
        assert st.deleted_at is None and st.deleted_by is None and visible(st)
        assert {seg.story_id for seg, _ in editing.review_queue(s, limit=500)} == queue_before
        assert {p.story_id for p in keyword_review.proposals(s)} == proposals_before
        assert trash.listed(s) == []
    assert SLUG in _search(a, "bazaar")
    assert anonymous.get(f"/verhaal/{SLUG}").status_code == 200
    feed = ET.fromstring(anonymous.get("/serie/levensverhalen/feed.xml").get_data())
    assert "Pop-up bazaar" in [i.findtext("title") for i in feed.iter("item")]


def test_purge_removes_rows_files_and_index_entries_of_expired_stories_only(archive_copy):
    a = archive_copy
    story_id, original, derived = _files(a)
    _move(a)
    _move(a, "het-koor")
    assert trash.purge(a) == [], "nothing has expired yet"
    with a.session() as s:  # the bazaar went to the trash longer ago than trash_days
        a.story(s, SLUG).deleted_at = catalog.now() - dt.timedelta(days=a.settings.trash_days, seconds=1)
        s.commit()
        assert [st.slug for st in trash.expired(s, a.settings.trash_days)] == [SLUG]
        assert trash.days_left(a.story(s, "het-koor"), a.settings.trash_days) == a.settings.trash_days
    assert trash.purge(a) == [SLUG]
    assert not original.exists() and not derived.exists()
    with a.session() as s:
        assert s.get(Story, story_id) is None
        assert s.scalar(select(func.count()).select_from(Segment).where(Segment.story_id == story_id)) == 0
        assert s.scalar(select(func.count()).select_from(catalog.Recording)
                        .where(catalog.Recording.story_id == story_id)) == 0
        assert s.scalar(select(func.count()).select_from(PendingWork)) == 0
        assert [st.slug for st in trash.listed(s)] == ["het-koor"]
    assert SLUG not in _search(a, "bazaar", EDITOR)
    assert story_id not in {h.story_id for h in a.index.search("bazaar", visibility(EDITOR)).stories}
    assert trash.purge(a, everything=True) == ["het-koor"]


def test_commands_on_a_story_refuse_one_in_the_trash(archive_copy):
    _move(archive_copy)
    with archive_copy.session() as s:
        try:
            trash.require_outside(archive_copy.story(s, SLUG))
        except NotFound as e:
            assert "in the trash" in str(e) and f"verhalen restore {SLUG}" in str(e)
        else:
            raise AssertionError("a story in the trash was not refused")


# -- the CLI, through real subprocesses ------------------------------------------------------------


def test_cli_delete_trash_restore_and_purge(archive_copy, model_dir):
    home = archive_copy.settings.home
    r = run_cli("delete", SLUG, home=home, input="n\n")
    assert r.returncode == 1 and "'Pop-up bazaar'" in r.stdout and "30 days" in r.stdout and "passages" in r.stdout
    assert "en_market.wav" in r.stdout, "the confirmation names the recording"
    assert SLUG in run_cli("list", home=home, check=True).stdout, "no means nothing moved"
    r = run_cli("delete", SLUG, home=home, input="y\n")
    assert r.returncode == 0 and "moved pop-up-bazaar to the trash for 30 days" in r.stdout, r.stderr
    assert SLUG not in run_cli("list", home=home, check=True).stdout
    assert SLUG in run_cli("list", "--trash", home=home, check=True).stdout
    listing = run_cli("trash", home=home, check=True).stdout
    assert listing.startswith(f"{SLUG}\tPop-up bazaar\t") and "30 days left" in listing
    for command in (["show", SLUG], ["export", SLUG]):
        r = run_cli(*command, home=home)
        assert r.returncode == 4 and f"is in the trash (verhalen restore {SLUG})" in r.stderr, command
    r = run_cli("ingest", str(DATA / "en_market.wav"), home=home, model_dir=model_dir)
    assert r.returncode == 5 and "is in the trash" in r.stderr and f"verhalen restore {SLUG}" in r.stderr
    r = run_cli("delete", SLUG, "--yes", home=home)
    assert r.returncode == 9 and "already in the trash" in r.stderr
    assert "Nothing has been in the trash" in run_cli("trash", "purge", "--yes", home=home, check=True).stdout
    r = run_cli("restore", SLUG, home=home, check=True)
    assert "restored pop-up-bazaar" in r.stdout
    assert "Pop-up bazaar" in run_cli("show", SLUG, home=home, check=True).stdout
    assert "The trash is empty." in run_cli("trash", home=home, check=True).stdout
    # Purging for good: asks first, names what goes, removes the original.
    _, original, derived = _files(archive_copy)
    run_cli("delete", SLUG, "--yes", home=home, check=True)
    r = run_cli("trash", "purge", "--all", home=home, input="n\n")
    assert r.returncode == 1 and "'Pop-up bazaar'" in r.stdout and original.exists()
    r = run_cli("trash", "purge", "--all", "--yes", home=home, check=True)
    assert "purged pop-up-bazaar" in r.stdout and not original.exists() and not derived.exists()
    r = run_cli("restore", SLUG, home=home)
    assert r.returncode == 4


# -- the workspace ---------------------------------------------------------------------------------


def test_delete_page_names_what_goes_and_moves_it_to_the_trash(workspace, editor_client):
    anonymous = workspace.test_client()
    cached = anonymous.get(f"/verhaal/{SLUG}")
    assert cached.status_code == 200
    assert anonymous.get(f"/verhaal/{SLUG}").headers["X-Cache"] == "HIT", "the page is in the page cache"
    home = editor_client.get("/editor/").get_data(as_text=True)
    assert f'href="/editor/story/{SLUG}/delete"' in home and 'href="/editor/trash"' in home
    page = editor_client.get(f"/editor/story/{SLUG}/delete").get_data(as_text=True)
    assert "Verwijderen: Pop-up bazaar" in page and "en_market.wav" in page and "passages transcript" in page
    assert "30 dagen in de prullenbak" in page
    r = editor_client.post(f"/editor/story/{SLUG}/delete", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/editor/")
    assert "staat nu in de prullenbak" in editor_client.get("/editor/").get_data(as_text=True)
    assert f"/editor/story/{SLUG}/delete" not in editor_client.get("/editor/").get_data(as_text=True)
    r = editor_client.get(f"/editor/story/{SLUG}", follow_redirects=True)
    assert r.request.path == "/editor/trash" and "staat in de prullenbak" in r.get_data(as_text=True), \
        "its workspace page leads to the trash"
    r = editor_client.post(f"/editor/story/{SLUG}/publish", data={"csrf_token": csrf_of(page), "published": "0"})
    assert r.status_code == 409 and "staat in de prullenbak" in r.get_data(as_text=True)
    assert workspace.test_client().get(f"/editor/story/{SLUG}").status_code == 302, "anonymous: the login first"
    assert anonymous.get(f"/verhaal/{SLUG}").status_code == 404, "the cached page is not served after the delete"
    assert "Pop-up bazaar" not in anonymous.get("/zoeken?q=bazaar").get_data(as_text=True)
    assert "Pop-up bazaar" not in editor_client.get("/editor/jobs").get_data(as_text=True)
    listing = editor_client.get("/editor/trash").get_data(as_text=True)
    assert "Pop-up bazaar" in listing and "door esseline" in listing and "30 dagen" in listing
    assert "Voorgoed verwijderen" not in listing, "purging is for admins"
    r = editor_client.post(f"/editor/trash/{SLUG}/purge", data={"csrf_token": csrf_of(listing)})
    assert r.status_code == 403
    r = editor_client.post(f"/editor/trash/{SLUG}/restore", data={"csrf_token": csrf_of(listing)})
    assert r.status_code == 302
    assert "is teruggezet" in editor_client.get("/editor/trash").get_data(as_text=True)
    assert anonymous.get(f"/verhaal/{SLUG}").status_code == 200
    assert "Pop-up bazaar" in anonymous.get("/zoeken?q=bazaar").get_data(as_text=True)


def test_admins_purge_from_the_trash_page_and_it_speaks_english(workspace):
    admin = workspace.test_client()
    login(admin, "beheer")
    _, original, _ = _files(workspace.archive)
    _move(workspace.archive, user="beheer")
    page = admin.get("/editor/trash?lang=en").get_data(as_text=True)
    assert "Trash" in page and "Restore" in page and "Delete for good" in page and "by beheer" in page
    r = admin.post(f"/editor/trash/{SLUG}/purge", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 302 and not original.exists()
    assert "The trash is empty." in admin.get("/editor/trash?lang=en").get_data(as_text=True)
    assert admin.get(f"/editor/story/{SLUG}/delete").status_code == 404


# -- the worker's hourly purge, and PostgreSQL -----------------------------------------------------


def test_the_worker_purges_expired_stories_every_hour(archive_copy):
    from verhalen import jobs

    a = archive_copy
    story_id, original, derived = _files(a)
    _move(a)
    _move(a, "het-koor")
    with a.session() as s:
        a.story(s, SLUG).deleted_at = catalog.now() - dt.timedelta(days=a.settings.trash_days + 1)
        s.commit()
    huey = jobs.make_huey(a.settings)
    (task,) = [t for t in huey._registry.periodic_tasks if t.name.endswith("purge_trash")]
    assert task.validate_datetime(dt.datetime(2026, 12, 2, 3, 23)), "hourly"
    task.execute()
    assert not original.exists() and not derived.exists()
    with a.session() as s:
        assert s.get(Story, story_id) is None
        assert [st.slug for st in trash.listed(s)] == ["het-koor"], "the one not expired stays"


@pytest.mark.slow
def test_the_trash_on_postgresql(model_dir, tmp_path):
    from helpers import Postgres
    from verhalen import settings as settings_mod
    from verhalen.archive import Archive
    from verhalen.pipeline import StoryMeta, ingest

    pg = Postgres()
    try:
        a = Archive(settings_mod.load(tmp_path / "archive", env={}, model=str(model_dir), database_url=pg.url))
        try:
            ingest(a, DATA / "en_market.wav", StoryMeta(title="Markt"))
            before = _generation(a)
            _move(a, "markt")
            assert _generation(a) > before, "migration 0011's trigger: cached pages go stale"
            assert "markt" not in _search(a, "perfume", EDITOR)
            _restore(a, "markt")
            assert "markt" in _search(a, "perfume")
            _move(a, "markt")
            assert trash.purge(a, everything=True) == ["markt"]
            with a.session() as s:
                assert s.scalar(select(func.count()).select_from(Story)) == 0
        finally:
            a.close()
    finally:
        pg.stop()


def _generation(archive) -> int:
    with archive.engine.connect() as c:
        return catalog.generation(c)


def test_unfinished_work_of_a_story_in_the_trash_waits_until_it_is_restored(archive):
    """A new upload deleted before it was processed is not transcribed by `resume` or a worker meanwhile."""
    sid = accept(archive, DATA / "en_market.wav", StoryMeta(title="Markt", language="en"))
    assert unfinished(archive) == [sid]
    with archive.session() as s:
        trash.move(archive, s, s.get(Story, sid), "esseline")
        s.commit()
    assert unfinished(archive) == [], "nothing is done for a story in the trash"
    with archive.session() as s:
        trash.restore(archive, s, s.get(Story, sid))
        s.commit()
    assert unfinished(archive) == [sid], "restored, its work is left to do again"
