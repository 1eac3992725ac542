"""The SP-API emulator's settings and clock as its parts read them: the config given when it was built
(checked once), overlaid by what the control API changed in the state, and the emulator's time (wall clock plus
the offset the control API moves)."""

from __future__ import annotations

import time
from typing import Any, Mapping

from desktop_app.sandbox.amazon.data import default_config, validate_config


def now_of(state: Mapping[str, Any]) -> float:
    """The emulator's time: the wall clock moved by the state's ``clock_offset``."""
    return time.time() + state["clock_offset"]


class Settings:
    """The emulator's config: its defaults (plus ``config`` when given) under the state's changes."""

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        self.defaults = default_config()
        if config:
            problems = validate_config(dict(config))
            if problems:
                raise ValueError("; ".join(problems))
            self.defaults.update(config)

    def of(self, state: Mapping[str, Any]) -> dict[str, Any]:
        return {**self.defaults, **state["config"]}
