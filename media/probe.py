"""Probe: is this decodable audio (or video with audio), and what is in it?"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import av

from verhalen.errors import NotFound, UnsupportedMedia

from .tags import read_chapters, read_cover, read_tags

# Decode this much audio to prove the file really is audio, not just a header. A file whose header promises
# more audio than it holds (truncated) must hold at least this much to be accepted, with a warning.
_PROOF_SECONDS = 2.0
# How much of a WAV file's start is read for its chunk list (fmt, ds64, data come first in practice).
_WAV_HEAD = 64 * 1024


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    size: int
    container: str
    codec: str
    duration: float
    sample_rate: int
    channels: int
    has_video: bool
    tags: dict[str, str] = field(default_factory=dict)
    cover: tuple[bytes, str] | None = None
    chapters: tuple[dict, ...] = ()  # [{start (s), title}] from the file's own chapter marks
    warnings: tuple[str, ...] = ()


def _describe_non_media(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(4096)
    if head.startswith(b"ID3"):
        return f"{path.name} has an MP3 tag but no readable audio (truncated or damaged)"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.strip():
        kind = "an HTML page" if "<html" in text.lower() else "a text file"
        return f"{path.name} is {kind}, not audio"
    return f"{path.name} is not a recognisable audio or video file"


def probe(path: str | Path) -> MediaInfo:
    """Read streams, duration, tags and cover art; raise UnsupportedMedia if not decodable audio."""
    path = Path(path)
    if not path.exists():
        raise NotFound(f"{path}: file not found")
    if not path.is_file():
        raise UnsupportedMedia(f"{path}: is a directory, not a recording")
    size = path.stat().st_size
    if size == 0:
        raise UnsupportedMedia(f"{path.name} is empty (0 bytes)")
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError):
        raise UnsupportedMedia(_describe_non_media(path)) from None
    with container:
        audio = next((s for s in container.streams if s.type == "audio"), None)
        has_video = any(s.type == "video" and not _is_cover(s) for s in container.streams)
        if audio is None and container.format.name.endswith(("_pipe", "image2")):
            raise UnsupportedMedia(f"{path.name} is an image, not audio")
        if audio is None:
            raise UnsupportedMedia(f"{path.name} has no audio track")
        codec = audio.codec_context.name
        rate = audio.codec_context.sample_rate or audio.rate or 0
        channels = audio.codec_context.channels or 0
        header_duration = float(container.duration / av.time_base) if container.duration else 0.0
        claim = _wav_claim(path, size)
        if claim is not None:  # FFmpeg trims a WAV's length to the file's size: take the header's own word
            header_duration = claim
        try:
            decoded, packet_seconds = _measure(container, audio)
        except (av.error.FFmpegError, ValueError) as e:
            raise UnsupportedMedia(f"{path.name} could not be decoded as audio ({e.__class__.__name__})") from None
        if decoded == 0:
            raise UnsupportedMedia(f"{path.name} contains no decodable audio (damaged or truncated)")
        fmt = container.format.name
    warnings: list[str] = []
    duration = packet_seconds or header_duration
    if header_duration and packet_seconds and packet_seconds < header_duration * 0.95 - 0.5:
        if packet_seconds < _PROOF_SECONDS:
            raise UnsupportedMedia(
                f"{path.name} is truncated: its header says {header_duration:.1f} s, "
                f"the file holds only {packet_seconds:.1f} s of audio (the copy or upload stopped early)"
            )
        warnings.append(
            f"{path.name} looks truncated: its header says {header_duration:.1f} s, "
            f"the audio ends at {packet_seconds:.1f} s"
        )
    if duration <= 0:
        raise UnsupportedMedia(f"{path.name} has no audio (duration 0)")
    return MediaInfo(
        path=path, size=size, container=fmt, codec=codec, duration=round(duration, 3),
        sample_rate=int(rate), channels=int(channels), has_video=has_video,
        tags=read_tags(path), cover=read_cover(path), warnings=tuple(warnings),
        chapters=tuple(c for c in read_chapters(path) if 0 <= c["start"] < duration),
    )


def wav_claim(head: bytes) -> tuple[int, int, int] | None:
    """(where the audio data starts, how many bytes of it the header announces, bytes per second) from the
    first bytes of a RIFF/RF64 WAVE file; None when `head` is not one, the chunks are not all in `head`, or the
    length is the placeholder (0 or 0xFFFFFFFF) a writer that could not seek back leaves."""
    if len(head) < 12 or head[:4] not in (b"RIFF", b"RF64", b"BW64") or head[8:12] != b"WAVE":
        return None
    pos, byte_rate, ds64_size = 12, 0, None
    while pos + 8 <= len(head):
        chunk, size = head[pos:pos + 4], struct.unpack_from("<I", head, pos + 4)[0]
        body = pos + 8
        if chunk == b"ds64" and size >= 16 and body + 16 <= len(head):
            ds64_size = struct.unpack_from("<Q", head, body + 8)[0]  # RF64: the real data size, 64-bit
        elif chunk == b"fmt " and size >= 12 and body + 12 <= len(head):
            byte_rate = struct.unpack_from("<I", head, body + 8)[0]
        elif chunk == b"data":
            if size == 0xFFFFFFFF and ds64_size is not None:
                size = ds64_size
            return (body, size, byte_rate) if byte_rate and size not in (0, 0xFFFFFFFF) else None
        pos = body + size + (size & 1)  # chunks are padded to an even length
    return None


def _wav_claim(path: Path, size: int) -> float | None:
    """Seconds of audio a WAV file's header announces, when the file holds less than that; else None."""
    with path.open("rb") as f:
        claim = wav_claim(f.read(_WAV_HEAD))
    if claim is None:
        return None
    start, announced, byte_rate = claim
    return announced / byte_rate if size - start < announced else None


def _is_cover(stream: av.stream.Stream) -> bool:
    # Cover art in MP3/M4A shows up as a one-frame "video" stream.
    return bool(stream.disposition & av.stream.Disposition.attached_pic) if hasattr(av.stream, "Disposition") else stream.frames <= 1


def _measure(container: av.container.InputContainer, audio: av.stream.Stream) -> tuple[int, float]:
    """Decode the first seconds (proof it is audio), then walk packets without decoding to find the real end."""
    decoded_frames = 0
    decoded_seconds = 0.0
    end = 0.0
    tb = float(audio.time_base) if audio.time_base else 0.0
    for packet in container.demux(audio):
        if packet.pts is not None and packet.duration and tb:
            end = max(end, (packet.pts + packet.duration) * tb)
        if decoded_seconds < _PROOF_SECONDS and packet.size:
            for frame in packet.decode():
                decoded_frames += 1
                decoded_seconds += frame.samples / (frame.sample_rate or 1)
    start = float(audio.start_time * tb) if audio.start_time and tb else 0.0
    return decoded_frames, max(0.0, end - start)
