"""The "New listing" form: ASIN (or a pasted Amazon link), marketplace, listing type, reference
images, and Generate — enabled only for valid input, with the reason shown otherwise."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QComboBox, QCompleter, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QStyle, QStyledItemDelegate, QVBoxLayout, QWidget)

from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.vocab import COUNTRIES, LISTING_TYPES, country_name, in_country, listing_type_name
from desktop_app.core.validation import asin_problem, parse_product_input, reference_url_problem
from desktop_app.ui.common import theme
from desktop_app.ui.common.dropdata import DropContent
from desktop_app.ui.main.refimages import ReferenceImages

DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 1


class _TypeDelegate(QStyledItemDelegate):
    """Listing-type popup rows: the type's name, then its one-line description in a muted colour."""

    def paint(self, painter, option, index: QModelIndex) -> None:
        super().paint(painter, option, index)
        desc = index.data(DESCRIPTION_ROLE)
        if not desc:
            return
        painter.save()
        selected = option.state & QStyle.StateFlag.State_Selected
        painter.setPen(option.palette.color(QPalette.ColorRole.HighlightedText) if selected else theme.color("muted"))
        text_w = option.fontMetrics.horizontalAdvance(index.data() or "") + 24
        rect = QRect(option.rect.left() + text_w, option.rect.top(), option.rect.width() - text_w - 6, option.rect.height())
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         option.fontMetrics.elidedText(f"— {desc}", Qt.TextElideMode.ElideRight, rect.width()))
        painter.restore()


def market_entries() -> list[tuple[str, str]]:
    """The picker's entries, by country name: "Germany (DE)"; the United Kingdom once, found by GB and UK."""
    entries = [(f"{country_name(code)} ({'GB, UK' if code == 'GB' else code})", code)
               for code in COUNTRIES if code != "UK"]
    return sorted(entries)


def exact_market(text: str) -> str | None:
    """The marketplace ``text`` names exactly: a code (UK is GB), a country name or an entry; else None."""
    text = (text or "").strip()
    if text.upper() in COUNTRIES:
        return "GB" if text.upper() == "UK" else text.upper()
    for label, code in market_entries():
        if text.casefold() in (label.casefold(), country_name(code).casefold()):
            return code
    return None


def market_matches(text: str) -> list[str]:
    """The marketplaces whose entry contains ``text`` (just the one it names exactly, if any)."""
    exact = exact_market(text)
    if exact or not text.strip():
        return [exact] if exact else []
    return [code for label, code in market_entries() if text.strip().casefold() in label.casefold()]


class SubmitForm(QWidget):
    request_ready = Signal(object)  # ListingRequest, after the local checks (and the Live-mode URL check)

    def __init__(self, service, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self._busy = ""
        # asked with the request and what to do next (the window asks about a product generated already)
        self.ask_before_generate = lambda _request, proceed, cancelled=None: proceed()
        self.asin_edit = QLineEdit(objectName="asinEdit", placeholderText="ASIN or Amazon product link")
        self.asin_edit.setAccessibleName("ASIN")
        self.asin_edit.setClearButtonEnabled(True)
        self.asin_edit.setToolTip("A 10-character ASIN, or paste a product link such as https://www.amazon.co.uk/dp/B0…")

        self.market_combo = QComboBox(objectName="marketplaceCombo")
        self.market_combo.setAccessibleName("Marketplace")
        self.market_combo.setEditable(True)
        self.market_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for label, code in market_entries():
            self.market_combo.addItem(label, code)
        completer = QCompleter(self.market_combo.model(), self.market_combo)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.market_combo.setCompleter(completer)
        self.market_combo.lineEdit().setPlaceholderText("Type a code or a country")
        self.market_combo.setToolTip("Type a country or its code; Enter picks the one that matches")
        self.market_combo.lineEdit().returnPressed.connect(self._pick_single_market)
        self.set_country("US")

        self.type_combo = QComboBox(objectName="listingTypeCombo")
        self.type_combo.setAccessibleName("Listing type")
        for value, desc in LISTING_TYPES.items():
            self.type_combo.addItem(listing_type_name(value), value)
            index = self.type_combo.count() - 1
            self.type_combo.setItemData(index, desc, DESCRIPTION_ROLE)
            self.type_combo.setItemData(index, desc, Qt.ItemDataRole.ToolTipRole)
        self.type_combo.setItemDelegate(_TypeDelegate(self.type_combo))
        self.type_combo.view().setMinimumWidth(440)
        self.type_desc = QLabel(objectName="listingTypeDescription")
        self.type_desc.setWordWrap(True)

        self.refs = ReferenceImages(self)
        self.refs.setMinimumHeight(92)
        self.refs.setMaximumHeight(132)
        self.refs.fetcher = service.fetch_reference_image
        self.refs.spawn = service.tasks.spawn
        self.paste_button = self._button("Paste", "pasteUrlsButton", "Paste image URLs from the clipboard")
        self.up_button = self._button("Up", "moveUpButton", "Move the selected image up (Alt+Up)")
        self.down_button = self._button("Down", "moveDownButton", "Move the selected image down (Alt+Down)")
        self.remove_button = self._button("Remove", "removeImageButton", "Remove the selected image (Delete)")
        self.refs_note = QLabel("Drop or paste product photo URLs. The first is the main image.",
                                objectName="referenceNote", wordWrap=True)

        self.hint = QLabel(objectName="formHint", wordWrap=True)
        self.hint.setAccessibleName("Why Generate is unavailable")
        self.generate_button = QPushButton("Generate", objectName="generateButton")
        self.generate_button.setAccessibleName("Generate listing images")
        self.generate_button.setToolTip("Submit the job (Ctrl+Return)")
        self.generate_button.setDefault(True)
        self.generate_button.setMinimumWidth(120)

        buttons = QVBoxLayout()
        for b in (self.paste_button, self.up_button, self.down_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        refs_row = QHBoxLayout()
        refs_row.addWidget(self.refs, 1)
        refs_row.addLayout(buttons)
        refs_box = QVBoxLayout()
        refs_box.setSpacing(2)
        refs_box.addLayout(refs_row)
        refs_box.addWidget(self.refs_note)
        type_box = QVBoxLayout()
        type_box.setSpacing(2)
        type_box.addWidget(self.type_combo)
        type_box.addWidget(self.type_desc)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self._label("&Product:", self.asin_edit), self.asin_edit)
        form.addRow(self._label("&Marketplace:", self.market_combo), self.market_combo)
        form.addRow(self._label("Listing &type:", self.type_combo), type_box)
        form.addRow(self._label("&Reference photos:", self.refs), refs_box)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint, 1)
        bottom.addWidget(self.generate_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(bottom)

        self.asin_edit.textEdited.connect(self._asin_edited)
        self.asin_edit.textChanged.connect(self.update_state)
        self.market_combo.currentIndexChanged.connect(self.update_state)
        self.market_combo.editTextChanged.connect(self.update_state)
        self.type_combo.currentIndexChanged.connect(self._type_changed)
        self.refs.dropped.connect(self.add_drop)
        self.refs.changed.connect(self.update_state)
        self.refs.currentRowChanged.connect(self.update_state)
        self.paste_button.clicked.connect(self.refs.paste)
        self.up_button.clicked.connect(lambda: self.refs.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.refs.move_selected(1))
        self.remove_button.clicked.connect(self.refs.remove_selected)
        self.generate_button.clicked.connect(self.generate)
        service.submit_finished.connect(self._submit_finished)
        self._type_changed()
        theme.on_change(self, self._restyle)

    def _restyle(self) -> None:
        for label in (self.type_desc, self.refs_note):
            label.setStyleSheet(theme.muted_style())
        self.update_state()

    def _button(self, text: str, name: str, tip: str) -> QPushButton:
        b = QPushButton(text, objectName=name)
        b.setAccessibleName(tip.split(" (")[0])
        b.setToolTip(tip)
        return b

    @property
    def settings(self):
        return self.service.settings  # follows a Live/Sandbox switch

    def set_listing_type(self, value: str) -> None:
        index = self.type_combo.findData(value)
        if index >= 0:
            self.type_combo.setCurrentIndex(index)

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    # --- values -----------------------------------------------------------------------------------

    def asin(self) -> str:
        parsed = parse_product_input(self.asin_edit.text())
        return parsed.asin if parsed else self.asin_edit.text().strip().upper()

    def country(self) -> str | None:
        return exact_market(self.market_combo.currentText())

    def set_country(self, code: str) -> None:
        index = self.market_combo.findData(exact_market(code))
        if index >= 0:
            self.market_combo.setCurrentIndex(index)
            self.market_combo.setEditText(self.market_combo.itemText(index))

    def listing_type(self) -> str:
        return self.type_combo.currentData()

    def request(self) -> ListingRequest:
        urls = self.refs.urls()
        return ListingRequest(self.asin(), self.country() or "", self.listing_type(),
                              urls[0] if urls else None, tuple(urls[1:]))

    def problem(self) -> str | None:
        """Why Generate is unavailable (None when the input is valid)."""
        if self._busy:
            return self._busy
        text = self.asin_edit.text().strip()
        if text and ("/" in text or "." in text) and parse_product_input(text) is None:
            return "That link is not an Amazon product page (…/dp/ASIN or …/gp/product/ASIN)."
        problem = asin_problem(self.asin())
        if problem:
            return problem
        if self.country() is None:
            return (f"'{self.market_combo.currentText()}' is not a marketplace: type a country or its code "
                    "(DE, GB…) and pick it from the list.")
        for row, issue in self.refs.problems():
            return f"Reference photo {row + 1}: {issue} Remove it or fix the URL."
        return None

    # --- reactions ------------------------------------------------------------------------------------

    def _pick_single_market(self) -> None:
        """Enter on a code ("uk") or a partly typed name ("Ger") picks its entry when only one matches."""
        matches = market_matches(self.market_combo.currentText())
        if len(matches) == 1:
            self.set_country(matches[0])

    def _asin_edited(self, text: str) -> None:
        parsed = parse_product_input(text)
        if parsed and parsed.country:
            self.asin_edit.setText(parsed.asin)
            self.set_country(parsed.country)
            return
        if "/" in text or "." in text:
            return  # a link being typed: leave it alone until it parses
        clean = "".join(text.split()).upper()
        if clean != text:
            pos = self.asin_edit.cursorPosition()
            self.asin_edit.setText(clean)
            self.asin_edit.setCursorPosition(min(pos, len(clean)))

    def _type_changed(self, *_args) -> None:
        self.type_desc.setText(LISTING_TYPES.get(self.listing_type(), ""))
        self.update_state()

    def update_state(self, *_args) -> None:
        problem = self.problem()
        self.generate_button.setEnabled(problem is None)
        self.hint.setText(problem or f"Ready: {self.asin()} {in_country(self.country() or '')} as "
                          f"{listing_type_name(self.listing_type())}"
                          + (" (sandbox: no credits used)" if self.settings.sandbox else ""))
        alarming = problem and not self._busy and (self.asin_edit.text().strip() or self.refs.problems())
        self.hint.setStyleSheet(f"color: {theme.colors()['error_text' if alarming else 'muted']};")
        row = self.refs.currentRow()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.refs.count() - 1)
        self.remove_button.setEnabled(row >= 0)

    def url_problem(self, url: str) -> str | None:
        return reference_url_problem(url, api_is_local=self.settings.api_is_local)

    def add_drop(self, content: DropContent) -> None:
        """Add the URLs of a drop or paste; anything else is refused with a message, unchanged."""
        urls = content.urls  # http(s) only; a URL the service can't reach is added but flagged
        skipped = content.rejected + [f"file {f}" for f in content.files]
        skipped += ["image data"] * len(content.data)
        if not urls:
            what = ", ".join(skipped[:3]) or "nothing usable"
            self.service.error.emit("INVALID_IMAGE_URL", f"That drop holds no image URL ({what}). Reference photos must "
                                    "be public https links to images; nothing was changed.")
            return
        added = self.refs.add_urls(urls, self.url_problem)
        if skipped:
            self.service.error.emit("INVALID_IMAGE_URL", f"Added {added}; ignored what is not an image URL: "
                                    + ", ".join(skipped[:3]) + ("…" if len(skipped) > 3 else ""))
        self.update_state()

    # --- generate ----------------------------------------------------------------------------------

    def generate(self) -> None:
        if self.problem() is not None:
            self.update_state()
            return
        request = self.request()
        self._set_busy("Waiting for your answer…")
        self.ask_before_generate(request, lambda: self._generate(request), lambda: self._set_busy(""))

    def _generate(self, request: ListingRequest) -> None:
        self._set_busy("")
        urls = self.refs.urls()
        if urls and not self.settings.sandbox:  # a paid submission: prove the photos are reachable first
            self._set_busy("Checking the reference photos…")
            self.service.tasks.spawn(self._check_then_submit(request, urls), key="submit-check")
            return
        self._submit(request)

    async def _check_then_submit(self, request: ListingRequest, urls: list[str]) -> None:
        bad = 0
        try:
            for row, url in enumerate(urls):
                problem = await self.service.check_reference_image(url)
                if problem and row < self.refs.count() and self.refs.item(row).data(Qt.ItemDataRole.UserRole) == url:
                    self.refs.set_problem(row, f"not reachable as an image ({problem}).")
                    bad += 1
        finally:
            self._set_busy("")
        if bad:
            self.service.error.emit("INVALID_IMAGE_URL", f"{bad} reference photo(s) could not be fetched as images; "
                                    "nothing was submitted and no credits were used.")
            return
        self._submit(request)

    def _submit(self, request: ListingRequest) -> None:
        self._set_busy("Submitting…")
        self.request_ready.emit(request)
        self.service.submit(request)

    def _submit_finished(self, ok: bool) -> None:
        self._set_busy("")

    def _set_busy(self, text: str) -> None:
        self._busy = text
        self.update_state()
