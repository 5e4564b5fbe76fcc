"""Automatic keywords from a transcript (YAKE), kept apart from editors' themes."""

from __future__ import annotations

import re

import yake

# YAKE ships stop word lists for these; other languages use the language-free mode.
_YAKE_LANGS = {"nl", "en", "ar", "fa", "tr", "de", "fr", "es"}


def extract(text: str, language: str | None, top: int = 10) -> list[tuple[str, float]]:
    """Up to `top` (keyword, score) pairs, best first; YAKE scores are lower-is-better, so we return 1 - score clipped to 0..1."""
    text = " ".join(text.split())
    if top <= 0 or len(re.findall(r"\w+", text)) < 20:
        return []
    lan = language if language in _YAKE_LANGS else "en"
    extractor = yake.KeywordExtractor(lan=lan, n=2, dedupLim=0.7, top=top * 2)
    out, seen = [], set()
    for phrase, score in extractor.extract_keywords(text):
        key = phrase.lower()
        if key in seen or len(key) < 3 or key.isdigit():
            continue
        seen.add(key)
        out.append((key, round(max(0.0, min(1.0, 1.0 - float(score))), 4)))
        if len(out) == top:
            break
    return out
