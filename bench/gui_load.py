"""The window under image load (offscreen, in-process sandbox, a job with 1000 seller images of
1600×1600 px): the longest stall of the GUI thread while the gallery decodes and scrolls through
them, and the memory the gallery holds afterwards compared with keeping the decoded images."""

from __future__ import annotations

import asyncio
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
import qasync  # noqa: E402

from bench.common import record  # noqa: E402
from desktop_app.api.models import ListingRequest  # noqa: E402
from desktop_app.config import load_settings  # noqa: E402
from desktop_app.core.imagecheck import verify_image  # noqa: E402

COUNT, EDGE = 1000, 1600


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def make_images(rt, job_id: str) -> None:
    base = Image.effect_noise((EDGE, EDGE), 30).convert("RGB")
    for i in range(COUNT):
        im = base.copy()
        ImageDraw.Draw(im).rectangle((i % 40 * 40, i // 40 * 40, i % 40 * 40 + 60, i // 40 * 40 + 60), fill=(i % 256, 90, 200))
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=85)
        data = buf.getvalue()
        info = verify_image(data)
        cached = rt.cache.put(data, info)
        rt.journal.add_user_image(job_id, None, cached.sha256, cached.ext, cached.path, info.width, info.height)


async def measure(app: QApplication) -> tuple[float, float, int]:
    from desktop_app.app import Studio
    studio = Studio(load_settings(read_keyring=False))
    studio.start()
    window = studio.window
    window.resize(1280, 800)
    job = await studio.rt.jobs.submit(ListingRequest("B0BENCHGUI", "US", "amazon_main_images"))
    await studio.rt.jobs.wait(job.job_id)
    make_images(studio.rt, job.job_id)
    await asyncio.sleep(0.3)
    before = rss_mb()

    gaps, last = [0.0], [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    window.show_job(job.job_id)
    view = window.gallery_view
    bar = view.verticalScrollBar()
    model = window.gallery_model
    deadline = time.monotonic() + 120
    while bar.value() < bar.maximum() or bar.maximum() == 0:
        bar.setValue(min(bar.maximum(), bar.value() + view.viewport().height() // 2))
        await asyncio.sleep(0.05)
        if time.monotonic() > deadline:
            break
    while model.thumbnails_ready() < COUNT and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    timer.stop()
    ready = model.thumbnails_ready()
    growth = rss_mb() - before
    await studio.aclose()
    return max(gaps[2:]) * 1000, growth, ready


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(LISTING_STUDIO_DATA_DIR=str(Path(tmp) / "data"), LISTING_STUDIO_API_URL="sandbox",
                          LISTING_STUDIO_POLL_INTERVAL="0.05", LISTING_STUDIO_SANDBOX_PENDING="0.05",
                          LISTING_STUDIO_SANDBOX_PROCESSING="0.1")
        app = QApplication.instance() or QApplication([])
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            stall_ms, growth_mb, ready = runner.run(measure(app))
    decoded_mb = COUNT * EDGE * EDGE * 4 / 2**20
    record("longest GUI stall under image load ÷ one 60 Hz frame", stall_ms / 16.7, "≤ 3",
           f"longest gap {stall_ms:.0f} ms while {ready} thumbnails of {EDGE}² JPEGs decoded and scrolled")
    record("gallery memory at 1000 images ÷ decoded full images", growth_mb / decoded_mb, "≤ 0.05",
           f"RSS +{growth_mb:.0f} MB for {COUNT} images (full decode would be {decoded_mb:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
