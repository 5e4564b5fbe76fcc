"""/editor/story/<slug>: one story for editors — its details, publish, access level, consent, and the transcript editor.

The details (title, description, date, series, people, places, themes, language) go through
verhalen.story_metadata, publishing, access and consent through verhalen.story_edits: each a
compare-and-set on the story's meta_version (a stale page is a conflict, 409)
and the index follows in the same step, so public pages and search agree at once. Consent files live under
ARCHIVE/consent/ and are only ever sent to editors.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.utils import safe_join

from verhalen import licences, story_edits, story_metadata
from verhalen.access import SHOWN_STATUSES, level_problem
from verhalen.catalog import ACCESS_LEVELS, ROLES, Person
from verhalen.editing import TranscriptEditor, review_score
from verhalen.errors import NotFound, UsageError, VerhalenError
from verhalen.transcript_guards import GAP

from .. import core_messages
from ..context import get_archive
from ..i18n import gettext as _
from ..params import form_int
from .jobs import job_view
from .transcript import doubtful_words, history_view
from .upload import LANGUAGES, licence_choices, save_consent
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
                    "doubtful": doubtful_words(seg),
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
            "editor/story.html", story=st, job=job_view(st), segments=segments_view(st),
            history=history_view(editor.history()),
            speakers=speakers, people=people, access_levels=ACCESS_LEVELS, roles=ROLES, languages=LANGUAGES,
            everyone=list(s.scalars(select(Person.name).order_by(Person.name))),
            meta_history=_history_view(story_metadata.history(s, st)), field_names=FIELD_NAMES,
            licence_choices=licence_choices(archive.settings, licences.parse(st.licence).code if st.licence else ""),
            has_mp3=archive.derived(st.id, "listen.mp3").is_file(),
            has_opus=archive.derived(st.id, "listen.opus").is_file())


ROLE_NAMES = {"narrator": lambda: _("verteller"), "interviewer": lambda: _("interviewer"),
              "host": lambda: _("presentator"), "guest": lambda: _("gast")}


def _history_view(rows) -> list[dict]:
    """The details' history with people's roles in the editor's language ("Basma (narrator)" -> "(verteller)")."""
    def shown(name, value):
        if name == "people" and isinstance(value, list):
            return [re.sub(r"\((\w+)\)$", lambda m: f"({ROLE_NAMES[m[1]]()})" if m[1] in ROLE_NAMES else m[0], v)
                    for v in value]
        return value
    return [{"id": e.id, "at": e.at, "user": e.user,
             "before": {k: shown(k, v) for k, v in e.before.items()},
             "after": {k: shown(k, v) for k, v in e.after.items()}} for e in rows]


def _back(slug: str, anchor: str | None = None):
    return redirect(url_for("editor_story.story", slug=slug, _anchor=anchor))


# Each field of the details form, named as the history shows it.
FIELD_NAMES = {"title": lambda: _("titel"), "description": lambda: _("beschrijving"),
               "recorded": lambda: _("opnamedatum"), "series": lambda: _("serie"), "people": lambda: _("personen"),
               "places": lambda: _("plaatsen"), "themes": lambda: _("thema's"), "language": lambda: _("taal"),
               "access": lambda: _("toegang"), "embargo_until": lambda: _("embargo tot"),
               "consent_notes": lambda: _("toestemming"), "published": lambda: _("gepubliceerd"),
               "licence": lambda: _("licentie"),
               "consent_file": lambda: _("toestemmingsformulier")}
# story_metadata's problems (MetadataProblem.code) in the editor's words.
DETAIL_PROBLEMS = {
    "empty_title": lambda p: _("Een verhaal heeft een titel nodig."),
    "too_long": lambda p: _("Het veld {field} is te lang; maak het korter.",
                            field=FIELD_NAMES.get(p.field, lambda: p.field)()),
    "role": lambda p: _("Kies een rol uit de lijst."),
    "empty_name": lambda p: _("Een persoon heeft een naam nodig."),
    "not_credited": lambda p: _("{name} staat niet bij dit verhaal.", name=p.params.get("name", "")),
    "name_taken": lambda p: _("Er is al iemand die {name} heet. Koppel de vermelding aan die persoon in plaats "
                              "van te hernoemen.", name=p.params.get("name", "")),
    "unknown_person": lambda p: _("Er is niemand die {name} heet om aan te koppelen; voeg die persoon toe.",
                                  name=p.params.get("name", "")),
    "no_place": lambda p: _("{name} is geen plaats van dit verhaal.", name=p.params.get("name", "")),
    "no_theme": lambda p: _("{name} is geen thema van de redactie bij dit verhaal.", name=p.params.get("name", "")),
    "language": lambda p: _("Geef een taalcode zoals nl, en of ar."),
    "licence": lambda p: _("Kies een licentie uit de lijst."),
    "date": lambda p: _("Geef een datum als jjjj-mm-dd."),
    "embargo_without_level": lambda p: _("Een embargodatum hoort alleen bij een verhaal onder embargo."),
    "level": lambda p: LEVEL_PROBLEMS["level"](),
    "embargo_date": lambda p: LEVEL_PROBLEMS["embargo_date"](),
}


def _date_field(name: str):
    value = (request.form.get(name) or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(_("Geef een datum als jjjj-mm-dd.")) from None


def _names(field: str) -> list[str]:
    """A text field of names separated by ; or , (as the upload form takes them)."""
    return [n.strip() for n in (request.form.get(field) or "").replace(";", ",").split(",") if n.strip()]


def details_from_form(story) -> story_metadata.Changes:
    """The details form as story_metadata.Changes: its text fields as they are (an empty date or series clears
    it, an empty language keeps the story's), ticked people, places and themes removed, new ones added."""
    form = request.form
    credits = {str(c.id): c for c in story.credits}
    ch = story_metadata.Changes(
        title=form.get("title", ""), description=form.get("description", ""), recorded=_date_field("recorded"),
        series=(form.get("series") or "").strip() or None,
        remove_people=[(credits[i].person.name, credits[i].role) for i in form.getlist("remove_credit")
                       if i in credits],
        remove_places=form.getlist("remove_place"), remove_themes=form.getlist("remove_theme"),
        add_places=_names("add_places"), add_themes=_names("add_themes"))
    if (form.get("language") or "").strip():
        ch.language = form["language"].strip()
    if "licence" in form:  # a form from before the licence field leaves it alone
        ch.licence = form["licence"]
    if (form.get("rename_old") or "").strip() and (form.get("rename_new") or "").strip():
        ch.rename_people.append((form["rename_old"], form["rename_new"]))
    if (form.get("link_old") or "").strip() and (form.get("link_to") or "").strip():
        ch.link_people.append((form["link_old"], form["link_to"]))
    if (form.get("add_person_name") or "").strip():
        ch.add_people.append((form["add_person_name"], form.get("add_person_role") or "narrator"))
    return ch


@bp.route("/story/<slug>/details", methods=["POST"])
def details(slug: str):
    archive = get_archive()
    version = _version()
    with archive.session() as s:
        st = archive.story(s, slug)
        before = st.meta_version
        try:
            st = story_metadata.edit(archive, s, st, details_from_form(st), version, user=current_user.name)
        except story_metadata.MetadataProblem as e:
            raise UsageError(DETAIL_PROBLEMS[e.code](e) if e.code in DETAIL_PROBLEMS else core_messages.text(e)) \
                from None
        flash(_("Gegevens bewaard.") if st.meta_version != before else _("Er was niets veranderd."))
    return _back(slug, "gegevens")


def _version() -> int:
    """The story's meta_version the editor's page showed (a stale one is a conflict, never an overwrite)."""
    return form_int(request.form, "meta_version")


@bp.route("/story/<slug>/publish", methods=["POST"])
def publish(slug: str):
    archive = get_archive()
    publish_it = request.form.get("published") == "1"
    with archive.session() as s:
        st = story_edits.publish(archive, s, archive.story(s, slug), publish_it, _version(),
                                 user=current_user.name)
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
        story_edits.set_access(archive, s, archive.story(s, slug), level, embargo, _version(),
                               user=current_user.name)
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
            story_edits.set_consent(archive, s, st, notes, saved, version, user=current_user.name)
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
