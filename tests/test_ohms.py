"""OHMS XML 5.4 (verhalen.ohms, verhalen.ohms_catalog): `verhalen export --format ohms`, /media/<slug>/ohms.xml and
`verhalen import-ohms`, against the official XSD (tests/schemas/ohms/ohms.xsd) and a hand-made file from another
archive (tests/data/ohms_foreign.xml: namespaced, footnotes, upper-case speaker labels, non-ASCII names, a sync
mark, four index points; its recording is tests/data/nl_marktgesprek.opus)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from helpers import DATA, VERHALEN
from schema_validation import validate_xml
from verhalen import ohms
from verhalen.catalog import Recording, Segment, Story
from verhalen.cli import main
from verhalen.errors import UsageError

FOREIGN = DATA / "ohms_foreign.xml"
FOREIGN_AUDIO = DATA / "nl_marktgesprek.opus"
FOREIGN_SLUG = "sukru-ylmaz-over-veertig-jaar-op-de-markt"


def run(home: Path, *args: str, capsys) -> tuple[int, str, str]:
    """The real CLI in this process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        main(["--home", str(home), *args])
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    out = capsys.readouterr()
    return code, out.out, out.err


def export(home: Path, slug: str, capsys, *extra: str) -> bytes:
    code, out, err = run(home, "export", slug, "--format", "ohms", *extra, capsys=capsys)
    assert code == 0, err
    return out.encode("utf-8")


def modelled(rec: ohms.Record) -> dict:
    """What verhalen models of a record: the fields a round trip must keep."""
    return {
        "title": rec.title, "recorded": rec.recorded, "series": rec.series, "interviewees": rec.interviewees,
        "interviewers": rec.interviewers, "subjects": rec.subjects, "keywords": rec.keywords,
        "language": rec.language, "rights": ohms_rights(rec.rights), "description": rec.description,
        "lines": [(ln.speaker, ln.text) for ln in rec.lines],
        "points": [(int(p.start), p.title, p.synopsis, p.keywords, p.place, p.latitude, p.longitude)
                   for p in rec.points],
    }


def ohms_rights(text: str) -> str:
    from verhalen import licences

    return licences.parse(text).uri if text else ""


def stories(archive) -> int:
    with archive.session() as s:
        return s.scalar(select(func.count(Story.id)))


# -- export ------------------------------------------------------------------------------------------------------


def test_demo_stories_export_valid_ohms_with_their_metadata(demo_archive, capsys):
    home = demo_archive.settings.home
    xml = export(home, "pop-up-bazaar", capsys)
    validate_xml(xml, "ohms")
    rec = ohms.parse(xml)
    assert rec.title == "Pop-up bazaar" and rec.recorded == dt.date(2024, 5, 3)
    assert rec.accession == "pop-up-bazaar" and rec.series == "Levensverhalen" and rec.repository == "Verhalen"
    assert rec.interviewees == ["Basma"] and rec.interviewers == ["Esseline"] and rec.subjects == ["werk"]
    assert rec.language == "en" and b"<language>English</language>" in xml
    assert rec.rights == "http://rightsstatements.org/vocab/InC/1.0/"  # the archive's default licence
    assert b"<duration>0:00:10</duration>" in xml and b"<fmt>audio</fmt>" in xml
    with demo_archive.session() as s:
        st = demo_archive.story(s, "pop-up-bazaar")
        from verhalen import exports
        said = [" ".join(seg.text.split()) for seg in st.segments if seg.text.strip()]
        labels = {exports.speaker_label({"speaker": seg.speaker, "voice": seg.voice}) for seg in st.segments}
    assert [ln.text for ln in rec.lines] == said
    assert {ln.speaker for ln in rec.lines} == labels - {None} or labels == {None}
    dutch = export(home, "het-koor", capsys)
    validate_xml(dutch, "ohms")
    assert b"<language>Dutch</language>" in dutch and ohms.parse(dutch).interviewees == ["Amal"]


def test_route_serves_the_public_record_and_hides_the_rest(archive_copy, make_app, capsys):
    with archive_copy.session() as s:
        st = archive_copy.story(s, "pop-up-bazaar")
        hidden = sorted(st.segments, key=lambda seg: seg.start)[0]
        hidden.redacted = True
        secret = " ".join(hidden.text.split())
        s.commit()
    c = make_app(archive_copy).test_client()
    r = c.get("/media/pop-up-bazaar/ohms.xml")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    assert r.headers["Content-Disposition"] == 'attachment; filename="pop-up-bazaar.ohms.xml"'
    validate_xml(r.data, "ohms")
    rec = ohms.parse(r.data)
    assert secret and secret not in [ln.text for ln in rec.lines]
    assert rec.media_url == "http://localhost/media/pop-up-bazaar/listen.mp3"
    # The CLI: the same record (but for the media URL, which needs the site's address), the redacted passage
    # only when asked for.
    cli = export(archive_copy.settings.home, "pop-up-bazaar", capsys)
    assert cli == r.data.replace(b"    <media_url>http://localhost/media/pop-up-bazaar/listen.mp3</media_url>\n", b"")
    everything = export(archive_copy.settings.home, "pop-up-bazaar", capsys, "--include-redacted")
    assert secret in [ln.text for ln in ohms.parse(everything).lines]
    # The researchers-only story: as absent as a story that does not exist.
    assert c.get("/media/het-koor/ohms.xml").status_code == 404
    assert c.get("/media/bestaat-niet/ohms.xml").status_code == 404
    # The story page links the download.
    assert 'href="/media/pop-up-bazaar/ohms.xml"' in c.get("/verhaal/pop-up-bazaar").get_data(as_text=True)


# -- reading -----------------------------------------------------------------------------------------------------


def test_reading_another_archives_file():
    rec = ohms.parse(FOREIGN.read_bytes())
    assert rec.title == "Şükrü Yılmaz over veertig jaar op de markt"
    assert rec.recorded == dt.date(2019, 10, 14)  # format="mm/dd/yyyy"
    assert rec.interviewees == ["Şükrü Yılmaz"] and rec.interviewers == ["Fatemeh Rezaei"]
    assert rec.subjects == ["Markten", "Migratie"] and rec.keywords == ["Afrikaanderwijk", "Rotterdam", "handel"]
    assert rec.series == "Marktverhalen" and rec.language == "nl" and rec.duration == 111
    assert rec.sync == [(60.0, 17, 2)]
    # Upper-case labels (YILMAZ:, the OHMS habit) are the record's people; a line without one goes on the turn.
    assert [(ln.number, ln.speaker) for ln in rec.lines[:4]] == [
        (1, "Fatemeh Rezaei"), (3, "Şükrü Yılmaz"), (4, "Şükrü Yılmaz"), (6, "Fatemeh Rezaei")]
    assert "[[footnote]]1[[/footnote]]" in rec.lines[1].text and rec.lines[-1].text.startswith("[[footnotes]]")
    first, _, third, fourth = rec.points
    assert (first.title, first.keywords, first.place, first.latitude, first.longitude) == (
        "Veertig jaar achter de kraam", ["markt", "familie", "groente", "Markten"], "Afrikaandermarkt",
        51.8946, 4.4995)
    assert third.keywords == ["klanten", "mevrouw Jansen"] and third.place == ""
    assert (fourth.latitude, fourth.longitude) == (51.8936, 4.499)  # "51.8936,4.4990": no space
    # Without the namespace, the same record.
    bare = FOREIGN.read_bytes().replace(b' xmlns="https://www.weareavp.com/nunncenter/ohms"', b"")
    assert modelled(ohms.parse(bare)) == modelled(rec)


def test_times_come_from_the_sync_mark_and_the_index():
    segs = ohms.segments_for(ohms.parse(FOREIGN.read_bytes()), 110.9)
    starts = {s["text"].split()[0]: s["start"] for s in segs}
    assert starts["Mevrouw"] == 60.0  # the sync mark: minute 1 at line 17, word 2 (after YILMAZ:)
    assert starts["Hoor"] == 41.0 and starts["Werk"] == 79.0  # index points quoting their first words
    # The real recording says them at 41.2 s and 79.8 s (tests/data/nl_marktgesprek.tsv).
    assert all(a["start"] <= a["end"] <= b["start"] for a, b in zip(segs, segs[1:]))
    assert segs[-1]["end"] == 110.9
    # No times in the file at all: spread over the recording.
    plain = ohms.parse(b"<ROOT><record id='1' dt='2020-01-01'><version>5.4</version><date value=''/>"
                       b"<title>T</title><transcript>A: een twee drie\n\nB: vier vijf zes</transcript></record></ROOT>")
    assert [(s["start"], s["end"], s["speaker"]) for s in ohms.segments_for(plain, 60.0)] == [
        (0.0, 30.0, "A"), (30.0, 60.0, "B")]


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE ROOT [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>
<ROOT><record id="1" dt="2020-01-01"><version>5.4</version><date value=""/><title>&c;</title></record></ROOT>"""
EXTERNAL = b"""<?xml version="1.0"?><!DOCTYPE ROOT [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<ROOT><record id="1" dt="2020-01-01"><version>5.4</version><date value=""/><title>&x;</title></record></ROOT>"""


@pytest.mark.parametrize("data, said", [
    (b"", "not well-formed"),
    (b"WEBVTT\n\n00:00.000 --> 00:01.000\nhallo\n", "not well-formed"),
    (b"<ROOT><record><title>open", "not well-formed"),
    (b"<rss version='2.0'><channel/></rss>", "its root element is <rss>"),
    (b"<ROOT/>", "has no <record>"),
    (b"<ROOT><record id='1'><title>A</title></record><record id='2'><title>B</title></record></ROOT>", "2 records"),
    (b"<ROOT><record id='1'><version>5.4</version></record></ROOT>", "no <title>"),
    (BOMB, "DOCTYPE"),
    (EXTERNAL, "DOCTYPE"),
])
def test_what_is_not_an_ohms_record_is_refused(data, said):
    with pytest.raises(UsageError) as e:
        ohms.parse(data, "x.xml")
    assert said in str(e.value) and str(e.value).startswith("x.xml")


# -- import ------------------------------------------------------------------------------------------------------


def test_import_another_archives_interview(archive, make_app, tmp_path, capsys):
    """Without --audio the recording the file names is found next to it; everything lands where it belongs."""
    folder = tmp_path / "from-elsewhere"
    folder.mkdir()
    shutil.copyfile(FOREIGN, folder / FOREIGN.name)
    shutil.copyfile(FOREIGN_AUDIO, folder / FOREIGN_AUDIO.name)
    home = archive.settings.home
    code, out, err = run(home, "import-ohms", str(folder / FOREIGN.name), capsys=capsys)
    assert code == 0, err
    assert out.startswith(f"{FOREIGN_SLUG}\tready\tnl\t17 passages\t4 index points")
    with archive.session() as s:
        st = archive.story(s, FOREIGN_SLUG)
        assert (st.title, st.recorded, st.series.name) == (
            "Şükrü Yılmaz over veertig jaar op de markt", dt.date(2019, 10, 14), "Marktverhalen")
        assert [(c.person.name, c.role) for c in st.credits] == [("Şükrü Yılmaz", "narrator"),
                                                                 ("Fatemeh Rezaei", "interviewer")]
        assert [t.name for t in st.themes("editor")] == ["Markten", "Migratie"]
        assert [t.name for t in st.themes("accepted")] == ["Afrikaanderwijk", "Rotterdam", "handel"]
        assert st.licence == "http://creativecommons.org/licenses/by-nc/4.0/"
        assert st.transcript_run.source == "imported" and st.language == "nl"
        assert st.stage("transcript").state == "done" and st.stage("speakers").state == "done"
        segs = sorted(st.segments, key=lambda seg: seg.start)
        # The speakers stage ran over the recording and left the file's speakers as they were.
        assert all(seg.speaker_fixed for seg in segs) and [seg.speaker for seg in segs[:4]] == [
            "Fatemeh Rezaei", "Şükrü Yılmaz", "Şükrü Yılmaz", "Fatemeh Rezaei"]
        assert segs[0].text == "We staan op de markt met Şükrü. Şükrü, hoe lang sta je hier al?"
        points = sorted(st.index_points, key=lambda p: p.start)
        assert [(p.start, p.title, p.source) for p in points] == [
            (0.0, "Veertig jaar achter de kraam", "file"), (41.0, "De tram", "file"),
            (58.0, "Vaste klanten", "file"), (79.0, "De marktcommissie", "file")]
        assert (points[0].place, points[0].latitude, points[0].longitude) == ("Afrikaandermarkt", 51.8946, 4.4995)
        assert archive.derived(st.id, "listen.mp3").is_file()
    # Public: the page, its transcript and the OHMS download.
    c = make_app(archive).test_client()
    page = c.get(f"/verhaal/{FOREIGN_SLUG}")
    assert page.status_code == 200 and "Fatemeh Rezaei" in page.get_data(as_text=True)
    assert "Mevrouw Jansen" in c.get(f"/media/{FOREIGN_SLUG}/transcript.vtt").get_data(as_text=True)
    # The same file again: refused, by name, and still one story.
    code, _, err = run(home, "import-ohms", str(folder / FOREIGN.name), capsys=capsys)
    assert code == 5 and f"is already in the archive as '{FOREIGN_SLUG}'" in err
    assert stories(archive) == 1
    # Round trip: our export of it is valid and says everything the file said that verhalen models.
    again = export(home, FOREIGN_SLUG, capsys)
    validate_xml(again, "ohms")
    assert modelled(ohms.parse(again)) == modelled(ohms.parse(FOREIGN.read_bytes()))


def test_round_trip_of_our_own_export(demo_archive, archive, tmp_path, capsys):
    """A demo story exported, imported into another archive with its recording, exported again: the same."""
    first = export(demo_archive.settings.home, "pop-up-bazaar", capsys)
    path = tmp_path / "pop-up-bazaar.ohms.xml"
    path.write_bytes(first)
    code, out, err = run(archive.settings.home, "import-ohms", str(path), "--audio", str(DATA / "en_market.wav"),
                         "--slug", "bazaar", capsys=capsys)
    assert code == 0, err
    second = export(archive.settings.home, "bazaar", capsys)
    validate_xml(second, "ohms")
    a, b = ohms.parse(first), ohms.parse(second)
    assert modelled(b) == modelled(a)
    assert a.points, "the demo story has an index: the round trip must carry it"
    with archive.session() as s:  # the imported transcript is the transcript: not made again by the model
        st = archive.story(s, "bazaar")
        assert st.transcript_run.source == "imported" and st.transcript_run.model == "OHMS pop-up-bazaar.ohms.xml"


def test_without_its_recording_nothing_is_made(archive, tmp_path, capsys):
    lonely = tmp_path / FOREIGN.name
    shutil.copyfile(FOREIGN, lonely)
    code, _, err = run(archive.settings.home, "import-ohms", str(lonely), capsys=capsys)
    assert code == 2
    assert "comes without its recording (its <file_name> is 'nl_marktgesprek.opus'" in err and "--audio" in err
    assert stories(archive) == 0


def test_bad_input_leaves_nothing_behind(archive, tmp_path, capsys):
    home = archive.settings.home
    text = tmp_path / "interview.mp3"
    text.write_text("dit is geen geluid\n")
    code, _, err = run(home, "import-ohms", str(FOREIGN), "--audio", str(text), capsys=capsys)
    assert code == 3 and "interview.mp3" in err
    broken = tmp_path / "broken.xml"
    broken.write_bytes(FOREIGN.read_bytes()[:2000])
    code, _, err = run(home, "import-ohms", str(broken), "--audio", str(FOREIGN_AUDIO), capsys=capsys)
    assert code == 2 and "broken.xml is not well-formed XML" in err
    long_title = tmp_path / "long.xml"
    long_title.write_bytes(FOREIGN.read_bytes().replace(b"<title>", b"<title>" + b"x" * 400, 1))
    code, _, err = run(home, "import-ohms", str(long_title), "--audio", str(FOREIGN_AUDIO), capsys=capsys)
    assert code == 2 and "at most 300 are accepted" in err
    code, _, err = run(home, "import-ohms", str(FOREIGN), "--audio", str(FOREIGN_AUDIO), "--slug", "Niet Goed",
                       capsys=capsys)
    assert code == 2 and "--slug 'Niet Goed'" in err
    assert stories(archive) == 0
    with archive.session() as s:
        assert s.scalar(select(func.count(Recording.id))) == 0 and s.scalar(select(func.count(Segment.id))) == 0


def test_an_import_killed_after_its_commit_is_finished_by_the_same_command(archive, tmp_path, capsys):
    home = archive.settings.home
    env = {**os.environ, "VERHALEN_HOME": str(home)}
    proc = subprocess.Popen([*VERHALEN, "import-ohms", str(FOREIGN), "--audio", str(FOREIGN_AUDIO), "-q"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline, state = time.monotonic() + 120, None
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            with archive.session() as s:
                state = s.scalar(select(Story.status))
            if state is not None:
                break
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert state == "pending", "the import committed its story before the stages ran"
    with archive.session() as s:  # invisible, and it holds everything the file said
        st = s.scalar(select(Story))
        assert st.status == "pending" and len(st.segments) == 17 and len(st.index_points) == 4
    code, out, err = run(home, "import-ohms", str(FOREIGN), "--audio", str(FOREIGN_AUDIO), capsys=capsys)
    assert code == 0, err
    assert out.strip().endswith("(an interrupted import, finished)") and "\tready\t" in out
    assert stories(archive) == 1


def test_sync_marks_point_at_the_word_said_at_each_minute():
    """<sync> from the words' own timings: minute 1 falls on "drie" of the second passage, minute 2 on the
    third passage's first word (said after a pause); only those passages' timings are asked for."""
    segs = [{"start": 0.0, "end": 50.0, "text": "Waar begon het?", "speaker": "Piet Bakker", "words": []},
            {"start": 50.0, "end": 70.0, "text": "een twee drie vier", "speaker": "Anna de Vries",
             "words": [[50, 55, " een", 1], [55, 59, " twee", 1], [59, 62, " drie", 1], [62, 70, " vier", 1]]},
            {"start": 125.0, "end": 130.0, "text": "nog wat", "speaker": "Anna de Vries", "words": []}]
    lines, where = ohms.transcript_lines(segs)
    assert lines == ["Piet Bakker: Waar begon het?", "", "Anna de Vries: een twee drie vier", "nog wat"]
    assert ohms.sync_marks(segs, where) == "1:|3(6)|4(1)"  # line 3, word 6: after the 3-word label, "drie"
    assert ohms.timed_moments(segs, [ohms.Point(start=10.0)]) == {0, 1, 2}
    assert ohms.timed_moments(segs, []) == {1, 2}
    back = ohms.parse(ohms.build(ohms.Record(id=1, title="T", segments=segs)))
    assert back.sync == [(60.0, 3, 6), (120.0, 4, 1)]
    assert [s["start"] for s in ohms.segments_for(back, 130.0)][2] == 120.0
