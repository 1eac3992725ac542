"""getDefinitionsProductType of the SP-API emulator (Product Type Definitions API 2020-09-01, sp-api-listings.md
§5.4) and the host of the JSON Schemas it links to.

``GET /definitions/2020-09-01/productTypes/{productType}?marketplaceIds=<one>&requirements=…`` (also
``requirementsEnforced``, ``locale``, ``productTypeVersion``, ``sellerId``) checks the access token like the
listings routes (a ``sellerId``, when given, must be the token's seller), has its own token bucket (5/s, burst 5,
per seller), answers 400 ``InvalidInput`` for missing, several or unknown
``marketplaceIds`` and for bad ``requirements``/``requirementsEnforced``/``locale`` values, and 404 ``NOT_FOUND``
for an unknown product type or version. The answer links the schema at ``/spapi-schemas/…`` under the emulator's
base URL, presigned like an S3 link (``X-Amz-Date``, ``X-Amz-Expires`` = 7 days, ``X-Amz-Signature``): no other
credential is needed; a wrong signature or an expired link gets 403, a request carrying an ``Authorization``
header 400 (S3 takes one auth mechanism), and so does one carrying an SP-API access token (an emulator check:
the token must never reach a presigned link). ``metaSchema`` is not served.

Product types: DRINKING_CUP, HANDBAG, LAMP and PRODUCT, plus those added with
:meth:`Definitions.define_product_type`. ``properties``: the seed listings' attributes, the required ones and
the product type's image attributes (all ten by default); ``required``: the config's ``required_attributes`` — the
list the emulator's PUT validation enforces, so both agree — for LISTING and LISTING_PRODUCT_ONLY when ENFORCED,
else none. LISTING_OFFER_ONLY has no image attributes. Faults (``add_fault``) apply to both routes.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import json
import re
from typing import Any, Mapping
from urllib.parse import unquote, urlencode

from desktop_app.api.amazon.marketplaces import BY_ID
from desktop_app.api.amazon.models import SLOT_ATTRIBUTES
from desktop_app.sandbox.amazon.access import authorize, throttle
from desktop_app.sandbox.amazon.data import seed_listings
from desktop_app.sandbox.amazon.replies import errors, hashed, reply
from desktop_app.sandbox.responses import EmuResponse
from desktop_app.store.sandbox_state import Store

DEFINITIONS_PATH = "/definitions/2020-09-01/productTypes/"
SCHEMA_PATH = "/spapi-schemas/"
ROUTES = (DEFINITIONS_PATH, SCHEMA_PATH)
OPERATION = "getDefinitionsProductType"
RATE = [5.0, 5.0]
BUILT_IN = ("DRINKING_CUP", "HANDBAG", "LAMP", "PRODUCT")
IMAGE_ATTRIBUTES = tuple(SLOT_ATTRIBUTES.values())
REQUIREMENTS = ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY")
ENFORCEMENTS = ("ENFORCED", "NOT_ENFORCED")
VERSIONS = ("LATEST", "RELEASE_CANDIDATE")
LINK_LIFETIME = 7 * 86400
SIGNING_KEY = "listing-studio-sandbox-schema-signing"
NAME_RE = re.compile(r"[A-Z][A-Z0-9_]{0,99}")
LOCALE_RE = re.compile(r"[a-z]{2}(_[A-Z]{2})?")
SCHEMA_ID = "https://schemas.amazon.com/selling-partners/definitions/product-types/schema/v1/"
META_SCHEMA = "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1"


@functools.lru_cache(maxsize=1)
def seed_attribute_names() -> tuple[str, ...]:
    """Every non-image attribute of the seed listings, sorted."""
    names = {name for skus in seed_listings().values() for markets in skus.values() for record in markets.values()
             for name in record["attributes"]}
    return tuple(sorted(names - set(IMAGE_ATTRIBUTES)))


def _stamp(now: float) -> str:
    return dt.datetime.fromtimestamp(now, dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _signature(path: str, date: str) -> str:
    return hashlib.sha256(f"{path}\n{date}\n{SIGNING_KEY}".encode()).hexdigest()


def version_of(product_type: str, spec: Mapping[str, Any]) -> str:
    """A stable version id (shaped like Amazon's "UHqSqmb4FNUk=") that changes when the product type does."""
    digest = hashlib.sha256(json.dumps([product_type, spec], sort_keys=True).encode()).digest()
    return "U" + base64.b64encode(digest).decode()[:10] + "="


def _property(name: str, mp: str, image: bool) -> dict[str, Any]:
    marketplace = {"title": "Marketplace Id", "type": "string", "enum": [mp], "editable": False, "hidden": True}
    if image:
        item = {"type": "object", "required": ["media_location"], "additionalProperties": False,
                "properties": {"media_location": {"title": "Media Location", "type": "string", "format": "uri",
                                                  "minLength": 1, "editable": True},
                               "marketplace_id": marketplace}}
        return {"title": name.replace("_", " ").title(), "type": "array", "minItems": 1, "maxItems": 1,
                "selectors": ["marketplace_id"], "items": item}
    item = {"type": "object", "required": ["value"], "additionalProperties": False,
            "properties": {"value": {"title": name.replace("_", " ").title(), "type": "string", "editable": True},
                           "language_tag": {"title": "Language Tag", "type": "string"},
                           "marketplace_id": marketplace}}
    return {"title": name.replace("_", " ").title(), "type": "array", "minItems": 1,
            "selectors": ["marketplace_id", "language_tag"], "items": item}


def schema_document(product_type: str, mp: str, requirements: str, enforced: str, spec: Mapping[str, Any],
                    required: list[str]) -> bytes:
    """The product type's JSON Schema (2019-09 with Amazon's vocabulary) as served, byte for byte."""
    images = [] if requirements == "LISTING_OFFER_ONLY" else list(spec["images"])
    enforce = enforced == "ENFORCED" and requirements != "LISTING_OFFER_ONLY"
    required = list(dict.fromkeys(required)) if enforce else []
    others = [n for n in dict.fromkeys([*spec["attributes"], *required]) if n not in IMAGE_ATTRIBUTES]
    properties = {n: _property(n, mp, False) for n in others}
    properties.update({n: _property(n, mp, True) for n in IMAGE_ATTRIBUTES if n in images or n in required})
    document = {"$schema": META_SCHEMA, "$id": f"{SCHEMA_ID}{product_type}",
                "$comment": f"Amazon product type definition for {product_type} product type",
                "type": "object", "required": required, "properties": properties}
    return json.dumps(document, separators=(",", ":")).encode()


def checksum(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode("ascii")


def _s3_error(status: int, code: str, message: str) -> EmuResponse:
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
            "</Error>").encode()
    return EmuResponse(status, {"Content-Type": "application/xml"}, body)


class Definitions:
    """getDefinitionsProductType and the schema host, a part of the SP-API emulator: product types added with
    :meth:`define_product_type` are kept in ``store``; links point under ``base_url``."""

    def __init__(self, store: Store, base_url: str) -> None:
        self.store, self.base_url = store, base_url

    # --- control ------------------------------------------------------------------------------

    def define_product_type(self, name: str, *, images: list[str] | None = None,
                            attributes: list[str] | None = None) -> None:
        """Add or replace a product type: its image attributes (default all ten) and other attributes (default
        the seed listings')."""
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            raise ValueError("name: upper-case letters, digits and _")
        images = list(IMAGE_ATTRIBUTES if images is None else images)
        if any(i not in IMAGE_ATTRIBUTES for i in images):
            raise ValueError(f"images: only {', '.join(IMAGE_ATTRIBUTES)}")
        attributes = list(seed_attribute_names() if attributes is None else attributes)
        if not all(isinstance(a, str) and a for a in attributes):
            raise ValueError("attributes: a list of attribute names")
        with self.store.transaction() as state:
            state.setdefault("product_types", {})[name] = {"images": images, "attributes": attributes}

    def _product_type(self, state: dict[str, Any], name: str) -> dict[str, Any] | None:
        defined = state.get("product_types", {})
        if name in defined:
            return defined[name]
        if name in BUILT_IN:
            return {"images": list(IMAGE_ATTRIBUTES), "attributes": list(seed_attribute_names())}
        return None

    # --- routes -------------------------------------------------------------------------------

    def handle(self, state: dict[str, Any], now: float, cfg: dict[str, Any], method: str, path: str,
               query: dict[str, str], hdrs: dict[str, str]) -> EmuResponse:
        """One request to a definitions route or a schema link (the emulator has taken its fault and logs it)."""
        if path.startswith(SCHEMA_PATH):
            return self._schema_link(state, now, cfg, method, path, query, hdrs)
        return self._definition(state, now, cfg, method, path, query, hdrs)

    def _definition(self, state, now, cfg, method, path, query, hdrs) -> EmuResponse:
        name = path[len(DEFINITIONS_PATH):]
        if not name or "/" in name:
            return errors(404, "NotFound", "Use /definitions/2020-09-01/productTypes/{productType}")
        if method != "GET":
            return errors(405, "MethodNotAllowed", f"{method} is not allowed here")
        seller = query.get("sellerId", "")
        denied = authorize(state, now, hdrs, seller, any_seller=not seller)
        if denied is not None:
            return denied
        owner = state["access"][hashed(hdrs["x-amz-access-token"])]["seller"]
        rates = {**cfg, "rates": {OPERATION: RATE, **cfg["rates"]}}
        if throttle(state, now, rates, owner, OPERATION):
            return errors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
        limit = {"x-amzn-RateLimit-Limit": f"{float(rates['rates'][OPERATION][0]):.1f}"}
        ids = [m for m in query.get("marketplaceIds", "").split(",") if m]
        requirements = query.get("requirements", "LISTING")
        enforced = query.get("requirementsEnforced", "ENFORCED")
        locale = query.get("locale", "DEFAULT")
        problem = None
        if not ids:
            problem = "marketplaceIds: required"
        elif len(ids) > 1:
            problem = "marketplaceIds: exactly one marketplace id"
        elif ids[0] not in BY_ID:
            problem = f"marketplaceIds: unknown marketplace {ids[0]}"
        elif requirements not in REQUIREMENTS:
            problem = f"requirements: must be one of {', '.join(REQUIREMENTS)}"
        elif enforced not in ENFORCEMENTS:
            problem = f"requirementsEnforced: must be one of {', '.join(ENFORCEMENTS)}"
        elif locale != "DEFAULT" and not LOCALE_RE.fullmatch(locale):
            problem = "locale: DEFAULT or a locale such as en_US"
        if problem:
            return errors(400, "InvalidInput", problem, "", limit)
        mp, product_type = ids[0], unquote(name)
        spec = self._product_type(state, product_type)
        if spec is None:
            return errors(404, "NOT_FOUND", f"Product type {product_type} was not found in marketplace {mp}.", "",
                          limit)
        version = version_of(product_type, spec)
        if query.get("productTypeVersion", "LATEST") not in (*VERSIONS, version):
            return errors(404, "NOT_FOUND", f"Version {query['productTypeVersion']} of product type {product_type} "
                          "was not found.", "", limit)
        data = schema_document(product_type, mp, requirements, enforced, spec, cfg["required_attributes"])
        link_path = f"{SCHEMA_PATH}{product_type}/{mp}/{requirements}/{enforced}.json"
        date = _stamp(now)
        link = f"{self.base_url}{link_path}?" + urlencode({
            "X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Date": date, "X-Amz-SignedHeaders": "host",
            "X-Amz-Expires": str(LINK_LIFETIME), "X-Amz-Signature": _signature(link_path, date)})
        groups = {"product_details": {"title": "Product Details", "description": "Attributes of the product",
                                      "propertyNames": [n for n in json.loads(data)["properties"]
                                                        if n not in IMAGE_ATTRIBUTES]}}
        if requirements != "LISTING_OFFER_ONLY" and spec["images"]:
            groups["images"] = {"title": "Images", "description": "Images of the product",
                                "propertyNames": [n for n in IMAGE_ATTRIBUTES if n in spec["images"]]}
        return reply(200, {
            "schema": {"link": {"resource": link, "verb": "GET"}, "checksum": checksum(data)},
            "requirements": requirements, "requirementsEnforced": enforced, "propertyGroups": groups,
            "locale": BY_ID[mp].language if locale == "DEFAULT" else locale, "marketplaceIds": [mp],
            "productType": product_type, "displayName": product_type.replace("_", " ").title(),
            "productTypeVersion": {"version": version, "latest": True, "releaseCandidate": False}}, limit)

    def _schema_link(self, state, now, cfg, method, path, query, hdrs) -> EmuResponse:
        if method not in ("GET", "HEAD"):
            return _s3_error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
        if "authorization" in hdrs:
            return _s3_error(400, "InvalidArgument", "Only one auth mechanism allowed; only the X-Amz-Algorithm "
                             "query parameter, Signature query string parameter or the Authorization header "
                             "should be specified")
        if "x-amz-access-token" in hdrs:
            return _s3_error(400, "InvalidArgument", "An SP-API access token was sent to a presigned link")
        date = query.get("X-Amz-Date", "")
        if query.get("X-Amz-Signature") != _signature(path, date):
            return _s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match "
                             "the signature you provided.")
        try:
            signed = dt.datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc).timestamp()
        except ValueError:
            return _s3_error(403, "AccessDenied", "X-Amz-Date is malformed")
        if now > signed + LINK_LIFETIME:
            return _s3_error(403, "AccessDenied", "Request has expired")
        parts = path[len(SCHEMA_PATH):].removesuffix(".json").split("/")
        spec = self._product_type(state, parts[0]) if len(parts) == 4 else None
        if spec is None or parts[2] not in REQUIREMENTS or parts[3] not in ENFORCEMENTS:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        data = schema_document(parts[0], parts[1], parts[2], parts[3], spec, cfg["required_attributes"])
        return EmuResponse(200, {"Content-Type": "application/json"},
                           data if method == "GET" else b"")
