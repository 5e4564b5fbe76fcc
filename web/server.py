"""Serving with waitress: in this process, or in several processes on one listening socket.

waitress runs one Python process, so the GIL caps it at one core whatever its
thread count (bench/web.py: a search page took the same ~40 ms of CPU with 8
threads as with one). `processes > 1` opens the socket here and starts that
many `verhalen serve --listen-fd` children on it; the kernel hands each new
connection to whichever child accepts first. The children are fresh
interpreters (not forks), so each opens its own catalog connections, search
index and page cache, and this process stays free to run the job worker. A
child that dies is started again; one that keeps dying within seconds ends the
server with an error instead of looping.

Request bodies (`run_waitress`): waitress reads a whole body before it calls
the app. Its limit is the app's (`MAX_CONTENT_LENGTH`, from `max_upload_mb`),
and a body over it is not refused by waitress in its own plain words: the
request goes to the app without its body, so the app answers with its own
413 page (Dutch/English, with the security headers), at once, and the
connection is closed gently (see `_Channel`). A body beyond waitress's small
in-memory buffer spools to ARCHIVE/incoming/request-*.part, not the system's
temporary folder, and is removed when the request ends.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from waitress.buffers import FileBasedBuffer, OverflowableBuffer
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import BaseWSGIServer, create_server
from waitress.utilities import RequestEntityTooLarge


RESTART_WINDOW = 10.0  # seconds: a child that dies sooner than this after its start counts as failing
MAX_QUICK_DEATHS = 5
LINGER_SECONDS = 30.0  # after an early 413, read and drop what the client still sends for this long (as nginx)


def listen(host: str, port: int) -> socket.socket:
    """The listening socket (SO_REUSEADDR, as waitress sets it); supervise() hands it to the children."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=1024)


def run_waitress(app, threads: int, sock: socket.socket | None = None, host: str = "", port: int = 0) -> None:
    """Serve the Flask `app` with waitress: its body limit is the app's, its spooled bodies go to incoming/."""
    where = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
    logging.basicConfig()  # as waitress.serve does
    sockets: dict = {}
    server = create_server(app, map=sockets, threads=threads, ident="verhalen",
                           max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1, **where)
    use_channel(sockets, archive_channel(app.config["SETTINGS"].incoming_dir))
    freeze_long_lived()
    server.print_listen("Serving on http://{}:{}")
    server.run()


def freeze_long_lived() -> None:
    """Take what lives as long as the server (modules, the app, templates, mappers) out of the cyclic
    garbage collector's sight. A big response (an OAI-PMH page of 1,000 records makes ~30,000 objects) sets
    off full collections, and each one walked all of those again: ~100 ms, the slowest 5 % of OAI pages
    (bench/oai.py: p95 ~185 ms before, ~95 ms after). Objects made later are collected as usual."""
    gc.collect()
    gc.freeze()


def use_channel(sockets: dict, channel: type[HTTPChannel]) -> None:
    """Make every listening server in waitress's socket map accept its connections as `channel`."""
    for dispatcher in sockets.values():
        if isinstance(dispatcher, BaseWSGIServer):
            dispatcher.channel_class = channel


def archive_channel(spool_dir: Path) -> type[HTTPChannel]:
    """waitress's connection class for this archive: bodies spool to `spool_dir`, an over-limit body goes to
    the app (which answers 413) instead of waitress's own error page."""
    parser = type("Parser", (_Parser,), {"spool_dir": spool_dir})
    return type("Channel", (_Channel,), {"parser_class": parser})


class _SpoolFile(FileBasedBuffer):
    """A request body on disk: ARCHIVE/incoming/request-*.part, removed when waitress closes the buffer."""

    def __init__(self, folder: Path, from_buffer=None):
        self.folder, self.paths = folder, []
        super().__init__(self.newfile(), from_buffer)

    def newfile(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, path = tempfile.mkstemp(dir=self.folder, prefix="request-", suffix=".part")
        self.paths.append(path)
        return os.fdopen(fd, "w+b")

    def close(self):
        try:
            super().close()
        finally:
            for path in self.paths:
                Path(path).unlink(missing_ok=True)
            self.paths = []


class _SpoolBuffer(OverflowableBuffer):
    """waitress's input buffer (memory first, a file past `inbuf_overflow`), with the file in `folder`."""

    def __init__(self, overflow: int, folder: Path):
        super().__init__(overflow)
        self.folder = folder

    def _set_large_buffer(self):
        old = self.buf
        self.buf = _SpoolFile(self.folder, old)
        if hasattr(old, "close"):
            old.close()
        self.overflowed = True


class _Parser(HTTPRequestParser):
    """waitress's request parser, but a body over the limit (declared or, when chunked, counted) is handed to the
    app without its body and with a Content-Length over the limit, so Flask's 413 handler answers."""

    spool_dir: Path
    too_large = False

    def parse_header(self, header_plus):
        super().parse_header(header_plus)
        if self.body_rcv is not None:
            self.body_rcv.buf = _SpoolBuffer(self.adj.inbuf_overflow, self.spool_dir)

    def received(self, data):
        consumed = super().received(data)
        if not isinstance(self.error, RequestEntityTooLarge):
            return consumed
        self.error, self.too_large, self.completed = None, True, True
        self.expect_continue = False  # no "100 Continue": the answer is 413, now
        self.headers["CONNECTION"] = "close"  # the rest of the body is never read as a next request
        self.headers["CONTENT_LENGTH"] = str(max(self.content_length, self.body_bytes_received,
                                                 self.adj.max_request_body_size))
        if self.body_rcv is not None:
            self.body_rcv.getbuf().close()  # what was spooled so far goes at once
            self.body_rcv = None
        return len(data)  # what arrived with it is dropped too


class _Channel(HTTPChannel):
    """waitress's connection, closed gently after an early 413: it says it is done (FIN), then reads and drops
    what the client still sends, up to LINGER_SECONDS, so the client's TCP stack does not discard the answer
    on a reset before the client reads it (RFC 9112, 9.6)."""

    linger_pending = False
    linger_until: float | None = None

    def service(self):
        if getattr(self.requests[0], "too_large", False):
            self.linger_pending = True
        super().service()

    def readable(self):
        return self.linger_until is not None or super().readable()

    def handle_read(self):
        if self.linger_until is None:
            return super().handle_read()
        if self.recv(self.adj.recv_bytes) and time.monotonic() >= self.linger_until:
            self.handle_close()  # (an empty read has closed the connection already)
        return None

    def handle_close(self):
        if self.linger_pending and self.linger_until is None and self.connected and not self.total_outbufs_len:
            try:
                self.socket.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            else:
                self.linger_until = time.monotonic() + LINGER_SECONDS
                self.will_close = self.close_when_flushed = False
                return
        if self.request is not None:  # a body still arriving when the client went away: its spool file goes now
            self.request.close()
        super().handle_close()


def supervise(child_argv: Callable[[int], list[str]], sock: socket.socket, processes: int,
              log: Callable[[str], None] = print) -> int:
    """Run `processes` children serving `sock` until SIGTERM/SIGINT; the exit status for the server."""
    fd = sock.fileno()
    stopping = []

    def stop(signum, _frame):
        stopping.append(signum)

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}

    def start() -> tuple[subprocess.Popen, float]:
        return subprocess.Popen(child_argv(fd), pass_fds=(fd,)), time.monotonic()

    children = [start() for _ in range(processes)]
    quick_deaths = 0
    status = 0
    try:
        while not stopping:
            time.sleep(0.2)
            for i, (proc, started) in enumerate(children):
                code = proc.poll()
                if code is None or stopping:
                    continue
                quick_deaths = quick_deaths + 1 if time.monotonic() - started < RESTART_WINDOW else 0
                if quick_deaths >= MAX_QUICK_DEATHS:
                    log(f"server process exited {code} {quick_deaths} times in a row right after starting; stopping")
                    status = 1
                    stopping.append(None)
                    break
                log(f"server process {proc.pid} exited with {code}; starting another")
                children[i] = start()
    finally:
        for proc, _ in children:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 10
        for proc, _ in children:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for sig, handler in old.items():
            signal.signal(sig, handler)
        sock.close()
    return status


def child_command(home: str, model: str | None, threads: int) -> Callable[[int], list[str]]:
    """`verhalen serve` for one child on an inherited socket, with the parent's archive and model."""
    def argv(fd: int) -> list[str]:
        cmd = [sys.executable, "-m", "verhalen.cli", "--home", home]
        if model:
            cmd += ["--model", model]
        return cmd + ["serve", "--threads", str(threads), "--no-worker", "--processes", "1", "--listen-fd", str(fd)]
    return argv
