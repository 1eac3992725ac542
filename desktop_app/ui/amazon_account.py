"""The window's Amazon (SP-API) account: the LWA credentials (:class:`~desktop_app.credentials.SpApiCredentials`,
keyring or this session only), the seller id and S3 bucket (preferences, not secrets), which SP-API the publish
side uses (the sandbox until all three secrets and a seller id are known), the credentials check, and the start-up
settling of publishes left unsettled. Keyring reads and writes run in worker threads."""

from __future__ import annotations

import asyncio
import logging
import os
from urllib.parse import urlsplit

from ..config import SANDBOX, SpApiSettings, load_spapi_settings
from ..credentials import LwaCheck, SpApiCredentials, SpApiCredentialState, check_lwa

log = logging.getLogger(__name__)


def describe(sp: SpApiSettings) -> str:
    """Which SP-API the publish side uses, for people (never a secret)."""
    if sp.sandbox:
        return f"SP-API sandbox (seller {sp.seller_id}): nothing reaches Amazon"
    where = urlsplit(sp.url).netloc if sp.url else "Amazon's regional host"
    return f"Live: seller {sp.seller_id} at {where}"


class AmazonAccount:
    def __init__(self, studio, creds: SpApiCredentials | None = None) -> None:
        self.studio = studio
        self.creds = creds or SpApiCredentials()
        self.state = SpApiCredentialState({}, {})
        self.settle_task: asyncio.Task | None = None

    # --- settings ----------------------------------------------------------------------------------

    @property
    def env(self):
        return os.environ

    def env_seller(self) -> str:
        return (self.env.get("SP_API_SELLER_ID") or "").strip()

    def env_bucket(self) -> str:
        return (self.env.get("LISTING_STUDIO_S3_BUCKET") or "").strip()

    def forced_sandbox(self) -> bool:
        return (self.env.get("LISTING_STUDIO_SP_API_URL") or "").strip().lower() == SANDBOX

    def seller_id(self) -> str:
        return self.env_seller() or self.studio.prefs.seller_id()

    def bucket(self) -> str:
        return self.env_bucket() or self.studio.prefs.s3_bucket()

    def factory(self):
        """A () -> SpApiSettings for the runtime (reads the keyring: called in a worker thread)."""
        seller, bucket = self.studio.prefs.seller_id(), self.studio.prefs.s3_bucket()  # read on the GUI thread
        return lambda: self._settings(self.creds.load(), seller, bucket)

    def _settings(self, state: SpApiCredentialState, seller: str, bucket: str) -> SpApiSettings:
        env = self.env
        seller = self.env_seller() or seller
        if not self.forced_sandbox() and (state.from_env or (state.complete and seller)):
            return load_spapi_settings(env, seller_id=seller, s3_bucket=bucket, stored=state.stored)
        return load_spapi_settings({**env, "LISTING_STUDIO_SP_API_URL": SANDBOX}, s3_bucket=bucket)

    # --- the dialog's actions ------------------------------------------------------------------------

    async def refresh(self) -> SpApiCredentialState:
        self.state = await asyncio.to_thread(self.creds.load)
        return self.state

    async def save(self, values: dict[str, str], seller_id: str, bucket: str) -> SpApiCredentialState:
        """Secrets to the keyring (else this session), seller id and bucket to the preferences; then the publish
        side is rebuilt. ValueError for values that can't be right."""
        seller_id, bucket = seller_id.strip(), bucket.strip()
        if any(c.isspace() for c in seller_id + bucket):
            raise ValueError("The seller id and the bucket name must not contain spaces.")
        self.state = await asyncio.to_thread(self.creds.save, values)
        self.studio.prefs.set_amazon(seller_id or self.studio.prefs.seller_id(), bucket)
        await self.apply()
        return self.state

    async def remove(self) -> SpApiCredentialState:
        self.state = await asyncio.to_thread(self.creds.remove)
        self.studio.prefs.set_amazon("", "")
        await self.apply()
        return self.state

    async def apply(self) -> SpApiSettings | None:
        """Rebuild the runtime's SP-API client and publish service (lazily) for the current credentials."""
        rt = self.studio.rt
        factory = self.factory()
        rt.spapi_factory = factory
        try:
            sp = await asyncio.to_thread(factory)
        except Exception as exc:  # noqa: BLE001 — InputError (half-set environment): shown when publishing
            log.info("SP-API settings unusable: %s", exc)
            await rt.reset_publish()
            return None
        await rt.reset_publish(sp)
        return sp

    async def current(self) -> SpApiSettings:
        rt = self.studio.rt
        return await asyncio.to_thread(lambda: rt.spapi_settings)

    async def check(self, values: dict[str, str]) -> LwaCheck:
        """Exchange the refresh token at the configured LWA URL (LISTING_STUDIO_LWA_URL, else Amazon's), or at the
        in-process sandbox's when LISTING_STUDIO_SP_API_URL=sandbox."""
        from ..api.spapi_auth import DEFAULT_LWA_URL
        values = {k: v.strip() for k, v in values.items()}
        rt = self.studio.rt
        if self.forced_sandbox():
            await self.current()
            from ..sandbox.spapi import SPAPI_SANDBOX_URL
            from ..sandbox.transport import SandboxTransport
            rt.publish  # noqa: B018 — builds the in-process emulator
            return await check_lwa(values, f"{SPAPI_SANDBOX_URL}/auth/o2/token",
                                   transport=SandboxTransport(rt.spapi_emulator), give_up_after=2.0)
        lwa_url = (self.env.get("LISTING_STUDIO_LWA_URL") or "").strip() or DEFAULT_LWA_URL
        return await check_lwa(values, lwa_url, give_up_after=min(8.0, self.studio.settings.give_up_after))

    # --- at start --------------------------------------------------------------------------------------

    def settle_at_start(self) -> asyncio.Task | None:
        """Re-read the listings of publishes left accepted/sending/unknown, in the background; the SP-API client
        is only built when the journal holds such a publish."""
        from ..core.publishstore import PublishStore
        rt = self.studio.rt
        if not PublishStore(rt.journal).unsettled():
            return None
        self.settle_task = self.studio.tasks.spawn(self._settle(rt), name="publish-settle")
        return self.settle_task

    async def _settle(self, rt) -> None:
        from ..core.publishstore import LIVE
        banner = self.studio.window.banner
        try:
            await asyncio.to_thread(lambda: rt.spapi_settings)
            records = await rt.publish.settle_all()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — said in the banner, never a modal
            code = getattr(exc, "code", None) or type(exc).__name__
            banner.show_error(code, "Could not check the publishes left unsettled last time: "
                              f"{getattr(exc, 'message', None) or exc}")
            return
        live = [r for r in records if r.state == LIVE]
        problems = [r for r in records if r.state != LIVE and r.error_code]
        waiting = [r for r in records if r.state != LIVE and not r.error_code]
        if problems:
            r = problems[0]
            banner.show_error(r.error_code, f"Publish #{r.id} ({r.sku}) is {r.state}: {r.error_code}"
                              + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else "")
                              + ". Open Publish to Amazon to see it.")
        elif live or waiting:
            parts = [f"{len(live)} publish(es) from last time now live"] if live else []
            if waiting:
                parts.append(f"{len(waiting)} not yet live (re-read the listing before publishing again)")
            banner.show_info("; ".join(parts) + ".")
