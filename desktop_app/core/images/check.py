"""Verify that downloaded bytes are a real, decodable, reasonably sized image.

The format (and so the file extension) comes from the bytes themselves, never from a URL or a file name.
Nothing here re-encodes: the caller keeps and writes the exact bytes it verified.
"""

from __future__ import annotations

import io
import os
import threading
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from PIL import Image

from desktop_app.core.images.view import open_image_file

MAX_IMAGE_BYTES = 100 * 1024 * 1024
MAX_IMAGE_PIXELS = 100_000_000

NOT_AN_IMAGE = "NOT_AN_IMAGE"
IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"

# sniffed format -> (extension, MIME type, Pillow format names that may decode it)
_FORMATS: dict[str, tuple[str, str, frozenset[str]]] = {
    "png": ("png", "image/png", frozenset({"PNG"})),
    "jpeg": ("jpg", "image/jpeg", frozenset({"JPEG", "MPO"})),  # MPO: multi-picture JPEG from cameras
    "webp": ("webp", "image/webp", frozenset({"WEBP"})),
    "gif": ("gif", "image/gif", frozenset({"GIF"})),
}
# the plugin Image.open may try for each sniffed format (MPO is produced by the JPEG plugin itself)
_PIL_OPENERS = {"png": ["PNG"], "jpeg": ["JPEG"], "webp": ["WEBP"], "gif": ["GIF"]}
_OPEN_LOCK = threading.Lock()
# Full decodes run one at a time: however many images arrive together, memory holds one image's pixels.
_DECODE_LOCK = threading.RLock()  # re-entered when the image-rules checks decode through decode_pixels


class ImageCheckError(Exception):
    """A downloaded body is not an acceptable image. `code` is NOT_AN_IMAGE or IMAGE_TOO_LARGE."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "png" | "jpeg" | "webp" | "gif"
    ext: str  # "png" | "jpg" | "webp" | "gif"
    mime: str
    width: int
    height: int


def sniff_format(head: bytes) -> str | None:
    """The image format named by the magic bytes at the start of `head`, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _describe(data: bytes) -> str:
    """A short human description of bytes that are not an image."""
    if not data:
        return "empty"
    head = data[:512].lstrip().lower()
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:].lstrip()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "an HTML page"
    if b"<svg" in head:
        return "an SVG document (not supported)"
    if head.startswith(b"<"):
        return "an XML/HTML document"
    if head.startswith((b"{", b"[")):
        return "JSON or text"
    if head.startswith(b"%pdf"):
        return "a PDF document"
    return "unknown data"


def _too_large_bytes(size: int) -> ImageCheckError:
    return ImageCheckError(
        IMAGE_TOO_LARGE, f"image is {size} bytes, more than the limit of {MAX_IMAGE_BYTES} bytes"
    )


def verify_image(data: bytes) -> ImageInfo:
    """Check `data` and describe it, or raise ImageCheckError.

    Order: size in bytes, magic bytes, header dimensions (before any decoding: decompression-bomb guard), Pillow's
    format agrees with the magic bytes, then a full decode of the (first) frame so truncated data is refused.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise _too_large_bytes(len(data))
    return _verify(io.BytesIO(data), data[:512])


def _verify(source: BinaryIO, head: bytes) -> ImageInfo:
    fmt = sniff_format(head[:16])
    if fmt is None:
        raise ImageCheckError(NOT_AN_IMAGE, f"not an image: {_describe(head)}")
    ext, mime, pil_names = _FORMATS[fmt]
    label = fmt.upper()

    im = _open_header(source, fmt, label)
    with im:
        width, height = im.size
        if width <= 0 or height <= 0:
            raise ImageCheckError(NOT_AN_IMAGE, f"{label} with invalid dimensions {width}x{height}")
        if width * height > MAX_IMAGE_PIXELS:
            raise ImageCheckError(
                IMAGE_TOO_LARGE,
                f"image is {width}x{height} ({width * height} pixels), "
                f"more than the limit of {MAX_IMAGE_PIXELS} pixels",
            )
        if im.format not in pil_names:
            raise ImageCheckError(NOT_AN_IMAGE, f"magic bytes say {label} but the data decodes as {im.format}")
        _decode(im, label)
    return ImageInfo(format=fmt, ext=ext, mime=mime, width=width, height=height)


def _open_header(source: BinaryIO, fmt: str, label: str) -> Image.Image:
    """Image.open (header only) with Pillow's decompression-bomb warning silenced and its error mapped.
    (Pillow is imported by the first image checked: exporting cached images never needs it.)

    Our own pixel limit is authoritative; Pillow's warning (at its lower default) must never be printed. The lock
    keeps concurrent verifications (worker threads) from restoring each other's warning filters too early.
    """
    from PIL import Image

    with _OPEN_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            return Image.open(source, formats=_PIL_OPENERS[fmt])
        except Image.DecompressionBombError as exc:
            raise ImageCheckError(IMAGE_TOO_LARGE, f"image has too many pixels ({exc})") from None
        except Exception as exc:  # UnidentifiedImageError, SyntaxError, struct.error, ...
            raise ImageCheckError(NOT_AN_IMAGE, f"unreadable {label} data ({_reason(exc)})") from None


def _decode(im: Image.Image, label: str) -> None:
    """Fully decode the image data; truncated or corrupt data raises NOT_AN_IMAGE.

    ImageFile.LOAD_TRUNCATED_IMAGES is only read, never changed: if something else in the process turned it on,
    refuse to judge rather than accept a possibly truncated image.
    """
    from PIL import Image, ImageFile

    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is enabled; image verification would be unreliable")
    try:
        decode_pixels(im)
    except Image.DecompressionBombError as exc:
        raise ImageCheckError(IMAGE_TOO_LARGE, f"image has too many pixels ({exc})") from None
    except MemoryError:
        raise ImageCheckError(IMAGE_TOO_LARGE, f"{label} image too large to decode") from None
    except Exception as exc:  # OSError("image file is truncated"), SyntaxError, ValueError, zlib.error, ...
        raise ImageCheckError(NOT_AN_IMAGE, f"truncated or corrupt {label} data ({_reason(exc)})") from None


def decoding() -> threading.RLock:
    """The lock to hold while an image's pixels are decoded in full (here and by the image-rules checks)."""
    return _DECODE_LOCK


def decode_pixels(im: Image.Image) -> None:
    """``im.load()``, one image at a time (see _DECODE_LOCK); raises what load() raises."""
    with _DECODE_LOCK:
        im.load()


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text[:200] if text else type(exc).__name__


def verify_file(path: str | os.PathLike[str]) -> ImageInfo:
    """verify_image() on a file, read as Pillow needs it (never whole, see :mod:`.imageview`); the size is
    checked with stat before anything is read."""
    size = os.stat(path).st_size
    if size > MAX_IMAGE_BYTES:
        raise _too_large_bytes(size)
    with open_image_file(path) as fh:
        head = fh.read(512)
        fh.seek(0)
        return _verify(fh, head)
