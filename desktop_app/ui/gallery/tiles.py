"""The gallery's tiles: thumbnail, caption, review badge; error tiles with their code and message."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QToolTip

from desktop_app.ui.common import theme
from desktop_app.core.compliance.checker import platform_of, slot_for
from desktop_app.ui.gallery.compliance_badge import MARKS, PLATFORM_NAMES, WORDS
from desktop_app.ui.gallery.model import THUMB_EDGE, Tile, tile_of

TILE = QSize(THUMB_EDGE + 16, THUMB_EDGE + 34)
ANTIALIASED = QPainter.RenderHint.Antialiasing
SELECTED, HAS_FOCUS = QStyle.StateFlag.State_Selected, QStyle.StateFlag.State_HasFocus
NO_BRUSH = Qt.BrushStyle.NoBrush
ZWSP = "\u200b"  # lets a long error code wrap after its underscores


def _elide_lines(metrics, text: str, width: int, lines: int) -> str:
    """``text`` word-wrapped to at most ``lines`` lines of ``width``, the last one elided."""
    words, out, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if metrics.horizontalAdvance(trial) <= width or not line:
            line = trial
            continue
        out.append(line)
        line = word
        if len(out) == lines - 1:
            break
    rest = " ".join([line] + words[len(" ".join(out + [line]).split()):]) if line else ""
    if rest:
        out.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
    return "\n".join(out[:lines])


class TileDelegate(QStyledItemDelegate):
    checker = None  # a ComplianceChecker (set by the gallery): pass / warning / fail mark on each tile

    def sizeHint(self, option, index) -> QSize:
        return TILE

    def verdict(self, index: QModelIndex):
        """The compliance verdict of the tile's image for its export slot (None: not checked yet, or no image)."""
        return self._verdict(tile_of(index), index.model())

    def _verdict(self, tile: Tile | None, model):
        if self.checker is None or tile is None or not tile.path or tile.error:
            return None
        platform = platform_of(getattr(model, "listing_type", "") or "")
        return self.checker.verdict(tile.path, platform, slot_for(platform, tile.record.index))

    def rules_text(self, index: QModelIndex) -> str:
        """The badge's words: "Rules ✓" / "Rules !" / "Rules ✗" ("" while unchecked)."""
        verdict = self.verdict(index)
        return f"Rules {MARKS[verdict.level]}" if verdict is not None else ""

    def rules_tip(self, index: QModelIndex) -> str:
        """What the badge means: the platform's image rules for the tile's slot, and why."""
        verdict = self.verdict(index)
        if verdict is None:
            return ""
        platform = PLATFORM_NAMES[platform_of(getattr(index.model(), "listing_type", "") or "")]
        return f"{platform} image rules: {WORDS[verdict.level]} (approval is the round mark)\n{verdict.reasons()}"

    def helpEvent(self, event, view, option, index) -> bool:
        tip = self.rules_tip(index) if index.isValid() else ""
        if not tip or event is None:
            return super().helpEvent(event, view, option, index)
        QToolTip.showText(event.globalPos(), f"{index.data(Qt.ItemDataRole.ToolTipRole) or ''}\n{tip}", view)
        return True

    @staticmethod
    def _paint_rules(painter: QPainter, option, verdict, rect: QRectF, c: dict[str, QColor]) -> None:
        """The image-rules badge, top left: an outlined label on the tile's colour, quieter than the review mark."""
        if verdict is None:
            return
        text, level = f"Rules {MARKS[verdict.level]}", verdict.level
        ink = {"pass": c["muted"], "warning": c["notice_fg"], "fail": c["error_text"]}[level]
        small = QFont(option.font)
        small.setPixelSize(11)
        painter.setFont(small)
        width = painter.fontMetrics().horizontalAdvance(text) + 10
        badge = QRectF(rect.left() + 6, rect.top() + 6, width, 17)
        back = QColor(c["tile"])
        back.setAlpha(225)
        painter.setPen(QPen(ink if level != "pass" else c["tile_border"], 1))
        painter.setBrush(back)
        painter.drawRoundedRect(badge, 8.5, 8.5)
        painter.setPen(ink)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)

    def paint(self, painter: QPainter, option, index: QModelIndex) -> None:
        """One tile. It runs for every visible tile at every repaint: the tile's values come in one call and
        the colours are made once per scheme."""
        model = index.model()
        tile = tile_of(index)
        if tile is None:
            return
        painter.save()
        painter.setRenderHint(ANTIALIASED)
        rect = QRectF(option.rect).adjusted(3, 3, -3, -3)
        state = option.state
        selected = bool(state & SELECTED)
        error, review = tile.error, tile.review
        c = theme.qcolors()
        painter.setBrush(c["error_tile"] if error else c["tile_selected"] if selected else c["tile"])
        painter.setPen(QPen(c["accent"] if selected else c["tile_border"], 2.5 if selected else 1))
        painter.drawRoundedRect(rect, 6, 6)
        painter.setBrush(NO_BRUSH)
        if state & HAS_FOCUS:  # the keyboard's place: a ring around the tile
            painter.setPen(QPen(c["focus"], 2))
            painter.drawRoundedRect(QRectF(option.rect).adjusted(1, 1, -1, -1), 8, 8)
        art = QRect(int(rect.left()) + 5, int(rect.top()) + 5, THUMB_EDGE, THUMB_EDGE)
        if error:
            code, message = error
            painter.setPen(c["error_text"])
            bold = QFont(option.font)
            bold.setBold(True)
            painter.setFont(bold)
            head = art.adjusted(6, 6, -6, -THUMB_EDGE // 2)
            painter.drawText(head, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap,
                             "⚠\n" + code.replace("_", "_" + ZWSP))
            painter.setFont(option.font)
            painter.setPen(c["muted"])
            body = art.adjusted(8, THUMB_EDGE // 2 + 4, -8, -4)
            lines = max(1, body.height() // max(1, painter.fontMetrics().lineSpacing()))
            painter.drawText(body, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
                             _elide_lines(painter.fontMetrics(), message, body.width(), lines))
        else:
            pixmap = tile.pixmap
            if tile.state == "loading":
                painter.setPen(c["muted"])
                painter.drawText(art, Qt.AlignmentFlag.AlignCenter, "Downloading…")
            elif isinstance(pixmap, QPixmap) and not pixmap.isNull():
                size = pixmap.deviceIndependentSize().toSize().scaled(art.size(), Qt.AspectRatioMode.KeepAspectRatio)
                target = QRect(0, 0, size.width(), size.height())
                target.moveCenter(art.center())
                if review == "rejected":
                    painter.setOpacity(0.4)
                painter.drawPixmap(target, pixmap)
                painter.setOpacity(1.0)
        painter.setPen(option.palette.color(option.palette.ColorRole.Text))
        text_rect = QRect(int(rect.left()), art.bottom() + 4, int(rect.width()), 20)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter,
                         painter.fontMetrics().elidedText(tile.caption or "", Qt.TextElideMode.ElideRight, text_rect.width() - 8))
        if review in ("approved", "rejected"):
            badge = QRectF(rect.right() - 30, rect.top() + 6, 24, 24)
            painter.setPen(QPen(QColor("white"), 2))
            painter.setBrush(c["green"] if review == "approved" else c["red"])
            painter.drawEllipse(badge)
            mark = QFont(option.font)
            mark.setBold(True)
            mark.setPixelSize(15)
            painter.setFont(mark)
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, "✓" if review == "approved" else "✗")
        self._paint_rules(painter, option, self._verdict(tile, model), rect, c)
        painter.restore()
