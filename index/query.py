"""Query text -> whoosh query, checked first so a user gets a clear message, never a traceback.

Syntax (docs/search.md): words (all must occur), "exact phrases", OR / OF,
NOT / NIET, prefix*, and field filters series: language: person: theme:
place: year: (Dutch aliases serie: taal: persoon: thema: plaats: jaar:).
"""

from __future__ import annotations

import re
from itertools import islice

from whoosh.qparser import FieldAliasPlugin, MultifieldParser, OperatorsPlugin
from whoosh.qparser.plugins import WildcardPlugin
from whoosh.query import AndNot, MultiTerm, Not, NullQuery, Or, Phrase, Prefix, Query, Term

from verhalen.errors import QueryError

from .analysis import text_analyzer

FACETS = ("series", "language", "person", "theme", "place", "year")
ALIASES = {
    "series": ["serie", "reeks"],
    "language": ["taal", "lang"],
    "person": ["persoon", "people", "verteller", "narrator"],
    "theme": ["thema", "tag"],
    "place": ["plaats", "locatie"],
    "year": ["jaar"],
    "title": ["titel"],
}
KNOWN_FIELDS = set(ALIASES) | {a for names in ALIASES.values() for a in names} | {"text"}
# An expanded prefix is capped so that "a*" cannot turn into 100,000 terms.
MAX_EXPANSION = 2000
_FIELD_RE = re.compile(r'(?:^|[\s(])(-?)([^\s:"()]+):(?=\S)')


def check(text: str) -> str:
    """Return the stripped query or raise QueryError saying what is wrong and how to fix it."""
    text = (text or "").strip()
    if not text:
        raise QueryError("empty query: type one or more words")
    if len(text) > 1000:
        raise QueryError("query too long (more than 1,000 characters)")
    if text.count('"') % 2:
        raise QueryError('unbalanced quote in query: close the phrase with " or remove the quote')
    depth = 0
    for ch in re.sub(r'"[^"]*"', "", text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0:
        raise QueryError("unbalanced parentheses in query: every ( needs a )")
    for _, name in _FIELD_RE.findall(re.sub(r'"[^"]*"', "", text)):
        if name.lower() not in KNOWN_FIELDS:
            raise QueryError(f"unknown field {name!r} in query: use one of " + ", ".join(FACETS))
    return text


def parse(text: str, schema, fields: tuple[str, ...], expand_with=None) -> Query | None:
    """Parse checked query text against one index's schema.

    With `expand_with` (an index reader), prefixes and wildcards are expanded
    into their terms once, so searching several stories does not repeat it.
    Returns None when the query names only fields this schema lacks.
    """
    text = check(text)
    parser = MultifieldParser(list(fields), schema)
    parser.add_plugin(FieldAliasPlugin({k: v for k, v in ALIASES.items() if k in schema}))
    parser.replace_plugin(OperatorsPlugin(
        And=r"(?<=\s)(AND|EN)(?=\s)", Or=r"(?<=\s)(OR|OF)(?=\s)",
        AndNot=r"(?<=\s)(ANDNOT|ENNIET)(?=\s)", Not=r"(^|(?<=(\s|[()])))(NOT|NIET)(?=\s)",
    ))
    parser.replace_plugin(WildcardPlugin())
    try:
        q = parser.parse(text)
    except Exception as e:  # noqa: BLE001 - whoosh's parser errors are not typed
        raise QueryError(f"query cannot be read ({e})") from None
    q = q.accept(_with_stem).normalize()
    if q is NullQuery:
        raise QueryError("query has no searchable words")
    if expand_with is not None:
        q = expand(q, expand_with)
    return q


TEXT_FIELDS = ("text", "title", "meta")


def _with_stem(q: Query) -> Query:
    """`bakk*` also finds "bakken", which the Dutch stemmer indexes as "bak".

    Prefixes match indexed (stemmed) words. Snowball Dutch drops an ending and
    then undoubles the consonant before it (bakken -> bakk -> bak), so a prefix
    ending in a doubled consonant also asks for the undoubled stem itself.
    """
    if isinstance(q, Prefix) and q.fieldname in TEXT_FIELDS:
        p = q.text
        if len(p) >= 4 and p[-1] == p[-2] and p[-1] in "bcdfghjklmnpqrstvwxz":
            return Or([q, Term(q.fieldname, p[:-1])])
    return q


def moments(q: Query) -> Query | None:
    """Where inside a story its matching words are said: any positive word or phrase of `q`, in the
    segment text. Segments with more of them rank higher; filters and NOT parts are the story's business."""
    parts = list(_positive_text(q))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else Or(parts)


def _positive_text(q: Query):
    if isinstance(q, Not):
        return
    if isinstance(q, AndNot):
        yield from _positive_text(q.a)
    elif isinstance(q, Term):
        if q.fieldname in TEXT_FIELDS:
            yield Term("text", q.text, boost=q.boost)
    elif isinstance(q, Phrase):
        if q.fieldname in TEXT_FIELDS:
            yield Phrase("text", q.words, slop=q.slop, boost=q.boost)
    elif isinstance(q, MultiTerm):
        if q.fieldname in TEXT_FIELDS:
            yield type(q)("text", q.text)
    elif q.is_leaf():
        return
    else:
        for child in q.children():
            yield from _positive_text(child)


def expand(q: Query, reader) -> Query:
    """Replace prefix/wildcard queries with an OR of the matching terms (at most MAX_EXPANSION)."""
    if isinstance(q, MultiTerm):
        field = q.field()
        if field not in reader.schema:
            return NullQuery
        decode = reader.schema[field].from_bytes
        terms = [Term(field, decode(b)) for b in islice(q._btexts(reader), MAX_EXPANSION)]
        return Or(terms, boost=q.boost) if terms else NullQuery
    return q.apply(lambda sub: expand(sub, reader))


def highlight_terms(q: Query) -> frozenset[str]:
    """Indexed forms of the words in the text fields of an expanded query."""
    return frozenset(t for f, t in q.iter_all_terms() if f in TEXT_FIELDS and isinstance(t, str))


_ANALYZER = text_analyzer()


def mark_ranges(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Character ranges in `text` whose analysed form is one of `terms`."""
    if not terms:
        return []
    return [(t.startchar, t.endchar) for t in _ANALYZER(text, chars=True) if t.text in terms]
