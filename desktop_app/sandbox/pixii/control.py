"""The sandbox's control API: Python methods and their HTTP form under ``/_sandbox/`` (JSON, no auth).

==========================  =====================================  =============================================
HTTP                        body                                   Python
==========================  =====================================  =============================================
POST /_sandbox/reset        -                                      ``reset()``
POST /_sandbox/advance      {"seconds": n}                         ``advance(seconds)``
GET|POST /_sandbox/config   {config keys…, balance, active_brand,  ``configure(**changes)`` / ``get_config()``
                            org}
POST /_sandbox/keys         {"key", "revoked"?, "org"?}            ``register_key(key, revoked=False, org=…)``
                                                                   / ``revoke_key(key)``
POST /_sandbox/faults       {"kind", "path"?, "method"?,           ``add_fault(kind, path_prefix=None,
                            "count"?, "seconds"?}                  method=None, count=1, seconds=None)``
DELETE /_sandbox/faults     -                                      ``clear_faults()``
POST /_sandbox/next_outcome {"outcome": ok|fail|partial|stuck}     ``set_next_outcome(outcome)``
POST /_sandbox/clock        {"offset": n}                          ``set_clock_offset(seconds)``
POST /_sandbox/release      -                                      ``release_stalls()``
GET /_sandbox/stats         -                                      ``stats()``
==========================  =====================================  =============================================

``count`` <= 0 makes a fault permanent (until reset or DELETE). Keys are stored as SHA-256 hashes only;
the request log keeps the Authorization header redacted to its scheme and key prefix.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from desktop_app.sandbox.pixii import jobs as J
from desktop_app.sandbox.config import DEFAULT_ORG, merge_config, validate_config
from desktop_app.sandbox.responses import ClockControl, EmuResponse, FaultQueue

FAULT_KINDS = ("500", "503", "reset", "timeout", "slow", "malformed", "empty", "html", "reset_after_create",
               "timeout_after_create", "missing_fields", "extra_fields", "stall")
REQUEST_LOG_SIZE = 200
_SCHEME_RE = re.compile(r"[A-Za-z]{1,20}")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def redact_authorization(value: str | None) -> str | None:
    """``Bearer pk_test_…``: the scheme and the key's 8-character prefix, never more of the key."""
    if value is None:
        return None
    parts = value.strip().split(None, 1)
    if not parts:
        return ""
    scheme, key = (parts[0], parts[1].strip()) if len(parts) == 2 else ("", parts[0])
    if scheme and not _SCHEME_RE.fullmatch(scheme):
        scheme = "?"
    shown = key[:8] + "…" if key.startswith(("pk_live_", "pk_test_")) else "…"
    return f"{scheme} {shown}".strip()


def _json(status: int, payload: Any) -> EmuResponse:
    return EmuResponse(status, {"Content-Type": "application/json"}, json.dumps(payload).encode())


def _bad(detail: str) -> EmuResponse:
    return _json(400, {"code": "VALIDATION_ERROR", "message": "Invalid control request", "detail": detail})


class ControlMixin(ClockControl, FaultQueue):
    FAULT_KINDS = FAULT_KINDS

    # --- Python control methods ----------------------------------------------------------------

    def configure(self, **changes: Any) -> dict[str, Any]:
        problems = validate_config(changes)
        if problems:
            raise ValueError("; ".join(problems))
        with self.store.transaction() as state:
            org = self._org(state, changes.get("org", DEFAULT_ORG))
            if "balance" in changes:
                org["balance"] = changes["balance"]
            if "active_brand" in changes:
                org["active_brand"] = changes["active_brand"]
            state["config"] = merge_config(state["config"], changes)
            return self._config_view(state, changes.get("org", DEFAULT_ORG))

    def get_config(self, org: str = DEFAULT_ORG) -> dict[str, Any]:
        with self.store.transaction() as state:
            return self._config_view(state, org)

    def _config_view(self, state: dict[str, Any], org_id: str) -> dict[str, Any]:
        org = self._org(state, org_id)
        return {**self._cfg(state), "org": org_id, "balance": org["balance"], "active_brand": org["active_brand"]}

    def balance(self, org: str = DEFAULT_ORG) -> float:
        with self.store.transaction() as state:
            J.settle(state, self._now(state), self._cfg(state)["expiry_seconds"])
            return self._org(state, org)["balance"]

    def register_key(self, key: str, revoked: bool = False, org: str | None = None) -> None:
        if not isinstance(key, str) or not key:
            raise ValueError("key: must be a non-empty string")
        with self.store.transaction() as state:
            hashed = key_hash(key)
            previous = state["keys"].get(hashed, {})
            org_id = org or previous.get("org") or DEFAULT_ORG
            self._org(state, org_id)
            state["keys"][hashed] = {"org": org_id, "revoked": bool(revoked)}

    def revoke_key(self, key: str) -> None:
        self.register_key(key, revoked=True)

    def set_next_outcome(self, outcome: str | None) -> None:
        if outcome is not None and outcome not in J.OUTCOMES:
            raise ValueError(f"outcome: must be one of {', '.join(J.OUTCOMES)}")
        with self.store.transaction() as state:
            state["next_outcome"] = outcome

    def stats(self) -> dict[str, Any]:
        with self.store.transaction() as state:
            now = self._now(state)
            J.settle(state, now, self._cfg(state)["expiry_seconds"])
            return {"jobs_created": state["jobs_created"], "rate_limited": state.get("rate_limited", 0),
                    "balance": self._org(state, DEFAULT_ORG)["balance"],
                    "jobs": len(state["jobs"]), "faults_pending": len(state["faults"]),
                    "clock_offset": state["clock_offset"], "now": J.iso(now), "stalled": self.stalled,
                    "requests": [dict(r) for r in state["requests"]]}

    # --- helpers used by handle() --------------------------------------------------------------

    @staticmethod
    def _log(state: dict[str, Any], method: str, path: str, hdrs: dict[str, str], now: float) -> None:
        state["requests"].append({"method": method, "path": path,
                                  "authorization": redact_authorization(hdrs.get("authorization")),
                                  "at": J.iso(now)})
        del state["requests"][:-REQUEST_LOG_SIZE]

    # --- HTTP form -----------------------------------------------------------------------------

    def _control(self, method: str, path: str, query: dict[str, str], body: bytes) -> EmuResponse:
        routes = {"/_sandbox/reset": ("POST",), "/_sandbox/advance": ("POST",), "/_sandbox/config": ("GET", "POST"),
                  "/_sandbox/keys": ("POST",), "/_sandbox/faults": ("POST", "DELETE"),
                  "/_sandbox/next_outcome": ("POST",), "/_sandbox/stats": ("GET",),
                  "/_sandbox/clock": ("POST",), "/_sandbox/release": ("POST",)}
        route = path.rstrip("/")
        if route not in routes:
            return _json(404, {"code": "NOT_FOUND", "message": "No such control endpoint", "detail": path})
        if method not in routes[route]:
            response = _json(405, {"code": "METHOD_NOT_ALLOWED", "message": "Method not allowed", "detail": None})
            response.headers["Allow"] = ", ".join(routes[route])
            return response
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return _bad("body: must be a JSON object")
        try:
            return self._control_call(method, route, data)
        except (ValueError, TypeError) as exc:
            return _bad(str(exc))

    def _control_call(self, method: str, route: str, data: dict[str, Any]) -> EmuResponse:
        if route == "/_sandbox/reset":
            self.reset()
            return _json(200, {"ok": True})
        if route == "/_sandbox/advance":
            now = self.advance(data.get("seconds"))
            return _json(200, {"ok": True, "now": J.iso(now)})
        if route == "/_sandbox/config":
            return _json(200, self.configure(**data) if method == "POST" else self.get_config())
        if route == "/_sandbox/keys":
            self.register_key(data.get("key"), bool(data.get("revoked", False)), data.get("org"))
            return _json(200, {"ok": True, "key": redact_authorization(data["key"]),
                               "revoked": bool(data.get("revoked", False))})
        if route == "/_sandbox/faults":
            if method == "DELETE":
                self.clear_faults()
            else:
                self.add_fault(data.get("kind"), data.get("path"), data.get("method"), data.get("count", 1),
                               data.get("seconds"))
            return _json(200, {"ok": True})
        if route == "/_sandbox/clock":
            return _json(200, {"ok": True, "now": J.iso(self.set_clock_offset(data.get("offset")))})
        if route == "/_sandbox/release":
            self.release_stalls()
            return _json(200, {"ok": True})
        if route == "/_sandbox/next_outcome":
            self.set_next_outcome(data.get("outcome"))
            return _json(200, {"ok": True})
        return _json(200, self.stats())
