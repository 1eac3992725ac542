"""What the seller can do with a job from its menu (Retry, Remove from list, Open export folder, Publish…) and
the question asked before generating a product again: a job of the same product, marketplace and listing type
that is running or finished (with images still to be had) already cost credits, so a new one is confirmed first
(default No), with a way to open the existing job instead."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.vocab import in_country, listing_type_name
from desktop_app.core.jobs import expiry
from desktop_app.ui.main.jobs_rows import JobRow, created_text

GENERATE_AGAIN = "Generate again"
OPEN_EXISTING = "Open existing job"


def same_product(row: JobRow, request: ListingRequest) -> bool:
    r = row.record
    return (r.asin, r.country, r.listing_type) == (request.asin, request.country_code, request.listing_type)


def live_duplicate(rows: list[JobRow], request: ListingRequest) -> JobRow | None:
    """The newest job of the same product, marketplace and type that runs or finished with its images."""
    for row in rows:
        if same_product(row, request) and row.record.status != "failed" and row.expiry != expiry.EXPIRED:
            return row
    return None


def known_price(rows: list[JobRow], listing_type: str) -> float | None:
    """The credits the newest job of this listing type cost (what the app knows of the price)."""
    for row in rows:
        if row.record.listing_type == listing_type and row.record.credit_cost is not None:
            return row.record.credit_cost
    return None


def cost_words(rows: list[JobRow], request: ListingRequest, existing: JobRow, sandbox: bool) -> str:
    if sandbox:
        return "In the sandbox this costs no credits."
    price = existing.record.credit_cost
    if price is None:
        price = known_price(rows, request.listing_type)
    if price is None:
        return "A new job costs credits again."
    return f"A new job costs {price:g} credits again."


class JobActions(QObject):
    """The job menu's actions and the duplicate question, for the main window."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl
        self.question: QMessageBox | None = None
        panel = window.job_panel
        panel.retry_requested.connect(self.retry)
        panel.remove_requested.connect(self.remove)
        panel.folder_requested.connect(self.open_folder)
        panel.publish_requested.connect(self.publish)
        window.form.ask_before_generate = self.ask_before_generate

    @property
    def model(self):
        return self.window.jobs_model

    # --- the menu --------------------------------------------------------------------------------------

    def _row(self, job_id: str) -> JobRow | None:
        return self.model.job_row(self.model.row_of(job_id))

    def retry(self, job_id: str) -> None:
        """A new submission of a failed or expired job's request (asked like any generate)."""
        row = self._row(job_id)
        if row is None:
            return
        r = row.record
        request = ListingRequest(r.asin, r.country, r.listing_type, r.main_image_url, r.other_image_urls)
        self.ask_before_generate(request, lambda: self.window.service.submit(request))

    def remove(self, job_id: str) -> None:
        marks = self.model.marks
        if marks is not None and job_id in marks.hidden():
            self.model.unhide_job(job_id)
        else:
            self.model.hide_job(job_id)

    def open_folder(self, job_id: str) -> None:
        row = self._row(job_id)
        if row is not None and row.exported:
            self.open_url(QUrl.fromLocalFile(row.exported))

    def exported(self, job_id: str, folder) -> None:
        """The export dialog wrote a job's approved images to ``folder``: the job says so."""
        if folder is not None and self.model.marks is not None:
            self.model.marks.set_exported(job_id, str(folder))
            self.model.update_job(job_id)

    def publish(self, job_id: str):
        self.window.job_panel.select_job(job_id)
        self.window.show_job(job_id)
        return self.window.open_publish()

    # --- the duplicate question ---------------------------------------------------------------------------

    def ask_before_generate(self, request: ListingRequest, proceed: Callable[[], None],
                            cancelled: Callable[[], None] = lambda: None) -> None:
        """``proceed()`` at once when no job of the same product runs or finished; else after the seller
        says so (No, the default, calls ``cancelled()``; "Open existing job" selects that job)."""
        rows = self.model.rows()
        existing = live_duplicate(rows, request)
        if existing is None:
            proceed()
            return
        if self.question is not None:
            self.question.close()
        r = existing.record
        state = "is still running" if not r.terminal else "already finished"
        box = QMessageBox(QMessageBox.Icon.Question, "Generate this product again?",
                          f"{r.asin} {in_country(r.country)} as {listing_type_name(r.listing_type)} has a job "
                          f"that {state} (created {created_text(r)}).\n\n"
                          f"{cost_words(rows, request, existing, self.window.settings.sandbox)} "
                          "Generate it again anyway?", QMessageBox.StandardButton.NoButton, self.window)
        box.setObjectName("duplicateQuestion")
        yes = box.addButton(GENERATE_AGAIN, QMessageBox.ButtonRole.YesRole)
        open_existing = box.addButton(OPEN_EXISTING, QMessageBox.ButtonRole.ActionRole)
        no = box.addButton("Don't generate", QMessageBox.ButtonRole.NoRole)
        for button, name in ((yes, "generateAgainButton"), (open_existing, "openExistingJobButton"),
                             (no, "dontGenerateButton")):
            button.setObjectName(name)
        box.setDefaultButton(no)
        box.setEscapeButton(no)

        def answered(_code: int) -> None:
            clicked = box.clickedButton()
            self.question = None
            box.deleteLater()
            if clicked is yes:
                proceed()
                return
            cancelled()
            if clicked is open_existing:
                self.window.job_panel.select_job(r.job_id)
                self.window.open_job(r.job_id)

        box.finished.connect(answered)
        self.question = box
        box.open()

