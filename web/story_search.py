"""Search inside one story: the passages of its public transcript that hold every word and phrase asked for.

The archive's search finds stories; this finds where in one story, on the story page itself, without the
index: the public transcript is already loaded there (verhalen.access.public_segment_rows: redacted passages
and gaps are not in it, so their text can never match), and it is the catalog's current text, not the index's
copy of it. Words meet in the archive's own analysed form (verhalen.index.analysis: lower case, accents
folded, Dutch stemming), so "koren" finds "koor" here as it does in the archive's search.

Syntax, a subset of the archive's (docs/search.md): words and "exact phrases"; a passage is a hit when it
holds every one of them, as a story is a hit in the archive's search. Pure functions: `parse` reads the
query (BadQuery says what is wrong), `find` matches the passages.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from verhalen.index import SegmentHit
from verhalen.index.analysis import text_analyzer

from .i18n import gettext as _

# Longer queries are refused, not cut: a query cut mid-phrase would find something else than was asked.
MAX_CHARS = 200
MAX_TERMS = 12  # words and phrases together
MAX_HITS = 200  # hits listed; the count says how many there were

_ANALYZER = text_analyzer()
_PHRASE = re.compile(r'"([^"]*)"')


class BadQuery(ValueError):
    """Why a query cannot be searched: kind is "empty", "too_long", "quote", "no_words" or "too_many"."""

    def __init__(self, kind: str, limit: int = 0):
        super().__init__(kind)
        self.kind, self.limit = kind, limit


@lru_cache(maxsize=8192)
def stems(text: str) -> tuple[tuple[str, int, int], ...]:
    """(analysed form, start char, end char) of each word in `text`, as the archive's index reads it.

    Kept per passage text: analysing is nearly all of a search's cost (~0.1 s for a 1-hour story's 9,000
    words), and a reader searching one story again, or the next reader, asks for the same passages."""
    return tuple((t.text, t.startchar, t.endchar) for t in _ANALYZER(text, chars=True))


def parse(text: str) -> tuple[tuple[str, ...], ...]:
    """The query's terms, each a tuple of analysed words (more than one: a phrase), duplicates dropped."""
    text = (text or "").strip()
    if not text:
        raise BadQuery("empty")
    if len(text) > MAX_CHARS:
        raise BadQuery("too_long", MAX_CHARS)
    if text.count('"') % 2:
        raise BadQuery("quote")
    terms: list[tuple[str, ...]] = []
    for phrase in _PHRASE.findall(text):
        words = tuple(s for s, _a, _b in stems(phrase))
        if words:
            terms.append(words)
    terms += [(s,) for s, _a, _b in stems(_PHRASE.sub(" ", text))]
    terms = list(dict.fromkeys(terms))
    if not terms:
        raise BadQuery("no_words")
    if len(terms) > MAX_TERMS:
        raise BadQuery("too_many", MAX_TERMS)
    return tuple(terms)


@dataclass(frozen=True)
class Hit:
    """One passage that matched: `found` carries the snippet (SegmentHit, as the archive's search shows it);
    `words` are the indexes of the matched words in the passage's word list, for marking them in the
    transcript (empty when the passage has no word times, e.g. an imported transcript)."""

    found: SegmentHit
    words: frozenset[int] = frozenset()

    @property
    def segment_id(self) -> int:
        return self.found.segment_id

    @property
    def time(self) -> float:
        return self.found.time


@dataclass(frozen=True)
class Result:
    query: str
    total: int  # passages that matched
    hits: tuple[Hit, ...]  # the first MAX_HITS of them, in time order


def passage_text(segment) -> tuple[str, list[int]]:
    """The text the story page shows for a passage and where each of its words starts in it: its words
    joined (what the transcript's word spans show) or, without word times, its text."""
    words = segment.words or ()
    if not words:
        return segment.text.strip(), []
    offsets, pos = [], 0
    for w in words:
        offsets.append(pos)
        pos += len(str(w[2]))
    return "".join(str(w[2]) for w in words), offsets


def _match(tokens: tuple[tuple[str, int, int], ...], terms) -> list[tuple[int, int]] | None:
    """Token index ranges where the terms occur, or None when one of them does not occur."""
    forms = [t[0] for t in tokens]
    found: list[tuple[int, int]] = []
    for term in terms:
        n = len(term)
        at = [(i, i + n) for i in range(len(forms) - n + 1) if tuple(forms[i:i + n]) == term]
        if not at:
            return None
        found += at
    return sorted(set(found))


def find(segments, query: str) -> Result:
    """The passages among `segments` (public transcript rows in time order) matching `query`; BadQuery when
    the query cannot be searched."""
    terms = parse(query)
    hits: list[Hit] = []
    total = 0
    for seg in segments:
        text, offsets = passage_text(seg)
        tokens = stems(text)
        ranges = _match(tokens, terms)
        if ranges is None:
            continue
        total += 1
        if len(hits) >= MAX_HITS:
            continue
        marks = sorted({(tokens[k][1], tokens[k][2]) for a, b in ranges for k in range(a, b)})
        words = frozenset(bisect_right(offsets, a) - 1 for a, _b in marks) if offsets else frozenset()
        first = min(words) if words else None
        when = float(seg.words[first][0]) if first is not None else float(seg.start)
        hits.append(Hit(SegmentHit(seg.id, float(seg.start), float(seg.end), when, text, tuple(marks)), words))
    return Result(query.strip(), total, tuple(hits))


def message(e: BadQuery) -> str:
    """What is wrong with the query, in the page's language (web/i18n.py)."""
    if e.kind == "too_long":
        return _("De zoekvraag is te lang: hoogstens {n} tekens.", n=e.limit)
    if e.kind == "too_many":
        return _("Zoek op hoogstens {n} woorden of woordgroepen tegelijk.", n=e.limit)
    if e.kind == "quote":
        return _('Er staat een los aanhalingsteken in de zoekvraag: sluit de woordgroep af met " of haal het '
                 'aanhalingsteken weg.')
    if e.kind == "no_words":
        return _("In de zoekvraag staan geen woorden om op te zoeken.")
    return _("Typ een of meer woorden om in dit verhaal te zoeken.")
