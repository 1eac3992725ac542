"""Where a key is read: one module decides (environment first, sandbox sample credentials otherwise), and the
settings ask it instead of the keyring or the sandbox."""

import ast
from pathlib import Path

from desktop_app import config
from desktop_app import credentials
from desktop_app.credentials import KeyState, read_key, read_sp_api, sandbox_key

ROOT = Path(config.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {"." * node.level + (node.module or "") for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | \
        {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}


def test_the_settings_ask_credentials_never_the_keyring_or_the_sandbox():
    found = _imports(ROOT / "config.py")
    assert "desktop_app.credentials" in found
    assert not any("sandbox" in name or name.endswith("secrets") for name in found), found


def test_the_environment_key_is_read_without_touching_the_keyring():
    assert read_key({"PIXII_API_KEY": " pk_test_fromEnv123 "}, read_keyring=False) == KeyState("pk_test_fromEnv123", "env")
    assert read_key({}, read_keyring=False) == KeyState("", "")


def test_the_sandbox_gets_the_sample_key_unless_the_environment_gives_one():
    assert sandbox_key(KeyState("pk_live_savedKey1234", "keyring")).key == credentials.SANDBOX_KEY
    assert sandbox_key(KeyState("pk_live_savedKey1234", "session")).key == credentials.SANDBOX_KEY
    assert sandbox_key(KeyState("pk_test_fromEnv123", "env")) == KeyState("pk_test_fromEnv123", "env")
    settings = config.load_settings({"LISTING_STUDIO_DATA_DIR": "/tmp/x"}, read_keyring=False)
    assert (settings.sandbox, settings.api_key, settings.key_source) == (True, credentials.SANDBOX_KEY, "sandbox")


def test_sp_api_environment_wins_over_what_is_stored():
    env = {"SP_API_CLIENT_ID": "amzn1.application-oa2-client.env"}
    stored = {"client_id": "amzn1.application-oa2-client.saved", "client_secret": "s", "refresh_token": "Atzr|t"}
    values, source = read_sp_api(env, stored=stored, read_keyring=False)
    assert values == {**stored, "client_id": "amzn1.application-oa2-client.env"} and source == "env"
    assert read_sp_api({}, stored=stored, read_keyring=False) == (stored, "keyring")
    assert read_sp_api({}, read_keyring=False) == ({"client_id": "", "client_secret": "", "refresh_token": ""}, "")


def test_without_sp_api_credentials_the_sandbox_sample_account_is_used():
    sp = config.load_spapi_settings({}, read_keyring=False)
    assert (sp.sandbox, sp.source, sp.seller_id) == (True, "sandbox", credentials.SANDBOX_SELLER_ID)
    assert {"client_id": sp.client_id, "client_secret": sp.client_secret,
            "refresh_token": sp.refresh_token} == credentials.SANDBOX_SP_API
