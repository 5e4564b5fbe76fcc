"""ffmpeg work: the 16 kHz mono WAV for ASR and the loudness-normalised listening copies.

Both come out of one ffmpeg run (one decode of the original). Outputs are
written under temporary names and renamed into place, so a crash never leaves
a half file where a finished one is expected.
"""

from __future__ import annotations

import os
import shutil
import wave
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import ffmpeg

from verhalen.errors import UnsupportedMedia

# EBU R128 targets for spoken word podcasts (-16 LUFS integrated, -1.5 dBTP).
LOUDNORM = {"I": -16, "TP": -1.5, "LRA": 11}


@cache
def ffmpeg_binary() -> str:
    """The system ffmpeg when on PATH, else the one shipped in the imageio-ffmpeg wheel."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


@dataclass(frozen=True)
class AudioOutputs:
    asr_wav: Path
    mp3: Path
    opus: Path | None


def _tmp(path: Path) -> Path:
    return path.with_name(f".{path.stem}.tmp{path.suffix}")


def run(stream: ffmpeg.nodes.OutputStream, name: str) -> None:
    """Run an ffmpeg-python graph; turn its failure into UnsupportedMedia naming the file."""
    try:
        stream.run(cmd=ffmpeg_binary(), quiet=True, overwrite_output=True)
    except ffmpeg.Error as e:
        lines = [ln for ln in (e.stderr or b"").decode("utf-8", "replace").splitlines() if ln.strip()]
        raise UnsupportedMedia(f"{name}: ffmpeg could not convert it ({lines[-1] if lines else 'no output'})") from None


def mute_expression(ranges: list[tuple[float, float]]) -> str:
    """An ffmpeg `enable` expression that is true inside any of the (start, end) ranges."""
    return "+".join(f"between(t,{a:.3f},{b:.3f})" for a, b in ranges)


def convert(src: Path, asr_wav: Path, mp3: Path, opus: Path | None, bitrate: str = "96k", name: str | None = None,
            mute: list[tuple[float, float]] | None = None) -> AudioOutputs:
    """Write the ASR WAV (16 kHz mono PCM, not normalised) and the EBU R128 listening copies.

    `mute` ranges (redacted passages) are silent in the listening copies, never in the ASR WAV.
    """
    for p in (asr_wav, mp3, opus):
        if p is not None:
            p.parent.mkdir(parents=True, exist_ok=True)
    audio = ffmpeg.input(str(src)).audio
    split = audio.filter_multi_output("asplit", 2)
    asr, listen = split[0], split[1]
    outputs = [asr.output(str(_tmp(asr_wav)), ac=1, ar=16000, acodec="pcm_s16le", f="wav")]
    if mute:
        listen = listen.filter("volume", volume=0, enable=mute_expression(mute))
    # One loudness pass (loudnorm is the slow filter), shared by both listening copies.
    listen = listen.filter("loudnorm", **LOUDNORM)
    if opus:
        both = listen.filter_multi_output("asplit", 2)
        copies = [both[0], both[1]]
    else:
        copies = [listen]
    outputs.append(copies[0].filter("aresample", 44100).output(
        str(_tmp(mp3)), ac=1, acodec="libmp3lame", audio_bitrate=bitrate, f="mp3", map_metadata=-1))
    if opus:
        outputs.append(copies[1].filter("aresample", 48000).output(
            str(_tmp(opus)), ac=1, acodec="libopus", audio_bitrate="32k", f="ogg", map_metadata=-1))
    try:
        run(ffmpeg.merge_outputs(*outputs), name or src.name)
        for p in (asr_wav, mp3, opus):
            if p is not None:
                os.replace(_tmp(p), p)
    finally:
        for p in (asr_wav, mp3, opus):
            if p is not None:
                _tmp(p).unlink(missing_ok=True)
    return AudioOutputs(asr_wav, mp3, opus)


def excerpt_wav(src: Path, dst: Path, start: float, end: float) -> float:
    """Copy the stretch [start, end] of a PCM WAV (the ASR copy) to `dst`; returns its offset in seconds.

    Plain frame copying, no ffmpeg: the ASR copy is 16 kHz mono PCM, so a cut is exact to the sample.
    """
    with wave.open(str(src), "rb") as r:
        rate = r.getframerate()
        first = max(0, min(r.getnframes(), int(start * rate)))
        last = max(first, min(r.getnframes(), int(round(end * rate))))
        r.setpos(first)
        frames = r.readframes(last - first)
        with wave.open(str(dst), "wb") as w:
            w.setparams(r.getparams())
            w.writeframes(frames)
    return first / rate
