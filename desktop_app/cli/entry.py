"""``listing-studio``: the window (``gui``, the default), or one command of :mod:`desktop_app.cli.commands`.

The window paints before anything of the command line is imported, and a command never imports Qt.
The exit codes, ``Outcome`` and the stderr line that the commands share live in :mod:`desktop_app.cli.output`.
"""

from __future__ import annotations

import os
import sys

from desktop_app.nocore import disable_core_dumps

GUI_OPTIONS = ("--smoke", "--screenshot", "--dark", "--light")
EXIT_STDOUT_CLOSED = 141   # 128 + SIGPIPE, as for the signals (130, 143)


def main(argv: list[str] | None = None) -> int:
    disable_core_dumps()
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] == "gui" or argv[0].split("=")[0] in GUI_OPTIONS:
        from desktop_app.ui.main.gui import run_gui
        return run_gui(argv[1:] if argv and argv[0] == "gui" else argv)
    from desktop_app.cli.commands import run
    try:
        code = run(argv)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        return stdout_closed()


def stdout_closed() -> int:
    """Whoever read stdout stopped reading (``listing-studio jobs | head``): the rest has nowhere to go, and
    that is no error to report — no traceback, no line; the exit code a shell gives a command its reader left."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # the flush at exit fails quietly
    except OSError:
        pass
    return EXIT_STDOUT_CLOSED


if __name__ == "__main__":
    sys.exit(main())
