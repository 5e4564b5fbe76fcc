"""/zoeken/export.csv: search results as a spreadsheet, for signed-in researchers, editors and admins.

The same search and the same access rule as /zoeken (web/search.py), with the
signed-in user's levels; one row per passage found (or per story when it was
found by title or description).
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, g, request, url_for

from verhalen import access
from verhalen.exports import mmss

from .context import get_archive
from .auth import require_roles

bp = Blueprint("export", __name__)
require_roles(bp, "researcher", "editor", "admin")
MAX_STORIES = 1000
HITS_PER_STORY = 20
HEADER = ["story", "title", "time", "seconds", "link", "text"]


def _cell(value: object) -> str:
    """Spreadsheet-safe: a cell starting with = + - @ is not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def rows_for(text: str) -> list[list[str]]:
    result = get_archive().index.search(text, access.visibility(g.levels, g.today), page=1, per_page=MAX_STORIES,
                                        hits_per_story=HITS_PER_STORY)
    rows = []
    for st in result.stories:
        hits = st.hits or [None]
        for h in hits:
            seconds = int(h.time) if h else None
            link = url_for("public.story", slug=st.slug, t=seconds, _external=True) if h else \
                url_for("public.story", slug=st.slug, _external=True)
            rows.append([st.slug, st.title, mmss(h.time) if h else "", seconds if h else "", link,
                         h.text.strip() if h else ""])
    return rows


@bp.route("/zoeken/export.csv")
def export_csv():
    text = (request.args.get("q") or "").strip()
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(out)
    writer.writerow(HEADER)
    if text:
        for row in rows_for(text):
            writer.writerow([_cell(v) for v in row])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="zoekresultaten.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
