"""Composition root shared by the window and the command line: journal, cache, HTTP client,
Pixii client (real service or embedded sandbox) and the job service; the SP-API client and the publish
service are built on first use (``rt.publish``), so the Pixii-only paths never pay for them."""

from __future__ import annotations

import threading

import httpx

from desktop_app.api.pixii.client import DEFAULT_TIMEOUT, PixiiClient
from desktop_app.api.pixii.rate_state import RateLimitState
from desktop_app.api.transport import lazy_transport
from desktop_app.api.urls import resolve_host
from desktop_app.config import SANDBOX_BASE_URL, Settings, SpApiSettings, load_spapi_settings
from desktop_app.core.images.cache import ImageCache
from desktop_app.core.images.view import release_large_blocks
from desktop_app.core.jobs.service import JobService
from desktop_app.store.journal import Journal


class Runtime:
    def __init__(self, settings: Settings, *, rate_limits: RateLimitState | None = None,
                 spapi_settings: SpApiSettings | None = None, spapi_factory=None, ssl_context=None) -> None:
        release_large_blocks()  # decoded images give their memory back (peak memory does not grow with image size)
        self.settings = settings
        self._spapi_settings = spapi_settings
        self.spapi_factory = spapi_factory  # () -> SpApiSettings (may read the keyring: call off the GUI thread)
        self._publish = None
        self.store = None   # how core services reach the journal (None: at once; the window: its store worker)
        self._publish_lock = threading.RLock()
        self.spapi_client = None
        self.spapi_emulator = None
        self.journal = Journal(settings.journal_path)
        self.cache = ImageCache(settings.cache_dir)
        self.emulator = None
        mounts = {}
        if settings.sandbox:
            from desktop_app.sandbox.pixii.emulator import PixiiEmulator
            from desktop_app.sandbox.transport import SandboxTransport
            self.emulator = PixiiEmulator(store_path=settings.sandbox_store, base_url=SANDBOX_BASE_URL)
            host = SANDBOX_BASE_URL.split("://", 1)[1]
            mounts[f"all://{host}"] = SandboxTransport(self.emulator)
        self.requests_sent = 0  # to the Pixii service (and its image hosts): 0 means nothing was asked yet
        # redirects are never followed by the client: image downloads walk them hop by hop under their rule;
        # ``ssl_context``: the certificates already loaded (the window loads them in a worker thread)
        # the certificates load with the first request that leaves the sandbox (a command that sends none skips them)
        self.http = httpx.AsyncClient(mounts=mounts, timeout=DEFAULT_TIMEOUT, trust_env=False,
                                      transport=lazy_transport(ssl_context or True),
                                      follow_redirects=False, event_hooks={"request": [self._count_request]})
        self.client = PixiiClient(settings.base_url, settings.api_key, http=self.http,
                                  give_up_after=settings.give_up_after, rate_limits=rate_limits)
        self.jobs = JobService(self.client, self.journal, self.cache, settings.service,
                               poll_interval=settings.poll_interval,
                               resolve=None if settings.sandbox else resolve_host)

    async def _count_request(self, _request: httpx.Request) -> None:
        self.requests_sent += 1

    @property
    def spapi_settings(self) -> SpApiSettings:
        if self._spapi_settings is None:
            self._spapi_settings = (self.spapi_factory or load_spapi_settings)()
        return self._spapi_settings

    async def reset_publish(self, spapi_settings: SpApiSettings | None = None) -> None:
        """Forget the SP-API settings, client and publish service (built again on next use, from
        ``spapi_settings`` when given)."""
        client, self.spapi_client, self._publish = self.spapi_client, None, None
        self.spapi_emulator = None
        self._spapi_settings = spapi_settings
        if client is not None:
            await client.aclose()

    @property
    def publish(self):
        """The :class:`~.core.publish.PublishService` (built on first use)."""
        with self._publish_lock:  # the window builds it in a worker thread (the S3 client is slow to make)
            if self._publish is None:
                from desktop_app.core.publish.service import PublishService
                sp = self.spapi_settings
                self.spapi_client = self._spapi_client(sp)
                self._publish = PublishService(self.spapi_client, self.journal, sp.seller_id, host=_image_host(sp),
                                               fetch=self._amazon_fetch(), store=self.store)
            return self._publish

    def use_store(self, store) -> None:
        """The job and publish services reach the journal through ``store`` (the window's store worker:
        ``await store.call(fn, *args)`` runs ``fn(journal, *args)`` on its own thread)."""
        with self._publish_lock:
            self.store = store
            self.jobs.use_store(store)
            if self._publish is not None:
                self._publish.use_store(store)

    def _spapi_client(self, sp: SpApiSettings):
        from desktop_app.api.amazon.client import SpApiClient
        from desktop_app.api.amazon.auth import LwaCredentials
        creds = LwaCredentials(sp.client_id, sp.client_secret, sp.refresh_token)
        if not sp.sandbox:
            return SpApiClient(creds, base_url=sp.url, lwa_url=sp.lwa_url,
                               give_up_after=self.settings.give_up_after)
        from desktop_app.sandbox.amazon.emulator import SPAPI_SANDBOX_URL, SpApiEmulator
        from desktop_app.sandbox.amazon.media import emulator_fetcher
        from desktop_app.sandbox.transport import SandboxTransport
        fetcher = emulator_fetcher(self.emulator) if self.emulator is not None else None
        self.spapi_emulator = SpApiEmulator(store_path=self.settings.data_dir / "spapi-sandbox.sqlite",
                                            media_fetcher=fetcher)
        return SpApiClient(creds, base_url=SPAPI_SANDBOX_URL, lwa_url=f"{SPAPI_SANDBOX_URL}/auth/o2/token",
                           transport=SandboxTransport(self.spapi_emulator),
                           give_up_after=self.settings.give_up_after)

    def stop_sending(self) -> None:
        """No new Pixii submission or SP-API write starts from now on (Ctrl+C, SIGTERM, quitting)."""
        self.jobs.stop_submitting()
        if self.spapi_client is not None:
            self.spapi_client.stop_writes()

    def _amazon_fetch(self):
        """Image URLs fetched as Amazon will before a publish; the embedded sandboxes answer their own hosts."""
        from desktop_app.core.publish.fetch import AmazonFetch
        from desktop_app.sandbox.transport import SandboxTransport
        mounts = {}
        for emulator in (self.emulator, self.spapi_emulator):
            if emulator is not None:
                mounts[f"all://{emulator.base_url.split('://', 1)[1]}"] = SandboxTransport(emulator)
        return AmazonFetch(resolve=resolve_host, mounts=mounts)

    async def aclose(self) -> None:
        if self.spapi_client is not None:
            await self.spapi_client.aclose()
        await self.client.aclose()
        await self.http.aclose()
        self.journal.close()


def _image_host(sp: SpApiSettings):
    """The S3 image host when a bucket is configured (no network call), else None. Reads the keyring unless the
    settings carry the keys already (the window reads them in a worker thread)."""
    if not sp.s3_bucket:
        return None
    from desktop_app.core.publish.hosting import ImageHost
    keys = sp.aws_keys
    if keys is None:
        from desktop_app.credentials import AwsCredentials
        keys = AwsCredentials().load().keys  # () when the environment has AWS credentials or none are saved
    creds = dict(zip(("access_key_id", "secret_access_key"), keys))
    return ImageHost(sp.s3_bucket, region=sp.s3_region or None, **creds)
