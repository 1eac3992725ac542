"""URL rules: https everywhere, plain http only for loopback hosts."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_private_host(host: str | None) -> bool:
    """Loopback, private, link-local or otherwise non-public addresses (a remote service can't fetch them)."""
    if not host:
        return True
    if is_loopback_host(host):
        return True
    host = host.strip("[]").lower()
    if host.endswith((".local", ".internal", ".lan", ".home")) or "." not in host:
        return True
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not addr.is_global


def url_problem(url: str, *, what: str = "URL") -> str | None:
    """Why ``url`` may not be used (None if fine): only https, or http to a loopback host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return f"{what} is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{what} must be an http(s) URL with a host"
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return f"{what} must use https (plain http is allowed only for loopback hosts)"
    return None
