"""One publish, several marketplaces of one region (a unified account: e.g. DE, FR, IT, ES, NL in EU): the same
slots published to each marketplace on its own — its own read, preview, journal row and undo — one after the other.
A failure in one marketplace is that marketplace's result; the others go on. Qt-free."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from desktop_app.api.amazon import marketplaces
from desktop_app.api.amazon.marketplaces import Marketplace
from desktop_app.core.validation import InputError


def markets_of(countries: str | Iterable[str]) -> list[Marketplace]:
    """``"DE,FR,IT"`` (or a list) → their marketplaces, in order, each once (UK = GB); every one in one region
    (a seller's account covers one region), else :class:`InputError` ``MIXED_REGIONS``. No request."""
    codes = countries.split(",") if isinstance(countries, str) else list(countries)
    found: list[Marketplace] = []
    for code in codes:
        if not code.strip():
            raise InputError("INVALID_COUNTRY", "Give country codes separated by commas, e.g. DE,FR,IT")
        market = marketplaces.for_country(code)  # CN or an unknown code: exit 2, no request
        if market not in found:
            found.append(market)
    regions = {m.region for m in found}
    if len(regions) > 1:
        by = ", ".join(f"{m.country} ({m.region})" for m in found)
        raise InputError("MIXED_REGIONS", f"One publish covers the marketplaces of one region (one seller account); "
                         f"{by} are in {len(regions)} regions: publish to each region separately")
    return found


async def publish_many(service: Any, sku: str, markets: list[Marketplace],
                       assignments: dict[str, "str | Path | None"], **options: Any
                       ) -> list[tuple[Marketplace, Any]]:
    """``service.publish`` once per marketplace; each result is its PublishOutcome or the exception it ended
    with (never raised, so the other marketplaces still get theirs). ``options``: as for ``publish``; an
    ``on_warnings`` or ``on_progress`` callable gets the marketplace as its first argument."""
    hear, follow = options.pop("on_warnings", None), options.pop("on_progress", None)
    results: list[tuple[Marketplace, Any]] = []
    for market in markets:
        warn = (lambda warnings, m=market: hear(m, warnings)) if hear is not None else None
        step = (lambda line, m=market: follow(m, line)) if follow is not None else None
        try:
            outcome = await service.publish(sku, market.country, assignments, on_warnings=warn, on_progress=step,
                                            **options)
        except Exception as exc:  # noqa: BLE001 — this marketplace's result; the others go on
            results.append((market, exc))
        else:
            results.append((market, outcome))
    return results
