"""S3 hosting against moto's S3 server on a loopback port, started in-process by these tests (not a stub)."""

import hashlib
import json
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from desktop_app.core.publish import hosting
from desktop_app.core.publish.hosting import (HostingAccessDenied, HostingBucketNotFound, HostingCredentialsMissing,
                                              HostingError, HostingNotConfigured, ImageHost, bucket_policy, content_key)


BUCKET = "listing-studio-ci"
PNG = (b"\x89PNG\r\n\x1a\n" + b"fake image bytes " * 50)


@pytest.fixture
def s3(moto_s3, monkeypatch):
    """Dummy credentials from the environment, a fresh server state and one bucket."""
    monkeypatch.delenv(hosting.BUCKET_ENV, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    admin = boto3.client("s3", endpoint_url=moto_s3, region_name="us-east-1")
    admin.create_bucket(Bucket=BUCKET)
    return admin


def test_upload_returns_a_url_named_by_the_sha256(s3, moto_endpoint):
    host = ImageHost(BUCKET)  # endpoint from AWS_ENDPOINT_URL_S3, keys from AWS_* variables
    url = host.upload(PNG, "png", "image/png")
    sha = hashlib.sha256(PNG).hexdigest()
    assert url == f"{moto_endpoint}/{BUCKET}/listing-studio/{sha}.png"
    obj = s3.get_object(Bucket=BUCKET, Key=f"listing-studio/{sha}.png")
    assert obj["Body"].read() == PNG
    assert obj["ContentType"] == "image/png"
    with pytest.raises(urllib.error.HTTPError) as denied:  # private until the bucket policy allows reading
        urllib.request.urlopen(url)
    assert denied.value.code == 403
    s3.put_bucket_policy(Bucket=BUCKET, Policy=bucket_policy(BUCKET, public_read=True))
    with urllib.request.urlopen(url) as resp:  # then the URL itself serves the bytes, anonymously
        assert resp.read() == PNG
        assert resp.headers["Content-Type"] == "image/png"


def test_uploading_twice_does_not_duplicate(s3):
    host = ImageHost(BUCKET)
    first = host.host(PNG, "png", "image/png")
    second = host.host(PNG, "png", "image/png")
    assert first.uploaded and not second.uploaded
    assert first.url == second.url and first.key == second.key
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert keys == [first.key]
    versions = s3.list_object_versions(Bucket=BUCKET).get("Versions", [])
    assert len(versions) == 1
    assert host.exists(first.key)


def test_new_content_gets_a_new_key(s3):
    host = ImageHost(BUCKET)
    a = host.host(PNG, "png", "image/png")
    b = host.host(PNG + b"edited", "png", "image/png")
    assert a.key != b.key and a.url != b.url
    assert b.s3_uri == f"s3://{BUCKET}/{b.key}"


def test_a_truncated_object_under_the_key_is_replaced(s3):
    host = ImageHost(BUCKET)
    key = content_key(PNG, "png")
    s3.put_object(Bucket=BUCKET, Key=key, Body=PNG[:10])  # e.g. an interrupted earlier upload by another tool
    assert host.host(PNG, "png", "image/png").uploaded
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == PNG


def test_explicit_client_and_endpoint(s3, moto_endpoint, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3")
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="us-east-1")
    url = ImageHost(BUCKET, client=client).upload(PNG, "png", "image/png")
    assert url.startswith(f"{moto_endpoint}/{BUCKET}/listing-studio/")
    assert ImageHost(BUCKET, endpoint_url=moto_endpoint).upload(PNG, "png", "image/png") == url


def test_content_key():
    sha = hashlib.sha256(b"abc").hexdigest()
    assert content_key(b"abc", "JPG") == f"listing-studio/{sha}.jpg"
    assert content_key(b"abc", ".png") == f"listing-studio/{sha}.png"
    with pytest.raises(ValueError):
        content_key(b"abc", "../x")


def test_public_url_on_aws():
    client = boto3.client("s3", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="y")
    host = ImageHost("my-bucket", client=client, region="eu-west-1")
    assert host.public_url("listing-studio/a b.jpg") == \
        "https://my-bucket.s3.eu-west-1.amazonaws.com/listing-studio/a%20b.jpg"
    dotted = ImageHost("my.bucket", client=client, region="eu-west-1")
    assert dotted.public_url("k.jpg") == "https://s3.eu-west-1.amazonaws.com/my.bucket/k.jpg"


def test_bucket_policy_is_valid_json_naming_the_bucket(s3):
    text = bucket_policy(BUCKET)
    policy = json.loads(text)
    (stmt,) = policy["Statement"]
    assert policy["Version"] == "2012-10-17"
    assert stmt["Resource"] == [f"arn:aws:s3:::{BUCKET}/*", f"arn:aws:s3:::{BUCKET}"]
    assert stmt["Principal"] == {"AWS": ["arn:aws:iam::368641386589:role/Media-Download-Role"]}
    assert sorted(stmt["Action"]) == ["s3:GetObject", "s3:ListBucket"]
    assert stmt["Effect"] == "Allow" and stmt["Sid"]
    public = json.loads(bucket_policy(BUCKET, public_read=True))
    assert public["Statement"][1]["Principal"] == "*"
    assert public["Statement"][1]["Resource"] == [f"arn:aws:s3:::{BUCKET}/listing-studio/*"]
    s3.put_bucket_policy(Bucket=BUCKET, Policy=text)  # S3 itself accepts it
    assert json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"]) == policy


@pytest.mark.parametrize("bucket", [None, "", "   "])
def test_no_bucket_is_not_configured(s3, bucket):
    with pytest.raises(HostingNotConfigured) as info:
        ImageHost(bucket)
    assert "public URL" in str(info.value) and "bucket" in str(info.value)
    with pytest.raises(HostingNotConfigured):
        ImageHost.from_env(bucket)


def test_bucket_from_env_wins_over_settings(s3, monkeypatch):
    monkeypatch.setenv(hosting.BUCKET_ENV, BUCKET)
    assert ImageHost.from_env("settings-bucket").bucket == BUCKET
    monkeypatch.delenv(hosting.BUCKET_ENV)
    assert ImageHost.from_env("settings-bucket").bucket == "settings-bucket"


def test_invalid_bucket_name(s3):
    with pytest.raises(HostingNotConfigured) as info:
        ImageHost("Bad_Bucket")
    assert info.value.code == "INVALID_BUCKET_NAME"


def test_nonexistent_bucket_is_a_clear_error(s3):
    host = ImageHost("no-such-bucket-here")
    with pytest.raises(HostingBucketNotFound) as info:
        host.upload(PNG, "png", "image/png")
    assert "no-such-bucket-here" in str(info.value) and "does not exist" in str(info.value)
    assert info.value.code == "BUCKET_NOT_FOUND"
    with pytest.raises(HostingBucketNotFound):
        host.check_bucket()
    ImageHost(BUCKET).check_bucket()


def test_missing_credentials_is_a_clear_error(s3, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(HostingCredentialsMissing) as info:
        ImageHost(BUCKET).upload(PNG, "png", "image/png")
    assert "credentials" in str(info.value)
    # explicit keys (from the secrets module) work without the environment
    assert ImageHost(BUCKET, access_key_id="testing", secret_access_key="testing").upload(PNG, "png", "image/png")


def test_unreachable_endpoint_is_a_hosting_error(s3, monkeypatch):
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                          config=Config(retries={"max_attempts": 1}, connect_timeout=1))
    with pytest.raises(HostingError) as info:
        ImageHost(BUCKET, client=client).upload(PNG, "png", "image/png")
    assert info.value.code == "S3_UNREACHABLE"


def test_access_denied_is_a_clear_error():
    """S3's AccessDenied answer (moto does not enforce IAM by default, so botocore's Stubber plays S3 here)."""
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    host = ImageHost(BUCKET, client=client)
    with Stubber(client) as stub:
        stub.add_client_error("head_object", "403", "Forbidden", http_status_code=403)
        stub.add_client_error("put_object", "AccessDenied", "Access Denied", http_status_code=403)
        with pytest.raises(HostingAccessDenied) as info:
            host.upload(PNG, "png", "image/png")
    assert BUCKET in str(info.value) and "s3:PutObject" in str(info.value)


def test_check_public_proves_amazon_can_download_before_anything_is_sent(s3):
    host = ImageHost(BUCKET)
    url = host.upload(PNG, "png", "image/png")
    with pytest.raises(hosting.HostingNotPublic) as private:  # the bucket is private: Amazon would get a 403
        host.check_public(url)
    assert private.value.code == "BUCKET_NOT_PUBLIC" and "Bucket policy" in private.value.message
    s3.put_bucket_policy(Bucket=BUCKET, Policy=bucket_policy(BUCKET, public_read=True))
    host.check_public(url)  # an anonymous GET now answers
    assert host._public_ok
