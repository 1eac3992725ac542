"""The batch runner (Qt-free, asyncio), shared by ``listing-studio batch`` and the window.

Rows are submitted in file order through the proactive limiter and :meth:`JobService.submit` (intent
first, reconciliation of lost answers; the intent carries the batch id and line). One poll loop runs
alongside over the active jobs only (each needs the job's poll lease, so a second instance on the same
data dir never polls it too). A job's images are downloaded into the cache as soon as it completes,
then exported (with ``export_dir``: flat, named as for ``generate``; when two rows would write the same
names, the later row's files go into ``DIR/line-N/``). Re-running a batch resumes it: rows with a job
are never submitted again, cached images are not downloaded again, and a file already exported with
the very same bytes counts as exported.

The batch's lease and what the runner reads and writes in the journal (on the store worker's thread) are in
:mod:`desktop_app.core.batch.bookkeeping`.

Stops: the daily limit and UNAUTHORIZED / INSUFFICIENT_CREDITS / NO_ACTIVE_BRAND stop submitting (what
was submitted is still polled and exported); a service unreachable after retries stops everything.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Callable, TypeVar

from desktop_app.api.errors import (ApiError, ApiRefused, InsufficientCredits, JobNotFound, NoActiveBrand, RateLimited,
                                    Unauthorized)
from desktop_app.core.batch.bookkeeping import (BatchBusy, claim, job_and_images, on_batches, release, renew,
                                                rows_before)
from desktop_app.core.batch.export import BatchExporter
from desktop_app.core.batch.rows import ParsedBatch
from desktop_app.core.batch.progress import (ACTIVE, DONE, FAILED, FINISHING, QUEUED, SUBMITTING, BatchProgress,
                                             BatchResult, RowState)
from desktop_app.store.batches import CANCELLED, FINISHED, PAUSED, RUNNING, STOPPED
from desktop_app.core.batch.store import BatchStore
from desktop_app.core.jobs.service import JobService
from desktop_app.core.jobs.submission_limiter import SubmissionLimiter
from desktop_app.store.inline import land

log = logging.getLogger(__name__)

STOPPING_REFUSALS = (Unauthorized, InsufficientCredits, NoActiveBrand)
POLL_CONCURRENCY = 8
FINISH_CONCURRENCY = 3

T = TypeVar("T")


class BatchRunner:
    def __init__(self, jobs: JobService, batch: ParsedBatch, *, limiter: SubmissionLimiter | None = None,
                 export_dir: Path | None = None, naming: str | None = None, source: str = "",
                 on_progress: Callable[[BatchProgress], None] | None = None,
                 on_row: Callable[[RowState], None] | None = None) -> None:
        self.jobs = jobs
        self.batch = batch
        self.limiter = limiter or jobs.limiter or SubmissionLimiter(jobs.journal, jobs.service,
                                                                    jobs.client.rate_limits, store=jobs.store)
        self.export_dir = export_dir
        self.naming = naming
        self.source = source
        self.on_progress = on_progress
        self.on_row = on_row
        self.rows = [RowState(r) for r in batch.rows]
        self._running = asyncio.Event()
        self._running.set()
        self.held = asyncio.Event()  # set while paused with nothing in flight: no submission can start then
        self._cancelled = False
        self._interrupted = False                     # the run's task was cancelled (Ctrl+C, SIGTERM, quitting)
        self._stop: tuple[str, str] | None = None     # stops submitting
        self._fatal: ApiError | None = None           # stops everything
        self._finishing: set[asyncio.Task] = set()
        self._wake = asyncio.Event()
        self._finish_gate = asyncio.Semaphore(FINISH_CONCURRENCY)
        self._durations: list[float] = []
        self._exporter = BatchExporter(jobs, batch.rows, export_dir, naming)
        self._writes: set[asyncio.Task] = set()       # state changes on their way to the journal

    async def _batches(self, work: Callable[[BatchStore], T]) -> T:
        """``work`` on the journal's batches, through the job service's store (the window's worker, or at once)."""
        return await land(self.jobs.store, on_batches, work)

    def _note_state(self, state: str) -> None:
        """Record the batch's state from a control (pause, resume), without waiting for the journal."""
        task = asyncio.ensure_future(self._batches(lambda b: b.set_state(self.batch.batch_id, state)))
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)

    # --- controls (from the window, or a signal handler) ---------------------------------------------

    def pause(self) -> None:
        """Stop submitting new rows (submitted jobs are still polled and downloaded)."""
        self._running.clear()
        self._note_state(PAUSED)
        self._report()

    def resume(self) -> None:
        self._running.set()
        self._note_state(RUNNING)
        self._report()

    def cancel(self) -> None:
        """Stop submitting and stop polling; the jobs already submitted stay in the journal."""
        self._cancelled = True
        self._running.set()
        self._wake.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def _halted(self) -> bool:
        return self._cancelled or self._stop is not None or self._fatal is not None

    # --- progress ------------------------------------------------------------------------------------

    def progress(self) -> BatchProgress:
        phases = [r.phase for r in self.rows]
        submitted = sum(1 for r in self.rows if r.job_id)
        remaining = sum(1 for r in self.rows if r.phase == QUEUED and not r.error)
        active = sum(1 for p in phases if p in (ACTIVE, FINISHING, SUBMITTING))
        return BatchProgress(len(self.rows), submitted, phases.count(DONE), phases.count(FAILED), remaining,
                             active, self._eta(remaining, active), self.paused,
                             self._stop[0] if self._stop else None)

    def _eta(self, remaining: int, active: int) -> float | None:
        job = sum(self._durations) / len(self._durations) if self._durations else None
        if remaining:
            if self.limiter.seen is None:  # the limiter's log not read yet
                return None
            try:
                forecast = self.limiter.forecast(remaining, seen=self.limiter.seen).seconds
            except ApiError:
                return None
            return forecast + (job or 0.0)
        if not active:
            return 0.0
        if job is None:
            return None
        now = time.monotonic()
        left = [job - (now - r.submitted_at) for r in self.rows if r.phase == ACTIVE and r.submitted_at]
        return max([0.0, *left])

    def _report(self, row: RowState | None = None) -> None:
        if row is not None and self.on_row:
            self.on_row(row)
        if self.on_progress:
            self.on_progress(self.progress())

    # --- run -----------------------------------------------------------------------------------------

    @property
    def _lease(self) -> str:
        return f"batch:{self.batch.batch_id}"

    async def run(self) -> BatchResult:
        """Run to the end (or the stop). Raises BatchBusy if another instance runs this batch. Cancelling the
        task stops submitting at once (a POST on the wire is finished or left ambiguous, see .submit) and
        polling; :meth:`result` then tells where the batch stands."""
        claimed, holder = await land(self.jobs.store, claim, self.jobs.leases, self._lease)
        if not claimed:
            raise BatchBusy(self.batch.batch_id, holder)
        self.jobs.limiter = self.limiter
        await self._batches(lambda b: (b.save(self.batch, self.jobs.service, self.source),
                                       b.set_state(self.batch.batch_id, RUNNING)))
        submitter: asyncio.Task | None = None
        try:
            await self.jobs.reconcile()  # lost answers of earlier runs first: a row with a job is never resent
            await self._load()
            submitter = asyncio.create_task(self._submit_loop())
            await self._poll_loop(submitter)
        except ApiError as exc:
            self._fail(exc)
        except asyncio.CancelledError:
            self._interrupted = self._cancelled = True
            raise
        finally:
            await self._wind_down(submitter)
        return self.result()

    async def _wind_down(self, submitter: asyncio.Task | None) -> None:
        """Everything still running stops: the submission on the wire is finished within its grace or left
        ambiguous (see .submit), no other one starts. Leases are given back so another instance can poll at once;
        the batch's state is recorded."""
        tasks = [t for t in [submitter, *self._finishing] if t is not None and not t.done()]
        for task in tasks:
            task.cancel()
        try:
            await asyncio.gather(*tasks, *self._writes, return_exceptions=True)
        finally:  # only this batch's leases: the same JobService may be waiting on other jobs
            await self._take_recorded_jobs()
            await land(self.jobs.store, release, self.jobs.leases,
                       [self._lease, *(r.job_id for r in self.rows if r.job_id)])
            state, code = self._state()
            await self._batches(lambda b: b.set_state(self.batch.batch_id, state, code))

    async def _take_recorded_jobs(self) -> None:
        """A row whose POST was on the wire when the run stopped: the job its grace recorded in the journal, so
        the result counts every job paid for."""
        recorded = await self._batches(lambda b: b.submissions(self.batch.batch_id))
        for row in self.rows:
            sub = recorded.get(row.line)
            if not row.job_id and sub is not None and sub.job_id:
                row.job_id, row.phase = sub.job_id, ACTIVE

    def result(self) -> BatchResult:
        """Where the batch stands (the state :meth:`run` records when it ends)."""
        code, message = self._outcome()
        return BatchResult(self.batch.batch_id, self.rows, self.progress(), code, message, self._fatal)

    def _outcome(self) -> tuple[str | None, str | None]:
        code, message = (self._stop or (None, None))
        if self._fatal is not None:
            code, message = self._fatal.code, self._fatal.message
        elif self._interrupted:
            code, message = "INTERRUPTED", "The batch was interrupted"
        elif self._cancelled:
            code, message = "CANCELLED", "The batch was cancelled"
        return code, message

    def _state(self) -> tuple[str, str | None]:
        """The batch's state as the journal keeps it, and its stop code."""
        code, _ = self._outcome()
        state = CANCELLED if self._cancelled and not self._interrupted else STOPPED if code else FINISHED
        if state == FINISHED and any(r.phase != DONE and r.phase != FAILED for r in self.rows):
            state = STOPPED
        return state, code

    async def _load(self) -> None:
        done_before, records = await self.jobs.store.call(rows_before, self.batch.batch_id)
        await self.limiter.look()
        for row in self.rows:
            sub = done_before.get(row.line)
            if sub is None or not sub.job_id:
                continue
            row.job_id = sub.job_id
            record = records.get(sub.job_id)
            row.status = record.status if record else None
            row.phase = ACTIVE
            if record is not None and record.terminal:
                self._start_finish(row)
        self._report()

    def _fail(self, exc: ApiError) -> None:
        if self._fatal is None:
            self._fatal = exc
        self._wake.set()

    def _stop_submitting(self, code: str, message: str) -> None:
        if self._stop is None:
            self._stop = (code, message)
        self._wake.set()

    # --- submissions ---------------------------------------------------------------------------------

    async def _submit_loop(self) -> None:
        try:
            for row in self.rows:
                if row.phase != QUEUED:
                    continue
                if not await self._ready():
                    return
                await self._submit(row)
        except RateLimited as exc:
            if not exc.daily:
                raise
            self._stop_submitting(exc.code, exc.message)
        except ApiError as exc:
            self._fail(exc)
        finally:
            self._wake.set()

    async def _ready(self) -> bool:
        while True:
            if not self._running.is_set():
                self.held.set()
            await self._running.wait()
            self.held.clear()
            if self._halted:
                return False
            if await self.limiter.wait_ready(lambda: self._halted or self.paused):
                return True

    async def _submit(self, row: RowState) -> None:
        row.phase = SUBMITTING
        try:
            record = await self.jobs.submit(row.row.request, batch_id=self.batch.batch_id, batch_line=row.line)
        except STOPPING_REFUSALS as exc:
            row.phase = QUEUED
            self._stop_submitting(exc.code, exc.message + (f" ({exc.detail})" if exc.detail else ""))
            return
        except RateLimited:
            row.phase = QUEUED
            raise
        except ApiRefused as exc:  # this row only (VALIDATION_ERROR …): the batch goes on
            row.phase, row.error = FAILED, (exc.code, exc.message + (f" ({exc.detail})" if exc.detail else ""))
            self._report(row)
            return
        except BaseException:
            row.phase = QUEUED
            raise
        row.job_id, row.status, row.phase = record.job_id, record.status, ACTIVE
        row.submitted_at = time.monotonic()
        self._report(row)
        if record.terminal:
            self._start_finish(row)

    # --- polling -------------------------------------------------------------------------------------

    async def _poll_loop(self, submitter: asyncio.Task) -> None:
        gate = asyncio.Semaphore(POLL_CONCURRENCY)
        while not self._cancelled and self._fatal is None:
            await self.jobs.store.call(renew, self.jobs.leases, self._lease)  # this instance still runs the batch
            await self.limiter.look()  # the time left, from the submission log as it is now
            active = [r for r in self.rows if r.phase == ACTIVE]
            if active:
                await asyncio.gather(*(self._poll(r, gate) for r in active))
            if self._fatal is not None or self._cancelled:
                return
            busy = any(r.phase in (ACTIVE, SUBMITTING) for r in self.rows) or self._finishing
            if submitter.done() and not busy:
                return
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.jobs.poll_interval)
            except TimeoutError:
                pass

    async def _poll(self, row: RowState, gate: asyncio.Semaphore) -> None:
        async with gate:
            if self._fatal is not None or row.phase != ACTIVE:
                return
            try:
                record = await self.jobs.poll_once(row.job_id)  # type: ignore[arg-type]
            except JobNotFound as exc:
                row.phase, row.error = FAILED, (exc.code, exc.message)
                self._report(row)
                return
            except ApiError as exc:
                self._fail(exc)
                return
        if record is not None and record.status != row.status:
            row.status = record.status
            self._report(row)
        if record is not None and record.terminal:
            if row.submitted_at is not None:
                self._durations.append(time.monotonic() - row.submitted_at)
            self._start_finish(row)

    # --- results -------------------------------------------------------------------------------------

    def _start_finish(self, row: RowState) -> None:
        row.phase = FINISHING
        task = asyncio.create_task(self._finish(row))
        self._finishing.add(task)

        def done(t: asyncio.Task) -> None:
            self._finishing.discard(t)
            self._wake.set()
        task.add_done_callback(done)

    async def _finish(self, row: RowState) -> None:
        job_id = row.job_id
        assert job_id is not None
        async with self._finish_gate:
            try:
                record, images = await self.jobs.store.call(job_and_images, job_id)
                if record is None or record.status == "failed":
                    row.job_error = record.error_code if record else None
                    code = row.job_error or "JOB_FAILED"
                    row.phase, row.error = FAILED, (code, f"job {job_id} failed: {code}")
                    return
                if not images:  # finished, but its output was never read
                    await self.jobs.refresh(job_id)
                await self.jobs.download_images(job_id)
                row.images = (await self._exporter.export(row.row, job_id) if self.export_dir
                              else await self.jobs.read_outcomes(job_id))
                bad = [i for i in row.images if i.error_code]
                if bad:
                    row.phase, row.error = FAILED, ("PARTIAL", f"{len(bad)} of {len(row.images)} images failed: "
                                                    + "; ".join(f"#{i.index} {i.error_code}" for i in bad))
                else:
                    row.phase = DONE
            except asyncio.CancelledError:
                row.phase = ACTIVE
                raise
            except Exception as exc:  # a local failure (disk, folder gone): this row fails, the batch goes on
                log.exception("finishing job %s failed", job_id)
                row.phase, row.error = FAILED, ("EXPORT_FAILED", f"could not store the results: {exc}")
            finally:
                if row.phase != ACTIVE:
                    self._report(row)

