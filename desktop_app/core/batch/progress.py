"""What a batch run shows while it runs and when it ends: each row's phase and outcome (:class:`RowState`), the
counts and the estimated time left (:class:`BatchProgress`), and the run's result with why it stopped
(:class:`BatchResult`). Made by :class:`~desktop_app.core.batch.runner.BatchRunner`; read by the command line and
the window's batch panel."""

from __future__ import annotations

from dataclasses import dataclass, field

from desktop_app.api.errors import ApiError
from desktop_app.core.batch.rows import BatchRow
from desktop_app.core.jobs.service import ImageOutcome

# a row's phase in this run
QUEUED, SUBMITTING, ACTIVE, FINISHING, DONE, FAILED = "queued", "submitting", "active", "finishing", "done", "failed"


@dataclass
class RowState:
    row: BatchRow
    job_id: str | None = None
    status: str | None = None              # the job's status
    job_error: str | None = None           # the job's error_code (service)
    error: tuple[str, str] | None = None   # why the row did not end well: (code, message)
    images: list[ImageOutcome] = field(default_factory=list)
    phase: str = QUEUED
    submitted_at: float | None = None      # monotonic, this run

    @property
    def line(self) -> int:
        return self.row.line


@dataclass(frozen=True)
class BatchProgress:
    total: int
    submitted: int      # rows with a job
    completed: int      # rows completed with every image downloaded (and exported)
    failed: int         # rows refused, failed or partial
    remaining: int      # rows not submitted yet
    active: int         # submitted, not finished
    eta: float | None   # seconds, from the rate limits and the jobs' observed duration
    paused: bool
    stop_code: str | None


@dataclass
class BatchResult:
    batch_id: str
    rows: list[RowState]
    progress: BatchProgress
    stop_code: str | None      # RATE_LIMIT_DAY_EXCEEDED, UNAUTHORIZED, …, UNREACHABLE, CANCELLED or None
    stop_message: str | None
    fatal: ApiError | None = None
