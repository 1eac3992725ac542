"""Fixtures of the integration tests that talk to the loopback emulators as a seller's command line does."""

import pytest

from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.server import serve
from desktop_app.sandbox.transport import SandboxTransport

from support.cli import spapi_cli_env

CLI_KEY = "pk_test_cliSecretKey987654"


@pytest.fixture
def seller_env(servers, tmp_path):
    """The command line's environment against the loopback Pixii + SP-API emulators, as the sandbox seller."""
    srv, _ = servers
    return spapi_cli_env(srv.url, tmp_path / "data", CLI_KEY)


@pytest.fixture
def env(seller_env):
    """The command line's environment of the publishing tests (a test module may define its own)."""
    return seller_env


@pytest.fixture
def sandbox():
    """A loopback Pixii sandbox with fast jobs and no minute limit: (emulator, url)."""
    emu = PixiiEmulator()
    emu.configure(pending_seconds=0.05, processing_seconds=0.2, minute_limit=1000, ads_per_type={"amazon_listing": 2})
    srv = serve(emu, port=0).start()
    yield emu, srv.url
    srv.stop()


@pytest.fixture(params=["in-process", "loopback"])
def pixii_both_ways(request):
    """A Pixii emulator reached in-process and over a real loopback socket: (emulator, base_url, transport or None)."""
    if request.param == "in-process":
        emu = PixiiEmulator(base_url="https://sandbox.invalid")
        yield emu, "https://sandbox.invalid", SandboxTransport(emu)
    else:
        emu = PixiiEmulator()
        srv = serve(emu, port=0).start()
        yield emu, srv.url, None
        srv.stop()
