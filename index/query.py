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
from whoosh.query import MultiTerm, NullQuery, Or, Query, Term

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
    q = q.normalize()
    if q is NullQuery:
        raise QueryError("query has no searchable words")
    if expand_with is not None:
        q = expand(q, expand_with)
    return q


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
    return frozenset(t for f, t in q.iter_all_terms() if f in ("text", "title") and isinstance(t, str))


_ANALYZER = text_analyzer()


def mark_ranges(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Character ranges in `text` whose analysed form is one of `terms`."""
    if not terms:
        return []
    return [(t.startchar, t.endchar) for t in _ANALYZER(text, chars=True) if t.text in terms]
