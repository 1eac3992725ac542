"""Login with Amazon (LWA) token exchange for SP-API (sp-api-listings.md §1), and the User-Agent convention.

:class:`LwaTokenProvider` exchanges the seller's refresh token for an access token, caches it until 60 s
before it expires and lets concurrent callers share one in-flight refresh. ``invalid_grant`` raises
:class:`~.spapi_errors.AuthorizationRevoked`. The client secret, the refresh token and the access token never
appear in a repr, an exception or a log line.
"""

from __future__ import annotations

import asyncio
import logging
import platform
import re
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable

import httpx

from desktop_app import __version__
from desktop_app.api.answers import AnswerTooLarge, UnreadableJson, loads, send_capped
from desktop_app.api.retry import RetryPolicy
from desktop_app.api.amazon.errors import SpApiError, SpApiServerError, SpApiUnreachable, lwa_error
from desktop_app.api.urls import url_problem
from desktop_app.api.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_LWA_URL = "https://api.amazon.com/auth/o2/token"
EARLY_RENEWAL = 60.0  # seconds before expiry at which a cached token is renewed
APP_NAME = "Listing Studio"


@dataclass(frozen=True)
class LwaCredentials:
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)

    def __repr__(self) -> str:
        return f"LwaCredentials(client_id={self.client_id!r}, client_secret=<hidden>, refresh_token=<hidden>)"

    @property
    def complete(self) -> bool:
        return bool(self.client_id and self.client_secret and self.refresh_token)


def _escape(text: str, extra: str) -> str:
    text = text.replace("\\", "\\\\")
    for ch in extra:
        text = text.replace(ch, "\\" + ch)
    return text


def user_agent(app: str = APP_NAME, version: str = __version__, **attributes: str) -> str:
    """``AppName/version (Language=Python/3.x.y; Platform=OS/release)``, escaped per Amazon's convention,
    at most 500 characters."""
    attrs = {"Language": f"Python/{platform.python_version()}",
             "Platform": f"{platform.system() or 'Unknown'}/{platform.release() or '0'}", **attributes}
    inner = "; ".join(f"{_escape(k, '=')}={_escape(v, ');')}" for k, v in attrs.items())
    return f"{_escape(app, '/')}/{_escape(version, '(')} ({inner})"[:500]


_TOKENISH = re.compile(r"Atz[ar]\|\S+")


class LwaTokenProvider:
    def __init__(self, credentials: LwaCredentials, http: httpx.AsyncClient, *, lwa_url: str = DEFAULT_LWA_URL,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, give_up_after: float = 60.0,
                 backoff_base: float = 0.5, backoff_cap: float = 8.0, request_deadline: float = 60.0) -> None:
        problem = url_problem(lwa_url, what="The LWA token URL")
        if problem:
            raise ConfigError("INVALID_LWA_URL", problem)
        if not credentials.complete:
            raise ConfigError("MISSING_CREDENTIALS", "SP-API needs the LWA client id, client secret and the "
                              "seller's refresh token")
        self.__credentials = credentials
        self.client_id = credentials.client_id
        self.lwa_url = lwa_url
        self._http = http
        self._clock = clock
        self._sleep = sleep
        self.retry = RetryPolicy(base=backoff_base, cap=backoff_cap, give_up_after=give_up_after)
        self.request_deadline = request_deadline
        self.__token: str | None = None
        self._expires_at = 0.0
        self._lock: asyncio.Lock | None = None
        self.refreshes = 0  # token requests that succeeded (for tests and diagnostics)

    def __repr__(self) -> str:
        return f"LwaTokenProvider(client_id={self.client_id!r}, lwa_url={self.lwa_url!r})"

    def _valid(self) -> bool:
        return self.__token is not None and self._clock() < self._expires_at - EARLY_RENEWAL

    def invalidate(self) -> None:
        self.__token = None

    async def token(self, *, stale: str | None = None) -> str:
        """A valid access token. ``stale``: a token the caller saw rejected (403): refresh unless another caller
        already replaced it. Concurrent callers wait for one shared refresh."""
        if self._valid() and (stale is None or self.__token != stale):
            return self.__token  # type: ignore[return-value]
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._valid() and (stale is None or self.__token != stale):
                return self.__token  # type: ignore[return-value]
            token, lifetime = await self._exchange()
            self.__token, self._expires_at = token, self._clock() + lifetime
            self.refreshes += 1
            return token

    async def _exchange(self) -> tuple[str, float]:
        creds = self.__credentials
        form = {"grant_type": "refresh_token", "refresh_token": creds.refresh_token,
                "client_id": creds.client_id, "client_secret": creds.client_secret}
        attempts = self.retry.start(clock=self._clock, sleep=self._sleep)
        while True:
            try:
                async with asyncio.timeout(self.request_deadline):
                    response = await send_capped(
                        self._http, "POST", self.lwa_url, data=form,
                        headers={"Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
                                 "Accept": "application/json", "User-Agent": user_agent()})
                body = _json(response)
                if response.status_code == 200:
                    return _parse_token(body)
                failure: SpApiError = lwa_error(response.status_code, body)
                if not isinstance(failure, SpApiServerError):
                    raise failure
            except (httpx.TransportError, TimeoutError) as exc:
                failure = SpApiUnreachable("LWA_UNREACHABLE", f"Login with Amazon could not be reached "
                                           f"({type(exc).__name__})")
            except AnswerTooLarge as exc:
                failure = SpApiUnreachable("LWA_BAD_RESPONSE", f"Login with Amazon sent {exc}")
            wait = attempts.next_wait()
            if not attempts.allows(wait):
                raise SpApiUnreachable(failure.code, f"{failure.message} (gave up after retrying)",
                                       status=failure.status) from None
            log.info("LWA token request failed (%s); retrying in %.1f s", failure.code, wait)
            await attempts.pause(wait)


def _json(response: httpx.Response):
    try:
        return loads(response.content)
    except UnreadableJson:
        return None


def _parse_token(body) -> tuple[str, float]:
    token = body.get("access_token") if isinstance(body, dict) else None
    lifetime = body.get("expires_in") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token or isinstance(lifetime, bool) or not isinstance(lifetime, (int, float)):
        raise SpApiUnreachable("LWA_BAD_RESPONSE", "Login with Amazon answered without an access token")
    return token, float(lifetime)
