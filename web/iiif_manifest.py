"""A story as a IIIF Presentation 3.0 Manifest for audio: pure code over plain data, no Flask, no catalog.

    manifest(ManifestData(...)) -> dict   # json.dumps it; web/iiif.py serves it

One Canvas per story (its `duration` the recording's); the listening copy as the Sound painting annotation;
the transcript (WebVTT) as a supplementing annotation in `canvas.annotations`; a portrait or cover as the
`accompanyingCanvas` (IIIF cookbook 0014); the index as `structures` Ranges pointing at `canvas#t=start,end`
(cookbook 0064); the downloads as `rendering` (0046). The shape follows shared/design/STANDARDS.md §5 and is
checked against IIIF's own JSON Schema in tests/test_iiif.py.

Everything here is a URL, a name or a number the caller already decided the viewer may see (web/iiif.py asks
the access rule first); no transcript text is ever put in the manifest, so a redacted passage cannot be in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from verhalen.exports import mmss

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
MEDIA_TYPE = f'application/ld+json;profile="{CONTEXT}"'

# Labels of the fields a manifest shows (viewers print them next to the values): Dutch and English, since a
# manifest is one document for every viewer, whatever the language of the page it was found on.
LABELS = {
    "title": ("Titel", "Title"), "narrator": ("Verteller", "Narrator"), "interviewer": ("Interviewer", "Interviewer"),
    "host": ("Presentator", "Host"), "guest": ("Gast", "Guest"), "series": ("Serie", "Series"),
    "recorded": ("Opgenomen", "Recorded"), "places": ("Plaatsen", "Places"), "themes": ("Thema's", "Themes"),
    "language": ("Taal", "Language"), "duration": ("Duur", "Duration"), "attribution": ("Naamsvermelding", "Attribution"),
    "transcript": ("Transcript", "Transcript"), "story": ("Verhaal op de website", "Story on the website"),
    "json": ("Gegevens (JSON)", "Data (JSON)"), "portrait": ("Afbeelding", "Picture"),
}
ROLE_ORDER = ("narrator", "interviewer", "host", "guest")


@dataclass(frozen=True)
class Image:
    url: str
    width: int
    height: int
    format: str = "image/jpeg"


@dataclass(frozen=True)
class Download:
    url: str
    type: str      # IIIF resource type: Sound, Text, Dataset
    format: str    # media type
    label: str     # shown as is in every language (MP3, WebVTT, ...)


@dataclass
class ManifestData:
    manifest_url: str
    title: str
    duration: float
    audio_url: str
    audio_format: str = "audio/mpeg"
    language: str | None = None          # the story's language (BCP 47), None: unknown
    description: str = ""
    people: list[tuple[str, str]] = field(default_factory=list)   # (name, role) in credit order
    series: str | None = None
    recorded: str | None = None          # ISO date
    places: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    rights: str | None = None            # a CC / RightsStatements.org http:// URI (verhalen.licences)
    attribution: str = ""                # the archive's name
    archive_url: str | None = None       # the archive's home page (the provider)
    homepage: str | None = None          # the story page
    see_also: str | None = None          # the story JSON
    transcript_vtt: str | None = None    # only when the story has a public transcript
    image: Image | None = None
    chapters: list[dict] = field(default_factory=list)   # {"start", "end", "title", "synopsis"} in time order
    downloads: list[Download] = field(default_factory=list)


def lang_map(text: str, language: str | None) -> dict[str, list[str]]:
    return {language or "none": [text]}


def _both(key: str) -> dict[str, list[str]]:
    nl, en = LABELS[key]
    return {"nl": [nl], "en": [en]}


def _entry(key: str, values: list[str], language: str | None = "none") -> dict:
    return {"label": _both(key), "value": {language or "none": list(values)}}


def _seconds(value: float) -> float:
    # Milliseconds are what a player can seek to; more digits only make fragments ugly.
    return round(float(value), 3)


def metadata(d: ManifestData) -> list[dict]:
    """The metadata pairs a viewer lists: names are in no language ("none"), the title in the story's."""
    rows = [_entry("title", [d.title], d.language)]
    for role in ROLE_ORDER + tuple(sorted({r for _, r in d.people} - set(ROLE_ORDER))):
        names = [name for name, r in d.people if r == role]
        if names:
            rows.append({"label": _both(role) if role in LABELS else {"none": [role]}, "value": {"none": names}})
    if d.series:
        rows.append(_entry("series", [d.series]))
    if d.recorded:
        rows.append(_entry("recorded", [d.recorded]))
    if d.places:
        rows.append(_entry("places", d.places))
    if d.themes:
        rows.append(_entry("themes", d.themes))
    if d.language:
        rows.append(_entry("language", [d.language]))
    rows.append(_entry("duration", [mmss(d.duration)]))
    return rows


def ranges(canvas_id: str, base: str, chapters: list[dict], duration: float, language: str | None) -> list[dict]:
    """One Range per index point, `canvas#t=start,end` inside the recording; a point at or past the end (an
    index kept from a longer recording) is left out, and an end past the recording is cut to it."""
    out = []
    for i, c in enumerate(chapters, start=1):
        start = max(0.0, _seconds(c["start"]))
        end = _seconds(min(c.get("end") or duration, duration))
        if start >= end:
            continue
        r = {"id": f"{base}/range/{i}", "type": "Range", "label": lang_map(c.get("title") or mmss(start), language),
             "items": [{"id": f"{canvas_id}#t={start:g},{end:g}", "type": "Canvas"}]}
        if c.get("synopsis"):
            r["summary"] = lang_map(c["synopsis"], language)
        out.append(r)
    return out


def _accompanying(canvas_id: str, image: Image) -> dict:
    pic = f"{canvas_id}/accompanying"
    return {"id": pic, "type": "Canvas", "label": _both("portrait"), "width": image.width, "height": image.height,
            "items": [{"id": f"{pic}/page", "type": "AnnotationPage", "items": [
                {"id": f"{pic}/page/image", "type": "Annotation", "motivation": "painting", "target": pic,
                 "body": {"id": image.url, "type": "Image", "format": image.format,
                          "width": image.width, "height": image.height}}]}]}


def manifest(d: ManifestData) -> dict:
    """The Manifest as a dict (key order as the IIIF examples write it)."""
    if not d.duration or d.duration <= 0:
        raise ValueError("a sound canvas needs a duration above zero")
    base = d.manifest_url.rsplit("/", 1)[0]
    canvas = f"{base}/canvas/1"
    duration = _seconds(d.duration)
    m: dict = {"@context": CONTEXT, "id": d.manifest_url, "type": "Manifest", "label": lang_map(d.title, d.language)}
    if d.description:
        m["summary"] = lang_map(d.description, d.language)
    m["metadata"] = metadata(d)
    if d.rights:
        m["rights"] = d.rights
    if d.attribution:
        m["requiredStatement"] = {"label": _both("attribution"), "value": {"none": [d.attribution]}}
    if d.archive_url and d.attribution:
        m["provider"] = [{"id": d.archive_url, "type": "Agent", "label": {"none": [d.attribution]},
                          "homepage": [{"id": d.archive_url, "type": "Text", "label": {"none": [d.attribution]},
                                        "format": "text/html"}]}]
    if d.homepage:
        m["homepage"] = [{"id": d.homepage, "type": "Text", "label": _both("story"), "format": "text/html"}]
    if d.see_also:
        m["seeAlso"] = [{"id": d.see_also, "type": "Dataset", "label": _both("json"), "format": "application/json"}]
    if d.image:
        m["thumbnail"] = [{"id": d.image.url, "type": "Image", "format": d.image.format,
                           "width": d.image.width, "height": d.image.height}]
    c: dict = {"id": canvas, "type": "Canvas", "label": lang_map(d.title, d.language), "duration": duration}
    if d.image:
        c["accompanyingCanvas"] = _accompanying(canvas, d.image)
    c["items"] = [{"id": f"{canvas}/page/1", "type": "AnnotationPage", "items": [
        {"id": f"{canvas}/page/1/audio", "type": "Annotation", "motivation": "painting", "target": canvas,
         "body": {"id": d.audio_url, "type": "Sound", "format": d.audio_format, "duration": duration}}]}]
    if d.transcript_vtt:
        body = {"id": d.transcript_vtt, "type": "Text", "format": "text/vtt", "label": _both("transcript")}
        if d.language:
            body["language"] = d.language
        c["annotations"] = [{"id": f"{canvas}/page/2", "type": "AnnotationPage", "items": [
            {"id": f"{canvas}/page/2/transcript", "type": "Annotation", "motivation": "supplementing",
             "target": canvas, "body": body}]}]
    m["items"] = [c]
    structures = ranges(canvas, base, d.chapters, duration, d.language)
    if structures:
        m["structures"] = structures
    if d.downloads:
        m["rendering"] = [{"id": x.url, "type": x.type, "label": {"none": [x.label]}, "format": x.format}
                          for x in d.downloads]
    return m
