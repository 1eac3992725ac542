"""The four Listings Items operations of the SP-API emulator over its per-seller listing store.

Store: ``state["listings"][seller][sku][marketplace_id]`` → ``{productType, asin, attributes, status, createdDate,
lastUpdatedDate, issues}``. PUT/PATCH validate synchronously (400 ``InvalidInput`` for malformed requests,
200 ``INVALID`` with issues for semantic problems, never a state change); ``VALIDATION_PREVIEW`` answers
``VALID``/``INVALID`` and never touches the store; an ``ACCEPTED`` change (and a delete) is applied
``processing_seconds`` later on the emulator clock. The emulator hands :class:`Listings` the state (inside its
transaction), the time, the config, the media it fetched and the fault the request took.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import uuid
from typing import Any
from urllib.parse import unquote

from desktop_app.api.amazon.marketplaces import BY_ID
from desktop_app.sandbox.amazon import static as spapi_static
from desktop_app.sandbox.amazon.access import authorize, throttle
from desktop_app.sandbox.amazon.data import MEDIA, MEDIA_PATH
from desktop_app.sandbox.amazon.media import MediaLibrary, own_name, scheme_problem
from desktop_app.sandbox.amazon.replies import errors, iso, reply
from desktop_app.sandbox.responses import EmuResponse

IMAGE_RE = re.compile(r"(main|other|swatch)_(product|offer)_image_locator(_\d+)?")
API_PATH = "/listings/2021-08-01/items/"
OP_BY_METHOD = {"GET": "getListingsItem", "PUT": "putListingsItem", "PATCH": "patchListingsItem",
                "DELETE": "deleteListingsItem"}
INJECTED_ISSUE = {"code": "18027", "message": "The main image does not meet Amazon's product image requirements "
                  "(injected by the sandbox).", "severity": "ERROR",
                  "attributeNames": ["main_product_image_locator"], "categories": ["INVALID_IMAGE"]}
MAIN = "main_product_image_locator"
OPS = ("add", "replace", "merge", "delete")
GET_DATA = ("summaries", "attributes", "issues", "offers", "fulfillmentAvailability", "procurement",
            "relationships", "productTypes")
SUBMIT_DATA = ("identifiers", "issues")
SUBMISSION_LOG = 200


def is_image(name: str) -> bool:
    return bool(IMAGE_RE.fullmatch(name.rsplit("/", 1)[-1]))


def issue(code: str, message: str, attribute: str | None, category: str | None, severity: str = "ERROR") -> dict:
    return {"code": code, "message": message, "severity": severity,
            "attributeNames": [attribute] if attribute else [], "categories": [category] if category else []}


def media_urls(data: Any) -> list[str]:
    """Every media_location in a PUT or PATCH body (for the fetch done before the state lock is taken)."""
    values: list[Any] = []
    if isinstance(data, dict) and isinstance(data.get("attributes"), dict):
        values = [v for k, v in data["attributes"].items() if is_image(k)]
    elif isinstance(data, dict) and isinstance(data.get("patches"), list):
        values = [p.get("value") for p in data["patches"] if isinstance(p, dict)
                  and is_image(str(p.get("path", ""))) and p.get("op") != "delete"]
    return [i["media_location"] for v in values if isinstance(v, list) for i in v
            if isinstance(i, dict) and isinstance(i.get("media_location"), str)]


class Listings:
    """The listings part of the emulator: serves the Listings Items routes over the state it is handed, shows
    records with ``base_url`` as their image host and keeps accepted images in ``library``."""

    def __init__(self, base_url: str, library: MediaLibrary) -> None:
        self.base_url, self.library = base_url, library

    # --- Listings Items -----------------------------------------------------------------------

    def handle(self, state: dict[str, Any], now: float, cfg: dict[str, Any], method: str, path: str,
               query: dict[str, str], hdrs: dict[str, str], body: bytes,
               media: dict[str, tuple[str | None, bytes | None]], fault: dict[str, Any] | None) -> EmuResponse:
        """One Listings Items request, ``media`` fetched beforehand (url → (problem, bytes)), ``fault`` the one it
        took (if any)."""
        parts = path[len(API_PATH):].split("/")
        if len(parts) != 2 or not all(parts):
            return errors(404, "NotFound", "Use /listings/2021-08-01/items/{sellerId}/{sku}")
        seller, sku = unquote(parts[0]), unquote(parts[1])
        if method not in OP_BY_METHOD:
            return errors(405, "MethodNotAllowed", f"{method} is not allowed here")
        denied = authorize(state, now, hdrs, seller, any_seller=bool(cfg.get("static_sandbox")))
        if denied is not None:
            return denied
        if cfg.get("static_sandbox"):  # Amazon's static sandbox: canned pairs, nothing stored, no throttling
            status, canned = spapi_static.match(method, sku, query)
            return reply(status, canned, {"x-amzn-RateLimit-Limit": "5.0"})
        preview = query.get("mode") == "VALIDATION_PREVIEW"
        operation = "preview" if preview and method in ("PUT", "PATCH") else OP_BY_METHOD[method]
        if throttle(state, now, cfg, seller, operation):
            return errors(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
        limit = {"x-amzn-RateLimit-Limit": f"{float(cfg['rates'][operation][0]):.1f}"}
        ids = [m for m in query.get("marketplaceIds", "").split(",") if m]
        problem = None
        if not ids:
            problem = "marketplaceIds: required"
        elif any(m not in BY_ID for m in ids):
            problem = f"marketplaceIds: unknown marketplace {next(m for m in ids if m not in BY_ID)}"
        elif len(ids) > 1 and method in ("PUT", "DELETE"):
            problem = "marketplaceIds: at most one marketplace id"
        elif "mode" in query and (query["mode"] != "VALIDATION_PREVIEW" or method in ("GET", "DELETE")):
            problem = "mode: the only value is VALIDATION_PREVIEW (PUT and PATCH)"
        if problem:
            return errors(400, "InvalidInput", problem, "", limit)
        mp = ids[0]
        records = state["listings"].get(seller, {}).get(sku, {})
        if method == "GET":
            included = [d for d in query.get("includedData", "summaries").split(",") if d]
            if any(d not in GET_DATA for d in included):
                return errors(400, "InvalidInput", "includedData: unknown value", "", limit)
            found = [m for m in ids if m in records]
            if not found:
                return errors(404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace {mp}", "", limit)
            view = self._view(sku, found[0], records[found[0]], included)
            if fault and fault["kind"] == "listing_issue" and "issues" in included:
                view["issues"].append(INJECTED_ISSUE)
            for other in found[1:]:
                extra = self._view(sku, other, records[other], included)
                for key in ("summaries", "issues", "productTypes"):
                    view.get(key, []).extend(extra.get(key, []))
            return reply(200, view, limit)
        included = [d for d in query.get("includedData", "issues").split(",") if d]
        if any(d not in SUBMIT_DATA for d in included) or ("identifiers" in included and not preview):
            return errors(400, "InvalidInput", "includedData: issues, or identifiers with VALIDATION_PREVIEW", "",
                          limit)
        record = records.get(mp)
        job: dict[str, Any] = {"seller": seller, "sku": sku, "mp": mp}
        if method == "DELETE":
            job["op"] = "delete"
            issues = [] if record else [{"code": "EMU_SKU_NOT_FOUND", "message": "The SKU does not exist in this "
                                         "marketplace.", "severity": "ERROR", "attributeNames": [], "categories": []}]
            status = "ACCEPTED" if record else "INVALID"
            return reply(200, self._submission(state, now, cfg, job, status, issues, False, included, record), limit)
        if "json" not in hdrs.get("content-type", "application/json"):
            return errors(415, "UnsupportedMediaType", "The body must be application/json")
        if len(body) > cfg["max_body_bytes"]:
            return errors(413, "RequestEntityTooLarge", f"The request body is larger than {cfg['max_body_bytes']} bytes")
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return errors(400, "InvalidInput", "The body must be a JSON object", "", limit)
        if method == "PATCH":
            bad = self._check_patches(data.get("patches"))
            job.update(op="patch", patches=data.get("patches"))
        else:
            attrs = data.get("attributes")
            bad = None if isinstance(attrs, dict) and attrs else "attributes: required, a non-empty object"
            if data.get("requirements", "LISTING") not in ("LISTING", "LISTING_PRODUCT_ONLY", "LISTING_OFFER_ONLY"):
                bad = "requirements: must be LISTING, LISTING_PRODUCT_ONLY or LISTING_OFFER_ONLY"
            job.update(op="put", attributes=attrs, productType=data.get("productType"))
        if bad:
            return errors(400, "InvalidInput", bad, "", limit)
        issues = self._semantic_issues(record, data, mp, media, cfg, patch=method == "PATCH")
        failed = any(i["severity"] == "ERROR" for i in issues)
        status = "INVALID" if failed else ("VALID" if preview else "ACCEPTED")
        if status == "ACCEPTED":
            job["hosted"] = self._copies(media)
        if status == "ACCEPTED" and fault and fault["kind"] in ("stuck", "other_contribution"):
            job[fault["kind"]] = True
        if status == "ACCEPTED" and fault and fault["kind"] == "invalid_image":
            job["reject_images"] = sorted({p["path"].split("/")[2] for p in data.get("patches") or []
                                           if p["op"] != "delete" and is_image(p["path"])}
                                          or {k for k in data.get("attributes") or {} if is_image(k)})
        return reply(200, self._submission(state, now, cfg, job, status, issues, preview, included, record), limit)

    def _copies(self, media: dict[str, tuple[str | None, bytes | None]]) -> dict[str, str]:
        """Amazon re-hosts the images it accepts: submitted URL → the emulator's own (placeholder) URL."""
        hosted = {}
        for url, (problem, body) in media.items():
            if problem is None and body is not None and own_name(url, self.base_url) is None:
                name = self.library.add(body)
                if name:
                    hosted[url] = f"{MEDIA}{MEDIA_PATH}{name}"
        return hosted

    def public(self, value: Any) -> Any:
        """Seeded values with the ``{media}`` placeholder turned into this emulator's image host."""
        if isinstance(value, str):
            return value.replace(MEDIA, self.base_url) if value.startswith(MEDIA) else value
        if isinstance(value, list):
            return [self.public(v) for v in value]
        if isinstance(value, dict):
            return {k: self.public(v) for k, v in value.items()}
        return value

    # --- processing ---------------------------------------------------------------------------

    def settle(self, state: dict[str, Any], now: float) -> None:
        due = [p for p in state["pending"] if p["due"] <= now]
        state["pending"] = [p for p in state["pending"] if p["due"] > now]
        for job in due:
            self._apply(state, job, now)

    def _apply(self, state: dict[str, Any], job: dict[str, Any], now: float) -> None:
        skus = state["listings"].setdefault(job["seller"], {})
        markets = skus.setdefault(job["sku"], {})
        record = markets.get(job["mp"])
        if job["op"] == "delete":
            markets.pop(job["mp"], None)
            if not markets:
                skus.pop(job["sku"], None)
            return
        old = copy.deepcopy(record["attributes"]) if record else {}
        if job["op"] == "put":
            attributes = copy.deepcopy(job["attributes"])
            if record is None:
                digest = hashlib.sha256(f"{job['seller']}/{job['sku']}".encode()).hexdigest().upper()
                record = {"asin": "B0" + digest[:8], "createdDate": iso(now), "status": ["DISCOVERABLE"]}
                markets[job["mp"]] = record
            record["productType"] = job["productType"]
        else:
            attributes = copy.deepcopy(old)
            for patch in job["patches"]:
                name = patch["path"].split("/")[2]
                if patch["op"] == "delete":
                    kept = [v for v in attributes.get(name, []) if not all(
                        v.get(k) == s for sel in patch["value"] for k, s in sel.items())]
                    attributes[name] = kept
                    if not kept:
                        attributes.pop(name)
                elif patch["op"] == "merge" and name in attributes:
                    attributes[name] = [{**a, **b} for a, b in zip(attributes[name], patch["value"])]
                else:
                    attributes[name] = copy.deepcopy(patch["value"])
        hosted = job.get("hosted") or {}
        for name, values in attributes.items():  # Amazon serves its own copies of the images it accepted
            if is_image(name) and isinstance(values, list):
                attributes[name] = [{**v, "media_location": hosted[v["media_location"]]}
                                    if isinstance(v, dict) and v.get("media_location") in hosted else v
                                    for v in values]
        issues = []
        for name in job.get("reject_images", []):  # the "invalid_image" fault: Amazon rejected the media later
            url = next((v.get("media_location") for v in attributes.get(name, []) if isinstance(v, dict)), None)
            if name in old:
                attributes[name] = old[name]
            else:
                attributes.pop(name, None)
            issues.append(issue("EMU_MEDIA_FETCH", f"We could not access the media at URL {url}. Ensure the URL "
                                "is publicly accessible and points to a valid image.", name, "INVALID_IMAGE"))
        if job.get("other_contribution"):  # Amazon picks another seller's main image for the product page
            shown = record.get("shown_main") or next((v.get("media_location") for v in old.get(MAIN, [])
                                                      if isinstance(v, dict)), None)
            record["shown_main"] = shown  # the image shown before stays on the product page
        else:
            record.pop("shown_main", None)
        record["attributes"] = attributes
        record["issues"] = issues
        record["lastUpdatedDate"] = iso(now)

    # --- views --------------------------------------------------------------------------------

    def _view(self, sku: str, mp: str, record: dict[str, Any], included: list[str]) -> dict[str, Any]:
        attrs = self.public(record["attributes"])
        body: dict[str, Any] = {"sku": sku}
        if "summaries" in included:
            summary = {"marketplaceId": mp, "asin": record.get("asin"), "productType": record["productType"],
                       "conditionType": next((v.get("value") for v in attrs.get("condition_type", [])), None),
                       "status": record.get("status", []),
                       "itemName": next((v.get("value") for v in attrs.get("item_name", [])), None),
                       "createdDate": record["createdDate"], "lastUpdatedDate": record["lastUpdatedDate"]}
            main = self.public(record.get("shown_main")) or next(
                (v.get("media_location") for v in attrs.get(MAIN, [])), None)
            if main:
                name = own_name(main, self.base_url)
                width, height = (self.library.size(name) if name else None) or (1000, 1000)
                summary["mainImage"] = {"link": main, "height": height, "width": width}
            body["summaries"] = [summary]
        if "attributes" in included:
            body["attributes"] = attrs
        if "issues" in included:
            body["issues"] = copy.deepcopy(record.get("issues", []))
        if "productTypes" in included:
            body["productTypes"] = [{"marketplaceId": mp, "productType": record["productType"]}]
        for name in ("offers", "fulfillmentAvailability", "procurement", "relationships"):
            if name in included:
                body[name] = []
        return body

    # --- validation ---------------------------------------------------------------------------

    @staticmethod
    def _check_patches(patches: Any) -> str | None:
        """A 400 reason for malformed patches, or None."""
        if not isinstance(patches, list) or not patches:
            return "patches: required, at least one operation"
        for i, p in enumerate(patches):
            if not isinstance(p, dict) or p.get("op") not in OPS:
                return f"patches[{i}].op: must be one of {', '.join(OPS)}"
            path = p.get("path")
            if not isinstance(path, str) or not path.startswith("/attributes/") or path.count("/") != 2 \
                    or path == "/attributes/":
                return f"patches[{i}].path: must be /attributes/<name> (nested paths are not supported)"
            value = p.get("value")
            if p["op"] == "delete" and (not isinstance(value, list) or not value
                                        or not all(isinstance(v, dict) and v for v in value)):
                return f"Invalid empty value provided in patch at index {i}"
            if p["op"] != "delete" and (not isinstance(value, list) or not all(isinstance(v, dict) for v in value)):
                return f"patches[{i}].value: required, an array of objects"
            if p["op"] == "merge" and not path.endswith("fulfillment_availability"):
                return f"patches[{i}]: merge is supported only for fulfillment_availability"
        return None

    @staticmethod
    def _image_issues(name: str, values: Any, mp: str, media: dict[str, tuple]) -> list[dict]:
        if not isinstance(values, list) or not values:
            return [issue("EMU_IMAGE_VALUE", f"'{name}' needs one value with a media_location.", name,
                          "INVALID_IMAGE")]
        found = []
        for value in values:
            url = value.get("media_location") if isinstance(value, dict) else None
            if isinstance(value, dict) and value.get("marketplace_id", mp) != mp:
                found.append(issue("EMU_IMAGE_MARKETPLACE", f"The marketplace_id of '{name}' does not match the "
                                   "request's marketplace.", name, "INVALID_ATTRIBUTE"))
            problem = scheme_problem(url) or media.get(url, (None, None))[0]
            if problem:
                found.append(issue("EMU_MEDIA_FETCH", f"We could not access the media at URL {url}: {problem}.",
                                   name, "INVALID_IMAGE"))
        return found

    def _semantic_issues(self, record: dict | None, data: dict[str, Any], mp: str, media: dict[str, tuple],
                         cfg: dict[str, Any], patch: bool) -> list[dict]:
        found = []
        product_type = data.get("productType")
        if not isinstance(product_type, str) or not product_type.strip():
            return [issue("90220", "'productType' is required but not supplied.", "productType",
                          "MISSING_ATTRIBUTE")]
        if patch and record is None:
            return [issue("EMU_SKU_NOT_FOUND", "The SKU does not exist in this marketplace; create it with "
                          "putListingsItem first.", None, None)]
        if record is not None and record["productType"] != product_type:
            found.append(issue("EMU_PRODUCT_TYPE", f"The productType {product_type} does not match the listing's "
                               f"product type {record['productType']}.", "productType", "INVALID_ATTRIBUTE"))
        if patch:
            for p in data["patches"]:
                name = p["path"].split("/")[2]
                if p["op"] == "delete" and name == MAIN:
                    found.append(issue("90220", f"'{MAIN}' is required and cannot be deleted.", MAIN,
                                       "MISSING_IMAGE"))
                elif p["op"] != "delete" and is_image(name):
                    found += self._image_issues(name, p["value"], mp, media)
            return found
        attrs = data["attributes"]
        if data.get("requirements", "LISTING") in ("LISTING", "LISTING_PRODUCT_ONLY"):
            for name in cfg["required_attributes"]:
                if not attrs.get(name):
                    found.append(issue("90220", f"'{name}' is required but not supplied.", name,
                                       "MISSING_IMAGE" if name == MAIN else "MISSING_ATTRIBUTE"))
        for name, values in attrs.items():
            if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
                found.append(issue("90000900", "The attributes are invalid.", name, "INVALID_ATTRIBUTE"))
            elif is_image(name):
                found += self._image_issues(name, values, mp, media)
        return found

    # --- submissions --------------------------------------------------------------------------

    def _submission(self, state: dict[str, Any], now: float, cfg: dict[str, Any], job: dict[str, Any],
                    status: str, issues: list[dict], preview: bool, included: list[str],
                    record: dict | None) -> dict[str, Any]:
        submission_id = str(uuid.uuid4())
        if status == "ACCEPTED":
            job["due"] = now + (1e9 if job.get("stuck") else float(cfg["processing_seconds"]))
            state["pending"].append(job)
            if job["due"] <= now:
                self.settle(state, now)
        state["submissions"].append({"submissionId": submission_id, "sku": job["sku"], "operation": job["op"],
                                     "marketplaceId": job["mp"], "mode": "VALIDATION_PREVIEW" if preview else None,
                                     "status": status, "at": iso(now)})
        del state["submissions"][:-SUBMISSION_LOG]
        body: dict[str, Any] = {"sku": job["sku"], "status": status, "submissionId": submission_id}
        if "issues" in included or not preview:
            body["issues"] = issues
        if preview and "identifiers" in included:
            body["identifiers"] = [{"marketplaceId": job["mp"], "asin": record["asin"]}] if record else []
        return body
