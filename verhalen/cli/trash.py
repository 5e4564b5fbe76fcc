"""`verhalen trash` and `verhalen restore`: what `verhalen delete` put in the trash (verhalen.trash)."""

from __future__ import annotations

import click

from .. import trash as core
from ..catalog import now
from .context import Ctx
from .stories import what_goes


@click.group(invoke_without_command=True)
@click.pass_context
def trash(ctx: click.Context) -> None:
    """The stories in the trash: slug, title, deleted at, by whom, days left before they are purged.

    A deleted story stays in the trash for trash_days days (setting); `verhalen restore SLUG` brings it
    back, `verhalen trash purge` removes the expired ones for good (run it daily from cron)."""
    if ctx.invoked_subcommand is not None:
        return
    c: Ctx = ctx.obj
    archive = c.archive(create=False)
    days, at = archive.settings.trash_days, now()
    with archive.session() as s:
        stories = core.listed(s)
        if not stories:
            click.echo("The trash is empty.")
        for st in stories:
            click.echo(f"{st.slug}\t{st.title}\t{st.deleted_at:%Y-%m-%d %H:%M}\t{st.deleted_by or '-'}\t"
                       f"{core.days_left(st, days, at)} days left")


@trash.command("purge")
@click.argument("slugs", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every story in the trash, expired or not.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def purge(c: Ctx, slugs, everything, yes) -> None:
    """Remove for good the stories that have been in the trash for trash_days days (or those named,
    or --all): catalog rows, index entries, derived audio and the original recording."""
    archive = c.archive(create=False)
    days = archive.settings.trash_days
    with archive.session() as s:
        if slugs:
            stories = [archive.story(s, slug) for slug in slugs]
        else:
            stories = core.listed(s) if everything else core.expired(s, days)
        if not stories:
            click.echo("Nothing to purge." if everything or not core.listed(s)
                       else f"Nothing has been in the trash for {days} days yet (--all purges it all).")
            return
        if not yes:
            names = "\n  ".join(what_goes(core.contents(st)) for st in stories)
            click.confirm(f"Remove for good, with their original recordings:\n  {names}\nThis cannot be undone. "
                          "Go on?", abort=True)
        chosen = [st.slug for st in stories]
    for slug in core.purge(archive, slugs=chosen):
        click.echo(f"purged {slug}")


@click.command()
@click.argument("slug")
@click.pass_obj
def restore(c: Ctx, slug) -> None:
    """Take a story out of the trash: it shows again wherever it showed before the delete."""
    archive = c.archive(create=False)
    with archive.session() as s:
        st = archive.story(s, slug)
        if st.deleted_at is None:
            click.echo(f"{slug} is not in the trash")
            return
        core.restore(archive, s, st)
    click.echo(f"restored {slug}")


COMMANDS = [trash, restore]
