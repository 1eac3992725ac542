"""Never publish onto the wrong product: images generated for one ASIN (B0CX23V2ZK, DE) published with ``--job``
onto a listing of another ASIN (MUG-BLK-16 is B0SANDMUG1, US) are refused as invalid input (ASIN_MISMATCH, exit 2)
after reading only the listing: nothing hosted, journalled or submitted, unless ``--any-asin`` is given. The guard
lives in the core (PublishService), checked here in-process with a real S3 bucket (moto), and on the command line
against the loopback emulators."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from support.cli import run_cli
from desktop_app.api.pixii.models import ListingRequest
from desktop_app.config import load_settings
from desktop_app.core.publish import images as publish_images
from desktop_app.core.publish.service import AsinMismatch
from desktop_app.store.journal import Journal
from desktop_app.runtime import Runtime
from desktop_app.sandbox.amazon.data import SANDBOX_SELLER_ID

SKU, US = "MUG-BLK-16", "ATVPDKIKX0DER"
OTHER_ASIN = "B0CX23V2ZK"
PUBLISH_KEYS = {"sku", "marketplace_id", "operation", "mode", "status", "submission_id", "issues", "slots", "error"}


def sp_requests(spapi) -> list[tuple[str, str]]:
    return [(r["method"], r["path"]) for r in spapi.stats()["requests"] if not r["path"].startswith("/auth/")]


def listing_reads_only(spapi) -> bool:
    requests = sp_requests(spapi)
    return bool(requests) and all(m == "GET" and p.startswith("/listings/") for m, p in requests)


def publish_rows(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "journal.sqlite") as conn:
        return conn.execute("SELECT COUNT(*) FROM publish_submissions").fetchone()[0]


# --- the command line ----------------------------------------------------------------------------------


def approved_job(env, asin: str, country: str) -> str:
    r = run_cli("generate", "--asin", asin, "--country", country, "--type", "amazon_listing", "--json", env=env)
    assert r.code == 0, r.err
    journal = Journal(Path(env["LISTING_STUDIO_DATA_DIR"]) / "journal.sqlite")
    for i in (0, 1):
        journal.set_review(r.json["job_id"], i, "approved")
    journal.close()
    return r.json["job_id"]


@pytest.mark.parametrize("extra", [(), ("--validate-only",), ("--full-put",)], ids=["patch", "validate", "put"])
def test_a_job_of_another_asin_is_refused_after_reading_only_the_listing(servers, env, extra):
    _srv, spapi = servers
    job_id = approved_job(env, OTHER_ASIN, "DE")
    before = spapi.listing(SANDBOX_SELLER_ID, SKU, US)
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--job", job_id, *extra, "--json", env=env)
    assert r.code == 2, r.err
    data = r.json
    assert set(data) == PUBLISH_KEYS
    assert data["error"]["code"] == "ASIN_MISMATCH"
    assert OTHER_ASIN in data["error"]["message"] and "B0SANDMUG1" in data["error"]["message"]
    assert (data["status"], data["submission_id"], data["mode"]) == (None, None, None)
    assert data["marketplace_id"] == US
    lines = r.err.strip().splitlines()
    assert [l for l in lines if l.startswith("error:")] == [lines[-1]]
    assert "ASIN_MISMATCH" in lines[-1] and OTHER_ASIN in lines[-1] and "B0SANDMUG1" in lines[-1]
    assert "--any-asin" in lines[-1]
    assert listing_reads_only(spapi), sp_requests(spapi)
    assert spapi.stats()["submissions"] == []
    assert spapi.listing(SANDBOX_SELLER_ID, SKU, US) == before
    assert publish_rows(Path(env["LISTING_STUDIO_DATA_DIR"])) == 0


def test_any_asin_publishes_onto_the_other_product(servers, env):
    _srv, spapi = servers
    job_id = approved_job(env, OTHER_ASIN, "DE")
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--job", job_id, "--any-asin", "--json", env=env)
    assert r.code == 0, r.err
    assert (r.json["status"], r.json["error"]) == ("ACCEPTED", None)
    assert f"/files/{job_id}/0." in r.json["slots"]["MAIN"]["after"]
    assert [s["mode"] for s in spapi.stats()["submissions"]] == ["VALIDATION_PREVIEW", None]


def test_a_job_of_the_same_asin_needs_no_flag(servers, env):
    job_id = approved_job(env, "b0sandmug1", "US")
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--job", job_id, "--validate-only", "--json", env=env)
    assert r.code == 0, r.err
    assert r.json["status"] == "VALID"


def test_invalid_input_is_refused_before_any_notice_or_request(servers, env):
    """Exit 2: one line, and not even the notice that the SP-API sandbox is in use (nothing was sent to it)."""
    _srv, spapi = servers
    job_id = approved_job(env, "B0SANDMUG1", "US")
    for sp_url in (env["LISTING_STUDIO_SP_API_URL"], "sandbox"):
        cases = [("--job", job_id, "--slot", "PT42=1"), ("--job", job_id, "--slot", "MAIN=x"),
                 ("--job", job_id, "--slot", "MAIN=0", "--slot", "main=1"), ("--job", "job_nope"),
                 ("--slot", "PT42=https://example.com/a.jpg"), ("--slot", "MAIN=/no/such/file.jpg"), ()]
        for args in cases:
            r = run_cli("publish", "--sku", SKU, "--country", "US", *args, env={**env, "LISTING_STUDIO_SP_API_URL": sp_url})
            assert r.code == (3 if "job_nope" in args else 2), r.err  # an unknown job is JOB_NOT_FOUND everywhere
            assert len(r.err.strip().splitlines()) == 1 and r.err.startswith("error: "), (args, r.err)
        china = run_cli("publish", "--sku", SKU, "--country", "CN", "--job", job_id,
                        env={**env, "LISTING_STUDIO_SP_API_URL": sp_url})
        assert china.code == 2 and len(china.err.strip().splitlines()) == 1, china.err
    assert sp_requests(spapi) == []


# --- the core, with a real bucket: nothing is hosted ---------------------------------------------------

BUCKET = "listing-studio-asin-guard"


@pytest.fixture
def bucket(public_bucket, fast_spapi):
    return public_bucket(BUCKET)


def test_the_core_guard_hosts_nothing_and_names_both_products(bucket):
    async def flow(rt):
        record = await rt.jobs.submit(ListingRequest(OTHER_ASIN, "DE", "amazon_listing", None, ()))
        record = await rt.jobs.wait(record.job_id)
        await rt.jobs.download_images(record.job_id)
        rt.journal.set_review(record.job_id, 0, "approved")
        later = time.time() + 7 * 86400 - 3600  # the service links die within the hour: the cached file is hosted
        picks = publish_images.job_assignments(rt.journal, record.job_id, now=later)
        assert isinstance(picks["MAIN"], Path)
        with pytest.raises(AsinMismatch) as refused:
            await rt.publish.publish(SKU, "US", picks, job_id=record.job_id)
        exc = refused.value
        assert exc.code == "ASIN_MISMATCH"
        assert (exc.listing.asin, exc.listing.sku, exc.listing.country) == ("B0SANDMUG1", SKU, "US")
        assert exc.listing.title.startswith("Sandbox Ceramic Mug")
        assert (exc.job.asin, exc.job.country) == (OTHER_ASIN, "DE")
        assert bucket.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
        assert rt.publish.store.last_id() == 0
        assert rt.spapi_emulator.stats()["submissions"] == []
        out = await rt.publish.publish(SKU, "US", picks, job_id=record.job_id, any_asin=True)
        assert out.status == "ACCEPTED"
        assert bucket.list_objects_v2(Bucket=BUCKET)["KeyCount"] == 1

    async def main():
        rt = Runtime(load_settings())
        try:
            await flow(rt)
        finally:
            await rt.aclose()
    asyncio.run(main())
