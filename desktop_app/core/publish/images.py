"""Images for a publish: which URL Amazon fetches for each slot, and the compliance warnings on the way.

A public https URL is fetched the way Amazon will (:mod:`.publish_fetch`) and used as it is, unless it is a signed
link that stops working within a day: then it is hosted like a local file. A local file (``Path``) is checked, then
hosted in the seller's S3 bucket under a content-addressed key (:mod:`.hosting`); a job image's service URL is used
while it stays valid for more than a day, else its cached copy is hosted like a local file. Every image gets its
compliance warnings for its slot. Qt-free; blocking work runs in worker threads.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import parse_qsl, urlsplit

from desktop_app.api.errors import JobNotFound
from desktop_app.api.amazon.models import SLOTS, slot_attribute
from desktop_app.api.urls import url_problem
from desktop_app.core.compliance.checker import check_image, problems
from desktop_app.core.jobs.expiry import expires_at
from desktop_app.core.publish.hosting import HostingNotConfigured, ImageHost, NOT_CONFIGURED_MESSAGE
from desktop_app.core.images.check import ImageCheckError, ImageInfo, verify_image
from desktop_app.store.inline import Store
from desktop_app.store.journal import Journal
from desktop_app.core.publish.fetch import AmazonFetch
from desktop_app.core.jobs.reviews import image_span
from desktop_app.core.validation import InputError

MIN_URL_LIFETIME = 86400.0  # a service URL is used only while valid for more than a day

Progress = Callable[[str], None]  # hears one line in the seller's words at each step of a publish


@dataclass(frozen=True)
class ResolvedImage:
    slot: str
    url: str
    local: Path | None      # the bytes checked for compliance (a local or cached file), if any
    hosted: bool = False


def normalize_slot(slot: str) -> str:
    slot_attribute(slot)  # SlotError (exit 2) for a slot that does not exist
    return slot.strip().upper()


def url_expiry(url: str) -> float | None:
    """When a signed URL stops working (epoch seconds), from its query string; None when it does not say."""
    query = {k.lower(): v for k, v in parse_qsl(urlsplit(url).query)}
    try:
        if "x-amz-expires" in query and "x-amz-date" in query:
            start = datetime.strptime(query["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
            return start.timestamp() + float(query["x-amz-expires"])
        if "expires" in query:
            return float(query["expires"])
    except ValueError:
        return None
    return None


def check_assignments(assignments: Mapping[str, "str | Path | None"],
                      host: ImageHost | None) -> dict[str, "str | Path | None"]:
    """Slot names normalized and every value checked before any request: an https URL (http only to
    loopback), an existing local file, which needs a hosting bucket, or None: remove the slot's image
    (never MAIN)."""
    if not assignments:
        raise InputError("NO_IMAGES", "Choose at least one image for a slot")
    checked: dict[str, str | Path | None] = {}
    for slot, value in assignments.items():
        name = normalize_slot(slot)
        if name in checked:
            raise InputError("DUPLICATE_SLOT", f"Slot {name} is assigned twice")
        if value is None:  # remove the slot's image (a patch delete); MAIN can never be removed
            if name == "MAIN":
                raise InputError("MAIN_REQUIRED", "The MAIN image cannot be removed, only replaced")
        elif isinstance(value, Path):
            if not value.is_file():
                raise InputError("FILE_NOT_FOUND", f"{name}: {value} is not a file")
            if host is None:
                raise HostingNotConfigured(f"{name}: {NOT_CONFIGURED_MESSAGE}")
        else:
            problem = url_problem(str(value), what=f"{name}: the image URL")
            if problem:
                raise InputError("INVALID_IMAGE_URL", problem)
        checked[name] = value
    return checked


def compliance_warnings(slot: str, data: bytes | Path) -> list[str]:
    try:
        findings = problems(check_image(data, "amazon", slot))
    except (OSError, ValueError) as exc:
        return [f"{slot}: not checked for compliance ({exc})"]
    return [f"{slot}: {f.level}: {f.message}" for f in findings]


def checking_line(number: int, count: int, slot: str) -> str:
    return f"Checking image {number} of {count} ({slot}) the way Amazon will fetch it…"


async def resolve(assignments: Mapping[str, "str | Path | None"], host: ImageHost | None, store: Store,
                  fetch: AmazonFetch, *, now: float | None = None,
                  progress: Progress | None = None) -> tuple[dict[str, ResolvedImage], list[str]]:
    """The URL Amazon fetches for every assigned slot (removals left out) and the compliance warnings of every
    image. A local file is hosted; a URL is fetched as Amazon will (:class:`UrlUnreachable` when it cannot be),
    and hosted instead when it is a signed link that stops working within a day. ``progress`` hears which image
    is being checked (big images take seconds each)."""
    now = time.time() if now is None else now
    resolved: dict[str, ResolvedImage] = {}
    warnings: list[str] = []
    images = [slot for slot, value in assignments.items() if value is not None]
    for slot, value in assignments.items():
        if value is None:  # a removal: nothing to host or check
            continue
        if progress is not None:
            progress(checking_line(images.index(slot) + 1, len(images), slot))
        if isinstance(value, Path):
            data = await asyncio.to_thread(value.read_bytes)
            try:
                info = await asyncio.to_thread(verify_image, data)
            except ImageCheckError as exc:
                raise InputError(exc.code, f"{slot}: {value.name} is {exc.message}") from None
            warnings += await asyncio.to_thread(compliance_warnings, slot, data)
            resolved[slot] = ResolvedImage(slot, await _host(host, slot, data, info), value, hosted=True)
            continue
        ends = url_expiry(value)
        local = await store.call(cached_copy, value)
        if ends is not None and ends - now <= MIN_URL_LIFETIME:  # Amazon may fetch it after it stopped working
            if host is None:
                raise HostingNotConfigured(f"{slot}: the link expires within a day, so it is hosted on your S3 "
                                           f"bucket first, but {NOT_CONFIGURED_MESSAGE}")
            if local is not None:
                data = await asyncio.to_thread(local.read_bytes)
                info = await asyncio.to_thread(verify_image, data)
            else:
                fetched = await fetch.fetch(slot, value)
                try:
                    data, info = await asyncio.to_thread(fetched.read), fetched.info
                finally:
                    await asyncio.to_thread(fetched.discard)
            warnings += await asyncio.to_thread(compliance_warnings, slot, data)
            resolved[slot] = ResolvedImage(slot, await _host(host, slot, data, info), local, hosted=True)
            continue
        fetched = await fetch.fetch(slot, value)
        try:  # judged as the file it was fetched into (read as Pillow needs it, never whole)
            warnings += await asyncio.to_thread(compliance_warnings, slot, fetched.path)
        finally:
            await asyncio.to_thread(fetched.discard)
        resolved[slot] = ResolvedImage(slot, value, local)
    return resolved, warnings


async def _host(host: ImageHost | None, slot: str, data: bytes, info: ImageInfo) -> str:
    if host is None:
        raise HostingNotConfigured(f"{slot}: {NOT_CONFIGURED_MESSAGE}")
    url = await asyncio.to_thread(host.upload, data, info.ext, info.mime)
    await asyncio.to_thread(host.check_public, url)  # Amazon must be able to download it, as anyone can
    return url


def cached_copy(journal: Journal, url: str) -> Path | None:
    found = journal.cached_file(url)
    path = Path(found) if found else None
    return path if path is not None and path.is_file() else None


def job_assignments(journal: Journal, job_id: str, picks: Mapping[str, int] | None = None, *,
                    now: float | None = None) -> dict[str, "str | Path"]:
    """Approved images of a job by export slot (index 0 → MAIN, i → PTi), or ``picks`` (slot → index). Each is
    the service URL while it stays valid for more than a day, else the cached file (to be hosted)."""
    now = time.time() if now is None else now
    record = journal.job(job_id)
    if record is None:
        raise JobNotFound("JOB_NOT_FOUND", f"Job {job_id} is not in the local journal")
    images = {img.index: img for img in journal.images(job_id)}
    if picks is None:
        chosen = {("MAIN" if i == 0 else f"PT{i:02d}"): i for i, img in sorted(images.items())
                  if img.review == "approved" and i <= 8}
        if not chosen:
            fit = "; only #0–#8 fit the slots" if max(images, default=0) > 8 else ""
            raise InputError("NO_APPROVED_IMAGES", f"Job {job_id} has no approved image to publish (its images are "
                             f"{image_span(images)}{fit}): approve them in the window or with "
                             f"`listing-studio approve {job_id} INDEX...`, or pick them with --slot SLOT=INDEX")
    else:
        chosen = {normalize_slot(s): i for s, i in picks.items()}
    job_end = expires_at(record)
    result: dict[str, str | Path] = {}
    for slot, index in chosen.items():
        img = images.get(index)
        if img is None:
            raise InputError("UNKNOWN_IMAGE", f"{slot}: job {job_id} has no image #{index}")
        if img.error_code and not img.cached:
            raise InputError("IMAGE_UNAVAILABLE", f"{slot}: image #{index} of job {job_id} failed "
                             f"({img.error_code})")
        ends = [t for t in (url_expiry(img.url) if img.url else None, job_end if img.source == "service" else None)
                if t is not None]
        if img.url and (not ends or min(ends) - now > MIN_URL_LIFETIME):
            result[slot] = img.url
        elif img.cached:
            result[slot] = Path(img.cache_path)  # type: ignore[arg-type]
        else:
            raise InputError("IMAGE_UNAVAILABLE", f"{slot}: image #{index} of job {job_id} is neither cached nor "
                             "reachable for another day")
    return {s: result[s] for s in SLOTS if s in result}
