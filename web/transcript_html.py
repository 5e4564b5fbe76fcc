"""The story page's transcript as HTML, built in Python and cached per transcript version.

A 1-hour story has ~9,000 words, each a clickable <span>; rendering that in a
Jinja loop cost ~150 ms per page view (bench/web.py). Plain string building is
several times faster, and the result is cached per app until the transcript
changes: the key is a fingerprint of every shown segment (id, version, times,
speaker, text, number of words) and of the speaker names shown on turns, so edits,
imports, re-transcriptions and renamed voices all miss the cache, whatever their ids.

Two things vary per request and stay out of the cache: the passage a deep link
(?t=) lands on, marked in the cached HTML by `mark_target` (one substitution),
and an in-story search's hits (web/story_search.py), rendered uncached into the
transcript as <mark>s.
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


class VoiceLabel(str):
    """"Spreker A": a voice's label worded in the page's language, inside a transcript in the story's, so
    it carries a lang attribute (a screen reader then pronounces it as Dutch in an English story)."""

    lang: str | None = None


def speaker_names(segments, voice_of: dict, names: dict, gettext, language: str | None = None) -> list:
    """The speaker to name before each segment, None where the speaker stays the same (a turn is a change
    of speaker): the segment's speaker, else the name given to its voice (Story.voices), else "Spreker A"
    for a voice without one (a VoiceLabel in `language`); nothing for a segment without speaker and voice."""
    out: list = []
    last = None
    for seg in segments:
        voice = voice_of.get(seg.id)
        given = names.get(voice) if voice else None
        if isinstance(given, dict):
            given = given.get("name")
        name = seg.speaker or given
        if not name and voice:
            name = VoiceLabel(gettext("Spreker {voice}").replace("{voice}", voice))  # escaped once, in render
            name.lang = language
        out.append(name if name and name != last else None)
        last = name
    return out


def render(segments, gettext, redacted: tuple = (), speakers: list | None = None, hits: dict | None = None) -> Markup:
    """HTML for the shown segments (catalog Segment rows): one <p> per segment, one <span> per word.

    `speakers`: a name (or None) per segment, from speaker_names. `hits`: story_search hits by segment id;
    their passages get class "hit" and their matched words a <mark>.

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
    hits = hits or {}
    for i, seg in enumerate(segments):
        while hidden and hidden[0][0] <= seg.start:
            add(_marker(*hidden.pop(0), marker))
        start = round(seg.start, 2)
        when = mmss(start)
        low = _segment_low(seg)
        name = speakers[i] if speakers else None
        hit = hits.get(seg.id)
        kind = (" low" if low else "") + (" turn" if name else "") + (" hit" if hit else "")
        add(f'<p class="seg{kind}" id="s{seg.id}" data-start="{start}" '
            f'data-end="{round(seg.end, 2)}">\n<a class="time" href="?t={int(start)}#t={when}" '
            f'data-t="{start}" aria-label="{listen_from.replace("{time}", when)}">{when}</a>\n')
        if name:
            lang = getattr(name, "lang", None)
            attr = f' lang="{escape(lang)}"' if lang else ""
            add(f'<span class="speaker"{attr}>{escape(name)}:</span>\n')
        if low:
            add(f'<span class="visually-hidden">({unsure})</span>\n')
        add('<span class="text">')
        words = seg.words or ()
        marked = hit.words if hit else ()
        if words:
            plain = _SPECIAL.search("".join(str(w[2]) for w in words)) is None
            for k, w in enumerate(words):
                text = str(w[2])
                word = text.lstrip()
                pre = text[: len(text) - len(word)]
                doubtful = w[3] is not None and float(w[3]) < LOW_WORD
                if not plain:
                    pre, word = escape(pre), escape(word)
                if k in marked:
                    word = f"<mark>{word}</mark>"
                add(f'{pre}<span class="w low" data-t="{round(float(w[0]), 2)}"{title}>{word}</span>' if doubtful else
                    f'{pre}<span class="w" data-t="{round(float(w[0]), 2)}">{word}</span>')
        elif hit:
            # No word times (an imported transcript): the whole text with its matches marked.
            add(hit.found.snippet("<mark>", "</mark>", escape=lambda x: str(escape(x)), width=len(hit.found.text) + 1))
        else:
            add(str(escape(seg.text.strip())))
        add("</span>\n</p>\n")
    for span in hidden:
        add(_marker(*span, marker))
    return Markup("".join(out))


def target_start(segments, redacted, t: float) -> float | None:
    """The start of the passage (a segment or a redaction marker) a deep link to `t` seconds lands on: the
    last one starting at or before it, else the first; None for an empty transcript."""
    starts = sorted([seg.start for seg in segments] + [a for a, _b in redacted])
    if not starts:
        return None
    best = starts[0]
    for s in starts:
        if s > t + 0.05:
            break
        best = s
    return best


def mark_target(html: Markup, start: float, anchor: str) -> Markup:
    """`html` with the passage starting at `start` marked as a deep link's target: class "target" (the
    highlight, also without JavaScript) and an element with id `anchor` (the link's fragment, so a browser
    without JavaScript scrolls there by itself)."""
    html_text = str(html)  # plain str: Markup would escape the pieces joined to it
    attr = f'data-start="{round(start, 2)}"'
    found = re.search(r'<p class="seg([^"]*)"([^>]*) ' + re.escape(attr) + r'([^>]*)>', html_text)
    if not found:
        return html
    tag = (f'<p class="seg{found.group(1)} target"{found.group(2)} {attr}{found.group(3)}>'
           f'<span class="anchor" id="{escape(anchor)}"></span>')
    return Markup(html_text[:found.start()] + tag + html_text[found.end():])


def cached(cache: OrderedDict, story_id: int, language: str, segments, build, redacted: tuple = (),
           speakers: list | None = None) -> Markup:
    """The rendered transcript for this story's current segments, redacted times, speaker names and
    language, built once."""
    k = (story_id, language, fingerprint(segments), tuple(redacted), tuple(speakers or ()))
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
