"""SP-API Listings Items 2021-08-01 response models and the image-slot helpers (sp-api-listings.md §4.5, §5).

Slots: ``MAIN`` ↔ ``main_product_image_locator``, ``PT01``…``PT08`` ↔ ``other_product_image_locator_1``…``_8``,
``SWCH`` ↔ ``swatch_product_image_locator``. Each image attribute holds one object per marketplace:
``[{"marketplace_id": ..., "media_location": url}]``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Mapping

from desktop_app.api.errors import BadResponse, ConfigError

SLOT_ATTRIBUTES: dict[str, str] = {"MAIN": "main_product_image_locator",
                                   **{f"PT{i:02d}": f"other_product_image_locator_{i}" for i in range(1, 9)},
                                   "SWCH": "swatch_product_image_locator"}
SLOTS: tuple[str, ...] = tuple(SLOT_ATTRIBUTES)
ATTRIBUTE_SLOTS: dict[str, str] = {a: s for s, a in SLOT_ATTRIBUTES.items()}
STATUSES = ("ACCEPTED", "INVALID", "VALID")


class SlotError(ConfigError):
    pass


def slot_attribute(slot: str) -> str:
    """The attribute name of ``slot`` (case-insensitive); :class:`SlotError` for a slot that does not exist."""
    name = (slot or "").strip().upper()
    if name not in SLOT_ATTRIBUTES:
        raise SlotError("UNKNOWN_SLOT", f"'{slot}' is not an image slot (use {', '.join(SLOTS)})")
    return SLOT_ATTRIBUTES[name]


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    severity: str
    attribute_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    enforcements: dict[str, Any] | None = None

    @property
    def slots(self) -> tuple[str, ...]:
        return tuple(ATTRIBUTE_SLOTS[a] for a in self.attribute_names if a in ATTRIBUTE_SLOTS)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "severity": self.severity,
                "attributeNames": list(self.attribute_names), "categories": list(self.categories)}


def parse_issue(raw: Any) -> Issue:
    if not isinstance(raw, dict):
        raise BadResponse("BAD_RESPONSE", "An issue in Amazon's answer is not an object")
    return Issue(str(raw.get("code", "")), str(raw.get("message", "")), str(raw.get("severity", "ERROR")),
                 _strs(raw.get("attributeNames")), _strs(raw.get("categories")),
                 raw.get("enforcements") if isinstance(raw.get("enforcements"), dict) else None)


def _issues(raw: Any) -> tuple[Issue, ...]:
    return tuple(parse_issue(i) for i in raw) if isinstance(raw, list) else ()


@dataclass(frozen=True)
class SubmissionResult:
    sku: str
    status: str                # ACCEPTED | INVALID | VALID
    submission_id: str
    issues: tuple[Issue, ...] = ()
    identifiers: tuple[dict[str, Any], ...] = ()

    @property
    def ok(self) -> bool:
        return self.status in ("ACCEPTED", "VALID")

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == "ERROR")


def parse_submission(body: Any) -> SubmissionResult:
    if not isinstance(body, dict) or not isinstance(body.get("sku"), str) or body.get("status") not in STATUSES \
            or not isinstance(body.get("submissionId"), str):
        raise BadResponse("BAD_RESPONSE", "Amazon's submission answer lacks sku, status or submissionId")
    idents = tuple(i for i in body.get("identifiers") or [] if isinstance(i, dict))
    return SubmissionResult(body["sku"], body["status"], body["submissionId"], _issues(body.get("issues")), idents)


@dataclass(frozen=True)
class ListingItem:
    sku: str
    summaries: tuple[dict[str, Any], ...] = ()
    attributes: dict[str, Any] = field(default_factory=dict)
    issues: tuple[Issue, ...] = ()
    product_types: tuple[dict[str, Any], ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    def summary(self, marketplace_id: str | None = None) -> dict[str, Any]:
        for s in self.summaries:
            if marketplace_id is None or s.get("marketplaceId") == marketplace_id:
                return s
        return {}

    def product_type(self, marketplace_id: str | None = None) -> str | None:
        value = self.summary(marketplace_id).get("productType")
        if not value:
            for p in self.product_types:
                if marketplace_id is None or p.get("marketplaceId") == marketplace_id:
                    value = p.get("productType")
                    break
        return value or None

    def asin(self, marketplace_id: str | None = None) -> str | None:
        return self.summary(marketplace_id).get("asin")

    def title(self, marketplace_id: str | None = None) -> str | None:
        return self.summary(marketplace_id).get("itemName")

    def main_image(self, marketplace_id: str | None = None) -> str | None:
        image = self.summary(marketplace_id).get("mainImage")
        return image.get("link") if isinstance(image, dict) else None

    def slots(self, marketplace_id: str) -> dict[str, str | None]:
        return read_slots(self.attributes, marketplace_id)


def parse_listing(body: Any) -> ListingItem:
    if not isinstance(body, dict) or not isinstance(body.get("sku"), str):
        raise BadResponse("BAD_RESPONSE", "Amazon's listing answer lacks the sku")
    lists = {k: tuple(x for x in body.get(k) or [] if isinstance(x, dict)) for k in ("summaries", "productTypes")}
    attributes = body.get("attributes") if isinstance(body.get("attributes"), dict) else {}
    return ListingItem(body["sku"], lists["summaries"], attributes, _issues(body.get("issues")),
                       lists["productTypes"], body)


# --- image slots -------------------------------------------------------------------------------

def read_slots(attributes: Mapping[str, Any], marketplace_id: str) -> dict[str, str | None]:
    """Every slot's current ``media_location`` in ``marketplace_id`` (None when empty)."""
    slots: dict[str, str | None] = {}
    for slot, attr in SLOT_ATTRIBUTES.items():
        url = None
        for value in attributes.get(attr) or []:
            if isinstance(value, dict) and value.get("marketplace_id", marketplace_id) == marketplace_id:
                url = value.get("media_location") if isinstance(value.get("media_location"), str) else None
                break
        slots[slot] = url
    return slots


def image_value(marketplace_id: str, url: str) -> list[dict[str, str]]:
    return [{"marketplace_id": marketplace_id, "media_location": url}]


def image_patches(marketplace_id: str, changes: Mapping[str, str | None]) -> list[dict[str, Any]]:
    """JSON-Patch operations for ``changes`` (slot → new URL, or None to empty the slot): ``replace`` on the
    chosen image attributes only, ``delete`` (selector ``marketplace_id``) for emptied slots. MAIN cannot be
    emptied (a required attribute)."""
    patches = []
    for slot, url in changes.items():
        attr = slot_attribute(slot)
        if url is None:
            if attr == SLOT_ATTRIBUTES["MAIN"]:
                raise SlotError("MAIN_REQUIRED", "The main image cannot be removed, only replaced")
            patches.append({"op": "delete", "path": f"/attributes/{attr}", "value": [{"marketplace_id": marketplace_id}]})
        else:
            patches.append({"op": "replace", "path": f"/attributes/{attr}", "value": image_value(marketplace_id, url)})
    if not patches:
        raise SlotError("NO_CHANGES", "No image slot to change")
    return patches


def attributes_with_images(attributes: Mapping[str, Any], marketplace_id: str,
                           changes: Mapping[str, str | None]) -> dict[str, Any]:
    """A copy of ``attributes`` (as fetched) with only the image slots in ``changes`` changed, for a full PUT.
    Values of other marketplaces in a changed attribute are kept."""
    result = copy.deepcopy(dict(attributes))
    for slot, url in changes.items():
        attr = slot_attribute(slot)
        others = [v for v in result.get(attr) or [] if isinstance(v, dict) and v.get("marketplace_id") != marketplace_id]
        values = others + (image_value(marketplace_id, url) if url is not None else [])
        if values:
            result[attr] = values
        else:
            result.pop(attr, None)
    return result
