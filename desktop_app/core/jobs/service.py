"""The job service shared by the window and the command line: submit (with intent and
reconciliation), refresh, poll, download into the cache, export. Qt-free.

Submitting, polling, refreshing, downloading and exporting reach the journal through ``self.store``
(:mod:`desktop_app.store.inline`): at once for the command line, on the store worker's thread in the window (see
:meth:`JobService.use_store`), so that a journal locked by another process never freezes the window."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from desktop_app.api.download import DownloadError, HopRule, Resolver, fetch_to
from desktop_app.api.errors import BadResponse, JobNotFound, Unreachable
from desktop_app.api.pixii.models import Job, ListingRequest
from desktop_app.api.pixii.client import PixiiClient
from desktop_app.api.urls import is_loopback_host
from desktop_app.core.images.cache import ImageCache
from desktop_app.core.jobs.expiry import likely_expired
from desktop_app.core.housekeeping import sweep_stale_temp
from desktop_app.core.images.export import ExportItem, check_export_dir, export_images
from desktop_app.core.compliance.memo import judge_arrival
from desktop_app.core.images.check import ImageCheckError, verify_file
from desktop_app.core.validation import InputError
from desktop_app.store.inline import InlineStore, Store
from desktop_app.store.journal import ImageRecord, Intent, JobRecord, Journal
from desktop_app.core.jobs.lease import PollLeases, SubmissionOwner
from desktop_app.core.jobs.outcomes import ImageOutcome, image_outcomes as _outcomes
from desktop_app.core.jobs.submit import SUBMIT_GRACE, Submitter

log = logging.getLogger(__name__)

SUBMIT_ATTEMPTS = 3      # POSTs tried for one request when each outcome stays unknown
DOWNLOAD_CONCURRENCY = 4


class JobService:
    def __init__(self, client: PixiiClient, journal: Journal, cache: ImageCache, service: str, *,
                 poll_interval: float = 5.0, resolve: Resolver | None = None,
                 on_job: Callable[[JobRecord], None] | None = None, owner: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        from desktop_app.core.jobs.submission_limiter import SubmissionLimiter
        self.client = client
        self.journal = journal
        self.cache = cache
        self.service = service
        self.poll_interval = poll_interval
        self.on_job = on_job  # told of every change of a job (the window, the command line's progress)
        # Optional proactive pacing of POSTs (batches set one); this instance owns the submissions it sends
        # and the poll leases it holds (two instances on one data dir never poll the same job).
        self.limiter: SubmissionLimiter | None = None
        self.owner = SubmissionOwner(journal, owner=owner, clock=clock)
        self.leases = PollLeases(journal, ttl=max(20.0, 4 * poll_interval), owner=self.owner.owner, clock=clock)
        self.store: Store = InlineStore(journal)
        self.submitter = Submitter(client, self.store, service, self.owner, self._notify)
        self._swept_cache = False
        # where image links may lead: loopback and private hosts only when the API itself is on loopback
        self.hop_rule = HopRule(local_ok=is_loopback_host(urlsplit(client.base_url).hostname), resolve=resolve)

    def use_store(self, store: Store) -> None:
        """Reach the journal through ``store`` when submitting, polling, refreshing, downloading and exporting (the
        window's store worker: ``await store.call(fn, *args)`` runs ``fn(journal, *args)`` on its own thread)."""
        self.store = self.submitter.store = store

    def _tell(self, record: JobRecord | None) -> JobRecord | None:
        if record and self.on_job:
            self.on_job(record)
        return record

    async def _notify(self, job_id: str) -> JobRecord | None:
        """Tell ``on_job`` of the job as the journal has it; told even when the caller is cancelled meanwhile (a
        job paid for just before a batch is stopped is still shown)."""
        read = asyncio.ensure_future(self.store.call(Journal.job, job_id))
        try:
            record = await asyncio.shield(read)
        except asyncio.CancelledError:
            read.add_done_callback(lambda f: None if f.cancelled() or f.exception() else self._tell(f.result()))
            raise
        return self._tell(record)

    # --- submissions (see .submit) -------------------------------------------------------------

    def stop_submitting(self) -> None:
        """No new POST starts from now on (Ctrl+C, SIGTERM, quitting); one on the wire is finished or
        left journalled as ambiguous."""
        self.submitter.stop()

    @property
    def sending(self) -> bool:
        """A POST is on the wire right now."""
        return self.submitter.sending

    async def reconcile(self, asin: str | None = None) -> list[tuple[Intent, str | None]]:
        """Resolve the submissions whose outcome is unknown (optionally only for ``asin``) that belong to this
        instance or to a process that has ended: adopt the service's matching job, or record that none was made."""
        return await self.submitter.reconcile(asin)

    async def submit(self, request: ListingRequest, *, batch_id: str | None = None,
                     batch_line: int | None = None) -> JobRecord:
        """Submit once, never twice: earlier submissions of the same request are settled first and the job
        one of them made is returned instead of paying again; a batch row that has a job is never sent again."""
        self.submitter.check()
        done = await self._settle_earlier(request, batch_id, batch_line)
        if done:
            return await self._notify(done)  # type: ignore[return-value]
        for _ in range(SUBMIT_ATTEMPTS):
            ticket = await self.limiter.acquire() if self.limiter else None
            try:
                self.submitter.check()
                intent = await self.submitter.add_intent(request, batch_id, batch_line)
                job_id = await self.submitter.send(intent)
            finally:
                if ticket is not None:
                    await self.limiter.done(ticket)  # type: ignore[union-attr]
            if job_id:
                return await self._notify(job_id)  # type: ignore[return-value]
        raise Unreachable("UNREACHABLE", "The service kept losing the answer to the submission; "
                          "nothing was created (checked with the service's job list)")

    async def _settle_earlier(self, request: ListingRequest, batch_id: str | None,
                              batch_line: int | None) -> str | None:
        """Settle the earlier submissions of this request first (lost answers, POSTs of ended processes,
        ones another live process is sending or settling): the job one of them made, or None when none did.
        Raises when they stay unsettled past the give-up time (nothing is sent then)."""
        deadline = time.monotonic() + self.submitter.settle_after + SUBMIT_GRACE
        said = False
        while True:
            await self.reconcile(request.asin)
            job_id = await self.submitter.earlier_job(request, batch_id, batch_line)
            if job_id:
                return job_id
            wait, pending = await self.submitter.settle_wait(request, batch_id, batch_line)
            if not pending:
                return None
            if time.monotonic() + wait > deadline:
                raise Unreachable("AMBIGUOUS_SUBMISSION", "An earlier submission of this request is not settled yet; "
                                  "nothing was sent (try again in a moment)")
            if not said:
                log.info("Waiting for an earlier submission of %s to settle", request.asin)
                said = True
            await asyncio.sleep(wait)

    # --- status --------------------------------------------------------------------------------

    async def refresh(self, job_id: str) -> JobRecord:
        """One GET of the job, recorded in the journal (an id not yet in the journal is added). An answer
        that is not a job (fields missing) is asked again, for up to the client's give-up time."""
        job: Job = await self._get_job(job_id)
        return self._tell(await self.store.call(_record_job, self.service, job))  # type: ignore[return-value]

    async def _get_job(self, job_id: str) -> Job:
        # the client's policy, stepping from the poll interval without jitter (a job's answer, not a crowd)
        attempts = self.client.retry.but(base=max(self.poll_interval, 0.05), jitter=False).start()
        while True:
            try:
                return await self.client.get_job(job_id)
            except BadResponse as exc:
                wait = attempts.next_wait()
                if not attempts.allows(wait):
                    raise Unreachable(exc.code, f"{exc.message} (gave up after retrying)", status=exc.status) from None
                log.info("Job %s: unusable answer (%s); asking again in %.1f s", job_id, exc.code, wait)
                await attempts.pause(wait)

    async def wait(self, job_id: str) -> JobRecord:
        """Poll until the job is completed or failed. Network trouble is retried inside the client
        for up to its give-up time, then :class:`Unreachable` is raised (the job stays journalled).
        Only the instance holding the job's poll lease polls; another one watches the journal."""
        try:
            while True:
                record = await self.poll_once(job_id)
                if record is not None and record.terminal:
                    return record
                await asyncio.sleep(self.poll_interval)
        finally:
            await self.store.call(_release, self.leases, job_id)

    async def poll_once(self, job_id: str) -> JobRecord | None:
        """One refresh if this instance holds (or can take) the job's poll lease, else the journal's
        record (which the holder keeps current). The lease is released once the job is terminal; a job
        the journal already shows finished is not asked for again."""
        known, claimed = await self.store.call(_known_or_claim, self.leases, job_id)
        if known is not None and known.terminal:
            return self._tell(known)
        if claimed:
            record = await self.refresh_or_journal(job_id)
            if record.terminal:
                await self.store.call(_release, self.leases, job_id)
            elif likely_expired(record):
                raise JobNotFound("JOB_NOT_FOUND", f"Job {job_id} expired at the service before it finished")
            return record
        return known

    async def refresh_or_journal(self, job_id: str) -> JobRecord:
        """Refresh; a finished (or expired) job the service no longer knows is served from the journal."""
        try:
            return await self.refresh(job_id)
        except JobNotFound:
            record = await self.store.call(Journal.job, job_id)
            if record is not None and (record.terminal or likely_expired(record)):
                return record
            raise

    # --- images --------------------------------------------------------------------------------

    async def download_images(self, job_id: str) -> None:
        """Download, verify and cache every image of the job not cached yet (each only once)."""
        pending = [img for img in await self.store.call(Journal.images, job_id) if img.url and not img.cached]
        if pending and not self._swept_cache:  # temp files of a killed earlier run
            self._swept_cache = True
            await asyncio.to_thread(sweep_stale_temp, self.cache.root, recursive=True)
        semaphore = asyncio.Semaphore(DOWNLOAD_CONCURRENCY)
        record = await self.store.call(Journal.job, job_id)
        listing_type = record.listing_type if record is not None else None

        async def one(index: int, url: str) -> None:
            async with semaphore:
                try:
                    with self.cache.incoming() as (tmp, sink):
                        fetched = await fetch_to(self.client.http, url, sink, self.hop_rule)
                        sink.close()
                        info = await asyncio.to_thread(verify_file, tmp)
                        cached = await asyncio.to_thread(self.cache.adopt, tmp, fetched.sha256, info)
                    if listing_type:  # judged once, now; export and the window read the findings back
                        await asyncio.to_thread(judge_arrival, cached.path, listing_type, index)
                except (DownloadError, ImageCheckError) as exc:
                    await self.store.call(Journal.set_image_error, job_id, index, exc.code, exc.message)
                except OSError as exc:
                    await self.store.call(Journal.set_image_error, job_id, index, "CACHE_FAILED",
                                          f"could not store the image: {exc.strerror or exc}")
                else:
                    await self.store.call(Journal.set_image_cached, job_id, index, cached.sha256, cached.ext,
                                          cached.path, info.width, info.height)
            await self._notify(job_id)  # each image shows up as soon as it is in (or has failed)

        await asyncio.gather(*(one(img.index, img.url) for img in pending if img.url))

    def outcomes(self, job_id: str, exported: dict[int, Path] | None = None,
                 export_errors: dict[int, tuple[str, str]] | None = None, *,
                 downloaded: bool = True) -> list[ImageOutcome]:
        """Per image: its error (service, download, check or export) or its file (the exported
        one when given, else the cached copy). ``downloaded=False``: the downloads were not tried, so an
        image not cached yet has neither error nor file."""
        return _outcomes(self.journal.images(job_id), exported, export_errors, downloaded)

    async def read_outcomes(self, job_id: str) -> list[ImageOutcome]:
        """:meth:`outcomes` of the downloaded images, read through ``self.store``."""
        return _outcomes(await self.store.call(Journal.images, job_id), None, None)

    async def export(self, job_id: str, dest: Path | str, naming: str, *, approved_only: bool = False,
                     overwrite: bool = False, progress: Callable[[int, int], None] | None = None,
                     make_dir: bool = False) -> list[ImageOutcome]:
        """Export the cached images (or only the approved ones) of a job into ``dest``. ``make_dir``: the folder is
        checked (made if missing, proven writable: :func:`check_export_dir`, whose ExportDirError is raised) in
        the same worker job as the copies."""
        job = functools.partial(_export_cached, dest=Path(dest), naming=naming, approved_only=approved_only,
                                overwrite=overwrite, progress=progress, make_dir=make_dir)
        return await asyncio.wrap_future(await self.store.call(_start_export, job_id, job))


_COPIERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="export")  # threads made on first use


def _start_export(journal: Journal, job_id: str, job: Callable[..., list[ImageOutcome]]) -> Future:
    """Read the job and its images and hand ``job(all_images, asin)`` to an export worker at once, from the
    journal's own thread: the copies start as soon as the journal has answered, not once the (window's) event
    loop has passed the answer on."""
    record, all_images = _job_and_images(journal, job_id)
    if record is None:
        raise JobNotFound("JOB_NOT_FOUND", f"Job {job_id} is not in the journal")
    if not record.asin:
        raise InputError("UNKNOWN_ASIN", f"Job {job_id} was not submitted from this computer, so its ASIN "
                         "(needed to name the files) is unknown")
    return _COPIERS.submit(job, all_images, record.asin)


def _export_cached(all_images: list[ImageRecord], asin: str, *, dest: Path, naming: str, approved_only: bool,
                   overwrite: bool, progress: Callable[[int, int], None] | None,
                   make_dir: bool = False) -> list[ImageOutcome]:
    """The whole export in one worker job: the folder (when asked), which images are cached (a stat each), the
    sweep of a killed earlier run's temp files, the copies, the outcomes. Blocking."""
    if make_dir:
        dest = check_export_dir(dest)
    cached = {img.index for img in all_images if img.cached}
    images = [img for img in all_images if img.index in cached and (img.review == "approved" or not approved_only)]
    items = [ExportItem(img.index, Path(img.cache_path), img.ext) for img in images]  # type: ignore[arg-type]
    sweep_stale_temp(dest, f".{asin}")
    results = export_images(items, asin, dest, naming, overwrite=overwrite, progress=progress)
    exported = {r.index: r.path for r in results if r.path is not None}
    errors = {r.index: (r.error_code, r.message or "") for r in results if r.error_code}
    return _outcomes(all_images, exported, errors, cached=cached)  # type: ignore[arg-type]



def _record_job(journal: Journal, service: str, job: Job) -> JobRecord | None:
    """The service's answer about ``job`` into the journal (added when not known yet); the journal's record."""
    if journal.job(job.id) is None:
        journal.add_known_job(service, job)
    else:
        journal.update_job(job)
    return journal.job(job.id)


def _known_or_claim(journal: Journal, leases: PollLeases, job_id: str) -> tuple[JobRecord | None, bool]:
    """The journal's record of the job, and whether this instance (now) holds its poll lease: a job already
    finished is not polled again (its lease is let go)."""
    known = journal.job(job_id)
    if known is not None and known.terminal:
        leases.on(journal).release(job_id)
        return known, False
    return known, leases.on(journal).claim(job_id)


def _release(journal: Journal, leases: PollLeases, job_id: str) -> None:
    leases.on(journal).release(job_id)


def _job_and_images(journal: Journal, job_id: str) -> tuple[JobRecord | None, list[ImageRecord]]:
    return journal.job(job_id), journal.images(job_id)
