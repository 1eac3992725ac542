"""``listing-studio batch FILE.csv [--country CC] [--type TYPE] [--export DIR] [--naming amazon|index]
[--dry-run] [--json]``: many jobs at the pace the rate limits allow (design/cli-contract.md, "Batches").

Exit codes: 0 every row completed and downloaded (and exported); 2 invalid rows or options, nothing
sent; 3 stopped by the daily limit or a refusal that stops the batch (the rows left are named); 5 the
batch ran to its end but some rows failed or are partial; 6 unreachable after retries (re-run to resume).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from desktop_app.api.errors import ApiRefused
from desktop_app.cli.output import say
from desktop_app.core.batch.rows import ParsedBatch, parse_batch, plan_batch, read_batch_file
from desktop_app.core.batch.progress import BatchProgress, BatchResult, RowState
from desktop_app.core.batch.bookkeeping import BatchBusy
from desktop_app.core.batch.runner import BatchRunner
from desktop_app.core.batch.store import BatchStore
from desktop_app.core.images.export import NAMING_PRESETS, check_export_dir
from desktop_app.core.jobs.submission_limiter import Limits, SubmissionLimiter
from desktop_app.core.validation import InputError

HEARTBEAT = 15.0
EXIT_OK, EXIT_INPUT, EXIT_REFUSED, EXIT_PARTIAL = 0, 2, 3, 5


def add_batch_parser(sub: argparse._SubParsersAction) -> None:
    from desktop_app.cli.help import command
    b = command(sub, "batch", "many jobs from a CSV file (or '-' for standard input), at the pace the rate limits "
                "allow")
    b.add_argument("file", metavar="FILE.csv", help="UTF-8 CSV: asin,country_code,listing_type,main_image_url,"
                   "other_image_urls (header optional), or one ASIN / Amazon link per line; '-' reads standard input")
    b.add_argument("--country", metavar="CC", help="marketplace for rows that name none (e.g. US, DE, GB)")
    b.add_argument("--type", metavar="TYPE", help="listing type for rows that name none (e.g. amazon_listing)")
    b.add_argument("--export", metavar="DIR", help="copy every finished image into DIR; when two rows would write "
                   "the same name, the later row's go into DIR/line-N/")
    b.add_argument("--naming", metavar="amazon|index", help="file names in DIR: amazon = ASIN.MAIN.jpg, "
                   "ASIN.PT01.jpg …; index = ASIN_01.jpg … (default: by each row's listing type)")
    b.add_argument("--dry-run", action="store_true", help="validate every row and print the plan; send nothing")
    b.add_argument("--json", action="store_true", help="print one JSON object on stdout (on every exit code)")


class BatchReport:
    """The ``--json`` object of ``batch``."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {"batch_id": None, "rows": [], "submitted": 0, "completed": 0, "failed": 0,
                                     "remaining": 0, "error": None}

    def parsed(self, batch: ParsedBatch) -> None:
        self.data["batch_id"] = batch.batch_id
        rows = [_row_json(RowState(r)) for r in batch.rows]
        for bad in batch.invalid:
            rows.append({"line": bad.line, "asin": None, "country": None, "listing_type": None, "job_id": None,
                         "status": None, "error_code": None, "error": {"code": bad.code, "message": bad.reason},
                         "images": []})
        self.data["rows"] = sorted(rows, key=lambda r: r["line"])
        self.data["remaining"] = len(batch.rows)

    def result(self, result: BatchResult) -> None:
        self.data["rows"] = [_row_json(r) for r in result.rows]
        p = result.progress
        self.data.update(submitted=p.submitted, completed=p.completed, failed=p.failed, remaining=p.remaining)


def _row_json(state: RowState) -> dict[str, Any]:
    from desktop_app.cli.output import image_json
    r = state.row.request
    return {"line": state.line, "asin": r.asin, "country": r.country_code, "listing_type": r.listing_type,
            "job_id": state.job_id, "status": state.status, "error_code": state.job_error,
            "error": {"code": state.error[0], "message": state.error[1]} if state.error else None,
            "images": [image_json(i) for i in state.images]}


class Printer:
    """Row events and a heartbeat with counts and the ETA, on stderr."""

    def __init__(self, export_dir: Path | None) -> None:
        self.beat = time.monotonic()
        self.export_dir = export_dir

    def row(self, state: RowState) -> None:
        r = state.row.request
        head = f"line {state.line} {r.asin} ({r.country_code}, {r.listing_type})"
        if state.error:
            say(f"{head}: {state.error[0]}: {state.error[1]}")
        elif state.phase == "done":
            where = sorted({str(i.file.parent) for i in state.images if i.file}) if self.export_dir else []
            say(f"{head}: completed, {len(state.images)} image(s) " + (f"exported to {', '.join(where)}"
                                                                       if where else "kept in the cache"))
        elif state.job_id:
            say(f"{head}: {state.job_id} {state.status}")

    def progress(self, p: BatchProgress) -> None:
        now = time.monotonic()
        if now - self.beat < HEARTBEAT:
            return
        self.beat = now
        eta = f"; about {p.eta:.0f} s to go" if p.eta is not None else ""
        say(f"batch: {p.submitted}/{p.total} submitted, {p.completed} completed, {p.failed} failed, "
             f"{p.remaining} not sent yet{eta}")


def _known_prices(rt: Any) -> dict[str, float]:
    prices: dict[str, float] = {}
    for job in reversed(rt.journal.jobs(service=rt.settings.service)):
        if job.credit_cost is not None and job.listing_type:
            prices[job.listing_type] = job.credit_cost
    return prices


def _groups(batch: ParsedBatch, done: set[int]) -> list[dict[str, Any]]:
    """The rows still to submit, counted per marketplace and listing type (in the file's order)."""
    counts: dict[tuple[str, str], int] = {}
    for row in batch.rows:
        if row.line not in done:
            key = (row.request.country_code, row.request.listing_type)
            counts[key] = counts.get(key, 0) + 1
    return [{"country": c, "listing_type": t, "rows": n} for (c, t), n in counts.items()]


def _plan_text(batch_id: str, plan: Any, groups: list[dict[str, Any]], limits: dict[str, int]) -> str:
    width = max((len(g["listing_type"]) for g in groups), default=0)
    lines = [f"batch {batch_id}", plan.describe()]
    lines += [f"  {g['country']:<3} {g['listing_type']:<{width}} {g['rows']:>4}" for g in groups]
    lines.append(f"rate limits: {limits['per_minute']} a minute, {limits['per_day']} a day "
                 f"({limits['left_today']} left today)")
    return "\n".join(lines)


def _end(report: BatchReport, code: int, error_code: str, message: str) -> int:
    """A non-zero end: one stderr line and the JSON's ``error`` (raised exceptions end the same way
    through cli.main; this path is for results that are not exceptions)."""
    say(f"error: {error_code}: {message}")
    report.data["error"] = {"code": error_code, "message": message}
    return code


async def cmd_batch(args: argparse.Namespace, rt: Any, report: BatchReport) -> int:
    from desktop_app.cli.output import exit_for
    if args.naming and args.naming not in NAMING_PRESETS:
        raise InputError("INVALID_NAMING", f"'{args.naming}' is not a naming preset; use amazon or index")
    batch = parse_batch(read_batch_file(args.file), country=args.country, listing_type=args.type,
                        api_is_local=rt.settings.api_is_local)
    report.parsed(batch)
    if batch.invalid:
        for bad in batch.invalid:
            say(f"line {bad.line}: {bad.code}: {bad.reason}")
        return _end(report, EXIT_INPUT, "INVALID_ROWS", f"{len(batch.invalid)} invalid row(s); nothing was sent")
    if not batch.rows:
        return _end(report, EXIT_INPUT, "EMPTY_BATCH", f"{args.file} holds no rows to submit")
    export_dir = check_export_dir(Path(args.export)) if args.export and not args.dry_run else None
    limiter = SubmissionLimiter(rt.journal, rt.settings.service, rt.client.rate_limits, Limits.from_env())
    done_before = {line for line, s in BatchStore(rt.journal).submissions(batch.batch_id).items() if s.job_id}
    plan = plan_batch(batch, limiter, submitted_lines=done_before, key_mode=rt.client.mode,
                      sandbox=rt.settings.sandbox, known_prices=_known_prices(rt))
    if args.dry_run:
        groups = _groups(batch, done_before)
        limits = {"per_minute": limiter.per_minute, "per_day": limiter.per_day, "left_today": limiter.day_remaining()}
        report.data["plan"] = {"rows": plan.rows, "to_submit": plan.to_submit,
                               "min_seconds": round(plan.min_seconds, 1),
                               "fit_today": plan.fit_today, "credits": plan.credits, "groups": groups, **limits}
        if not args.json:
            print(_plan_text(batch.batch_id, plan, groups, limits))
        return EXIT_OK
    say(f"batch {batch.batch_id}: {plan.describe()}")
    if rt.settings.sandbox:
        say("Using the embedded sandbox: sample images, no credits used.")
    printer = Printer(export_dir)
    runner = BatchRunner(rt.jobs, batch, limiter=limiter, export_dir=export_dir, naming=args.naming,
                         source=args.file, on_progress=printer.progress, on_row=printer.row)
    try:
        result = await runner.run()
    except BatchBusy as exc:
        return _end(report, EXIT_INPUT, exc.code, exc.message)
    except asyncio.CancelledError:  # Ctrl+C or SIGTERM: the rows as they stand
        report.result(runner.result())
        raise
    report.result(result)
    p = result.progress
    if result.fatal is not None:
        outcome = exit_for(result.fatal)
        message = outcome.message or ""
        if not isinstance(result.fatal, ApiRefused):
            message += f"; re-run the same command to resume ({p.remaining} row(s) not sent yet)"
        return _end(report, outcome.exit_code, outcome.code or result.fatal.code, message)
    if result.stop_code:
        return _end(report, EXIT_REFUSED, result.stop_code, f"{result.stop_message}; {p.remaining} row(s) left "
                    "for the next run (re-run the same command)")
    if p.failed:
        return _end(report, EXIT_PARTIAL, "PARTIAL", f"{p.failed} of {p.total} row(s) failed or are partial")
    say(f"batch {batch.batch_id}: all {p.total} row(s) completed")
    return EXIT_OK
