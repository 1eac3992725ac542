import os

import keyring
import pytest

import keyring.errors

from keyrings import BrokenKeyring, MemoryKeyring

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
def servers():
    """One loopback sandbox server with the Pixii and SP-API emulators: (server, spapi emulator)."""
    from desktop_app.sandbox.emulator import PixiiEmulator
    from desktop_app.sandbox.server import serve
    from desktop_app.sandbox.spapi import SpApiEmulator
    spapi = SpApiEmulator()
    srv = serve(PixiiEmulator(), port=0, spapi=spapi)
    srv.start()
    spapi.configure(processing_seconds=0.0)
    yield srv, spapi
    srv.stop()
