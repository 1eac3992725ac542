"""The batch runner in-process against the sandbox: pacing without 429s, resume without paying twice,
stops, pause/resume, export folders, two instances on one journal."""

import asyncio
import time

import httpx
import pytest

from support.aio import run

from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.client import PixiiClient
from desktop_app.core.batch.rows import BatchRow, ParsedBatch, parse_batch
from desktop_app.core.batch.bookkeeping import BatchBusy
from desktop_app.core.batch.runner import BatchRunner
from desktop_app.core.images.cache import ImageCache
from desktop_app.core.jobs.service import JobService
from desktop_app.store.journal import Journal
from desktop_app.core.jobs.submission_limiter import Limits, SubmissionLimiter
from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.transport import SandboxTransport

KEY = "pk_live_batchRunnerKey7"
URL = "https://sandbox.invalid"


@pytest.fixture
def emu():
    e = PixiiEmulator(base_url=URL)
    e.configure(pending_seconds=0.02, processing_seconds=0.05, ads_per_type={"amazon_listing": 3})
    return e


class Counting(httpx.AsyncBaseTransport):
    def __init__(self, inner):
        self.inner, self.paths = inner, []

    async def handle_async_request(self, request):
        self.paths.append((request.method, request.url.path))
        return await self.inner.handle_async_request(request)


def service(emu, tmp_path, poll=0.02):
    transport = Counting(SandboxTransport(emu))
    http = httpx.AsyncClient(mounts={"all://sandbox.invalid": transport}, trust_env=False, timeout=2.0)
    client = PixiiClient(URL, KEY, http=http, give_up_after=1, backoff_base=0.01, backoff_cap=0.05)
    svc = JobService(client, Journal(tmp_path / "journal.sqlite"), ImageCache(tmp_path / "cache"), URL,
                     poll_interval=poll)
    return svc, transport


def rows_csv(n, prefix="B0BATCH", listing_type="amazon_listing"):
    return parse_batch("\n".join(f"{prefix}{i:03d}" for i in range(n)), country="US", listing_type=listing_type)



def test_rows_are_paced_by_the_limits_without_any_429(emu, tmp_path):
    emu.configure(minute_limit=4, minute_window_seconds=0.5)
    batch = rows_csv(10)
    seen = []

    async def main():
        svc, transport = service(emu, tmp_path)
        limiter = SubmissionLimiter(svc.journal, URL, svc.client.rate_limits, Limits(minute_window=0.5))
        runner = BatchRunner(svc, batch, limiter=limiter, on_progress=seen.append)
        started = time.monotonic()
        result = await runner.run()
        return result, time.monotonic() - started, transport

    result, elapsed, transport = run(main)
    assert result.stop_code is None and result.progress.completed == 10 and result.progress.failed == 0
    stats = emu.stats()
    assert stats["jobs_created"] == 10 and stats["rate_limited"] == 0
    assert elapsed >= 1.0  # 10 rows at 4 per 0.5 s: at least two full windows of waiting
    assert all(len(r.images) == 3 and all(i.file for i in r.images) for r in result.rows)
    assert any(p.eta and p.eta > 0 for p in seen) and seen[-1].remaining == 0
    # polling covers active jobs only: no GET of a job after it finished
    gets = [p for m, p in transport.paths if m == "GET" and p.startswith("/v1/api/jobs/")]
    assert len(gets) <= 10 * 12


def test_rerun_resumes_without_paying_or_downloading_twice(emu, tmp_path):
    batch = rows_csv(6)
    out = tmp_path / "out"

    async def first():
        svc, _ = service(emu, tmp_path)
        runner = BatchRunner(svc, batch, export_dir=out)

        def on_row(row):
            if sum(1 for r in runner.rows if r.job_id) >= 3:
                runner.cancel()
        runner.on_row = on_row
        return await runner.run()

    result = run(first)
    assert result.stop_code == "CANCELLED" and emu.stats()["jobs_created"] == 3

    async def again():
        svc, transport = service(emu, tmp_path)
        return await BatchRunner(svc, batch, export_dir=out).run(), transport

    result, transport = run(again)
    assert result.stop_code is None and result.progress.completed == 6
    assert emu.stats()["jobs_created"] == 6
    posts = [p for m, p in transport.paths if m == "POST"]
    assert len(posts) == 3

    async def third():
        svc, transport = service(emu, tmp_path)
        return await BatchRunner(svc, batch, export_dir=out).run(), transport

    result, transport = run(third)
    assert result.progress.completed == 6 and result.progress.failed == 0  # same bytes already exported: fine
    assert transport.paths == [] and emu.stats()["jobs_created"] == 6  # nothing sent, nothing downloaded


def test_daily_limit_stops_submitting_but_finishes_the_submitted(emu, tmp_path):
    emu.configure(day_limit=3)
    batch = rows_csv(5)

    async def main():
        svc, _ = service(emu, tmp_path)
        return await BatchRunner(svc, batch, export_dir=tmp_path / "out").run()

    result = run(main)
    assert result.stop_code == "RATE_LIMIT_DAY_EXCEEDED"
    p = result.progress
    assert (p.submitted, p.completed, p.remaining) == (3, 3, 2)
    assert emu.stats()["rate_limited"] == 0  # stopped on Remaining-Day 0, before any 429
    assert len(list((tmp_path / "out").iterdir())) == 9


@pytest.mark.parametrize("setup,code,completed", [
    ({"active_brand": False}, "NO_ACTIVE_BRAND", 0),
    ({"balance": 25}, "INSUFFICIENT_CREDITS", 2),
])
def test_refusals_that_stop_the_batch(emu, tmp_path, setup, code, completed):
    emu.configure(**setup)
    emu.configure(prices={"amazon_listing": 10})

    async def main():
        svc, _ = service(emu, tmp_path)
        return await BatchRunner(svc, rows_csv(4)).run()

    result = run(main)
    assert result.stop_code == code
    assert (result.progress.completed, result.progress.remaining) == (completed, 4 - completed)


def test_a_row_the_api_refuses_fails_alone(emu, tmp_path):
    rows = (BatchRow(1, ListingRequest("B0BATCH001", "US", "amazon_listing")),
            BatchRow(2, ListingRequest("B0BATCH002", "XX", "amazon_listing")),  # the service says 400
            BatchRow(3, ListingRequest("B0BATCH003", "US", "amazon_listing")))

    async def main():
        svc, _ = service(emu, tmp_path)
        return await BatchRunner(svc, ParsedBatch("batch_t", rows, (), (None, None))).run()

    result = run(main)
    assert result.stop_code is None
    assert [r.error[0] if r.error else None for r in result.rows] == [None, "VALIDATION_ERROR", None]
    assert (result.progress.completed, result.progress.failed) == (2, 1)


def test_pause_holds_submissions_and_resume_continues(emu, tmp_path):
    batch = rows_csv(4)

    async def main():
        svc, transport = service(emu, tmp_path)
        runner = BatchRunner(svc, batch)
        paused, first_done = asyncio.Event(), asyncio.Event()

        def on_row(row):
            if row.job_id and not paused.is_set():
                runner.pause()
                paused.set()
            if row.phase == "done":
                first_done.set()
        runner.on_row = on_row
        task = asyncio.create_task(runner.run())
        await paused.wait()
        # the first job runs to its end (polled, downloaded): time in which an unpaused batch sends the rest
        await asyncio.wait_for(first_done.wait(), timeout=20)
        await asyncio.wait_for(runner.held.wait(), timeout=20)  # the submitter is parked until resume()
        posts_while_paused = sum(1 for m, _ in transport.paths if m == "POST")
        assert runner.progress().paused
        runner.resume()
        result = await task
        assert not runner.held.is_set()
        return result, posts_while_paused

    result, posts = run(main)
    assert posts == 1 and result.progress.completed == 4


def test_failed_and_partial_rows(emu, tmp_path):
    emu.configure(ads_per_type={"amazon_listing": 5})
    batch = parse_batch("B0FAIL0001\nB0PART0001\nB0GOOD0001\n", country="US", listing_type="amazon_listing")

    async def main():
        svc, _ = service(emu, tmp_path)
        return await BatchRunner(svc, batch, export_dir=tmp_path / "out").run()

    result = run(main)
    codes = [(r.error[0] if r.error else None, r.job_error) for r in result.rows]
    assert codes == [("GENERATION_FAILED", "GENERATION_FAILED"), ("PARTIAL", None), (None, None)]
    assert (result.progress.completed, result.progress.failed) == (1, 2)


def test_two_instances_never_run_one_batch_or_poll_one_job(emu, tmp_path):
    emu.configure(pending_seconds=0.3)
    batch = rows_csv(2)

    async def main():
        a, ta = service(emu, tmp_path, poll=0.02)
        b, tb = service(emu, tmp_path, poll=0.02)
        running = asyncio.Event()  # the first instance holds the batch (it reports once it has loaded it)
        first = asyncio.create_task(BatchRunner(a, batch, on_progress=lambda _p: running.set()).run())
        await running.wait()
        with pytest.raises(BatchBusy):
            await BatchRunner(b, batch).run()
        job = await b.submit(ListingRequest("B0SHARED01", "US", "amazon_listing"))
        waits = await asyncio.gather(a.wait(job.job_id), b.wait(job.job_id))
        await first
        return waits, ta, tb, job.job_id

    waits, ta, tb, job_id = run(main)
    assert [w.status for w in waits] == ["completed", "completed"]
    path = f"/v1/api/jobs/{job_id}"
    polls = [sum(1 for m, p in t.paths if p == path) for t in (ta, tb)]
    assert min(polls) == 0 and max(polls) >= 5  # one instance polled, the other read the journal
    assert emu.stats()["jobs_created"] == 3
