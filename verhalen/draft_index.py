"""A draft index (table of contents) for a transcript: where the story turns to another subject, and for
each part a title, keywords and a synopsis taken from what was said. Pure: plain segment dicts in, plain
point dicts out (verhalen.index_points keeps them in the catalog).

Boundaries: lexical cohesion as in TextTiling (Hearst 1997). At every pause between two passages the words
of the stretch before are compared with the words of the stretch after (cosine of their content-word
counts, stop words and filler left out); where the vocabulary changes the similarity dips, and the depth of
the dip is the boundary's strength. A change of speaker and a long pause add a little: an interviewer's new
question or a silence often opens a new subject, and a boundary found inside an answer moves back to the
question that opened it (snap_to_turn). Only boundaries that leave every part at least
MIN_PART_SECONDS long are taken, the strongest first, and no more than one per MEAN_PART_SECONDS of
recording, so a short clip has one point (at 0) and an hour's interview a couple of dozen at most.

Each part's title is its best key phrase (verhalen.keywords, from words the model was sure of), written as
it was said and capitalised; its keywords the next few; its synopsis the sentence closest to the part's
word centroid, cut at a word boundary. Nothing is invented: a part with no key phrase joins the part
before it. Redacted passages and a guard's text (a gap, a rescue decode) are no evidence and never show.
docs/decisions.md ("The draft index") says why this method.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, Iterable

import yake

from . import keywords

MIN_PART_SECONDS = 45.0   # no part shorter: a listener does not need a mark every few sentences
MEAN_PART_SECONDS = 180.0  # at most one boundary per this much recording (rounded): the density cap
BLOCK_SECONDS = 30.0      # the stretch of speech compared on either side of a candidate boundary
LONG_PAUSE_SECONDS = 2.0  # a silence at least this long is a candidate of its own weight
TURN_BONUS = 0.05         # a change of speaker at the boundary
PAUSE_BONUS = 0.1         # the most a long pause adds (reached at 4 x LONG_PAUSE_SECONDS)
MIN_DEPTH = 0.1           # below this the vocabulary hardly changes: not a new subject
SNAP_SECONDS = 15.0       # a boundary moves back to a change of speaker this close before it
QUESTION_SECONDS = 10.0   # a turn this short just before that change is the question that opened the subject
KEYWORDS_PER_POINT = 4
SYNOPSIS_CHARS = 200
STEM = 6                  # content words compared by their first letters: bakker/bakkers/bakkerij, goal/goals
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@lru_cache(maxsize=None)
def stop_words(language: str | None) -> frozenset[str]:
    """YAKE's stop list of the language (the same one keywords.extract uses), Dutch and English always (a
    Dutch story quotes English and the other way round), and the spoken filler keywords.py leaves out."""
    langs = {"nl", "en"} | ({language} if language in keywords._YAKE_LANGS else set())
    words: set[str] = set(keywords.FILLER)
    for lan in sorted(langs):
        words |= {w.lower() for w in yake.KeywordExtractor(lan=lan).stopword_set}
    return frozenset(words)


def evidence(segments: Iterable[dict]) -> list[dict]:
    """The passages that may speak for the story's contents, in time order: not redacted, not a guard's
    (a gap has no text; a rescue decode is a second guess), with text."""
    return sorted((s for s in segments if not s.get("redacted") and not s.get("guard") and (s.get("text") or "").strip()),
                  key=lambda s: (s["start"], s["end"]))


def _sure(seg: dict) -> str:
    """The words of a passage the model was sure of (keywords.confident_text, which reads catalog rows)."""
    return keywords.confident_text([SimpleNamespace(text=seg.get("text") or "", words=seg.get("words") or [])])


def terms(text: str, stops: frozenset[str]) -> Counter:
    """Content-word counts: lower-cased, stop words, numbers and words under 3 letters out, cut to STEM letters."""
    return Counter(w[:STEM] for w in (m.lower() for m in _WORD.findall(text))
                   if len(w) >= 3 and not w.isdigit() and w not in stops)


def cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(n * b[w] for w, n in a.items() if w in b)
    return dot / math.sqrt(sum(n * n for n in a.values()) * sum(n * n for n in b.values()))


def _voice(seg: dict) -> str | None:
    return seg.get("speaker") or seg.get("voice")


def boundary_scores(units: list[dict], vectors: list[Counter]) -> list[float]:
    """For each gap i (between units[i-1] and units[i], i >= 1; index 0 is unused and 0.0): how strongly the
    subject changes there. TextTiling's depth score of the similarity curve, plus a speaker change and a pause."""
    n = len(units)
    sims = [0.0] * n
    for i in range(1, n):
        at = units[i]["start"]
        left, right = Counter(), Counter()
        for j in range(i - 1, -1, -1):  # the stretch before: at least the passage just before
            if j < i - 1 and units[j]["end"] < at - BLOCK_SECONDS:
                break
            left.update(vectors[j])
        for j in range(i, n):
            if j > i and units[j]["start"] > at + BLOCK_SECONDS:
                break
            right.update(vectors[j])
        sims[i] = cosine(left, right)
    scores = [0.0] * n
    for i in range(1, n):
        peak_left = sims[i]
        for j in range(i - 1, 0, -1):
            if sims[j] < peak_left:
                break
            peak_left = sims[j]
        peak_right = sims[i]
        for j in range(i + 1, n):
            if sims[j] < peak_right:
                break
            peak_right = sims[j]
        depth = (peak_left - sims[i]) + (peak_right - sims[i])
        if depth < MIN_DEPTH:  # a flat stretch: a pause or a turn alone does not make a new subject
            continue
        a, b = _voice(units[i - 1]), _voice(units[i])
        turn = TURN_BONUS if a and b and a != b else 0.0
        pause = units[i]["start"] - units[i - 1]["end"]
        rest = PAUSE_BONUS * min(1.0, pause / (4 * LONG_PAUSE_SECONDS)) if pause >= LONG_PAUSE_SECONDS else 0.0
        scores[i] = depth + turn + rest
    return scores


def _turn(units: list[dict], i: int) -> bool:
    a, b = _voice(units[i - 1]), _voice(units[i])
    return bool(a and b and a != b)


def snap_to_turn(units: list[dict], i: int) -> int:
    """Where a part found at unit i really begins: in an interview the words change in the answer, but the
    subject was opened by the question before it. So: the nearest change of speaker at most SNAP_SECONDS
    before (or at) i, and one turn earlier still when that is a short turn of its own (the question)."""
    for j in range(i, 0, -1):
        if units[i]["start"] - units[j]["start"] > SNAP_SECONDS:
            break
        if _turn(units, j):
            if j >= 2 and _turn(units, j - 1) and units[j]["start"] - units[j - 1]["start"] <= QUESTION_SECONDS:
                return j - 1
            return j
    return i


def choose_boundaries(units: list[dict], scores: list[float], duration: float) -> list[int]:
    """The gaps (unit indexes) to cut at: strongest first (each moved back to the turn that opened it), each
    part at least MIN_PART_SECONDS, at most one per MEAN_PART_SECONDS of recording; in time order."""
    most = int(duration / MEAN_PART_SECONDS + 0.5)
    chosen: list[int] = []
    for i in sorted(range(1, len(units)), key=lambda i: (-scores[i], units[i]["start"])):
        if len(chosen) >= most or scores[i] <= 0.0:
            break
        i = snap_to_turn(units, i)
        at = units[i]["start"]
        if at < MIN_PART_SECONDS or duration - at < MIN_PART_SECONDS:
            continue
        if any(abs(at - units[c]["start"]) < MIN_PART_SECONDS for c in chosen):
            continue
        chosen.append(i)
    return sorted(chosen)


def _as_said(phrase: str, text: str) -> str:
    """The key phrase (YAKE lower-cases it) with the spelling it has in the transcript, capitalised."""
    words = phrase.split()
    pattern = r"\b" + r"\W+".join(re.escape(w) for w in words) + r"\b"
    m = re.search(pattern, text, re.IGNORECASE | re.UNICODE)
    said = m.group(0) if m else phrase
    said = " ".join(said.split())
    return said[:1].upper() + said[1:]


def shorten(text: str, limit: int = SYNOPSIS_CHARS) -> str:
    """`text` up to `limit` characters, cut at a word boundary with an ellipsis when it is longer."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(",;:-– ") + "…"


def sentences(units: list[dict]) -> list[str]:
    return [s.strip() for u in units for s in _SENTENCE_END.split(" ".join((u.get("text") or "").split())) if s.strip()]


def synopsis(units: list[dict], stops: frozenset[str]) -> str:
    """The part's most representative sentence: the one closest (cosine) to the part's word centroid; of equals
    the earliest, and a sentence of a few words only when there is nothing longer."""
    candidates = sentences(units)
    if not candidates:
        return ""
    centroid = Counter()
    for s in candidates:
        centroid.update(terms(s, stops))
    long_ones = [s for s in candidates if len(_WORD.findall(s)) >= 5] or candidates
    best = max(long_ones, key=lambda s: (cosine(terms(s, stops), centroid), -long_ones.index(s)))
    return shorten(best)


def _occurrences(phrase: str, text: str) -> int:
    pattern = r"\b" + r"\W+".join(re.escape(w) for w in phrase.split()) + r"\b"
    return len(re.findall(pattern, text, re.IGNORECASE | re.UNICODE))


def _namable(phrase: str, stops: frozenset[str]) -> bool:
    """A phrase fit to name a part: words only (not across a sentence's end), not opening or closing with a
    stop word (YAKE's list for one language lets the other's through: "met" in an English-detected stretch)."""
    words = phrase.split()
    return bool(words) and all(_WORD.fullmatch(w) or re.fullmatch(r"\w+(?:['-]\w+)+", w) for w in words) \
        and words[0] not in stops and words[-1] not in stops


def describe(units: list[dict], language: str | None, stops: frozenset[str]) -> dict[str, Any] | None:
    """Title, keywords and synopsis of one part, or None when no key phrase can be found in it.

    The title is the one of YAKE's best phrases the part says most (times said x words, so "football club"
    said three times beats "club" said four); the keywords follow it, each adding a word not yet named."""
    sure = " ".join(_sure(u) for u in units)
    phrases = [p for p, _score in keywords.extract(sure, language, KEYWORDS_PER_POINT * 3) if _namable(p, stops)]
    if not phrases:
        return None
    best = max(phrases[:KEYWORDS_PER_POINT + 1],
               key=lambda p: (_occurrences(p, sure) * len(p.split()), -phrases.index(p)))
    chosen, named = [best], set(best.split())
    for p in phrases:
        if len(chosen) == KEYWORDS_PER_POINT:
            break
        if p not in chosen and not set(p.split()) <= named and not set(p.split()) & set(best.split()):
            chosen.append(p)
            named |= set(p.split())
    text = " ".join((u.get("text") or "") for u in units)
    return {"title": _as_said(best, text)[:300], "keywords": chosen, "synopsis": synopsis(units, stops)}


def propose(segments: Iterable[dict], duration: float | None = None, language: str | None = None) -> list[dict]:
    """Index points for a transcript: [{"start", "title", "synopsis", "keywords"}], in time order; the first at 0.

    `segments`: dicts with start, end, text and optionally words ([start, end, word, probability]), speaker,
    voice, redacted, guard. `duration`: the recording's length (default: the last passage's end). Returns []
    when the transcript gives nothing to name a part by. Deterministic: the same transcript, the same points.
    """
    units = evidence(segments)
    if not units:
        return []
    duration = max(duration or 0.0, units[-1]["end"])
    stops = stop_words(language)
    vectors = [terms(_sure(u), stops) for u in units]
    cuts = choose_boundaries(units, boundary_scores(units, vectors), duration)
    bounds = [0, *cuts, len(units)]
    points: list[dict] = []
    for a, b in zip(bounds, bounds[1:]):
        part = units[a:b]
        described = describe(part, language, stops)
        if described is None:  # nothing to call it by: it stays part of the one before (the first: of the next)
            continue
        points.append({"start": 0.0 if not points else round(float(part[0]["start"]), 3), **described})
    return points
