"""Names the decoder misheard, put right from the story's vocabulary: pure functions over decoded words.

The vocabulary (people, places, series, themes, the archive's glossary) is what a story's
metadata says is likely to be said. Given to the decoder as a prompt it also makes the decoder
write it where nobody said it (the echo guard's job, verhalen.transcript_guards), and on
synthetic test interviews it made most chunks worse (measured, docs/transcription.md). Used
after decoding it cannot do that: a word, or two or three words in a row, that is spelled
nearly like a vocabulary entry ("Delfs haven", "Esseline" heard as "Ezeline") is replaced by the
entry. Nothing is ever inserted where no decoded word was, and the less sure the decoder was of
a word, the further its spelling may be from the entry.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from .transcript_guards import SegmentText, Word

VOCABULARY = "vocabulary"  # the count of replacements, in a transcript run's checks
MAX_SPAN_WORDS = 3        # "Afri kaander markt": a name heard as up to three words
MIN_FUZZY_LETTERS = 6     # shorter entries ("werk", "markt", "Henk") are one letter from everyday words ("werd", "Mark")
# How far (edits / letters of the entry) a spelling may be from an entry: sure words barely, unsure ones more.
SURE_TOLERANCE, UNSURE_TOLERANCE = 0.15, 0.4


@dataclass(frozen=True)
class Target:
    text: str      # as the vocabulary spells it
    letters: str   # lower-case letters only
    sound: str     # a rough Dutch sound key of `letters`


@dataclass(frozen=True)
class Replacement:
    start: float
    end: float
    heard: str
    written: str


def letters(text: str) -> str:
    """Lower-case letters without accents or punctuation: "Zürtel-personen," -> "zurtelpersonen"."""
    plain = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in plain if ch.isalpha() and ch.isascii())


# Spellings Dutch (and Whisper) use for one sound, mapped to one symbol; applied in this order.
_SOUNDS = [("sch", "sg"), ("ch", "g"), ("ij", "y"), ("ei", "y"), ("au", "ou"), ("ph", "f"), ("v", "f"),
           ("z", "s"), ("dt", "t"), ("ck", "k"), ("c(?=[eiy])", "s"), ("c", "k"), ("q", "k"), ("x", "ks"),
           ("d(?=[stkpfg]|$)", "t"), ("h(?=[^aeiouy]|$)", "")]


def sound(text: str) -> str:
    """A rough sound key: one symbol per spelling of a sound, doubled letters single ("Keti" ~ "Kettie")."""
    key = letters(text)
    for pattern, to in _SOUNDS:
        key = re.sub(pattern, to, key)
    key = re.sub(r"ie$", "i", key)
    return re.sub(r"(.)\1+", r"\1", key)


def targets(vocabulary: Iterable[str]) -> list[Target]:
    """What a decoded word may be corrected to: each entry, and each word of a longer entry (a first name
    alone, "Amal" of "Amal Haddad"). Entries without letters are left out."""
    out: dict[str, Target] = {}
    for entry in vocabulary:
        entry = " ".join(str(entry).split())
        parts = entry.split(" ")
        for text in [entry] + (parts if len(parts) > 1 else []):
            key = letters(text)
            if len(key) >= 3 and key not in out:
                out[key] = Target(text, key, sound(text))
    return list(out.values())


def edits(a: str, b: str) -> int:
    """Levenshtein distance between two strings."""
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def tolerance(probability: float) -> float:
    """Share of an entry's letters a heard spelling may differ in, given how sure the decoder was (0..1)."""
    p = min(1.0, max(0.0, probability))
    return UNSURE_TOLERANCE - (UNSURE_TOLERANCE - SURE_TOLERANCE) * p


def distance(heard: str, target: Target) -> float:
    """How far a heard spelling is from an entry: edits per letter of the entry, by letters or by sound."""
    by_letters = edits(letters(heard), target.letters) / len(target.letters)
    by_sound = edits(sound(heard), target.sound) / max(1, len(target.sound))
    return min(by_letters, by_sound)


def _written(target: Target, heard: Sequence[Word]) -> str:
    """The entry as it goes into the text: the first word's leading space, the last word's punctuation,
    a capital where the decoder wrote one at the start of a sentence."""
    first, last = heard[0].word, heard[-1].word
    lead = first[: len(first) - len(first.lstrip())]
    core = last.rstrip()
    trail = core[len(core.rstrip(".,;:!?…\"')")):] + last[len(core):]
    text = target.text
    if text[:1].islower() and first.lstrip()[:1].isupper():
        text = text[:1].upper() + text[1:]
    return lead + text + trail


def _candidates(words: Sequence[Word], found: list[Target]):
    """(distance, span length, start, end, target) of every span that may be an entry."""
    for i in range(len(words)):
        for n in range(1, MAX_SPAN_WORDS + 1):
            span = words[i:i + n]
            if len(span) < n or not all(letters(w.word) for w in span):
                break
            heard = "".join(letters(w.word) for w in span)
            probability = min(w.probability for w in span)
            for t in found:
                if heard == t.letters:
                    yield 0.0, n, i, i + n, t
                    continue
                # An entry with an ending or a word after it, or the start of one, is a word of its own
                # ("Rotterdamse", "buurthuis", "poffertje" of "poffertjes", "kraam" of "kraamhuur").
                if len(t.letters) < MIN_FUZZY_LETTERS or heard.startswith(t.letters) or t.letters.startswith(heard):
                    continue
                # Two or three words must together be the entry, each word a piece of it: a name
                # heard split up, not a name with a neighbouring word ("in Rotterdm" stays two words).
                if n > 1 and any(len(letters(w.word)) < 2 for w in span):
                    continue
                d = distance(heard, t)
                if d <= tolerance(probability) * (1.0 if n == 1 else 0.75):
                    yield d, n, i, i + n, t


def correct_words(words: Sequence[Word], vocabulary: Iterable[str] | list[Target]) -> tuple[list[Word], list[Replacement]]:
    """The words with every span that nearly spells a vocabulary entry replaced by it, and what was replaced.

    Closest first, and of equally close spans the longer ("Afrikaander markt" is the glossary's
    Afrikaandermarkt before it is the theme markt); a span already spelled exactly like an entry is
    kept as it is (only its capitals follow the entry) and blocks any other reading of its words.
    """
    words = list(words)
    found = [v for v in vocabulary if isinstance(v, Target)] or targets(v for v in vocabulary if isinstance(v, str))
    if not words or not found:
        return words, []
    taken = [False] * len(words)
    chosen = []
    for d, n, i, j, t in sorted(_candidates(words, found), key=lambda c: (c[0], -c[1], c[2])):
        if any(taken[i:j]):
            continue
        taken[i:j] = [True] * (j - i)
        chosen.append((i, j, t))
    out, done, at = [], [], 0
    for i, j, t in sorted(chosen, key=lambda c: c[0]):
        out.extend(words[at:i])
        span = words[i:j]
        written = _written(t, span)
        heard = "".join(w.word for w in span)
        if written != heard:
            out.append(Word(span[0].start, span[-1].end, written, min(w.probability for w in span)))
            if letters(written) != letters(heard):
                done.append(Replacement(span[0].start, span[-1].end, heard.strip(), written.strip()))
        else:
            out.extend(span)
        at = j
    out.extend(words[at:])
    return out, done


def correct_segments(segments: Iterable[SegmentText], vocabulary: Iterable[str]) -> tuple[list[SegmentText], list[Replacement]]:
    """Every segment's words corrected against the vocabulary (spans never cross a segment's edge)."""
    found = targets(vocabulary)
    out, done = [], []
    for seg in segments:
        if not found or not seg.words:
            out.append(seg)
            continue
        words, replaced = correct_words(seg.words, found)
        if tuple(words) == tuple(seg.words):
            out.append(seg)
            continue
        out.append(replace(seg, text="".join(w.word for w in words), words=tuple(words)))
        done.extend(replaced)
    return out, done
