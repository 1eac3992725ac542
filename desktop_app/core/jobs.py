"""The job service shared by the window and the command line: submit (with intent and
reconciliation), refresh, poll, download into the cache, export. Qt-free."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from ..api.download import DownloadError, HopRule, Resolver, fetch_to
from ..api.errors import AmbiguousSubmission, BadResponse, JobNotFound, PixiiError, Unreachable
from ..api.models import Job, ListingRequest
from ..api.pixii import PixiiClient
from ..api.urls import is_loopback_host
from ..api.vocab import JOB_TYPE_LISTING_BUILDER
from .cache import ImageCache
from .datadir import DataDirError
from .expiry import likely_expired
from .housekeeping import sweep_stale_temp
from .export import ExportItem, export_images
from .imagecheck import ImageCheckError, verify_file
from .validation import InputError
from .journal import (INTENT_AMBIGUOUS, INTENT_NOT_CREATED, INTENT_REFUSED, Intent, JobRecord, Journal)
from .lease import PollLeases
from .fsutil import iso_epoch

log = logging.getLogger(__name__)

CLOCK_SKEW = 60.0        # seconds of clock difference tolerated when adopting a job
SUBMIT_ATTEMPTS = 3      # POSTs tried for one request when each outcome stays unknown
DOWNLOAD_CONCURRENCY = 4


@dataclass(frozen=True)
class ImageOutcome:
    index: int
    url: str | None
    error_code: str | None
    error_message: str | None
    file: Path | None


class JobService:
    def __init__(self, client: PixiiClient, journal: Journal, cache: ImageCache, service: str, *,
                 poll_interval: float = 5.0, resolve: Resolver | None = None,
                 on_job: Callable[[JobRecord], None] | None = None) -> None:
        from .limiter import SubmissionLimiter
        self.client = client
        self.journal = journal
        self.cache = cache
        self.service = service
        self.poll_interval = poll_interval
        self._on_job = on_job
        self._reconcile_lock = asyncio.Lock()
        # Optional proactive pacing of POSTs (batches set one); poll leases keep two instances on one
        # data dir from polling the same job.
        self.limiter: SubmissionLimiter | None = None
        self.leases = PollLeases(journal, ttl=max(20.0, 4 * poll_interval))
        self._swept_cache = False
        # where image links may lead: loopback and private hosts only when the API itself is on loopback
        self.hop_rule = HopRule(local_ok=is_loopback_host(urlsplit(client.base_url).hostname), resolve=resolve)

    def _notify(self, job_id: str) -> JobRecord | None:
        record = self.journal.job(job_id)
        if record and self._on_job:
            self._on_job(record)
        return record

    # --- submissions ---------------------------------------------------------------------------

    async def reconcile(self, asin: str | None = None) -> list[tuple[Intent, str | None]]:
        """Resolve every submission whose outcome is unknown (optionally only for ``asin``):
        adopt the service's matching job, or record that none was created."""
        results = []
        async with self._reconcile_lock:
            for intent in self.journal.unresolved_intents(self.service):
                if asin is None or intent.request.asin == asin:
                    results.append((intent, await self._reconcile_one(intent)))
        return results

    async def _reconcile_one(self, intent: Intent) -> str | None:
        summaries = await self.client.list_jobs(intent.request.asin)
        known = self.journal.known_job_ids()
        threshold = intent.created_at - CLOCK_SKEW
        candidates = []
        for s in summaries:
            created = iso_epoch(s.created_at)
            if (s.id not in known and s.job_type in (JOB_TYPE_LISTING_BUILDER, "")
                    and created is not None and created >= threshold):
                candidates.append((created, s))
        if not candidates:
            self.journal.set_intent_state(intent.id, INTENT_NOT_CREATED)
            return None
        _, adopted = min(candidates, key=lambda c: c[0])
        # A list entry has no output: a finished job is recorded as still running, so that the next
        # refresh records its images (a "completed" row without them would export nothing).
        status = "processing" if adopted.status in ("completed", "failed") else adopted.status
        self.journal.accept(intent, adopted.id, status, adopted.created_at)
        log.info("Adopted job %s for a submission whose answer was lost", adopted.id)
        self._notify(adopted.id)
        return adopted.id

    async def submit(self, request: ListingRequest, *, batch_id: str | None = None,
                     batch_line: int | None = None) -> JobRecord:
        """Submit once, never twice: earlier lost answers for this ASIN are reconciled first, and
        a job adopted for an identical request is returned instead of paying again."""
        for intent, job_id in await self.reconcile(request.asin):
            if (job_id and intent.request == request and intent.batch_id == batch_id
                    and intent.batch_line == batch_line):
                return self._notify(job_id)  # type: ignore[return-value]
        for _ in range(SUBMIT_ATTEMPTS):
            ticket = await self.limiter.acquire() if self.limiter else None
            intent = self.journal.add_intent(self.service, request, batch_id=batch_id, batch_line=batch_line)
            try:
                submission = await self.client.create_listing(request)
            except AmbiguousSubmission:
                if ticket is not None:
                    self.limiter.done(ticket)  # type: ignore[union-attr]
                    ticket = None
                self.journal.set_intent_state(intent.id, INTENT_AMBIGUOUS)
                async with self._reconcile_lock:
                    job_id = await self._reconcile_one(intent)
                if job_id:
                    return self._notify(job_id)  # type: ignore[return-value]
                continue
            except Unreachable as exc:  # the request never reached the service
                self.journal.set_intent_state(intent.id, INTENT_NOT_CREATED, exc.code)
                raise
            except PixiiError as exc:
                self.journal.set_intent_state(intent.id, INTENT_REFUSED, exc.code)
                raise
            finally:
                if ticket is not None:
                    self.limiter.done(ticket)  # type: ignore[union-attr]
            try:
                self.journal.record_submission(intent, submission)
            except DataDirError as exc:  # paid for but not recorded: the job id must reach the seller
                exc.job_id = submission.job_id
                raise
            return self._notify(submission.job_id)  # type: ignore[return-value]
        raise Unreachable("UNREACHABLE", "The service kept losing the answer to the submission; "
                          "nothing was created (checked with the service's job list)")

    # --- status --------------------------------------------------------------------------------

    async def refresh(self, job_id: str) -> JobRecord:
        """One GET of the job, recorded in the journal (an id not yet in the journal is added). An answer
        that is not a job (fields missing) is asked again, for up to the client's give-up time."""
        job: Job = await self._get_job(job_id)
        if self.journal.job(job_id) is None:
            self.journal.add_known_job(self.service, job)
        else:
            self.journal.update_job(job)
        return self._notify(job_id)  # type: ignore[return-value]

    async def _get_job(self, job_id: str) -> Job:
        started, attempt = time.monotonic(), 0
        while True:
            try:
                return await self.client.get_job(job_id)
            except BadResponse as exc:
                wait = min(self.client.backoff_cap, max(self.poll_interval, 0.05) * 2 ** attempt)
                if time.monotonic() - started + wait > self.client.give_up_after:
                    raise Unreachable(exc.code, f"{exc.message} (gave up after retrying)", status=exc.status) from None
                log.info("Job %s: unusable answer (%s); asking again in %.1f s", job_id, exc.code, wait)
                await asyncio.sleep(wait)
                attempt += 1

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
            self.leases.release(job_id)

    async def poll_once(self, job_id: str) -> JobRecord | None:
        """One refresh if this instance holds (or can take) the job's poll lease, else the journal's
        record (which the holder keeps current). The lease is released once the job is terminal; a job
        the journal already shows finished is not asked for again."""
        known = self.journal.job(job_id)
        if known is not None and known.terminal:
            self.leases.release(job_id)
            return self._notify(job_id)
        if self.leases.claim(job_id):
            record = await self.refresh_or_journal(job_id)
            if record.terminal:
                self.leases.release(job_id)
            elif likely_expired(record):
                raise JobNotFound("JOB_NOT_FOUND", f"Job {job_id} expired at the service before it finished")
            return record
        return known

    async def refresh_or_journal(self, job_id: str) -> JobRecord:
        """Refresh; a finished (or expired) job the service no longer knows is served from the journal."""
        try:
            return await self.refresh(job_id)
        except JobNotFound:
            record = self.journal.job(job_id)
            if record is not None and (record.terminal or likely_expired(record)):
                return record
            raise

    # --- images --------------------------------------------------------------------------------

    async def download_images(self, job_id: str) -> None:
        """Download, verify and cache every image of the job not cached yet (each only once)."""
        pending = [img for img in self.journal.images(job_id) if img.url and not img.cached]
        if pending and not self._swept_cache:  # temp files of a killed earlier run
            self._swept_cache = True
            await asyncio.to_thread(sweep_stale_temp, self.cache.root, recursive=True)
        semaphore = asyncio.Semaphore(DOWNLOAD_CONCURRENCY)

        async def one(index: int, url: str) -> None:
            async with semaphore:
                try:
                    with self.cache.incoming() as (tmp, sink):
                        fetched = await fetch_to(self.client.http, url, sink, self.hop_rule)
                        sink.close()
                        info = await asyncio.to_thread(verify_file, tmp)
                        cached = await asyncio.to_thread(self.cache.adopt, tmp, fetched.sha256, info)
                except (DownloadError, ImageCheckError) as exc:
                    self.journal.set_image_error(job_id, index, exc.code, exc.message)
                except OSError as exc:
                    self.journal.set_image_error(job_id, index, "CACHE_FAILED",
                                                 f"could not store the image: {exc.strerror or exc}")
                else:
                    self.journal.set_image_cached(job_id, index, cached.sha256, cached.ext, cached.path,
                                                  info.width, info.height)
            self._notify(job_id)  # each image shows up as soon as it is in (or has failed)

        await asyncio.gather(*(one(img.index, img.url) for img in pending if img.url))

    def outcomes(self, job_id: str, exported: dict[int, Path] | None = None,
                 export_errors: dict[int, tuple[str, str]] | None = None, *,
                 downloaded: bool = True) -> list[ImageOutcome]:
        """Per image: its error (service, download, check or export) or its file (the exported
        one when given, else the cached copy). ``downloaded=False``: the downloads were not tried, so an
        image not cached yet has neither error nor file."""
        exported, export_errors = exported or {}, export_errors or {}
        result = []
        for img in self.journal.images(job_id):
            code, message = img.error_code, img.error_message
            if not code and not img.cached and downloaded:
                code, message = "DOWNLOAD_FAILED", "the image has not been downloaded"
            code, message = export_errors.get(img.index, (code, message))
            file = exported.get(img.index) or (Path(img.cache_path) if img.cached else None)
            result.append(ImageOutcome(img.index, img.url, code, message, None if code else file))
        return result

    async def export(self, job_id: str, dest: Path, naming: str, *, approved_only: bool = False,
                     overwrite: bool = False,
                     progress: Callable[[int, int], None] | None = None) -> list[ImageOutcome]:
        """Export the cached images (or only the approved ones) of a job into ``dest``."""
        record = self.journal.job(job_id)
        if record is None:
            raise JobNotFound("JOB_NOT_FOUND", f"Job {job_id} is not in the journal")
        if not record.asin:
            raise InputError("UNKNOWN_ASIN", f"Job {job_id} was not submitted from this computer, so its ASIN "
                             "(needed to name the files) is unknown")
        images = [img for img in self.journal.images(job_id) if img.cached]
        if approved_only:
            images = [img for img in images if img.review == "approved"]
        items = [ExportItem(img.index, Path(img.cache_path), img.ext) for img in images]  # type: ignore[arg-type]
        await asyncio.to_thread(sweep_stale_temp, Path(dest), f".{record.asin}")
        results = await asyncio.to_thread(export_images, items, record.asin, dest, naming,
                                          overwrite=overwrite, progress=progress)
        exported = {r.index: r.path for r in results if r.path is not None}
        errors = {r.index: (r.error_code, r.message or "") for r in results if r.error_code}
        return self.outcomes(job_id, exported, errors)  # type: ignore[arg-type]
