"""getDefinitionsProductType: SpApiClient against the SP-API emulator (loopback socket and in-process) — the
definition parsed, the schema downloaded from its presigned link without the access token, the session cache,
errors; and the emulator's routes themselves (auth, validation, rate bucket, the schema link's rules)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from support.aio import run

from desktop_app.api.errors import BadResponse
from desktop_app.api.amazon.client import SpApiClient
from desktop_app.api.amazon.auth import LwaCredentials
from desktop_app.api.amazon.definitions import ProductTypeNotFound
from desktop_app.api.amazon.errors import InvalidInput, SpApiRefused
from desktop_app.api.amazon.models import SLOT_ATTRIBUTES, attributes_with_images
from desktop_app.api.amazon.ratelimit import DEFAULT_RATES
from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.server import serve
from desktop_app.sandbox.amazon.emulator import SPAPI_SANDBOX_URL, SpApiEmulator
from desktop_app.sandbox.amazon.data import (SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN,
                                             SANDBOX_SELLER_ID)
from desktop_app.sandbox.transport import SandboxTransport

CREDS = LwaCredentials(SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN)
SELLER, US, GB, DE = SANDBOX_SELLER_ID, "ATVPDKIKX0DER", "A1F83G8C2ARO7P", "A1PA6795UKMFR9"
IMAGES = tuple(SLOT_ATTRIBUTES.values())
DEFS = "/definitions/2020-09-01/productTypes/"


class Recording(httpx.AsyncBaseTransport):
    """Passes every request on unchanged and keeps it, to see what the client sent."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.requests = inner, []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)


class Env:
    def __init__(self, mode: str) -> None:
        self.emulator = SpApiEmulator(config={"processing_seconds": 0.0})
        self.server = None
        if mode == "loopback":
            self.server = serve(PixiiEmulator(), spapi=self.emulator).start()
            self.url = self.server.url
            self.transport = Recording(httpx.AsyncHTTPTransport())
        else:
            self.url = SPAPI_SANDBOX_URL
            self.transport = Recording(SandboxTransport(self.emulator))
        self.t = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def client(self, **kw) -> SpApiClient:
        http = httpx.AsyncClient(transport=self.transport, trust_env=False, timeout=5.0)
        return SpApiClient(CREDS, base_url=self.url, lwa_url=f"{self.url}/auth/o2/token", http=http,
                           clock=self.clock, sleep=self.sleep, **kw)

    def paths(self) -> list[str]:
        return [f"{r['method']} {r['path']}" for r in self.emulator.stats()["requests"]
                if not r["path"].startswith("/auth/")]

    def close(self) -> None:
        if self.server:
            self.server.stop()


@pytest.fixture(params=["loopback", "inprocess"])
def env(request):
    e = Env(request.param)
    yield e
    e.close()



# --- client against the emulator ----------------------------------------------------------------

def test_definition_parsed_and_schema_downloaded_without_the_token(env):
    async def go():
        client = env.client()
        definition = await client.get_product_type_definition("DRINKING_CUP", US)
        await client.aclose()
        return definition
    d = run(go())
    assert (d.product_type, d.marketplace_id, d.requirements, d.requirements_enforced) == (
        "DRINKING_CUP", US, "LISTING", "ENFORCED")
    assert d.version.startswith("U") and d.checksum
    assert d.required_attributes == tuple(env.emulator.get_config()["required_attributes"])
    assert d.image_attributes == IMAGES
    assert {"item_name", "condition_type", "brand", "bullet_point", "color", *IMAGES} <= set(d.known_attributes)
    assert d.accepts_image("swatch_product_image_locator") and not d.accepts_image("main_offer_image_locator")
    definition_request, schema_request = env.transport.requests[-2:]
    assert definition_request.url.path == f"{DEFS}DRINKING_CUP"
    assert dict(definition_request.url.params) == {
        "marketplaceIds": US, "requirements": "LISTING", "requirementsEnforced": "ENFORCED", "locale": "DEFAULT",
        "productTypeVersion": "LATEST"}
    assert definition_request.headers["x-amz-access-token"].startswith("Atza|")
    assert str(schema_request.url).startswith(f"{env.url}/spapi-schemas/DRINKING_CUP/")
    assert "X-Amz-Signature" in schema_request.url.params
    assert "x-amz-access-token" not in schema_request.headers and "authorization" not in schema_request.headers
    assert env.paths() == [f"GET {DEFS}DRINKING_CUP", "GET /spapi-schemas/DRINKING_CUP/ATVPDKIKX0DER/LISTING/"
                           "ENFORCED.json"]


def test_required_attributes_agree_with_the_emulators_put_validation(env):
    env.emulator.configure(required_attributes=["item_name", "condition_type", "main_product_image_locator",
                                                "item_weight"])

    async def go():
        client = env.client()
        d = await client.get_product_type_definition("LAMP", DE, seller_id=SELLER)
        loose = await client.get_product_type_definition("LAMP", DE, requirements_enforced="NOT_ENFORCED")
        offer = await client.get_product_type_definition("LAMP", DE, requirements="LISTING_OFFER_ONLY")
        item = await client.get_listings_item(SELLER, "LAMP-WHT", DE)
        attrs = attributes_with_images(item.attributes, DE, {})
        preview = await client.put_listings_item(SELLER, "LAMP-WHT", DE, product_type="LAMP", attributes=attrs,
                                                 mode="VALIDATION_PREVIEW")
        await client.aclose()
        return d, loose, offer, attrs, preview
    d, loose, offer, attrs, preview = run(go())
    assert d.required_attributes[-1] == "item_weight" and "item_weight" in d.known_attributes
    assert d.missing(attrs) == ("item_weight",)
    assert preview.status == "INVALID" and [i.attribute_names for i in preview.errors] == [("item_weight",)]
    assert loose.required_attributes == () and loose.missing({}) == ()
    assert offer.image_attributes == () and not set(IMAGES) & set(offer.known_attributes)
    assert env.transport.requests[1].url.params["sellerId"] == SELLER


def test_unknown_product_type_is_a_typed_404(env):
    async def go():
        client = env.client()
        with pytest.raises(ProductTypeNotFound) as err:
            await client.get_product_type_definition("SPACESHIP", US)
        with pytest.raises(InvalidInput):
            await client.get_product_type_definition("LAMP", US, requirements="EVERYTHING")  # nothing sent
        with pytest.raises(InvalidInput):
            await client.get_product_type_definition("LAMP", [US, "A2EUQ1WTGCTBG2"])  # one marketplace only
        await client.aclose()
        return err.value
    err = run(go())
    assert isinstance(err, SpApiRefused) and err.status == 404 and err.code == "NOT_FOUND"
    assert "SPACESHIP" in err.message and err.errors[0].code == "NOT_FOUND"
    assert env.paths() == [f"GET {DEFS}SPACESHIP"]  # not retried, no schema download


def test_cache_avoids_a_second_request_and_a_second_schema_download(env):
    async def go():
        client = env.client(definition_ttl=600)
        first = await client.get_product_type_definition("HANDBAG", GB)
        again = await client.get_product_type_definition("HANDBAG", GB)
        assert again is first and len(env.paths()) == 2
        other = await client.get_product_type_definition("HANDBAG", GB, requirements="LISTING_PRODUCT_ONLY")
        assert other is not first and len(env.paths()) == 4  # another requirements set: its own entry
        env.t += 601  # stale: Amazon is asked again, but the schema (same version and checksum) is not downloaded
        refreshed = await client.get_product_type_definition("HANDBAG", GB)
        assert refreshed == first and env.paths()[4:] == [f"GET {DEFS}HANDBAG"]
        env.emulator.configure(required_attributes=["item_name", "main_product_image_locator"])
        env.t += 601  # the schema changed (new checksum): downloaded again
        changed = await client.get_product_type_definition("HANDBAG", GB)
        assert changed.required_attributes == ("item_name", "main_product_image_locator")
        assert changed.checksum != first.checksum and env.paths()[6].startswith("GET /spapi-schemas/HANDBAG/")
        await client.aclose()
    run(go())


def test_definition_call_shares_the_retry_and_refresh_path(env):
    env.emulator.add_fault("503", path_prefix=DEFS, count=1)
    env.emulator.add_fault("expired", path_prefix=DEFS, count=1)

    async def go():
        client = env.client()
        d = await client.get_product_type_definition("PRODUCT", US)
        await client.aclose()
        return d, client
    d, client = run(go())
    assert d.product_type == "PRODUCT" and len(env.sleeps) == 1
    assert client.auth.refreshes == 2  # the 403 'expired' refreshed the token once
    assert [r["status"] for r in env.emulator.stats()["requests"] if r["path"].startswith(DEFS)] == [503, 403, 200]


def test_schema_link_must_be_https_and_never_gets_the_token():
    seen: list[httpx.Request] = []
    link = "http://schemas.example.com/LAMP.json"

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "Atza|t", "token_type": "bearer", "expires_in": 3600})
        if request.url.host == "sellingpartnerapi-eu.amazon.com":
            return httpx.Response(200, json={
                "schema": {"link": {"resource": link, "verb": "GET"}, "checksum": "x"}, "requirements": "LISTING",
                "requirementsEnforced": "ENFORCED", "propertyGroups": {}, "locale": "de_DE",
                "marketplaceIds": [DE], "productType": "LAMP", "productTypeVersion": {"version": "U1="}})
        assert "x-amz-access-token" not in request.headers
        return httpx.Response(200, content=json.dumps({"required": ["item_name"], "properties": {
            "item_name": {}, "main_product_image_locator": {}}}).encode())

    async def go():
        nonlocal link
        client = SpApiClient(CREDS, transport=httpx.MockTransport(handler),
                             rates={k: (1000.0, 1000.0) for k in DEFAULT_RATES})
        with pytest.raises(BadResponse, match="must use https"):
            await client.get_product_type_definition("LAMP", DE)
        assert [r.url.host for r in seen][-1] == "sellingpartnerapi-eu.amazon.com"  # the http link not fetched
        link = "https://schemas.example.com/LAMP.json?X-Amz-Signature=abc%2Fdef"
        d = await client.get_product_type_definition("LAMP", DE)
        await client.aclose()
        return d
    d = run(go())
    assert seen[-1].url.raw_path == b"/LAMP.json?X-Amz-Signature=abc%2Fdef"  # the presigned query kept as is
    # no images group: any attribute of the schema may hold an image
    assert d.image_attributes == () and d.accepts_image("main_product_image_locator")
    assert d.missing({"item_name": [{"value": "x"}]}) == ()


# --- the emulator's routes ----------------------------------------------------------------------

def _token(emu: SpApiEmulator, seller_token: str = SANDBOX_REFRESH_TOKEN, client_id: str = SANDBOX_CLIENT_ID,
           secret: str = SANDBOX_CLIENT_SECRET) -> str:
    body = (f"grant_type=refresh_token&refresh_token={seller_token}&client_id={client_id}"
            f"&client_secret={secret}").encode()
    return json.loads(emu.handle("POST", "/auth/o2/token", {}, {}, body).body)["access_token"]


def _get(emu: SpApiEmulator, path: str, query: dict, headers: dict | None = None):
    response = emu.handle("GET", path, query, headers or {}, b"")
    return response.status, (json.loads(response.body) if response.body[:1] == b"{" else response.body), response


def test_emulator_definition_route_validation_and_errors():
    emu = SpApiEmulator()
    auth = {"x-amz-access-token": _token(emu), "user-agent": "test"}
    status, body, _ = _get(emu, f"{DEFS}LAMP", {"marketplaceIds": US})
    assert status == 403 and body["errors"][0]["code"] == "MissingAuthenticationToken"
    for query, fragment in (({}, "required"), ({"marketplaceIds": f"{US},{DE}"}, "exactly one"),
                            ({"marketplaceIds": "XXXX"}, "unknown marketplace"),
                            ({"marketplaceIds": US, "requirements": "ALL"}, "requirements"),
                            ({"marketplaceIds": US, "requirementsEnforced": "MAYBE"}, "requirementsEnforced"),
                            ({"marketplaceIds": US, "locale": "klingon!"}, "locale")):
        emu.advance(1)  # a fresh token in the rate bucket
        status, body, response = _get(emu, f"{DEFS}LAMP", query, auth)
        assert status == 400 and body["errors"][0]["code"] == "InvalidInput", query
        assert fragment in body["errors"][0]["message"] and response.headers["x-amzn-RateLimit-Limit"] == "5.0"
    emu.advance(2)
    status, body, _ = _get(emu, f"{DEFS}SPACESHIP", {"marketplaceIds": US}, auth)
    assert status == 404 and body["errors"][0]["code"] == "NOT_FOUND" and set(body["errors"][0]) == {
        "code", "message", "details"}
    status, body, _ = _get(emu, f"{DEFS}LAMP", {"marketplaceIds": US, "productTypeVersion": "U0000000000="}, auth)
    assert status == 404
    status, body, _ = _get(emu, f"{DEFS}LAMP", {"marketplaceIds": US, "sellerId": "ANOTHERSELLER"}, auth)
    assert status == 403 and body["errors"][0]["code"] == "Unauthorized"
    status, body, _ = _get(emu, f"{DEFS}PRODUCT", {"marketplaceIds": GB, "sellerId": SELLER}, auth)
    assert status == 200 and body["locale"] == "en_GB" and body["marketplaceIds"] == [GB]
    assert body["productTypeVersion"]["latest"] is True and body["schema"]["link"]["verb"] == "GET"
    assert body["propertyGroups"]["images"]["propertyNames"] == list(IMAGES)
    version = body["productTypeVersion"]["version"]
    assert _get(emu, f"{DEFS}PRODUCT", {"marketplaceIds": GB, "productTypeVersion": version}, auth)[0] == 200
    assert emu.handle("PUT", f"{DEFS}PRODUCT", {"marketplaceIds": GB}, auth, b"{}").status == 405


def test_emulator_definition_route_has_its_own_rate_bucket():
    emu = SpApiEmulator()
    auth = {"x-amz-access-token": _token(emu)}
    answers = [_get(emu, f"{DEFS}LAMP", {"marketplaceIds": US}, auth) for _ in range(20)]
    statuses = [a[0] for a in answers]
    assert statuses[:5] == [200] * 5 and 429 in statuses  # burst 5 at 5/s; 20 calls take far less than 3 s
    throttled = next(a for a in answers if a[0] == 429)
    assert throttled[1]["errors"][0]["code"] == "QuotaExceeded" and "x-amzn-RateLimit-Limit" not in throttled[2].headers
    # the listings bucket is untouched by the definition calls
    item = emu.handle("GET", f"/listings/2021-08-01/items/{SELLER}/MUG-BLK-16", {"marketplaceIds": US}, auth, b"")
    assert item.status == 200


def test_emulator_schema_link_is_presigned_and_takes_no_credentials():
    emu = SpApiEmulator()
    auth = {"x-amz-access-token": _token(emu)}
    link = _get(emu, f"{DEFS}HANDBAG", {"marketplaceIds": GB}, auth)[1]["schema"]["link"]["resource"]
    parts = urlsplit(link)
    assert link.startswith(f"{SPAPI_SANDBOX_URL}/spapi-schemas/HANDBAG/{GB}/LISTING/ENFORCED.json?")
    query = dict(parse_qsl(parts.query))
    assert query["X-Amz-Expires"] == str(7 * 86400) and query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    status, schema, response = _get(emu, parts.path, query)
    assert status == 200 and response.headers["Content-Type"] == "application/json"
    assert schema["required"] == emu.get_config()["required_attributes"]
    assert schema["properties"]["other_product_image_locator_8"]["selectors"] == ["marketplace_id"]
    assert schema["properties"]["item_name"]["items"]["properties"]["marketplace_id"]["enum"] == [GB]
    assert _get(emu, parts.path, query, auth)[0] == 400  # the SP-API token must never reach the link
    assert b"Only one auth mechanism" in _get(emu, parts.path, query, {"authorization": "AWS4 x"})[1]
    assert _get(emu, parts.path, {**query, "X-Amz-Signature": "0" * 64})[0] == 403
    assert _get(emu, parts.path.replace("HANDBAG", "LAMP"), query)[0] == 403  # signed for another key
    emu.advance(7 * 86400 + 1)
    status, body, _ = _get(emu, parts.path, query)
    assert status == 403 and b"Request has expired" in body


def test_defined_product_type_with_fewer_images():
    emu = SpApiEmulator()
    emu.define_product_type("KEYCHAIN", images=list(IMAGES[:3]), attributes=["item_name", "condition_type"])
    with pytest.raises(ValueError):
        emu.define_product_type("KEYCHAIN", images=["main_offer_image_locator"])
    auth = {"x-amz-access-token": _token(emu)}
    body = _get(emu, f"{DEFS}KEYCHAIN", {"marketplaceIds": US}, auth)[1]
    assert body["propertyGroups"]["images"]["propertyNames"] == list(IMAGES[:3])
    parts = urlsplit(body["schema"]["link"]["resource"])
    schema = _get(emu, parts.path, dict(parse_qsl(parts.query)))[1]
    assert sorted(schema["properties"]) == sorted(["item_name", "condition_type", *IMAGES[:3]])
    emu.reset()
    assert _get(emu, f"{DEFS}KEYCHAIN", {"marketplaceIds": US}, {"x-amz-access-token": _token(emu)})[0] == 404
