"""The editors' page for a story's index (table of contents): add, move, merge, delete and rewrite points.

Every change is a plain form POST (CSRF-protected, works without JavaScript) that calls
verhalen.index_points.IndexEditor with the version of the point the page showed; the answer is a
redirect back to the page with what happened, or, when someone else changed the index first, why
nothing was saved (in the page's language, naming who and when). Deleting asks first.
"""

from __future__ import annotations

import math

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from verhalen import index_points, trash
from verhalen.catalog import IndexEdit
from verhalen.errors import StaleVersion, UsageError, VerhalenError
from verhalen.exports import mmss

from .. import core_messages
from ..context import get_archive
from ..i18n import gettext as _
from ..params import form_int, parse_time
from .workspace import workspace_blueprint

bp = workspace_blueprint("editor_contents", __name__)

SOURCE_NAMES = {"draft": lambda: _("voorstel"), "file": lambda: _("uit het bestand"),
                "editor": lambda: _("redactie")}
ACTION_NAMES = {"add": lambda: _("toegevoegd"), "edit": lambda: _("gewijzigd"), "move": lambda: _("verplaatst"),
                "merge": lambda: _("samengevoegd"), "delete": lambda: _("verwijderd"),
                "draft": lambda: _("nieuw voorstel")}


def _page(slug: str, anchor: str | None = None):
    return redirect(url_for("editor_contents.contents", slug=slug, _anchor=anchor or "inhoud"))


def conflict_message(session, story_id: int) -> str:
    last = session.scalar(select(IndexEdit).where(IndexEdit.story_id == story_id).order_by(IndexEdit.id.desc()))
    who = _(" door {user} om {time}", user=last.user, time=f"{last.at:%H:%M}") if last else ""
    return _("De inhoudsopgave is intussen gewijzigd{who}. Jouw wijziging is niet bewaard: laad de pagina opnieuw "
             "en breng je wijziging nog eens aan.", who=who)


def _coordinate(name: str) -> float | None:
    raw = (request.form.get(name) or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise UsageError(_("Geef de breedte- en lengtegraad als getallen, zoals 51.9225 en 4.47917."))
    return value


def _time(name: str) -> float:
    value = parse_time(request.form.get(name))
    if value is None:
        raise UsageError(_("Geef een tijd als 1:15 of 75 (seconden)."))
    return value


def _fields() -> dict:
    return {"title": request.form.get("title", ""), "synopsis": request.form.get("synopsis", ""),
            "keywords": request.form.get("keywords", ""), "place": request.form.get("place", ""),
            "latitude": _coordinate("latitude"), "longitude": _coordinate("longitude")}


def _act(slug: str, action, anchor: str | None = None):
    """Run `action(editor)` (returns the message to show) and go back to the page; errors in plain words."""
    archive = get_archive()
    with archive.session() as s:
        story = archive.story(s, slug)
        try:
            trash.require_outside(story)
            message = action(index_points.IndexEditor(s, story, current_user.name), archive)
        except StaleVersion:
            s.rollback()
            flash(conflict_message(s, story.id), "error")
            return _page(slug, anchor)
        except VerhalenError as e:
            s.rollback()
            flash(core_messages.text(e), "error")
            return _page(slug, anchor)
    flash(message)
    return _page(slug, anchor)


def _history_view(edits) -> list[dict]:
    """Each change as the history shows it: the points it touched, as they were and as they became."""
    return [{"edit": e, "action": ACTION_NAMES.get(e.action, lambda: e.action)(),
             "before": [(p["start"], p["title"]) for p in e.before],
             "after": [(p["start"], p["title"]) for p in e.after]} for e in edits]


@bp.route("/story/<slug>/contents")
def contents(slug: str):
    archive = get_archive()
    with archive.session() as s:
        story = archive.story(s, slug)
        points = sorted(story.index_points, key=lambda p: p.start)
        confirm = form_int(request.args, "delete", required=False)
        to_delete = next((p for p in points if p.id == confirm), None)
        ed = index_points.IndexEditor(s, story, "")
        duration = story.recording.duration if story.recording else None
        return render_template("editor/contents.html", story=story, points=points, to_delete=to_delete,
                               history=_history_view(ed.history()), source_names=SOURCE_NAMES,
                               duration=duration, has_chapters=bool(story.chapters),
                               has_mp3=archive.derived(story.id, "listen.mp3").is_file())


@bp.route("/story/<slug>/contents/add", methods=["POST"])
def add(slug: str):
    def action(ed, archive):
        p = ed.add(_time("start"), **_fields())
        return _("Punt toegevoegd bij {time}.", time=mmss(p.start))
    return _act(slug, action)


@bp.route("/story/<slug>/contents/<int:point_id>/edit", methods=["POST"])
def edit(slug: str, point_id: int):
    def action(ed, archive):
        ed.edit(point_id, form_int(request.form, "version"), **_fields())
        return _("Bewaard.")
    return _act(slug, action, f"p{point_id}")


@bp.route("/story/<slug>/contents/<int:point_id>/move", methods=["POST"])
def move(slug: str, point_id: int):
    def action(ed, archive):
        p = ed.move(point_id, form_int(request.form, "version"), _time("start"))
        return _("Het punt begint nu bij {time}.", time=mmss(p.start))
    return _act(slug, action, f"p{point_id}")


@bp.route("/story/<slug>/contents/<int:point_id>/merge", methods=["POST"])
def merge(slug: str, point_id: int):
    def action(ed, archive):
        ed.merge_with_next(point_id, form_int(request.form, "version"), form_int(request.form, "next_version"))
        return _("Samengevoegd met het volgende punt.")
    return _act(slug, action, f"p{point_id}")


@bp.route("/story/<slug>/contents/<int:point_id>/delete", methods=["POST"])
def delete(slug: str, point_id: int):
    """Without confirm=1 back to the page, which then asks; with it the point goes."""
    if request.form.get("confirm") != "1":
        return redirect(url_for("editor_contents.contents", slug=slug, delete=point_id, _anchor="verwijderen"))

    def action(ed, archive):
        ed.delete(point_id, form_int(request.form, "version"))
        return _("Het punt is verwijderd.")
    return _act(slug, action)


@bp.route("/story/<slug>/contents/draft", methods=["POST"])
def draft(slug: str):
    def action(ed, archive):
        made = ed.redraft(archive.settings)
        return _("Nieuw voorstel: {n} punten. Punten van de redactie zijn gebleven.", n=len(made))
    return _act(slug, action)
