"""Leases in the journal: what a live process owns, so that other processes on the same data dir keep off.

* :class:`PollLeases`: per-job poll leases, so that two instances never poll one job. The holder polls; any
  other instance reads the journal until the job's terminal state shows up there. A lease is claimed (or
  renewed) by one conditional upsert in one write transaction (:mod:`desktop_app.store.leases`), so two
  processes can never both win it. It expires after ``ttl`` seconds without renewal; a lease whose owner
  process on this host is gone (killed) is taken over at once.
* :class:`SubmissionOwner`: the owner of submissions (intents). Each intent names its owner (the process
  identity of :mod:`.process` plus a nonce); the owner beats a heartbeat while it sends. Another process
  may reconcile an intent only when it is *orphaned*: its owner process is gone, or (for an owner on
  another host, whose process cannot be checked) its heartbeat is older than ``stale_after``.

Both take a replaceable ``clock`` (seconds, like :func:`time.time`) so that time can be driven in tests.
"""

from __future__ import annotations

import time
import uuid
from typing import Callable

from desktop_app.store.journal import Journal
from desktop_app.store.leases import LeaseTable
from desktop_app.core.jobs.process import ProcessIdentity

DEFAULT_TTL = 20.0
HEARTBEAT_EVERY = 10.0   # seconds between heartbeats while a submission is in flight
STALE_AFTER = 120.0      # a heartbeat older than this marks an owner on another host as gone

Clock = Callable[[], float]


def new_owner() -> str:
    return ProcessIdentity.current().token(uuid.uuid4().hex[:8])


def owner_gone(owner: str | None) -> bool:
    """True when ``owner`` names a process of this host that no longer runs (a reused pid included)."""
    identity = ProcessIdentity.parse(owner)
    return identity is not None and identity.alive() is False


def owner_pid(owner: str | None) -> str:
    identity = ProcessIdentity.parse(owner)
    return str(identity.pid) if identity else "?"


class PollLeases:
    def __init__(self, journal: Journal, *, ttl: float = DEFAULT_TTL, owner: str | None = None,
                 clock: Clock = time.time) -> None:
        self.journal = journal
        self.leases = LeaseTable(journal)
        self.ttl = ttl
        self.owner = owner or new_owner()
        self.clock = clock

    def on(self, journal: Journal) -> "PollLeases":
        """These leases (same owner, ttl and clock) through another connection to the journal, e.g. the window's
        store worker's."""
        return self if journal is self.journal else PollLeases(journal, ttl=self.ttl, owner=self.owner, clock=self.clock)

    def claim(self, job_id: str) -> bool:
        """Take or renew the lease of ``job_id``; False while another live instance holds it."""
        now = self.clock()
        if self.leases.claim(job_id, self.owner, now + self.ttl, now):
            return True
        holder = self.holder(job_id)
        if holder is None or not owner_gone(holder):
            return False
        return self.leases.take_over(job_id, holder, self.owner, now + self.ttl)

    def holder(self, job_id: str) -> str | None:
        return self.leases.holder(job_id)

    def release(self, job_id: str) -> None:
        self.leases.release(self.owner, [job_id])

    def release_many(self, job_ids: list[str]) -> None:
        self.leases.release(self.owner, job_ids)

    def release_all(self) -> None:
        self.leases.release_all(self.owner)


class SubmissionOwner:
    """This process's claim on the submissions it sends: its owner token and heartbeat."""

    def __init__(self, journal: Journal, *, owner: str | None = None, clock: Clock = time.time,
                 stale_after: float = STALE_AFTER) -> None:
        self.journal = journal
        self.owner = owner or new_owner()
        self.clock = clock
        self.stale_after = stale_after

    def on(self, journal: Journal) -> "SubmissionOwner":
        """This owner (same token, clock and staleness) through another connection to the journal, e.g. the
        window's store worker's."""
        if journal is self.journal:
            return self
        return SubmissionOwner(journal, owner=self.owner, clock=self.clock, stale_after=self.stale_after)

    def beat(self) -> None:
        self.journal.heartbeat(self.owner, self.clock())

    def orphaned(self, owner: str | None) -> bool:
        """True when an intent owned by ``owner`` may be reconciled by this process: no owner recorded (an
        older version wrote it), its process has ended, or it lives elsewhere and its heartbeat is stale."""
        if owner == self.owner:
            return False
        identity = ProcessIdentity.parse(owner)
        if identity is None:
            return True
        alive = identity.alive()
        if alive is not None:
            return not alive
        beat = self.journal.last_heartbeat(owner)  # type: ignore[arg-type]
        return beat is None or self.clock() - beat > self.stale_after
