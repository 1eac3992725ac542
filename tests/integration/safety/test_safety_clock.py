"""Clock skew: a submission whose answer was lost is reconciled in the service's clock (read from the
``Date`` header of its answers), so a service clock hours behind or ahead neither pays twice nor adopts
somebody else's job. In-process and over a real loopback socket (the server's own Date header)."""

import asyncio

import httpx
import pytest

from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.client import PixiiClient
from desktop_app.core.images.cache import ImageCache
from desktop_app.core.jobs.service import JobService
from desktop_app.store.journal import Journal

KEY = "pk_live_clockSkewKey0001"
REQ = ListingRequest("B0SKEW0001", "US", "amazon_listing")
HOURS = 3 * 3600


def run(pixii_both_ways, tmp_path, scenario):
    emu, url, transport = pixii_both_ways

    async def main():
        mounts = {"all://sandbox.invalid": transport} if transport else {}
        async with httpx.AsyncClient(mounts=mounts, trust_env=False, timeout=2.0) as http:
            client = PixiiClient(url, KEY, http=http, give_up_after=2, backoff_base=0.01, backoff_cap=0.05)
            service = JobService(client, Journal(tmp_path / "journal.sqlite"), ImageCache(tmp_path / "cache"),
                                 url, poll_interval=0.02)
            return await scenario(service, client)
    return asyncio.run(main())


def created_ids(emu):
    with emu.store.transaction() as state:
        return [job_id for job_id, _ in sorted(state["jobs"].items(), key=lambda kv: kv[1]["seq"])]


def test_service_clock_hours_behind_adopts_the_lost_job_instead_of_paying_again(pixii_both_ways, tmp_path):
    emu = pixii_both_ways[0]
    emu.set_clock_offset(-HOURS)
    emu.add_fault("reset_after_create", path_prefix="/v1/api/listing_builder", method="POST")

    async def scenario(service, client):
        return await service.submit(REQ), client.clock_offset

    record, offset = run(pixii_both_ways, tmp_path, scenario)
    assert emu.stats()["jobs_created"] == 1
    assert record.job_id == created_ids(emu)[0]
    assert offset == pytest.approx(-HOURS, abs=2)


def test_service_clock_hours_ahead_does_not_adopt_an_older_job_of_another_computer(pixii_both_ways, tmp_path):
    emu = pixii_both_ways[0]
    emu.set_clock_offset(HOURS)
    # a job for the same ASIN made from another computer ten minutes earlier (service time)
    emu.handle("POST", "/v1/api/listing_builder", {}, {"Authorization": f"Bearer {KEY}"},
               b'{"asin": "B0SKEW0001", "country_code": "US", "listing_type": "amazon_listing"}')
    emu.advance(600)
    emu.add_fault("reset_after_create", path_prefix="/v1/api/listing_builder", method="POST")

    async def scenario(service, client):
        return await service.submit(REQ)

    record = run(pixii_both_ways, tmp_path, scenario)
    foreign, ours = created_ids(emu)
    assert emu.stats()["jobs_created"] == 2
    assert record.job_id == ours and record.job_id != foreign
