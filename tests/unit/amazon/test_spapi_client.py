"""SpApiClient against httpx.MockTransport: replays of Amazon's static sandbox (§8), typed errors, LWA errors,
marketplaces, slot helpers, token buckets and secrecy."""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import parse_qsl

import httpx
import pytest

from support.aio import run

from desktop_app.sandbox.amazon import static as SB
from desktop_app.api.amazon import marketplaces
from desktop_app.api.errors import ConfigError
from desktop_app.api.amazon.client import SpApiClient
from desktop_app.api.amazon.auth import LwaCredentials, user_agent
from desktop_app.api.amazon.errors import (AuthorizationRevoked, InvalidInput, ListingNotFound, LwaError,
                                           SpApiUnreachable, Throttled)
from desktop_app.api.amazon.models import (SLOTS, SlotError, attributes_with_images, image_patches, read_slots,
                                           slot_attribute)
from desktop_app.api.amazon.ratelimit import DEFAULT_RATES, TokenBucket

SECRET, REFRESH, ACCESS = "lwa-SECRET-value-123", "Atzr|REFRESH-secret-456", "Atza|ACCESS-secret-789"
CREDS = LwaCredentials("amzn1.application-oa2-client.test", SECRET, REFRESH)
US = "ATVPDKIKX0DER"


def static_sandbox(seen: list):
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": ACCESS, "token_type": "bearer", "expires_in": 3600,
                                             "refresh_token": REFRESH})
        assert request.headers["x-amz-access-token"] == ACCESS
        sku = request.url.raw_path.decode().split("?")[0].rsplit("/", 1)[1]
        query = dict(parse_qsl(request.url.query.decode()))
        status, body = SB.match(request.method, sku, query)
        return httpx.Response(status, json=body, headers={"x-amzn-RequestId": "r-1"})
    return handler


def make(handler, **kw):
    sleeps = []

    async def fake_sleep(seconds):
        sleeps.append(seconds)

    kw.setdefault("rates", {k: (1000.0, 1000.0) for k in DEFAULT_RATES})
    client = SpApiClient(CREDS, transport=httpx.MockTransport(handler), sandbox_hosts=True, sleep=fake_sleep, **kw)
    return client, sleeps



def test_replay_get_item_with_two_marketplaces_and_issues():
    seen = []
    client, _ = make(static_sandbox(seen))
    item = run(client.get_listings_item("A3FHEXAMPLEYWS", "GM-ZDPI-9B4E", US))
    assert item.product_type(US) == "LUGGAGE" and item.asin("A2EUQ1WTGCTBG2") == "B071VG5N9D"
    assert item.title() == "Hardside Carry-On Spinner Suitcase Luggage"
    assert item.main_image(US) == "https://www.example.com/luggage.png"
    assert [i.code for i in item.issues] == ["90220", "18027", "99300", "18155", "18742"]
    assert item.issues[1].categories == ("INVALID_IMAGE",)
    assert item.issues[1].enforcements["exemption"]["status"] == "EXEMPT_UNTIL_EXPIRY_DATE"
    request = seen[-1]
    assert str(request.url).startswith("https://sandbox.sellingpartnerapi-na.amazon.com/listings/2021-08-01/items/")
    assert request.url.params["includedData"] == "summaries,attributes,issues,productTypes"
    assert request.headers["user-agent"].startswith("Listing Studio/") and "Language=Python/" in request.headers[
        "user-agent"] and "x-amz-date" in request.headers


@pytest.mark.parametrize("method", ["put", "patch"])
def test_replay_previews_and_accepted(method):
    seen = []
    client, _ = make(static_sandbox(seen))
    call = getattr(client, f"{method}_listings_item")
    kw = ({"attributes": {"fake_attribute": [{"value": 1}]}} if method == "put"
          else {"patches": image_patches(US, {"MAIN": "https://cdn.example.com/m.jpg"})})
    valid = run(call("SELLER", "VALIDATION_VALID", US, product_type="LUGGAGE", mode="VALIDATION_PREVIEW", **kw))
    assert valid.status == "VALID" and valid.ok and valid.identifiers[0]["asin"] == "B07N4M94X4"
    assert seen[-1].url.params["mode"] == "VALIDATION_PREVIEW" and seen[-1].url.params["includedData"] == \
        "identifiers,issues"
    invalid = run(call("SELLER", "VALIDATION_INVALID", US, product_type="LUGGAGE", mode="VALIDATION_PREVIEW", **kw))
    assert invalid.status == "INVALID" and not invalid.ok
    assert invalid.submission_id == "a1c562c2-1695-11ee-be56-0242ac120002"
    assert "fake_attribute" in [a for i in invalid.issues for a in i.attribute_names]
    if method == "put":
        assert invalid.issues[0].code == "90220" and invalid.issues[0].categories == ("MISSING_ATTRIBUTE",)
    accepted = run(call("SELLER", "GM-ZDPI-9B4E", US, product_type="LUGGAGE", **kw))
    assert accepted.status == "ACCEPTED" and accepted.submission_id == "f1dc2914-75dd-11ea-bc55-0242ac130003"
    body = json.loads(seen[-1].content)
    assert body["productType"] == "LUGGAGE" and seen[-1].headers["content-type"] == "application/json"
    assert "mode" not in seen[-1].url.params


def test_replay_delete_and_bad_sku_error_array():
    client, _ = make(static_sandbox([]))
    assert run(client.delete_listings_item("SELLER", "GM-ZDPI-9B4E", US)).status == "ACCEPTED"
    with pytest.raises(InvalidInput) as info:
        run(client.get_listings_item("SELLER", "BadSKU", US))
    assert info.value.code == "BAD_REQUEST" and info.value.detail == "Invalid input" and info.value.status == 400
    assert info.value.errors[0].message == "Invalid input"


def test_no_match_and_404_and_sku_encoding():
    seen = []

    def handler(request):
        seen.append(request)
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": ACCESS, "expires_in": 3600})
        if request.method == "GET":
            return httpx.Response(404, json={"errors": [{"code": "NOT_FOUND", "message": "SKU not found"}]})
        return httpx.Response(400, json=SB.NO_MATCH)

    client, sleeps = make(handler)
    with pytest.raises(ListingNotFound):
        run(client.get_listings_item("SELLER", "MUG/BLK 16+#?", US))
    assert seen[-1].url.raw_path.decode().split("?")[0].endswith("/SELLER/MUG%2FBLK%2016%2B%23%3F")
    with pytest.raises(InvalidInput, match="Could not match input arguments"):
        run(client.delete_listings_item("SELLER", "X", US))
    assert sleeps == []  # 400/404 are never retried


def test_lwa_errors_are_typed_and_never_leak_secrets(caplog):
    caplog.set_level(logging.DEBUG)

    def revoked(request):
        return httpx.Response(400, json={"error_description": "The request has an invalid grant parameter : "
                                         "refresh_token. User may have revoked or didn't grant the permission.",
                                         "error": "invalid_grant"})

    client, _ = make(revoked)
    with pytest.raises(AuthorizationRevoked) as info:
        run(client.get_listings_item("SELLER", "SKU", US))
    assert "authorization was revoked" in str(info.value)
    client, _ = make(lambda r: httpx.Response(401, json={"error": "invalid_client", "error_description": "x"}))
    with pytest.raises(LwaError) as info2:
        run(client.get_listings_item("SELLER", "SKU", US))
    assert info2.value.code == "invalid_client"
    for text in (repr(client), str(client), repr(CREDS), str(CREDS), str(info.value), repr(info.value),
                 str(info2.value), repr(client.auth), caplog.text):
        assert SECRET not in text and REFRESH not in text and ACCESS not in text


def test_5xx_retried_then_unreachable_within_bound():
    calls = []

    def handler(request):
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": ACCESS, "expires_in": 3600})
        calls.append(1)
        return httpx.Response(503, json={"errors": [{"code": "ServiceUnavailable", "message": "down"}]})

    client, sleeps = make(handler, max_retries=4)
    with pytest.raises(SpApiUnreachable) as info:
        run(client.get_listings_item("SELLER", "SKU", US))
    assert not isinstance(info.value, Throttled) and len(calls) == 5 and len(sleeps) == 4
    assert all(0 <= s <= 30 for s in sleeps) and "gave up" in info.value.message


def test_marketplaces_cn_refused_uk_is_gb():
    with pytest.raises(marketplaces.MarketplaceError, match="China has no SP-API marketplace"):
        marketplaces.for_country("CN")
    assert marketplaces.for_country("UK") == marketplaces.for_country("gb")
    assert marketplaces.for_country("UK").marketplace_id == "A1F83G8C2ARO7P"
    from desktop_app.api.pixii.vocab import COUNTRY_CODES
    for code in COUNTRY_CODES - {"CN"}:
        market = marketplaces.for_country(code)
        assert market.host.startswith("https://sellingpartnerapi-") and market.region in ("NA", "EU", "FE")
    assert marketplaces.for_country("JP").host == "https://sellingpartnerapi-fe.amazon.com"
    assert isinstance(marketplaces.MarketplaceError("a", "b"), ConfigError)
    with pytest.raises(marketplaces.MarketplaceError):
        marketplaces.for_country("XX")


def test_slot_helpers():
    assert SLOTS[0] == "MAIN" and SLOTS[-1] == "SWCH" and slot_attribute("pt08") == "other_product_image_locator_8"
    with pytest.raises(SlotError):
        slot_attribute("PT09")
    patches = image_patches(US, {"MAIN": "https://c/m.jpg", "PT08": None})
    assert patches == [
        {"op": "replace", "path": "/attributes/main_product_image_locator",
         "value": [{"marketplace_id": US, "media_location": "https://c/m.jpg"}]},
        {"op": "delete", "path": "/attributes/other_product_image_locator_8", "value": [{"marketplace_id": US}]}]
    with pytest.raises(SlotError):
        image_patches(US, {"MAIN": None})
    attrs = {"item_name": [{"value": "x"}], "other_product_image_locator_1": [
        {"marketplace_id": "OTHER", "media_location": "https://o"}, {"marketplace_id": US, "media_location": "https://u"}]}
    slots = read_slots(attrs, US)
    assert slots["PT01"] == "https://u" and slots["MAIN"] is None
    new = attributes_with_images(attrs, US, {"PT01": None, "SWCH": "https://s"})
    assert new["other_product_image_locator_1"] == [{"marketplace_id": "OTHER", "media_location": "https://o"}]
    assert new["swatch_product_image_locator"][0]["media_location"] == "https://s" and new["item_name"] == attrs[
        "item_name"] and attrs["other_product_image_locator_1"][1]["media_location"] == "https://u"


def test_token_bucket_preview_one_per_second():
    now = [0.0]
    waits = []

    async def sleep(s):
        waits.append(s)
        now[0] += s

    async def go():
        bucket = TokenBucket(*DEFAULT_RATES["preview"], clock=lambda: now[0], sleep=sleep)
        for _ in range(3):
            await bucket.acquire()
    run(go())
    assert DEFAULT_RATES["preview"] == (1.0, 1.0) and now[0] == pytest.approx(2.0)


def test_user_agent_convention_and_http_only_for_loopback():
    ua = user_agent("My/App", "1.0(beta)", Extra="a;b)")
    assert ua.startswith("My\\/App/1.0\\(beta) (Language=Python/") and "Extra=a\\;b\\)" in ua
    with pytest.raises(ConfigError):
        SpApiClient(CREDS, base_url="http://example.com")
    with pytest.raises(ConfigError):
        SpApiClient(CREDS, lwa_url="http://example.com/auth/o2/token")
    SpApiClient(CREDS, base_url="http://127.0.0.1:9", lwa_url="http://localhost:9/auth/o2/token")


def test_rate_limit_header_adopted_into_operation_bucket():
    limits = iter(["2.0", "12.5", "not-a-number", None])
    seen = []

    def handler(request):
        if request.url.path == "/auth/o2/token":
            return static_sandbox(seen)(request)
        seen.append(request)
        value = next(limits)
        return httpx.Response(200, json=SB.ITEM, headers={"x-amzn-RateLimit-Limit": value} if value else {})

    async def go():
        client, _ = make(handler, rates={"getListingsItem": (5.0, 5.0)})
        bucket = client.buckets.bucket("S1", "NA", "getListingsItem")
        rates = []
        for _ in range(4):
            await client.get_listings_item("S1", "GM-ZDPI-9B4E", US)
            rates.append((bucket.rate, bucket.burst))
        # a preview PUT's header goes to putListingsItem; the preview bucket keeps 1 request/s
        await client.aclose()
        return rates
    assert run(go()) == [(2.0, 5.0), (12.5, 5.0), (12.5, 5.0), (12.5, 5.0)]

    async def preview():
        client, _ = make(lambda r: httpx.Response(200, json={"access_token": ACCESS, "expires_in": 3600,
                                                              "token_type": "bearer"}
                                                  if r.url.path == "/auth/o2/token" else SB.VALID,
                                                  headers={"x-amzn-RateLimit-Limit": "3"}),
                         rates={"preview": (1.0, 1.0), "putListingsItem": (5.0, 5.0)})
        await client.put_listings_item("S1", "VALIDATION_VALID", US, product_type="LUGGAGE", attributes={"a": []},
                                       mode="VALIDATION_PREVIEW")
        await client.aclose()
        return (client.buckets.bucket("S1", "NA", "preview").rate,
                client.buckets.bucket("S1", "NA", "putListingsItem").rate)
    assert run(preview()) == (1.0, 3.0)


def test_rate_limit_header_lowers_the_pace_of_later_calls():
    now = [0.0]

    async def sleep(s):
        now[0] += s

    async def go():
        bucket = TokenBucket(5.0, 1.0, clock=lambda: now[0], sleep=sleep)
        await bucket.acquire()
        assert bucket.set_rate(0.5) and not bucket.set_rate(0.5) and not bucket.set_rate(0)
        await bucket.acquire()
        return now[0], bucket.burst
    assert run(go()) == (pytest.approx(2.0), 1.0)


def test_marketplace_of_another_region_refused_locally():
    seen = []
    de = marketplaces.for_country("DE").marketplace_id

    async def go(base_url):
        client = SpApiClient(CREDS, base_url=base_url, transport=httpx.MockTransport(static_sandbox(seen)),
                             sleep=lambda s: asyncio.sleep(0))
        try:
            return await client.get_listings_item("S1", "GM-ZDPI-9B4E", de)
        finally:
            await client.aclose()
    for url in ("https://sellingpartnerapi-na.amazon.com", "https://sandbox.sellingpartnerapi-fe.amazon.com/"):
        with pytest.raises(marketplaces.MarketplaceError, match=r"DE \(A1PA6795UKMFR9\) is in the EU region") as info:
            run(go(url))
        assert info.value.code == "WRONG_REGION"
    assert seen == []                                      # refused before any request, even the token one
    assert marketplaces.region_of_url("https://sellingpartnerapi-eu.amazon.com") == "EU"
    # the EU host, the embedded emulator and a loopback emulator serve DE
    for url in ("https://sellingpartnerapi-eu.amazon.com", "https://spapi.sandbox.invalid", "http://127.0.0.1:9"):
        assert run(go(url)).sku == "GM-ZDPI-9B4E"
    assert all(r.url.path.endswith("GM-ZDPI-9B4E") for r in seen if r.url.path != "/auth/o2/token")
