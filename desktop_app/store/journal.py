"""The job journal: a local SQLite file that never loses a paid job.

Every submission is recorded as an *intent* before the POST is sent, and the job id the moment
it is accepted, in one transaction. Jobs carry their request (reference URLs included), their
images (URL, per-image error, cached file, sha256, review) and their last known state. WAL mode
and a busy timeout make it safe to open from the window and the command line at once; every write
goes through the methods of :class:`Journal` (one writer path).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..api.models import Job, ListingRequest, Submission
from .datadir import classify, too_new
from .schema import MIGRATIONS

INTENT_SENDING = "sending"      # written before the POST; stays if the process dies mid-request
INTENT_AMBIGUOUS = "ambiguous"  # the POST's outcome is unknown: reconcile before anything else
INTENT_ACCEPTED = "accepted"
INTENT_REFUSED = "refused"      # the API said no: no job, no charge
INTENT_NOT_CREATED = "not_created"  # reconciled: the service holds no job for it
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


@dataclass(frozen=True)
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
        return self.status in ("completed", "failed")


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


def _looks_corrupt(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return any(word in text for word in ("not a database", "malformed", "corrupt"))


def _rollback(conn: sqlite3.Connection) -> None:
    """Undo the open transaction, if SQLite has not already done so (it does on a full disk): the error that
    got here is the one that counts."""
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _request(row: sqlite3.Row) -> ListingRequest:
    return ListingRequest(row["asin"], row["country"], row["listing_type"], row["main_image_url"],
                          tuple(json.loads(row["other_image_urls"] or "[]")))


class Journal:
    """Raises :class:`~.datadir.DataDirError` (never SQLite's own error) when the data dir cannot be used: a
    journal of a newer version (left as it was), a read-only folder, a full disk. A damaged or empty journal is
    kept aside under a new name (``recovered_from``) and a new one is started."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.recovered_from: Path | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._open_or_recover()
        except (OSError, sqlite3.Error) as exc:
            problem = classify(exc, self.path.parent)
            if problem is None:
                raise
            raise problem from None

    def _open_or_recover(self) -> sqlite3.Connection:
        if self.path.is_file() and self.path.stat().st_size == 0:  # never a journal this app wrote
            self._keep_aside("empty")
        if not self.path.exists():
            self._create()
        try:
            return self._open()
        except sqlite3.DatabaseError as exc:
            if not _looks_corrupt(exc):
                raise
            self._keep_aside("damaged")
            self._create()
            return self._open()

    def _keep_aside(self, why: str) -> None:
        backup = self.path.with_name(f"{self.path.name}.{why}-{time.strftime('%Y%m%d-%H%M%S')}")
        shutil.move(str(self.path), backup)
        for suffix in ("-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        self.recovered_from = backup

    def _create(self) -> None:
        """A new journal appears whole (built under a temp name, then linked): another process starting at the
        same moment never sees an empty file under the journal's name."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}-{uuid.uuid4().hex[:8]}.new")
        try:
            conn = sqlite3.connect(tmp, isolation_level=None)
            try:
                self._migrate(conn, self.path.parent)
            finally:
                conn.close()
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                pass  # another process created it first: use theirs
        finally:
            for leftover in (tmp, Path(f"{tmp}-journal")):
                leftover.unlink(missing_ok=True)

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=15.0, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute("PRAGMA busy_timeout=15000")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):  # before anything writes: the journal is left as it was
                raise too_new(self.path.parent, version)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._migrate(conn, self.path.parent)
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed: {check}")
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _migrate(conn: sqlite3.Connection, folder: Path) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise too_new(folder, version)
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("PRAGMA user_version").fetchone()[0] < number:
                    for statement in filter(str.strip, script.split(";")):
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version={number}")
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise

    def close(self) -> None:
        self._conn.close()

    # --- the one writer path -----------------------------------------------------------------

    def _write(self, statements: Iterable[tuple[str, tuple]]) -> list[sqlite3.Cursor]:
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                cursors = [conn.execute(sql, params) for sql, params in statements]
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
        except sqlite3.Error as exc:
            problem = classify(exc, self.path.parent)
            if problem is None:
                raise
            raise problem from None
        return cursors

    def _query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        return self._conn.execute(sql, params).fetchall()

    # --- intents -----------------------------------------------------------------------------

    def add_intent(self, service: str, request: ListingRequest, *, owner: str | None = None,
                   batch_id: str | None = None, batch_line: int | None = None) -> Intent:
        now = time.time()
        (cur,) = self._write([(
            "INSERT INTO intents(service, asin, country, listing_type, main_image_url, other_image_urls,"
            " created_at, state, batch_id, batch_line, owner) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (service, request.asin, request.country_code, request.listing_type, request.main_image_url,
             json.dumps(list(request.other_image_urls)), now, INTENT_SENDING, batch_id, batch_line, owner))])
        return Intent(cur.lastrowid, service, request, now, INTENT_SENDING, None, batch_id, batch_line, owner)

    def set_intent_state(self, intent_id: int, state: str, error_code: str | None = None, *,
                         owner: str | None = None, expect: tuple[str, ...] = UNRESOLVED_INTENTS) -> bool:
        """Compare and set: changes the state only while the intent is in one of ``expect`` and belongs to
        ``owner``; False (nothing changed) otherwise."""
        marks = ",".join("?" * len(expect))
        (cur,) = self._write([(f"UPDATE intents SET state=?, error_code=? WHERE id=? AND owner IS ?"
                               f" AND state IN ({marks})", (state, error_code, intent_id, owner, *expect))])
        return cur.rowcount > 0

    def take_intent(self, intent_id: int, old_owner: str | None, new_owner: str | None) -> bool:
        """Become the owner of an unresolved intent, provided ``old_owner`` still owns it."""
        (cur,) = self._write([("UPDATE intents SET owner=? WHERE id=? AND owner IS ? AND state IN (?,?)",
                               (new_owner, intent_id, old_owner, *UNRESOLVED_INTENTS))])
        return cur.rowcount > 0

    def heartbeat(self, owner: str, now: float) -> None:
        """The owner's sign of life (rows of owners silent for a week are dropped on the way)."""
        self._write([("INSERT INTO submitters(owner, heartbeat_at) VALUES (?,?)"
                      " ON CONFLICT(owner) DO UPDATE SET heartbeat_at=excluded.heartbeat_at", (owner, now)),
                     ("DELETE FROM submitters WHERE heartbeat_at < ?", (now - 7 * 86400,))])

    def last_heartbeat(self, owner: str) -> float | None:
        rows = self._query("SELECT heartbeat_at FROM submitters WHERE owner=?", (owner,))
        return rows[0][0] if rows else None

    def unresolved_intents(self, service: str | None = None) -> list[Intent]:
        rows = self._query("SELECT * FROM intents WHERE state IN (?,?) ORDER BY id",
                           UNRESOLVED_INTENTS)
        return [self._intent(r) for r in rows if service is None or r["service"] == service]

    def adopted_intents(self, service: str, since: float) -> list[Intent]:
        """Accepted intents whose job was adopted by reconciliation and not yet taken by a new submission."""
        return [self._intent(r) for r in self._query(
            "SELECT * FROM intents WHERE service=? AND adopted=1 AND created_at>=? ORDER BY id", (service, since))]

    def take_adopted(self, intent_id: int) -> bool:
        """Compare and set: the adopted job of ``intent_id`` goes to the caller, once."""
        (cur,) = self._write([("UPDATE intents SET adopted=2 WHERE id=? AND adopted=1", (intent_id,))])
        return cur.rowcount > 0

    def intents_for_batch(self, batch_id: str) -> list[Intent]:
        return [self._intent(r) for r in self._query("SELECT * FROM intents WHERE batch_id=? ORDER BY id", (batch_id,))]

    @staticmethod
    def _intent(row: sqlite3.Row) -> Intent:
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
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if adopt and conn.execute("SELECT 1 FROM jobs WHERE job_id=?", (job_id,)).fetchone():
                conn.execute("ROLLBACK")
                return False
            updated = conn.execute(
                "UPDATE intents SET state=?, job_id=?, adopted=? WHERE id=? AND owner IS ? AND state IN (?,?)",
                (INTENT_ACCEPTED, job_id, 1 if adopt else 0, intent.id, owner, *UNRESOLVED_INTENTS)).rowcount > 0
            if adopt and not updated:
                conn.execute("ROLLBACK")
                return False
            conn.execute(
                "INSERT INTO jobs(job_id, service, asin, country, listing_type, main_image_url, other_image_urls,"
                " status, created_at, recorded_at, updated_at, intent_id, batch_id)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(job_id) DO NOTHING",
                (job_id, intent.service, r.asin, r.country_code, r.listing_type, r.main_image_url,
                 json.dumps(list(r.other_image_urls)), status, created_at, now, now, intent.id, intent.batch_id))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return updated

    def record_submission(self, intent: Intent, submission: Submission) -> bool:
        return self.accept(intent, submission.job_id, submission.status, submission.created_at, owner=intent.owner)

    # --- jobs --------------------------------------------------------------------------------

    def add_known_job(self, service: str, job: Job, asin: str = "", country: str = "", listing_type: str = "") -> None:
        """A job learned from the service (``status JOB_ID`` for an id not yet journalled)."""
        now = time.time()
        self._write([(
            "INSERT INTO jobs(job_id, service, asin, country, listing_type, other_image_urls, status, created_at,"
            " recorded_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(job_id) DO NOTHING",
            (job.id, service, asin, country, listing_type, "[]", job.status, job.created_at, now, now))])
        self.update_job(job)

    def update_job(self, job: Job) -> None:
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
        self._write(statements)

    def job(self, job_id: str) -> JobRecord | None:
        rows = self._query("SELECT * FROM jobs WHERE job_id=?", (job_id,))
        return self._job(rows[0]) if rows else None

    def jobs(self, asin: str | None = None, *, unfinished_only: bool = False,
             service: str | None = None) -> list[JobRecord]:
        sql, params = "SELECT * FROM jobs WHERE 1=1", []
        if asin:
            sql += " AND asin=?"
            params.append(asin)
        if unfinished_only:
            sql += " AND status NOT IN ('completed','failed')"
        if service:
            sql += " AND service=?"
            params.append(service)
        sql += " ORDER BY created_at DESC, recorded_at DESC"
        return [self._job(r) for r in self._query(sql, tuple(params))]

    def known_job_ids(self) -> set[str]:
        return {r[0] for r in self._query("SELECT job_id FROM jobs")}

    @staticmethod
    def _job(row: sqlite3.Row) -> JobRecord:
        return JobRecord(row["job_id"], row["service"], row["asin"], row["country"], row["listing_type"],
                         row["main_image_url"], tuple(json.loads(row["other_image_urls"] or "[]")), row["status"],
                         row["created_at"], row["started_at"], row["completed_at"], row["credit_cost"],
                         row["credits_refunded"], row["error_code"], row["recorded_at"], row["updated_at"],
                         row["batch_id"])

    # --- images ------------------------------------------------------------------------------

    def images(self, job_id: str) -> list[ImageRecord]:
        return [ImageRecord(r["job_id"], r["idx"], r["url"], r["error_code"], r["error_message"], r["sha256"],
                            r["ext"], r["cache_path"], r["width"], r["height"], r["review"], r["source"])
                for r in self._query("SELECT * FROM images WHERE job_id=? ORDER BY idx", (job_id,))]

    def set_image_cached(self, job_id: str, index: int, sha256: str, ext: str, path: Path,
                         width: int, height: int) -> None:
        self._write([("UPDATE images SET sha256=?, ext=?, cache_path=?, width=?, height=?, error_code=NULL,"
                      " error_message=NULL WHERE job_id=? AND idx=?",
                      (sha256, ext, str(path), width, height, job_id, index))])

    def set_image_error(self, job_id: str, index: int, code: str, message: str) -> None:
        self._write([("UPDATE images SET error_code=?, error_message=? WHERE job_id=? AND idx=? AND sha256 IS NULL",
                      (code, message, job_id, index))])

    def add_user_image(self, job_id: str, url: str | None, sha256: str, ext: str, path: Path,
                       width: int, height: int) -> int:
        """An image the seller dropped into a job's collection; appended after the service's images."""
        rows = self._query("SELECT COALESCE(MAX(idx), -1) + 1 FROM images WHERE job_id=?", (job_id,))
        index = rows[0][0]
        self._write([("INSERT INTO images(job_id, idx, url, sha256, ext, cache_path, width, height, source)"
                      " VALUES (?,?,?,?,?,?,?,?,'user')", (job_id, index, url, sha256, ext, str(path), width, height))])
        return index

    def set_review(self, job_id: str, index: int, review: str | None) -> None:
        if review not in (None, "approved", "rejected"):
            raise ValueError(f"unknown review state {review!r}")
        self._write([("UPDATE images SET review=? WHERE job_id=? AND idx=?", (review, job_id, index))])

