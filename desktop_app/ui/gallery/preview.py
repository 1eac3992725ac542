"""Large preview of the selected image: fit to the window, 100 %, wheel zoom; text for errors."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPixmap
from PySide6.QtWidgets import QFrame, QGraphicsPixmapItem, QGraphicsScene, QGraphicsTextItem, QGraphicsView

from desktop_app.ui.common import theme

ZOOM_STEP = 1.25
MIN_ZOOM, MAX_ZOOM = 0.02, 16.0


class PreviewView(QGraphicsView):
    zoom_changed = Signal(float)   # current scale (1.0 = 100 %)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("preview")
        self.setAccessibleName("Image preview")
        self.setAccessibleDescription("The selected image. Mouse wheel zooms, F fits, 1 shows 100 %.")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setRenderHints(QPainter.RenderHint.SmoothPixmapTransform | QPainter.RenderHint.Antialiasing)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setMinimumSize(200, 160)
        self._scene = QGraphicsScene(self)
        self.setScene(self._scene)
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._item)
        self._text = QGraphicsTextItem()
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self._text.setFont(font)
        self._scene.addItem(self._text)
        self.fit_mode = True
        self._error = False
        self.show_message("Select a job, then an image, to preview it here.")
        theme.on_change(self, self._restyle)

    def _restyle(self) -> None:
        self.setBackgroundBrush(theme.color("preview_bg"))
        self._text.setDefaultTextColor(theme.color("error_text" if self._error else "muted"))

    # --- content ----------------------------------------------------------------------------------

    def has_image(self) -> bool:
        return not self._item.pixmap().isNull() and self._item.isVisible()

    def show_pixmap(self, pixmap: QPixmap) -> None:
        self._text.hide()
        self._item.setPixmap(pixmap)
        self._item.show()
        self._scene.setSceneRect(QRectF(pixmap.rect()))
        if self.fit_mode:
            self.fit()
        else:
            self.set_zoom(self.zoom())

    def show_message(self, text: str, error: bool = False) -> None:
        self._item.hide()
        self._item.setPixmap(QPixmap())
        self.resetTransform()
        self._error = error
        self._text.setDefaultTextColor(theme.color("error_text" if error else "muted"))
        self._text.setTextWidth(max(200, self.viewport().width() - 40))
        self._text.setPlainText(text)
        self._text.show()
        self._scene.setSceneRect(self._text.boundingRect())
        self.zoom_changed.emit(1.0)

    def message(self) -> str:
        return self._text.toPlainText() if self._text.isVisible() else ""

    # --- zoom -------------------------------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = min(MAX_ZOOM, max(MIN_ZOOM, factor))
        self.resetTransform()
        self.scale(factor, factor)
        self.zoom_changed.emit(factor)

    def fit(self) -> None:
        self.fit_mode = True
        if self.has_image():
            self.fitInView(self._item, Qt.AspectRatioMode.KeepAspectRatio)
            self.zoom_changed.emit(self.zoom())

    def actual_size(self) -> None:
        self.fit_mode = False
        if self.has_image():
            self.set_zoom(1.0)

    def zoom_by(self, steps: float) -> None:
        if not self.has_image():
            return
        self.fit_mode = False
        self.set_zoom(self.zoom() * ZOOM_STEP ** steps)

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta().y()
        if delta and self.has_image():
            self.zoom_by(delta / 120.0)
            event.accept()
        else:
            super().wheelEvent(event)

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key == Qt.Key.Key_F:
            self.fit()
        elif key == Qt.Key.Key_1:
            self.actual_size()
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_by(1)
        elif key == Qt.Key.Key_Minus:
            self.zoom_by(-1)
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit_mode and self.has_image():
            self.fitInView(self._item, Qt.AspectRatioMode.KeepAspectRatio)
        elif self._text.isVisible():
            self._text.setTextWidth(max(200, self.viewport().width() - 40))
