"""SP-API emulator data: default credentials, config, seed listings, its image host and the media check.

The emulator's image host answers ``GET /spapi-media/<name>.jpg|.png`` with a generated product shot (no state
involved) and ``/spapi-media/<name>.html`` with an HTML page (a "not an image" URL for tests). Seed listings
refer to it through the ``{media}`` placeholder, replaced by the emulator's base URL when shown.
"""

from __future__ import annotations

import hashlib
import io
from typing import Any, Callable
from urllib.parse import urlsplit

import httpx
from PIL import Image, ImageDraw

from ..api.marketplaces import MARKETPLACES
from ..api.urls import is_loopback_host
from .config import env_seconds

MEDIA_PATH = "/spapi-media/"
MEDIA = "{media}"
SANDBOX_CLIENT_ID = "amzn1.application-oa2-client.listingstudiosandbox"
SANDBOX_CLIENT_SECRET = "sandbox-client-secret"
SANDBOX_REFRESH_TOKEN = "Atzr|listing-studio-sandbox"
SANDBOX_SELLER_ID = "A1SANDBOXSELLER"
OPERATIONS = ("getListingsItem", "putListingsItem", "patchListingsItem", "deleteListingsItem", "preview")
MAX_SIDE = 10_000
IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "TIFF"}
US, GB, DE = (MARKETPLACES[c].marketplace_id for c in ("US", "GB", "DE"))

# A media fetcher answers (status, content type, body) for a URL, or None to leave the URL to the default rule.
MediaFetcher = Callable[[str], "tuple[int, str, bytes] | None"]


def default_config() -> dict[str, Any]:
    return {
        "processing_seconds": env_seconds("LISTING_STUDIO_SPAPI_PROCESSING", 2.0),
        "token_lifetime": 3600.0,
        "rates": {"getListingsItem": [5.0, 5.0], "putListingsItem": [5.0, 5.0], "patchListingsItem": [5.0, 5.0],
                  "deleteListingsItem": [5.0, 5.0], "preview": [1.0, 1.0]},
        "required_attributes": ["item_name", "condition_type", "main_product_image_locator"],
        "fetch_timeout": 3.0,
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
    return {SANDBOX_SELLER_ID: {
        "MUG-BLK-16": {US: _listing(US, "DRINKING_CUP", "B0SANDMUG1", "Sandbox Ceramic Mug, Black, 16 oz", mug,
                                    {"color": [{"value": "Black", "language_tag": "en_US", "marketplace_id": US}]})},
        "TOTE/NAVY 2": {GB: _listing(GB, "HANDBAG", "B0SANDTOT2", "Sandbox Canvas Tote, Navy", tote)},
        "LAMP-WHT": {US: _listing(US, "LAMP", "B0SANDLMP3", "Sandbox Desk Lamp, White", lamp),
                     DE: _listing(DE, "LAMP", "B0SANDLMP3", "Sandbox Schreibtischlampe, Weiß", lamp)},
    }}


# --- the image host and the media check --------------------------------------------------------

def render_media(name: str) -> tuple[int, str, bytes]:
    """The emulator's image host: a generated picture for .jpg/.png names, an HTML page for .html."""
    stem, _, ext = name.rpartition(".")
    if not stem or "/" in name:
        return 404, "text/plain", b"not found"
    if ext == "html":
        return 200, "text/html; charset=utf-8", b"<!DOCTYPE html><html><body><h1>Not an image</h1></body></html>"
    if ext not in ("jpg", "jpeg", "png"):
        return 404, "text/plain", b"not found"
    digest = hashlib.sha256(stem.encode()).digest()
    image = Image.new("RGB", (1000, 1000), (255, 255, 255))
    ImageDraw.Draw(image).rounded_rectangle((200, 150, 800, 850), radius=60, fill=tuple(digest[:3]))
    out = io.BytesIO()
    image.save(out, "PNG" if ext == "png" else "JPEG", quality=85)
    return 200, "image/png" if ext == "png" else "image/jpeg", out.getvalue()


def image_problem(status: int, content_type: str, body: bytes) -> str | None:
    if status != 200:
        return f"the server answered HTTP {status}"
    if not content_type.lower().startswith("image/"):
        return f"the content type is {content_type or 'missing'}, not an image"
    try:
        with Image.open(io.BytesIO(body)) as im:
            fmt, size, frames = im.format, im.size, getattr(im, "n_frames", 1)
            im.verify()
    except Exception:
        return "the content is not a readable image"
    if fmt not in IMAGE_FORMATS:
        return f"the format {fmt} is not accepted (JPEG, PNG, GIF, TIFF)"
    if max(size) > MAX_SIDE:
        return f"the image is {size[0]}x{size[1]} px, above {MAX_SIDE} px"
    if fmt == "GIF" and frames > 1:
        return "animated GIFs are not accepted"
    return None


def scheme_problem(url: Any) -> str | None:
    if not isinstance(url, str) or not url.strip():
        return "media_location is missing"
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "media_location is not a URL"
    if not parts.hostname or parts.scheme not in ("http", "https"):
        return "media_location must be an https URL"
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return "media_location must use https"
    return None


def fetch_problem(url: str, base_url: str, fetcher: MediaFetcher | None, timeout: float) -> str | None:
    """Why ``url`` cannot serve as an image (None if it can, or if it is on the internet: not fetched)."""
    own = f"{base_url.rstrip('/')}{MEDIA_PATH}"
    if url.startswith(own):
        return image_problem(*render_media(url[len(own):].split("?", 1)[0]))
    answer = fetcher(url) if fetcher is not None else None
    if answer is not None:
        return image_problem(*answer)
    host = urlsplit(url).hostname or ""
    if host.endswith(".invalid"):
        return "the host cannot be resolved"
    if not is_loopback_host(host):
        return None  # a public host: the emulator does not fetch the internet
    try:
        with httpx.Client(trust_env=False, timeout=timeout, follow_redirects=False) as http:
            response = http.get(url)
    except httpx.HTTPError:
        return "the server could not be reached"
    return image_problem(response.status_code, response.headers.get("content-type", ""), response.content)


def emulator_fetcher(emulator: Any) -> MediaFetcher:
    """A media fetcher that answers URLs under another in-process emulator's ``base_url`` (e.g. the Pixii
    sandbox's signed image links at https://sandbox.invalid/files/…) by calling its ``handle`` directly."""
    from urllib.parse import parse_qsl

    def fetch(url: str) -> tuple[int, str, bytes] | None:
        base = emulator.base_url.rstrip("/")
        if not url.startswith(base + "/"):
            return None
        parts = urlsplit(url)
        answer = emulator.handle("GET", parts.path, dict(parse_qsl(parts.query)), {}, b"")
        return answer.status, answer.headers.get("Content-Type", ""), answer.body
    return fetch
