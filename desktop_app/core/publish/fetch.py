"""Fetch an image URL the way Amazon will before it is sent in a publish (image-rules-and-after-publish.md: "Unable
to retrieve media content" comes from links Amazon cannot fetch).

A plain GET without cookies or credentials, every redirect hop under the download rules (cli-contract.md, "Safety
with money and listings": https, http only to loopback, never link-local, at most 5 redirects), then HTTP 200, an
``image/*`` content type and a body within :data:`~.imagecheck.MAX_IMAGE_BYTES` that decodes as an image. A URL
that fails is :class:`UrlUnreachable` (``IMAGE_URL_UNREACHABLE``, exit 2): nothing is sent. Qt-free.

The body goes to a temporary file as it arrives, written in worker threads, and is verified there (read as Pillow
needs it, never whole): an image of 95 MB is never one block in memory, and no copy of it holds the interpreter
(and with it the window's GUI thread) for tens of milliseconds.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urljoin, urlsplit

import httpx

from desktop_app.api.download import MAX_REDIRECTS, REDIRECT_STATUSES, HopRule, Resolver
from desktop_app.api.urls import is_loopback_host
from desktop_app.core.housekeeping import check_not_stopped, discard_temp, new_temp
from desktop_app.core.images.check import MAX_IMAGE_BYTES, ImageCheckError, ImageInfo, verify_file
from desktop_app.core.validation import InputError

FETCH_TIMEOUT = 20.0
WRITE_BATCH = 4 * 1024 * 1024  # bytes gathered before one write in a worker thread


class UrlUnreachable(InputError):
    def __init__(self, slot: str, url: str, why: str) -> None:
        super().__init__("IMAGE_URL_UNREACHABLE", f"{slot}: Amazon could not fetch {url}: {why}; nothing was sent")


@dataclass(frozen=True)
class FetchedImage:
    """The verified image in a temporary file; ``discard()`` it once done."""
    path: Path
    info: ImageInfo

    def read(self) -> bytes:
        """The bytes (to host them). Blocking."""
        return self.path.read_bytes()

    def discard(self) -> None:
        discard_temp(str(self.path))


class AmazonFetch:
    """Fetches image URLs as Amazon's media downloader does. ``mounts``: in-process transports for the embedded
    sandboxes' hosts; ``resolve`` (None in the sandbox) also judges the addresses a host name resolves to."""

    def __init__(self, *, resolve: Resolver | None, mounts: Mapping[str, httpx.AsyncBaseTransport] | None = None,
                 timeout: float = FETCH_TIMEOUT) -> None:
        self.resolve = resolve
        self.mounts = dict(mounts or {})
        self.timeout = timeout

    async def fetch(self, slot: str, url: str) -> FetchedImage:
        local = is_loopback_host(urlsplit(url).hostname)  # a loopback link may stay local; no other ever leads there
        rule = HopRule(local_ok=local, resolve=None if local else self.resolve)
        # a fresh client for every URL: no cookie, no credential, nothing from an earlier answer; made in a worker
        # thread, as its TLS context reads the system's certificates (tens of ms, never on the window's GUI thread)
        client = await asyncio.to_thread(httpx.AsyncClient, mounts=self.mounts, timeout=self.timeout,
                                         trust_env=False, follow_redirects=False)
        fd, name = await asyncio.to_thread(new_temp, tempfile.gettempdir(), "listing-studio-fetch")
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as sink:
                async with client as http:
                    try:
                        async with asyncio.timeout(self.timeout * 2):
                            content_type = await _get(http, slot, url, rule, sink)
                    except (httpx.TransportError, TimeoutError):
                        raise UrlUnreachable(slot, url, "the image host did not answer") from None
            if not content_type.lower().startswith("image/"):
                raise UrlUnreachable(slot, url, f"it answers {content_type or 'no content type'}, not an image")
            try:
                info = await asyncio.to_thread(verify_file, path)
            except ImageCheckError as exc:
                raise UrlUnreachable(slot, url, f"it is {exc.message}") from None
        except BaseException:
            await asyncio.shield(asyncio.to_thread(discard_temp, name))
            raise
        return FetchedImage(path, info)


async def _get(http: httpx.AsyncClient, slot: str, url: str, rule: HopRule, sink) -> str:
    """The body of ``url`` (after the redirects) written to ``sink``; its content type."""
    first, visited = url, set()
    for hop in range(MAX_REDIRECTS + 1):
        problem = await rule.problem(url, redirected=hop > 0)
        if problem:
            raise UrlUnreachable(slot, first, problem)
        visited.add(url)
        async with http.stream("GET", url) as response:
            status = response.status_code
            if status in REDIRECT_STATUSES and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"].strip())
                if url in visited:
                    raise UrlUnreachable(slot, first, "it redirects in a loop")
                continue
            if status != 200:
                gone = " (an expired or private link)" if status in (401, 403, 404, 410) else ""
                raise UrlUnreachable(slot, first, f"it answers HTTP {status}{gone}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > MAX_IMAGE_BYTES:
                raise UrlUnreachable(slot, first, f"it is {int(declared) / 1e6:.0f} MB, above "
                                     f"{MAX_IMAGE_BYTES / 1e6:.0f} MB")
            chunks, held, size = [], 0, 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_IMAGE_BYTES:
                    raise UrlUnreachable(slot, first, f"it is above {MAX_IMAGE_BYTES / 1e6:.0f} MB")
                chunks.append(chunk)
                held += len(chunk)
                if held >= WRITE_BATCH:  # written in a worker thread, a few MB at a time
                    await asyncio.to_thread(_write, sink, chunks)
                    chunks, held = [], 0
            await asyncio.to_thread(_write, sink, chunks)
            return response.headers.get("Content-Type", "")
    raise UrlUnreachable(slot, first, f"it redirects more than {MAX_REDIRECTS} times")


def _write(sink, chunks: list[bytes]) -> None:
    check_not_stopped()  # an interrupt of the command line stops here; the temp file is removed
    sink.writelines(chunks)
