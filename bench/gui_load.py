"""The window under thumbnail load (offscreen, in-process sandbox, a job with 1000 seller images of 800×800 px
JPEG): the longest stall of the GUI thread while the gallery decodes the 1000 thumbnails and the seller scrolls
through them, seen by a 1 ms timer; and the window's memory with the 1000 thumbnails, above a bare PySide6
QMainWindow process measured the same way.

Each run is its own process; the app and the bare window are launched alternately in the same loop (paired runs),
≥ 5 pairs. The bare window runs the same 1 ms timer (for FLOOR_SECONDS), with nothing loaded: its longest gap is the idle
noise floor of the timer on this machine. Memory: VmRSS at the end of each run.

    .venv/bin/python bench/gui_load.py [--quick]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, record  # noqa: E402

COUNT, EDGE, REPEATS = 1000, 800, 5
FLOOR_SECONDS = 3.0  # how long the bare window's 1 ms timer runs
STALL = "longest GUI-thread stall while 1000 thumbnails decode and scroll (1 ms timer)"
RSS = "window RSS with 1000 thumbnails, above a bare window"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Gaps:
    """A 1 ms timer on the GUI thread; the gaps between its ticks are the GUI thread's stalls."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer, Qt
        self.gaps: list[float] = []
        self.timer = QTimer(interval=1, timerType=Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append((now - self.last) * 1000)
        self.last = now

    def result(self) -> dict:
        self.timer.stop()
        ordered = sorted(self.gaps)
        return {"longest": ordered[-1], "p99": ordered[int(len(ordered) * 0.99)], "ticks": len(ordered)}


def prepare(data_dir: str, count: int) -> None:
    """A journal with one finished sandbox job holding ``count`` seller images (made once, reused by every run)."""
    import asyncio
    import io

    from PIL import Image, ImageDraw

    from desktop_app.api.pixii.models import ListingRequest
    from desktop_app.config import load_settings
    from desktop_app.runtime import Runtime
    sys.path.insert(0, str(ROOT / "tests"))
    from support.images import add_to_job

    async def go() -> None:
        rt = Runtime(load_settings(read_keyring=False))
        job = await rt.jobs.submit(ListingRequest("B0BENCHGUI", "US", "amazon_main_images"))
        await rt.jobs.wait(job.job_id)
        base = Image.effect_noise((EDGE, EDGE), 30).convert("RGB")
        for start in range(0, count, 50):
            batch = []
            for i in range(start, min(count, start + 50)):
                im = base.copy()
                ImageDraw.Draw(im).rectangle((i % 30 * 25, i // 30 * 22, i % 30 * 25 + 60, i // 30 * 22 + 60),
                                             fill=(i % 256, 90, 200))
                buf = io.BytesIO()
                im.save(buf, "JPEG", quality=85)
                batch.append(buf.getvalue())
            add_to_job(rt, job.job_id, batch)
        print(json.dumps({"job": job.job_id}))
        await rt.aclose()
    asyncio.run(go())


def run_app(job_id: str) -> None:
    """The window shows the job and scrolls it from top to bottom, a viewport at a time once its thumbnails are
    there; the 1 ms timer runs from showing the job until all thumbnails are decoded."""
    import asyncio

    import qasync
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.main.studio import Studio
    from desktop_app.config import load_settings

    async def measure(_app: QApplication) -> dict:
        studio = Studio(load_settings(read_keyring=False))
        studio.start()
        window = studio.window
        window.resize(1280, 800)
        await asyncio.sleep(0.5)
        gaps = Gaps()
        gaps.start()
        window.show_job(job_id)
        view, model = window.gallery_view, window.gallery_model
        bar = view.verticalScrollBar()
        deadline, seen = time.monotonic() + 60, set()
        while (model.rowCount() == 0 or model.reading()) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        while time.monotonic() < deadline:
            while (time.monotonic() < deadline and
                   not all(model.has_thumbnail(r) or not model.on_disk(r) for r in view.visible_rows())):
                await asyncio.sleep(0.01)
            seen.update(r for r in view.visible_rows() if model.has_thumbnail(r))
            if bar.value() >= bar.maximum():
                break
            bar.setValue(min(bar.maximum(), bar.value() + view.viewport().height()))
            await asyncio.sleep(0.02)
        result = gaps.result()
        result.update(ready=len(seen), rows=model.rowCount(), rss=rss_mb())
        await studio.aclose()
        return result

    app = QApplication.instance() or QApplication([])
    with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
        print(json.dumps(runner.run(measure(app))))


def run_bare(seconds: float) -> None:
    """A bare PySide6 QMainWindow of the same size with the same 1 ms timer for ``seconds``: the noise floor."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication([])
    window = QMainWindow()
    window.resize(1280, 800)
    window.show()
    gaps = Gaps()
    out: dict = {}

    def start() -> None:
        gaps.start()
        QTimer.singleShot(int(seconds * 1000), stop)

    def stop() -> None:
        out.update(gaps.result(), rss=rss_mb())
        app.quit()
    QTimer.singleShot(500, start)
    app.exec()
    print(json.dumps(out))


def child(args: list[str], env: dict) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def spread(values: list[float]) -> str:
    return f"{min(values):.1f}–{max(values):.1f}"


def main(quick: bool) -> int:
    count, repeats = (300, 3) if quick else (COUNT, REPEATS)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                   LISTING_STUDIO_DATA_DIR=str(Path(tmp) / "data"), LISTING_STUDIO_API_URL="sandbox",
                   LISTING_STUDIO_SANDBOX_PENDING="0.05", LISTING_STUDIO_SANDBOX_PROCESSING="0.1",
                   LISTING_STUDIO_POLL_INTERVAL="0.05", XDG_RUNTIME_DIR=tmp,
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        job_id = child(["prepare", str(count)], env)["job"]
        apps, bares = [], []
        for _ in range(repeats):
            apps.append(child(["app", job_id], env))
            bares.append(child(["bare", str(FLOOR_SECONDS)], env))
    longest = [a["longest"] for a in apps]
    floor = [b["longest"] for b in bares]
    above = [a["rss"] - b["rss"] for a, b in zip(apps, bares)]
    stall = statistics.median(longest)
    ready, rows = min(a["ready"] for a in apps), apps[0]["rows"]
    note = "" if stall <= 16 else "not met: "
    record(STALL, stall, "≤ 16 ms",
           f"{note}median longest gap {stall:.1f} ms over {repeats} runs (spread {spread(longest)}), p99 "
           f"{statistics.median(a['p99'] for a in apps):.1f} ms; idle noise floor of the same 1 ms timer in a bare "
           f"window {statistics.median(floor):.1f} ms (p99 {statistics.median(b['p99'] for b in bares):.1f}); "
           f"{ready} of {rows} thumbnails ({count} of them {EDGE}² JPEGs) shown while scrolling top to bottom")
    mb = statistics.median(above)
    note = "" if mb <= 150 else "not met: "
    record(RSS, mb, "≤ +150 MB",
           f"{note}median +{mb:.0f} MB (spread {spread(above)}) over {repeats} paired runs: window "
           f"{statistics.median(a['rss'] for a in apps):.0f} MB after showing {ready} thumbnails, bare QMainWindow "
           f"{statistics.median(b['rss'] for b in bares):.0f} MB (VmRSS at the end of each run)")
    return 0


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "prepare":
        prepare(os.environ["LISTING_STUDIO_DATA_DIR"], int(sys.argv[2]))
    elif mode == "app":
        run_app(sys.argv[2])
    elif mode == "bare":
        run_bare(float(sys.argv[2]))
    else:
        sys.exit(main("--quick" in sys.argv))
