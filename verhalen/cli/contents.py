"""`verhalen contents`: a story's index (table of contents) from the command line (verhalen.index_points)."""

from __future__ import annotations

import getpass

import click

from .. import index_points, trash
from ..errors import UsageError
from ..exports import mmss, parse_time
from .context import Ctx


def _time(value: str | None, option: str) -> float:
    t = parse_time(value)
    if t is None:
        raise UsageError(f"{option} {value!r}: give a time as 01:23, 1:02:03 or 83 (seconds)")
    return t


def _echo_points(points: list[dict]) -> None:
    if not points:
        click.echo("(no index yet: `verhalen contents SLUG --draft` proposes one)")
    for p in points:
        place = p["place"] or ""
        if place and p["latitude"] is not None:
            place += f" ({p['latitude']:g}, {p['longitude']:g})"
        click.echo("\t".join([str(p["id"]), mmss(p["start"]), p["source"], p["title"],
                              "; ".join(p["keywords"]) or "-", place or "-", p["synopsis"] or "-"]))


@click.command()
@click.argument("slug")
@click.option("--draft", is_flag=True, help="Propose the draft again (editors' points stay; not when the "
                                            "recording has chapter marks).")
@click.option("--add", "add_at", metavar="TIME", help="Add a point at TIME (01:23); needs --title.")
@click.option("--edit", "edit_id", type=int, metavar="ID", help="Change point ID: the fields given below.")
@click.option("--move", "move_id", type=int, metavar="ID", help="Move point ID to --to TIME.")
@click.option("--merge", "merge_id", type=int, metavar="ID", help="Merge point ID with the next point.")
@click.option("--delete", "delete_id", type=int, metavar="ID", help="Delete point ID.")
@click.option("--to", "to", metavar="TIME", help="With --move: the new start.")
@click.option("--title")
@click.option("--synopsis")
@click.option("--keywords", help="Comma-separated.")
@click.option("--place", help="A place's name.")
@click.option("--lat", "latitude", type=float, help="Latitude of the place, -90..90 (with --lon).")
@click.option("--lon", "longitude", type=float, help="Longitude of the place, -180..180 (with --lat).")
@click.option("--yes", is_flag=True, help="With --delete: do not ask for confirmation.")
@click.pass_obj
def contents(c: Ctx, slug, draft, add_at, edit_id, move_id, merge_id, delete_id, to, title, synopsis, keywords,
             place, latitude, longitude, yes) -> None:
    """List a story's index points (ID, time, source, title, keywords, place, synopsis), or change one.

    \b
    verhalen contents SLUG                                  list
    verhalen contents SLUG --draft                          propose the draft again
    verhalen contents SLUG --add 12:30 --title "De haven" [--synopsis ... --keywords a,b --place P --lat --lon]
    verhalen contents SLUG --edit ID --title "..."          (any of the fields)
    verhalen contents SLUG --move ID --to 13:05
    verhalen contents SLUG --merge ID                       with the next point
    verhalen contents SLUG --delete ID [--yes]
    """
    actions = [n for n, v in (("--draft", draft), ("--add", add_at), ("--edit", edit_id), ("--move", move_id),
                              ("--merge", merge_id), ("--delete", delete_id)) if v not in (None, False)]
    if len(actions) > 1:
        raise UsageError(f"choose one of {', '.join(actions)} at a time")
    fields = {k: v for k, v in (("title", title), ("synopsis", synopsis), ("keywords", keywords), ("place", place),
                                ("latitude", latitude), ("longitude", longitude)) if v is not None}
    archive = c.archive(create=False)
    with archive.session() as s:
        story = trash.require_outside(archive.story(s, slug))
        ed = index_points.IndexEditor(s, story, getpass.getuser())
        action = actions[0] if actions else None
        if action == "--draft":
            made = ed.redraft(archive.settings)
            click.echo(f"{story.slug}: {len(made)} draft points", err=True)
        elif action == "--add":
            if not title:
                raise UsageError("--add needs --title")
            p = ed.add(_time(add_at, "--add"), **fields)
            click.echo(f"added {p.id} at {mmss(p.start)}", err=True)
        elif action == "--edit":
            if not fields:
                raise UsageError("--edit needs at least one of --title, --synopsis, --keywords, --place, --lat/--lon")
            ed.edit(edit_id, None, **fields)
        elif action == "--move":
            p = ed.move(move_id, None, _time(to, "--to"))
            click.echo(f"moved {p.id} to {mmss(p.start)}", err=True)
        elif action == "--merge":
            ed.merge_with_next(merge_id, None)
        elif action == "--delete":
            point = ed.point(delete_id, None)
            if not yes:
                click.confirm(f"delete the index point at {mmss(point.start)} ({point.title!r})?", abort=True)
            ed.delete(delete_id, None)
        s.expire_all()
        story = archive.story(s, slug)
        _echo_points([p.as_dict() for p in sorted(story.index_points, key=lambda p: p.start)])


COMMANDS = [contents]
