"""Running the archive: accounts for the workspace, job workers, and the health check."""

from __future__ import annotations

import sys

import click

from ..catalog import USER_ROLES
from .context import Ctx


@click.group()
def user() -> None:
    """Accounts for the editors' workspace (admin, editor, researcher)."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(USER_ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
@click.pass_obj
def user_add(c: Ctx, name, role, password_stdin) -> None:
    """Add a user; asks for the password twice unless --password-stdin."""
    from .. import users

    password = _read_password(password_stdin)
    with c.archive().session() as s:
        users.add(s, name, password, role)
    click.echo(f"added {name} ({role})")


@user.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def user_passwd(c: Ctx, name, password_stdin) -> None:
    """Set a user's password."""
    from .. import users

    password = _read_password(password_stdin)
    with c.archive(create=False).session() as s:
        users.set_password(s, name, password)
    click.echo(f"password of {name} changed; their sessions have ended")


@user.command("list")
@click.pass_obj
def user_list(c: Ctx) -> None:
    """Users, roles and whether they may log in."""
    from sqlalchemy import select

    from ..catalog import User

    with c.archive(create=False).session() as s:
        for u in s.scalars(select(User).order_by(User.name)):
            click.echo(f"{u.name}\t{u.role}\t{'active' if u.active else 'disabled'}")


@user.command("disable")
@click.argument("name")
@click.pass_obj
def user_disable(c: Ctx, name) -> None:
    """Stop a user from logging in and end their sessions (their history stays)."""
    from .. import users

    with c.archive(create=False).session() as s:
        user = users.get(s, name)
        user.active = False  # the catalog's trigger ends their sessions (migration 0007)
        s.commit()
        name = user.name
    click.echo(f"{name} can no longer log in; their sessions have ended")


@user.command("logout")
@click.argument("name")
@click.pass_obj
def user_logout(c: Ctx, name) -> None:
    """End every session of a user, in every browser (a lost laptop); they may sign in again."""
    from .. import users

    with c.archive(create=False).session() as s:
        ended = users.end_sessions(s, name)
        name = users.get(s, name).name
    click.echo(f"ended {ended} session{'' if ended == 1 else 's'} of {name}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command()
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 16),
              help="Jobs at once (each transcription uses all cores already).")
@click.pass_obj
def worker(c: Ctx, threads) -> None:
    """Run pipeline jobs from the queue (SQLite in the home, or Redis with VERHALEN_REDIS_URL)."""
    from .. import jobs

    archive = c.archive()
    where = archive.settings.redis_url or archive.settings.queue_file
    click.echo(f"worker {jobs.WORKER_ID} taking jobs from {where} (Ctrl+C stops after the current job)", err=True)
    jobs.run_worker(archive.settings, workers=threads)


@click.command()
@click.pass_obj
def doctor(c: Ctx) -> None:
    """Check the archive: ffmpeg, model, catalog, index and originals agree. Exit 1 if something is wrong."""
    from ..doctor import checks

    problems = 0
    for ok, label, detail in checks(c.archive(create=False)):
        problems += not ok
        mark = click.style("ok", fg="green") if ok else click.style("!!", fg="red")
        click.echo(f"{mark}  {label}" + (f": {detail}" if detail else ""))
    if problems:
        sys.exit(1)


COMMANDS = [user, worker, doctor]
