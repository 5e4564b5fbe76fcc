"""A whole collection from a spreadsheet: `verhalen ingest --sheet` (verhalen/sheet.py, verhalen/cli/ingest.py)
and the workspace's collection upload (web/editor/upload.py).

Parsing is tested on text; the CLI through real subprocesses with a sheet that mixes two good rows (the real
model transcribes them) with bad ones: a missing file, a text file named .mp3, a bad date, an unknown access
level, an embargo without its date, and a row repeating a recording.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import DATA, csrf_of, ffmpeg_make, run_cli
from verhalen import sheet as sheet_mod
from verhalen.catalog import Story
from verhalen.errors import UsageError

BASE = Path("/collectie")


def _rows(sheet):
    return {r.number: r for r in sheet.rows}


def _problems(sheet):
    return [str(p) for p in sheet.all_problems()]


# -- parsing (pure) ------------------------------------------------------------------------------


def test_an_excel_sheet_with_bom_semicolons_and_mixed_case_headers():
    text = ("\ufeffFile;Title;Narrator;Interviewer;Recorded;Place;Theme;Access;Embargo-Until;Language;Series\r\n"
            'opnames/koor.mp3;Het koor;"Amal; Basma";Esseline;2024-05-03;Rotterdam;"muziek;zang";Researchers;;NL;'
            "Sleutelpersonen\r\n"
            ";;;;;;;;;;\r\n"  # an empty row is no row
            "markt.wav;;;;;;;embargoed;2030-01-01;;\r\n")
    sheet = sheet_mod.parse(sheet_mod.decode(text.encode()), BASE)
    assert _problems(sheet) == []
    koor, markt = _rows(sheet)[2], _rows(sheet)[4]
    assert koor.path == BASE / "opnames" / "koor.mp3" and koor.file == "opnames/koor.mp3"
    m = koor.meta
    assert (m.title, m.recorded, m.series, m.access, m.language) == (
        "Het koor", dt.date(2024, 5, 3), "Sleutelpersonen", "researchers", "nl")
    assert m.people == [("Amal", "narrator"), ("Basma", "narrator"), ("Esseline", "interviewer")]
    assert (m.places, m.themes) == (["Rotterdam"], ["muziek", "zang"])
    assert markt.meta.title is None and markt.meta.access == "embargoed"
    assert markt.meta.embargo_until == dt.date(2030, 1, 1) and markt.meta.language is None


def test_a_comma_separated_sheet_with_host_and_guest():
    sheet = sheet_mod.parse("file,title,host,guest,access\naflevering1.mp3,Eerste,Noor,Karim;Sam,\n", BASE)
    row = _rows(sheet)[2]
    assert _problems(sheet) == [] and row.meta.access == "public"
    assert row.meta.people == [("Noor", "host"), ("Karim", "guest"), ("Sam", "guest")]


def test_every_problem_is_one_line_with_its_row_number():
    text = ("file;title;recorded;access;embargo_until\n"
            "a.mp3;A;3 mei 2024;public;\n"
            "b.mp3;B;;geheim;\n"
            ";C;;public;\n"
            "d.mp3;D;;embargoed;\n"
            "e.mp3;E;;embargoed;morgen\n"
            "f.mp3;F;;public;;muziek; werk\n"
            "g.mp3;G;2024-01-02;editors;\n")
    sheet = sheet_mod.parse(text, BASE)
    assert _problems(sheet) == [
        "row 2: recorded: '3 mei 2024' is not a date like 2024-05-03",
        "row 3: access: 'geheim' is not one of public, researchers, editors, embargoed",
        "row 4: the file cell is empty",
        "row 5: access is embargoed but embargo_until is empty; an embargo lifts on a date",
        "row 6: embargo_until: 'morgen' is not a date like 2024-05-03",
        "row 7: more cells (7) than the header has columns (5) (in a sheet separated by ';', a cell with "
        "several values needs quotes)",
    ]
    assert sheet.exit_code() == UsageError.exit_code
    assert [r.number for r in sheet.good] == [8]


def test_header_problems_are_row_1():
    sheet = sheet_mod.parse("file,titel,Title,title\na.mp3,x,y,z\n", BASE)
    assert _problems(sheet) == [
        "row 1: unknown column 'titel'; the columns are " + ", ".join(sheet_mod.COLUMNS),
        "row 1: column title appears more than once",
    ]
    assert sheet.good == []  # a sheet whose header is wrong ingests nothing
    assert _problems(sheet_mod.parse("title,narrator\nA,B\n", BASE)) == [
        "row 1: no 'file' column: it names each row's recording, relative to the sheet"]
    assert _problems(sheet_mod.parse("\n\n", BASE))[0].startswith("row 1: the sheet is empty")


def test_fields_over_the_archives_limits(make_settings):
    settings = make_settings()
    sheet = sheet_mod.parse(f"file,title\na.mp3,{'x' * (settings.max_title_chars + 1)}\n", BASE, settings)
    assert _problems(sheet)[0].startswith("row 2: the title 'xxxx")


def test_a_sheet_that_is_not_utf8_says_how_to_save_it(tmp_path):
    path = tmp_path / "collectie.csv"
    path.write_bytes("file,title\nkoor.mp3,Caf\u00e9\n".encode("cp1252"))
    with pytest.raises(UsageError, match="CSV UTF-8"):
        sheet_mod.read(path)


def test_flat_lookup_takes_only_the_name(tmp_path):
    """The workspace: the recordings arrive beside the sheet, whatever folders the sheet names."""
    sheet = sheet_mod.parse("file\nopnames/koor.mp3\n../../etc/passwd\n..\nC:\\\\band 1\\markt.wav\n", tmp_path,
                            flat=True)
    rows = _rows(sheet)
    assert rows[2].path == tmp_path / "koor.mp3" and rows[3].path == tmp_path / "passwd"
    assert rows[4].path is None and rows[4].problems[0].kind == "no_file"
    assert rows[5].path == tmp_path / "markt.wav"


# -- the CLI, in real subprocesses -----------------------------------------------------------------

SHEET = """\ufeffFile;Title;Narrator;Interviewer;Recorded;Place;Theme;Access;Embargo-Until
opnames/koor.mp3;Het koor;Amal;;2024-05-03;Rotterdam;"muziek;zang";researchers;
opnames/markt.wav;Pop-up bazaar;Basma;Esseline;;Rotterdam;werk;public;
opnames/weg.mp3;Weg;;;;;;public;
opnames/nep.mp3;Nep;;;;;;public;
opnames/datum.mp3;Datum;;;3 mei 2024;;;public;
opnames/geheim.mp3;Geheim;;;;;;geheim;
opnames/koor.mp3;Het koor nog eens;;;;;;public;
"""
PROBLEMS = [
    "row 4: opnames/weg.mp3: file not found",
    "row 5: nep.mp3 is a text file, not audio",
    "row 6: recorded: '3 mei 2024' is not a date like 2024-05-03",
    "row 7: access: 'geheim' is not one of public, researchers, editors, embargoed",
    "row 8: opnames/koor.mp3 is the same recording as row 2",
]


@pytest.fixture
def collection(tmp_path) -> Path:
    """A collection's folder: its sheet and, under opnames/, the recordings it names (bar one)."""
    folder = tmp_path / "collectie"
    (folder / "opnames").mkdir(parents=True)
    shutil.copyfile(DATA / "nl_koor.mp3", folder / "opnames" / "koor.mp3")
    shutil.copyfile(DATA / "en_market.wav", folder / "opnames" / "markt.wav")
    (folder / "opnames" / "nep.mp3").write_text("geen geluid\n")
    for name, hz in (("datum.mp3", 440), ("geheim.mp3", 660)):  # good audio, bad rows: their date and access
        ffmpeg_make(folder / "opnames" / name, "-f", "lavfi", "-i", f"sine=frequency={hz}:duration=1")
    (folder / "collection.csv").write_text(SHEET, encoding="utf-8")
    return folder


def _stories(archive) -> list[tuple[str, str]]:
    with archive.session() as s:
        return [(st.slug, st.status) for st in s.scalars(select(Story).order_by(Story.id))]


def _errors(r) -> list[str]:
    return [line for line in r.stderr.splitlines() if line.startswith("row ")]


def test_usage_errors(tmp_path):
    home = tmp_path / "home"
    r = run_cli("ingest", "--sheet", "c.csv", "a.mp3", home=home)
    assert r.returncode == 2 and "either --sheet or FILE arguments" in r.stderr
    r = run_cli("ingest", "--sheet", "c.csv", "--title", "X", "--host", "Noor", home=home)
    assert r.returncode == 2 and "put --title, --host in the sheet's columns" in r.stderr
    r = run_cli("ingest", "--dry-run", "a.mp3", home=home)
    assert r.returncode == 2 and "use it with --sheet FILE" in r.stderr
    r = run_cli("ingest", home=home)
    assert r.returncode == 2 and "--sheet FILE" in r.stderr
    r = run_cli("ingest", "--sheet", str(tmp_path / "weg.csv"), home=home)
    assert r.returncode == 4 and "sheet not found" in r.stderr


def test_a_dry_run_reports_every_problem_and_ingests_nothing(collection, archive, tmp_path):
    r = run_cli("ingest", "--sheet", str(collection / "collection.csv"), "--dry-run", home=archive.settings.home,
                cwd=tmp_path)  # files are relative to the sheet, not to where the command runs
    assert _errors(r) == PROBLEMS, r.stderr
    assert r.returncode == 5  # the highest: a repeated recording (Duplicate); missing is 4, not audio 3, usage 2
    assert "row 2: opnames/koor.mp3: ready to ingest" in r.stdout
    assert "row 3: opnames/markt.wav: ready to ingest" in r.stdout
    assert "dry run: 2 of 7 rows ready, 0 already in the archive, 5 with problems; nothing was ingested" in r.stderr
    assert _stories(archive) == []


def test_a_real_run_ingests_the_good_rows_and_can_be_run_again(collection, archive, model_dir, tmp_path):
    from verhalen.pipeline import StoryMeta, accept

    # An earlier run was interrupted after storing the market recording: the sheet resumes it.
    accept(archive, collection / "opnames" / "markt.wav", StoryMeta(title="Pop-up bazaar"))
    assert _stories(archive) == [("pop-up-bazaar", "pending")]
    sheet = str(collection / "collection.csv")
    r = run_cli("ingest", "--sheet", sheet, home=archive.settings.home, model_dir=model_dir, cwd=tmp_path)
    assert r.returncode == 5, r.stderr
    assert _errors(r) == PROBLEMS
    assert "row 2: ingested as het-koor\tready\tnl" in r.stdout
    assert "row 3: resumed as pop-up-bazaar\tready\ten" in r.stdout
    assert "2 of 7 rows ingested, 0 already in the archive, 5 with problems" in r.stderr
    assert "s audio" in r.stderr  # the bar over the whole sheet
    assert sorted(_stories(archive)) == [("het-koor", "ready"), ("pop-up-bazaar", "ready")]
    with archive.session() as s:
        koor = archive.story(s, "het-koor")
        assert koor.access == "researchers" and koor.recorded == dt.date(2024, 5, 3)
        assert [p.name for p in koor.people()] == ["Amal"] and [p.name for p in koor.places] == ["Rotterdam"]

    # Again: the good rows are skipped (not errors), the bad ones reported again, nothing added.
    r = run_cli("ingest", "--sheet", sheet, home=archive.settings.home, model_dir=model_dir)
    assert "row 2: skipped, already in the archive as het-koor" in r.stdout
    assert "row 3: skipped, already in the archive as pop-up-bazaar" in r.stdout
    assert _errors(r) == PROBLEMS and r.returncode == 5
    assert "0 of 7 rows ingested, 2 already in the archive, 5 with problems" in r.stderr
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Story)) == 2

    # The sheet with its bad rows fixed (removed): a clean exit, nothing to do.
    (collection / "good.csv").write_text("".join(SHEET.splitlines(keepends=True)[:3]), encoding="utf-8")
    r = run_cli("ingest", "--sheet", str(collection / "good.csv"), home=archive.settings.home, model_dir=model_dir)
    assert r.returncode == 0, r.stderr
    assert _errors(r) == [] and r.stdout.count("skipped, already in the archive") == 2


# -- the workspace: the sheet and its recordings through the real form ----------------------------


def test_the_workspace_takes_a_sheet_with_its_recordings(workspace, editor_client, tmp_path):
    archive = workspace.archive
    new = ffmpeg_make(tmp_path / "nieuw.mp3", "-f", "lavfi", "-i", "sine=frequency=550:duration=2")
    sheet = ("file;title;narrator;place;theme;recorded;access\n"
             "band 1/market.wav;Nog eens de markt;;;;;public\n"
             'band 1/nieuw.mp3;Het nieuwe lied;"Noor;Sam";Delft;muziek;2023-09-01;researchers\n'
             "band 2/weg.mp3;Weg;;;;;public\n"
             "nep.mp3;Nep;;;;;public\n"
             "nieuw2.mp3;Datum;;;;1 sept;public\n")

    def send(check_only: bool):
        page = editor_client.get("/editor/upload/sheet").get_data(as_text=True)
        body = {"csrf_token": csrf_of(page), "sheet": (io.BytesIO(("\ufeff" + sheet).encode()), "collectie.csv"),
                "recordings": [(io.BytesIO((DATA / "en_market.wav").read_bytes()), "market.wav"),
                               (io.BytesIO(new.read_bytes()), "nieuw.mp3"),
                               (io.BytesIO(b"geen geluid\n"), "nep.mp3"),
                               (io.BytesIO(b"x"), "los.txt")]}
        if check_only:
            body["check_only"] = "1"
        r = editor_client.post("/editor/upload/sheet", data=body, content_type="multipart/form-data")
        assert r.status_code == 200
        return r.get_data(as_text=True)

    assert "Een hele collectie" in editor_client.get("/editor/upload").get_data(as_text=True)  # linked from one upload
    page = send(check_only=True)
    assert "Alleen gecontroleerd: er is nog niets toegevoegd." in page
    assert "Deze opnamen uit het blad zijn niet meegestuurd:" in page and "<li>weg.mp3</li>" in page
    assert "rij 4: band 2/weg.mp3 is niet meegestuurd" in page
    assert "rij 5: nep.mp3 is een tekstbestand, geen audio." in page
    assert "rij 6: recorded: 1 sept is geen datum als 2024-05-03" in page
    assert "rij 2: al in het archief als pop-up-bazaar" in page and "rij 3: nieuw.mp3" in page
    assert "Meegestuurd maar niet in het blad (niet gebruikt):</p>" not in page and "los.txt" in page
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Story)) == 2

    page = send(check_only=False)
    assert "rij 3: Het nieuwe lied" in page and "rij 2: al in het archief als pop-up-bazaar" in page
    assert "rij 6: recorded" in page
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Story)) == 3
        story = archive.story(s, "het-nieuwe-lied")
        assert (story.access, story.recorded, story.published) == ("researchers", dt.date(2023, 9, 1), False)
        assert sorted(p.name for p in story.people()) == ["Noor", "Sam"] and [p.name for p in story.places] == ["Delft"]
    assert not [p for p in (archive.settings.home / "incoming").iterdir() if p.name.startswith("upload-")]

    page = send(check_only=False)  # again: nothing new; the story no worker has finished yet is queued again
    assert "rij 3: Het nieuwe lied (hervat)" in page and "rij 2: al in het archief als pop-up-bazaar" in page
    with archive.session() as s:
        assert s.scalar(select(func.count()).select_from(Story)) == 3
    english = editor_client.get("/editor/upload/sheet?lang=en").get_data(as_text=True)
    assert "Add a whole collection" in english


def test_the_example_sheet_in_the_docs_is_a_good_one():
    path = Path(__file__).resolve().parents[1] / "docs" / "examples" / "collection.csv"
    sheet = sheet_mod.read(path)
    assert _problems(sheet) == [] and len(sheet.rows) >= 3
    assert {c for c in sheet_mod.COLUMNS} == set(path.read_text().splitlines()[0].split(","))
