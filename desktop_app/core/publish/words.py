"""How a seller names a publish: by its listing (SKU and country), when it was sent and the slots it changed — never
by the journal's row number. Slots are counted from 1 (``1 · MAIN``, ``2 · PT01``), marketplaces named by country,
times in local time with seconds only where two publishes of one listing fall in the same minute. Shared by the
publish window, its banners and the undo refusals of :mod:`desktop_app.core.publish.after`; Qt-free."""

from __future__ import annotations

import time
from typing import Iterable

from desktop_app.api.amazon.marketplaces import BY_ID
from desktop_app.api.amazon.models import SLOTS
from desktop_app.api.pixii.vocab import country_name, in_country
from desktop_app.store.publishes import PublishRecord

STATE_WORDS = {"invalid": "refused by validation", "valid": "validated", "refused": "not sent",
               "sending": "sending", "accepted": "submitted, not live yet", "live": "live",
               "other_shown": "live, another seller's main image shown", "unknown": "unknown — answer lost",
               "undone": "undone"}


def changed_slots(rec: PublishRecord) -> set[str]:
    """The slots a submission changes."""
    return {s for s in SLOTS if rec.slots_before.get(s) != rec.slots_after.get(s)}


def slot_name(slot: str) -> str:
    """``1 · MAIN``, ``2 · PT01`` … ``10 · SWCH``: Amazon's slots counted from 1."""
    return f"{SLOTS.index(slot) + 1} · {slot}" if slot in SLOTS else slot


def slots_text(slots: Iterable[str]) -> str:
    """The slots in Amazon's order, by name (``1 · MAIN, 2 · PT01``); ``—`` for none."""
    chosen = set(slots)
    return ", ".join(slot_name(s) for s in SLOTS if s in chosen) or "—"


def marketplace_country(marketplace_id: str) -> str:
    """The country code a marketplace id serves (``A1PA6795UKMFR9`` → DE); an unknown id as it is."""
    market = BY_ID.get(marketplace_id)
    return market.country if market else marketplace_id


def marketplace_name(marketplace_id: str) -> str:
    """The country a marketplace id serves (``A1PA6795UKMFR9`` → Germany)."""
    return country_name(marketplace_country(marketplace_id))


def when(timestamp: float, *, seconds: bool = False) -> str:
    """``3 Dec 14:05`` (``3 Dec 14:05:07`` with ``seconds``), local time."""
    t = time.localtime(timestamp)
    return f"{t.tm_mday} {time.strftime('%b %H:%M:%S' if seconds else '%b %H:%M', t)}"


def dates(records: Iterable[PublishRecord]) -> dict[int, str]:
    """Each submission's date label, told apart from the others: seconds are added only to labels that would be
    the same to the minute, and an ordinal (``2nd``) only where even the second is the same."""
    records = sorted(records, key=lambda r: (r.created_at, r.id))
    minutes: dict[str, int] = {}
    for rec in records:
        minutes[when(rec.created_at)] = minutes.get(when(rec.created_at), 0) + 1
    labels: dict[int, str] = {}
    seen: dict[str, int] = {}
    for rec in records:
        label = when(rec.created_at)
        if minutes[label] > 1:
            label = when(rec.created_at, seconds=True)
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:
                label += f", {ordinal(seen[label])}"
        labels[rec.id] = label
    return labels


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def sentence(text: str) -> str:
    """``text`` as the start of a sentence (only its first letter raised)."""
    return text[:1].upper() + text[1:]


def listing_name(rec: PublishRecord) -> str:
    """``MUG-BLK-16 in Germany``."""
    return f"{rec.sku} {in_country(marketplace_country(rec.marketplace_id))}"


def publish_name(rec: PublishRecord, date: str | None = None) -> str:
    """``the publish of 3 Dec 14:05 (1 · MAIN, 2 · PT01)`` (an undo: ``the undo of 3 Dec 14:05 (…)``);
    ``date``: its label among the listing's other submissions (:func:`dates`)."""
    kind = "undo" if rec.undo_of else "publish"
    return f"the {kind} of {date or when(rec.created_at)} ({slots_text(changed_slots(rec))})"


def publish_title(rec: PublishRecord, date: str | None = None) -> str:
    """A publish named in full, for a message outside the publish window: ``MUG-BLK-16 in Germany, the publish of
    3 Dec 14:05 (1 · MAIN)``."""
    return f"{listing_name(rec)}, {publish_name(rec, date)}"


def undo_button(rec: PublishRecord, date: str | None = None) -> str:
    """An undo button: ``Undo 3 Dec 14:05 — 1 · MAIN, 2 · PT01``."""
    return f"Undo {date or when(rec.created_at)} — {slots_text(changed_slots(rec))}"
