import os

import keyring
import pytest

import keyring.errors

from support.keyrings import BrokenKeyring, MemoryKeyring

os.environ.setdefault("QT_API", "pyside6")

_ISOLATED_VARS = ("PIXII_API_KEY", "LISTING_STUDIO_API_URL", "LISTING_STUDIO_DATA_DIR",
                  "LISTING_STUDIO_POLL_INTERVAL")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """Every test gets its own data dir, no key from the developer's environment, fast sandbox jobs."""
    for name in _ISOLATED_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LISTING_STUDIO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LISTING_STUDIO_POLL_INTERVAL", "0.05")
    monkeypatch.setenv("LISTING_STUDIO_SANDBOX_PENDING", "0.05")
    monkeypatch.setenv("LISTING_STUDIO_SANDBOX_PROCESSING", "0.2")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    yield


@pytest.fixture
def memory_keyring():
    """The OS keyring replaced by an in-memory one for the test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def fast_spapi(monkeypatch):
    """The in-process SP-API sandbox processes in 0.3 s; no SP-API or bucket settings from the environment."""
    monkeypatch.setenv("LISTING_STUDIO_SPAPI_PROCESSING", "0.3")
    for name in ("SP_API_CLIENT_ID", "SP_API_CLIENT_SECRET", "SP_API_REFRESH_TOKEN", "SP_API_SELLER_ID",
                 "LISTING_STUDIO_SP_API_URL", "LISTING_STUDIO_S3_BUCKET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def no_keyring():
    """No usable keyring at all (as on a desktop without a Secret Service)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring(keyring.errors.NoKeyringError("No recommended backend was available.")))
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def moto_endpoint():
    """moto's S3 server on a free loopback port, for the whole session (tests reset it)."""
    from moto.server import ThreadedMotoServer
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_s3(moto_endpoint, monkeypatch, tmp_path):
    """moto's server, reset, as the S3 endpoint; no AWS profile, config file, session token, default region or
    instance metadata from the developer's machine (each test sets the keys and region it needs)."""
    import urllib.request
    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")).close()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_endpoint)
    return moto_endpoint


@pytest.fixture
def servers():
    """One loopback sandbox server with the Pixii and SP-API emulators: (server, spapi emulator)."""
    from desktop_app.sandbox.pixii.emulator import PixiiEmulator
    from desktop_app.sandbox.server import serve
    from desktop_app.sandbox.amazon.emulator import SpApiEmulator
    spapi = SpApiEmulator()
    srv = serve(PixiiEmulator(), port=0, spapi=spapi)
    srv.start()
    spapi.configure(processing_seconds=0.0)
    yield srv, spapi
    srv.stop()


@pytest.fixture
def public_bucket(moto_s3, monkeypatch):
    """Make a moto bucket that Amazon could read from, named by the test (keys and region from the environment,
    as a seller sets them); returns the admin S3 client."""
    def make(name: str):
        import boto3

        from desktop_app.core.publish.hosting import bucket_policy
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-SECRET-testing")
        monkeypatch.setenv("AWS_REGION", "us-east-1")
        monkeypatch.setenv("LISTING_STUDIO_S3_BUCKET", name)
        admin = boto3.client("s3", endpoint_url=moto_s3, region_name="us-east-1")
        admin.create_bucket(Bucket=name)
        admin.put_bucket_policy(Bucket=name, Policy=bucket_policy(name, public_read=True))
        return admin
    return make
