"""Expiry of results: the service keeps a completed job and its image links for 7 days (from
``completed_at``; pixii.md §7). Images are cached as soon as a job completes, so expiry loses nothing;
this module tells, for a journalled job, where it stands. Qt-free; the job panel shows the result.
"""

from __future__ import annotations

import time

from desktop_app.store.journal import ImageRecord, JobRecord
from desktop_app.core.fsutil import iso_epoch

RESULT_LIFETIME = 7 * 86400.0    # the service's retention after completed_at
WARN_AFTER = 6 * 86400.0         # warn when images are still not cached this long after completion

RUNNING = "running"     # not finished yet
FAILED = "failed"       # the job failed: there are no images to keep
CACHED = "cached"       # every image the service produced is in the local cache: expiry loses nothing
PENDING = "pending"     # completed, some images not cached yet, well within the 7 days
EXPIRING = "expiring"   # completed more than 6 days ago and not fully cached: download now (warning)
EXPIRED = "expired"     # past the 7 days and not fully cached: what is not cached is gone


def expires_at(record: JobRecord) -> float | None:
    """When the service forgets the job (epoch seconds), if it is known to have completed."""
    done = iso_epoch(record.completed_at)
    return done + RESULT_LIFETIME if done is not None else None


def likely_expired(record: JobRecord, now: float | None = None) -> bool:
    """Past the service's retention: a JOB_NOT_FOUND for it means "expired", not an error. A job
    never seen completing counts from its creation (it cannot have completed before it was created)."""
    now = time.time() if now is None else now
    start = iso_epoch(record.completed_at) or iso_epoch(record.created_at)
    return start is not None and now > start + RESULT_LIFETIME


def all_cached(images: list[ImageRecord]) -> bool:
    """True when every image the service produced (a URL) is cached; failed slots do not count."""
    return all(img.cached for img in images if img.url or img.cache_path)


def result_status(record: JobRecord, images: list[ImageRecord], now: float | None = None) -> str:
    """One of RUNNING, FAILED, CACHED, PENDING, EXPIRING, EXPIRED."""
    return status_of(record, record.status == "completed" and all_cached(images), now)


def status_of(record: JobRecord, cached: bool, now: float | None = None) -> str:
    """:func:`result_status` when it is known whether every image the service produced is cached."""
    now = time.time() if now is None else now
    if record.status == "failed":
        return FAILED
    if record.status != "completed":
        return EXPIRED if likely_expired(record, now) else RUNNING
    if cached:
        return CACHED
    done = iso_epoch(record.completed_at) or iso_epoch(record.created_at) or now
    if now > done + RESULT_LIFETIME:
        return EXPIRED
    if now > done + WARN_AFTER:
        return EXPIRING
    return PENDING


def describe(status: str, record: JobRecord, now: float | None = None) -> str:
    """A short line for people (tooltips, stderr)."""
    now = time.time() if now is None else now
    end = expires_at(record)
    if status == EXPIRING and end is not None:
        hours = max(0.0, (end - now) / 3600)
        return f"images not all downloaded; the service deletes them in {hours:.0f} h"
    return {RUNNING: "still running", FAILED: "failed: no images", CACHED: "all images kept locally",
            PENDING: "images not all downloaded yet", EXPIRING: "images not all downloaded; expiring soon",
            EXPIRED: "expired at the service; only the images kept locally remain"}[status]
