"""Repair an image towards a platform's rules without inventing pixels (``listing-studio fix``, "Make compliant").

    result = fix_image(data, "amazon", "MAIN")
    result.data        # the repaired copy (JPEG or PNG bytes); None when no problem got better (nothing to write)
    result.repaired    # what was done, in the seller's words
    result.remaining   # warnings and failures still there (what cannot be repaired here)

Repairs: the first frame of an animation kept; colour converted to sRGB (embedded ICC profiles, CMYK, greyscale,
indexed); transparency flattened onto pure white; padded onto a pure white square canvas where the platform wants
one (its ``fix.square``); scaled *down* to the platform's ``fix.max_side`` / ``fix.max_megapixels``; re-encoded
under ``fix.max_mb``; metadata (EXIF, XMP, ICC, comments) stripped. Never upscales, never removes a background.
The verdict of the copy is the checker's own (core.compliance.check_image). Pure and Qt-free; decoding takes time,
so the window calls it in a worker thread.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass, field

from PIL import Image, ImageOps

from desktop_app.core.compliance.checker import Finding, check_image, load_rules, normalise_slot, problems
from desktop_app.core.compliance.checks import _OPEN_LOCK, Subject
from desktop_app.core.images.check import MAX_IMAGE_PIXELS

FORMATS = ("jpeg", "png")
_QUALITIES = (95, 90, 85, 80, 75, 70, 60, 50)
_METADATA = ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop", "iptc")


@dataclass
class FixResult:
    data: bytes | None
    repaired: list[str] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # every finding of the copy (of the original if no copy)


def fix_image(data: bytes, platform: str, slot: str, fmt: str = "jpeg") -> FixResult:
    """The repaired copy of ``data`` for ``platform``'s ``slot`` (ValueError for an unknown platform, slot or
    format). There is no copy when the image cannot be read, or when problems remain and none of the original's
    went away. An image with no problem left always gets its (clean, re-encoded) copy."""
    slot = normalise_slot(platform, slot)
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; expected one of {', '.join(FORMATS)}")
    limits = load_rules()["platforms"][platform]["fix"]
    original = check_image(data, platform, slot)
    subject = Subject(io.BytesIO(data), len(data))
    if subject.error or subject.image is None or subject.width * subject.height > MAX_IMAGE_PIXELS:
        return FixResult(None, [], problems(original), original)
    im, repaired = _open(data), []
    if subject.animated:
        im.seek(0)
        repaired.append(f"kept the first of {subject.frames} frames (animation removed)")
    profile = im.info.get("icc_profile")
    if any(im.info.get(k) for k in _METADATA):
        repaired.append("metadata stripped")
    im = ImageOps.exif_transpose(im)  # the orientation EXIF gave is kept in the pixels
    im = _to_srgb(im, profile, subject.icc, repaired)
    im = _flatten(im, repaired)
    im = _pad_square(im, repaired) if limits.get("square") else im
    im = _scale_down(im, limits.get("max_side"), limits.get("max_megapixels"), repaired)
    out = _encode(im, fmt, limits.get("max_mb"), repaired)
    if subject.format != fmt:
        repaired.append(f"saved as {fmt.upper()} (was {subject.format_label})")
    findings = check_image(out, platform, slot)
    remaining = problems(findings)
    if remaining and {f.rule_id for f in remaining} >= {f.rule_id for f in problems(original)}:
        return FixResult(None, repaired, problems(original), original)  # nothing got better: no copy
    return FixResult(out, repaired, remaining, findings)


def _open(data: bytes) -> Image.Image:
    """A fresh full-size decode (the checker's Subject image is decoded at reduced scale)."""
    with _OPEN_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        im = Image.open(io.BytesIO(data))
    im.load()
    return im


def _to_srgb(im: Image.Image, profile: bytes | None, icc: str | None, repaired: list[str]) -> Image.Image:
    has_alpha = "A" in im.mode or "transparency" in im.info
    if profile and icc and "srgb" not in icc.lower():
        try:
            from PIL import ImageCms
            src = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
            base = im.convert("RGBA" if has_alpha else ("CMYK" if im.mode == "CMYK" else "RGB"))
            alpha = base.getchannel("A") if has_alpha else None
            rgb = ImageCms.profileToProfile(base.convert("CMYK" if im.mode == "CMYK" else "RGB"), src, srgb,
                                            outputMode="RGB")
            if alpha is not None:
                rgb.putalpha(alpha)
            repaired.append(f"colour converted to sRGB from “{icc}”")
            return rgb
        except Exception:  # a damaged profile, or one that does not match the pixels: fall through
            pass
    if im.mode in ("RGB", "RGBA"):
        return im
    if im.mode == "CMYK":
        repaired.append("CMYK colour converted to RGB")
    elif im.mode not in ("RGBX", "YCbCr"):
        repaired.append(f"{_mode_name(im.mode)} colour converted to RGB")
    if has_alpha:
        return im.convert("RGBA")
    try:
        return im.convert("RGB")
    except ValueError:  # 16-bit greyscale
        return im.convert("I").point(lambda v: v / 256).convert("L").convert("RGB")


def _mode_name(mode: str) -> str:
    return {"L": "greyscale", "LA": "greyscale", "1": "black-and-white", "P": "indexed", "PA": "indexed"}.get(
        mode, "greyscale" if mode.startswith("I") else mode)


def _flatten(im: Image.Image, repaired: list[str]) -> Image.Image:
    if im.mode != "RGBA":
        return im
    if im.getchannel("A").getextrema()[0] < 255:
        repaired.append("transparency flattened onto pure white")
    canvas = Image.new("RGB", im.size, (255, 255, 255))
    canvas.paste(im, mask=im.getchannel("A"))
    return canvas


def _pad_square(im: Image.Image, repaired: list[str]) -> Image.Image:
    w, h = im.size
    if w == h:
        return im
    side = max(w, h)
    canvas = Image.new("RGB", (side, side), (255, 255, 255))
    canvas.paste(im, ((side - w) // 2, (side - h) // 2))
    repaired.append(f"padded onto a white {side} × {side} px square")
    return canvas


def _scale_down(im: Image.Image, max_side: int | None, max_mp: float | None, repaired: list[str]) -> Image.Image:
    w, h = im.size
    scale = 1.0
    if max_side and max(w, h) > max_side:
        scale = max_side / max(w, h)
    if max_mp and w * h * scale * scale > max_mp * 1_000_000:
        scale = math.sqrt(max_mp * 1_000_000 / (w * h))
    if scale >= 1.0:
        return im  # never upscale
    size = (max(1, math.floor(w * scale)), max(1, math.floor(h * scale)))
    repaired.append(f"scaled down from {w} × {h} to {size[0]} × {size[1]} px")
    return im.resize(size, Image.Resampling.LANCZOS)


def _encode(im: Image.Image, fmt: str, max_mb: float | None, repaired: list[str]) -> bytes:
    limit = int(max_mb * 1024 * 1024) if max_mb else None
    if fmt == "png":
        buf = io.BytesIO()
        im.save(buf, "PNG", optimize=True)
        return buf.getvalue()
    out = b""
    for quality in _QUALITIES:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=quality, subsampling=0 if quality >= 90 else 2, optimize=True)
        out = buf.getvalue()
        if limit is None or len(out) <= limit:
            if quality != _QUALITIES[0]:
                repaired.append(f"re-encoded at JPEG quality {quality} to stay under {max_mb:g} MB")
            return out
    return out
