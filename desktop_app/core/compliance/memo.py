"""Compliance findings of a cached image, computed once when the image arrives and kept next to it.

A cached image is named by its sha256 (see :mod:`.cache`), so its findings are too: ``<sha256>.<ext>.rules.json``
beside the image holds, per platform and slot, the findings of :func:`.compliance.check_image` and a fingerprint
of the rules file they were judged by. Export and the window read them instead of decoding the image again; a
missing, unreadable or outdated entry (the rules changed) is computed and written again. Blocking (may decode):
call from a worker thread.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

from desktop_app.core.compliance import checker as compliance
from desktop_app.core.compliance.checker import Finding
from desktop_app.core.housekeeping import discard_temp, new_temp

SUFFIX = ".rules.json"
log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def rules_fingerprint() -> str:
    """The sha256 of the rules file the findings are judged by."""
    return hashlib.sha256(compliance.rules_path().read_bytes()).hexdigest()


def memo_path(image: str | os.PathLike[str]) -> Path:
    return Path(f"{os.fspath(image)}{SUFFIX}")


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("rules") != rules_fingerprint():
        return {}
    return data


def _write(path: Path, data: dict) -> None:
    """Atomically (hidden temp file + rename); a failure only means the findings are computed again later."""
    tmp = None
    try:
        fd, tmp = new_temp(path.parent, path.name)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            discard_temp(tmp)


def in_cache(image: str | os.PathLike[str], cache_root: str | os.PathLike[str]) -> bool:
    """True when ``image`` lies in the image cache under ``cache_root`` (only those have findings kept beside
    them: a seller's own file never gets a file written next to it)."""
    try:
        return Path(image).resolve().is_relative_to(Path(cache_root).resolve())
    except (OSError, RuntimeError):
        return False


def findings(image: str | os.PathLike[str], platform: str, slot: str) -> list[Finding]:
    """The findings of the cached ``image`` in ``platform``'s ``slot``: remembered ones, else computed and
    remembered. Raises what check_image raises (ValueError for an unknown platform or slot, OSError)."""
    slot = compliance.normalise_slot(platform, slot)
    key = f"{platform}/{slot}"
    path = memo_path(image)
    data = _read(path)
    entry = data.get("findings", {}).get(key)
    if isinstance(entry, list):
        try:
            return [Finding(**f) for f in entry]
        except TypeError:
            pass
    result = compliance.check_image(image, platform, slot)
    data = {"rules": rules_fingerprint(), "findings": {**data.get("findings", {}), key: [asdict(f) for f in result]}}
    _write(path, data)
    return result


def judge_arrival(image: str | os.PathLike[str], listing_type: str, index: int) -> None:
    """Judge a newly cached image for its listing type's platform and the slot of its 0-based ``index``;
    a problem here is only logged (the image is judged again when it is next looked at)."""
    platform = compliance.platform_of(listing_type)
    try:
        findings(image, platform, compliance.slot_for(platform, index))
    except (OSError, ValueError) as exc:
        log.warning("could not judge %s against the image rules: %s", os.path.basename(image), exc)
