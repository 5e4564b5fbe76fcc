"""What the viewer shows beside the stories: people (portrait, bio) and series (description, artwork).

No web needed: the pictures are checked and their served sizes built here, with verhalen.media.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from .. import catalog
from .context import Ctx


def _attach_picture(archive, src: Path, cache: Path, kept: Path) -> str:
    """Validate a portrait or artwork and build its served sizes in `cache` now (raises UnsupportedMedia, so a
    bad file is refused before anything is kept); keep the original as `kept`; return how the catalog names it."""
    from verhalen.media.images import make_derivatives

    make_derivatives(src, cache, name=src.name)
    kept.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, kept)
    return archive.settings.home_relative(kept)


@click.group()
def person() -> None:
    """People in the archive: portraits and bios."""


@person.command("add")
@click.argument("name")
@click.option("--portrait", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Portrait picture.")
@click.option("--bio", help="A short biography.")
@click.pass_obj
def person_add(c: Ctx, name, portrait, bio) -> None:
    """Add a person, or update their portrait and bio."""
    archive = c.archive()
    with archive.session() as s:
        p = catalog.get_or_create(s, catalog.Person, name)
        if portrait:
            p.portrait = _attach_picture(archive, portrait, archive.settings.image_cache("person", p.id),
                                         archive.settings.portrait_file(p.slug, portrait.suffix))
        if bio is not None:
            p.bio = bio
        s.commit()
        click.echo(f"{p.name} ({p.slug})" + (" with portrait" if p.portrait else ""))


@click.group()
def series() -> None:
    """Series (podcasts, collections): description and artwork."""


@series.command("set")
@click.argument("name")
@click.option("--description", help="What the series is about.")
@click.option("--artwork", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Square artwork.")
@click.pass_obj
def series_set(c: Ctx, name, description, artwork) -> None:
    """Create or update a series."""
    archive = c.archive()
    with archive.session() as s:
        se = catalog.get_or_create(s, catalog.Series, name)
        if artwork:
            se.artwork = _attach_picture(archive, artwork, archive.settings.image_cache("series", se.id),
                                         archive.settings.artwork_file(se.slug, artwork.suffix))
        if description is not None:
            se.description = description
        s.commit()
        click.echo(f"{se.name} ({se.slug})")


COMMANDS = [person, series]
