"""First paint: process start → the first painted frame of `listing-studio` ÷ the same for a bare PySide6
QMainWindow, launched alternately in the same loop (paired runs: a busy moment slows both of a pair), on the
offscreen platform. Each process writes the wall-clock time of its window's first paint event and is then
stopped; the start is taken just before the process is launched.

    .venv/bin/python bench/first_paint.py [REPEATS]
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

GOAL = 1.3
REPEATS = 10
BARE = """
import json, os, sys, time
from PySide6.QtWidgets import QApplication, QMainWindow


class Bare(QMainWindow):
    painted = False

    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            path = os.environ["LISTING_STUDIO_FIRST_PAINT"]
            with open(path + ".tmp", "w") as out:
                json.dump({"time": time.time()}, out)
            os.replace(path + ".tmp", path)


app = QApplication(sys.argv)
window = Bare()
window.resize(1280, 800)
window.show()
app.exec()
"""


def first_paint(cmd: list[str], env: dict, record_path: Path, timeout: float = 60) -> float:
    """Seconds from launching ``cmd`` to its window's first painted frame."""
    record_path.unlink(missing_ok=True)
    started = time.time()
    proc = subprocess.Popen(cmd, env={**env, "LISTING_STUDIO_FIRST_PAINT": str(record_path)}, cwd=ROOT,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        while not record_path.exists():
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd} ended before painting: {proc.stderr.read().decode()[-2000:]}")
            if time.time() - started > timeout:
                raise TimeoutError(f"{cmd} did not paint within {timeout} s")
            time.sleep(0.002)
        return json.loads(record_path.read_text())["time"] - started
    finally:
        proc.kill()
        proc.communicate()


def main() -> int:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else REPEATS
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                   LISTING_STUDIO_DATA_DIR=str(Path(tmp) / "data"), LISTING_STUDIO_API_URL="sandbox",
                   XDG_RUNTIME_DIR=tmp, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                                                 os.environ.get("PYTHONPATH")])))
        app = [sys.executable, "-m", "desktop_app.cli", "--smoke", "60"]
        bare = [sys.executable, "-c", BARE]
        mark = Path(tmp) / "first-paint.json"
        first_paint(app, env, mark), first_paint(bare, env, mark)  # warm the file cache
        apps, bares = [], []
        for i in range(repeats):
            pair = (("app", app), ("bare", bare)) if i % 2 == 0 else (("bare", bare), ("app", app))
            for name, cmd in pair:
                (apps if name == "app" else bares).append(first_paint(cmd, env, mark))
    ratios = sorted(a / b for a, b in zip(apps, bares))
    ratio = statistics.median(ratios)
    verdict = "met" if ratio <= GOAL else "**not met**"
    load = os.getloadavg()[0]
    detail = (f"{verdict}; median of {repeats} paired runs, ratios {ratios[0]:.2f}–{ratios[-1]:.2f}; "
              f"app {statistics.median(apps) * 1000:.0f} ms (range {min(apps) * 1000:.0f}–{max(apps) * 1000:.0f}), "
              f"bare QMainWindow {statistics.median(bares) * 1000:.0f} ms "
              f"(range {min(bares) * 1000:.0f}–{max(bares) * 1000:.0f}); process start → first paint event, "
              f"offscreen platform; `python bench/first_paint.py`; shared machine (load average {load:.1f} "
              f"at the end: other work ran at the same time, the pairing keeps the ratio fair)")
    record("first paint ÷ bare PySide6 window", ratio, "≤ 1.3×", detail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
