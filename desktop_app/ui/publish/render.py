"""How the publish window draws its :class:`~.publish_state.PublishState`: the job's images in the strip and the
slot rows, the fetched listing, an outcome's issues per slot, what Amazon serves once a submission is live, the
listing's submissions and the Undo button named by date and slots, the messages (the seller's line first, the code
as the detail) and which buttons can be used. :class:`PublishRender` is the only writer of the dialog's widgets;
thumbnails are decoded and fetched off the GUI thread."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QListWidgetItem

from desktop_app.api.amazon.marketplaces import NO_MARKETPLACE
from desktop_app.api.pixii.vocab import country_name
from desktop_app.core.compliance.checker import Finding
from desktop_app.core.publish.words import changed_slots
from desktop_app.store.journal import ImageRecord
from desktop_app.ui.common import theme
from desktop_app.ui.gallery.compliance_badge import Verdict
from desktop_app.ui.gallery.model import decode_image
from desktop_app.ui.publish.slots import (
    KEEP, REMOVE, THUMB, decode_bytes, esc, fetch_image_bytes, image_key, issue_html,
)
from desktop_app.ui.publish.state import PublishState, history_details, history_text
from desktop_app.ui.publish.tasks import WindowTasks

log = logging.getLogger(__name__)


class PublishRender:
    """Draws ``state`` into the widgets of ``window`` (:class:`~.publish_dialog.PublishDialog`)."""

    def __init__(self, window, state: PublishState, tasks: WindowTasks, service, checker) -> None:
        self.w, self.state, self.tasks, self.service, self.checker = window, state, tasks, service, checker
        self.thumbs: dict[str, QPixmap] = {}    # image key or URL → thumbnail
        self.message_kind = "error"
        self.status_html = ""
        self.others: tuple[str, str] = ("", "")  # (country, result lines) of a publish to other marketplaces too

    # --- the window's lines and buttons ----------------------------------------------------------

    def country(self) -> str:
        return self.w.market_combo.currentData() or ""

    def set_country(self, country: str) -> None:
        code = "GB" if country.upper() == "UK" else country.upper()
        found = self.w.market_combo.findData(code)
        if found >= 0 and code not in NO_MARKETPLACE:
            self.w.market_combo.setCurrentIndex(found)

    def set_region(self, country: str) -> None:
        """"Also publish to" offers the other marketplaces of ``country``'s region."""
        self.w.also_markets.set_region(country)

    def show_message(self, text: str, kind: str = "error") -> None:
        """An inline message above the slots ("error", "info" or "notice"); "" hides it."""
        self.message_kind = kind
        message = self.w.message
        if not text:
            message.hide()
            message.setText("")
            return
        message.setText(text)
        message.setAccessibleDescription(text)
        message.setStyleSheet(theme.banner_style(kind).replace("QFrame#errorBanner", "QLabel")
                              + " QLabel { padding: 6px 10px; }")
        message.show()

    def show_error(self, exc: BaseException, context: str = "") -> None:
        """A failure in the seller's words, its code as the detail."""
        code = getattr(exc, "code", None) or type(exc).__name__
        text = getattr(exc, "words", None) or getattr(exc, "message", None) or str(exc) or type(exc).__name__
        self.show_message(f"⚠ {esc(context + text)} {self.detail(code)}")

    def restyle(self) -> None:
        self.w.strip_title.setStyleSheet(theme.muted_style())
        if self.w.message.isVisible():
            self.show_message(self.w.message.text(), self.message_kind)

    def status(self, html: str) -> None:
        """The line under the slots: where the last request stands (after a publish to other marketplaces too,
        the fetched one's, then one line for each of the others)."""
        self.status_html = html
        country, lines = self.others
        self.w.status_label.setText(f"{esc(country_name(country))}: {html}<br>{lines}" if lines else html)

    @staticmethod
    def detail(code: str) -> str:
        """A code after the seller's words, quieter: ``(INVALID_IMAGE)``."""
        return f"<span style='color:{theme.colors()['muted']}'>({esc(code)})</span>"

    def set_others(self, country: str, lines: str) -> None:
        """The results of the same images sent to other marketplaces than ``country``'s ("" for none)."""
        self.others = (country, lines)
        self.status(self.status_html)

    def slot_status(self, slot: str, html: str) -> None:
        self.w.rows[slot].set_status(html)

    def set_info(self, view) -> None:
        if view is None:
            self.w.info_label.setText("Enter a SKU and fetch its listing.")
            return
        self.w.info_label.setText(f"<b>{esc(view.title or '(no title)')}</b><br>SKU {esc(view.sku)} · ASIN "
                                  f"{esc(view.asin or '—')} · product type {esc(view.product_type or '—')} · "
                                  f"Amazon {esc(country_name(view.country))}")

    def update_buttons(self, *_args) -> None:
        busy = self.tasks.busy()
        country_ok = self.country() not in NO_MARKETPLACE and bool(self.country())
        self.w.fetch_button.setEnabled(not busy and bool(self.w.sku_edit.text().strip()) and country_ok)
        state = self.state
        ready = not busy and state.ready()
        self.w.validate_button.setEnabled(ready)
        self.w.publish_button.setEnabled(ready)
        tip = "" if state.view is not None else "Fetch the listing first"
        if state.view is not None and not (state.assigned or state.removed):
            tip = "Assign at least one approved image to a slot"
        for b in (self.w.validate_button, self.w.publish_button):
            b.setToolTip(tip or b.accessibleName())
        self.show_undo(busy)

    def show_target(self, sp) -> None:
        """Which SP-API publishing uses: the sandbox, or the live seller."""
        from desktop_app.ui.publish.amazon_account import describe
        self.w.target_label.setText(f"Amazon: {describe(sp)}.")
        self.w.target_label.setStyleSheet("" if sp.sandbox else "font-weight: bold;")

    # --- the job's images --------------------------------------------------------------------------

    def show_job(self) -> None:
        state = self.state
        self.w.strip.set_images(state.records)
        if state.job is None:
            title, tip = "No job selected", "Select a job in the main window to publish its approved images."
        elif not state.records:
            title, tip = (f"No approved image of {state.job.asin} yet",
                          "Approve images (A) in the main window's gallery to publish them.")
        else:
            title, tip = (f"Approved images of {state.job.asin} ({len(state.records)}) — drag one onto a slot",
                          "Drag an image onto a slot, or choose it in the slot's menu.")
        self.w.strip_title.setText(title)
        self.w.strip_title.setToolTip(tip)
        for slot, row in self.w.rows.items():
            current = state.assigned.get(slot)
            key = REMOVE if slot in state.removed else KEEP if current is None else \
                current if isinstance(current, str) else image_key(current)
            row.set_choices(state.records, key)
            self.show_assigned(slot)
        for record in state.records:
            self.tasks.run(self._thumb_file(record), f"publish-thumb:{image_key(record)}")
        self.update_buttons()

    async def _thumb_file(self, record: ImageRecord) -> None:
        key = image_key(record)
        if key not in self.thumbs:
            image = await asyncio.to_thread(decode_image, record.cache_path, THUMB)
            self.thumbs[key] = QPixmap.fromImage(image)
        self.w.strip.set_thumbnail(key, self.thumbs[key])
        for slot, assigned in self.state.assigned.items():
            if not isinstance(assigned, str) and image_key(assigned) == key:
                self.show_assigned(slot)

    def show_assigned(self, slot: str) -> None:
        record = self.state.assigned.get(slot)
        row = self.w.rows[slot]
        if slot in self.state.removed:
            row.set_removed()
            return
        if record is None or isinstance(record, str):
            row.set_assigned(record, None)
            return
        row.set_assigned(record, self.thumbs.get(image_key(record)))
        verdict = self.checker.verdict(record.cache_path, "amazon", slot)
        if verdict is None:
            row.badge.set_checking()
        else:
            row.badge.set_verdict(verdict)

    def verdict_ready(self, _key: str) -> None:
        for slot in self.state.assigned:
            self.show_assigned(slot)

    # --- the listing and what Amazon serves --------------------------------------------------------

    def show_listing(self, *, quiet: bool = False) -> None:
        view = self.state.view
        self.set_info(view)
        by_slot = _issues_by_slot(view.issues)
        for slot, row in self.w.rows.items():
            url = view.slots.get(slot)
            row.set_current(url, self.thumbs.get(url) if url else None)
            lines = [issue_html(i.severity, i.code, i.message, ", ".join(i.attribute_names))
                     for i in by_slot.get(slot, [])]
            if slot in self.state.served:
                lines.insert(0, f"<b>{esc(self.state.served[slot])}</b>")
            row.set_status("<br>".join(lines))
            if url and url not in self.thumbs:
                self.tasks.run(self._thumb_url(url), f"publish-thumb:{url}")
        general = by_slot.get("", [])
        if general and not quiet:
            self.show_message("Listing issues: " + "; ".join(f"{esc(i.message)} {self.detail(i.code)}"
                                                            for i in general), "notice")

    async def _thumb_url(self, url: str) -> None:
        """A current Amazon image, fetched off the GUI thread; a failure shows a placeholder text."""
        try:
            own = next((r for r in self.state.records if r.url == url), None)  # a job image: its cached copy
            if own is not None:
                image = await asyncio.to_thread(decode_image, own.cache_path, THUMB)
            else:
                data = await fetch_image_bytes(self.service.rt, url)
                image = await asyncio.to_thread(decode_bytes, data, THUMB)
        except Exception as exc:  # noqa: BLE001 — a thumbnail is never worth an error message
            log.info("thumbnail %s: %s", url, exc)
            image = QImage()
        pixmap = QPixmap.fromImage(image) if not image.isNull() else None
        if pixmap is not None:
            self.thumbs[url] = pixmap
        view = self.state.view
        for slot, row in self.w.rows.items():
            if view is not None and view.slots.get(slot) == url:
                row.set_current(url, pixmap, "" if pixmap else "no preview")

    def show_settled(self, record) -> None:
        """Where a watched submission (a publish or an undo) stands once watching ends."""
        changed = changed_slots(record)
        undo = bool(record.undo_of)
        if record.state == "live":
            self.state.went_live(record, changed)
            self.status("<b>back</b> — Amazon serves the previous images again." if undo else
                        "<b>live</b> — Amazon serves the new images.")
        elif record.state == "other_shown":
            self.state.went_live(record, changed - {"MAIN"})
            self.status("<b>processed</b>, but shoppers see <b>another contributor's main image</b>: Amazon picked "
                        "another seller's contribution, which no API can change. The listing holds yours; Undo puts "
                        "the previous images back.")
        elif record.error_code:
            self.status(f"<b>not taken</b> — Amazon did not take the new images and still serves the previous ones "
                        f"{self.detail(record.error_code)}")
        else:
            self.status("<b>submitted</b> — Amazon does not serve the new images yet (that can take hours); Listing "
                        "Studio keeps checking while it runs and says so when they are live.")
        if record.submission_id:
            self.w.status_label.setToolTip(f"Amazon submission id: {record.submission_id}")

    # --- outcomes ----------------------------------------------------------------------------------

    def show_outcome(self, outcome, what: str = "") -> None:
        status = outcome.status or "—"
        if status == "ACCEPTED":
            head = "<b>submitted</b> — Amazon accepted the change; waiting until it serves the new images…"
            self.w.status_label.setToolTip(f"Amazon submission id: {outcome.submission_id or '—'}")
        elif status == "VALID":
            head = (f"<b>valid</b> — Amazon would accept this change; nothing was sent. Publish to send it "
                    f"{self.detail(status)}")
        else:
            head = ("<b>refused by Amazon's check</b> — nothing was sent; fix the issues below and validate again "
                    f"{self.detail(status)}")
        self.status(f"{esc(what)}{head}")
        by_slot = _issues_by_slot(outcome.issues)
        changed = {s for s, (before, after) in outcome.slots.items() if before != after}
        warned = self.by_slot(outcome.warnings)
        for slot, row in self.w.rows.items():
            lines = [issue_html(i.severity, i.code, i.message, ", ".join(i.attribute_names))
                     for i in by_slot.get(slot, [])]
            lines += [f"<span style='color:{theme.colors()['muted']}'>{esc(w)}</span>" for w in warned.get(slot, [])]
            if len(lines) == len(warned.get(slot, [])) and slot in changed:
                lines.insert(0, "submitted — not live yet" if status == "ACCEPTED" else
                             "valid" if status == "VALID" else "not sent")
            row.set_status("<br>".join(lines))
        notes = [f"{esc(i.message)} {self.detail(i.code)}" for i in by_slot.get("", [])] + \
            [esc(w) for w in warned.get("", [])]
        if notes:
            self.show_message("<br>".join(notes), "error" if status == "INVALID" else "notice")

    def by_slot(self, warnings: list[str]) -> dict[str, list[str]]:
        """Compliance warnings ("SLOT: level: message") by slot row; "" for those of no row."""
        warned: dict[str, list[str]] = {}
        for text in warnings:
            slot, _, rest = text.partition(": ")
            warned.setdefault(slot if slot in self.w.rows else "", []).append(rest if slot in self.w.rows else text)
        return warned

    def show_findings(self, warnings: list[str]) -> None:
        """Every image's compliance warnings in its slot row, as soon as they are known (before the preview is
        sent); publishing goes on."""
        warned = self.by_slot(warnings)
        muted = theme.colors()["muted"]
        for slot, lines in warned.items():
            if slot in self.w.rows:
                self.w.rows[slot].set_status("<br>".join(f"<span style='color:{muted}'>{esc(w)}</span>" for w in lines),
                                           "\n".join(lines))
        for slot in [s for s, v in self.state.assigned.items() if isinstance(v, str) and s in self.w.rows]:
            found = [Finding("publish", *line.split(": ", 1), "") for line in warned.get(slot, []) if ": " in line]
            level = "fail" if any(f.level == "fail" for f in found) else "warning" if found else "pass"
            self.w.rows[slot].badge.set_verdict(Verdict(level, tuple(found)))  # the URL's image as fetched

    # --- submissions and undo ----------------------------------------------------------------------

    def show_history(self) -> None:
        selected = self.selected_record()
        labels = self.state.dates()
        self.w.history.blockSignals(True)
        self.w.history.clear()
        for rec in self.state.history:
            text = history_text(rec, labels)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, rec.id)
            item.setToolTip(f"{text}\n{history_details(rec)}")
            self.w.history.addItem(item)
            if rec.id == selected:
                self.w.history.setCurrentItem(item)
        self.w.history.blockSignals(False)
        self.update_buttons()

    def selected_record(self) -> int | None:
        item = self.w.history.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def undo_target(self):
        return self.state.undo_target(self.selected_record())

    def show_undo(self, busy: bool) -> None:
        target = self.undo_target()
        self.w.undo_button.setEnabled(not busy and target is not None)
        label = self.state.undo_label(target) if target is not None else ""
        self.w.undo_button.setText(label or "Undo publish")
        self.w.undo_button.setToolTip(f"Put back the images the publish of {label[5:]} replaced"
                                    if target is not None else "Select a publish in the list below to undo it")


def _issues_by_slot(issues) -> dict[str, list]:
    by_slot: dict[str, list] = {}
    for issue in issues:
        for slot in issue.slots or ("",):
            by_slot.setdefault(slot, []).append(issue)
    return by_slot

