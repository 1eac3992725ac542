"""Submissions (each POST costs credits and the API has no idempotency key): intent first, the job id the
moment it is accepted, reconciliation of lost answers, and the rules that keep several processes on one
data dir from paying twice or losing a job. Qt-free; used by :class:`~.jobs.JobService`.

* Ownership: an intent belongs to the live process sending it (:class:`~.lease.SubmissionOwner`). Every
  state change is a compare-and-set naming the state it expects and the owner. Only orphaned intents (their
  process has ended) are reconciled by another process, which first takes them over.
* Reconciliation adopts the oldest Listing Builder job of the ASIN created at or after the intent's time
  less 60 s, that time taken in the service's clock (the ``Date`` header of its answers). An orphaned intent
  is left alone while a live process sends for the same ASIN (its job could be mistaken for this one).
* A POST whose process ended while it was on the wire (still ``sending``, or left ``ambiguous`` by an
  interrupt) may still be acted on by the service a moment later: until the client's give-up time has
  passed since its intent, finding no job leaves it unresolved (it is not taken as "not created", which
  would let a new POST pay twice); a job that shows up is adopted at once.
* Stopping (Ctrl+C, SIGTERM, quitting): after :meth:`Submitter.stop` no new POST starts. A POST already on
  the wire when its task is cancelled gets ``SUBMIT_GRACE`` seconds to answer (its job id is recorded);
  otherwise its intent is left ``ambiguous`` for the next run to reconcile.
* The journal is reached through a store (:mod:`desktop_app.store.inline`: at once for the command line, on the
  window's store worker's thread in the window). The writes that record a POST (its intent before it, its
  outcome after it) land even when the task is cancelled meanwhile; each compare-and-set is one store call.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any, Awaitable, Callable

from desktop_app.api.errors import AmbiguousSubmission, ApiError, Interrupted, Unreachable
from desktop_app.api.pixii.models import ListingRequest, Submission
from desktop_app.api.pixii.client import PixiiClient
from desktop_app.api.pixii.vocab import JOB_TYPE_LISTING_BUILDER
from desktop_app.store.datadir import DataDirError
from desktop_app.core.fsutil import iso_epoch
from desktop_app.store.inline import Store, land
from desktop_app.store.journal import (
    INTENT_AMBIGUOUS, INTENT_NOT_CREATED, INTENT_REFUSED, INTENT_SENDING, Intent, Journal,
)
from desktop_app.core.jobs.lease import HEARTBEAT_EVERY, SubmissionOwner

log = logging.getLogger(__name__)

CLOCK_SKEW = 60.0        # seconds of clock difference tolerated when adopting a job
SUBMIT_ATTEMPTS = 3      # POSTs tried for one request when each outcome stays unknown
SUBMIT_GRACE = 5.0       # seconds a POST on the wire may still take once its task is cancelled
INTERRUPTED = "INTERRUPTED"
SETTLE_POLL = 0.25       # seconds between looks at a submission another live process sends or settles
REUSE_WITHIN = 3600.0    # an adopted job is given to a new identical submission made within this many seconds


def _same(intent: Intent, request: ListingRequest, batch_id: str | None, batch_line: int | None) -> bool:
    return intent.request == request and intent.batch_id == batch_id and intent.batch_line == batch_line


class Submitter:
    def __init__(self, client: PixiiClient, store: Store, service: str, owner: SubmissionOwner,
                 adopted: Callable[[str], Awaitable[Any]]) -> None:
        self.client = client
        self.store = store
        self.service = service
        self.owner = owner
        self._adopted = adopted
        self._lock = asyncio.Lock()
        self._sending: set[int] = set()   # intents whose POST this instance has on the wire
        self._stopped = False
        self.settle_after = client.give_up_after  # how long a POST cut off by its process's end may still land

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

    async def _land(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return await land(self.store, fn, *args, **kwargs)

    # --- reconciliation ------------------------------------------------------------------------

    async def reconcile(self, asin: str | None = None) -> list[tuple[Intent, str | None]]:
        """Resolve the submissions whose outcome is unknown and that this instance may settle (its own,
        not on the wire, and orphaned ones): adopt the service's matching job, or record that none was made."""
        results = []
        async with self._lock:
            unresolved = await self.store.call(Journal.unresolved_intents, self.service)
            for intent in unresolved:
                if (asin is None or intent.request.asin == asin) and intent.id not in self._sending:
                    claimed = await self._land(self._claim, intent, unresolved, frozenset(self._sending))
                    if claimed is not None:
                        results.append((claimed, await self._reconcile_one(claimed, intent.owner)))
        return results

    def _claim(self, journal: Journal, intent: Intent, unresolved: list[Intent],
               sending: frozenset[int]) -> Intent | None:
        """``intent`` owned by this instance (taken over from an ended process), or None when it is not ours to
        settle now (``sending``: this instance's intents on the wire). Plain journal work: one store call."""
        owner = self.owner.on(journal)
        mine = owner.owner
        if intent.owner == mine:
            return intent
        if not owner.orphaned(intent.owner):
            return None
        for other in unresolved:  # a live process sending for this ASIN: its job could be taken for this one
            if (other.id != intent.id and other.request.asin == intent.request.asin
                    and (other.id in sending or (other.owner != mine and not owner.orphaned(other.owner)))):
                return None
        if not journal.take_intent(intent.id, intent.owner, mine):
            return None
        return replace(intent, owner=mine)

    async def _reconcile_one(self, intent: Intent, previous: str | None) -> str | None:
        """Adopt the job ``intent`` made, or record that it made none; a POST that may still land is left
        unresolved (given back to ``previous``, its owner before this instance took it over)."""
        summaries = await self.client.list_jobs(intent.request.asin)
        threshold = intent.created_at + (self.client.clock_offset or 0.0) - CLOCK_SKEW  # in the service's clock
        tried: set[str] = set()
        while True:
            known = await self.store.call(Journal.known_job_ids) | tried
            candidates = []
            for s in summaries:
                created = iso_epoch(s.created_at)
                if (s.id not in known and s.job_type in (JOB_TYPE_LISTING_BUILDER, "")
                        and created is not None and created >= threshold):
                    candidates.append((created, s))
            if not candidates:
                if self._may_still_land(intent):
                    log.info("Submission %s: no job yet; its POST may still land, settled later", intent.id)
                    if previous != intent.owner:  # still an orphan: whoever comes next may settle it
                        await self._land(Journal.take_intent, intent.id, intent.owner, previous)
                    return None
                if not await self._land(Journal.set_intent_state, intent.id, INTENT_NOT_CREATED, owner=intent.owner):
                    log.info("Submission %s was settled by another process meanwhile", intent.id)
                return None
            _, adopted = min(candidates, key=lambda c: c[0])
            tried.add(adopted.id)
            # A list entry has no output: a finished job is recorded as still running, so that the next
            # refresh records its images (a "completed" row without them would export nothing).
            status = "processing" if adopted.status in ("completed", "failed") else adopted.status
            if await self._land(Journal.accept, intent, adopted.id, status, adopted.created_at, owner=intent.owner,
                                adopt=True):
                log.info("Adopted job %s for a submission whose answer was lost", adopted.id)
                await self._adopted(adopted.id)
                return adopted.id

    def _may_still_land(self, intent: Intent) -> bool:
        cut_off = intent.state == INTENT_SENDING or intent.error_code == INTERRUPTED
        return cut_off and self.owner.clock() - intent.created_at < self.settle_after

    async def settle_wait(self, request: ListingRequest, batch_id: str | None,
                          batch_line: int | None) -> tuple[float, set[int]]:
        """Earlier submissions of the same request that are not settled (and not this instance's own POSTs on
        the wire), and how long to wait before looking again: until a POST cut off by its process's end can no
        longer land, or a moment while a live process sends or settles one."""
        return await self.store.call(self._settle_wait, request, batch_id, batch_line, frozenset(self._sending))

    def _settle_wait(self, journal: Journal, request: ListingRequest, batch_id: str | None, batch_line: int | None,
                     sending: frozenset[int]) -> tuple[float, set[int]]:
        owner = self.owner.on(journal)
        now = owner.clock()
        waits, ids = [], set()
        for i in journal.unresolved_intents(self.service):
            if not _same(i, request, batch_id, batch_line) or i.id in sending:
                continue
            ids.add(i.id)
            settleable = i.owner == owner.owner or owner.orphaned(i.owner)
            if settleable and self._may_still_land(i):
                waits.append(i.created_at + self.settle_after - now)
            else:
                waits.append(SETTLE_POLL)
        return max(min(waits, default=0.0), SETTLE_POLL), ids

    async def earlier_job(self, request: ListingRequest, batch_id: str | None, batch_line: int | None) -> str | None:
        """The job an earlier submission of the same request made that nobody has been given yet: for a batch
        row, any job of the row (a row is never submitted twice); otherwise a job adopted (from the service's
        list) for a submission whose process ended without its answer, within ``REUSE_WITHIN``."""
        return await self._land(self._earlier_job, request, batch_id, batch_line)

    def _earlier_job(self, journal: Journal, request: ListingRequest, batch_id: str | None,
                     batch_line: int | None) -> str | None:
        if batch_id is not None:
            return next((i.job_id for i in journal.intents_for_batch(batch_id)
                         if i.batch_line == batch_line and i.job_id), None)
        for intent in journal.adopted_intents(self.service, self.owner.clock() - REUSE_WITHIN):
            if _same(intent, request, None, None) and journal.take_adopted(intent.id):
                return intent.job_id
        return None

    # --- the intent ----------------------------------------------------------------------------

    async def add_intent(self, request: ListingRequest, batch_id: str | None, batch_line: int | None) -> Intent:
        """The intent of a POST about to be sent, journalled (this owner's heartbeat first, so that no other host
        takes it for an orphan). Cancelled meanwhile: it is settled as never sent, and the cancellation goes on."""
        add = asyncio.ensure_future(self.store.call(self._add_intent, request, batch_id, batch_line))
        try:
            return await asyncio.shield(add)
        except asyncio.CancelledError:
            intent = await add
            await self._land(Journal.set_intent_state, intent.id, INTENT_NOT_CREATED, INTERRUPTED, owner=intent.owner)
            raise

    def _add_intent(self, journal: Journal, request: ListingRequest, batch_id: str | None,
                    batch_line: int | None) -> Intent:
        self.owner.on(journal).beat()
        return journal.add_intent(self.service, request, owner=self.owner.owner, batch_id=batch_id,
                                  batch_line=batch_line)

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
            try:
                ambiguous, job_id = await self._record(intent, post)
            except asyncio.CancelledError:  # stopped while the outcome landed: a job paid for is still shown
                if not post.cancelled() and post.exception() is None:
                    await self._adopted(post.result().job_id)
                raise
        finally:
            beat.cancel()
            self._sending.discard(intent.id)
        if not ambiguous:
            return job_id
        async with self._lock:  # its answer was lost, but the request is over: no job now means none made
            job_id = await self._reconcile_one(replace(intent, state=INTENT_AMBIGUOUS), intent.owner)
        if job_id:
            await self._land(Journal.take_adopted, intent.id)  # given to its own submitter: no later submission takes it
        return job_id

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_EVERY)
            await self.store.call(self._beat_now)

    def _beat_now(self, journal: Journal) -> None:
        self.owner.on(journal).beat()

    async def _grace(self, intent: Intent, post: asyncio.Future) -> None:
        """The command is stopping: let the POST on the wire answer for a while, then record what is known."""
        try:
            if not post.done():
                await asyncio.wait({post}, timeout=SUBMIT_GRACE)
        finally:
            if not post.done():
                post.cancel()
                await self._land(Journal.set_intent_state, intent.id, INTENT_AMBIGUOUS, INTERRUPTED,
                                 owner=intent.owner)
            else:
                try:
                    _ambiguous, job_id = await self._record(intent, post)
                except Exception:  # a refusal or an unreachable service: recorded; the stop goes on
                    job_id = None
                if job_id:
                    await self._adopted(job_id)  # paid for while stopping: the window lists it like any other

    async def _record(self, intent: Intent, post: Awaitable[Submission]) -> tuple[bool, str | None]:
        """(ambiguous, job id) from a finished POST, recorded in the journal before anything else; refusals are
        recorded and raised."""
        exc = post.exception()  # type: ignore[attr-defined]
        if exc is None:
            submission = post.result()  # type: ignore[attr-defined]
            try:
                await self._land(Journal.record_submission, intent, submission)
            except DataDirError as exc:  # paid for but not recorded: the job id must reach the seller
                exc.job_id = submission.job_id
                raise
            return False, submission.job_id
        if isinstance(exc, AmbiguousSubmission):
            await self._land(Journal.set_intent_state, intent.id, INTENT_AMBIGUOUS, owner=intent.owner)
            return True, None
        if isinstance(exc, (Unreachable, Interrupted)):  # the request never reached the service
            await self._land(Journal.set_intent_state, intent.id, INTENT_NOT_CREATED, exc.code, owner=intent.owner)
        elif isinstance(exc, ApiError):
            await self._land(Journal.set_intent_state, intent.id, INTENT_REFUSED, exc.code, owner=intent.owner)
        else:  # a local failure after sending: the outcome is unknown
            await self._land(Journal.set_intent_state, intent.id, INTENT_AMBIGUOUS, owner=intent.owner)
        raise exc
