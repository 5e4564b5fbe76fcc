"""Search page: results per story with timed, highlighted hits; facets; pages; friendly query errors."""

from __future__ import annotations

import dataclasses
from collections import Counter

from flask import Blueprint, g, render_template, request
from sqlalchemy import or_, select

from verhalen import access
from verhalen.catalog import Story
from verhalen.errors import QueryError
from verhalen.index import SearchResult
from verhalen.indexing import story_doc

from .app import get_archive

bp = Blueprint("search", __name__)
PER_PAGE = 10
FACET_LABELS = ("series", "language", "person", "theme", "year")


def hidden_but_indexed(session, index, levels, today) -> dict[int, Story]:
    """Indexed stories the index's level filter lets through but the access rule hides (unpublished, unfinished)."""
    rows = session.scalars(select(Story).where(
        or_(Story.published.is_(False), Story.status.not_in(access.SHOWN_STATUSES))))
    candidates = {s.id: s for s in rows if access.level_allows(s.access, s.embargo_until, levels, today)}
    if candidates:
        indexed = {int(i) for i in index.story_ids()}
        candidates = {i: s for i, s in candidates.items() if i in indexed}
    return candidates


def _facet_values(story: Story) -> dict[str, list[str]]:
    doc = story_doc(story)
    return {"series": [doc.series] if doc.series else [], "language": list(doc.languages),
            "person": list(doc.people), "theme": list(doc.themes), "place": list(doc.places),
            "year": [str(doc.year)] if doc.year else []}


def search_visible(text: str, page: int) -> SearchResult:
    """The index's search with the full access rule applied to results, totals and facet counts."""
    archive = get_archive()
    vis = access.visibility(g.levels, g.today)
    with archive.session() as s:
        hidden = hidden_but_indexed(s, archive.index, g.levels, g.today)
        if not hidden:
            return archive.index.search(text, vis, page=page, per_page=PER_PAGE)
        everything = archive.index.search(text, vis, page=1, per_page=10_000)
        counts = {name: Counter(dict(values)) for name, values in everything.facets.items()}
        kept = []
        for hit in everything.stories:
            if hit.story_id in hidden:
                for name, values in _facet_values(hidden[hit.story_id]).items():
                    counts.setdefault(name, Counter()).subtract(values)
            else:
                kept.append(hit)
    facets = {name: sorted(((v, n) for v, n in c.items() if n > 0), key=lambda kv: (-kv[1], kv[0]))
              for name, c in counts.items()}
    return dataclasses.replace(everything, total=len(kept), page=page, per_page=PER_PAGE,
                               stories=tuple(kept[(page - 1) * PER_PAGE: page * PER_PAGE]),
                               facets={k: v for k, v in facets.items() if v})


@bp.route("/zoeken")
def search():
    text = (request.args.get("q") or "").strip()
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    result, error = None, None
    if text:
        try:
            result = search_visible(text, page)
        except QueryError as e:
            error = str(e)
    status = 400 if error else 200
    return render_template("search.html", q=text, result=result, error=error,
                           facet_names=FACET_LABELS), status


def add_filter(q: str, name: str, value: str) -> str:
    """The query with one facet filter added (quoted when the value has spaces)."""
    term = f'{name}:"{value}"' if any(c.isspace() for c in value) else f"{name}:{value}"
    return q if term in q else f"{q} {term}".strip()


@bp.app_template_global()
def facet_query(q: str, name: str, value: str) -> str:
    return add_filter(q, name, value)
