"""``listing``, ``publish`` and ``undo`` as a black box against the Pixii + SP-API emulators on a real loopback
socket: exit codes, --json shapes, stderr lines, what reached the emulator, what stayed secret."""

from pathlib import Path

import httpx
import pytest
from PIL import Image

from support.cli import run_cli
from desktop_app.store.journal import Journal
from desktop_app.sandbox.amazon.data import SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN, SANDBOX_SELLER_ID

US = "ATVPDKIKX0DER"
SKU = "MUG-BLK-16"
IMAGE_ATTRS = {"main_product_image_locator", "swatch_product_image_locator",
               *(f"other_product_image_locator_{i}" for i in range(1, 9))}
PUBLISH_KEYS = {"sku", "marketplace_id", "operation", "mode", "status", "submission_id", "issues", "slots", "error"}



def listings_requests(spapi):
    return [r for r in spapi.stats()["requests"] if r["path"].startswith("/listings/")]


def real_submissions(spapi):
    return [s for s in spapi.stats()["submissions"] if s["mode"] is None]


def approved_job(env, tmp_path, indexes=(0, 1)) -> str:
    r = run_cli("generate", "--asin", "B0SANDMUG1", "--country", "US", "--type", "amazon_listing", "--json", env=env)
    assert r.code == 0, r.err
    job_id = r.json["job_id"]
    journal = Journal(Path(env["LISTING_STUDIO_DATA_DIR"]) / "journal.sqlite")
    for i in indexes:
        journal.set_review(job_id, i, "approved")
    journal.close()
    return job_id


def other_attributes(spapi, sku=SKU):
    return {k: v for k, v in spapi.listing(SANDBOX_SELLER_ID, sku, US)["attributes"].items() if k not in IMAGE_ATTRS}


def test_listing_json(env):
    r = run_cli("listing", "--sku", SKU, "--country", "us", "--json", env=env)
    assert r.code == 0, r.err
    data = r.json
    assert set(data) == {"sku", "marketplace_id", "asin", "product_type", "title", "slots", "issues"}
    assert (data["marketplace_id"], data["asin"], data["product_type"]) == (US, "B0SANDMUG1", "DRINKING_CUP")
    assert list(data["slots"]) == ["MAIN", *(f"PT{i:02d}" for i in range(1, 9)), "SWCH"]
    assert data["slots"]["MAIN"].endswith("/spapi-media/mug-main.jpg") and data["slots"]["PT03"] is None
    missing = run_cli("listing", "--sku", "TOTE/NAVY 2", "--country", "US", "--json", env=env)  # it is in GB only
    assert missing.code == 3 and missing.json["error"]["code"] == "NOT_FOUND"
    assert missing.json["marketplace_id"] == US  # known before the request, so said


def test_publish_approved_images_preview_then_accepted_then_live(servers, env, tmp_path):
    srv, spapi = servers
    job_id = approved_job(env, tmp_path)
    others = other_attributes(spapi)
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--job", job_id, "--json", env=env)
    assert r.code == 0, r.err
    data = r.json
    assert set(data) == PUBLISH_KEYS
    assert (data["status"], data["operation"], data["mode"], data["error"]) == ("ACCEPTED", "patch", None, None)
    assert data["slots"]["MAIN"]["before"].endswith("mug-main.jpg")
    assert f"/files/{job_id}/0." in data["slots"]["MAIN"]["after"]
    assert f"/files/{job_id}/1." in data["slots"]["PT01"]["after"]
    assert data["slots"]["PT02"]["before"] == data["slots"]["PT02"]["after"]
    subs = [(s["mode"], s["status"], s["operation"]) for s in spapi.stats()["submissions"]]
    assert subs == [("VALIDATION_PREVIEW", "VALID", "patch"), (None, "ACCEPTED", "patch")]
    assert data["submission_id"] == spapi.stats()["submissions"][-1]["submissionId"]
    assert "ACCEPTED" in r.err and "not yet live" in r.err
    listing = run_cli("listing", "--sku", SKU, "--country", "US", "--json", env=env).json
    for slot in ("MAIN", "PT01"):  # Amazon serves its own copy of each image: a new URL, the same bytes
        assert listing["slots"][slot].startswith(f"{srv.url}/spapi-media/amzn-")
        assert httpx.get(listing["slots"][slot]).content == httpx.get(data["slots"][slot]["after"]).content
    assert listing["slots"]["PT02"].endswith("mug-pt02.jpg")
    assert other_attributes(spapi) == others  # nothing but the images changed


def test_invalid_preview_sends_nothing_for_real(servers, env):
    srv, spapi = servers
    before = spapi.listing(SANDBOX_SELLER_ID, SKU, US)
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"PT01={srv.url}/spapi-media/page.webp",
                "--slot", f"PT03={srv.url}/spapi-media/fine.jpg", "--json", env=env)
    assert r.code == 3
    assert (r.json["status"], r.json["mode"]) == ("INVALID", "VALIDATION_PREVIEW")
    assert r.json["error"]["code"] == "INVALID"
    issue = r.json["issues"][0]
    assert issue["attributeNames"] == ["other_product_image_locator_1"]
    assert f"ERROR {issue['code']} other_product_image_locator_1:" in r.err
    assert real_submissions(spapi) == []
    assert spapi.listing(SANDBOX_SELLER_ID, SKU, US)["attributes"] == before["attributes"]


def test_validate_only(servers, env):
    srv, spapi = servers
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"PT03={srv.url}/spapi-media/new.jpg",
                "--validate-only", "--json", env=env)
    assert r.code == 0, r.err
    assert (r.json["status"], r.json["mode"]) == ("VALID", "VALIDATION_PREVIEW")
    assert r.json["slots"]["PT03"] == {"before": None, "after": f"{srv.url}/spapi-media/new.jpg"}
    assert real_submissions(spapi) == []


def test_full_put_changes_only_the_images(servers, env):
    srv, spapi = servers
    others = other_attributes(spapi)
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"MAIN={srv.url}/spapi-media/put-main.jpg",
                "--full-put", "--json", env=env)
    assert r.code == 0, r.err
    assert (r.json["operation"], r.json["status"]) == ("put", "ACCEPTED")
    assert [(s["mode"], s["operation"]) for s in spapi.stats()["submissions"]] == [
        ("VALIDATION_PREVIEW", "put"), (None, "put")]
    attrs = spapi.listing(SANDBOX_SELLER_ID, SKU, US)["attributes"]
    assert attrs["main_product_image_locator"][0]["media_location"] == f"{srv.url}/spapi-media/put-main.jpg"
    assert attrs["other_product_image_locator_1"][0]["media_location"].endswith("mug-pt01.jpg")
    assert other_attributes(spapi) == others


def test_undo_restores_the_previous_slots(servers, env):
    srv, spapi = servers
    before = run_cli("listing", "--sku", SKU, "--country", "US", "--json", env=env).json["slots"]
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"MAIN={srv.url}/spapi-media/a.jpg",
                "--slot", f"PT05={srv.url}/spapi-media/b.png", "--json", env=env)
    assert r.code == 0, r.err
    after = run_cli("listing", "--sku", SKU, "--country", "US", "--json", env=env).json["slots"]
    assert after["PT05"] == f"{srv.url}/spapi-media/b.png"
    u = run_cli("undo", "1", "--json", env=env)
    assert u.code == 0, u.err
    assert u.json["status"] == "ACCEPTED"
    assert u.json["slots"]["PT05"] == {"before": f"{srv.url}/spapi-media/b.png", "after": None}
    assert run_cli("listing", "--sku", SKU, "--country", "US", "--json", env=env).json["slots"] == before
    again = run_cli("undo", r.json["submission_id"], env=env)  # Amazon's submissionId works too; already undone
    assert again.code == 2 and "NOT_UNDOABLE" in again.err


def test_cn_is_invalid_input_without_a_request(servers, env):
    _, spapi = servers
    r = run_cli("publish", "--sku", SKU, "--country", "CN", "--slot", "MAIN=https://example.com/a.jpg", "--json",
                env=env)
    assert r.code == 2 and "NO_MARKETPLACE" in r.err
    assert r.json["error"]["code"] == "NO_MARKETPLACE" and r.json["marketplace_id"] is None
    assert spapi.stats()["requests"] == []


@pytest.mark.parametrize("slot", ["PT09=https://example.com/a.jpg", "MAIN=ftp://example.com/a.jpg", "MAIN"])
def test_bad_slots_are_invalid_input(servers, env, slot):
    _, spapi = servers
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", slot, env=env)
    assert r.code == 2, r.err
    assert listings_requests(spapi) == []


def test_unknown_sku_exit_3_with_amazons_code(servers, env):
    r = run_cli("publish", "--sku", "NO-SUCH-SKU", "--country", "US", "--slot", "MAIN=https://example.com/a.jpg",
                "--json", env=env)
    assert r.code == 3
    assert r.json["error"]["code"] == "NOT_FOUND" and "NOT_FOUND" in r.err


def test_local_file_without_bucket_exit_2(servers, env, tmp_path):
    _, spapi = servers
    image = tmp_path / "mine.jpg"
    Image.new("RGB", (1200, 1200), "white").save(image)
    r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"MAIN={image}", "--json", env=env)
    assert r.code == 2
    assert r.json["error"]["code"] == "HOSTING_NOT_CONFIGURED"
    assert "public URL" in r.err and "LISTING_STUDIO_S3_BUCKET" in r.err
    assert spapi.stats()["requests"] == []


def test_revoked_authorization_exit_3(servers, env):
    _, spapi = servers
    spapi.revoke_refresh_token(SANDBOX_REFRESH_TOKEN)
    r = run_cli("listing", "--sku", SKU, "--country", "US", "--json", env=env)
    assert r.code == 3
    assert r.json["error"]["code"] == "invalid_grant" and "revoked" in r.err
    assert SANDBOX_REFRESH_TOKEN not in r.out + r.err


def test_secrets_never_in_outputs_or_data_dir(servers, env, tmp_path):
    srv, spapi = servers
    job_id = approved_job(env, tmp_path)
    outputs = [run_cli("listing", "--sku", SKU, "--country", "US", "--json", env=env),
               run_cli("publish", "--sku", SKU, "--country", "US", "--job", job_id, "--json", env=env),
               run_cli("undo", "1", "--json", env=env),
               run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"PT01={srv.url}/spapi-media/x.webp",
                       env=env)]
    text = "".join(r.out + r.err for r in outputs)
    stored = b"".join(p.read_bytes() for p in Path(env["LISTING_STUDIO_DATA_DIR"]).rglob("*") if p.is_file())
    for secret in (SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN, "Atza|"):
        assert secret not in text
        assert secret.encode() not in stored


def test_local_file_hosted_in_s3_then_published(servers, env, tmp_path):
    _srv, spapi = servers
    moto_server = pytest.importorskip("moto.server")
    import boto3
    from desktop_app.core.publish.hosting import bucket_policy
    moto = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    try:
        host, port = moto.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        aws = dict(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="aws-SECRET-cli", AWS_REGION="us-east-1",
                   AWS_ENDPOINT_URL_S3=endpoint, AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none2"))
        admin = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                             aws_secret_access_key="testing")
        admin.create_bucket(Bucket="ls-cli")
        image = tmp_path / "own.jpg"
        Image.new("RGB", (1500, 1500), "white").save(image)
        private = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"PT04={image}", "--json",
                          env={**env, **aws, "LISTING_STUDIO_S3_BUCKET": "ls-cli"})
        assert private.code == 2 and private.json["error"]["code"] == "BUCKET_NOT_PUBLIC", private.err
        assert "Bucket policy" in private.err and real_submissions(spapi) == []  # said before Amazon fetches
        admin.put_bucket_policy(Bucket="ls-cli", Policy=bucket_policy("ls-cli", public_read=True))
        r = run_cli("publish", "--sku", SKU, "--country", "US", "--slot", f"PT04={image}", "--json",
                    env={**env, **aws, "LISTING_STUDIO_S3_BUCKET": "ls-cli"})
        assert r.code == 0, r.err
        assert r.json["slots"]["PT04"]["after"].startswith(f"{endpoint}/ls-cli/listing-studio/")
        keys = [o["Key"] for o in admin.list_objects_v2(Bucket="ls-cli")["Contents"]]
        assert len(keys) == 1 and keys[0].endswith(".jpg")
        assert "aws-SECRET-cli" not in r.out + r.err
    finally:
        moto.stop()
