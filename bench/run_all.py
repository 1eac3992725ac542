"""Run every benchmark under bench/ and write bench/RESULTS.md (machine, date, table of ratios).

    make bench        (or: .venv/bin/python bench/run_all.py)
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import RESULTS_JSON, ROOT, machine  # noqa: E402

BENCHES = ["startup.py", "first_paint.py", "gui_load.py", "export_cli_vs_cp.py", "window_export_vs_cp.py",
           "big_images_rss.py", "poll_cycle.py", "batch_floor.py", "reliability.py",
           "publish_cycle.py", "jobs_table.py",
           "locked_journal.py", "batch_beside_window.py", "large_export_stall.py", "large_publish_stall.py"]


def main() -> int:
    if "--table-only" in sys.argv:  # rewrite RESULTS.md from the figures already recorded
        return write_table([])
    RESULTS_JSON.unlink(missing_ok=True)
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    failed = []
    for name in BENCHES:
        path = ROOT / "bench" / name
        if not path.exists():
            continue
        print(f"== {name}", flush=True)
        if subprocess.run([sys.executable, str(path)], env=env, cwd=ROOT).returncode != 0:
            failed.append(name)
    return write_table(failed)


def write_table(failed: list[str]) -> int:
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    lines = ["# Benchmark results", "",
             f"Machine: {machine()}  ", f"Date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}  ",
             "Command: `make bench`", "", "| measure | ratio | goal | detail |", "| --- | --- | --- | --- |"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['ratio']:.3g} | {r['goal']} | {r['detail']} |")
    if failed:
        lines += ["", "Failed: " + ", ".join(failed)]
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines) + "\n")
    print((ROOT / "bench" / "RESULTS.md").read_text())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
