"""The main window's status bar: the mode (Sandbox or Live, the key only ever redacted), the journal waiting, what
is being watched, the rate limits and the credits left."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from desktop_app.api.pixii.client import redact
from desktop_app.ui.common import theme
from desktop_app.ui.common.store_worker import WAITING_TEXT

SANDBOX_TEXT = "Sandbox — sample images, no credits used"


class WindowStatus:
    """The labels of the status bar, kept up to date from the window's service and its jobs model."""

    def __init__(self, bar: QStatusBar, service, jobs_model) -> None:
        self.service, self.jobs_model = service, jobs_model
        bar.setSizeGripEnabled(False)
        self.mode_label = QLabel(objectName="modeLabel")
        self.mode_label.setAccessibleName("Mode")
        self.credits_label = QLabel(objectName="creditsLabel")
        self.credits_label.setAccessibleName("Remaining credits")
        self.rate_label = QLabel(service.rate_limit_text(), objectName="rateLimitLabel")
        self.rate_label.setAccessibleName("Rate limits")
        self.activity_label = QLabel(objectName="activityLabel")
        self.activity_label.setAccessibleName("Activity")
        self.store_label = QLabel(WAITING_TEXT, objectName="storeWaitingLabel")
        self.store_label.setAccessibleName("Journal")
        self.store_label.hide()
        service.store_waiting.connect(self.store_label.setVisible)
        bar.addWidget(self.mode_label)
        bar.addWidget(self.store_label)
        bar.addWidget(self.activity_label, 1)
        bar.addPermanentWidget(self.rate_label)
        bar.addPermanentWidget(self.credits_label)
        self.show_credits(service.credits)

    def show_mode(self, settings) -> None:
        """The mode label and its tooltip for ``settings`` (the key only ever redacted)."""
        if settings.sandbox:
            self.mode_label.setText(SANDBOX_TEXT)
            self.mode_label.setStyleSheet(theme.pill_style("notice"))
            self.mode_label.setToolTip("Jobs go to the embedded sandbox: nothing is charged. "
                                       "File ▸ Settings… switches to Live.")
        else:
            self.mode_label.setText(f"Live ({redact(settings.api_key)})")
            self.mode_label.setStyleSheet(theme.pill_style("info"))
            self.mode_label.setToolTip(f"Jobs go to {settings.api_url} and cost credits.")

    def show_credits(self, value) -> None:
        if value is None:
            self.credits_label.setText("Credits: —" if not self.service.settings.sandbox else "")
        else:
            self.credits_label.setText(f"Credits left: {value:g}")

    def show_activity(self, *_args) -> None:
        running = len(self.jobs_model.unfinished())
        self.activity_label.setText(f"Watching {running} unfinished job{'s' if running != 1 else ''}…"
                                    if running else "")
