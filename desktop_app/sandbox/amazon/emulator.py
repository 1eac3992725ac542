"""A Qt-free emulator of Login with Amazon and the SP-API Listings Items API 2021-08-01 (sp-api-listings.md §10).

``SpApiEmulator.handle(method, path, query, headers, body) -> EmuResponse``, like :class:`PixiiEmulator`, so
the in-process transports (:mod:`.transport`) and the loopback server (:mod:`.server`) serve it. Routes:
``POST /auth/o2/token``; ``GET|PUT|PATCH|DELETE /listings/2021-08-01/items/{sellerId}/{sku}`` (raw, percent-encoded
path; ``%2F`` stays part of the SKU); ``GET /spapi-media/<name>`` (its image host); the control API under
``/_sandbox/spapi/`` (:mod:`.control`). Listing behaviour: :mod:`.listings`; data: :mod:`.data`.

Config ``static_sandbox`` (default off): the listings operations answer Amazon's static-sandbox pairs
(:mod:`.static`, sp-api-listings.md §8) after the usual token check (any seller id), ignoring the store;
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

The emulator is made of parts, each given what it needs: :class:`~.settings.Settings` (config),
:class:`~.listings.Listings` (the Listings Items routes; base URL, media library), :class:`~.definitions.Definitions`
(product types and schema links; store, base URL), :class:`~.control.SpApiControl` (the control API; store,
settings, listings) and the Login with Amazon checks in :mod:`.access`. :meth:`SpApiEmulator.handle` takes the
request's fault, runs the part inside one state transaction and logs the request; no part imports the emulator.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any, Callable, Mapping

from desktop_app.sandbox.amazon import access
from desktop_app.sandbox.amazon.control import CONTROL_API, SpApiControl, initial_state
from desktop_app.sandbox.amazon.data import MEDIA_PATH
from desktop_app.sandbox.amazon.definitions import ROUTES as DEFINITION_ROUTES, Definitions
from desktop_app.sandbox.amazon.listings import API_PATH, Listings, media_urls
from desktop_app.sandbox.amazon.media import MediaFetcher, MediaLibrary, fetch_media, render_media, scheme_problem
from desktop_app.sandbox.amazon.replies import (
    PRE_FAULTS, PROCESSING_FAULTS, READ_FAULTS, errors, fault_reply, log_request,
)
from desktop_app.sandbox.amazon.settings import Settings, now_of
from desktop_app.sandbox.responses import EmuResponse, take_fault
from desktop_app.store.sandbox_state import Store

TOKEN_PATH = "/auth/o2/token"
CONTROL_PATH = "/_sandbox/spapi"
SPAPI_SANDBOX_URL = "https://spapi.sandbox.invalid"


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


class SpApiEmulator:
    raw_paths = True  # the transports hand over the path still percent-encoded

    def __init__(self, store_path: pathlib.Path | None = None, base_url: str = SPAPI_SANDBOX_URL, *,
                 config: Mapping[str, Any] | None = None, media_fetcher: MediaFetcher | None = None) -> None:
        self.settings = Settings(config)
        self.media_fetcher = media_fetcher
        self.store = Store(store_path, initial_state)
        self.library = MediaLibrary(store_path.with_name(store_path.stem + "-media") if store_path else None)
        self.listings = Listings(base_url, self.library)
        self.definitions = Definitions(self.store, base_url)
        self.control = SpApiControl(self.store, self.settings, self.listings)
        self.base_url = base_url

    @property
    def base_url(self) -> str:
        return self.listings.base_url

    @base_url.setter
    def base_url(self, url: str) -> None:
        """Where the emulator is served (the loopback server knows it once it listens): its parts link there."""
        self.listings.base_url = self.definitions.base_url = url.rstrip("/")

    def __repr__(self) -> str:
        return f"SpApiEmulator(base_url={self.base_url!r})"

    def __getattr__(self, name: str) -> Callable[..., Any]:
        """The control API's Python methods (``configure``, ``add_fault``, ``advance``, ``stats`` …) and
        ``define_product_type`` are the emulator's own."""
        if name in CONTROL_API:
            return getattr(self.control, name)
        if name == "define_product_type":
            return self.definitions.define_product_type
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # --- entry point --------------------------------------------------------------------------

    def handle(self, method: str, path: str, query: Mapping[str, str] | None, headers: Mapping[str, str],
               body: bytes) -> EmuResponse:
        method, query = method.upper(), dict(query or {})
        hdrs = {str(k).lower(): str(v) for k, v in headers.items()}
        if path == CONTROL_PATH or path.startswith(CONTROL_PATH + "/"):
            return self.control.http(method, path, body)
        if path.startswith(MEDIA_PATH):
            status, ctype, data = render_media(path[len(MEDIA_PATH):], self.library)
            return EmuResponse(status, {"Content-Type": ctype}, data if method != "HEAD" else b"")
        definitions = path.startswith(DEFINITION_ROUTES)  # getDefinitionsProductType and its schema links
        if not definitions and path != TOKEN_PATH and not path.startswith(API_PATH):
            return errors(404, "NotFound", f"No route for {method} {path}")
        media = self._prefetch(body) if method in ("PUT", "PATCH") and path.startswith(API_PATH) else {}
        preview = query.get("mode") == "VALIDATION_PREVIEW"
        skip = PROCESSING_FAULTS + READ_FAULTS if definitions else _skipped(method, preview)
        with self.store.transaction() as state:
            now, cfg = now_of(state), self.settings.of(state)
            fault = take_fault(state["faults"], method, path, skip=skip)
            if not definitions:
                self.listings.settle(state, now)
            if fault and fault["kind"] in PRE_FAULTS:
                response = fault_reply(fault)
            elif definitions:
                response = self.definitions.handle(state, now, cfg, method, path, query, hdrs)
            elif path == TOKEN_PATH:
                response = access.token(state, now, cfg, method, hdrs, body)
            else:
                response = self.listings.handle(state, now, cfg, method, path, query, hdrs, body, media, fault)
            log_request(state, method, path, query, response.status, now)
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
        timeout = float(self.settings.defaults["fetch_timeout"])
        return {u: fetch_media(u, self.base_url, self.media_fetcher, timeout, self.library)
                for u in dict.fromkeys(urls) if scheme_problem(u) is None}
