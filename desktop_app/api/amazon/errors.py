"""Typed errors of the SP-API client, built from Amazon's ``{"errors": [{code, message, details}]}`` list
and from Login with Amazon's ``{"error", "error_description"}`` body. They derive from the common service error
:class:`~.errors.ApiError` and its shared kinds (:class:`~.errors.ApiRefused`, :class:`~.errors.Unreachable`,
:class:`~.errors.ServerError`) so the CLI and the window can report them the same way. No secret is ever part of a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.api.errors import ApiError, ApiRefused, ServerError, Unreachable


@dataclass(frozen=True)
class ErrorItem:
    code: str
    message: str
    details: str = ""


class SpApiError(ApiError):
    """Base of the SP-API errors. ``errors`` holds every item of Amazon's error list."""

    def __init__(self, code: str, message: str, *, status: int | None = None, detail: str | None = None,
                 errors: tuple[ErrorItem, ...] = ()) -> None:
        super().__init__(code, message, status=status, detail=detail or None)
        self.errors = errors
        # for a write that failed after the retries: whether Amazon may have applied it anyway (an answer was
        # lost, or a 5xx); False when every attempt was refused before processing (e.g. all 429s)
        self.maybe_applied = True


class SpApiRefused(SpApiError, ApiRefused):
    """400/413/415 and other refusals: retrying the same request is pointless."""


class InvalidInput(SpApiRefused):
    pass


class ListingNotFound(SpApiRefused):
    """404: no listing with this SKU in this marketplace for this seller."""


class Forbidden(SpApiRefused):
    """403 after one token refresh: role, seller id or region is wrong."""


class LwaError(SpApiRefused):
    """Login with Amazon refused the token request (``invalid_client``, ``invalid_request``, …)."""


class AuthorizationRevoked(LwaError):
    """LWA ``invalid_grant``: the seller revoked (or never granted) the app's authorization."""


class SpApiInterrupted(SpApiError):
    """A write not started (or not retried) because the command is stopping (Ctrl+C, SIGTERM, quitting)."""


class SpApiServerError(SpApiError, ServerError):
    pass


class SpApiUnreachable(SpApiError, Unreachable):
    """Network failure, timeout or 5xx after the bounded retries."""


class Throttled(SpApiUnreachable):
    """429 after the bounded retries: Amazon is throttling; try later."""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def parse_error_items(body: Any) -> tuple[ErrorItem, ...]:
    items = body.get("errors") if isinstance(body, dict) else None
    if not isinstance(items, list):
        return ()
    return tuple(ErrorItem(_text(e.get("code")) or "UNKNOWN", _text(e.get("message")), _text(e.get("details")))
                 for e in items if isinstance(e, dict))


def spapi_error(status: int, body: Any) -> SpApiError:
    """The typed error of a non-2xx SP-API answer (``body`` is the decoded JSON or None)."""
    items = parse_error_items(body)
    first = items[0] if items else ErrorItem(f"HTTP_{status}", "")
    code, message, details = first.code, first.message, first.details
    if status == 429:
        return Throttled(code, message or "Amazon is throttling requests", status=status, detail=details,
                         errors=items)
    if status >= 500:
        return SpApiServerError(code, message or f"Amazon answered HTTP {status}", status=status, detail=details,
                                errors=items)
    cls: type[SpApiError] = {400: InvalidInput, 403: Forbidden, 404: ListingNotFound}.get(status, SpApiRefused)
    default = {403: "Access to the requested resource is denied", 404: "No such listing in this marketplace"}
    return cls(code, message or default.get(status, f"Amazon refused the request (HTTP {status})"), status=status,
               detail=details, errors=items)


LWA_MESSAGES = {
    "invalid_grant": "The seller's authorization was revoked (or never granted): the seller must authorize "
                     "Listing Studio again in Seller Central",
    "invalid_client": "Login with Amazon rejected the app's client id or client secret",
    "unauthorized_client": "This LWA client is not allowed to use the refresh-token grant",
    "invalid_request": "Login with Amazon rejected the token request as malformed",
    "access_denied": "Login with Amazon denied access",
}
LWA_RETRYABLE = frozenset({"server_error", "temporarily_unavailable"})


def lwa_error(status: int, body: Any) -> SpApiError:
    err = body if isinstance(body, dict) else {}
    code = _text(err.get("error")) or f"HTTP_{status}"
    description = _text(err.get("error_description"))
    if code in LWA_RETRYABLE or status >= 500:
        return SpApiServerError(code, "Login with Amazon is temporarily unavailable", status=status,
                                detail=description)
    cls = AuthorizationRevoked if code == "invalid_grant" else LwaError
    return cls(code, LWA_MESSAGES.get(code, f"Login with Amazon refused the token request (HTTP {status})"),
               status=status, detail=description)
