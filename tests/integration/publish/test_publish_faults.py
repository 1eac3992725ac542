"""``listing-studio publish`` against SP-API faults on a real loopback socket: persistent throttling ends in
exit 6 within the bound (LISTING_STUDIO_GIVE_UP_AFTER), and an answer lost after Amazon processed the real PATCH
leaves the journal row "unknown" with a clear message; the next start's settle_all finds it live."""

import asyncio
import time
from pathlib import Path

import pytest

from support.cli import run_cli, spapi_cli_env
from desktop_app.store.journal import Journal
from desktop_app.store.publishes import LIVE, PublishStore, UNKNOWN
from desktop_app.sandbox.amazon.data import SANDBOX_SELLER_ID

US = "ATVPDKIKX0DER"
SKU = "MUG-BLK-16"
LISTINGS = "/listings/2021-08-01/items/"


@pytest.fixture
def env(servers, tmp_path):
    srv, _ = servers
    return spapi_cli_env(srv.url, tmp_path / "data", "pk_test_faultsKey123456", give_up_after="2")


def records(env):
    journal = Journal(Path(env["LISTING_STUDIO_DATA_DIR"]) / "journal.sqlite")
    try:
        return [PublishStore(journal).get(i) for i in range(1, 10) if PublishStore(journal).get(i)]
    finally:
        journal.close()


def test_persistent_429_exits_6_within_the_bound(servers, env):
    srv, spapi = servers
    spapi.add_fault("429", LISTINGS, count=0)  # every listings call, forever
    started = time.monotonic()
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"PT03={srv.url}/spapi-media/new.jpg",
                "--json", env=env)
    elapsed = time.monotonic() - started
    assert r.code == 6, r.err
    assert r.json["error"]["code"] == "QuotaExceeded" and "gave up" in r.json["error"]["message"]
    assert elapsed < 15, elapsed  # 2 s of retries plus the start of a process
    assert [rec.state for rec in records(env)] == []  # throttled at the first read: nothing journalled, nothing sent
    assert [s for s in spapi.stats()["submissions"] if s["mode"] is None] == []


def test_a_real_patch_throttled_on_every_attempt_is_journalled_as_not_sent(servers, env):
    srv, spapi = servers
    spapi.configure(rates={"patchListingsItem": [0.0001, 1.0]})  # one real PATCH, then 429s for hours
    first = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"PT03={srv.url}/spapi-media/a.jpg",
                    "--json", env=env)
    assert first.code == 0, first.err
    second = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"PT04={srv.url}/spapi-media/b.jpg",
                     "--json", env=env)
    assert second.code == 6 and second.json["error"]["code"] == "QuotaExceeded", second.err
    assert "may have applied" not in second.err  # every attempt was refused before Amazon processed it
    assert [(r.state, r.error_code) for r in records(env)] == [("accepted", None), ("refused", "QuotaExceeded")]
    assert "other_product_image_locator_4" not in spapi.listing(SANDBOX_SELLER_ID, SKU, US)["attributes"]


def test_reset_after_the_real_patch_is_unknown_then_settled_live(servers, env, monkeypatch):
    srv, spapi = servers
    new = f"{srv.url}/spapi-media/lost-answer.jpg"
    spapi.add_fault("reset_after", LISTINGS, method="PATCH", count=0)  # the previews pass; every real PATCH is lost
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"PT03={new}", "--json", env=env)
    assert r.code == 6, r.err
    assert "unknown" in r.err and "Amazon may have applied it" in r.err and "[submission 1, state unknown]" in r.err
    (rec,) = records(env)
    assert rec.state == UNKNOWN and rec.slots_after["PT03"] == new
    # Amazon did process it
    listing = spapi.listing(SANDBOX_SELLER_ID, SKU, US)
    assert listing["attributes"]["other_product_image_locator_3"][0]["media_location"] == new
    spapi.clear_faults()

    # a restart: the runtime's settle_all re-reads the listing and marks it live
    from desktop_app.config import load_settings
    from desktop_app.runtime import Runtime
    for key, value in env.items():
        if key.startswith(("LISTING_STUDIO_", "SP_API_", "PIXII_")):
            monkeypatch.setenv(key, value)

    async def restart():
        rt = Runtime(load_settings(read_keyring=False))
        try:
            assert [x.id for x in rt.publish.unsettled()] == [1]
            return await rt.publish.settle_all(timeout=5.0)
        finally:
            await rt.aclose()

    (settled,) = asyncio.run(restart())
    assert settled.state == LIVE and records(env)[0].state == LIVE
