"""A faithful, Qt-free emulator of the Pixii Listing Builder and Jobs API (see shared/api/pixii.md §14).

``PixiiEmulator.handle(method, path, query, headers, body) -> EmuResponse`` is pure request handling;
:mod:`.transport` (in-process httpx transport) and :mod:`.server` (loopback HTTP server) wrap it.

Every answer carries a ``Date`` header in the emulator's clock (``set_clock_offset`` skews it).

Endpoints: ``POST /v1/api/listing_builder``, ``GET /v1/api/jobs/{id}``, ``GET /v1/api/jobs?asin=&page=&limit=``,
signed image links ``GET /files/{job_id}/{index}.{jpg|png}?expires=&signature=`` and the control API under
``/_sandbox/`` (see :mod:`.control`). Config keys: see :mod:`.config`.

Reserved ASINs (prefix match, ASINs are 10 letters/digits; ``set_next_outcome`` overrides them for one job):

* ``B0FAIL…``  the whole job fails: status ``failed``, ``error_code`` "GENERATION_FAILED", output null, full refund.
* ``B0PART…``  completed, but ad 2 (0-based) fails with IMAGE_GENERATION_ERROR and the last ad with
  CONTENT_POLICY_VIOLATION (``preview_url`` null, ``error`` {code, message}); their shares are refunded.
  With 2 ads only the last fails; the main image (ad 0) never fails.
* ``B0STUCK…`` stays ``processing`` forever.
* ``B0HTML…``  image 1 is served with 200 and Content-Type image/png but an HTML body.
* ``B0TRUNC…`` image 1 is served truncated (the first half of its bytes).
* ``B0HUGE…``  image 1 is a valid 50 MB PNG (a small picture padded with a 50 MB ancillary chunk).
* ``B0BOMB…``  image 1 is a small PNG whose header claims 30000x30000 pixels (a decompression bomb).

Fault kinds (``add_fault`` / ``POST /_sandbox/faults``), consumed in order by matching requests
(``path`` is a path prefix, ``method`` an HTTP method; control requests never match):

* ``500``, ``503``, ``html`` (502 proxy page), ``reset``, ``timeout``: answered before any processing, no job created.
  For ``timeout`` the ``delay`` field is how long the loopback server hangs (default 30 s, bounded); the in-process
  transport raises ``httpx.ReadTimeout`` at once.
* ``slow``: normal answer after ``seconds`` (default 2).
* ``reset_after_create``, ``timeout_after_create``: the request IS processed (a POST creates and charges the job),
  then the answer is dropped: the ambiguous-POST case.
* ``stall``: the request waits before it is processed (a slow upload) until ``release_stalls()`` or ``seconds``
  (default 30) have passed; ``stats()["stalled"]`` counts the requests waiting.
* ``malformed`` (200, body ``{"job_id": ``), ``empty`` (200, empty body), ``missing_fields`` (required fields
  removed), ``extra_fields`` (unknown fields added): the request is processed, then its answer is altered.
"""

from __future__ import annotations

import json
import math
import pathlib
import re
import secrets
import threading
import time
from email.utils import formatdate
from typing import Any, Mapping
from urllib.parse import urlsplit

from desktop_app.api.pixii.vocab import API_PREFIX, COUNTRY_CODES, JOB_TYPE_LISTING_BUILDER, LISTING_TYPES
from desktop_app.sandbox.pixii import jobs as J
from desktop_app.sandbox.config import DEFAULT_BALANCE, DEFAULT_ORG, default_config, merge_config, validate_config
from desktop_app.sandbox.pixii.control import FAULT_KINDS, ControlMixin, key_hash
from desktop_app.sandbox.pixii.files import FileMixin
from desktop_app.sandbox.responses import EmuResponse, Reply, error, take_fault
from desktop_app.store.sandbox_state import Store

KEY_RE = re.compile(r"pk_(live|test)_(\S+)")
PRE_FAULTS = frozenset({"500", "503", "html", "reset", "timeout"})
PROXY_PAGE = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway"
              b"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
MISSING = {"submit": ("job_id", "status", "created_at"), "job": ("status", "created_at", "output"), "list": ("data",)}


def is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def validate_submission(body: bytes) -> tuple[dict[str, Any] | None, list[str]]:
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return None, ["body: must be a JSON object"]
    problems = []
    asin = data.get("asin")
    if not isinstance(asin, str) or not asin.strip():
        problems.append("asin: required, must be a non-empty string")
    codes = ", ".join(sorted(COUNTRY_CODES))
    if data.get("country_code") not in COUNTRY_CODES or not isinstance(data.get("country_code"), str):
        problems.append(f"country_code: {'required, ' if 'country_code' not in data else ''}must be one of {codes}")
    if data.get("listing_type") not in LISTING_TYPES or not isinstance(data.get("listing_type"), str):
        problems.append(f"listing_type: {'required, ' if 'listing_type' not in data else ''}"
                        f"must be one of {', '.join(LISTING_TYPES)}")
    if "main_image_url" in data and not is_http_url(data["main_image_url"]):
        problems.append("main_image_url: must be an http(s) URL string")
    if "other_image_urls" in data:
        urls = data["other_image_urls"]
        if not isinstance(urls, list) or not urls:
            problems.append("other_image_urls: must be a non-empty array of http(s) URL strings")
        else:
            problems += [f"other_image_urls[{i}]: must be an http(s) URL string"
                         for i, url in enumerate(urls) if not is_http_url(url)]
    return data, problems


def internal_error() -> EmuResponse:
    """The answer to a request the sandbox itself failed on."""
    body = {"code": "INTERNAL_ERROR", "message": "An unexpected error occurred.", "detail": "sandbox failure"}
    return EmuResponse(500, {"Content-Type": "application/json"}, json.dumps(body).encode())


class PixiiEmulator(ControlMixin, FileMixin):
    def __init__(self, store_path: pathlib.Path | None = None, base_url: str = "https://sandbox.invalid", *,
                 config: Mapping[str, Any] | None = None) -> None:
        """``config``: defaults for config keys (values set through the control API win over them)."""
        self.base_url = base_url.rstrip("/")
        self.defaults = default_config()
        if config:
            problems = validate_config(dict(config)) or [f"{k}: not a config key" for k in config
                                                         if k in ("balance", "active_brand", "org")]
            if problems:
                raise ValueError("; ".join(problems))
            self.defaults = merge_config(self.defaults, dict(config))
        self.store = Store(store_path, self._initial_state)
        self._release = threading.Event()
        self._stall_lock = threading.Lock()
        self.stalled = 0  # requests held by a ``stall`` fault right now

    # --- state helpers ------------------------------------------------------------------------

    @staticmethod
    def _initial_state() -> dict[str, Any]:
        return {"version": 1, "secret": secrets.token_hex(32), "clock_offset": 0.0, "config": {}, "orgs": {},
                "keys": {}, "jobs": {}, "seq": 0, "jobs_created": 0, "rate_limited": 0, "faults": [],
                "next_outcome": None, "requests": []}

    def _cfg(self, state: dict[str, Any]) -> dict[str, Any]:
        return merge_config(self.defaults, state["config"])

    @staticmethod
    def _now(state: dict[str, Any]) -> float:
        return time.time() + state["clock_offset"]

    @staticmethod
    def _org(state: dict[str, Any], org_id: str) -> dict[str, Any]:
        return state["orgs"].setdefault(org_id, {"balance": DEFAULT_BALANCE, "active_brand": True,
                                                 "rate": {"m_idx": 0, "m_count": 0, "d_idx": 0, "d_count": 0}})

    # --- entry point --------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: Mapping[str, str] | None, headers: Mapping[str, str],
               body: bytes) -> EmuResponse:
        method = method.upper()
        hdrs = {str(k).lower(): str(v) for k, v in headers.items()}
        query = dict(query or {})
        if path == "/_sandbox" or path.startswith("/_sandbox/"):
            return self._control(method, path, query, body)
        self._stall_if_asked(method, path)
        render = None
        with self.store.transaction() as state:
            now = self._now(state)
            cfg = self._cfg(state)
            self._log(state, method, path, hdrs, now)
            J.settle(state, now, cfg["expiry_seconds"])
            fault = take_fault(state["faults"], method, path, skip=("stall",))
            if fault and fault["kind"] in PRE_FAULTS:
                return self._dated(self._fault_response(fault, cfg), now)
            if path.startswith("/files/"):
                result = self._file_request(state, cfg, now, method, path, query)
                if isinstance(result, EmuResponse):
                    response = result
                else:
                    render = (*result, cfg.get("image_bytes", 0))
            else:
                reply = self._api(state, cfg, now, method, path, query, hdrs, body)
                if fault and reply.ok and fault["kind"] in ("missing_fields", "extra_fields"):
                    self._alter(reply, fault["kind"])
                response = self._encode(reply, cfg)
        if render is not None:
            response = self._render(*render)
        return self._dated(self._post_fault(response, fault), now)

    @staticmethod
    def _dated(response: EmuResponse, now: float) -> EmuResponse:
        response.headers.setdefault("Date", formatdate(now, usegmt=True))
        return response

    def _stall_if_asked(self, method: str, path: str) -> None:
        with self.store.transaction() as state:
            fault = take_fault(state["faults"], method, path, skip=tuple(k for k in FAULT_KINDS if k != "stall"))
        if fault is None:
            return
        with self._stall_lock:
            self.stalled += 1
        try:
            self._release.wait(float(fault.get("seconds") or 30.0))
        finally:
            with self._stall_lock:
                self.stalled -= 1

    def release_stalls(self) -> None:
        """Let every request held by a ``stall`` fault (and every later one) go on."""
        self._release.set()

    def _fault_response(self, fault: dict[str, Any], cfg: dict[str, Any]) -> EmuResponse:
        kind = fault["kind"]
        if kind == "500":
            return self._encode(error("INTERNAL_ERROR", 500, "Injected fault"), cfg)
        if kind == "503":
            return self._encode(error("SERVICE_UNAVAILABLE", 503, "Injected fault"), cfg)
        if kind == "html":
            return EmuResponse(502, {"Content-Type": "text/html"}, PROXY_PAGE)
        if kind == "reset":
            return EmuResponse(0, {}, b"", fault="reset")
        return EmuResponse(0, {}, b"", fault="timeout", delay=float(fault.get("seconds") or 30.0))

    @staticmethod
    def _post_fault(response: EmuResponse, fault: dict[str, Any] | None) -> EmuResponse:
        kind = fault["kind"] if fault else None
        if kind == "slow":
            response.delay = float(fault["seconds"] if fault.get("seconds") is not None else 2.0)
        elif kind == "malformed":
            response = EmuResponse(200, {**response.headers, "Content-Type": "application/json"}, b'{"job_id": ')
        elif kind == "empty":
            response = EmuResponse(200, {**response.headers, "Content-Type": "application/json"}, b"")
        elif kind == "reset_after_create":
            response.fault = "reset"
        elif kind == "timeout_after_create":
            response.fault, response.delay = "timeout", float(fault.get("seconds") or 30.0)
        return response

    @staticmethod
    def _alter(reply: Reply, kind: str) -> None:
        if kind == "missing_fields":
            for name in MISSING.get(reply.kind, ()):
                reply.payload.pop(name, None)
            return
        reply.payload["x_request_region"] = "sandbox-1"
        reply.payload["beta"] = {"note": "unknown field added by the sandbox", "flags": [1, 2]}
        ads = (reply.payload.get("output") or {}).get("ads") if reply.kind == "job" else None
        for item in ads or reply.payload.get("data") or []:
            if isinstance(item, dict):
                item["x_extra"] = True

    def _encode(self, reply: Reply, cfg: dict[str, Any]) -> EmuResponse:
        payload: dict[str, Any] = reply.payload
        if cfg["envelope"] == "wrapped":
            payload = ({"success": True, "data": payload, "error": None} if reply.ok
                       else {"success": False, "data": None, "error": payload})
        return EmuResponse(reply.status, {"Content-Type": "application/json", **reply.headers},
                           json.dumps(payload).encode())

    # --- API ----------------------------------------------------------------------------------

    def _api(self, state: dict[str, Any], cfg: dict[str, Any], now: float, method: str, path: str,
             query: dict[str, str], hdrs: dict[str, str], body: bytes) -> Reply:
        job_prefix = f"{API_PREFIX}/jobs/"
        if path == f"{API_PREFIX}/listing_builder":
            allowed, handler = "POST", self._submit
        elif path == f"{API_PREFIX}/jobs":
            allowed, handler = "GET", self._list
        elif path.startswith(job_prefix) and path[len(job_prefix):] and "/" not in path[len(job_prefix):]:
            allowed, handler = "GET", self._get_job
        else:
            return error("NOT_FOUND", 404, f"No route for {method} {path}")
        if method != allowed:
            return error("METHOD_NOT_ALLOWED", 405, f"Use {allowed} for {path}", headers={"Allow": allowed})
        who = self._auth(state, cfg, hdrs)
        if who is None:
            return error("UNAUTHORIZED", 401, "Send a valid key as 'Authorization: Bearer pk_live_…' or 'pk_test_…'")
        return handler(state, cfg, now, who, path, query, body)

    def _auth(self, state: dict[str, Any], cfg: dict[str, Any], hdrs: dict[str, str]) -> tuple[str, str] | None:
        parts = hdrs.get("authorization", "").strip().split(None, 1)
        if len(parts) != 2 or parts[0].lower() != "bearer":
            return None
        match = KEY_RE.fullmatch(parts[1].strip())
        if not match:
            return None
        mode = match.group(1)
        record = state["keys"].get(key_hash(parts[1].strip()))
        if record is not None:
            return None if record["revoked"] else (record["org"], mode)
        return None if cfg["strict_keys"] else (DEFAULT_ORG, mode)

    def _rate_limit(self, org: dict[str, Any], cfg: dict[str, Any], now: float) -> tuple[Reply | None, dict]:
        window = float(cfg["minute_window_seconds"])
        m_idx, d_idx = int(now // window), int(now // 86400)
        rate = org["rate"]
        if rate["m_idx"] != m_idx:
            rate["m_idx"], rate["m_count"] = m_idx, 0
        if rate["d_idx"] != d_idx:
            rate["d_idx"], rate["d_count"] = d_idx, 0
        m_limit, d_limit = int(cfg["minute_limit"]), int(cfg["day_limit"])
        limited = None
        if rate["d_count"] >= d_limit:
            limited = ("RATE_LIMIT_DAY_EXCEEDED", (d_idx + 1) * 86400 - now, f"Limit is {d_limit} per day")
        elif rate["m_count"] >= m_limit:
            limited = ("RATE_LIMIT_MINUTE_EXCEEDED", (m_idx + 1) * window - now, f"Limit is {m_limit} per minute")
        else:
            rate["m_count"] += 1
            rate["d_count"] += 1
        headers = {"X-RateLimit-Limit-Minute": str(m_limit),
                   "X-RateLimit-Remaining-Minute": str(max(0, m_limit - rate["m_count"])),
                   "X-RateLimit-Limit-Day": str(d_limit),
                   "X-RateLimit-Remaining-Day": str(max(0, d_limit - rate["d_count"]))}
        if limited is None:
            return None, headers
        code, wait, detail = limited
        retry = max(1, math.ceil(wait - 1e-9))
        extra = {} if cfg["omit_retry_after_header"] else {"Retry-After": str(retry)}
        return error(code, 429, detail, retry_after=retry, headers={**headers, **extra}), headers

    def _submit(self, state, cfg, now, who, path, query, body) -> Reply:
        org_id, mode = who
        org = self._org(state, org_id)
        limited, headers = self._rate_limit(org, cfg, now)
        if limited is not None:
            state["rate_limited"] = state.get("rate_limited", 0) + 1
            return limited
        data, problems = validate_submission(body)
        if problems:
            return error("VALIDATION_ERROR", 400, "; ".join(problems), headers=headers)
        errors_page = cfg["status_profile"] == "errors-page"
        if not org["active_brand"]:
            return error("NO_ACTIVE_BRAND", 422 if errors_page else 400,
                         "Set up a brand in the Pixii dashboard", headers=headers)
        price = cfg["prices"][data["listing_type"]]
        if mode == "live" and org["balance"] < price:
            return error("INSUFFICIENT_CREDITS", 400 if errors_page else 402,
                         f"This job costs {price} credits; the balance is {org['balance']}", headers=headers)
        outcome = state.get("next_outcome") or J.outcome_for_asin(data["asin"])
        state["next_outcome"] = None
        state["seq"] += 1
        job = J.new_job(org=org_id, mode=mode, asin=data["asin"], country_code=data["country_code"],
                        listing_type=data["listing_type"], now=now, cfg=cfg, outcome=outcome, seq=state["seq"])
        if mode == "live":
            org["balance"] -= price
        state["jobs"][job["id"]] = job
        state["jobs_created"] += 1
        return Reply(200, {"job_id": job["id"], "job_type": JOB_TYPE_LISTING_BUILDER, "status": "pending",
                           "created_at": J.iso(now), "remaining_credits": org["balance"]},
                     kind="submit", headers=headers)

    def _get_job(self, state, cfg, now, who, path, query, body) -> Reply:
        job_id = path.rsplit("/", 1)[1]
        job = state["jobs"].get(job_id)
        if job is None or job["org"] != who[0] or J.is_expired(job, now, cfg["expiry_seconds"]):
            return error("JOB_NOT_FOUND", 404, f"No job with id '{job_id}'")
        return Reply(200, J.view(job, now, base_url=self.base_url, secret=state["secret"],
                                 expiry=cfg["expiry_seconds"]), kind="job")

    def _list(self, state, cfg, now, who, path, query, body) -> Reply:
        asin = query.get("asin")
        problems = [] if asin is not None and 5 <= len(asin) <= 15 else ["asin: required, 5-15 characters"]
        page, limit = query.get("page", "1"), query.get("limit", "20")
        if not page.isdigit() or int(page) < 1:
            problems.append("page: must be an integer from 1")
        if not limit.isdigit() or int(limit) < 1:
            problems.append("limit: must be a positive integer (at most 100)")
        if problems:
            return error("VALIDATION_ERROR", 400, "; ".join(problems))
        page_n, limit_n = int(page), min(100, int(limit))
        found = [j for j in state["jobs"].values() if j["org"] == who[0] and j["asin"] == asin
                 and not J.is_expired(j, now, cfg["expiry_seconds"])]
        found.sort(key=lambda j: (j["created"], j["seq"]), reverse=True)
        chunk = found[(page_n - 1) * limit_n: page_n * limit_n]
        return Reply(200, {"data": [J.summary(j, now) for j in chunk], "total": len(found), "page": page_n,
                           "limit": limit_n}, kind="list")


__all__ = ["EmuResponse", "FAULT_KINDS", "PixiiEmulator", "internal_error"]
