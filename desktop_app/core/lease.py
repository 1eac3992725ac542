"""Leases in the journal: what a live process owns, so that other processes on the same data dir keep off.

* :class:`PollLeases`: per-job poll leases, so that two instances never poll one job. The holder polls; any
  other instance reads the journal until the job's terminal state shows up there. A lease is claimed (or
  renewed) by one conditional upsert inside ``BEGIN IMMEDIATE`` (the journal's one writer path), so two
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

from ..store.journal import Journal
from .process import ProcessIdentity

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
        self.ttl = ttl
        self.owner = owner or new_owner()
        self.clock = clock

    def claim(self, job_id: str) -> bool:
        """Take or renew the lease of ``job_id``; False while another live instance holds it."""
        now = self.clock()
        (cur,) = self.journal._write([(
            "INSERT INTO poll_leases(job_id, owner, expires_at) VALUES (?,?,?) ON CONFLICT(job_id) DO UPDATE"
            " SET owner=excluded.owner, expires_at=excluded.expires_at"
            " WHERE poll_leases.owner=excluded.owner OR poll_leases.expires_at < ?",
            (job_id, self.owner, now + self.ttl, now))])
        if cur.rowcount > 0:
            return True
        holder = self.holder(job_id)
        if holder is None or not owner_gone(holder):
            return False
        (cur,) = self.journal._write([("UPDATE poll_leases SET owner=?, expires_at=? WHERE job_id=? AND owner=?",
                                       (self.owner, now + self.ttl, job_id, holder))])
        return cur.rowcount > 0

    def holder(self, job_id: str) -> str | None:
        rows = self.journal._query("SELECT owner FROM poll_leases WHERE job_id=?", (job_id,))
        return rows[0][0] if rows else None

    def release(self, job_id: str) -> None:
        self.journal._write([("DELETE FROM poll_leases WHERE job_id=? AND owner=?", (job_id, self.owner))])

    def release_many(self, job_ids: list[str]) -> None:
        self.journal._write([("DELETE FROM poll_leases WHERE job_id=? AND owner=?", (job_id, self.owner))
                             for job_id in job_ids])

    def release_all(self) -> None:
        self.journal._write([("DELETE FROM poll_leases WHERE owner=?", (self.owner,))])


class SubmissionOwner:
    """This process's claim on the submissions it sends: its owner token and heartbeat."""

    def __init__(self, journal: Journal, *, owner: str | None = None, clock: Clock = time.time,
                 stale_after: float = STALE_AFTER) -> None:
        self.journal = journal
        self.owner = owner or new_owner()
        self.clock = clock
        self.stale_after = stale_after

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
