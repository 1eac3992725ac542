"""The submission limiter's memory in the journal: one row per submission sent (when it was sent, when its
answer came) and the limits the service last announced, per service. Shared by every process on the data dir;
how they are counted against the limits is decided in :mod:`desktop_app.core.jobs.submission_limiter`."""

from __future__ import annotations

from desktop_app.store.database import Database

KEEP_LOG = 2 * 86400.0   # seconds a submission stays in the log


class LimiterLog:
    def __init__(self, db: Database, service: str) -> None:
        self.db = db
        self.service = service

    def announced(self) -> dict:
        """The limits the service announced last (keys: limit_minute, limit_day, remaining_day, day_start,
        updated_at), or {}."""
        rows = self.db.read("SELECT limit_minute, limit_day, remaining_day, day_start, updated_at"
                            " FROM service_limits WHERE service=?", (self.service,))
        return dict(rows[0]) if rows else {}

    def counted_times(self, window: float, since: float) -> list[float]:
        """Ascending: the moment each submission counts from (its answer, or one ``window`` after it was sent
        when no answer came), for those after ``since``."""
        rows = self.db.read("SELECT COALESCE(done_at, sent_at + ?) FROM submission_log WHERE service=?"
                            " AND COALESCE(done_at, sent_at + ?) > ? ORDER BY 1", (window, self.service, window, since))
        return [r[0] for r in rows]

    def sent_since(self, since: float) -> int:
        return self.db.read("SELECT COUNT(*) FROM submission_log WHERE service=? AND sent_at >= ?",
                            (self.service, since))[0][0]

    def record_if_room(self, now: float, window: float, per_window: int, day_from: float, per_day: int) -> int | None:
        """Atomically with the check: record a submission sent ``now`` if fewer than ``per_window`` count in the
        last ``window`` and fewer than ``per_day`` were sent since ``day_from``; its ticket, or None."""
        (cur,) = self.db.write([(
            "INSERT INTO submission_log(service, sent_at) SELECT ?, ? WHERE"
            " (SELECT COUNT(*) FROM submission_log WHERE service=? AND COALESCE(done_at, sent_at + ?) > ?) < ?"
            " AND (SELECT COUNT(*) FROM submission_log WHERE service=? AND sent_at >= ?) < ?",
            (self.service, now, self.service, window, now - window, per_window, self.service, day_from, per_day))])
        return int(cur.lastrowid) if cur.rowcount > 0 else None

    def answered(self, ticket: int, now: float, announced: dict | None = None) -> None:
        """The submission's answer came at ``now``; old rows go; ``announced`` (as :meth:`announced` returns it)
        replaces the stored limits."""
        statements: list[tuple[str, tuple]] = [
            ("UPDATE submission_log SET done_at=? WHERE id=?", (now, ticket)),
            ("DELETE FROM submission_log WHERE sent_at < ?", (now - KEEP_LOG,)),
        ]
        if announced is not None:
            statements.append((
                "INSERT OR REPLACE INTO service_limits(service, limit_minute, limit_day, remaining_day, day_start,"
                " updated_at) VALUES (?,?,?,?,?,?)",
                (self.service, announced["limit_minute"], announced["limit_day"], announced["remaining_day"],
                 announced["day_start"], announced["updated_at"])))
        self.db.write(statements)
