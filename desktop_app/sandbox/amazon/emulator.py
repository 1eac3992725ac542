"""A Qt-free emulator of Login with Amazon and the SP-API Listings Items API 2021-08-01 (sp-api-listings.md §10).

``SpApiEmulator.handle(method, path, query, headers, body) -> EmuResponse``, like :class:`PixiiEmulator`, so
the in-process transports (:mod:`.transport`) and the loopback server (:mod:`.server`) serve it. Routes:
``POST /auth/o2/token``; ``GET|PUT|PATCH|DELETE /listings/2021-08-01/items/{sellerId}/{sku}`` (raw, percent-encoded
path; ``%2F`` stays part of the SKU); ``GET /spapi-media/<name>`` (its image host); the control API under
``/_sandbox/spapi/`` (:mod:`.spapi_control`). Listing behaviour: :mod:`.spapi_listings`; data: :mod:`.spapi_data`.

Config ``static_sandbox`` (default off): the listings operations answer Amazon's static-sandbox pairs
(:mod:`.spapi_static`, sp-api-listings.md §8) after the usual token check (any seller id), ignoring the store;
a request matching no pair gets 400 ``InvalidInput`` "Could not match input arguments".

Fault kinds (``add_fault``), consumed in order by matching requests: ``500`` (InternalFailure), ``503``, ``429``
(QuotaExceeded), ``reset``, ``timeout``, ``expired`` (403 expired token), ``slow`` (answer after ``seconds``),
``invalid_image`` (the next ACCEPTED submission's images are rejected while processing: old image kept, an
INVALID_IMAGE issue on the listing), ``reset_after`` (the request is processed, then the connection is reset:
the answer is lost; never applied to a VALIDATION_PREVIEW request), ``stuck`` (the next ACCEPTED submission is
never processed), ``listing_issue`` (the next read of a listing carries an ERROR on its main image, code 18027),
``other_contribution`` (the next ACCEPTED submission is processed, but Amazon picks another contributor's main
image: ``summaries[].mainImage`` shows it while the attributes hold the seller's own contribution). A suppression
that appears later: :meth:`suppress` (control API).
"""

from __future__ import annotations

import json
import pathlib
import secrets
import time
from typing import Any, Mapping
from urllib.parse import parse_qsl, unquote

from desktop_app.api.amazon.marketplaces import BY_ID
from desktop_app.sandbox.responses import EmuResponse, take_fault
from desktop_app.sandbox.amazon.control import SpApiControlMixin
from desktop_app.sandbox.amazon.definitions import ROUTES as DEFINITION_ROUTES, DefinitionsMixin
from desktop_app.sandbox.amazon.data import MEDIA, MEDIA_PATH, default_config, validate_config
from desktop_app.sandbox.amazon.media import (
    MediaFetcher, MediaLibrary, fetch_media, own_name, render_media, scheme_problem,
)
from desktop_app.sandbox.amazon import static as spapi_static
from desktop_app.sandbox.amazon.listings import GET_DATA, SUBMIT_DATA, ListingsMixin, is_image, media_urls
from desktop_app.sandbox.amazon.replies import PRE_FAULTS, PROCESSING_FAULTS, READ_FAULTS, errors, hashed, reply
from desktop_app.store.sandbox_state import Store

API_PATH = "/listings/2021-08-01/items/"
TOKEN_PATH = "/auth/o2/token"
CONTROL_PATH = "/_sandbox/spapi"
SPAPI_SANDBOX_URL = "https://spapi.sandbox.invalid"
OP_BY_METHOD = {"GET": "getListingsItem", "PUT": "putListingsItem", "PATCH": "patchListingsItem",
                "DELETE": "deleteListingsItem"}
REVOKED = ("The request has an invalid grant parameter : refresh_token. User may have revoked or didn't grant "
           "the permission.")


INJECTED_ISSUE = {"code": "18027", "message": "The main image does not meet Amazon's product image requirements "
                  "(injected by the sandbox).", "severity": "ERROR",
                  "attributeNames": ["main_product_image_locator"], "categories": ["INVALID_IMAGE"]}


def _skipped(method: str, preview: bool) -> tuple[str, ...]:
    """Fault kinds a listings request does not consume."""
    skip = PROCESSING_FAULTS if preview or method not in ("PUT", "PATCH", "DELETE") else ()
    if preview:
        skip += ("reset_after",)
    return skip if method == "GET" else skip + READ_FAULTS


def owns(path: str) -> bool:
    """True for the paths this emulator serves (the loopback server routes the rest to the Pixii emulator)."""
    return (path == TOKEN_PATH or path.startswith(API_PATH) or path.startswith(MEDIA_PATH)
            or path.startswith(DEFINITION_ROUTES)
            or path == CONTROL_PATH or path.startswith(CONTROL_PATH + "/"))


class SpApiEmulator(SpApiControlMixin, ListingsMixin, DefinitionsMixin):
    raw_paths = True  # the transports hand over the path still percent-encoded

    def __init__(self, store_path: pathlib.Path | None = None, base_url: str = SPAPI_SANDBOX_URL, *,
                 config: Mapping[str, Any] | None = None, media_fetcher: MediaFetcher | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.defaults = default_config()
        if config:
            problems = validate_config(dict(config))
            if problems:
                raise ValueError("; ".join(problems))
            self.defaults.update(config)
        self.media_fetcher = media_fetcher
        self.store = Store(store_path, self._initial_state)
        self.library = MediaLibrary(store_path.with_name(store_path.stem + "-media") if store_path else None)

    def __repr__(self) -> str:
        return f"SpApiEmulator(base_url={self.base_url!r})"

    @staticmethod
    def _now(state: dict[str, Any]) -> float:
        return time.time() + state["clock_offset"]

    def _cfg(self, state: dict[str, Any]) -> dict[str, Any]:
        return {**self.defaults, **state["config"]}

    # --- entry point --------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: Mapping[str, str] | None, headers: Mapping[str, str],
               body: bytes) -> EmuResponse:
        method, query = method.upper(), dict(query or {})
        hdrs = {str(k).lower(): str(v) for k, v in headers.items()}
        if path == CONTROL_PATH or path.startswith(CONTROL_PATH + "/"):
            return self._control(method, path, body)
        if path.startswith(MEDIA_PATH):
            status, ctype, data = render_media(path[len(MEDIA_PATH):], self.library)
            return EmuResponse(status, {"Content-Type": ctype}, data if method != "HEAD" else b"")
        if path.startswith(DEFINITION_ROUTES):  # getDefinitionsProductType and its schema links
            return self._definitions(method, path, query, hdrs)
        if path != TOKEN_PATH and not path.startswith(API_PATH):
            return errors(404, "NotFound", f"No route for {method} {path}")
        media = self._prefetch(body) if method in ("PUT", "PATCH") and path.startswith(API_PATH) else {}
        with self.store.transaction() as state:
            now, cfg = self._now(state), self._cfg(state)
            preview = query.get("mode") == "VALIDATION_PREVIEW"
            fault = take_fault(state["faults"], method, path, skip=_skipped(method, preview))
            self._settle(state, now)
            if fault and fault["kind"] in PRE_FAULTS:
                response = self._fault(fault)
            elif path == TOKEN_PATH:
                response = self._token(state, now, cfg, method, hdrs, body)
            else:
                response = self._listings(state, now, cfg, method, path, query, hdrs, body, media, fault)
            self._log(state, method, path, query, response.status, now)
        if fault and fault["kind"] == "reset_after":  # processed (state changed), then the answer is lost
            response = EmuResponse(0, {}, b"", fault="reset")
        if fault and fault["kind"] == "slow":
            response.delay = float(fault.get("seconds") or 2.0)
        return response

    def _prefetch(self, body: bytes) -> dict[str, tuple[str | None, bytes | None]]:
        """Fetch every media_location of a PUT/PATCH body before the state lock is taken: url → (problem, bytes)."""
        try:
            urls = media_urls(json.loads(body))
        except ValueError:
            return {}
        timeout = float(self.defaults["fetch_timeout"])
        return {u: fetch_media(u, self.base_url, self.media_fetcher, timeout, self.library)
                for u in dict.fromkeys(urls) if scheme_problem(u) is None}

    def _copies(self, media: dict[str, tuple[str | None, bytes | None]]) -> dict[str, str]:
        """Amazon re-hosts the images it accepts: submitted URL → the emulator's own (placeholder) URL."""
        hosted = {}
        for url, (problem, body) in media.items():
            if problem is None and body is not None and own_name(url, self.base_url) is None:
                name = self.library.add(body)
                if name:
                    hosted[url] = f"{MEDIA}{MEDIA_PATH}{name}"
        return hosted

    @staticmethod
    def _fault(fault: dict[str, Any]) -> EmuResponse:
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

    # --- Login with Amazon --------------------------------------------------------------------

    def _token(self, state, now, cfg, method, hdrs, body) -> EmuResponse:
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

    def _authorize(self, state, now, hdrs, seller: str, any_seller: bool = False) -> EmuResponse | None:
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

    def _throttle(self, state, now, cfg, seller: str, operation: str) -> bool:
        rate, burst = cfg["rates"][operation]
        tokens, stamp = state["buckets"].get(f"{seller}|{operation}", [burst, now])
        tokens = min(burst, tokens + max(0.0, now - stamp) * rate)
        limited = tokens < 1
        state["buckets"][f"{seller}|{operation}"] = [tokens if limited else tokens - 1, now]
        if limited:
            state["counters"]["throttled"] += 1
        return limited

    # --- Listings Items -----------------------------------------------------------------------

    def _listings(self, state, now, cfg, method, path, query, hdrs, body, media, fault) -> EmuResponse:
        parts = path[len(API_PATH):].split("/")
        if len(parts) != 2 or not all(parts):
            return errors(404, "NotFound", "Use /listings/2021-08-01/items/{sellerId}/{sku}")
        seller, sku = unquote(parts[0]), unquote(parts[1])
        if method not in OP_BY_METHOD:
            return errors(405, "MethodNotAllowed", f"{method} is not allowed here")
        denied = self._authorize(state, now, hdrs, seller, any_seller=bool(cfg.get("static_sandbox")))
        if denied is not None:
            return denied
        if cfg.get("static_sandbox"):  # Amazon's static sandbox: canned pairs, nothing stored, no throttling
            status, canned = spapi_static.match(method, sku, query)
            return reply(status, canned, {"x-amzn-RateLimit-Limit": "5.0"})
        preview = query.get("mode") == "VALIDATION_PREVIEW"
        operation = "preview" if preview and method in ("PUT", "PATCH") else OP_BY_METHOD[method]
        if self._throttle(state, now, cfg, seller, operation):
            return errors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
        limit = {"x-amzn-RateLimit-Limit": f"{float(cfg['rates'][operation][0]):.1f}"}
        ids = [m for m in query.get("marketplaceIds", "").split(",") if m]
        problem = None
        if not ids:
            problem = "marketplaceIds: required"
        elif any(m not in BY_ID for m in ids):
            problem = f"marketplaceIds: unknown marketplace {next(m for m in ids if m not in BY_ID)}"
        elif len(ids) > 1 and method in ("PUT", "DELETE"):
            problem = "marketplaceIds: at most one marketplace id"
        elif "mode" in query and (query["mode"] != "VALIDATION_PREVIEW" or method in ("GET", "DELETE")):
            problem = "mode: the only value is VALIDATION_PREVIEW (PUT and PATCH)"
        if problem:
            return errors(400, "InvalidInput", problem, "", limit)
        mp = ids[0]
        records = state["listings"].get(seller, {}).get(sku, {})
        if method == "GET":
            included = [d for d in query.get("includedData", "summaries").split(",") if d]
            if any(d not in GET_DATA for d in included):
                return errors(400, "InvalidInput", "includedData: unknown value", "", limit)
            found = [m for m in ids if m in records]
            if not found:
                return errors(404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace {mp}", "", limit)
            view = self._view(sku, found[0], records[found[0]], included)
            if fault and fault["kind"] == "listing_issue" and "issues" in included:
                view["issues"].append(INJECTED_ISSUE)
            for other in found[1:]:
                extra = self._view(sku, other, records[other], included)
                for key in ("summaries", "issues", "productTypes"):
                    view.get(key, []).extend(extra.get(key, []))
            return reply(200, view, limit)
        included = [d for d in query.get("includedData", "issues").split(",") if d]
        if any(d not in SUBMIT_DATA for d in included) or ("identifiers" in included and not preview):
            return errors(400, "InvalidInput", "includedData: issues, or identifiers with VALIDATION_PREVIEW", "",
                          limit)
        record = records.get(mp)
        job: dict[str, Any] = {"seller": seller, "sku": sku, "mp": mp}
        if method == "DELETE":
            job["op"] = "delete"
            issues = [] if record else [{"code": "EMU_SKU_NOT_FOUND", "message": "The SKU does not exist in this "
                                         "marketplace.", "severity": "ERROR", "attributeNames": [], "categories": []}]
            status = "ACCEPTED" if record else "INVALID"
            return reply(200, self._submission(state, now, cfg, job, status, issues, False, included, record), limit)
        if "json" not in hdrs.get("content-type", "application/json"):
            return errors(415, "UnsupportedMediaType", "The body must be application/json")
        if len(body) > cfg["max_body_bytes"]:
            return errors(413, "RequestEntityTooLarge", f"The request body is larger than {cfg['max_body_bytes']} bytes")
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return errors(400, "InvalidInput", "The body must be a JSON object", "", limit)
        if method == "PATCH":
            bad = self._check_patches(data.get("patches"))
            job.update(op="patch", patches=data.get("patches"))
        else:
            attrs = data.get("attributes")
            bad = None if isinstance(attrs, dict) and attrs else "attributes: required, a non-empty object"
            if data.get("requirements", "LISTING") not in ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY"):
                bad = "requirements: must be LISTING, LISTING_PRODUCT_ONLY or LISTING_OFFER_ONLY"
            job.update(op="put", attributes=attrs, productType=data.get("productType"))
        if bad:
            return errors(400, "InvalidInput", bad, "", limit)
        issues = self._semantic_issues(record, data, mp, media, cfg, patch=method == "PATCH")
        failed = any(i["severity"] == "ERROR" for i in issues)
        status = "INVALID" if failed else ("VALID" if preview else "ACCEPTED")
        if status == "ACCEPTED":
            job["hosted"] = self._copies(media)
        if status == "ACCEPTED" and fault and fault["kind"] in ("stuck", "other_contribution"):
            job[fault["kind"]] = True
        if status == "ACCEPTED" and fault and fault["kind"] == "invalid_image":
            job["reject_images"] = sorted({p["path"].split("/")[2] for p in data.get("patches") or []
                                           if p["op"] != "delete" and is_image(p["path"])}
                                          or {k for k in data.get("attributes") or {} if is_image(k)})
        return reply(200, self._submission(state, now, cfg, job, status, issues, preview, included, record), limit)
