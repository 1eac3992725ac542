"""Colours, palette and icon of the window.

The colour scheme follows the system (Qt 6.5+: ``QStyleHints.colorScheme()``); ``--dark`` /
``--light`` or ``LISTING_STUDIO_COLOR_SCHEME=dark|light`` force one (Fusion style with a fixed
palette: deterministic for screenshots and tests). Custom colours are picked per scheme by
``colors()``; widgets with style sheets re-style themselves on ``theme_changed()``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from shiboken6 import isValid

APP_ID = "io.github.listingstudio.ListingStudio"
SCHEME_ENV = "LISTING_STUDIO_COLOR_SCHEME"

LIGHT = {
    "muted": "#5f6368", "error_text": "#b3261e", "error_tile": "#fce8e6", "tile": "#ffffff",
    "tile_selected": "#e8f0fe", "tile_border": "#dadce0", "accent": "#1a73e8", "placeholder": "#f1f3f4",
    "preview_bg": "#f8f9fa", "green": "#188038", "red": "#c5221f", "approve_text": "#137333",
    "reject_text": "#a50e0e", "focus": "#0b57d0",
    "error_bg": "#fce8e6", "error_border": "#f4c7c3", "error_fg": "#a50e0e",
    "info_bg": "#e6f4ea", "info_border": "#ceead6", "info_fg": "#0d652d",
    "notice_bg": "#fef7e0", "notice_border": "#f9d77e", "notice_fg": "#7a4f01",
}
DARK = {
    "muted": "#a8adb4", "error_text": "#f28b82", "error_tile": "#3c2424", "tile": "#2b2d30",
    "tile_selected": "#1f3556", "tile_border": "#4a4d52", "accent": "#8ab4f8", "placeholder": "#35373b",
    "preview_bg": "#1e1f22", "green": "#1e8e3e", "red": "#d93025", "approve_text": "#81c995",
    "reject_text": "#f28b82", "focus": "#a8c7fa",
    "error_bg": "#3c2424", "error_border": "#8c3a35", "error_fg": "#f6aea9",
    "info_bg": "#1e3a2a", "info_border": "#2f6b45", "info_fg": "#a8dab5",
    "notice_bg": "#3d3220", "notice_border": "#8a6d2a", "notice_fg": "#fde293",
}


def is_dark(palette: QPalette | None = None) -> bool:
    """Dark when the window background is dark (true for a forced scheme and for the system's)."""
    if palette is None:
        app = QGuiApplication.instance()
        if app is None:
            return False
        palette = QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def colors() -> dict[str, str]:
    return DARK if is_dark() else LIGHT


_QCOLORS: dict[bool, dict[str, QColor]] = {}


def qcolors() -> dict[str, QColor]:
    """``colors()`` as QColors, made once per scheme (for painting code that runs per item). Shared: copy one
    before changing it."""
    dark = is_dark()
    found = _QCOLORS.get(dark)
    if found is None:
        found = _QCOLORS[dark] = {name: QColor(value) for name, value in (DARK if dark else LIGHT).items()}
    return found


def color(name: str) -> QColor:
    return QColor(colors()[name])


def dark_palette() -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    for role, value in ((roles.Window, "#2b2d30"), (roles.WindowText, "#e8eaed"), (roles.Base, "#1e1f22"),
                        (roles.AlternateBase, "#26282b"), (roles.ToolTipBase, "#3c4043"),
                        (roles.ToolTipText, "#e8eaed"), (roles.Text, "#e8eaed"), (roles.Button, "#3c3f41"),
                        (roles.ButtonText, "#e8eaed"), (roles.BrightText, "#ff8a80"), (roles.Link, "#8ab4f8"),
                        (roles.Highlight, "#3b6fd1"), (roles.HighlightedText, "#ffffff"),
                        (roles.PlaceholderText, "#9aa0a6"), (roles.Light, "#505357"), (roles.Midlight, "#45484c"),
                        (roles.Mid, "#35373b"), (roles.Dark, "#1b1c1e"), (roles.Shadow, "#000000")):
        p.setColor(role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.WindowText, roles.Text, roles.ButtonText):
        p.setColor(disabled, role, QColor("#7c8087"))
    p.setColor(disabled, roles.Button, QColor("#323437"))
    return p


def light_palette() -> QPalette:
    from PySide6.QtWidgets import QStyleFactory
    style = QStyleFactory.create("Fusion")
    return style.standardPalette()


def forced_scheme(argv: list[str] | None = None) -> str:
    """"dark", "light" or "" (follow the system), from the command line or the environment."""
    argv = argv or []
    if "--dark" in argv:
        return "dark"
    if "--light" in argv:
        return "light"
    value = os.environ.get(SCHEME_ENV, "").strip().lower()
    return value if value in ("dark", "light") else ""


def apply_scheme(app, scheme: str) -> None:
    """Force a scheme (Fusion + a fixed palette); "" leaves the system's choice alone."""
    if scheme not in ("dark", "light"):
        return
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme"):
        from PySide6.QtCore import Qt  # its enums take long to load: not on the way to the first frame
        hints.setColorScheme(Qt.ColorScheme.Dark if scheme == "dark" else Qt.ColorScheme.Light)
    app.setStyle("Fusion")
    app.setPalette(dark_palette() if scheme == "dark" else light_palette())
    notifier().changed.emit()


# --- change notification -------------------------------------------------------------------------------

class _ThemeNotifier(QObject):
    changed = Signal()

    def __init__(self) -> None:
        super().__init__(QGuiApplication.instance())
        self._timer = QTimer(self, singleShot=True, interval=0)  # after Qt updated the palette
        self._timer.timeout.connect(self.changed.emit)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(lambda _scheme: self._timer.start())


_NOTIFIER: _ThemeNotifier | None = None


def notifier() -> _ThemeNotifier:
    global _NOTIFIER
    if _NOTIFIER is None:
        _NOTIFIER = _ThemeNotifier()
    return _NOTIFIER


def on_change(widget, callback) -> None:
    """Call ``callback`` now and whenever the colour scheme changes, for as long as ``widget`` lives (the
    callback may belong to a plain object the widget owns, which Qt would not disconnect by itself)."""
    callback()
    changed = notifier().changed

    def follow() -> None:
        if isValid(widget):
            callback()

    changed.connect(follow)
    widget.destroyed.connect(lambda *_a: changed.disconnect(follow))


# --- icon ------------------------------------------------------------------------------------------------

def icon_dirs() -> list[Path]:
    """Where the icons are: next to the frozen app (PyInstaller), or in the source tree."""
    import desktop_app

    dirs = []
    if getattr(sys, "_MEIPASS", None):
        dirs.append(Path(sys._MEIPASS) / "resources" / "icons")
    dirs.append(Path(desktop_app.__file__).resolve().parent.parent / "resources" / "icons")
    return [d for d in dirs if d.is_dir()]


def app_icon() -> QIcon:
    icon = QIcon()
    for base in icon_dirs():
        for png in sorted(base.glob(f"hicolor/*/apps/{APP_ID}.png")):
            icon.addFile(str(png))
        svg = base / f"{APP_ID}.svg"
        if svg.is_file():
            icon.addFile(str(svg))
        if not icon.isNull():
            break
    if icon.isNull():
        icon = QIcon.fromTheme(APP_ID)
    return icon


def set_app_identity(app) -> QIcon:
    """The application icon and desktop-file name (Wayland uses it to find the .desktop file)."""
    app.setDesktopFileName(APP_ID)
    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)
    return icon


# --- style sheets ------------------------------------------------------------------------------------------

def pill_style(kind: str) -> str:
    """A small rounded label ("notice": amber, "info": green, "error": red) readable in both schemes."""
    c = colors()
    return (f"QLabel {{ background: {c[kind + '_bg']}; color: {c[kind + '_fg']}; border: 1px solid "
            f"{c[kind + '_border']}; border-radius: 4px; padding: 2px 8px; font-weight: 600; }}")


def banner_style(kind: str) -> str:
    c = colors()
    return (f"QFrame#errorBanner {{ background: {c[kind + '_bg']}; border: 1px solid {c[kind + '_border']};"
            f" border-radius: 6px; }} QLabel {{ color: {c[kind + '_fg']}; }}")


def banner_row_style(name: str, kind: str) -> str:
    """One row of the message banner (the frame named ``name``) in the colours of ``kind``."""
    c = colors()
    return (f"QFrame#{name} {{ background: {c[kind + '_bg']}; border: 1px solid {c[kind + '_border']};"
            f" border-radius: 6px; }} QFrame#{name} QLabel {{ color: {c[kind + '_fg']}; }}")


def muted_style() -> str:
    return f"color: {colors()['muted']};"
