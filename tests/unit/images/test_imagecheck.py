import hashlib
import io
import os
import struct
import time
import warnings
import zlib

import pytest
from PIL import Image

from desktop_app.core.images import check as imagecheck
from desktop_app.core.images.cache import CachedImage, ImageCache
from desktop_app.core.images.check import (
    ImageCheckError,
    ImageInfo,
    sniff_format,
    verify_file,
    verify_image,
)


def make_image(fmt: str, size=(64, 48), mode="RGB") -> bytes:
    buf = io.BytesIO()
    im = Image.new(mode, size)
    # some structure so the compressed stream is non-trivial
    for x in range(0, size[0], 3):
        for y in range(0, size[1], 5):
            im.putpixel((x, y), (x * 7 % 256, y * 11 % 256, 90) if mode == "RGB" else (x + y) % 256)
    im.save(buf, format=fmt)
    return buf.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny valid PNG whose IHDR is patched to claim width x height (CRC recomputed)."""
    data = bytearray(make_image("PNG", (4, 4)))
    assert data[12:16] == b"IHDR"
    data[16:24] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12:29])) & 0xFFFFFFFF
    data[29:33] = struct.pack(">I", crc)
    return bytes(data)


@pytest.mark.parametrize(
    "pil_fmt, fmt, ext, mime",
    [
        ("PNG", "png", "png", "image/png"),
        ("JPEG", "jpeg", "jpg", "image/jpeg"),
        ("WEBP", "webp", "webp", "image/webp"),
        ("GIF", "gif", "gif", "image/gif"),
    ],
)
def test_accepts_real_images(pil_fmt, fmt, ext, mime):
    data = make_image(pil_fmt, (64, 48))
    assert sniff_format(data[:16]) == fmt
    info = verify_image(data)
    assert info == ImageInfo(format=fmt, ext=ext, mime=mime, width=64, height=48)


@pytest.mark.parametrize(
    "data, hint",
    [
        (b"  \n<!DOCTYPE html><html><body>Access denied</body></html>", "HTML page"),
        (b"<html><head></head></html>", "HTML page"),
        (b"", "empty"),
        (os.urandom(4096).replace(b"\x89", b"\x00").replace(b"\xff", b"\x00"), ""),
    ],
)
def test_not_an_image(data, hint):
    with pytest.raises(ImageCheckError) as ei:
        verify_image(data)
    assert ei.value.code == "NOT_AN_IMAGE"
    assert hint in str(ei.value)
    assert str(ei.value) == ei.value.message


@pytest.mark.parametrize("pil_fmt, label", [("PNG", "PNG"), ("JPEG", "JPEG")])
def test_truncated_image_is_refused(pil_fmt, label):
    data = make_image(pil_fmt, (256, 256))
    truncated = data[: len(data) // 2]
    assert sniff_format(truncated) is not None  # the magic bytes are fine
    with pytest.raises(ImageCheckError) as ei:
        verify_image(truncated)
    assert ei.value.code == "NOT_AN_IMAGE"
    assert f"truncated or corrupt {label}" in ei.value.message


def test_wrong_magic_for_decoded_format():
    # GIF magic followed by PNG data: magic says GIF, Pillow cannot read it as GIF
    data = b"GIF89a" + make_image("PNG")[6:]
    with pytest.raises(ImageCheckError) as ei:
        verify_image(data)
    assert ei.value.code == "NOT_AN_IMAGE"


def test_pixel_bomb_refused_before_decoding():
    data = png_claiming(30000, 30000)  # 900 megapixels declared, ~100 bytes of data
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no Pillow warning may escape
        with pytest.raises(ImageCheckError) as ei:
            verify_image(data)
    assert time.perf_counter() - start < 1.0
    assert ei.value.code == "IMAGE_TOO_LARGE"


def test_pixel_limit_is_ours_not_pillows():
    # just above our limit: Pillow only warns here (its error threshold is higher); the warning must not escape
    data = png_claiming(10001, 10000)
    assert Image.MAX_IMAGE_PIXELS < 10001 * 10000 < 2 * Image.MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ImageCheckError) as ei:
            verify_image(data)
    assert ei.value.code == "IMAGE_TOO_LARGE"
    assert "pixels" in ei.value.message


def test_pillow_bomb_error_is_mapped(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 10)  # Pillow raises at 2x this
    with pytest.raises(ImageCheckError) as ei:
        verify_image(make_image("PNG", (64, 48)))
    assert ei.value.code == "IMAGE_TOO_LARGE"


def test_too_many_bytes(monkeypatch, tmp_path):
    data = make_image("PNG", (64, 48))
    monkeypatch.setattr(imagecheck, "MAX_IMAGE_BYTES", len(data) - 1)
    with pytest.raises(ImageCheckError) as ei:
        verify_image(data)
    assert ei.value.code == "IMAGE_TOO_LARGE"
    path = tmp_path / "big.png"
    path.write_bytes(data)
    with pytest.raises(ImageCheckError) as ei:
        verify_file(path)
    assert ei.value.code == "IMAGE_TOO_LARGE"


def test_extension_of_file_is_irrelevant(tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(make_image("JPEG", (20, 10)))
    info = verify_file(path)
    assert (info.format, info.ext, info.width, info.height) == ("jpeg", "jpg", 20, 10)
    html = tmp_path / "image.jpg"
    html.write_bytes(b"<!doctype html><title>404</title>")
    with pytest.raises(ImageCheckError) as ei:
        verify_file(html)
    assert ei.value.code == "NOT_AN_IMAGE"


def test_load_truncated_images_flag_untouched():
    from PIL import ImageFile

    before = ImageFile.LOAD_TRUNCATED_IMAGES
    verify_image(make_image("PNG"))
    with pytest.raises(ImageCheckError):
        verify_image(make_image("PNG", (128, 128))[:200])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is before is False


# --- cache ---------------------------------------------------------------------------------------------------


def put(cache, data, info):
    """Stream ``data`` into the cache as a download does: a temp file, then adopted under its digest."""
    with cache.incoming() as (tmp, sink):
        sink.write(data)
        sink.close()
        return cache.adopt(tmp, hashlib.sha256(data).hexdigest(), info)


def test_cache_adopt_is_idempotent_and_content_addressed(tmp_path):
    root = tmp_path / "cache"  # created on demand
    data = make_image("WEBP", (30, 30))
    info = verify_image(data)
    cache = ImageCache(root)
    first = put(cache, data, info)
    sha = hashlib.sha256(data).hexdigest()
    expected = root / sha[:2] / f"{sha}.webp"
    assert first == CachedImage(sha256=sha, path=expected, ext="webp", size=len(data))
    assert expected.read_bytes() == data
    mtime = expected.stat().st_mtime_ns
    second = put(cache, data, info)
    assert second == first
    assert expected.stat().st_mtime_ns == mtime  # existing file kept
    assert cache.get(sha, "webp") == expected
    assert cache.get(sha, "png") is None
    assert cache.get("0" * 64, "webp") is None
    assert cache.get("../../etc/passwd", "webp") is None
    assert sorted(p.name for p in (root / sha[:2]).iterdir()) == [f"{sha}.webp"]  # no temp files


def test_cache_get_ignores_empty_file(tmp_path):
    cache = ImageCache(tmp_path)
    sha = "ab" * 32
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / f"{sha}.png").write_bytes(b"")
    assert cache.get(sha, "png") is None


def test_cache_adopt_failure_leaves_no_temp(tmp_path, monkeypatch):
    import errno

    data = make_image("PNG")
    info = verify_image(data)
    cache = ImageCache(tmp_path)

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError):
        put(cache, data, info)
    sha = hashlib.sha256(data).hexdigest()
    assert list((tmp_path / sha[:2]).iterdir()) == [] and not list(tmp_path.rglob("*.part"))


def test_concurrent_verification_prints_no_warning():
    from concurrent.futures import ThreadPoolExecutor

    bomb = png_claiming(10001, 10000)  # Pillow warns for this one; we refuse it ourselves
    good = make_image("PNG")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")

        def check(i):
            try:
                return verify_image(bomb if i % 2 else good).format
            except ImageCheckError as exc:
                return exc.code

        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(check, range(64)))
    assert codes == ["png", "IMAGE_TOO_LARGE"] * 32
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]
