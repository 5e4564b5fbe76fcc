"""The content-addressed store of originals: originals/ab/cdef...<ext>, never modified."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from .errors import ArchiveError

CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def original_path(root: Path, sha256: str, suffix: str) -> Path:
    suffix = suffix.lower() if suffix[1:].isalnum() and len(suffix) <= 6 else ""
    return root / sha256[:2] / f"{sha256}{suffix}"


def atomic_copy(src: Path, dst: Path) -> None:
    """Copy src to dst via a temporary file in dst's folder and a rename: dst is whole or absent."""
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
                shutil.copyfileobj(inp, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, dst)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as e:
        raise ArchiveError(f"cannot write {dst}: {e.strerror or e}") from None


def atomic_write_bytes(dst: Path, data: bytes) -> None:
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=".incoming-")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, dst)
    except OSError as e:
        raise ArchiveError(f"cannot write {dst}: {e.strerror or e}") from None


def put(root: Path, src: Path, sha256: str) -> Path:
    """Store `src` under its hash (a no-op if already there, e.g. when resuming); return the stored path."""
    dst = original_path(root, sha256, src.suffix)
    if not dst.exists() or dst.stat().st_size != src.stat().st_size:
        atomic_copy(src, dst)
        dst.chmod(0o444)
    return dst
