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
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

RESTART_WINDOW = 10.0  # seconds: a child that dies sooner than this after its start counts as failing
MAX_QUICK_DEATHS = 5


def listen(host: str, port: int) -> socket.socket:
    """The listening socket (SO_REUSEADDR, as waitress sets it); supervise() hands it to the children."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=1024)


def run_waitress(app, threads: int, sock: socket.socket | None = None, host: str = "", port: int = 0) -> None:
    from waitress import serve

    where = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
    serve(app, threads=threads, ident="verhalen", **where)


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
