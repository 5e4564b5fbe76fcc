"""Checks on what the decoder wrote, before it becomes a transcript: pure functions over words and times.

Batched decoding (faster-whisper's BatchedInferencePipeline) is about five times faster than
sequential decoding, but it has none of its fallbacks: no temperature retry, no compression
check, no second look at a quiet turn. On long real recordings that shows as failures bare
sequential decoding does not make. Each has a detector here; verhalen.transcription holds
the remedies (decode that stretch again, differently):

- echo: the decoder writes its prompt, the archive's vocabulary, as if it had been heard;
- loop: one sentence three or more times in a row;
- dropped speech: a voiced stretch of a second or more with no word in it.

Also here, older and per segment: a phrase looping inside one segment (`collapse_repeats`)
and a segment that repeats its predecessor implausibly (`repeats_previous`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from typing import Iterable

# What a guard did to a stretch, stored on each segment it produced (catalog Segment.guard).
ECHO = "echo"          # decoded again without the vocabulary: the first decode echoed it
LOOP = "loop"          # decoded again sequentially: the first decode looped
COVERAGE = "coverage"  # voiced but wordless in the first decode, decoded again on its own
GAP = "gap"            # voiced, and no decode found words in it: an editor should listen
GUARDS = (ECHO, LOOP, COVERAGE, GAP)

MIN_HOLE_SECONDS = 1.0     # shorter wordless speech is breath, a click, the tail of a word
WORD_SLACK_SECONDS = 0.3   # Whisper's word times are this far off, easily
MAX_WORDS_PER_SECOND = 5.0  # faster than anyone speaks: Dutch and English talk runs at 2-4


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    probability: float


@dataclass(frozen=True)
class SegmentText:
    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float
    words: tuple[Word, ...] = ()
    language: str | None = None
    guard: str | None = None


@dataclass(frozen=True)
class Span:
    """A stretch of the recording, in seconds."""

    start: float
    end: float


def norm(word: str) -> str:
    return "".join(ch for ch in word.lower() if ch.isalnum())


def tokens(text: str) -> list[str]:
    return [t for t in (norm(w) for w in text.split()) if t]


# -- echo ------------------------------------------------------------------------------------


class Vocabulary(dict):
    """Each word of the vocabulary -> where it first comes in the prompt; `entry`: which entry it came from."""

    def __init__(self):
        super().__init__()
        self.entry: dict[str, int] = {}


def vocabulary_positions(hotwords: Iterable[str]) -> Vocabulary:
    """Each word of the vocabulary (as the prompt spells it) and where it first comes in the prompt.

    Words of two letters or fewer ("de", "el") are left out: they are in every sentence.
    """
    out = Vocabulary()
    for e, entry in enumerate(hotwords):
        for token in tokens(entry):
            if len(token) > 2 and token not in out:
                out[token] = len(out)
                out.entry[token] = e
    return out


def _position(token: str, vocabulary: dict[str, int]) -> str | None:
    """The vocabulary word a token is; a cut-off vocabulary word ("Sleutel" for "Sleutelpersonen") counts."""
    if token in vocabulary:
        return token
    if len(token) >= 4:
        return next((word for word in vocabulary if word.startswith(token)), None)
    return None


def is_echo(text: str, vocabulary: dict[str, int]) -> bool:
    """True when a segment reads as the prompt rather than as speech.

    Real sentences name a person or a place between other words; an echo lists the
    vocabulary itself: four or more vocabulary words back to back in prompt order, three
    from two or more entries ("Keti Koti wijkpanel", heard where "Keti Koti oefenen we" was
    said), or a segment of three or more words made mostly (60 %) of vocabulary words.
    """
    if not vocabulary:
        return False
    entry_of = getattr(vocabulary, "entry", {})
    toks = tokens(text)
    run = longest = hits = 0
    last = -1
    entries: set = set()
    for t in toks:
        word = _position(t, vocabulary)
        hits += word is not None
        if word is None:
            run, entries = 0, set()
            continue
        pos = vocabulary[word]
        if run and pos > last:
            run += 1
        else:
            run, entries = 1, set()
        entries.add(entry_of.get(word, word))
        last = pos
        longest = max(longest, run)
        if run >= 3 and len(entries) >= 2:
            return True
    return longest >= 4 or (hits >= 3 and hits >= 0.6 * len(toks))


# -- loops -----------------------------------------------------------------------------------


def has_loop(segments: Iterable[SegmentText], min_repeats: int = 3, min_words: int = 3, max_words: int = 30) -> bool:
    """True when the decoder went round: the same run of `min_words`..`max_words` words `min_repeats`+
    times in a row (with or without punctuation between the rounds), unless it reads as said."""
    return loop_unit(segments, min_repeats, min_words, max_words) is not None


def loop_unit(segments: Iterable[SegmentText], min_repeats: int = 3, min_words: int = 3,
              max_words: int = 30) -> tuple[str, ...] | None:
    """The words that go round (see `has_loop`), or None.

    Said means each round is its own segment(s), with its own timestamps, at a pace people speak,
    one after the other: a refrain, a question read back. The decoder's loops come without that
    (one long segment going round, or rounds squeezed or overlapping). Twice is always speech.
    """
    segments = list(segments)
    toks: list[str] = []
    owner: list[int] = []  # which segment each word is in
    for k, seg in enumerate(segments):
        for t in tokens(seg.text):
            toks.append(t)
            owner.append(k)
    for i in range(len(toks)):
        for n in range(min_words, min(max_words, (len(toks) - i) // min_repeats) + 1):
            unit = toks[i:i + n]
            reps = 1
            while toks[i + reps * n: i + (reps + 1) * n] == unit:
                reps += 1
            if reps >= min_repeats and not _said(segments, owner, i, n, reps):
                return tuple(unit)
    return None


def rounds(unit: tuple[str, ...], segments: Iterable[SegmentText], similarity: float = 1.0) -> int:
    """How often `unit` is said in `segments` (rounds do not overlap).

    With `similarity` below 1 a round may be spelled differently ("Kommar kijkend, kom markijken" for
    "kom maar kijken"): it counts when its letters, in n-1..n+1 words, are that alike (difflib's ratio)
    to the unit's. A second decode that still says a loop's unit twice or more heard a repetition in
    the audio (a market trader's refrain); the decoder going round is not repeated by a fresh decode.
    """
    toks = [t for seg in segments for t in tokens(seg.text)]
    target, n = "".join(unit), len(unit)
    found = i = 0
    while n and i < len(toks):
        for m in range(max(1, n - 1), n + 2):
            if SequenceMatcher(None, "".join(toks[i:i + m]), target).ratio() >= similarity:
                found += 1
                i += m
                break
        else:
            i += 1
    return found


def _said(segments: list[SegmentText], owner: list[int], i: int, n: int, reps: int) -> bool:
    """Whether the `reps` rounds of `n` words from word `i` are each whole segments at a speaking pace."""
    last_end = None
    for k in range(reps):
        first, last = owner[i + k * n], owner[i + (k + 1) * n - 1]
        starts_segment = i + k * n == 0 or owner[i + k * n - 1] != first
        ends_segment = i + (k + 1) * n == len(owner) or owner[i + (k + 1) * n] != last
        if not (starts_segment and ends_segment):
            return False
        start, end = segments[first].start, segments[last].end
        if end - start < 0.3 or n / (end - start) > MAX_WORDS_PER_SECOND:
            return False
        if last_end is not None and start < last_end - 0.1:
            return False
        last_end = end
    return True


def collapse_repeats(words: list[Word], min_repeats: int = 3, max_n: int = 8) -> tuple[list[Word], int]:
    """Collapse a phrase of 1..max_n words repeated min_repeats+ times in a row to one occurrence.

    Returns the kept words and how many were removed. Ordinary speech repeats a
    word twice ("heel heel mooi"), hence three in a row before it counts as a loop.
    """
    keys = [norm(w.word) for w in words]
    out: list[Word] = []
    removed = 0
    i = 0
    while i < len(words):
        collapsed = False
        for n in range(1, max_n + 1):
            unit = keys[i:i + n]
            if len(unit) < n or not any(unit):
                break
            reps = 1
            while keys[i + reps * n: i + (reps + 1) * n] == unit:
                reps += 1
            if reps >= min_repeats:
                out.extend(words[i:i + n])
                removed += (reps - 1) * n
                i += reps * n
                collapsed = True
                break
        if not collapsed:
            out.append(words[i])
            i += 1
    return out, removed


def clean_segment(seg: SegmentText) -> SegmentText | None:
    """The segment with loops collapsed; None if nothing trustworthy is left (pure hallucination)."""
    if not seg.words:
        return seg if seg.text.strip() else None
    words, removed = collapse_repeats(list(seg.words))
    if not removed:
        return seg
    if len(words) < 2 and removed >= 4:
        return None
    return replace(seg, end=words[-1].end if words else seg.end, text="".join(w.word for w in words),
                   words=tuple(words))


def repeats_previous(seg: SegmentText, kept: list[SegmentText]) -> bool:
    """True when a segment is Whisper looping: it says word for word what the one before it said
    (3+ words) AND does so implausibly (overlapping it, faster than speech, or with low confidence).

    A sentence really said twice (a refrain, a question read back) is kept: it takes normal time.
    """
    if not kept:
        return False
    prev = kept[-1]
    key = tokens(seg.text)
    if len(key) < 3 or key != tokens(prev.text):
        return False
    duration = max(seg.end - seg.start, 0.01)
    return (seg.start < prev.end - 0.1 or len(key) / duration > MAX_WORDS_PER_SECOND
            or (seg.avg_logprob is not None and seg.avg_logprob < -1.0))


# -- long segments ------------------------------------------------------------------------------

LONG_SEGMENT_SECONDS = 12.0  # a reader cites and jumps by segment: longer ones are split where a sentence ends
TURN_PAUSE_SECONDS = 1.0     # a pause this long between two words is where one speaker stops


def split_long(seg: SegmentText, max_seconds: float = LONG_SEGMENT_SECONDS,
               pause: float = TURN_PAUSE_SECONDS) -> list[SegmentText]:
    """A segment longer than `max_seconds`, cut after each sentence end and at each long pause.

    With a prompt, batched decoding often writes a whole 30-s chunk as one segment without
    timestamps (measured); its words still have times, so the cuts fall where the speech does.
    """
    words = list(seg.words)
    if seg.end - seg.start <= max_seconds or len(words) < 2:
        return [seg]
    parts, current = [], [words[0]]
    for prev, w in zip(words, words[1:]):
        if prev.word.rstrip().endswith((".", "?", "!", "…")) or w.start - prev.end >= pause:
            parts.append(current)
            current = []
        current.append(w)
    parts.append(current)
    if len(parts) == 1:
        return [seg]
    return [replace(seg, start=p[0].start, end=p[-1].end, text="".join(w.word for w in p), words=tuple(p))
            for p in parts]


# -- dropped speech ---------------------------------------------------------------------------


def uncovered(speech: Iterable[Span], words: Iterable[Span], min_length: float = MIN_HOLE_SECONDS,
              slack: float = WORD_SLACK_SECONDS) -> list[Span]:
    """Stretches of speech (voice activity) at least `min_length` long that no word reaches.

    A word covers its own time plus `slack` either side, because word times drift.
    """
    covered = sorted((w.start - slack, w.end + slack) for w in words)
    holes = []
    for region in speech:
        at = region.start
        for a, b in covered:
            if b <= at or a >= region.end:
                continue
            if a > at and a - at >= min_length:
                holes.append(Span(round(at, 3), round(a, 3)))
            at = max(at, b)
            if at >= region.end:
                break
        if region.end - at >= min_length:
            holes.append(Span(round(at, 3), round(region.end, 3)))
    return holes


def covered_share(speech: Iterable[Span], covered: Iterable[Span]) -> float:
    """How much of the speech time (0..1) lies inside `covered` (words with slack, gaps)."""
    speech = list(speech)
    total = sum(s.end - s.start for s in speech)
    if total <= 0:
        return 1.0
    spans = sorted((c.start, c.end) for c in covered)
    inside = 0.0
    for s in speech:
        at = s.start
        for a, b in spans:
            a, b = max(a, at), min(b, s.end)
            if b > a:
                inside += b - a
                at = b
    return min(1.0, inside / total)


def overlaps_any(span, spans: Iterable[Span]) -> bool:
    """True when `span` (anything with start and end) shares time with one of `spans`."""
    return any(span.start < s.end and s.start < span.end for s in spans)


def words_inside(words: Iterable[Word], hole: Span) -> list[Word]:
    """The words whose middle falls inside `hole`: what a decode of the padded hole adds, not its edges."""
    return [w for w in words if hole.start <= (w.start + w.end) / 2 <= hole.end]


def repeats_neighbours(new: list[Word], around: Iterable[SegmentText]) -> bool:
    """True when the words decoded for a hole only say again what the segments next to it already say
    (word times were off, the words were there): then the hole was not really empty."""
    key = " ".join(norm(w.word) for w in new if norm(w.word))
    if not key:
        return True
    near = " ".join(" ".join(tokens(s.text)) for s in around)
    return f" {key} " in f" {near} "
