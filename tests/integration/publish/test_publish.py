"""PublishService in-process (Runtime with the embedded Pixii + SP-API sandboxes): fetch, publish approved images,
watch until live, undo, compliance warnings, the journal rows; and local files hosted in a moto S3 bucket."""

import io
import time
from pathlib import Path

import pytest
from PIL import Image

from support.aio import run

from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.amazon.errors import ListingNotFound
from desktop_app.config import load_settings, load_spapi_settings
from desktop_app.core.publish import images as publish_images
from desktop_app.core.publish.hosting import HostingNotConfigured
from desktop_app.store.publishes import ACCEPTED, INVALID, LIVE, UNDONE, VALID
from desktop_app.core.validation import InputError
from desktop_app.runtime import Runtime
from desktop_app.sandbox.amazon.media import emulator_fetcher
from desktop_app.api.retry import WATCH_PUBLISH

SKU, US = "MUG-BLK-16", "ATVPDKIKX0DER"


pytestmark = pytest.mark.usefixtures("fast_spapi")


def fetch(emulator, url: str) -> bytes:
    status, _ctype, body = emulator_fetcher(emulator)(url)
    assert status == 200, url
    return body



async def with_runtime(fn, **kw):
    rt = Runtime(load_settings(), **kw)
    try:
        rt.publish.watch_retry = WATCH_PUBLISH.but(base=0.1)
        return await fn(rt)
    finally:
        await rt.aclose()


async def approved_job(rt, indexes=(0, 1)) -> str:
    record = await rt.jobs.submit(ListingRequest("B0SANDMUG1", "US", "amazon_listing", None, ()))
    record = await rt.jobs.wait(record.job_id)
    await rt.jobs.download_images(record.job_id)
    for i in indexes:
        rt.journal.set_review(record.job_id, i, "approved")
    return record.job_id


def test_sandbox_is_the_default_without_credentials():
    sp = load_spapi_settings({})
    assert sp.sandbox and sp.seller_id == "A1SANDBOXSELLER"
    assert "secret" not in repr(sp).lower() or "client_secret" not in repr(sp)
    with pytest.raises(InputError) as missing:
        load_spapi_settings({"SP_API_CLIENT_ID": "amzn1.x", "LISTING_STUDIO_SP_API_URL": "https://sp.example.com"},
                            read_keyring=False)
    assert missing.value.code == "MISSING_SP_API_CREDENTIALS"
    with pytest.raises(InputError):
        load_spapi_settings({"LISTING_STUDIO_SP_API_URL": "http://sp.example.com"}, read_keyring=False)


def test_publish_watch_live_undo_in_process():
    async def flow(rt):
        service = rt.publish
        view = await service.fetch_listing(SKU, "us")
        assert (view.marketplace_id, view.product_type, view.asin) == (US, "DRINKING_CUP", "B0SANDMUG1")
        job_id = await approved_job(rt)
        picks = service.job_assignments(job_id)
        assert list(picks) == ["MAIN", "PT01"] and all(isinstance(v, str) for v in picks.values())
        others = {k: v for k, v in rt.spapi_emulator.listing("A1SANDBOXSELLER", SKU, US)["attributes"].items()
                  if "image_locator" not in k}
        outcome = await service.publish(SKU, "US", picks, job_id=job_id)
        assert (outcome.status, outcome.operation, outcome.mode) == ("ACCEPTED", "patch", None)
        assert outcome.slots["MAIN"] == (view.slots["MAIN"], picks["MAIN"])
        rec = service.store.get(outcome.record_id)
        assert rec.state == ACCEPTED and rec.slots_before == view.slots and rec.job_id == job_id
        live = await service.watch_live(outcome.record_id, timeout=10)
        assert live.state == LIVE and live.live_at
        now = await service.fetch_listing(SKU, "US")
        for slot in ("MAIN", "PT01"):  # Amazon serves its own copy: a new URL, the same bytes
            assert now.slots[slot] not in (view.slots[slot], picks[slot])
            assert fetch(rt.spapi_emulator, now.slots[slot]) == fetch(rt.emulator, picks[slot])
        main = (await rt.spapi_client.get_listings_item("A1SANDBOXSELLER", SKU, US)).summary(US)["mainImage"]
        with Image.open(io.BytesIO(fetch(rt.emulator, picks["MAIN"]))) as im:
            assert (main["link"], main["width"], main["height"]) == (now.slots["MAIN"], *im.size)
        assert {k: v for k, v in rt.spapi_emulator.listing("A1SANDBOXSELLER", SKU, US)["attributes"].items()
                if "image_locator" not in k} == others
        undo = await service.undo(outcome.record_id)
        assert undo.status == "ACCEPTED"
        assert service.store.get(outcome.record_id).state == UNDONE
        assert service.store.get(undo.record_id).undo_of == outcome.record_id
        await service.watch_live(undo.record_id, timeout=10)
        assert (await service.fetch_listing(SKU, "US")).slots == view.slots
        with pytest.raises(InputError):
            await service.undo(outcome.record_id)
    run(with_runtime(flow))


def test_validate_only_invalid_and_unknown_sku_in_process():
    async def flow(rt):
        service = rt.publish
        base = rt.spapi_emulator.base_url
        ok = await service.publish(SKU, "US", {"PT04": f"{base}/spapi-media/v.jpg"}, validate_only=True)
        assert (ok.status, ok.mode, service.store.get(ok.record_id).state) == ("VALID", "VALIDATION_PREVIEW", VALID)
        bad = await service.publish(SKU, "US", {"PT04": f"{base}/spapi-media/v.webp"}, full_put=True)
        assert (bad.status, bad.operation, service.store.get(bad.record_id).state) == ("INVALID", "put", INVALID)
        assert bad.issues and bad.issues[0].slots == ("PT04",)
        assert [s for s in rt.spapi_emulator.stats()["submissions"] if s["mode"] is None] == []
        with pytest.raises(ListingNotFound):
            await service.publish("NOPE", "US", {"MAIN": f"{base}/spapi-media/v.jpg"})
        with pytest.raises(HostingNotConfigured):
            await service.publish(SKU, "US", {"MAIN": Path(__file__)})
    run(with_runtime(flow))


def test_invalid_image_after_acceptance_is_surfaced():
    async def flow(rt):
        service = rt.publish
        base = rt.spapi_emulator.base_url
        rt.spapi_emulator.add_fault("invalid_image", method="PATCH")  # a preview does not consume it
        out = await service.publish(SKU, "US", {"PT01": f"{base}/spapi-media/rejected.jpg"})
        assert out.status == "ACCEPTED"
        rec = await service.watch_live(out.record_id, timeout=10)
        assert rec.state == ACCEPTED and rec.error_code == "EMU_MEDIA_FETCH"
        assert rec.issues and rec.issues[0]["categories"] == ["INVALID_IMAGE"]
        assert rt.spapi_emulator.stats()["faults_pending"] == 0
    run(with_runtime(flow))


def test_watching_right_after_acceptance_reads_once_it_can_be_live():
    async def flow(rt):
        service, emulator = rt.publish, rt.spapi_emulator
        service.watch_retry = WATCH_PUBLISH.but(base=0.5)  # longer than the sandbox's processing (0.3 s)

        def reads() -> int:
            return sum(r["method"] == "GET" for r in emulator.stats()["requests"])
        out = await service.publish(SKU, "US", {"PT06": f"{emulator.base_url}/spapi-media/once.jpg"})
        before = reads()
        assert (await service.watch_live(out.record_id, timeout=10, wait_first=True)).state == LIVE
        assert reads() - before == 1  # no read that could only say "not yet"
    run(with_runtime(flow))


def test_an_issue_already_on_the_listing_does_not_end_the_watch():
    from desktop_app.sandbox.amazon.listings import INJECTED_ISSUE

    async def flow(rt):
        emulator = rt.spapi_emulator
        emulator.configure(processing_seconds=600.0)
        with emulator.store.transaction() as state:  # Amazon already complains about the current main image
            state["listings"]["A1SANDBOXSELLER"][SKU][US]["issues"] = [INJECTED_ISSUE]
        out = await rt.publish.publish(SKU, "US", {"MAIN": f"{emulator.base_url}/spapi-media/fixed-main.jpg"})
        assert rt.publish.store.get(out.record_id).issues_before[0]["code"] == "18027"
        waiting = await rt.publish.watch_live(out.record_id, timeout=0.3)
        assert (waiting.state, waiting.error_code) == (ACCEPTED, None)  # the old issue is not this publish's fault
        emulator.advance(600.0)
        assert (await rt.publish.watch_live(out.record_id, timeout=5)).state == LIVE
    run(with_runtime(flow))


def test_undo_refuses_to_overwrite_a_later_publish_of_the_same_slot():
    async def flow(rt):
        service, base = rt.publish, rt.spapi_emulator.base_url
        first = await service.publish(SKU, "US", {"PT03": f"{base}/spapi-media/first.jpg"})
        await service.watch_live(first.record_id, timeout=10)
        second = await service.publish(SKU, "US", {"PT03": f"{base}/spapi-media/second.jpg"})
        await service.watch_live(second.record_id, timeout=10)
        with pytest.raises(InputError) as later:
            await service.undo(first.record_id)
        assert later.value.code == "LATER_PUBLISH" and f"undo submission {second.record_id} first" in later.value.message
        assert "#" not in later.value.words and "4 · PT03" in later.value.words
        undo_second = await service.undo(second.record_id)  # back to the first publish's image
        await service.watch_live(undo_second.record_id, timeout=10)
        undo_first = await service.undo(first.record_id)  # now allowed: the later change was undone
        await service.watch_live(undo_first.record_id, timeout=10)
        assert (await service.fetch_listing(SKU, "US")).slots["PT03"] is None  # as before the first publish
    run(with_runtime(flow))


def test_undo_waits_until_amazon_serves_the_publish():
    async def flow(rt):
        service, emulator = rt.publish, rt.spapi_emulator
        emulator.configure(processing_seconds=600.0)
        out = await service.publish(SKU, "US", {"PT03": f"{emulator.base_url}/spapi-media/slow.jpg"})
        with pytest.raises(InputError) as early:
            await service.undo(out.record_id)
        assert early.value.code == "NOT_LIVE_YET" and "once it is live" in early.value.message
        assert [s["mode"] for s in emulator.stats()["submissions"]] == ["VALIDATION_PREVIEW", None]  # no undo sent
        emulator.advance(600.0)
        undo = await service.undo(out.record_id)  # the read inside undo sees it live now
        assert undo.status == "ACCEPTED" and service.store.get(out.record_id).state == UNDONE
        assert undo.slots["PT03"][1] is None
    run(with_runtime(flow))


def test_processing_that_never_finishes_stays_submitted():
    async def flow(rt):
        emulator = rt.spapi_emulator
        emulator.add_fault("stuck", method="PATCH")
        out = await rt.publish.publish(SKU, "US", {"PT05": f"{emulator.base_url}/spapi-media/stuck.jpg"})
        assert out.status == "ACCEPTED"  # the preview went through without consuming the fault
        emulator.advance(30 * 86400.0)  # a month later: still not processed
        rec = await rt.publish.watch_live(out.record_id, timeout=0.3)
        assert rec.state == ACCEPTED and rec.error_code is None
        assert (await rt.publish.fetch_listing(SKU, "US")).slots["PT05"] is None
        assert len(rt.publish.unsettled()) == 1  # the window keeps watching it
    run(with_runtime(flow))


def test_an_issue_amazon_reports_on_the_listing_is_shown_once_read():
    async def flow(rt):
        rt.spapi_emulator.add_fault("listing_issue", method="GET")
        view = await rt.publish.fetch_listing(SKU, "US")
        (issue,) = view.issues
        assert (issue.code, issue.severity, issue.slots) == ("18027", "ERROR", ("MAIN",))
        assert (await rt.publish.fetch_listing(SKU, "US")).issues == []  # one read only
    run(with_runtime(flow))


def test_service_url_expiring_within_a_day_uses_the_cached_file():
    url = "https://x.example/files/j/0.jpg?expires=%d&signature=ab"
    assert publish_images.url_expiry(url % 1000) == 1000.0
    assert publish_images.url_expiry("https://b.s3.amazonaws.com/k?X-Amz-Date=20260101T000000Z&X-Amz-Expires=60") \
        == 1767225660.0

    async def flow(rt):
        job_id = await approved_job(rt, (0,))
        later = time.time() + 7 * 86400 - 3600  # the service links die within the hour
        picks = publish_images.job_assignments(rt.journal, job_id, now=later)
        assert isinstance(picks["MAIN"], Path) and picks["MAIN"].is_file()
        picked = publish_images.job_assignments(rt.journal, job_id, {"pt03": 2})
        assert list(picked) == ["PT03"]
        with pytest.raises(InputError):
            publish_images.job_assignments(rt.journal, job_id, {"PT03": 99})
    run(with_runtime(flow))


# --- S3 hosting (moto's server, as in test_hosting) -------------------------------------------------

BUCKET = "listing-studio-publish"


@pytest.fixture
def bucket(public_bucket):
    return public_bucket(BUCKET)


def test_local_file_is_hosted_then_published(bucket, moto_endpoint, tmp_path):
    image = tmp_path / "edited.png"
    Image.new("RGB", (1200, 1200), (255, 255, 255)).save(image)
    not_image = tmp_path / "notes.png"
    not_image.write_text("<html>no</html>")

    async def flow(rt):
        out = await rt.publish.publish(SKU, "US", {"PT02": image})
        assert out.status == "ACCEPTED", out.issues
        url = out.slots["PT02"][1]
        assert url.startswith(f"{moto_endpoint}/{BUCKET}/listing-studio/") and url.endswith(".png")
        assert url.split("/")[-1][:64] == __import__("hashlib").sha256(image.read_bytes()).hexdigest()
        assert any("PT02" in w for w in out.warnings) or out.warnings == []
        await rt.publish.watch_live(out.record_id, timeout=10)
        served = (await rt.publish.fetch_listing(SKU, "US")).slots["PT02"]
        assert served != url and fetch(rt.spapi_emulator, served) == image.read_bytes()  # Amazon's copy
        with pytest.raises(InputError) as exc:
            await rt.publish.publish(SKU, "US", {"PT03": not_image})
        assert exc.value.code == "NOT_AN_IMAGE"
    run(with_runtime(flow))


def test_removing_a_slot_image_is_a_patch_delete_and_undo_puts_it_back():
    async def flow(rt):
        service = rt.publish
        before = (await service.fetch_listing(SKU, "US")).slots
        assert before["PT02"] is not None
        with pytest.raises(InputError) as main:
            await service.publish(SKU, "US", {"MAIN": None})
        assert main.value.code == "MAIN_REQUIRED"
        sent = []
        original = service.client.patch_listings_item

        async def spy(*args, **kw):
            sent.append(kw["patches"])
            return await original(*args, **kw)
        service.client.patch_listings_item = spy
        outcome = await service.publish(SKU, "US", {"pt02": None})
        assert outcome.status == "ACCEPTED" and outcome.slots["PT02"] == (before["PT02"], None)
        assert sent[-1] == [{"op": "delete", "path": "/attributes/other_product_image_locator_2",
                             "value": [{"marketplace_id": US}]}]
        assert (await service.watch_live(outcome.record_id, timeout=10)).state == LIVE
        after = (await service.fetch_listing(SKU, "US")).slots
        assert after["PT02"] is None and {k: v for k, v in after.items() if k != "PT02"} == \
            {k: v for k, v in before.items() if k != "PT02"}
        undo = await service.undo(outcome.record_id)
        assert undo.status == "ACCEPTED" and sent[-1][0]["op"] == "replace"
        await service.watch_live(undo.record_id, timeout=10)
        assert (await service.fetch_listing(SKU, "US")).slots == before
    run(with_runtime(flow))
