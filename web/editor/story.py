"""/editor/story/<slug>: one story for editors — publish, access level, consent, and the transcript editor.

Publishing, access and consent changes go through verhalen.story_edits: a
compare-and-set on the story's meta_version (a stale page is a conflict, 409)
and the index follows in the same step, so public pages and search agree at once. Consent files live under
ARCHIVE/consent/ and are only ever sent to editors.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import flash, redirect, render_template, request, send_file, url_for
from werkzeug.utils import safe_join

from verhalen import story_edits
from verhalen.access import SHOWN_STATUSES, level_problem
from verhalen.catalog import ACCESS_LEVELS
from verhalen.editing import TranscriptEditor, review_score
from verhalen.errors import NotFound, UsageError, VerhalenError
from verhalen.transcript_guards import GAP

from ..context import get_archive
from ..i18n import gettext as _
from ..params import form_int
from ..transcript_html import LOW_WORD
from .jobs import job_view
from .upload import save_consent
from .workspace import LEVEL_PROBLEMS, workspace_blueprint

bp = workspace_blueprint("editor_story", __name__)


def segments_view(story) -> list[dict]:
    """Every segment (redacted ones too) with what the editor needs: version, words, doubt, and whether
    it is a gap (speech without recognised text) or text a guard rescued (verhalen.transcript_guards)."""
    out = []
    for seg in story.segments:
        words = seg.words or []
        out.append({"id": seg.id, "start": seg.start, "end": seg.end, "text": seg.text.strip(), "speaker": seg.speaker,
                    "version": seg.version, "redacted": seg.redacted, "n_words": len(words),
                    "doubtful": [w[2].strip() for w in words if w[3] is not None and w[3] < LOW_WORD],
                    "unsure": review_score(seg) < -1.0, "gap": seg.guard == GAP,
                    "rescued": seg.guard not in (None, GAP)})
    return out


@bp.route("/story/<slug>")
def story(slug: str):
    archive = get_archive()
    with archive.session() as s:
        st = archive.story(s, slug)
        editor = TranscriptEditor(archive, s, slug, "")
        speakers = sorted({seg.speaker for seg in st.segments if seg.speaker})
        people = [p.name for p in st.people()]
        return render_template(
            "editor/story.html", story=st, job=job_view(st), segments=segments_view(st), history=editor.history(),
            speakers=speakers, people=people, access_levels=ACCESS_LEVELS,
            has_mp3=archive.derived(st.id, "listen.mp3").is_file(),
            has_opus=archive.derived(st.id, "listen.opus").is_file())


def _back(slug: str, anchor: str | None = None):
    return redirect(url_for("editor_story.story", slug=slug, _anchor=anchor))


def _version() -> int:
    """The story's meta_version the editor's page showed (a stale one is a conflict, never an overwrite)."""
    return form_int(request.form, "meta_version")


@bp.route("/story/<slug>/publish", methods=["POST"])
def publish(slug: str):
    archive = get_archive()
    publish_it = request.form.get("published") == "1"
    with archive.session() as s:
        st = story_edits.publish(archive, s, archive.story(s, slug), publish_it, _version())
        if publish_it and st.status not in SHOWN_STATUSES:
            flash(_("Gepubliceerd: het verhaal verschijnt zodra de verwerking klaar is."))
        elif publish_it:
            flash(_("{title} is gepubliceerd.", title=st.title))
        else:
            flash(_("{title} is niet meer gepubliceerd.", title=st.title))
    return _back(slug, "publiceren")


@bp.route("/story/<slug>/access", methods=["POST"])
def set_access(slug: str):
    archive = get_archive()
    level = request.form.get("access", "")
    embargo = None
    if request.form.get("embargo_until"):
        try:
            embargo = dt.date.fromisoformat(request.form["embargo_until"])
        except ValueError:
            raise UsageError(_("Geef een datum als jjjj-mm-dd.")) from None
    problem = level_problem(level, embargo)
    if problem:
        raise UsageError(LEVEL_PROBLEMS[problem]())
    with archive.session() as s:
        story_edits.set_access(archive, s, archive.story(s, slug), level, embargo, _version())
    flash(_("Toegang aangepast."))
    return _back(slug, "toegang")


@bp.route("/story/<slug>/consent", methods=["POST"])
def consent(slug: str):
    archive = get_archive()
    notes = (request.form.get("consent_notes") or "").strip()
    limit = story_edits.consent_notes_problem(archive.settings, notes)
    if limit is not None:  # before the consent file is saved: a refused form leaves nothing behind
        raise UsageError(_("De toelichting is te lang: hoogstens {n} tekens.", n=limit))
    version = _version()
    with archive.session() as s:
        st = archive.story(s, slug)
        old = st.consent_file
        saved = save_consent(archive.settings, st.slug, request.files.get("consent_file"))
        try:
            story_edits.set_consent(archive, s, st, notes, saved, version)
        except VerhalenError:
            if saved:
                archive.settings.in_home(saved).unlink(missing_ok=True)
            raise
        if saved and old and old != saved:
            archive.settings.in_home(old).unlink(missing_ok=True)
    flash(_("Toestemming bewaard."))
    return _back(slug, "toestemming")


@bp.route("/story/<slug>/consent-file")
def consent_file(slug: str):
    archive = get_archive()
    with archive.session() as s:
        st = archive.story(s, slug)
        path = safe_join(str(archive.settings.consent_dir), st.consent_file.split("/", 1)[-1]) \
            if st.consent_file else None
    if not path or not Path(path).is_file():
        raise NotFound(_("Bij dit verhaal is geen toestemmingsbestand bewaard."))
    response = send_file(path, as_attachment=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response
