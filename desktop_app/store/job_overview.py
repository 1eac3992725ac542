"""What the window's job list shows of each job, read in a few queries for all jobs at once (never one query
per job): the job, its images (for the review counts and the expiry state), its batch (file name, when the
batch started, the line of the job) and whether a publish of its images stands at Amazon."""

from __future__ import annotations

import os
from dataclasses import dataclass

from desktop_app.store.batches import BatchTable
from desktop_app.store.journal import JobRecord, Journal
from desktop_app.store.publishes import ACCEPTED, LIVE, OTHER_SHOWN, SENDING, UNKNOWN


@dataclass(frozen=True, slots=True)
class JobOverview:
    record: JobRecord
    approved: int              # images the seller approved
    cached: bool               # every image the service produced is in the local cache
    batch_source: str          # the batch file's name ("" when not from a batch)
    batch_created: float       # when its batch started (0 when none)
    batch_line: int | None     # the job's line in its batch file
    published: bool            # a publish of its images stands (sent, accepted or live; not undone)


def _images(journal: Journal, where: str, params: tuple) -> dict[str, tuple[int, bool]]:
    """Per job: approved images, and whether every image the service produced is cached (one row per job,
    the cached files' paths checked on disk here)."""
    rows = [(job_id, approved, missing, [p for p in (paths or "").split("\n") if p])
            for job_id, approved, missing, paths in journal.read(
                "SELECT job_id, SUM(review='approved'), SUM(cache_path IS NULL AND url IS NOT NULL),"
                f" GROUP_CONCAT(cache_path, char(10)) FROM images WHERE job_id IN (SELECT job_id FROM jobs WHERE {where})"
                " GROUP BY job_id", params)]
    on_disk = files_present([p for *_, paths in rows for p in paths])
    return {job_id: (approved or 0, not missing and all(p in on_disk for p in paths))
            for job_id, approved, missing, paths in rows}


LISTING_FROM = 16   # wanted files in one folder from which listing the folder is cheaper than a stat each


def files_present(paths: list[str]) -> set[str]:
    """Which of ``paths`` are files on disk: one listing of a folder that holds many of them (the image cache's
    folders hold hundreds), a stat for the others."""
    by_folder: dict[str, dict[str, str]] = {}   # folder -> path -> name
    for path in paths:
        folder, _, name = path.rpartition(os.sep)
        by_folder.setdefault(folder, {})[path] = name
    found: set[str] = set()
    for folder, wanted in by_folder.items():
        if len(wanted) < LISTING_FROM:
            found.update(p for p in wanted if os.path.isfile(p))
            continue
        try:
            with os.scandir(folder or (os.sep if wanted and next(iter(wanted)).startswith(os.sep) else ".")) as entries:
                names = {e.name for e in entries if e.is_file()}
        except OSError:
            continue
        found.update(p for p, name in wanted.items() if name in names)
    return found


def _published(journal: Journal, where: str, params: tuple) -> set[str]:
    return {r[0] for r in journal.read(
        f"SELECT DISTINCT job_id FROM publish_submissions WHERE undo_of IS NULL AND state IN (?,?,?,?,?)"
        f" AND job_id IN (SELECT job_id FROM jobs WHERE {where})",
        (SENDING, UNKNOWN, ACCEPTED, LIVE, OTHER_SHOWN) + params)}


def _lines(journal: Journal, where: str, params: tuple) -> dict[str, int | None]:
    return {r[0]: r[1] for r in journal.read(
        f"SELECT j.job_id, i.batch_line FROM jobs j JOIN intents i ON i.id = j.intent_id"
        f" WHERE j.batch_id IS NOT NULL AND j.job_id IN (SELECT job_id FROM jobs WHERE {where})", params)}


def _overviews(journal: Journal, records: list[JobRecord], where: str, params: tuple) -> list[JobOverview]:
    images, published = _images(journal, where, params), _published(journal, where, params)
    nothing = (0, True)
    lines = _lines(journal, where, params) if any(r.batch_id for r in records) else {}
    batches = {info.batch_id: info for info in BatchTable(journal).batches()} if lines else {}
    out = []
    for record in records:
        info = batches.get(record.batch_id) if record.batch_id else None
        source = ((info.source or "pasted") if info else "batch") if record.batch_id else ""
        approved, cached = images.get(record.job_id, nothing)
        out.append(JobOverview(record, approved, cached,
                               source.replace("\\", "/").rsplit("/", 1)[-1], float(info.created_at) if info else 0.0,
                               lines.get(record.job_id), record.job_id in published))
    return out


def job_overviews(journal: Journal, service: str) -> list[JobOverview]:
    """Every job of ``service``, newest first."""
    return _overviews(journal, journal.jobs(service=service), "service=?", (service,))


def job_overview(journal: Journal, job_id: str) -> JobOverview | None:
    record = journal.job(job_id)
    if record is None:
        return None
    return _overviews(journal, [record], "job_id=?", (job_id,))[0]
