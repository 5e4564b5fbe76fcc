"""The glossary: words the model is told to expect (hotwords)."""

from __future__ import annotations

import click
from sqlalchemy import select

from .. import catalog
from .context import Ctx


@click.group()
def glossary() -> None:
    """Words the model does not know (names, places, organisations), passed to it as hotwords."""


@glossary.command("add")
@click.argument("terms", nargs=-1, required=True)
@click.pass_obj
def glossary_add(c: Ctx, terms) -> None:
    """Add terms; quote multi-word names: verhalen glossary add "Stadscoalitie Delfshaven"."""
    archive = c.archive()
    with archive.session() as s:
        have = set(s.scalars(select(catalog.GlossaryTerm.term)))
        for t in terms:
            t = " ".join(t.split())
            if t and t not in have:
                s.add(catalog.GlossaryTerm(term=t))
                have.add(t)
        s.commit()
        click.echo(f"{len(have)} glossary terms")


@glossary.command("list")
@click.pass_obj
def glossary_list(c: Ctx) -> None:
    """Print the glossary."""
    with c.archive().session() as s:
        for t in s.scalars(select(catalog.GlossaryTerm.term).order_by(catalog.GlossaryTerm.term)):
            click.echo(t)


@glossary.command("remove")
@click.argument("terms", nargs=-1, required=True)
@click.pass_obj
def glossary_remove(c: Ctx, terms) -> None:
    """Remove terms from the glossary."""
    with c.archive().session() as s:
        for row in s.scalars(select(catalog.GlossaryTerm).where(catalog.GlossaryTerm.term.in_(terms))):
            s.delete(row)
        s.commit()


COMMANDS = [glossary]
