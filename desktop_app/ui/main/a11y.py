"""Keyboard order, accessible names and empty states of the main window (applied once it is built)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QWidget

from desktop_app.ui.main import panes
from desktop_app.ui.common import theme

NO_JOBS = "No jobs yet — enter an ASIN and press Generate (Ctrl+Return)."
NO_MATCH = "No job matches the filter."


class EmptyState(QObject):
    """A centred, word-wrapped label over an item view's viewport while its model has no rows."""

    def __init__(self, view: QAbstractItemView, text_fn, name: str) -> None:
        super().__init__(view)
        self.view = view
        self.text_fn = text_fn
        self.label = QLabel(view.viewport(), objectName=name, wordWrap=True)
        self.label.setAccessibleName("Empty list")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        view.viewport().installEventFilter(self)
        model = view.model()
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.layoutChanged):
            signal.connect(self.update)
        theme.on_change(self.label, self._restyle)
        self.update()

    def _restyle(self) -> None:
        self.label.setStyleSheet(f"color: {theme.colors()['muted']}; padding: 16px;")

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.label.setGeometry(self.view.viewport().rect())
        return False

    def update(self, *_args) -> None:
        empty = self.view.model().rowCount() == 0
        if empty:
            text = self.text_fn()
            self.label.setText(text)
            self.view.setAccessibleDescription(text)
            self.label.setGeometry(self.view.viewport().rect())
        else:
            self.view.setAccessibleDescription("Enter opens the job; F5 refreshes it; Ctrl+C copies its id.")
        self.label.setVisible(empty)


def install_job_empty_state(window) -> EmptyState:
    panel = window.job_panel
    return EmptyState(panel.table, lambda: NO_MATCH if panel.filter_edit.text().strip() else NO_JOBS,
                      "jobTableEmpty")


def tab_order(window) -> list[QWidget]:
    """Form: product → marketplace → type → photos (and their buttons) → Generate; then the jobs
    filter → job table → gallery → approve / reject / clear → export → preview tools."""
    f, g, p = window.form, window.gallery, window.job_panel
    return [f.asin_edit, f.market_combo, f.type_combo, f.refs, f.paste_button, f.up_button, f.down_button,
            f.remove_button, f.generate_button, p.filter_edit, p.table, g.view, g.approve_button,
            g.reject_button, g.clear_button, g.export_button, g.fit_button, g.actual_button, g.preview]


def apply_tab_order(window) -> None:
    chain = tab_order(window)
    for first, second in zip(chain, chain[1:]):
        QWidget.setTabOrder(first, second)


def describe(window) -> None:
    """Accessible names and descriptions the widgets do not set themselves."""
    f, g, p = window.form, window.gallery, window.job_panel
    f.asin_edit.setAccessibleDescription("A 10-character ASIN or an Amazon product link.")
    f.generate_button.setAccessibleDescription("Submit the job (Ctrl+Return).")
    f.hint.setAccessibleName("Form status")
    p.filter_edit.setAccessibleDescription("Ctrl+F focuses the filter.")
    p.count_label.setAccessibleName("Number of jobs")
    g.export_button.setAccessibleDescription("Ctrl+E. Copies the approved images to a folder.")
    g.summary.setAccessibleName("Review summary")
    g.title.setAccessibleName("Selected job")
    g.zoom_label.setAccessibleName("Zoom")
    g.info_label.setAccessibleName("Selected image")
    window.banner.close_button.setObjectName(window.banner.close_button.objectName() or "errorBannerClose")


def polish(window) -> None:
    """Everything of this module, once the main window is built."""
    describe(window)
    apply_tab_order(window)
    panes.install(window)
    theme.on_change(window, window._update_mode)  # the mode label's colours
    window.job_empty_state = install_job_empty_state(window)
