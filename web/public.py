"""Public pages: home, story (player + transcript), story JSON."""

from __future__ import annotations

from collections import OrderedDict

from flask import Blueprint, current_app, g, jsonify, render_template, url_for

from verhalen import access, themes
from verhalen.catalog import Story
from verhalen.exports import mmss

from . import queries, transcript_html
from .params import parse_time, query_time  # noqa: F401 (parse_time: imported from here too)
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
        "chapters": list(story.chapters or []),
    }


@bp.route("/")
def home():
    with get_archive().session() as s:
        return render_template("home.html", stories=queries.visible_stories(s, limit=12),
                               series=queries.visible_series(s),
                               narrators=queries.visible_people(s, ("narrator", "host")))


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
        cache = current_app.extensions.setdefault("verhalen_transcripts", OrderedDict())
        transcript = transcript_html.cached(cache, st.id, g.lang, shown,
                                            lambda: transcript_html.render(shown, _, muted), muted)
        return render_template("story.html", story=st, meta=story_meta(st, get_archive().settings.publish_keywords), transcript=transcript,
                               has_transcript=bool(shown),
                               has_opus=has_opus, has_mp3=has_mp3, start=start,
                               start_label=mmss(start) if start is not None else None,
                               cover=bool(st.recording and st.recording.cover_art),
                               permalink=url_for("public.story", slug=st.slug, _external=True))


@bp.route("/verhaal/<slug>.json")
def story_json(slug: str):
    with get_archive().session() as s:
        st = queries.story(s, slug)
        body = story_meta(st, get_archive().settings.publish_keywords)
        body["transcripts"] = {fmt: url_for("files.transcript", slug=st.slug, fmt=fmt, _external=True)
                               for fmt in ("vtt", "srt", "txt", "json")}
        body["audio"] = url_for("files.listen", slug=st.slug, ext="mp3", _external=True)
        response = jsonify(body)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
