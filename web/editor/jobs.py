"""/editor/jobs: each unfinished story's stages with live progress and ETA, errors in plain words, retry.

The page is complete without JavaScript (a reload shows the state);
web/static/editor.js polls /editor/jobs.json and updates it in place.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from verhalen import jobs as queue
from verhalen.access import outside_trash
from verhalen.catalog import StageState, Story
from verhalen.lifecycle import RUN_STAGES, STAGES, UNFINISHED, finished
from verhalen.errors import Conflict, NotFound

from ..context import get_archive, get_huey
from ..i18n import gettext as _
from .workspace import workspace_blueprint

bp = workspace_blueprint("editor_jobs", __name__)
RECENT = 5  # finished stories shown below the unfinished ones


def stage_label(stage: str) -> str:
    return {"probe": _("Controleren"), "store": _("Bewaren"), "audio": _("Geluid omzetten"),
            "transcript": _("Uitschrijven"), "keywords": _("Trefwoorden"), "index": _("Zoekindex")}.get(stage, stage)


def state_label(state: str) -> str:
    return {"pending": _("wacht"), "running": _("bezig"), "done": _("klaar"), "failed": _("mislukt"),
            "needs_human": _("handwerk nodig"), "skipped": _("overgeslagen")}.get(state, state)


@bp.app_template_global()
def status_label(status: str) -> str:
    """A story's status in the editor's words (the jobs page, the story page and the workspace home)."""
    return {"pending": _("in behandeling"), "ready": _("klaar"), "failed": _("mislukt"),
            "needs_transcript": _("klaar, transcript met de hand")}.get(status, status)


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    if seconds < 60:
        return _("nog ongeveer {n} s", n=max(seconds, 1))
    return _("nog ongeveer {m} min {s} s", m=seconds // 60, s=seconds % 60)


def job_view(story: Story) -> dict:
    """One story's job as plain data (the page and the JSON share it)."""
    rows = {st.stage: st for st in story.stages}
    stages = []
    # Every stage in pipeline order; the ones not started yet have no row: they wait.
    for st in (rows.get(name) or StageState(stage=name, state="pending", progress=None) for name in STAGES):
        percent = int(round((st.progress or 0) * 100)) if st.state == "running" else (100 if st.state == "done" else 0)
        stages.append({"stage": st.stage, "label": stage_label(st.stage), "state": st.state,
                       "state_label": state_label(st.state), "percent": percent,
                       "eta": eta_text(st.eta_seconds) if st.state == "running" else "",
                       "error": _("Dit ging mis bij “{stage}”: {error}", stage=stage_label(st.stage), error=st.error)
                       if st.state == "failed" and st.error else ""})
    running = next((s for s in stages if s["state"] == "running"), None)
    failed = [s for s in stages if s["state"] == "failed"]
    done = finished(story.status) and not running and not failed
    return {"id": story.id, "slug": story.slug, "title": story.title, "status": story.status,
            "status_label": status_label(story.status), "stages": stages, "running": running,
            "errors": [s["error"] for s in failed], "retry": bool(failed), "finished": done,
            "published": bool(story.published),
            "duration": story.recording.duration if story.recording else None}


def current_jobs(session) -> list[dict]:
    busy = or_(Story.status.in_(UNFINISHED),
               Story.stages.any(StageState.state.in_(("pending", "running", "failed"))))
    load = (selectinload(Story.stages), selectinload(Story.recording))
    unfinished = list(session.scalars(select(Story).where(busy, outside_trash()).options(*load).order_by(Story.id)))
    recent = list(session.scalars(select(Story).where(~busy, outside_trash()).options(*load)
                                  .order_by(Story.updated_at.desc(), Story.id.desc()).limit(RECENT)))
    return [job_view(s) for s in unfinished + recent]


@bp.route("/jobs")
def jobs():
    with get_archive().session() as s:
        return render_template("editor/jobs.html", jobs=current_jobs(s))


@bp.route("/jobs.json")
def jobs_json():
    with get_archive().session() as s:
        response = jsonify({"jobs": current_jobs(s)})
    response.headers["Cache-Control"] = "no-store"
    return response


def retry_stages(story: Story) -> tuple[str, ...]:
    """The failed stage and the ones after it; a transcript that is already done is kept (it may hold
    editors' corrections), the stages after the failed one still run when they are not done."""
    names = list(RUN_STAGES)
    failed = [names.index(s.stage) for s in story.stages if s.state == "failed" and s.stage in names]
    if not failed:
        return ()
    later = names[min(failed):]
    return tuple(n for n in later if not (n == "transcript" and story.stage(n).state == "done" and n not in
                                          [names[i] for i in failed]))


@bp.route("/jobs/<int:story_id>/retry", methods=["POST"])
def retry(story_id: int):
    with get_archive().session() as s:
        story = s.get(Story, story_id)
        if story is None:
            raise NotFound(_("Deze taak bestaat niet (meer)."))
        redo = retry_stages(story)
        if not redo:
            raise Conflict(_("Bij {title} is niets mislukt; opnieuw proberen is niet nodig.", title=story.title))
        for st in story.stages:
            if st.state == "failed":
                st.state, st.error = "pending", None
        if story.status == "failed":
            story.status = "pending"  # so a worker that dies now has it re-queued (jobs.recover)
        s.commit()
        title = story.title
    queue.enqueue(get_huey(), story_id, redo=redo)
    flash(_("{title} staat weer in de wachtrij.", title=title))
    return redirect(url_for("editor_jobs.jobs"))
