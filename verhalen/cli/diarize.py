"""`verhalen diarize`: who speaks when (verhalen.speakers), run again for a story."""

from __future__ import annotations

import click

from .. import settings as settings_mod
from .. import trash
from ..archive import Archive
from ..catalog import Story
from .context import Ctx


@click.command()
@click.argument("slug")
@click.option("--speakers", "count", type=click.IntRange(1, 9), metavar="N",
              help="Look for N voices (default: the speaker_count setting: 2, or estimated when the story lists "
                   "more than two people).")
@click.pass_obj
def diarize(c: Ctx, slug, count) -> None:
    """Find who speaks when in a story again: its voices and turns, each passage's speaker, passages cut where
    the voice changes; then update the search index. A speaker an editor set on a passage, and a name an
    editor gave a voice, stay. Runs even when the speakers setting is off."""
    from ..pipeline import run

    # The count and "on" apply to this run only: Settings is the one place stages read them from.
    s = settings_mod.load(c.home, model=c.model, speakers=True, speaker_count=count)
    c._archive = archive = Archive(s, create=False)
    with archive.session() as session:
        sid = trash.require_outside(archive.story(session, slug)).id
    st = run(archive, sid, redo=("speakers", "keywords", "index"))
    with archive.session() as session:
        story = session.get(Story, sid)
        for voice, entry in sorted((story.voices or {}).items()):
            seconds = sum(b - a for a, b, v in story.turns or [] if v == voice)
            click.echo(f"{voice}\t{entry.get('name') or '-'}\t{seconds:.1f} s")
        click.echo(f"{story.slug}\t{story.status}\t{len(story.voices or {})} voices, {len(story.turns or [])} turns")


COMMANDS = [diarize]
