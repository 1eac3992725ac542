"""Fetching image bytes from result URLs (and reference URLs), with size caps and no credentials."""

from __future__ import annotations

import asyncio
import random
import time

import httpx

from .urls import url_problem

MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024


class DownloadError(Exception):
    """``code`` is one of DOWNLOAD_FAILED, URL_EXPIRED, IMAGE_TOO_LARGE."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


async def fetch_bytes(http: httpx.AsyncClient, url: str, *, max_bytes: int = MAX_DOWNLOAD_BYTES,
                      attempts: int = 4, deadline: float = 60.0, backoff_cap: float = 4.0) -> bytes:
    """GET ``url`` without any Authorization header. 403/404/410 mean the link expired. All attempts
    together take at most ``deadline`` seconds."""
    problem = url_problem(url, what="The image URL")
    if problem:
        raise DownloadError("DOWNLOAD_FAILED", problem)
    last = "the download failed"
    give_up_at = time.monotonic() + deadline
    for attempt in range(attempts):
        if attempt:
            await asyncio.sleep(random.uniform(0, min(backoff_cap, 0.25 * 2 ** attempt)))
        remaining = give_up_at - time.monotonic()
        if remaining <= 0:
            break
        try:
            async with asyncio.timeout(remaining):
                async with http.stream("GET", url, headers={"Accept": "image/*"}) as response:
                    if response.status_code in (403, 404, 410):
                        raise DownloadError("URL_EXPIRED", f"the image link has expired or is gone (HTTP {response.status_code})")
                    if response.status_code >= 500 or response.status_code == 429:
                        last = f"the image host answered HTTP {response.status_code}"
                        continue
                    if not response.is_success:
                        raise DownloadError("DOWNLOAD_FAILED", f"the image host answered HTTP {response.status_code}")
                    declared = response.headers.get("Content-Length")
                    if declared and declared.isdigit() and int(declared) > max_bytes:
                        raise DownloadError("IMAGE_TOO_LARGE", f"the image is {int(declared) / 1e6:.0f} MB, "
                                            f"more than the {max_bytes / 1e6:.0f} MB allowed")
                    chunks, size = [], 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > max_bytes:
                            raise DownloadError("IMAGE_TOO_LARGE", f"the image is more than {max_bytes / 1e6:.0f} MB")
                        chunks.append(chunk)
                    return b"".join(chunks)
        except (httpx.TransportError, TimeoutError) as exc:
            last = "the image host did not answer in time" if isinstance(exc, (httpx.TimeoutException, TimeoutError)) \
                else "the connection to the image host failed"
    raise DownloadError("DOWNLOAD_FAILED", last)
