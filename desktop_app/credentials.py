"""Where a key is read — decided here and nowhere else: the Pixii API key, the Amazon SP-API credentials and the
AWS keys of the S3 image host.

The environment wins (PIXII_API_KEY, SP_API_*, AWS_*); then what is kept in memory for this session (when the
keyring could not be used); then the OS keyring. Without a Pixii key, or without SP-API credentials, the embedded
sandboxes are used with their sample credentials (defined here; the emulators accept them); a key from the
keyring is never sent to a sandbox. Keys are never written anywhere but the keyring. The settings
(``config.py``), the runtime, the window and ``doctor`` all ask this module; reading the keyring blocks (bounded by
``secrets``' timeout), so the window calls it from a worker thread, never on the GUI thread. Whether a key works
(one request to the service) is asked in :mod:`desktop_app.credential_checks`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Mapping

from desktop_app.api.pixii.keys import key_mode, redact
from desktop_app.secrets import PIXII_API_KEY, SecretStoreError, delete_secret, get_secret, set_secret

ENV_VAR = "PIXII_API_KEY"
SP_API_ENV = {"client_id": "SP_API_CLIENT_ID", "client_secret": "SP_API_CLIENT_SECRET",
              "refresh_token": "SP_API_REFRESH_TOKEN"}

# The embedded sandboxes' sample credentials (not secrets: the emulators accept them and nothing else does).
SANDBOX_KEY = "pk_test_sandbox"
SANDBOX_CLIENT_ID = "amzn1.application-oa2-client.listingstudiosandbox"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"
SANDBOX_REFRESH_TOKEN = "Atzr|listing-studio-sandbox"
SANDBOX_SELLER_ID = "A1SANDBOXSELLER"
SANDBOX_SP_API = {"client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET,
                  "refresh_token": SANDBOX_REFRESH_TOKEN}


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


class _SecretSlots:
    """Named secrets: the environment wins, then what is kept for this session (when the keyring could not
    be used), then the keyring. Blocking keyring calls are bounded by the secrets module's timeout; the
    window calls these methods from a worker thread. Never written anywhere else."""

    def __init__(self, env: Mapping[str, str] | None = None, timeout: float = 5.0) -> None:
        self._env = os.environ if env is None else env
        self._timeout = timeout
        self._session: dict[str, str] = {}

    def _env_value(self, var: str) -> str:
        return (self._env.get(var) or "").strip()

    def _read(self, name: str, var: str) -> tuple[str, str]:
        """(value, source); raises SecretStoreError when the keyring had to be asked and failed."""
        value = self._env_value(var)
        if value:
            return value, "env"
        if self._session.get(name):
            return self._session[name], "session"
        stored = (get_secret(name, timeout=self._timeout) or "").strip()
        return stored, "keyring" if stored else ""

    def _write(self, values: dict[str, str]) -> str | None:
        """Store in the keyring; if it can't be used, keep the values for this session only (the cause returned)."""
        try:
            for name, value in values.items():
                set_secret(name, value, timeout=self._timeout)
        except SecretStoreError as exc:
            self._session.update(values)
            return str(exc)
        for name in values:
            self._session.pop(name, None)
        return None

    def _erase(self, names: tuple[str, ...]) -> str | None:
        for name in names:
            self._session.pop(name, None)
        try:
            for name in names:
                delete_secret(name, timeout=self._timeout)
        except SecretStoreError as exc:
            return str(exc)
        return None


class KeyManager(_SecretSlots):
    """Reads and stores the Pixii key."""

    @property
    def env_key(self) -> str:
        """The key of the environment (it wins over the saved one), or ""."""
        return self._env_value(ENV_VAR)

    def load(self) -> KeyState:
        try:
            key, source = self._read(PIXII_API_KEY, ENV_VAR)
        except SecretStoreError as exc:
            return KeyState("", "", str(exc))
        return KeyState(key, source)

    def save(self, key: str) -> KeyState:
        """Store in the keyring; if it can't be used, keep the key for this session only."""
        key = key.strip()
        problem = key_problem(key)
        if problem:
            raise ValueError(problem)
        failure = self._write({PIXII_API_KEY: key})
        if failure:
            return KeyState(key, "session", f"{failure}. The key is kept in memory for this session only.")
        return KeyState(key, "keyring")

    def remove(self) -> KeyState:
        failure = self._erase((PIXII_API_KEY,))
        if failure:
            return KeyState(self.env_key, "env" if self.env_key else "", failure)
        return self.load()


def read_key(env: Mapping[str, str] | None = None, *, read_keyring: bool = True) -> KeyState:
    """The Pixii key: the environment's, else the keyring's (``read_keyring``; blocking), else none."""
    keys = KeyManager(env)
    return keys.load() if read_keyring else KeyState(keys.env_key, "env" if keys.env_key else "")


def sandbox_key(state: KeyState) -> KeyState:
    """The key the embedded sandbox gets: the environment's (a test key on purpose), else the sample key — never
    one from the keyring or this session."""
    return state if state.key and state.source == "env" else KeyState(SANDBOX_KEY, "sandbox", state.problem)


# --- Amazon SP-API credentials ------------------------------------------------------------------------------

SP_API_FIELDS = ("client_id", "client_secret", "refresh_token")
SP_API_LABELS = {"client_id": "LWA client id", "client_secret": "LWA client secret",
                 "refresh_token": "refresh token"}


def _sp_api_names() -> dict[str, tuple[str, str]]:
    from desktop_app import secrets
    names = dict(zip(SP_API_FIELDS, secrets.SP_API_SECRETS))
    return {f: (names[f], SP_API_ENV[f]) for f in SP_API_FIELDS}


@dataclass(frozen=True)
class SpApiCredentialState:
    """The three LWA secrets and where each comes from ("env", "keyring", "session" or "")."""
    values: dict[str, str] = field(repr=False)
    sources: dict[str, str]
    problem: str | None = None

    @property
    def complete(self) -> bool:
        return all(self.values.get(f) for f in SP_API_FIELDS)

    @property
    def from_env(self) -> set[str]:
        return {f for f in SP_API_FIELDS if self.sources.get(f) == "env"}

    @property
    def stored(self) -> dict[str, str]:
        """The values not from the environment (keyring or session): what the app itself keeps."""
        return {f: v for f, v in self.values.items() if v and self.sources.get(f) != "env"}


class SpApiCredentials(_SecretSlots):
    """The Amazon LWA client id and secret and the seller's refresh token: SP_API_* variables win over the
    keyring; a keyring that can't be used keeps them in memory for this session only."""

    def load(self) -> SpApiCredentialState:
        values: dict[str, str] = {}
        sources: dict[str, str] = {}
        problem = None
        for f, (name, var) in _sp_api_names().items():
            try:
                values[f], sources[f] = self._read(name, var)
            except SecretStoreError as exc:
                values[f], sources[f], problem = "", "", str(exc)
        return SpApiCredentialState(values, sources, problem)

    def env_only(self) -> SpApiCredentialState:
        """What the environment alone holds (no keyring, no session)."""
        values = {f: self._env_value(var) for f, (_, var) in _sp_api_names().items()}
        return SpApiCredentialState(values, {f: "env" if v else "" for f, v in values.items()})


    def save(self, values: dict[str, str]) -> SpApiCredentialState:
        """Store the given (non-empty) values; fields set in the environment are not stored (it wins)."""
        names = _sp_api_names()
        clean = {f: (values.get(f) or "").strip() for f in SP_API_FIELDS}
        bad = [SP_API_LABELS[f] for f, v in clean.items() if v and any(c.isspace() for c in v)]
        if bad:
            raise ValueError(f"The {', '.join(bad)} must not contain spaces.")
        to_store = {names[f][0]: v for f, v in clean.items() if v and not self._env_value(names[f][1])}
        failure = self._write(to_store) if to_store else None
        state = self.load()
        if failure:
            return SpApiCredentialState(state.values, state.sources,
                                        f"{failure}. The credentials are kept in memory for this session only.")
        return state

    def remove(self) -> SpApiCredentialState:
        failure = self._erase(tuple(name for name, _ in _sp_api_names().values()))
        state = self.load()
        return SpApiCredentialState(state.values, state.sources, failure) if failure else state


def read_sp_api(env: Mapping[str, str] | None = None, *, stored: Mapping[str, str] | None = None,
                read_keyring: bool = True) -> tuple[dict[str, str], str]:
    """The LWA credentials (client_id, client_secret, refresh_token) and where the first came from ("env",
    "keyring" or ""): SP_API_* variables win; the rest from ``stored`` (the window's, already read in a worker
    thread) or else from the keyring (``read_keyring``; blocking; a keyring that fails counts as empty)."""
    creds = SpApiCredentials(env)
    values = creds.env_only().values
    source = "env" if any(values.values()) else ""
    if stored is None and read_keyring and not all(values.values()):
        stored = creds.load().stored
    for f in SP_API_FIELDS:
        if not values[f] and ((stored or {}).get(f) or "").strip():
            values[f], source = stored[f].strip(), source or "keyring"  # type: ignore[index]
    return values, source


# --- AWS keys for the S3 image host ---------------------------------------------------------------------------

AWS_FIELDS = ("access_key_id", "secret_access_key")
AWS_LABELS = {"access_key_id": "AWS access key id", "secret_access_key": "AWS secret access key"}
AWS_ENV = {"access_key_id": "AWS_ACCESS_KEY_ID", "secret_access_key": "AWS_SECRET_ACCESS_KEY"}
_AWS_KEY_ID_RE = re.compile(r"[A-Z0-9]{16,128}")


def _aws_names() -> dict[str, str]:
    from desktop_app import secrets
    return {"access_key_id": secrets.AWS_ACCESS_KEY_ID, "secret_access_key": secrets.AWS_SECRET_ACCESS_KEY}


@dataclass(frozen=True)
class AwsCredentialState:
    """The two AWS keys and where each comes from ("env", "keyring", "session" or ""); ``profile``: AWS_PROFILE."""
    values: dict[str, str] = field(repr=False)
    sources: dict[str, str]
    profile: str = ""
    problem: str | None = None

    @property
    def env_wins(self) -> bool:
        """AWS credentials in the environment (keys or a profile): the S3 client uses those, never saved keys."""
        return bool(self.profile) or any(s == "env" for s in self.sources.values())

    @property
    def keys(self) -> tuple[str, ...]:
        """(key id, secret) for the S3 client, or () when it should use the environment's (or boto3's own) chain."""
        pair = tuple(self.values.get(f, "") for f in AWS_FIELDS)
        return pair if all(pair) and not self.env_wins else ()


class AwsCredentials(_SecretSlots):
    """The AWS access key id and secret access key of the S3 image host: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
    (or AWS_PROFILE) in the environment win over the keyring; a keyring that can't be used keeps them in memory for
    this session only."""

    def load(self) -> AwsCredentialState:
        values: dict[str, str] = {}
        sources: dict[str, str] = {}
        problem = None
        for f, name in _aws_names().items():
            try:
                values[f], sources[f] = self._read(name, AWS_ENV[f])
            except SecretStoreError as exc:
                values[f], sources[f], problem = "", "", str(exc)
        return AwsCredentialState(values, sources, self._env_value("AWS_PROFILE"), problem)

    def save(self, values: dict[str, str]) -> AwsCredentialState:
        """Store the given (non-empty) keys; a key set in the environment is not stored (it wins). ValueError for
        keys that can't be right, or for one half of a pair whose other half is neither typed nor saved."""
        clean = {f: (values.get(f) or "").strip() for f in AWS_FIELDS}
        if any(c.isspace() for v in clean.values() for c in v):
            raise ValueError("The AWS keys must not contain spaces.")
        if clean["access_key_id"] and not _AWS_KEY_ID_RE.fullmatch(clean["access_key_id"]):
            raise ValueError("An AWS access key id is 16 or more capital letters and digits (AKIA…).")
        names = _aws_names()
        to_store = {names[f]: v for f, v in clean.items() if v and not self._env_value(AWS_ENV[f])}
        if to_store:
            current = self.load()
            if not current.env_wins and not all(clean[f] or current.values.get(f) for f in AWS_FIELDS):
                raise ValueError("Enter both the AWS access key id and the secret access key.")
        failure = self._write(to_store) if to_store else None
        state = self.load()
        if failure:
            return AwsCredentialState(state.values, state.sources, state.profile,
                                      f"{failure}. The AWS keys are kept in memory for this session only.")
        return state

    def remove(self) -> AwsCredentialState:
        failure = self._erase(tuple(_aws_names().values()))
        state = self.load()
        return AwsCredentialState(state.values, state.sources, state.profile, failure) if failure else state
