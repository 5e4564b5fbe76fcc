"""Keyword review (issue 11.2): automatic keywords are proposals until an editor accepts them."""

from __future__ import annotations

import pytest

from verhalen import access, keyword_review, themes
from verhalen.errors import StaleVersion
from verhalen.index import Visibility
from verhalen.pipeline import run

from helpers import csrf_of, run_cli

EVERYONE = Visibility(frozenset(access.ROLE_LEVELS["editor"]))
SLUG = "pop-up-bazaar"


def _proposals(archive):
    with archive.session() as s:
        return [p.theme.name for p in keyword_review.proposals(s, archive.story(s, SLUG))]


def _facet(archive, query="perfume"):
    return dict(archive.index.search(query, EVERYONE).facets.get("theme", []))


def test_proposals_stay_out_of_public_view_until_accepted(archive_copy, make_app):
    names = _proposals(archive_copy)
    assert names, "the keyword stage proposes keywords for the English story"
    client = make_app(archive_copy).test_client()
    word = names[0]
    page = client.get(f"/verhaal/{SLUG}").get_data(as_text=True)
    assert f">{word}</a>" not in page and word not in _facet(archive_copy)
    assert word not in client.get("/themas").get_data(as_text=True)
    assert archive_copy.index.search(word, EVERYONE).total >= 1  # proposals still help search

    with archive_copy.session() as s:
        story = archive_copy.story(s, SLUG)
        keyword_review.review(archive_copy, s, story, accept=[word], version=story.meta_version)
    with archive_copy.session() as s:
        assert word in [t.name for t in archive_copy.story(s, SLUG).themes(themes.ACCEPTED)]
    assert word in _facet(archive_copy)
    page = client.get(f"/verhaal/{SLUG}").get_data(as_text=True)
    assert f">{word}</a>" in page
    assert word in client.get("/themas").get_data(as_text=True)
    assert client.get(f"/verhaal/{SLUG}.json").get_json()["keywords"][0]["name"] == word


def test_rejected_and_renamed_proposals_and_a_new_keyword_run(archive_copy):
    first, second, *_ = _proposals(archive_copy)
    with archive_copy.session() as s:
        story = archive_copy.story(s, SLUG)
        keyword_review.review(archive_copy, s, story, reject=[first], rename={second: "Markt"},
                              version=story.meta_version)
        assert "markt" in [t.name.lower() for t in story.themes(themes.EDITOR)]
    assert "Markt" in _facet(archive_copy) or "markt" in _facet(archive_copy)
    assert first not in _facet(archive_copy) and second not in _facet(archive_copy)
    run(archive_copy, archive_copy_story_id(archive_copy), redo=("keywords", "index"))
    # Decisions survive a new keyword run; a rejected word is not proposed again.
    assert first not in _proposals(archive_copy) and second not in _proposals(archive_copy)
    with archive_copy.session() as s:
        story = archive_copy.story(s, SLUG)
        assert first in [t.name for t in story.themes(themes.REJECTED)]


def archive_copy_story_id(archive):
    with archive.session() as s:
        return archive.story(s, SLUG).id


def test_two_reviews_from_one_page_do_not_both_land(archive_copy):
    first, second, *_ = _proposals(archive_copy)
    with archive_copy.session() as s:
        version = archive_copy.story(s, SLUG).meta_version
        keyword_review.review(archive_copy, s, archive_copy.story(s, SLUG), accept=[first], version=version)
    with archive_copy.session() as s, pytest.raises(StaleVersion):
        keyword_review.review(archive_copy, s, archive_copy.story(s, SLUG), reject=[second], version=version)
    assert second in _proposals(archive_copy)


def test_an_archive_may_publish_proposals_unreviewed(archive_copy, make_app):
    from verhalen.index_sync import rebuild

    word = _proposals(archive_copy)[0]
    archive_copy.settings = archive_copy.settings.replace(publish_keywords=True)
    rebuild(archive_copy)
    client = make_app(archive_copy).test_client()
    assert f">{word}</a>" in client.get(f"/verhaal/{SLUG}").get_data(as_text=True)
    assert word in _facet(archive_copy)


def test_the_cli_lists_accepts_rejects_and_renames(archive_copy):
    home = archive_copy.settings.home
    out = run_cli("keywords", "list", SLUG, home=home)
    assert out.returncode == 0, out.stderr
    names = [line.split("\t")[1] for line in out.stdout.splitlines()]
    assert len(names) >= 3
    assert run_cli("keywords", "accept", SLUG, names[0], home=home).returncode == 0
    assert run_cli("keywords", "reject", SLUG, names[1], home=home).returncode == 0
    out = run_cli("keywords", "rename", SLUG, names[2], "Handwerk", home=home)
    assert out.returncode == 0 and "Handwerk" in out.stdout
    out = run_cli("keywords", "accept", SLUG, "no such word", home=home)
    assert out.returncode == 4 and "not an open keyword proposal" in out.stderr
    show = run_cli("show", SLUG, home=home).stdout
    assert names[0] in show and "Handwerk" in show


def test_an_editor_reviews_in_the_workspace(workspace, editor_client):
    archive = workspace.archive
    word = _proposals(archive)[0]
    page = editor_client.get("/editor/keywords").get_data(as_text=True)
    assert "Trefwoorden nakijken" in page and word in page
    with archive.session() as s:
        version = archive.story(s, SLUG).meta_version
    r = editor_client.post(f"/editor/keywords/{SLUG}", data={
        "name": word, "action": "accept", "meta_version": version, "csrf_token": csrf_of(page)})
    assert r.status_code == 302
    assert word not in _proposals(archive)
    from verhalen.story_metadata import history

    with archive.session() as s:
        rows = history(s, archive.story(s, SLUG))
    assert any(r.user == "esseline" and word in str(r.after) for r in rows)
    stale = editor_client.post(f"/editor/keywords/{SLUG}", data={
        "name": _proposals(archive)[0], "action": "reject", "meta_version": version, "csrf_token": csrf_of(page)})
    assert stale.status_code == 409
