"""The publish window's "Also publish to" choice: other marketplaces of the fetched listing's region (one seller
account), each published on its own after the fetched one — previewed, journalled and undoable on its own
(:func:`desktop_app.core.publish.multi.publish_many`) — with one result line per marketplace."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolButton

from desktop_app.api.amazon.marketplaces import MARKETPLACES
from desktop_app.api.pixii.vocab import country_name
from desktop_app.core.publish.multi import markets_of, publish_many
from desktop_app.ui.publish.slots import esc


class MarketPicker(QToolButton):
    """A button with a menu of checkable marketplaces (``alsoMarket<CC>``); empty until a listing is fetched."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("alsoMarketsButton")
        self.setAccessibleName("Also publish to other marketplaces")
        self.setToolTip("Publish the same images to other marketplaces of this region too, each on its own")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setMenu(QMenu(self))
        self.set_region(None)

    def set_region(self, country: str | None) -> None:
        """The other marketplaces of ``country``'s region (None: none, before a fetch)."""
        menu = self.menu()
        menu.clear()
        region = MARKETPLACES[country].region if country in MARKETPLACES else None
        for code, market in sorted(MARKETPLACES.items()):
            if region is not None and market.region == region and code != country:
                action = QAction(country_name(code), menu, checkable=True, objectName=f"alsoMarket{code}")
                action.setData(code)
                action.toggled.connect(self._label)
                menu.addAction(action)
        self.setEnabled(bool(menu.actions()))
        self._label()

    def action(self, country: str) -> QAction | None:
        return next((a for a in self.menu().actions() if a.data() == country), None)

    def checked(self) -> list[str]:
        """The country codes chosen."""
        return [a.data() for a in self.menu().actions() if a.isChecked()]

    def _label(self, *_args) -> None:
        chosen = [country_name(c) for c in self.checked()]
        self.setText(f"Also: {', '.join(chosen)}" if chosen else "Also publish to…")


async def publish_also(publish, view, values, countries: list[str], *, job_id: str, validate_only: bool,
                       progress=None) -> str:
    """The same images to each of ``countries``; the result lines (rich text), "" when there is none.
    ``progress`` hears each step as one rich-text line naming its marketplace."""
    if not countries:
        return ""
    step = (lambda market, line: progress(f"{esc(country_name(market.country))}: {esc(line)}")) if progress else None
    results = await publish_many(publish, view.sku, markets_of(countries), values, validate_only=validate_only,
                                 job_id=job_id or None, on_progress=step)
    lines = []
    for market, result in results:
        if isinstance(result, Exception):
            code = getattr(result, "code", None) or type(result).__name__
            why = getattr(result, "words", None) or getattr(result, "message", None) or str(result)
            text = f"<b>not sent</b> — {esc(why)} ({esc(code)})"
        elif result.status == "ACCEPTED":
            text = "<b>submitted</b> (to undo it, fetch the listing in that marketplace)"
        elif result.status == "VALID":
            text = "<b>valid</b> — nothing was sent"
        else:
            issues = f"{len(result.issues)} issue{'s' if len(result.issues) != 1 else ''}: " if result.issues else ""
            text = f"<b>refused by Amazon's check</b> — {issues}nothing was sent ({esc(result.status or '—')})"
        lines.append(f"{esc(country_name(market.country))}: {text}")
    return "<br>".join(lines)
