"""The only code that talks to the OS keyring (Keychain, Credential Manager, Secret Service).

Keyring calls can block (Secret Service may prompt, or hang on a locked collection), so each call
runs in a daemon thread and is abandoned after ``timeout`` seconds. Failures are reported as
:class:`SecretStoreError` with the cause named; nothing is ever written to a plaintext file.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

SERVICE = "listing-studio"
PIXII_API_KEY = "pixii-api-key"
# SP-API (Amazon): the app's LWA client id and secret, the seller's refresh token; AWS keys for S3 hosting
SP_API_CLIENT_ID = "sp-api-client-id"
SP_API_CLIENT_SECRET = "sp-api-client-secret"
SP_API_REFRESH_TOKEN = "sp-api-refresh-token"
AWS_ACCESS_KEY_ID = "aws-access-key-id"
AWS_SECRET_ACCESS_KEY = "aws-secret-access-key"
SP_API_SECRETS = (SP_API_CLIENT_ID, SP_API_CLIENT_SECRET, SP_API_REFRESH_TOKEN)
DEFAULT_TIMEOUT = 5.0


class SecretStoreError(Exception):
    pass


def _call(fn: Callable[[], Any], timeout: float) -> Any:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = fn()
        except BaseException as exc:  # reported to the caller below
            result["error"] = exc

    thread = threading.Thread(target=run, name="keyring-call", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise SecretStoreError(f"The system keyring did not answer within {timeout:.0f} s (is it locked?)")
    if "error" in result:
        exc = result["error"]
        name = type(exc).__name__
        if name == "NoKeyringError":
            raise SecretStoreError("No system keyring is available on this computer") from None
        if name == "KeyringLocked":
            raise SecretStoreError("The system keyring is locked") from None
        raise SecretStoreError(f"The system keyring refused the request ({name})") from None
    return result.get("value")


def get_secret(name: str, *, timeout: float = DEFAULT_TIMEOUT) -> str | None:
    import keyring
    return _call(lambda: keyring.get_password(SERVICE, name), timeout)


def set_secret(name: str, value: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    import keyring
    _call(lambda: keyring.set_password(SERVICE, name, value), timeout)


def delete_secret(name: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    import keyring
    import keyring.errors

    def delete() -> None:
        try:
            keyring.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored: already deleted

    _call(delete, timeout)
