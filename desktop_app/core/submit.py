"""Submissions (each POST costs credits and the API has no idempotency key): intent first, the job id the
moment it is accepted, reconciliation of lost answers, and the rules that keep several processes on one
data dir from paying twice or losing a job. Qt-free; used by :class:`~.jobs.JobService`.

* Ownership: an intent belongs to the live process sending it (:class:`~.lease.SubmissionOwner`). Every
  state change is a compare-and-set naming the state it expects and the owner. Only orphaned intents (their
  process has ended) are reconciled by another process, which first takes them over.
* Reconciliation adopts the oldest Listing Builder job of the ASIN created at or after the intent's time
  less 60 s, that time taken in the service's clock (the ``Date`` header of its answers). An orphaned intent
  is left alone while a live process sends for the same ASIN (its job could be mistaken for this one).
* Stopping (Ctrl+C, SIGTERM, quitting): after :meth:`Submitter.stop` no new POST starts. A POST already on
  the wire when its task is cancelled gets ``SUBMIT_GRACE`` seconds to answer (its job id is recorded);
  otherwise its intent is left ``ambiguous`` for the next run to reconcile.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Awaitable, Callable

from ..api.errors import AmbiguousSubmission, Interrupted, PixiiError, Unreachable
from ..api.models import ListingRequest, Submission
from ..api.pixii import PixiiClient
from ..api.vocab import JOB_TYPE_LISTING_BUILDER
from .fsutil import iso_epoch
from .journal import (INTENT_AMBIGUOUS, INTENT_NOT_CREATED, INTENT_REFUSED, Intent, Journal)
from .lease import HEARTBEAT_EVERY, SubmissionOwner

log = logging.getLogger(__name__)

CLOCK_SKEW = 60.0        # seconds of clock difference tolerated when adopting a job
SUBMIT_ATTEMPTS = 3      # POSTs tried for one request when each outcome stays unknown
SUBMIT_GRACE = 5.0       # seconds a POST on the wire may still take once its task is cancelled


def _same(intent: Intent, request: ListingRequest, batch_id: str | None, batch_line: int | None) -> bool:
    return intent.request == request and intent.batch_id == batch_id and intent.batch_line == batch_line


class Submitter:
    def __init__(self, client: PixiiClient, journal: Journal, service: str, owner: SubmissionOwner,
                 adopted: Callable[[str], None]) -> None:
        self.client = client
        self.journal = journal
        self.service = service
        self.owner = owner
        self._adopted = adopted
        self._lock = asyncio.Lock()
        self._sending: set[int] = set()   # intents whose POST this instance has on the wire
        self._stopped = False

    # --- stopping ------------------------------------------------------------------------------

    def stop(self) -> None:
        """No new POST starts from now on (the one on the wire is finished or left ambiguous)."""
        self._stopped = True

    @property
    def stopped(self) -> bool:
        return self._stopped

    @property
    def sending(self) -> bool:
        return bool(self._sending)

    def _may_send(self) -> bool:
        return not self._stopped

    def check(self) -> None:
        if self._stopped:
            raise Interrupted("INTERRUPTED", "Stopped before the submission was sent")

    # --- reconciliation ------------------------------------------------------------------------

    async def reconcile(self, asin: str | None = None) -> list[tuple[Intent, str | None]]:
        """Resolve the submissions whose outcome is unknown and that this instance may settle (its own,
        not on the wire, and orphaned ones): adopt the service's matching job, or record that none was made."""
        results = []
        async with self._lock:
            unresolved = self.journal.unresolved_intents(self.service)
            for intent in unresolved:
                if (asin is None or intent.request.asin == asin) and intent.id not in self._sending:
                    claimed = self._claim(intent, unresolved)
                    if claimed is not None:
                        results.append((claimed, await self._reconcile_one(claimed)))
        return results

    def _claim(self, intent: Intent, unresolved: list[Intent]) -> Intent | None:
        mine = self.owner.owner
        if intent.owner == mine:
            return intent
        if not self.owner.orphaned(intent.owner):
            return None
        for other in unresolved:  # a live process sending for this ASIN: its job could be taken for this one
            if (other.id != intent.id and other.request.asin == intent.request.asin
                    and (other.id in self._sending or (other.owner != mine and not self.owner.orphaned(other.owner)))):
                return None
        if not self.journal.take_intent(intent.id, intent.owner, mine):
            return None
        return replace(intent, owner=mine)

    async def _reconcile_one(self, intent: Intent) -> str | None:
        summaries = await self.client.list_jobs(intent.request.asin)
        threshold = intent.created_at + (self.client.clock_offset or 0.0) - CLOCK_SKEW  # in the service's clock
        tried: set[str] = set()
        while True:
            known = self.journal.known_job_ids() | tried
            candidates = []
            for s in summaries:
                created = iso_epoch(s.created_at)
                if (s.id not in known and s.job_type in (JOB_TYPE_LISTING_BUILDER, "")
                        and created is not None and created >= threshold):
                    candidates.append((created, s))
            if not candidates:
                if not self.journal.set_intent_state(intent.id, INTENT_NOT_CREATED, owner=intent.owner):
                    log.info("Submission %s was settled by another process meanwhile", intent.id)
                return None
            _, adopted = min(candidates, key=lambda c: c[0])
            tried.add(adopted.id)
            # A list entry has no output: a finished job is recorded as still running, so that the next
            # refresh records its images (a "completed" row without them would export nothing).
            status = "processing" if adopted.status in ("completed", "failed") else adopted.status
            if self.journal.accept(intent, adopted.id, status, adopted.created_at, owner=intent.owner, adopt=True):
                log.info("Adopted job %s for a submission whose answer was lost", adopted.id)
                self._adopted(adopted.id)
                return adopted.id

    def unsettled(self, request: ListingRequest, batch_id: str | None, batch_line: int | None) -> bool:
        """An earlier submission of the same request that is neither settled nor being sent by a live process."""
        return any(_same(i, request, batch_id, batch_line) and i.id not in self._sending
                   and (i.owner == self.owner.owner or self.owner.orphaned(i.owner))
                   for i in self.journal.unresolved_intents(self.service))

    # --- one POST ------------------------------------------------------------------------------

    async def send(self, intent: Intent) -> str | None:
        """POST ``intent``: its job id (accepted, or adopted after a lost answer), None when the service made
        none. Refusals and an unreachable service are recorded and raised."""
        self._sending.add(intent.id)
        post = asyncio.ensure_future(self.client.create_listing(intent.request, proceed=self._may_send))
        beat = asyncio.create_task(self._beat())
        try:
            try:
                await asyncio.shield(post)
            except asyncio.CancelledError:
                await self._grace(intent, post)
                raise
            except Exception:
                pass
            ambiguous, job_id = self._record(intent, post)
        finally:
            beat.cancel()
            self._sending.discard(intent.id)
        if not ambiguous:
            return job_id
        async with self._lock:
            return await self._reconcile_one(intent)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_EVERY)
            self.owner.beat()

    async def _grace(self, intent: Intent, post: asyncio.Future) -> None:
        """The command is stopping: let the POST on the wire answer for a while, then record what is known."""
        try:
            if not post.done():
                await asyncio.wait({post}, timeout=SUBMIT_GRACE)
        finally:
            if not post.done():
                post.cancel()
                self.journal.set_intent_state(intent.id, INTENT_AMBIGUOUS, owner=intent.owner)
            else:
                try:
                    self._record(intent, post)
                except Exception:  # a refusal or an unreachable service: recorded; the stop goes on
                    pass

    def _record(self, intent: Intent, post: Awaitable[Submission]) -> tuple[bool, str | None]:
        """(ambiguous, job id) from a finished POST, recorded in the journal; refusals are recorded and raised."""
        exc = post.exception()  # type: ignore[attr-defined]
        if exc is None:
            submission = post.result()  # type: ignore[attr-defined]
            self.journal.record_submission(intent, submission)
            return False, submission.job_id
        if isinstance(exc, AmbiguousSubmission):
            self.journal.set_intent_state(intent.id, INTENT_AMBIGUOUS, owner=intent.owner)
            return True, None
        if isinstance(exc, (Unreachable, Interrupted)):  # the request never reached the service
            self.journal.set_intent_state(intent.id, INTENT_NOT_CREATED, exc.code, owner=intent.owner)
        elif isinstance(exc, PixiiError):
            self.journal.set_intent_state(intent.id, INTENT_REFUSED, exc.code, owner=intent.owner)
        else:  # a local failure after sending: the outcome is unknown
            self.journal.set_intent_state(intent.id, INTENT_AMBIGUOUS, owner=intent.owner)
        raise exc
