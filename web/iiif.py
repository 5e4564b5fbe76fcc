"""IIIF Presentation 3.0: a story as an audio Manifest at /iiif/<slug>/manifest.json, for IIIF viewers on
any site (Universal Viewer, Ramp, Clover): CORS open, the IIIF media type, 404 through the access rule with
the body of a story that does not exist. The document itself is built by web/iiif_manifest.py.

Per request it reads the one story (its recording, credits, places, themes, index and, when the index holds
draft points, its segments once), two file checks and one image header: nothing in proportion to the archive.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, g, request
from sqlalchemy.orm import Session

from verhalen import access, index_points, themes
from verhalen.catalog import Story
from verhalen.errors import NotFound

from . import queries, sharing
from .context import get_archive
from .files import private_unless
from .iiif_manifest import MEDIA_TYPE, Download, Image, ManifestData, manifest as build
from .public import contents

bp = Blueprint("iiif", __name__)

def manifest_data(session: Session, st: Story) -> ManifestData:
    """A visible story as the builder's plain data."""
    archive = get_archive()
    settings = archive.settings
    urls = sharing.story_urls(st)
    duration = st.recording.duration if st.recording else 0.0
    has = {ext: archive.derived(st.id, f"listen.{ext}").is_file() for ext in ("mp3", "opus")}
    audio_ext = "mp3" if has["mp3"] or not has["opus"] else "opus"
    has_transcript = access.has_public_text(session, st)
    downloads = []
    if has["mp3"]:
        downloads.append(Download(urls["mp3"], "Sound", "audio/mpeg", "MP3"))
    if has["opus"]:
        downloads.append(Download(urls["opus"], "Sound", "audio/ogg; codecs=opus", "Opus"))
    if has_transcript:
        downloads += [Download(urls["transcript.vtt"], "Text", "text/vtt", "WebVTT"),
                      Download(urls["transcript.srt"], "Text", "application/x-subrip", "SRT"),
                      Download(urls["transcript.txt"], "Text", "text/plain", "Tekst / Text")]
    downloads.append(Download(urls["ohms"], "Dataset", "application/xml", "OHMS XML"))
    image = None
    picture = sharing.story_picture(st)
    if picture:
        size = sharing.derivative_size(settings.in_home(picture.source))
        if size:
            image = Image(picture.url(), *size)
    chapters = contents(index_points.shown_points(session, st), duration)
    shown_themes = themes.shown(st, settings.publish_keywords)
    return ManifestData(
        manifest_url=urls["manifest"], title=st.title, duration=duration, audio_url=urls[audio_ext],
        audio_format="audio/mpeg" if audio_ext == "mp3" else "audio/ogg", language=st.language,
        description=st.description or "", people=[(c.person.name, c.role) for c in st.credits],
        series=st.series.name if st.series else None, recorded=st.recorded.isoformat() if st.recorded else None,
        places=[p.name for p in st.places], themes=list(dict.fromkeys(t.name for t in shown_themes)),
        rights=sharing.licence_of(st, settings).uri, attribution=settings.archive_name, archive_url=urls["home"],
        homepage=urls["page"], see_also=urls["json"], transcript_vtt=urls["transcript.vtt"] if has_transcript else None,
        image=image, chapters=chapters, downloads=downloads)


@bp.route("/iiif/<slug>/manifest.json")
def manifest(slug: str):
    with get_archive().session() as s:
        st = queries.story(s, slug)  # NotFound for a hidden story: the same 404 as for a missing one
        data = manifest_data(s, st)
        public = access.visible(st, access.PUBLIC, g.today)
    if data.duration <= 0:
        raise NotFound("this story has no recording")
    body = json.dumps(build(data), ensure_ascii=False, separators=(",", ":"))
    response = Response(body, content_type=MEDIA_TYPE)
    response.headers["Access-Control-Allow-Origin"] = "*"  # viewers on other sites fetch it
    response.add_etag()
    response.cache_control.max_age = 300
    return private_unless(public, response).make_conditional(request)

