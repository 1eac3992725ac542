"""Kill -9 trials (a CI-sized sample; ``bench/reliability.py`` runs the full count): generate and batch
are SIGKILLed at seeded random moments and recovered while ``jobs`` runs over and over and a second
generate/batch submits on the same data dir; no job id is lost and nothing is paid twice."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))

from killtrials import run_trials, summary  # noqa: E402

SEEDS = list(range(1, 9))


def test_kill_trials_lose_nothing_and_never_submit_twice(tmp_path):
    results = run_trials(SEEDS, tmp_path)
    report = summary(results)
    assert sum(len(r.lost) for r in results) == 0, report
    assert sum(r.duplicates for r in results) == 0, report
    assert all(r.ok for r in results), report
    assert sum(r.kills for r in results) >= len(SEEDS), report  # the trials did kill
    assert {r.scenario.split(" ")[0] for r in results} == {"generate", "batch"}
    assert sum(r.companion_runs for r in results) >= 3 * len(SEEDS), report  # jobs ran alongside
    assert sum(r.companion_kills for r in results) >= 1, report
