"""The window's batch: a BatchRunner in the window's asyncio loop (one task in the TaskRegistry, key
"batch"), its progress and ETA in a small panel above the job table, Pause/Resume/Cancel, the stops
(daily limit, refused key …) told in the banner, and the offer to resume a batch left unfinished."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

from desktop_app.core.batch.rows import ParsedBatch, Plan, plan_batch
from desktop_app.core.batch.progress import BatchProgress
from desktop_app.core.batch.bookkeeping import BatchBusy
from desktop_app.core.batch.runner import BatchRunner
from desktop_app.core.batch.store import BatchStore
from desktop_app.core.jobs.submission_limiter import Limits, SubmissionLimiter
from desktop_app.store.batches import PAUSED, RUNNING, STOPPED, BatchInfo
from desktop_app.ui.main.banner import BannerAction

log = logging.getLogger(__name__)

TASK_KEY = "batch"
RESUMABLE = (RUNNING, PAUSED, STOPPED)


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return "ETA unknown"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"about {seconds} s left"
    if seconds < 3600:
        return f"about {seconds // 60} min {seconds % 60:02d} s left"
    return f"about {seconds // 3600} h {seconds % 3600 // 60:02d} min left"


def progress_text(p: BatchProgress) -> str:
    text = (f"{p.submitted} submitted · {p.completed} completed · {p.failed} failed · "
            f"{p.remaining} to send")
    if p.paused:
        return text + " · paused"
    return text + " · " + eta_text(p.eta)


class BatchPanel(QFrame):
    """Progress of the running batch: label, bar, Pause/Resume and Cancel. Hidden when idle."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("batchPanel")
        self.setStyleSheet("QFrame#batchPanel { background: #e8f0fe; border: 1px solid #c6dafc; border-radius: 6px; }")
        self.title = QLabel(objectName="batchTitle")
        self.progress = QLabel(objectName="batchProgress")
        self.progress.setAccessibleName("Batch progress")
        self.bar = QProgressBar(objectName="batchBar")
        self.bar.setTextVisible(True)
        self.bar.setFormat("%v / %m")
        self.pause_button = QPushButton("Pause", objectName="batchPauseButton")
        self.pause_button.setToolTip("Stop sending new rows; submitted jobs are still watched")
        self.cancel_button = QPushButton("Cancel", objectName="batchCancelButton")
        self.cancel_button.setToolTip("Stop the batch; jobs already submitted stay in the job list")
        self.progress.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.bar, 1)
        top.addWidget(self.pause_button)
        top.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 6, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        self.hide()

    def show_progress(self, source: str, p: BatchProgress) -> None:
        self.title.setText(f"<b>Batch {source}</b>")
        self.progress.setText(progress_text(p))
        self.bar.setMaximum(max(1, p.total))
        self.bar.setValue(p.completed + p.failed)
        self.pause_button.setText("Resume" if p.paused else "Pause")
        self.setAccessibleDescription(self.progress.text())


class BatchController(QObject):
    started = Signal(str)            # batch id
    progressed = Signal(object)      # BatchProgress
    finished = Signal(object)        # BatchResult | None (None: did not run)

    def __init__(self, service, window) -> None:
        super().__init__(window)
        self.service = service
        self.window = window
        self.panel = BatchPanel(window)
        self.limits: Limits | None = None      # None: Limits.from_env() (tests scale the windows down)
        self.runner: BatchRunner | None = None
        self.source = ""
        self.last_progress: BatchProgress | None = None
        self.dialog = None
        self.panel.pause_button.clicked.connect(self.toggle_pause)
        self.panel.cancel_button.clicked.connect(self.cancel)
        service.resumed.connect(self.offer_resume)

    # --- plan -----------------------------------------------------------------------------------

    def limiter(self) -> SubmissionLimiter:
        rt = self.service.rt
        return SubmissionLimiter(rt.journal, rt.settings.service, rt.client.rate_limits,
                                 self.limits or Limits.from_env(), store=self.service.store)

    def known_prices(self) -> dict[str, float]:
        """The credits each listing type cost last, from the window's job list (already read)."""
        prices: dict[str, float] = {}
        for row in reversed(self.window.jobs_model.rows()):
            if row.record.credit_cost is not None and row.record.listing_type:
                prices[row.record.listing_type] = row.record.credit_cost
        return prices

    async def plan(self, batch: ParsedBatch) -> Plan:
        """The plan of ``batch``: the rows that already have a job and the submission log read on the store worker."""
        limiter = self.limiter()
        done = await self.service.store.call(_lines_with_a_job, batch.batch_id)
        seen = await limiter.look()
        return plan_batch(batch, limiter, submitted_lines=done, key_mode=self.service.client.mode,
                          sandbox=self.service.settings.sandbox, known_prices=self.known_prices(), seen=seen)

    def running(self) -> bool:
        return self.service.tasks.running(TASK_KEY)

    def busy_reason(self) -> str:
        return "A batch is already running: wait for it, or cancel it, first." if self.running() else ""

    # --- the dialog -----------------------------------------------------------------------------

    def open_dialog(self):
        from desktop_app.ui.batch.dialog import BatchDialog

        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        form = getattr(self.window, "form", None)
        dialog = BatchDialog(self, self.window, country=form.country() if form else None,
                             listing_type=form.listing_type() if form else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.start_requested.connect(self.start)
        dialog.destroyed.connect(lambda *_: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.show()
        return dialog

    def close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.close()

    # --- running --------------------------------------------------------------------------------

    def start(self, batch: ParsedBatch, source: str = "pasted") -> asyncio.Task | None:
        if self.running():
            self.service.error.emit("BATCH_RUNNING", "A batch is already running; wait for it or cancel it first.")
            return None
        self.source = source or "pasted"
        runner = BatchRunner(self.service.jobs, batch, limiter=self.limiter(), source=self.source,
                             on_progress=self._progress)
        self.runner = runner
        self._clear_offer()
        self.panel.show()
        self._progress(runner.progress())
        self.started.emit(batch.batch_id)
        return self.service.tasks.spawn(self._run(runner), key=TASK_KEY)

    async def _run(self, runner: BatchRunner) -> None:
        banner = self.window.banner
        try:
            result = await runner.run()
        except BatchBusy as exc:
            banner.show_error(exc.code, exc.message)
            self.panel.hide()
            self.finished.emit(None)
            return
        finally:
            if self.runner is runner:
                self.runner = None
        p = result.progress
        self._progress(p)
        self.panel.pause_button.setEnabled(False)
        self.panel.cancel_button.setEnabled(False)
        for job_id in {r.job_id for r in result.rows if r.job_id}:  # every job it paid for is in the list,
            self.window.jobs_model.update_job(job_id)                # also one whose news a stop cut short
        if result.stop_code == "CANCELLED":
            banner.show_info(f"Batch cancelled: {p.submitted} of {p.total} row(s) were submitted; "
                             "their jobs stay in the job list.")
        elif result.fatal is not None or result.stop_code:
            code = result.fatal.code if result.fatal is not None else result.stop_code
            message = result.fatal.message if result.fatal is not None else result.stop_message
            banner.show_error(code, f"The batch stopped: {message}. {p.remaining} row(s) left to send — "
                              "resume it later from the banner or File ▸ Import batch…",
                              BannerAction("Resume batch", "batchResumeButton", lambda: self.resume(result.batch_id)))
        elif p.failed:
            banner.show_error("PARTIAL", f"Batch finished: {p.completed} completed, {p.failed} failed or partial.")
        else:
            banner.show_info(f"Batch finished: all {p.total} row(s) completed and their images downloaded.")
        self.finished.emit(result)

    def _progress(self, p: BatchProgress) -> None:
        self.last_progress = p
        self.panel.show_progress(self.source, p)
        self.panel.pause_button.setEnabled(True)
        self.panel.cancel_button.setEnabled(True)
        self.progressed.emit(p)

    def toggle_pause(self) -> None:
        runner = self.runner
        if runner is None:
            return
        runner.resume() if runner.paused else runner.pause()

    def pause(self) -> None:
        if self.runner is not None and not self.runner.paused:
            self.runner.pause()

    def cancel(self) -> None:
        if self.runner is not None:
            self.runner.cancel()

    # --- unfinished batches of earlier runs -----------------------------------------------------

    async def unfinished(self) -> list[BatchInfo]:
        batches = await self.service.store.call(_unfinished)
        return [b for b in batches if b.state in RESUMABLE and b.service == self.service.settings.service]

    def offer_resume(self) -> None:
        if self.running():
            return
        self.panel.hide()
        self.service.tasks.spawn(self._offer_resume(), key="batch-offer")

    async def _offer_resume(self) -> None:
        batches = await self.unfinished()
        if not batches or self.running():
            return
        info = batches[0]
        more = f" ({len(batches) - 1} more unfinished)" if len(batches) > 1 else ""
        self.window.banner.show_notice(
            f"A batch from last time was not finished: {info.source or 'pasted'}, {info.total} row(s){more}.",
            BannerAction("Resume batch", "batchResumeButton", lambda: self.resume(info.batch_id)))

    def resume(self, batch_id: str) -> asyncio.Task | None:
        """Run the batch ``batch_id`` again, as the journal keeps it (read on the store worker first)."""
        return self.service.tasks.spawn(self._resume(batch_id), key="batch-resume")

    async def _resume(self, batch_id: str) -> None:
        batch, info = await self.service.store.call(_saved, batch_id)
        if batch is None or info is None:
            self.service.error.emit("BATCH_NOT_FOUND", "That batch is no longer in the journal.")
            return
        self._clear_offer()
        self.start(batch, info.source)

    def _clear_offer(self) -> None:
        self.window.banner.clear_notice("batchResumeButton")


def _lines_with_a_job(journal, batch_id: str) -> set[int]:
    return {line for line, s in BatchStore(journal).submissions(batch_id).items() if s.job_id}


def _unfinished(journal) -> list[BatchInfo]:
    return BatchStore(journal).batches(unfinished_only=True)


def _saved(journal, batch_id: str) -> tuple[ParsedBatch | None, BatchInfo | None]:
    store = BatchStore(journal)
    return store.load(batch_id), store.info(batch_id)
