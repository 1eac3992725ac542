"""The publish window's running work: every request and thumbnail is a task of the service's TaskRegistry, kept
here so that closing the window cancels them all; the requests that make the window busy (fetch, submit, undo…)
are counted by name, and the buttons follow :meth:`WindowTasks.busy`."""

from __future__ import annotations

import asyncio


class WindowTasks:
    def __init__(self, registry, owner: object) -> None:
        self.registry = registry
        self.owner = id(owner)                # keys are per window: two windows never share a task
        self.tasks: set[asyncio.Task] = set()
        self.running: set[str] = set()        # the requests in progress, by name

    def run(self, coro, key: str) -> asyncio.Task | None:
        """Spawn ``coro`` as one of the window's tasks (None when the same key is already running)."""
        task = self.registry.spawn(coro, key=f"{key}:{self.owner}")
        if task is not None:
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return task

    def busy(self) -> bool:
        return bool(self.running)

    def cancel(self) -> None:
        """Everything still running ends (the window is closing)."""
        for task in list(self.tasks):
            task.cancel()
