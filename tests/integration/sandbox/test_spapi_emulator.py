"""SpApiClient against the SP-API emulator, over a real loopback socket and in-process: LWA token refresh and
caching, invalid_grant, 403 refresh-once, 429 backoff, preview → patch → live, full put, delete, secrecy."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest

from support.aio import run

from desktop_app.api.amazon.client import SpApiClient
from desktop_app.api.amazon.auth import LwaCredentials
from desktop_app.api.amazon.errors import AuthorizationRevoked, Forbidden, ListingNotFound, SpApiRefused, Throttled
from desktop_app.api.amazon.models import attributes_with_images, image_patches
from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.server import serve
from desktop_app.sandbox.amazon.emulator import SPAPI_SANDBOX_URL, SpApiEmulator
from desktop_app.sandbox.amazon.data import (SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN,
                                             SANDBOX_SELLER_ID)
from desktop_app.sandbox.transport import SandboxTransport

CREDS = LwaCredentials(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN)
SELLER, US, DE, GB = SANDBOX_SELLER_ID, "ATVPDKIKX0DER", "A1PA6795UKMFR9", "A1F83G8C2ARO7P"
DELAY = 5.0


class Clock:
    """A virtual clock shared by the client (monotonic + sleep) and the emulator (advance)."""

    def __init__(self, emulator: SpApiEmulator) -> None:
        self.t, self.emulator, self.sleeps = 1000.0, emulator, []

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds
        self.emulator.advance(seconds)


class Env:
    def __init__(self, mode: str) -> None:
        self.emulator = SpApiEmulator(config={"processing_seconds": DELAY})
        self.server = None
        self.pixii = None
        if mode == "loopback":
            self.pixii = PixiiEmulator()
            self.server = serve(self.pixii, spapi=self.emulator).start()
            self.url = self.server.url
            self.mounts = {}
        else:
            self.url = SPAPI_SANDBOX_URL
            self.mounts = {"all://spapi.sandbox.invalid": SandboxTransport(self.emulator)}
        self.clock = Clock(self.emulator)

    def client(self, creds: LwaCredentials = CREDS, **kw) -> SpApiClient:
        http = httpx.AsyncClient(mounts=self.mounts, trust_env=False, timeout=5.0)
        return SpApiClient(creds, base_url=self.url, lwa_url=f"{self.url}/auth/o2/token", http=http,
                           clock=self.clock, sleep=self.clock.sleep, **kw)

    def media(self, name: str) -> str:
        return f"{self.emulator.base_url}/spapi-media/{name}"

    def close(self) -> None:
        if self.server:
            self.server.stop()


@pytest.fixture(params=["loopback", "inprocess"])
def env(request):
    e = Env(request.param)
    yield e
    e.close()



def test_preview_patch_live_and_undo(env):
    async def go():
        client = env.client()
        item = await client.get_listings_item(SELLER, "MUG-BLK-16", US)
        before = item.slots(US)
        assert item.product_type(US) == "DRINKING_CUP" and item.asin(US) == "B0SANDMUG1"
        assert before["MAIN"].endswith("/spapi-media/mug-main.jpg") and before["PT03"] is None
        bad = await client.patch_listings_item(SELLER, "MUG-BLK-16", US, product_type="DRINKING_CUP",
                                               mode="VALIDATION_PREVIEW", patches=image_patches(US, {
                                                   "PT03": env.media("page.html"), "PT04": "http://127.0.0.1:9/x.jpg",
                                                   "PT05": "ftp://example.com/x.jpg"}))
        assert bad.status == "INVALID"
        assert {a for i in bad.issues for a in i.attribute_names} == {
            "other_product_image_locator_3", "other_product_image_locator_4", "other_product_image_locator_5"}
        assert all("INVALID_IMAGE" in i.categories for i in bad.issues) and bad.issues[0].slots
        changes = {"MAIN": env.media("new-main.jpg"), "PT03": env.media("new-pt03.png")}
        good = await client.patch_listings_item(SELLER, "MUG-BLK-16", US, product_type="DRINKING_CUP",
                                                mode="VALIDATION_PREVIEW", patches=image_patches(US, changes))
        assert good.status == "VALID" and good.identifiers == ({"marketplaceId": US, "asin": "B0SANDMUG1"},)
        assert (await client.get_listings_item(SELLER, "MUG-BLK-16", US)).slots(US) == before  # preview: no change
        sent = await client.patch_listings_item(SELLER, "MUG-BLK-16", US, product_type="DRINKING_CUP",
                                                patches=image_patches(US, changes))
        assert sent.status == "ACCEPTED" and sent.submission_id and sent.issues == ()
        assert (await client.get_listings_item(SELLER, "MUG-BLK-16", US)).slots(US) == before  # not yet live
        await env.clock.sleep(DELAY)
        after = await client.get_listings_item(SELLER, "MUG-BLK-16", US)
        assert after.slots(US) == {**before, **changes} and after.main_image(US) == changes["MAIN"]
        for name in ("item_name", "color", "brand", "bullet_point", "condition_type"):
            assert after.attributes[name] == item.attributes[name]
        undo = image_patches(US, {"MAIN": before["MAIN"], "PT03": None})
        assert (await client.patch_listings_item(SELLER, "MUG-BLK-16", US, product_type="DRINKING_CUP",
                                                 patches=undo)).status == "ACCEPTED"
        await env.clock.sleep(DELAY)
        assert (await client.get_listings_item(SELLER, "MUG-BLK-16", US)).slots(US) == before
        await client.aclose()
    run(go())


def test_semantic_invalid_missing_product_type_and_unknown_sku(env):
    async def go():
        client = env.client()
        missing = await client.patch_listings_item(SELLER, "MUG-BLK-16", US, product_type="",
                                                   patches=image_patches(US, {"MAIN": env.media("a.jpg")}))
        assert missing.status == "INVALID" and missing.issues[0].attribute_names == ("productType",)
        other = await client.patch_listings_item(SELLER, "NOPE", US, product_type="X",
                                                 patches=image_patches(US, {"MAIN": env.media("a.jpg")}))
        assert other.status == "INVALID"
        with pytest.raises(ListingNotFound):
            await client.get_listings_item(SELLER, "LAMP-WHT", GB)  # a listing in another marketplace
        await client.aclose()
    run(go())


def test_oversized_body_is_refused_with_413_and_nothing_changes(env):
    env.emulator.configure(max_body_bytes=2000)

    async def go():
        client = env.client()
        before = (await client.get_listings_item(SELLER, "MUG-BLK-16", US)).slots(US)
        long_url = env.media("x" * 3000 + ".jpg")
        with pytest.raises(SpApiRefused) as refused:
            await client.patch_listings_item(SELLER, "MUG-BLK-16", US, product_type="DRINKING_CUP",
                                             patches=image_patches(US, {"PT03": long_url}))
        assert (refused.value.status, refused.value.code) == (413, "RequestEntityTooLarge")
        assert (await client.get_listings_item(SELLER, "MUG-BLK-16", US)).slots(US) == before
        await client.aclose()
    run(go())


def test_full_put_keeps_other_attributes_and_delete(env):
    async def go():
        client = env.client()
        item = await client.get_listings_item(SELLER, "TOTE/NAVY 2", GB)
        attrs = attributes_with_images(item.attributes, GB, {"PT01": env.media("tote-pt01.jpg"), "SWCH": None})
        preview = await client.put_listings_item(SELLER, "TOTE/NAVY 2", GB, product_type=item.product_type(GB),
                                                 attributes=attrs, mode="VALIDATION_PREVIEW")
        assert preview.status == "VALID"
        sent = await client.put_listings_item(SELLER, "TOTE/NAVY 2", GB, product_type="HANDBAG", attributes=attrs)
        assert sent.status == "ACCEPTED"
        await env.clock.sleep(DELAY)
        after = await client.get_listings_item(SELLER, "TOTE/NAVY 2", GB)
        assert after.slots(GB)["PT01"] == env.media("tote-pt01.jpg") and after.slots(GB)["SWCH"] is None
        assert after.attributes["item_name"] == item.attributes["item_name"] and after.asin(GB) == "B0SANDTOT2"
        assert (await client.delete_listings_item(SELLER, "LAMP-WHT", US)).status == "ACCEPTED"
        await client.get_listings_item(SELLER, "LAMP-WHT", US)  # still there until processed
        await env.clock.sleep(DELAY)
        with pytest.raises(ListingNotFound):
            await client.get_listings_item(SELLER, "LAMP-WHT", US)
        assert (await client.get_listings_item(SELLER, "LAMP-WHT", DE)).product_type(DE) == "LAMP"
        await client.aclose()
    run(go())


def test_one_refresh_for_concurrent_calls_and_caching(env):
    env.emulator.configure(token_lifetime=120)

    async def go():
        client = env.client()
        items = await asyncio.gather(*(client.get_listings_item(SELLER, "MUG-BLK-16", US) for _ in range(5)))
        assert len(items) == 5 and client.auth.refreshes == 1
        env.clock.t += 30
        await client.get_listings_item(SELLER, "MUG-BLK-16", US)
        assert client.auth.refreshes == 1  # cached: 120 s lifetime, renewed 60 s early
        env.clock.t += 31
        await client.get_listings_item(SELLER, "MUG-BLK-16", US)
        assert client.auth.refreshes == 2
        await client.aclose()
    run(go())
    assert env.emulator.stats()["tokens_issued"] == 2


def test_403_refreshes_once_and_retries_once(env):
    async def go():
        client = env.client()
        await client.get_listings_item(SELLER, "MUG-BLK-16", US)
        env.emulator.expire_tokens()
        await client.get_listings_item(SELLER, "MUG-BLK-16", US)
        assert client.auth.refreshes == 2
        env.emulator.add_fault("expired", path_prefix="/listings/", count=0)
        with pytest.raises(Forbidden) as info:
            await client.get_listings_item(SELLER, "MUG-BLK-16", US)
        assert info.value.code == "Unauthorized" and client.auth.refreshes == 3
        assert f"check the seller id {SELLER}" in info.value.message and "Product Listing role" in info.value.message
        await client.aclose()
    run(go())
    gets = [r for r in env.emulator.stats()["requests"] if r["method"] == "GET"]
    assert [r["status"] for r in gets[-2:]] == [403, 403]


def test_invalid_grant_means_revoked(env):
    env.emulator.revoke_refresh_token(SANDBOX_REFRESH_TOKEN)

    async def go():
        client = env.client()
        with pytest.raises(AuthorizationRevoked, match="authorization was revoked"):
            await client.get_listings_item(SELLER, "MUG-BLK-16", US)
        await client.aclose()
    run(go())


def test_429_backoff_then_bounded(env):
    env.emulator.configure(rates={"getListingsItem": [1.0, 2.0]})

    async def go():
        client = env.client(rates={"getListingsItem": (100.0, 100.0)})
        for _ in range(5):
            await client.get_listings_item(SELLER, "MUG-BLK-16", US)
        assert env.emulator.stats()["throttled"] >= 1 and env.clock.sleeps
        assert all(s >= 0.01 for s in env.clock.sleeps)  # at least 1/rate of the client's bucket
        env.emulator.add_fault("429", path_prefix="/listings/", count=0)
        started = env.clock.t
        with pytest.raises(Throttled):
            await client.get_listings_item(SELLER, "MUG-BLK-16", US)
        assert env.clock.t - started <= 60
        env.emulator.clear_faults()
        env.emulator.add_fault("500", count=2)
        env.emulator.add_fault("reset", count=1)
        assert (await client.get_listings_item(SELLER, "MUG-BLK-16", US)).sku == "MUG-BLK-16"
        await client.aclose()
    run(go())


def test_listing_issue_after_processing_rejects_image(env):
    async def go():
        client = env.client()
        env.emulator.add_fault("invalid_image", path_prefix="/listings/", method="PATCH")
        sent = await client.patch_listings_item(SELLER, "MUG-BLK-16", US, product_type="DRINKING_CUP",
                                                patches=image_patches(US, {"PT01": env.media("rejected.jpg")}))
        assert sent.status == "ACCEPTED"
        await env.clock.sleep(DELAY)
        item = await client.get_listings_item(SELLER, "MUG-BLK-16", US)
        assert item.slots(US)["PT01"].endswith("mug-pt01.jpg")
        assert item.issues[0].categories == ("INVALID_IMAGE",) and item.issues[0].slots == ("PT01",)
        await client.aclose()
    run(go())


def test_secrets_never_in_stats_logs_or_reprs(env, caplog):
    caplog.set_level(logging.DEBUG)

    async def go():
        client = env.client()
        await client.get_listings_item(SELLER, "MUG-BLK-16", US)
        token = client.auth._LwaTokenProvider__token
        texts = [repr(client), repr(client.auth), repr(CREDS), str(env.emulator.stats()), repr(env.emulator),
                 caplog.text]
        await client.aclose()
        return token, texts
    token, texts = run(go())
    assert token.startswith("Atza|")
    for text in texts:
        for secret in (SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN, token):
            assert secret not in text


def test_loopback_server_serves_pixii_and_spapi_control():
    env = Env("loopback")
    try:
        with httpx.Client(base_url=env.url, trust_env=False, timeout=5) as c:
            r = c.post("/v1/api/listing_builder", json={"asin": "B0LOOP0001", "country_code": "US",
                                                        "listing_type": "amazon_listing"},
                       headers={"Authorization": "Bearer pk_test_x"})
            assert r.status_code == 200 and r.json()["status"] == "pending"
            assert c.post("/_sandbox/spapi/credentials", json={"client_id": "cid", "client_secret": "s2",
                                                               "refresh_token": "Atzr|r2", "seller_id": "S2"}).json()
            token = c.post("/auth/o2/token", data={"grant_type": "refresh_token", "refresh_token": "Atzr|r2",
                                                   "client_id": "cid", "client_secret": "s2"}).json()
            assert token["token_type"] == "bearer" and token["expires_in"] == 3600
            bad = c.post("/auth/o2/token", data={"grant_type": "refresh_token", "refresh_token": "Atzr|r2",
                                                 "client_id": "cid", "client_secret": "wrong"})
            assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
            nothing = c.get("/listings/2021-08-01/items/S2/X", params={"marketplaceIds": US})
            assert nothing.status_code == 403 and nothing.json()["errors"][0]["code"] == "MissingAuthenticationToken"
            assert c.post("/_sandbox/spapi/advance", json={"seconds": 3}).json()["ok"]
            assert c.post("/_sandbox/spapi/faults", json={"kind": "bogus"}).status_code == 400
            stats = c.get("/_sandbox/spapi/stats").json()
            assert stats["tokens_issued"] == 1 and "s2" not in str(stats) and "Atzr|r2" not in str(stats)
            image = c.get("/spapi-media/x.jpg")
            assert image.headers["content-type"] == "image/jpeg" and c.get("/_sandbox/stats").status_code == 200
    finally:
        env.close()


def test_in_process_fetcher_reaches_pixii_sandbox_images():
    from desktop_app.sandbox.amazon.media import emulator_fetcher, fetch_media
    pixii = PixiiEmulator()
    fetch = emulator_fetcher(pixii)
    assert fetch("https://elsewhere.example/x.jpg") is None
    assert fetch_media("https://sandbox.invalid/files/nojob/0.jpg", SPAPI_SANDBOX_URL, fetch, 1.0)[0]
    assert fetch_media("https://cdn.example.com/x.jpg", SPAPI_SANDBOX_URL, None, 1.0) == (None, None)  # not fetched
    problem, body = fetch_media(f"{SPAPI_SANDBOX_URL}/spapi-media/a.png", SPAPI_SANDBOX_URL, None, 1.0)
    assert problem is None and body.startswith(b"\x89PNG")


def test_static_sandbox_mode_answers_like_amazons_static_sandbox(env):
    """With ``static_sandbox`` on, the emulator serves the §8 pairs: the client gets exactly what it gets from
    the fixtures themselves (MockTransport), for every pair, the store untouched."""
    from urllib.parse import parse_qsl

    from desktop_app.api.amazon.errors import InvalidInput

    from desktop_app.sandbox.amazon import static as SB

    def fixtures(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "Atza|x", "token_type": "bearer", "expires_in": 3600})
        sku = request.url.raw_path.decode().split("?")[0].rsplit("/", 1)[1]
        status, body = SB.match(request.method, sku, dict(parse_qsl(request.url.query.decode())))
        return httpx.Response(status, json=body)

    async def scenario(client: SpApiClient) -> list:
        preview = {"mode": "VALIDATION_PREVIEW"}
        attrs = {"item_name": [{"value": "x"}]}
        patches = [{"op": "replace", "path": "/attributes/item_name", "value": [{"value": "x"}]}]
        calls = [
            lambda: client.get_listings_item("ANY-SELLER", "GM-ZDPI-9B4E", [US, "A2EUQ1WTGCTBG2"]),
            lambda: client.put_listings_item("ANY-SELLER", "VALIDATION_VALID", US, product_type="LUGGAGE",
                                             attributes=attrs, **preview),
            lambda: client.patch_listings_item("ANY-SELLER", "VALIDATION_VALID", US, product_type="LUGGAGE",
                                               patches=patches, **preview),
            lambda: client.put_listings_item("ANY-SELLER", "VALIDATION_INVALID", US, product_type="LUGGAGE",
                                             attributes=attrs, **preview),
            lambda: client.patch_listings_item("ANY-SELLER", "VALIDATION_INVALID", US, product_type="LUGGAGE",
                                               patches=patches, **preview),
            lambda: client.put_listings_item("ANY-SELLER", "SOME-SKU", US, product_type="LUGGAGE", attributes=attrs),
            lambda: client.patch_listings_item("ANY-SELLER", "SOME-SKU", US, product_type="X", patches=patches),
            lambda: client.delete_listings_item("ANY-SELLER", "SOME-SKU", US),
            lambda: client.get_listings_item("ANY-SELLER", "BadSKU", US),
            lambda: client.delete_listings_item("ANY-SELLER", "BadSKU", US),
        ]
        results = []
        for call in calls:
            try:
                results.append(await call())
            except InvalidInput as exc:
                results.append((type(exc).__name__, exc.code, exc.message, exc.status))
        await client.aclose()
        return results

    env.emulator.configure(static_sandbox=True)
    before = env.emulator.get_config()
    got = run(scenario(env.client()))
    expected = run(scenario(SpApiClient(CREDS, transport=httpx.MockTransport(fixtures), sandbox_hosts=True,
                                        sleep=lambda s: asyncio.sleep(0))))
    assert got == expected
    assert got[0].sku == "GM-ZDPI-9B4E" and got[1].status == "VALID" and got[3].status == "INVALID"
    assert got[5].submission_id == "f1dc2914-75dd-11ea-bc55-0242ac130003"
    assert got[8][1] == "BAD_REQUEST"
    assert before["static_sandbox"] is True

    # off again: the store answers (the fixtures' SKU is unknown there)
    env.emulator.configure(static_sandbox=False)
    async def unknown():
        client = env.client()
        try:
            await client.get_listings_item(SELLER, "GM-ZDPI-9B4E", US)
        finally:
            await client.aclose()
    with pytest.raises(ListingNotFound):
        run(unknown())
    with pytest.raises(ValueError):
        SpApiEmulator(config={"static_sandbox": "yes"})


def test_the_emulator_is_made_of_parts_not_mixins(tmp_path):
    emu = SpApiEmulator(tmp_path / "spapi.json")
    assert SpApiEmulator.__mro__ == (SpApiEmulator, object)
    emu.base_url = "http://127.0.0.1:9/"  # the loopback server learns its port later: every part follows
    assert emu.listings.base_url == emu.definitions.base_url == "http://127.0.0.1:9"
    emu.configure(processing_seconds=0)
    assert emu.get_config()["processing_seconds"] == 0 and emu.control.get_config()["processing_seconds"] == 0
