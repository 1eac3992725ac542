"""``listing-studio approve JOB_ID INDEX... [--reject | --clear] [--json]``: the window's approvals from the
shell (the same journal column), so that ``publish --job`` can publish a job's images by slot headless.

Exit codes: 0 marked; 2 invalid input (an index the job does not have, a job without images yet), nothing
changed; 3 JOB_NOT_FOUND (not in the local journal); 1 unexpected internal error.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from desktop_app.cli.output import EXIT_OK, say, failure_outcome


def add_approve_parser(sub: argparse._SubParsersAction) -> None:
    from desktop_app.cli.help import command
    a = command(sub, "approve", "approve (or reject, or clear) a job's images, as the window's gallery does")
    a.add_argument("job_id", metavar="JOB_ID", help="a job in the local journal (listing-studio jobs lists them)")
    a.add_argument("indexes", metavar="INDEX", nargs="+", type=_index,
                   help="image numbers as the service orders them: 0 is the main image (MAIN), i goes to PTi")
    which = a.add_mutually_exclusive_group()
    which.add_argument("--reject", action="store_true", help="mark the images rejected instead")
    which.add_argument("--clear", action="store_true", help="take back the approval or rejection")
    a.add_argument("--json", action="store_true", help="print one JSON object on stdout (on every exit code)")


def _index(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not an image number (0, 1, 2 …)")
    return int(text)


def _run(args: argparse.Namespace, report: dict[str, Any]) -> int:
    from desktop_app.config import load_settings
    from desktop_app.store.journal import Journal
    from desktop_app.core.jobs.reviews import set_reviews
    review = None if args.clear else "rejected" if args.reject else "approved"
    journal = Journal(load_settings(read_keyring=False).journal_path)
    try:
        images = set_reviews(journal, args.job_id.strip(), args.indexes, review)
    finally:
        journal.close()
    report["images"] = [{"index": i.index, "review": i.review} for i in images]
    approved = [f"#{i.index}" for i in images if i.review == "approved"]
    say(f"{args.job_id}: " + ", ".join(f"#{i}" for i in dict.fromkeys(args.indexes)) + f" {review or 'cleared'}; "
         f"approved now: {', '.join(approved) or 'none'}")
    if approved:
        say(f"next: listing-studio publish --sku SKU --country CC --job {args.job_id}")
    return EXIT_OK


def main(args: argparse.Namespace, log_file: Path) -> int:
    report: dict[str, Any] = {"job_id": args.job_id, "images": [], "error": None}
    try:
        code = _run(args, report)
    except BaseException as exc:  # every failure ends as one line on stderr and an exit code
        outcome = failure_outcome(exc, log_file)
        code = outcome.exit_code
        say(f"error: {outcome.code}: {outcome.message}")
        report["error"] = {"code": outcome.code, "message": outcome.message}
    if args.json:
        print(json.dumps(report))
    return code
