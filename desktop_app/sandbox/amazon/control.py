"""Control API of the SP-API emulator: Python methods and their HTTP form under ``/_sandbox/spapi/`` (JSON).

==================================  ==============================================  ================================
HTTP                                body                                            Python
==================================  ==============================================  ================================
POST /_sandbox/spapi/reset          -                                               ``reset()``
POST /_sandbox/spapi/advance        {"seconds"}                                     ``advance(seconds)``
GET|POST /_sandbox/spapi/config     {processing_seconds, token_lifetime, rates,     ``configure(**c)`` /
                                    required_attributes, fetch_timeout,             ``get_config()``
                                    max_body_bytes, static_sandbox}
POST /_sandbox/spapi/credentials    {client_id, client_secret?, refresh_token?,     ``register_credentials(...)``
                                    seller_id?}
POST /_sandbox/spapi/revoke         {"refresh_token"}                               ``revoke_refresh_token(t)``
POST /_sandbox/spapi/expire_tokens  -                                               ``expire_tokens()``
POST /_sandbox/spapi/listings       {seller_id, sku, marketplace_id, product_type,  ``put_listing(...)``
                                    attributes, asin?}
POST /_sandbox/spapi/suppress       {seller_id, sku, marketplace_id, category?}     ``suppress(...)``
POST|DELETE /_sandbox/spapi/faults  {kind, path?, method?, count?, seconds?}        ``add_fault`` / ``clear_faults``
GET /_sandbox/spapi/stats           -                                               ``stats()``
==================================  ==============================================  ================================

Secrets are stored as SHA-256 hashes only; the request log keeps method, path, query and status (no header, no
body), and ``stats()`` shows submissions without tokens.

:class:`SpApiControl` is a part of the emulator: it is given the emulator's state store, its settings and its
listings part, and the emulator hands it the methods named in :data:`CONTROL_API`.
"""

from __future__ import annotations

import json
from typing import Any

from desktop_app.sandbox.amazon.data import (
    SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN, SANDBOX_SELLER_ID, seed_listings, validate_config,
)
from desktop_app.sandbox.amazon.listings import MAIN, Listings, issue
from desktop_app.sandbox.amazon.replies import hashed, iso
from desktop_app.sandbox.amazon.settings import Settings, now_of
from desktop_app.sandbox.responses import ClockControl, EmuResponse, FaultQueue
from desktop_app.store.sandbox_state import Store

FAULT_KINDS = ("500", "503", "429", "reset", "timeout", "expired", "slow", "invalid_image", "reset_after", "stuck",
               "listing_issue", "other_contribution")
SUPPRESSION_CATEGORIES = ("MISSING_IMAGE", "INVALID_IMAGE")
CONTROL_API = ("now", "reset", "advance", "set_clock_offset", "add_fault", "clear_faults", "configure", "get_config",
               "register_credentials", "revoke_refresh_token", "expire_tokens", "put_listing", "suppress", "listing",
               "stats")


def _json(status: int, payload: Any) -> EmuResponse:
    return EmuResponse(status, {"Content-Type": "application/json"}, json.dumps(payload).encode())


def initial_state() -> dict[str, Any]:
    """A fresh emulator: the sample account registered, the seed listings, no faults, nothing pending."""
    return {"version": 1, "clock_offset": 0.0, "config": {},
            "clients": {SANDBOX_CLIENT_ID: hashed(SANDBOX_CLIENT_SECRET)},
            "refresh": {hashed(SANDBOX_REFRESH_TOKEN): {"client_id": SANDBOX_CLIENT_ID,
                                                        "seller": SANDBOX_SELLER_ID, "revoked": False}},
            "access": {}, "listings": seed_listings(), "pending": [], "buckets": {}, "faults": [],
            "requests": [], "submissions": [], "counters": {"tokens_issued": 0, "throttled": 0}}


class SpApiControl(ClockControl, FaultQueue):
    """The emulator's control API over its ``store``; ``settings`` gives the config, ``listings`` settles and
    shows listings."""

    FAULT_KINDS = FAULT_KINDS

    def __init__(self, store: Store, settings: Settings, listings: Listings) -> None:
        self.store, self.settings, self.listings = store, settings, listings

    _now = staticmethod(now_of)
    _initial_state = staticmethod(initial_state)

    # --- Python control methods ---------------------------------------------------------------

    def _after_advance(self, state: dict[str, Any], now: float) -> None:
        self.listings.settle(state, now)  # accepted changes whose processing time has passed become visible

    def configure(self, **changes: Any) -> dict[str, Any]:
        problems = validate_config(changes)
        if problems:
            raise ValueError("; ".join(problems))
        with self.store.transaction() as state:
            if "rates" in changes:
                changes = {**changes, "rates": {**self.settings.of(state)["rates"], **changes["rates"]}}
                state["buckets"] = {}
            state["config"].update(changes)
            return self.settings.of(state)

    def get_config(self) -> dict[str, Any]:
        with self.store.transaction() as state:
            return self.settings.of(state)

    def register_credentials(self, client_id: str, client_secret: str | None = None,
                             refresh_token: str | None = None, seller_id: str = SANDBOX_SELLER_ID) -> None:
        if not isinstance(client_id, str) or not client_id:
            raise ValueError("client_id: required")
        with self.store.transaction() as state:
            if client_secret:
                state["clients"][client_id] = hashed(str(client_secret))
            if refresh_token:
                state["refresh"][hashed(str(refresh_token))] = {"client_id": client_id, "seller": str(seller_id),
                                                                "revoked": False}

    def revoke_refresh_token(self, refresh_token: str) -> None:
        with self.store.transaction() as state:
            grant = state["refresh"].get(hashed(str(refresh_token)))
            if grant is None:
                raise ValueError("refresh_token: not registered")
            grant["revoked"] = True

    def expire_tokens(self) -> None:
        """Every access token issued so far expires now (the next call gets 403 'expired')."""
        with self.store.transaction() as state:
            now = now_of(state)
            for record in state["access"].values():
                record["expires"] = min(record["expires"], now)

    def put_listing(self, seller_id: str, sku: str, marketplace_id: str, product_type: str,
                    attributes: dict[str, Any], asin: str | None = None) -> None:
        """Seed or overwrite one listing directly (no validation, no delay)."""
        with self.store.transaction() as state:
            stamp = iso(now_of(state))
            state["listings"].setdefault(seller_id, {}).setdefault(sku, {})[marketplace_id] = {
                "productType": product_type, "asin": asin or "B0SEEDED01", "attributes": attributes,
                "status": ["BUYABLE"], "createdDate": stamp, "lastUpdatedDate": stamp, "issues": []}

    def suppress(self, seller_id: str, sku: str, marketplace_id: str, category: str = "INVALID_IMAGE") -> None:
        """Amazon suppresses a listing, as it does some time after processing: the summary loses DISCOVERABLE
        and an image issue (``category`` MISSING_IMAGE or INVALID_IMAGE) with a search suppression appears."""
        if category not in SUPPRESSION_CATEGORIES:
            raise ValueError(f"category: one of {', '.join(SUPPRESSION_CATEGORIES)}")
        with self.store.transaction() as state:
            self.listings.settle(state, now_of(state))
            record = state["listings"].get(seller_id, {}).get(sku, {}).get(marketplace_id)
            if record is None:
                raise ValueError("no such listing")
            record["status"] = [s for s in record.get("status", []) if s != "DISCOVERABLE"]
            found = issue("EMU_SUPPRESSED", "The main image does not meet the image requirements; the listing is "
                          "suppressed from search.", MAIN, category)
            record["issues"] = [*record.get("issues", []),
                                {**found, "enforcements": {"actions": [{"action": "SEARCH_SUPPRESSED"}],
                                                           "exemption": {"status": "NOT_EXEMPT"}}}]

    def listing(self, seller_id: str, sku: str, marketplace_id: str) -> dict[str, Any] | None:
        """The stored record as a client would see it (placeholders resolved), or None."""
        with self.store.transaction() as state:
            self.listings.settle(state, now_of(state))
            record = state["listings"].get(seller_id, {}).get(sku, {}).get(marketplace_id)
            return self.listings.public(record) if record else None

    def stats(self) -> dict[str, Any]:
        with self.store.transaction() as state:
            self.listings.settle(state, now_of(state))
            return {**state["counters"], "pending": len(state["pending"]), "faults_pending": len(state["faults"]),
                    "clock_offset": state["clock_offset"], "submissions": [dict(s) for s in state["submissions"]],
                    "requests": [dict(r) for r in state["requests"]]}

    # --- HTTP form ----------------------------------------------------------------------------

    def http(self, method: str, path: str, body: bytes) -> EmuResponse:
        routes = {"reset": ("POST",), "advance": ("POST",), "config": ("GET", "POST"), "credentials": ("POST",),
                  "revoke": ("POST",), "expire_tokens": ("POST",), "listings": ("POST",), "suppress": ("POST",),
                  "faults": ("POST", "DELETE"), "stats": ("GET",)}
        route = path.rstrip("/").rsplit("/", 1)[-1]
        if route not in routes or path.rstrip("/").count("/") != 3:
            return _json(404, {"code": "NOT_FOUND", "message": "No such control endpoint", "detail": path})
        if method not in routes[route]:
            return _json(405, {"code": "METHOD_NOT_ALLOWED", "message": "Method not allowed", "detail": None})
        try:
            data = json.loads(body) if body.strip() else {}
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return _json(400, {"code": "VALIDATION_ERROR", "message": "body: must be a JSON object", "detail": None})
        try:
            return _json(200, self._control_call(method, route, data))
        except (ValueError, TypeError, KeyError) as exc:
            return _json(400, {"code": "VALIDATION_ERROR", "message": "Invalid control request", "detail": str(exc)})

    def _control_call(self, method: str, route: str, data: dict[str, Any]) -> Any:
        if route == "reset":
            self.reset()
        elif route == "advance":
            return {"ok": True, "now": self.advance(data.get("seconds"))}
        elif route == "config":
            return self.configure(**data) if method == "POST" else self.get_config()
        elif route == "credentials":
            self.register_credentials(data.get("client_id"), data.get("client_secret"), data.get("refresh_token"),
                                      data.get("seller_id") or SANDBOX_SELLER_ID)
        elif route == "revoke":
            self.revoke_refresh_token(data.get("refresh_token"))
        elif route == "expire_tokens":
            self.expire_tokens()
        elif route == "listings":
            self.put_listing(data["seller_id"], data["sku"], data["marketplace_id"], data["product_type"],
                             data["attributes"], data.get("asin"))
        elif route == "suppress":
            self.suppress(data["seller_id"], data["sku"], data["marketplace_id"], data.get("category", "INVALID_IMAGE"))
        elif route == "faults":
            if method == "DELETE":
                self.clear_faults()
            else:
                self.add_fault(data.get("kind"), data.get("path"), data.get("method"), data.get("count", 1),
                               data.get("seconds"))
        else:
            return self.stats()
        return {"ok": True}
