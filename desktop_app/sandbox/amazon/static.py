"""Amazon's static-sandbox request/response pairs for Listings Items 2021-08-01 (sp-api-listings.md §8),
as (matcher, status, body) fixtures, most specific first. A request matching nothing gets Amazon's
"Could not match input arguments" 400. The SP-API emulator answers with them in its static-sandbox mode
(config ``static_sandbox``); the client tests replay them."""

from __future__ import annotations

ACCEPTED = {"sku": "GM-ZDPI-9B4E", "status": "ACCEPTED", "submissionId": "f1dc2914-75dd-11ea-bc55-0242ac130003",
            "issues": []}
VALID = {"sku": "VALIDATION_VALID", "status": "VALID", "submissionId": "1edc94ea-a3d7-210b-42bc-0ec72c1384762",
         "identifiers": [{"marketplaceId": "ATVPDKIKX0DER", "asin": "B07N4M94X4"}], "issues": []}
_FAKE_ATTR = {"code": "90000900", "message": "The attributes are invalid.", "severity": "ERROR",
              "attributeNames": ["fake_attribute"]}
PATCH_INVALID = {"sku": "VALIDATION_INVALID", "status": "INVALID", "submissionId": "a1c562c2-1695-11ee-be56-0242ac120002",
                 "identifiers": [], "issues": [{**_FAKE_ATTR, "categories": ["INVALID_ATTRIBUTE"], "enforcements": {
                     "actions": [{"action": "ATTRIBUTE_SUPPRESSED"}], "exemption": {"status": "NOT_EXEMPT"}}}]}
PUT_INVALID = {"sku": "VALIDATION_INVALID", "status": "INVALID", "submissionId": "a1c562c2-1695-11ee-be56-0242ac120002",
               "identifiers": [], "issues": [
                   {"code": "90220", "message": "'condition_type' is required but not supplied.", "severity": "ERROR",
                    "attributeNames": ["condition_type"], "categories": ["MISSING_ATTRIBUTE"],
                    "enforcements": {"actions": [{"action": "LISTING_SUPPRESSED"}],
                                     "exemption": {"status": "NOT_EXEMPT"}}},
                   {**_FAKE_ATTR, "categories": []}]}
BAD_SKU = {"errors": [{"code": "BAD_REQUEST", "message": "Invalid input", "details": "Invalid input"}]}
NO_MATCH = {"errors": [{"code": "InvalidInput", "message": "Could not match input arguments", "details": ""}]}


def _issue(code, message, categories, action=None, exemption="NOT_EXEMPT", attrs=(), expiry=None):
    found = {"code": code, "message": message, "severity": "ERROR", "attributeNames": list(attrs),
             "categories": categories}
    if action:
        found["enforcements"] = {"actions": [{"action": action}], "exemption": {"status": exemption}}
        if expiry:
            found["enforcements"]["exemption"]["expiryDate"] = expiry
    return found


ITEM = {
    "sku": "GM-ZDPI-9B4E",
    "summaries": [
        {"marketplaceId": "ATVPDKIKX0DER", "asin": "B071VG5N9D", "productType": "LUGGAGE", "conditionType": "new_new",
         "status": ["BUYABLE"], "itemName": "Hardside Carry-On Spinner Suitcase Luggage",
         "createdDate": "2021-02-01T00:00:00Z", "lastUpdatedDate": "2021-03-01T00:00:00Z",
         "mainImage": {"link": "https://www.example.com/luggage.png", "height": 500, "width": 500}},
        {"marketplaceId": "A2EUQ1WTGCTBG2", "asin": "B071VG5N9D", "productType": "LUGGAGE", "conditionType": "new_new",
         "status": [], "itemName": "Hardside Carry-On Spinner Suitcase Luggage",
         "createdDate": "2021-02-02T01:00:00Z", "lastUpdatedDate": "2021-03-05T00:00:00Z",
         "mainImage": {"link": "https://www.example.com/luggage.png", "height": 500, "width": 500}}],
    "offers": [{"marketplaceId": "ATVPDKIKX0DER", "offerType": "B2C", "price": {"currencyCode": "USD", "amount": "100.00"},
                "audience": {"value": "ALL", "displayName": "Sell on Amazon"}},
               {"marketplaceId": "A2EUQ1WTGCTBG2", "offerType": "B2C", "price": {"currencyCode": "CAD", "amount": "130.00"},
                "audience": {"value": "ALL", "displayName": "Sell on Amazon"}}],
    "fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT", "quantity": 100}],
    "issues": [
        _issue("90220", "'size' is required but not supplied.", ["MISSING_ATTRIBUTE"], attrs=["size"]),
        _issue("18027", "We believe the main image has text, logo, graphic, or watermark that is not permitted "
               "for this product type.", ["INVALID_IMAGE"], "SEARCH_SUPPRESSED", "EXEMPT_UNTIL_EXPIRY_DATE",
               expiry="2025-05-28T00:36:48.914Z"),
        _issue("99300", "Product Detail Page Rules Violation (Inaccurate Information on Product Detail Page)", [],
               "ATTRIBUTE_SUPPRESSED", "EXEMPT"),
        _issue("18155", "The minimum offer price is missing.", ["INVALID_PRICE"], "LISTING_SUPPRESSED"),
        _issue("18742", "Restricted Products Policy Violation", [], "CATALOG_ITEM_REMOVED"),
    ],
}

PREVIEW_KEYS = {"marketplaceIds": "ATVPDKIKX0DER", "includedData": "identifiers,issues", "mode": "VALIDATION_PREVIEW"}

# (methods, sku or None for any, required query values, status, body)
PAIRS = [
    (("GET", "PUT", "PATCH", "DELETE"), "BadSKU", {}, 400, BAD_SKU),
    (("PUT", "PATCH"), "VALIDATION_VALID", PREVIEW_KEYS, 200, VALID),
    (("PATCH",), "VALIDATION_INVALID", PREVIEW_KEYS, 200, PATCH_INVALID),
    (("PUT",), "VALIDATION_INVALID", PREVIEW_KEYS, 200, PUT_INVALID),
    (("GET",), None, {}, 200, ITEM),
    (("PUT", "PATCH", "DELETE"), None, {}, 200, ACCEPTED),
]


def match(method: str, sku: str, query: dict[str, str]) -> tuple[int, dict]:
    """The canned (status, body) for a request; the body is shared: copy it before changing it."""
    for methods, want_sku, want_query, status, body in PAIRS:
        if method in methods and want_sku in (None, sku) and all(query.get(k) == v for k, v in want_query.items()):
            return status, body
    return 400, NO_MATCH
