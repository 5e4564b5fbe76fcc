"""Search page: results per story with timed, highlighted hits; facets; pages; friendly query errors."""

from __future__ import annotations

from flask import Blueprint, g, render_template

from verhalen import access
from verhalen.errors import QueryError
from verhalen.index import SearchResult

from . import core_messages
from .context import get_archive
from .params import query_int, query_text

bp = Blueprint("search", __name__)
PER_PAGE = 10
MAX_PAGE = 9_999  # a deeper ?page= is the first page
FACET_LABELS = ("series", "language", "person", "theme", "year")


def search_visible(text: str, page: int) -> SearchResult:
    """The index's search under the access rule (the index holds only finished stories, at their level)."""
    return get_archive().index.search(text, access.visibility(g.levels, g.today), page=page, per_page=PER_PAGE)


@bp.route("/zoeken")
def search():
    text = query_text("q")
    page = query_int("page", 1, 1, MAX_PAGE)
    result, error = None, None
    if text:
        try:
            result = search_visible(text, page)
        except QueryError as e:
            error = core_messages.text(e)
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
