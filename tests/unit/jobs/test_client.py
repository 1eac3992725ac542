"""PixiiClient against httpx.MockTransport: typed errors, envelope, retries, rate limits, redaction."""

import json

import httpx
import pytest

from support.aio import run

from desktop_app.api import errors
from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.client import PixiiClient

KEY = "pk_live_SECRETkey123456"
REQ = ListingRequest("B0TESTASIN", "US", "amazon_listing")
JOB = {"id": "job_1", "job_type": "Listing Builder", "status": "pending", "created_at": "2026-01-01T00:00:00Z",
       "started_at": None, "completed_at": None, "credit_cost": 10, "credits_refunded": 0, "output": None,
       "error_code": None}


def make_client(handler, **kw):
    sleeps = []

    async def fake_sleep(seconds):
        sleeps.append(seconds)

    client = PixiiClient("https://api.example.test", KEY, transport=httpx.MockTransport(handler),
                         sleep=fake_sleep, **kw)
    return client, sleeps



def err(status, code, **extra):
    return httpx.Response(status, json={"code": code, "message": f"{code} happened", "detail": None, **extra})


@pytest.mark.parametrize("status,code,cls", [
    (401, "UNAUTHORIZED", errors.Unauthorized),
    (400, "VALIDATION_ERROR", errors.ValidationFailed),
    (400, "INSUFFICIENT_CREDITS", errors.InsufficientCredits),
    (402, "INSUFFICIENT_CREDITS", errors.InsufficientCredits),
    (400, "NO_ACTIVE_BRAND", errors.NoActiveBrand),
    (422, "NO_ACTIVE_BRAND", errors.NoActiveBrand),
])
@pytest.mark.parametrize("wrapped", [False, True])
def test_submission_refusals_are_typed_by_code_and_never_retried(status, code, cls, wrapped):
    calls = []

    def handler(request):
        calls.append(request)
        body = {"code": code, "message": "no", "detail": "asin: bad"}
        if wrapped:
            body = {"success": False, "data": None, "error": body}
        return httpx.Response(status, json=body)

    client, sleeps = make_client(handler)
    with pytest.raises(cls) as info:
        run(client.create_listing(REQ))
    assert info.value.code == code and info.value.status == status
    assert len(calls) == 1 and sleeps == []


def test_job_not_found_and_unknown_code():
    def handler(request):
        if request.url.path.endswith("/missing"):
            return err(404, "JOB_NOT_FOUND")
        return err(418, "TEAPOT_ERROR")

    client, _ = make_client(handler)
    with pytest.raises(errors.JobNotFound):
        run(client.get_job("missing"))
    with pytest.raises(errors.ApiRefused) as info:
        run(client.get_job("other"))
    assert info.value.code == "TEAPOT_ERROR" and "TEAPOT_ERROR happened" in str(info.value)


def test_status_fallback_when_body_has_no_code():
    client, _ = make_client(lambda r: httpx.Response(401, text="nope"))
    with pytest.raises(errors.Unauthorized):
        run(client.get_job("x"))


def test_wrapper_and_extra_fields_are_tolerated():
    def handler(request):
        if request.method == "POST":
            assert request.headers["Authorization"] == f"Bearer {KEY}"
            assert json.loads(request.content) == {"asin": "B0TESTASIN", "country_code": "US",
                                                   "listing_type": "amazon_listing",
                                                   "main_image_url": "https://img.example/m.jpg",
                                                   "other_image_urls": ["https://img.example/a.jpg"]}
            return httpx.Response(200, json={"success": True, "error": None, "data": {
                "job_id": "job_9", "job_type": "Listing Builder", "status": "pending",
                "created_at": "2026-01-01T00:00:00Z", "remaining_credits": 42, "surprise": [1, 2]}})
        return httpx.Response(200, json={**JOB, "brand_new_field": {"x": 1}})

    client, _ = make_client(handler)
    sub = run(client.create_listing(ListingRequest("B0TESTASIN", "US", "amazon_listing", "https://img.example/m.jpg",
                                                   ("https://img.example/a.jpg",))))
    assert sub.job_id == "job_9" and sub.remaining_credits == 42
    assert client.last_remaining_credits == 42
    assert run(client.get_job("job_1")).status == "pending"


def test_optional_reference_keys_are_omitted():
    assert ListingRequest("B0TESTASIN", "US", "amazon_listing").to_json() == {
        "asin": "B0TESTASIN", "country_code": "US", "listing_type": "amazon_listing"}


def test_missing_required_field_fails_clearly():
    client, _ = make_client(lambda r: httpx.Response(200, json={"job_type": "Listing Builder", "status": "pending"}),
                            give_up_after=0)
    with pytest.raises(errors.ApiError) as info:
        run(client.get_job("job_1"))
    assert "'id'" in info.value.message or "'job_id'" in info.value.message


def test_completed_job_without_output_is_an_error():
    client, _ = make_client(lambda r: httpx.Response(200, json={**JOB, "status": "completed"}), give_up_after=0)
    with pytest.raises(errors.ApiError, match="output.ads"):
        run(client.get_job("job_1"))


def test_get_retries_5xx_and_malformed_then_succeeds():
    answers = [err(503, "SERVICE_UNAVAILABLE"), httpx.Response(200, content=b'{"id": '),
               httpx.Response(502, text="<html>Bad gateway</html>"), httpx.Response(200, json=JOB)]
    client, sleeps = make_client(lambda r: answers.pop(0))
    assert run(client.get_job("job_1")).id == "job_1"
    assert len(sleeps) == 3 and all(0 <= s <= client.backoff_cap for s in sleeps)


def test_get_retries_network_errors_with_capped_backoff():
    count = {"n": 0}

    def handler(request):
        count["n"] += 1
        if count["n"] < 6:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json=JOB)

    client, sleeps = make_client(handler, give_up_after=1000)
    run(client.get_job("job_1"))
    assert len(sleeps) == 5 and max(sleeps) <= client.backoff_cap


def test_get_gives_up_within_the_limit():
    def handler(request):
        raise httpx.ReadTimeout("slow", request=request)

    client, sleeps = make_client(handler, give_up_after=0.0)
    with pytest.raises(errors.Unreachable):
        run(client.get_job("job_1"))


def test_minute_limit_honours_retry_after_header_then_body():
    answers = [err(429, "RATE_LIMIT_MINUTE_EXCEEDED", retry_after=99),
               err(429, "RATE_LIMIT_MINUTE_EXCEEDED", retry_after=7),
               httpx.Response(200, json={"job_id": "job_2", "status": "pending", "created_at": "2026-01-01T00:00:00Z"})]
    answers[0].headers["Retry-After"] = "3"

    client, sleeps = make_client(lambda r: answers.pop(0))
    assert run(client.create_listing(REQ)).job_id == "job_2"
    assert sleeps == [3.0, 7.0]


def test_daily_limit_surfaces_at_once():
    resp = err(429, "RATE_LIMIT_DAY_EXCEEDED", retry_after=40000)
    resp.headers["Retry-After"] = "40000"
    client, sleeps = make_client(lambda r: resp)
    with pytest.raises(errors.RateLimited) as info:
        run(client.create_listing(REQ))
    assert info.value.daily and sleeps == []
    assert client.rate_limits.snapshot.day_exhausted


def test_rate_limit_headers_are_visible_state():
    def handler(request):
        return httpx.Response(200, json={"job_id": "j", "status": "pending", "created_at": "2026-01-01T00:00:00Z"},
                              headers={"X-RateLimit-Limit-Minute": "10", "X-RateLimit-Remaining-Minute": "7",
                                       "X-RateLimit-Limit-Day": "500", "X-RateLimit-Remaining-Day": "480"})

    client, _ = make_client(handler)
    seen = []
    client.rate_limits.subscribe(seen.append)
    run(client.create_listing(REQ))
    snap = client.rate_limits.snapshot
    assert (snap.limit_minute, snap.remaining_minute, snap.limit_day, snap.remaining_day) == (10, 7, 500, 480)
    assert seen and snap.describe() == "7 of 10 submissions left this minute, 480 of 500 left today"


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError])
def test_post_lost_after_sending_is_ambiguous_and_not_retried(failure):
    calls = []

    def handler(request):
        calls.append(1)
        raise failure("lost", request=request)

    client, _ = make_client(handler)
    with pytest.raises(errors.AmbiguousSubmission):
        run(client.create_listing(REQ))
    assert len(calls) == 1


def test_post_5xx_and_unreadable_2xx_are_ambiguous():
    for answer in (err(500, "INTERNAL_ERROR"), httpx.Response(200, content=b"<html>")):
        client, _ = make_client(lambda r, a=answer: a)
        with pytest.raises(errors.AmbiguousSubmission):
            run(client.create_listing(REQ))


def test_post_connect_error_is_retried_because_nothing_was_sent():
    answers = [httpx.ConnectError("refused"), httpx.Response(200, json={"job_id": "j", "created_at": "x"})]

    def handler(request):
        a = answers.pop(0)
        if isinstance(a, Exception):
            raise a
        return a

    client, sleeps = make_client(handler)
    assert run(client.create_listing(REQ)).job_id == "j" and len(sleeps) == 1


def test_list_jobs_reads_every_page():
    jobs = [{"id": f"job_{i}", "job_type": "Listing Builder", "status": "completed",
             "created_at": f"2026-01-01T00:00:{59 - i:02d}Z"} for i in range(45)]

    def handler(request):
        page, limit = int(request.url.params["page"]), int(request.url.params["limit"])
        limit = min(limit, 20)  # a server that caps the page size
        return httpx.Response(200, json={"data": jobs[(page - 1) * limit: page * limit], "total": 45,
                                         "page": page, "limit": limit})

    client, _ = make_client(handler)
    got = run(client.list_jobs("B0TESTASIN"))
    assert [j.id for j in got] == [j["id"] for j in jobs]


def test_only_https_or_loopback():
    with pytest.raises(errors.ConfigError):
        PixiiClient("http://api.pixii.ai", KEY)
    PixiiClient("http://127.0.0.1:8765", KEY)
    PixiiClient("http://localhost:1", KEY)


def test_key_never_in_repr_or_errors():
    client, _ = make_client(lambda r: err(401, "UNAUTHORIZED"))
    assert KEY not in repr(client) and "SECRET" not in repr(client)
    with pytest.raises(errors.Unauthorized) as info:
        run(client.get_job("job_1"))
    assert KEY not in str(info.value) and KEY not in repr(info.value)


def test_key_only_sent_as_bearer_header():
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json=JOB)

    client, _ = make_client(handler)
    run(client.get_job("job_1"))
    req = seen[0]
    assert req.headers["Authorization"] == f"Bearer {KEY}"
    assert KEY not in str(req.url)


def test_every_service_error_is_an_api_error_and_amazon_errors_are_not_pixii_errors():
    from desktop_app.api.amazon import errors as spapi_errors
    amazon = [spapi_errors.spapi_error(s, None) for s in (400, 403, 404, 429, 500)] + \
        [spapi_errors.lwa_error(400, {"error": "invalid_grant"})]
    pixii = [errors.error_from_response(s, {"code": c}, None) for s, c in
             ((401, "UNAUTHORIZED"), (429, "RATE_LIMIT_MINUTE_EXCEEDED"), (500, "INTERNAL_ERROR"), (418, None))]
    for error in amazon + pixii:
        assert isinstance(error, errors.ApiError), error
    assert not any(isinstance(error, errors.PixiiError) for error in amazon)
    assert isinstance(pixii[0], errors.PixiiError) and isinstance(pixii[0], errors.ApiRefused)
    assert isinstance(amazon[0], errors.ApiRefused) and isinstance(amazon[4], errors.ServerError)
