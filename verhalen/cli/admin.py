"""CLI verbs for running a workspace: users and workers. Registered on the main group by verhalen/cli/__init__.py."""

from __future__ import annotations

import sys

import click


def register(cli) -> None:
    # click.pass_obj, not a module decorator: see verhalen.web.cli.register.
    pass_ctx = click.pass_obj

    @cli.group()
    def user() -> None:
        """Accounts for the editors' workspace (admin, editor, researcher)."""

    @user.command("add")
    @click.argument("name")
    @click.option("--role", type=click.Choice(["admin", "editor", "researcher"]), required=True)
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input (for scripts).")
    @pass_ctx
    def user_add(c, name, role, password_stdin) -> None:
        """Add a user; asks for the password twice unless --password-stdin."""
        from verhalen import users

        password = _read_password(password_stdin)
        with c.archive().session() as s:
            users.add(s, name, password, role)
        click.echo(f"added {name} ({role})")

    @user.command("passwd")
    @click.argument("name")
    @click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
    @pass_ctx
    def user_passwd(c, name, password_stdin) -> None:
        """Set a user's password."""
        from verhalen import users

        password = _read_password(password_stdin)
        with c.archive(create=False).session() as s:
            users.set_password(s, name, password)
        click.echo(f"password of {name} changed; their sessions have ended")

    @user.command("list")
    @pass_ctx
    def user_list(c) -> None:
        """Users, roles and whether they may log in."""
        from sqlalchemy import select

        from verhalen.catalog import User

        with c.archive(create=False).session() as s:
            for u in s.scalars(select(User).order_by(User.name)):
                click.echo(f"{u.name}\t{u.role}\t{'active' if u.active else 'disabled'}")

    @user.command("disable")
    @click.argument("name")
    @pass_ctx
    def user_disable(c, name) -> None:
        """Stop a user from logging in and end their sessions (their history stays)."""
        from verhalen import users

        with c.archive(create=False).session() as s:
            user = users.get(s, name)
            user.active = False  # the catalog's trigger ends their sessions (migration 0007)
            s.commit()
            name = user.name
        click.echo(f"{name} can no longer log in; their sessions have ended")

    @user.command("logout")
    @click.argument("name")
    @pass_ctx
    def user_logout(c, name) -> None:
        """End every session of a user, in every browser (a lost laptop); they may sign in again."""
        from verhalen import users

        with c.archive(create=False).session() as s:
            ended = users.end_sessions(s, name)
            name = users.get(s, name).name
        click.echo(f"ended {ended} session{'' if ended == 1 else 's'} of {name}")

    @cli.command()
    @click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 16),
                  help="Jobs at once (each transcription uses all cores already).")
    @pass_ctx
    def worker(c, threads) -> None:
        """Run pipeline jobs from the queue (SQLite in the home, or Redis with VERHALEN_REDIS_URL)."""
        from verhalen import jobs

        archive = c.archive()
        where = archive.settings.redis_url or archive.settings.home / "queue.sqlite"
        click.echo(f"worker {jobs.WORKER_ID} taking jobs from {where} (Ctrl+C stops after the current job)", err=True)
        jobs.run_worker(archive.settings, workers=threads)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)
