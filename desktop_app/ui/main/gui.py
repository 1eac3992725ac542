"""``listing-studio gui`` (the default): the window's shell is shown and painted first, with nothing but Qt
and the colours loaded; the event loop, the settings, the HTTP client, the keyring and the main window load
behind it (:func:`.app.run_studio`), and the main window takes the shell's place."""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtWidgets import QApplication  # noqa: E402  (PySide6 before qasync: binding choice)

from desktop_app import APP_NAME  # noqa: E402
from desktop_app.nocore import disable_core_dumps  # noqa: E402


def run_gui(argv: list[str] | None = None) -> int:
    """Open the main window; returns the process exit code."""
    disable_core_dumps()
    parser = argparse.ArgumentParser(prog="listing-studio gui")
    parser.add_argument("--smoke", type=float, nargs="?", const=1.0, metavar="SECONDS",
                        help="quit by itself after SECONDS (default 1; a start-up check)")
    parser.add_argument("--screenshot", metavar="PNG", help="save a picture of the window (with --smoke)")
    scheme = parser.add_mutually_exclusive_group()
    scheme.add_argument("--dark", action="store_true", help="dark colours, whatever the system uses")
    scheme.add_argument("--light", action="store_true", help="light colours, whatever the system uses")
    options, qt_args = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    qt_args = [a for a in qt_args if a != "gui"]  # `listing-studio gui` reaches here with its command name

    from desktop_app.ui.common import theme
    from desktop_app.ui.main.shell import StartupShell

    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setQuitOnLastWindowClosed(False)
    theme.set_app_identity(app)
    theme.apply_scheme(app, "dark" if options.dark else "light" if options.light else theme.forced_scheme())
    shell = StartupShell(APP_NAME)
    shell.show_and_paint()

    from desktop_app.ui.main.studio import run_studio
    return run_studio(shell, options.smoke, options.screenshot)
