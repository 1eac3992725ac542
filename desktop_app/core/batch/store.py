"""A batch as the journal keeps it (:mod:`desktop_app.store.batches`): saved with its rows, loaded back to be
resumed without its file, and what each row's submissions became (read from the intents, which carry
``batch_id`` and ``batch_line``)."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.store.batches import BatchInfo, BatchTable
from desktop_app.store.journal import INTENT_ACCEPTED, INTENT_REFUSED, UNRESOLVED_INTENTS, Journal
from desktop_app.core.batch.rows import BatchRow, ParsedBatch


@dataclass(frozen=True)
class RowSubmission:
    line: int
    job_id: str | None          # the accepted (or adopted) job, if any
    unresolved: bool            # a submission whose outcome is not known yet (reconcile first)
    refused_code: str | None    # the API's code when the latest attempt was refused


class BatchStore:
    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self.table = BatchTable(journal)

    def save(self, batch: ParsedBatch, service: str, source: str = "") -> BatchInfo:
        """Record the batch and its rows (once); a batch already known is left as it is."""
        self.table.add(batch.batch_id, service, source, [(row.line, row.request) for row in batch.rows])
        return self.info(batch.batch_id)  # type: ignore[return-value]

    def set_state(self, batch_id: str, state: str, stop_code: str | None = None) -> None:
        self.table.set_state(batch_id, state, stop_code)

    def info(self, batch_id: str) -> BatchInfo | None:
        return self.table.info(batch_id)

    def batches(self, *, unfinished_only: bool = False) -> list[BatchInfo]:
        return self.table.batches(unfinished_only=unfinished_only)

    def load(self, batch_id: str) -> ParsedBatch | None:
        """The batch as it was saved (to resume it without its file)."""
        rows = self.table.rows(batch_id)
        if not rows:
            return None
        return ParsedBatch(batch_id, tuple(BatchRow(line, request) for line, request in rows), (), (None, None))

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
                code = self.journal.intent_error(intent.id)
                prev = RowSubmission(intent.batch_line, None, prev.unresolved, code)
            result[intent.batch_line] = prev
        return result
