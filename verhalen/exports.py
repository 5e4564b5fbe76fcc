"""Transcript formats: write VTT, SRT, TXT and JSON; read VTT, SRT and plain text back in.

Pure functions over plain segment dicts {start, end, text, speaker?, voice?, words?} (`rows` makes them).

Who speaks: a segment's `speaker` (a name), else its voice as `Speaker A` when the speakers stage gave it a
voice nobody named yet — the same words in every format and whatever the language of the story or of a page,
so a turn is marked in every export and a program reading them sees one name per voice.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import UnsupportedMedia

FORMATS = ("vtt", "srt", "txt", "json")


def _stamp(seconds: float, sep: str) -> str:
    ms = int(round(max(0.0, seconds) * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def vtt_time(seconds: float) -> str:
    """A WebVTT timestamp, hh:mm:ss.mmm (the transcript's cues and the chapters track alike)."""
    return _stamp(seconds, ".")


def mmss(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60:02d}:{s % 60:02d}"


# A moment in a recording: a week is longer than any recording, and far from float's limits.
MAX_SECONDS = 7 * 24 * 3600
_SECONDS = re.compile(r"\d{1,7}(?:\.\d{1,6})?", re.ASCII)
_CLOCK = re.compile(r"\d{1,4}(?::\d{1,2}){1,2}(?:\.\d{1,6})?", re.ASCII)
_UNITS = re.compile(r"(?:(\d{1,4})h)?(?:(\d{1,6})m)?(?:(\d{1,7})s)?", re.ASCII)


def parse_time(value: str | None) -> float | None:
    """Seconds from '75', '75.5', '1:15', '01:02:03' or '1m15s', between 0 and MAX_SECONDS; None when absent,
    unreadable or out of that range (so no overflow, inf or nan ever reaches a template)."""
    if not value:
        return None
    value = value.strip()
    if len(value) > 32:
        return None
    if _SECONDS.fullmatch(value):
        secs = float(value)
    elif _CLOCK.fullmatch(value):
        secs = 0.0
        for part in value.split(":"):
            secs = secs * 60 + float(part)
    elif (m := _UNITS.fullmatch(value)) and any(m.groups()):
        h, mi, s = (int(x or 0) for x in m.groups())
        secs = float(h * 3600 + mi * 60 + s)
    else:
        return None
    return secs if math.isfinite(secs) and 0 <= secs <= MAX_SECONDS else None


UNNAMED_VOICE = "Speaker {voice}"  # the one rule for an unnamed voice in exports (not in pages: they translate)


def speaker_label(seg: dict) -> str | None:
    """Who speaks in a segment as the exports write it: its name, `Speaker A` for an unnamed voice, or None."""
    name = " ".join((seg.get("speaker") or "").split())
    if name:
        return name
    return UNNAMED_VOICE.format(voice=seg["voice"]) if seg.get("voice") else None


def rows(segments) -> list[dict]:
    """Segments (catalog rows or objects with the same attributes) as the dicts the writers below take."""
    return [{"start": s.start, "end": s.end, "text": s.text, "speaker": s.speaker,
             "voice": getattr(s, "voice", None), "words": s.words} for s in segments]


def _cue_text(text: str) -> str:
    # A blank line ends a cue and "-->" starts a timing line: neither may appear inside one.
    return re.sub(r"\n\s*\n", "\n", text.strip()).replace("-->", "->")


def escape_vtt(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(segments: list[dict], title: str = "") -> str:
    header = escape_vtt(" ".join(title.split())).replace("-->", "->") if title.strip() else ""
    out = ["WEBVTT" + (f" - {header}" if header else ""), ""]
    for seg in segments:
        text = escape_vtt(_cue_text(seg["text"]))
        if speaker := speaker_label(seg):
            text = f"<v {escape_vtt(speaker)}>{text}"
        out += [f"{vtt_time(seg['start'])} --> {vtt_time(seg['end'])}", text, ""]
    return "\n".join(out)


def to_srt(segments: list[dict]) -> str:
    out = []
    for i, seg in enumerate(segments, 1):
        prefix = f"{speaker}: " if (speaker := speaker_label(seg)) else ""
        out += [str(i), f"{_stamp(seg['start'], ',')} --> {_stamp(seg['end'], ',')}", prefix + _cue_text(seg["text"]), ""]
    return "\n".join(out)


def to_txt(segments: list[dict], title: str = "") -> str:
    lines = [title, ""] if title else []
    for seg in segments:
        speaker = f"{name}: " if (name := speaker_label(seg)) else ""
        lines.append(f"[{mmss(seg['start'])}] {speaker}{seg['text'].strip()}")
    return "\n".join(lines) + "\n"


def to_json(segments: list[dict], meta: dict[str, Any]) -> str:
    """Podcasting 2.0 transcript JSON (version 1.0.0) plus our metadata and word timings."""
    body = {"version": "1.0.0", **meta, "segments": [
        {"startTime": s["start"], "endTime": s["end"], "body": s["text"].strip(),
         **({"speaker": speaker} if (speaker := speaker_label(s)) else {}),
         **({"words": [{"startTime": w[0], "endTime": w[1], "body": w[2].strip(), "probability": w[3]}
                       for w in s["words"]]} if s.get("words") else {})}
        for s in segments]}
    return json.dumps(body, ensure_ascii=False, indent=2)


def render(fmt: str, segments: list[dict], title: str = "", meta: dict | None = None) -> str:
    if fmt == "vtt":
        return to_vtt(segments, title)
    if fmt == "srt":
        return to_srt(segments)
    if fmt == "txt":
        return to_txt(segments, title)
    if fmt == "json":
        return to_json(segments, meta or {"title": title})
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


# -- reading transcripts made elsewhere -------------------------------------

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE = re.compile(_TIME + r"\s*-->\s*" + _TIME)


def _secs(h, m, s, ms) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def parse_cues(text: str) -> list[dict]:
    """Segments from WebVTT or SRT text (speaker from <v Name> or 'Name: ' is not guessed)."""
    segments, current, lines = [], None, []
    for line in text.replace("\r\n", "\n").split("\n") + [""]:
        m = _CUE.search(line)
        if m:
            current = (_secs(*m.groups()[:4]), _secs(*m.groups()[4:]))
            lines = []
        elif not line.strip():
            if current and lines:
                body = " ".join(lines)
                speaker = None
                v = re.match(r"<v(?:\.[^ >]*)?\s+([^>]+)>(.*)", body)
                if v:
                    speaker, body = v.group(1).strip(), v.group(2)
                body = re.sub(r"<[^>]+>", "", body).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                segments.append({"start": current[0], "end": current[1], "text": body.strip(), "speaker": speaker})
            current, lines = None, []
        elif current is not None:
            lines.append(line.strip())
    return segments


def parse_plain(text: str, duration: float) -> list[dict]:
    """Paragraphs of plain text, spread over the recording in proportion to their length (approximate times)."""
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    if not paras:
        return []
    total = sum(len(p) for p in paras)
    out, pos = [], 0.0
    for p in paras:
        length = duration * len(p) / total if duration else 0.0
        out.append({"start": round(pos, 3), "end": round(pos + length, 3), "text": p, "speaker": None})
        pos += length
    return out


def parse_transcript(name: str, data: bytes, duration: float) -> list[dict]:
    """Read a transcript file by its content (VTT, SRT or plain text); raise UnsupportedMedia if unusable."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnsupportedMedia(f"{name} is not UTF-8 text; save the transcript as UTF-8 VTT, SRT or TXT") from None
    if not text.strip():
        raise UnsupportedMedia(f"{name} is empty")
    segments = parse_cues(text) if _CUE.search(text) else parse_plain(text, duration)
    if not segments:
        raise UnsupportedMedia(f"{name} has cue timings but no text in them")
    return segments
