"""The editors' workspace under /editor/: its home page, the shared guards and the job queue handle.

Each part of the workspace is its own blueprint module (upload, jobs, story,
transcript, admin, export); `init_app` registers them all. Every /editor/
blueprint is made with `workspace_blueprint`, so no route can be added
without the role check (tests/test_editor_permissions.py enumerates them).
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from verhalen.catalog import Story

from .app import get_archive
from .auth import require_roles

EDITORS = ("editor", "admin")


def workspace_blueprint(name: str, import_name: str, roles: tuple[str, ...] = EDITORS) -> Blueprint:
    """A blueprint under /editor/ whose every route needs one of `roles`."""
    bp = Blueprint(name, import_name, url_prefix="/editor")
    require_roles(bp, *roles)
    return bp


bp = workspace_blueprint("editor", __name__)


def get_huey():
    """The job queue of this app's archive (made on first use)."""
    huey = current_app.extensions.get("verhalen_huey")
    if huey is None:
        from verhalen import jobs

        huey = current_app.extensions["verhalen_huey"] = jobs.make_huey(current_app.config["SETTINGS"])
    return huey


def init_app(app: Flask) -> None:
    from . import editor_admin, editor_export, editor_jobs, editor_story, editor_transcript, editor_upload

    editor_upload.init_app(app)
    for blueprint in (bp, editor_upload.bp, editor_jobs.bp, editor_story.bp, editor_transcript.bp,
                      editor_admin.bp, editor_export.bp):
        app.register_blueprint(blueprint)


@bp.route("/")
def home():
    """Every story, newest first, with its state: the editors' overview."""
    with get_archive().session() as s:
        stories = list(s.scalars(select(Story).options(selectinload(Story.recording), selectinload(Story.stages))
                                 .order_by(Story.created_at.desc(), Story.id.desc())))
        return render_template("editor/home.html", stories=stories)
