"""``listing-studio doctor`` against the loopback Pixii + SP-API emulators (and moto's S3): with and without each
credential, each line ok / problem / off with how to fix it, and never a secret value."""

import socket

import boto3
import pytest

from support.cli import cli_env, control, run_cli, spapi_cli_env
from desktop_app.sandbox.amazon.data import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN

KEY = "pk_test_doctorSecretKey4242"
AWS_SECRET = "doctorAwsSecretValue0123456789"
NO_KEYRING = "keyring.backends.fail.Keyring"


def checks(result):
    return {c["name"]: c for c in result.json["checks"]}


def secrets_absent(result, *values):
    for value in values:
        assert value not in result.out and value not in result.err


@pytest.fixture
def env(servers, tmp_path):
    srv, _ = servers
    return spapi_cli_env(srv.url, tmp_path / "data", KEY) | {"PYTHON_KEYRING_BACKEND": NO_KEYRING}


def test_everything_set_and_working(servers, env):
    r = run_cli("doctor", "--json", env=env)
    found = checks(r)
    assert found["Pixii API key"]["status"] == "ok" and "environment" in found["Pixii API key"]["detail"]
    assert found["Pixii service"]["status"] == "ok"
    assert found["SP-API credentials"]["status"] == "ok" and "access token" in found["SP-API credentials"]["detail"]
    assert found["SP-API NA (US)"]["status"] == "ok"
    assert found["S3 bucket"]["status"] == "off" and found["S3 bucket"]["fix"]
    assert found["journal"]["status"] == "ok" and found["data dir"]["status"] == "ok"
    assert found["keyring"]["status"] == "problem" and "environment variables" in found["keyring"]["fix"]
    assert r.code == 5 and r.json["problems"] == 1  # only the keyring (none on this machine's test setup)
    secrets_absent(r, KEY, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN, SANDBOX_CLIENT_ID)
    text = run_cli("doctor", "--country", "DE", env=env)
    assert "SP-API EU (DE)" in text.out and "fix: unlock or install a keyring" in text.out
    secrets_absent(text, KEY, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN, SANDBOX_CLIENT_ID)


def test_without_any_credential_everything_is_off_not_a_problem(tmp_path):
    env = cli_env(LISTING_STUDIO_DATA_DIR=str(tmp_path / "data"), SP_API_CLIENT_ID=None, SP_API_CLIENT_SECRET=None,
                  SP_API_REFRESH_TOKEN=None, SP_API_SELLER_ID=None, LISTING_STUDIO_SP_API_URL=None,
                  LISTING_STUDIO_S3_BUCKET=None, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    r = run_cli("doctor", "--json", env=env)
    assert r.code == 0, r.out + r.err
    found = checks(r)
    assert {n: found[n]["status"] for n in ("Pixii API key", "SP-API credentials", "S3 bucket")} == {
        "Pixii API key": "off", "SP-API credentials": "off", "S3 bucket": "off"}
    assert "sandbox" in found["Pixii API key"]["detail"] and "PIXII_API_KEY" in found["Pixii API key"]["fix"]
    assert found["journal"]["detail"].endswith("none yet (created by the first job)")


def test_a_revoked_key_and_a_revoked_authorization_are_problems_with_a_fix(servers, env):
    srv, spapi = servers
    control(srv.url, "keys", {"key": KEY, "revoked": True})
    spapi.revoke_refresh_token(SANDBOX_REFRESH_TOKEN)
    r = run_cli("doctor", "--json", env=env)
    found = checks(r)
    assert found["Pixii API key"]["status"] == "problem" and "UNAUTHORIZED" in found["Pixii API key"]["detail"]
    assert "File ▸ Settings" in found["Pixii API key"]["fix"]
    assert found["SP-API credentials"]["status"] == "problem" and "authorize" in found["SP-API credentials"]["fix"]
    assert r.code == 5 and r.json["problems"] == 3
    secrets_absent(r, KEY, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN)


def test_half_set_sp_api_credentials_name_what_is_missing(env):
    r = run_cli("doctor", "--json", env=env | {"SP_API_REFRESH_TOKEN": ""})
    found = checks(r)
    assert found["SP-API credentials"]["status"] == "problem"
    assert "SP_API_REFRESH_TOKEN" in found["SP-API credentials"]["detail"]
    secrets_absent(r, SANDBOX_CLIENT_SECRET)


def test_unreachable_services_are_problems(env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    r = run_cli("doctor", "--json", env=env | {"LISTING_STUDIO_API_URL": dead, "LISTING_STUDIO_SP_API_URL": dead,
                                               "LISTING_STUDIO_LWA_URL": f"{dead}/auth/o2/token"})
    found = checks(r)
    assert found["Pixii service"]["status"] == "problem" and "LISTING_STUDIO_API_URL" in found["Pixii service"]["fix"]
    assert found["SP-API NA (US)"]["status"] == "problem"
    assert found["SP-API credentials"]["status"] == "problem" and "unreachable" in found["SP-API credentials"]["detail"]
    assert r.code == 5


def test_bucket_check_with_and_without_the_bucket(env, moto_s3):
    admin = boto3.client("s3", endpoint_url=moto_s3, region_name="us-east-1", aws_access_key_id="AKIADOCTORTEST0001",
                         aws_secret_access_key=AWS_SECRET)
    admin.create_bucket(Bucket="doctor-images")
    aws = {"AWS_ACCESS_KEY_ID": "AKIADOCTORTEST0001", "AWS_SECRET_ACCESS_KEY": AWS_SECRET, "AWS_REGION": "us-east-1",
           "AWS_ENDPOINT_URL_S3": moto_s3}
    missing = run_cli("doctor", "--json", env=env | aws | {"LISTING_STUDIO_S3_BUCKET": "no-such-doctor-bucket"})
    bucket = checks(missing)["S3 bucket"]
    assert bucket["status"] == "problem" and "does not exist" in bucket["detail"] and bucket["fix"]
    assert "AWS keys: environment, environment" in bucket["detail"]
    private = run_cli("doctor", "--json", env=env | aws | {"LISTING_STUDIO_S3_BUCKET": "doctor-images"})
    assert checks(private)["S3 bucket"]["status"] == "problem" and "not public" in checks(private)["S3 bucket"]["detail"]
    for r in (missing, private):
        secrets_absent(r, AWS_SECRET, KEY)


def test_an_unknown_country_is_invalid_input(env):
    r = run_cli("doctor", "--country", "XX", "--json", env=env)
    assert r.code == 2 and r.json["error"]["code"] == "INVALID_COUNTRY"
