"""The window's export (offscreen, in-process sandbox): 100 approved cached images, from the click on Export in
the export dialog to its done signal, ÷ `cp` of the same 100 cached files (a process, start to exit), paired and
alternating in the same loop, each into a fresh folder.

    python bench/window_export_vs_cp.py [--quick]
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
import qasync  # noqa: E402

from bench.common import record  # noqa: E402
from desktop_app.api.pixii.models import ListingRequest  # noqa: E402
from desktop_app.config import load_settings  # noqa: E402
from desktop_app.core.images.check import verify_file  # noqa: E402
from desktop_app.core.jobs.reviews import set_reviews  # noqa: E402

COUNT = 100
GOAL = "≤ 3×"
NAME = "window export ÷ `cp`, 100 images"


def add_images(rt, job_id: str) -> list[Path]:
    """COUNT noise JPEGs (about 0.4 MB each) cached and approved in the job, as the seller would have them."""
    base = Image.effect_noise((800, 800), 40).convert("RGB")
    paths, indexes = [], []
    for i in range(COUNT):
        im = base.copy()
        im.putpixel((i % 800, 0), (i % 256, 0, 0))
        with rt.cache.incoming() as (tmp, sink):
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=90)
            sink.write(buf.getvalue())
            sink.close()
            info = verify_file(tmp)
            cached = rt.cache.adopt(tmp, hashlib.sha256(buf.getvalue()).hexdigest(), info)
        indexes.append(rt.journal.add_user_image(job_id, None, cached.sha256, cached.ext, cached.path, info.width,
                                                 info.height))
        paths.append(cached.path)
    set_reviews(rt.journal, job_id, indexes, "approved")
    return paths


async def until(check, limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.005)


async def window_export(window, job_id: str, folder: Path) -> float:
    window.export_job(job_id)
    dialog = window.export_dialog
    dialog.folder_edit.setText(str(folder))
    await until(dialog.export_button.isEnabled)
    done = asyncio.get_running_loop().create_future()
    dialog.export_done.connect(lambda *counts: done.done() or done.set_result(counts))
    started = time.perf_counter()
    dialog.export_button.click()
    counts = await done
    took = time.perf_counter() - started
    dialog.close()
    assert counts[2] == 0 and counts[0] >= COUNT, counts
    return took


def cp(paths: list[Path], folder: Path) -> float:
    folder.mkdir()
    started = time.perf_counter()
    subprocess.run(["cp", *map(str, paths), str(folder)], check=True)
    return time.perf_counter() - started


async def measure(repeats: int, out: Path) -> tuple[list[float], list[float], float, int]:
    from desktop_app.ui.main.studio import Studio
    studio = Studio(load_settings(read_keyring=False))
    studio.start()
    window = studio.window
    job = await studio.rt.jobs.submit(ListingRequest("B0BENCHEXP", "US", "amazon_main_images"))
    await studio.rt.jobs.wait(job.job_id)
    paths = add_images(studio.rt, job.job_id)
    mb = sum(p.stat().st_size for p in paths) / 1e6
    window.show_job(job.job_id)
    await asyncio.sleep(0.5)
    await window_export(window, job.job_id, out / "warm")  # first use of the dialog and the file cache
    exports, cps = [], []
    for run in range(repeats):
        if run % 2:
            cps.append(cp(paths, out / f"c{run}"))
        exports.append(await window_export(window, job.job_id, out / f"w{run}"))
        if not run % 2:
            cps.append(cp(paths, out / f"c{run}"))
    await studio.aclose()
    return exports, cps, mb, len(paths)


def main() -> int:
    repeats = 5 if "--quick" in sys.argv else 7
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(LISTING_STUDIO_DATA_DIR=str(Path(tmp) / "data"), LISTING_STUDIO_API_URL="sandbox",
                          LISTING_STUDIO_POLL_INTERVAL="0.05", LISTING_STUDIO_SANDBOX_PENDING="0.05",
                          LISTING_STUDIO_SANDBOX_PROCESSING="0.1")
        app = QApplication.instance() or QApplication([])  # noqa: F841
        out = Path(tmp) / "out"
        out.mkdir()
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            exports, cps, mb, count = runner.run(measure(repeats, out))
    ratios = [e / c for e, c in zip(exports, cps)]
    ratio = statistics.median(ratios)
    detail = (f"median of {repeats} paired alternating runs, ratios {min(ratios):.2f}–{max(ratios):.2f}; window "
              f"export {statistics.median(exports) * 1000:.0f} ms (range {min(exports) * 1000:.0f}–"
              f"{max(exports) * 1000:.0f}), cp {statistics.median(cps) * 1000:.0f} ms (range {min(cps) * 1000:.0f}–"
              f"{max(cps) * 1000:.0f}); {count} approved images, {mb:.1f} MB; click on Export → the dialog's done "
              "signal (offscreen) vs `cp` process start → exit; `python bench/window_export_vs_cp.py`")
    record(NAME, ratio, GOAL, ("met; " if ratio <= 3 else "not met; ") + detail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
