"""Response values shared by the emulator's parts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterator

MESSAGES = {
    "UNAUTHORIZED": "Missing or invalid API key.",
    "VALIDATION_ERROR": "One or more request parameters are invalid.",
    "NO_ACTIVE_BRAND": "No active brand found for your organization.",
    "INSUFFICIENT_CREDITS": "Not enough credits to process this request.",
    "RATE_LIMIT_MINUTE_EXCEEDED": "Too many requests in the current minute window.",
    "RATE_LIMIT_DAY_EXCEEDED": "Daily request limit reached.",
    "JOB_NOT_FOUND": "Job not found.",
    "NOT_FOUND": "No such endpoint.",
    "METHOD_NOT_ALLOWED": "Method not allowed for this endpoint.",
    "INTERNAL_ERROR": "An unexpected error occurred.",
    "SERVICE_UNAVAILABLE": "Service is temporarily unavailable.",
}


@dataclass
class EmuResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    fault: str | None = None  # "reset" | "timeout": the transport drops or hangs instead of answering
    delay: float = 0.0  # seconds to wait before answering
    pad: int = 0  # zero bytes sent at offset ``pad_at`` of the body, produced as they are sent (big images)
    pad_at: int = 0

    @property
    def length(self) -> int:
        return len(self.body) + self.pad

    def parts(self, chunk: int = 1024 * 1024) -> Iterator[bytes]:
        """The body as it is sent, in pieces: the padding is never held whole."""
        if not self.pad:
            yield self.body
            return
        yield self.body[:self.pad_at]
        zeros, left = bytes(chunk), self.pad
        while left:
            yield zeros[:min(left, chunk)]
            left -= min(left, chunk)
        yield self.body[self.pad_at:]


@dataclass
class Reply:
    """A JSON answer before the envelope is applied."""
    status: int
    payload: dict[str, Any]
    ok: bool = True
    kind: str = "other"  # "submit" | "job" | "list" | "other" (for the missing_fields fault)
    headers: dict[str, str] = field(default_factory=dict)


def error(code: str, status: int, detail: str | None = None, *, retry_after: int | None = None,
          headers: dict[str, str] | None = None) -> Reply:
    payload: dict[str, Any] = {"code": code, "message": MESSAGES.get(code, code), "detail": detail}
    if retry_after is not None:
        payload["retry_after"] = retry_after
    return Reply(status, payload, ok=False, headers=dict(headers or {}))


def take_fault(faults: list[dict[str, Any]], method: str, path: str,
               skip: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """The first queued fault matching this request (path prefix and method; kinds in ``skip`` ignored),
    consumed once per use."""
    for i, fault in enumerate(faults):
        if fault["kind"] in skip:
            continue
        if fault["path"] is not None and not path.startswith(fault["path"]):
            continue
        if fault["method"] is not None and fault["method"] != method:
            continue
        if fault["remaining"] is not None:
            fault["remaining"] -= 1
            if fault["remaining"] <= 0:
                del faults[i]
        return dict(fault)
    return None


class ClockControl:
    """The control methods both emulators share: their clock (wall time plus a persisted offset,
    so tests can move it) and a full reset. ``_after_advance`` lets an emulator settle pending work."""

    def now(self) -> float:
        with self.store.transaction() as state:  # type: ignore[attr-defined]
            return self._now(state)  # type: ignore[attr-defined]

    def reset(self) -> None:
        """Forget everything: the emulator's whole state back to its initial one."""
        self.store.replace(self._initial_state())  # type: ignore[attr-defined]

    def advance(self, seconds: float) -> float:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError("seconds: must be a number >= 0")
        with self.store.transaction() as state:  # type: ignore[attr-defined]
            state["clock_offset"] += float(seconds)
            now = self._now(state)  # type: ignore[attr-defined]
            self._after_advance(state, now)
            return now

    def set_clock_offset(self, seconds: float) -> float:
        """Put the service's clock ``seconds`` ahead of (or, negative, behind) the wall clock; returns its time."""
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds):
            raise ValueError("offset: must be a number of seconds")
        with self.store.transaction() as state:  # type: ignore[attr-defined]
            state["clock_offset"] = float(seconds)
            return self._now(state)  # type: ignore[attr-defined]

    def _after_advance(self, state: dict[str, Any], now: float) -> None:
        """Hook: work that moving the clock completes (nothing by default)."""


class FaultQueue:
    """Queued faults, shared by both emulators: ``add_fault`` validates and appends one (``count`` <= 0 keeps
    it until cleared); requests consume them through :func:`take_fault`. The emulator names its kinds."""

    FAULT_KINDS: tuple[str, ...] = ()

    def add_fault(self, kind: str, path_prefix: str | None = None, method: str | None = None, count: int = 1,
                  seconds: float | None = None) -> None:
        if kind not in self.FAULT_KINDS:
            raise ValueError(f"kind: must be one of {', '.join(self.FAULT_KINDS)}")
        if isinstance(count, bool) or not isinstance(count, int):
            raise ValueError("count: must be an integer")
        if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))
                                    or seconds < 0):
            raise ValueError("seconds: must be a number >= 0")
        if path_prefix is not None and not isinstance(path_prefix, str) or method is not None and not isinstance(
                method, str):
            raise ValueError("path and method: must be strings")
        with self.store.transaction() as state:  # type: ignore[attr-defined]
            state["faults"].append({"kind": kind, "path": path_prefix, "method": method.upper() if method else None,
                                    "remaining": count if count > 0 else None, "seconds": seconds})

    def clear_faults(self) -> None:
        with self.store.transaction() as state:  # type: ignore[attr-defined]
            state["faults"] = []
