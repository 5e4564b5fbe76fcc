"""A whole collection at once: a spreadsheet (CSV) with one row per recording.

`parse` is pure: text in, rows of StoryMeta out, with every problem it can see from the text alone
(unknown columns, an empty `file` cell, a bad date, an unknown access level, a field over the
archive's limits). `check` adds what needs the disk and the catalog: the file exists, it is audio
(`media.probe`), it is not the same recording as an earlier row, and whether the archive already
has it (finished: the row is skipped; unfinished, e.g. an interrupted run: the row resumes it).

Columns are named like `verhalen ingest`'s options (case-insensitive; `embargo-until` is
`embargo_until`); people, places and themes take several values in one cell, separated by `;`.
Rows are numbered as a spreadsheet shows them: the header is row 1. Every problem is one line,
"row N: ...", in English for the CLI; `kind` and `details` let the workspace word it in Dutch.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy import select

from . import licences, lifecycle, originals
from .access import level_problem
from .catalog import ACCESS_LEVELS, Recording
from .errors import Duplicate, NotFound, UnsupportedMedia, UsageError

# Column -> the role it gives a person (None: not a person column).
PEOPLE = {"narrator": "narrator", "interviewer": "interviewer", "host": "host", "guest": "guest"}
MULTI = (*PEOPLE, "place", "theme")
SINGLE = ("file", "title", "description", "series", "recorded", "access", "embargo_until", "language", "licence")
COLUMNS = (*SINGLE[:4], *PEOPLE, "recorded", "place", "theme", "access", "embargo_until", "language", "licence")
SEPARATOR = ";"  # between several values in one cell


@dataclass
class Problem:
    """One thing wrong with one row (row 1: the header or the sheet as a whole)."""

    row: int
    kind: str  # columns, no_file_column, duplicate_column, extra_cells, no_file, bad_date, access_level,
    #            embargo_date, licence, too_long, not_found, not_audio, same_recording, failed
    message: str  # English, without the "row N: " in front
    code: int = UsageError.exit_code  # the exit code of the error it stands for
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


@dataclass
class Row:
    number: int
    file: str  # as the sheet writes it
    path: Path | None  # where it is looked for; None when the cell is empty
    meta: object  # pipeline.StoryMeta
    problems: list[Problem] = field(default_factory=list)
    duration: float = 0.0  # seconds, after `check`
    existing: str | None = None  # slug of the story that already has this recording, after `check`
    finished: bool = False  # that story finished its pipeline (the row is skipped) or not (it is resumed)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def skipped(self) -> bool:
        return self.ok and self.existing is not None and self.finished

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else self.file


@dataclass
class Sheet:
    rows: list[Row]
    problems: list[Problem] = field(default_factory=list)  # the sheet's own (header) problems

    def all_problems(self) -> list[Problem]:
        return [*self.problems, *(p for r in self.rows for p in r.problems)]

    @property
    def good(self) -> list[Row]:
        """Rows to ingest or resume (no problems, not already in the archive)."""
        return [] if self.problems else [r for r in self.rows if r.ok and not r.skipped]

    def exit_code(self) -> int:
        return max((p.code for p in self.all_problems()), default=0)


def decode(data: bytes, name: str = "the sheet") -> str:
    """The sheet's text: UTF-8, with or without the byte-order mark Excel's "CSV UTF-8" writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{name} is not UTF-8 text; in Excel save it as \"CSV UTF-8\", in LibreOffice choose "
                         "the character set Unicode (UTF-8)") from None


def read(path: Path, settings=None) -> Sheet:
    """Parse the sheet at `path`; files are relative to its folder."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"{path}: sheet not found") from None
    except OSError as e:
        raise UsageError(f"{path}: cannot read the sheet ({e.strerror or e})") from None
    return parse(decode(data, path.name), path.parent, settings)


def _delimiter(text: str) -> str:
    header = text.lstrip("\n").split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=";,\t").delimiter
    except csv.Error:
        return max(";,\t", key=header.count) if any(d in header for d in ";,\t") else ","


def column_name(header: str) -> str:
    return header.strip().lower().replace("-", "_").replace(" ", "_")


def _date(value: str, column: str, number: int, problems: list[Problem]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        problems.append(Problem(number, "bad_date", f"{column}: {value!r} is not a date like 2024-05-03",
                                details={"column": column, "value": value}))
        return None


def _values(cell: str) -> list[str]:
    return [v.strip() for v in cell.split(SEPARATOR) if v.strip()]


def parse(text: str, base: Path, settings=None, flat: bool = False) -> Sheet:
    """Rows of StoryMeta from the sheet's text; files are looked up relative to `base` (`flat`: by their
    name only, in `base` itself: the workspace, where the recordings arrive as uploads beside the sheet).
    With `settings`, fields longer than the archive's limits are problems too."""
    from .pipeline import StoryMeta

    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = list(reader)
    while records and not any(c.strip() for c in records[0]):
        records.pop(0)
    if not records:
        return Sheet([], [Problem(1, "no_file_column", "the sheet is empty; its first row names the columns "
                                                      "(file, title, narrator, ...)")])
    names = [column_name(h) for h in records[0]]
    sheet = Sheet([])
    unknown = [h for h, n in zip(records[0], names) if n and n not in COLUMNS]
    if unknown:
        sheet.problems.append(Problem(1, "columns", f"unknown column{'s' if len(unknown) > 1 else ''} "
                                      f"{', '.join(map(repr, unknown))}; the columns are {', '.join(COLUMNS)}",
                                      details={"columns": ", ".join(unknown), "known": ", ".join(COLUMNS)}))
    twice = sorted({n for n in names if n and names.count(n) > 1})
    if twice:
        sheet.problems.append(Problem(1, "duplicate_column", f"column {', '.join(twice)} appears more than once",
                                      details={"columns": ", ".join(twice)}))
    if "file" not in names:
        sheet.problems.append(Problem(1, "no_file_column", "no 'file' column: it names each row's recording, "
                                      "relative to the sheet"))
        return sheet
    for i, record in enumerate(records[1:], start=2):
        if not any(c.strip() for c in record):
            continue
        cells: dict[str, str] = {}
        for n, value in zip(names, record):
            if n in COLUMNS and n not in cells:
                cells[n] = value.strip()
        problems: list[Problem] = []
        if any(c.strip() for c in record[len(names):]):
            hint = " (in a sheet separated by ';', a cell with several values needs quotes)" if delimiter == ";" else ""
            problems.append(Problem(i, "extra_cells", f"more cells ({len(record)}) than the header has "
                                    f"columns ({len(names)}){hint}", details={"cells": len(record), "columns": len(names)}))
        file = cells.get("file", "")
        path = None
        if not file:
            problems.append(Problem(i, "no_file", "the file cell is empty"))
        elif flat:
            name = PurePosixPath(file.replace("\\", "/")).name
            path = base / name if name not in ("", ".", "..") else None
            if path is None:
                problems.append(Problem(i, "no_file", f"{file!r} is not a file name", details={"file": file}))
        else:
            path = base / file
        recorded = _date(cells.get("recorded", ""), "recorded", i, problems)
        embargo = _date(cells.get("embargo_until", ""), "embargo_until", i, problems)
        access = cells.get("access", "").lower() or "public"
        level = level_problem(access, embargo)
        if level == "level":
            problems.append(Problem(i, "access_level", f"access: {cells['access']!r} is not one of "
                                    f"{', '.join(ACCESS_LEVELS)}", details={"value": cells["access"],
                                                                            "known": ", ".join(ACCESS_LEVELS)}))
        elif level == "embargo_date" and not any(p.kind == "bad_date" and p.details["column"] == "embargo_until"
                                                 for p in problems):
            problems.append(Problem(i, "embargo_date", "access is embargoed but embargo_until is empty; an "
                                    "embargo lifts on a date"))
        licence = cells.get("licence", "").strip() or None
        if licence:
            try:
                licence = licences.parse(licence).uri
            except UsageError:
                problems.append(Problem(i, "licence", f"licence: {cells['licence']!r} is not one of "
                                        f"{', '.join(licences.CODES)} or their URIs",
                                        details={"value": cells["licence"], "known": ", ".join(licences.CODES)}))
                licence = None
        people = [(name, role) for column, role in PEOPLE.items() for name in _values(cells.get(column, ""))]
        meta = StoryMeta(title=cells.get("title") or None, description=cells.get("description", ""),
                         recorded=recorded, series=cells.get("series") or None, people=people,
                         places=_values(cells.get("place", "")), themes=_values(cells.get("theme", "")),
                         access=access, embargo_until=embargo, language=cells.get("language", "").lower() or None,
                         licence=licence)
        if settings is not None:
            try:
                meta.check_sizes(settings)
            except UsageError as e:
                problems.append(Problem(i, "too_long", str(e)))
        sheet.rows.append(Row(i, file, path, meta, problems))
    return sheet


def check(archive, sheet: Sheet) -> Sheet:
    """The checks that need the disk and the catalog, added to each row: the file is there and is audio,
    no earlier row has the same recording, and whether the archive already has it. Nothing is written."""
    from .media import probe

    seen: dict[str, int] = {}
    for row in sheet.rows:
        if row.path is None:
            continue
        try:
            info = probe(row.path)
        except NotFound:
            row.problems.append(Problem(row.number, "not_found", f"{row.file}: file not found",
                                        NotFound.exit_code, {"file": row.file}))
            continue
        except UnsupportedMedia as e:
            row.problems.append(Problem(row.number, "not_audio", str(e), UnsupportedMedia.exit_code,
                                        {"file": row.file, "reason": str(e)}))
            continue
        row.duration = info.duration
        sha = originals.sha256_of(row.path)
        if sha in seen:
            row.problems.append(Problem(row.number, "same_recording", f"{row.file} is the same recording as row "
                                        f"{seen[sha]}", Duplicate.exit_code, {"file": row.file, "other": seen[sha]}))
            continue
        seen[sha] = row.number
        with archive.session() as session:
            existing = session.scalar(select(Recording).where(Recording.sha256 == sha))
            if existing is not None:
                row.existing = existing.story.slug
                row.finished = lifecycle.finished(existing.story.status)
    return sheet
