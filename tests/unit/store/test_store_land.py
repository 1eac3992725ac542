"""A write that must land (a POST's outcome, a lease given back) lands even when its caller is cancelled while the
write still waits its turn on a single-thread store, as the window's store worker is."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from desktop_app.store.inline import land


class QueueStore:
    """One thread, calls in order, awaited through ``wrap_future`` (the store worker's way)."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.written: list[str] = []

    async def call(self, fn, *args, **kwargs):
        return await asyncio.wrap_future(self.pool.submit(fn, self.written, *args, **kwargs))


def test_a_landing_write_queued_behind_another_call_lands_when_its_caller_is_cancelled():
    async def scenario():
        store, gate = QueueStore(), threading.Event()
        busy = asyncio.ensure_future(store.call(lambda written: gate.wait(5)))  # the worker is busy
        plain = asyncio.ensure_future(store.call(lambda written: written.append("plain")))
        landing = asyncio.ensure_future(land(store, lambda written, what: written.append(what), "job id"))
        while store.pool._work_queue.qsize() < 2:  # both wait their turn behind the busy call
            await asyncio.sleep(0)
        plain.cancel()
        landing.cancel()
        await asyncio.sleep(0)  # the cancellations reach the queued calls (a done-callback of each)
        gate.set()
        await busy
        with pytest.raises(asyncio.CancelledError):
            await landing  # the cancellation goes on, once the write has landed
        store.pool.shutdown(wait=True)
        return store.written

    assert asyncio.run(scenario()) == ["job id"]  # a plain call cancelled in the queue never runs
