"""The commands of ``listing-studio``: ``generate/status/jobs/export/batch/sandbox``; ``listing/publish/undo``
(Amazon SP-API) live in :mod:`desktop_app.cli.publish`, ``check/fix`` (image rules) in :mod:`desktop_app.cli.images`.
The window (``gui``, the default) starts from :mod:`desktop_app.cli.entry` without importing this module. What the
commands share to end and to speak (exit codes, :class:`Outcome`, the stderr line) is :mod:`desktop_app.cli.output`.

The contract is ../shared/design/cli-contract.md: exit codes, one stderr line per problem,
exactly one JSON object on stdout with ``--json``. All logic lives in the shared core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from desktop_app.api.answers import printable
from desktop_app.api.errors import ApiError, ApiRefused
from desktop_app.api.pixii.models import ListingRequest
from desktop_app.api.pixii.vocab import COUNTRY_CODES, LISTING_TYPES
from desktop_app.cli.interrupt import CommandInterrupted, Interrupts
from desktop_app.cli.output import (EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, EXIT_PARTIAL, EXIT_UNREACHABLE, JobReport,
                                     Outcome, failure_outcome, resume_hint, say)
from desktop_app.config import load_settings
from desktop_app.store.datadir import DataDirError
from desktop_app.core.images.export import NAMING_PRESETS, check_export_dir, default_naming, stale_files
from desktop_app.core.housekeeping import stop_writes
from desktop_app.core.jobs.service import ImageOutcome
from desktop_app.store.journal import JobRecord
from desktop_app.core.validation import (InputError, normalize_asin, normalize_country, normalize_listing_type,
                                         normalize_reference_url)
from desktop_app.logs import setup_logging

def _naming(value: str | None, listing_type: str) -> str:
    naming = value or default_naming(listing_type or "amazon_listing")
    if naming not in NAMING_PRESETS:
        raise InputError("INVALID_NAMING", f"'{value}' is not a naming preset; use amazon or index")
    return naming


async def _finish(rt: Any, report: JobReport, record: JobRecord, export_dir: Path | None,
                  naming: str | None) -> int:
    """Wait for a job, download its images, export them; returns the exit code."""
    if not record.terminal:
        record = await rt.jobs.wait(record.job_id)
    report.job(record)
    if record.status == "failed":
        raise Outcome(EXIT_FAILED, record.error_code or "JOB_FAILED", f"job {record.job_id} failed: "
                      f"{record.error_code or 'no reason given'}")
    await rt.jobs.download_images(record.job_id)
    if export_dir is not None:
        naming = _naming(naming, record.listing_type)
        images = await rt.jobs.export(record.job_id, export_dir, naming)
    else:
        images = rt.jobs.outcomes(record.job_id)
    report.images(images)
    if export_dir is not None:  # the files are exported unchanged; say which break the platform's image rules
        _report_stale(report, export_dir, record.asin, naming, images)
        from desktop_app.core.compliance.checker import file_warnings
        cached = {img.index: img.cache_path for img in rt.jobs.journal.images(record.job_id) if img.cached}
        files = [(i.index, i.file, cached.get(i.index, i.file)) for i in images if i.file]
        for line in await asyncio.to_thread(file_warnings, files, record.listing_type):
            say(f"warning: {line}")
    bad = [i for i in images if i.error_code]
    if bad:
        raise Outcome(EXIT_PARTIAL, "PARTIAL", f"{len(bad)} of {len(images)} images of job {record.job_id} "
                      "failed: " + "; ".join(f"#{i.index} {i.error_code}" for i in bad))
    written = [i.file for i in images if i.file]
    say(f"{record.job_id}: completed, {len(written)} image(s) " + (f"exported to {export_dir}" if export_dir else "cached"))
    return EXIT_OK


def _report_stale(report: JobReport, export_dir: Path, asin: str, naming: str, images: list[ImageOutcome]) -> None:
    """Name the files of this ASIN in the folder that this export neither wrote nor confirmed (never deleted)."""
    stale = stale_files(export_dir, asin, naming, {i.file for i in images if i.file})
    for path in stale:
        say(f"stale: {path}")
    report.data["stale"] = [str(p) for p in stale]


async def cmd_generate(args: argparse.Namespace, rt: Any, report: JobReport) -> int:
    request = _request_from_args(args, rt.settings.api_is_local)
    export_dir = check_export_dir(Path(args.export)) if args.export else None
    naming = _naming(args.naming, request.listing_type) if args.export else None
    if export_dir is not None:
        report.data["stale"] = []
    if rt.settings.sandbox:
        say("Using the embedded sandbox: sample images, no credits used.")
    record = await rt.jobs.submit(request)
    report.job(record)
    if args.no_wait:
        say(f"{record.job_id}: {record.status}; continue with `listing-studio export {record.job_id} DIR` "
             f"(waits, downloads, exports) or check with `listing-studio status {record.job_id}`")
        return EXIT_OK
    return await _finish(rt, report, record, export_dir, naming)


def _request_from_args(args: argparse.Namespace, api_is_local: bool) -> ListingRequest:
    asin = normalize_asin(args.asin)
    country = normalize_country(args.country)
    listing_type = normalize_listing_type(args.type)
    main = normalize_reference_url(args.main_image, api_is_local=api_is_local) if args.main_image else None
    others = tuple(normalize_reference_url(u, api_is_local=api_is_local) for u in args.image or ())
    return ListingRequest(asin, country, listing_type, main, others)


async def cmd_status(args: argparse.Namespace, rt: Any, report: JobReport) -> int:
    report.data["job_id"] = args.job_id
    record = await rt.jobs.refresh(args.job_id)
    report.job(record)
    images = rt.jobs.outcomes(record.job_id, downloaded=False) if record.status == "completed" else []
    report.images(images)
    say(f"{record.job_id}: {record.status}" + (f" ({record.error_code})" if record.error_code else ""))
    waiting = [i for i in images if not i.file and not i.error_code]
    if waiting:
        say(f"{len(waiting)} image(s) not downloaded yet: `listing-studio export {record.job_id} DIR` downloads "
             "and exports them")
    if record.status == "failed":
        raise Outcome(EXIT_FAILED, record.error_code or "JOB_FAILED", f"job {record.job_id} failed: {record.error_code}")
    return EXIT_OK


async def cmd_export(args: argparse.Namespace, rt: Any, report: JobReport) -> int:
    report.data["job_id"] = args.job_id
    export_dir = check_export_dir(Path(args.dir))
    report.data["stale"] = []
    if args.naming:
        _naming(args.naming, "")
    record = await rt.jobs.refresh_or_journal(args.job_id)
    report.job(record)
    return await _finish(rt, report, record, export_dir, args.naming)


async def cmd_jobs(args: argparse.Namespace, rt: Any) -> tuple[int, dict]:
    asin = normalize_asin(args.asin) if args.asin else None
    rows: list[dict[str, Any]] = []
    try:
        await rt.jobs.reconcile()
        service_jobs = await rt.client.list_jobs(asin) if asin else []
    except ApiError as exc:
        if isinstance(exc, ApiRefused):
            raise
        say(f"warning: the service is unreachable ({exc.code}); showing the local journal only")
        service_jobs = []
    journal = rt.journal.jobs(asin)
    known = {j.job_id for j in journal}
    for j in journal:
        rows.append({"job_id": j.job_id, "asin": j.asin, "country": j.country, "listing_type": j.listing_type,
                     "status": j.status, "created_at": j.created_at, "source": "journal"})
    for s in service_jobs:
        if s.id not in known:
            rows.append({"job_id": s.id, "asin": asin, "country": None, "listing_type": None, "status": s.status,
                         "created_at": s.created_at, "source": "service"})
    rows.sort(key=lambda r: r["created_at"] or "", reverse=True)
    if not args.json:
        for r in rows:
            print("\t".join(printable(v) for v in (r["job_id"], r["asin"], r["country"] or "-",
                                                    r["listing_type"] or "-", r["status"], r["created_at"], r["source"])))
        if not rows:
            say("No jobs yet.")
    return EXIT_OK, {"jobs": rows}


# the commands whose parsers are made here: run one of them and the other commands' modules are not imported
OWN_COMMANDS = frozenset(("gui", "generate", "status", "jobs", "export", "sandbox"))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every command's parser; ``only`` (one of OWN_COMMANDS): that command's alone, which spares importing the
    modules of the others (batch, publishing, image rules…) — the whole parser is built for anything else."""
    from desktop_app.cli.help import EXAMPLES, FORMATTER, VersionAction, add_window_options, command
    p = argparse.ArgumentParser(prog="listing-studio", description="AI listing images from an ASIN (Pixii Listing "
                                "Builder), reviewed, exported and published to Amazon.", epilog=EXAMPLES[""],
                                formatter_class=FORMATTER)
    p.add_argument("--version", action=VersionAction, help="print the version and exit")
    add_window_options(p)
    sub = p.add_subparsers(dest="command", title="commands", metavar="COMMAND",
                           help="without one, the window opens")
    gui = command(sub, "gui", "open the main window (default)")
    add_window_options(gui)
    gui.add_argument("--smoke", type=float, nargs="?", const=1.0, metavar="SECONDS",
                     help="quit by itself after SECONDS (default 1; a start-up check)")
    gui.add_argument("--screenshot", metavar="PNG", help="save a picture of the window (with --smoke)")
    g = command(sub, "generate", "submit a Listing Builder job, wait for it, download its images (and export them)")
    g.add_argument("--asin", required=True, metavar="ASIN", help="the product: 10 characters, letters and digits "
                   "(e.g. B0TESTASIN)")
    g.add_argument("--country", required=True, metavar="CC",
                   help="marketplace country code: " + " ".join(sorted(COUNTRY_CODES)))
    g.add_argument("--type", required=True, metavar="TYPE", help="what to make: " + ", ".join(LISTING_TYPES))
    g.add_argument("--main-image", metavar="URL", help="https link to a photo of the product to start from")
    g.add_argument("--image", metavar="URL", action="append",
                   help="https link to another reference photo (repeat for more; order kept)")
    g.add_argument("--export", metavar="DIR", help="copy the finished images into DIR (created if missing)")
    g.add_argument("--naming", metavar="amazon|index", help="file names in DIR: amazon = ASIN.MAIN.jpg, "
                   "ASIN.PT01.jpg … (default for amazon_* types); index = ASIN_01.jpg … (default otherwise)")
    g.add_argument("--no-wait", action="store_true", help="return once the job is accepted; print the command "
                   "that continues it")
    g.add_argument("--json", action="store_true", help="print one JSON object on stdout (on every exit code)")
    s = command(sub, "status", "one refresh of a job from the service; does not wait and does not download images")
    s.add_argument("job_id", metavar="JOB_ID", help="the job id generate printed (listing-studio jobs lists them)")
    s.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    j = command(sub, "jobs", "jobs in the local journal (and the service's list for an ASIN)")
    j.add_argument("--asin", metavar="ASIN", help="only this product, and also the jobs the service knows for it")
    j.add_argument("--json", action="store_true", help='print {"jobs": [...]} on stdout, newest first')
    e = command(sub, "export", "export a job's images into a folder (waits and downloads as needed)")
    e.add_argument("job_id", metavar="JOB_ID", help="the job to export")
    e.add_argument("dir", metavar="DIR", help="folder to copy the images into (created if missing)")
    e.add_argument("--naming", metavar="amazon|index", help="file names: amazon = ASIN.MAIN.jpg, ASIN.PT01.jpg …; "
                   "index = ASIN_01.jpg … (default: by the job's listing type)")
    e.add_argument("--json", action="store_true", help="print one JSON object on stdout (on every exit code)")
    if only is None:
        _add_other_parsers(sub)
    sb = command(sub, "sandbox", "run the built-in emulators (Pixii and SP-API) as a local server")
    sb.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    sb.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    return p


def _add_other_parsers(sub: argparse._SubParsersAction) -> None:
    from desktop_app.cli.batch import add_batch_parser
    add_batch_parser(sub)
    from desktop_app.cli.publish import add_publish_parsers
    add_publish_parsers(sub)
    from desktop_app.cli.images import add_image_parsers
    add_image_parsers(sub)
    from desktop_app.cli.approve import add_approve_parser
    add_approve_parser(sub)
    from desktop_app.cli.doctor import add_doctor_parser
    add_doctor_parser(sub)
    from desktop_app.cli.completion import add_completion_parser
    add_completion_parser(sub)


async def _run(args: argparse.Namespace, report: JobReport, interrupts: Interrupts) -> tuple[int, dict]:
    from desktop_app.runtime import Runtime
    settings = load_settings()
    rt = Runtime(settings)
    interrupts.on_stop(rt.stop_sending)
    try:
        if rt.journal.recovered_from:
            say(f"warning: the job journal was damaged or empty; it was kept aside as {rt.journal.recovered_from}")
        if args.command == "jobs":
            return await cmd_jobs(args, rt)
        if args.command == "batch":
            from desktop_app.cli.batch import cmd_batch
            return await cmd_batch(args, rt, report), report.data  # type: ignore[arg-type]
        if args.command == "status":
            return await cmd_status(args, rt, report), report.data
        from desktop_app.cli.progress import Progress, typical_seconds
        progress = Progress(estimate=lambda r: typical_seconds(rt.journal, rt.settings.service, r.listing_type,
                                                               "sandbox" if rt.settings.sandbox else rt.client.mode))
        rt.jobs.on_job = progress
        ticker = asyncio.ensure_future(progress.ticking()) if progress.tty else None
        try:
            handler = {"generate": cmd_generate, "export": cmd_export}[args.command]
            return await handler(args, rt, report), report.data
        finally:
            if ticker is not None:
                ticker.cancel()
    except DataDirError as exc:
        if exc.job_id and isinstance(report, JobReport):
            report.data["job_id"] = exc.job_id
        if not rt.requests_sent:
            raise
        raise Outcome(EXIT_INTERNAL, exc.code, exc.message) from None
    finally:
        await rt.aclose()


def run(argv: list[str]) -> int:
    """Run one command (not the window); returns the exit code."""
    parser = build_parser(argv[0] if argv and argv[0] in OWN_COMMANDS else None)
    args = parser.parse_args(argv)
    if args.command == "completion":
        from desktop_app.cli.completion import script
        sys.stdout.write(script(args.shell, parser))
        return 0
    if args.command == "sandbox":
        from desktop_app.sandbox.server import run_forever
        return run_forever(args.port, host=args.host) or 0
    log_file = setup_logging()
    if args.command == "approve":
        from desktop_app.cli.approve import main as approve_main
        return approve_main(args, log_file)
    if args.command == "doctor":
        from desktop_app.cli.doctor import main as doctor_main
        return doctor_main(args, log_file)
    if args.command in ("listing", "publish", "undo", "watch"):
        from desktop_app.cli.publish import main as publish_main
        return publish_main(args, log_file)
    if args.command in ("check", "fix"):
        from desktop_app.cli.images import main as images_main
        return images_main(args, log_file)
    if args.command == "batch":
        from desktop_app.cli.batch import BatchReport
        report: Any = BatchReport()
    else:
        report = JobReport(*(getattr(args, k, None) or "" for k in ("asin", "country", "type")))
    payload: dict = report.data
    interrupts = Interrupts()
    interrupts.on_stop(stop_writes)  # an export's copies stop between chunks and their temp files go
    try:
        code, payload = asyncio.run(interrupts.run(_run(args, report, interrupts)))
        payload = payload if args.command == "jobs" else report.data
    except (KeyboardInterrupt, CommandInterrupted) as exc:
        stop_writes()
        code = getattr(exc, "exit_code", 130)
        hint = resume_hint(args.command, report.data)
        say(f"interrupted: {hint}")
        error = {"code": "INTERRUPTED", "message": f"Interrupted; {hint}"}
        payload = {"jobs": [], "error": error} if args.command == "jobs" else {**report.data, "error": error}
    except BaseException as exc:  # every failure ends as one line on stderr and an exit code
        outcome = failure_outcome(exc, log_file)
        code = outcome.exit_code
        job_id = report.data.get("job_id")
        hint = f" [job {job_id}]" if job_id and code in (EXIT_UNREACHABLE, EXIT_INTERNAL) else ""
        say(f"error: {outcome.code}: {outcome.message}{hint}")
        if args.command != "jobs":
            report.data["error"] = {"code": outcome.code, "message": outcome.message}
            payload = report.data
        else:
            payload = {"jobs": [], "error": {"code": outcome.code, "message": outcome.message}}
    if getattr(args, "json", False):
        print(json.dumps(payload))
    return code
