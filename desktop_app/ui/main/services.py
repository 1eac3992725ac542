"""QObject facade over the Qt-free JobService: owns the background tasks, emits signals.

Widgets and models never await the core themselves; they call these methods (which spawn
tasks through the one TaskRegistry) and listen to the signals.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_app.api.download import DownloadError, fetch_bytes, fetch_to
from desktop_app.api.errors import ApiError, JobNotFound, Unauthorized
from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.client import redact
from desktop_app.api.pixii.rate_state import RateLimitSnapshot
from desktop_app.api.retry import POLL_AGAIN_AFTER_TROUBLE
from desktop_app.core.images.check import MAX_IMAGE_BYTES, ImageCheckError, verify_file, verify_image
from desktop_app.store.journal import JobRecord, Journal
from desktop_app.ui.common.store_worker import StoreWorker
from desktop_app.ui.common.tasks import TaskRegistry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImageSource:
    """Something dropped onto the gallery: an http(s) URL, a local file, or raw image bytes."""
    kind: str            # "url" | "file" | "data"
    value: str = ""      # the URL or the file path
    data: bytes = b""

    @property
    def label(self) -> str:
        if self.kind == "file":
            return Path(self.value).name
        return self.value if self.kind == "url" else "dropped image"


class StudioService(QObject):
    job_changed = Signal(str)               # job id: its journal row (or its images) changed
    submitted = Signal(str)                 # job id of a new (or adopted) submission
    submit_finished = Signal(bool)          # a submission attempt ended (True: a job exists)
    error = Signal(str, str)                # code, message
    info = Signal(str)                      # a short, non-error message for the banner
    rate_limit_changed = Signal(str)
    credits_changed = Signal(object)        # float | None
    user_images_done = Signal(str, int)     # job id, number of images added
    key_refused = Signal(str)               # the service answered 401 UNAUTHORIZED: a message for people
    runtime_changed = Signal()              # rebind(): another service, key or journal (Live/Sandbox switch)
    resumed = Signal()                      # resume() ran (start, switch): e.g. offer unfinished batches
    store_waiting = Signal(bool)            # the journal is locked by another process (True until it is not)
    reached = Signal()                      # the service answered a request (network trouble is over)

    def __init__(self, runtime, tasks: TaskRegistry, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.store: StoreWorker | None = None
        self._bind(runtime)

    def _bind(self, runtime) -> None:
        self.rt = runtime
        self.settings = runtime.settings
        self.journal = runtime.journal
        if self.store is not None:
            self.store.close()
        self.store = StoreWorker(runtime.journal.path, self)  # the window's own way to the journal
        self.store.waiting.connect(self.store_waiting)
        self.cache = runtime.cache
        self.jobs = runtime.jobs
        runtime.use_store(self.store)   # the job and publish services reach the journal on the worker's thread
        self.client = runtime.client
        self._credits: float | None = runtime.client.last_remaining_credits
        self._reported: set[str] = set()  # failed jobs already announced in the banner
        self._key_refused_told = False    # a 401 in the background is announced once per runtime
        self.jobs.on_job = self.job_changed_callback
        self.client.rate_limits.subscribe(self._rate_limits)

    def rebind(self, runtime) -> None:
        """Use another runtime (the old one's tasks are cancelled and it is closed by the caller)."""
        self._bind(runtime)
        self.runtime_changed.emit()

    # --- core callbacks ------------------------------------------------------------------------

    def job_changed_callback(self, record: JobRecord) -> None:
        self.reached.emit()  # called with the service's answer (a poll, a download)
        self.job_changed.emit(record.job_id)
        self._check_credits()

    def _rate_limits(self, snapshot: RateLimitSnapshot) -> None:
        self.rate_limit_changed.emit(snapshot.describe())

    def rate_limit_text(self) -> str:
        return self.client.rate_limits.snapshot.describe()

    @property
    def credits(self) -> float | None:
        return self._credits

    def _check_credits(self) -> None:
        value = self.client.last_remaining_credits
        if value is not None and value != self._credits:
            self._credits = value
            self.credits_changed.emit(value)

    def report(self, exc: BaseException, context: str = "", *, background: bool = True) -> None:
        if isinstance(exc, Unauthorized):
            self.refused(background=background)
            return
        code = getattr(exc, "code", None) or "INTERNAL_ERROR"
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        self.error.emit(code, f"{context}{message}")

    def refused(self, *, background: bool = True) -> None:
        """The key was refused (401). Background work (polls) says so once; nothing retries with it."""
        if background and self._key_refused_told:
            return
        self._key_refused_told = True
        where = "the sandbox" if self.settings.sandbox else self.settings.api_url
        self.key_refused.emit(f"{where} refused the API key ({redact(self.settings.api_key)}): it was revoked or is "
                              "wrong. Unfinished jobs stay in the journal and are watched again once a working key "
                              "is saved.")

    # --- submit and poll -------------------------------------------------------------------------

    def submit(self, request: ListingRequest) -> asyncio.Task | None:
        return self.tasks.spawn(self._submit(request), name=f"submit:{request.asin}")

    async def _submit(self, request: ListingRequest) -> None:
        try:
            record = await self.jobs.submit(request)
        except ApiError as exc:
            self.report(exc, f"Could not start a job for {request.asin}: ", background=False)
            self.submit_finished.emit(False)
            return
        except BaseException:
            self.submit_finished.emit(False)
            raise
        self._check_credits()
        self.submitted.emit(record.job_id)
        self.submit_finished.emit(True)
        self.watch(record.job_id)

    def watch(self, job_id: str) -> None:
        """Poll ``job_id`` until it finishes, then download its images (one poll per job)."""
        self.tasks.spawn(self._poll(job_id), key=f"poll:{job_id}")

    def polling(self, job_id: str) -> bool:
        return self.tasks.running(f"poll:{job_id}")

    async def _poll(self, job_id: str) -> None:
        again = POLL_AGAIN_AFTER_TROUBLE.start()
        while True:
            try:
                record = await self.jobs.wait(job_id)
                break
            except (JobNotFound, Unauthorized) as exc:  # no retry: a refused key stops this poll, said once
                self.report(exc, f"Job {job_id}: ")
                return
            except ApiError as exc:
                if not again.retry:
                    self.report(exc, f"Job {job_id} (still kept, retrying): ")
                await again.pause(max(again.next_wait(), self.jobs.poll_interval))
        self._finished(record)
        if record.status == "completed":
            await self.jobs.download_images(job_id)

    def _finished(self, record: JobRecord) -> None:
        if record.status == "failed" and record.job_id not in self._reported:
            self._reported.add(record.job_id)
            code = record.error_code or "JOB_FAILED"
            refund = " (credits refunded)" if record.credits_refunded else ""
            self.error.emit(code, f"The job for {record.asin or record.job_id} failed{refund}.")

    def refresh(self, job_id: str) -> None:
        self.tasks.spawn(self._refresh(job_id), key=f"refresh:{job_id}")

    async def _refresh(self, job_id: str) -> None:
        try:
            record = await self.jobs.refresh_or_journal(job_id)
        except ApiError as exc:
            self.report(exc, f"Job {job_id}: ", background=False)
            return
        if not record.terminal:
            self.watch(job_id)
        else:
            self._finished(record)
            self.ensure_images(job_id)

    def ensure_images(self, job_id: str) -> None:
        """Download the images of a completed job that are neither cached nor failed yet."""
        self.tasks.spawn(self._ensure_images(job_id), key=f"ensure-images:{job_id}")

    async def _ensure_images(self, job_id: str) -> None:
        record, images = await self.store.call(_job_and_images, job_id)
        if record is None or record.status != "completed" or self.polling(job_id):
            return
        from desktop_app.core.jobs.expiry import likely_expired
        if likely_expired(record):  # the service has deleted them: no requests bound to fail
            return
        if any(img.url and not img.cached and not img.error_code for img in images):
            self.tasks.spawn(self.jobs.download_images(job_id), key=f"download:{job_id}")

    def resume(self) -> asyncio.Task | None:
        """Poll every unfinished job of this service and settle submissions whose answer was lost (the journal
        read through the store worker); the task's result is how many jobs are watched."""
        return self.tasks.spawn(self._resume(), key="resume")

    async def _resume(self) -> int:
        unfinished, unresolved = await self.store.call(_unsettled, self.settings.service)
        for record in unfinished:
            self.watch(record.job_id)
        if unresolved:
            self.tasks.spawn(self._reconcile(), key="reconcile")
        self.resumed.emit()
        return len(unfinished)

    async def _reconcile(self) -> None:
        try:
            results = await self.jobs.reconcile()
        except ApiError as exc:
            self.report(exc, "Could not check earlier submissions: ")
            return
        for _intent, job_id in results:
            if job_id:
                self.watch(job_id)

    # --- review and the seller's own images ------------------------------------------------------

    def set_review(self, job_id: str, index: int, review: str | None) -> asyncio.Task | None:
        """Record the seller's review (through the store worker); the task ends once it is in the journal."""
        return self.tasks.spawn(self._set_review(job_id, index, review), name=f"review:{job_id}")

    async def _set_review(self, job_id: str, index: int, review: str | None) -> None:
        await self.store.call(Journal.set_review, job_id, index, review)
        self.job_changed.emit(job_id)

    def add_user_images(self, job_id: str, sources: list[ImageSource]) -> asyncio.Task | None:
        return self.tasks.spawn(self._add_user_images(job_id, sources), name=f"add-images:{job_id}")

    async def _stage(self, source: ImageSource, sink) -> str:
        """Write the source into ``sink`` (a temp file in the cache), never whole in memory; its sha256."""
        if source.kind == "url":
            fetched = await fetch_to(self.rt.http, source.value, sink, rule=self.rt.jobs.hop_rule,
                                     attempts=2, deadline=60.0)
            return fetched.sha256
        return await asyncio.to_thread(_copy_hashed, source, sink)

    async def _add_user_images(self, job_id: str, sources: list[ImageSource]) -> None:
        added, problems = 0, []
        for source in sources:
            try:
                with self.cache.incoming() as (tmp, sink):
                    sha256 = await self._stage(source, sink)
                    sink.close()
                    info = await asyncio.to_thread(verify_file, tmp)
                    cached = await asyncio.to_thread(self.cache.adopt, tmp, sha256, info)
            except (DownloadError, ImageCheckError) as exc:
                problems.append((exc.code, f"{source.label}: {exc.message}"))
                continue
            except OSError as exc:
                problems.append(("FILE_UNREADABLE", f"{source.label}: {exc.strerror or exc}"))
                continue
            url = source.value if source.kind == "url" else None
            await self.store.call(Journal.add_user_image, job_id, url, cached.sha256, cached.ext, cached.path,
                                  info.width, info.height)
            added += 1
        if added:
            self.job_changed.emit(job_id)
            self.info.emit(f"Added {added} image{'s' if added != 1 else ''} of your own to the job.")
        if problems:
            code = problems[0][0]
            self.error.emit(code, "Not added (nothing was changed for these): " + "; ".join(m for _, m in problems))
        self.user_images_done.emit(job_id, added)

    # --- reference images --------------------------------------------------------------------------

    async def fetch_reference_image(self, url: str) -> bytes:
        """The bytes of a reference image URL (for thumbnails and the pre-submission check)."""
        return await fetch_bytes(self.rt.http, url, rule=self.rt.jobs.hop_rule, attempts=2, deadline=20.0)

    async def check_reference_image(self, url: str) -> str | None:
        """Why the service probably cannot use ``url`` as a reference image (None when it can)."""
        try:
            data = await self.fetch_reference_image(url)
            await asyncio.to_thread(verify_image, data)
        except (DownloadError, ImageCheckError) as exc:
            return f"{exc.code}: {exc.message}"
        return None


def _job_and_images(journal: Journal, job_id: str):
    return journal.job(job_id), journal.images(job_id)


def _unsettled(journal: Journal, service: str):
    """The unfinished jobs of ``service``, and whether some of its submissions never got their answer."""
    return journal.jobs(unfinished_only=True, service=service), bool(journal.unresolved_intents(service))


def _copy_hashed(source: ImageSource, sink) -> str:
    """A dropped file (at most MAX_IMAGE_BYTES, copied in chunks) or dropped bytes into ``sink``; their sha256."""
    digest = hashlib.sha256()
    if source.kind != "file":
        digest.update(source.data)
        sink.write(source.data)
        return digest.hexdigest()
    path = Path(source.value)
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size > MAX_IMAGE_BYTES:
            raise ImageCheckError("IMAGE_TOO_LARGE", f"{path.name} is larger than {MAX_IMAGE_BYTES // 2**20} MB")
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            sink.write(chunk)
    return digest.hexdigest()
