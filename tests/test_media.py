"""Probing and converting with the real ffmpeg/PyAV; hostile files get clear messages."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from helpers import DATA, ffmpeg_make
from verhalen.errors import NotFound, UnsupportedMedia
from verhalen.media import convert, probe


def test_probe_reads_streams_tags_and_cover():
    info = probe(DATA / "nl_koor_tagged.mp3")
    assert (info.container, info.channels, info.has_video) == ("mp3", 1, False)
    assert info.duration == pytest.approx(12.15, abs=0.2)
    assert info.tags["title"] == "Het Tarab-koor" and info.tags["date"] == "2024-03-12"
    data, mime = info.cover
    assert mime == "image/jpeg" and data[:3] == b"\xff\xd8\xff"


def test_probe_takes_the_audio_of_a_video(tmp_path):
    clip = ffmpeg_make(tmp_path / "interview.mp4", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2",
                       "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-shortest", "-c:v", "mpeg4", "-c:a", "aac")
    info = probe(clip)
    assert info.has_video and info.codec == "aac" and info.duration == pytest.approx(2.0, abs=0.2)


@pytest.mark.parametrize("name,content,message", [
    ("empty.wav", b"", r"is empty \(0 bytes\)"),
    ("notes.mp3", "Dit is geen audio, maar een tekst.\n".encode(), "is a text file, not audio"),
    ("page.m4a", b"<html><body>hi</body></html>", "is an HTML page, not audio"),
    ("random.flac", bytes(range(256)) * 20, "not a recognisable audio|no decodable audio"),
])
def test_hostile_files_are_refused_by_name(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnsupportedMedia, match=message) as e:
        probe(path)
    assert name in str(e.value)


def test_truncated_and_fake_header_files():
    with pytest.raises(UnsupportedMedia, match="truncated_tagged.mp3 .*(truncated|damaged)"):
        probe(DATA / "truncated_tagged.mp3")
    with pytest.raises(UnsupportedMedia, match="fake_header.flac"):
        probe(DATA / "fake_header.flac")


def test_truncated_audio_is_accepted_with_a_warning(tmp_path):
    whole = (DATA / "nl_koor.mp3").read_bytes()
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole[: len(whole) // 2])
    info = probe(cut)
    assert info.duration < 8


def lying_wav(path: Path, claimed: int = 2**31, real: int = 2048, rate: int = 16000, magic: bytes = b"RIFF") -> Path:
    """A PCM WAV whose header announces `claimed` bytes of audio, followed by only `real` bytes (a saw tone)."""
    data = b"".join(struct.pack("<h", (i % 64 - 32) * 200) for i in range(real // 2))
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    if magic == b"RF64":  # sizes in the ds64 chunk; the 32-bit fields say 0xFFFFFFFF
        chunks = b"ds64" + struct.pack("<IQQQI", 28, claimed + 60, claimed, claimed // 2, 0) + chunks
        claimed, riff = 0xFFFFFFFF, 0xFFFFFFFF
    else:
        riff = min(claimed + 36, 2**32 - 1)
    path.write_bytes(magic + struct.pack("<I", riff) + b"WAVE" + chunks + b"data" + struct.pack("<I", claimed) + data)
    return path


@pytest.mark.parametrize("magic", [b"RIFF", b"RF64"])
def test_a_wav_whose_header_claims_2_gib_but_holds_2_kb_is_refused(tmp_path, magic):
    wav = lying_wav(tmp_path / "interview.wav", claimed=2**31, real=2048, magic=magic)
    with pytest.raises(UnsupportedMedia, match=r"interview\.wav is truncated: its header says 67108\.9 s, "
                                               r"the file holds only 0\.1 s of audio"):
        probe(wav)


def test_a_truncated_wav_with_some_minutes_left_is_accepted_with_a_warning(tmp_path):
    info = probe(lying_wav(tmp_path / "cut.wav", claimed=16000 * 2 * 600, real=16000 * 2 * 5))  # 10 min said, 5 s there
    assert info.duration == pytest.approx(5.0, abs=0.05)
    assert info.warnings == ("cut.wav looks truncated: its header says 600.0 s, the audio ends at 5.0 s",)


@pytest.mark.parametrize("claimed", [0, 0xFFFFFFFF])
def test_a_wav_with_the_unknown_length_placeholder_is_not_called_truncated(tmp_path, claimed):
    """A WAV written to a pipe cannot go back to fill in its length: 0 or 0xFFFFFFFF means "read to the end"."""
    info = probe(lying_wav(tmp_path / "stream.wav", claimed=claimed, real=16000 * 2 * 3))
    assert info.duration == pytest.approx(3.0, abs=0.05) and info.warnings == ()


def test_missing_file():
    with pytest.raises(NotFound, match="file not found"):
        probe(DATA / "does-not-exist.wav")


def test_convert_makes_asr_wav_and_loudness_normalised_copies(tmp_path):
    out = convert(DATA / "nl_wijkagenda.opus", tmp_path / "asr.wav", tmp_path / "listen.mp3", tmp_path / "listen.opus")
    asr = probe(out.asr_wav)
    assert (asr.sample_rate, asr.channels, asr.codec) == (16000, 1, "pcm_s16le")
    assert probe(out.mp3).codec.startswith("mp3") and probe(out.opus).codec == "opus"
    assert abs(probe(out.mp3).duration - asr.duration) < 0.3
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary files left behind
