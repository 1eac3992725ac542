"""Parsed Pixii objects. Unknown extra fields are ignored; missing required ones fail clearly."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from desktop_app.api.errors import BadResponse
from desktop_app.api.pixii.vocab import STATUSES

_JOB_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")


@dataclass(frozen=True)
class ListingRequest:
    asin: str
    country_code: str
    listing_type: str
    main_image_url: str | None = None
    other_image_urls: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"asin": self.asin, "country_code": self.country_code,
                                "listing_type": self.listing_type}
        if self.main_image_url:
            body["main_image_url"] = self.main_image_url
        if self.other_image_urls:  # the API rejects an empty list: omit the key instead
            body["other_image_urls"] = list(self.other_image_urls)
        return body


@dataclass(frozen=True)
class Submission:
    job_id: str
    status: str
    created_at: str
    remaining_credits: float | None


@dataclass(frozen=True)
class Ad:
    preview_url: str | None
    error_code: str | None = None
    error_message: str | None = None


@dataclass(frozen=True)
class Job:
    id: str
    job_type: str
    status: str
    created_at: str
    started_at: str | None = None
    completed_at: str | None = None
    credit_cost: float | None = None
    credits_refunded: float | None = None
    error_code: str | None = None
    ads: tuple[Ad, ...] | None = None
    remaining_credits: float | None = None


@dataclass(frozen=True)
class JobSummary:
    id: str
    job_type: str
    status: str
    created_at: str


@dataclass
class JobPage:
    jobs: list[JobSummary] = field(default_factory=list)
    total: int | None = None
    page: int = 1
    limit: int = 20


def _require(obj: dict, name: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = obj.get(name)
    if not isinstance(value, kind) or (isinstance(value, str) and not value):
        raise BadResponse("BAD_RESPONSE", f"The service's {what} is missing the field '{name}'")
    return value


def _job_id(obj: dict, name: str, what: str) -> str:
    """A job id is a plain token (it names files and URL paths): anything else makes the answer unreadable."""
    value = _require(obj, name, str, what)
    if not _JOB_ID_RE.fullmatch(value):
        raise BadResponse("BAD_RESPONSE", f"The service's {what} has a job id that is not a plain token")
    return value


def _opt(obj: dict, name: str, kind: type | tuple[type, ...]) -> Any:
    value = obj.get(name)
    return value if isinstance(value, kind) and not isinstance(value, bool) else None


def _status(obj: dict, what: str) -> str:
    status = _require(obj, "status", str, what)
    if status not in STATUSES:
        raise BadResponse("BAD_RESPONSE", f"The service's {what} has an unknown status '{status}'")
    return status


def now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_submission(obj: Any) -> Submission:
    if not isinstance(obj, dict):
        raise BadResponse("BAD_RESPONSE", "The service's submission answer is not a JSON object")
    job_id = _job_id(obj, "job_id", "submission answer")
    status = obj.get("status") if obj.get("status") in STATUSES else "pending"
    created = _opt(obj, "created_at", str) or now_iso()
    return Submission(job_id, status, created, _opt(obj, "remaining_credits", (int, float)))


def _parse_ads(output: Any) -> tuple[Ad, ...]:
    if not isinstance(output, dict) or not isinstance(output.get("ads"), list):
        raise BadResponse("BAD_RESPONSE", "The completed job has no 'output.ads' list")
    ads = []
    for item in output["ads"]:
        item = item if isinstance(item, dict) else {}
        url = _opt(item, "preview_url", str)
        err = item.get("error") if isinstance(item.get("error"), dict) else None
        code = _opt(err, "code", str) if err else None
        message = _opt(err, "message", str) if err else None
        if url is None and code is None:
            code, message = "NO_IMAGE", "The service returned no image and no error for this slot"
        ads.append(Ad(url if not code else None, code, message))
    return tuple(ads)


def parse_job(obj: Any) -> Job:
    if not isinstance(obj, dict):
        raise BadResponse("BAD_RESPONSE", "The service's job is not a JSON object")
    job_id = _job_id(obj, "job_id" if obj.get("id") in (None, "") else "id", "job")
    status = _status(obj, "job")
    ads = _parse_ads(obj.get("output")) if status == "completed" else None
    return Job(
        id=job_id,
        job_type=_opt(obj, "job_type", str) or "Listing Builder",
        status=status,
        created_at=_require(obj, "created_at", str, "job"),
        started_at=_opt(obj, "started_at", str),
        completed_at=_opt(obj, "completed_at", str),
        credit_cost=_opt(obj, "credit_cost", (int, float)),
        credits_refunded=_opt(obj, "credits_refunded", (int, float)),
        error_code=_opt(obj, "error_code", str) or (_opt(obj, "error", str) if status == "failed" else None),
        ads=ads,
        remaining_credits=_opt(obj, "remaining_credits", (int, float)),
    )


def parse_job_page(obj: Any) -> JobPage:
    if not isinstance(obj, dict) or not isinstance(obj.get("data"), list):
        raise BadResponse("BAD_RESPONSE", "The service's job list has no 'data' list")
    jobs = []
    for item in obj["data"]:
        if not isinstance(item, dict):
            raise BadResponse("BAD_RESPONSE", "The service's job list holds a non-object entry")
        jobs.append(JobSummary(
            id=_job_id(item, "id", "job list entry"),
            job_type=_opt(item, "job_type", str) or "",
            status=_status(item, "job list entry"),
            created_at=_require(item, "created_at", str, "job list entry"),
        ))
    return JobPage(jobs, _opt(obj, "total", int), _opt(obj, "page", int) or 1, _opt(obj, "limit", int) or 20)
