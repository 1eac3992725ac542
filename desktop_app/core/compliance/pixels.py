"""Pixel statistics for the compliance checker: border whiteness, product fill and cropping on a small working
copy; sharpness on a copy of normalised size.

Everything runs on a copy reduced to at most WORK_SIZE px on its longest side with a box filter (Image.reduce):
a box average never overshoots, so pure white stays exactly 255 and a grey background stays grey, while sparse
JPEG noise is averaged away. JPEGs are decoded at reduced scale (Image.draft), so a 10,000 px photo costs little.
Pure functions, Qt-free; safe to call from worker threads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageMath, ImageStat


from desktop_app.core.images.check import decode_pixels

WORK_SIZE = 256


@dataclass(frozen=True)
class BorderStats:
    total: int          # pixels in the border band of the working copy
    nonwhite: int       # transparent, or some channel below near_min
    off_white: int      # opaque, every channel >= near_min, but some channel below pure_min
    transparent: int    # alpha below the opaque threshold
    band_px: int        # band width in working-copy pixels


def working_copy(im: Image.Image, size: int = WORK_SIZE) -> Image.Image:
    """An RGBA copy of the (first frame of the) image, longest side at most `size` px. Decodes the image."""
    if im.format == "JPEG" and max(im.size) > size:
        im.draft("RGB", (size, size))  # DCT scaling: decodes at 1/2, 1/4 or 1/8 size, never below the request
    decode_pixels(im)
    factor = math.ceil(max(im.size) / size)
    if factor > 1 and im.mode in ("RGB", "RGBA", "L", "LA") and "transparency" not in im.info:
        im = im.reduce(factor)  # before converting: a full-size converted copy would double the memory
    if im.mode != "RGBA":
        if "A" in im.mode or "a" in im.mode or "transparency" in im.info:
            im = im.convert("RGBA")
        else:
            try:
                im = im.convert("RGB")
            except ValueError:  # e.g. 16-bit greyscale: no direct path to RGB
                im = im.convert("I").point(lambda v: v / 256).convert("L").convert("RGB")
            im = im.convert("RGBA")
    factor = math.ceil(max(im.size) / size)
    if factor > 1:
        im = im.reduce(factor)
    return im


def _at_least(channel: Image.Image, threshold: int) -> Image.Image:
    """An L mask: 255 where the channel value is >= threshold, else 0."""
    return channel.point(lambda v, t=threshold: 255 if v >= t else 0)


def _all_at_least(im: Image.Image, threshold: int, opaque: Image.Image) -> Image.Image:
    r, g, b, _ = im.split()
    mask = ImageChops.darker(_at_least(r, threshold), _at_least(g, threshold))
    mask = ImageChops.darker(mask, _at_least(b, threshold))
    return ImageChops.darker(mask, opaque)


def _count(mask: Image.Image, region: Image.Image | None = None) -> int:
    """Number of 255 pixels in an L mask (inside `region`, another L mask, if given)."""
    if region is not None:
        mask = ImageChops.darker(mask, region)
    return mask.histogram()[255]


def border_stats(work: Image.Image, *, band: float, pure_min: int, near_min: int, min_alpha: int) -> BorderStats:
    """Whiteness of the outer `band` (fraction of each side) ring of an RGBA working copy."""
    w, h = work.size
    band_px = max(1, round(band * min(w, h))) if min(w, h) > 2 else 1
    ring = Image.new("L", (w, h), 255)
    if w > 2 * band_px and h > 2 * band_px:
        ImageDraw.Draw(ring).rectangle((band_px, band_px, w - band_px - 1, h - band_px - 1), fill=0)
    total = _count(ring)
    opaque = _at_least(work.getchannel("A"), min_alpha)
    near = _all_at_least(work, near_min, opaque)
    pure = _all_at_least(work, pure_min, opaque)
    near_n = _count(near, ring)
    pure_n = _count(pure, ring)
    opaque_n = _count(opaque, ring)
    return BorderStats(total=total, nonwhite=total - near_n, off_white=near_n - pure_n,
                       transparent=total - opaque_n, band_px=band_px)


def product_fill(work: Image.Image, *, tolerance: int, band: float = 0.02, min_alpha: int = 16) -> float | None:
    """Share of the frame the product's bounding box covers: the larger of its width share and height share.

    The background is the border band's median colour (white, grey, or transparent); product pixels are visible
    (alpha >= min_alpha) and differ from it by more than `tolerance` in some channel. None when there is no such
    pixel (a blank image).
    """
    w, h = work.size
    band_px = max(1, round(band * min(w, h)))
    ring = Image.new("L", (w, h), 255)
    if w > 2 * band_px and h > 2 * band_px:
        ImageDraw.Draw(ring).rectangle((band_px, band_px, w - band_px - 1, h - band_px - 1), fill=0)
    r, g, b, a = (int(v) for v in ImageStat.Stat(work, mask=ring).median)
    visible = _at_least(work.getchannel("A"), min_alpha)
    if a < 128:  # transparent background: every visible pixel belongs to the product
        product = visible
    else:
        diff = ImageChops.difference(work.convert("RGB"), Image.new("RGB", (w, h), (r, g, b)))
        dr, dg, db = (_at_least(ch, tolerance + 1) for ch in diff.split())
        product = ImageChops.darker(ImageChops.lighter(ImageChops.lighter(dr, dg), db), visible)
    bbox = product.getbbox()
    if bbox is None:
        return None
    left, top, right, bottom = bbox
    return max((right - left) / w, (bottom - top) / h)


SHARPNESS_SIZE = 1000
SHARPNESS_BAND = 64  # rows per band of the sharpness sums


def sharpness(im: Image.Image, size: int = SHARPNESS_SIZE) -> float | None:
    """How sharp the image looks at a normalised size (longest side at most `size` px, box-reduced).

    The variance of the Laplacian divided by the variance of the gradient, on the grey levels: flat areas and
    contrast cancel out, so the value depends only on how steep the edges are. A crisp edge gives about 2, an
    edge smeared over w pixels about 2 / w. None for a flat image (no edges to judge). Decodes the image.
    """
    if im.format == "JPEG" and max(im.size) > size:
        im.draft("L", (size, size))
    factor = math.ceil(max(im.size) / size)
    if factor > 1 and im.mode in ("RGB", "RGBA", "L", "LA") and "transparency" not in im.info:
        im = im.reduce(factor)  # before converting: a full-size grey copy would cost memory for nothing
    grey = im.convert("RGBA").convert("L") if ("A" in im.mode or "transparency" in im.info) else im.convert("L")
    factor = math.ceil(max(grey.size) / size)
    if factor > 1:
        grey = grey.reduce(factor)
    w, h = grey.size
    if w < 3 or h < 3:
        return None
    laplacian = gradient = 0.0  # sums of squares, taken band by band: memory stays a few rows of floats
    for top in range(1, h - 1, SHARPNESS_BAND):
        bottom = min(top + SHARPNESS_BAND, h - 1)  # centre rows top .. bottom - 1
        f = grey.crop((0, top - 1, w, bottom + 1)).convert("F")
        rows = bottom - top
        centre, up, down = f.crop((1, 1, w - 1, rows + 1)), f.crop((1, 0, w - 1, rows)), f.crop((1, 2, w - 1, rows + 2))
        left, right = f.crop((0, 1, w - 2, rows + 1)), f.crop((2, 1, w, rows + 1))
        count = (w - 2) * rows
        lap = ImageMath.lambda_eval(lambda a: a["u"] + a["d"] + a["l"] + a["r"] - a["c"] * 4,
                                    u=up, d=down, l=left, r=right, c=centre)
        dx = ImageMath.lambda_eval(lambda a: a["r"] - a["c"], r=right, c=centre)
        dy = ImageMath.lambda_eval(lambda a: a["d"] - a["c"], d=down, c=centre)
        laplacian += _mean_square(lap) * count
        gradient += (_mean_square(dx) + _mean_square(dy)) * count
    return laplacian / gradient if gradient > 1e-6 * (w - 2) * (h - 2) else None


def _mean_square(f: Image.Image) -> float:
    """The mean of the squares of an F image (its variance, for a difference image whose mean is about 0)."""
    squared = ImageMath.lambda_eval(lambda a: a["x"] * a["x"], x=f)
    return float(squared.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0)))


def touches_edge(work: Image.Image, *, near_min: int, min_alpha: int = 16) -> tuple[bool, bool]:
    """(the background is white enough to judge, the product's bounding box touches the frame's edge).

    Product pixels are visible (alpha >= min_alpha) and below `near_min` in some channel. The background counts as
    white when at least half of the outermost pixel ring is white (else the border rule has already failed).
    """
    w, h = work.size
    visible = _at_least(work.getchannel("A"), min_alpha)
    white = _all_at_least(work, near_min, visible)
    product = ImageChops.darker(ImageChops.invert(white), visible)
    ring = Image.new("L", (w, h), 255)
    if w > 2 and h > 2:
        ImageDraw.Draw(ring).rectangle((1, 1, w - 2, h - 2), fill=0)
    if _count(white, ring) * 2 < _count(ring):
        return False, False
    bbox = product.getbbox()
    if bbox is None:
        return True, False
    left, top, right, bottom = bbox
    return True, left == 0 or top == 0 or right == w or bottom == h
