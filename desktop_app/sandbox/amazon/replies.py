"""How the SP-API emulator answers, shared by its parts (the emulator, its control API, its definitions): a JSON
reply, Amazon's ``{"errors": [...]}`` list, secrets kept hashed, its time stamps, the request log, and which injected
faults each phase consumes and how a fault taken before processing answers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from desktop_app.sandbox.responses import EmuResponse

PRE_FAULTS = frozenset({"500", "503", "429", "reset", "timeout", "expired"})
PROCESSING_FAULTS = ("invalid_image", "stuck", "other_contribution")  # consumed by a real (not preview) submission only
READ_FAULTS = ("listing_issue",)                  # consumed by a read of a listing only
REQUEST_LOG_SIZE = 200


def hashed(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def errors(status: int, code: str, message: str, details: str = "", headers: dict | None = None) -> EmuResponse:
    return reply(status, {"errors": [{"code": code, "message": message, "details": details}]}, headers)


def reply(status: int, payload: Any, headers: dict | None = None) -> EmuResponse:
    return EmuResponse(status, {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4()),
                                **(headers or {})}, json.dumps(payload).encode())


def iso(now: float) -> str:
    """A moment as Amazon writes it (UTC, seconds)."""
    return dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def log_request(state: dict[str, Any], method: str, path: str, query: dict[str, str], status: int,
                now: float) -> None:
    """Keep the last requests in the state: method, path, query and status only (no header, no body)."""
    state["requests"].append({"method": method, "path": path, "query": dict(query), "status": status, "at": iso(now)})
    del state["requests"][:-REQUEST_LOG_SIZE]


def fault_reply(fault: dict[str, Any]) -> EmuResponse:
    """The answer of a fault taken before a request is processed (one of ``PRE_FAULTS``)."""
    kind = fault["kind"]
    if kind == "500":
        return errors(500, "InternalFailure", "We encountered an internal error. Please try again.")
    if kind == "503":
        return errors(503, "ServiceUnavailable", "Service temporarily unavailable. Please try again.")
    if kind == "429":
        return errors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
    if kind == "expired":
        return errors(403, "Unauthorized", "Access to requested resource is denied.",
                      "The access token you provided has expired.")
    if kind == "reset":
        return EmuResponse(0, {}, b"", fault="reset")
    return EmuResponse(0, {}, b"", fault="timeout", delay=float(fault.get("seconds") or 30.0))
