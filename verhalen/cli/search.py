"""Searching the transcripts from the command line, as a given kind of user would."""

from __future__ import annotations

import json
import sys

import click

from .. import exports
from ..access import ROLE_LEVELS as LEVELS
from .context import Ctx


@click.command()
@click.argument("query")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1))
@click.option("--per-page", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--as", "as_", type=click.Choice(sorted(LEVELS)), default="editor", show_default=True,
              help="Search as this kind of user (what they may see).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--facets/--no-facets", default=True, help="Show facet counts.")
@click.pass_obj
def search(c: Ctx, query, page, per_page, as_, as_json, facets) -> None:
    """Search every transcript. Prints story, mm:ss and a highlighted snippet per hit.

    \b
    Query syntax:
      bakkerij              a word (also finds bakkerijen; accents optional)
      "eigen bakkerij"      an exact phrase
      bakk*                 words starting with bakk
      koor OR muziek        either (OF works too); NOT/NIET excludes; AND/EN is implied
      series:Levensverhalen language:nl person:Basma theme:werk place:Rotterdam year:2024
    """
    from verhalen.index import Visibility

    archive = c.archive(create=False)
    result = archive.index.search(query, Visibility(frozenset(LEVELS[as_])), page=page, per_page=per_page)
    if as_json:
        click.echo(json.dumps({
            "query": result.query, "total": result.total, "page": result.page, "facets": result.facets,
            "stories": [{"slug": s.slug, "title": s.title, "score": s.score, "hits": [
                {"time": h.time, "start": h.start, "end": h.end, "text": h.text.strip(), "snippet": h.snippet("<mark>", "</mark>")}
                for h in s.hits]} for s in result.stories]}, ensure_ascii=False, indent=2))
        return
    color = sys.stdout.isatty()
    mark = (click.style("", bold=True, fg="yellow", reset=False), "\x1b[0m") if color else ("[", "]")
    click.echo(f"{result.total} stor{'y' if result.total == 1 else 'ies'} found for {query!r}"
               + (f" (page {result.page} of {result.pages})" if result.pages > 1 else ""))
    for s in result.stories:
        click.echo(f"\n{s.title}  ({s.slug})")
        if not s.hits:
            click.echo("  (matched in its title, description, people, places, series or themes)")
        for h in s.hits:
            click.echo(f"  {exports.mmss(h.time)}  {h.snippet(*mark, escape=lambda t: t)}")
    if facets and result.facets:
        click.echo("")
        for name, values in result.facets.items():
            click.echo(f"{name}: " + ", ".join(f"{v} ({n})" for v, n in values[:8]))


COMMANDS = [search]
