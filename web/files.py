"""The archive's files over HTTP, behind the access rule: listening copies (HTTP Range, ETag, Last-Modified),
transcripts and chapters (CORS), and images (EXIF-free derivatives). The pages are elsewhere; the media room
(probing, converting) is verhalen.media."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, abort, g, request, send_file, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from verhalen import access, chapter_formats, exports, index_points, ohms, ohms_catalog, outbox
from verhalen.catalog import Credit, Person, Series, Story
from verhalen.errors import NotFound, UnsupportedMedia
from verhalen.media import images

from . import queries
from .context import get_archive
from .i18n import gettext as _

bp = Blueprint("files", __name__)

AUDIO = {"mp3": "audio/mpeg", "opus": "audio/ogg; codecs=opus"}
TRANSCRIPT = {"vtt": "text/vtt", "srt": "application/x-subrip", "txt": "text/plain", "json": "application/json"}
MAX_AGE = 3600


def _send(path: Path, mimetype: str, *, public: bool) -> Response:
    if not path.is_file():
        raise NotFound("not found")
    # conditional=True: Range -> 206 with Content-Range, If-None-Match/If-Modified-Since -> 304.
    response = send_file(path, mimetype=mimetype, conditional=True, etag=True, max_age=MAX_AGE)
    response.headers["Accept-Ranges"] = "bytes"
    return private_unless(public, response)


def private_unless(public: bool, response: Response) -> Response:
    """`public`: the public may see this (the access rule asked with the public's levels), so any cache may
    keep it, also when a signed-in user fetched it; web/app.py marks everything else a signed-in user gets
    `private, no-store`. Otherwise: no shared cache may hand it on, and no browser writes it to disk."""
    if public:
        g.public_content = True
    else:
        response.headers["Cache-Control"] = "private, no-store"
        response.headers.pop("Expires", None)  # send_file dates it an hour ahead
    return response


def public_may_see_any(session: Session, *where) -> bool:
    """Whether the public may see at least one story matching `where` (then a person's portrait or a series'
    artwork is public material: it is shown on public pages)."""
    q = select(Story.id).where(access.clause(access.PUBLIC, g.today), *where).limit(1)
    return session.scalar(q) is not None


@bp.route("/media/<slug>/listen.<any(mp3, opus):ext>")
def listen(slug: str, ext: str):
    archive = get_archive()
    with archive.session() as s:
        story = queries.story(s, slug)
        story_id, public = story.id, access.visible(story, access.PUBLIC, g.today)
        # A redaction not yet muted in the listening copies (the job runs after the save): anyone but
        # an editor waits rather than hears the passage.
        if "editors" not in g.levels and outbox.muting_pending(s, story_id):
            abort(503, _("Dit verhaal wordt bijgewerkt. Probeer het over een minuut opnieuw."))
        title = story.title
    response = _send(archive.derived(story_id, f"listen.{ext}"), AUDIO[ext], public=public)
    if request.args.get("download") == "1":
        # The story page's download link: saved under the story's name. Only then: the <audio> element and
        # podcast apps stream the same URL without it, and an attachment there would make a browser save it.
        response.headers.set("Content-Disposition", "attachment", **download_names(title, slug, ext))
    return response


def download_names(title: str, slug: str, ext: str) -> dict[str, str]:
    """Content-Disposition parameters naming a download after the story: `filename*` (RFC 6266/5987, UTF-8,
    percent-encoded, which every current browser prefers) from the title, `filename` (plain ASCII for older
    clients) from the slug. Control characters (CR, LF...) and the characters file systems refuse leave the
    title; werkzeug's Headers.set quotes the rest, so no title can break the header."""
    # Cc and the line/paragraph separators only: format characters (Persian's zero-width non-joiner) stay.
    clean = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in '\\/:*?"<>|' else c
                    for c in title)
    clean = " ".join(clean.split()).strip(" .")[:120].strip() or slug
    return {"filename": f"{slug}.{ext}", "filename*": "UTF-8''" + quote(f"{clean}.{ext}", safe="!#$&+-.^_`|~")}


def segments_of(story) -> list[dict]:
    return exports.rows(access.public_segments(story))


@bp.route("/media/<slug>/transcript.<any(vtt, srt, txt, json):fmt>")
def transcript(slug: str, fmt: str):
    with get_archive().session() as s:
        st = queries.story(s, slug)
        meta = {"title": st.title, "language": st.language, "story": st.slug}
        body = exports.render(fmt, segments_of(st), st.title, meta)
        public = access.visible(st, access.PUBLIC, g.today)
    charset = "" if fmt == "json" else "; charset=utf-8"
    response = Response(body, content_type=TRANSCRIPT[fmt] + charset)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Content-Disposition"] = f'inline; filename="{slug}.{fmt}"'
    response.add_etag()
    response.cache_control.max_age = 300
    return private_unless(public, response).make_conditional(request)


def _chapters_response(body: str, content_type: str, public: bool) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.add_etag()
    response.cache_control.max_age = 300
    return private_unless(public, response).make_conditional(request)


@bp.route("/media/<slug>/chapters.json")
def chapters(slug: str):
    """Podcasting 2.0 JSON chapters (application/json+chapters), for podcast apps: the story's index."""
    with get_archive().session() as s:
        st = queries.story(s, slug)
        points = index_points.shown_points(s, st)
        if not points:
            raise NotFound("this story has no chapters")
        body = chapter_formats.to_chapters_json(points, st.title)
        public = access.visible(st, access.PUBLIC, g.today)
    return _chapters_response(body, chapter_formats.CHAPTERS_TYPE, public)


@bp.route("/media/<slug>/chapters.vtt")
def chapters_vtt(slug: str):
    """The story's index as a WebVTT chapters track (<track kind="chapters">)."""
    with get_archive().session() as s:
        st = queries.story(s, slug)
        points = index_points.shown_points(s, st)
        if not points:
            raise NotFound("this story has no chapters")
        body = chapter_formats.to_chapters_vtt(points, st.recording.duration if st.recording else None)
        public = access.visible(st, access.PUBLIC, g.today)
    return _chapters_response(body, "text/vtt; charset=utf-8", public)


# Podcast directories want square channel and episode artwork of 1400-3000 px (Apple refuses a feed
# without it); the pages' sizes above stop at 640. So one more size, square, for web/feeds.py only: made
# from a picture at least this big on its short side, never upscaled (the feed falls back instead).
FEED_ARTWORK = 1400
_short_sides: dict[tuple[str, int], int] = {}


def short_side(source: Path) -> int:
    """The shorter side in pixels of the picture at `source`, 0 if it is no usable picture; remembered per
    file version, so a feed of many stories decodes each cover once per process, not on every build."""
    try:
        key = (str(source), source.stat().st_mtime_ns)
    except OSError:
        return 0
    if key not in _short_sides:
        try:
            side = min(images.open_checked(source).size)
        except UnsupportedMedia:
            side = 0
        if len(_short_sides) >= 10_000:
            _short_sides.clear()
        _short_sides[key] = side
    return _short_sides[key]


def derivative(source: Path, cache: Path, width: int, ext: str) -> Path:
    """The cached derivative of `source` (made on first use; the archive's derived/ is rebuildable)."""
    if ext not in images.FORMATS or width not in images.SIZES and width != FEED_ARTWORK:
        raise NotFound("no such image size")
    if width == FEED_ARTWORK and short_side(source) < FEED_ARTWORK:
        raise NotFound("this picture is too small for podcast artwork")
    target = cache / f"{width}.{ext}"
    if not target.is_file() or target.stat().st_mtime < source.stat().st_mtime:
        if width == FEED_ARTWORK:
            images.make_derivatives(source, cache, sizes=(FEED_ARTWORK,), square=True)
        else:
            images.make_derivatives(source, cache)
    return target


def _image(source_rel: str | None, owner: str, owner_id: int, width: int, ext: str, *, public: bool) -> Response:
    archive = get_archive()
    if not source_rel:
        raise NotFound("no image")
    source = archive.settings.in_home(source_rel)
    if not source.is_file():
        raise NotFound("no image")
    path = derivative(source, archive.settings.image_cache(owner, owner_id), width, ext)
    return _send(path, images.mime_type(ext), public=public)


@bp.route("/beeld/verhaal/<slug>/<int:width>.<any(webp, jpg):ext>")
def story_cover(slug: str, width: int, ext: str):
    with get_archive().session() as s:
        st = queries.story(s, slug)
        source, owner_id = (st.recording.cover_art if st.recording else None), st.id
        public = access.visible(st, access.PUBLIC, g.today)
    return _image(source, "cover", owner_id, width, ext, public=public)


@bp.route("/beeld/persoon/<slug>/<int:width>.<any(webp, jpg):ext>")
def portrait(slug: str, width: int, ext: str):
    with get_archive().session() as s:
        p = queries.by_slug(s, Person, slug)
        queries.require_any(queries.person_stories(s, p))
        source, owner_id = p.portrait, p.id
        public = public_may_see_any(s, Story.credits.any(Credit.person_id == p.id))
    return _image(source, "person", owner_id, width, ext, public=public)


@bp.route("/beeld/serie/<slug>/<int:width>.<any(webp, jpg):ext>")
def artwork(slug: str, width: int, ext: str):
    with get_archive().session() as s:
        se = queries.by_slug(s, Series, slug)
        queries.require_any(queries.series_stories(s, se))
        source, owner_id = se.artwork, se.id
        public = public_may_see_any(s, Story.series_id == se.id)
    return _image(source, "series", owner_id, width, ext, public=public)


@bp.route("/media/<slug>/ohms.xml")
def ohms_xml(slug: str):
    """The story as OHMS XML 5.4 (an OHMS viewer, Aviary), through the access rule like the transcript: the public
    transcript and index only (verhalen.ohms_catalog, the same function as `verhalen export --format ohms`)."""
    archive = get_archive()
    with archive.session() as s:
        st = queries.story(s, slug)
        has_mp3 = archive.derived(st.id, "listen.mp3").is_file()
        media_url = url_for("files.listen", slug=st.slug, ext="mp3", _external=True) if has_mp3 else ""
        body = ohms_catalog.export(s, st, archive.settings, media_url=media_url)
        public, name = access.visible(st, access.PUBLIC, g.today), st.slug
    response = Response(body, content_type=ohms.MIME + "; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.ohms.xml"'
    response.add_etag()
    response.cache_control.max_age = 300
    return private_unless(public, response).make_conditional(request)
