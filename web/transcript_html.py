"""The story page's transcript as HTML, built in Python and cached per transcript version.

A 1-hour story has ~9,000 words, each a clickable <span>; rendering that in a
Jinja loop cost ~150 ms per page view (bench/web.py). Plain string building is
several times faster, and the result is cached per app until the transcript
changes: the key is a fingerprint of every shown segment (id, version, times,
speaker, text, number of words), so edits, imports and re-transcriptions all
miss the cache, whatever their ids.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from threading import Lock

from markupsafe import Markup, escape

from verhalen.exports import mmss

_CACHE_SIZE = 64
_LOCK = Lock()
_SPECIAL = re.compile(r"[&<>\"']")
LOW_WORD = 0.5        # word probability below this: "may be wrong"
LOW_SEGMENT = -1.0    # segment avg_logprob below this: whole passage uncertain


def fingerprint(segments) -> int:
    return hash(tuple((s.id, s.version, s.start, s.end, s.speaker, s.text, len(s.words or ())) for s in segments))


def _segment_low(seg) -> bool:
    return (seg.avg_logprob is not None and seg.avg_logprob < LOW_SEGMENT) or \
           (seg.no_speech_prob is not None and seg.no_speech_prob > 0.6)


def _marker(start: float, end: float, label: str) -> str:
    when = mmss(start)
    return (f'<p class="seg redacted-marker" data-start="{round(start, 2)}" data-end="{round(end, 2)}">\n'
            f'<span class="time">{when}</span>\n<span class="text">{label.replace("{seconds}", str(max(1, round(end - start))))}'
            '</span>\n</p>\n')


def render(segments, gettext, redacted: tuple = ()) -> Markup:
    """HTML for the shown segments (catalog Segment rows): one <p> per segment, one <span> per word.

    Written for speed (a 1-hour story has ~9,000 words): no intermediate dicts,
    and a segment whose words hold no character HTML cares about is not escaped
    word by word. Every text still goes through escape().
    """
    unsure = escape(gettext("mogelijk onjuist"))
    title = f' title="{unsure}"'
    listen_from = str(escape(gettext("Luister vanaf {time}")))  # the template; {time} is mm:ss, safe
    marker = str(escape(gettext("[afgeschermd, {seconds} s]")))
    out: list[str] = []
    add = out.append
    hidden = list(redacted)
    for seg in segments:
        while hidden and hidden[0][0] <= seg.start:
            add(_marker(*hidden.pop(0), marker))
        start = round(seg.start, 2)
        when = mmss(start)
        low = _segment_low(seg)
        add(f'<p class="seg{" low" if low else ""}" id="s{seg.id}" data-start="{start}" '
            f'data-end="{round(seg.end, 2)}">\n<a class="time" href="?t={int(start)}#t={when}" '
            f'data-t="{start}" aria-label="{listen_from.replace("{time}", when)}">{when}</a>\n')
        if seg.speaker:
            add(f'<span class="speaker">{escape(seg.speaker)}:</span>\n')
        if low:
            add(f'<span class="visually-hidden">({unsure})</span>\n')
        add('<span class="text">')
        words = seg.words or ()
        if words:
            plain = _SPECIAL.search("".join(str(w[2]) for w in words)) is None
            for w in words:
                text = str(w[2])
                word = text.lstrip()
                pre = text[: len(text) - len(word)]
                doubtful = w[3] is not None and float(w[3]) < LOW_WORD
                if not plain:
                    pre, word = escape(pre), escape(word)
                add(f'{pre}<span class="w low" data-t="{round(float(w[0]), 2)}"{title}>{word}</span>' if doubtful else
                    f'{pre}<span class="w" data-t="{round(float(w[0]), 2)}">{word}</span>')
        else:
            add(str(escape(seg.text.strip())))
        add("</span>\n</p>\n")
    for span in hidden:
        add(_marker(*span, marker))
    return Markup("".join(out))


def cached(cache: OrderedDict, story_id: int, language: str, segments, build, redacted: tuple = ()) -> Markup:
    """The rendered transcript for this story's current segments, redacted times and language, built once."""
    k = (story_id, language, fingerprint(segments), tuple(redacted))
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
