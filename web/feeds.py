"""Podcast feed per series: RSS 2.0 + iTunes tags + Podcasting 2.0 (transcript, person, chapters).

Built with ElementTree, so every title, name and description is escaped by the
XML writer, never pasted into markup.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from email.utils import format_datetime

from flask import Blueprint, Response, url_for

from verhalen import chapter_formats, index_points
from verhalen.catalog import Series, Story

from . import queries
from .context import get_archive
from .files import TRANSCRIPT

bp = Blueprint("feeds", __name__)

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("itunes", ITUNES)
ET.register_namespace("podcast", PODCAST)
ET.register_namespace("atom", ATOM)
PODCAST_ROLES = {"narrator": "guest", "interviewer": "host", "host": "host", "guest": "guest"}


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    if text is not None:
        el.text = text
    return el


def _pubdate(story: Story) -> str:
    when = story.recorded or story.created_at.date()
    return format_datetime(dt.datetime.combine(when, dt.time(12), tzinfo=dt.timezone.utc))


def _image_url(series: Series, stories: list[Story]) -> str | None:
    if series.artwork:
        return url_for("files.artwork", slug=series.slug, width=640, ext="jpg", _external=True)
    for st in stories:
        if st.recording and st.recording.cover_art:
            return url_for("files.story_cover", slug=st.slug, width=640, ext="jpg", _external=True)
    return None


def build_feed(series: Series, stories: list[Story], listen_size, has_chapters=lambda st: False) -> bytes:
    """The RSS document for a series and its visible, listenable stories; `has_chapters(story)`: whether its
    index gives the chapters files anything (verhalen.index_points.shown_points, as the chapters route)."""
    rss = ET.Element("rss", {"version": "2.0"})
    ch = _sub(rss, "channel")
    feed_url = url_for("feeds.feed", slug=series.slug, _external=True)
    _sub(ch, "title", series.name)
    _sub(ch, "link", url_for("browse.series", slug=series.slug, _external=True))
    _sub(ch, "description", series.description or series.name)
    _sub(ch, "language", "nl")
    _sub(ch, f"{{{ATOM}}}link", href=feed_url, rel="self", type="application/rss+xml")
    _sub(ch, f"{{{ITUNES}}}author", series.name)
    _sub(ch, f"{{{ITUNES}}}explicit", "false")
    _sub(ch, f"{{{ITUNES}}}summary", series.description or series.name)
    _sub(ch, f"{{{ITUNES}}}category").set("text", "Society & Culture")
    image = _image_url(series, stories)
    if image:
        _sub(ch, f"{{{ITUNES}}}image", href=image)
        img = _sub(ch, "image")
        _sub(img, "url", image)
        _sub(img, "title", series.name)
        _sub(img, "link", url_for("browse.series", slug=series.slug, _external=True))
    for st in stories:
        size = listen_size(st)
        if size is None:
            continue
        item = _sub(ch, "item")
        link = url_for("public.story", slug=st.slug, _external=True)
        _sub(item, "title", st.title)
        _sub(item, "link", link)
        _sub(item, "guid", link, isPermaLink="true")
        _sub(item, "description", st.description or st.title)
        _sub(item, "pubDate", _pubdate(st))
        _sub(item, "enclosure", url=url_for("files.listen", slug=st.slug, ext="mp3", _external=True),
             length=str(size), type="audio/mpeg")
        if st.recording:
            _sub(item, f"{{{ITUNES}}}duration", str(int(round(st.recording.duration))))
        _sub(item, f"{{{ITUNES}}}explicit", "false")
        if st.recording and st.recording.cover_art:
            _sub(item, f"{{{ITUNES}}}image",
                 href=url_for("files.story_cover", slug=st.slug, width=640, ext="jpg", _external=True))
        for fmt in ("vtt", "srt", "json"):
            attrs = {"url": url_for("files.transcript", slug=st.slug, fmt=fmt, _external=True),
                     "type": TRANSCRIPT[fmt]}
            if st.language:
                attrs["language"] = st.language
            if fmt == "vtt":
                attrs["rel"] = "captions"
            _sub(item, f"{{{PODCAST}}}transcript", **attrs)
        if has_chapters(st):
            _sub(item, f"{{{PODCAST}}}chapters", url=url_for("files.chapters", slug=st.slug, _external=True),
                 type=chapter_formats.CHAPTERS_TYPE)
        for credit in st.credits:
            p = credit.person
            attrs = {"role": PODCAST_ROLES.get(credit.role, "guest"),
                     "href": url_for("browse.person", slug=p.slug, _external=True)}
            if p.portrait:
                attrs["img"] = url_for("files.portrait", slug=p.slug, width=320, ext="jpg", _external=True)
            _sub(item, f"{{{PODCAST}}}person", p.name, **attrs)
    ET.indent(rss)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


@bp.route("/serie/<slug>/feed.xml")
def feed(slug: str):
    archive = get_archive()
    with archive.session() as s:
        series = queries.by_slug(s, Series, slug)
        stories = queries.require_any(queries.series_stories(s, series))

        def listen_size(st: Story) -> int | None:
            path = archive.derived(st.id, "listen.mp3")
            return path.stat().st_size if path.is_file() else None

        body = build_feed(series, stories, listen_size, lambda st: bool(index_points.shown_points(s, st)))
    return Response(body, mimetype="application/rss+xml")
