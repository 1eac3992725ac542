"""``listing-studio``: the window (``gui``, the default), or one command of :mod:`.cli_commands`.

The window paints before anything of the command line is imported, and a command never imports Qt.
The commands' shared names (``build_parser``, ``Outcome``, the exit codes, ``_say``…) live in :mod:`.cli_commands`.
"""

from __future__ import annotations

import sys

from desktop_app.nocore import disable_core_dumps

GUI_OPTIONS = ("--smoke", "--screenshot", "--dark", "--light")


def main(argv: list[str] | None = None) -> int:
    disable_core_dumps()
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] == "gui" or argv[0].split("=")[0] in GUI_OPTIONS:
        from desktop_app.ui.main.gui import run_gui
        return run_gui(argv[1:] if argv and argv[0] == "gui" else argv)
    from desktop_app.cli.commands import run
    return run(argv)


if __name__ == "__main__":
    sys.exit(main())
