"""The Pixii API key as the app sees it: from the environment, the OS keyring, or (when no keyring
is usable) kept in memory for this session only. Never written anywhere else."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .api.errors import PixiiError, RateLimited, Unauthorized, Unreachable
from .api.pixii import key_mode, redact
from .secrets import PIXII_API_KEY, SecretStoreError, delete_secret, get_secret, set_secret

ENV_VAR = "PIXII_API_KEY"


@dataclass(frozen=True)
class KeyState:
    key: str = field(repr=False)  # "" when there is none; never in a repr or a traceback
    source: str         # "env", "keyring", "session" or ""
    problem: str | None = None  # why the keyring could not be used, if it could not

    @property
    def mode(self) -> str:
        return key_mode(self.key)

    @property
    def label(self) -> str:
        return redact(self.key) if self.key else "no key"

    @property
    def where(self) -> str:
        """Where the key comes from, for people (never the key itself)."""
        return {"env": f"from the {ENV_VAR} environment variable (it wins over the saved key)",
                "keyring": "saved in the system keyring",
                "session": "kept in memory for this session only (not saved)"}.get(self.source, "no key saved")


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

    @property
    def env_key(self) -> str:
        """The key of the environment (it wins over the saved one), or ""."""
        return (self._env.get(ENV_VAR) or "").strip()

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
            return KeyState(self.env_key, "env" if self.env_key else "", str(exc))
        return self.load()


CHECK_ASIN = "B000000000"  # listing its jobs is cheap, needs a valid key and costs no credits


@dataclass(frozen=True)
class KeyCheck:
    ok: bool
    code: str       # "VALID", "UNAUTHORIZED", "UNREACHABLE", "INVALID_KEY" or the service's error code
    message: str    # for people; never contains the key


async def check_key(key: str, base_url: str, http, *, give_up_after: float = 8.0) -> KeyCheck:
    """One cheap authenticated request (list the jobs of a dummy ASIN) to ``base_url`` with ``key``."""
    from .api.pixii import PixiiClient

    key = key.strip()
    problem = key_problem(key)
    if problem:
        return KeyCheck(False, "INVALID_KEY", problem)
    client = PixiiClient(base_url, key, http=http, give_up_after=give_up_after, request_deadline=20.0)
    try:
        await client.list_jobs_page(CHECK_ASIN, 1, 1)
    except Unauthorized:
        return KeyCheck(False, "UNAUTHORIZED", f"Refused: the service answered 401 UNAUTHORIZED — the key "
                        f"{redact(key)} is revoked or wrong.")
    except Unreachable as exc:
        return KeyCheck(False, "UNREACHABLE", f"Service unreachable: {exc.message}. The key was not checked.")
    except RateLimited as exc:
        return KeyCheck(False, exc.code, "The service is rate-limiting requests; check again in a minute.")
    except PixiiError as exc:
        return KeyCheck(False, exc.code, f"The service answered {exc.code}: {exc.message}")
    finally:
        await client.aclose()
    kind = "live" if key_mode(key) == "live" else "test"
    return KeyCheck(True, "VALID", f"Valid: the service accepted this {kind} key.")
