"""Render the PNG icon sizes from icons/io.github.listingstudio.ListingStudio.svg with Qt's SVG renderer.

Run: .venv/bin/python resources/make_icons.py   (the PNGs are committed; rerun after editing the SVG)
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
HERE = Path(__file__).resolve().parent


def main() -> int:
    app = QGuiApplication(sys.argv)  # noqa: F841 - needed for font/image plugins
    renderer = QSvgRenderer(str(HERE / "icons" / "io.github.listingstudio.ListingStudio.svg"))
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = HERE / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "io.github.listingstudio.ListingStudio.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        image.save(str(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
