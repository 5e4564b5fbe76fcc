"""The commands that start the web: `verhalen serve`.

The core's `verhalen` group may not import the web (the arrows point web -> core), so it finds
COMMANDS here through the `verhalen.commands` entry point in pyproject.toml; every command module
of the core exposes the same kind of list (verhalen/cli/__init__.py). This module imports nothing
of verhalen.cli at run time (Ctx only for type checkers): verhalen.cli loads it while importing.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from verhalen.cli.context import Ctx


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="Worker threads per process.")
@click.option("--processes", type=click.IntRange(1, 64), metavar="N",
              help="Server processes on the one port (default: the server_processes setting, 1). "
                   "Python runs one process on one core: use the number of cores on a busy site.")
@click.option("--no-worker", is_flag=True, help="Do not run pipeline jobs in this process (run `verhalen worker`s instead).")
@click.option("--listen-fd", type=int, hidden=True)  # a child of --processes N: serve this inherited socket
@click.pass_obj
def serve(c: Ctx, host, port, threads, processes, no_worker, listen_fd) -> None:
    """Serve the viewer and the editors' workspace with waitress (a production WSGI server).

    Unless --no-worker, uploaded recordings are processed by a job worker thread in this process.
    """
    from . import server

    archive = c.archive(create=False)
    processes = processes or archive.settings.server_processes
    if listen_fd is not None:
        import signal
        import socket

        from . import create_app

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
            from . import create_app

            server.run_waitress(create_app(archive.settings, archive), threads, host=host, port=port)
    finally:
        if consumer is not None:
            consumer.stop(graceful=False)


COMMANDS = [serve]
