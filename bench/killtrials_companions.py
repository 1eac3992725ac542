"""The processes that share a kill trial's data dir while its main command is killed and recovered:

* a loop of ``listing-studio jobs`` (which reconciles every orphaned submission it may settle), some of
  them SIGKILLed at a random moment, also in the middle of reconciling;
* a second submitter: beside a batch, a ``generate --no-wait`` (at times for one of the batch's ASINs, so
  that two processes send for one ASIN at once); beside a generate, a second batch of two rows. It is
  killed at most once and recovered like the main command.

Used by :mod:`killtrials`.
"""

from __future__ import annotations

import random
import sqlite3
import threading
from pathlib import Path
from typing import Any

COMPANION_RUNS = 12


def accepted_single(data: Path, asin: str) -> bool:
    """A submission outside any batch for ``asin`` has its job."""
    path = data / "journal.sqlite"
    if not path.exists():
        return False
    conn = sqlite3.connect(path, timeout=10)
    try:
        return bool(conn.execute("SELECT COUNT(*) FROM intents WHERE asin=? AND batch_id IS NULL AND state='accepted'",
                                 (asin,)).fetchone()[0])
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


class Companions:
    def __init__(self, trial: Any, env: dict[str, str], result: Any, scenario: str, asins: list[str]) -> None:
        self.trial, self.env, self.result = trial, env, result
        self.rng = random.Random(trial.seed * 7919 + 1)
        self.stop = threading.Event()
        if scenario == "batch":
            shared = self.rng.random() < 0.5
            self.requests = [asins[0] if shared else f"B0C{trial.seed:04d}001"]
            self.kind = "generate (shared ASIN)" if shared else "generate"
        else:
            self.requests = [f"B0D{trial.seed:04d}{i:03d}" for i in range(2)]
            self.kind = "batch"
        self.done = False
        self._threads = [threading.Thread(target=self._jobs_loop, daemon=True),
                         threading.Thread(target=self._second, daemon=True)]

    def start(self) -> "Companions":
        for thread in self._threads:
            thread.start()
        return self

    def finish(self) -> None:
        """Wait for the second submitter to be done, then stop the ``jobs`` loop."""
        self._threads[1].join()
        self.stop.set()
        self._threads[0].join()

    def _kill_at(self, chance: float) -> float | None:
        return self.rng.uniform(0.05, 1.2) if self.rng.random() < chance else None

    def _jobs_loop(self) -> None:
        while not self.stop.is_set():
            self.trial._run(["jobs"], self.env, self._kill_at(0.3), self.result, companion=True)

    def _second(self) -> None:
        killed = False
        for _ in range(COMPANION_RUNS):
            kill_at = None if killed else self._kill_at(0.5)
            killed = killed or kill_at is not None
            if self.kind == "batch":
                csv = self.trial.dir / "second.csv"
                csv.write_text("".join(f"{a},US,amazon_listing\n" for a in self.requests))
                code = self.trial._run(["batch", str(csv)], self.env, kill_at, self.result, companion=True)
                if code == 0:
                    self.done = True
                    return
            else:
                asin = self.requests[0]
                if accepted_single(self.trial.data, asin):
                    self.done = True
                    return
                self.trial._run(["generate", "--asin", asin, "--country", "US", "--type", "amazon_listing",
                                 "--no-wait"], self.env, kill_at, self.result, companion=True)
        self.done = self.kind != "batch" and accepted_single(self.trial.data, self.requests[0])
