"""Podcast feeds: one per series and one of the archive's newest stories (`/feed.xml`), RSS 2.0 + iTunes
tags + Podcasting 2.0 (guid, locked, transcript, person, chapters), ready for the podcast directories
(docs/interchange.md, "Podcast directories and the embeddable player").

Built with ElementTree, so every title, name and description is escaped by the
XML writer, never pasted into markup. Both feeds come from one builder (`build_feed`) and list what the
access rule lets the public see (web/queries.py), newest first.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import format_datetime

from flask import Blueprint, Response, current_app, url_for

from verhalen import chapter_formats, index_points
from verhalen.catalog import Series, Story
from verhalen.settings import Settings

from . import queries
from .context import get_archive
from .files import FEED_ARTWORK, TRANSCRIPT, short_side

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


# Podcasting 2.0 podcast:guid: UUIDv5 of the feed URL without its scheme and trailing slashes, in this namespace.
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
SITE_FEED_SIZE = 50  # newest stories in /feed.xml (a series feed carries all of its own)


def podcast_guid(feed_url: str) -> str:
    """The feed's podcast:guid: 'https://ex.org/feed.xml/' -> uuid5(namespace, 'ex.org/feed.xml')."""
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


@dataclass(frozen=True)
class Channel:
    """What a feed says about itself; `artwork`: a square image URL of FEED_ARTWORK px or more."""

    title: str
    link: str
    description: str
    feed_url: str
    author: str
    artwork: str


def artwork_url(kind: str, slug: str, source: str | None, settings: Settings) -> str | None:
    """The feed-size square of a series' artwork or a story's cover ("serie"/"verhaal"), when the picture is
    big enough to give one (web/files.py FEED_ARTWORK: never upscaled); else None."""
    if not source or short_side(settings.in_home(source)) < FEED_ARTWORK:
        return None
    endpoint = {"serie": "files.artwork", "verhaal": "files.story_cover"}[kind]
    return url_for(endpoint, slug=slug, width=FEED_ARTWORK, ext="jpg", _external=True)


def default_artwork() -> str:
    """The archive's own square artwork (web/static/podcast-artwork.png, 1400 px, drawn by
    bench/make_podcast_artwork.py): Apple refuses a feed without channel artwork."""
    return url_for("static", filename="podcast-artwork.png", _external=True)


def story_artwork(stories: list[Story], settings: Settings) -> str | None:
    """The first feed-size story cover among `stories` (newest first)."""
    for st in stories:
        if st.recording and (url := artwork_url("verhaal", st.slug, st.recording.cover_art, settings)):
            return url
    return None


def build_feed(channel: Channel, stories: list[Story], listen_size, settings: Settings,
               has_chapters=lambda st: False) -> bytes:
    """The RSS document for a channel and its visible, listenable stories; `listen_size(story)`: bytes of its
    MP3 listening copy (None: not made yet, left out); `has_chapters(story)`: whether its index gives the
    chapters files anything (verhalen.index_points.shown_points, as the chapters route)."""
    rss = ET.Element("rss", {"version": "2.0"})
    ch = _sub(rss, "channel")
    _sub(ch, "title", channel.title)
    _sub(ch, "link", channel.link)
    _sub(ch, "description", channel.description)
    _sub(ch, "language", "nl")
    _sub(ch, f"{{{ATOM}}}link", href=channel.feed_url, rel="self", type="application/rss+xml")
    _sub(ch, f"{{{ITUNES}}}author", channel.author)
    if settings.admin_email:
        # Directories mail the owner to confirm a submission (Spotify, Podcast Index); only a real address.
        owner = _sub(ch, f"{{{ITUNES}}}owner")
        _sub(owner, f"{{{ITUNES}}}name", settings.archive_name)
        _sub(owner, f"{{{ITUNES}}}email", settings.admin_email)
    _sub(ch, f"{{{ITUNES}}}explicit", "false")
    _sub(ch, f"{{{ITUNES}}}summary", channel.description)
    _sub(ch, f"{{{ITUNES}}}category").set("text", "Society & Culture")
    _sub(ch, f"{{{ITUNES}}}image", href=channel.artwork)
    img = _sub(ch, "image")
    _sub(img, "url", channel.artwork)
    _sub(img, "title", channel.title)
    _sub(img, "link", channel.link)
    _sub(ch, f"{{{PODCAST}}}guid", podcast_guid(channel.feed_url))
    # Whether another podcast host may import this feed into an account of its own; not access control.
    locked = {"owner": settings.admin_email} if settings.admin_email else {}
    _sub(ch, f"{{{PODCAST}}}locked", "yes" if settings.podcast_locked else "no", **locked)
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
            # The feed-size square when the cover gives one; else the pages' 640 px (apps show it, Apple's
            # episode art rule asks 1400 but a smaller one only goes unshown there).
            cover = artwork_url("verhaal", st.slug, st.recording.cover_art, settings) or url_for(
                "files.story_cover", slug=st.slug, width=640, ext="jpg", _external=True)
            _sub(item, f"{{{ITUNES}}}image", href=cover)
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


def web_settings() -> Settings:
    """The app's settings (create_app's), which name the archive, its contact and the feeds' lock."""
    return current_app.config["SETTINGS"]


def _respond(channel: Channel, stories: list[Story], session) -> Response:
    archive = get_archive()

    def listen_size(st: Story) -> int | None:
        path = archive.derived(st.id, "listen.mp3")
        return path.stat().st_size if path.is_file() else None

    body = build_feed(channel, stories, listen_size, web_settings(),
                      lambda st: bool(index_points.shown_points(session, st)))
    return Response(body, mimetype="application/rss+xml")


@bp.route("/serie/<slug>/feed.xml")
def feed(slug: str):
    archive, settings = get_archive(), web_settings()
    with archive.session() as s:
        series = queries.by_slug(s, Series, slug)
        stories = queries.require_any(queries.series_stories(s, series))
        page = url_for("browse.series", slug=series.slug, _external=True)
        artwork = (artwork_url("serie", series.slug, series.artwork, settings) or story_artwork(stories, settings)
                   or default_artwork())
        channel = Channel(title=series.name, link=page, description=series.description or series.name,
                          feed_url=url_for("feeds.feed", slug=series.slug, _external=True),
                          author=settings.archive_name, artwork=artwork)
        return _respond(channel, stories, s)


@bp.route("/feed.xml")
def site_feed():
    """The archive's newest public stories across its series, for one subscription to everything new."""
    archive, settings = get_archive(), web_settings()
    with archive.session() as s:
        stories = queries.visible_stories(s, limit=SITE_FEED_SIZE)
        channel = Channel(title=settings.archive_name, link=url_for("public.home", _external=True),
                          description=f"De nieuwste verhalen van {settings.archive_name}.",
                          feed_url=url_for("feeds.site_feed", _external=True), author=settings.archive_name,
                          artwork=story_artwork(stories, settings) or default_artwork())
        return _respond(channel, stories, s)
