"""The Pixii API key as the app sees it: from the environment, the OS keyring, or (when no keyring
is usable) kept in memory for this session only. Never written anywhere else."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .api.pixii import key_mode, redact
from .secrets import PIXII_API_KEY, SecretStoreError, delete_secret, get_secret, set_secret

ENV_VAR = "PIXII_API_KEY"


@dataclass(frozen=True)
class KeyState:
    key: str            # "" when there is none
    source: str         # "env", "keyring", "session" or ""
    problem: str | None = None  # why the keyring could not be used, if it could not

    @property
    def mode(self) -> str:
        return key_mode(self.key)

    @property
    def label(self) -> str:
        return redact(self.key) if self.key else "no key"


def key_problem(key: str) -> str | None:
    """A pasted key's obvious problems, before any request."""
    key = key.strip()
    if not key:
        return "Paste your Pixii API key."
    if key_mode(key) == "unknown":
        return "A Pixii API key starts with pk_live_ (live) or pk_test_ (test)."
    if len(key) <= len("pk_live_") or any(c.isspace() for c in key):
        return "That key looks incomplete or contains spaces."
    return None


class KeyManager:
    """Reads and stores the key. Blocking keyring calls are bounded by the secrets module's
    timeout; the window calls these methods from a worker thread."""

    def __init__(self, env: dict[str, str] | None = None, timeout: float = 5.0) -> None:
        self._env = os.environ if env is None else env
        self._timeout = timeout
        self._session_key = ""

    def load(self) -> KeyState:
        env_key = (self._env.get(ENV_VAR) or "").strip()
        if env_key:
            return KeyState(env_key, "env")
        if self._session_key:
            return KeyState(self._session_key, "session")
        try:
            stored = (get_secret(PIXII_API_KEY, timeout=self._timeout) or "").strip()
        except SecretStoreError as exc:
            return KeyState("", "", str(exc))
        return KeyState(stored, "keyring" if stored else "")

    def save(self, key: str) -> KeyState:
        """Store in the keyring; if it can't be used, keep the key for this session only."""
        key = key.strip()
        problem = key_problem(key)
        if problem:
            raise ValueError(problem)
        try:
            set_secret(PIXII_API_KEY, key, timeout=self._timeout)
        except SecretStoreError as exc:
            self._session_key = key
            return KeyState(key, "session", f"{exc}. The key is kept in memory for this session only.")
        self._session_key = ""
        return KeyState(key, "keyring")

    def remove(self) -> KeyState:
        self._session_key = ""
        try:
            delete_secret(PIXII_API_KEY, timeout=self._timeout)
        except SecretStoreError as exc:
            return KeyState("", "", str(exc))
        return self.load()
