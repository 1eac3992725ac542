"""Batches in the journal: the batch and its rows (so a queue survives a restart and the window can
show it again), its state, and what each row's submissions became (read from the intents, which carry
``batch_id`` and ``batch_line``). Writes go through the journal's one writer path."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from ..api.models import ListingRequest
from .batch import BatchRow, ParsedBatch
from ..store.journal import INTENT_ACCEPTED, INTENT_REFUSED, UNRESOLVED_INTENTS, Journal

RUNNING, PAUSED, CANCELLED, STOPPED, FINISHED = "running", "paused", "cancelled", "stopped", "finished"


@dataclass(frozen=True)
class BatchInfo:
    batch_id: str
    service: str
    source: str
    total: int
    state: str
    stop_code: str | None
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class RowSubmission:
    line: int
    job_id: str | None          # the accepted (or adopted) job, if any
    unresolved: bool            # a submission whose outcome is not known yet (reconcile first)
    refused_code: str | None    # the API's code when the latest attempt was refused


class BatchStore:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    def save(self, batch: ParsedBatch, service: str, source: str = "") -> BatchInfo:
        """Record the batch and its rows (once); a batch already known is left as it is."""
        now = time.time()
        statements: list[tuple[str, tuple]] = [(
            "INSERT INTO batches(batch_id, service, source, total, state, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT(batch_id) DO NOTHING",
            (batch.batch_id, service, source, len(batch.rows), RUNNING, now, now))]
        for row in batch.rows:
            r = row.request
            statements.append((
                "INSERT INTO batch_rows(batch_id, line, asin, country, listing_type, main_image_url,"
                " other_image_urls) VALUES (?,?,?,?,?,?,?) ON CONFLICT(batch_id, line) DO NOTHING",
                (batch.batch_id, row.line, r.asin, r.country_code, r.listing_type, r.main_image_url,
                 json.dumps(list(r.other_image_urls)))))
        self.journal._write(statements)
        return self.info(batch.batch_id)  # type: ignore[return-value]

    def set_state(self, batch_id: str, state: str, stop_code: str | None = None) -> None:
        self.journal._write([("UPDATE batches SET state=?, stop_code=?, updated_at=? WHERE batch_id=?",
                              (state, stop_code, time.time(), batch_id))])

    def info(self, batch_id: str) -> BatchInfo | None:
        rows = self.journal._query("SELECT * FROM batches WHERE batch_id=?", (batch_id,))
        return self._info(rows[0]) if rows else None

    def batches(self, *, unfinished_only: bool = False) -> list[BatchInfo]:
        sql = "SELECT * FROM batches"
        if unfinished_only:
            sql += f" WHERE state != '{FINISHED}'"
        return [self._info(r) for r in self.journal._query(sql + " ORDER BY created_at DESC")]

    @staticmethod
    def _info(r) -> BatchInfo:
        return BatchInfo(r["batch_id"], r["service"], r["source"], r["total"], r["state"], r["stop_code"],
                         r["created_at"], r["updated_at"])

    def load(self, batch_id: str) -> ParsedBatch | None:
        """The batch as it was saved (to resume it without its file)."""
        rows = self.journal._query("SELECT * FROM batch_rows WHERE batch_id=? ORDER BY line", (batch_id,))
        if not rows:
            return None
        parsed = tuple(BatchRow(r["line"], ListingRequest(r["asin"], r["country"], r["listing_type"],
                                                          r["main_image_url"],
                                                          tuple(json.loads(r["other_image_urls"] or "[]"))))
                       for r in rows)
        return ParsedBatch(batch_id, parsed, (), (None, None))

    def submissions(self, batch_id: str) -> dict[int, RowSubmission]:
        """Per line: what its submissions became so far."""
        result: dict[int, RowSubmission] = {}
        for intent in self.journal.intents_for_batch(batch_id):
            if intent.batch_line is None:
                continue
            prev = result.get(intent.batch_line, RowSubmission(intent.batch_line, None, False, None))
            if prev.job_id:
                continue  # the first accepted job of a row is its job
            if intent.state == INTENT_ACCEPTED and intent.job_id:
                prev = RowSubmission(intent.batch_line, intent.job_id, False, None)
            elif intent.state in UNRESOLVED_INTENTS:
                prev = RowSubmission(intent.batch_line, None, True, prev.refused_code)
            elif intent.state == INTENT_REFUSED:
                code = self._intent_error(intent.id)
                prev = RowSubmission(intent.batch_line, None, prev.unresolved, code)
            result[intent.batch_line] = prev
        return result

    def _intent_error(self, intent_id: int) -> str | None:
        rows = self.journal._query("SELECT error_code FROM intents WHERE id=?", (intent_id,))
        return rows[0][0] if rows else None
