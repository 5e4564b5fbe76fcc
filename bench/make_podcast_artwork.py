"""Draw web/static/podcast-artwork.png, the feeds' artwork when a series has none and no story has a cover.

Apple Podcasts refuses a feed without square channel artwork of 1400 to 3000 px, so the archive ships
one of its own (the project's own drawing, under the project's licence). Run once; the PNG is committed:

    python bench/make_podcast_artwork.py
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIDE = 1400
INK, ACCENT, PAPER = (29, 29, 31), (11, 92, 173), (253, 252, 249)  # web/static/app.css --ink, --accent, --bg
OUT = Path(__file__).resolve().parents[1] / "web" / "static" / "podcast-artwork.png"


def draw() -> Image.Image:
    im = Image.new("RGB", (SIDE, SIDE), ACCENT)
    d = ImageDraw.Draw(im)
    # A speech balloon holding a waveform: someone telling their story.
    d.rounded_rectangle((170, 230, 1230, 930), radius=120, fill=PAPER)
    d.polygon([(330, 920), (300, 1090), (520, 920)], fill=PAPER)
    bars = 23
    for i in range(bars):
        x = 260 + i * 38
        h = 60 + 230 * abs(math.sin(i * 0.55)) * (0.45 + 0.55 * math.sin(math.pi * i / (bars - 1)))
        d.rounded_rectangle((x, 580 - h, x + 20, 580 + h), radius=10, fill=ACCENT)
    font = ImageFont.load_default(size=170)
    text = "verhalen"
    w = d.textlength(text, font=font)
    d.text(((SIDE - w) / 2, 1110), text, font=font, fill=PAPER)
    return im


if __name__ == "__main__":
    # RGB, not a palette: Apple asks for artwork in the RGB colour space. Flat colours keep it small anyway.
    draw().save(OUT, optimize=True)
    print(OUT, OUT.stat().st_size, "bytes")
