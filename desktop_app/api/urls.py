"""URL rules: https everywhere, plain http only for loopback hosts; image links never to link-local addresses,
and to loopback or private ones only when the API itself is on loopback."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def ip_literal(host: str | None) -> Address | None:
    """The address a host names literally (also the old IPv4 forms such as ``2852039166`` or ``0xa9.0xfe.…``
    that resolvers accept, and IPv4-mapped IPv6), or None for a name."""
    if not host:
        return None
    host = host.strip("[]").lower()
    try:
        addr: Address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        try:
            import socket
            addr = ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    addr = ip_literal(host)
    return addr is not None and addr.is_loopback


def is_private_host(host: str | None) -> bool:
    """Loopback, private, link-local or otherwise non-public addresses (a remote service can't fetch them)."""
    if not host:
        return True
    if is_loopback_host(host):
        return True
    host = host.strip("[]").lower()
    addr = ip_literal(host)
    if addr is not None:
        return not addr.is_global
    return host.endswith((".local", ".internal", ".lan", ".home")) or "." not in host


def url_problem(url: str, *, what: str = "URL") -> str | None:
    """Why ``url`` may not be used (None if fine): only https, or http to a loopback host."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return f"{what} is not a valid URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{what} must be an http(s) URL with a host"
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return f"{what} must use https (plain http is allowed only for loopback hosts)"
    return None


def address_problem(addr: Address, host: str, *, local_ok: bool) -> str | None:
    if addr.is_link_local:
        return f"{host} is a link-local address"
    if not local_ok and not addr.is_global:
        return f"{host} is a loopback or private address"
    return None


def fetch_url_problem(url: str, *, local_ok: bool, what: str = "The image URL") -> str | None:
    """:func:`url_problem`, and never a link-local address; loopback and private addresses only when
    ``local_ok`` (the API itself is on loopback). Names are judged by their literal form only."""
    problem = url_problem(url, what=what)
    if problem:
        return problem
    host = urlsplit(url.strip()).hostname or ""
    addr = ip_literal(host)
    if addr is not None:
        problem = address_problem(addr, host, local_ok=local_ok)
    elif not local_ok and is_private_host(host):
        problem = f"{host} is a local name"
    return f"{what} points where images may not come from: {problem}" if problem else None


def resolve_host(host: str) -> list[Address]:
    """Every address ``host`` resolves to (blocking); [] when it does not resolve."""
    import socket  # here: checking the settings' URLs needs no resolver
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    found = [ip_literal(str(info[4][0])) for info in infos]
    return [a for a in found if a is not None]
