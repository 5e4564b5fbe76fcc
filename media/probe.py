"""Probe: is this decodable audio (or video with audio), and what is in it?"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import av

from verhalen.errors import NotFound, UnsupportedMedia

from .tags import read_chapters, read_cover, read_tags

# Decode this much audio to prove the file really is audio, not just a header.
_PROOF_SECONDS = 2.0


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
