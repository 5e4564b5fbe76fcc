"""`verhalen keywords`: review the keyword stage's proposals (verhalen.keyword_review)."""

from __future__ import annotations

import click

from .. import keyword_review, trash
from ..catalog import Story
from .context import Ctx


@click.group()
def keywords() -> None:
    """Automatic keywords are proposals: nobody outside the workspace sees them until an editor accepts
    them (unless the archive sets publish_keywords). They help search either way."""


@keywords.command("list")
@click.argument("slug", required=False)
@click.pass_obj
def keywords_list(c: Ctx, slug) -> None:
    """Open proposals (of one story, or all), best first: story, keyword, score."""
    archive = c.archive(create=False)
    with archive.session() as s:
        story = trash.require_outside(archive.story(s, slug)) if slug else None
        for st in keyword_review.proposals(s, story):
            click.echo(f"{s.get(Story, st.story_id).slug}\t{st.theme.name}\t{st.score if st.score is not None else '-'}")


def _review(c: Ctx, slug: str, **kw) -> None:
    import getpass

    archive = c.archive(create=False)
    with archive.session() as s:
        story = keyword_review.review(archive, s, trash.require_outside(archive.story(s, slug)),
                                      user=getpass.getuser(), **kw)
        shown = [t.name for t in story.themes("editor")] + [t.name for t in story.themes("accepted")]
        click.echo(f"{story.slug}: shown {', '.join(shown) or '-'}; "
                   f"{len(keyword_review.proposals(s, story))} proposals open")


@keywords.command("accept")
@click.argument("slug")
@click.argument("names", nargs=-1, required=True)
@click.pass_obj
def keywords_accept(c: Ctx, slug, names) -> None:
    """Accept proposals: they appear on the story's page, in browse lists and as search facets."""
    _review(c, slug, accept=names)


@keywords.command("reject")
@click.argument("slug")
@click.argument("names", nargs=-1, required=True)
@click.pass_obj
def keywords_reject(c: Ctx, slug, names) -> None:
    """Reject proposals: they are never shown, no longer help search, and are not proposed again."""
    _review(c, slug, reject=names)


@keywords.command("rename")
@click.argument("slug")
@click.argument("old")
@click.argument("new")
@click.pass_obj
def keywords_rename(c: Ctx, slug, old, new) -> None:
    """Replace a proposal by a theme of your own wording (`rename koor-bewon "koor"`)."""
    _review(c, slug, rename={old: new})


COMMANDS = [keywords]
