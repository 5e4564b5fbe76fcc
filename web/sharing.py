"""What the pages and the IIIF manifest tell other sites about a story, a series or a person: which picture
stands for it, and the absolute URLs (url_for, _external) that web/linked_data.py (schema.org, Open Graph)
and web/iiif_manifest.py put in their documents. The Flask side of those pure modules.

Only things the viewer may already see are named here: the story passed in went through the access rule
(web/queries.py), and a picture is one of the image routes of web/files.py, which ask the rule again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import url_for
from PIL import Image, UnidentifiedImageError

from verhalen import licences
from verhalen.catalog import Story
from verhalen.media import images

SHARE_WIDTH = 640   # the largest derivative web/files.py makes (media/images.py SIZES): what link previews want
_SWAPPED = {5, 6, 7, 8}  # EXIF orientations that turn the picture a quarter: width and height trade places


@dataclass(frozen=True)
class Picture:
    endpoint: str   # files.story_cover, files.portrait, files.artwork
    slug: str
    source: str     # the original's path relative to the archive home
    alt: str

    def url(self, width: int = SHARE_WIDTH, ext: str = "jpg") -> str:
        return url_for(self.endpoint, slug=self.slug, width=width, ext=ext, _external=True)


def story_picture(story: Story) -> Picture | None:
    """The story's cover art, else its first narrator's portrait, else its series' artwork."""
    if story.recording and story.recording.cover_art:
        return Picture("files.story_cover", story.slug, story.recording.cover_art, story.title)
    for c in story.credits:
        if c.role == "narrator" and c.person.portrait:
            return Picture("files.portrait", c.person.slug, c.person.portrait, c.person.name)
    if story.series and story.series.artwork:
        return Picture("files.artwork", story.series.slug, story.series.artwork, story.series.name)
    return None


def person_picture(person) -> Picture | None:
    return Picture("files.portrait", person.slug, person.portrait, person.name) if person.portrait else None


def series_picture(series) -> Picture | None:
    return Picture("files.artwork", series.slug, series.artwork, series.name) if series.artwork else None


def derivative_size(source: Path, width: int = SHARE_WIDTH) -> tuple[int, int] | None:
    """The pixel size of the `width` derivative web/files.py serves for `source`, from the original's header
    only (no decoding): upright as media/images.py turns it, never upscaled, height rounded as it rounds."""
    try:
        with Image.open(source) as im:
            w, h = im.size
            if im.getexif().get(0x0112) in _SWAPPED:
                w, h = h, w
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        return None
    if width not in images.SIZES or w <= 0 or h <= 0:
        return None
    out_w = min(width, w)
    return out_w, max(1, round(h * out_w / w))


def licence_of(story: Story, settings) -> licences.Licence:
    return licences.of(story.licence, settings.default_licence)


def story_urls(story: Story) -> dict[str, str]:
    """The absolute URLs of a story's page, data and files."""
    slug = story.slug
    urls = {"page": url_for("public.story", slug=slug, _external=True),
            "json": url_for("public.story_json", slug=slug, _external=True),
            "mp3": url_for("files.listen", slug=slug, ext="mp3", _external=True),
            "opus": url_for("files.listen", slug=slug, ext="opus", _external=True),
            "manifest": url_for("iiif.manifest", slug=slug, _external=True),
            "home": url_for("public.home", _external=True)}
    for fmt in ("vtt", "srt", "txt", "json"):
        urls[f"transcript.{fmt}"] = url_for("files.transcript", slug=slug, fmt=fmt, _external=True)
    if story.series:
        urls["series"] = url_for("browse.series", slug=story.series.slug, _external=True)
        urls["feed"] = url_for("feeds.feed", slug=story.series.slug, _external=True)
    return urls
