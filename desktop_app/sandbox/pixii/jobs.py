"""Job records of the sandbox: lazy lifecycle from the clock, outcomes, refunds, views, signed links.

A job record is a plain JSON-able dict stored in the sandbox state. Its status is never stored as
such: it is computed from the emulator clock (``created + pending`` → processing, ``+ processing`` →
terminal), with a stored ``floor`` so that it never moves backwards.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timezone
from typing import Any

from desktop_app.api.pixii.vocab import JOB_TYPE_LISTING_BUILDER
from desktop_app.sandbox.pixii.images import image_kind

STAGES = ("pending", "processing", "terminal")
OUTCOMES = ("ok", "fail", "partial", "stuck")
JOB_FAILED_CODE = "GENERATION_FAILED"
AD_ERRORS = {
    "IMAGE_GENERATION_ERROR": "The image could not be generated. Credits for it were refunded.",
    "CONTENT_POLICY_VIOLATION": "The generated image was withheld by the content policy filter. "
                                "Credits for it were refunded.",
}
# Reserved ASIN prefixes (checked in this order): outcome scenarios and image-serving scenarios.
OUTCOME_PREFIXES = (("B0FAIL", "fail"), ("B0PART", "partial"), ("B0STUCK", "stuck"))
IMAGE_HTML_PREFIX = "B0HTML"
IMAGE_TRUNC_PREFIX = "B0TRUNC"
IMAGE_HUGE_PREFIX = "B0HUGE"
IMAGE_BOMB_PREFIX = "B0BOMB"


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def outcome_for_asin(asin: str) -> str:
    for prefix, outcome in OUTCOME_PREFIXES:
        if asin.upper().startswith(prefix):
            return outcome
    return "ok"


def new_job(*, org: str, mode: str, asin: str, country_code: str, listing_type: str, now: float,
            cfg: dict[str, Any], outcome: str, seq: int) -> dict[str, Any]:
    price = cfg["prices"][listing_type]
    return {
        "id": "job_" + uuid.uuid4().hex[:24], "seq": seq, "org": org, "mode": mode, "asin": asin,
        "country_code": country_code, "listing_type": listing_type, "created": now,
        "pending": float(cfg["pending_seconds"]), "processing": float(cfg["processing_seconds"]),
        "outcome": outcome, "credit_cost": price, "charged": price if mode == "live" else 0,
        "n_ads": int(cfg["ads_per_type"][listing_type]), "floor": 0, "settled": False, "credits_refunded": 0,
    }


def stage(job: dict[str, Any], now: float) -> int:
    """0 pending, 1 processing, 2 terminal; never lower than a stage already observed."""
    elapsed = now - job["created"]
    if elapsed < job["pending"]:
        computed = 0
    elif job["outcome"] == "stuck" or elapsed < job["pending"] + job["processing"]:
        computed = 1
    else:
        computed = 2
    job["floor"] = max(job.get("floor", 0), computed)
    return job["floor"]


def status(job: dict[str, Any], now: float) -> str:
    s = stage(job, now)
    if s < 2:
        return STAGES[s]
    return "failed" if job["outcome"] == "fail" else "completed"


def started_ts(job: dict[str, Any]) -> float:
    return job["created"] + job["pending"]


def completed_ts(job: dict[str, Any]) -> float:
    return job["created"] + job["pending"] + job["processing"]


def failed_ads(job: dict[str, Any]) -> dict[int, str]:
    """Index → error code of the ads that fail (the "partial" outcome: ad 2 and the last ad, 0-based)."""
    if job["outcome"] != "partial":
        return {}
    n = job["n_ads"]
    failures = {}
    if n > 3:
        failures[2] = "IMAGE_GENERATION_ERROR"
    if n > 1:
        failures[n - 1] = "CONTENT_POLICY_VIOLATION"
    return failures


def refund_amount(job: dict[str, Any]) -> float:
    """Credits to give back at the terminal state: all of credit_cost for a failed job, else the failed
    ads' shares (an even split rounded down, the remainder going to the last ad)."""
    cost = job["credit_cost"]
    if job["outcome"] == "fail":
        return cost
    n = job["n_ads"]
    share = int(cost // n)
    total = 0
    for index in failed_ads(job):
        total += cost - share * (n - 1) if index == n - 1 else share
    return total


def settle(state: dict[str, Any], now: float, expiry: float) -> None:
    """Apply refunds of jobs that reached their terminal state (once), and drop expired jobs."""
    for job_id, job in list(state["jobs"].items()):
        if stage(job, now) < 2:
            continue
        if not job["settled"]:
            job["settled"] = True
            refund = refund_amount(job)
            job["credits_refunded"] = refund
            if job["charged"] and refund:
                org = state["orgs"].get(job["org"])
                if org is not None:
                    org["balance"] += min(refund, job["charged"])
        if now > completed_ts(job) + expiry:
            del state["jobs"][job_id]


def is_expired(job: dict[str, Any], now: float, expiry: float) -> bool:
    return stage(job, now) == 2 and now > completed_ts(job) + expiry


def sign(secret: str, path: str, expires: int) -> str:
    return hmac.new(secret.encode(), f"{path}?expires={expires}".encode(), hashlib.sha256).hexdigest()


def image_path(job_id: str, index: int) -> str:
    return f"/files/{job_id}/{index}.{image_kind(index)[0]}"


def signed_url(base_url: str, secret: str, job: dict[str, Any], index: int, expiry: float) -> str:
    path = image_path(job["id"], index)
    expires = int(completed_ts(job) + expiry)
    return f"{base_url.rstrip('/')}{path}?expires={expires}&signature={sign(secret, path, expires)}"


def view(job: dict[str, Any], now: float, *, base_url: str, secret: str, expiry: float) -> dict[str, Any]:
    """The job as GET /jobs/{id} shows it: the full schema, nulls where not yet set."""
    st = status(job, now)
    s = stage(job, now)
    output = None
    if st == "completed":
        failures = failed_ads(job)
        ads = []
        for index in range(job["n_ads"]):
            code = failures.get(index)
            ads.append({"preview_url": None, "error": {"code": code, "message": AD_ERRORS[code]}} if code else
                       {"preview_url": signed_url(base_url, secret, job, index, expiry), "error": None})
        output = {"ads": ads}
    return {
        "id": job["id"],
        "job_type": JOB_TYPE_LISTING_BUILDER,
        "status": st,
        "created_at": iso(job["created"]),
        "started_at": iso(started_ts(job)) if s >= 1 else None,
        "completed_at": iso(completed_ts(job)) if s >= 2 else None,
        "credit_cost": job["credit_cost"],
        "credits_refunded": job["credits_refunded"] if s >= 2 else 0,
        "output": output,
        "error_code": JOB_FAILED_CODE if st == "failed" else None,
    }


def summary(job: dict[str, Any], now: float) -> dict[str, Any]:
    return {"id": job["id"], "job_type": JOB_TYPE_LISTING_BUILDER, "status": status(job, now),
            "created_at": iso(job["created"])}
