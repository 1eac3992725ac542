"""Composition root shared by the window and the command line: journal, cache, HTTP client,
Pixii client (real service or embedded sandbox) and the job service."""

from __future__ import annotations

import httpx

from .api.pixii import DEFAULT_TIMEOUT, PixiiClient
from .api.ratelimit import RateLimitState
from .config import SANDBOX_BASE_URL, Settings
from .core.cache import ImageCache
from .core.jobs import JobService
from .core.journal import Journal


class Runtime:
    def __init__(self, settings: Settings, *, rate_limits: RateLimitState | None = None) -> None:
        self.settings = settings
        self.journal = Journal(settings.journal_path)
        self.cache = ImageCache(settings.cache_dir)
        self.emulator = None
        mounts = {}
        if settings.sandbox:
            from .sandbox.emulator import PixiiEmulator
            from .sandbox.transport import SandboxTransport
            self.emulator = PixiiEmulator(store_path=settings.sandbox_store, base_url=SANDBOX_BASE_URL)
            host = SANDBOX_BASE_URL.split("://", 1)[1]
            mounts[f"all://{host}"] = SandboxTransport(self.emulator)
        self.http = httpx.AsyncClient(mounts=mounts, timeout=DEFAULT_TIMEOUT, trust_env=False,
                                      follow_redirects=True, max_redirects=5)
        self.client = PixiiClient(settings.base_url, settings.api_key, http=self.http,
                                  give_up_after=settings.give_up_after, rate_limits=rate_limits)
        self.jobs = JobService(self.client, self.journal, self.cache, settings.service,
                               poll_interval=settings.poll_interval)

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.http.aclose()
        self.journal.close()
