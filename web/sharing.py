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

from . import linked_data
from .i18n import current_language

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
            "ohms": url_for("files.ohms_xml", slug=slug, _external=True),
            "home": url_for("public.home", _external=True)}
    for fmt in ("vtt", "srt", "txt", "json"):
        urls[f"transcript.{fmt}"] = url_for("files.transcript", slug=slug, fmt=fmt, _external=True)
    if story.series:
        urls["series"] = url_for("browse.series", slug=story.series.slug, _external=True)
        urls["feed"] = url_for("feeds.feed", slug=story.series.slug, _external=True)
    return urls


# -- the pages' JSON-LD and Open Graph tags (web/linked_data.py builds them) --------------------------------


@dataclass(frozen=True)
class Social:
    tags: list            # (attribute, key, content) for <meta>
    json_ld: object       # Markup: the body of <script type="application/ld+json">


def story_page(st: Story, meta: dict, shown_rows: list, toc: list[dict], has_mp3: bool, settings) -> Social:
    """For /verhaal/<slug>: from what the story page loaded already (its metadata, the public transcript's rows,
    the table of contents); no query of its own beyond the lazy loads the template makes anyway."""
    lang = current_language()
    urls = story_urls(st)
    for p in meta["places"]:
        urls[f"place:{p['slug']}"] = url_for("browse.place", slug=p["slug"], _external=True)
    for t in meta["themes"] + meta["keywords"]:
        urls[f"theme:{t['slug']}"] = url_for("browse.theme", slug=t["slug"], _external=True)
    people = {c.person.slug: {"url": url_for("browse.person", slug=c.person.slug, _external=True),
                              "image": person_picture(c.person).url(320) if c.person.portrait else None}
              for c in st.credits}
    picture = story_picture(st)
    image = picture.url() if picture else None
    transcript = linked_data.transcript_value([r.text for r in shown_rows], urls["transcript.txt"]) if shown_rows else None
    ld = linked_data.episode(
        meta, urls, licence_uri=licence_of(st, settings).uri, access_level=st.access, lang=lang,
        published=st.created_at.date().isoformat() if st.created_at else None, transcript=transcript,
        chapters=toc, people=people, archive_name=settings.archive_name, image=image, has_mp3=has_mp3)
    names = ", ".join(p["name"] for p in meta["people"])
    summary = meta["description"] or " · ".join(x for x in (names, meta["series"]["name"] if meta["series"] else "") if x)
    tags = linked_data.open_graph(title=st.title, description=summary, url=urls["page"], lang=lang,
                                  site_name=settings.archive_name, og_type="article", image=image,
                                  image_alt=picture.alt if picture else None, audio=urls["mp3"] if has_mp3 else None)
    return Social(tags, linked_data.script_json(ld))


def series_page(se, settings) -> Social:
    url = url_for("browse.series", slug=se.slug, _external=True)
    picture = series_picture(se)
    image = picture.url() if picture else None
    ld = linked_data.podcast_series(se.name, url, url_for("feeds.feed", slug=se.slug, _external=True),
                                    se.description or "", image, settings.archive_name,
                                    url_for("public.home", _external=True))
    tags = linked_data.open_graph(title=se.name, description=se.description or "", url=url, lang=current_language(),
                                  site_name=settings.archive_name, image=image, image_alt=se.name if image else None)
    return Social(tags, linked_data.script_json(ld))


def person_page(p, settings) -> Social:
    url = url_for("browse.person", slug=p.slug, _external=True)
    picture = person_picture(p)
    image = picture.url() if picture else None
    ld = linked_data.person(p.name, url, p.bio or "", image)
    tags = linked_data.open_graph(title=p.name, description=p.bio or "", url=url, lang=current_language(),
                                  site_name=settings.archive_name, og_type="profile", image=image,
                                  image_alt=p.name if image else None)
    return Social(tags, linked_data.script_json(ld))
