"""Publish submissions in the journal. The slots' values are recorded *before* anything is changed
at Amazon, so that Undo can put them back; each row says whether the change was sent whole, not at
all (INVALID preview, refused), or with an unknown outcome. What to send and when is decided in
:mod:`desktop_app.core.publish.service`."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from desktop_app.store.database import Database
from desktop_app.store.states import PublishState

PREVIEWING = PublishState.PREVIEWING
INVALID = PublishState.INVALID
VALID = PublishState.VALID
SENDING = PublishState.SENDING
ACCEPTED = PublishState.ACCEPTED
LIVE = PublishState.LIVE
REFUSED = PublishState.REFUSED
UNKNOWN = PublishState.UNKNOWN
OTHER_SHOWN = PublishState.OTHER_SHOWN
UNDONE = PublishState.UNDONE

Slots = dict[str, "str | None"]


@dataclass(frozen=True)
class PublishRecord:
    id: int
    seller_id: str
    sku: str
    marketplace_id: str
    operation: str
    slots_before: Slots
    slots_after: Slots
    state: str
    status: str | None
    submission_id: str | None
    issues: list[dict]
    error_code: str | None
    undo_of: int | None
    job_id: str | None
    created_at: float
    live_at: float | None
    issues_before: list[dict]   # the listing's issues read just before the change (they are not its fault)


class PublishStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def begin(self, seller_id: str, sku: str, marketplace_id: str, operation: str, before: Slots, after: Slots,
              *, undo_of: int | None = None, job_id: str | None = None, issues_before: list[dict] | None = None) -> int:
        now = time.time()
        (cur,) = self.db.write([(
            "INSERT INTO publish_submissions(seller_id, sku, marketplace_id, operation, slots_before, slots_after,"
            " state, undo_of, job_id, created_at, updated_at, issues_before) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (seller_id, sku, marketplace_id, operation, json.dumps(before, sort_keys=True),
             json.dumps(after, sort_keys=True), PREVIEWING, undo_of, job_id, now, now,
             json.dumps(issues_before or [])))])
        return int(cur.lastrowid)

    def update(self, record_id: int, state: str, *, status: str | None = None, submission_id: str | None = None,
               issues: list[dict] | None = None, error_code: str | None = None) -> None:
        """Raises :class:`~.states.IllegalTransition` when the record's state cannot become ``state``."""
        now = time.time()
        with self.db.immediate() as conn:
            row = conn.execute("SELECT state FROM publish_submissions WHERE id=?", (record_id,)).fetchone()
            if row is not None:
                PublishState(row[0]).check(state)
            conn.execute(
                "UPDATE publish_submissions SET state=?, status=COALESCE(?, status),"
                " submission_id=COALESCE(?, submission_id), issues=COALESCE(?, issues), error_code=?,"
                " updated_at=?, live_at=CASE WHEN ?='live' THEN ? ELSE live_at END WHERE id=?",
                (state, status, submission_id, json.dumps(issues) if issues is not None else None, error_code, now,
                 state, now, record_id))

    def mark_undone(self, record_id: int, undo_id: int) -> None:
        self.db.write([("UPDATE publish_submissions SET state=?, updated_at=? WHERE id=? AND state IN (?,?,?)",
                        (UNDONE, time.time(), record_id, ACCEPTED, LIVE, OTHER_SHOWN))])

    def get(self, record_id: int) -> PublishRecord | None:
        rows = self.db.read("SELECT * FROM publish_submissions WHERE id=?", (record_id,))
        return self._record(rows[0]) if rows else None

    def for_listing(self, seller_id: str, sku: str, marketplace_id: str) -> list[PublishRecord]:
        rows = self.db.read("SELECT * FROM publish_submissions WHERE seller_id=? AND sku=? AND marketplace_id=?"
                                   " ORDER BY id DESC", (seller_id, sku, marketplace_id))
        return [self._record(r) for r in rows]

    def latest_for_job(self, job_id: str) -> PublishRecord | None:
        """The latest publish of this job's images that stands (sent, maybe sent, accepted or live; not undone)."""
        rows = self.db.read("SELECT * FROM publish_submissions WHERE job_id=? AND undo_of IS NULL AND state IN "
                            "(?,?,?,?,?) ORDER BY id DESC LIMIT 1", (job_id, SENDING, UNKNOWN, ACCEPTED, LIVE, OTHER_SHOWN))
        return self._record(rows[0]) if rows else None

    def by_submission_id(self, submission_id: str) -> PublishRecord | None:
        """The latest record of Amazon's ``submissionId``."""
        rows = self.db.read("SELECT * FROM publish_submissions WHERE submission_id=? ORDER BY id DESC LIMIT 1",
                            (submission_id,))
        return self._record(rows[0]) if rows else None

    def last_id(self) -> int:
        return self.db.read("SELECT MAX(id) AS id FROM publish_submissions", ())[0]["id"] or 0

    def lost_since(self, last_id: int) -> list[PublishRecord]:
        """Submissions after ``last_id`` whose real request got no answer (state unknown): Amazon may have them."""
        rows = self.db.read("SELECT * FROM publish_submissions WHERE id>? AND state=? ORDER BY id",
                                   (last_id, UNKNOWN))
        return [self._record(r) for r in rows]

    def standing(self, seller_id: str | None) -> list[PublishRecord]:
        """The latest submission that stands (sent or maybe sent, not undone) of every listing this seller (None:
        any seller) published to from this app, oldest listing first."""
        rows = self.db.read(
            "SELECT * FROM publish_submissions WHERE id IN (SELECT MAX(id) FROM publish_submissions WHERE"
            " (? IS NULL OR seller_id=?) AND state IN (?,?,?,?,?) GROUP BY seller_id, sku, marketplace_id) ORDER BY id",
            (seller_id, seller_id, SENDING, UNKNOWN, ACCEPTED, LIVE, OTHER_SHOWN))
        return [self._record(r) for r in rows]

    def unsettled(self) -> list[PublishRecord]:
        """Accepted but not yet seen live, or sent with an unknown outcome: re-read these listings."""
        rows = self.db.read("SELECT * FROM publish_submissions WHERE state IN (?,?,?) ORDER BY id",
                                   (ACCEPTED, SENDING, UNKNOWN))
        return [self._record(r) for r in rows]

    @staticmethod
    def _record(row) -> PublishRecord:
        return PublishRecord(row["id"], row["seller_id"], row["sku"], row["marketplace_id"], row["operation"],
                             json.loads(row["slots_before"]), json.loads(row["slots_after"]), row["state"],
                             row["status"], row["submission_id"], json.loads(row["issues"] or "[]"),
                             row["error_code"], row["undo_of"], row["job_id"], row["created_at"], row["live_at"],
                             json.loads(row["issues_before"] or "[]"))
