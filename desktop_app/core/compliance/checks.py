"""Evaluation of the compliance checks named in resources/compliance-rules.json (used by core.compliance.checker).

_Subject holds what the checks look at (header facts at once, a reduced decoded copy for pixel statistics); each
check maps (subject, rule params) to a message key, an optional level and template fields. Qt-free and pure.
"""

from __future__ import annotations

import io
import os
import threading
import warnings
from contextlib import contextmanager
from typing import Any, BinaryIO, Callable, Iterator

from PIL import Image

from desktop_app.core.compliance import pixels as px
from desktop_app.core.images.check import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, _describe, decoding
from desktop_app.core.images.view import open_image_file

# Pillow format name -> our format name; our format name -> label shown to people
_FORMAT_NAMES = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "GIF": "gif", "TIFF": "tiff", "WEBP": "webp"}
_LABELS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "tiff": "TIFF", "webp": "WebP"}
_OPEN_LOCK = threading.Lock()


# ------------------------------------------------------------------------------------------------------- analysis

class Subject:
    """What the checks look at: header facts at once, pixel statistics on first use (cached)."""

    def __init__(self, source: BinaryIO, size: int) -> None:
        """``source``: the image, open for reading (kept open while the checks run); ``size`` its size in bytes."""
        self.size_bytes = size
        self.error: str | None = None
        self.image: Image.Image | None = None
        self._work: Image.Image | None = None
        self._work_error: str | None = None
        self._sharpness: float | None = None
        self.sharpness_error: str | None = None
        self.icc: str | None = None
        if size > MAX_IMAGE_BYTES:
            self.error = f"{size} bytes, more than the {MAX_IMAGE_BYTES // (1024 * 1024)} MB this app reads"
            return
        head = source.read(512)
        source.seek(0)
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            try:
                self.image = Image.open(source)
            except Image.DecompressionBombError:
                self.error = "too many pixels to read safely"
                return
            except Exception:  # UnidentifiedImageError, SyntaxError, ...
                self.error = "unreadable or unsupported image data" if _looks_like_image(head) else _describe(head)
                return
        im = self.image
        self.format = _FORMAT_NAMES.get(im.format or "", (im.format or "unknown").lower())
        self.format_label = _LABELS.get(self.format, im.format or "unknown")
        self.width, self.height = im.size
        self.mode = im.mode
        self.frames = int(getattr(im, "n_frames", 1) or 1)
        self.animated = bool(getattr(im, "is_animated", False)) or self.frames > 1
        dpi = im.info.get("dpi")
        # 1 x 1 "dpi" is a placeholder (aspect ratio only, e.g. Pillow's own TIFFs), not a resolution
        self.dpi = float(min(dpi)) if isinstance(dpi, tuple) and len(dpi) == 2 and min(dpi) >= 2 else None
        self.icc = _profile_name(im.info.get("icc_profile"))
        # Decode now (reduced): truncated or corrupt data is a failed "readable" rule, whatever the slot.
        if self.width * self.height <= MAX_IMAGE_PIXELS and self.work() is None:
            self.error = self._work_error

    @property
    def longest(self) -> int:
        return max(self.width, self.height)

    def work(self) -> Image.Image | None:
        """The reduced RGBA working copy, or None (with pixel_error set) when it cannot be made."""
        if self._work is None and self._work_error is None:
            assert self.image is not None
            if self.width * self.height > MAX_IMAGE_PIXELS:
                self._work_error = f"{self.width} × {self.height} px is too large to analyse"
            else:
                try:
                    if self.image.format == "JPEG" and max(self.image.size) > px.SHARPNESS_SIZE:
                        # decoded once, large enough to judge blur on; the working copy is reduced from it
                        self.image.draft("RGB", (px.SHARPNESS_SIZE, px.SHARPNESS_SIZE))
                    with decoding():  # one full decode at a time in the process (see images.check)
                        self._work = px.working_copy(self.image)
                except Exception as exc:  # truncated data, MemoryError, ...
                    self._work_error = f"pixels could not be decoded ({str(exc)[:120] or type(exc).__name__})"
        return self._work

    @property
    def pixel_error(self) -> str | None:
        return self._work_error or self.sharpness_error

    def sharpness(self) -> float | None:
        """compliance_pixels.sharpness of the decoded image (the working copy is too small to judge blur)."""
        if self._sharpness is None and self.sharpness_error is None:
            if self.work() is None:
                self.sharpness_error = self._work_error
                return None
            try:
                self._sharpness = px.sharpness(self.image)
            except Exception as exc:  # MemoryError, ...
                self.sharpness_error = f"pixels could not be judged ({str(exc)[:120] or type(exc).__name__})"
        return self._sharpness


def load_readers() -> None:
    """Load Pillow's common image readers now (the first ``Image.open`` would, tens of milliseconds of imports):
    the window calls it on a worker at start, so that opening the first job does not wait for them."""
    with _OPEN_LOCK:
        Image.preinit()


def _profile_name(icc: bytes | None) -> str | None:
    """The description of an embedded ICC profile ("sRGB IEC61966-2.1", "Display P3", …), or None without one."""
    if not icc:
        return None
    try:
        from PIL import ImageCms
        return ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile.profile_description.strip() or "unnamed profile"
    except Exception:  # ImageCms missing, or a damaged profile
        return "an unreadable colour profile"


def _looks_like_image(data: bytes) -> bool:
    return data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")) or (
        data[:4] == b"RIFF" and data[8:12] == b"WEBP")


@contextmanager
def open_input(path_or_bytes: bytes | bytearray | memoryview | str | os.PathLike[str]) -> Iterator[tuple[BinaryIO, int]]:
    """The image open for reading and its size in bytes; a file is read as Pillow needs it, never whole."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(path_or_bytes)
        yield io.BytesIO(data), len(data)
        return
    with open_image_file(path_or_bytes) as fh:
        yield fh, os.stat(path_or_bytes).st_size


# --------------------------------------------------------------------------------------------------------- checks
# Each check returns (message key, level or None = the key's own level, template fields); None = not applicable.

_Result = tuple[str, str | None, dict[str, Any]] | None


def _c_readable(s: Subject, p: dict) -> _Result:
    return ("fail", None, {"detail": s.error}) if s.error else ("pass", None, {})


def _c_format(s: Subject, p: dict) -> _Result:
    if s.format in p["allowed"]:
        return "pass", None, {}
    return ("warning" if s.format in p.get("warn", ()) else "fail"), None, {}


def _c_not_animated(s: Subject, p: dict) -> _Result:
    return ("fail", None, {}) if s.animated else ("pass", None, {})


def _c_colour_mode(s: Subject, p: dict) -> _Result:
    if s.mode in p["pass"]:
        return "pass", None, {}
    if s.mode in p["warn"]:
        return "warning", None, {"detail": p.get("warn_text", {}).get(s.mode, f"{s.mode} colour")}
    return "fail", None, {}


def _c_longest_side_min(s: Subject, p: dict) -> _Result:
    for key, limit in (("fail", "fail_below"), ("warning", "warn_below"), ("info", "info_below")):
        if limit in p and s.longest < p[limit]:
            return key, None, {}
    return "pass", None, {}


def _c_shortest_side_min(s: Subject, p: dict) -> _Result:
    shortest = min(s.width, s.height)
    if "fail_below" in p and shortest < p["fail_below"]:
        return "fail", None, {}
    if "warn_below" in p and shortest < p["warn_below"]:
        return "warning", None, {}
    return "pass", None, {}


def _c_advice(s: Subject, p: dict) -> _Result:
    return "info", None, {}


def _c_icc_profile(s: Subject, p: dict) -> _Result:
    if s.icc is None:
        return "pass", None, {"profile": "no embedded colour profile (read as sRGB)"}
    if any(word.lower() in s.icc.lower() for word in p["accept"]):
        return "pass", None, {"profile": s.icc}
    return "warning", None, {"profile": s.icc}


def _c_sharpness(s: Subject, p: dict) -> _Result:
    value = s.sharpness()
    if value is None:
        return ("pass", None, {"sharpness_text": "no edges to judge"}) if s.sharpness_error is None else None
    fields = {"sharpness": value, "sharpness_text": f"sharpness {value:.2f}"}
    return ("warning" if value < p["warn_below"] else "pass"), None, fields


def _c_cropped(s: Subject, p: dict) -> _Result:
    work = s.work()
    if work is None:
        return None
    measurable, touches = px.touches_edge(work, near_min=p["near_min"])
    if not measurable:
        return "unmeasured", "pass", {}
    return ("warning" if touches else "pass"), None, {}


def _c_longest_side_max(s: Subject, p: dict) -> _Result:
    if "fail_above" in p and s.longest > p["fail_above"]:
        return "fail", None, {}
    if "warn_above" in p and s.longest > p["warn_above"]:
        return "warning", None, {}
    return "pass", None, {}


def _c_dimensions_max(s: Subject, p: dict) -> _Result:
    mp = s.width * s.height / 1_000_000
    if s.longest > p["fail_side"] or mp > p["fail_megapixels"]:
        return "fail", None, {"megapixels": mp}
    if s.longest > p["warn_side"] or mp > p["warn_megapixels"]:
        return "warning", None, {"megapixels": mp}
    return "pass", None, {"megapixels": mp}


def _c_dpi_min(s: Subject, p: dict) -> _Result:
    if s.dpi is None:
        return "pass", None, {"dpi_text": "no resolution (dpi) in the file; not checked"}
    if s.dpi < p["warn_below"]:
        return "warning", None, {"dpi": round(s.dpi)}
    return "pass", None, {"dpi_text": f"{round(s.dpi)} dpi"}


def _c_file_size_max(s: Subject, p: dict) -> _Result:
    mb = s.size_bytes / (1024 * 1024)
    if "fail_above_mb" in p and mb > p["fail_above_mb"]:
        return "fail", None, {"size_mb": mb}
    if "warn_above_mb" in p and mb > p["warn_above_mb"]:
        return "warning", None, {"size_mb": mb}
    return "pass", None, {"size_mb": mb}


def _c_square(s: Subject, p: dict) -> _Result:
    ratio = s.width / s.height
    return ("pass", None, {}) if abs(ratio - 1) <= p["tolerance"] else ("warning", None, {})


def _c_white_border(s: Subject, p: dict) -> _Result:
    work = s.work()
    if work is None:
        return None
    st = px.border_stats(work, band=p["band"], pure_min=p["pure_min"], near_min=p["near_min"],
                         min_alpha=p.get("transparent_min_alpha", 255))
    tol = p["max_off_share"]
    fields = {"band_pct": p["band"] * 100, "tol_pct": tol * 100, "nonwhite_pct": 100 * st.nonwhite / st.total,
              "off_pct": 100 * st.off_white / st.total, "transparent_pct": 100 * st.transparent / st.total}
    bad_level = p.get("level", "fail")
    if st.transparent / st.total > tol:
        return "fail_transparent", bad_level, fields
    if st.nonwhite / st.total > tol:
        return "fail", bad_level, fields
    if (st.nonwhite + st.off_white) / st.total > tol and p.get("off_white_level", "warning") != "pass":
        return "warning", p.get("off_white_level", "warning"), fields
    return "pass", None, fields


def _c_product_fill(s: Subject, p: dict) -> _Result:
    work = s.work()
    if work is None:
        return None
    fill = px.product_fill(work, tolerance=p["tolerance"], band=p.get("band", 0.02))
    fields = {"min_pct": p["warn_below"] * 100, "fill_pct": (fill or 0) * 100}
    if fill is None:
        return "blank", p.get("blank_level", "fail"), fields
    return ("warning" if fill < p["warn_below"] else "pass"), None, fields


CHECKS: dict[str, Callable[[Subject, dict], _Result]] = {
    "readable": _c_readable, "format": _c_format, "not_animated": _c_not_animated, "colour_mode": _c_colour_mode,
    "longest_side_min": _c_longest_side_min, "shortest_side_min": _c_shortest_side_min,
    "longest_side_max": _c_longest_side_max, "dimensions_max": _c_dimensions_max, "dpi_min": _c_dpi_min,
    "file_size_max": _c_file_size_max, "square": _c_square, "white_border": _c_white_border,
    "product_fill": _c_product_fill, "sharpness": _c_sharpness, "cropped": _c_cropped, "icc_profile": _c_icc_profile,
    "advice": _c_advice,
}
