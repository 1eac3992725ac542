"""One vocabulary across commands: one code per problem with the contract's exit code, marketplaces named by
country, one name for a publish (a submission), and input judged before any notice is printed."""

import re

from support.cli import cli_env, run_cli

SKU = "MUG-BLK-16"


def test_an_unknown_country_is_one_code_for_every_command(seller_env):
    generate = run_cli("generate", "--asin", "B0TESTASIN", "--country", "XX", "--type", "amazon_listing", "--json",
                       env=seller_env)
    listing = run_cli("listing", "--sku", SKU, "--country", "XX", "--json", env=seller_env)
    publish = run_cli("publish", "--sku", SKU, "--country", "XX", "--slot", "MAIN=https://example.com/a.jpg",
                      env=seller_env)
    assert (generate.code, listing.code, publish.code) == (2, 2, 2)
    assert generate.json["error"]["code"] == listing.json["error"]["code"] == "INVALID_COUNTRY"
    assert "INVALID_COUNTRY" in publish.err


def test_an_unknown_job_exits_3_from_every_command(seller_env, tmp_path):
    for args in (["status", "job_doesnotexist"], ["export", "job_doesnotexist", str(tmp_path / "out")],
                 ["publish", "--sku", SKU, "--country", "US", "--job", "job_doesnotexist"],
                 ["approve", "job_doesnotexist", "0"]):
        r = run_cli(*args, "--json", env=seller_env)
        assert (r.code, r.json["error"]["code"]) == (3, "JOB_NOT_FOUND"), args


def test_marketplaces_are_named_by_country_in_messages(seller_env):
    r = run_cli("listing", "--sku", "NOPE-SKU", "--country", "US", env=seller_env)
    assert r.code == 3 and "NOT_FOUND" in r.err
    assert "US (ATVPDKIKX0DER)" in r.err
    assert not re.search(r"(?<!\()ATVPDKIKX0DER", r.err)


def test_a_publish_is_a_submission_in_every_message(servers, seller_env):
    srv, _ = servers
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"MAIN={srv.url}/spapi-media/a.jpg", env=seller_env)
    assert r.code == 0, r.err
    assert "submission 1" in r.err and "listing-studio undo 1" in r.err
    u = run_cli("undo", "1", env=seller_env)
    assert u.code == 0, u.err
    again = run_cli("undo", "1", env=seller_env)
    assert again.code == 2 and "Submission 1 " in again.err
    assert "record" not in (r.err + u.err + again.err).lower()


def test_input_is_judged_before_the_sandbox_notice(tmp_path):
    seller_env = cli_env(LISTING_STUDIO_DATA_DIR=str(tmp_path / "data"), SP_API_CLIENT_ID=None, SP_API_CLIENT_SECRET=None,
                  SP_API_REFRESH_TOKEN=None, SP_API_SELLER_ID=None, LISTING_STUDIO_SP_API_URL=None)
    bad = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", "NOPE=https://example.com/a.jpg", env=seller_env)
    assert bad.code == 2 and bad.err.splitlines() == [l for l in bad.err.splitlines() if l.startswith("error: ")]
    good = run_cli("listing", "--sku", SKU, "--country", "US", env=seller_env)
    assert good.code == 0 and "SP-API sandbox" in good.err
    gen = run_cli("generate", "--asin", "B0TESTASIN", "--country", "US", "--type", "nope", env=seller_env)
    assert gen.code == 2 and "sandbox" not in gen.err
