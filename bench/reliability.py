"""Kill -9 reliability benchmark: ``.venv/bin/python bench/reliability.py [--trials N] [--seed S]``.

Runs N (default 50) seeded trials of bench/killtrials.py: ``generate`` or ``batch`` against the loopback
sandbox, SIGKILLed at random moments and recovered until done, while ``jobs`` and a second generate/batch
run (and are killed) on the same data dir. Prints the figures: SIGKILLs and where
they landed, lost job ids (goal 0), duplicate submissions (goal 0), 429s, failed trials. Exit status 1
if any trial lost a job, paid twice or left a bad file.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from killtrials import ROOT, run_trials, summary  # noqa: E402

sys.path.insert(0, str(ROOT))
from bench.common import record  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1000, help="first seed (trial i uses seed + i)")
    args = parser.parse_args()
    started = time.monotonic()
    results = run_trials([args.seed + i for i in range(args.trials)])
    print(summary(results))
    print(f"wall time: {time.monotonic() - started:.1f} s")
    kills = sum(r.kills for r in results)
    detail = (f"{len(results)} seeded trials, {kills} SIGKILLs, {sum(r.companion_runs for r in results)} concurrent "
              f"jobs / second generate or batch runs on the same data dir ({sum(r.companion_kills for r in results)} "
              f"of them SIGKILLed), {sum(r.jobs_created for r in results)} jobs for "
              f"{sum(r.requests for r in results)} requests, {sum(not r.ok for r in results)} failed trials")
    record("kill -9 trials: lost job ids", float(sum(len(r.lost) for r in results)), "0", detail)
    record("kill -9 trials: duplicate submissions", float(sum(r.duplicates for r in results)), "0", detail)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
