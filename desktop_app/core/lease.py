"""Per-job poll leases in the journal, so that two instances on one data dir never poll one job.

The instance that holds a job's lease polls it; any other simply reads the journal until the job's
terminal state shows up there. A lease is claimed (or renewed) by one conditional upsert inside
``BEGIN IMMEDIATE`` (the journal's one writer path), so two processes can never both win it. It expires
after ``ttl`` seconds without renewal; on POSIX, a lease whose owner process on this host is gone
(killed) is taken over at once instead of waiting for it to expire.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

from .journal import Journal

DEFAULT_TTL = 20.0


def _host() -> str:
    try:
        return socket.gethostname() or "localhost"
    except OSError:
        return "localhost"


def _process_gone(owner: str, host: str) -> bool:
    """True when ``owner`` names a process of this host that no longer exists (POSIX only)."""
    parts = owner.split("|")
    if len(parts) != 3 or parts[0] != host or not parts[1].isdigit() or os.name != "posix":
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)  # signal 0: existence check only (never used on Windows, where it would kill)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


class PollLeases:
    def __init__(self, journal: Journal, *, ttl: float = DEFAULT_TTL, owner: str | None = None) -> None:
        self.journal = journal
        self.ttl = ttl
        self.host = _host().replace("|", "_")
        self.owner = owner or f"{self.host}|{os.getpid()}|{uuid.uuid4().hex[:8]}"

    def claim(self, job_id: str) -> bool:
        """Take or renew the lease of ``job_id``; False while another live instance holds it."""
        now = time.time()
        (cur,) = self.journal._write([(
            "INSERT INTO poll_leases(job_id, owner, expires_at) VALUES (?,?,?) ON CONFLICT(job_id) DO UPDATE"
            " SET owner=excluded.owner, expires_at=excluded.expires_at"
            " WHERE poll_leases.owner=excluded.owner OR poll_leases.expires_at < ?",
            (job_id, self.owner, now + self.ttl, now))])
        if cur.rowcount > 0:
            return True
        holder = self.holder(job_id)
        if holder is None or not _process_gone(holder, self.host):
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
