"""Batch pacing benchmark: ``.venv/bin/python bench/batch_floor.py [--rows 60] [--window 6]``.

A batch of N ASINs (default 60) runs through ``listing-studio batch`` against the loopback sandbox with
the rate windows scaled down: L = 10 submissions per W = 6 s "minute" (the sandbox's fixed window and
the client's LISTING_STUDIO_MINUTE_WINDOW alike).

The rate-limit floor is the least time any client could take:

    floor = (ceil(N / L) - 1) * W  +  D

(ceil(N / L) - 1) full windows must pass between the first and the last submission, and the last job
then needs D = the sandbox's job duration (pending + processing) before its images exist. Reported:

* wall time / floor, wall time being the whole command (process start to exit: submissions, polling,
  downloads of every image, export) (goal <= 1.05);
* submission span / ((ceil(N / L) - 1) * W): first to last POST, from the journal's intent times;
* the number of 429 answers the sandbox sent (goal 0) and the jobs it created (must be N).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import record  # noqa: E402
from desktop_app.sandbox.pixii.emulator import PixiiEmulator  # noqa: E402
from desktop_app.sandbox.server import serve  # noqa: E402

KEY = "pk_test_benchBatchFloor1"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=60)
    parser.add_argument("--limit", type=int, default=10, help="submissions per window")
    parser.add_argument("--window", type=float, default=6.0, help="the scaled 'minute', in seconds")
    parser.add_argument("--type", default="amazon_main_images")
    parser.add_argument("--pending", type=float, default=0.05)
    parser.add_argument("--processing", type=float, default=0.3)
    parser.add_argument("--poll", type=float, default=0.25, help="LISTING_STUDIO_POLL_INTERVAL")
    args = parser.parse_args()

    emu = PixiiEmulator()
    emu.configure(minute_limit=args.limit, minute_window_seconds=args.window, pending_seconds=args.pending,
                  processing_seconds=args.processing)
    server = serve(emu, port=0).start()
    try:
        with tempfile.TemporaryDirectory(prefix="batch-floor-") as tmp:
            tmpdir = Path(tmp)
            csv = tmpdir / "rows.csv"
            csv.write_text("".join(f"B0FLR{i:05d}\n" for i in range(args.rows)))
            env = {k: v for k, v in os.environ.items() if not k.startswith(("PIXII_", "LISTING_STUDIO_"))}
            env.update(PIXII_API_KEY=KEY, LISTING_STUDIO_API_URL=server.url, LISTING_STUDIO_DATA_DIR=str(tmpdir / "d"),
                       LISTING_STUDIO_POLL_INTERVAL=str(args.poll), LISTING_STUDIO_MINUTE_WINDOW=str(args.window))
            started = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "desktop_app.cli", "batch", str(csv), "--country", "US",
                                   "--type", args.type, "--export", str(tmpdir / "out"), "--json"],
                                  env=env, cwd=ROOT, capture_output=True, text=True, timeout=3600)
            wall = time.monotonic() - started
            conn = sqlite3.connect(tmpdir / "d" / "journal.sqlite")
            first, last = conn.execute("SELECT MIN(created_at), MAX(created_at) FROM intents").fetchone()
            conn.close()
            exported = sum(1 for _ in (tmpdir / "out").iterdir())
        stats = emu.stats()
    finally:
        server.stop()
    if proc.returncode != 0:
        print(f"batch failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}", file=sys.stderr)
        return 1
    result = json.loads(proc.stdout)
    windows = math.ceil(args.rows / args.limit) - 1
    duration = args.pending + args.processing
    floor = windows * args.window + duration
    span = last - first
    print(f"rows: {args.rows} ({args.type}), limit {args.limit} per {args.window:g} s, "
          f"job duration {duration:g} s, poll {args.poll:g} s")
    print(f"completed: {result['completed']}/{args.rows}, files exported: {exported}, "
          f"jobs created: {stats['jobs_created']}")
    print(f"floor: ({math.ceil(args.rows / args.limit)} - 1) x {args.window:g} s + {duration:g} s = {floor:.2f} s")
    print(f"wall time: {wall:.2f} s  ->  wall / floor = {wall / floor:.3f}  (goal <= 1.05)")
    if windows:
        print(f"submission span: {span:.2f} s  ->  span / {windows * args.window:g} s = "
              f"{span / (windows * args.window):.3f}")
    print(f"429 responses: {stats['rate_limited']}  (goal 0)")
    name = f"batch ÷ rate-limit floor ({args.rows} rows, {args.limit} per {args.window:g} s)"
    record(name, wall / floor, "≤ 1.05", f"wall {wall:.2f} s, floor {floor:.2f} s, submission span {span:.2f} s, "
           f"429s: {stats['rate_limited']}, completed {result['completed']}/{args.rows}")
    record(f"429s in a {args.rows}-row batch", float(stats["rate_limited"]), "0",
           f"{stats['jobs_created']} jobs created for {args.rows} rows")
    ok = result["completed"] == args.rows and stats["jobs_created"] == args.rows and stats["rate_limited"] == 0
    return 0 if ok and wall / floor <= 1.05 else 1


if __name__ == "__main__":
    sys.exit(main())
