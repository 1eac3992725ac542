"""The window's Amazon (SP-API) account: the LWA credentials (:class:`~desktop_app.credentials.SpApiCredentials`,
keyring or this session only), the seller id (a preference, not a secret), which SP-API the publish side uses (the
sandbox until all three secrets and a seller id are known), and the credentials check; and the S3 image host of the publish side: its AWS keys
(:class:`~desktop_app.credentials.AwsCredentials`), bucket and region (preferences) and the bucket check. Keyring
reads and writes and S3 requests run in worker threads."""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import replace
from urllib.parse import urlsplit

from desktop_app.config import SANDBOX, SpApiSettings, load_spapi_settings
from desktop_app.core.publish.hosting import bucket_problem, region_problem
from desktop_app.credential_checks import BucketCheck, LwaCheck, check_bucket, check_lwa
from desktop_app.credentials import (
    AWS_FIELDS, AwsCredentials, AwsCredentialState, SpApiCredentials, SpApiCredentialState,
)

log = logging.getLogger(__name__)


def describe(sp: SpApiSettings) -> str:
    """Which SP-API the publish side uses, for people (never a secret)."""
    if sp.sandbox:
        return f"SP-API sandbox (seller {sp.seller_id}): nothing reaches Amazon"
    where = urlsplit(sp.url).netloc if sp.url else "Amazon's regional host"
    return f"Live: seller {sp.seller_id} at {where}"


class AmazonAccount:
    def __init__(self, studio, creds: SpApiCredentials | None = None, aws: AwsCredentials | None = None) -> None:
        self.studio = studio
        self.creds = creds or SpApiCredentials()
        self.state = SpApiCredentialState({}, {})
        self.aws = aws or AwsCredentials()
        self.aws_state = AwsCredentialState({}, {})

    # --- settings ----------------------------------------------------------------------------------

    @property
    def env(self):
        return os.environ

    def env_seller(self) -> str:
        return (self.env.get("SP_API_SELLER_ID") or "").strip()

    def env_bucket(self) -> str:
        return (self.env.get("LISTING_STUDIO_S3_BUCKET") or "").strip()

    def env_region(self) -> str:
        return (self.env.get("AWS_REGION") or self.env.get("AWS_DEFAULT_REGION") or "").strip()

    def forced_sandbox(self) -> bool:
        return (self.env.get("LISTING_STUDIO_SP_API_URL") or "").strip().lower() == SANDBOX

    def seller_id(self) -> str:
        return self.env_seller() or self.studio.prefs.seller_id()

    def bucket(self) -> str:
        return self.env_bucket() or self.studio.prefs.s3_bucket()

    def region(self) -> str:
        return self.env_region() or self.studio.prefs.s3_region()

    def factory(self):
        """A () -> SpApiSettings for the runtime (reads the keyring: called in a worker thread)."""
        prefs = self.studio.prefs  # read on the GUI thread
        seller, bucket, region = prefs.seller_id(), prefs.s3_bucket(), prefs.s3_region()
        return lambda: self._settings(self.creds.load(), seller, bucket, region)

    def _settings(self, state: SpApiCredentialState, seller: str, bucket: str, region: str = "") -> SpApiSettings:
        env = self.env
        seller = self.env_seller() or seller
        if not self.forced_sandbox() and (state.from_env or (state.complete and seller)):
            sp = load_spapi_settings(env, seller_id=seller, s3_bucket=bucket, stored=state.stored)
        else:
            sp = load_spapi_settings({**env, "LISTING_STUDIO_SP_API_URL": SANDBOX}, s3_bucket=bucket)
        if not sp.s3_bucket:
            return sp
        # the image host's keys are read here, in the worker thread, not when the runtime builds the host
        return replace(sp, s3_region=self.env_region() or region or None, aws_keys=self.aws.load().keys)

    # --- the dialog's actions ------------------------------------------------------------------------

    async def refresh(self) -> SpApiCredentialState:
        self.state = await asyncio.to_thread(self.creds.load)
        return self.state

    async def save(self, values: dict[str, str], seller_id: str) -> SpApiCredentialState:
        """Secrets to the keyring (else this session), the seller id to the preferences; then the publish side is
        rebuilt. ValueError for values that can't be right."""
        seller_id = seller_id.strip()
        if any(c.isspace() for c in seller_id):
            raise ValueError("The seller id must not contain spaces.")
        self.state = await asyncio.to_thread(self.creds.save, values)
        self.studio.prefs.set_seller_id(seller_id or self.studio.prefs.seller_id())
        await self.apply()
        return self.state

    async def remove(self) -> SpApiCredentialState:
        self.state = await asyncio.to_thread(self.creds.remove)
        self.studio.prefs.set_seller_id("")
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
        from desktop_app.api.amazon.auth import DEFAULT_LWA_URL
        values = {k: v.strip() for k, v in values.items()}
        rt = self.studio.rt
        if self.forced_sandbox():
            await self.current()
            from desktop_app.sandbox.amazon.emulator import SPAPI_SANDBOX_URL
            from desktop_app.sandbox.transport import SandboxTransport
            rt.publish  # noqa: B018 — builds the in-process emulator
            return await check_lwa(values, f"{SPAPI_SANDBOX_URL}/auth/o2/token",
                                   transport=SandboxTransport(rt.spapi_emulator), give_up_after=2.0)
        lwa_url = (self.env.get("LISTING_STUDIO_LWA_URL") or "").strip() or DEFAULT_LWA_URL
        return await check_lwa(values, lwa_url, give_up_after=min(8.0, self.studio.settings.give_up_after))

    # --- the image host (S3) -------------------------------------------------------------------------------

    async def refresh_hosting(self) -> AwsCredentialState:
        self.aws_state = await asyncio.to_thread(self.aws.load)
        return self.aws_state

    async def save_hosting(self, values: dict[str, str], bucket: str | None, region: str | None) -> AwsCredentialState:
        """AWS keys to the keyring (else this session), bucket and region to the preferences (None: left as they
        are); then the publish side, its image host included, is rebuilt. ValueError for values that can't be right."""
        bucket, region = (None if v is None else v.strip() for v in (bucket, region))
        problem = (bucket and bucket_problem(bucket)) or (region and region_problem(region))
        if problem:
            raise ValueError(f"{problem[:1].upper()}{problem[1:]}.")
        self.aws_state = await asyncio.to_thread(self.aws.save, values)
        self.studio.prefs.set_hosting(bucket, region)
        await self.apply()
        return self.aws_state

    async def remove_hosting(self) -> AwsCredentialState:
        self.aws_state = await asyncio.to_thread(self.aws.remove)
        self.studio.prefs.set_hosting("", "")
        await self.apply()
        return self.aws_state

    async def check_bucket(self, values: dict[str, str], bucket: str, region: str) -> BucketCheck:
        """One HeadBucket request (in a worker thread) with the typed keys, else the saved ones, else the
        environment's credentials."""
        state = self.aws_state
        pair = tuple((values.get(f) or "").strip() or state.values.get(f, "") for f in AWS_FIELDS)
        if not state.env_wins and any(pair) and not all(pair):
            return BucketCheck(False, "INCOMPLETE", "Enter both the AWS access key id and the secret access key.")
        problem = bucket_problem(bucket.strip()) or (region.strip() and region_problem(region.strip()))
        if problem:
            return BucketCheck(False, "INVALID", f"{problem[:1].upper()}{problem[1:]}.")
        return await asyncio.to_thread(check_bucket, bucket, region=self.env_region() or region.strip() or None,
                                       keys=() if state.env_wins else pair)
