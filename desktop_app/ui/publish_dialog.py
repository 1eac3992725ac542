"""Job ▸ Publish to Amazon…: a non-modal window. Choose SKU and marketplace, fetch the listing, see Amazon's current
images and the job's approved images side by side by slot (MAIN, PT01…PT08, SWCH), assign by drag or menu,
Validate, Publish (submitted → live), Undo. The window holds one :class:`~.publish_state.PublishState`; its
requests are tasks of the TaskRegistry (:mod:`.publish_flow`) and it draws the state (:mod:`.publish_render`).
Errors are shown inline here, never in a modal box. Its questions — before a real publish, and before a job's
images go onto a listing of another product — are window-modal and non-blocking (:mod:`.publish_confirm`). It opens
inside the screen's available area; the slots scroll, the buttons stay visible."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (QComboBox, QDialog, QGridLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from ..api.marketplaces import MARKETPLACES, NO_MARKETPLACE
from ..api.spapi_models import SLOTS
from ..api.vocab import country_name
from . import theme
from .compliance_badge import checker_for
from .publish_flow import PublishFlow
from .publish_markets import MarketPicker
from .publish_render import PublishRender
from .publish_slots import ApprovedStrip, SlotRow, esc
from .window_fit import centred, fitted

PREFERRED = QSize(1180, 860)
HEADERS = ("Slot", "On Amazon now", "To publish", "Choose", "", "Compliance", "Status and issues")


class PublishDialog(QDialog, PublishFlow, PublishRender):
    def __init__(self, service, job_id: str = "", parent=None, *, sku: str = "", country: str = "") -> None:
        QDialog.__init__(self, parent)
        self.service = service
        self.checker = checker_for(service)
        self.setObjectName("publishDialog")
        self.setAccessibleName("Publish to Amazon")
        self.setWindowTitle("Publish to Amazon")
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self._build()
        self.init_flow()
        self.init_render()
        self.set_country(country or "US")
        if sku:
            self.sku_edit.setText(sku)
        self.set_job(job_id, its_country=not country)
        theme.on_change(self, self._restyle)
        self.update_buttons()
        self.fit_to_screen()

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
            row = SlotRow(slot, grid, 1 + 2 * i, self)
            row.assign.connect(self.assign)
            self.rows[slot] = row
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
        below.setColumnStretch(0, 3)
        below.setColumnStretch(1, 2)
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

        self.fetch_button.clicked.connect(self.fetch)
        self.sku_edit.returnPressed.connect(self.fetch)
        self.sku_edit.textChanged.connect(self.update_buttons)
        self.market_combo.currentIndexChanged.connect(self.update_buttons)
        self.validate_button.clicked.connect(lambda: self.submit(validate_only=True))
        self.publish_button.clicked.connect(lambda: self.submit(validate_only=False))
        self.undo_button.clicked.connect(self.undo)
        self.close_button.clicked.connect(self.close)
        self.history.currentRowChanged.connect(self.update_buttons)
        self.checker.ready.connect(self.verdict_ready)

    def _restyle(self) -> None:
        self.strip_title.setStyleSheet(theme.muted_style())
        if self.message.isVisible():
            self.message.setStyleSheet(theme.banner_style(self._message_kind).replace("QFrame#errorBanner", "QLabel"))

    def closeEvent(self, event) -> None:
        self.cancel_tasks()  # a watch still running keeps its journal row; Fetch shows the state later
        super().closeEvent(event)

    # --- display ---------------------------------------------------------------------------------

    def country(self) -> str:
        return self.market_combo.currentData() or ""

    def set_country(self, country: str) -> None:
        code = "GB" if country.upper() == "UK" else country.upper()
        found = self.market_combo.findData(code)
        if found >= 0 and code not in NO_MARKETPLACE:
            self.market_combo.setCurrentIndex(found)

    def show_message(self, text: str, kind: str = "error") -> None:
        """An inline message above the slots ("error", "info" or "notice"); "" hides it."""
        self._message_kind = kind
        if not text:
            self.message.hide()
            self.message.setText("")
            return
        self.message.setText(text)
        self.message.setAccessibleDescription(text)
        self.message.setStyleSheet(theme.banner_style(kind).replace("QFrame#errorBanner", "QLabel")
                                   + " QLabel { padding: 6px 10px; }")
        self.message.show()

    def show_error(self, exc: BaseException, context: str = "") -> None:
        code = getattr(exc, "code", None) or type(exc).__name__
        text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        self.show_message(f"⚠ <b>{esc(code)}</b> — {esc(context + text)}")

    def set_info(self, view) -> None:
        if view is None:
            self.info_label.setText("Enter a SKU and fetch its listing.")
            return
        self.info_label.setText(f"<b>{esc(view.title or '(no title)')}</b><br>SKU {esc(view.sku)} · ASIN "
                                f"{esc(view.asin or '—')} · product type {esc(view.product_type or '—')} · "
                                f"Amazon {esc(country_name(view.country))}")

    def update_buttons(self, *_args) -> None:
        busy = self.busy()
        country_ok = self.country() not in NO_MARKETPLACE and bool(self.country())
        self.fetch_button.setEnabled(not busy and bool(self.sku_edit.text().strip()) and country_ok)
        state = self.state
        ready = not busy and state.ready()
        self.validate_button.setEnabled(ready)
        self.publish_button.setEnabled(ready)
        tip = "" if state.view is not None else "Fetch the listing first"
        if state.view is not None and not (state.assigned or state.removed):
            tip = "Assign at least one approved image to a slot"
        for b in (self.validate_button, self.publish_button):
            b.setToolTip(tip or b.accessibleName())
        self.show_undo(busy)

    def show_target(self, sp) -> None:
        """Which SP-API publishing uses: the sandbox, or the live seller."""
        from .amazon_account import describe
        self.target_label.setText(f"Amazon: {describe(sp)}.")
        self.target_label.setStyleSheet("" if sp.sandbox else "font-weight: bold;")
