"""The wheel: builds without warnings, installs without the source tree, and carries its data files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def tracked_copy(dst: Path) -> Path:
    """The files git tracks, as they are in the work tree, copied to `dst`. Built in place, setuptools reuses
    what an earlier build left there (build/, *.egg-info), which once hid a file missing from the packages."""
    r = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, timeout=60)
    assert r.returncode == 0, "the wheel is built from the files git tracks: " + r.stderr.decode()
    for name in filter(None, r.stdout.decode().split("\0")):
        src = ROOT / name
        if src.is_file():  # not a tracked file deleted in the work tree
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / name)
    return dst


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    tree = tracked_copy(tmp_path_factory.mktemp("tree"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(out), str(tree)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    noise = [line for line in (r.stdout + r.stderr).splitlines()
             if ("warning" in line.lower() or "deprecat" in line.lower()) and "byte-compiling is disabled" not in line]
    assert not noise, "\n".join(noise)
    return next(out.glob("verhalen-*.whl"))


def test_the_wheel_carries_templates_static_files_translations_and_migrations(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("verhalen/web/templates/base.html", "verhalen/web/templates/editor/story.html",
                   "verhalen/web/static/player.js", "verhalen/web/translations/en.py",
                   "verhalen/migrations/script.py.mako", "verhalen/migrations/versions/0001_initial_schema.py",
                   "verhalen/index/search_index.py", "verhalen/media/probe.py", "verhalen/web/editor/story.py",
                   "verhalen/media/voice_encoder.npz", "verhalen/media/voice_encoder.LICENSE"):
        assert needed in names, f"{needed} is missing from the wheel"


def test_the_installed_wheel_runs_without_the_source_tree(wheel, tmp_path):
    """Installed non-editable into a folder of its own and imported from there (the dependencies come from
    the test environment): the command answers, and the app finds its templates and migrations."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target), "VERHALEN_HOME": str(tmp_path / "archive")}
    r = subprocess.run([sys.executable, "-m", "verhalen.cli", "--version"], capture_output=True, text=True,
                       env=env, cwd=tmp_path, timeout=60)
    assert r.returncode == 0 and "verhalen" in r.stdout, r.stderr
    probe = ("import verhalen.web, verhalen, sys; from verhalen import settings; from verhalen.archive import Archive; "
             "from verhalen.web import create_app; a = Archive(settings.load(sys.argv[1], env={})); "
             "c = create_app(a.settings, a).test_client(); r = c.get('/'); "
             "print(verhalen.__file__, verhalen.web.__file__, r.status_code, b'<html' in r.data)")
    r = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "archive")], capture_output=True, text=True,
                       env=env, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    module, web, status, html = r.stdout.split()
    assert module.startswith(str(target)) and web.startswith(str(target)), "imported from the source tree"
    assert (status, html) == ("200", "True")
