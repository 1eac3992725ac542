"""``listing-studio publish --country DE,FR,IT``: the same slots published to several marketplaces of one region,
each previewed, journalled and undoable on its own (:mod:`desktop_app.core.publish.multi`).

Output: for each marketplace the lines of a single-country publish, each starting with its country; with --json
one object, {"sku": str, "marketplaces": [single-country report, …], "error": null | {code, message}}, the
marketplaces in the order given (each report with its own "error"). Exit code: the highest of the
marketplaces' own exit codes (0 when every one was ACCEPTED, or VALID with --validate-only); a problem found before
any request (an unknown country, marketplaces of several regions, a bad slot) is exit 2 for all of them.
"""

from __future__ import annotations

import argparse
from typing import Any

from desktop_app.api.amazon.marketplaces import with_countries
from desktop_app.cli.commands import EXIT_INPUT, EXIT_OK, Outcome, _say, failure_outcome


def log_file():
    from desktop_app.logs import setup_logging
    return setup_logging()  # already set up by the command line: only its path


async def cmd_publish_many(args: argparse.Namespace, rt: Any, report: dict[str, Any]) -> int:
    """Fills ``report["marketplaces"]`` (one report each) as it goes; the highest of their exit codes."""
    reports: list[dict[str, Any]] = report["marketplaces"]
    from desktop_app.cli.publish import _announce, _assignments, _finish, _report, _say_unknown, _say_warnings
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
                                 on_warnings=lambda m, warnings: _say_warnings([f"{m.country}: {w}" for w in warnings]))
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
            outcome = failure_outcome(exc, log_file())
            message = with_countries(outcome.message or "")
            _say(f"{prefix}error: {outcome.code}: {message}")
            report["error"] = {"code": outcome.code, "message": message}
            codes.append(outcome.exit_code)
    _say_unknown(service, last)
    return max(codes, default=EXIT_OK)
