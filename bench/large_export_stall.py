"""The window while it exports a job of 7 × 95 MB images (offscreen, in-process sandbox, its ``image_bytes``
setting): the longest stall of the GUI thread from the click on Export in the export dialog to the dialog's done
signal, seen by a 1 ms timer, paired with the longest stall of the same window idling for as long (the noise floor),
alternately, ≥ 5 times; median and spread. Each export goes into a fresh folder, removed afterwards. When the goal
is missed, one more export runs with the GUI thread sampled during its stalls: what it was doing is printed and
recorded.

    .venv/bin/python bench/large_export_stall.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.export_cli_vs_cp import cli_env  # noqa: E402
from bench.stallmeter import StallMeter, paired_runs, record_stall, spread, window_with_approved_job  # noqa: E402

NAME = "longest GUI-thread stall while the window exports 7 × 95 MB images (1 ms timer)"
GOAL = "≤ 16 ms"
BIG = 95 * 1000 * 1000
COUNT = 7


async def until(check, limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        await asyncio.sleep(0.01)


async def export_once(window, job_id: str, folder: Path, meter: StallMeter) -> tuple[float, float, float]:
    """One export through the dialog into ``folder``: (longest stall in ms, the GUI thread's CPU in it, seconds)."""
    folder.mkdir()
    window.export_job(job_id)
    dialog = window.export_dialog
    dialog.folder_edit.setText(str(folder))
    await until(lambda: dialog.approved is not None and dialog.export_button.isEnabled())
    await asyncio.sleep(0.2)  # the dialog is shown and read: only the export is measured
    done = asyncio.get_running_loop().create_future()
    dialog.export_done.connect(lambda *counts: done.done() or done.set_result(counts))
    meter.start()
    started = time.perf_counter()
    dialog.export_button.click()
    counts = await done
    took = time.perf_counter() - started
    stall = meter.stop()
    dialog.close()
    files = list(folder.iterdir())
    assert counts == (COUNT, 0, 0) and all(f.stat().st_size == BIG for f in files), (counts, files)
    await asyncio.to_thread(shutil.rmtree, folder)
    return stall, meter.busy_ms, took


async def measure(repeats: int, out: Path, profile_if_missed: bool) -> dict:
    studio, job_id = await window_with_approved_job("B0BENCHBIG", COUNT)
    window = studio.window
    meter = StallMeter()
    await export_once(window, job_id, out / "warm", meter)  # first use of the dialog, the cache files read once
    result = await paired_runs(lambda tag: export_once(window, job_id, out / f"e{tag}", meter), meter, repeats,
                               profile_if_missed)
    await studio.aclose()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 repeats instead of 5")
    args = parser.parse_args()
    repeats = 3 if args.quick else 5
    import qasync
    from PySide6.QtWidgets import QApplication

    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update({k: v for k, v in cli_env(Path(tmp) / "data", BIG).items() if k != "PYTHONPATH"},
                          LISTING_STUDIO_POLL_INTERVAL="0.05")
        out = Path(tmp) / "out"
        out.mkdir()
        app = QApplication.instance() or QApplication([])
        with asyncio.Runner(loop_factory=qasync.QEventLoop) as runner:
            r = runner.run(measure(repeats, out, profile_if_missed=True))
        del app
    floors, stalls, busy, secs = r["floors"], r["stalls"], r["busy"], r["secs"]
    median, floor = statistics.median(stalls), statistics.median(floors)
    print(f"idle noise floor: median {floor:.1f} ms (spread {spread(floors)}); exporting: median {median:.1f} ms "
          f"(spread {spread(stalls)}), the GUI thread's own CPU time in it {spread(busy)} ms; export "
          f"{statistics.median(secs):.2f} s (spread {spread(secs)})")
    detail = (f"longest GUI stall from the click on Export to the dialog's done signal, {COUNT} approved images of "
              f"95 MB ({COUNT * BIG / 1e6:.0f} MB), each export into a fresh folder: median {median:.1f} ms (spread "
              f"{spread(stalls)}, {repeats} runs), the GUI thread's own CPU in it {spread(busy)} ms; idle floor "
              f"{floor:.1f} ms (spread {spread(floors)}), paired and alternating; export "
              f"{statistics.median(secs):.2f} s; `python bench/large_export_stall.py`")
    record_stall(NAME, GOAL, median, detail, r["stacks"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
