"""Portraits and artwork: upright, EXIF/GPS stripped, a few sizes as WebP + JPEG, bombs and non-images refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageOps, ImageStat

from helpers import run_cli
from verhalen.errors import UnsupportedMedia
from verhalen.media.images import SIZES, make_derivatives

DATA = Path(__file__).parent / "data"
PORTRAIT = DATA / "portrait_exif_rotated_gps.jpg"


def _diff(a: Image.Image, b: Image.Image) -> float:
    b = b.convert("RGB").resize(a.size)
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b)).mean)


def _assert_clean(data: bytes) -> None:
    im = Image.open(io.BytesIO(data))
    assert not im.getexif(), "no EXIF in what we serve"
    assert b"Exif" not in data and b"GPS" not in data and b"TestCam" not in data


def test_derivatives_are_upright_stripped_and_sized(tmp_path):
    source = Image.open(PORTRAIT)
    assert source.getexif().get(274) == 6 and source.getexif().get(34853), "fixture has orientation and GPS"
    made = make_derivatives(PORTRAIT, tmp_path)
    assert sorted(made) == sorted(SIZES)
    upright, raw = ImageOps.exif_transpose(source), source.copy()
    for width, files in made.items():
        for ext, path in files.items():
            data = path.read_bytes()
            _assert_clean(data)
            im = Image.open(path)
            assert im.format == {"webp": "WEBP", "jpg": "JPEG"}[ext]
            assert im.width == min(width, upright.width)
    small = Image.open(made[160]["jpg"])
    assert _diff(small, upright) < _diff(small, raw) / 2, "EXIF orientation applied"


def test_non_image_is_refused_naming_the_file(tmp_path):
    fake = tmp_path / "basma.jpg"
    fake.write_text("not a picture at all")
    with pytest.raises(UnsupportedMedia, match="basma.jpg is not an image"):
        make_derivatives(fake, tmp_path / "out")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_decompression_bomb_is_refused(tmp_path):
    bomb = tmp_path / "bomb.png"
    Image.new("1", (12_000, 12_000)).save(bomb)  # 144 megapixels in a few kilobytes
    assert bomb.stat().st_size < 1_000_000
    with pytest.raises(UnsupportedMedia, match="bomb.png is too large an image"):
        make_derivatives(bomb, tmp_path / "out")


def test_cli_person_add_and_portrait_served_clean(archive_copy, make_app):
    home = archive_copy.settings.home
    r = run_cli("person", "add", "Basma", "--portrait", str(PORTRAIT), "--bio", "Ondernemer uit Rotterdam.", home=home)
    assert r.returncode == 0, r.stderr
    r = run_cli("series", "set", "Levensverhalen", "--description", "Levens in de wijk.", "--artwork", str(PORTRAIT),
                home=home)
    assert r.returncode == 0, r.stderr
    c = make_app(archive_copy).test_client()
    page = c.get("/persoon/basma").get_data(as_text=True)
    assert "Ondernemer uit Rotterdam." in page and 'srcset="/beeld/persoon/basma/160.webp 160w' in page
    assert 'alt="Portret van Basma"' in page
    for url, mime in (("/beeld/persoon/basma/320.webp", "image/webp"), ("/beeld/persoon/basma/640.jpg", "image/jpeg"),
                      ("/beeld/serie/levensverhalen/320.jpg", "image/jpeg")):
        resp = c.get(url)
        assert resp.status_code == 200 and resp.mimetype == mime, url
        _assert_clean(resp.get_data())
    assert c.get("/beeld/persoon/basma/999.jpg").status_code == 404
    assert "Levens in de wijk." in c.get("/serie/levensverhalen").get_data(as_text=True)


def test_cli_person_add_rejects_a_non_image(archive_copy, tmp_path):
    fake = tmp_path / "portret.jpg"
    fake.write_bytes(b"%PDF-1.4 not an image")
    r = run_cli("person", "add", "Basma", "--portrait", str(fake), home=archive_copy.settings.home)
    assert r.returncode == 3 and "portret.jpg is not an image" in r.stderr and "Traceback" not in r.stderr


def test_cover_art_from_file_tags_is_served_stripped(archive, make_app):
    """nl_koor_tagged.mp3 carries the EXIF-rotated GPS portrait as its ID3 front cover."""
    from verhalen.pipeline import StoryMeta, ingest

    ingest(archive, DATA / "nl_koor_tagged.mp3", StoryMeta(title="Tarab", series="Koren", language="nl"))
    c = make_app(archive).test_client()
    page = c.get("/verhaal/tarab").get_data(as_text=True)
    assert 'srcset="/beeld/verhaal/tarab/160.webp 160w' in page and 'alt="Hoesafbeelding van Tarab"' in page
    for url in ("/beeld/verhaal/tarab/640.jpg", "/beeld/verhaal/tarab/160.webp"):
        r = c.get(url)
        assert r.status_code == 200, url
        _assert_clean(r.get_data())
    feed = c.get("/serie/koren/feed.xml").get_data(as_text=True)
    assert "/beeld/verhaal/tarab/640.jpg" in feed, "the cover becomes the feed's artwork"
