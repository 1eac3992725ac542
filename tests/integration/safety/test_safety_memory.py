"""Memory does not grow with image size: images stream to the cache, are verified and checked from the file, and
one job of seven 60 MB images peaks within 100 MB of the same job with 1 MB images (a real command-line process,
its peak resident memory read from the kernel)."""

import io
import os
import struct
import tracemalloc
import zlib
from pathlib import Path

import pytest
from PIL import Image

from support.cli import cli_env, run_cli_measured
from desktop_app.core.compliance.checker import check_image
from desktop_app.core.images.check import ImageCheckError, verify_file
from support.fake_pixii import FakePixii, image_file

KEY = "pk_test_memoryKey000001"
MB = 1024 * 1024


def noise_png(path: Path, megabytes: float) -> Path:
    """A PNG of random pixels stored uncompressed: ``megabytes`` of real image data, nothing to squeeze."""
    side = int((megabytes * MB / 3) ** 0.5)
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(path, "PNG", compress_level=0)
    return path


def job_peak(tmp: Path, image: Path, n: int = 7) -> float:
    tmp.mkdir()
    with FakePixii() as fake:
        fake.ads = [f"/img/{i}" for i in range(n)]
        fake.routes = {f"/img/{i}": image_file(image) for i in range(n)}
        env = cli_env(LISTING_STUDIO_API_URL=fake.url, PIXII_API_KEY=KEY, LISTING_STUDIO_DATA_DIR=str(tmp / "d"),
                      LISTING_STUDIO_POLL_INTERVAL="0.05")
        out = tmp / "out"
        result, peak = run_cli_measured("generate", "--asin", "B0MEMORY01", "--country", "US", "--type",
                                        "amazon_listing", "--export", str(out), env=env)
    assert result.code == 0, result.err
    files = sorted(out.iterdir())
    assert len(files) == n and all(f.stat().st_size == image.stat().st_size for f in files)
    return peak


def test_seven_60_mb_images_peak_within_100_mb_of_seven_1_mb_images(tmp_path):
    small = job_peak(tmp_path / "small", noise_png(tmp_path / "small.png", 1))
    large = job_peak(tmp_path / "large", noise_png(tmp_path / "large.png", 60))
    assert large - small < 100, (small, large)


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def test_a_png_padded_with_a_bulky_private_chunk_is_verified_and_checked_without_reading_it(tmp_path):
    buf = io.BytesIO()
    Image.new("RGB", (300, 300), (255, 255, 255)).save(buf, "PNG")
    png = buf.getvalue()
    path = tmp_path / "padded.png"
    path.write_bytes(png[:33] + _chunk(b"lARg", os.urandom(40 * MB)) + png[33:])
    tracemalloc.start()
    try:
        info = verify_file(path)
        findings = check_image(path, "amazon", "PT01")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (info.width, info.height) == (300, 300)
    assert [f.level for f in findings if f.rule_id.endswith("readable")] == ["pass"]
    assert peak < 5 * MB, peak


def test_a_truncated_bulky_png_is_still_refused(tmp_path):
    buf = io.BytesIO()
    Image.frombytes("RGB", (400, 400), os.urandom(400 * 400 * 3)).save(buf, "PNG")
    png = buf.getvalue()
    path = tmp_path / "cut.png"
    data = png[:33] + _chunk(b"lARg", bytes(2 * MB)) + png[33:]
    path.write_bytes(data[: len(data) - 5000])
    with pytest.raises(ImageCheckError) as caught:
        verify_file(path)
    assert caught.value.code == "NOT_AN_IMAGE"


def test_the_view_of_a_padded_png_is_the_png_without_its_bulky_chunks(tmp_path):
    import random

    from desktop_app.core.images.view import open_image_file

    buf = io.BytesIO()
    Image.frombytes("RGB", (64, 64), os.urandom(64 * 64 * 3)).save(buf, "PNG")
    png = buf.getvalue()
    small_text = _chunk(b"tEXt", b"Comment\x00kept")
    end = png.rindex(b"IEND") - 4
    path = tmp_path / "padded.png"
    path.write_bytes(png[:33] + _chunk(b"prVt", os.urandom(2 * MB)) + small_text + png[33:end]
                     + _chunk(b"zzZz", bytes(3 * MB)) + png[end:] + b"trailing")
    expected = png[:33] + small_text + png[33:] + b"trailing"
    with open_image_file(path) as view:
        assert view.read() == expected
        rng = random.Random(7)
        for _ in range(200):
            start, size = rng.randrange(len(expected)), rng.randrange(1, 5000)
            view.seek(start)
            assert view.read(size) == expected[start:start + size] and view.tell() == min(start + size, len(expected))
        view.seek(-8, io.SEEK_END)
        assert view.read() == b"trailing"
