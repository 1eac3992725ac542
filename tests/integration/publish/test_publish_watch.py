"""What shoppers see after a publish, against the SP-API emulator: live, another contributor's image shown, rejected,
and a suppression that appears later; ``listing-studio watch`` as cron runs it (exit 0 / 5)."""

import pytest

from support.aio import run
from support.cli import control, run_cli

from desktop_app.config import load_settings
from desktop_app.core.publish.after import OTHER_CONTRIBUTION
from desktop_app.core.publish.watch import check_all
from desktop_app.store.publishes import ACCEPTED, LIVE, OTHER_SHOWN, UNDONE
from desktop_app.runtime import Runtime
from desktop_app.sandbox.amazon.data import SANDBOX_SELLER_ID
from desktop_app.api.retry import WATCH_PUBLISH

SKU, US = "MUG-BLK-16", "ATVPDKIKX0DER"
pytestmark = pytest.mark.usefixtures("fast_spapi")


async def with_runtime(fn):
    rt = Runtime(load_settings())
    try:
        rt.publish.watch_retry = WATCH_PUBLISH.but(base=0.05)
        return await fn(rt, rt.publish)
    finally:
        await rt.aclose()


def media(rt, name):
    return f"{rt.spapi_emulator.base_url}/spapi-media/{name}"


def test_live_then_a_later_suppression_is_seen():
    async def flow(rt, service):
        out = await service.publish(SKU, "US", {"MAIN": media(rt, "new-main.jpg")})
        assert (await service.watch_live(out.record_id, timeout=10)).state == LIVE
        [health] = await check_all(service)
        assert (health.outcome, health.bad, health.record.id) == ("live", False, out.record_id)
        rt.spapi_emulator.suppress(SANDBOX_SELLER_ID, SKU, US, "MISSING_IMAGE")
        [health] = await check_all(service)
        assert health.outcome == "suppressed" and health.bad
        assert any("DISCOVERABLE" in r for r in health.reasons) and any("EMU_SUPPRESSED" in r for r in health.reasons)
    run(with_runtime(flow))


def test_another_contributors_image_is_said_instead_of_waiting_forever():
    async def flow(rt, service):
        before = (await service.fetch_listing(SKU, "US")).slots["MAIN"]
        rt.spapi_emulator.add_fault("other_contribution")
        out = await service.publish(SKU, "US", {"MAIN": media(rt, "ours.jpg")})
        rec = await service.watch_live(out.record_id, timeout=30)  # returns at once, not after 30 s
        assert (rec.state, rec.error_code) == (OTHER_SHOWN, OTHER_CONTRIBUTION)
        item = await rt.spapi_client.get_listings_item(SANDBOX_SELLER_ID, SKU, US)
        assert item.main_image(US) == before and item.slots(US)["MAIN"] != before  # ours is held, theirs is shown
        [health] = await check_all(service)
        assert (health.outcome, health.bad) == ("other_image", False)
        assert "another contributor" in health.line()
        undo = await service.undo(out.record_id)  # still undoable: the listing holds our contribution
        assert undo.status == "ACCEPTED" and service.store.get(out.record_id).state == UNDONE
    run(with_runtime(flow))


def test_a_rejected_image_is_reported():
    async def flow(rt, service):
        rt.spapi_emulator.add_fault("invalid_image")
        out = await service.publish(SKU, "US", {"PT03": media(rt, "rejected.jpg")})
        rec = await service.watch_live(out.record_id, timeout=10)
        assert rec.state == ACCEPTED and rec.error_code == "EMU_MEDIA_FETCH"
        [health] = await check_all(service)
        assert health.outcome in ("rejected", "suppressed") and health.bad
    run(with_runtime(flow))



def test_watch_command_for_cron(servers, env):
    srv, spapi = servers
    empty = run_cli("watch", "--json", env=env)
    assert empty.code == 0 and empty.json == {"listings": [], "error": None}
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"MAIN={srv.url}/spapi-media/cron.jpg", env=env)
    assert r.code == 0, r.err
    fine = run_cli("watch", "--json", env=env)
    assert fine.code == 0, fine.err
    [listing] = fine.json["listings"]
    assert (listing["sku"], listing["country"], listing["outcome"], listing["submission"]) == (SKU, "US", "live", 1)
    plain = run_cli("watch", env=env)
    assert plain.code == 0 and plain.out.startswith(f"{SKU} US: live")
    control(srv.url, "spapi/suppress", {"seller_id": SANDBOX_SELLER_ID, "sku": SKU, "marketplace_id": US})
    bad = run_cli("watch", "--json", env=env)
    assert bad.code == 5
    assert bad.json["listings"][0]["outcome"] == "suppressed" and bad.json["error"] is None
    assert "suppressed" in bad.err and "listing-studio undo 1" in bad.err


def test_the_watch_rereads_on_the_one_retry_schedule():
    async def flow(rt, service):
        import asyncio
        waits = []

        async def sleep(seconds):
            waits.append(round(seconds, 3))
            await asyncio.sleep(seconds)

        rt.spapi_emulator.configure(processing_seconds=0.5)
        service.sleep = sleep
        out = await service.publish(SKU, "US", {"MAIN": media(rt, "new-main.jpg")})
        assert (await service.watch_live(out.record_id, timeout=10, wait_first=True)).state == LIVE
        assert waits[:3] == [0.05, 0.1, 0.2] and len(waits) >= 4  # doubling from the policy's base until live
    run(with_runtime(flow))
