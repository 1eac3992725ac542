"""The Pixii Listing Builder vocabulary: marketplaces and listing types."""

# The 25 codes the Listing Builder accepts (both GB and UK are valid), with names for pickers.
COUNTRIES: dict[str, str] = {
    "AE": "United Arab Emirates",
    "AU": "Australia",
    "BE": "Belgium",
    "BR": "Brazil",
    "CA": "Canada",
    "CN": "China",
    "DE": "Germany",
    "EG": "Egypt",
    "ES": "Spain",
    "FR": "France",
    "GB": "United Kingdom (GB)",
    "IE": "Ireland",
    "IN": "India",
    "IT": "Italy",
    "JP": "Japan",
    "MX": "Mexico",
    "NL": "Netherlands",
    "PL": "Poland",
    "SA": "Saudi Arabia",
    "SE": "Sweden",
    "SG": "Singapore",
    "TR": "Turkey",
    "UK": "United Kingdom (UK)",
    "US": "United States",
    "ZA": "South Africa",
}
COUNTRY_CODES: frozenset[str] = frozenset(COUNTRIES)


def country_name(code: str) -> str:
    """How a seller names a marketplace's country (``DE`` → Germany; GB and UK are both the United Kingdom);
    an unknown code as it is."""
    code = (code or "").strip().upper()
    return COUNTRIES.get(code, code).split(" (")[0]


def in_country(code: str) -> str:
    """``in Germany``, ``in the United States``: a marketplace in a sentence."""
    name = country_name(code)
    return f"in the {name}" if name.startswith(("United ", "Netherlands")) else f"in {name}"

LISTING_TYPES: dict[str, str] = {
    "amazon_listing": "Full Amazon listing: main image plus gallery",
    "amazon_main_images": "Amazon main images only",
    "amazon_mobile_listing": "Tuned for Amazon's mobile display",
    "shopify_listing": "Shopify product-page visuals",
    "tiktok_listing": "TikTok Shop visuals",
}

# What sellers call each listing type (the command line keeps the codes).
LISTING_TYPE_NAMES: dict[str, str] = {
    "amazon_listing": "Amazon listing",
    "amazon_main_images": "Amazon main images",
    "amazon_mobile_listing": "Amazon mobile listing",
    "shopify_listing": "Shopify product page",
    "tiktok_listing": "TikTok Shop listing",
}


def listing_type_name(code: str) -> str:
    """``amazon_listing`` → Amazon listing; an unknown code as it is."""
    return LISTING_TYPE_NAMES.get(code, code)


JOB_TYPE_LISTING_BUILDER = "Listing Builder"
STATUSES = ("pending", "processing", "completed", "failed")
TERMINAL_STATUSES = frozenset({"completed", "failed"})

DEFAULT_API_URL = "https://api.pixii.ai"
API_PREFIX = "/v1/api"
