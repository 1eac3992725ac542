"""Where the app talks to and keeps its files, from the environment and defaults; the keys in it are read by
``credentials.py`` (the one place that decides where a key is read)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from desktop_app.api.urls import is_loopback_host, url_problem
from desktop_app.api.pixii.vocab import DEFAULT_API_URL
from desktop_app.core.validation import InputError

SANDBOX = "sandbox"
SANDBOX_BASE_URL = "https://sandbox.invalid"


@dataclass(frozen=True)
class Settings:
    api_url: str          # "sandbox" or an http(s) base URL
    api_key: str = field(default="", repr=False)  # never in a repr, a log line or a traceback
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
    import platformdirs  # only when LISTING_STUDIO_DATA_DIR does not say
    return Path(platformdirs.user_data_dir("listing-studio", appauthor=False))


def default_config_dir() -> Path:
    """Where the window keeps its preferences (XDG_CONFIG_HOME on Linux). Never holds a secret."""
    import platformdirs
    return Path(platformdirs.user_config_dir("listing-studio", appauthor=False))


def sandbox_forced(env: Mapping[str, str] | None = None) -> bool:
    """LISTING_STUDIO_API_URL=sandbox: the embedded sandbox whatever the key or the window's choice."""
    env = os.environ if env is None else env
    return (env.get("LISTING_STUDIO_API_URL") or "").strip().lower() == SANDBOX


def live_api_url(env: Mapping[str, str] | None = None) -> str:
    """The service Live mode talks to: LISTING_STUDIO_API_URL when it is a URL, else the Pixii API
    ("sandbox" when the environment forces the sandbox). Raises InputError(INVALID_API_URL)."""
    env = os.environ if env is None else env
    url = (env.get("LISTING_STUDIO_API_URL") or "").strip()
    if url.lower() == SANDBOX:
        return SANDBOX
    if not url:
        return DEFAULT_API_URL
    problem = url_problem(url, what="LISTING_STUDIO_API_URL")
    if problem:
        raise InputError("INVALID_API_URL", problem)
    return url


def with_mode(base: Settings, *, live: bool, key: str = "", key_source: str = "",
              keyring_problem: str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """``base`` switched to Live (with ``key``, at :func:`live_api_url`) or to the embedded sandbox.

    The sandbox gets :func:`~.credentials.sandbox_key` (never a key from the keyring). Raises ValueError for Live
    without a key (or when the environment forces the sandbox)."""
    if live:
        url = live_api_url(env)
        if url == SANDBOX:
            raise ValueError("LISTING_STUDIO_API_URL=sandbox selects the embedded sandbox")
        if not key:
            raise ValueError("Live mode needs an API key")
        return replace(base, api_url=url, api_key=key, key_source=key_source or "keyring",
                       keyring_problem=keyring_problem)
    from desktop_app.credentials import KeyState, sandbox_key
    sandbox = sandbox_key(KeyState(key, key_source))
    return replace(base, api_url=SANDBOX, api_key=sandbox.key, key_source=sandbox.source,
                   keyring_problem=keyring_problem)


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
    from desktop_app.credentials import read_key, sandbox_key  # (and the keyring) only once the settings are valid
    state = read_key(env, read_keyring=read_keyring and url.lower() != SANDBOX)
    if url.lower() == SANDBOX or (not url and not state.key):
        sandbox = sandbox_key(state)
        return Settings(SANDBOX, sandbox.key, sandbox.source, data_dir, poll, state.problem, give_up)
    return Settings(url or DEFAULT_API_URL, state.key, state.source, data_dir, poll, state.problem, give_up)


# --- SP-API (publishing to Amazon) ------------------------------------------------------------------


@dataclass(frozen=True)
class SpApiSettings:
    """Where and as whom the app talks to SP-API. ``url``: "sandbox" (the embedded emulator), an http(s) base
    URL, or None (the marketplace's regional host). The secrets are never in a repr."""
    url: str | None
    lwa_url: str
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    seller_id: str = ""
    s3_bucket: str | None = None
    source: str = ""      # "env", "keyring", "sandbox" (where the LWA credentials come from)
    s3_region: str | None = None  # the image host's region (None: the environment's, else us-east-1)
    # the image host's AWS keys already read (the window: (key id, secret), or () for the environment's); None: the
    # runtime reads them from the environment or the keyring when it builds the host
    aws_keys: tuple[str, ...] | None = field(default=None, repr=False)

    @property
    def sandbox(self) -> bool:
        return self.url == SANDBOX


def load_spapi_settings(env: Mapping[str, str] | None = None, *, seller_id: str | None = None,
                        s3_bucket: str | None = None, read_keyring: bool = True,
                        stored: Mapping[str, str] | None = None) -> SpApiSettings:
    """SP-API settings: SP_API_* variables win over the keyring entries (and ``seller_id``, a plain setting);
    LISTING_STUDIO_SP_API_URL ("sandbox", the default without credentials), LISTING_STUDIO_LWA_URL,
    LISTING_STUDIO_S3_BUCKET (over ``s3_bucket``). ``stored``: the saved credentials (client_id, client_secret,
    refresh_token) already read (the window's :class:`~.credentials.SpApiCredentials`), used instead of the keyring.
    Raises InputError for unusable URLs or half-set credentials."""
    from desktop_app.api.amazon.auth import DEFAULT_LWA_URL
    from desktop_app.credentials import SANDBOX_SELLER_ID, SANDBOX_SP_API, SP_API_ENV, read_sp_api
    env = os.environ if env is None else env
    url = (env.get("LISTING_STUDIO_SP_API_URL") or "").strip()
    lwa_url = (env.get("LISTING_STUDIO_LWA_URL") or "").strip() or DEFAULT_LWA_URL
    for name, value in (("LISTING_STUDIO_SP_API_URL", url), ("LISTING_STUDIO_LWA_URL", lwa_url)):
        problem = url_problem(value, what=name) if value and value.lower() != SANDBOX else None
        if problem:
            raise InputError("INVALID_SP_API_URL", problem)
    bucket = (env.get("LISTING_STUDIO_S3_BUCKET") or "").strip() or (s3_bucket or "").strip() or None
    sandbox = url.lower() == SANDBOX
    creds, source = read_sp_api(env, stored=None if sandbox else stored, read_keyring=read_keyring and not sandbox)
    seller = (env.get("SP_API_SELLER_ID") or "").strip() or (seller_id or "").strip()
    if sandbox or (not url and not any(creds.values())):
        return SpApiSettings(SANDBOX, lwa_url, **SANDBOX_SP_API, seller_id=SANDBOX_SELLER_ID, s3_bucket=bucket,
                             source=SANDBOX)
    missing = [SP_API_ENV[k] for k, v in creds.items() if not v]
    if missing:
        raise InputError("MISSING_SP_API_CREDENTIALS", "SP-API needs the LWA client id and secret and the seller's "
                         f"refresh token; missing: {', '.join(missing)} (environment or keyring)")
    if not seller:
        raise InputError("MISSING_SELLER_ID", "SP-API needs the seller id: set SP_API_SELLER_ID")
    return SpApiSettings(url or None, lwa_url, creds["client_id"], creds["client_secret"], creds["refresh_token"],
                         seller, bucket, source)
