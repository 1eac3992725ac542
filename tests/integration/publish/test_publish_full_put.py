"""PublishService ``full_put`` checked against the product-type definition (getDefinitionsProductType) before
anything is written: in-process (Runtime with the embedded SP-API sandbox) and through the command line against
the loopback emulator. The default PATCH never asks for a definition."""


import pytest

from support.cli import run_cli, spapi_cli_env
from support.aio import run

from desktop_app.api.amazon.definitions import ProductTypeNotFound
from desktop_app.api.amazon.models import SLOT_ATTRIBUTES
from desktop_app.config import load_settings
from desktop_app.api.amazon.errors import SpApiRefused
from desktop_app.runtime import Runtime
from desktop_app.sandbox.amazon.data import SANDBOX_SELLER_ID
from desktop_app.api.retry import WATCH_PUBLISH

SELLER, US, SKU = SANDBOX_SELLER_ID, "ATVPDKIKX0DER", "MUG-BLK-16"
DEFS = "/definitions/2020-09-01/productTypes/"
IMAGES = list(SLOT_ATTRIBUTES.values())


pytestmark = pytest.mark.usefixtures("fast_spapi")



async def with_runtime(fn):
    rt = Runtime(load_settings())
    try:
        rt.publish.watch_retry = WATCH_PUBLISH.but(base=0.1)
        return await fn(rt)
    finally:
        await rt.aclose()


def seed(emulator, sku: str, product_type: str, *, without: tuple[str, ...] = ()) -> None:
    """A listing like the seeded mug, minus the attributes in ``without``."""
    attrs = {k: v for k, v in emulator.listing(SELLER, SKU, US)["attributes"].items() if k not in without}
    emulator.put_listing(SELLER, sku, US, product_type, attrs, asin="B0FULLPUT1")


def requests(emulator, prefix: str = "", method: str | None = None) -> list[dict]:
    return [r for r in emulator.stats()["requests"] if r["path"].startswith(prefix)
            and (method is None or r["method"] == method)]


def journal_rows(rt) -> int:
    return rt.journal.read("SELECT COUNT(*) AS n FROM publish_submissions", ())[0]["n"]


def test_full_put_refused_before_any_write_when_a_required_attribute_is_missing():
    async def flow(rt):
        service = rt.publish
        emu = rt.spapi_emulator
        seed(emu, "MUG-NO-COND", "DRINKING_CUP", without=("condition_type",))
        url = f"{emu.base_url}/spapi-media/full-put.jpg"
        with pytest.raises(SpApiRefused) as refused:
            await service.publish("MUG-NO-COND", "US", {"PT03": url}, full_put=True)
        err = refused.value
        assert err.code == "PUT_MISSING_ATTRIBUTES"
        assert "condition_type" in err.message and "DRINKING_CUP" in err.message and "patch" in err.message
        assert "Nothing was submitted" in err.message
        assert len(requests(emu, DEFS)) == 1 and requests(emu, method="PUT") == []
        assert emu.stats()["submissions"] == [] and journal_rows(rt) == 0
        # validate-only is checked the same way: no preview PUT either
        with pytest.raises(SpApiRefused):
            await service.publish("MUG-NO-COND", "US", {"PT03": url}, full_put=True, validate_only=True)
        assert requests(emu, method="PUT") == [] and len(requests(emu, DEFS)) == 1  # definition cached
        # the suggested image-only update works, and asks for no definition
        before = len(emu.stats()["requests"])
        outcome = await service.publish("MUG-NO-COND", "US", {"PT03": url})
        assert (outcome.status, outcome.operation) == ("ACCEPTED", "patch")
        assert [r["method"] for r in emu.stats()["requests"][before:]] == ["GET", "PATCH", "PATCH"]
        assert len(requests(emu, DEFS)) == 1
    run(with_runtime(flow))


def test_full_put_refused_for_a_slot_the_product_type_has_no_image_attribute_for():
    async def flow(rt):
        service = rt.publish
        emu = rt.spapi_emulator
        emu.define_product_type("KEYCHAIN", images=IMAGES[:3])  # MAIN, PT01, PT02
        seed(emu, "KEY-1", "KEYCHAIN")
        with pytest.raises(SpApiRefused) as refused:
            await service.publish("KEY-1", "US", {"PT05": f"{emu.base_url}/spapi-media/k5.jpg"}, full_put=True)
        assert refused.value.code == "PUT_UNSUPPORTED_SLOTS"
        assert "PT05 (other_product_image_locator_5)" in refused.value.message
        assert requests(emu, method="PUT") == [] and journal_rows(rt) == 0
        ok = await service.publish("KEY-1", "US", {"PT02": f"{emu.base_url}/spapi-media/k2.jpg"}, full_put=True)
        assert (ok.status, ok.operation) == ("ACCEPTED", "put")
    run(with_runtime(flow))


def test_full_put_of_a_complete_listing_succeeds_and_reuses_the_definition():
    async def flow(rt):
        service = rt.publish
        emu = rt.spapi_emulator
        url = f"{emu.base_url}/spapi-media/complete.jpg"
        first = await service.publish(SKU, "US", {"MAIN": url}, full_put=True)
        assert (first.status, first.operation) == ("ACCEPTED", "put")
        assert [r["method"] for r in emu.stats()["requests"] if not r["path"].startswith("/auth/")] == [
            "GET", "GET", "GET", "PUT", "PUT"]  # listing, definition, schema, preview, real
        assert requests(emu, DEFS)[0]["query"]["sellerId"] == SELLER
        second = await service.publish(SKU, "US", {"PT04": url}, full_put=True)
        assert second.status == "ACCEPTED" and len(requests(emu, DEFS)) == 1
        assert len(requests(emu, "/spapi-schemas/")) == 1
    run(with_runtime(flow))


def test_full_put_of_an_unknown_product_type_is_refused_before_the_journal():
    async def flow(rt):
        service = rt.publish
        emu = rt.spapi_emulator
        seed(emu, "BAG-1", "LUGGAGE")
        with pytest.raises(ProductTypeNotFound) as err:
            await service.publish("BAG-1", "US", {"PT01": f"{emu.base_url}/spapi-media/b.jpg"}, full_put=True)
        assert err.value.status == 404 and "LUGGAGE" in err.value.message
        assert requests(emu, method="PUT") == [] and journal_rows(rt) == 0
    run(with_runtime(flow))


# --- the command line -------------------------------------------------------------------------------

@pytest.fixture
def env(servers, tmp_path):
    srv, _ = servers
    return spapi_cli_env(srv.url, tmp_path / "data", "pk_test_fullPut123456")


def test_cli_full_put_missing_attribute_exit_3_with_the_message(servers, env):
    srv, spapi = servers
    seed(spapi, "MUG-NO-NAME", "DRINKING_CUP", without=("item_name",))
    r = run_cli("publish", "--sku", "MUG-NO-NAME", "--country", "US", "--slot",
                f"PT03={srv.url}/spapi-media/cli.jpg", "--full-put", "--json", env=env)
    assert r.code == 3, r.err  # as an INVALID submission: the listing and its definition were read
    assert r.json["error"]["code"] == "PUT_MISSING_ATTRIBUTES" and r.json["operation"] == "put"
    assert r.json["status"] is None and r.json["submission_id"] is None
    assert "error: PUT_MISSING_ATTRIBUTES:" in r.err and "item_name" in r.err and "leave out --full-put" in r.err
    assert requests(spapi, method="PUT") == [] and spapi.stats()["submissions"] == []
    assert len(requests(spapi, DEFS)) == 1
    patched = run_cli("publish", "--sku", "MUG-NO-NAME", "--country", "US", "--slot",
                      f"PT03={srv.url}/spapi-media/cli.jpg", "--json", env=env)
    assert patched.code == 0 and patched.json["operation"] == "patch", patched.err
    assert len(requests(spapi, DEFS)) == 1  # the PATCH path asks for no definition


def test_cli_full_put_unknown_product_type_exit_3(servers, env):
    srv, spapi = servers
    seed(spapi, "BAG-2", "LUGGAGE")
    r = run_cli("publish", "--sku", "BAG-2", "--country", "US", "--slot", f"MAIN={srv.url}/spapi-media/b.jpg",
                "--full-put", "--json", env=env)
    assert r.code == 3 and r.json["error"]["code"] == "NOT_FOUND" and "LUGGAGE" in r.err
    assert requests(spapi, method="PUT") == []
