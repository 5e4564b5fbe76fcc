"""Delete and restore in the workspace: /editor/story/<slug>/delete asks first, naming what goes, then
moves the story to the trash (verhalen.trash); /editor/trash lists it, with restore and, for admins,
purge. Nothing is lost by one click: the trash keeps a story for the trash_days setting."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from sqlalchemy import select

from verhalen import exports, trash
from verhalen.access import in_trash
from verhalen.catalog import Story, now
from verhalen.errors import Conflict

from ..context import get_archive
from ..i18n import gettext as _
from .workspace import EDITORS, workspace_blueprint

bp = workspace_blueprint("editor_trash", __name__)
# The workspace's pages of one story: a story in the trash has none but the trash's.
ONE_STORY = ("editor_story", "editor_transcript", "editor_keywords")


@bp.before_app_request
def _refuse_stories_in_the_trash():
    """/editor/story/<slug>... of a story in the trash leads to the trash (a change: 409) (after the role
    check: others get the blueprint's own answer, so nobody learns what is in the trash)."""
    slug = (request.view_args or {}).get("slug")
    if request.blueprint not in ONE_STORY or not slug or not current_user.is_authenticated \
            or current_user.role not in EDITORS:
        return None
    with get_archive().session() as s:
        deleted = s.scalar(select(Story.deleted_at).where(Story.slug == slug))
    if deleted is None:
        return None
    message = _("Dit verhaal staat in de prullenbak. Zet het daar terug om er weer aan te werken.")
    if request.method == "GET":
        flash(message)
        return redirect(url_for("editor_trash.trash_page"))
    raise Conflict(message)


def what_goes(story) -> dict:
    what = trash.contents(story)
    return {"title": what.title, "slug": what.slug, "file_name": what.file_name,
            "duration": exports.mmss(what.duration) if what.duration is not None else None,
            "passages": what.passages}


@bp.route("/story/<slug>/delete", methods=["GET", "POST"])
def delete(slug: str):
    """GET: the confirmation (title, recording, passages, days in the trash); POST: move it to the trash."""
    archive = get_archive()
    days = archive.settings.trash_days
    with archive.session() as s:
        story = archive.story(s, slug)
        if request.method == "GET":
            return render_template("editor/trash_delete.html", what=what_goes(story), days=days,
                                   already=in_trash(story))
        if in_trash(story):
            raise Conflict(_("{title} staat al in de prullenbak.", title=story.title))
        title = story.title
        trash.move(archive, s, story, current_user.name)
    flash(_("{title} staat nu in de prullenbak. Je kunt het daar {days} dagen terugzetten.", title=title, days=days))
    return redirect(url_for("editor.home"))


@bp.route("/trash")
def trash_page():
    """The stories in the trash, most recently deleted first, with the days they have left."""
    archive = get_archive()
    days, at = archive.settings.trash_days, now()
    with archive.session() as s:
        rows = [{**what_goes(st), "deleted_at": st.deleted_at.strftime("%Y-%m-%d %H:%M"),
                 "deleted_by": st.deleted_by or "", "days_left": trash.days_left(st, days, at)}
                for st in trash.listed(s)]
    return render_template("editor/trash.html", rows=rows, days=days, admin=current_user.role == "admin")


@bp.route("/trash/<slug>/restore", methods=["POST"])
def restore(slug: str):
    archive = get_archive()
    with archive.session() as s:
        story = archive.story(s, slug)
        if not in_trash(story):
            raise Conflict(_("{title} staat niet in de prullenbak.", title=story.title))
        title = story.title
        trash.restore(archive, s, story)
    flash(_("{title} is teruggezet.", title=title))
    return redirect(url_for("editor_trash.trash_page"))


@bp.route("/trash/<slug>/purge", methods=["POST"])
def purge(slug: str):
    """Admins only: remove one story of the trash for good (catalog, index, listening copies, original)."""
    if current_user.role != "admin":
        abort(403, _("Alleen beheerders kunnen verhalen voorgoed verwijderen."))
    archive = get_archive()
    with archive.session() as s:
        story = archive.story(s, slug)
        if not in_trash(story):
            raise Conflict(_("{title} staat niet in de prullenbak.", title=story.title))
        title = story.title
    trash.purge(archive, slugs=[slug])
    flash(_("{title} is voorgoed verwijderd.", title=title))
    return redirect(url_for("editor_trash.trash_page"))
