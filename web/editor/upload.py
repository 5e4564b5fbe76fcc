"""/editor/upload: a recording and its metadata in, a queued job out.

One limit, from `max_upload_mb`: the recording may be that large, and the
whole request that plus FORM_SLACK for the other fields and a consent file
(`request_limit`). It is Flask's MAX_CONTENT_LENGTH and waitress's body limit
(web/server.py), so every request over it, declared or chunked, gets this
app's 413 page, in the user's language and with the security headers.

waitress spools a large body to ARCHIVE/incoming/request-*.part before the app
runs (web/server.py); Werkzeug's multipart parser then streams each uploaded
file, in chunks, into ARCHIVE/incoming/upload-*.part
(`UploadRequest._get_file_stream`); nothing reads a whole file into memory.
Every .part file of a request is removed when the request ends, whatever
happened (`UploadRequest.close`, and waitress for its own), and stale ones
from a crash are removed at startup.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import tempfile
import time
from pathlib import Path, PurePosixPath

from flask import Flask, Request, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from verhalen import jobs, licences, pipeline
from verhalen import sheet as sheet_mod
from verhalen.access import in_trash, level_problem
from verhalen.catalog import ACCESS_LEVELS, ROLES, Story
from verhalen.errors import Duplicate, UnsupportedMedia, UsageError

from .. import core_messages
from ..context import get_archive, get_huey
from ..i18n import current_language, gettext as _
from .workspace import LEVEL_PROBLEMS, workspace_blueprint

bp = workspace_blueprint("editor_upload", __name__)
LANGUAGES = ("nl", "en", "ar", "fa", "tr", "de", "fr", "pl", "so", "ti")
MIB = 1024 * 1024
FORM_SLACK = 16 * MIB  # the request beyond the recording: the other fields, a consent scan, multipart framing


def recording_limit(settings) -> int:
    """The largest recording the upload takes, in bytes (the `max_upload_mb` setting)."""
    return settings.max_upload_mb * MIB


def request_limit(settings) -> int:
    """The largest request body the server reads, in bytes: a recording at the limit plus the rest of the form."""
    return recording_limit(settings) + FORM_SLACK


def incoming_dir(settings) -> Path:
    return settings.incoming_dir


class UploadRequest(Request):
    """A request whose uploaded files go to ARCHIVE/incoming/*.part and are removed when it ends."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        folder = incoming_dir(current_app.config["SETTINGS"])
        folder.mkdir(parents=True, exist_ok=True)
        fd, path = tempfile.mkstemp(dir=folder, prefix="upload-", suffix=".part")
        os.close(fd)
        self.__dict__.setdefault("_verhalen_parts", []).append(path)
        return open(path, "w+b")  # noqa: SIM115 - closed with the request

    def close(self) -> None:
        try:
            super().close()
        finally:
            for path in self.__dict__.pop("_verhalen_parts", []):
                Path(path).unlink(missing_ok=True)


# An upload in progress writes its file all the time; one untouched this long was left by a crash.
# Not "everything at startup": with `serve --processes N` a restarted process would delete the
# files the others are still receiving.
STALE_SECONDS = 15 * 60


def clean_incoming(settings, now: float | None = None) -> int:
    """Remove what a crashed upload left behind (*.part files, unfinished folders, untouched for
    STALE_SECONDS); returns how many."""
    folder = incoming_dir(settings)
    if not folder.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - STALE_SECONDS
    n = 0
    for p in folder.iterdir():
        if not (p.suffix == ".part" or (p.is_dir() and p.name.startswith("upload-"))):
            continue
        try:
            if p.stat().st_mtime > cutoff:
                continue
            shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
            n += 1
        except FileNotFoundError:  # its own request removed it meanwhile
            continue
    return n


def init_app(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    app.request_class = UploadRequest
    app.config["MAX_CONTENT_LENGTH"] = limit = request_limit(settings)
    clean_incoming(settings)

    @app.before_request
    def _refuse_large_bodies():
        # Werkzeug refuses an oversized body only when a handler reads it; refuse it for every route, so a
        # body that waitress handed over unread (web/server.py) always gets the 413 page.
        if (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()


def _date(value: str, field: str, errors: dict) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[field] = _("Geef een datum als jjjj-mm-dd.")
        return None


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.replace("\n", ",").split(",") if v.strip()]


def meta_from_form(form) -> tuple[pipeline.StoryMeta, dict[str, str]]:
    """StoryMeta from the upload form, and a message per field that is wrong."""
    errors: dict[str, str] = {}
    title = (form.get("title") or "").strip()
    if not title:
        errors["title"] = _("Geef het verhaal een titel.")
    access = form.get("access") or "public"
    embargo = _date(form.get("embargo_until", ""), "embargo_until", errors)
    problem = level_problem(access, embargo)
    if problem == "level":
        errors["access"] = LEVEL_PROBLEMS[problem]()
    elif problem == "embargo_date" and "embargo_until" not in errors:
        errors["embargo_until"] = LEVEL_PROBLEMS[problem]()
    people = []
    for name, role in zip(form.getlist("person_name"), form.getlist("person_role")):
        if name.strip():
            people.append((name.strip(), role if role in ROLES else "narrator"))
    language = form.get("language") or "detect"
    licence = (form.get("licence") or "").strip() or None
    if licence and licence not in licences.CODES:
        errors["licence"] = _("Kies een licentie uit de lijst.")
        licence = None
    meta = pipeline.StoryMeta(licence=licence,
        title=title, description=(form.get("description") or "").strip(),
        recorded=_date(form.get("recorded", ""), "recorded", errors), series=(form.get("series") or "").strip() or None,
        people=people, places=_split(form.get("places", "")), themes=_split(form.get("themes", "")),
        access=access, embargo_until=embargo, language=None if language == "detect" else language,
        published=False, consent_notes=(form.get("consent_notes") or "").strip())
    return meta, errors


def save_consent(settings, story_slug: str, upload) -> str | None:
    """Keep a consent file under ARCHIVE/consent/ (never served publicly); its path relative to the home."""
    if upload is None or not upload.filename:
        return None
    folder = settings.consent_dir
    folder.mkdir(parents=True, exist_ok=True)
    name = secure_filename(upload.filename) or "toestemming"
    target = folder / f"{story_slug}-{secrets.token_hex(4)}-{name}"
    upload.save(target)
    return settings.home_relative(target)


def licence_choices(settings, current: str) -> dict:
    """The licence select (upload and story page): the archive's default first (an empty value: the story
    follows the default, also when it changes later), then every licence in the editor's language; `current`
    is the chosen code ("" for the default)."""
    def label(lic):
        return lic.en if current_language() == "en" else lic.nl
    return {"default": label(licences.of(None, settings.default_licence)), "current": current,
            "options": [(lic.code, label(lic)) for lic in licences.LICENCES]}


def _form_page(errors=None, form=None, status=200, trashed=False):
    form = form or {}
    return render_template("editor/upload.html", errors=errors or {}, form=form, access_levels=ACCESS_LEVELS,
                           roles=ROLES, languages=LANGUAGES, trashed=trashed,
                           licence_choices=licence_choices(get_archive().settings, form.get("licence", ""))), status


def _duplicate(archive, e: Duplicate):
    """The form again, saying where the recording already is: a story (its slug), or the trash (with a link)."""
    if not e.slug:
        return _form_page({"recording": core_messages.text(e)}, request.form, 409)
    with archive.session() as s:
        story = s.scalar(select(Story).where(Story.slug == e.slug))
        trashed = story is not None and in_trash(story)
    if trashed:
        msg = _("Deze opname staat in de prullenbak als {slug}. Zet het verhaal daar terug in plaats van de "
                "opname opnieuw te uploaden.", slug=e.slug)
    else:
        msg = _("Deze opname staat al in het archief als {slug}.", slug=e.slug)
    return _form_page({"recording": msg}, request.form, 409, trashed=trashed)


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    if request.method == "GET":
        return _form_page()
    archive = get_archive()
    settings = archive.settings
    meta, errors = meta_from_form(request.form)
    recording = request.files.get("recording")
    if recording is None or not recording.filename:
        errors["recording"] = _("Kies een opname om te uploaden.")
    if errors:
        return _form_page(errors, request.form, 400)
    recording.stream.flush()
    if os.fstat(recording.stream.fileno()).st_size > recording_limit(current_app.config["SETTINGS"]):
        raise RequestEntityTooLarge()  # the recording itself, not only the request, is over the limit
    # Give the probe the recording under its own name (in a private folder), so messages name it.
    folder = Path(tempfile.mkdtemp(dir=incoming_dir(settings), prefix="upload-"))
    try:
        path = folder / (secure_filename(recording.filename) or "opname")
        os.replace(recording.stream.name, path)
        try:
            story_id = pipeline.accept(archive, path, meta, created_by=current_user.name)
        except (UnsupportedMedia, UsageError) as e:
            return _form_page({"recording": core_messages.text(e)}, request.form, e.http_status)
        except Duplicate as e:
            return _duplicate(archive, e)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    with archive.session() as s:
        story = s.get(Story, story_id)
        consent = save_consent(settings, story.slug, request.files.get("consent_file"))
        if consent:
            story.consent_file = consent
            s.commit()
        slug, title = story.slug, story.title
        warnings = list(story.recording.warnings or [])
    jobs.enqueue(get_huey(), story_id)
    flash(_("{title} is ontvangen en staat in de wachtrij. Het verhaal blijft verborgen tot je het publiceert.",
            title=title))
    for warning in warnings:  # the probe's doubts (a truncated file) said now, not only in `verhalen info`
        flash(_("Let op: {warning}", warning=core_messages.text(warning)))
    return redirect(url_for("editor_jobs.jobs", _anchor=f"job-{slug}"))


# -- a whole collection: a sheet (CSV) and the recordings it names -------------------------------------------

# verhalen.sheet's problems in the editor's words: kind -> text (its details fill the placeholders).
SHEET_PROBLEMS = {
    "columns": lambda d: _("onbekende kolom(men) {columns}; de kolommen heten {known}", **d),
    "duplicate_column": lambda d: _("de kolom {columns} staat er meer dan eens in", **d),
    "no_file_column": lambda d: _("het blad heeft geen kolom file (die noemt per rij de opname) of is leeg"),
    "extra_cells": lambda d: _("meer cellen ({cells}) dan de kop kolommen heeft ({columns}); zet een cel met "
                               "meer waarden, gescheiden door ;, tussen aanhalingstekens", **d),
    "no_file": lambda d: _("de cel file noemt geen opname"),
    "bad_date": lambda d: _("{column}: {value} is geen datum als 2024-05-03", **d),
    "access_level": lambda d: _("access: {value} is geen van {known}", **d),
    "licence": lambda d: _("licence: {value} is geen van {known}", **d),
    "embargo_date": lambda d: _("access is embargoed maar embargo_until is leeg: een embargo loopt af op een datum"),
    "not_found": lambda d: _("{file} is niet meegestuurd", **d),
    "not_audio": lambda d: core_messages.text(d["reason"]),  # the probe's reason names the file
    "same_recording": lambda d: _("{file} is dezelfde opname als rij {other}", **d),
}


def sheet_problem_text(problem) -> str:
    """One problem of a sheet, "rij N: ...", in the interface's language."""
    word = SHEET_PROBLEMS.get(problem.kind)
    return _("rij {row}: {problem}", row=problem.row,
             problem=word(problem.details) if word else core_messages.text(problem.message))


def _sheet_page(report=None, error=None, status=200):
    return render_template("editor/upload_sheet.html", report=report, error=error, columns=sheet_mod.COLUMNS,
                           access_levels=ACCESS_LEVELS), status


def _recording_name(filename: str) -> str | None:
    """An uploaded recording's name as the sheet's `file` column would end (no folders, nothing a file system refuses)."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    if not name or name in (".", "..") or "\x00" in name or len(name.encode()) > 255:
        return None
    return name


@bp.route("/upload/sheet", methods=["GET", "POST"])
def upload_sheet():
    """A collection: the sheet and its recordings in one form; the good rows are accepted and queued, every
    problem is listed with its row number, and recordings the sheet names but the form lacks are named."""
    if request.method == "GET":
        return _sheet_page()
    archive = get_archive()
    settings = archive.settings
    upload_file = request.files.get("sheet")
    if upload_file is None or not upload_file.filename:
        return _sheet_page(error=_("Kies het blad (CSV) met een rij per opname."), status=400)
    check_only = bool(request.form.get("check_only"))
    folder = Path(tempfile.mkdtemp(dir=incoming_dir(settings), prefix="upload-"))
    try:
        try:
            text = sheet_mod.decode(upload_file.read(), upload_file.filename)
        except UsageError as e:
            return _sheet_page(error=core_messages.text(e), status=400)
        received = []
        for f in request.files.getlist("recordings"):
            name = _recording_name(f.filename)
            if name is None:
                continue
            f.stream.flush()
            if os.fstat(f.stream.fileno()).st_size > recording_limit(settings):
                raise RequestEntityTooLarge()
            os.replace(f.stream.name, folder / name)
            received.append(name)
        sheet = sheet_mod.check(archive, sheet_mod.parse(text, folder, settings, flat=True))
        named = {row.path.name for row in sheet.rows if row.path is not None}
        report = {
            "check_only": check_only, "rows": len(sheet.rows),
            "missing": sorted({r.name for r in sheet.rows if any(p.kind == "not_found" for p in r.problems)}),
            "unused": sorted(set(received) - named),
            "skipped": [(r.number, r.existing) for r in sheet.rows if r.skipped],
            "ready": [(r.number, r.name, r.existing) for r in sheet.good],
            "queued": [], "problems": [sheet_problem_text(p) for p in sheet.all_problems()],
        }
        if not check_only and not sheet.problems:
            report["ready"] = []
            for row in sheet.good:
                row.meta.published = False  # as with one upload: hidden until an editor publishes it
                try:
                    story_id = pipeline.accept(archive, row.path, row.meta, created_by=current_user.name)
                except Duplicate as e:
                    report["skipped"].append((row.number, e.slug or "?"))
                    continue
                except (UnsupportedMedia, UsageError) as e:
                    report["problems"].append(_("rij {row}: {problem}", row=row.number,
                                                problem=core_messages.text(e)))
                    continue
                with archive.session() as s:
                    story = s.get(Story, story_id)
                    report["queued"].append((row.number, story.title, story.slug, row.existing is not None))
                jobs.enqueue(get_huey(), story_id)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return _sheet_page(report)
