"""Hostile answers to a request already sent: JSON nested beyond reason, an answer over 10 MB, a job id that is
not a plain token, wrong types. Each is an unreadable answer (BAD_RESPONSE: a GET is retried, a POST is
reconciled like a lost answer and never paid twice), never exit 2 and never an internal error. Text from a
service is printed with its control characters replaced."""

import asyncio
import json

import httpx
import pytest

from support.cli import cli_env, run_cli
from desktop_app.api.errors import AmbiguousSubmission, ApiError
from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.client import PixiiClient
from desktop_app.api.amazon.client import SpApiClient
from desktop_app.api.amazon.auth import LwaCredentials
from support.fake_pixii import FakePixii, send, send_json

KEY = "pk_test_hostileKey00001"
API = "https://api.pixii.example"
MB = 1024 * 1024
DEEP = b"[" * 100_000 + b"]" * 100_000
NESTED_100 = json.dumps({"job_id": "job_1", "x": json.loads("[" * 100 + "]" * 100)}).encode()


class Huge(httpx.AsyncByteStream):
    """An endless-looking body of ``total`` bytes of JSON-ish filler; counts what was read."""

    def __init__(self, total: int) -> None:
        self.total, self.sent = total, 0

    async def __aiter__(self):
        yield b'{"job_id": "job_1", "pad": "'
        while self.sent < self.total:
            self.sent += MB
            yield b"x" * MB
        yield b'"}'


def client_for(handler) -> PixiiClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), trust_env=False)
    return PixiiClient(API, KEY, http=http, give_up_after=0.3, backoff_base=0.01, backoff_cap=0.02)


def outcome(call):
    async def main():
        try:
            return await call
        except ApiError as exc:
            return exc
    return asyncio.run(main())


@pytest.mark.parametrize("body", [DEEP, NESTED_100], ids=["100000-deep", "100-deep"])
def test_json_nested_beyond_reason_is_an_unreadable_answer(body):
    client = client_for(lambda request: httpx.Response(200, content=body))
    polled = outcome(client.get_job("job_1"))
    assert isinstance(polled, ApiError) and polled.code == "BAD_RESPONSE", polled
    submitted = outcome(client.create_listing(ListingRequest("B0HOSTILE1", "US", "amazon_listing")))
    assert isinstance(submitted, AmbiguousSubmission), submitted


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
def test_an_answer_over_10_mb_is_refused_without_being_read_whole(declared):
    streams = []

    def handler(request):
        streams.append(Huge(300 * MB))
        headers = {"Content-Length": str(300 * MB)} if declared else {}
        return httpx.Response(200, headers=headers, stream=streams[-1])

    client = client_for(handler)
    polled = outcome(client.get_job("job_1"))
    assert isinstance(polled, ApiError) and polled.code == "BAD_RESPONSE", polled
    submitted = outcome(client.create_listing(ListingRequest("B0HOSTILE1", "US", "amazon_listing")))
    assert isinstance(submitted, AmbiguousSubmission), submitted
    assert max(s.sent for s in streams) <= 11 * MB


@pytest.mark.parametrize("job_id", ["../../etc/passwd", "a/b", "job 1", "", "job\x1b[2J", 12345, ["job_1"], None])
def test_a_job_id_that_is_not_a_plain_token_is_an_unreadable_answer(job_id):
    def handler(request):
        if request.method == "POST":
            return httpx.Response(200, json={"job_id": job_id, "status": "pending"})
        if request.url.path == "/v1/api/jobs":
            return httpx.Response(200, json={"data": [{"id": job_id, "status": "completed",
                                                       "created_at": "2026-01-01T00:00:00Z"}]})
        return httpx.Response(200, json={"id": job_id, "status": "pending", "created_at": "2026-01-01T00:00:00Z"})

    client = client_for(handler)
    submitted = outcome(client.create_listing(ListingRequest("B0HOSTILE1", "US", "amazon_listing")))
    assert isinstance(submitted, AmbiguousSubmission), submitted
    for call in (client.get_job("job_1"), client.list_jobs("B0HOSTILE1")):
        answer = outcome(call)
        assert isinstance(answer, ApiError) and answer.code == "BAD_RESPONSE", answer


def test_spapi_answers_over_the_cap_or_nested_beyond_reason_are_unreadable():
    def handler(request):
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "Atza|t", "expires_in": 3600})
        if "deep" in request.url.path:
            return httpx.Response(200, content=DEEP)
        return httpx.Response(200, stream=Huge(300 * MB))

    async def main():
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler), trust_env=False)
        client = SpApiClient(LwaCredentials("amzn1.application-oa2-client.x", "secret", "Atzr|r"),
                             base_url="https://sellingpartnerapi-na.amazon.com",
                             lwa_url="https://sellingpartnerapi-na.amazon.com/auth/o2/token", http=http,
                             give_up_after=0.3, backoff_base=0.01, backoff_cap=0.02)
        found = []
        for sku in ("deep", "huge"):
            try:
                await client.get_listings_item("A1SELLER", sku, "ATVPDKIKX0DER")
            except Exception as exc:  # noqa: BLE001 - the type is what is checked
                found.append(exc)
        return found

    for exc in asyncio.run(main()):
        assert type(exc).__name__ not in ("RecursionError", "MemoryError") and getattr(exc, "code", "") == "BAD_RESPONSE", exc


# --- the command line against a loopback fake ------------------------------------------------------------------

def env_for(fake, tmp_path):
    return cli_env(LISTING_STUDIO_API_URL=fake.url, PIXII_API_KEY=KEY, LISTING_STUDIO_DATA_DIR=str(tmp_path / "d"),
                   LISTING_STUDIO_GIVE_UP_AFTER="1", LISTING_STUDIO_POLL_INTERVAL="0.05")


def generate(env):
    return run_cli("generate", "--asin", "B0HOSTILE1", "--country", "US", "--type", "amazon_listing", "--no-wait",
                   "--json", env=env, timeout=60)


def test_a_path_in_the_submission_answer_is_reconciled_and_never_paid_twice(tmp_path):
    with FakePixii() as fake:
        fake.submit_answer = lambda h: send_json(h, 200, {"job_id": "../../etc/passwd", "status": "pending"})
        r = generate(env_for(fake, tmp_path))
        assert r.code == 0, r.err
        assert r.json["job_id"] == "job_ok1" and fake.posts == 1
        again = run_cli("jobs", "--json", env=env_for(fake, tmp_path))
        assert [j["job_id"] for j in again.json["jobs"]] == ["job_ok1"] and fake.posts == 1


def test_json_nested_beyond_reason_on_a_poll_exits_6_naming_the_job(tmp_path):
    with FakePixii() as fake:
        fake.routes["/v1/api/jobs/job_ok1"] = lambda h: send(h, 200, DEEP)
        r = run_cli("generate", "--asin", "B0HOSTILE1", "--country", "US", "--type", "amazon_listing", "--json",
                    env=env_for(fake, tmp_path), timeout=60)
        assert r.code == 6, r.err
        assert r.json["error"]["code"] == "BAD_RESPONSE" and "[job job_ok1]" in r.err
        assert "Traceback" not in r.err and fake.posts == 1


HOSTILE = "\x1b[2J\x1b[1;31mKey refused\r\nerror: all fine, nothing was charged\x07\x9b31m"


def test_service_text_is_printed_without_control_characters(tmp_path):
    with FakePixii() as fake:
        fake.submit_answer = lambda h: send_json(h, 422, {"success": False, "error": {
            "code": "VALIDATION_ERROR", "message": HOSTILE, "detail": "\x1b]0;owned\x07"}})
        r = generate(env_for(fake, tmp_path))
        assert r.code == 3
        assert not any(c in r.err for c in "\x1b\r\x07\x9b"), repr(r.err)
        assert r.err.count("\n") == 1 and "Key refused" in r.err


def test_the_window_shows_service_text_without_control_characters(qtbot):
    from desktop_app.ui.main.banner import Banner

    banner = Banner()
    qtbot.addWidget(banner)
    banner.show_error("VALIDATION_ERROR", HOSTILE)
    shown = banner.text_label.text() + banner.accessibleDescription()
    assert "Key refused" in shown and not any(c in shown for c in "\x1b\r\n\x07\x9b"), repr(shown)
