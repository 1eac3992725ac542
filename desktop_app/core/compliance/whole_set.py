"""Whole-set compliance rules: the images of one listing taken together (MAIN present, how many, which slots).

    for sf in check_set("amazon", ["MAIN", "PT01", "PT02"]):
        sf.finding.level, sf.positions   # "info", () — "Amazon recommends at least 6 images"

The rules are the ``set_rules`` of each platform in resources/compliance-rules.json. Every rule gives one finding,
passed ones included; ``positions`` names the images a finding is about (0-based, in the order given), empty when it
is about the set as a whole. Pure and Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from desktop_app.core.compliance.checker import Finding, load_rules, normalise_slot

_Result = tuple[str, tuple[int, ...], dict[str, Any]]


@dataclass(frozen=True)
class SetFinding:
    finding: Finding
    positions: tuple[int, ...]


def _main_present(slots: list[str | None], main: set[str], p: dict) -> _Result:
    return ("pass", (), {}) if any(s in main for s in slots) else ("fail", (), {})


def _known_slots(slots: list[str | None], main: set[str], p: dict) -> _Result:
    seen: set[str] = set()
    bad = []
    for i, slot in enumerate(slots):
        if slot is None or slot in seen:
            bad.append(i)
        else:
            seen.add(slot)
    return ("fail", tuple(bad), {"extra": len(bad)}) if bad else ("pass", (), {})


def _max_images(slots: list[str | None], main: set[str], p: dict) -> _Result:
    extra = tuple(range(p["max"], len(slots)))
    return ("fail", extra, {"extra": len(extra)}) if extra else ("pass", (), {})


def _min_images(slots: list[str | None], main: set[str], p: dict) -> _Result:
    return ("info", (), {}) if len(slots) < p["min"] else ("pass", (), {})


SET_CHECKS: dict[str, Callable[[list[str | None], set[str], dict], _Result]] = {
    "main_present": _main_present, "known_slots": _known_slots, "max_images": _max_images, "min_images": _min_images,
}


def check_set(platform: str, slots: list[str]) -> list[SetFinding]:
    """Every set rule's finding for images in these slots (a slot the platform does not have counts as none)."""
    plat = load_rules()["platforms"][platform]
    normal: list[str | None] = []
    for slot in slots:
        try:
            normal.append(normalise_slot(platform, slot))
        except ValueError:
            normal.append(None)
    main = set(plat.get("main_slots", ()))
    found = []
    for rule in plat.get("set_rules", []):
        params = rule.get("params", {})
        key, positions, extra = SET_CHECKS[rule["check"]](normal, main, params)
        fields = {**params, "count": len(slots), **extra}
        template = rule["messages"].get(key) or rule["id"]
        found.append(SetFinding(Finding(rule["id"], key, template.format(**fields), rule["source"]), positions))
    return found
