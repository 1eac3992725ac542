"""The jobs, their images and the submissions (intents) that created them: a journal that never loses a paid job.

Every submission is recorded as an *intent* before the POST is sent, and the job id the moment
it is accepted, in one transaction. Jobs carry their request (reference URLs included), their
images (URL, per-image error, cached file, sha256, review) and their last known state. The file,
its transactions and migrations are :mod:`.database`'s; the other concerns sharing the file have their own
modules (batches, publishes, leases, limits).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from desktop_app.store.database import Database, Row
from desktop_app.store.states import IntentState, JobStatus

TYPE_CHECKING = False  # as typing's, without loading typing (the cached export starts faster)
if TYPE_CHECKING:  # the API's models are built only where an intent is read back
    from desktop_app.api.pixii.models import Job, ListingRequest, Submission

INTENT_SENDING = IntentState.SENDING
INTENT_AMBIGUOUS = IntentState.AMBIGUOUS
INTENT_ACCEPTED = IntentState.ACCEPTED
INTENT_REFUSED = IntentState.REFUSED
INTENT_NOT_CREATED = IntentState.NOT_CREATED
UNRESOLVED_INTENTS = (INTENT_SENDING, INTENT_AMBIGUOUS)


@dataclass(frozen=True)
class ImageRecord:
    job_id: str
    index: int
    url: str | None
    error_code: str | None
    error_message: str | None
    sha256: str | None
    ext: str | None
    cache_path: str | None
    width: int | None
    height: int | None
    review: str | None  # "approved" | "rejected" | None
    source: str          # "service" | "user"

    @property
    def cached(self) -> bool:
        return bool(self.cache_path) and Path(self.cache_path).is_file()


@dataclass(frozen=True, slots=True)
class JobRecord:
    job_id: str
    service: str
    asin: str
    country: str
    listing_type: str
    main_image_url: str | None
    other_image_urls: tuple[str, ...]
    status: str
    created_at: str
    started_at: str | None
    completed_at: str | None
    credit_cost: float | None
    credits_refunded: float | None
    error_code: str | None
    recorded_at: float
    updated_at: float
    batch_id: str | None

    @property
    def terminal(self) -> bool:
        return JobStatus(self.status).final


@dataclass(frozen=True)
class Intent:
    id: int
    service: str
    request: ListingRequest
    created_at: float
    state: str
    job_id: str | None
    batch_id: str | None
    batch_line: int | None
    owner: str | None = None   # the process sending it (see lease.SubmissionOwner)
    error_code: str | None = None


def _request(row: Row) -> ListingRequest:
    from desktop_app.api.pixii.models import ListingRequest
    return ListingRequest(row["asin"], row["country"], row["listing_type"], row["main_image_url"],
                          tuple(json.loads(row["other_image_urls"] or "[]")))


class Journal(Database):
    """The jobs, their images and the submissions (intents) that created them, in the journal's file."""

    # --- intents -----------------------------------------------------------------------------

    def add_intent(self, service: str, request: ListingRequest, *, owner: str | None = None,
                   batch_id: str | None = None, batch_line: int | None = None) -> Intent:
        now = time.time()
        (cur,) = self.write([(
            "INSERT INTO intents(service, asin, country, listing_type, main_image_url, other_image_urls,"
            " created_at, state, batch_id, batch_line, owner) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (service, request.asin, request.country_code, request.listing_type, request.main_image_url,
             json.dumps(list(request.other_image_urls)), now, INTENT_SENDING, batch_id, batch_line, owner))])
        return Intent(cur.lastrowid, service, request, now, INTENT_SENDING, None, batch_id, batch_line, owner)

    def set_intent_state(self, intent_id: int, state: str, error_code: str | None = None, *,
                         owner: str | None = None, expect: tuple[str, ...] = UNRESOLVED_INTENTS) -> bool:
        """Compare and set: changes the state only while the intent is in one of ``expect`` and belongs to
        ``owner``; False (nothing changed) otherwise."""
        for before in expect:
            IntentState(before).check(state)
        marks = ",".join("?" * len(expect))
        (cur,) = self.write([(f"UPDATE intents SET state=?, error_code=? WHERE id=? AND owner IS ?"
                               f" AND state IN ({marks})", (state, error_code, intent_id, owner, *expect))])
        return cur.rowcount > 0

    def take_intent(self, intent_id: int, old_owner: str | None, new_owner: str | None) -> bool:
        """Become the owner of an unresolved intent, provided ``old_owner`` still owns it."""
        (cur,) = self.write([("UPDATE intents SET owner=? WHERE id=? AND owner IS ? AND state IN (?,?)",
                               (new_owner, intent_id, old_owner, *UNRESOLVED_INTENTS))])
        return cur.rowcount > 0

    def heartbeat(self, owner: str, now: float) -> None:
        """The owner's sign of life (rows of owners silent for a week are dropped on the way)."""
        self.write([("INSERT INTO submitters(owner, heartbeat_at) VALUES (?,?)"
                      " ON CONFLICT(owner) DO UPDATE SET heartbeat_at=excluded.heartbeat_at", (owner, now)),
                     ("DELETE FROM submitters WHERE heartbeat_at < ?", (now - 7 * 86400,))])

    def last_heartbeat(self, owner: str) -> float | None:
        rows = self.read("SELECT heartbeat_at FROM submitters WHERE owner=?", (owner,))
        return rows[0][0] if rows else None

    def unresolved_intents(self, service: str | None = None) -> list[Intent]:
        rows = self.read("SELECT * FROM intents WHERE state IN (?,?) ORDER BY id",
                           UNRESOLVED_INTENTS)
        return [self._intent(r) for r in rows if service is None or r["service"] == service]

    def adopted_intents(self, service: str, since: float) -> list[Intent]:
        """Accepted intents whose job was adopted by reconciliation and not yet taken by a new submission."""
        return [self._intent(r) for r in self.read(
            "SELECT * FROM intents WHERE service=? AND adopted=1 AND created_at>=? ORDER BY id", (service, since))]

    def take_adopted(self, intent_id: int) -> bool:
        """Compare and set: the adopted job of ``intent_id`` goes to the caller, once."""
        (cur,) = self.write([("UPDATE intents SET adopted=2 WHERE id=? AND adopted=1", (intent_id,))])
        return cur.rowcount > 0

    def intents_for_batch(self, batch_id: str) -> list[Intent]:
        return [self._intent(r) for r in self.read("SELECT * FROM intents WHERE batch_id=? ORDER BY id", (batch_id,))]

    @staticmethod
    def _intent(row: Row) -> Intent:
        return Intent(row["id"], row["service"], _request(row), row["created_at"], row["state"], row["job_id"],
                      row["batch_id"], row["batch_line"], row["owner"], row["error_code"])

    def accept(self, intent: Intent, job_id: str, status: str, created_at: str, *, owner: str | None = None,
               adopt: bool = False) -> bool:
        """Record an accepted job id for ``intent`` (compare and set: while it is unresolved and belongs to
        ``owner``), atomically with its job row. The job row of a POST's own answer is written even when the
        intent was settled meanwhile (a paid job is never dropped). ``adopt``: a job found in the service's
        list, taken only if no intent holds it yet and the intent is still this owner's; False otherwise."""
        r = intent.request
        now = time.time()
        with self.immediate() as conn:
            if adopt and conn.execute("SELECT 1 FROM jobs WHERE job_id=?", (job_id,)).fetchone():
                return False
            updated = conn.execute(
                "UPDATE intents SET state=?, job_id=?, adopted=? WHERE id=? AND owner IS ? AND state IN (?,?)",
                (INTENT_ACCEPTED, job_id, 1 if adopt else 0, intent.id, owner, *UNRESOLVED_INTENTS)).rowcount > 0
            if adopt and not updated:
                return False
            conn.execute(
                "INSERT INTO jobs(job_id, service, asin, country, listing_type, main_image_url, other_image_urls,"
                " status, created_at, recorded_at, updated_at, intent_id, batch_id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(job_id) DO NOTHING",
                (job_id, intent.service, r.asin, r.country_code, r.listing_type, r.main_image_url,
                 json.dumps(list(r.other_image_urls)), status, created_at, now, now, intent.id, intent.batch_id))
        return updated

    def record_submission(self, intent: Intent, submission: Submission) -> bool:
        return self.accept(intent, submission.job_id, submission.status, submission.created_at, owner=intent.owner)

    # --- jobs --------------------------------------------------------------------------------

    def add_known_job(self, service: str, job: Job, asin: str = "", country: str = "", listing_type: str = "") -> None:
        """A job learned from the service (``status JOB_ID`` for an id not yet journalled)."""
        now = time.time()
        self.write([(
            "INSERT INTO jobs(job_id, service, asin, country, listing_type, other_image_urls, status, created_at,"
            " recorded_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(job_id) DO NOTHING",
            (job.id, service, asin, country, listing_type, "[]", job.status, job.created_at, now, now))])
        self.update_job(job)

    def update_job(self, job: Job) -> None:
        """The job as the service reports it now; raises :class:`~.states.IllegalTransition` if its status
        cannot follow the journalled one (a finished job never runs again)."""
        statements: list[tuple[str, tuple]] = [(
            "UPDATE jobs SET status=?, started_at=?, completed_at=?, credit_cost=?, credits_refunded=?,"
            " error_code=?, updated_at=? WHERE job_id=?",
            (job.status, job.started_at, job.completed_at, job.credit_cost, job.credits_refunded, job.error_code,
             time.time(), job.id))]
        for index, ad in enumerate(job.ads or ()):
            statements.append((
                "INSERT INTO images(job_id, idx, url, error_code, error_message, source) VALUES (?,?,?,?,?,'service')"
                " ON CONFLICT(job_id, idx) DO UPDATE SET url=excluded.url,"
                " error_code=CASE WHEN images.sha256 IS NULL THEN excluded.error_code ELSE images.error_code END,"
                " error_message=CASE WHEN images.sha256 IS NULL THEN excluded.error_message ELSE images.error_message END",
                (job.id, index, ad.preview_url, ad.error_code, ad.error_message)))
        with self.immediate() as conn:
            row = conn.execute("SELECT status FROM jobs WHERE job_id=?", (job.id,)).fetchone()
            if row is not None:
                JobStatus(row[0]).check(job.status)
            for sql, params in statements:
                conn.execute(sql, params)

    def job(self, job_id: str) -> JobRecord | None:
        rows = self.read("SELECT * FROM jobs WHERE job_id=?", (job_id,))
        return self._job(rows[0]) if rows else None

    def jobs(self, asin: str | None = None, *, unfinished_only: bool = False,
             service: str | None = None) -> list[JobRecord]:
        sql, params = "SELECT * FROM jobs WHERE 1=1", []
        if asin:
            sql += " AND asin=?"
            params.append(asin)
        if unfinished_only:
            sql += " AND status NOT IN (?,?)"
            params += [JobStatus.COMPLETED, JobStatus.FAILED]
        if service:
            sql += " AND service=?"
            params.append(service)
        sql += " ORDER BY created_at DESC, recorded_at DESC"
        return [self._job(r) for r in self.read(sql, tuple(params))]

    def known_job_ids(self) -> set[str]:
        return {r[0] for r in self.read("SELECT job_id FROM jobs")}

    @staticmethod
    def _job(row: Row) -> JobRecord:
        return JobRecord(row["job_id"], row["service"], row["asin"], row["country"], row["listing_type"],
                         row["main_image_url"], tuple(json.loads(row["other_image_urls"] or "[]")), row["status"],
                         row["created_at"], row["started_at"], row["completed_at"], row["credit_cost"],
                         row["credits_refunded"], row["error_code"], row["recorded_at"], row["updated_at"],
                         row["batch_id"])

    # --- images ------------------------------------------------------------------------------

    def images(self, job_id: str) -> list[ImageRecord]:
        return [ImageRecord(r["job_id"], r["idx"], r["url"], r["error_code"], r["error_message"], r["sha256"],
                            r["ext"], r["cache_path"], r["width"], r["height"], r["review"], r["source"])
                for r in self.read("SELECT * FROM images WHERE job_id=? ORDER BY idx", (job_id,))]

    def set_image_cached(self, job_id: str, index: int, sha256: str, ext: str, path: Path,
                         width: int, height: int) -> None:
        self.write([("UPDATE images SET sha256=?, ext=?, cache_path=?, width=?, height=?, error_code=NULL,"
                      " error_message=NULL WHERE job_id=? AND idx=?",
                      (sha256, ext, str(path), width, height, job_id, index))])

    def set_image_error(self, job_id: str, index: int, code: str, message: str) -> None:
        self.write([("UPDATE images SET error_code=?, error_message=? WHERE job_id=? AND idx=? AND sha256 IS NULL",
                      (code, message, job_id, index))])

    def add_user_image(self, job_id: str, url: str | None, sha256: str, ext: str, path: Path,
                       width: int, height: int) -> int:
        """An image the seller dropped into a job's collection; appended after the service's images."""
        rows = self.read("SELECT COALESCE(MAX(idx), -1) + 1 FROM images WHERE job_id=?", (job_id,))
        index = rows[0][0]
        self.write([("INSERT INTO images(job_id, idx, url, sha256, ext, cache_path, width, height, source)"
                      " VALUES (?,?,?,?,?,?,?,?,'user')", (job_id, index, url, sha256, ext, str(path), width, height))])
        return index

    def set_review(self, job_id: str, index: int, review: str | None) -> None:
        if review not in (None, "approved", "rejected"):
            raise ValueError(f"unknown review state {review!r}")
        self.write([("UPDATE images SET review=? WHERE job_id=? AND idx=?", (review, job_id, index))])


    def cached_file(self, url: str) -> str | None:
        """The cache path recorded for an image of this ``url`` (any job), if one was downloaded."""
        rows = self.read("SELECT cache_path FROM images WHERE url=? AND cache_path IS NOT NULL LIMIT 1", (url,))
        return rows[0]["cache_path"] if rows else None

    def intent_error(self, intent_id: int) -> str | None:
        rows = self.read("SELECT error_code FROM intents WHERE id=?", (intent_id,))
        return rows[0][0] if rows else None

    def batch_lines(self, batch_id: str) -> dict[str, int | None]:
        """The jobs of a batch with the line of the batch that created each."""
        return {r["job_id"]: r["batch_line"] for r in self.read(
            "SELECT j.job_id, i.batch_line FROM jobs j JOIN intents i ON i.id = j.intent_id WHERE j.batch_id=?",
            (batch_id,))}
