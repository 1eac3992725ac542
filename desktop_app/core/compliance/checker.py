"""Image compliance checker: does an image meet a platform's rules for a slot?

    findings = check_image(path_or_bytes, "amazon", "MAIN")
    summary(findings)  # "pass" | "warning" | "fail"

The rules (thresholds, levels, texts and the source of each) are data in resources/compliance-rules.json, taken from
../shared/api/sp-api-listings.md §9. This module only knows how to evaluate each kind of check. Every evaluated rule
gives one Finding, passed ones included, so a gallery can show the reasons either way.

Pure and Qt-free: no shared state except the cached rules file. Decoding and pixel statistics take a few tens of
milliseconds on a working copy of at most 256 px (see compliance_pixels), but a big PNG still has to be decoded:
the GUI calls this in a worker thread.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TYPE_CHECKING = False  # as typing's, without loading typing (the cached export starts faster)
if TYPE_CHECKING:
    from typing import Any

    from desktop_app.core.compliance.checks import Subject

RULES_FILE = "compliance-rules.json"
SET_CHECK_NAMES = ("main_present", "known_slots", "max_images", "min_images")  # core.compliance.whole_set
# the checks of core.compliance.checks (CHECKS), named here so that reading the rules and remembered findings
# (compliance.memo) never loads Pillow; a unit test keeps the two the same
CHECK_NAMES = ("readable", "format", "not_animated", "colour_mode", "longest_side_min", "shortest_side_min",
               "longest_side_max", "dimensions_max", "dpi_min", "file_size_max", "square", "white_border",
               "product_fill", "sharpness", "cropped", "icc_profile", "advice")
PLATFORMS = ("amazon", "shopify", "tiktok")
LEVELS = ("pass", "info", "warning", "fail")  # info: advice that never changes a verdict
_RANK = {level: i for i, level in enumerate(LEVELS)}


@dataclass(frozen=True)
class Finding:
    rule_id: str
    level: str  # "pass" | "info" | "warning" | "fail"
    message: str
    source: str


class RulesError(Exception):
    """The rules file is missing or malformed (a packaging or editing mistake, not a user error)."""


# ---------------------------------------------------------------------------------------------------------- rules

def rules_path() -> Path:
    """resources/compliance-rules.json next to the package, or under sys._MEIPASS/resources when frozen."""
    import desktop_app

    candidates = [Path(desktop_app.__file__).resolve().parent.parent / "resources" / RULES_FILE]
    if getattr(sys, "_MEIPASS", None):
        candidates.append(Path(sys._MEIPASS) / "resources" / RULES_FILE)
    for path in candidates:
        if path.is_file():
            return path
    raise RulesError(f"{RULES_FILE} not found (looked in: {', '.join(str(p.parent) for p in candidates)})")


@lru_cache(maxsize=4)
def load_rules(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The parsed rules file, checked for shape: every rule has an id, a known check, messages and a source."""
    p = Path(path) if path is not None else rules_path()
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RulesError(f"cannot read {p}: {exc}") from None
    platforms = data.get("platforms")
    if not isinstance(platforms, dict) or set(platforms) != set(PLATFORMS):
        raise RulesError(f"{p}: 'platforms' must name exactly {', '.join(PLATFORMS)}")
    for name, plat in platforms.items():
        if not plat.get("slots") or not isinstance(plat.get("rules"), list):
            raise RulesError(f"{p}: platform {name!r} needs 'slots' and 'rules'")
        for rule in plat["rules"]:
            missing = [k for k in ("id", "slots", "check", "messages", "source") if not rule.get(k)]
            if missing:
                raise RulesError(f"{p}: rule {rule.get('id', '?')!r} lacks {', '.join(missing)}")
            if rule["check"] not in CHECK_NAMES:
                raise RulesError(f"{p}: rule {rule['id']!r} has unknown check {rule['check']!r}")
            slots = rule["slots"]
            if not (slots in ("all", "main", "secondary") or isinstance(slots, list) and set(slots) <= set(plat["slots"])):
                raise RulesError(f"{p}: rule {rule['id']!r} has slots {slots!r}")
        for rule in plat.get("set_rules", []):
            missing = [k for k in ("id", "check", "messages", "source") if not rule.get(k)]
            if missing:
                raise RulesError(f"{p}: set rule {rule.get('id', '?')!r} lacks {', '.join(missing)}")
            if rule["check"] not in SET_CHECK_NAMES:
                raise RulesError(f"{p}: set rule {rule['id']!r} has unknown check {rule['check']!r}")
    return data


def normalise_slot(platform: str, slot: str) -> str:
    """The canonical slot name for a platform, or ValueError.

    Amazon: MAIN, PT01 … PT08, SWCH (any case; "main" and "gallery" mean MAIN and PT01). Shopify and TikTok Shop:
    "main" or "gallery" (Amazon slot names map to them: MAIN → main, others → gallery).
    """
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    s = str(slot).strip()
    slots = load_rules()["platforms"][platform]["slots"]
    if platform == "amazon":
        s = {"main": "MAIN", "gallery": "PT01"}.get(s.lower(), s.upper())
    else:
        up = s.upper()
        if up == "MAIN":
            s = "main"
        elif up == "SWCH" or (len(up) == 4 and up.startswith("PT") and up[2:].isdigit() and 1 <= int(up[2:]) <= 8):
            s = "gallery"
        else:
            s = s.lower()
    if s not in slots:
        raise ValueError(f"unknown {platform} slot {slot!r}; expected one of {', '.join(slots)}")
    return s


# ------------------------------------------------------------------------------------------------------------ API

def platform_of(listing_type: str) -> str:
    """The platform whose rules apply to a listing type's images."""
    for platform in ("shopify", "tiktok"):
        if listing_type.startswith(platform):
            return platform
    return "amazon"


def slot_for(platform: str, index: int) -> str:
    """The slot an image of service index ``index`` is exported to (main vs secondary is what the rules need)."""
    if platform == "amazon":
        return "MAIN" if index == 0 else f"PT{min(max(index, 1), 8):02d}"
    return "main" if index == 0 else "gallery"


def file_warnings(files: list[tuple[int, str | os.PathLike[str], str | os.PathLike[str]]],
                  listing_type: str) -> list[str]:
    """One line per exported file that fails or warns on its platform's rules for its slot. ``files``: (index,
    exported file, the cached image it was copied from); the findings are the cached image's, judged when it
    arrived (:mod:`.compliance_memo`), so nothing is decoded again unless they are missing."""
    from desktop_app.core.compliance.memo import findings

    platform = platform_of(listing_type)
    lines = []
    for index, path, cached in files:
        slot = slot_for(platform, index)
        try:
            bad = problems(findings(cached, platform, slot))
        except (OSError, ValueError) as exc:
            lines.append(f"{os.path.basename(path)}: not checked ({exc})")
            continue
        if bad:
            lines.append(f"{os.path.basename(path)} ({slot}): {bad[0].level} on {platform}'s image rules: "
                         f"{bad[0].message}" + (f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""))
    return lines


def check_image(path_or_bytes: bytes | str | os.PathLike[str], platform: str, slot: str) -> list[Finding]:
    """Every applicable rule's Finding for this image in this platform's slot (see the module docstring).

    ValueError for an unknown platform or slot; OSError if a path cannot be read. An unreadable image is a
    finding (`<platform>.readable`, fail), not an exception.
    """
    from desktop_app.core.compliance.checks import Subject, open_input  # Pillow: only when an image is judged

    slot = normalise_slot(platform, slot)
    plat = load_rules()["platforms"][platform]
    is_main = slot in plat.get("main_slots", ())
    with open_input(path_or_bytes) as (source, size):
        subject = Subject(source, size)
        return _findings(subject, plat["rules"], slot, is_main)


def _findings(subject: Subject, rules: list[dict], slot: str, is_main: bool) -> list[Finding]:
    from desktop_app.core.compliance.checks import CHECKS

    findings: list[Finding] = []
    for rule in rules:
        if not _applies(rule, slot, is_main):
            continue
        if subject.error and rule["check"] != "readable":
            continue
        result = CHECKS[rule["check"]](subject, rule.get("params", {}))
        if result is None:  # pixel statistics unavailable
            findings.append(Finding(rule["id"], "warning", f"not checked: {subject.pixel_error}", rule["source"]))
            continue
        key, level, extra = result
        level = level or key
        if level not in LEVELS:
            raise RulesError(f"rule {rule['id']!r}: bad level {level!r}")
        findings.append(Finding(rule["id"], level, _message(rule, key, subject, extra), rule["source"]))
    return findings


def _applies(rule: dict, slot: str, is_main: bool) -> bool:
    slots = rule["slots"]
    if slot in rule.get("except_slots", ()):
        return False
    if isinstance(slots, list):
        return slot in slots
    return slots == "all" or (slots == "main") == is_main


def _message(rule: dict, key: str, s: Subject, extra: dict[str, Any]) -> str:
    template = rule["messages"].get(key) or rule["messages"].get("fail") or rule["id"]
    fields: dict[str, Any] = dict(rule.get("params", {}))
    if s.image is not None:
        fields.update(format=s.format, format_label=s.format_label, width=s.width, height=s.height,
                      longest=s.longest, mode=s.mode, frames=s.frames)
    fields.update(extra)
    try:
        return template.format(**fields)
    except (KeyError, IndexError, ValueError):
        return template


def summary(findings: list[Finding]) -> str:
    """The worst level among the findings: "fail", else "warning", else "pass" (also for no findings, and when
    there is only advice: info never changes a verdict)."""
    worst = max((f.level for f in findings), key=_RANK.__getitem__, default="pass")
    return "pass" if worst == "info" else worst


def problems(findings: list[Finding]) -> list[Finding]:
    """Only the warnings and failures, worst first (for tooltips and CLI warnings)."""
    return sorted((f for f in findings if _RANK[f.level] >= _RANK["warning"]), key=lambda f: -_RANK[f.level])


def advice(findings: list[Finding]) -> list[Finding]:
    """Only the info findings (advice such as "1600 px or larger for the best zoom")."""
    return [f for f in findings if f.level == "info"]


def __getattr__(name: str) -> Any:
    """``CHECKS``, ``Subject`` and ``open_input`` of :mod:`.checks`, loaded (with Pillow) on first use."""
    if name in ("CHECKS", "Subject", "open_input"):
        from desktop_app.core.compliance import checks
        return getattr(checks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
