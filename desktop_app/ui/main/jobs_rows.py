"""The job list's rows, computed once per change of a job (on the store worker's thread, from the journal's
:class:`~desktop_app.store.job_overview.JobOverview`), never on a paint: every cell's text, the sort key
(newest first, a batch kept together in file order), the filter text, the expiry state and what the seller did
with the images (approved, exported, published). Only the elapsed time of an unfinished job moves with the
clock; its text is made when painted."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from desktop_app.api.pixii.vocab import country_name, listing_type_name
from desktop_app.core.jobs import expiry
from desktop_app.store.job_overview import JobOverview
from desktop_app.store.journal import JobRecord

EXPIRY_TEXT = {expiry.EXPIRING: "expires soon — images not downloaded", expiry.EXPIRED: "expired"}
TYPICAL_SECONDS = 120.0   # the service's own figure: a listing takes "about 2 minutes" (pixii.md)


def typical_seconds(sandbox: bool) -> float:
    """How long a job usually takes at the service: the sandbox's own pending + processing times, or the
    live service's "about 2 minutes"."""
    if not sandbox:
        return TYPICAL_SECONDS
    from desktop_app.sandbox.config import default_config
    config = default_config()
    return max(1.0, float(config["pending_seconds"]) + float(config["processing_seconds"]))


@lru_cache(maxsize=1 << 16)   # every re-read of the list parses the same dates again
def epoch(iso: str | None) -> float | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def elapsed(record: JobRecord, now: float | None = None) -> float | None:
    start = epoch(record.created_at)
    if start is None:
        return None
    end = epoch(record.completed_at) if record.terminal else None
    if end is None:
        end = record.updated_at if record.terminal else (time.time() if now is None else now)
    return max(0.0, end - start)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


def progress(record: JobRecord, now: float | None = None, typical: float = TYPICAL_SECONDS) -> float:
    """How far the job probably is (0 … 1): linear in the typical duration, then creeping towards 0.95."""
    if record.terminal:
        return 1.0
    spent = elapsed(record, now) or 0.0
    if spent <= typical:
        return 0.02 + 0.88 * spent / typical
    return 0.95 - 0.05 * math.exp(-(spent - typical) / typical)


def estimate_text(record: JobRecord, now: float | None = None, typical: float = TYPICAL_SECONDS) -> str:
    """"about 1 min left", or how much longer than usual it takes."""
    spent = elapsed(record, now) or 0.0
    left = typical - spent
    if left <= 0:
        return "taking longer than usual"
    if left < 60:
        return f"about {max(1, int(round(left)))} s left"
    return f"about {math.ceil(left / 60)} min left"


def status_text(record: JobRecord, now: float | None = None, typical: float = TYPICAL_SECONDS) -> str:
    if record.status == "failed":
        return f"failed: {record.error_code}" if record.error_code else "failed"
    duration = format_duration(elapsed(record, now))
    if not record.terminal and duration:
        return f"{record.status} · {duration} · {estimate_text(record, now, typical)}"
    return f"{record.status} · {duration}" if duration else record.status


def created_text(record: JobRecord) -> str:
    stamp = epoch(record.created_at)
    if stamp is None:
        return record.created_at or ""
    # time.localtime and an f-string: strftime is several times slower, and the list formats every job's date
    local, today = time.localtime(stamp), time.localtime()
    clock = f"{local.tm_hour:02d}:{local.tm_min:02d}"
    if (local.tm_year, local.tm_yday) == (today.tm_year, today.tm_yday):
        return f"today {clock}"
    return f"{local.tm_year:04d}-{local.tm_mon:02d}-{local.tm_mday:02d} {clock}"


def credits_text(record: JobRecord) -> str:
    """Net credits used; "↩" marks a refund (the tooltip has the detail)."""
    if record.credit_cost is None:
        return "—"
    if record.credits_refunded:
        return f"↩ {max(0.0, record.credit_cost - record.credits_refunded):g}"
    return f"{record.credit_cost:g}"


def done_text(approved: int, exported: bool, published: bool) -> str:
    """What the seller did with a job's images: "3 approved · exported · published"."""
    parts = [f"{approved} approved"] if approved else []
    return " · ".join(parts + ["exported"] * exported + ["published"] * published)


@dataclass(frozen=True, slots=True)
class JobRow:
    job_id: str
    terminal: bool              # finished: nothing in the row moves with the clock
    record: JobRecord
    cells: tuple[str, ...]      # per column; the status cell of an unfinished job is made when painted
    sort_key: str               # descending order: newest first, a batch's rows together in file order
    filter_text: str            # casefolded
    expiry: str                 # expiry.result_status
    approved: int
    exported: str               # the folder the approved images were exported to ("" when never)
    published: bool
    tooltip: str


def status_cell(r: JobRecord, state: str, done: str) -> str:
    if state == expiry.EXPIRED:
        text = "expired" if r.status != "failed" else status_text(r)
    elif state == expiry.EXPIRING:
        text = f"{r.status} · {EXPIRY_TEXT[state]}"
    elif r.status == "completed":
        return done or "completed"   # a completed job says what was done with its images
    else:
        text = status_text(r)
    return text


def sort_key(o: JobOverview) -> str:
    r = o.record
    if r.batch_id:
        anchor = o.batch_created or epoch(r.created_at) or r.recorded_at
        return f"{anchor:017.3f}|{r.batch_id}|{999999 - (o.batch_line or 0):06d}"
    anchor = epoch(r.created_at) or r.recorded_at
    return f"{anchor:017.3f}|{r.recorded_at:017.3f}|{r.job_id}"


def _tooltip(r: JobRecord, batch: str, state: str, done: str, exported: str) -> str:
    tip = f"Job {r.job_id}\nStatus: {r.status}\nCreated: {r.created_at}"
    if r.country:
        tip += f"\nMarketplace: {country_name(r.country)} ({r.country})"
    if r.batch_id:
        tip += f"\nBatch: {batch} ({r.batch_id})"
    if r.error_code:
        tip += f"\nError: {r.error_code}"
    if r.credit_cost is not None:
        tip += f"\nCredits: {r.credit_cost:g} charged" + (f", {r.credits_refunded:g} refunded"
                                                           if r.credits_refunded else "")
    if r.main_image_url or r.other_image_urls:
        tip += f"\nReference photos: {1 if r.main_image_url else 0} main + {len(r.other_image_urls)} other"
    if r.status == "completed" or state == expiry.EXPIRED:
        tip += "\nImages: " + expiry.describe(state, r)
    if done:
        tip += f"\nDone: {done}"
    if exported:
        tip += f"\nExported to {exported}"
    return tip


def make_row(o: JobOverview, exported: str = "", now: float | None = None) -> JobRow:
    """The row of one job (reads the image cache's files: call it off the GUI thread)."""
    r = o.record
    state, approved = expiry.status_of(r, o.cached, now), o.approved
    batch = (f"{o.batch_source}:{o.batch_line}" if o.batch_line is not None else o.batch_source) if r.batch_id else ""
    done = done_text(approved, bool(exported), o.published)
    type_name = listing_type_name(r.listing_type) or "—"
    cells = (r.asin or "?", r.country or "—", type_name, status_cell(r, state, done), created_text(r),
             credits_text(r), batch)
    return JobRow(r.job_id, r.terminal, r, cells, sort_key(o), f"{r.asin} {batch} {type_name}".casefold(), state,
                  approved, exported, o.published,
                  _tooltip(r, batch, state, done, exported))
