"""Watching publishes until Amazon serves them, for as long as the app is open.

Amazon answers ACCEPTED at once but may take minutes, sometimes hours, to serve new images (sp-api-listings.md
§5.2, step 5). The publish window watches a fresh submission for two minutes; after that, and at start for
publishes left accepted/sending/unknown last time, :class:`PublishWatcher` re-reads their listings on a
widening schedule (1, 2, 5, 10, 30 minutes, then hourly) and says in the banner when one goes live or Amazon
reports a problem, naming each publish by its listing, date and slots. One task at a time, in the service's
TaskRegistry; no request when nothing is unsettled.
"""

from __future__ import annotations

import asyncio

from desktop_app.core.publish.words import publish_title
from desktop_app.store.publishes import LIVE, PublishStore

SCHEDULE = (60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)  # seconds between rounds; the last one repeats


class PublishWatcher:
    def __init__(self, service, banner, schedule: tuple[float, ...] = SCHEDULE, round_timeout: float = 5.0) -> None:
        self.service, self.banner = service, banner
        self.schedule = schedule
        self.round_timeout = round_timeout
        self.task: asyncio.Task | None = None
        self._again: asyncio.Event | None = None  # made on the running loop
        self.rounds = 0

    def start(self) -> asyncio.Task | None:
        """Watch the unsettled publishes; a running watch starts its schedule over. The task ends at once, without
        a request, when nothing is unsettled (the journal is read through the store worker)."""
        if self.task is not None and not self.task.done():
            if self._again is not None:
                self._again.set()
            return self.task
        self.task = self.service.tasks.spawn(self._run(), name="publish-watch")
        return self.task

    async def _run(self) -> None:
        self._again = asyncio.Event()
        if not await self.service.store.call(lambda journal: PublishStore(journal).unsettled()):
            return
        step, first = 0, True
        while True:
            rt = self.service.rt  # the runtime is rebuilt when the mode changes
            try:
                publish = await asyncio.to_thread(lambda: rt.publish)  # settings, keyring, S3 client: off the GUI
                records = await publish.settle_all(timeout=self.round_timeout)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — said in the banner, never a modal
                code = getattr(exc, "code", None) or type(exc).__name__
                self.banner.show_error(
                    code, f"Could not check whether published images are live: {getattr(exc, 'message', None) or exc}")
                return
            self.rounds += 1
            self._report(records, first)
            for job_id in {r.job_id for r in records if r.job_id}:
                self.service.job_changed.emit(job_id)  # the gallery says where the job's images are published
            first = False
            if not any(r.state != LIVE and not r.error_code for r in records):
                return
            delay = self.schedule[min(step, len(self.schedule) - 1)]
            step += 1
            self._again.clear()
            try:
                await asyncio.wait_for(self._again.wait(), delay)
                step = 0  # a new publish to watch: from the start of the schedule
            except asyncio.TimeoutError:
                pass

    def _report(self, records: list, first: bool) -> None:
        banner = self.banner
        live = [r for r in records if r.state == LIVE]
        problems = [r for r in records if r.state != LIVE and r.error_code]
        waiting = [r for r in records if r.state != LIVE and not r.error_code]
        if problems:
            r = problems[0]
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            banner.show_error(r.error_code, f"Amazon did not take {publish_title(r)}{more}: it still serves the "
                              "previous images. Open Publish to Amazon to see why.")
        elif live:
            names = "; ".join(publish_title(r) for r in live[:3]) + (" …" if len(live) > 3 else "")
            text = f"Amazon now serves the new images: {names}."
            if waiting:
                text += f" {len(waiting)} not live yet; still watching."
            banner.show_info(text, timeout_ms=12000)
        elif first and waiting:
            banner.show_info(f"{len(waiting)} publish{'es' if len(waiting) != 1 else ''} not live yet on Amazon; "
                             "watching in the background.")
