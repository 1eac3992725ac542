"""The HTTP client's own transport, made by the first request that needs it.

Making ``httpx.AsyncHTTPTransport`` loads the TLS certificates (tens of milliseconds) and its closing imports the
async back-end; a command that only talks to the embedded sandbox (mounted on its own host) or to nothing at all
(an export of a finished job whose images are cached) needs neither.
"""

from __future__ import annotations

from typing import Callable

import httpx


class LazyTransport(httpx.AsyncBaseTransport):
    """Builds the real transport with ``make()`` on the first request, then hands every request to it."""

    def __init__(self, make: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._make = make
        self.transport: httpx.AsyncBaseTransport | None = None   # None until a request needed it

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.transport is None:
            self.transport = self._make()
        return await self.transport.handle_async_request(request)

    async def aclose(self) -> None:
        if self.transport is not None:
            await self.transport.aclose()


def lazy_transport(verify=True) -> LazyTransport:
    """What ``httpx.AsyncClient(verify=verify, trust_env=False)`` would make for itself, made when first used."""
    return LazyTransport(lambda: httpx.AsyncHTTPTransport(verify=verify, trust_env=False))
