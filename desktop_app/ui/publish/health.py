"""Watching every listing published from this app for suppression while the app runs.

Amazon may suppress a listing hours after a publish went live, and sellers often notice late
(image-rules-and-after-publish.md). :class:`PublishHealthWatch` looks at each published listing
(:func:`desktop_app.core.publish.watch.check_all`) every ``interval`` seconds; when one becomes suppressed or its
publish rejected, it says so once, naming the listing and the publish by date and slots: a desktop notification and
a banner with a one-click Undo of that publish. No
task and no request while nothing was published from this app.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

from desktop_app.core.publish.watch import check_all
from desktop_app.core.publish.words import listing_name, publish_title, undo_button
from desktop_app.store.publishes import PublishRecord, PublishStore
from desktop_app.ui.main.banner import BannerAction

log = logging.getLogger(__name__)

INTERVAL = 900.0  # seconds between looks


class PublishHealthWatch:
    def __init__(self, service, banner, interval: float = INTERVAL,
                 notify: Callable[[str, str], None] | None = None) -> None:
        self.service, self.banner = service, banner
        self.interval = interval
        self.notify = notify
        self.task: asyncio.Task | None = None
        self.rounds = 0
        self._said: set[tuple[int, str]] = set()  # (publish, outcome) already said
        self.undo_task: asyncio.Task | None = None

    def start(self) -> asyncio.Task | None:
        if self.task is not None and not self.task.done():
            return self.task
        self.task = self.service.tasks.spawn(self._run(), name="publish-health")
        return self.task

    async def _run(self) -> None:
        """Ends at once when nothing was ever published from this app (no request at all)."""
        if not await self.service.store.call(lambda journal: PublishStore(journal).standing(None)):
            return
        while True:
            rt = self.service.rt
            try:
                publish = await asyncio.to_thread(lambda: rt.publish)  # settings, keyring, S3 client: off the GUI
                found = await check_all(publish)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — a missed look is tried again next round
                log.info("Could not look at the published listings: %s", exc)
                found = []
            self.rounds += 1
            for health in found:
                if health.bad and (health.record.id, health.outcome) not in self._said:
                    self._said.add((health.record.id, health.outcome))
                    self._say(health)
            await asyncio.sleep(self.interval)

    def _say(self, health) -> None:
        rec = health.record
        title = f"{listing_name(rec)} is {health.outcome} on Amazon"
        body = f"{health.words()}. Undo it in Listing Studio to put the previous images back."
        if self.notify is not None:
            try:
                self.notify(title, body)
            except Exception as exc:  # noqa: BLE001 — the banner says it anyway
                log.info("Desktop notification failed: %s", exc)
        action = BannerAction(undo_button(rec), "undoSuppressedPublish", lambda: self.undo(rec, health.outcome))
        self.banner.show_error(_code(health.outcome), health.words(), action)

    def undo(self, rec: PublishRecord, outcome: str = "suppressed") -> asyncio.Task | None:
        self.undo_task = self.service.tasks.spawn(self._undo(rec, outcome), name=f"publish-undo:{rec.id}")
        return self.undo_task

    async def _undo(self, rec: PublishRecord, outcome_said: str) -> None:
        publish = await asyncio.to_thread(lambda: self.service.rt.publish)
        name = publish_title(rec)
        try:
            outcome = await publish.undo(rec.id)
        except Exception as exc:  # noqa: BLE001 — said in the banner, never a modal
            why = getattr(exc, "words", None) or getattr(exc, "message", None) or str(exc)
            self.banner.show_error(getattr(exc, "code", None) or type(exc).__name__, f"Could not undo {name}: {why}")
            return
        if outcome.status == "ACCEPTED":
            self.banner.clear_error(_code(outcome_said))  # its cause is being put right
            self.banner.show_info(f"The undo of {name} was sent to Amazon; the previous images come back once "
                                  "Amazon has processed it.", timeout_ms=12000)
        else:
            issues = "; ".join(i.message for i in outcome.issues)
            self.banner.show_error(outcome.issues[0].code if outcome.issues else "UNDO_REFUSED",
                                   f"Amazon refused to undo {name}" + (f": {issues}" if issues else ""))


def _code(outcome: str) -> str:
    return "LISTING_SUPPRESSED" if outcome == "suppressed" else "PUBLISH_REJECTED"
