"""The Pixii emulator through httpx and the in-process SandboxTransport: lifecycle, errors, limits, jobs."""

from __future__ import annotations

import io
import json

import httpx
import pytest
from PIL import Image

from support.aio import with_sandbox_client

from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.transport import SyncSandboxTransport

BASE = "https://sandbox.invalid"
TEST_KEY = "pk_test_s3cr3tTESTvalue"
LIVE_KEY = "pk_live_s3cr3tLIVEvalue"
SUBMIT = "/v1/api/listing_builder"
BODY = {"asin": "B0ABCDEFGH", "country_code": "US", "listing_type": "amazon_listing"}
DAY = 86400


def auth(key: str = LIVE_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}



def sync_client(emu: PixiiEmulator) -> httpx.Client:
    return httpx.Client(transport=SyncSandboxTransport(emu), base_url=BASE)


def to_day_start(emu: PixiiEmulator) -> None:
    """Move the clock to 1 s after a UTC midnight, so minute and day windows cannot roll over mid-test."""
    emu.advance(DAY - emu.now() % DAY + 1)


def submit(c: httpx.Client, key: str = LIVE_KEY, **changes) -> httpx.Response:
    return c.post(SUBMIT, json={**BODY, **changes}, headers=auth(key))


def complete(emu: PixiiEmulator, c: httpx.Client, key: str = LIVE_KEY, **changes) -> dict:
    r = submit(c, key, **changes)
    assert r.status_code == 200, r.text
    emu.advance(10)
    return c.get(f"/v1/api/jobs/{r.json()['job_id']}", headers=auth(key)).json()


# --- lifecycle ----------------------------------------------------------------------------------

def test_lifecycle_live_key_with_clock_advance():
    emu = PixiiEmulator(config={"pending_seconds": 1.0, "processing_seconds": 4.0})  # not the env's defaults

    async def body(c: httpx.AsyncClient):
        r = await c.post(SUBMIT, json=BODY, headers=auth())
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        sub = r.json()
        assert set(sub) == {"job_id", "job_type", "status", "created_at", "remaining_credits"}
        assert sub["job_type"] == "Listing Builder" and sub["status"] == "pending"
        assert sub["created_at"].endswith("Z") and sub["remaining_credits"] == 990
        url = f"/v1/api/jobs/{sub['job_id']}"
        job = (await c.get(url, headers=auth())).json()
        assert set(job) == {"id", "job_type", "status", "created_at", "started_at", "completed_at", "credit_cost",
                            "credits_refunded", "output", "error_code"}
        assert (job["status"], job["started_at"], job["completed_at"], job["output"]) == ("pending", None, None, None)
        emu.advance(1.5)
        job = (await c.get(url, headers=auth())).json()
        assert job["status"] == "processing" and job["started_at"] and job["completed_at"] is None
        emu.configure(processing_seconds=1000)  # config changes never move an existing job
        emu.advance(4)
        job = (await c.get(url, headers=auth())).json()
        assert job["status"] == "completed" and job["completed_at"] and job["error_code"] is None
        assert job["credit_cost"] == 10 and job["credits_refunded"] == 0
        ads = job["output"]["ads"]
        assert len(ads) == 7 and all(a["error"] is None and a["preview_url"].startswith(BASE + "/files/") for a in ads)
        assert ads[0]["preview_url"].split("?")[0].endswith("/0.jpg") and ".png?" in ads[1]["preview_url"]
        return job

    with_sandbox_client(emu, body)
    assert emu.stats()["balance"] == 990 and emu.stats()["jobs_created"] == 1


def test_test_key_never_charges_and_ads_per_type():
    emu = PixiiEmulator()
    with sync_client(emu) as c:
        r = submit(c, TEST_KEY, listing_type="tiktok_listing")
        assert r.json()["remaining_credits"] == 1000
        emu.advance(10)
        job = c.get(f"/v1/api/jobs/{r.json()['job_id']}", headers=auth(TEST_KEY)).json()
        assert job["credit_cost"] == 6 and len(job["output"]["ads"]) == 4
    assert emu.balance() == 1000


def test_env_vars_set_default_timings(monkeypatch):
    monkeypatch.setenv("LISTING_STUDIO_SANDBOX_PENDING", "0.05")
    monkeypatch.setenv("LISTING_STUDIO_SANDBOX_PROCESSING", "0.05")
    emu = PixiiEmulator()
    assert emu.get_config()["pending_seconds"] == 0.05
    with sync_client(emu) as c:
        r = submit(c)
        assert r.json()["status"] == "pending"
        emu.advance(0.11)
        assert c.get(f"/v1/api/jobs/{r.json()['job_id']}", headers=auth()).json()["status"] == "completed"


# --- auth ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", [None, "Basic cGtfdGVzdF94Og==", f"Token {TEST_KEY}", "Bearer sk_test_abc",
                                    "Bearer pk_test_", "Bearer pk_live_", "Bearer", "pk_test_abc"])
def test_bad_authorization_is_401(header):
    emu = PixiiEmulator()
    headers = {"Authorization": header} if header else {}
    with sync_client(emu) as c:
        for r in (c.post(SUBMIT, json=BODY, headers=headers), c.get("/v1/api/jobs/x", headers=headers),
                  c.get("/v1/api/jobs", params={"asin": "B0ABCDEFGH"}, headers=headers)):
            assert r.status_code == 401 and r.json()["code"] == "UNAUTHORIZED"
            assert "X-RateLimit-Limit-Minute" not in r.headers
    assert emu.stats()["jobs_created"] == 0


def test_revoked_and_strict_keys():
    emu = PixiiEmulator()
    with sync_client(emu) as c:
        emu.revoke_key(TEST_KEY)
        assert submit(c, TEST_KEY).status_code == 401
        assert submit(c, "pk_test_other").status_code == 200
        emu.configure(strict_keys=True)
        assert submit(c, "pk_test_other").status_code == 401
        emu.register_key("pk_test_registered")
        assert submit(c, "pk_test_registered").status_code == 200
        emu.register_key(TEST_KEY, revoked=False)
        assert submit(c, TEST_KEY).status_code == 200


# --- errors, profiles and envelopes ---------------------------------------------------------------

@pytest.mark.parametrize("profile,credits_status,brand_status",
                         [("listing-builder-page", 402, 400), ("errors-page", 400, 422)])
@pytest.mark.parametrize("envelope", ["flat", "wrapped"])
def test_error_codes_under_profiles_and_envelopes(profile, credits_status, brand_status, envelope):
    emu = PixiiEmulator(config={"status_profile": profile, "envelope": envelope})

    def err(r: httpx.Response) -> dict:
        assert r.headers["content-type"] == "application/json"
        body = r.json()
        if envelope == "wrapped":
            assert body["success"] is False and body["data"] is None
            body = body["error"]
        assert set(body) >= {"code", "message", "detail"} and body["message"]
        return body

    with sync_client(emu) as c:
        ok = submit(c)
        data = ok.json()["data"] if envelope == "wrapped" else ok.json()
        if envelope == "wrapped":
            assert ok.json()["success"] is True and ok.json()["error"] is None
        assert data["status"] == "pending"
        emu.configure(balance=5)
        r = submit(c)
        assert (r.status_code, err(r)["code"]) == (credits_status, "INSUFFICIENT_CREDITS")
        assert "X-RateLimit-Remaining-Minute" in r.headers
        assert submit(c, TEST_KEY).status_code == 200  # test keys are never short of credits
        emu.configure(active_brand=False)
        r = submit(c, TEST_KEY)
        assert (r.status_code, err(r)["code"]) == (brand_status, "NO_ACTIVE_BRAND")
        r = c.post(SUBMIT, json={"asin": ""}, headers=auth())
        assert (r.status_code, err(r)["code"]) == (400, "VALIDATION_ERROR")
        r = c.get("/v1/api/jobs/job_nope", headers=auth())
        assert (r.status_code, err(r)["code"]) == (404, "JOB_NOT_FOUND")
        r = c.get("/v1/api/nothing", headers=auth())
        assert (r.status_code, err(r)["code"]) == (404, "NOT_FOUND")
        r = c.get(SUBMIT, headers=auth())
        assert (r.status_code, err(r)["code"], r.headers["allow"]) == (405, "METHOD_NOT_ALLOWED", "POST")
        emu.add_fault("500")
        emu.add_fault("503")
        r = submit(c)
        assert (r.status_code, err(r)["code"]) == (500, "INTERNAL_ERROR")
        r = c.get("/v1/api/jobs/x", headers=auth())
        assert (r.status_code, err(r)["code"]) == (503, "SERVICE_UNAVAILABLE")
        emu.configure(minute_limit=0)
        r = submit(c)
        assert (r.status_code, err(r)["code"]) == (429, "RATE_LIMIT_MINUTE_EXCEEDED")
        assert err(r)["retry_after"] == int(r.headers["retry-after"])
        r = c.get("/v1/api/jobs", params={"asin": "B0ABCDEFGH"}, headers=auth())
        listing = r.json()["data"] if envelope == "wrapped" else r.json()
        assert listing["total"] == 2
    assert emu.stats()["jobs_created"] == 2


@pytest.mark.parametrize("raw,fields", [
    (b"not json", ["body"]),
    (b"[1, 2]", ["body"]),
    (b"", ["body"]),
    ({}, ["asin", "country_code", "listing_type"]),
    ({**BODY, "asin": 123}, ["asin"]),
    ({**BODY, "asin": "   "}, ["asin"]),
    ({**BODY, "country_code": "us"}, ["country_code"]),
    ({**BODY, "country_code": "XX"}, ["country_code"]),
    ({**BODY, "listing_type": "amazon"}, ["listing_type"]),
    ({**BODY, "main_image_url": 5}, ["main_image_url"]),
    ({**BODY, "main_image_url": "ftp://example.com/a.jpg"}, ["main_image_url"]),
    ({**BODY, "main_image_url": None}, ["main_image_url"]),
    ({**BODY, "other_image_urls": []}, ["other_image_urls"]),
    ({**BODY, "other_image_urls": "https://example.com/a.jpg"}, ["other_image_urls"]),
    ({**BODY, "other_image_urls": ["https://example.com/a.jpg", 7]}, ["other_image_urls[1]"]),
    ({"asin": 1, "country_code": "US", "listing_type": "x", "other_image_urls": []},
     ["asin", "listing_type", "other_image_urls"]),
])
def test_validation_details_name_the_fields(raw, fields):
    emu = PixiiEmulator()
    with sync_client(emu) as c:
        content = raw if isinstance(raw, bytes) else json.dumps(raw).encode()
        r = c.post(SUBMIT, content=content, headers={**auth(), "Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["code"] == "VALIDATION_ERROR"
        detail = r.json()["detail"]
        for name in fields:
            assert f"{name}:" in detail
        assert ("country_code:" in detail) == ("country_code" in fields)
        assert r.headers["X-RateLimit-Remaining-Minute"] == "9"  # rejected bodies still count
    assert emu.stats()["jobs_created"] == 0 and emu.balance() == 1000


def test_valid_optional_fields_and_unknown_fields_are_accepted():
    emu = PixiiEmulator()
    with sync_client(emu) as c:
        r = submit(c, main_image_url="https://example.com/m.jpg", other_image_urls=["http://example.com/o.png"],
                   something_new={"x": 1}, country_code="UK")
        assert r.status_code == 200


# --- rate limits --------------------------------------------------------------------------------

def test_rate_limit_headers_429_and_retry_after():
    emu = PixiiEmulator(config={"minute_limit": 3, "day_limit": 5, "minute_window_seconds": 6})
    to_day_start(emu)
    with sync_client(emu) as c:
        remaining = []
        for _ in range(3):
            r = submit(c, TEST_KEY)
            assert r.status_code == 200
            assert (r.headers["X-RateLimit-Limit-Minute"], r.headers["X-RateLimit-Limit-Day"]) == ("3", "5")
            remaining.append((r.headers["X-RateLimit-Remaining-Minute"], r.headers["X-RateLimit-Remaining-Day"]))
        assert remaining == [("2", "4"), ("1", "3"), ("0", "2")]
        for _ in range(2):  # rejected by the limiter: not counted
            r = submit(c, TEST_KEY)
            assert r.status_code == 429 and r.json()["code"] == "RATE_LIMIT_MINUTE_EXCEEDED"
            assert r.headers["X-RateLimit-Remaining-Minute"] == "0" and r.headers["X-RateLimit-Remaining-Day"] == "2"
            assert 1 <= int(r.headers["Retry-After"]) <= 6 and r.json()["retry_after"] == int(r.headers["Retry-After"])
        assert c.get("/v1/api/jobs/x", headers=auth()).headers.get("X-RateLimit-Limit-Minute") is None
        emu.advance(int(r.headers["Retry-After"]))
        assert submit(c, TEST_KEY).status_code == 200
        assert c.post(SUBMIT, json={}, headers=auth()).status_code == 400  # counts: day now exhausted
        emu.advance(6)
        r = submit(c, TEST_KEY)
        assert r.status_code == 429 and r.json()["code"] == "RATE_LIMIT_DAY_EXCEEDED"
        assert DAY - 60 <= int(r.headers["Retry-After"]) <= DAY and r.headers["X-RateLimit-Remaining-Day"] == "0"
        emu.configure(minute_limit=0)  # both exceeded: the day limit wins
        assert submit(c, TEST_KEY).json()["code"] == "RATE_LIMIT_DAY_EXCEEDED"
        emu.advance(DAY)
        emu.configure(minute_limit=3)
        assert submit(c, TEST_KEY).status_code == 200
    assert emu.stats()["jobs_created"] == 5


def test_rate_limit_can_omit_retry_after_header_and_is_per_org():
    emu = PixiiEmulator(config={"minute_limit": 1, "omit_retry_after_header": True})
    to_day_start(emu)
    emu.register_key("pk_test_otherorg", org="other")
    with sync_client(emu) as c:
        assert submit(c, TEST_KEY).status_code == 200
        r = submit(c, LIVE_KEY)  # same (default) organisation
        assert r.status_code == 429 and "Retry-After" not in r.headers and 1 <= r.json()["retry_after"] <= 60
        assert submit(c, "pk_test_otherorg").status_code == 200


# --- list and get -------------------------------------------------------------------------------

def test_list_jobs_newest_first_pagination_and_isolation():
    emu = PixiiEmulator()
    emu.register_key("pk_test_otherorg", org="other")
    with sync_client(emu) as c:
        ids = []
        for _ in range(3):
            ids.append(submit(c, TEST_KEY).json()["job_id"])
            emu.advance(1)
        submit(c, TEST_KEY, asin="B0ZZZZZZZZ")
        other = submit(c, "pk_test_otherorg").json()["job_id"]

        def page(**params):
            r = c.get("/v1/api/jobs", params={"asin": "B0ABCDEFGH", **params}, headers=auth(TEST_KEY))
            assert r.status_code == 200, r.text
            return r.json()

        first = page()
        assert [j["id"] for j in first["data"]] == ids[::-1]
        assert (first["total"], first["page"], first["limit"]) == (3, 1, 20)
        assert set(first["data"][0]) == {"id", "job_type", "status", "created_at"}
        assert [j["id"] for j in page(limit=2)["data"]] == ids[:0:-1]
        assert [j["id"] for j in page(limit=2, page=2)["data"]] == ids[:1]
        assert page(limit=2, page=3)["data"] == [] and page(limit=500)["limit"] == 100
        for params in ({"asin": "B0AB"}, {"asin": "B" * 16}, {}, {"asin": "B0ABCDEFGH", "page": "0"},
                       {"asin": "B0ABCDEFGH", "limit": "x"}):
            r = c.get("/v1/api/jobs", params=params, headers=auth())
            assert r.status_code == 400 and r.json()["code"] == "VALIDATION_ERROR"
        assert c.get(f"/v1/api/jobs/{other}", headers=auth(TEST_KEY)).json()["code"] == "JOB_NOT_FOUND"
        assert c.get(f"/v1/api/jobs/{other}", headers=auth("pk_test_otherorg")).status_code == 200


def test_expiry_seven_days_after_completion():
    emu = PixiiEmulator()
    with sync_client(emu) as c:
        job = complete(emu, c)
        url = job["output"]["ads"][0]["preview_url"]
        assert c.get(url).status_code == 200
        emu.advance(7 * DAY - 60)
        assert c.get(f"/v1/api/jobs/{job['id']}", headers=auth()).status_code == 200
        emu.advance(120)
        r = c.get(f"/v1/api/jobs/{job['id']}", headers=auth())
        assert r.status_code == 404 and r.json()["code"] == "JOB_NOT_FOUND"
        assert c.get("/v1/api/jobs", params={"asin": BODY["asin"]}, headers=auth()).json()["total"] == 0
        r = c.get(url)
        assert r.status_code == 403 and b"expired" in r.content and r.headers["content-type"] == "application/xml"


def test_signed_image_urls():
    emu = PixiiEmulator()
    with sync_client(emu) as c:
        job = complete(emu, c, TEST_KEY)
        url = job["output"]["ads"][0]["preview_url"]
        r = c.get(url)
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        im = Image.open(io.BytesIO(r.content))
        im.load()
        assert im.format == "JPEG" and im.size == (1000, 1000)
        rgb = im.convert("RGB")
        for x, y in ((0, 0), (999, 0), (0, 999), (999, 999), (3, 3), (996, 996)):
            assert rgb.getpixel((x, y)) == (255, 255, 255)
        gallery = c.get(job["output"]["ads"][3]["preview_url"])
        assert gallery.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(gallery.content)).format == "PNG"
        path, query = url.split("?")
        assert c.get(path).status_code == 403
        assert c.get(url[:-4] + ("0000" if not url.endswith("0000") else "1111")).status_code == 403
        assert c.get(path.replace("/0.jpg", "/0.png") + "?" + query).status_code == 403  # signature covers the path
        assert c.get("/files/nope").status_code == 404


# --- scenarios ----------------------------------------------------------------------------------

def test_failed_partial_and_stuck_scenarios_with_refunds():
    emu = PixiiEmulator()
    with sync_client(emu) as c:
        failed = complete(emu, c, asin="B0FAIL0001")
        assert (failed["status"], failed["error_code"], failed["output"]) == ("failed", "GENERATION_FAILED", None)
        assert failed["credits_refunded"] == failed["credit_cost"] == 10 and failed["completed_at"]
        assert emu.balance() == 1000
        part = complete(emu, c, asin="B0PART0001")
        ads = part["output"]["ads"]
        assert part["status"] == "completed" and part["credits_refunded"] == 1 + 4  # 10 // 7, last gets 10 - 6
        assert [i for i, a in enumerate(ads) if a["preview_url"] is None] == [2, 6]
        assert ads[2]["error"]["code"] == "IMAGE_GENERATION_ERROR" and ads[6]["error"]["code"] == \
            "CONTENT_POLICY_VIOLATION" and ads[6]["error"]["message"]
        assert emu.balance() == 995
        small = complete(emu, c, asin="B0PART0002", listing_type="amazon_main_images")
        assert [a["preview_url"] is None for a in small["output"]["ads"]] == [False, True]
        assert small["credits_refunded"] == 2 and emu.balance() == 993
        stuck = submit(c, asin="B0STUCK001").json()["job_id"]
        emu.advance(30 * DAY)
        assert c.get(f"/v1/api/jobs/{stuck}", headers=auth()).json()["status"] == "processing"
        emu.set_next_outcome("fail")
        assert complete(emu, c)["status"] == "failed"
        assert complete(emu, c)["status"] == "completed"  # the override is for one job only


def test_refund_applies_once_without_polling():
    emu = PixiiEmulator()
    with sync_client(emu) as c:
        submit(c, asin="B0FAIL0001")
        assert emu.balance() == 990
        emu.advance(10)
        assert emu.balance() == 1000 and emu.balance() == 1000


def test_html_and_truncated_images():
    emu = PixiiEmulator()
    with sync_client(emu) as c:
        for asin in ("B0HTML0001", "B0TRUNC001"):
            job = complete(emu, c, asin=asin)
            r = c.get(job["output"]["ads"][1]["preview_url"])
            assert r.status_code == 200 and r.headers["content-type"] == "image/png"
            with pytest.raises(Exception):
                Image.open(io.BytesIO(r.content)).load()
            assert c.get(job["output"]["ads"][2]["preview_url"]).status_code == 200
