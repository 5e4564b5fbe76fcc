"""The workspace's home page and its guard: every /editor/ blueprint is made with `workspace_blueprint`,
so no route can be added without the role check (tests/test_editor_permissions.py enumerates them)."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from verhalen.access import outside_trash
from verhalen.catalog import Story

from ..auth import require_roles
from ..context import get_archive
from ..i18n import gettext as _

EDITORS = ("editor", "admin")
# access.level_problem's answers in the editor's words (the story page and the upload form).
LEVEL_PROBLEMS = {"level": lambda: _("Kies een toegangsniveau uit de lijst."),
                  "embargo_date": lambda: _("Een verhaal onder embargo heeft een einddatum nodig.")}


def workspace_blueprint(name: str, import_name: str, roles: tuple[str, ...] = EDITORS) -> Blueprint:
    """A blueprint under /editor/ whose every route needs one of `roles`."""
    bp = Blueprint(name, import_name, url_prefix="/editor")
    require_roles(bp, *roles)
    return bp


bp = workspace_blueprint("editor", __name__)


@bp.route("/")
def home():
    """Every story (not those in the trash), newest first, with its state: the editors' overview."""
    with get_archive().session() as s:
        stories = list(s.scalars(select(Story).where(outside_trash())  # the trash has its page (editor_trash)
                                 .options(selectinload(Story.recording), selectinload(Story.stages))
                                 .order_by(Story.created_at.desc(), Story.id.desc())))
        return render_template("editor/home.html", stories=stories)
