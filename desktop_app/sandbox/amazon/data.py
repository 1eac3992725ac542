"""SP-API emulator data: default credentials, config and seed listings.

Seed listings refer to the emulator's image host (:mod:`.spapi_media`) through the ``{media}`` placeholder,
replaced by the emulator's base URL when shown.
"""

from __future__ import annotations

from typing import Any

from desktop_app.api.amazon.marketplaces import MARKETPLACES
# the sample account the emulator accepts is the one the app uses without credentials
from desktop_app.credentials import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN, SANDBOX_SELLER_ID  # noqa: F401
from desktop_app.sandbox.config import env_seconds

MEDIA_PATH = "/spapi-media/"
MEDIA = "{media}"
OPERATIONS = ("getListingsItem", "putListingsItem", "patchListingsItem", "deleteListingsItem", "preview")
US, GB, DE = (MARKETPLACES[c].marketplace_id for c in ("US", "GB", "DE"))
EU = tuple(MARKETPLACES[c].marketplace_id for c in ("DE", "FR", "IT", "ES", "NL"))  # one seller, one EU account


def default_config() -> dict[str, Any]:
    return {
        "processing_seconds": env_seconds("LISTING_STUDIO_SPAPI_PROCESSING", 2.0),
        "token_lifetime": 3600.0,
        "rates": {"getListingsItem": [5.0, 5.0], "putListingsItem": [5.0, 5.0], "patchListingsItem": [5.0, 5.0],
                  "deleteListingsItem": [5.0, 5.0], "preview": [1.0, 1.0]},
        "required_attributes": ["item_name", "condition_type", "main_product_image_locator"],
        "fetch_timeout": 3.0,
        "max_body_bytes": 10 * 1024 * 1024,  # PUT/PATCH bodies above this answer 413 (Amazon's limit is unknown)
        # answer the listings operations with Amazon's static-sandbox pairs (sp-api-listings.md §8), store ignored
        "static_sandbox": False,
    }


def validate_config(changes: dict[str, Any]) -> list[str]:
    known, problems = default_config(), []
    for key, value in changes.items():
        if key not in known:
            problems.append(f"{key}: unknown config key")
        elif key == "rates":
            ok = isinstance(value, dict) and all(
                k in OPERATIONS and isinstance(v, list) and len(v) == 2 and all(
                    isinstance(x, (int, float)) and not isinstance(x, bool) for x in v) and v[0] > 0 and v[1] >= 1
                for k, v in value.items())
            if not ok:
                problems.append("rates: must map operations to [rate > 0, burst >= 1]")
        elif key == "required_attributes":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append("required_attributes: must be a list of attribute names")
        elif key == "static_sandbox":
            if not isinstance(value, bool):
                problems.append("static_sandbox: must be true or false")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.append(f"{key}: must be a number >= 0")
    return problems


def _img(mp: str, name: str) -> list[dict[str, str]]:
    return [{"marketplace_id": mp, "media_location": f"{MEDIA}{MEDIA_PATH}{name}"}]


def _listing(mp: str, product_type: str, asin: str, title: str, images: dict[str, str],
             extra: dict[str, Any] | None = None) -> dict[str, Any]:
    attrs: dict[str, Any] = {
        "item_name": [{"value": title, "language_tag": "en_US", "marketplace_id": mp}],
        "condition_type": [{"value": "new_new", "marketplace_id": mp}],
        "brand": [{"value": "Sandbox Goods", "marketplace_id": mp}],
        "bullet_point": [{"value": "Sample listing served by the Listing Studio sandbox", "language_tag": "en_US",
                          "marketplace_id": mp}],
        **(extra or {}),
    }
    attrs.update({attr: _img(mp, name) for attr, name in images.items()})
    return {"productType": product_type, "asin": asin, "attributes": attrs, "status": ["BUYABLE", "DISCOVERABLE"],
            "createdDate": "2025-11-03T09:00:00Z", "lastUpdatedDate": "2026-01-15T12:00:00Z", "issues": []}


def seed_listings() -> dict[str, Any]:
    """{seller: {sku: {marketplace id: record}}}."""
    mug = {"main_product_image_locator": "mug-main.jpg", "other_product_image_locator_1": "mug-pt01.jpg",
           "other_product_image_locator_2": "mug-pt02.jpg"}
    tote = {"main_product_image_locator": "tote-main.jpg", "swatch_product_image_locator": "tote-swch.png"}
    lamp = {"main_product_image_locator": "lamp-main.jpg"}
    candle = {"main_product_image_locator": "candle-main.jpg", "other_product_image_locator_1": "candle-pt01.jpg"}
    return {SANDBOX_SELLER_ID: {
        "MUG-BLK-16": {US: _listing(US, "DRINKING_CUP", "B0SANDMUG1", "Sandbox Ceramic Mug, Black, 16 oz", mug,
                                    {"color": [{"value": "Black", "language_tag": "en_US", "marketplace_id": US}]})},
        "TOTE/NAVY 2": {GB: _listing(GB, "HANDBAG", "B0SANDTOT2", "Sandbox Canvas Tote, Navy", tote)},
        "LAMP-WHT": {US: _listing(US, "LAMP", "B0SANDLMP3", "Sandbox Desk Lamp, White", lamp),
                     DE: _listing(DE, "LAMP", "B0SANDLMP3", "Sandbox Schreibtischlampe, Weiß", lamp)},
        "CANDLE-EU": {mp: _listing(mp, "CANDLE", "B0SANDCDL4", "Sandbox Soy Candle", candle) for mp in EU},
    }}
