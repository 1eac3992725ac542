"""A 30-row command-line batch against the data dir of an open window:
``.venv/bin/python bench/batch_beside_window.py [--quick]``.

The window and ``listing-studio batch`` share one data dir (one journal) and a loopback sandbox in its own
process (its "minute" scaled down to 1 s, so that 30 rows pass in seconds). While the batch runs — submitting,
polling, downloading and writing every step to the journal — a 1 ms timer measures the longest stall of the
window's GUI thread, paired with the same window idling for as long (the noise floor), alternately, REPEATS
times; median and spread.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import record  # noqa: E402
from bench.stallmeter import ROOT, StallMeter, idle_floor, run_beside_sandbox, spread  # noqa: E402

ROWS = 30
GOAL = "≤ 16 ms"


async def one_batch(csv: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """The batch from process start to exit: the longest GUI stall meanwhile (ms), the GUI thread's own CPU time
    in it (ms), and how long the batch ran (s)."""
    meter = StallMeter()
    meter.start()
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "desktop_app.cli", "batch", str(csv), "--country", "US", "--type",
        "amazon_main_images", env=env, cwd=str(ROOT), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE)
    _out, err = await proc.communicate()
    took = time.monotonic() - started
    stall = meter.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"the batch failed (exit {proc.returncode}): {err.decode()[-400:]}")
    return stall, meter.busy_ms, took


async def measure(repeats: int, tmp: Path) -> tuple[list[float], ...]:
    from desktop_app.ui.main.studio import Studio
    from desktop_app.config import load_settings

    studio = Studio(load_settings(read_keyring=False), notifier=False)
    resuming = studio.start()
    studio.window.resize(1280, 800)
    if resuming is not None:
        await resuming
    await asyncio.sleep(0.5)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    floors, stalls, busy, durations = [], [], [], []
    for r in range(repeats):
        csv = tmp / f"rows{r}.csv"
        csv.write_text("".join(f"B0BW{r:02d}{i:04d}\n" for i in range(ROWS)))
        stall, cpu, took = await one_batch(csv, env)
        stalls.append(stall)
        busy.append(cpu)
        durations.append(took)
        floors.append(await idle_floor(took))
    await studio.aclose()
    return floors, stalls, busy, durations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 repeats instead of 5")
    args = parser.parse_args()
    repeats = 2 if args.quick else 5
    floors, stalls, busy, durations = run_beside_sandbox(0.05, 0.2, 0.1, lambda tmp: measure(repeats, tmp))
    median, floor = statistics.median(stalls), statistics.median(floors)
    print(f"idle noise floor: median {floor:.1f} ms (spread {spread(floors)}); during the batch: median "
          f"{median:.1f} ms (spread {spread(stalls)}), the GUI thread's own CPU time in it {spread(busy)} ms; "
          f"batch {statistics.median(durations):.1f} s")
    detail = (f"longest GUI stall while a {ROWS}-row `listing-studio batch` ran on the window's data dir "
              f"({statistics.median(durations):.1f} s): median {median:.1f} ms (spread {spread(stalls)}, {repeats} "
              f"runs); idle floor {floor:.1f} ms (spread {spread(floors)})")
    if median > 16:
        detail = (f"not met: {detail}; in the longest stalls the GUI thread used only {spread(busy)} ms of CPU: it "
                  "was not running (2 cores shared by the batch, the sandbox process and other work), not working")
    record("30-row command-line batch against the same data dir while the window is open", median, GOAL, detail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
