"""``listing-studio watch``: one look at every listing published from this app, for cron (cli/help.py, "watch").
The judgement lives in :mod:`desktop_app.core.publish.watch`.

Exit codes: 0 every listing fine or still waiting; 5 a publish rejected or a listing suppressed; 6 unreachable;
2 invalid configuration; 1 unexpected internal error.
"""

from __future__ import annotations

import argparse
from typing import Any

from desktop_app.cli.output import EXIT_OK, EXIT_PARTIAL, say


def add_watch_parser(sub: argparse._SubParsersAction) -> None:
    from desktop_app.cli.help import command
    w = command(sub, "watch", "one look at every listing published from this app: live, another contributor's "
                "image, rejected or suppressed")
    w.add_argument("--json", action="store_true", help="print one JSON object on stdout (on every exit code)")


async def cmd_watch(args: argparse.Namespace, rt: Any, report: dict[str, Any]) -> int:
    from desktop_app.core.publish.watch import check_all
    service = rt.publish
    found = await check_all(service)
    report["listings"] = [h.to_json() for h in found]
    if not args.json:
        for health in found:
            print(health.line())
    bad = [h for h in found if h.bad]
    for health in bad:
        say(f"{health.outcome}: {health.line()}; undo with `listing-studio undo {health.record.id}`")
    if not found:
        say("No listing was published from this app yet: nothing to watch.")
    return EXIT_PARTIAL if bad else EXIT_OK
