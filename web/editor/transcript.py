"""Transcript correction from the browser: save, split, merge, speaker, redact (whole passages or some
words, after a confirmation), text typed where there is none, a stretch re-done by the model (reviewed
before it replaces anything), the speakers (voices named, merged, swapped), revert; the review queue.

Each action is a POST (CSRF-protected) that calls verhalen.editing.TranscriptEditor.
With `Accept: application/json` (web/static/editor.js) the answer is JSON, and a
stale save is 409 with the message; without JavaScript it redirects back to the
segment with the message shown at the top.
"""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from sqlalchemy import select

from verhalen import jobs as queue
from verhalen import redo as redo_stretch
from verhalen.catalog import Segment, SegmentEdit, Story
from verhalen.editing import (STORY_VOICES, TranscriptEditor, cut_out, review_queue, segment_snapshots, voice_rows,
                              voices_snapshot)
from verhalen.errors import Conflict, StaleVersion, UsageError, VerhalenError
from verhalen.transcript_guards import GAP

from .. import core_messages
from ..context import get_archive, get_huey
from ..transcript_html import LOW_WORD
from ..i18n import gettext as _
from .workspace import workspace_blueprint
from ..params import form_int, parse_time
from .upload import LANGUAGES

bp = workspace_blueprint("editor_transcript", __name__)


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _int(name: str, required: bool = True) -> int | None:
    return form_int(request.form, name, required)


def conflict_message(session, story_id: int) -> str:
    """The plain words an editor sees when someone else saved first."""
    last = session.scalar(select(SegmentEdit).where(SegmentEdit.story_id == story_id).order_by(SegmentEdit.id.desc()))
    who = _(" door {user} om {time}", user=last.user, time=f"{last.at:%H:%M}") if last else ""
    return _("Deze passage is intussen gewijzigd{who}. Jouw wijziging is niet bewaard: laad de pagina opnieuw "
             "en breng je correctie nog eens aan.", who=who)


def doubtful_words(seg) -> list[str]:
    """The words of a passage the model was unsure of, as the editor's hint lists them."""
    return [w[2].strip() for w in seg.words or [] if w[3] is not None and w[3] < LOW_WORD]


def voice_label(voice: str) -> str:
    """What a voice without a name is called on a page ("Spreker A" / "Speaker A")."""
    return _("Spreker {voice}", voice=voice)


def _voices_change(before: dict, after: dict) -> list[dict]:
    """A change of the story's voices as the history shows it: per voice its name before and after, or
    which voice it was merged into."""
    was, now = before[STORY_VOICES], after[STORY_VOICES]
    merged = after.get("merged") or {}
    out = []
    for v in sorted(set(was) | set(now)):
        old, new = (was.get(v) or {}).get("name"), (now.get(v) or {}).get("name")
        if v in merged or old != new or v not in now or v not in was:
            out.append({"label": voice_label(v), "old": old, "new": new, "gone": v not in now,
                        "into": voice_label(merged[v]) if v in merged else None, "back": v not in was})
    return out


def history_view(edits) -> list[dict]:
    """Each change as the history shows it: text before and after; for a speaker change the names; for a
    redaction which words (and how long) were hidden or shown again; for the voices each one's name before
    and after (or where it was merged) and how many passages followed."""
    out = []
    for e in edits:
        view = {"edit": e, "kind": "text"}
        was, now = voices_snapshot(e.before), voices_snapshot(e.after)
        if was is not None and now is not None:
            view["kind"] = "voices"
            view["voices"] = _voices_change(was, now)
            view["passages"] = len(segment_snapshots(e.after))
        elif e.action == "speaker":
            view["kind"] = "speaker"
            view["pairs"] = [(b["start"], b.get("speaker"), a.get("speaker")) for b, a in zip(e.before, e.after)]
        elif e.action in ("redact", "unredact"):
            view["kind"] = "redaction"
            was = {(d["start"], d["end"]) for d in e.before if d.get("redacted")}
            now = {(d["start"], d["end"]) for d in e.after if d.get("redacted")}
            changed = (now - was) if e.action == "redact" else (was - now)
            source = e.after if e.action == "redact" else e.before
            view["passages"] = [(d["start"], max(1, round(d["end"] - d["start"])), d["text"].strip())
                                for d in source if (d["start"], d["end"]) in changed]
        out.append(view)
    return out


def _segment_json(seg: Segment) -> dict:
    return {"id": seg.id, "version": seg.version, "text": seg.text.strip(), "speaker": seg.speaker,
            "voice": seg.voice, "speaker_fixed": seg.speaker_fixed,
            "redacted": seg.redacted, "start": seg.start, "end": seg.end, "doubtful": doubtful_words(seg)}


def _act(slug: str, anchor: int | None, action, section: str = "transcript", stale=None):
    """Run `action(editor, session)` and answer as JSON or with a redirect (to passage `anchor`, else to
    `section`); errors in plain words, a stale save in `stale(session, story_id)`'s (default: a passage's)."""
    archive = get_archive()
    with archive.session() as s:
        # The listening copies are rebuilt by a job when a change alters what they mute; the pending
        # row written with the change re-queues it if this process dies first (jobs.recover).
        editor = TranscriptEditor(archive, s, slug, current_user.name, remix_here=False)
        try:
            result, message = action(editor, s)
        except Conflict as e:
            s.rollback()
            text = (stale or conflict_message)(s, editor.story.id) if isinstance(e, StaleVersion) else core_messages.text(e)
            return _fail(slug, anchor, text, 409, section)
        except VerhalenError as e:
            s.rollback()
            return _fail(slug, anchor, core_messages.text(e), e.http_status, section)
        if wants_json():
            return jsonify({"ok": True, "message": message,
                            "segments": [_segment_json(x) for x in result if isinstance(x, Segment)]})
    flash(message)
    return redirect(url_for("editor_story.story", slug=slug, _anchor=f"s{anchor}" if anchor else section))


def _fail(slug: str, anchor: int | None, message: str, status: int, section: str = "transcript"):
    if wants_json():
        # The page puts it in with textContent: plain text, entities resolved.
        plain = message.striptags() if isinstance(message, Markup) else str(message)
        return jsonify({"ok": False, "error": plain}), status
    flash(message, "error")
    return redirect(url_for("editor_story.story", slug=slug, _anchor=f"s{anchor}" if anchor else section))


@bp.route("/story/<slug>/segment/<int:segment_id>/save", methods=["POST"])
def save(slug: str, segment_id: int):
    text = request.form.get("text", "")
    return _act(slug, segment_id, lambda ed, s: ([ed.edit_text(segment_id, text, _int("version"))], _("Bewaard.")))


@bp.route("/story/<slug>/segment/<int:segment_id>/split", methods=["POST"])
def split(slug: str, segment_id: int):
    return _act(slug, segment_id, lambda ed, s: (ed.split(segment_id, _int("at_word"), _int("version")),
                                                  _("De passage is gesplitst.")))


@bp.route("/story/<slug>/segment/<int:segment_id>/merge", methods=["POST"])
def merge(slug: str, segment_id: int):
    return _act(slug, segment_id, lambda ed, s: ([ed.merge_with_next(segment_id, _int("version"))],
                                                  _("Samengevoegd met de volgende passage.")))


@bp.route("/story/<slug>/segment/<int:segment_id>/speaker", methods=["POST"])
def speaker(slug: str, segment_id: int):
    """A passage's speaker set by hand (it keeps it when its voice is renamed, or the speakers stage runs
    again); `release=1`, or an empty name on a passage with a voice, gives it back to its voice."""
    name = request.form.get("speaker", "").strip() or None

    def action(ed: TranscriptEditor, s):
        versions = {segment_id: _int("version")}
        seg = s.get(Segment, segment_id)
        if request.form.get("release") == "1" or (name is None and seg is not None and seg.voice):
            segs = ed.release_speaker([segment_id], versions)
            return segs, _("De passage volgt weer {voice}.", voice=voice_label(segs[0].voice)) if segs[0].voice \
                else _("Spreker aangepast.")
        return ed.set_speaker([segment_id], name, versions), _("Spreker aangepast.")
    return _act(slug, segment_id, action)


@bp.route("/story/<slug>/segment/<int:segment_id>/redact", methods=["POST"])
def redact(slug: str, segment_id: int):
    hide = request.form.get("redacted", "1") == "1"

    def action(ed: TranscriptEditor, s):
        version = _int("version", required=False)
        segs = ed.redact([segment_id], redacted=hide, versions={segment_id: version} if version is not None else None)
        # The listening copies are rebuilt by a job, with the passage muted (or audible again).
        queue.enqueue(get_huey(), ed.story.id, redo=("audio",))
        return segs, (_("Afgeschermd: de passage is verborgen voor publiek en zoeken; het geluid wordt gedempt.")
                      if hide else _("De passage is weer zichtbaar; het geluid wordt hersteld."))
    return _act(slug, segment_id, action)


def _time(name: str) -> float:
    value = parse_time(request.form.get(name))
    if value is None:
        raise UsageError(_("Geef een tijd als 1:15 of 75 (seconden)."))
    return value


@bp.route("/story/<slug>/segment/<int:segment_id>/redact-words", methods=["POST"])
def redact_words(slug: str, segment_id: int):
    """Some words of a passage hidden and muted; first a page that names them, then the change."""
    try:
        first, last = _int("first"), _int("last")
    except UsageError as e:
        return _fail(slug, segment_id, _("Kies de woorden om af te schermen: van woord ... tot en met woord ...."), e.http_status)
    if request.form.get("confirm") != "1":
        with get_archive().session() as s:
            seg = s.get(Segment, segment_id)
            story = s.get(Story, seg.story_id) if seg is not None else None
            if story is None or story.slug != slug:
                return _fail(slug, None, _("Deze passage bestaat niet (meer)."), 404)
            words = seg.words or []
            if not (1 <= first <= last <= len(words)):
                return _fail(slug, segment_id, _("Kies woorden tussen 1 en {n}.", n=len(words)), 400)
            # The piece the change will hide, cut by the same rule (so the page names exactly what goes).
            hidden = next(p for p in cut_out(seg.as_dict(), first - 1, last - 1) if p["redacted"])
            return render_template("editor/redact_words.html", story=story, seg=seg, first=first, last=last,
                                   words=hidden["text"].strip(), start=hidden["start"], end=hidden["end"],
                                   seconds=max(1, round(hidden["end"] - hidden["start"])))

    def action(ed: TranscriptEditor, s):
        segs = ed.redact_words(segment_id, first - 1, last - 1, _int("version"))
        queue.enqueue(get_huey(), ed.story.id, redo=("audio",))
        return segs, _("Afgeschermd: alleen die woorden zijn verborgen en worden gedempt.")
    return _act(slug, segment_id, action)


@bp.route("/story/<slug>/insert", methods=["POST"])
def insert(slug: str):
    """Text an editor heard where the transcript has none; word times spread over the chosen range."""
    def action(ed: TranscriptEditor, s):
        seg = ed.insert(_time("start"), _time("end"), request.form.get("text", ""),
                        request.form.get("speaker", "").strip() or None)
        return [seg], _("De tekst is toegevoegd.")
    return _act(slug, None, action)


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="verhalen.redo")


@bp.route("/story/<slug>/redo", methods=["GET", "POST"])
def redo(slug: str):
    """Choose a stretch (GET), or have the model transcribe it and show the result next to the old text (POST)."""
    archive = get_archive()
    with archive.session() as s:
        story = archive.story(s, slug)
        segs = sorted(story.segments, key=lambda x: x.start)
        start_id = form_int(request.values, "from", required=False)
        first = next((x for x in segs if x.id == start_id), segs[0] if segs else None)
        if first is None:
            return _fail(slug, None, _("Dit verhaal heeft nog geen transcript."), 400)
        limit = archive.settings.max_redo_seconds
        choices = [x for x in segs if x.start >= first.start and x.end - first.start <= limit] or [first]
        if request.method == "GET":
            return render_template("editor/redo.html", story=story, first=first, choices=choices,
                                   languages=LANGUAGES, limit=limit, old=None)
        until = next((x for x in segs if x.id == form_int(request.form, "until", required=False)), first)
        language = request.form.get("language") or None
        with_vocabulary = request.form.get("vocabulary") == "1"
        try:
            where = redo_stretch.stretch(story, first.start, max(until.end, first.end), limit)
            proposal = redo_stretch.propose(archive, s, story, where, language, with_vocabulary)
        except VerhalenError as e:
            return _fail(slug, first.id, core_messages.text(e), e.http_status)
        old = redo_stretch.touching(story.segments, where.start, where.end)
        token = _signer().dumps({"where": where.as_dict(), "segments": proposal})
        return render_template("editor/redo.html", story=story, first=first, choices=choices, languages=LANGUAGES,
                               limit=limit, old=old, proposal=proposal, token=token, where=where,
                               chosen_until=until.id, chosen_language=language, with_vocabulary=with_vocabulary)


@bp.route("/story/<slug>/redo/accept", methods=["POST"])
def redo_accept(slug: str):
    try:
        data = _signer().loads(request.form.get("proposal", ""))
    except BadSignature:
        return _fail(slug, None, _("Dit voorstel is niet (meer) geldig. Laat het stuk opnieuw herkennen."), 400)
    where = redo_stretch.Stretch.from_dict(data["where"])

    def action(ed: TranscriptEditor, s):
        return ed.replace_stretch(where, data["segments"]), _("De nieuwe tekst staat erin. Je kunt het terugdraaien in de geschiedenis.")
    return _act(slug, None, action)


def speakers_panel(story) -> dict:
    """The story's voices for the Sprekers panel (label, name, talk time, share), each passage's voice and
    whether its speaker was set by hand, and the names to choose from (the story's people)."""
    rows = [{**r, "label": voice_label(r["voice"]), "percent": round(100 * r["share"])}
            for r in voice_rows(story.voices or {}, story.turns or [])]
    people = list(dict.fromkeys(p.name for p in story.people()))
    segments = {seg.id: {"voice": seg.voice, "fixed": seg.speaker_fixed,
                         "label": voice_label(seg.voice) if seg.voice else None} for seg in story.segments}
    return {"voices": rows, "segments": segments, "people": people}


# The story page's view (web/editor/story.py) hands the template the story; the panel is built from it here.
bp.add_app_template_global(speakers_panel)


def _voices_stale(session, story_id: int) -> str:
    last = session.scalar(select(SegmentEdit).where(SegmentEdit.story_id == story_id).order_by(SegmentEdit.id.desc()))
    who = _(" door {user} om {time}", user=last.user, time=f"{last.at:%H:%M}") if last else ""
    return _("De sprekers van dit verhaal zijn intussen gewijzigd{who}. Jouw wijziging is niet bewaard: laad de "
             "pagina opnieuw en probeer het nog eens.", who=who)


def _voice_field(name: str) -> str:
    value = (request.form.get(name) or "").strip()
    if not value:
        raise UsageError(_("Kies een spreker."))
    return value


@bp.route("/story/<slug>/voices/name", methods=["POST"])
def name_voice(slug: str):
    """A voice named: one of the story's people (the select) or a new name (the text field, which wins)."""
    def action(ed: TranscriptEditor, s):
        voice = _voice_field("voice")
        name = (request.form.get("name") or "").strip() or (request.form.get("person") or "").strip()
        if not name:
            raise UsageError(_("Kies een persoon of typ een naam voor {voice}.", voice=voice_label(voice)))
        ed.name_voice(voice, name, _int("meta_version", required=False))
        named = (ed.story.voices.get(voice) or {}).get("name") or name
        return [], _("{voice} heet nu {name}.", voice=voice_label(voice), name=named)
    return _act(slug, None, action, section="sprekers", stale=_voices_stale)


@bp.route("/story/<slug>/voices/merge", methods=["POST"])
def merge_voices(slug: str):
    def action(ed: TranscriptEditor, s):
        voice, into = _voice_field("voice"), _voice_field("into")
        ed.merge_voices(voice, into, _int("meta_version", required=False))
        return [], _("{voice} is samengevoegd met {into}.", voice=voice_label(voice), into=voice_label(into))
    return _act(slug, None, action, section="sprekers", stale=_voices_stale)


@bp.route("/story/<slug>/voices/swap", methods=["POST"])
def swap_voices(slug: str):
    def action(ed: TranscriptEditor, s):
        a, b = _voice_field("a"), _voice_field("b")
        ed.swap_voices(a, b, _int("meta_version", required=False))
        return [], _("De namen van {a} en {b} zijn omgewisseld.", a=voice_label(a), b=voice_label(b))
    return _act(slug, None, action, section="sprekers", stale=_voices_stale)


@bp.route("/story/<slug>/speakers", methods=["POST"])
def rename_speaker(slug: str):
    old, new = request.form.get("old", ""), request.form.get("new", "").strip()
    if not new:
        return _fail(slug, None, _("Geef de nieuwe naam van de spreker."), 400)
    return _act(slug, None, lambda ed, s: (ed.rename_speaker(old, new),
                                           _("{old} heet nu {new}.", old=old, new=new)))


@bp.route("/story/<slug>/revert/<int:edit_id>", methods=["POST"])
def revert(slug: str, edit_id: int):
    def action(ed: TranscriptEditor, s):
        ed.revert(edit_id)  # keywords and index are updated by the revert itself
        undone = s.get(SegmentEdit, edit_id)
        if undone is not None and undone.action in ("redact", "unredact"):
            # Hidden again or shown again: the muted listening copy follows, in a job.
            queue.enqueue(get_huey(), ed.story.id, redo=("audio",))
        return [], _("De wijziging is teruggedraaid.")
    return _act(slug, None, action)


@bp.route("/review")
def review():
    """Passages the model was least sure of, worst first, each linking into the editor at that passage."""
    with get_archive().session() as s:
        rows = review_queue(s, limit=50)
        titles = dict(s.execute(select(Story.id, Story.title)).all())
        slugs = dict(s.execute(select(Story.id, Story.slug)).all())
        items = [{"story": titles[seg.story_id], "slug": slugs[seg.story_id], "id": seg.id, "start": seg.start,
                  "text": seg.text.strip(), "score": score, "gap": seg.guard == GAP,
                  "doubtful": sum(1 for w in seg.words or [] if w[3] is not None and w[3] < LOW_WORD)}
                 for seg, score in rows]
    return render_template("editor/review.html", items=items)
