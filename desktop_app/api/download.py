"""Fetching images from result URLs (and reference URLs): no credentials, every redirect hop checked against
the same rule as the first URL, at most 5 redirects, bodies streamed with a size cap (into a file for the cache,
so that memory never grows with the image)."""

from __future__ import annotations

import asyncio
import hashlib
import io
from dataclasses import dataclass
from typing import BinaryIO, Callable
from urllib.parse import urljoin, urlsplit

import httpx

from desktop_app.api.retry import RetryPolicy
from desktop_app.api.urls import Address, address_problem, fetch_url_problem, ip_literal

MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DOWNLOAD_RETRY = RetryPolicy(base=0.5, cap=4.0)  # the attempt count and deadline are each download's own

Resolver = Callable[[str], list[Address]]


class DownloadError(Exception):
    """``code`` is one of DOWNLOAD_FAILED, URL_EXPIRED, IMAGE_TOO_LARGE."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class HopRule:
    """Where image links (and every redirect) may lead. ``local_ok``: the API is on loopback, so loopback and
    private hosts are fine; ``resolve`` (blocking, run in a thread) also judges the addresses a name resolves to."""

    local_ok: bool
    resolve: Resolver | None = None

    async def problem(self, url: str, *, redirected: bool) -> str | None:
        what = "A redirect of the image URL" if redirected else "The image URL"
        problem = fetch_url_problem(url, local_ok=self.local_ok, what=what)
        host = urlsplit(url).hostname or ""
        if problem or self.resolve is None or ip_literal(host) is not None:
            return problem
        for addr in await asyncio.to_thread(self.resolve, host):
            found = address_problem(addr, f"{host} ({addr})", local_ok=self.local_ok)
            if found:
                return f"{what} points where images may not come from: {found}"
        return None


@dataclass(frozen=True)
class Fetched:
    sha256: str
    size: int


class _Retry(Exception):
    """This attempt failed in a way worth trying again."""


async def fetch_to(http: httpx.AsyncClient, url: str, sink: BinaryIO, rule: HopRule, *,
                   max_bytes: int = MAX_DOWNLOAD_BYTES, attempts: int = 4, deadline: float = 60.0,
                   retry: RetryPolicy = DOWNLOAD_RETRY) -> Fetched:
    """GET ``url`` into ``sink`` (emptied before each attempt), hashing as it streams. 403/404/410 mean the link
    expired. At most ``attempts`` attempts, all together taking at most ``deadline`` seconds."""
    last = "the download failed"
    tries = retry.but(max_retries=attempts - 1, give_up_after=deadline).start()
    while True:
        remaining = deadline - tries.elapsed
        if remaining <= 0:
            break
        try:
            async with asyncio.timeout(remaining):
                return await _attempt(http, url, sink, rule, max_bytes)
        except _Retry as exc:
            last = str(exc)
        except (httpx.TransportError, TimeoutError) as exc:
            last = "the image host did not answer in time" if isinstance(exc, (httpx.TimeoutException, TimeoutError)) \
                else "the connection to the image host failed"
        wait = tries.next_wait()
        if not tries.allows(wait):
            break
        await tries.pause(wait)
    raise DownloadError("DOWNLOAD_FAILED", last)


async def fetch_bytes(http: httpx.AsyncClient, url: str, rule: HopRule, **options) -> bytes:
    """:func:`fetch_to` into memory, for small things (reference-image thumbnails, the seller's own links)."""
    sink = io.BytesIO()
    await fetch_to(http, url, sink, rule, **options)
    return sink.getvalue()


async def _attempt(http: httpx.AsyncClient, url: str, sink: BinaryIO, rule: HopRule, max_bytes: int) -> Fetched:
    visited: set[str] = set()
    for hop in range(MAX_REDIRECTS + 1):
        problem = await rule.problem(url, redirected=hop > 0)
        if problem:
            raise DownloadError("DOWNLOAD_FAILED", problem)
        visited.add(url)
        async with http.stream("GET", url, headers={"Accept": "image/*"}, follow_redirects=False) as response:
            if response.status_code in REDIRECT_STATUSES and response.headers.get("Location"):
                target = urljoin(url, response.headers["Location"].strip())
                if target in visited:
                    raise DownloadError("DOWNLOAD_FAILED", "the image link redirects in a loop")
                url = target
                continue
            return await _body(response, sink, max_bytes)
    raise DownloadError("DOWNLOAD_FAILED", f"the image link redirects more than {MAX_REDIRECTS} times")


async def _body(response: httpx.Response, sink: BinaryIO, max_bytes: int) -> Fetched:
    status = response.status_code
    if status in (403, 404, 410):
        raise DownloadError("URL_EXPIRED", f"the image link has expired or is gone (HTTP {status})")
    if status >= 500 or status == 429:
        raise _Retry(f"the image host answered HTTP {status}")
    if not response.is_success:
        raise DownloadError("DOWNLOAD_FAILED", f"the image host answered HTTP {status}")
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise DownloadError("IMAGE_TOO_LARGE", f"the image is {int(declared) / 1e6:.0f} MB, "
                            f"more than the {max_bytes / 1e6:.0f} MB allowed")
    sink.seek(0)
    sink.truncate()
    digest, size = hashlib.sha256(), 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise DownloadError("IMAGE_TOO_LARGE", f"the image is more than {max_bytes / 1e6:.0f} MB")
        digest.update(chunk)
        sink.write(chunk)
    return Fetched(digest.hexdigest(), size)
