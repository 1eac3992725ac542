"""Async client of the Pixii Listing Builder and Jobs API (httpx, Qt-free).

Rules it keeps: the key goes only to the API host, only as ``Authorization: Bearer``, and never
into a log line, an exception or a repr; errors are typed by their ``code``; GETs are retried
on network errors, 5xx and malformed JSON under the retry policy (``api/retry.py``: capped, jittered exponential
backoff for at most ``give_up_after`` seconds); a POST (which costs credits) is never blindly retried: an unknown
outcome (also an unreadable answer: over 10 MB, nested beyond reason, not the documented shape) raises
:class:`AmbiguousSubmission` for the caller to reconcile.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from email.utils import parsedate_to_datetime
from typing import Any, Awaitable, Callable
from urllib.parse import urlsplit

import httpx

from desktop_app.api.answers import AnswerTooLarge, UnreadableJson, loads, send_capped
from desktop_app.api.errors import (AmbiguousSubmission, ApiError, BadResponse, ConfigError, Interrupted, RateLimited,
                                    ServerError, Unreachable, describe_transport, error_from_response)
from desktop_app.api.pixii.models import (
    Job, JobPage, JobSummary, ListingRequest, Submission, parse_job, parse_job_page, parse_submission,
)
from desktop_app.api.pixii.rate_state import RateLimitState
from desktop_app.api.retry import RetryPolicy
from desktop_app.api.urls import url_problem
from desktop_app.api.pixii.keys import key_mode, redact
from desktop_app.api.pixii.vocab import API_PREFIX

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_WAIT_MINUTE_LIMIT = 120.0  # never sleep longer than this for a per-minute 429
MAX_SUBMIT_ATTEMPTS = 20       # retries of a submission refused by the per-minute limit (not bounded by time)


def _decode(response: httpx.Response) -> Any:
    """JSON body, unwrapped from a ``{"success": true, "data": {...}}`` envelope when present."""
    try:
        body = loads(response.content)
    except UnreadableJson as exc:
        raise BadResponse("BAD_RESPONSE", f"The service answered HTTP {response.status_code} with a body that is {exc}",
                          status=response.status_code) from None
    if isinstance(body, dict) and "success" in body and isinstance(body.get("data"), dict):
        return body["data"]
    return body


class PixiiClient:
    def __init__(self, base_url: str, api_key: str, *, http: httpx.AsyncClient | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT, request_deadline: float = 90.0,
                 give_up_after: float = 60.0, backoff_base: float = 0.5, backoff_cap: float = 8.0,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 rate_limits: RateLimitState | None = None) -> None:
        problem = url_problem(base_url, what="The API URL")
        if problem:
            raise ConfigError("INVALID_API_URL", problem)
        self.base_url = base_url.rstrip("/")
        self._host = urlsplit(self.base_url).netloc.lower()
        self.__key = api_key
        self.mode = key_mode(api_key)
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(transport=transport, timeout=timeout, trust_env=False,
                                               follow_redirects=False)
        self.request_deadline = request_deadline
        self.retry = RetryPolicy(base=backoff_base, cap=backoff_cap, give_up_after=give_up_after,
                                 ceiling=MAX_WAIT_MINUTE_LIMIT)
        self._sleep = sleep
        self.rate_limits = rate_limits or RateLimitState()
        self.last_remaining_credits: float | None = None
        # The service's clock less ours, from the Date header of its latest answer (None before one).
        self.clock_offset: float | None = None

    def __repr__(self) -> str:
        return f"PixiiClient(base_url={self.base_url!r}, key={redact(self.__key)!r})"

    @property
    def http(self) -> httpx.AsyncClient:
        return self._http

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    # --- transport -------------------------------------------------------------------------

    async def _send(self, method: str, path: str, *, params: dict | None = None,
                    body: dict | None = None) -> httpx.Response:
        url = f"{self.base_url}{API_PREFIX}{path}"
        headers = {"Authorization": f"Bearer {self.__key}", "Accept": "application/json"}
        async with asyncio.timeout(self.request_deadline):
            try:
                response = await send_capped(self._http, method, url, params=params, json=body, headers=headers)
            except AnswerTooLarge as exc:
                raise BadResponse("BAD_RESPONSE", f"The service sent {exc}, more than any answer of its can be") from None
        served = _service_time(response.headers.get("Date"))
        if served is not None:
            self.clock_offset = served - time.time()
        return response

    @property
    def give_up_after(self) -> float:
        return self.retry.give_up_after

    @property
    def backoff_cap(self) -> float:
        return self.retry.cap

    async def _get(self, path: str, params: dict | None = None) -> Any:
        """GET with retries on network errors, 5xx, malformed bodies and per-minute 429s."""
        attempts = self.retry.start(sleep=self._sleep)
        while True:
            try:
                response = await self._send("GET", path, params=params)
                if response.is_success:
                    return _decode(response)
                raise error_from_response(response.status_code, _safe_json(response),
                                          response.headers.get("Retry-After"))
            except (httpx.TransportError, TimeoutError) as exc:
                failure: ApiError = Unreachable("UNREACHABLE", describe_transport(exc, "the service"))
            except ApiError as exc:
                if not exc.retryable:
                    raise
                failure = exc
            if isinstance(failure, RateLimited):
                self.rate_limits.note_limited(failure.retry_after, failure.daily)
                wait = attempts.next_wait(retry_after=failure.retry_after, at_least=1.0)
            else:
                wait = attempts.next_wait()
            if not attempts.allows(wait):
                if isinstance(failure, RateLimited):
                    raise failure
                raise Unreachable(failure.code, f"{failure.message} (gave up after retrying for "
                                  f"{attempts.elapsed:.0f} s)", status=failure.status) from None
            log.info("GET %s failed (%s); retrying in %.1f s", path.split("?")[0], failure.code, wait)
            await attempts.pause(wait)

    # --- endpoints -------------------------------------------------------------------------

    async def create_listing(self, request: ListingRequest, *,
                             proceed: Callable[[], bool] | None = None) -> Submission:
        """POST /listing_builder. Retries only when the request certainly did not run
        (connection refused, per-minute 429), and only while ``proceed()`` allows (else
        :class:`Interrupted`). Any other failure after sending raises :class:`AmbiguousSubmission`
        (the job may exist) or a typed refusal (it does not)."""
        attempts = self.retry.start(sleep=self._sleep)
        while True:
            if attempts.retry and proceed is not None and not proceed():
                raise Interrupted("INTERRUPTED", "Stopped before the submission was sent again")
            try:
                response = await self._send("POST", "/listing_builder", body=request.to_json())
            except BadResponse as exc:  # sent, and the answer could not be read
                raise AmbiguousSubmission("AMBIGUOUS_SUBMISSION", f"The submission's answer was unreadable: "
                                          f"{exc.message}") from None
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # never reached the service
                failure: ApiError = Unreachable("UNREACHABLE", describe_transport(exc, "the service"))
            except (httpx.TransportError, TimeoutError) as exc:
                raise AmbiguousSubmission("AMBIGUOUS_SUBMISSION", "The submission was sent but its answer was lost ("
                                          f"{describe_transport(exc, 'the service')})") from None
            else:
                self.rate_limits.update_from_headers(response.headers)
                if response.is_success:
                    try:
                        submission = parse_submission(_decode(response))
                    except BadResponse as exc:
                        raise AmbiguousSubmission("AMBIGUOUS_SUBMISSION", f"The submission's answer was unreadable: "
                                                  f"{exc.message}") from None
                    if submission.remaining_credits is not None:
                        self.last_remaining_credits = submission.remaining_credits
                    return submission
                error = error_from_response(response.status_code, _safe_json(response),
                                            response.headers.get("Retry-After"))
                if isinstance(error, RateLimited):
                    self.rate_limits.note_limited(error.retry_after, error.daily)
                    if error.daily:
                        raise error
                    failure = error
                elif isinstance(error, ServerError) or response.status_code >= 500:
                    raise AmbiguousSubmission(error.code, f"The service failed while handling the submission: "
                                              f"{error.message}", status=error.status) from None
                else:
                    raise error
            if isinstance(failure, RateLimited):
                wait = attempts.next_wait(retry_after=failure.retry_after, at_least=5.0 * (attempts.retry + 1))
                allowed = attempts.allows(wait, self.retry.but(give_up_after=math.inf, max_retries=MAX_SUBMIT_ATTEMPTS))
            else:
                wait = attempts.next_wait()
                allowed = attempts.allows(wait)
            if not allowed:
                raise failure
            log.info("Submission not sent (%s); retrying in %.1f s", failure.code, wait)
            await attempts.pause(wait)

    async def get_job(self, job_id: str) -> Job:
        job = parse_job(await self._get(f"/jobs/{_path_segment(job_id)}"))
        if job.remaining_credits is not None:
            self.last_remaining_credits = job.remaining_credits
        return job

    async def list_jobs_page(self, asin: str, page: int = 1, limit: int = 100) -> JobPage:
        return parse_job_page(await self._get("/jobs", {"asin": asin, "page": page, "limit": limit}))

    async def list_jobs(self, asin: str, *, max_pages: int = 50) -> list[JobSummary]:
        """Every page of the service's jobs for ``asin``, newest first, without duplicates."""
        seen: dict[str, JobSummary] = {}
        page = 1
        while page <= max_pages:
            result = await self.list_jobs_page(asin, page)
            new = [j for j in result.jobs if j.id not in seen]
            for job in new:
                seen[job.id] = job
            if not new or len(result.jobs) < result.limit or (result.total is not None and len(seen) >= result.total):
                break
            page += 1
        return list(seen.values())


def _service_time(date: str | None) -> float | None:
    """The epoch time of an HTTP ``Date`` header, or None when it is missing or unreadable."""
    if not date:
        return None
    try:
        return parsedate_to_datetime(date).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _path_segment(value: str) -> str:
    if not value or any(c in value for c in "/?#%\\") or value in (".", ".."):
        raise ConfigError("INVALID_JOB_ID", f"'{value}' is not a valid job id")
    return value


def _safe_json(response: httpx.Response) -> Any:
    try:
        return loads(response.content)
    except UnreadableJson:
        return None
