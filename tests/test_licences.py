"""A licence per story (verhalen.licences, stories.licence): what people type becomes the URI every
interchange format carries; the archive's default covers stories without one; editors set it through
`verhalen ingest`, a collection sheet, `verhalen edit` and the workspace's details form, with history."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers import csrf_of, run_cli
from verhalen import licences, settings as settings_mod
from verhalen import sheet as sheet_mod
from verhalen.errors import UsageError
from verhalen.story_metadata import Changes, MetadataProblem
from verhalen import story_metadata

BY = "http://creativecommons.org/licenses/by/4.0/"
INC = "http://rightsstatements.org/vocab/InC/1.0/"


@pytest.mark.parametrize("typed", ["CC-BY-4.0", "cc-by-4.0", " CC-BY-4.0 ", BY, BY.rstrip("/"),
                                   "https://creativecommons.org/licenses/by/4.0/", "HTTPS://creativecommons.org/licenses/by/4.0"])
def test_what_people_type_becomes_the_http_uri_iiif_accepts(typed):
    assert licences.parse(typed).uri == BY


@pytest.mark.parametrize("typed", ["", "mine", "CC-BY", "http://creativecommons.org/licenses/by/3.0/",
                                   "https://example.org/licence", "InC\r\nX-Evil: 1"])
def test_anything_else_is_refused_naming_the_choices(typed):
    with pytest.raises(UsageError, match="CC-BY-4.0"):
        licences.parse(typed)


def test_every_uri_has_the_form_the_iiif_schema_takes():
    for lic in licences.LICENCES:
        assert re.fullmatch(r"http://(creativecommons\.org|rightsstatements\.org)/.+/", lic.uri), lic.uri
        assert lic.nl and lic.en and lic.nl != lic.en or lic.code.startswith("PDM")
    assert len({lic.uri for lic in licences.LICENCES}) == len(licences.LICENCES)


def test_the_default_setting_is_checked_at_start_up(tmp_path):
    assert licences.of(None, settings_mod.load(tmp_path, env={}).default_licence).uri == INC
    s = settings_mod.load(tmp_path, env={"VERHALEN_DEFAULT_LICENCE": "cc0-1.0"})
    assert s.default_licence == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert licences.of(BY, s.default_licence).uri == BY, "a story's own licence wins"
    with pytest.raises(UsageError, match="setting default_licence: 'eigen' is not a licence"):
        settings_mod.load(tmp_path, env={"VERHALEN_DEFAULT_LICENCE": "eigen"})


def test_a_sheet_row_takes_a_licence_and_names_a_bad_one():
    text = "file;licence\r\na.wav;CC-BY-SA-4.0\r\nb.wav;\r\nc.wav;alle rechten\r\n"
    sheet = sheet_mod.parse(sheet_mod.decode(text.encode()), Path("/collectie"))
    rows = {r.number: r for r in sheet.rows}
    assert rows[2].meta.licence == "http://creativecommons.org/licenses/by-sa/4.0/" and not rows[2].problems
    assert rows[3].meta.licence is None and not rows[3].problems
    (problem,) = rows[4].problems
    assert problem.kind == "licence" and "'alle rechten'" in problem.message and "CC-BY-4.0" in problem.message


def test_edit_sets_clears_and_refuses_with_history(archive_copy):
    a = archive_copy
    with a.session() as s:
        st = a.story(s, "pop-up-bazaar")
        assert st.licence is None
        story_metadata.edit(a, s, st, Changes(licence="cc-by-nc-4.0"), st.meta_version, user="esseline")
        assert st.licence == "http://creativecommons.org/licenses/by-nc/4.0/"
        (row,) = story_metadata.history(s, st)
        assert row.before == {"licence": None} and row.after == {"licence": "CC-BY-NC-4.0"}
        version = st.meta_version
        with pytest.raises(MetadataProblem) as e:
            story_metadata.edit(a, s, st, Changes(licence="vrij"), version, user="esseline")
        assert e.value.code == "licence"
    with a.session() as s:
        st = a.story(s, "pop-up-bazaar")
        assert st.meta_version == version and st.licence.endswith("/by-nc/4.0/"), "a refusal changes nothing"
        story_metadata.edit(a, s, st, Changes(licence=""), version, user="esseline")
        assert st.licence is None, "empty: back to the archive's default"


def test_cli_edit_and_history(archive_copy):
    home = archive_copy.settings.home
    r = run_cli("edit", "pop-up-bazaar", "--licence", "https://creativecommons.org/licenses/by/4.0", "--by", "karim",
                home=home)
    assert r.returncode == 0, r.stderr
    assert "licence" in r.stdout
    assert "licence: - -> CC-BY-4.0" in run_cli("history", "pop-up-bazaar", home=home).stdout
    bad = run_cli("edit", "pop-up-bazaar", "--licence", "vrij", home=home)
    assert bad.returncode != 0 and "unknown licence 'vrij'" in bad.stderr and "Traceback" not in bad.stderr


def test_the_details_form_offers_every_licence_and_saves_one(workspace, editor_client):
    page = editor_client.get("/editor/story/pop-up-bazaar").get_data(as_text=True)
    select = page[page.index('id="d-licence"'):page.index("</select>", page.index('id="d-licence"'))]
    assert "Standaard van het archief: Auteursrechtelijk beschermd" in select
    assert all(f'value="{code}"' in select for code in licences.CODES)
    version = re.search(r'name="meta_version" value="(\d+)"', page).group(1)
    form = {"csrf_token": csrf_of(page), "meta_version": version, "title": "Pop-up bazaar", "description": "",
            "recorded": "2024-05-03", "series": "Levensverhalen", "language": "", "licence": "CC-BY-SA-4.0"}
    r = editor_client.post("/editor/story/pop-up-bazaar/details", data=form)
    assert r.status_code == 302
    with workspace.archive.session() as s:
        assert workspace.archive.story(s, "pop-up-bazaar").licence == "http://creativecommons.org/licenses/by-sa/4.0/"
    page = editor_client.get("/editor/story/pop-up-bazaar?lang=en").get_data(as_text=True)
    assert '<option value="CC-BY-SA-4.0" selected>Creative Commons Attribution-ShareAlike 4.0</option>' in page
    form.update(csrf_token=csrf_of(page), meta_version=re.search(r'name="meta_version" value="(\d+)"', page).group(1),
                licence="zelfbedacht")
    refused = editor_client.post("/editor/story/pop-up-bazaar/details?lang=en", data=form)
    assert "Choose a licence from the list." in refused.get_data(as_text=True)


def test_the_upload_form_takes_a_licence_and_refuses_an_unknown_one(workspace, editor_client):
    import io

    from helpers import DATA

    def upload(licence):
        page = editor_client.get("/editor/upload").get_data(as_text=True)
        assert '<select id="licence" name="licence">' in page and 'value="CC-BY-4.0"' in page
        return editor_client.post("/editor/upload", content_type="multipart/form-data", data={
            "csrf_token": csrf_of(page), "title": "Wijkagenda", "access": "public", "language": "nl",
            "licence": licence, "recording": (io.BytesIO((DATA / "nl_wijkagenda.opus").read_bytes()), "wijk.opus")})

    refused = upload("alle rechten")
    assert refused.status_code == 400 and 'id="err-licence"' in refused.get_data(as_text=True)
    assert upload("CC-BY-4.0").status_code == 302
    with workspace.archive.session() as s:
        assert workspace.archive.story(s, "wijkagenda").licence == BY
