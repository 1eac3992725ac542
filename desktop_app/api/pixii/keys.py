"""What a Pixii API key's prefix says (live or test) and how a key is shown to people: without the HTTP client, so
that the settings can be read by commands that never talk to the service."""

from __future__ import annotations


def key_mode(api_key: str | None) -> str:
    """'live', 'test' or 'unknown', from the key's prefix."""
    if api_key and api_key.startswith("pk_live_"):
        return "live"
    if api_key and api_key.startswith("pk_test_"):
        return "test"
    return "unknown"


def redact(api_key: str | None) -> str:
    if not api_key:
        return "<none>"
    return api_key[:8] + "…" if api_key.startswith(("pk_live_", "pk_test_")) else "…"
