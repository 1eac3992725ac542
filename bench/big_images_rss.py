"""Peak resident memory of a job of 7 × 95 MB images (the embedded sandbox's ``image_bytes`` setting) against the
same job with its small images: the command line (`generate … --export DIR`: submit, wait, download, judge,
export) and the window (offscreen: the job submitted, downloaded, shown in the gallery and exported through the
export dialog). Each run is a fresh process started by a small launcher that reports the peak of its child
(ru_maxrss), small and big alternating.

    python bench/big_images_rss.py [--quick]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ROOT, record  # noqa: E402
from bench.export_cli_vs_cp import cli_env  # noqa: E402

NAME = "peak RSS, a job of 7 × 95 MB images, window / CLI"
GOAL = "≤ 100 MB above the small-image run"
BIG = 95 * 1000 * 1000
LAUNCHER = ("import resource, subprocess, sys\n"
            "subprocess.run(sys.argv[1:], check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
WINDOW = '''
import asyncio, os, sys, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
import qasync
from desktop_app.api.pixii.models import ListingRequest
from desktop_app.config import load_settings
from desktop_app.core.jobs.reviews import set_reviews

async def main(out):
    from desktop_app.ui.main.studio import Studio
    studio = Studio(load_settings(read_keyring=False))
    studio.start()
    jobs, window = studio.rt.jobs, studio.window
    job = await jobs.submit(ListingRequest("B0BENCHRSS", "US", "amazon_listing"))
    await jobs.wait(job.job_id)
    await jobs.download_images(job.job_id)
    set_reviews(studio.rt.journal, job.job_id, range(7), "approved")
    window.show_job(job.job_id)
    await asyncio.sleep(2)  # the gallery shows the thumbnails
    window.export_job(job.job_id)
    dialog = window.export_dialog
    dialog.folder_edit.setText(out)
    while not dialog.export_button.isEnabled():
        await asyncio.sleep(0.01)
    done = asyncio.get_running_loop().create_future()
    dialog.export_done.connect(lambda *c: done.done() or done.set_result(c))
    dialog.export_button.click()
    counts = await done
    assert counts == (7, 0, 0), counts
    await studio.aclose()

app = QApplication([])
with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
    runner.run(main(sys.argv[1]))
'''


def peak_mb(cmd: list[str], env: dict) -> float:
    out = subprocess.run([sys.executable, "-c", LAUNCHER, *cmd], env=env, capture_output=True, text=True,
                         check=True, timeout=300).stdout
    return int(out.split()[-1]) / 1024


def run(kind: str, image_bytes: int, tmp: Path, n: int) -> float:
    env = cli_env(tmp / f"data-{kind}-{image_bytes}-{n}", image_bytes)
    out = tmp / f"out-{kind}-{image_bytes}-{n}"
    if kind == "cli":
        cmd = [sys.executable, "-m", "desktop_app.cli", "generate", "--asin", "B0BENCHRSS", "--country", "US",
               "--type", "amazon_listing", "--export", str(out)]
    else:
        out.mkdir()
        env.update(QT_QPA_PLATFORM="offscreen", LISTING_STUDIO_POLL_INTERVAL="0.05")
        cmd = [sys.executable, "-c", WINDOW, str(out)]
    peak = peak_mb(cmd, env)
    files = list(out.iterdir())
    assert len(files) == 7 and (image_bytes == 0 or all(f.stat().st_size == image_bytes for f in files)), files
    for f in files:
        f.unlink()
    return peak


def main() -> int:
    repeats = 3 if "--quick" in sys.argv else 5
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for kind in ("window", "cli"):
            small, big = [], []
            for n in range(repeats):
                for size in ((0, BIG) if n % 2 == 0 else (BIG, 0)):
                    (big if size else small).append(run(kind, size, tmp, n))
                    for data in tmp.glob("data-*"):  # the cached images of finished runs: 665 MB each
                        subprocess.run(["rm", "-rf", str(data)], check=True)
            figures[kind] = (small, big)
    parts, worst = [], 0.0
    for kind, (small, big) in figures.items():
        above = [b - s for s, b in zip(small, big)]
        worst = max(worst, statistics.median(above))
        parts.append(f"{kind}: {statistics.median(big):.0f} MiB with 95 MB images (range {min(big):.0f}–"
                     f"{max(big):.0f}) vs {statistics.median(small):.0f} MiB with small ones (range {min(small):.0f}–"
                     f"{max(small):.0f}), +{statistics.median(above):.0f} MiB")
    detail = (f"{'met' if worst <= 100 else 'not met'}; peak RSS of the process (launcher's ru_maxrss of its child), "
              f"median of {repeats} alternating runs each; " + "; ".join(parts) + "; the window: submit, download, "
              "gallery, export dialog; the CLI: `generate … --export DIR`; `python bench/big_images_rss.py`")
    record(NAME, worst, GOAL, detail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
