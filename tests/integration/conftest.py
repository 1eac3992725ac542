"""Fixtures of the integration tests that talk to the loopback emulators as a seller's command line does."""

import pytest

from support.cli import spapi_cli_env

CLI_KEY = "pk_test_cliSecretKey987654"


@pytest.fixture
def seller_env(servers, tmp_path):
    """The command line's environment against the loopback Pixii + SP-API emulators, as the sandbox seller."""
    srv, _ = servers
    return spapi_cli_env(srv.url, tmp_path / "data", CLI_KEY)
