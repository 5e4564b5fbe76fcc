"""The story page's transcript as HTML, built in Python and cached per transcript version.

A 1-hour story has ~9,000 words, each a clickable <span>; rendering that in a
Jinja loop cost ~150 ms per page view (bench/web.py). Plain string building is
several times faster, and the result is cached per app until the transcript
changes: the key is a fingerprint of every shown segment (id, version, times,
speaker, text, number of words), so edits, imports and re-transcriptions all
miss the cache, whatever their ids.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from markupsafe import Markup, escape

from verhalen.exports import mmss

_CACHE_SIZE = 64
_LOCK = Lock()


def fingerprint(segments) -> int:
    return hash(tuple((s.id, s.version, s.start, s.end, s.speaker, s.text, len(s.words or ())) for s in segments))


def render(segments: list[dict], gettext) -> Markup:
    """HTML for segments as made by web.public.transcript_view (same markup as before, escaped)."""
    unsure = escape(gettext("mogelijk onjuist"))
    title = f' title="{unsure}"'
    out: list[str] = []
    for seg in segments:
        start = seg["start"]
        label = escape(gettext("Luister vanaf {time}", time=mmss(start)))
        out.append(f'<p class="seg{" low" if seg["low"] else ""}" id="s{seg["id"]}" data-start="{start}" '
                   f'data-end="{seg["end"]}">\n<a class="time" href="?t={int(start)}#t={mmss(start)}" '
                   f'data-t="{start}" aria-label="{label}">{mmss(start)}</a>\n')
        if seg["speaker"]:
            out.append(f'<span class="speaker">{escape(seg["speaker"])}:</span>\n')
        if seg["low"]:
            out.append(f'<span class="visually-hidden">({unsure})</span>\n')
        out.append('<span class="text">')
        if seg["words"]:
            for w in seg["words"]:
                low = w["low"]
                out.append(f'{escape(w["pre"])}<span class="w{" low" if low else ""}" data-t="{w["t"]}"'
                           f'{title if low else ""}>{escape(w["text"])}</span>')
        else:
            out.append(str(escape(seg["text"])))
        out.append("</span>\n</p>\n")
    return Markup("".join(out))


def cached(cache: OrderedDict, story_id: int, language: str, segments, build) -> Markup:
    """The rendered transcript for this story's current segments and language, building it once."""
    k = (story_id, language, fingerprint(segments))
    with _LOCK:
        if k in cache:
            cache.move_to_end(k)
            return cache[k]
    html = build()
    with _LOCK:
        cache[k] = html
        while len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
    return html
