"""Product Type Definitions API 2020-09-01 (getDefinitionsProductType) models and the session cache
(sp-api-listings.md §5.4). Qt-free.

A definition answer names the product type's JSON Schema by a presigned link (``schema.link.resource``, valid
7 days) and its ``checksum`` (Base64 MD5 of the document); the ``images`` property group lists the image
attributes. :class:`ProductTypeDefinition` keeps what a full putListingsItem needs: the attributes the schema
requires (its top-level ``required``; conditional requirements in ``allOf`` are not evaluated), the attributes it
knows (``properties``) and the image attributes. :class:`DefinitionCache` keeps them for the session.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from desktop_app.api.errors import BadResponse
from desktop_app.api.amazon.errors import SpApiRefused

log = logging.getLogger(__name__)

DEFINITIONS_PATH = "/definitions/2020-09-01/productTypes"
OPERATION = "getDefinitionsProductType"
ENFORCEMENTS = ("ENFORCED", "NOT_ENFORCED")
IMAGES_GROUP = "images"
DEFAULT_TTL = 3600.0  # seconds a definition is reused without asking Amazon again


class ProductTypeNotFound(SpApiRefused):
    """404: Amazon has no definition of this product type in this marketplace."""


@dataclass(frozen=True)
class DefinitionMeta:
    """The parts of a getDefinitionsProductType answer the client uses."""
    product_type: str
    version: str
    marketplace_id: str
    requirements: str
    requirements_enforced: str
    locale: str
    schema_url: str
    checksum: str
    image_attributes: tuple[str, ...]


@dataclass(frozen=True)
class ProductTypeDefinition:
    product_type: str
    version: str
    marketplace_id: str
    requirements: str
    requirements_enforced: str
    checksum: str
    required_attributes: tuple[str, ...]     # the schema's top-level ``required``
    known_attributes: tuple[str, ...]        # the schema's ``properties`` names, sorted
    image_attributes: tuple[str, ...]        # ``propertyGroups.images.propertyNames``

    def missing(self, attributes: Mapping[str, Any]) -> tuple[str, ...]:
        """Required attributes that ``attributes`` (a putListingsItem body's) lacks or leaves empty."""
        return tuple(name for name in self.required_attributes if not attributes.get(name))

    def accepts_image(self, attribute: str) -> bool:
        """True if ``attribute`` is one of the product type's image attributes (the ``images`` group; without
        that group, any attribute of the schema)."""
        group = self.image_attributes or self.known_attributes
        return attribute in group


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise BadResponse("BAD_RESPONSE", f"Amazon's product-type definition lacks {what}")
    return value


def _names(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def parse_definition(body: Any, marketplace_id: str) -> DefinitionMeta:
    if not isinstance(body, dict):
        raise BadResponse("BAD_RESPONSE", "Amazon's product-type definition is not a JSON object")
    schema = body.get("schema") if isinstance(body.get("schema"), dict) else {}
    link = schema.get("link") if isinstance(schema.get("link"), dict) else {}
    version = body.get("productTypeVersion") if isinstance(body.get("productTypeVersion"), dict) else {}
    groups = body.get("propertyGroups") if isinstance(body.get("propertyGroups"), dict) else {}
    images = groups.get(IMAGES_GROUP) if isinstance(groups.get(IMAGES_GROUP), dict) else {}
    ids = _names(body.get("marketplaceIds"))
    return DefinitionMeta(
        product_type=_text(body.get("productType"), "productType"),
        version=_text(version.get("version"), "productTypeVersion.version"),
        marketplace_id=ids[0] if ids else marketplace_id,
        requirements=_text(body.get("requirements"), "requirements"),
        requirements_enforced=_text(body.get("requirementsEnforced"), "requirementsEnforced"),
        locale=body.get("locale") if isinstance(body.get("locale"), str) else "",
        schema_url=_text(link.get("resource"), "schema.link.resource"),
        checksum=schema.get("checksum") if isinstance(schema.get("checksum"), str) else "",
        image_attributes=_names(images.get("propertyNames")))


def checksum_matches(data: bytes, checksum: str) -> bool:
    """``checksum`` is the MD5 of ``data``, Base64 (as documented) or hex (as in the model's example)."""
    digest = hashlib.md5(data, usedforsecurity=False).digest()
    return checksum in (base64.b64encode(digest).decode("ascii"), digest.hex())


def build_definition(meta: DefinitionMeta, document: Any) -> ProductTypeDefinition:
    """The definition from its metadata and the downloaded JSON Schema document."""
    if not isinstance(document, dict) or not isinstance(document.get("properties", {}), dict):
        raise BadResponse("BAD_RESPONSE", f"The schema of product type {meta.product_type} is not a JSON Schema "
                          "object")
    return ProductTypeDefinition(meta.product_type, meta.version, meta.marketplace_id, meta.requirements,
                                 meta.requirements_enforced, meta.checksum, _names(document.get("required")),
                                 tuple(sorted(document.get("properties", {}))), meta.image_attributes)


CacheKey = tuple[str, str, str, str, str]   # product type, marketplace, requirements, enforcement, seller


class DefinitionCache:
    """Definitions of one client session. ``latest`` answers a repeated lookup without a request for ``ttl``
    seconds; after that Amazon is asked again, and the schema is downloaded again only when the product type's
    version or the schema checksum changed (kept per (product type, marketplace, requirements, enforcement,
    version, checksum))."""

    def __init__(self, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._latest: dict[CacheKey, tuple[float, ProductTypeDefinition]] = {}
        self._schemas: dict[tuple[str, ...], ProductTypeDefinition] = {}

    def latest(self, key: CacheKey) -> ProductTypeDefinition | None:
        entry = self._latest.get(key)
        if entry is None or self._clock() - entry[0] >= self.ttl:
            return None
        return entry[1]

    @staticmethod
    def _version_key(key: CacheKey, meta: DefinitionMeta) -> tuple[str, ...]:
        return (*key[:4], meta.version, meta.checksum)

    def known(self, key: CacheKey, meta: DefinitionMeta) -> ProductTypeDefinition | None:
        """The definition already built from this version's schema (no download needed), or None."""
        return self._schemas.get(self._version_key(key, meta)) if meta.checksum else None

    def store(self, key: CacheKey, meta: DefinitionMeta, definition: ProductTypeDefinition) -> None:
        self._schemas[self._version_key(key, meta)] = definition
        self._latest[key] = (self._clock(), definition)

    def clear(self) -> None:
        self._latest.clear()
        self._schemas.clear()
