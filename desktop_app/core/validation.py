"""Local validation of everything a seller types, pastes or drops, before any request is sent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from desktop_app.api.urls import is_loopback_host, is_private_host
from desktop_app.api.pixii.vocab import COUNTRY_CODES, LISTING_TYPES

ASIN_RE = re.compile(r"^[A-Z0-9]{10}$")
_PRODUCT_PATH_RE = re.compile(r"/(?:dp|gp/product|gp/aw/d|exec/obidos/asin|o/asin)/([A-Za-z0-9]{10})(?:[/?#]|$)")

# Amazon storefront domains → the Listing Builder country code of that marketplace.
AMAZON_DOMAINS: dict[str, str] = {
    "amazon.ae": "AE", "amazon.com.au": "AU", "amazon.com.be": "BE", "amazon.com.br": "BR",
    "amazon.ca": "CA", "amazon.cn": "CN", "amazon.de": "DE", "amazon.eg": "EG", "amazon.es": "ES",
    "amazon.fr": "FR", "amazon.co.uk": "GB", "amazon.ie": "IE", "amazon.in": "IN", "amazon.it": "IT",
    "amazon.co.jp": "JP", "amazon.com.mx": "MX", "amazon.nl": "NL", "amazon.pl": "PL", "amazon.sa": "SA",
    "amazon.se": "SE", "amazon.sg": "SG", "amazon.com.tr": "TR", "amazon.com": "US", "amazon.co.za": "ZA",
}


class InputError(ValueError):
    """Invalid local input. ``code`` is a stable local code such as INVALID_ASIN."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ParsedProduct:
    asin: str
    country: str | None  # from the storefront domain, when the input was a product URL


def parse_product_input(text: str) -> ParsedProduct | None:
    """An ASIN or an Amazon product URL (…/dp/ASIN, …/gp/product/ASIN) → ASIN (+ marketplace)."""
    text = (text or "").strip()
    if not text:
        return None
    if "/" in text or "." in text:
        url = text if "://" in text else "https://" + text
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        host = (parts.hostname or "").lower()
        host = host[4:] if host.startswith("www.") else host
        if host.startswith("smile."):
            host = host[6:]
        if host not in AMAZON_DOMAINS:
            return None
        match = _PRODUCT_PATH_RE.search(parts.path + "/")
        return ParsedProduct(match.group(1).upper(), AMAZON_DOMAINS[host]) if match else None
    return ParsedProduct(text.upper(), None)


def asin_problem(asin: str) -> str | None:
    if not asin:
        return "Enter an ASIN (10 letters and digits, e.g. B0CX23V2ZK) or paste an Amazon product link."
    if not ASIN_RE.match(asin):
        if len(asin) != 10:
            return f"An ASIN has exactly 10 characters; '{asin}' has {len(asin)}."
        return f"An ASIN has only letters and digits; '{asin}' has other characters."
    return None


def normalize_asin(text: str) -> str:
    parsed = parse_product_input(text)
    asin = parsed.asin if parsed else (text or "").strip().upper()
    problem = asin_problem(asin)
    if problem:
        raise InputError("INVALID_ASIN", problem)
    return asin


def normalize_country(text: str) -> str:
    code = (text or "").strip().upper()
    if code not in COUNTRY_CODES:
        raise InputError("INVALID_COUNTRY", f"'{text}' is not a marketplace the Listing Builder accepts; use one of "
                         + " ".join(sorted(COUNTRY_CODES)) + ".")
    return code


def normalize_listing_type(text: str) -> str:
    value = (text or "").strip().lower()
    if value not in LISTING_TYPES:
        raise InputError("INVALID_LISTING_TYPE", f"'{text}' is not a listing type; use one of "
                         + ", ".join(LISTING_TYPES) + ".")
    return value


def reference_url_problem(url: str, *, api_is_local: bool) -> str | None:
    """Why a reference image URL can't be sent (None if it can)."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return f"'{url}' is not a valid URL."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"'{url}' is not an http(s) image URL."
    if not api_is_local and is_private_host(parts.hostname):
        return f"'{url}' points at a local or private address the service could never fetch."
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        return f"'{url}' uses plain http; the image must be served over https."
    return None


def normalize_reference_url(url: str, *, api_is_local: bool) -> str:
    problem = reference_url_problem(url, api_is_local=api_is_local)
    if problem:
        raise InputError("INVALID_IMAGE_URL", problem)
    return url.strip()
