"""Helpers for the tests (not fixtures: those live in conftest.py).

Paths and commands, the real `verhalen` CLI in a subprocess, generated media, logging in to the
workspace, a real waitress server in a thread, and real PostgreSQL and Redis servers on this machine.
Test files import them with `from helpers import ...`: pytest puts tests/ on sys.path because the
folder has a conftest.py and no __init__.py (the default "prepend" import mode).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from waitress.server import create_server

from verhalen.media import ffmpeg_binary
from verhalen.transcript_guards import GAP

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "media"
VERHALEN = [sys.executable, "-m", "verhalen.cli"]

# -- the editors' workspace (web/auth.py, web/editor/) ---------------------------------------------

PASSWORD = "correct horse battery"
WORKSPACE_USERS = {"beheer": "admin", "esseline": "editor", "karim": "editor", "onderzoeker": "researcher"}

# -- a real browser: Debian's Chromium driven by Playwright ----------------------------------------

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required", "--mute-audio"]


def run_cli(*args: str, home: Path, model_dir: Path | None = None, check: bool = False, timeout: float = 300,
            **kw) -> subprocess.CompletedProcess:
    """Run the real `verhalen` command in a subprocess."""
    env = {**os.environ, "VERHALEN_HOME": str(home)}
    if model_dir:
        env["VERHALEN_MODEL"] = str(model_dir)
    return subprocess.run([*VERHALEN, *args], capture_output=True, text=True, env=env, timeout=timeout,
                          check=check, **kw)


def ffmpeg_make(out: Path, *lavfi_args: str) -> Path:
    """Generate a test signal with the real ffmpeg (lavfi)."""
    subprocess.run([ffmpeg_binary(), "-v", "error", "-y", *lavfi_args, str(out)], check=True)
    return out


def csrf_of(page: str) -> str:
    """The CSRF token in a page (a form field or the meta tag)."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert m, "no CSRF token on the page"
    return m.group(1)


def login(client, name: str, password: str = PASSWORD):
    """Log `client` in through the real form; returns the response of the POST."""
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


def token_for(client, url: str = "/editor/") -> str:
    return csrf_of(client.get(url).get_data(as_text=True))


# -- real servers ----------------------------------------------------------------------------------


class LiveServer:
    """A real waitress server in a thread, on a free port of 127.0.0.1."""

    def __init__(self, app):
        self.server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="verhalen-test")
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop from inside the server's own loop: closing its sockets from this thread while the loop
        waits on them ends the loop with EBADF (a PytestUnhandledThreadExceptionWarning)."""
        def close_all():
            for channel in list(self.server._map.values()):
                channel.close()

        if not self.thread.is_alive():
            return
        try:
            self.server.trigger.pull_trigger(close_all)
        except OSError:  # the loop ended meanwhile and closed its trigger
            return
        self.thread.join(10)


def http_get(url: str, headers: dict | None = None):
    """GET `url` over a real socket: the response, or the HTTPError (it reads like one) for 4xx and 5xx."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        return urllib.request.urlopen(req, timeout=30)
    except urllib.error.HTTPError as e:
        return e


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path | None:
    root = Path("/usr/lib/postgresql")
    versions = sorted(root.glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return versions[-1].parent if versions else None


class Postgres:
    """A throwaway PostgreSQL cluster from Debian's packages (installed by `make test`): initdb + pg_ctl
    in a temp dir, on a Unix socket only, as the postgres user when we are root (PostgreSQL refuses root)."""

    def __init__(self):
        bindir = _pg_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed: run `make test`, which installs Debian's postgresql")
        self.dir = Path(tempfile.mkdtemp(prefix="verhalen-pg-"))
        self.port = free_port()
        self.prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.prefix:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        self._run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
        self._run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.dir} -c listen_addresses='' -c fsync=off", "start")
        self.bindir = bindir
        self._run(str(bindir / "createdb"), "-h", str(self.dir), "-p", str(self.port), "-U", "postgres", "verhalen")

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, capture_output=True, timeout=120)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@/verhalen?host={self.dir}&port={self.port}"

    def stop(self) -> None:
        subprocess.run([*self.prefix, str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)


class Redis:
    """redis-server from Debian's package on a free loopback port, no persistence, in a temp dir."""

    def __init__(self):
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed: run `make test`, which installs Debian's redis-server")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="verhalen-redis-"))
        self.proc = subprocess.Popen([exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", str(self.dir)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)
        shutil.rmtree(self.dir, ignore_errors=True)


class Editor:
    """One signed-in editor's browser tab, collecting the page's script errors."""

    def __init__(self, browser, url: str, name: str = "esseline"):
        self.context = browser.new_context(viewport={"width": 1100, "height": 900}, base_url=url)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto("/login")
        self.page.get_by_label("Naam").fill(name)
        self.page.get_by_label("Wachtwoord").fill(PASSWORD)
        self.page.get_by_role("button", name="Inloggen").click()
        self.page.wait_for_url("**/editor/")

    def follow(self, locator) -> None:
        """Click a link or a form's button and wait for the page it leads to (often the same address again)."""
        with self.page.expect_navigation():
            locator.click()

    def go(self, link: str) -> None:
        """Follow a link of the workspace's navigation."""
        self.follow(self.page.get_by_role("navigation", name="Werkplaats").get_by_role("link", name=link, exact=True))

    def flash(self) -> str:
        return " ".join(self.page.locator(".flash").all_inner_texts())

    def done(self) -> None:
        assert not self.errors, self.errors


def make_gap(session, story):
    """Turn the story's longest passage into one the model heard nothing in, as the coverage guard stores
    it (committed); returns that gap and another passage of the story, earliest first."""
    gap = max(story.segments, key=lambda x: x.end - x.start)
    other = next(x for x in sorted(story.segments, key=lambda x: x.start) if x.id != gap.id)
    gap.text, gap.words, gap.guard = "", [], GAP
    session.commit()
    return gap, other


def wait_until(predicate, timeout: float = 180, what: str = "condition", poll: float = 0.3) -> None:
    """Poll `predicate` until it is true; AssertionError naming `what` after `timeout` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(poll)
    raise AssertionError(f"timed out waiting for {what}")
