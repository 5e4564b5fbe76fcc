"""A story's index as chapters for players: Podcasting 2.0 JSON chapters and a WebVTT chapters track. Pure:
plain point dicts (start, title, place, latitude, longitude) in, text out.

Podcasting 2.0 (podcastindex.org, docs/examples/chapters/jsonChapters.md): `version` "1.2.0" and `chapters`,
each with `startTime` in float seconds (not hh:mm:ss); `title` and `location` {name, geo} are optional, and
there is no field for a synopsis or keywords, so those stay out. WebVTT (W3C): "WEBVTT", cues from one
point's start to the next one's (the last to the end of the recording), the title as the cue's text with
& and < escaped, on one line (a blank line would end the cue, "-->" would read as a timing).
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from .exports import escape_vtt, vtt_time

CHAPTERS_VERSION = "1.2.0"
CHAPTERS_TYPE = "application/json+chapters"


def _ordered(points: Iterable[dict]) -> list[dict]:
    return sorted(points, key=lambda p: float(p["start"]))


def _one_line(text: str) -> str:
    return " ".join(str(text or "").split())


def to_chapters(points: Iterable[dict], title: str | None = None) -> dict[str, Any]:
    """The Podcasting 2.0 chapters document as a dict."""
    chapters = []
    for p in _ordered(points):
        chapter: dict[str, Any] = {"startTime": round(float(p["start"]), 3)}
        if _one_line(p.get("title")):
            chapter["title"] = _one_line(p["title"])
        place = _one_line(p.get("place"))
        if place:
            chapter["location"] = {"name": place}
            if p.get("latitude") is not None and p.get("longitude") is not None:
                chapter["location"]["geo"] = f"geo:{float(p['latitude']):g},{float(p['longitude']):g}"
        chapters.append(chapter)
    doc: dict[str, Any] = {"version": CHAPTERS_VERSION}
    if title:
        doc["title"] = _one_line(title)
    doc["chapters"] = chapters
    return doc


def to_chapters_json(points: Iterable[dict], title: str | None = None) -> str:
    """Podcasting 2.0 JSON chapters (serve as application/json+chapters)."""
    return json.dumps(to_chapters(points, title), ensure_ascii=False, indent=2) + "\n"


def _cue_text(title: str) -> str:
    text = escape_vtt(_one_line(title))
    return text or "-"


def to_chapters_vtt(points: Iterable[dict], duration: float | None = None) -> str:
    """A WebVTT chapters track (<track kind="chapters">): one cue per point, up to the next point or the end."""
    ordered = _ordered(points)
    out = ["WEBVTT", ""]
    for n, p in enumerate(ordered):
        start = float(p["start"])
        if n + 1 < len(ordered):
            end = float(ordered[n + 1]["start"])
        else:
            end = float(duration) if duration else start
        if end <= start:  # two points at one moment, or no duration known: a cue must not end before it starts
            end = start + 1.0
        out += [str(n + 1), f"{vtt_time(start)} --> {vtt_time(end)}", _cue_text(p.get("title", "")), ""]
    return "\n".join(out)
