"""The publish window's requests: load the job, fetch, validate, publish, watch until live, undo, the listing's
submissions. :class:`PublishFlow` changes the window's :class:`~.publish_state.PublishState` and has
:class:`~.publish_render.PublishRender` draw it; it never touches a widget itself. Every request is a task of the
window (:class:`~.publish_tasks.WindowTasks`); the Qt-free :class:`~desktop_app.core.publish.service.PublishService`
(``rt.publish``) does the SP-API work, and the journal is read through the store worker. The first use reads the
SP-API settings (maybe the keyring) in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from desktop_app.core.publish import images as publish_images
from desktop_app.core.publish.words import publish_name
from desktop_app.core.validation import InputError
from desktop_app.store.journal import ImageRecord
from desktop_app.store.publishes import PublishStore
from desktop_app.ui.publish.confirm import confirm_publish
from desktop_app.ui.publish.guard import publish_or_ask
from desktop_app.ui.publish.local import add_local_photo
from desktop_app.ui.publish.markets import publish_also
from desktop_app.ui.publish.render import PublishRender
from desktop_app.ui.publish.slots import REMOVE, image_key, issue_html
from desktop_app.ui.publish.state import PublishState
from desktop_app.ui.publish.tasks import WindowTasks

log = logging.getLogger(__name__)

WATCH_TIMEOUT = 120.0
NEEDS_PUBLIC_URL = ("this image needs a public URL: it has no link that stays valid for another day, and no S3 "
                    "bucket is set up to host it (Settings ▸ Image hosting)")


def _job_and_images(journal, job_id: str):
    return (journal.job(job_id), journal.images(job_id)) if job_id else (None, [])


class PublishFlow:
    """``window``: the dialog (the parent of its questions); ``main``: the main window, whose watchers take over
    a publish once this window stops watching it (None in a window of its own)."""

    def __init__(self, service, state: PublishState, render: PublishRender, tasks: WindowTasks, window: QWidget,
                 main=None) -> None:
        self.service, self.state, self.render, self.tasks = service, state, render, tasks
        self.window, self.main = window, main
        self.hosting_flagged: set[str] = set()  # slots whose status says NEEDS_PUBLIC_URL

    def _spawn(self, coro, name: str):
        """A request that makes the window busy until it ends; its failure is shown in the window."""
        self.tasks.running.add(name)
        self.render.update_buttons()
        task = self.tasks.run(self._guard(coro, name), f"publish:{name}")
        if task is None:
            self.tasks.running.discard(name)
        return task

    async def _guard(self, coro, name: str) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — every failure is shown inline in the window
            log.info("publish window: %s failed: %s", name, exc)
            self.render.show_error(exc)
        finally:
            self.tasks.running.discard(name)
            if isValid(self.window):  # the window may have been closed meanwhile
                self.render.update_buttons()

    async def publisher(self):
        """``rt.publish``; its settings (environment, maybe the keyring) are read in a worker thread first."""
        rt = self.service.rt  # follows a Live/Sandbox switch
        sp = await asyncio.to_thread(lambda: rt.spapi_settings)
        self.render.show_target(sp)
        publish = await asyncio.to_thread(lambda: rt.publish)  # may build the S3 client: not on the GUI thread
        self.state.hosting = publish.host is not None
        self.state.seller_id = publish.seller_id
        return publish

    # --- the job's approved images ----------------------------------------------------------------

    def set_job(self, job_id: str, *, its_country: bool = False) -> None:
        """Show the approved images of ``job_id`` (read through the store worker); ``its_country``: choose the
        job's marketplace as well."""
        self.state.job_id = job_id or ""  # the window is this job's from now on; its images follow
        self.tasks.run(self._load_job(job_id or "", its_country), "publish-job")

    async def _load_job(self, job_id: str, its_country: bool) -> None:
        job, images = await self.service.store.call(_job_and_images, job_id)
        self.state.set_job(job_id, job, images)
        if its_country and job is not None and self.state.view is None:
            self.render.set_country(job.country)
        self.render.show_job()
        self.flag_hosting(list(self.state.assigned))

    def assign(self, slot: str, key: str) -> None:
        state = self.state
        if key.lower().startswith("file:///"):  # a photo file: it joins the job's images first
            self.tasks.run(add_local_photo(self, slot, QUrl(key).toLocalFile()), f"publish-add-photo:{slot}")
            return
        found = next((r for r in state.records if image_key(r) == key), None) if key else None
        if key.lower().startswith(("https://", "http://")):
            found = key  # a dropped public image URL
        state.removed.discard(slot)
        if key == REMOVE and slot != "MAIN":
            state.assigned.pop(slot, None)
            state.removed.add(slot)
        elif found is None:
            state.assigned.pop(slot, None)
        else:
            state.assigned[slot] = found
        state.served.pop(slot, None)
        self.render.show_assigned(slot)
        self.flag_hosting((slot,))
        self.render.update_buttons()

    def flag_hosting(self, slots) -> None:
        """Say on each slot whose image needs hosting that it does (when assigned, or once the listing is fetched
        and whether a bucket is set is known); take the flag back when that is no longer so."""
        self.tasks.run(self._flag_hosting(list(slots)), f"publish-hosting:{','.join(slots)}")

    async def _flag_hosting(self, slots: list[str]) -> None:
        for slot in slots:
            record = self.state.assigned.get(slot)
            problem = await self._hosting_problem(slot, record) if isinstance(record, ImageRecord) else None
            if record is not self.state.assigned.get(slot):
                continue  # assigned again meanwhile: that assignment says its own
            if problem:
                self.render.slot_status(slot, issue_html("ERROR", "NEEDS_PUBLIC_URL", problem))
                self.hosting_flagged.add(slot)
            elif slot in self.hosting_flagged:
                self.render.slot_status(slot, "")
                self.hosting_flagged.discard(slot)

    async def _hosting_problem(self, slot: str, record: ImageRecord) -> str | None:
        """Said when the image is assigned, not when Amazon fails: without a bucket, an image that has no public
        URL valid for another day (a dropped file, an expiring service link) cannot be published."""
        if self.state.hosting is not False:
            return None
        try:
            value = await self.service.store.call(publish_images.job_assignments, record.job_id,
                                                  {slot: record.index})
        except InputError as exc:
            return exc.message
        return NEEDS_PUBLIC_URL if not isinstance(value.get(slot), str) else None

    # --- fetch -----------------------------------------------------------------------------------

    def fetch(self, sku: str, country: str) -> None:
        if not sku or self.tasks.busy():
            return
        self.render.show_message("")
        self.render.set_others("", "")
        self._spawn(self._fetch(sku, country), "fetch")

    async def _fetch(self, sku: str, country: str, *, quiet: bool = False) -> None:
        publish = await self.publisher()
        view = await publish.fetch_listing(sku, country)
        if self.state.set_view(view):
            self.render.set_region(view.country)  # the other marketplaces of its region
        self.render.show_listing(quiet=quiet)
        self.hosting_flagged.clear()  # the status lines were just rewritten
        self.flag_hosting(list(self.state.assigned))
        await self.refresh_history()

    # --- validate and publish ----------------------------------------------------------------------

    def submit(self, *, validate_only: bool, also: list[str]) -> None:
        """Validate, or publish after the seller's yes; then the same to the marketplaces in ``also``."""
        if not self.state.ready() or self.tasks.busy():
            return
        self.render.show_message("")
        self.render.set_others("", "")
        self.render.status("Validating…" if validate_only else "Waiting for your answer…")
        self._spawn(self._submit(validate_only, also), "submit")

    async def _submit(self, validate_only: bool, also: list[str]) -> None:
        state, store = self.state, self.service.store
        view = state.view
        if not validate_only:
            slots = [s for s in state.assigned]
            if not await confirm_publish(self.window, view, slots, sorted(state.removed), also):
                self.render.status("Cancelled — nothing was sent.")
                return
            self.render.status("Validating, then publishing…")
        picks = state.picks()
        picked = await store.call(publish_images.job_assignments, state.job_id, picks) if picks else {}
        values = state.values(picked)
        publish = await self.publisher()
        if not state.hosting:
            for slot in [s for s, v in values.items() if v is not None and not isinstance(v, str)]:
                self.render.slot_status(slot, issue_html("ERROR", "NEEDS_PUBLIC_URL", NEEDS_PUBLIC_URL))
        last = await store.call(lambda journal: PublishStore(journal).last_id())
        try:
            outcome = await publish_or_ask(self.window, self.render, publish, view, values, job_id=state.job_id,
                                           validate_only=validate_only)
        except Exception:
            lost = await store.call(lambda journal: PublishStore(journal).lost_since(last))
            if lost:  # the real request went out and its answer was lost: Amazon may have applied it
                self.render.status(
                    f"<b>unknown</b> — the answer to {publish_name(lost[-1])} was lost: Amazon may have applied it. "
                    "Listing Studio keeps re-reading the listing and says when the new images are live.")
                await self.refresh_history()
                self._hand_over()
            else:
                self.render.status("Nothing was sent.")
            raise
        if outcome is None:
            self.render.status("Cancelled — nothing was sent.")
            return
        self.render.show_outcome(outcome)
        if outcome.status == "ACCEPTED" and outcome.record_id is not None:
            state.last_record_id = outcome.record_id
            self.tasks.run(self._watch(outcome.record_id), f"publish:watch:{outcome.record_id}")
        if outcome.ok:  # the other marketplaces chosen, each on its own
            others = await publish_also(publish, view, values, also, job_id=state.job_id,
                                        validate_only=validate_only,
                                        progress=lambda line: self.render.set_others(view.country, line))
            self.render.set_others(view.country, others)
        await self.refresh_history()

    def _hand_over(self) -> None:
        """The main window keeps watching unsettled publishes in the background, and says when they go live."""
        watcher = getattr(self.main, "publish_watch", None)
        if watcher is not None:
            watcher.start()

    async def _watch(self, record_id: int) -> None:
        publish = await self.publisher()
        try:
            record = await publish.watch_live(record_id, timeout=WATCH_TIMEOUT, wait_first=True)
        except Exception as exc:  # noqa: BLE001 — the submission stands; say why watching stopped
            self.render.show_error(exc, "Could not check whether the images are live: ")
            return
        self.render.show_settled(record)
        await self.refresh_history()
        if record.state not in ("live", "other_shown") and not record.error_code:
            self._hand_over()
        health = getattr(self.main, "publish_health", None)
        if health is not None:
            health.start()  # from now on, this listing is watched for suppression while the app runs
        view = self.state.view
        if view is not None and (view.sku, view.marketplace_id) == (record.sku, record.marketplace_id):
            try:  # show what Amazon serves now, and the listing's issues per slot
                await self._fetch(view.sku, view.country, quiet=True)
            except Exception as exc:  # noqa: BLE001
                self.render.show_error(exc, "Could not re-read the listing: ")
        await self.refresh_history()

    # --- undo and history ------------------------------------------------------------------------------

    def undo(self, target) -> None:
        """Put back what ``target`` (a publish of the listing) replaced."""
        if target is None or self.tasks.busy():
            return
        self.render.show_message("")
        self.render.set_others("", "")
        self.render.status(f"Undoing {self.state.name(target)}…")
        self._spawn(self._undo(target), "undo")

    async def _undo(self, target) -> None:
        publish = await self.publisher()
        outcome = await publish.undo(target.id)
        self.render.show_outcome(outcome, f"Undo of {self.state.name(target)}: ")
        if outcome.status == "ACCEPTED":
            state = self.state
            if state.last_record_id == target.id:
                state.last_record_id = None
            for slot in {s for s, (b, a) in outcome.slots.items() if b != a}:
                state.served.pop(slot, None)
            self.tasks.run(self._watch(outcome.record_id), f"publish:watch:{outcome.record_id}")
        await self.refresh_history()

    async def refresh_history(self) -> None:
        """The listing's submissions (through the store worker), newest first."""
        state = self.state
        view, seller = state.view, state.seller_id
        if view is None or seller is None:
            state.history = []
        else:
            state.history = (await self.service.store.call(
                lambda journal: PublishStore(journal).for_listing(seller, view.sku, view.marketplace_id)))[:20]
        if isValid(self.window):
            self.render.show_history()
        if state.job_id:  # the main window's gallery says where the job's images are published
            self.service.job_changed.emit(state.job_id)
