"""Portraits and artwork with Pillow: checked, turned upright, stripped of EXIF/GPS, resized.

    make_derivatives(src, out_dir) -> {320: {"webp": Path, "jpg": Path}, ...}

Derivatives are written fresh from pixels only (no EXIF, XMP, ICC comments or
GPS survive). Decompression bombs and non-images raise UnsupportedMedia naming
the file.
"""

from __future__ import annotations

import io
import uuid
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from verhalen.errors import UnsupportedMedia

SIZES = (160, 320, 640)
FORMATS = {"webp": ("WEBP", "image/webp"), "jpg": ("JPEG", "image/jpeg")}
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is fine; more is a bomb for a portrait


def open_checked(src: Path | bytes, name: str | None = None) -> Image.Image:
    """The image, upright (EXIF orientation applied), as RGB; UnsupportedMedia if unusable."""
    label = name or (src.name if isinstance(src, Path) else "image")
    old = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            fp = io.BytesIO(src) if isinstance(src, bytes) else src
            with Image.open(fp) as im:
                if im.width * im.height > MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                im.load()
                upright = ImageOps.exif_transpose(im)
                return upright.convert("RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UnsupportedMedia(f"{label} is too large an image (more than {MAX_PIXELS // 1_000_000} "
                               "megapixels); it looks like a decompression bomb — use a smaller picture") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        if isinstance(e, FileNotFoundError):
            raise UnsupportedMedia(f"{label} does not exist") from None
        raise UnsupportedMedia(f"{label} is not an image Pillow can read (JPEG, PNG, WebP, GIF...)") from None
    finally:
        Image.MAX_IMAGE_PIXELS = old


def _flatten(im: Image.Image) -> Image.Image:
    if im.mode == "RGBA":
        bg = Image.new("RGB", im.size, (255, 255, 255))
        bg.paste(im, mask=im.getchannel("A"))
        return bg
    return im.convert("RGB")


def make_derivatives(src: Path | bytes, out_dir: Path, sizes: tuple[int, ...] = SIZES,
                     name: str | None = None, square: bool = False) -> dict[int, dict[str, Path]]:
    """Write `<width>.webp` and `<width>.jpg` for each size (never upscaled) into out_dir."""
    im = _flatten(open_checked(src, name))
    if square:
        side = min(im.size)
        im = ImageOps.fit(im, (side, side))
    out_dir.mkdir(parents=True, exist_ok=True)
    made: dict[int, dict[str, Path]] = {}
    for width in sizes:
        w = min(width, im.width)
        h = max(1, round(im.height * w / im.width))
        small = im.resize((w, h), Image.LANCZOS) if w != im.width else im.copy()
        small.info.clear()  # nothing from the original travels with the pixels
        made[width] = {}
        for ext, (fmt, _mime) in FORMATS.items():
            path = out_dir / f"{width}.{ext}"
            tmp = out_dir / f".{uuid.uuid4().hex}.{ext}"  # concurrent makers never share a temp file
            small.save(tmp, fmt, quality=82, **({"optimize": True, "progressive": True} if fmt == "JPEG" else {}))
            tmp.replace(path)
            made[width][ext] = path
    return made


def mime_type(ext: str) -> str:
    return FORMATS[ext][1]
