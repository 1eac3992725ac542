"""Batches in the journal: each batch with its rows (so a queue survives a restart and the window can show it
again) and its state. What each row's submissions became is read from the intents (:mod:`.journal`); the
batch's rules (resume, pause, stop) are decided in :mod:`desktop_app.core.batch.runner`."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from desktop_app.api.pixii.models import ListingRequest
from desktop_app.store.database import Database

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


class BatchTable:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, batch_id: str, service: str, source: str, rows: list[tuple[int, ListingRequest]]) -> None:
        """Record the batch and its rows (line, request) once; a batch already known is left as it is."""
        now = time.time()
        statements: list[tuple[str, tuple]] = [(
            "INSERT INTO batches(batch_id, service, source, total, state, created_at, updated_at)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT(batch_id) DO NOTHING",
            (batch_id, service, source, len(rows), RUNNING, now, now))]
        for line, r in rows:
            statements.append((
                "INSERT INTO batch_rows(batch_id, line, asin, country, listing_type, main_image_url,"
                " other_image_urls) VALUES (?,?,?,?,?,?,?) ON CONFLICT(batch_id, line) DO NOTHING",
                (batch_id, line, r.asin, r.country_code, r.listing_type, r.main_image_url,
                 json.dumps(list(r.other_image_urls)))))
        self.db.write(statements)

    def set_state(self, batch_id: str, state: str, stop_code: str | None = None) -> None:
        self.db.write([("UPDATE batches SET state=?, stop_code=?, updated_at=? WHERE batch_id=?",
                        (state, stop_code, time.time(), batch_id))])

    def info(self, batch_id: str) -> BatchInfo | None:
        rows = self.db.read("SELECT * FROM batches WHERE batch_id=?", (batch_id,))
        return self._info(rows[0]) if rows else None

    def batches(self, *, unfinished_only: bool = False) -> list[BatchInfo]:
        sql = "SELECT * FROM batches"
        if unfinished_only:
            sql += f" WHERE state != '{FINISHED}'"
        return [self._info(r) for r in self.db.read(sql + " ORDER BY created_at DESC")]

    @staticmethod
    def _info(r) -> BatchInfo:
        return BatchInfo(r["batch_id"], r["service"], r["source"], r["total"], r["state"], r["stop_code"],
                         r["created_at"], r["updated_at"])

    def rows(self, batch_id: str) -> list[tuple[int, ListingRequest]]:
        """The batch's rows as saved: (line, request), by line."""
        return [(r["line"], ListingRequest(r["asin"], r["country"], r["listing_type"], r["main_image_url"],
                                           tuple(json.loads(r["other_image_urls"] or "[]"))))
                for r in self.db.read("SELECT * FROM batch_rows WHERE batch_id=? ORDER BY line", (batch_id,))]
