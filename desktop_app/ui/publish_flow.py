"""The publish window's state and its requests: fetch, assign, validate, publish, watch until live, undo.

A mixin of :class:`~.publish_dialog.PublishDialog` (which owns the widgets). Every request is a task of the
service's TaskRegistry; the Qt-free :class:`~desktop_app.core.publish.PublishService` (``rt.publish``) does the
SP-API work. The first use reads the SP-API settings (maybe the keyring) in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QListWidgetItem
from shiboken6 import isValid

from ..api.spapi_models import SLOTS
from ..core import publish_images
from ..core.publish import changed_slots
from ..store.journal import ImageRecord
from ..core.validation import InputError
from . import theme
from .gallery_model import decode_image
from .publish_guard import publish_or_ask
from .compliance_badge import Verdict
from ..core.compliance import Finding
from .publish_local import add_local_photo
from .publish_markets import publish_also
from .publish_slots import KEEP, REMOVE, THUMB, _decode_bytes, _esc, fetch_image_bytes, image_key, issue_html

log = logging.getLogger(__name__)

WATCH_TIMEOUT = 120.0
NEEDS_PUBLIC_URL = ("this image needs a public URL: it has no link that stays valid for another day, and no S3 "
                    "bucket is set up to host it (Settings ▸ Image hosting)")
UNDOABLE = ("accepted", "live", "other_shown")


class PublishFlow:
    def init_flow(self) -> None:
        self.view = None                         # the fetched ListingView
        self.job_id = ""
        self.records: list[ImageRecord] = []     # approved, cached images of the job (export order)
        self.assigned: dict[str, ImageRecord | str] = {}  # slot → approved image, or a dropped public URL
        self.removed: set[str] = set()           # slots whose image on Amazon is to be deleted (never MAIN)
        self.last_record_id: int | None = None   # the last accepted publish of this window
        self.live_slots: set[str] = set()
        self._thumbs: dict[str, QPixmap] = {}    # image key or URL → thumbnail
        self.hosting: bool | None = None         # an S3 bucket hosts local images (None: not known yet)
        self._hosting_flagged: set[str] = set()  # slots whose status says NEEDS_PUBLIC_URL
        self._running: set[str] = set()          # fetch / submit / undo in progress
        self._tasks: set[asyncio.Task] = set()   # this window's tasks: cancelled when it closes

    def _bg(self, coro, key: str):
        """Spawn ``coro`` through the TaskRegistry as one of this window's tasks."""
        task = self.service.tasks.spawn(coro, key=f"{key}:{id(self)}")
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return task

    def cancel_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    @property
    def rt(self):
        return self.service.rt  # follows a Live/Sandbox switch

    def busy(self) -> bool:
        return bool(self._running)

    def _spawn(self, coro, name: str):
        self._running.add(name)
        self.update_buttons()
        task = self._bg(self._guard(coro, name), f"publish:{name}")
        if task is None:
            self._running.discard(name)
        return task

    async def _guard(self, coro, name: str) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 — every failure is shown inline in the window
            log.info("publish window: %s failed: %s", name, exc)
            self.show_error(exc)
        finally:
            self._running.discard(name)
            if isValid(self):  # the window may have been closed meanwhile
                self.update_buttons()

    async def publisher(self):
        """``rt.publish``; its settings (environment, maybe the keyring) are read in a worker thread first."""
        rt = self.rt
        sp = await asyncio.to_thread(lambda: rt.spapi_settings)
        getattr(self, "show_target", lambda _sp: None)(sp)
        publish = await asyncio.to_thread(lambda: rt.publish)  # may build the S3 client: not on the GUI thread
        self.hosting = getattr(publish, "host", None) is not None
        return publish

    # --- the job's approved images ----------------------------------------------------------------

    def set_job(self, job_id: str) -> None:
        self.job_id = job_id or ""
        images = self.service.journal.images(self.job_id) if self.job_id else []
        self.records = [r for r in images if r.review == "approved" and r.cached]
        self.strip.set_images(self.records)
        record = self.service.journal.job(self.job_id) if self.job_id else None
        if record is None:
            self.strip_title.setText("Select a job in the main window to publish its approved images.")
        elif not self.records:
            self.strip_title.setText(f"Job {record.asin}: no approved image yet — approve images (A) in the gallery.")
        else:
            self.strip_title.setText(f"Approved images of job {record.asin} ({len(self.records)}) — drag one onto a "
                                     "slot, or choose it in the slot's menu.")
        self.assigned = {("MAIN" if r.index == 0 else f"PT{r.index:02d}"): r for r in self.records if r.index <= 8}
        self.removed.clear()
        for slot, row in self.rows.items():
            row.set_choices(self.records, image_key(self.assigned[slot]) if slot in self.assigned else KEEP)
            self._show_assigned(slot)
        for record in self.records:
            self._bg(self._thumb_file(record), f"publish-thumb:{image_key(record)}")
        self.update_buttons()

    async def _thumb_file(self, record: ImageRecord) -> None:
        key = image_key(record)
        if key not in self._thumbs:
            image = await asyncio.to_thread(decode_image, record.cache_path, THUMB)
            self._thumbs[key] = QPixmap.fromImage(image)
        self.strip.set_thumbnail(key, self._thumbs[key])
        for slot, assigned in self.assigned.items():
            if not isinstance(assigned, str) and image_key(assigned) == key:
                self._show_assigned(slot)

    def assign(self, slot: str, key: str) -> None:
        if key.lower().startswith("file:///"):  # a photo file: it joins the job's images first
            self._bg(add_local_photo(self, slot, QUrl(key).toLocalFile()), f"publish-add-photo:{slot}")
            return
        found = next((r for r in self.records if image_key(r) == key), None) if key else None
        if key.lower().startswith(("https://", "http://")):
            found = key  # a dropped public image URL
        self.removed.discard(slot)
        if key == REMOVE and slot != "MAIN":
            self.assigned.pop(slot, None)
            self.removed.add(slot)
        elif found is None:
            self.assigned.pop(slot, None)
        else:
            self.assigned[slot] = found
        self.live_slots.discard(slot)
        self._show_assigned(slot)
        self._flag_hosting((slot,))
        self.update_buttons()

    def _show_assigned(self, slot: str) -> None:
        record = self.assigned.get(slot)
        row = self.rows[slot]
        if slot in self.removed:
            row.set_removed()
            return
        if record is None or isinstance(record, str):
            row.set_assigned(record, None)
            return
        row.set_assigned(record, self._thumbs.get(image_key(record)))
        verdict = self.checker.verdict(record.cache_path, "amazon", slot)
        if verdict is None:
            row.badge.set_checking()
        else:
            row.badge.set_verdict(verdict)

    def _flag_hosting(self, slots) -> None:
        """Say on each slot whose image needs hosting that it does (when assigned, or once the listing is fetched and
        whether a bucket is set is known); take the flag back when that is no longer so. Other status lines stay."""
        for slot in slots:
            record = self.assigned.get(slot)
            problem = self._hosting_problem(slot, record) if isinstance(record, ImageRecord) else None
            if problem:
                self.rows[slot].set_status(issue_html("ERROR", "NEEDS_PUBLIC_URL", problem))
                self._hosting_flagged.add(slot)
            elif slot in self._hosting_flagged:
                self.rows[slot].set_status("")
                self._hosting_flagged.discard(slot)

    def _hosting_problem(self, slot: str, record: ImageRecord) -> str | None:
        """Said when the image is assigned, not when Amazon fails: without a bucket, an image that has no public
        URL valid for another day (a dropped file, an expiring service link) cannot be published."""
        if self.hosting is not False:
            return None
        try:
            value = publish_images.job_assignments(self.service.journal, record.job_id, {slot: record.index})
        except InputError as exc:
            return exc.message
        return NEEDS_PUBLIC_URL if isinstance(value.get(slot), Path) else None

    def _verdict_ready(self, _key: str) -> None:
        for slot in self.assigned:
            self._show_assigned(slot)

    # --- fetch -----------------------------------------------------------------------------------

    def fetch(self) -> None:
        sku, country = self.sku_edit.text().strip(), self.country()
        if not sku or self.busy():
            return
        self.show_message("")
        self._spawn(self._fetch(sku, country), "fetch")

    async def _fetch(self, sku: str, country: str, *, quiet: bool = False) -> None:
        publish = await self.publisher()
        view = await publish.fetch_listing(sku, country)
        if self.view is None or (self.view.sku, self.view.marketplace_id) != (view.sku, view.marketplace_id):
            self.last_record_id = None
            self.live_slots.clear()
            self.also_markets.set_region(view.country)  # the other marketplaces of its region
        self.view = view
        self.set_info(view)
        by_slot: dict[str, list] = {}
        for issue in view.issues:
            for slot in issue.slots or ("",):
                by_slot.setdefault(slot, []).append(issue)
        for slot, row in self.rows.items():
            url = view.slots.get(slot)
            row.set_current(url, self._thumbs.get(url) if url else None)
            lines = [issue_html(i.severity, i.code, i.message, ", ".join(i.attribute_names))
                     for i in by_slot.get(slot, [])]
            if slot in self.live_slots:
                lines.insert(0, "<b>live</b> — Amazon serves the new image")
            row.set_status("<br>".join(lines))
            if url and url not in self._thumbs:
                self._bg(self._thumb_url(url), f"publish-thumb:{url}")
        general = by_slot.get("", [])
        if general and not quiet:
            self.show_message("Listing issues: " + "; ".join(f"{i.severity} {i.code}: {i.message}"
                                                            for i in general), "notice")
        self._hosting_flagged.clear()  # the status lines were just rewritten
        self._flag_hosting(list(self.assigned))
        self.refresh_history()

    async def _thumb_url(self, url: str) -> None:
        """A current Amazon image, fetched off the GUI thread; a failure shows a placeholder text."""
        try:
            own = next((r for r in self.records if r.url == url), None)  # a job image: its cached copy
            if own is not None:
                image = await asyncio.to_thread(decode_image, own.cache_path, THUMB)
            else:
                data = await fetch_image_bytes(self.rt, url)
                image = await asyncio.to_thread(_decode_bytes, data, THUMB)
        except Exception as exc:  # noqa: BLE001 — a thumbnail is never worth an error message
            log.info("thumbnail %s: %s", url, exc)
            image = QImage()
        pixmap = QPixmap.fromImage(image) if not image.isNull() else None
        if pixmap is not None:
            self._thumbs[url] = pixmap
        for slot, row in self.rows.items():
            if self.view is not None and self.view.slots.get(slot) == url:
                row.set_current(url, pixmap, "" if pixmap else "no preview")

    # --- validate and publish ----------------------------------------------------------------------

    def _values(self, publish) -> dict[str, str | Path | None]:
        picks = {slot: r.index for slot, r in self.assigned.items() if not isinstance(r, str)}
        values: dict[str, str | Path | None] = dict(publish.job_assignments(self.job_id, picks)) if picks else {}
        values.update({slot: url for slot, url in self.assigned.items() if isinstance(url, str)})
        values.update({slot: None for slot in self.removed})  # deleted on Amazon (patch delete)
        return {slot: values[slot] for slot in SLOTS if slot in values}

    def submit(self, *, validate_only: bool) -> None:
        if self.view is None or not (self.assigned or self.removed) or self.busy():
            return
        self.show_message("")
        self.status_label.setText("Validating…" if validate_only else "Validating, then publishing…")
        self._spawn(self._submit(validate_only), "submit")

    async def _submit(self, validate_only: bool) -> None:
        publish = await self.publisher()
        view = self.view
        values = self._values(publish)
        if not self.hosting:
            for slot in [s for s, v in values.items() if isinstance(v, Path)]:
                self.rows[slot].set_status(issue_html("ERROR", "NEEDS_PUBLIC_URL", NEEDS_PUBLIC_URL))
        last = publish.store.last_id()
        try:
            outcome = await publish_or_ask(self, publish, view, values, validate_only=validate_only)
        except Exception:
            lost = publish.store.lost_since(last)
            if lost:  # the real request went out and its answer was lost: Amazon may have applied it
                self.status_label.setText(
                    f"<b>unknown</b> — the answer to publish #{lost[-1].id} was lost: Amazon may have applied it. "
                    "Listing Studio keeps re-reading the listing and says when the new images are live.")
                self.refresh_history()
                self._hand_over()
            else:
                self.status_label.setText("Nothing was sent.")
            raise
        if outcome is None:
            self.status_label.setText("Cancelled — nothing was sent.")
            return
        self.show_outcome(outcome)
        if outcome.status == "ACCEPTED" and outcome.record_id is not None:
            self.last_record_id = outcome.record_id
            self._bg(self._watch(outcome.record_id), f"publish:watch:{outcome.record_id}")
        if outcome.ok:  # the other marketplaces chosen, each on its own
            others = await publish_also(self, publish, view, values, validate_only=validate_only)
            if others:
                self.status_label.setText(f"{view.country}: {self.status_label.text()}<br>{others}")
        self.refresh_history()

    def show_outcome(self, outcome, what: str = "") -> None:
        status = outcome.status or "—"
        if status == "ACCEPTED":
            head = f"<b>submitted</b> (ACCEPTED) · submission id <code>{_esc(outcome.submission_id or '—')}</code>" \
                   " — waiting until Amazon serves the new images…"
        elif status == "VALID":
            head = "<b>VALID</b> — Amazon would accept this change; nothing was sent. Publish to send it."
        else:
            head = f"<b>{_esc(status)}</b> — nothing was sent; fix the issues below and validate again."
        self.status_label.setText(f"{_esc(what)}{head}")
        by_slot: dict[str, list] = {}
        for issue in outcome.issues:
            for slot in issue.slots or ("",):
                by_slot.setdefault(slot, []).append(issue)
        changed = {s for s, (before, after) in outcome.slots.items() if before != after}
        warned = self._by_slot(outcome.warnings)
        for slot, row in self.rows.items():
            lines = [issue_html(i.severity, i.code, i.message, ", ".join(i.attribute_names))
                     for i in by_slot.get(slot, [])]
            lines += [f"<span style='color:{theme.colors()['muted']}'>{_esc(w)}</span>" for w in warned.get(slot, [])]
            if len(lines) == len(warned.get(slot, [])) and slot in changed:
                lines.insert(0, "submitted — not live yet" if status == "ACCEPTED" else
                             "valid" if status == "VALID" else "not sent")
            row.set_status("<br>".join(lines))
        notes = [f"{i.severity} {i.code}: {i.message}" for i in by_slot.get("", [])] + warned.get("", [])
        if notes:
            self.show_message("<br>".join(_esc(n) for n in notes), "error" if status == "INVALID" else "notice")

    def _by_slot(self, warnings: list[str]) -> dict[str, list[str]]:
        """Compliance warnings ("SLOT: level: message") by slot row; "" for those of no row."""
        warned: dict[str, list[str]] = {}
        for text in warnings:
            slot, _, rest = text.partition(": ")
            warned.setdefault(slot if slot in self.rows else "", []).append(rest if slot in self.rows else text)
        return warned

    def show_findings(self, warnings: list[str]) -> None:
        """Every image's compliance warnings in its slot row, as soon as they are known (before the preview is
        sent); publishing goes on."""
        warned = self._by_slot(warnings)
        muted = theme.colors()["muted"]
        for slot, lines in warned.items():
            if slot in self.rows:
                self.rows[slot].set_status("<br>".join(f"<span style='color:{muted}'>{_esc(w)}</span>" for w in lines),
                                           "\n".join(lines))
        for slot in [s for s, v in self.assigned.items() if isinstance(v, str) and s in self.rows]:
            found = [Finding("publish", *line.split(": ", 1), "") for line in warned.get(slot, []) if ": " in line]
            level = "fail" if any(f.level == "fail" for f in found) else "warning" if found else "pass"
            self.rows[slot].badge.set_verdict(Verdict(level, tuple(found)))  # the URL's image as fetched

    def _hand_over(self) -> None:
        """The main window keeps watching unsettled publishes in the background, and says when they go live."""
        watcher = getattr(self.parent(), "publish_watch", None)
        if watcher is not None:
            watcher.start()

    async def _watch(self, record_id: int) -> None:
        publish = await self.publisher()
        try:
            record = await publish.watch_live(record_id, timeout=WATCH_TIMEOUT, wait_first=True)
        except Exception as exc:  # noqa: BLE001 — the submission stands; say why watching stopped
            self.show_error(exc, "Could not check whether the images are live: ")
            return
        changed = changed_slots(record)
        if record.state == "live":
            self.live_slots |= changed
            self.status_label.setText(f"<b>live</b> — Amazon serves the new images (submission "
                                      f"<code>{_esc(record.submission_id or '—')}</code>).")
        elif record.state == "other_shown":
            self.live_slots |= changed - {"MAIN"}
            self.status_label.setText("<b>processed</b>, but shoppers see <b>another contributor's main image</b>: "
                                      "Amazon picked another seller's contribution, which no API can change. The "
                                      "listing holds yours; Undo puts the previous images back.")
        elif record.error_code:
            self.status_label.setText(f"<b>submitted</b>, but Amazon reports <b>{_esc(record.error_code)}</b>: it "
                                      "still serves the previous images.")
        else:
            self._hand_over()
            self.status_label.setText("<b>submitted</b> — Amazon does not serve the new images yet (that can take "
                                      "hours); Listing Studio keeps checking while it runs and says so when they "
                                      "are live.")
        health = getattr(self.parent(), "publish_health", None)
        if health is not None:
            health.start()  # from now on, this listing is watched for suppression while the app runs
        if self.view is not None and (self.view.sku, self.view.marketplace_id) == (record.sku, record.marketplace_id):
            try:  # show what Amazon serves now, and the listing's issues per slot
                await self._fetch(self.view.sku, self.view.country, quiet=True)
            except Exception as exc:  # noqa: BLE001
                self.show_error(exc, "Could not re-read the listing: ")
        self.refresh_history()

    # --- undo and history ------------------------------------------------------------------------------

    def undo_target(self) -> int | None:
        item = self.history.currentItem()
        if item is not None and item.data(Qt.ItemDataRole.UserRole + 1) in UNDOABLE:
            return item.data(Qt.ItemDataRole.UserRole)
        return self.last_record_id

    def undo(self) -> None:
        target = self.undo_target()
        if target is None or self.busy():
            return
        self.show_message("")
        self.status_label.setText(f"Undoing publish #{target}…")
        self._spawn(self._undo(target), "undo")

    async def _undo(self, record_id: int) -> None:
        publish = await self.publisher()
        outcome = await publish.undo(record_id)
        self.show_outcome(outcome, f"Undo of #{record_id}: ")
        if outcome.status == "ACCEPTED":
            if self.last_record_id == record_id:
                self.last_record_id = None
            self.live_slots -= {s for s, (b, a) in outcome.slots.items() if b != a}
            self._bg(self._watch(outcome.record_id), f"publish:watch:{outcome.record_id}")
        self.refresh_history()

    def refresh_history(self) -> None:
        view, publish = self.view, self.rt._publish
        self.history.clear()
        if view is None or publish is None:
            return
        for rec in publish.store.for_listing(publish.seller_id, view.sku, view.marketplace_id)[:20]:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(rec.created_at))
            changed = ", ".join(s for s in SLOTS if s in changed_slots(rec)) or "—"
            kind = f"undo of #{rec.undo_of}" if rec.undo_of else rec.operation
            text = f"#{rec.id} · {when} · {kind} · {changed} · {rec.state}"
            if rec.submission_id:
                text += f" · {rec.submission_id}"
            if rec.error_code:
                text += f" · {rec.error_code}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, rec.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, rec.state)
            self.history.addItem(item)
        self.update_buttons()
        if self.job_id:  # the main window's gallery says where the job's images are published
            self.service.job_changed.emit(self.job_id)
