"""Kill -9 trials: run ``generate`` and ``batch`` as separate processes against the loopback sandbox,
SIGKILL them at seeded random moments, recover as a user would (re-run the same batch command; for a
single job, ``jobs`` then ``export`` of the job it lists, or ``generate`` again when it lists none) until
the work is done, then check the invariants. While that runs, companions share the same data dir (see
:mod:`killtrials_companions`): ``listing-studio jobs`` run over and over (some of those SIGKILLed too, in the
middle of reconciling), and a second ``generate`` (beside a batch, at times for one of its ASINs) or a second
``batch`` (beside a generate), itself killed and recovered.

* 0 lost job ids: every job the sandbox created is in the journal;
* 0 duplicate submissions: the sandbox created exactly one job per distinct request;
* no job adopted by two submissions, and no submission left unsettled once every process has ended;
* every exported file is a complete, verified image (a kill in the middle of a write may leave a hidden
  ``.….part`` temp file, never a partial file under a real name; those are counted, and swept by age);
* no run crashed (exit 1, or a traceback on stderr).

Used by tests/integration/jobs/test_kill_trials.py (a few trials) and bench/reliability.py (the full count).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _path in (ROOT, Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from desktop_app.core.compliance import memo as memo  # noqa: E402
from desktop_app.core.images.check import ImageCheckError, verify_file  # noqa: E402
from killtrials_companions import Companions  # noqa: E402
from desktop_app.sandbox.pixii.emulator import PixiiEmulator  # noqa: E402
from desktop_app.sandbox.server import serve  # noqa: E402

KEY = "pk_test_killTrialKey0001"
ADS = 3
MAX_RUNS = 12
RUN_TIMEOUT = 60.0


@dataclass
class TrialResult:
    seed: int
    scenario: str
    requests: int                 # distinct requests (rows)
    runs: int = 0
    kills: int = 0
    jobs_created: int = 0
    lost: list[str] = field(default_factory=list)
    duplicates: int = 0
    rate_limited: int = 0
    kill_stages: list[str] = field(default_factory=list)
    stale_temp: int = 0           # hidden temp files left by a kill mid-write (swept after an hour)
    companion_runs: int = 0       # concurrent ``jobs`` and second generate/batch processes
    companion_kills: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.lost and self.duplicates == 0 and not self.problems


def _journal_jobs(data: Path) -> list[tuple[str, str]]:
    path = data / "journal.sqlite"
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=10)
    try:
        return conn.execute("SELECT job_id, asin FROM jobs").fetchall()
    except sqlite3.DatabaseError:
        return []
    finally:
        conn.close()


def _intent_problems(data: Path) -> tuple[list[str], int]:
    """Job ids held by more than one intent, and how many intents are still unresolved."""
    conn = sqlite3.connect(data / "journal.sqlite", timeout=10)
    try:
        shared = [r[0] for r in conn.execute("SELECT job_id FROM intents WHERE job_id IS NOT NULL"
                                             " GROUP BY job_id HAVING COUNT(*) > 1")]
        unsettled = conn.execute("SELECT COUNT(*) FROM intents WHERE state IN ('sending','ambiguous')").fetchone()[0]
        return shared, unsettled
    finally:
        conn.close()


class Trial:
    def __init__(self, seed: int, workdir: Path) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.dir = workdir / f"trial-{seed}"
        self.data = self.dir / "data"
        self.out = self.dir / "out"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._count = threading.Lock()

    def _env(self, url: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIXII_", "LISTING_STUDIO_"))}
        env.update(PIXII_API_KEY=KEY, LISTING_STUDIO_API_URL=url, LISTING_STUDIO_DATA_DIR=str(self.data),
                   LISTING_STUDIO_POLL_INTERVAL="0.05", LISTING_STUDIO_GIVE_UP_AFTER="5",
                   LISTING_STUDIO_MINUTE_WINDOW="1")
        return env

    def _run(self, args: list[str], env: dict[str, str], kill_at: float | None, result: TrialResult,
             companion: bool = False) -> int | None:
        """Exit code, or None when killed."""
        with self._count:
            if companion:
                result.companion_runs += 1
            else:
                result.runs += 1
            log = self.dir / f"run-{result.runs + result.companion_runs}.err"
        with open(log, "wb") as err:
            proc = subprocess.Popen([sys.executable, "-m", "desktop_app.cli", *args], env=env, cwd=ROOT,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
            try:
                proc.wait(timeout=kill_at if kill_at is not None else RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                if kill_at is None:
                    result.problems.append(f"{args[0]} did not end within {RUN_TIMEOUT:.0f} s")
                elif companion:
                    result.companion_kills += 1
                else:
                    result.kills += 1
                    result.kill_stages.append(self._stage())
                return None
        text = log.read_text(errors="replace")
        if proc.returncode == 1 or "Traceback" in text:
            result.problems.append(f"{args[0]} crashed (exit {proc.returncode}): {text.strip()[-300:]}")
        return proc.returncode

    def _stage(self) -> str:
        """What the killed process was doing, as far as the journal shows."""
        path = self.data / "journal.sqlite"
        if not path.exists():
            return "starting"
        conn = sqlite3.connect(path, timeout=10)
        try:
            def one(sql: str) -> int:
                return conn.execute(sql).fetchone()[0]
            if one("SELECT COUNT(*) FROM intents WHERE state IN ('sending','ambiguous')"):
                return "submitting"
            if one("SELECT COUNT(*) FROM jobs WHERE status NOT IN ('completed','failed')"):
                return "polling"
            if one("SELECT COUNT(*) FROM images WHERE url IS NOT NULL AND cache_path IS NULL AND error_code IS NULL"):
                return "downloading"
            if not one("SELECT COUNT(*) FROM jobs"):
                return "starting"
            return "exporting"
        except sqlite3.DatabaseError:
            return "starting"
        finally:
            conn.close()

    def _kill_moment(self, result: TrialResult, max_kills: int) -> float | None:
        """When to SIGKILL the next run (seconds after its start), or None to let it finish. The CLI
        needs about 0.3 s to start; a run lasts one to a few seconds."""
        if result.kills >= max_kills or (result.kills and self.rng.random() < 0.3):
            return None
        return self.rng.uniform(0.05, 1.5)

    def run(self, max_kills: int = 3, companions: bool = True) -> TrialResult:
        started = time.monotonic()
        rng = self.rng
        emu = PixiiEmulator()
        emu.configure(pending_seconds=rng.uniform(0.05, 0.4), processing_seconds=rng.uniform(0.1, 0.5),
                      ads_per_type={"amazon_listing": ADS}, minute_limit=rng.choice([4, 10]),
                      minute_window_seconds=1)
        scenario = "generate" if rng.random() < 0.35 else "batch"
        asins = [f"B0K{self.seed:04d}{i:03d}" for i in range(1 if scenario == "generate" else rng.randint(3, 7))]
        result = TrialResult(self.seed, scenario, len(asins))
        server = serve(emu, port=0).start()
        try:
            if rng.random() < 0.4:
                emu.add_fault(rng.choice(["reset_after_create", "timeout_after_create", "503", "reset"]),
                              path_prefix="/v1/api/listing_builder", method="POST", seconds=1.0)
            if rng.random() < 0.3:
                emu.add_fault("503", path_prefix="/v1/api/jobs/", method="GET", count=2)
            if rng.random() < 0.6:  # slow uploads: POSTs on the wire for a while before the service acts on them
                emu.add_fault("stall", path_prefix="/v1/api/listing_builder", method="POST",
                              count=rng.choice([2, 4, 0]), seconds=rng.uniform(0.2, 0.8))
            env = self._env(server.url)
            others = Companions(self, env, result, scenario, asins).start() if companions else None
            done = self._batch(asins, env, result, max_kills) if scenario == "batch" else \
                self._generate(asins[0], env, result, max_kills)
            if not done:
                result.problems.append(f"not done after {result.runs} runs")
            extra = 0
            if others is not None:
                others.finish()
                extra = len(others.requests)
                result.requests += extra
                result.scenario += f" + {others.kind}"
                if not others.done:
                    result.problems.append(f"the second {others.kind} was not done")
            if self._run(["jobs"], env, None, result, companion=True) != 0:  # every process has ended: settle
                result.problems.append("the final jobs run failed")
            self._check(emu, asins, result, extra)
        finally:
            server.stop()
            result.seconds = time.monotonic() - started
        return result

    def _batch(self, asins: list[str], env: dict[str, str], result: TrialResult, max_kills: int) -> bool:
        csv = self.dir / "rows.csv"
        csv.write_text("asin,country_code,listing_type\n" + "".join(f"{a},US,amazon_listing\n" for a in asins))
        for _ in range(MAX_RUNS):
            code = self._run(["batch", str(csv), "--export", str(self.out)], env,
                             self._kill_moment(result, max_kills), result)
            if code == 0:
                return True
        return False

    def _generate(self, asin: str, env: dict[str, str], result: TrialResult, max_kills: int) -> bool:
        for attempt in range(MAX_RUNS):
            if attempt:
                self._run(["jobs"], env, None, result)  # reconciles lost answers first
            known = [job_id for job_id, a in _journal_jobs(self.data) if a == asin]
            if known:
                args = ["export", known[0], str(self.out)]
            else:
                args = ["generate", "--asin", asin, "--country", "US", "--type", "amazon_listing",
                        "--export", str(self.out)]
            code = self._run(args, env, self._kill_moment(result, max_kills), result)
            if code == 0:
                return True
            if code == 5 and args[0] == "export":  # files of an earlier, killed export are already there
                return self._exported_complete([asin])
        return False

    def _exported_complete(self, asins: list[str]) -> bool:
        names = set(os.listdir(self.out)) if self.out.is_dir() else set()
        wanted = {f"{a}.MAIN.jpg" for a in asins} | {f"{a}.PT{i:02d}.png" for a in asins for i in range(1, ADS)}
        return wanted <= names

    def _check(self, emu: PixiiEmulator, asins: list[str], result: TrialResult, extra: int = 0) -> None:
        with emu.store.transaction() as state:
            created = set(state["jobs"])
            result.jobs_created = state["jobs_created"]
            result.rate_limited = state.get("rate_limited", 0)
        journal = {job_id for job_id, _ in _journal_jobs(self.data)}
        result.lost = sorted(created - journal)
        result.duplicates = result.jobs_created - len(asins) - extra
        shared, unsettled = _intent_problems(self.data)
        if shared:
            result.problems.append(f"jobs adopted by two submissions: {shared}")
        if unsettled:
            result.problems.append(f"{unsettled} submission(s) left unsettled after every process ended")
        if not self._exported_complete(asins):
            result.problems.append("exported files missing")
        for folder in (self.out, self.data / "cache"):
            for path in folder.rglob("*") if folder.is_dir() else []:
                if not path.is_file():
                    continue
                if path.name.startswith(".") and path.suffix == ".part":
                    result.stale_temp += 1
                    continue
                if path.name.endswith(memo.SUFFIX):  # an image's kept rule findings: whole JSON, never a torn file
                    try:
                        json.loads(path.read_text())
                    except (OSError, ValueError) as exc:
                        result.problems.append(f"bad findings file {path.name}: {exc}")
                    continue
                try:
                    verify_file(path)
                except ImageCheckError as exc:
                    result.problems.append(f"bad file {path.name}: {exc}")


def run_trials(seeds: list[int], workdir: Path | None = None, max_kills: int = 3,
               companions: bool = True) -> list[TrialResult]:
    with tempfile.TemporaryDirectory(prefix="kill-trials-") as tmp:
        base = Path(workdir or tmp)
        return [Trial(seed, base).run(max_kills, companions) for seed in seeds]


def summary(results: list[TrialResult]) -> str:
    kills = sum(r.kills for r in results)
    lost = sum(len(r.lost) for r in results)
    dups = sum(r.duplicates for r in results)
    failed = [r for r in results if not r.ok]
    scen = {s: sum(1 for r in results if r.scenario.split(" ")[0] == s) for s in ("generate", "batch")}
    stages: dict[str, int] = {}
    for r in results:
        for stage in r.kill_stages:
            stages[stage] = stages.get(stage, 0) + 1
    lines = [f"trials: {len(results)} ({scen['generate']} generate, {scen['batch']} batch), "
             f"SIGKILLs: {kills}, process runs: {sum(r.runs for r in results)}",
             f"concurrent processes on the same data dir (jobs, a second generate/batch): "
             f"{sum(r.companion_runs for r in results)} runs, {sum(r.companion_kills for r in results)} SIGKILLs",
             f"jobs created: {sum(r.jobs_created for r in results)} for {sum(r.requests for r in results)} requests",
             f"lost job ids: {lost}", f"duplicate submissions: {dups}",
             f"429s received: {sum(r.rate_limited for r in results)}",
             f"hidden temp files left by a kill mid-write: {sum(r.stale_temp for r in results)}",
             "kills by stage: " + ", ".join(f"{s} {n}" for s, n in sorted(stages.items())),
             f"failed trials: {len(failed)}", f"time: {sum(r.seconds for r in results):.1f} s"]
    for r in failed:
        lines.append(f"  seed {r.seed} ({r.scenario}): lost={r.lost} duplicates={r.duplicates} problems={r.problems}")
    return "\n".join(lines)
