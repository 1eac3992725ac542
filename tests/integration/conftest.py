"""Fixtures of the integration tests that talk to the loopback emulators as a seller's command line does."""

import pytest

from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.server import serve

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
