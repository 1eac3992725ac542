"""Job ▸ Publish to Amazon…: a non-modal window. Choose SKU and marketplace, fetch the listing, see Amazon's current
images and the job's approved images side by side by slot (MAIN, PT01…PT08, SWCH), assign by drag or menu,
Validate, Publish (submitted → live), Undo. The window builds the widgets and holds, side by side, one
:class:`~.publish_state.PublishState`, the :class:`~.publish_render.PublishRender` that draws it and the
:class:`~.publish_flow.PublishFlow` whose requests (tasks of the window, :mod:`.publish_tasks`) change it.
Errors are shown inline here, never in a modal box. Its questions — before a real publish, and before a job's
images go onto a listing of another product — are window-modal and non-blocking (:mod:`.publish_confirm`). It opens
inside the screen's available area; the slots scroll, the buttons stay visible."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (QComboBox, QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from desktop_app.api.amazon.marketplaces import MARKETPLACES, NO_MARKETPLACE
from desktop_app.api.amazon.models import SLOTS
from desktop_app.api.pixii.vocab import country_name
from desktop_app.ui.common import theme
from desktop_app.ui.gallery.compliance_badge import checker_for
from desktop_app.ui.publish.flow import PublishFlow
from desktop_app.ui.publish.markets import MarketPicker
from desktop_app.ui.publish.render import PublishRender
from desktop_app.ui.publish.slots import ApprovedStrip, SlotRow
from desktop_app.ui.publish.state import PublishState
from desktop_app.ui.publish.tasks import WindowTasks
from desktop_app.ui.main.window_fit import centred, fitted

PREFERRED = QSize(1180, 860)
HEADERS = ("Slot", "On Amazon now", "To publish", "Choose", "", "Compliance", "Status and issues")


class PublishDialog(QDialog):
    """The window: its widgets, one :class:`PublishState`, the :class:`PublishRender` that draws it and the
    :class:`PublishFlow` whose requests change it."""

    def __init__(self, service, job_id: str = "", parent=None, *, sku: str = "", country: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("publishDialog")
        self.setAccessibleName("Publish to Amazon")
        self.setWindowTitle("Publish to Amazon")
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.state = PublishState()
        self.tasks = WindowTasks(service.tasks, self)
        self.checker = checker_for(service)
        self._build()
        self.render = PublishRender(self, self.state, self.tasks, service, self.checker)
        self.flow = PublishFlow(service, self.state, self.render, self.tasks, self, parent)
        self._connect()
        self.render.set_country(country or "US")
        if sku:
            self.sku_edit.setText(sku)
        self.set_job(job_id, its_country=not country)
        theme.on_change(self, self.render.restyle)
        self.render.update_buttons()
        self.fit_to_screen()

    @property
    def job_id(self) -> str:
        """The job whose images the window shows ("" for none)."""
        return self.state.job_id

    def set_job(self, job_id: str, *, its_country: bool = False) -> None:
        """Show the approved images of ``job_id``; ``its_country``: choose the job's marketplace as well."""
        self.flow.set_job(job_id, its_country=its_country)

    def set_country(self, country: str) -> None:
        self.render.set_country(country)

    def busy(self) -> bool:
        """A request (fetch, validate, publish, undo…) is in progress."""
        return self.tasks.busy()

    def fit_to_screen(self, area: QRect | None = None) -> None:
        """Open inside ``area`` (default: the screen's available area, without panels and docks)."""
        if area is None:
            screen = (self.parent().screen() if self.parent() is not None else None) or QGuiApplication.primaryScreen()
            if screen is None:
                return
            area = screen.availableGeometry()
        self.setGeometry(fitted(centred(PREFERRED, area), area, self.minimumSizeHint()))

    # --- layout ----------------------------------------------------------------------------------

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        b = QPushButton(text, objectName=name)
        b.setAccessibleName(tip.split(" (")[0])
        b.setToolTip(tip)
        return b

    def _build(self) -> None:
        self.sku_edit = QLineEdit(objectName="skuEdit", placeholderText="Seller SKU, e.g. MUG-BLK-16")
        self.sku_edit.setAccessibleName("Seller SKU")
        self.sku_edit.setClearButtonEnabled(True)
        self.sku_edit.setMaxLength(40)
        self.market_combo = QComboBox(objectName="publishMarketplaceCombo")
        self.market_combo.setAccessibleName("Amazon marketplace")
        model: QStandardItemModel = self.market_combo.model()
        for code in sorted(set(MARKETPLACES) | set(NO_MARKETPLACE), key=country_name):
            self.market_combo.addItem(country_name(code), code)
            if code in NO_MARKETPLACE:
                item = model.item(self.market_combo.count() - 1)
                item.setEnabled(False)
                item.setToolTip(NO_MARKETPLACE[code])
                item.setText(f"{country_name(code)} — not on the Selling Partner API")
        self.fetch_button = self._button("Fetch listing", "fetchListingButton",
                                         "Fetch the listing from Amazon (Return)")
        self.fetch_button.setDefault(True)
        head = QHBoxLayout()
        for text, widget in (("SKU", self.sku_edit), ("Marketplace", self.market_combo)):
            label = QLabel(text)
            label.setBuddy(widget)
            head.addWidget(label)
            head.addWidget(widget, 2 if widget is self.sku_edit else 0)
        head.addWidget(self.fetch_button)
        self.also_markets = MarketPicker(self)
        head.addWidget(self.also_markets)

        self.target_label = QLabel("Amazon: the SP-API in use is shown on the first fetch.", objectName="publishTarget",
                                   wordWrap=True)
        self.target_label.setAccessibleName("Where publishing goes")
        self.target_label.setTextFormat(Qt.TextFormat.PlainText)
        self.info_label = QLabel("Enter a SKU and fetch its listing.", objectName="listingInfo", wordWrap=True)
        self.info_label.setAccessibleName("Listing")
        self.info_label.setTextFormat(Qt.TextFormat.RichText)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel(objectName="publishMessage", wordWrap=True)
        self.message.setAccessibleName("Publish messages")
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.status_label = QLabel(objectName="publishStatus", wordWrap=True)
        self.status_label.setAccessibleName("Submission status")
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        grid_host = QWidget(objectName="slotGrid")
        grid = QGridLayout(grid_host)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for col, text in enumerate(HEADERS):
            header = QLabel(f"<b>{text}</b>" if text else "")
            grid.addWidget(header, 0, col)
        grid.setColumnStretch(len(HEADERS) - 1, 1)
        self.rows: dict[str, SlotRow] = {}
        for i, slot in enumerate(SLOTS):
            self.rows[slot] = SlotRow(slot, grid, 1 + 2 * i, self)
        scroll = QScrollArea(objectName="slotScroll")
        scroll.setAccessibleName("Image slots")
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)

        self.strip_title = QLabel(objectName="approvedTitle")
        self.strip_title.setMinimumWidth(1)  # long titles are cut, the whole text is the tooltip
        self.strip = ApprovedStrip(self)

        self.validate_button = self._button("Validate", "validateButton",
                                            "Ask Amazon to validate the change without applying it")
        self.publish_button = self._button("Publish", "publishButton",
                                           "Validate, then send the assigned images to Amazon")
        self.undo_button = self._button("Undo publish", "undoButton",
                                        "Put back the images the selected (or last) publish replaced")
        self.close_button = self._button("Close", "publishCloseButton", "Close the publish window")
        self.history = QListWidget(objectName="publishHistory")
        self.history.setAccessibleName("Submissions of this listing")
        self.history.setFixedHeight(self.strip.height())
        self.history.setTextElideMode(Qt.TextElideMode.ElideRight)  # the whole line is in the tooltip
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        buttons = QHBoxLayout()
        for b in (self.validate_button, self.publish_button, self.undo_button):
            buttons.addWidget(b)
        buttons.addWidget(self.target_label, 1)
        buttons.addWidget(self.close_button)

        below = QGridLayout()  # the job's approved images and the listing's submissions, side by side
        below.addWidget(self.strip_title, 0, 0)
        below.addWidget(self.strip, 1, 0)
        below.addWidget(QLabel("<b>Submissions of this listing</b>"), 0, 1)
        below.addWidget(self.history, 1, 1)
        below.setColumnStretch(0, 1)
        below.setColumnStretch(1, 1)
        below.setVerticalSpacing(2)

        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addLayout(head)
        layout.addWidget(self.info_label)
        layout.addWidget(self.message)
        layout.addWidget(scroll, 1)
        layout.addLayout(below)
        layout.addWidget(self.status_label)
        layout.addLayout(buttons)

    def _connect(self) -> None:
        flow, render = self.flow, self.render
        for row in self.rows.values():
            row.assign.connect(flow.assign)
        self.fetch_button.clicked.connect(self.fetch)
        self.sku_edit.returnPressed.connect(self.fetch)
        self.sku_edit.textChanged.connect(render.update_buttons)
        self.market_combo.currentIndexChanged.connect(render.update_buttons)
        self.validate_button.clicked.connect(lambda: flow.submit(validate_only=True, also=self.also_markets.checked()))
        self.publish_button.clicked.connect(lambda: flow.submit(validate_only=False, also=self.also_markets.checked()))
        self.undo_button.clicked.connect(lambda: flow.undo(render.undo_target()))
        self.close_button.clicked.connect(self.close)
        self.history.currentRowChanged.connect(render.update_buttons)
        self.checker.ready.connect(render.verdict_ready)

    def fetch(self) -> None:
        """Fetch the listing of the SKU and marketplace entered."""
        self.flow.fetch(self.sku_edit.text().strip(), self.render.country())

    def closeEvent(self, event) -> None:
        self.tasks.cancel()  # a watch still running keeps its journal row; Fetch shows the state later
        super().closeEvent(event)
