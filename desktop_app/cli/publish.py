"""``listing-studio listing / publish / undo``: publishing to Amazon through SP-API (cli-contract.md,
"Publishing to Amazon"). All logic lives in :mod:`desktop_app.core.publish.service`.

Exit codes: 0 ACCEPTED (VALID with --validate-only; for ``listing``, read); 2 invalid input or configuration, no
request; 3 Amazon refused (its ``errors[].code`` on stderr) or the submission is INVALID (each issue on stderr);
6 unreachable or throttled after retries; 1 unexpected internal error.

``publish --country DE,FR,IT`` (several marketplaces of one region): for each marketplace the lines of a
single-country publish, each starting with its country; with --json one object, {"sku": str, "marketplaces":
[single-country report, …], "error": null | {code, message}}; the exit code is the highest of the marketplaces' own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from desktop_app.api.amazon.marketplaces import with_countries
from desktop_app.api.amazon.models import SLOTS
from desktop_app.api.answers import printable
from desktop_app.cli.output import EXIT_INPUT, EXIT_OK, EXIT_REFUSED, Outcome, say, failure_outcome
from desktop_app.cli.interrupt import CommandInterrupted, Interrupts
from desktop_app.core.validation import InputError

COMMANDS = ("listing", "publish", "undo", "watch")


def add_publish_parsers(sub: argparse._SubParsersAction) -> None:
    from desktop_app.cli.help import command
    sku_help = "your seller SKU of the listing (as in Seller Central)"
    country_help = "marketplace country code (US, GB or UK, DE, JP …; CN has no SP-API marketplace)"
    countries_help = (country_help + "; for publish, several of one region separated by commas (DE,FR,IT): each "
                      "marketplace previewed, journalled and undoable on its own")
    li = command(sub, "listing", "the live Amazon listing: product type, ASIN, title, image slots, issues")
    li.add_argument("--sku", required=True, metavar="SKU", help=sku_help)
    li.add_argument("--country", required=True, metavar="CC", help=country_help)
    li.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    p = command(sub, "publish", "publish images to an Amazon listing (validated by Amazon first)")
    p.add_argument("--sku", required=True, metavar="SKU", help=sku_help)
    p.add_argument("--country", required=True, metavar="CC[,CC...]", help=countries_help)
    p.add_argument("--job", metavar="JOB_ID", help="publish this job's approved images by slot (image 0 → MAIN, "
                   "i → PTi); approve them in the window or with `listing-studio approve`")
    p.add_argument("--slot", action="append", default=[], metavar="SLOT=INDEX|FILE_OR_URL",
                   help=f"put one image into one slot ({', '.join(SLOTS)}): with --job a job image's index, "
                   "else a local file (hosted on your S3 bucket first) or a public https URL; repeatable")
    p.add_argument("--validate-only", action="store_true",
                   help="only ask Amazon whether it would accept the change (VALIDATION_PREVIEW); change nothing")
    p.add_argument("--full-put", action="store_true", help="send the whole listing (putListingsItem) with only the "
                   "image attributes changed, instead of a patch of the image attributes")
    p.add_argument("--any-asin", action="store_true",
                   help="publish --job images onto a listing of another ASIN than the job's (else ASIN_MISMATCH)")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout (on every exit code)")
    u = command(sub, "undo", "put back the image slots a publish replaced")
    u.add_argument("submission_id", metavar="SUBMISSION_ID",
                   help="the submission a publish printed (its number, or Amazon's submissionId)")
    u.add_argument("--json", action="store_true", help="print one JSON object on stdout (on every exit code)")
    from desktop_app.cli.watch import add_watch_parser
    add_watch_parser(sub)


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
    return with_countries(f"{issue.severity} {issue.code} {where}: {issue.message}")


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


def _announce(rt: Any) -> None:
    """Said once the input is known to be good, right before the first request."""
    sp = rt.spapi_settings
    if sp.sandbox:
        say(f"Using the SP-API sandbox (seller {sp.seller_id}): nothing reaches Amazon.")


async def cmd_listing(args: argparse.Namespace, rt: Any, report: dict[str, Any]) -> int:
    from desktop_app.api.amazon import marketplaces
    from desktop_app.core.publish.service import normalize_sku
    report["marketplace_id"] = marketplaces.for_country(args.country).marketplace_id  # CN: exit 2, no request
    normalize_sku(args.sku)
    _announce(rt)
    view = await rt.publish.fetch_listing(args.sku, args.country)
    report.clear()
    report.update(sku=view.sku, marketplace_id=view.marketplace_id, asin=view.asin, product_type=view.product_type,
                  title=view.title, slots=dict(view.slots), issues=[i.to_json() for i in view.issues])
    if not args.json:
        print("\t".join(printable(v) for v in (view.sku, view.country, view.marketplace_id, view.asin or "-",
                                                view.product_type or "-", view.title or "")))
        for slot in SLOTS:
            print(f"{slot}\t{printable(view.slots.get(slot) or '-')}")
    for issue in view.issues:
        say(f"issue: {_issue_line(issue)}")
    return EXIT_OK


def _assignments(args: argparse.Namespace, rt: Any) -> dict[str, Any]:
    """Every local check of the images (the core repeats them) before the notice and any request."""
    from desktop_app.core.publish.service import normalize_sku
    from desktop_app.core.publish.images import check_assignments, normalize_slot
    normalize_sku(args.sku)
    if not args.job and not args.slot:
        raise InputError("NO_IMAGES", "Give --job JOB_ID or at least one --slot SLOT=FILE_OR_URL")
    slots = parse_slots(args.slot, job=bool(args.job))
    for slot in slots:
        normalize_slot(slot)
    service = rt.publish
    assignments = service.job_assignments(args.job.strip(), slots or None) if args.job else slots
    check_assignments(assignments, service.host)
    return assignments


async def cmd_publish(args: argparse.Namespace, rt: Any, report: dict[str, Any]) -> int:
    from desktop_app.api.amazon import marketplaces
    from desktop_app.core.publish.service import AsinMismatch
    report["marketplace_id"] = marketplaces.for_country(args.country).marketplace_id  # CN: exit 2, no request
    report["operation"] = "put" if args.full_put else "patch"
    assignments = _assignments(args, rt)
    service = rt.publish
    _announce(rt)
    last = service.store.last_id()
    try:
        outcome = await service.publish(args.sku, args.country, assignments, validate_only=args.validate_only,
                                        full_put=args.full_put, job_id=args.job.strip() if args.job else None,
                                        any_asin=args.any_asin, on_warnings=_say_warnings, on_progress=say)
    except AsinMismatch as exc:
        raise Outcome(EXIT_INPUT, exc.code, f"{exc.message}; give --any-asin to publish onto it anyway") from None
    except Exception:
        _say_unknown(service, last)
        raise
    return _finish(outcome, report, rt, validate_only=args.validate_only)


def _say_warnings(warnings: list[str]) -> None:
    """Every image's compliance warnings, said before the preview is sent; the publish goes on."""
    for warning in warnings:
        say(f"warning: {warning}")


def _say_unknown(service: Any, last_id: int) -> None:
    """A publish whose real request got no answer: say plainly that Amazon may have applied it."""
    for rec in service.store.lost_since(last_id):
        say(f"unknown: the answer to the real request was lost — Amazon may have applied it [submission {rec.id}, "
             "state unknown]. Check with `listing-studio listing` before publishing again; the next start of the "
             "window settles it.")


async def cmd_undo(args: argparse.Namespace, rt: Any, report: dict[str, Any]) -> int:
    service = rt.publish
    record = service.find(args.submission_id)
    report.update(sku=record.sku, marketplace_id=record.marketplace_id, operation="patch")
    service.undo_plan(record.id)  # every local check before the notice
    _announce(rt)
    outcome = await service.undo(record.id)
    return _finish(outcome, report, rt, undo_of=record.id)


def _finish(outcome: Any, report: dict[str, Any], rt: Any, *, validate_only: bool = False,
            undo_of: int | None = None, prefix: str = "") -> int:
    """``prefix``: the marketplace's country and a colon, when one publish covers several."""
    _outcome_json(report, outcome)
    for issue in outcome.issues:
        say(f"{prefix}{outcome.status}: {_issue_line(issue)}")
    changed = [s for s, (b, a) in outcome.slots.items() if b != a]
    what = ", ".join(changed) or "no slot"
    if outcome.status == "INVALID":
        sent = "nothing was sent" if outcome.mode else "Amazon did not apply it"
        raise Outcome(EXIT_REFUSED, "INVALID", f"Amazon says the submission is INVALID ({len(outcome.issues)} "
                      f"issue(s)); {sent} [submission {outcome.record_id}]")
    if outcome.status == "VALID":
        say(f"{prefix}VALID: Amazon would accept {what} ({outcome.operation}); nothing was sent (--validate-only)")
        return EXIT_OK
    verb = f"undo of submission {undo_of}" if undo_of is not None else f"{outcome.operation} of {what}"
    say(f"{prefix}ACCEPTED: {verb} submitted to Amazon as submission {outcome.record_id} (Amazon's submissionId "
         f"{outcome.submission_id}), not yet live" + ("" if undo_of is not None else
                                                      f"; undo with `listing-studio undo {outcome.record_id}`"))
    return EXIT_OK


async def cmd_publish_many(args: argparse.Namespace, rt: Any, report: dict[str, Any]) -> int:
    """``publish --country DE,FR,IT``: the same slots published to several marketplaces of one region, each
    previewed, journalled and undoable on its own (:mod:`desktop_app.core.publish.multi`). Fills
    ``report["marketplaces"]`` (one single-country report each, in the order given) as it goes; the exit code is the
    highest of theirs (a problem found before any request is exit 2 for all of them)."""
    from desktop_app.logs import setup_logging
    reports: list[dict[str, Any]] = report["marketplaces"]
    from desktop_app.core.publish.service import AsinMismatch
    from desktop_app.core.publish.multi import markets_of, publish_many
    markets = markets_of(args.country)  # CN, an unknown code or several regions: exit 2, no request
    for market in markets:
        report = _report(args.sku.strip())
        report.update(marketplace_id=market.marketplace_id, operation="put" if args.full_put else "patch")
        reports.append(report)
    assignments = _assignments(args, rt)
    _announce(rt)
    service = rt.publish
    last = service.store.last_id()
    results = await publish_many(service, args.sku, markets, assignments, validate_only=args.validate_only,
                                 full_put=args.full_put, job_id=args.job.strip() if args.job else None,
                                 any_asin=args.any_asin,
                                 on_warnings=lambda m, warnings: _say_warnings([f"{m.country}: {w}" for w in warnings]),
                                 on_progress=lambda m, line: say(f"{m.country}: {line}"))
    codes = []
    for (market, result), report in zip(results, reports):
        prefix = f"{market.country}: "
        try:
            if isinstance(result, AsinMismatch):
                raise Outcome(EXIT_INPUT, result.code, f"{result.message}; give --any-asin to publish onto it anyway")
            if isinstance(result, BaseException):
                raise result
            codes.append(_finish(result, report, rt, validate_only=args.validate_only, prefix=prefix))
        except Exception as exc:  # noqa: BLE001 — this marketplace's result, said on its own line
            outcome = failure_outcome(exc, setup_logging())  # already set up: only its path
            message = with_countries(outcome.message or "")
            say(f"{prefix}error: {outcome.code}: {message}")
            report["error"] = {"code": outcome.code, "message": message}
            codes.append(outcome.exit_code)
    _say_unknown(service, last)
    return max(codes, default=EXIT_OK)


async def _run(args: argparse.Namespace, report: dict[str, Any], interrupts: Interrupts) -> int:
    from desktop_app.config import load_settings
    from desktop_app.runtime import Runtime
    rt = Runtime(load_settings())
    interrupts.on_stop(rt.stop_sending)
    try:
        from desktop_app.cli.watch import cmd_watch
        handler = cmd_publish_many if "marketplaces" in report else {
            "listing": cmd_listing, "publish": cmd_publish, "undo": cmd_undo, "watch": cmd_watch}[args.command]
        return await handler(args, rt, report)
    finally:
        await rt.aclose()


def main(args: argparse.Namespace, log_file: Path) -> int:
    sku = (getattr(args, "sku", None) or "").strip()
    report: Any
    if args.command == "publish" and "," in (args.country or ""):
        report = {"sku": sku, "marketplaces": [], "error": None}  # one report each (cmd_publish_many)
    elif args.command == "watch":
        report = {"listings": [], "error": None}
    elif args.command == "listing":
        report = {"sku": sku, "marketplace_id": None, "asin": None, "product_type": None, "title": None,
                  "slots": {}, "issues": []}
    else:
        report = _report(sku)
    interrupts = Interrupts()
    try:
        code = asyncio.run(interrupts.run(_run(args, report, interrupts)))
    except (KeyboardInterrupt, CommandInterrupted) as exc:
        code = getattr(exc, "exit_code", 130)
        hint = ("nothing more was sent to Amazon; every submission is in the journal (a change already sent "
                "shows in listing-studio listing); re-run the same command to go on")
        say(f"interrupted: {hint}")
        report["error"] = {"code": "INTERRUPTED", "message": f"Interrupted; {hint}"}
    except BaseException as exc:  # every failure ends as one line on stderr and an exit code
        outcome = failure_outcome(exc, log_file)
        code = outcome.exit_code
        outcome.message = with_countries(outcome.message or "")
        say(f"error: {outcome.code}: {outcome.message}")
        report["error"] = {"code": outcome.code, "message": outcome.message}
    if getattr(args, "json", False):
        print(json.dumps(report))
    return code
