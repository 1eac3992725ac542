"""Login with Amazon and the SP-API's door checks, as the emulator plays them: the token endpoint (a refresh token
for a short-lived access token), the access-token check of every SP-API call and its token buckets (per seller and
operation, refilled at the configured rate). Functions of the emulator's state; they keep secrets hashed."""

from __future__ import annotations

import json
import secrets
from typing import Any
from urllib.parse import parse_qsl

from desktop_app.sandbox.amazon.replies import errors, hashed, reply
from desktop_app.sandbox.responses import EmuResponse

REVOKED = ("The request has an invalid grant parameter : refresh_token. User may have revoked or didn't grant "
           "the permission.")


def token(state: dict[str, Any], now: float, cfg: dict[str, Any], method: str, hdrs: dict[str, str],
          body: bytes) -> EmuResponse:
    """``POST /auth/o2/token``: the refresh_token grant."""

    def lwa(status: int, code: str, text: str) -> EmuResponse:
        return reply(status, {"error_description": text, "error": code}, {"Cache-Control": "no-store"})

    if method != "POST":
        return lwa(400, "invalid_request", "The token endpoint takes POST")
    try:
        if hdrs.get("content-type", "").startswith("application/json"):
            form = json.loads(body)
        else:
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (ValueError, UnicodeDecodeError):
        form = None
    if not isinstance(form, dict):
        return lwa(400, "invalid_request", "The request body is malformed")
    missing = [k for k in ("grant_type", "refresh_token", "client_id", "client_secret") if not form.get(k)]
    if missing:
        return lwa(400, "invalid_request", f"The request is missing a required parameter : {missing[0]}")
    if form["grant_type"] != "refresh_token":
        return lwa(400, "unsupported_grant_type", "Only the refresh_token grant is supported here")
    if state["clients"].get(str(form["client_id"])) != hashed(str(form["client_secret"])):
        return lwa(401, "invalid_client", "Client authentication failed")
    grant = state["refresh"].get(hashed(str(form["refresh_token"])))
    if grant is None or grant["revoked"] or grant["client_id"] != form["client_id"]:
        return lwa(400, "invalid_grant", REVOKED)
    token = "Atza|" + secrets.token_urlsafe(32)
    lifetime = float(cfg["token_lifetime"])
    state["access"][hashed(token)] = {"seller": grant["seller"], "refresh": hashed(str(form["refresh_token"])),
                                      "expires": now + lifetime}
    state["access"] = {k: v for k, v in state["access"].items() if v["expires"] > now - 3600}
    state["counters"]["tokens_issued"] += 1
    return reply(200, {"access_token": token, "token_type": "bearer", "expires_in": int(lifetime) or 1,
                       "refresh_token": form["refresh_token"]}, {"Cache-Control": "no-store", "Pragma": "no-cache"})


def authorize(state: dict[str, Any], now: float, hdrs: dict[str, str], seller: str,
              any_seller: bool = False) -> EmuResponse | None:
    token = hdrs.get("x-amz-access-token")
    if not token:
        return errors(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
    if len(hdrs.get("user-agent", "")) > 500:
        return errors(400, "InvalidInput", "The User-Agent header is longer than 500 characters")
    record = state["access"].get(hashed(token))
    grant = state["refresh"].get(record["refresh"]) if record else None
    if record is None or grant is None or grant["revoked"]:
        return errors(403, "Unauthorized", "Access to requested resource is denied.",
                      "The access token you provided is revoked, malformed or invalid.")
    if record["expires"] <= now:
        return errors(403, "Unauthorized", "Access to requested resource is denied.",
                      "The access token you provided has expired.")
    if record["seller"] != seller and not any_seller:
        return errors(403, "Unauthorized", "Access to requested resource is denied.", "")
    return None


def throttle(state: dict[str, Any], now: float, cfg: dict[str, Any], seller: str, operation: str) -> bool:
    rate, burst = cfg["rates"][operation]
    tokens, stamp = state["buckets"].get(f"{seller}|{operation}", [burst, now])
    tokens = min(burst, tokens + max(0.0, now - stamp) * rate)
    limited = tokens < 1
    state["buckets"][f"{seller}|{operation}"] = [tokens if limited else tokens - 1, now]
    if limited:
        state["counters"]["throttled"] += 1
    return limited
