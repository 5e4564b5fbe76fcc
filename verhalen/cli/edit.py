"""A story's details after ingest (`verhalen edit`) and what was changed by whom (`verhalen history`)."""

from __future__ import annotations

import datetime as dt
import getpass

import click
from sqlalchemy import select

from .. import catalog, licences, story_metadata, trash
from ..errors import UsageError
from ..story_metadata import KEEP, Changes
from .context import Ctx


def _date(_ctx, _param, value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2024-05-03") from None


def _pairs(values, sep: str, option: str, what: str) -> list[tuple[str, str]]:
    out = []
    for value in values:
        left, found, right = value.rpartition(sep) if sep == ":" else value.partition(sep)
        if not found or not left.strip() or not right.strip():
            raise UsageError(f"{option} takes {what}, not {value!r}")
        out.append((left.strip(), right.strip()))
    return out


def _people_to_add(values) -> list[tuple[str, str]]:
    pairs = _pairs(values, ":", "--add-person", f"NAME:ROLE (ROLE one of {', '.join(catalog.ROLES)})")
    for _, role in pairs:
        if role not in catalog.ROLES:
            raise UsageError(f"--add-person: role must be one of {', '.join(catalog.ROLES)}, not {role!r}")
    return pairs


def _people_to_remove(values) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for value in values:
        name, _, role = value.rpartition(":")
        out.append((name.strip(), role) if name.strip() and role in catalog.ROLES else (value.strip(), None))
    return out


@click.command("edit")
@click.argument("slug")
@click.option("--title", help="New title.")
@click.option("--description", help="New description ('' empties it).")
@click.option("--recorded", callback=_date, metavar="YYYY-MM-DD", help="Recording date.")
@click.option("--no-recorded", is_flag=True, help="Forget the recording date.")
@click.option("--series", metavar="NAME", help="Put the story in this series (made if new).")
@click.option("--no-series", is_flag=True, help="Take the story out of its series.")
@click.option("--add-person", multiple=True, metavar="NAME:ROLE",
              help=f"Credit a person (an existing one of that name, else a new one); ROLE is one of "
                   f"{', '.join(catalog.ROLES)}. Repeatable.")
@click.option("--remove-person", multiple=True, metavar="NAME[:ROLE]",
              help="Take a person's credit (in ROLE only, if given) off this story. Repeatable.")
@click.option("--rename-person", multiple=True, metavar="OLD=NEW",
              help="Rename a person credited here, everywhere in the archive. Repeatable.")
@click.option("--link-person", multiple=True, metavar="NAME=EXISTING",
              help="Credit an existing person instead of NAME on this story (e.g. 'Basma=Basma El Amrani'). "
                   "Repeatable.")
@click.option("--add-place", multiple=True, metavar="PLACE", help="Add a place. Repeatable.")
@click.option("--remove-place", multiple=True, metavar="PLACE", help="Remove a place. Repeatable.")
@click.option("--add-theme", multiple=True, metavar="THEME", help="Add an editor's theme. Repeatable.")
@click.option("--remove-theme", multiple=True, metavar="THEME",
              help="Remove an editor's theme (automatic keywords are left alone). Repeatable.")
@click.option("--language", metavar="CODE", help="The story's language (nl, ar, ...), as if given at ingest.")
@click.option("--access", type=click.Choice(catalog.ACCESS_LEVELS), help="Who may see and hear it.")
@click.option("--embargo-until", callback=_date, metavar="YYYY-MM-DD",
              help="With --access embargoed (or on an embargoed story): public from this date.")
@click.option("--consent-notes", metavar="TEXT", help="What was agreed about consent ('' empties them).")
@click.option("--licence", metavar="CODE|URI",
              help=f"The story's licence or rights statement: {', '.join(licences.CODES)}, or its "
                   "creativecommons.org / rightsstatements.org URI ('' gives it the archive's default_licence).")
@click.option("--publish/--unpublish", "published", default=None, help="Show the story to its public, or hide it.")
@click.option("--if-version", type=int, metavar="N",
              help="Save only if the story is still at this version (`verhalen history` shows it); else exit 9.")
@click.option("--by", "user", metavar="NAME", help="Who makes the change, for the history (default: your login).")
@click.pass_obj
def edit(c: Ctx, slug, title, description, recorded, no_recorded, series, no_series, add_person, remove_person,
         rename_person, link_person, add_place, remove_place, add_theme, remove_theme, language, access,
         embargo_until, consent_notes, licence, published, if_version, user) -> None:
    """Change a story's details: title, description, recording date, series, people, places, themes,
    language, access and embargo, consent notes, licence, publishing.

    All changes are saved together or not at all; the public pages, search, facets, feeds and exports
    show them at once, and `verhalen history SLUG` lists them. Names are matched ignoring case.

    \b
    Examples:
      verhalen edit basma-bakt --title "Basma bakt brood" --add-place Schiedam --remove-theme werk
      verhalen edit basma-bakt --add-person "Karim:interviewer" --rename-person "Basma=Basma El Amrani"
      verhalen edit basma-bakt --access embargoed --embargo-until 2030-01-01 --unpublish
      verhalen edit basma-bakt --licence CC-BY-NC-SA-4.0
    """
    if recorded and no_recorded:
        raise UsageError("give --recorded or --no-recorded, not both")
    if series and no_series:
        raise UsageError("give --series or --no-series, not both")
    changes = Changes(
        title=KEEP if title is None else title, description=KEEP if description is None else description,
        recorded=None if no_recorded else (recorded or KEEP), series=None if no_series else (series or KEEP),
        language=KEEP if language is None else language, access=access or KEEP,
        embargo_until=embargo_until or KEEP, consent_notes=KEEP if consent_notes is None else consent_notes,
        published=KEEP if published is None else published, licence=KEEP if licence is None else licence,
        add_people=_people_to_add(add_person), remove_people=_people_to_remove(remove_person),
        rename_people=_pairs(rename_person, "=", "--rename-person", "OLD=NEW"),
        link_people=_pairs(link_person, "=", "--link-person", "NAME=EXISTING"),
        add_places=list(add_place), remove_places=list(remove_place),
        add_themes=list(add_theme), remove_themes=list(remove_theme))
    if changes.empty():
        raise UsageError("nothing to change: give at least one option (see `verhalen edit --help`)")
    archive = c.archive(create=False)
    with archive.session() as s:
        st = trash.require_outside(archive.story(s, slug))
        before = st.meta_version
        st = story_metadata.edit(archive, s, st, changes, if_version, user=user or _login())
        if st.meta_version == before:
            click.echo(f"{st.slug}\tunchanged")
            return
        last = story_metadata.history(s, st)[0]
        click.echo(f"{st.slug}\tversion {st.meta_version}\tchanged: {', '.join(last.after)}")


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a container)
        return "cli"


def _shown(value) -> str:
    if value is None or value == "" or value == []:
        return "-"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "..."


@click.command("history")
@click.argument("slug")
@click.pass_obj
def history(c: Ctx, slug) -> None:
    """What was changed in a story, by whom and when, newest first: its details and its transcript."""
    from ..exports import mmss

    archive = c.archive(create=False)
    with archive.session() as s:
        st = archive.story(s, slug)
        rows: list[tuple[dt.datetime, str]] = []
        for e in story_metadata.history(s, st):
            fields = "; ".join(f"{k.replace('_', ' ')}: {_shown(e.before.get(k))} -> {_shown(e.after.get(k))}"
                               for k in story_metadata.FIELDS if k in e.before or k in e.after)
            rows.append((e.at, f"{e.user or '-'}\tdetails\t{fields}"))
        for e in s.scalars(select(catalog.SegmentEdit).where(catalog.SegmentEdit.story_id == st.id)):
            where = mmss(e.before[0]["start"]) if e.before else (mmss(e.after[0]["start"]) if e.after else "")
            text = " / ".join(x.get("text", "") for x in e.before) + " -> " + " / ".join(x.get("text", "") for x in e.after)
            rows.append((e.at, f"{e.user or '-'}\ttranscript {e.action}{' (reverted)' if e.reverted else ''}"
                               f"\t[{where}] {_shown(text)}"))
        click.echo(f"{st.slug}\tversion {st.meta_version}")
        if not rows:
            click.echo("no changes yet")
        for at, line in sorted(rows, key=lambda r: r[0], reverse=True):
            click.echo(f"{at:%Y-%m-%d %H:%M}\t{line}")


COMMANDS = [edit, history]
