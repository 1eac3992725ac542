"""JobService end to end against the pixii_both_ways, in-process and over a real loopback socket."""

import asyncio

import httpx
import pytest

from desktop_app.api import errors
from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.client import PixiiClient
from desktop_app.core.images.cache import ImageCache
from desktop_app.core.jobs.service import JobService
from desktop_app.store.journal import Journal

KEY = "pk_live_serviceTestKey42"


def make_service(pixii_both_ways, tmp_path):
    emu, url, transport = pixii_both_ways
    mounts = {"all://sandbox.invalid": transport} if transport else {}
    http = httpx.AsyncClient(mounts=mounts, trust_env=False, timeout=1.0)
    client = PixiiClient(url, KEY, http=http, give_up_after=2, backoff_base=0.01, backoff_cap=0.05)
    return JobService(client, Journal(tmp_path / "journal.sqlite"), ImageCache(tmp_path / "cache"), url,
                      poll_interval=0.02), http


def run_with(pixii_both_ways, tmp_path, scenario):
    async def main():
        service, http = make_service(pixii_both_ways, tmp_path)
        try:
            return await scenario(service, pixii_both_ways[0])
        finally:
            await http.aclose()
    return asyncio.run(main())


REQ = ListingRequest("B0SERVICE1", "FR", "amazon_listing")


def test_full_flow_downloads_verified_images(pixii_both_ways, tmp_path):
    pixii_both_ways[0].configure(pending_seconds=0.02, processing_seconds=0.05)

    async def scenario(service, emu):
        job = await service.submit(REQ)
        done = await service.wait(job.job_id)
        await service.download_images(job.job_id)
        return done, service.outcomes(job.job_id)

    done, images = run_with(pixii_both_ways, tmp_path, scenario)
    assert done.status == "completed" and done.credit_cost == 10
    assert len(images) == 7 and all(i.file and i.file.is_file() and not i.error_code for i in images)
    assert images[0].file.suffix == ".jpg" and images[1].file.suffix == ".png"


@pytest.mark.parametrize("fault", ["reset_after_create", "timeout_after_create", "malformed", "503"])
def test_unknown_outcome_is_reconciled_to_exactly_one_job(pixii_both_ways, tmp_path, fault):
    async def scenario(service, emu):
        emu.add_fault(fault, path_prefix="/v1/api/listing_builder")
        job = await service.submit(REQ)
        return job, emu.stats()["jobs_created"], service.journal.unresolved_intents()

    job, created, unresolved = run_with(pixii_both_ways, tmp_path, scenario)
    assert created == 1 and unresolved == []
    assert job.job_id and job.asin == "B0SERVICE1"


@pytest.mark.parametrize("profile", ["listing-builder-page", "errors-page"])
@pytest.mark.parametrize("envelope", ["flat", "wrapped"])
def test_refusals_under_both_status_profiles_and_envelopes(pixii_both_ways, tmp_path, profile, envelope):
    async def scenario(service, emu):
        emu.configure(status_profile=profile, envelope=envelope)
        seen = {}
        emu.configure(balance=0)
        with pytest.raises(errors.InsufficientCredits) as info:
            await service.submit(REQ)
        seen["credits"] = info.value.status
        emu.configure(balance=1000, active_brand=False)
        with pytest.raises(errors.NoActiveBrand) as info:
            await service.submit(REQ)
        seen["brand"] = info.value.status
        emu.configure(active_brand=True)
        with pytest.raises(errors.JobNotFound):
            await service.refresh("job_unknown")
        emu.revoke_key(KEY)
        with pytest.raises(errors.Unauthorized):
            await service.submit(REQ)
        return seen, emu.stats()["jobs_created"]

    seen, created = run_with(pixii_both_ways, tmp_path, scenario)
    expected = {"listing-builder-page": {"credits": 402, "brand": 400},
                "errors-page": {"credits": 400, "brand": 422}}[profile]
    assert seen == expected and created == 0


def test_validation_error_carries_the_detail(pixii_both_ways, tmp_path):
    async def scenario(service, emu):
        with pytest.raises(errors.ValidationFailed) as info:
            await service.submit(ListingRequest("B0SERVICE1", "XX", "amazon_listing"))
        return info.value

    exc = run_with(pixii_both_ways, tmp_path, scenario)
    assert exc.code == "VALIDATION_ERROR" and "country_code" in (exc.detail or "")


def test_transient_5xx_on_polls_is_retried(pixii_both_ways, tmp_path):
    async def scenario(service, emu):
        emu.configure(pending_seconds=0.01, processing_seconds=0.02)
        job = await service.submit(REQ)
        emu.add_fault("503", path_prefix="/v1/api/jobs/", count=3)
        emu.add_fault("malformed", path_prefix="/v1/api/jobs/", count=1)
        return await service.wait(job.job_id)

    assert run_with(pixii_both_ways, tmp_path, scenario).status == "completed"


def test_expired_image_links_are_per_image_errors(pixii_both_ways, tmp_path):
    async def scenario(service, emu):
        emu.configure(pending_seconds=0.01, processing_seconds=0.02)
        job = await service.submit(REQ)
        await service.wait(job.job_id)
        emu.advance(8 * 24 * 3600)
        await service.download_images(job.job_id)
        return service.outcomes(job.job_id), await service.refresh_or_journal(job.job_id)

    images, record = run_with(pixii_both_ways, tmp_path, scenario)
    assert {i.error_code for i in images} == {"URL_EXPIRED"}
    assert record.status == "completed"  # the expired job is still served from the journal


def test_each_downloaded_image_is_announced_as_it_arrives(pixii_both_ways, tmp_path):
    async def scenario(service, emu):
        emu.configure(pending_seconds=0.01, processing_seconds=0.02)
        job = await service.submit(REQ)
        await service.wait(job.job_id)
        seen = []
        service.on_job = lambda record: seen.append(sum(i.cached for i in service.journal.images(record.job_id)))
        await service.download_images(job.job_id)
        return seen

    seen = run_with(pixii_both_ways, tmp_path, scenario)
    assert len(seen) == 7 and sorted(seen) == seen and seen[0] >= 1 and seen[-1] == 7
