"""What every command of ``listing-studio`` shares to end and to speak: the exit codes, :class:`Outcome`, the one
line on stderr, the exit code of an exception, an image and a job as ``--json`` shows them (cli-contract.md: exit
codes, one stderr line per problem). The command modules import it; it imports none of them, and nothing that only
some commands need (the HTTP client, the job service): exporting a cached job loads it too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from desktop_app.api.answers import printable

TYPE_CHECKING = False  # as typing's, without loading typing (the cached export starts faster)
if TYPE_CHECKING:
    from typing import Any

    from desktop_app.core.jobs.outcomes import ImageOutcome
    from desktop_app.store.journal import JobRecord

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_REFUSED, EXIT_FAILED, EXIT_PARTIAL, EXIT_UNREACHABLE = range(7)


class Outcome(Exception):
    """Ends a command with an exit code and (optionally) an error code and message."""

    def __init__(self, exit_code: int, code: str | None = None, message: str | None = None) -> None:
        super().__init__(message or "")
        self.exit_code, self.code, self.message = exit_code, code, message


def exit_for(exc: BaseException) -> Outcome:
    """The exit code, error code and message for an exception a command ended with."""
    if isinstance(exc, Outcome):
        return exc
    from desktop_app.api.errors import ApiError, ApiRefused, ConfigError, RateLimited
    from desktop_app.core.images.export import ExportDirError
    from desktop_app.core.publish.hosting import HostingError, HostingUnreachable
    from desktop_app.core.validation import InputError
    from desktop_app.store.datadir import DataDirError
    if isinstance(exc, HostingError):  # no bucket, no or wrong AWS keys, access denied: configuration
        return Outcome(EXIT_UNREACHABLE if isinstance(exc, HostingUnreachable) else EXIT_INPUT, exc.code, exc.message)
    if isinstance(exc, DataDirError):  # found before any request (else _run has made it an Outcome)
        return Outcome(EXIT_INPUT, exc.code, exc.message)
    if isinstance(exc, (InputError, ExportDirError)):
        return Outcome(EXIT_INPUT, getattr(exc, "code", "INVALID_EXPORT_DIR"), str(exc))
    if isinstance(exc, ConfigError):
        return Outcome(EXIT_INPUT, exc.code, exc.message)
    if isinstance(exc, RateLimited) and exc.daily:
        return Outcome(EXIT_REFUSED, exc.code, exc.message + " — try again tomorrow")
    if isinstance(exc, ApiRefused):
        return Outcome(EXIT_REFUSED, exc.code, exc.message + (f" ({exc.detail})" if exc.detail else ""))
    if isinstance(exc, ApiError):
        return Outcome(EXIT_UNREACHABLE, exc.code, exc.message)
    return Outcome(EXIT_INTERNAL, "INTERNAL_ERROR", f"unexpected internal error: {type(exc).__name__}: {exc}")


def failure_outcome(exc: BaseException, log_file: Path) -> Outcome:
    """The exit code and one-line message for a failed command; internal errors go to the log. Stdout closed by
    its reader is no failure of the command: it goes on up to :func:`desktop_app.cli.entry.main`."""
    if isinstance(exc, BrokenPipeError):
        raise exc
    outcome = exit_for(exc)
    if outcome.exit_code == EXIT_INTERNAL:
        import logging
        logging.getLogger("listing_studio").exception("internal error")
        outcome.message = f"{outcome.message} (details in {log_file})"
    return outcome


def resume_hint(command: str, data: dict) -> str:
    """How to go on after Ctrl+C or SIGTERM (nothing more was submitted after the signal)."""
    if command == "batch":
        return (f"re-run the same command to resume ({data.get('remaining', 0)} row(s) not sent yet; "
                "nothing is submitted twice)")
    job_id = data.get("job_id")
    if job_id:
        return f"job {job_id} is kept; listing-studio export {job_id} DIR resumes it"
    if command == "generate":
        return ("no job was accepted yet; re-run the same command (a submission already sent is found "
                "and reused, never paid twice)")
    return "re-run the same command"


def interrupted(hint: str) -> dict[str, str]:
    """Say that the command was interrupted and how to go on; the ``--json`` error."""
    say(f"interrupted: {hint}")
    return {"code": "INTERRUPTED", "message": f"Interrupted; {hint}"}


def failed(exc: BaseException, log_file: Path, job_id: str | None) -> tuple[int, dict[str, str]]:
    """Say why the command failed (one line; the job id when it can be resumed); its exit code and ``--json``
    error."""
    outcome = failure_outcome(exc, log_file)
    hint = f" [job {job_id}]" if job_id and outcome.exit_code in (EXIT_UNREACHABLE, EXIT_INTERNAL) else ""
    say(f"error: {outcome.code}: {outcome.message}{hint}")
    return outcome.exit_code, {"code": outcome.code, "message": outcome.message}  # type: ignore[dict-item]


def say(text: str) -> None:
    """One line on stderr; text from a service in it can neither rewrite the terminal nor forge a line."""
    print(printable(text), file=sys.stderr, flush=True)


def image_json(img: ImageOutcome) -> dict[str, Any]:
    """One image of a job as ``--json`` shows it."""
    return {"index": img.index, "url": img.url,
            "error": {"code": img.error_code, "message": img.error_message or ""} if img.error_code else None,
            "file": str(img.file.resolve()) if img.file else None}


class JobReport:
    """The ``--json`` object of generate/status/export, filled in as the command goes."""

    def __init__(self, asin: str = "", country: str = "", listing_type: str = "") -> None:
        self.data: dict[str, Any] = {"job_id": None, "status": None, "asin": asin, "country": country,
                                     "listing_type": listing_type, "error_code": None, "credit_cost": None,
                                     "error": None, "images": []}

    def job(self, record: JobRecord) -> None:
        self.data.update(job_id=record.job_id, status=record.status, error_code=record.error_code,
                         credit_cost=record.credit_cost)
        for key, value in (("asin", record.asin), ("country", record.country), ("listing_type", record.listing_type)):
            if value:
                self.data[key] = value

    def images(self, images: list[ImageOutcome]) -> None:
        self.data["images"] = [image_json(i) for i in images]
