"""Typed errors of the services, keyed on the error ``code`` (never on the HTTP status alone) — which errors are
service errors is decided here and nowhere else: ``ApiError`` is the base of Pixii's and Amazon's.

:class:`ApiError` is the common base of every service error, Pixii's and Amazon's (``api/amazon/errors.py``):
catch it for "any service error". The kinds both services share (refused, unreachable, server error, bad
answer, interrupted, local configuration) derive from it directly; :class:`PixiiError` is the base of the
errors only the Pixii API has (its codes, rate limits, ambiguous submissions).

The documentation disagrees about some statuses (INSUFFICIENT_CREDITS is 400 or 402,
NO_ACTIVE_BRAND 400 or 422), so the class of an error is chosen by its code; the status is
only a fallback when a body carries no usable code.
"""

from __future__ import annotations


class ApiError(Exception):
    """Any service error. ``code`` is the service's code (or a local one), ``message`` is for people."""

    retryable = False

    def __init__(self, code: str, message: str, *, status: int | None = None,
                 detail: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.detail = detail

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}"
        if self.detail:
            text += f" ({self.detail})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status!r})"


class PixiiError(ApiError):
    """An error only the Pixii API has (one of its codes)."""


class ApiRefused(ApiError):
    """The API understood the request and refused it; retrying the same request is pointless."""


class Unauthorized(PixiiError, ApiRefused):
    pass


class ValidationFailed(PixiiError, ApiRefused):
    pass


class InsufficientCredits(PixiiError, ApiRefused):
    pass


class NoActiveBrand(PixiiError, ApiRefused):
    pass


class JobNotFound(PixiiError, ApiRefused):
    pass


class RateLimited(PixiiError):
    """429. ``retry_after`` in seconds; ``daily`` tells the day limit (not worth waiting for)."""

    def __init__(self, code: str, message: str, *, retry_after: float | None, daily: bool,
                 status: int | None = 429, detail: str | None = None) -> None:
        super().__init__(code, message, status=status, detail=detail)
        self.retry_after = retry_after
        self.daily = daily
        self.retryable = not daily


class ServerError(ApiError):
    """5xx, INTERNAL_ERROR, SERVICE_UNAVAILABLE: worth retrying with backoff."""

    retryable = True


class Interrupted(ApiError):
    """Stopped on request (Ctrl+C, SIGTERM, quitting) before anything more was sent."""


class Unreachable(ApiError):
    """Network failure, timeout or unreadable answer, after the retries allowed."""

    retryable = True


class AmbiguousSubmission(PixiiError):
    """A POST whose outcome is unknown: it may or may not have created (and charged) a job."""


class BadResponse(ApiError):
    """A 2xx answer that is not the documented shape (malformed JSON, missing fields)."""

    retryable = True


class ConfigError(ApiError):
    """Invalid local configuration (e.g. a plain-http API URL to a remote host)."""


_BY_CODE: dict[str, type[ApiError]] = {
    "UNAUTHORIZED": Unauthorized,
    "VALIDATION_ERROR": ValidationFailed,
    "INSUFFICIENT_CREDITS": InsufficientCredits,
    "NO_ACTIVE_BRAND": NoActiveBrand,
    "JOB_NOT_FOUND": JobNotFound,
    "INTERNAL_ERROR": ServerError,
    "SERVICE_UNAVAILABLE": ServerError,
}

_FALLBACK_BY_STATUS: dict[int, tuple[str, type[ApiError]]] = {
    401: ("UNAUTHORIZED", Unauthorized),
    404: ("JOB_NOT_FOUND", JobNotFound),
}


def _seconds(value: object) -> float | None:
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return seconds if seconds >= 0 else None


def error_from_response(status: int, body: object, retry_after_header: str | None) -> ApiError:
    """Build the typed error for a non-2xx answer. ``body`` is the decoded JSON (or None)."""
    err = body if isinstance(body, dict) else {}
    if isinstance(err.get("error"), dict):  # {"success": false, "error": {...}} wrapper
        err = err["error"]
    code = err.get("code") if isinstance(err.get("code"), str) else None
    message = err.get("message") if isinstance(err.get("message"), str) else None
    detail = err.get("detail") if isinstance(err.get("detail"), str) else None

    if code in ("RATE_LIMIT_MINUTE_EXCEEDED", "RATE_LIMIT_DAY_EXCEEDED") or (code is None and status == 429):
        code = code or "RATE_LIMIT_MINUTE_EXCEEDED"
        wait = _seconds(retry_after_header)
        if wait is None:
            wait = _seconds(err.get("retry_after"))
        if wait is not None and wait > 10 * 24 * 3600:  # looks like an epoch reset time, not seconds
            wait = None
        return RateLimited(code, message or "Rate limit reached", retry_after=wait,
                           daily=code == "RATE_LIMIT_DAY_EXCEEDED", status=status, detail=detail)
    if code in _BY_CODE:
        return _BY_CODE[code](code, message or code.replace("_", " ").capitalize(),
                              status=status, detail=detail)
    if code is None and status in _FALLBACK_BY_STATUS:
        fallback_code, cls = _FALLBACK_BY_STATUS[status]
        return cls(fallback_code, message or f"HTTP {status}", status=status, detail=detail)
    if status >= 500:
        return ServerError(code or f"HTTP_{status}", message or f"The service answered HTTP {status}",
                           status=status, detail=detail)
    return ApiRefused(code or f"HTTP_{status}", message or f"The service refused the request (HTTP {status})",
                      status=status, detail=detail)


def describe_transport(exc: BaseException, who: str, connection: str = "the connection") -> str:
    """What went wrong on the wire, for people: ``who`` did not answer, could not be reached, closed the
    connection, or ``connection`` failed."""
    import httpx
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return f"{who} did not answer in time"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect to {who}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection was closed without an answer"
    return f"{connection} failed"
