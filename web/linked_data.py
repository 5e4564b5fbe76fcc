"""schema.org JSON-LD and Open Graph / Twitter card tags for the story, series and person pages: pure code over
plain data (the dicts the pages already load, and URLs web/sharing.py made), no Flask, no catalog.

    episode(...) / podcast_series(...) / person(...) -> dict       # schema.org, shared/design/STANDARDS.md §6
    script_json(obj) -> Markup                                     # the body of <script type="application/ld+json">
    open_graph(...) -> list[(attribute, name, content)]            # <meta property|name=... content=...>

JSON-LD is a data block: browsers do not run it, so the CSP (script-src 'self') allows it. Its text is
escaped so nothing in it can end the <script> element: every <, > and & is written as a \\u escape, which
JSON reads back as the same character.
"""

from __future__ import annotations

import json

from markupsafe import Markup

SCHEMA = "https://schema.org"
# The transcript as plain text in the page's JSON-LD up to this length (about 15 minutes of speech); a longer
# story's AudioObject names the transcript file instead, so a one-hour story's page does not carry it twice.
TRANSCRIPT_INLINE_MAX = 12_000
OG_LOCALES = {"nl": "nl_NL", "en": "en_GB"}
# How each access level is put to someone reading conditionsOfAccess (Dutch and English: the page's language).
ACCESS_TEXT = {
    "public": ("Vrij toegankelijk", "Open to everyone"),
    "researchers": ("Alleen voor onderzoekers met een account", "Researchers with an account only"),
    "editors": ("Alleen voor de redactie", "Editors only"),
    "embargoed": ("Onder embargo", "Under embargo"),
    "unpublished": ("Niet gepubliceerd", "Not published"),
}
ACTOR_ROLES = ("narrator", "guest")  # who tells; interviewers and hosts are contributors


def script_json(obj) -> Markup:
    """`obj` as JSON safe inside <script>: no "</script>", "<!--" or "]]>" can appear in it."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return Markup(text)


def iso_duration(seconds: float | None) -> str | None:
    """ISO 8601 duration: 214.4 -> PT3M34S, 3725 -> PT1H2M5S, 0 -> PT0S."""
    if seconds is None:
        return None
    s = int(round(float(seconds)))
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{sec}S" if sec or not (h or m) else "")


def _person(name: str, url: str | None, image: str | None = None) -> dict:
    p = {"@type": "Person", "name": name}
    if url:
        p["url"] = url
    if image:
        p["image"] = image
    return p


def transcript_value(texts: list[str], file_url: str) -> str:
    """The public transcript as one plain text, or the URL of its text file when it is longer than
    TRANSCRIPT_INLINE_MAX (schema.org's transcript is Text; a URL is Text too)."""
    joined = " ".join(" ".join(t.split()) for t in texts if t and t.strip())
    return joined if len(joined) <= TRANSCRIPT_INLINE_MAX else file_url


def episode(meta: dict, urls: dict, *, licence_uri: str, access_level: str, lang: str, published: str | None,
            transcript: str | None, chapters: list[dict], people: dict[str, dict], archive_name: str,
            image: str | None = None, has_mp3: bool = True) -> dict:
    """A story page as a PodcastEpisode. `meta`: web/public.py story_meta; `urls`: web/sharing.py story_urls
    plus person/place/theme URLs under "person:<slug>", "place:<slug>", "theme:<slug>"; `people`:
    {slug: {"url", "image"}}; `chapters`: the table of contents (start, end, title)."""
    page = urls["page"]
    lang_ix = 0 if lang == "nl" else 1
    d: dict = {"@context": SCHEMA, "@type": "PodcastEpisode", "@id": page, "url": page, "name": meta["title"]}
    if meta.get("description"):
        d["description"] = meta["description"]
    if meta.get("language"):
        d["inLanguage"] = meta["language"]
    if published:
        d["datePublished"] = published
    if meta.get("recorded"):
        d["dateCreated"] = meta["recorded"]
    if meta.get("duration"):
        d["duration"] = iso_duration(meta["duration"])
    if image:
        d["image"] = image
    if meta.get("series"):
        series = {"@type": "PodcastSeries", "name": meta["series"]["name"]}
        if urls.get("series"):
            series["url"] = urls["series"]
        if urls.get("feed"):
            series["webFeed"] = urls["feed"]
        d["partOfSeries"] = series
    if has_mp3:
        audio = {"@type": "AudioObject", "contentUrl": urls["mp3"], "encodingFormat": "audio/mpeg"}
        if meta.get("duration"):
            audio["duration"] = iso_duration(meta["duration"])
        if meta.get("language"):
            audio["inLanguage"] = meta["language"]
        if transcript:
            audio["transcript"] = transcript
        d["associatedMedia"] = audio
    parts = []
    for c in chapters:
        clip = {"@type": "Clip", "name": c.get("title") or "", "startOffset": round(float(c["start"]), 3)}
        if c.get("end") is not None:
            clip["endOffset"] = round(float(c["end"]), 3)
        clip["url"] = f"{page}?t={int(c['start'])}"
        parts.append(clip)
    if parts:
        d["hasPart"] = parts
    actors = [p for p in meta.get("people", []) if p["role"] in ACTOR_ROLES]
    others = [p for p in meta.get("people", []) if p["role"] not in ACTOR_ROLES]
    for key, group in (("actor", actors), ("contributor", others)):
        if group:
            d[key] = [_person(p["name"], people.get(p["slug"], {}).get("url"), people.get(p["slug"], {}).get("image"))
                      for p in group]
    if meta.get("places"):
        d["contentLocation"] = [{"@type": "Place", "name": p["name"], "url": urls.get(f"place:{p['slug']}")}
                                for p in meta["places"]]
    tags = meta.get("themes", []) + meta.get("keywords", [])
    if tags:
        d["keywords"] = ", ".join(dict.fromkeys(t["name"] for t in tags))
    if meta.get("themes"):  # editors' themes are what the story is about; keywords only describe it
        d["about"] = [{"@type": "Thing", "name": t["name"], "url": urls.get(f"theme:{t['slug']}")}
                      for t in meta["themes"]]
    d["license"] = licence_uri
    d["conditionsOfAccess"] = ACCESS_TEXT.get(access_level, ACCESS_TEXT["public"])[lang_ix]
    d["publisher"] = {"@type": "Organization", "name": archive_name, "url": urls["home"]}
    return _drop_none(d)


def podcast_series(name: str, url: str, feed: str, description: str = "", image: str | None = None,
                   archive_name: str = "", home: str | None = None) -> dict:
    d: dict = {"@context": SCHEMA, "@type": "PodcastSeries", "@id": url, "url": url, "name": name, "webFeed": feed}
    if description:
        d["description"] = description
    if image:
        d["image"] = image
    if archive_name:
        d["publisher"] = {"@type": "Organization", "name": archive_name, "url": home}
    return _drop_none(d)


def person(name: str, url: str, description: str = "", image: str | None = None) -> dict:
    d: dict = {"@context": SCHEMA, "@type": "Person", "@id": url, "url": url, "name": name}
    if description:
        d["description"] = description
    if image:
        d["image"] = image
    return d


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _short(text: str, limit: int = 300) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1].rsplit(" ", 1)[0] + "…"


def open_graph(*, title: str, description: str, url: str, lang: str, site_name: str, og_type: str = "website",
               image: str | None = None, image_alt: str | None = None, audio: str | None = None) -> list[tuple[str, str, str]]:
    """Open Graph (property=) and Twitter card (name=) tags as (attribute, key, content); the template escapes
    the content like any attribute value."""
    tags = [("property", "og:title", title), ("property", "og:type", og_type), ("property", "og:url", url),
            ("property", "og:site_name", site_name), ("property", "og:locale", OG_LOCALES.get(lang, "nl_NL"))]
    tags += [("property", "og:locale:alternate", loc) for code, loc in OG_LOCALES.items() if code != lang]
    if description:
        tags.append(("property", "og:description", _short(description)))
    if image:
        tags.append(("property", "og:image", image))
        if image_alt:
            tags.append(("property", "og:image:alt", image_alt))
    if audio:
        tags += [("property", "og:audio", audio), ("property", "og:audio:type", "audio/mpeg")]
    tags += [("name", "twitter:card", "summary_large_image" if image else "summary"), ("name", "twitter:title", title)]
    if description:
        tags.append(("name", "twitter:description", _short(description, 200)))
    if image:
        tags.append(("name", "twitter:image", image))
        if image_alt:
            tags.append(("name", "twitter:image:alt", image_alt))
    return tags
