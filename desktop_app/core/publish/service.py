"""Publish approved images to an Amazon listing through SP-API, safely (sp-api-listings.md §5, cli-contract.md
"Publishing to Amazon"). Shared by the window and the command line; Qt-free.

Sequence of :meth:`PublishService.publish`: marketplace from the country (CN refused, no request) → slots and
images checked → getListingsItem → local files hosted (content-addressed S3 keys) → the slots' current values
journalled (:class:`PublishStore`) → the request with ``mode=VALIDATION_PREVIEW`` → (unless validate-only or
INVALID) the same request for real. Default operation: patchListingsItem ``replace`` on the chosen image
attributes only; ``full_put``: putListingsItem with the fetched attributes and only the images changed — first
checked, right after the read, against the product type's definition (getDefinitionsProductType, LISTING,
ENFORCED): a body lacking a required attribute, or holding an image slot the product type has no attribute for,
is refused like an INVALID submission (:class:`SpApiRefused` ``PUT_MISSING_ATTRIBUTES`` / ``PUT_UNSUPPORTED_SLOTS``,
exit 3 on the command line) before anything is hosted, journalled or sent.
ACCEPTED means submitted; :meth:`watch_live` re-reads the listing with backoff until Amazon serves the new images
(watching and undo: :mod:`desktop_app.core.publish.after`).
The asynchronous paths reach the journal through a store (:mod:`desktop_app.store.inline`: at once on the command
line, on the store worker's thread in the window); the record of a submission is written before it is sent, and
its outcome lands even when the task is cancelled meanwhile.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TypeVar

from desktop_app.api.amazon import marketplaces
from desktop_app.api.errors import ApiError, ApiRefused
from desktop_app.api.amazon.client import VALIDATION_PREVIEW, SpApiClient
from desktop_app.api.amazon.models import (SLOTS, Issue, ListingItem, SubmissionResult, attributes_with_images,
                                           image_patches, slot_attribute)
from desktop_app.api.amazon.errors import SpApiError, SpApiRefused
from desktop_app.api.retry import WATCH_PUBLISH, RetryPolicy, Sleep
from desktop_app.api.urls import resolve_host
from desktop_app.core.publish import images as publish_images
from desktop_app.core.publish.after import AfterPublish, issues_json, product_type_of
from desktop_app.core.publish.hosting import ImageHost
from desktop_app.core.publish.fetch import AmazonFetch
from desktop_app.store.inline import InlineStore, Store, land
from desktop_app.store.journal import JobRecord, Journal
from desktop_app.store.publishes import ACCEPTED, INVALID, REFUSED, SENDING, UNKNOWN, VALID, PublishStore
from desktop_app.core.validation import InputError

CHECKING_LINE = "Amazon is checking the images (nothing is published yet)…"
SENDING_LINE = "Amazon's check passed: publishing…"


@dataclass(frozen=True)
class ListingView:
    sku: str
    country: str
    marketplace_id: str
    asin: str | None
    product_type: str | None
    title: str | None
    slots: dict[str, str | None]   # MAIN, PT01..PT08, SWCH
    issues: list[Issue]


@dataclass(frozen=True)
class PublishOutcome:
    record_id: int | None
    sku: str
    marketplace_id: str
    operation: str                 # "patch" | "put"
    mode: str | None               # "VALIDATION_PREVIEW" when the status comes from the preview
    status: str | None             # ACCEPTED | INVALID | VALID
    submission_id: str | None
    issues: list[Issue]
    slots: dict[str, tuple[str | None, str | None]]   # slot -> (before, after)
    warnings: list[str] = field(default_factory=list)  # compliance warnings

    @property
    def ok(self) -> bool:
        return self.status in ("ACCEPTED", "VALID")


class AsinMismatch(InputError):
    """A job's images onto a listing of another product (``any_asin`` publishes them anyway). Only the listing
    was read: nothing was hosted, journalled or sent."""

    def __init__(self, listing: ListingView, job: JobRecord) -> None:
        title = f" ({listing.title})" if listing.title else ""
        super().__init__("ASIN_MISMATCH", f"Job {job.job_id} was made for ASIN {job.asin} ({job.country}), but "
                         f"SKU {listing.sku} in {listing.country} is ASIN {listing.asin}{title}; nothing was sent")
        self.listing, self.job = listing, job


T = TypeVar("T")


class PublishService(AfterPublish):
    def __init__(self, client: SpApiClient, journal: Journal, seller_id: str, *, host: ImageHost | None = None,
                 fetch: AmazonFetch | None = None, watch_retry: RetryPolicy = WATCH_PUBLISH,
                 sleep: Sleep = asyncio.sleep, store: Store | None = None) -> None:
        self.client = client
        self.journal = journal
        self.store = PublishStore(journal)
        self.journal_store: Store = store or InlineStore(journal)
        self.seller_id = seller_id
        self.host = host
        self.fetch = fetch or AmazonFetch(resolve=resolve_host)
        self.watch_retry = watch_retry  # how long watch_live waits between re-reads (api/retry.py decides)
        self.sleep = sleep

    def use_store(self, store: Store) -> None:
        """Reach the journal through ``store`` (the window's store worker) when publishing, watching and undoing."""
        self.journal_store = store

    def on(self, journal: Journal) -> "PublishService":
        """This service reading the journal through another connection (the store worker's own)."""
        if journal is self.journal:
            return self
        other = copy.copy(self)
        other.journal, other.store = journal, PublishStore(journal)
        return other

    async def records(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(PublishStore, ...)`` (a method of the publish records) through the store; a write lands even when
        the caller is cancelled meanwhile."""
        return await land(self.journal_store, _on_records, fn, *args, **kwargs)

    async def _looked_up(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(service, ...)`` (a method of this service that reads the journal only) through the store."""
        return await self.journal_store.call(_on_service, self, fn, *args)

    # --- reading ------------------------------------------------------------------------------

    async def _read(self, sku: str, marketplace_id: str) -> ListingItem:
        return await self.client.get_listings_item(self.seller_id, sku, marketplace_id)

    async def fetch_listing(self, sku: str, country: str) -> ListingView:
        sku = normalize_sku(sku)
        market = marketplaces.for_country(country)
        return _view(sku, market, await self._read(sku, market.marketplace_id))

    def job_assignments(self, job_id: str, picks: dict[str, int] | None = None) -> dict[str, str | Path]:
        return publish_images.job_assignments(self.journal, job_id, picks)

    # --- publishing ---------------------------------------------------------------------------

    async def publish(self, sku: str, country: str, assignments: dict[str, str | Path | None], *,
                      validate_only: bool = False, full_put: bool = False, job_id: str | None = None,
                      any_asin: bool = False, on_warnings: Callable[[list[str]], None] | None = None,
                      on_progress: publish_images.Progress | None = None) -> PublishOutcome:
        """``job_id``: the job whose images these are; onto a listing of another ASIN only with ``any_asin``
        (else :class:`AsinMismatch` once the listing is read, before anything else). ``on_warnings`` hears every
        image's compliance warnings ("SLOT: level: message") before the preview is sent; ``on_progress`` one
        line at each step: each image checked, Amazon's check, the real request."""
        sku = normalize_sku(sku)
        market = marketplaces.for_country(country)
        checked = publish_images.check_assignments(assignments, self.host)
        mp = market.marketplace_id
        item = await self._read(sku, mp)
        if job_id and not any_asin:
            await self._check_asin(_view(sku, market, item), job_id)
        product_type = product_type_of(item, mp)
        if full_put:
            await self._check_full_put(sku, mp, item, product_type, checked)
        resolved, warnings = await publish_images.resolve(checked, self.host, self.journal_store, self.fetch,
                                                          progress=on_progress)
        if on_warnings is not None:
            on_warnings(list(warnings))
        changes: dict[str, str | None] = {slot: None for slot, value in checked.items() if value is None}
        changes.update({slot: r.url for slot, r in resolved.items()})
        changes = {slot: changes[slot] for slot in SLOTS if slot in changes}
        return await self._submit(sku, mp, item, product_type, changes, "put" if full_put else "patch",
                                  validate_only=validate_only, job_id=job_id, warnings=warnings,
                                  progress=on_progress)

    async def _check_asin(self, listing: ListingView, job_id: str) -> None:
        job = await self.journal_store.call(Journal.job, job_id)
        if job is None or not job.asin or not listing.asin:  # a job known by its id only, a listing without ASIN
            return
        if job.asin.strip().upper() != listing.asin.strip().upper():
            raise AsinMismatch(listing, job)

    async def _check_full_put(self, sku: str, mp: str, item: ListingItem, product_type: str,
                              checked: dict[str, Any]) -> None:
        """A full put replaces the whole listing: its body (the fetched attributes with the chosen slots set or
        emptied) must hold every attribute the product type requires, and only image attributes it has."""
        definition = await self.client.get_product_type_definition(
            product_type, mp, requirements="LISTING", requirements_enforced="ENFORCED", seller_id=self.seller_id)
        body = attributes_with_images(item.attributes, mp, {s: None if v is None else "pending"
                                                            for s, v in checked.items()})
        missing = definition.missing(body)
        unsupported = [s for s in SLOTS
                       if slot_attribute(s) in body and not definition.accepts_image(slot_attribute(s))]
        if not missing and not unsupported:
            return
        problems = []
        if missing:
            problems.append(f"product type {product_type} requires {', '.join(missing)}, which the listing as read "
                            "does not have")
        if unsupported:
            names = ", ".join(f"{s} ({slot_attribute(s)})" for s in unsupported)
            problems.append(f"product type {product_type} has no image attribute for {names}")
        raise SpApiRefused("PUT_MISSING_ATTRIBUTES" if missing else "PUT_UNSUPPORTED_SLOTS",
                         f"A full put would replace the whole listing {sku} in {mp}, but {'; and '.join(problems)}. "
                         "Nothing was submitted. Use the image-only update instead (the default patch; on the command "
                         "line, leave out --full-put).")

    async def _submit(self, sku: str, mp: str, item: ListingItem, product_type: str,
                      changes: dict[str, str | None], operation: str, *, validate_only: bool = False,
                      job_id: str | None = None, undo_of: int | None = None,
                      warnings: list[str] | None = None,
                      progress: publish_images.Progress | None = None) -> PublishOutcome:
        say = progress or (lambda _line: None)
        before = item.slots(mp)
        after = {**before, **changes}
        slots = {s: (before.get(s), after.get(s)) for s in SLOTS}
        if operation == "put":
            attributes = attributes_with_images(item.attributes, mp, changes)
            kwargs: dict[str, Any] = {"product_type": product_type, "attributes": attributes}
            send = self.client.put_listings_item
        else:
            kwargs = {"product_type": product_type, "patches": image_patches(mp, changes)}
            send = self.client.patch_listings_item
        record_id = await self.records(PublishStore.begin, self.seller_id, sku, mp, operation, before, after, undo_of=undo_of,
                                     job_id=job_id, issues_before=issues_json(item.issues))

        def outcome(result: SubmissionResult, mode: str | None) -> PublishOutcome:
            return PublishOutcome(record_id, sku, mp, operation, mode, result.status, result.submission_id,
                                  list(result.issues), slots, list(warnings or []))

        say(CHECKING_LINE)
        try:
            preview = await send(self.seller_id, sku, mp, mode=VALIDATION_PREVIEW, **kwargs)
        except BaseException as exc:
            await self.records(PublishStore.update, record_id, REFUSED, error_code=_code(exc))  # nothing was sent for real
            raise
        if preview.status == "INVALID" or validate_only:
            await self.records(PublishStore.update, record_id, INVALID if preview.status == "INVALID" else VALID, status=preview.status,
                              submission_id=preview.submission_id, issues=issues_json(preview.issues),
                              error_code=_first_error(preview))
            return outcome(preview, VALIDATION_PREVIEW)
        await self.records(PublishStore.update, record_id, SENDING)
        say(SENDING_LINE)
        try:
            result = await send(self.seller_id, sku, mp, **kwargs)
        except ApiRefused as exc:
            await self.records(PublishStore.update, record_id, REFUSED, error_code=exc.code)
            raise
        except SpApiError as exc:
            # every attempt refused before processing (429s, connection refused): not sent; else Amazon may have it
            await self.records(PublishStore.update, record_id, UNKNOWN if exc.maybe_applied else REFUSED, error_code=exc.code)
            raise
        except BaseException as exc:  # timeout, reset, bad answer, cancelled: Amazon may have it
            await self.records(PublishStore.update, record_id, UNKNOWN, error_code=_code(exc))
            raise
        state = ACCEPTED if result.status == "ACCEPTED" else INVALID
        await self.records(PublishStore.update, record_id, state, status=result.status, submission_id=result.submission_id,
                          issues=issues_json(result.issues), error_code=_first_error(result))
        return outcome(result, None)

def _view(sku: str, market: marketplaces.Marketplace, item: ListingItem) -> ListingView:
    mp = market.marketplace_id
    return ListingView(sku, market.country, mp, item.asin(mp), item.product_type(mp), item.title(mp),
                       item.slots(mp), [i for i in item.issues])


def normalize_sku(sku: str) -> str:
    sku = (sku or "").strip()
    if not sku or len(sku) > 40:
        raise InputError("INVALID_SKU", "A SKU is 1 to 40 characters")
    return sku




def _first_error(result: SubmissionResult) -> str | None:
    return result.errors[0].code if result.errors else None


def _code(exc: BaseException) -> str:
    if isinstance(exc, ApiError):
        return exc.code
    return getattr(exc, "code", None) or type(exc).__name__


def _on_records(journal: Journal, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return fn(PublishStore(journal), *args, **kwargs)


def _on_service(journal: Journal, service: PublishService, fn: Callable[..., T], *args: Any) -> T:
    return fn(service.on(journal), *args)
