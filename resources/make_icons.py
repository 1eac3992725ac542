"""Render the icon set from icons/io.github.listingstudio.ListingStudio.svg with Qt's SVG renderer.

Writes the hicolor PNGs (Linux), io.github.listingstudio.ListingStudio.ico (Windows: 16-256 px) and
io.github.listingstudio.ListingStudio.icns (macOS: 32-1024 px, Retina sizes included), every size rendered
from the SVG rather than scaled from another bitmap.

Run: .venv/bin/python resources/make_icons.py   (the outputs are committed; rerun after editing the SVG)
"""

import io
import os
import sys
from pathlib import Path

from PIL import Image

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)
APP_ID = "io.github.listingstudio.ListingStudio"
HERE = Path(__file__).resolve().parent
ICONS = HERE / "icons"


def render(sizes) -> dict[int, bytes]:
    """The SVG drawn at each size, as PNG files."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv)  # noqa: F841 - needed for image plugins
    renderer = QSvgRenderer(str(ICONS / f"{APP_ID}.svg"))
    images = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        buffer = QBuffer()
        buffer.open(QBuffer.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        images[size] = bytes(buffer.data())
    return images


def main() -> int:
    pngs = render(sorted(set(SIZES) | set(ICO_SIZES) | set(ICNS_SIZES)))
    for size in SIZES:
        out = ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(pngs[size])
    images = {size: Image.open(io.BytesIO(png)).convert("RGBA") for size, png in pngs.items()}
    largest_ico = images[max(ICO_SIZES)]
    largest_ico.save(ICONS / f"{APP_ID}.ico", sizes=[(s, s) for s in ICO_SIZES],
                     append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    images[max(ICNS_SIZES)].save(ICONS / f"{APP_ID}.icns", append_images=[images[s] for s in ICNS_SIZES])
    return 0


if __name__ == "__main__":
    sys.exit(main())
