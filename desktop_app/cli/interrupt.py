"""Ctrl+C and SIGTERM for every command (cli-contract.md, "Safety with money and listings").

On the signal, the stop hooks run at once (no new Pixii POST or SP-API write starts from then on) and the
command's task is cancelled: a POST on the wire is finished within its grace or left journalled as ambiguous
(see core/jobs/submit.py), everything else stops. The command then ends with ``128 + signal`` (130 after SIGINT,
143 after SIGTERM) and one stderr line saying how to resume.
"""

from __future__ import annotations

import asyncio
import signal
from typing import Any, Awaitable, Callable

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class CommandInterrupted(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.exit_code = 128 + signum


class Interrupts:
    def __init__(self) -> None:
        self.signum: int | None = None
        self._stops: list[Callable[[], None]] = []

    def on_stop(self, stop: Callable[[], None]) -> None:
        """``stop`` runs the moment a signal arrives (before the command's task is cancelled)."""
        self._stops.append(stop)

    async def run(self, command: Awaitable[Any]) -> Any:
        """Await ``command``; raises :class:`CommandInterrupted` when a signal stopped it."""
        loop = asyncio.get_running_loop()
        task = asyncio.ensure_future(command)

        def signalled(signum: int) -> None:
            if self.signum is None:
                self.signum = signum
            for stop in self._stops:
                stop()
            task.cancel()

        installed = []
        for sig in SIGNALS:
            try:
                loop.add_signal_handler(sig, signalled, sig)
                installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):  # no loop signal handlers on this system
                pass
        try:
            return await task
        except BaseException:
            if self.signum is not None:
                raise CommandInterrupted(self.signum) from None
            raise
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)
