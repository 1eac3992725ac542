"""Shared helpers for the benchmarks: timing and the RESULTS.md table."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_JSON = ROOT / "bench" / "results.json"


def median_time(fn, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run_timed(cmd: list[str], env: dict | None = None, repeat: int = 5) -> float:
    def once():
        subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=120)
    once()  # warm the file cache
    return median_time(once, repeat)


def record(name: str, ratio: float, goal: str, detail: str) -> None:
    """Print one result and keep it for bench/run_all.py's table."""
    print(f"{name}: {ratio:.3g} (goal {goal}) — {detail}")
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}
    results[name] = {"ratio": ratio, "goal": goal, "detail": detail}
    RESULTS_JSON.write_text(json.dumps(results, indent=2))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = float("nan")
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {sys.version.split()[0]}"
