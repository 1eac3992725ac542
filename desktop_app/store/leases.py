"""Per-job poll leases in the journal: which process polls a job, until when. A lease is taken (or renewed) by
one conditional upsert inside one write transaction, so two processes can never both win it; who may take a
lease over from a process that ended is decided in :mod:`desktop_app.core.jobs.lease`."""

from __future__ import annotations

from desktop_app.store.database import Database


class LeaseTable:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, job_id: str, owner: str, expires_at: float, now: float) -> bool:
        """Take or renew the lease: True when ``owner`` holds it now (it was free, expired, or already its)."""
        (cur,) = self.db.write([(
            "INSERT INTO poll_leases(job_id, owner, expires_at) VALUES (?,?,?) ON CONFLICT(job_id) DO UPDATE"
            " SET owner=excluded.owner, expires_at=excluded.expires_at"
            " WHERE poll_leases.owner=excluded.owner OR poll_leases.expires_at < ?",
            (job_id, owner, expires_at, now))])
        return cur.rowcount > 0

    def take_over(self, job_id: str, holder: str, owner: str, expires_at: float) -> bool:
        """Compare and set: the lease passes from ``holder`` to ``owner`` if ``holder`` still has it."""
        (cur,) = self.db.write([("UPDATE poll_leases SET owner=?, expires_at=? WHERE job_id=? AND owner=?",
                                 (owner, expires_at, job_id, holder))])
        return cur.rowcount > 0

    def holder(self, job_id: str) -> str | None:
        rows = self.db.read("SELECT owner FROM poll_leases WHERE job_id=?", (job_id,))
        return rows[0][0] if rows else None

    def release(self, owner: str, job_ids: list[str]) -> None:
        self.db.write([("DELETE FROM poll_leases WHERE job_id=? AND owner=?", (job_id, owner)) for job_id in job_ids])

    def release_all(self, owner: str) -> None:
        self.db.write([("DELETE FROM poll_leases WHERE owner=?", (owner,))])
