"""Async client of the SP-API Listings Items API 2021-08-01 and of getDefinitionsProductType (Product Type
Definitions API 2020-09-01, :mod:`.spapi_definitions`) (httpx, Qt-free); see sp-api-listings.md.

Rules it keeps: LWA access token in ``x-amz-access-token`` only (:mod:`.spapi_auth`); a 403 refreshes the token
once and retries once; 429 and 5xx (and network errors) are retried with full-jitter backoff, at most
``max_retries`` times and never beyond ``give_up_after`` seconds, then :class:`Throttled` /
:class:`SpApiUnreachable`; every request has a bounded timeout; token buckets per operation, 1 request/s in
``VALIDATION_PREVIEW``; https only except for loopback hosts; no secret in a repr, exception or log line. A
product type's schema is downloaded from its presigned link with a plain GET (no access token).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Iterable, Mapping
from urllib.parse import quote

import httpx

from desktop_app.api.amazon import marketplaces
from desktop_app.api.answers import MAX_ANSWER_BYTES, AnswerTooLarge, UnreadableJson, loads, send_capped
from desktop_app.api.errors import BadResponse, ConfigError, describe_transport
from desktop_app.api.retry import RetryPolicy
from desktop_app.api.amazon.auth import DEFAULT_LWA_URL, LwaCredentials, LwaTokenProvider, user_agent
from desktop_app.api.amazon.definitions import (
    DEFAULT_TTL, DEFINITIONS_PATH, ENFORCEMENTS, DefinitionCache, DefinitionMeta, ProductTypeDefinition,
    ProductTypeNotFound, build_definition, checksum_matches, parse_definition,
)
from desktop_app.api.amazon.errors import (
    Forbidden, InvalidInput, ListingNotFound, SpApiError, SpApiInterrupted, SpApiRefused, SpApiUnreachable, Throttled,
    spapi_error,
)
from desktop_app.api.amazon.models import ListingItem, SubmissionResult, parse_listing, parse_submission
from desktop_app.api.amazon.ratelimit import PREVIEW, RATE_LIMIT_HEADER, BucketSet, header_rate
from desktop_app.api.urls import url_problem

log = logging.getLogger(__name__)

API_PATH = "/listings/2021-08-01/items"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
VALIDATION_PREVIEW = "VALIDATION_PREVIEW"
GET_INCLUDED = ("summaries", "attributes", "issues", "productTypes")
REQUIREMENTS = ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY")
MAX_SCHEMA_BYTES = 64 * 1024 * 1024  # a product type's JSON schema (a download, larger than any API answer)
MAX_SCHEMA_DEPTH = 256


def _csv(values: str | Iterable[str]) -> list[str]:
    items = [values] if isinstance(values, str) else list(values)
    return [v.strip() for item in items for v in item.split(",") if v.strip()]


def _json(response: httpx.Response) -> Any:
    try:
        return loads(response.content)
    except UnreadableJson:
        return None


class SpApiClient:
    def __init__(self, credentials: LwaCredentials, *, base_url: str | None = None,
                 lwa_url: str = DEFAULT_LWA_URL, sandbox_hosts: bool = False,
                 http: httpx.AsyncClient | None = None, transport: httpx.AsyncBaseTransport | None = None,
                 timeout: httpx.Timeout = DEFAULT_TIMEOUT, request_deadline: float = 60.0,
                 give_up_after: float = 60.0, max_retries: int = 5, backoff_base: float = 1.0,
                 backoff_cap: float = 30.0, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 rates: Mapping[str, tuple[float, float]] | None = None,
                 definition_ttl: float = DEFAULT_TTL) -> None:
        """``base_url``: one host for every region (the emulator); None picks the marketplace's regional host
        (``sandbox_hosts``: Amazon's static sandbox hosts). ``definition_ttl``: seconds a product-type
        definition is reused without asking again."""
        if base_url is not None:
            problem = url_problem(base_url, what="The SP-API URL")
            if problem:
                raise ConfigError("INVALID_SP_API_URL", problem)
        self.base_url = base_url.rstrip("/") if base_url else None
        # an Amazon regional host serves only its region; the emulator (any other URL) serves all of them
        self.host_region = marketplaces.region_of_url(self.base_url)
        self.sandbox_hosts = sandbox_hosts
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(transport=transport, timeout=timeout, trust_env=False,
                                               follow_redirects=False)
        self.auth = LwaTokenProvider(credentials, self._http, lwa_url=lwa_url, clock=clock, sleep=sleep,
                                     give_up_after=give_up_after, request_deadline=request_deadline)
        self.request_deadline = request_deadline
        self.retry = RetryPolicy(base=backoff_base, cap=backoff_cap, give_up_after=give_up_after,
                                 max_retries=max_retries)
        self._sleep, self._clock = sleep, clock
        self.buckets = BucketSet(rates, clock=clock, sleep=sleep)
        self.user_agent = user_agent()
        self.definitions = DefinitionCache(definition_ttl, clock)
        self._writes_stopped = False

    def stop_writes(self) -> None:
        """No write (PUT, PATCH, DELETE, previews included) starts from now on: Ctrl+C, SIGTERM, quitting."""
        self._writes_stopped = True

    def __repr__(self) -> str:
        return f"SpApiClient(base_url={self.base_url!r}, client_id={self.auth.client_id!r})"

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    # --- plumbing ----------------------------------------------------------------------------

    def _target(self, marketplace_ids: str | Iterable[str], *, single: bool) -> tuple[list[str], str, str]:
        ids = _csv(marketplace_ids)
        if not ids:
            raise InvalidInput("InvalidInput", "One marketplace id is required")
        if single and len(ids) > 1:
            raise InvalidInput("InvalidInput", "This operation takes exactly one marketplace id")
        markets = [marketplaces.for_id(i) for i in ids]
        region = markets[0].region
        if any(m.region != region for m in markets):
            raise InvalidInput("InvalidInput", "All marketplaces of one call must be in one region")
        if self.host_region is not None and region != self.host_region:
            names = ", ".join(f"{m.country} ({m.marketplace_id})" for m in markets)
            raise marketplaces.MarketplaceError(
                "WRONG_REGION", f"Marketplace {names} is in the {region} region, but this client talks to the "
                f"{self.host_region} host {self.base_url}; use the {region} host {markets[0].host} (nothing was sent)")
        host = self.base_url or (markets[0].sandbox_host if self.sandbox_hosts else markets[0].host)
        return ids, region, host

    def _adopt_rate(self, response: httpx.Response, seller_id: str, region: str, operation: str) -> None:
        """Amazon reports the operation's per-account-application rate in ``x-amzn-RateLimit-Limit``: it becomes
        the rate of that operation's bucket (lower or higher; burst unchanged). The VALIDATION_PREVIEW bucket
        keeps its 1 request/s (the header does not describe that case-specific limit)."""
        rate = header_rate(response.headers.get(RATE_LIMIT_HEADER))
        if rate is not None and self.buckets.bucket(seller_id, region, operation).set_rate(rate):
            log.info("%s: Amazon reports %g requests/s; rate adopted", operation, rate)

    async def _call(self, operation: str, method: str, seller_id: str, sku: str, marketplace_ids: Any, *,
                    single: bool, params: dict[str, str] | None = None, body: dict[str, Any] | None = None,
                    preview: bool = False) -> Any:
        if not seller_id or not sku:
            raise InvalidInput("InvalidInput", "The seller id and the SKU are required")
        ids, region, host = self._target(marketplace_ids, single=single)
        url = f"{host}{API_PATH}/{quote(seller_id, safe='')}/{quote(sku, safe='')}"
        query = {"marketplaceIds": ",".join(ids), **{k: v for k, v in (params or {}).items() if v}}
        content = json.dumps(body).encode() if body is not None else None
        return await self._send(operation, method, url, query, seller_id=seller_id, region=region,
                                content=content, preview=preview)

    async def _send(self, operation: str, method: str, url: str, query: Mapping[str, str] | None, *,
                    seller_id: str = "", region: str = "", content: bytes | None = None, preview: bool = False,
                    signed: bool = True) -> Any:
        """One request with the bounded retries: the decoded JSON answer (``signed``), or the raw body of an
        unsigned GET (a presigned link: no access token, no token bucket, no 403 refresh)."""
        bucket = self.buckets.bucket(seller_id, region, PREVIEW if preview else operation) if signed else None
        target = httpx.URL(url, params=query) if query is not None else httpx.URL(url)
        attempts = self.retry.start(clock=self._clock, sleep=self._sleep)
        refreshed = not signed
        maybe_applied = False  # whether any attempt may have reached Amazon and been applied (lost answer, 5xx)
        while True:
            if self._writes_stopped and method != "GET":
                stopped = SpApiInterrupted("INTERRUPTED", "Stopped before the change was sent to Amazon")
                stopped.maybe_applied = maybe_applied
                raise stopped
            headers = {"user-agent": self.user_agent, "accept": "application/json"}
            token = ""
            if bucket is not None:
                await bucket.acquire()
                token = await self.auth.token()
                headers.update({"x-amz-access-token": token,
                                "x-amz-date": datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")})
            if content is not None:
                headers["content-type"] = "application/json"
            try:
                async with asyncio.timeout(self.request_deadline):
                    response = await send_capped(self._http, method, target, content=content, headers=headers,
                                                 max_bytes=MAX_ANSWER_BYTES if signed else MAX_SCHEMA_BYTES)
            except AnswerTooLarge as exc:
                raise BadResponse("BAD_RESPONSE", f"Amazon sent {exc}, more than any answer of its can be") from None
            except (httpx.TransportError, TimeoutError) as exc:
                failure: SpApiError = SpApiUnreachable("UNREACHABLE", describe_transport(exc, "Amazon",
                                                                                         "the connection to Amazon"))
                maybe_applied |= not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
            else:
                if signed:
                    self._adopt_rate(response, seller_id, region, operation)
                if response.is_success:
                    if not signed:
                        return response.content
                    decoded = _json(response)
                    if decoded is None:
                        raise BadResponse("BAD_RESPONSE", f"Amazon answered HTTP {response.status_code} with a "
                                          "body that is not JSON", status=response.status_code)
                    return decoded
                if response.status_code == 403 and not refreshed:
                    refreshed = True
                    log.info("%s: 403, refreshing the access token once", operation)
                    await self.auth.token(stale=token)
                    continue
                failure = spapi_error(response.status_code, _json(response))
                if isinstance(failure, Forbidden):  # still refused with a fresh token
                    failure = Forbidden(failure.code, f"{failure.message} (check the seller id {seller_id or '—'}, "
                                        "that the app has the Product Listing role, and that the marketplace is in "
                                        "the region the seller authorized)", status=403, detail=failure.detail,
                                        errors=failure.errors)
                maybe_applied |= response.status_code >= 500
                if response.status_code != 429 and response.status_code < 500:
                    raise failure
            throttled = isinstance(failure, Throttled)
            wait = attempts.next_wait(at_least=(1.0 / bucket.rate if bucket is not None else 1.0) if throttled else 0.0)
            if not attempts.allows(wait):
                cls = Throttled if throttled else SpApiUnreachable
                final = cls(failure.code, f"{failure.message} (gave up after {attempts.retry + 1} attempts in "
                            f"{attempts.elapsed:.0f} s)", status=failure.status, detail=failure.detail,
                            errors=failure.errors)
                final.maybe_applied = maybe_applied
                raise final from None
            log.info("%s failed (%s); retrying in %.1f s", operation, failure.code, wait)
            await attempts.pause(wait)

    # --- operations --------------------------------------------------------------------------

    async def get_listings_item(self, seller_id: str, sku: str, marketplace_ids: str | Iterable[str], *,
                                included_data: Iterable[str] = GET_INCLUDED,
                                issue_locale: str | None = None) -> ListingItem:
        body = await self._call("getListingsItem", "GET", seller_id, sku, marketplace_ids, single=False,
                                params={"includedData": ",".join(included_data), "issueLocale": issue_locale or ""})
        return parse_listing(body)

    async def put_listings_item(self, seller_id: str, sku: str, marketplace_ids: str | Iterable[str], *,
                                product_type: str, attributes: Mapping[str, Any],
                                requirements: str | None = "LISTING", mode: str | None = None,
                                included_data: Iterable[str] | None = None,
                                issue_locale: str | None = None) -> SubmissionResult:
        _check_mode(mode)
        if requirements is not None and requirements not in REQUIREMENTS:
            raise InvalidInput("InvalidInput", f"requirements must be one of {', '.join(REQUIREMENTS)}")
        body: dict[str, Any] = {"productType": product_type, "attributes": dict(attributes)}
        if requirements:
            body["requirements"] = requirements
        return parse_submission(await self._call(
            "putListingsItem", "PUT", seller_id, sku, marketplace_ids, single=True, body=body,
            preview=mode == VALIDATION_PREVIEW, params=_submission_params(mode, included_data, issue_locale)))

    async def patch_listings_item(self, seller_id: str, sku: str, marketplace_ids: str | Iterable[str], *,
                                  product_type: str, patches: list[dict[str, Any]], mode: str | None = None,
                                  included_data: Iterable[str] | None = None,
                                  issue_locale: str | None = None) -> SubmissionResult:
        _check_mode(mode)
        if not patches:
            raise InvalidInput("InvalidInput", "patches must hold at least one operation")
        body = {"productType": product_type, "patches": list(patches)}
        return parse_submission(await self._call(
            "patchListingsItem", "PATCH", seller_id, sku, marketplace_ids, single=True, body=body,
            preview=mode == VALIDATION_PREVIEW, params=_submission_params(mode, included_data, issue_locale)))

    async def delete_listings_item(self, seller_id: str, sku: str, marketplace_ids: str | Iterable[str], *,
                                   issue_locale: str | None = None) -> SubmissionResult:
        return parse_submission(await self._call("deleteListingsItem", "DELETE", seller_id, sku, marketplace_ids,
                                                 single=True, params={"issueLocale": issue_locale or ""}))

    async def get_product_type_definition(self, product_type: str, marketplace_id: str, *,
                                          requirements: str = "LISTING", requirements_enforced: str = "ENFORCED",
                                          seller_id: str | None = None) -> ProductTypeDefinition:
        """getDefinitionsProductType (latest version, default locale), then its JSON Schema from the presigned
        ``schema.link.resource`` (a plain GET: never the access token). Cached for the session
        (:class:`~.spapi_definitions.DefinitionCache`). :class:`ProductTypeNotFound` for an unknown type."""
        if not product_type or not product_type.strip():
            raise InvalidInput("InvalidInput", "The product type is required")
        if requirements not in REQUIREMENTS:
            raise InvalidInput("InvalidInput", f"requirements must be one of {', '.join(REQUIREMENTS)}")
        if requirements_enforced not in ENFORCEMENTS:
            raise InvalidInput("InvalidInput", f"requirementsEnforced must be one of {', '.join(ENFORCEMENTS)}")
        ids, region, host = self._target(marketplace_id, single=True)
        key = (product_type, ids[0], requirements, requirements_enforced, seller_id or "")
        cached = self.definitions.latest(key)
        if cached is not None:
            return cached
        query = {"marketplaceIds": ids[0], "requirements": requirements,
                 "requirementsEnforced": requirements_enforced, "locale": "DEFAULT", "productTypeVersion": "LATEST"}
        if seller_id:
            query["sellerId"] = seller_id
        url = f"{host}{DEFINITIONS_PATH}/{quote(product_type, safe='')}"
        try:
            body = await self._send("getDefinitionsProductType", "GET", url, query, seller_id=seller_id or "",
                                    region=region)
        except ListingNotFound as exc:
            raise ProductTypeNotFound(exc.code, f"Amazon has no definition of product type {product_type} in "
                                      f"{marketplaces.label(ids[0])}", status=exc.status, detail=exc.detail,
                                      errors=exc.errors) from None
        meta = parse_definition(body, ids[0])
        definition = self.definitions.known(key, meta)
        if definition is None:
            definition = build_definition(meta, await self._schema(meta))
        self.definitions.store(key, meta, definition)
        return definition

    async def _schema(self, meta: DefinitionMeta) -> Any:
        problem = url_problem(meta.schema_url, what="The product-type schema link")
        if problem:
            raise BadResponse("BAD_RESPONSE", f"{problem} ({meta.product_type})")
        try:
            data = await self._send("getDefinitionsProductType schema", "GET", meta.schema_url, None, signed=False)
        except SpApiRefused as exc:
            raise SpApiRefused("SCHEMA_UNAVAILABLE", f"The schema of product type {meta.product_type} could not be "
                            f"downloaded (HTTP {exc.status})", status=exc.status, detail=exc.detail) from None
        if meta.checksum and not checksum_matches(data, meta.checksum):
            log.warning("the schema of %s does not match its checksum", meta.product_type)
        try:
            return loads(data, max_depth=MAX_SCHEMA_DEPTH)
        except UnreadableJson as exc:
            raise BadResponse("BAD_RESPONSE", f"The schema of product type {meta.product_type} is {exc}") from None


def _check_mode(mode: str | None) -> None:
    if mode not in (None, VALIDATION_PREVIEW):
        raise InvalidInput("InvalidInput", "mode must be VALIDATION_PREVIEW or omitted")


def _submission_params(mode: str | None, included: Iterable[str] | None, locale: str | None) -> dict[str, str]:
    if included is None:
        included = ("identifiers", "issues") if mode == VALIDATION_PREVIEW else ("issues",)
    return {"mode": mode or "", "includedData": ",".join(included), "issueLocale": locale or ""}


