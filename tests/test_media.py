"""Probing and converting with the real ffmpeg/PyAV; hostile files get clear messages."""

from __future__ import annotations

import pytest

from conftest import DATA, ffmpeg_make
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
