"""Where the app talks to and keeps its files, from the environment, the keyring and defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

import platformdirs

from .api.urls import is_loopback_host, url_problem
from .api.vocab import DEFAULT_API_URL
from .core.validation import InputError

SANDBOX = "sandbox"
SANDBOX_BASE_URL = "https://sandbox.invalid"
SANDBOX_KEY = "pk_test_sandbox"


@dataclass(frozen=True)
class Settings:
    api_url: str          # "sandbox" or an http(s) base URL
    api_key: str = ""
    key_source: str = ""  # "env", "keyring", "sandbox" or "" (none)
    data_dir: Path = Path(".")
    poll_interval: float = 5.0
    keyring_problem: str | None = None
    give_up_after: float = 60.0  # seconds of continuous network failure before giving up

    @property
    def sandbox(self) -> bool:
        return self.api_url == SANDBOX

    @property
    def base_url(self) -> str:
        return SANDBOX_BASE_URL if self.sandbox else self.api_url

    @property
    def service(self) -> str:
        """The name recorded with each journalled job: which service holds it."""
        return SANDBOX if self.sandbox else self.api_url.rstrip("/")

    @property
    def api_is_local(self) -> bool:
        return self.sandbox or is_loopback_host(urlsplit(self.api_url).hostname)

    @property
    def journal_path(self) -> Path:
        return self.data_dir / "journal.sqlite"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def sandbox_store(self) -> Path:
        return self.data_dir / "sandbox.sqlite"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("listing-studio", appauthor=False))


def load_settings(env: Mapping[str, str] | None = None, *, read_keyring: bool = True) -> Settings:
    """Resolve settings. PIXII_API_KEY wins over the keyring; with no key at all the embedded
    sandbox is used. Raises InputError(INVALID_API_URL) for an unusable API URL."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("LISTING_STUDIO_DATA_DIR") or default_data_dir()).expanduser()
    try:
        poll = float(env.get("LISTING_STUDIO_POLL_INTERVAL") or 5.0)
    except ValueError:
        raise InputError("INVALID_CONFIG", "LISTING_STUDIO_POLL_INTERVAL must be a number of seconds") from None
    poll = min(max(poll, 0.01), 300.0)
    try:
        give_up = min(max(float(env.get("LISTING_STUDIO_GIVE_UP_AFTER") or 60.0), 0.0), 60.0)
    except ValueError:
        raise InputError("INVALID_CONFIG", "LISTING_STUDIO_GIVE_UP_AFTER must be a number of seconds") from None
    url = (env.get("LISTING_STUDIO_API_URL") or "").strip()
    if url and url.lower() != SANDBOX:
        problem = url_problem(url, what="LISTING_STUDIO_API_URL")
        if problem:
            raise InputError("INVALID_API_URL", problem)
    key, source, keyring_problem = (env.get("PIXII_API_KEY") or "").strip(), "env", None
    if not key and read_keyring and url.lower() != SANDBOX:
        from .secrets import PIXII_API_KEY, SecretStoreError, get_secret
        try:
            key, source = (get_secret(PIXII_API_KEY) or "").strip(), "keyring"
        except SecretStoreError as exc:
            key, keyring_problem = "", str(exc)
    if not key:
        source = ""
    if url.lower() == SANDBOX or (not url and not key):
        return Settings(SANDBOX, key or SANDBOX_KEY, source or SANDBOX, data_dir, poll, keyring_problem, give_up)
    return Settings(url or DEFAULT_API_URL, key, source, data_dir, poll, keyring_problem, give_up)
