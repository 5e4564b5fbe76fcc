"""Public pages: home, story (the interview reader: player, table of contents, transcript with speakers,
search inside the story, deep links), story JSON."""

from __future__ import annotations

from collections import OrderedDict

from flask import Blueprint, current_app, g, jsonify, render_template, url_for
from sqlalchemy import select

from verhalen import access, index_points, themes
from verhalen.catalog import Segment, Story
from verhalen.exports import mmss

from . import queries, sharing, story_search, transcript_html
from .params import parse_time, query_text, query_time  # noqa: F401 (parse_time: imported from here too)
from .i18n import gettext as _
from .context import get_archive

bp = Blueprint("public", __name__)


def story_meta(story: Story, publish_keywords: bool = False) -> dict:
    """Plain metadata of a visible story (also the JSON body): editors' themes, and the keywords an
    editor accepted (all proposals too where the archive publishes them unreviewed: verhalen.themes)."""
    shown = themes.shown_sources(publish_keywords)
    return {
        "slug": story.slug, "title": story.title, "description": story.description or "",
        "recorded": story.recorded.isoformat() if story.recorded else None, "language": story.language,
        "duration": story.recording.duration if story.recording else None,
        "series": {"name": story.series.name, "slug": story.series.slug} if story.series else None,
        "people": [{"name": c.person.name, "slug": c.person.slug, "role": c.role} for c in story.credits],
        "places": [{"name": p.name, "slug": p.slug} for p in story.places],
        "themes": [{"name": t.name, "slug": t.slug} for t in story.themes(themes.EDITOR)],
        "keywords": [{"name": st.theme.name, "slug": st.theme.slug} for st in story.story_themes
                     if st.source in shown and st.source != themes.EDITOR],
    }


@bp.route("/")
def home():
    with get_archive().session() as s:
        return render_template("home.html", stories=queries.visible_stories(s, limit=12),
                               series=queries.visible_series(s),
                               narrators=queries.visible_people(s, ("narrator", "host")))


def contents(points: list[dict], duration: float | None) -> list[dict]:
    """The table of contents from the index as readers get it (verhalen.index_points.shown_points, in time
    order): each part ends where the next starts, the last at the end of the recording."""
    rows = [dict(p) for p in points]
    for here, after in zip(rows, rows[1:] + [None]):
        here["end"] = after["start"] if after else duration
    return rows


@bp.route("/verhaal/<slug>")
def story(slug: str):
    archive = get_archive()
    with archive.session() as s:
        st = queries.story(s, slug)
        has_opus = archive.derived(st.id, "listen.opus").is_file()
        has_mp3 = archive.derived(st.id, "listen.mp3").is_file()
        start = query_time("t")
        shown = access.public_segment_rows(s, st)
        muted = tuple(access.redacted_times(s, st))
        # Voices come from the speakers stage (verhalen/catalog.py Segment.voice); public_segment_rows
        # does not carry them, so they are read here and looked up by the shown rows' ids only.
        voice_of = dict(s.execute(select(Segment.id, Segment.voice).where(
            Segment.story_id == st.id, Segment.voice.is_not(None))).all())
        speakers = transcript_html.speaker_names(shown, voice_of, st.voices or {}, _, g.lang)
        q = query_text("q")
        found, search_error = None, None
        if q:
            try:
                found = story_search.find(shown, q)
            except story_search.BadQuery as e:
                search_error = story_search.message(e)
        if found and found.hits:
            transcript = transcript_html.render(shown, _, muted, speakers, {h.segment_id: h for h in found.hits})
        else:
            cache = current_app.extensions.setdefault("verhalen_transcripts", OrderedDict())
            transcript = transcript_html.cached(cache, st.id, g.lang, shown,
                                                lambda: transcript_html.render(shown, _, muted, speakers), muted,
                                                speakers)
        target = transcript_html.target_start(shown, muted, start) if start is not None else None
        if target is not None:
            transcript = transcript_html.mark_target(transcript, target, f"t={mmss(start)}")
        duration = st.recording.duration if st.recording else None
        meta = story_meta(st, archive.settings.publish_keywords)
        toc = contents(index_points.shown_points(s, st), duration)
        page = render_template(
            "story.html", story=st, meta=meta, transcript=transcript,
            has_transcript=bool(shown), has_opus=has_opus, has_mp3=has_mp3, start=start,
            start_label=mmss(start) if start is not None else None,
            toc=toc, licence=sharing.licence_of(st, archive.settings),
            social=sharing.story_page(st, meta, shown, toc, has_mp3, archive.settings),
            q=q, found=found, search_error=search_error,
            cover=bool(st.recording and st.recording.cover_art),
            permalink=url_for("public.story", slug=st.slug, _external=True))
        return page, 400 if search_error else 200


@bp.route("/verhaal/<slug>.json")
def story_json(slug: str):
    with get_archive().session() as s:
        st = queries.story(s, slug)
        body = story_meta(st, get_archive().settings.publish_keywords)
        # The index as readers get it (a draft point whose words were redacted is left out).
        body["chapters"] = [{"start": p["start"], "title": p["title"]} for p in index_points.shown_points(s, st)]
        body["transcripts"] = {fmt: url_for("files.transcript", slug=st.slug, fmt=fmt, _external=True)
                               for fmt in ("vtt", "srt", "txt", "json")}
        body["audio"] = url_for("files.listen", slug=st.slug, ext="mp3", _external=True)
        lic = sharing.licence_of(st, get_archive().settings)
        body["license"] = {"uri": lic.uri, "code": lic.code, "nl": lic.nl, "en": lic.en}
        response = jsonify(body)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
