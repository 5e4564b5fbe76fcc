"""What the viewer shows beside the stories: people (portrait, bio) and series (description, artwork).

No web needed: the pictures are checked and their served sizes built here, with verhalen.media.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from .. import catalog
from .context import Ctx


def _copy_original(src: Path, home: Path, folder: Path, slug: str) -> str:
    """Keep the uploaded picture (never served as is) and return its path relative to the home."""
    target = folder / f"{slug}{src.suffix.lower() or '.img'}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, target)
    return str(target.relative_to(home))


def _check_image(src: Path, images_dir: Path, cache: str) -> None:
    """Validate the picture and build its served derivatives now (raises UnsupportedMedia)."""
    from verhalen.media.images import make_derivatives

    make_derivatives(src, images_dir / cache, name=src.name)


def _attach_picture(archive, src: Path, cache: str, folder: Path, slug: str) -> str:
    """Validate a portrait or artwork, build its derivatives, keep the original; return its home-relative path."""
    _check_image(src, archive.settings.images_dir, cache)
    return _copy_original(src, archive.settings.home, folder, slug)


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
            p.portrait = _attach_picture(archive, portrait, f"person-{p.id}", archive.settings.portraits_dir, p.slug)
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
            se.artwork = _attach_picture(archive, artwork, f"series-{se.id}", archive.settings.artwork_dir, se.slug)
        if description is not None:
            se.description = description
        s.commit()
        click.echo(f"{se.name} ({se.slug})")


COMMANDS = [person, series]
