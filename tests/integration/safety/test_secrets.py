"""The secrets module and key manager with an in-memory keyring, plus a real Secret Service."""

import os
import time

import keyring
import keyring.errors
import pytest

from desktop_app import secrets
from support.keyrings import BrokenKeyring
from desktop_app.config import load_settings
from desktop_app.credentials import KeyManager, key_problem

KEY = "pk_live_memoryKey0123456789"


def test_round_trip_through_the_secrets_module(memory_keyring):
    secrets.set_secret(secrets.PIXII_API_KEY, KEY)
    assert memory_keyring.store == {("listing-studio", "pixii-api-key"): KEY}
    assert secrets.get_secret(secrets.PIXII_API_KEY) == KEY
    secrets.delete_secret(secrets.PIXII_API_KEY)
    secrets.delete_secret(secrets.PIXII_API_KEY)  # deleting twice is fine
    assert secrets.get_secret(secrets.PIXII_API_KEY) is None


def test_environment_wins_over_the_keyring(memory_keyring, monkeypatch):
    secrets.set_secret(secrets.PIXII_API_KEY, KEY)
    s = load_settings()
    assert (s.api_key, s.key_source, s.sandbox) == (KEY, "keyring", False)
    monkeypatch.setenv("PIXII_API_KEY", "pk_test_fromEnvironment1")
    s = load_settings()
    assert (s.api_key, s.key_source) == ("pk_test_fromEnvironment1", "env")
    assert KeyManager().load().source == "env"


def test_no_key_means_sandbox(memory_keyring):
    s = load_settings()
    assert s.sandbox and s.key_source == "sandbox"


def test_key_manager_saves_loads_and_removes(memory_keyring):
    km = KeyManager(env={})
    assert km.load().key == ""
    state = km.save(f"  {KEY} ")
    assert (state.key, state.source, state.mode) == (KEY, "keyring", "live")
    assert KEY not in state.label and state.label.startswith("pk_live_")
    assert km.load().key == KEY
    assert km.remove().key == ""


@pytest.mark.parametrize("bad", ["", "sk_live_abc", "pk_live_", "pk_test_has space"])
def test_obviously_wrong_keys_are_refused_before_any_request(bad):
    assert key_problem(bad)
    with pytest.raises(ValueError):
        KeyManager(env={}).save(bad)


def test_no_usable_keyring_keeps_the_key_for_the_session_only(tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring(keyring.errors.NoKeyringError("no backend")))
    try:
        km = KeyManager(env={})
        state = km.save(KEY)
        assert state.source == "session" and "No system keyring" in state.problem
        assert "session only" in state.problem
        assert km.load().key == KEY  # this session
        assert KeyManager(env={}).load().key == ""  # the next one starts without it
    finally:
        keyring.set_keyring(previous)
    assert not any(KEY.encode() in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())


def test_a_hanging_keyring_is_abandoned_after_the_timeout():
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring(delay=3))
    try:
        started = time.monotonic()
        with pytest.raises(secrets.SecretStoreError, match="did not answer"):
            secrets.get_secret(secrets.PIXII_API_KEY, timeout=0.3)
        assert time.monotonic() - started < 2
        state = KeyManager(env={}, timeout=0.3).load()
        assert state.key == "" and "did not answer" in state.problem
    finally:
        keyring.set_keyring(previous)


def test_locked_keyring_is_named():
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring(keyring.errors.KeyringLocked("locked")))
    try:
        with pytest.raises(secrets.SecretStoreError, match="locked"):
            secrets.get_secret(secrets.PIXII_API_KEY)
    finally:
        keyring.set_keyring(previous)


def test_real_secret_service_round_trip():
    """Against gnome-keyring on a private D-Bus session (tools/test.sh sets it up)."""
    if not os.environ.get("LISTING_STUDIO_TEST_SECRET_SERVICE"):
        if os.environ.get("CI"):
            pytest.fail("CI must run this test against a real Secret Service (run through tools/test.sh)")
        pytest.skip("no Secret Service session (run through tools/test.sh)")
    from keyring.backends import SecretService
    previous = keyring.get_keyring()
    keyring.set_keyring(SecretService.Keyring())
    try:
        value = "pk_test_réel-Secret-Service-ключ"
        secrets.set_secret(secrets.PIXII_API_KEY, value, timeout=15)
        assert secrets.get_secret(secrets.PIXII_API_KEY, timeout=15) == value
        secrets.delete_secret(secrets.PIXII_API_KEY, timeout=15)
        assert secrets.get_secret(secrets.PIXII_API_KEY, timeout=15) is None
    finally:
        keyring.set_keyring(previous)
