"""Automatic keywords from a transcript (YAKE), kept apart from editors' themes.

A keyword becomes a search facet and a line on the story page, so it is made only of words
the model was sure of: an unsure word ("krokbevond" for "koor begon") is a guess, and a
keyword built on a guess sends researchers to a story that never says it.
"""

from __future__ import annotations

import re
from typing import Iterable

import yake

# YAKE ships stop word lists for these; other languages use the language-free mode.
_YAKE_LANGS = {"nl", "en", "ar", "fa", "tr", "de", "fr", "es"}

# Below this word probability the decoder was guessing. Measured on the test recordings (base model):
# the misheard "krokbevond" 0.34, "heel lond" 0.41/0.50, "paraf" 0.2-0.3; clearly heard words 0.6-1.0.
MIN_WORD_PROBABILITY = 0.55

# Filler of spoken Dutch and English that YAKE's written-language stop lists let through.
FILLER = frozenset("""
eh ehm uh uhm hm hmm hè nou ja jawel nee zeg gewoon eigenlijk echt heel hele dus even toch wel natuurlijk
zo dan inderdaad oké okay ok hoor weet weten snap beetje best helemaal allemaal enzo ofzo zeg maar
mooi leuk goed ding dingen keer soort ander andere iets niks niets veel heel erg waar
um uh er erm like yeah yes no well right actually basically really just kind sort thing things
stuff lot lots okay so very
""".split())


def confident_text(segments: Iterable, min_probability: float = MIN_WORD_PROBABILITY) -> str:
    """The text of `segments` (catalog rows with .words [start, end, word, p] and .text) keeping only words
    the model was sure of; a segment without word timings (imported) counts as sure."""
    phrases: list[str] = []
    for seg in segments:
        if not seg.words:
            phrases.append(seg.text.strip())
            continue
        run: list[str] = []
        for w in seg.words:
            if w[3] is None or w[3] >= min_probability:
                run.append(w[2].strip())
            elif run:
                phrases.append(" ".join(run))
                run = []
        if run:
            phrases.append(" ".join(run))
    # A left-out word ends a sentence, so YAKE never joins the words either side into one phrase.
    return " ".join(p.rstrip(".!?") + "." for p in phrases if p)


def is_filler(phrase: str) -> bool:
    return any(word in FILLER for word in phrase.split())


def long_enough(text: str) -> bool:
    """Keywords of a transcript of a few sentences are noise."""
    return len(re.findall(r"\w+", text)) >= 20


def extract(text: str, language: str | None, top: int = 10) -> list[tuple[str, float]]:
    """Up to `top` (keyword, score) pairs, best first; YAKE scores are lower-is-better, so we return 1 - score clipped to 0..1."""
    text = " ".join(text.split())
    if top <= 0 or not text:
        return []
    lan = language if language in _YAKE_LANGS else "en"
    extractor = yake.KeywordExtractor(lan=lan, n=2, dedupLim=0.7, top=top * 3)
    out, seen = [], set()
    for phrase, score in extractor.extract_keywords(text):
        key = phrase.lower().strip(".,;:!?\"'")
        if key in seen or len(key) < 3 or key.isdigit() or is_filler(key):
            continue
        seen.add(key)
        out.append((key, round(max(0.0, min(1.0, 1.0 - float(score))), 4)))
        if len(out) == top:
            break
    return out
