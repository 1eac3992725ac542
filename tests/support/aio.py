"""The one way a test outside the window runs async code: a fresh event loop per call."""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable


def run(work: Awaitable[Any] | Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine, or a function that makes one, to its end on a new event loop; its result."""
    return asyncio.run(work() if callable(work) else work)


def with_sandbox_client(emulator, body: Callable[[Any], Awaitable[Any]], base_url: str = "https://sandbox.invalid"):
    """``await body(client)`` with an httpx.AsyncClient on the emulator's in-process transport; its result."""
    import httpx

    from desktop_app.sandbox.transport import SandboxTransport

    async def main():
        async with httpx.AsyncClient(transport=SandboxTransport(emulator), base_url=base_url) as client:
            return await body(client)
    return run(main)
