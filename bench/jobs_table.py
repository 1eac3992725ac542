"""The window with a long job list: 2000 and 10,000 jobs in the journal (seeded through desktop_app.store, each
completed with 7 images, some approved, a few failed), against the same window on an empty journal, launched
alternately in the same loop (paired runs, ≥ 5 repeats; median and spread).

Two figures per size:
- first paint: process start → the main window's first painted frame ÷ the same on the empty journal;
- the longest GUI-thread stall (a 1 ms QTimer's longest gap) from that first frame while the job list is read
  and built, scrolled page by page to its end and back, filtered and cleared, and read again whole (the
  re-sort of the periodic expiry re-read); the timer's idle noise floor (1 s of nothing) is printed.

    .venv/bin/python bench/jobs_table.py [REPEATS] [--quick]   (--quick: 3 repeats, 2000 jobs only)
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

SIZES = (2000, 10_000)
REPEATS = 5
FIRST_PAINT_GOAL, STALL_GOAL = 1.2, 16.0


# --- seeding (through the store) -------------------------------------------------------------------------

def seed(data_dir: Path, count: int) -> None:
    from desktop_app.config import load_settings
    from desktop_app.store.journal import Journal

    os.environ.update(LISTING_STUDIO_DATA_DIR=str(data_dir), LISTING_STUDIO_API_URL="sandbox")
    settings = load_settings(read_keyring=False)
    journal, service = Journal(settings.journal_path), settings.service
    image = data_dir / "seed.png"
    from PIL import Image
    Image.new("RGB", (64, 64), (30, 120, 200)).save(image)
    statements = []
    base = time.time() - count * 60
    for n in range(count):
        job_id = f"job_seed_{n:06d}"
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + n * 60))
        failed = n % 50 == 0
        statements.append((
            "INSERT INTO jobs(job_id, service, asin, country, listing_type, status, created_at, completed_at,"
            " credit_cost, error_code, recorded_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (job_id, service, f"B0SEED{n:04d}"[:10], ("US", "DE", "GB", "FR")[n % 4], "amazon_listing",
             "failed" if failed else "completed", stamp, None if failed else stamp, 10.0,
             "GENERATION_FAILED" if failed else None, base + n * 60, base + n * 60)))
        for idx in range(0 if failed else 7):
            statements.append((
                "INSERT INTO images(job_id, idx, url, sha256, ext, cache_path, width, height, review)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (job_id, idx, f"https://sandbox.invalid/{job_id}/{idx}.png", f"{n:058d}{idx:06d}", "png", str(image),
                 2000, 2000, "approved" if idx < n % 4 else None)))
    journal.write(statements)
    journal.close()


# --- one window (a child process) ------------------------------------------------------------------------

CHILD = r"""
import asyncio, json, os, sys, time
sys.path.insert(0, os.environ["BENCH_ROOT"])
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
import qasync

out, expected = sys.argv[1], int(sys.argv[2])
app = QApplication([])
marks = {}


class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "paint" not in marks:
            marks["paint"] = time.time()
        return False


class Gaps:
    def __init__(self):
        self.longest, self.last = 0.0, None
        self.timer = QTimer(interval=1)
        self.timer.timeout.connect(self.tick)

    def tick(self):
        now = time.perf_counter()
        if self.last is not None:
            self.longest = max(self.longest, now - self.last)
        self.last = now

    def start(self):
        self.longest, self.last = 0.0, time.perf_counter()
        self.timer.start()

    def phase(self, name):
        marks.setdefault("phases", {})[name] = round(self.longest * 1000, 1)
        self.longest = 0.0

    def stop(self):
        self.timer.stop()
        return self.longest * 1000


async def until(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the job list did not fill in")
        await asyncio.sleep(0.005)


async def main():
    from desktop_app.ui.main.studio import Studio
    from desktop_app.config import load_settings
    studio = Studio(load_settings(read_keyring=False), notifier=False)
    w = studio.window
    w.resize(1280, 720)
    painted = FirstPaint()
    w.installEventFilter(painted)
    gaps = Gaps()
    studio.start()
    await until(lambda: "paint" in marks)
    gaps.start()
    await until(lambda: w.jobs_model.rowCount() == expected and w.job_panel.current_job() or expected == 0)
    marks["rows"] = time.time()
    gaps.phase("build")
    table, bar = w.job_table, w.job_table.verticalScrollBar()
    for target in (bar.maximum, bar.minimum):
        while bar.value() != target():
            step = table.viewport().height()
            bar.setValue(min(bar.value() + step, target()) if target == bar.maximum else max(bar.value() - step, 0))
            await asyncio.sleep(0.016)
    gaps.phase("scroll")
    w.job_panel.filter_edit.setText("B0SEED01")
    await asyncio.sleep(0.05)
    w.job_panel.filter_edit.clear()
    await asyncio.sleep(0.05)
    gaps.phase("filter")
    reread = w.jobs_model.reload()
    if reread is not None:
        await reread
    await asyncio.sleep(0.05)
    gaps.phase("reread")
    stall = max(marks["phases"].values())
    gaps.stop()
    gaps.start()
    await asyncio.sleep(1.0)
    floor = gaps.stop()
    with open(out, "w") as f:
        json.dump({"paint": marks["paint"], "rows": marks["rows"], "stall_ms": stall, "floor_ms": floor,
                   "phases": marks["phases"]}, f)
    await studio.aclose()


with qasync.QEventLoop(app) as loop:
    loop.run_until_complete(main())
"""


def run_child(data_dir: Path, expected: int, tmp: Path) -> dict:
    out = tmp / "child.json"
    out.unlink(missing_ok=True)
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"), BENCH_ROOT=str(ROOT),
               LISTING_STUDIO_DATA_DIR=str(data_dir), LISTING_STUDIO_API_URL="sandbox", XDG_RUNTIME_DIR=str(tmp),
               XDG_CONFIG_HOME=str(data_dir / "config"))
    started = time.time()
    subprocess.run([sys.executable, "-c", CHILD, str(out), str(expected)], env=env, cwd=ROOT, check=True,
                   timeout=120, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    result = json.loads(out.read_text())
    result["paint_s"] = result["paint"] - started
    result["rows_s"] = result["rows"] - started
    print(f"  {expected:>6} jobs: first frame {result['paint_s'] * 1000:.0f} ms, rows {result['rows_s'] * 1000:.0f} ms, "
          f"stalls {result['phases']} ms, idle floor {result['floor_ms']:.1f} ms", flush=True)
    return result


def spread(values: list[float], fmt: str = "{:.0f}") -> str:
    return f"{fmt.format(min(values))}–{fmt.format(max(values))}"


def main() -> int:
    quick = "--quick" in sys.argv
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    repeats = int(args[0]) if args else (3 if quick else REPEATS)
    sizes = SIZES[:1] if quick else SIZES
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        dirs = {0: tmp / "empty"}
        for size in sizes:
            dirs[size] = tmp / f"jobs{size}"
        for size, folder in dirs.items():
            folder.mkdir()
            seed(folder, size)
        for size, folder in dirs.items():   # warm the file cache (and the journals' first open)
            run_child(folder, size, tmp)
        runs: dict[int, list[dict]] = {size: [] for size in dirs}
        for i in range(repeats):
            for size in sizes:
                pair = (0, size) if i % 2 == 0 else (size, 0)
                for which in pair:
                    runs[which].append(run_child(dirs[which], which, tmp))
    empty = runs[0]
    floors = [r["floor_ms"] for rs in runs.values() for r in rs]
    print(f"idle noise floor of the 1 ms timer (longest gap in 1 s of nothing): median "
          f"{statistics.median(floors):.1f} ms, {spread(floors, '{:.1f}')} ms")
    load = os.getloadavg()[0]
    for size in sizes:
        mine = runs[size]
        # paired: the k-th run of this size with the empty run launched next to it
        partners = empty[sizes.index(size)::len(sizes)][:len(mine)]
        ratios = sorted(a["paint_s"] / b["paint_s"] for a, b in zip(mine, partners))
        ratio = statistics.median(ratios)
        stalls = [r["stall_ms"] for r in mine]
        stall = statistics.median(stalls)
        rows = [r["rows_s"] * 1000 for r in mine]
        paint_verdict = "met" if ratio <= FIRST_PAINT_GOAL else "not met"
        stall_verdict = "met" if stall <= STALL_GOAL else "not met"
        common = (f"{repeats} paired runs alternating with the empty journal, offscreen platform, "
                  f"`python bench/jobs_table.py`; load average {load:.1f}")
        record(f"first paint with {size} jobs ÷ empty journal", ratio, "≤ 1.2× the empty journal's",
               f"{paint_verdict}; median of {common}; ratios {spread(ratios, '{:.2f}')}; first frame "
               f"{statistics.median(r['paint_s'] for r in mine) * 1000:.0f} ms vs "
               f"{statistics.median(r['paint_s'] for r in partners) * 1000:.0f} ms empty; the {size} rows "
               f"shown at {statistics.median(rows):.0f} ms ({spread(rows)}) after start")
        record(f"longest GUI stall, {size} jobs: list built, scrolled, filtered, re-read", stall, "≤ 16 ms",
               f"{stall_verdict}; median {stall:.1f} ms ({spread(stalls, '{:.1f}')}) of {common}; 1 ms QTimer, "
               f"idle noise floor {statistics.median(floors):.1f} ms ({spread(floors, '{:.1f}')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
