"""OHMS XML in: `verhalen import-ohms` makes a story of an OHMS file and its recording (verhalen.ohms_catalog).
OHMS out is `verhalen export SLUG --format ohms` (verhalen.cli.stories)."""

from __future__ import annotations

from pathlib import Path

import click

from .context import Ctx
from .ingest import ProgressPrinter


@click.command("import-ohms")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--audio", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="The interview's recording (default: the file the record's <file_name> names, next to FILE).")
@click.option("--slug", help="The story's slug (default: made from the title).")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@click.pass_obj
def import_ohms(c: Ctx, file, audio, slug, quiet) -> None:
    """Make a story of an OHMS XML file (another archive's interview, or our own export) and its recording.

    The file gives the title, date, series, people, themes and keywords, the transcript with its speakers and
    the index; the recording goes through the normal stages (listening copies, speakers, keywords, search)
    but is not transcribed again. The same file twice is reported as a duplicate.
    """
    from ..ohms_catalog import import_file

    archive = c.archive()
    if not quiet:
        click.echo(file.name, err=True)
    done = import_file(archive, file, audio=audio, slug=slug, progress=ProgressPrinter(quiet))
    for note in done.notes:
        click.echo(f"note: {note}", err=True)
    with archive.session() as s:
        st = archive.story(s, done.slug)
        line = f"{st.slug}\t{st.status}\t{st.language or '-'}\t{len(st.segments)} passages\t{len(st.index_points)} index points"
    click.echo(line + ("\t(an interrupted import, finished)" if done.resumed else ""))


COMMANDS = [import_ohms]
