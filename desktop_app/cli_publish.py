"""``listing-studio listing / publish / undo``: publishing to Amazon through SP-API (cli-contract.md,
"Publishing to Amazon"). All logic lives in :mod:`desktop_app.core.publish`.

Exit codes: 0 ACCEPTED (VALID with --validate-only; for ``listing``, read); 2 invalid input or configuration, no
request; 3 Amazon refused (its ``errors[].code`` on stderr) or the submission is INVALID (each issue on stderr);
6 unreachable or throttled after retries; 1 unexpected internal error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from .api.spapi_models import SLOTS
from .cli import EXIT_OK, EXIT_REFUSED, Outcome, _say, failure_outcome
from .cli_interrupt import CommandInterrupted, Interrupts
from .core.validation import InputError

COMMANDS = ("listing", "publish", "undo")


def add_publish_parsers(sub: argparse._SubParsersAction) -> None:
    li = sub.add_parser("listing", help="the live Amazon listing: product type, ASIN, title, image slots, issues")
    li.add_argument("--sku", required=True)
    li.add_argument("--country", required=True)
    li.add_argument("--json", action="store_true")
    p = sub.add_parser("publish", help="publish images to an Amazon listing (validated first)")
    p.add_argument("--sku", required=True)
    p.add_argument("--country", required=True)
    p.add_argument("--job", metavar="JOB_ID")
    p.add_argument("--slot", action="append", default=[], metavar="SLOT=INDEX|FILE_OR_URL",
                   help=f"slots: {', '.join(SLOTS)}")
    p.add_argument("--validate-only", action="store_true")
    p.add_argument("--full-put", action="store_true")
    p.add_argument("--json", action="store_true")
    u = sub.add_parser("undo", help="put back the image slots a publish replaced")
    u.add_argument("submission_id", metavar="SUBMISSION_ID")
    u.add_argument("--json", action="store_true")


def _report(sku: str) -> dict[str, Any]:
    return {"sku": sku, "marketplace_id": None, "operation": None, "mode": None, "status": None,
            "submission_id": None, "issues": [], "slots": {}, "error": None}


def _outcome_json(report: dict[str, Any], outcome: Any) -> None:
    report.update(sku=outcome.sku, marketplace_id=outcome.marketplace_id, operation=outcome.operation,
                  mode=outcome.mode, status=outcome.status, submission_id=outcome.submission_id,
                  issues=[i.to_json() for i in outcome.issues],
                  slots={s: {"before": b, "after": a} for s, (b, a) in outcome.slots.items()})


def _issue_line(issue: Any) -> str:
    where = ",".join(issue.attribute_names) or "-"
    return f"{issue.severity} {issue.code} {where}: {issue.message}"


def parse_slots(values: list[str], *, job: bool) -> dict[str, Any]:
    """``SLOT=INDEX`` (with --job) or ``SLOT=FILE_OR_URL``; slot names are checked by the core."""
    result: dict[str, Any] = {}
    for raw in values:
        slot, sep, value = raw.partition("=")
        slot, value = slot.strip().upper(), value.strip()
        if not sep or not slot or not value:
            raise InputError("INVALID_SLOT", f"'{raw}': use SLOT=" + ("INDEX" if job else "FILE_OR_URL"))
        if slot in result:
            raise InputError("DUPLICATE_SLOT", f"Slot {slot} is given twice")
        if job:
            if not value.isdigit():
                raise InputError("INVALID_SLOT", f"'{raw}': with --job a slot takes a job image's index")
            result[slot] = int(value)
        elif "://" in value:
            result[slot] = value
        else:
            path = Path(value).expanduser()
            if not path.is_file():
                raise InputError("FILE_NOT_FOUND", f"{slot}: {value} is not a file (or an https URL)")
            result[slot] = path.resolve()
    return result


async def cmd_listing(args: argparse.Namespace, rt: Any, report: dict[str, Any]) -> int:
    from .api import marketplaces
    report["marketplace_id"] = marketplaces.for_country(args.country).marketplace_id  # CN: exit 2, no request
    view = await rt.publish.fetch_listing(args.sku, args.country)
    report.clear()
    report.update(sku=view.sku, marketplace_id=view.marketplace_id, asin=view.asin, product_type=view.product_type,
                  title=view.title, slots=dict(view.slots), issues=[i.to_json() for i in view.issues])
    if not args.json:
        print(f"{view.sku}\t{view.country}\t{view.marketplace_id}\t{view.asin or '-'}\t{view.product_type or '-'}\t"
              f"{view.title or ''}")
        for slot in SLOTS:
            print(f"{slot}\t{view.slots.get(slot) or '-'}")
    for issue in view.issues:
        _say(f"issue: {_issue_line(issue)}")
    return EXIT_OK


async def cmd_publish(args: argparse.Namespace, rt: Any, report: dict[str, Any]) -> int:
    from .api import marketplaces
    from .core.publish_images import normalize_slot
    report["marketplace_id"] = marketplaces.for_country(args.country).marketplace_id  # CN: exit 2, no request
    report["operation"] = "put" if args.full_put else "patch"
    if not args.job and not args.slot:
        raise InputError("NO_IMAGES", "Give --job JOB_ID or at least one --slot SLOT=FILE_OR_URL")
    slots = parse_slots(args.slot, job=bool(args.job))
    for slot in slots:
        normalize_slot(slot)
    service = rt.publish
    if args.job:
        assignments = service.job_assignments(args.job.strip(), slots or None)
    else:
        assignments = slots
    last = service.store.last_id()
    try:
        outcome = await service.publish(args.sku, args.country, assignments, validate_only=args.validate_only,
                                        full_put=args.full_put, job_id=args.job.strip() if args.job else None)
    except Exception:
        _say_unknown(service, last)
        raise
    return _finish(outcome, report, rt, validate_only=args.validate_only)


def _say_unknown(service: Any, last_id: int) -> None:
    """A publish whose real request got no answer: say plainly that Amazon may have applied it."""
    for rec in service.store.lost_since(last_id):
        _say(f"unknown: the answer to the real request was lost — Amazon may have applied it [record {rec.id}, "
             "state unknown]. Check with `listing-studio listing` before publishing again; the next start of the "
             "window settles it.")


async def cmd_undo(args: argparse.Namespace, rt: Any, report: dict[str, Any]) -> int:
    service = rt.publish
    record = service.find(args.submission_id)
    report.update(sku=record.sku, marketplace_id=record.marketplace_id, operation="patch")
    outcome = await service.undo(record.id)
    return _finish(outcome, report, rt, undo_of=record.id)


def _finish(outcome: Any, report: dict[str, Any], rt: Any, *, validate_only: bool = False,
            undo_of: int | None = None) -> int:
    _outcome_json(report, outcome)
    for warning in outcome.warnings:
        _say(f"warning: {warning}")
    for issue in outcome.issues:
        _say(f"{outcome.status}: {_issue_line(issue)}")
    changed = [s for s, (b, a) in outcome.slots.items() if b != a]
    what = ", ".join(changed) or "no slot"
    if outcome.status == "INVALID":
        sent = "nothing was sent" if outcome.mode else "Amazon did not apply it"
        raise Outcome(EXIT_REFUSED, "INVALID", f"Amazon says the submission is INVALID ({len(outcome.issues)} "
                      f"issue(s)); {sent} [record {outcome.record_id}]")
    if outcome.status == "VALID":
        _say(f"VALID: Amazon would accept {what} ({outcome.operation}); nothing was sent (--validate-only)")
        return EXIT_OK
    verb = f"undo of record {undo_of}" if undo_of is not None else f"{outcome.operation} of {what}"
    _say(f"ACCEPTED: {verb} submitted to Amazon (submission {outcome.submission_id}), not yet live; "
         f"record {outcome.record_id}" + ("" if undo_of is not None else
                                          f" (listing-studio undo {outcome.record_id})"))
    return EXIT_OK


async def _run(args: argparse.Namespace, report: dict[str, Any], interrupts: Interrupts) -> int:
    from .config import load_settings
    from .runtime import Runtime
    rt = Runtime(load_settings())
    interrupts.on_stop(rt.stop_sending)
    try:
        sp = rt.spapi_settings
        if sp.sandbox:
            _say(f"Using the SP-API sandbox (seller {sp.seller_id}): nothing reaches Amazon.")
        handler = {"listing": cmd_listing, "publish": cmd_publish, "undo": cmd_undo}[args.command]
        return await handler(args, rt, report)
    finally:
        await rt.aclose()


def main(args: argparse.Namespace, log_file: Path) -> int:
    sku = (getattr(args, "sku", None) or "").strip()
    if args.command == "listing":
        report: dict[str, Any] = {"sku": sku, "marketplace_id": None, "asin": None, "product_type": None,
                                  "title": None, "slots": {}, "issues": []}
    else:
        report = _report(sku)
    interrupts = Interrupts()
    try:
        code = asyncio.run(interrupts.run(_run(args, report, interrupts)))
    except (KeyboardInterrupt, CommandInterrupted) as exc:
        code = getattr(exc, "exit_code", 130)
        hint = ("nothing more was sent to Amazon; every submission is in the journal (a change already sent "
                "shows in listing-studio listing); re-run the same command to go on")
        _say(f"interrupted: {hint}")
        report["error"] = {"code": "INTERRUPTED", "message": f"Interrupted; {hint}"}
    except BaseException as exc:  # every failure ends as one line on stderr and an exit code
        outcome = failure_outcome(exc, log_file)
        code = outcome.exit_code
        _say(f"error: {outcome.code}: {outcome.message}")
        report["error"] = {"code": outcome.code, "message": outcome.message}
    if getattr(args, "json", False):
        print(json.dumps(report))
    return code
