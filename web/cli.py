"""CLI verbs for the viewer (serve, person add, series set). Registered on the main group by verhalen/cli/__init__.py."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import click

from verhalen import catalog


def _copy_original(src: Path, home: Path, folder: str, slug: str) -> str:
    """Keep the uploaded picture (never served as is) and return its path relative to the home."""
    target = home / folder / f"{slug}{src.suffix.lower() or '.img'}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, target)
    return str(target.relative_to(home))


def _check_image(src: Path, derived_dir: Path, cache: str) -> None:
    """Validate the picture and build its served derivatives now (raises UnsupportedMedia)."""
    from verhalen.media.images import make_derivatives

    make_derivatives(src, derived_dir / "images" / cache, name=src.name)


def _attach_picture(archive, src: Path, cache: str, folder: str, slug: str) -> str:
    """Validate a portrait or artwork, build its derivatives, keep the original; return its home-relative path."""
    _check_image(src, archive.settings.derived_dir, cache)
    return _copy_original(src, archive.settings.home, folder, slug)


def register(cli) -> None:
    """Add the viewer's commands to the `verhalen` group."""
    # click.pass_obj, not cli.pass_ctx: under `python -m verhalen.cli` the cli module exists twice
    # (__main__ and verhalen.cli), and the context object is the __main__ one.
    pass_ctx = click.pass_obj

    @cli.command()
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
    @click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
    @click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads per process.")
    @click.option("--processes", type=click.IntRange(1, 64), metavar="N",
                  help="Server processes on the one port (default: the server_processes setting, 1). "
                       "Python runs one process on one core: use the number of cores on a busy site.")
    @click.option("--no-worker", is_flag=True, help="Do not run pipeline jobs in this process (run `verhalen worker`s instead).")
    @click.option("--listen-fd", type=int, hidden=True)  # a child of --processes N: serve this inherited socket
    @pass_ctx
    def serve(c, host, port, threads, processes, no_worker, listen_fd) -> None:
        """Serve the viewer and the editors' workspace with waitress (a production WSGI server).

        Unless --no-worker, uploaded recordings are processed by a job worker thread in this process.
        """
        from verhalen.web import server

        archive = c.archive(create=False)
        processes = processes or archive.settings.server_processes
        if listen_fd is not None:
            import signal
            import socket

            from verhalen.web import create_app

            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent ends its children (SIGTERM)
            sock = socket.socket(fileno=listen_fd)
            server.run_waitress(create_app(archive.settings, archive), threads, sock=sock)
            return
        if processes > 1:
            if os.name != "posix":
                raise click.UsageError("--processes above 1 needs Linux or macOS (the children inherit the socket)")
            sock = server.listen(host, port)  # before the worker starts: a taken port fails fast
            archive.close()  # each child opens its own; the worker below opens its own too
        consumer = None
        if not no_worker:
            from verhalen import jobs

            consumer = jobs.start_embedded(archive.settings)
        click.echo(f"Serving {archive.settings.home} on http://{host}:{port}/  "
                   f"({processes} process{'es' if processes > 1 else ''}; Ctrl+C stops)")
        try:
            if processes > 1:
                argv = server.child_command(str(archive.settings.home), c.model, threads)
                status = server.supervise(argv, sock, processes, log=lambda m: click.echo(m, err=True))
                if status:
                    raise SystemExit(status)
            else:
                from verhalen.web import create_app

                server.run_waitress(create_app(archive.settings, archive), threads, host=host, port=port)
        finally:
            if consumer is not None:
                consumer.stop(graceful=False)

    @cli.group()
    def person() -> None:
        """People in the archive: portraits and bios."""

    @person.command("add")
    @click.argument("name")
    @click.option("--portrait", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Portrait picture.")
    @click.option("--bio", help="A short biography.")
    @pass_ctx
    def person_add(c, name, portrait, bio) -> None:
        """Add a person, or update their portrait and bio."""
        archive = c.archive()
        with archive.session() as s:
            p = catalog.get_or_create(s, catalog.Person, name)
            if portrait:
                p.portrait = _attach_picture(archive, portrait, f"person-{p.id}", "portraits", p.slug)
            if bio is not None:
                p.bio = bio
            s.commit()
            click.echo(f"{p.name} ({p.slug})" + (" with portrait" if p.portrait else ""))

    @cli.group()
    def series() -> None:
        """Series (podcasts, collections): description and artwork."""

    @series.command("set")
    @click.argument("name")
    @click.option("--description", help="What the series is about.")
    @click.option("--artwork", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Square artwork.")
    @pass_ctx
    def series_set(c, name, description, artwork) -> None:
        """Create or update a series."""
        archive = c.archive()
        with archive.session() as s:
            se = catalog.get_or_create(s, catalog.Series, name)
            if artwork:
                se.artwork = _attach_picture(archive, artwork, f"series-{se.id}", "artwork", se.slug)
            if description is not None:
                se.description = description
            s.commit()
            click.echo(f"{se.name} ({se.slug})")
