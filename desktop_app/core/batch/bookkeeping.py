"""The batch runner's bookkeeping: the batch's lease (one running instance per batch on a data dir, and
:class:`BatchBusy` when another holds it), and the journal reads and writes the runner hands to the job service's
store (the window's worker thread, or at once on the command line). Qt-free; each function takes the journal first."""

from __future__ import annotations

from typing import Callable, TypeVar

from desktop_app.core.batch.store import BatchStore, RowSubmission
from desktop_app.core.jobs.lease import owner_pid


class BatchBusy(Exception):
    """The same batch is being run by another instance on this data dir."""

    code = "BATCH_RUNNING"

    def __init__(self, batch_id: str, holder: str | None) -> None:
        pid = owner_pid(holder)
        super().__init__(f"batch {batch_id} is already running in another Listing Studio (process {pid}); "
                         "nothing was sent")
        self.message = str(self)


T = TypeVar("T")


def on_batches(journal, work: Callable[[BatchStore], T]) -> T:
    return work(BatchStore(journal))


def claim(journal, leases, lease: str) -> tuple[bool, str | None]:
    """Take the batch's lease (one compare-and-set); else who holds it."""
    leases = leases.on(journal)
    return (True, None) if leases.claim(lease) else (False, leases.holder(lease))


def renew(journal, leases, lease: str) -> None:
    leases.on(journal).claim(lease)


def release(journal, leases, job_ids: list[str]) -> None:
    leases.on(journal).release_many(job_ids)


def rows_before(journal, batch_id: str) -> tuple[dict[int, RowSubmission], dict]:
    """What each row's submissions became in earlier runs, and the journal's record of each of their jobs."""
    done_before = BatchStore(journal).submissions(batch_id)
    return done_before, {s.job_id: journal.job(s.job_id) for s in done_before.values() if s.job_id}


def job_and_images(journal, job_id: str):
    return journal.job(job_id), journal.images(job_id)
