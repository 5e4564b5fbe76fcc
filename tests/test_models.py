"""`verhalen model list|install` and choosing a model: the real command in a subprocess.

No model is ever downloaded here (this machine has no way out): the install is tested offline, and a
"bigger" model is the bundled base placed under another name or path. The bundled base stays the
default and the only model these tests need.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from verhalen.whisper_model import BUNDLED_NAME, KNOWN

DATA = Path(__file__).resolve().parent / "data"
VERHALEN = [sys.executable, "-m", "verhalen.cli"]


def verhalen(*args: str, home: Path, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """The real `verhalen` command with VERHALEN_HOME=home; no VERHALEN_MODEL unless given."""
    base = {k: v for k, v in os.environ.items() if k != "VERHALEN_MODEL"}
    return subprocess.run([*VERHALEN, *args], capture_output=True, text=True, timeout=timeout,
                          env={**base, "VERHALEN_HOME": str(home), **env})


def link_model(source: Path, target: Path) -> Path:
    """A model directory at `target` whose files are symlinks to `source`'s (no 140 MB copy)."""
    target.mkdir(parents=True)
    for f in source.iterdir():
        (target / f.name).symlink_to(f)
    return target


def transcript_model(home: Path, slug: str, **env: str) -> str:
    """The model name `verhalen show` reports for the story's transcript run."""
    out = verhalen("show", slug, home=home, **env)
    assert out.returncode == 0, out.stderr
    line = next(line for line in out.stdout.splitlines() if "whisper " in line and "beam" in line)
    return line.split("whisper ", 1)[1].split(",", 1)[0]


def test_install_offline_fails_at_once_and_leaves_nothing(tmp_path):
    home = tmp_path / "archive"
    t0 = time.monotonic()
    # A closed local port: what an offline machine sees, without waiting for DNS or a firewall.
    r = verhalen("model", "install", "small", home=home, timeout=60,
                 HF_ENDPOINT="http://127.0.0.1:9", HF_HUB_ETAG_TIMEOUT="5")
    elapsed = time.monotonic() - t0
    assert r.returncode == 8, r.stderr
    assert elapsed < 30
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr  # one line, no traceback, no progress bar
    assert lines[0].startswith("verhalen: error: cannot reach the model hub http://127.0.0.1:9")
    assert "needs the internet" in lines[0] and "--model PATH" in lines[0]
    models = home / "models"
    assert not models.exists() or list(models.iterdir()) == []
    listed = verhalen("model", "list", home=home)
    assert listed.returncode == 0
    assert any(line.split()[:3] == ["small", "not", "installed"] for line in listed.stdout.splitlines())


def test_unknown_model_name_is_refused_with_the_known_names(tmp_path):
    home = tmp_path / "archive"
    r = verhalen("model", "install", "huge-v9", home=home, HF_ENDPOINT="http://127.0.0.1:9")
    assert r.returncode == 2, r.stderr
    assert "unknown model 'huge-v9'" in r.stderr
    for name in ["base", *KNOWN]:
        assert name in r.stderr
    assert not (home / "models").exists()


def test_known_names_are_faster_whispers():
    from faster_whisper.utils import available_models

    assert set(KNOWN) <= set(available_models())
    assert {"small", "medium", "large-v3", "large-v3-turbo", "distil-large-v3"} <= set(KNOWN)


def test_list_shows_the_bundled_model_and_what_is_in_use(tmp_path, model_dir):
    home = tmp_path / "archive"
    before = verhalen("model", "list", home=home)
    assert before.returncode == 0, before.stderr
    assert "* base               bundled, not assembled yet" in before.stdout
    assert not home.exists()  # listing creates nothing
    link_model(model_dir, home / "models" / BUNDLED_NAME)  # as if assembled by a first ingest
    after = verhalen("model", "list", home=home).stdout
    base = next(line for line in after.splitlines() if line[2:].startswith("base "))
    assert base.startswith("* ") and "bundled" in base and "not assembled" not in base and "MB" in base
    other = verhalen("--model", "large-v3", "model", "list", home=home).stdout
    assert next(line for line in other.splitlines() if line[2:].startswith("large-v3 ")).startswith("* ")
    assert next(line for line in other.splitlines() if line[2:].startswith("base ")).startswith("  ")


def test_a_model_directory_and_an_installed_name_transcribe(tmp_path, model_dir):
    """--model PATH loads a local CTranslate2 folder; --model NAME one in models/ (how an archive is upgraded)."""
    home = tmp_path / "archive"
    mine = link_model(model_dir, tmp_path / "elsewhere" / "my-whisper")
    r = verhalen("--model", str(mine), "ingest", str(DATA / "nl_koor.mp3"), "--language", "nl",
                 "--title", "Koor", home=home)
    assert r.returncode == 0, r.stderr
    slug = r.stdout.split("\t")[0]
    assert transcript_model(home, slug) == "my-whisper"
    assert not (home / "models" / BUNDLED_NAME).exists()  # the bundled model was not needed

    # A model "installed" under a known name (a bigger one in real life) is chosen by name alone.
    link_model(model_dir, home / "models" / "whisper-small")
    listed = verhalen("--model", "small", "model", "list", home=home).stdout
    small = next(line for line in listed.splitlines() if line[2:].startswith("small "))
    assert small.startswith("* ") and "installed" in small and "not installed" not in small
    r = verhalen("--model", "small", "retranscribe", slug, home=home)
    assert r.returncode == 0, r.stderr
    assert transcript_model(home, slug) == "whisper-small"
    again = verhalen("--model", "small", "model", "install", "small", home=home, HF_ENDPOINT="http://127.0.0.1:9")
    assert again.returncode == 0 and "already there" in again.stdout  # no network needed for that


@pytest.mark.parametrize("value, message", [
    ("medium", "model medium is not installed"),
    ("no-such-model", "is neither a model name"),
])
def test_a_model_that_is_not_there_is_a_model_error(tmp_path, value, message):
    from verhalen.errors import ModelError
    from verhalen.whisper_model import model_path

    with pytest.raises(ModelError, match=message):
        model_path(value, tmp_path / "models")
    assert not (tmp_path / "models").exists()  # never assembled, never downloaded


class _File:
    def __init__(self, name: str, size: int):
        self.rfilename, self.size = name, size


def _fake_hub(monkeypatch, files: dict[str, bytes], fail_after: str | None = None):
    """The Hub's answers, in process: a file list, and a downloader writing `files` (stopping with a
    dropped connection before `fail_after`, as a kill or a lost network would)."""
    import faster_whisper.utils
    import huggingface_hub

    class Info:
        sha = "0" * 40
        siblings = [_File(n, len(b)) for n, b in files.items()]

    calls = []

    def model_info(self, repo, **kw):
        from huggingface_hub import constants
        calls.append((repo, kw.get("timeout"), constants.HF_HUB_OFFLINE))
        return Info()

    def download_model(name, output_dir, revision=None, **kw):
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        for n, b in files.items():
            if n == fail_after:
                (out / n).write_bytes(b[: len(b) // 2])
                raise OSError("Connection reset by peer")
            (out / n).write_bytes(b)
        return str(out)

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", model_info)
    monkeypatch.setattr(faster_whisper.utils, "download_model", download_model)
    return calls


def test_install_is_atomic_and_lifts_offline_mode_only_for_itself(tmp_path, monkeypatch):
    from huggingface_hub import constants

    from verhalen.errors import ModelError
    from verhalen.whisper_model import catalogue, install, partial_downloads

    models = tmp_path / "models"
    files = {"model.bin": b"m" * 1000, "config.json": b"{}", "tokenizer.json": b"{}", "vocabulary.json": b"[]"}
    assert constants.HF_HUB_OFFLINE  # set before huggingface_hub was imported
    _fake_hub(monkeypatch, files, fail_after="model.bin")
    with pytest.raises(ModelError, match="run the command again to resume"):
        install("small", models)
    assert constants.HF_HUB_OFFLINE  # back on after the call
    assert not (models / "whisper-small").exists()
    assert [e.state for e in catalogue(models, "") if e.name == "small"] == ["not installed"]
    assert [name for name, _ in partial_downloads(models)] == ["small"]

    calls = _fake_hub(monkeypatch, files)
    path, downloaded = install("small", models)
    assert downloaded and path == models / "whisper-small"
    assert calls[0][0] == "Systran/faster-whisper-small" and calls[0][1] and calls[0][2] is False
    assert (path / "model.bin").read_bytes() == files["model.bin"] and not (path / ".cache").exists()
    assert partial_downloads(models) == []
    assert [e.state for e in catalogue(models, "small") if e.name == "small" and e.in_use] == ["installed"]
    assert install("small", models) == (path, False)


def test_install_refuses_a_short_download(tmp_path, monkeypatch):
    """A file the Hub lists at one size and that arrives at another is not put in place."""
    import faster_whisper.utils

    from verhalen.errors import ModelError
    from verhalen.whisper_model import install

    files = {"model.bin": b"m" * 1000, "config.json": b"{}", "tokenizer.json": b"{}"}
    _fake_hub(monkeypatch, files)
    real = faster_whisper.utils.download_model

    def short(name, output_dir, **kw):
        real(name, output_dir, **kw)
        (Path(output_dir) / "model.bin").write_bytes(b"m" * 10)

    monkeypatch.setattr(faster_whisper.utils, "download_model", short)
    with pytest.raises(ModelError, match="incomplete"):
        install("small", tmp_path / "models")
    assert not (tmp_path / "models" / "whisper-small").exists()
