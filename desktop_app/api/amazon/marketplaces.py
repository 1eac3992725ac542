"""Country code → SP-API marketplace (id, region, regional host), from sp-api-listings.md §2–§3.

Every code Pixii accepts has a marketplace except ``CN`` (China has none in SP-API: refused with
:class:`MarketplaceError`). ``UK`` and ``GB`` are one marketplace (``A1F83G8C2ARO7P``); :func:`normalize`
turns ``UK`` into ``GB`` so both share one cache entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from desktop_app.api.errors import ConfigError

REGION_HOSTS: dict[str, str] = {
    "NA": "https://sellingpartnerapi-na.amazon.com",
    "EU": "https://sellingpartnerapi-eu.amazon.com",
    "FE": "https://sellingpartnerapi-fe.amazon.com",
}
SANDBOX_REGION_HOSTS: dict[str, str] = {r: h.replace("https://", "https://sandbox.") for r, h in REGION_HOSTS.items()}


@dataclass(frozen=True)
class Marketplace:
    country: str          # normalized code (GB, never UK)
    marketplace_id: str
    region: str           # NA | EU | FE
    language: str         # default language tag (issueLocale); [inferred] for several, see §3

    @property
    def host(self) -> str:
        return REGION_HOSTS[self.region]

    @property
    def sandbox_host(self) -> str:
        return SANDBOX_REGION_HOSTS[self.region]


_TABLE: dict[str, tuple[str, str, str]] = {
    "AE": ("A2VIGQ35RCS4UG", "EU", "en_AE"),
    "AU": ("A39IBJ37TRP1C6", "FE", "en_AU"),
    "BE": ("AMEN7PMS3EDWL", "EU", "fr_BE"),
    "BR": ("A2Q3Y263D00KWC", "NA", "pt_BR"),
    "CA": ("A2EUQ1WTGCTBG2", "NA", "en_CA"),
    "DE": ("A1PA6795UKMFR9", "EU", "de_DE"),
    "EG": ("ARBP9OOSHTCHU", "EU", "ar_AE"),
    "ES": ("A1RKKUPIHCS9HS", "EU", "es_ES"),
    "FR": ("A13V1IB3VIYZZH", "EU", "fr_FR"),
    "GB": ("A1F83G8C2ARO7P", "EU", "en_GB"),
    "IE": ("A28R8C7NBKEWEA", "EU", "en_GB"),
    "IN": ("A21TJRUUN4KGV", "EU", "en_IN"),
    "IT": ("APJ6JRA9NG5V4", "EU", "it_IT"),
    "JP": ("A1VC38T7YXB528", "FE", "ja_JP"),
    "MX": ("A1AM78C64UM0Y8", "NA", "es_MX"),
    "NL": ("A1805IZSGTT6HS", "EU", "nl_NL"),
    "PL": ("A1C3SOZRARQ6R3", "EU", "pl_PL"),
    "SA": ("A17E79C6D8DWNP", "EU", "ar_AE"),
    "SE": ("A2NODRKZP88ZB9", "EU", "sv_SE"),
    "SG": ("A19VAU5U5O7RUS", "FE", "en_SG"),
    "TR": ("A33AVAJ2PDY3EV", "EU", "tr_TR"),
    "US": ("ATVPDKIKX0DER", "NA", "en_US"),
    "ZA": ("AE08WJ6YKNBMC", "EU", "en_ZA"),
}

MARKETPLACES: dict[str, Marketplace] = {c: Marketplace(c, *v) for c, v in _TABLE.items()}
BY_ID: dict[str, Marketplace] = {m.marketplace_id: m for m in MARKETPLACES.values()}
ALIASES = {"UK": "GB"}
NO_MARKETPLACE = {"CN": "China has no SP-API marketplace; publishing to CN is not possible"}


class MarketplaceError(ConfigError):
    """A country code with no SP-API marketplace (CN) or an unknown code/id."""


def normalize(country: str) -> str:
    code = (country or "").strip().upper()
    return ALIASES.get(code, code)


def for_country(country: str) -> Marketplace:
    """The marketplace of ``country`` (UK = GB). Raises :class:`MarketplaceError` for CN or an unknown code."""
    code = normalize(country)
    if code in NO_MARKETPLACE:
        raise MarketplaceError("NO_MARKETPLACE", NO_MARKETPLACE[code])
    if code not in MARKETPLACES:
        raise MarketplaceError("INVALID_COUNTRY", f"'{country}' is not a country code with an Amazon marketplace")
    return MARKETPLACES[code]


def for_id(marketplace_id: str) -> Marketplace:
    try:
        return BY_ID[marketplace_id]
    except KeyError:
        raise MarketplaceError("UNKNOWN_MARKETPLACE", f"'{marketplace_id}' is not a known marketplace id") from None


def label(marketplace_id: str) -> str:
    """How a seller knows a marketplace: ``US (ATVPDKIKX0DER)``; an unknown id as it is."""
    market = BY_ID.get(marketplace_id)
    return f"{market.country} ({marketplace_id})" if market else marketplace_id


_BARE_ID = re.compile(r"(?<![\w(])(" + "|".join(BY_ID) + r")(?!\w)")


def with_countries(text: str) -> str:
    """``text`` with every bare marketplace id named by its country as well (``US (ATVPDKIKX0DER)``)."""
    return _BARE_ID.sub(lambda m: label(m.group(1)), text)


def region_of_url(url: str | None) -> str | None:
    """The region (NA | EU | FE) of an Amazon regional host URL, production or ``sandbox.``; None for any other
    URL (the embedded emulator, a loopback emulator, a proxy), which is taken to serve every region."""
    if not url:
        return None
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return None
    for region in REGION_HOSTS:
        for table in (REGION_HOSTS, SANDBOX_REGION_HOSTS):
            if host == urlsplit(table[region]).hostname:
                return region
    return None
