"""Which language to transcribe each stretch of a recording in: pure decisions over language detections.

Whisper detects a language per 30-s chunk; a detection is trusted only when it is
sure and names a language the archive expects, and the story's language is the one
most chunks have, so a single lucky chunk cannot switch a whole story.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

# Languages Whisper can transcribe (its tokenizer's list); Kurdish and
# Tigrinya are not among them, so such stories wait for a human transcript.
try:
    from faster_whisper.tokenizer import _LANGUAGE_CODES as WHISPER_LANGUAGES
except ImportError:  # pragma: no cover - older faster-whisper
    WHISPER_LANGUAGES = ()


def is_sure(language: str | None, probability: float | None, expected: Iterable[str], min_probability: float) -> bool:
    """A detection to act on: an expected language, detected with at least `min_probability`."""
    return language in tuple(expected) and (probability or 0) >= min_probability


@dataclass(frozen=True)
class LanguageDecision:
    language: str
    source: str  # given | detected | fallback
    note: str = ""


def decide_language(requested: str | None, detected: str | None, probability: float | None,
                    default: str, expected: Iterable[str], min_probability: float) -> LanguageDecision:
    """Which language to transcribe in, and why.

    A requested language wins. A detection is trusted only if it is sure
    (probability >= min_probability) and names an expected language; else the
    archive's default language is used and the note says what was detected.
    """
    if requested:
        return LanguageDecision(requested, "given")
    expected = tuple(expected)
    if detected and probability is not None and is_sure(detected, probability, expected, min_probability):
        return LanguageDecision(detected, "detected")
    if detected is None:
        why = "no speech to detect a language from"
    elif detected not in expected:
        why = f"detected {detected} (p={probability:.2f}) is not one of the expected languages {', '.join(expected)}"
    else:
        why = f"detected {detected} with p={probability:.2f}, below {min_probability:.2f}"
    return LanguageDecision(default, "fallback", f"fell back to {default}: {why}")


@dataclass(frozen=True)
class Window:
    """A stretch of audio (seconds) and what language detection said about it (None: too little speech).

    Here a window is one of the chunks the batched decoder encodes (speech joined up to 30 s, cut at
    pauses), so a switch of language falls where speakers take turns."""

    start: float
    end: float
    language: str | None = None
    probability: float | None = None


@dataclass(frozen=True)
class Run:
    start: float
    end: float
    language: str


def plan_languages(windows: list[Window], requested: str | None, default: str, expected: Iterable[str],
                   min_probability: float) -> tuple[LanguageDecision, list[Run]]:
    """The story's language and the runs of audio to transcribe in each language.

    A window's detection counts only when it is sure and expected; a doubtful
    window counts as the default language. The story's language is the one
    most windows have; doubtful windows are transcribed in it, sure windows in
    their own language, so an interview that really moves between Dutch and
    Arabic becomes runs, each in its own language, while one lucky window
    cannot switch a whole story.
    """
    expected = tuple(expected)
    if requested:
        end = windows[-1].end if windows else 0.0
        return LanguageDecision(requested, "given"), [Run(windows[0].start, end, requested)] if windows else []
    if not windows:
        return decide_language(None, None, None, default, expected, min_probability), []

    def sure(w: Window) -> bool:
        return is_sure(w.language, w.probability, expected, min_probability)

    votes: dict[str, int] = {}
    for w in windows:
        lang = w.language if sure(w) else default
        votes[lang] = votes.get(lang, 0) + 1
    story = max(votes, key=lambda lang: (votes[lang], lang == default))
    if any(sure(w) and w.language == story for w in windows):
        decision = LanguageDecision(story, "detected")
    else:
        # Most of the audio gave no sure detection: say what the surest doubtful window said.
        doubtful = [w for w in windows if not sure(w)]
        best = max(doubtful, key=lambda w: w.probability or -1)
        decision = decide_language(None, best.language, best.probability, default, expected, min_probability)
    runs: list[Run] = []
    for w, lang in zip(windows, window_languages(windows, story, expected, min_probability)):
        if runs and runs[-1].language == lang:
            runs[-1] = Run(runs[-1].start, w.end, lang)
        else:
            runs.append(Run(w.start, w.end, lang))
    others = sorted({r.language for r in runs} - {story})
    if others:
        note = "; ".join(filter(None, [decision.note, f"also spoken: {', '.join(others)}"]))
        decision = LanguageDecision(decision.language, decision.source, note)
    return decision, runs


def window_languages(windows: list[Window], story: str, expected: Iterable[str], min_probability: float) -> list[str]:
    """The language each window is transcribed in: its own where the detection is sure, else the story's."""
    return [w.language if is_sure(w.language, w.probability, expected, min_probability) else story for w in windows]


def can_transcribe(language: str) -> bool:
    return language in WHISPER_LANGUAGES
