"""A story's details after ingest (verhalen.story_metadata): the core, `verhalen edit` through real
subprocesses, and the workspace's form through the Flask test client — each change visible on the public
page, in search and its facets, and in the feed at once; stale saves are conflicts that change nothing."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from helpers import csrf_of, login, run_cli
from verhalen import story_edits, story_metadata
from verhalen.catalog import Person, StoryMetaEdit
from verhalen.errors import StaleVersion, UsageError
from verhalen.story_metadata import Changes, MetadataProblem


def _meta_version(page: str) -> str:
    m = re.search(r'name="meta_version" value="(\d+)"', page)
    assert m, "no meta_version on the page"
    return m.group(1)


def _edit(archive, slug: str, version="current", user: str = "esseline", **changes):
    with archive.session() as s:
        st = archive.story(s, slug)
        v = st.meta_version if version == "current" else version
        story_metadata.edit(archive, s, st, Changes(**changes), v, user=user)


def _search(archive, q: str) -> list[str]:
    from verhalen.access import visibility

    return [h.slug for h in archive.index.search(q, visibility()).stories]


# -- the core ---------------------------------------------------------------------------------------


def test_every_field_changes_in_one_save_with_one_history_row(archive_copy):
    a = archive_copy
    with a.session() as s:
        st = a.story(s, "pop-up-bazaar")
        version = st.meta_version
        story_metadata.edit(a, s, st, Changes(
            title="De pop-up bazaar", description="Over een markt in de wijk.", recorded=dt.date(2023, 9, 1),
            series="Marktverhalen", add_people=[("Karim", "host")], remove_people=[("Esseline", None)],
            add_places=["Schiedam"], remove_places=["rotterdam"], add_themes=["markt"], remove_themes=["werk"],
            language="nl", consent_notes="Mondeling, opgenomen", published=True), version, user="esseline")
        assert st.meta_version == version + 1
        assert st.title == "De pop-up bazaar" and st.recorded == dt.date(2023, 9, 1)
        assert st.series.name == "Marktverhalen"
        assert [(c.person.name, c.role) for c in st.credits] == [("Basma", "narrator"), ("Karim", "host")]
        assert [p.name for p in st.places] == ["Schiedam"] and [t.name for t in st.themes("editor")] == ["markt"]
        assert (st.language, st.language_requested, st.language_source) == ("nl", "nl", "given")
        (row,) = story_metadata.history(s, st)
        assert row.user == "esseline"
        assert row.before["title"] == "Pop-up bazaar" and row.after["title"] == "De pop-up bazaar"
        assert row.before["places"] == ["Rotterdam"] and row.after["places"] == ["Schiedam"]
        assert row.after["recorded"] == "2023-09-01" and "published" not in row.after, "only what changed"
    assert "pop-up-bazaar" in _search(a, "Schiedam") and "pop-up-bazaar" not in _search(a, "Esseline")


def test_a_stale_version_is_a_conflict_and_changes_nothing(archive_copy):
    a = archive_copy
    with a.session() as s:
        old = a.story(s, "pop-up-bazaar").meta_version
    _edit(a, "pop-up-bazaar", version=old, title="Eerste")
    with pytest.raises(StaleVersion):
        _edit(a, "pop-up-bazaar", version=old, title="Tweede", add_places=["Delft"], rename_people=[("Basma", "B.")])
    with a.session() as s:
        st = a.story(s, "pop-up-bazaar")
        assert st.title == "Eerste" and [p.name for p in st.places] == ["Rotterdam"]
        assert s.scalar(select(Person).where(Person.name == "Basma")) is not None
        assert len(story_metadata.history(s, st)) == 1


def test_problems_are_refused_in_english_with_a_code(archive_copy):
    a = archive_copy
    cases = [
        (dict(title="  "), "empty_title", "needs a title"),
        (dict(title="x" * 301), "too_long", "at most 300"),
        (dict(add_people=[("Noor", "chef")]), "role", "role must be one of"),
        (dict(access="secret"), "level", "access must be one of"),
        (dict(access="embargoed"), "embargo_date", "needs an end date"),
        (dict(embargo_until=dt.date(2030, 1, 1)), "embargo_without_level", "only to an embargoed"),
        (dict(remove_people=[("Nobody", None)]), "not_credited", "not credited"),
        (dict(rename_people=[("Basma", "Amal")]), "name_taken", "--link-person"),
        (dict(link_people=[("Basma", "Nobody")]), "unknown_person", "no person called"),
        (dict(remove_places=["Utrecht"]), "no_place", "not a place"),
        (dict(language="Nederlands"), "language", "a code such as"),
    ]
    with a.session() as s:
        version = a.story(s, "pop-up-bazaar").meta_version
    for changes, code, words in cases:
        with pytest.raises(MetadataProblem) as e:
            _edit(a, "pop-up-bazaar", version=version, **changes)
        assert e.value.code == code and words in str(e.value), changes
        assert isinstance(e.value, UsageError)
    with a.session() as s:
        st = a.story(s, "pop-up-bazaar")
        assert st.meta_version == version and not story_metadata.history(s, st), "a refused change saves nothing"


def test_automatic_keywords_are_not_editor_themes(archive_copy):
    a = archive_copy
    with a.session() as s:
        auto = [t.name for t in a.story(s, "pop-up-bazaar").themes("auto")]
    assert auto, "the demo story has keywords"
    with pytest.raises(MetadataProblem) as e:
        _edit(a, "pop-up-bazaar", remove_themes=[auto[0]])
    assert e.value.code == "no_theme"
    _edit(a, "pop-up-bazaar", add_themes=["markt", "Markt"])
    with a.session() as s:
        st = a.story(s, "pop-up-bazaar")
        assert [t.name for t in st.themes("auto")] == auto and [t.name for t in st.themes("editor")] == ["werk", "markt"]


def test_rename_reaches_every_story_and_link_moves_a_credit(archive_copy):
    a = archive_copy
    _edit(a, "het-koor", add_people=[("Basma", "interviewer")])
    _edit(a, "pop-up-bazaar", rename_people=[("basma", "Basma El Amrani")])
    with a.session() as s:
        assert [p.name for p in a.story(s, "het-koor").people("interviewer")] == ["Basma El Amrani"]
        person = s.scalar(select(Person).where(Person.name == "Basma El Amrani"))
        assert person.slug == "basma", "links to the person's page keep working"
    assert "het-koor" in [h.slug for h in a.index.search("Amrani", __import__("verhalen.access", fromlist=["x"])
                                                         .visibility(frozenset({"public", "researchers"}))).stories]
    # Link: the story credited "Esseline"; the same person exists as "Amal": the credit moves, no duplicate.
    _edit(a, "pop-up-bazaar", link_people=[("Esseline", "Amal")])
    with a.session() as s:
        st = a.story(s, "pop-up-bazaar")
        assert [(c.person.name, c.role) for c in st.credits] == [("Basma El Amrani", "narrator"), ("Amal", "interviewer")]


def test_series_clear_access_and_unpublish(archive_copy):
    a = archive_copy
    _edit(a, "pop-up-bazaar", series=None, access="embargoed", embargo_until=dt.date(2031, 1, 1))
    with a.session() as s:
        st = a.story(s, "pop-up-bazaar")
        assert st.series is None and st.access == "embargoed" and st.embargo_until == dt.date(2031, 1, 1)
    assert "pop-up-bazaar" not in _search(a, "bazaar")
    _edit(a, "pop-up-bazaar", access="public")
    with a.session() as s:
        assert a.story(s, "pop-up-bazaar").embargo_until is None, "the date goes with the embargo"
    assert "pop-up-bazaar" in _search(a, "bazaar")
    _edit(a, "pop-up-bazaar", published=False)
    assert "pop-up-bazaar" not in _search(a, "bazaar")


def test_a_change_that_changes_nothing_saves_nothing(archive_copy):
    a = archive_copy
    with a.session() as s:
        version = a.story(s, "pop-up-bazaar").meta_version
    _edit(a, "pop-up-bazaar", title="Pop-up bazaar", add_places=["Rotterdam"])
    with a.session() as s:
        st = a.story(s, "pop-up-bazaar")
        assert st.meta_version == version and not story_metadata.history(s, st)


def test_publish_access_and_consent_forms_keep_history_too(archive_copy):
    a = archive_copy
    with a.session() as s:
        st = a.story(s, "het-koor")
        story_edits.set_access(a, s, st, "public", None, st.meta_version, user="karim")
        rows = s.scalars(select(StoryMetaEdit).where(StoryMetaEdit.story_id == st.id)).all()
        assert [(r.user, r.before, r.after) for r in rows] == [("karim", {"access": "researchers"}, {"access": "public"})]


# -- the CLI, through real subprocesses -------------------------------------------------------------


def test_cli_edit_changes_every_kind_of_field_and_history_lists_it(archive_copy):
    home = archive_copy.settings.home
    r = run_cli("edit", "pop-up-bazaar", "--title", "Bazaar in de wijk", "--description", "Een markt.",
                "--recorded", "2022-04-30", "--series", "Markten", "--add-person", "Karim:host",
                "--remove-person", "Esseline:interviewer", "--rename-person", "Basma=Basma El Amrani",
                "--add-place", "Schiedam", "--remove-place", "Rotterdam", "--add-theme", "markt",
                "--remove-theme", "werk", "--language", "nl", "--consent-notes", "Schriftelijk",
                "--by", "karim", home=home)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("pop-up-bazaar\tversion ") and "title" in r.stdout and "places" in r.stdout
    show = run_cli("show", "pop-up-bazaar", home=home).stdout
    assert "Bazaar in de wijk" in show and "Basma El Amrani (narrator), Karim (host)" in show
    assert "Schiedam" in show and "Markten" in show and "2022-04-30" in show
    assert re.search(r"people  Basma El Amrani \(narrator\), Karim \(host\)\n", show), "Esseline's credit is gone"
    hist = run_cli("history", "pop-up-bazaar", home=home)
    assert hist.returncode == 0, hist.stderr
    assert "karim\tdetails\ttitle: Pop-up bazaar -> Bazaar in de wijk" in hist.stdout
    assert "places: Rotterdam -> Schiedam" in hist.stdout
    found = run_cli("search", "Schiedam", home=home).stdout
    assert "pop-up-bazaar" in found, "search follows at once"
    exported = json.loads(run_cli("export", "pop-up-bazaar", "--format", "json", home=home, check=True).stdout)
    assert "Bazaar in de wijk" in json.dumps(exported) and "Basma El Amrani" in json.dumps(exported), "exports too"


def test_cli_edit_access_publish_and_refusals(archive_copy):
    home = archive_copy.settings.home
    r = run_cli("edit", "het-koor", "--access", "embargoed", home=home)
    assert r.returncode == 2 and "needs an end date" in r.stderr
    r = run_cli("edit", "het-koor", "--add-person", "Noor", home=home)
    assert r.returncode == 2 and "NAME:ROLE" in r.stderr
    r = run_cli("edit", "het-koor", home=home)
    assert r.returncode == 2 and "nothing to change" in r.stderr
    r = run_cli("edit", "het-koor", "--rename-person", "Amal=Basma", home=home)
    assert r.returncode == 2 and "--link-person" in r.stderr
    r = run_cli("edit", "het-koor", "--access", "embargoed", "--embargo-until", "2031-05-01", "--unpublish", home=home)
    assert r.returncode == 0, r.stderr
    show = run_cli("show", "het-koor", home=home).stdout
    assert "embargoed until 2031-05-01" in show
    with archive_copy.session() as s:
        st = archive_copy.story(s, "het-koor")
        assert not st.published
        version = st.meta_version
    r = run_cli("edit", "het-koor", "--publish", "--if-version", str(version - 1), home=home)
    assert r.returncode == 9 and "changed by someone else" in r.stderr, "a stale version is a conflict"
    r = run_cli("edit", "het-koor", "--publish", "--if-version", str(version), home=home)
    assert r.returncode == 0, r.stderr
    assert "--add-person NAME:ROLE" in run_cli("edit", "--help", home=home).stdout


# -- the workspace, through the Flask test client ---------------------------------------------------


def _details_form(page: str, **fields) -> dict:
    return {"csrf_token": csrf_of(page), "meta_version": _meta_version(page), "title": "Pop-up bazaar",
            "description": "", "recorded": "2024-05-03", "series": "Levensverhalen", "language": "", **fields}


def test_the_details_form_shows_everywhere_at_once(workspace, editor_client):
    anonymous = workspace.test_client()
    # Warm the public pages first: the page cache must not keep the old ones.
    assert "Pop-up bazaar" in anonymous.get("/verhaal/pop-up-bazaar").get_data(as_text=True)
    anonymous.get("/zoeken?q=bazaar")
    anonymous.get("/serie/levensverhalen/feed.xml")
    page = editor_client.get("/editor/story/pop-up-bazaar").get_data(as_text=True)
    assert 'id="gegevens"' in page and '<label for="d-title">Titel</label>' in page
    with workspace.archive.session() as s:
        st = workspace.archive.story(s, "pop-up-bazaar")
        esseline = next(str(c.id) for c in st.credits if c.person.name == "Esseline")
    r = editor_client.post("/editor/story/pop-up-bazaar/details", data=_details_form(
        page, title="Bazaar aan de Maas", add_places="Schiedam; Vlaardingen", add_themes="markt",
        remove_theme="werk", remove_credit=esseline, add_person_name="Karim", add_person_role="host",
        rename_old="Basma", rename_new="Basma El Amrani"))
    assert r.status_code == 302 and r.headers["Location"].endswith("#gegevens")
    story_page = anonymous.get("/verhaal/pop-up-bazaar").get_data(as_text=True)
    assert "Bazaar aan de Maas" in story_page and "Schiedam" in story_page and "Basma El Amrani" in story_page
    assert "Esseline" not in story_page
    found = anonymous.get("/zoeken?q=bazaar").get_data(as_text=True)
    assert "Bazaar aan de Maas" in found
    facets = found[found.index('class="facets"'):]
    assert ">markt<" in facets and ">werk<" not in facets, "the theme facet"
    assert ">Basma El Amrani<" in facets and ">Karim<" in facets and "Esseline" not in facets, "the person facet"
    assert "Bazaar aan de Maas" in anonymous.get("/zoeken?q=Vlaardingen").get_data(as_text=True)
    item = ET.fromstring(anonymous.get("/serie/levensverhalen/feed.xml").get_data()).find("channel/item")
    assert item.findtext("title") == "Bazaar aan de Maas"
    page = editor_client.get("/editor/story/pop-up-bazaar").get_data(as_text=True)
    history = page[page.index('class="history details-history"'):]
    assert "esseline" in history and "Pop-up bazaar" in history and "Bazaar aan de Maas" in history
    assert "Basma El Amrani (verteller), Karim (presentator)" in history, "roles in the editor's words"


def test_two_saves_from_one_version_the_second_is_a_conflict(workspace, editor_client):
    page = editor_client.get("/editor/story/pop-up-bazaar").get_data(as_text=True)
    other = workspace.test_client()
    login(other, "karim")
    r = other.post("/editor/story/pop-up-bazaar/details", data=_details_form(page, title="Eerst",
                                                                              csrf_token=csrf_of(other.get("/editor/").get_data(as_text=True))))
    assert r.status_code == 302
    r = editor_client.post("/editor/story/pop-up-bazaar/details", data=_details_form(page, title="Daarna",
                                                                                     add_places="Delft"))
    assert r.status_code == 409 and "Iemand anders heeft dit verhaal gewijzigd" in r.get_data(as_text=True)
    with workspace.archive.session() as s:
        st = workspace.archive.story(s, "pop-up-bazaar")
        assert st.title == "Eerst" and "Delft" not in [p.name for p in st.places]
        (row,) = story_metadata.history(s, st)
        assert row.user == "karim"
    # The access form from the same stale page is refused as well.
    r = editor_client.post("/editor/story/pop-up-bazaar/access", data={
        "csrf_token": csrf_of(page), "access": "editors", "meta_version": _meta_version(page)})
    assert r.status_code == 409


@pytest.mark.parametrize("lang,words", [("nl", "Een verhaal heeft een titel nodig"), ("en", "A story needs a title")])
def test_refusals_are_in_the_editors_language(editor_client, lang, words):
    page = editor_client.get("/editor/story/pop-up-bazaar").get_data(as_text=True)
    r = editor_client.post(f"/editor/story/pop-up-bazaar/details?lang={lang}", data=_details_form(page, title=" "))
    assert r.status_code == 400 and words in r.get_data(as_text=True)
    r = editor_client.post(f"/editor/story/pop-up-bazaar/details?lang={lang}", data=_details_form(
        page, rename_old="Basma", rename_new="Amal"))
    assert r.status_code == 400 and ("Koppel de vermelding" if lang == "nl" else "Link the credit") in r.get_data(as_text=True)


def test_the_form_links_a_credit_to_an_existing_person(workspace, editor_client):
    page = editor_client.get("/editor/story/pop-up-bazaar").get_data(as_text=True)
    assert '<option value="Amal">' in page, "the archive's people are suggested"
    r = editor_client.post("/editor/story/pop-up-bazaar/details", data=_details_form(
        page, link_old="Esseline", link_to="amal"))
    assert r.status_code == 302
    with workspace.archive.session() as s:
        st = workspace.archive.story(s, "pop-up-bazaar")
        assert [(c.person.name, c.role) for c in st.credits] == [("Basma", "narrator"), ("Amal", "interviewer")]
    assert "Amal" in workspace.test_client().get("/verhaal/pop-up-bazaar").get_data(as_text=True)
