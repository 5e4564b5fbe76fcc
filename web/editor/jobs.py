"""/editor/jobs: each unfinished story's stages with live progress and ETA, errors in plain words, retry,
and cancel (/editor/jobs/<id>/cancel: a confirmation offering the choice, then verhalen.cancel).

The page is complete without JavaScript (a reload shows the state);
web/static/editor.js polls /editor/jobs.json and updates it in place. The cancel is a link to its
confirmation, not a form on the list: editor.js reloads the list when its forms (the retries) change.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import object_session, selectinload

from verhalen import cancel as cancelling
from verhalen import jobs as queue
from verhalen import outbox
from verhalen.access import outside_trash
from verhalen.catalog import StageState, Story
from verhalen.lifecycle import STAGES, UNFINISHED, finished
from verhalen.errors import Conflict, NotFound, UsageError

from ..context import get_archive, get_huey
from ..i18n import gettext as _
from .workspace import workspace_blueprint

bp = workspace_blueprint("editor_jobs", __name__)
RECENT = 5  # finished stories shown below the unfinished ones


def stage_label(stage: str) -> str:
    return {"probe": _("Controleren"), "store": _("Bewaren"), "audio": _("Geluid omzetten"),
            "transcript": _("Uitschrijven"), "speakers": _("Sprekers"), "keywords": _("Trefwoorden"),
            "contents": _("Inhoudsopgave"), "index": _("Zoekindex")}.get(stage, stage)


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


def refusal_text(reason: str, title: str) -> str:
    """Why a cancel is refused (verhalen.cancel.refusal), in the editor's words."""
    return {cancelling.IN_TRASH: _("{title} staat in de prullenbak; daar is niets te annuleren.", title=title),
            cancelling.ALREADY: _("{title} is al geannuleerd. Met “Opnieuw proberen” gaat het verder.", title=title),
            cancelling.FINISHED: _("{title} is al klaar: er loopt of wacht niets meer, dus er is niets te annuleren.",
                                   title=title),
            cancelling.STOPPED: _("Bij {title} is iets mislukt, dus er loopt of wacht niets. Kies “Opnieuw proberen”, "
                                  "of verwijder het verhaal.", title=title),
            cancelling.MUTING: _("Bij {title} wordt een afgeschermde passage in het geluid gedempt; dat kan niet "
                                 "geannuleerd worden. Het duurt meestal maar even.", title=title),
            cancelling.NOT_NEW: _("{title} was al eerder klaar en gaat daarom niet met het annuleren naar de "
                                  "prullenbak. Verwijderen kan op de pagina van het verhaal.", title=title),
            }[reason]


def _owing_audio(story: Story) -> bool:
    session = object_session(story)
    return session is not None and cancelling.owes_audio(session, story.id)


def job_view(story: Story, owing_audio: set[int] | None = None) -> dict:
    """One story's job as plain data (the page and the JSON share it); `owing_audio`: the stories whose
    listening copies still owe a redaction's mute (asked per story when not given)."""
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
    cancelled = story.cancelled_at is not None
    # A cancelled job whose worker has not reached its next check yet: it is being stopped.
    stopping = cancelled and cancelling.being_run(story, get_archive().settings.worker_lease_seconds)
    owes = story.id in owing_audio if owing_audio is not None else _owing_audio(story)
    done = finished(story.status) and not running and not failed and not cancelled
    label = (_("wordt gestopt") if stopping else _("geannuleerd")) if cancelled else status_label(story.status)
    return {"id": story.id, "slug": story.slug, "title": story.title, "status": story.status,
            "status_label": label, "stages": stages, "running": running,
            "errors": [s["error"] for s in failed], "retry": bool(failed) or (cancelled and not stopping),
            "finished": done, "published": bool(story.published),
            "cancelled": cancelled, "stopping": stopping,
            "cancelled_note": _("Geannuleerd door {name} op {at}.", name=story.cancelled_by or "?",
                                at=story.cancelled_at.strftime("%Y-%m-%d %H:%M")) if cancelled else "",
            "cancel": cancelling.refusal(story, owes) is None,
            "duration": story.recording.duration if story.recording else None}


def current_jobs(session) -> list[dict]:
    busy = or_(Story.status.in_(UNFINISHED),
               Story.stages.any(StageState.state.in_(("pending", "running", "failed"))))
    load = (selectinload(Story.stages), selectinload(Story.recording))
    unfinished = list(session.scalars(select(Story).where(busy, outside_trash()).options(*load).order_by(Story.id)))
    recent = list(session.scalars(select(Story).where(~busy, outside_trash()).options(*load)
                                  .order_by(Story.updated_at.desc(), Story.id.desc()).limit(RECENT)))
    owing = set(outbox.audio_stories(session))
    return [job_view(s, owing) for s in unfinished + recent]


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


@bp.route("/jobs/<int:story_id>/retry", methods=["POST"])
def retry(story_id: int):
    """A failed stage and the ones after it, or what a cancel left undone, go back in the queue (verhalen.jobs.retry)."""
    archive = get_archive()
    with archive.session() as s:
        story = _job(s, story_id)
        if not queue.can_retry(story):
            raise Conflict(_("Bij {title} is niets mislukt; opnieuw proberen is niet nodig.", title=story.title))
        if story.cancelled_at is not None and cancelling.being_run(story, archive.settings.worker_lease_seconds):
            raise Conflict(_("{title} wordt nog gestopt; probeer het zo opnieuw.", title=story.title))
        redo = queue.retry(archive, s, story)
        title = story.title
    if not redo:  # the cancel stopped nothing that is still undone
        flash(_("{title} is niet meer geannuleerd; er was niets meer te doen.", title=title))
        return redirect(url_for("editor_jobs.jobs"))
    queue.enqueue(get_huey(), story_id, redo=redo)
    flash(_("{title} staat weer in de wachtrij.", title=title))
    return redirect(url_for("editor_jobs.jobs"))


def _job(session, story_id: int) -> Story:
    story = session.get(Story, story_id)
    if story is None:
        raise NotFound(_("Deze taak bestaat niet (meer)."))
    return story


@bp.route("/jobs/<int:story_id>/cancel", methods=["GET", "POST"])
def cancel(story_id: int):
    """GET: the confirmation, offering the choice (the story stays as it is, or a new upload goes to the
    trash); POST: cancel (verhalen.cancel.request). A finished job is refused, in words."""
    archive = get_archive()
    with archive.session() as s:
        story = _job(s, story_id)
        owes = cancelling.owes_audio(s, story.id)
        if request.method == "GET":
            reason = cancelling.refusal(story, owes)
            return render_template("editor/jobs.html", confirm={
                "job": job_view(story, {story.id} if owes else set()),
                "refusal": refusal_text(reason, story.title) if reason else "",
                "removable": cancelling.removable(story), "days": archive.settings.trash_days})
        then = request.form.get("then", "keep")
        if then not in ("keep", "trash"):
            raise UsageError(_("Kies of het verhaal blijft zoals het is of naar de prullenbak gaat."))
        reason = cancelling.refusal(story, owes, remove=then == "trash")
        if reason:
            raise Conflict(refusal_text(reason, story.title))
        title = story.title
        running = cancelling.request(archive, s, story, current_user.name, remove=then == "trash")
    if then == "trash":
        flash(_("{title} is geannuleerd en staat in de prullenbak; daar kun je het {days} dagen terugzetten.",
                title=title, days=archive.settings.trash_days))
    elif running:
        flash(_("{title} wordt gestopt. Wat klaar was blijft klaar; met “Opnieuw proberen” gaat het later verder.",
                title=title))
    else:
        flash(_("{title} is geannuleerd en begint niet. Met “Opnieuw proberen” gaat het alsnog verder.", title=title))
    return redirect(url_for("editor_jobs.jobs"))
