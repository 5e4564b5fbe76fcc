"""Embedded tags and cover art, read with mutagen through one choke point."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import Picture


def _mutagen_file(path: Path, easy: bool) -> Any:
    # mutagen raises a zoo of format-specific errors for damaged files; tags
    # are a bonus, so a file mutagen cannot parse simply has none.
    try:
        return mutagen.File(path, easy=easy)
    except Exception:  # noqa: BLE001 - any mutagen failure means "no readable tags"
        return None


def read_tags(path: Path) -> dict[str, str]:
    """Common tags (title, artist, album, date, language, comment...) as plain strings."""
    f = _mutagen_file(path, easy=True)
    if f is None or not f.tags:
        return {}
    out: dict[str, str] = {}
    for key, value in f.tags.items():
        values = value if isinstance(value, list) else [value]
        text = "; ".join(str(v) for v in values if str(v).strip())
        if text and len(text) < 2000:
            out[str(key).lower()] = text
    return out


def read_cover(path: Path) -> tuple[bytes, str] | None:
    """The front cover (or first picture) as (bytes, mime type), if the file has one."""
    f = _mutagen_file(path, easy=False)
    if f is None or f.tags is None:
        return None
    pictures: list[tuple[int, bytes, str]] = []
    tags = f.tags
    if hasattr(tags, "getall"):  # ID3
        for apic in tags.getall("APIC"):
            pictures.append((apic.type, apic.data, apic.mime or "image/jpeg"))
    if hasattr(f, "pictures"):  # FLAC
        pictures += [(p.type, p.data, p.mime) for p in f.pictures]
    if "covr" in tags:  # MP4
        for c in tags["covr"]:
            mime = "image/png" if getattr(c, "imageformat", 0) == 14 else "image/jpeg"
            pictures.append((3, bytes(c), mime))
    for b64 in tags.get("metadata_block_picture", []) if hasattr(tags, "get") else []:  # Ogg
        try:
            p = Picture(base64.b64decode(b64))
            pictures.append((p.type, p.data, p.mime))
        except Exception:  # noqa: BLE001 - a broken picture block is just no cover
            continue
    if not pictures:
        return None
    pictures.sort(key=lambda p: p[0] != 3)  # type 3 = front cover
    _, data, mime = pictures[0]
    return data, mime


def read_chapters(path: Path) -> list[dict]:
    """Chapters embedded in the file (ID3 CHAP frames, MP4 chapters) as [{start, title}], in order."""
    f = _mutagen_file(path, easy=False)
    if f is None:
        return []
    out: list[dict] = []
    tags = f.tags
    if tags is not None and hasattr(tags, "getall"):
        for chap in tags.getall("CHAP"):
            title = chap.sub_frames.get("TIT2")
            out.append({"start": round(chap.start_time / 1000, 3),
                        "title": str(title.text[0]) if title and title.text else chap.element_id})
    mp4_chapters = getattr(f, "chapters", None)
    if mp4_chapters:
        try:
            out += [{"start": round(float(c.start), 3), "title": str(c.title)} for c in mp4_chapters]
        except (TypeError, AttributeError):
            pass
    return sorted(out, key=lambda c: c["start"])
