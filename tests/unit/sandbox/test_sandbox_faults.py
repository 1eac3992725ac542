"""Fault injection in the Pixii emulator, through httpx and the in-process async transport."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from support.aio import with_sandbox_client

from desktop_app.sandbox.pixii.emulator import FAULT_KINDS, PixiiEmulator

BASE = "https://sandbox.invalid"
KEY = "pk_live_faultKEYsecret"
SUBMIT = "/v1/api/listing_builder"
BODY = {"asin": "B0ABCDEFGH", "country_code": "DE", "listing_type": "shopify_listing"}
H = {"Authorization": f"Bearer {KEY}"}



# kind -> (jobs created by one faulted POST, what the client sees)
EXPECT = {
    "500": (0, 500), "503": (0, 503), "html": (0, 502), "reset": (0, httpx.ReadError),
    "timeout": (0, httpx.ReadTimeout), "slow": (1, 200), "malformed": (1, 200), "empty": (1, 200),
    "reset_after_create": (1, httpx.ReadError), "timeout_after_create": (1, httpx.ReadTimeout),
    "missing_fields": (1, 200), "extra_fields": (1, 200), "stall": (1, 200),
}


def test_every_fault_kind_is_covered():
    assert set(EXPECT) == set(FAULT_KINDS)


def test_a_stalled_request_is_processed_only_once_released():
    emu = PixiiEmulator()
    emu.add_fault("stall", path_prefix=SUBMIT, method="POST")

    async def body(c: httpx.AsyncClient):
        post = asyncio.create_task(c.post(SUBMIT, json=BODY, headers=H))
        for _ in range(500):
            if emu.stalled:
                break
            await asyncio.sleep(0.01)
        held = emu.stalled, emu.stats()["jobs_created"]
        emu.release_stalls()
        return held, await post

    held, response = with_sandbox_client(emu, body)
    assert held == (1, 0)  # on the wire, not processed yet
    assert response.status_code == 200 and emu.stats()["jobs_created"] == 1 and emu.stalled == 0


def test_clock_offset_moves_the_date_header_both_ways():
    from email.utils import parsedate_to_datetime
    emu = PixiiEmulator()
    for offset in (-7200, 7200):
        emu.set_clock_offset(offset)
        r = with_sandbox_client(emu, lambda c: c.get("/v1/api/jobs", params={"asin": BODY["asin"]}, headers=H))
        assert abs(parsedate_to_datetime(r.headers["date"]).timestamp() - time.time() - offset) < 2


@pytest.mark.parametrize("kind", sorted(EXPECT))
def test_fault_on_submission(kind):
    emu = PixiiEmulator()
    emu.add_fault(kind, path_prefix=SUBMIT, method="POST", seconds=0.2 if kind in ("slow", "stall") else None)
    jobs, outcome = EXPECT[kind]

    async def body(c: httpx.AsyncClient):
        started = time.monotonic()
        if isinstance(outcome, type):
            with pytest.raises(outcome):
                await c.post(SUBMIT, json=BODY, headers=H)
            return None, time.monotonic() - started
        r = await c.post(SUBMIT, json=BODY, headers=H)
        assert r.status_code == outcome
        return r, time.monotonic() - started

    r, elapsed = with_sandbox_client(emu, body)
    stats = emu.stats()
    assert stats["jobs_created"] == jobs and stats["faults_pending"] == 0
    assert emu.balance() == 1000 - 8 * jobs  # a created job is charged even when its answer is lost
    if kind in ("reset_after_create", "timeout_after_create"):
        listed = with_sandbox_client(emu, lambda c: c.get("/v1/api/jobs", params={"asin": BODY["asin"]}, headers=H))
        assert listed.json()["total"] == 1  # the ambiguous POST made exactly one job, found by listing
    if kind == "slow":
        assert elapsed >= 0.2 and r.json()["status"] == "pending"
    if kind == "malformed":
        assert r.content == b'{"job_id": '
        with pytest.raises(ValueError):
            json.loads(r.content)
    if kind == "empty":
        assert r.content == b""
    if kind == "html":
        assert r.headers["content-type"] == "text/html" and b"502 Bad Gateway" in r.content
    if kind == "missing_fields":
        assert "job_id" not in r.json() and "status" not in r.json()
    if kind == "extra_fields":
        assert r.json()["job_id"] and "x_request_region" in r.json()
    if kind in ("500", "503"):
        assert r.json()["code"] == {"500": "INTERNAL_ERROR", "503": "SERVICE_UNAVAILABLE"}[kind]
    # the fault was consumed: the next request is normal
    assert with_sandbox_client(emu, lambda c: c.post(SUBMIT, json=BODY, headers=H)).status_code == 200


def test_faults_on_get_job_and_matching_rules():
    emu = PixiiEmulator(config={"envelope": "wrapped"})

    async def body(c: httpx.AsyncClient):
        job_id = (await c.post(SUBMIT, json=BODY, headers=H)).json()["data"]["job_id"]
        url = f"/v1/api/jobs/{job_id}"
        emu.advance(10)
        emu.add_fault("503", path_prefix="/v1/api/jobs", count=2)
        emu.add_fault("missing_fields", path_prefix="/v1/api/jobs/")
        emu.add_fault("extra_fields", method="GET")
        assert (await c.post(SUBMIT, json=BODY, headers=H)).status_code == 200  # path does not match
        assert [(await c.get(url, headers=H)).status_code for _ in range(2)] == [503, 503]
        missing = (await c.get(url, headers=H)).json()["data"]
        assert missing["id"] == job_id and "status" not in missing and "output" not in missing
        extra = (await c.get(url, headers=H)).json()
        assert extra["success"] is True and "beta" in extra["data"]
        assert all(ad["x_extra"] for ad in extra["data"]["output"]["ads"])
        assert (await c.get(url, headers=H)).json()["data"]["status"] == "completed"
        emu.add_fault("slow", count=0, seconds=0.01)  # permanent until cleared
        for _ in range(3):
            assert (await c.get(url, headers=H)).status_code == 200
        assert emu.stats()["faults_pending"] == 1
        emu.clear_faults()
        assert emu.stats()["faults_pending"] == 0
        emu.add_fault("timeout", path_prefix="/files/")
        image = (await c.get(url, headers=H)).json()["data"]["output"]["ads"][0]["preview_url"]
        with pytest.raises(httpx.ReadTimeout):
            await c.get(image)
        assert (await c.get(image)).status_code == 200

    with_sandbox_client(emu, body)
    assert emu.stats()["jobs_created"] == 2


def test_control_api_validates_fault_requests():
    emu = PixiiEmulator()
    with pytest.raises(ValueError):
        emu.add_fault("explode")
    with pytest.raises(ValueError):
        emu.set_next_outcome("maybe")
    with pytest.raises(ValueError):
        emu.configure(status_profile="other")
    with pytest.raises(ValueError):
        emu.configure(no_such_key=1)
    with pytest.raises(ValueError):
        emu.advance(-1)
