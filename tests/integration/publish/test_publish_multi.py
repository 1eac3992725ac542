"""One publish, several marketplaces of one region (``publish --country DE,FR,IT``) against the loopback SP-API
emulator: each marketplace previewed, journalled and undoable on its own; results per marketplace."""

import pytest

from support.cli import run_cli

from desktop_app.api.amazon.marketplaces import MARKETPLACES
from desktop_app.core.publish.multi import markets_of
from desktop_app.core.validation import InputError
from desktop_app.sandbox.amazon.data import SANDBOX_SELLER_ID

SKU = "CANDLE-EU"
DE, FR, IT, ES = (MARKETPLACES[c].marketplace_id for c in ("DE", "FR", "IT", "ES"))
MAIN = "main_product_image_locator"



def main_of(spapi, mp):
    return spapi.listing(SANDBOX_SELLER_ID, SKU, mp)["attributes"][MAIN][0]["media_location"]


def test_markets_of_one_region():
    assert [m.country for m in markets_of("de, FR,it,DE")] == ["DE", "FR", "IT"]
    assert [m.country for m in markets_of("UK,GB")] == ["GB"]
    with pytest.raises(InputError) as mixed:
        markets_of("DE,US")
    assert mixed.value.code == "MIXED_REGIONS" and "DE (EU)" in str(mixed.value) and "US (NA)" in str(mixed.value)


def test_three_marketplaces_published_and_one_undone(servers, env):
    srv, spapi = servers
    before = {mp: main_of(spapi, mp) for mp in (DE, FR, IT, ES)}
    url = f"{srv.url}/spapi-media/candle-new.jpg"
    r = run_cli("publish", "--sku", SKU, "--country", "DE,FR,IT", "--slot", f"MAIN={url}", "--json", env=env)
    assert r.code == 0, r.err
    assert set(r.json) == {"sku", "marketplaces", "error"} and r.json["error"] is None  # one object
    reports = r.json["marketplaces"]
    assert isinstance(reports, list) and [x["marketplace_id"] for x in reports] == [DE, FR, IT]
    assert all(x["status"] == "ACCEPTED" and x["error"] is None and x["slots"]["MAIN"]["after"] == url
               for x in reports)
    assert len({x["submission_id"] for x in reports}) == 3
    real = [s for s in spapi.stats()["submissions"] if s["mode"] is None]
    previews = [s for s in spapi.stats()["submissions"] if s["mode"] == "VALIDATION_PREVIEW"]
    assert [s["marketplaceId"] for s in real] == [DE, FR, IT] == [s["marketplaceId"] for s in previews]
    for country in ("DE", "FR", "IT"):
        assert f"{country}: ACCEPTED: patch of MAIN" in r.err
    after = {mp: main_of(spapi, mp) for mp in (DE, FR, IT)}
    assert all(after[mp] != before[mp] for mp in (DE, FR, IT)) and main_of(spapi, ES) == before[ES]

    undo = run_cli("undo", "2", "--json", env=env)  # submission 2 is FR's
    assert undo.code == 0, undo.err
    assert undo.json["marketplace_id"] == FR
    assert main_of(spapi, FR) == before[FR]
    assert main_of(spapi, DE) == after[DE] and main_of(spapi, IT) == after[IT]  # the others stay published


def test_one_marketplace_failing_leaves_the_others_published(servers, env):
    srv, spapi = servers
    r = run_cli("publish", "--sku", SKU, "--country", "DE,GB,FR", "--slot",
                f"PT02={srv.url}/spapi-media/candle-pt02.jpg", "--json", env=env)
    assert r.code == 3, r.err  # CANDLE-EU is not listed in GB
    by_mp = {x["marketplace_id"]: x for x in r.json["marketplaces"]}
    gb = MARKETPLACES["GB"].marketplace_id
    assert by_mp[gb]["error"]["code"] == "NOT_FOUND" and by_mp[DE]["status"] == by_mp[FR]["status"] == "ACCEPTED"
    assert "GB: error: NOT_FOUND" in r.err


def test_mixed_regions_or_bad_input_send_nothing(servers, env):
    srv, spapi = servers
    r = run_cli("publish", "--sku", SKU, "--country", "DE,US", "--slot", f"MAIN={srv.url}/spapi-media/x.jpg",
                "--json", env=env)
    assert r.code == 2 and r.json["error"]["code"] == "MIXED_REGIONS" and r.json["marketplaces"] == []
    bad = run_cli("publish", "--sku", SKU, "--country", "DE,FR", "--slot", "NOPE=./x.jpg", "--json", env=env)
    assert bad.code == 2 and bad.json["error"]["code"] and bad.json["sku"] == SKU
    assert spapi.stats()["submissions"] == []
