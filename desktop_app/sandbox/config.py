"""The sandbox's switchable behaviour: defaults, environment overrides and validation.

Config keys (all settable with ``PixiiEmulator.configure(**cfg)`` or ``POST /_sandbox/config``):

=========================  ==========================  ===================================================
key                        default                     meaning
=========================  ==========================  ===================================================
status_profile             "listing-builder-page"      or "errors-page": INSUFFICIENT_CREDITS 402/400,
                                                       NO_ACTIVE_BRAND 400/422
envelope                   "flat"                      or "wrapped": ``{success, data, error}``
strict_keys                False                       True: only keys registered via the control API
minute_limit               10                          submissions per organisation per minute window
day_limit                  500                         submissions per organisation per UTC day
minute_window_seconds      60                          length of the "minute" window (scale down in benches)
omit_retry_after_header    False                       429 carries ``retry_after`` in the body only
pending_seconds            1.0 (env LISTING_STUDIO_SANDBOX_PENDING)
processing_seconds         4.0 (env LISTING_STUDIO_SANDBOX_PROCESSING)
expiry_seconds             604800 (7 days)             job and image-link lifetime after completed_at
prices                     see PRICES                  credits per listing_type (a partial dict merges)
ads_per_type               see ADS_PER_TYPE            number of ads per listing_type (merges)
image_bytes                0 (env LISTING_STUDIO_      every served image padded to this many bytes (still
                           SANDBOX_IMAGE_BYTES)        a valid image; 0: as rendered), for big-image runs
=========================  ==========================  ===================================================

Organisation keys accepted by the same call (default organisation unless ``org`` is given):
``balance`` (number) and ``active_brand`` (bool).
"""

from __future__ import annotations

import os
from typing import Any

from desktop_app.api.pixii.vocab import LISTING_TYPES

PRICES = {"amazon_listing": 10, "amazon_main_images": 4, "amazon_mobile_listing": 8,
          "shopify_listing": 8, "tiktok_listing": 6}
ADS_PER_TYPE = {"amazon_listing": 7, "amazon_main_images": 2, "amazon_mobile_listing": 5,
                "shopify_listing": 5, "tiktok_listing": 4}
DEFAULT_BALANCE = 1000
MAX_IMAGE_BYTES = 100 * 1024 * 1024  # what the app downloads at most
DEFAULT_ORG = "default"
STATUS_PROFILES = ("listing-builder-page", "errors-page")
ENVELOPES = ("flat", "wrapped")
ORG_KEYS = ("balance", "active_brand", "org")


def env_seconds(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value >= 0 else default


def default_config() -> dict[str, Any]:
    return {
        "status_profile": "listing-builder-page",
        "envelope": "flat",
        "strict_keys": False,
        "minute_limit": 10,
        "day_limit": 500,
        "minute_window_seconds": 60.0,
        "omit_retry_after_header": False,
        "pending_seconds": env_seconds("LISTING_STUDIO_SANDBOX_PENDING", 1.0),
        "processing_seconds": env_seconds("LISTING_STUDIO_SANDBOX_PROCESSING", 4.0),
        "expiry_seconds": 7 * 86400.0,
        "prices": dict(PRICES),
        "ads_per_type": dict(ADS_PER_TYPE),
        "image_bytes": int(env_seconds("LISTING_STUDIO_SANDBOX_IMAGE_BYTES", 0)),
    }


def _number(value: Any, *, positive: bool = False, integer: bool = False) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if integer and int(value) != value:
        return False
    return value > 0 if positive else value >= 0


def validate_config(changes: dict[str, Any]) -> list[str]:
    """Problems with ``changes`` (config keys plus organisation keys), as "key: reason" strings."""
    known = default_config()
    problems = []
    for key, value in changes.items():
        if key in ORG_KEYS:
            ok = {"balance": _number(value), "active_brand": isinstance(value, bool),
                  "org": isinstance(value, str) and bool(value)}[key]
        elif key not in known:
            problems.append(f"{key}: unknown config key")
            continue
        elif key == "status_profile":
            ok = value in STATUS_PROFILES
        elif key == "envelope":
            ok = value in ENVELOPES
        elif key in ("strict_keys", "omit_retry_after_header"):
            ok = isinstance(value, bool)
        elif key in ("minute_limit", "day_limit"):
            ok = _number(value, integer=True)
        elif key in ("prices", "ads_per_type"):
            positive = key == "ads_per_type"
            ok = isinstance(value, dict) and all(
                k in LISTING_TYPES and _number(v, positive=positive, integer=positive) for k, v in value.items())
        elif key == "image_bytes":
            ok = _number(value, integer=True) and value <= MAX_IMAGE_BYTES
        elif key == "minute_window_seconds":
            ok = _number(value, positive=True)
        else:  # pending_seconds, processing_seconds, expiry_seconds
            ok = _number(value)
        if not ok:
            problems.append(f"{key}: invalid value {value!r}")
    return problems


def merge_config(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in changes.items():
        if key in ORG_KEYS:
            continue
        if key in ("prices", "ads_per_type"):
            merged[key] = {**current.get(key, {}), **value}
        else:
            merged[key] = value
    return merged
