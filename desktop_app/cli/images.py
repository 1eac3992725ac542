"""``listing-studio check`` and ``listing-studio fix``: images against a platform's rules, and their repair
(cli-contract.md, "Image rules from the command line"). The rules live in core.compliance.checker*, the repair in
core.compliance.fix.

Exit codes: 0 no image fails (warnings allowed; for ``fix``: the copy has no warning or failure left); 5 an image
fails (``fix``: something could not be repaired — named on stderr); 2 invalid input (unknown platform or slot, a
file that does not exist, a URL that may not be fetched, ``--out`` that exists); 1 unexpected internal error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
from pathlib import Path
from typing import Any

from desktop_app.cli.output import EXIT_INPUT, EXIT_OK, EXIT_PARTIAL, Outcome, say, failure_outcome

VERDICT = {"pass": "pass", "warning": "warn", "fail": "fail"}
OUTPUT_FORMATS = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png"}


def add_image_parsers(sub: argparse._SubParsersAction) -> None:
    from desktop_app.cli.help import command
    platforms = "amazon, shopify or tiktok"
    c = command(sub, "check", "judge images against a platform's image rules")
    c.add_argument("sources", nargs="+", metavar="FILE_OR_URL", help="image files or https URLs to judge")
    c.add_argument("--platform", default="amazon", metavar="amazon|shopify|tiktok",
                   help=f"whose rules: {platforms} (default amazon)")
    c.add_argument("--slot", help="every image takes this slot (default: MAIN then PT01, PT02, … on amazon)")
    c.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    f = command(sub, "fix", "write a copy repaired towards a platform's image rules")
    f.add_argument("file", metavar="FILE", help="the image to repair (left unchanged)")
    f.add_argument("--platform", required=True, metavar="amazon|shopify|tiktok", help=f"whose rules: {platforms}")
    f.add_argument("--slot", required=True, help="the slot the image is for (MAIN, PT01 … PT08, SWCH; gallery)")
    f.add_argument("--out", required=True, metavar="FILE", help="where the copy goes (never overwritten)")
    f.add_argument("--json", action="store_true", help="print one JSON object on stdout")


# ------------------------------------------------------------------------------------------------------ shared

def _platform_and_slot(platform: str, slot: str | None) -> tuple[str, str | None]:
    from desktop_app.core.compliance.checker import PLATFORMS, normalise_slot
    platform = platform.strip().lower()
    if platform not in PLATFORMS:
        raise Outcome(EXIT_INPUT, "INVALID_PLATFORM", f"'{platform}' is not a platform; use {', '.join(PLATFORMS)}")
    try:
        return platform, normalise_slot(platform, slot) if slot is not None else None
    except ValueError as exc:
        raise Outcome(EXIT_INPUT, "INVALID_SLOT", str(exc)) from None


def _local_file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise Outcome(EXIT_INPUT, "FILE_NOT_FOUND", f"{value}: no such file")
    return path


def _finding_json(f: Any) -> dict[str, str]:
    return {"rule": f.rule_id, "severity": f.level, "message": f.message}


def _image_entry(source: str, platform: str, slot: str, findings: list) -> dict[str, Any]:
    from desktop_app.core.compliance.checker import summary
    shown = sorted((f for f in findings if f.level != "pass"), key=lambda f: ("fail", "warning", "info").index(f.level))
    return {"source": source, "platform": platform, "slot": slot, "verdict": VERDICT[summary(findings)],
            "findings": [_finding_json(f) for f in shown]}


def _line(entry: dict[str, Any], name: str) -> str:
    return "\t".join([entry["verdict"], name] + [f"{f['severity']}: {f['message']} [{f['rule']}]"
                                                 for f in entry["findings"]])


# ------------------------------------------------------------------------------------------------------- check

def _default_slots(platform: str, count: int) -> list[str]:
    if platform == "amazon":
        return ["MAIN"] + [f"PT{i:02d}" for i in range(1, count)]
    return ["gallery"] * count


def _judged_as(platform: str, slot: str) -> str:
    """A slot past PT08 has no rules of its own: it is judged as a secondary image (the set rules fail it)."""
    from desktop_app.core.compliance.checker import normalise_slot
    try:
        return normalise_slot(platform, slot)
    except ValueError:
        return "PT08"


async def _fetch_all(urls: list[str]) -> dict[str, bytes | Exception]:
    from urllib.parse import urlsplit

    import httpx

    from desktop_app.api.download import DownloadError, HopRule, fetch_bytes
    from desktop_app.api.pixii.client import DEFAULT_TIMEOUT
    from desktop_app.api.urls import is_loopback_host, resolve_host
    got: dict[str, bytes | Exception] = {}
    async with httpx.AsyncClient(timeout=DEFAULT_TIMEOUT, trust_env=False, follow_redirects=False) as http:
        for url in urls:
            # the download rules: a link given on loopback may stay local; any other never leads there
            local = is_loopback_host(urlsplit(url).hostname)
            rule = HopRule(local_ok=local, resolve=None if local else resolve_host)
            try:
                got[url] = await fetch_bytes(http, url, rule, attempts=2, deadline=30.0)
            except DownloadError as exc:
                got[url] = exc
    return got


def cmd_check(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    from desktop_app.api.urls import url_problem
    from desktop_app.core.compliance.checker import Finding, check_image
    from desktop_app.core.compliance.whole_set import check_set
    platform, slot = _platform_and_slot(args.platform, args.slot)
    urls = []
    for source in args.sources:
        if "://" in source:
            problem = url_problem(source, what=source)
            if problem:
                raise Outcome(EXIT_INPUT, "INVALID_URL", problem)
            urls.append(source)
        else:
            _local_file(source)
    fetched = asyncio.run(_fetch_all(urls)) if urls else {}
    slots = [slot] * len(args.sources) if slot else _default_slots(platform, len(args.sources))
    per_image: list[list[Finding]] = []
    for source, image_slot in zip(args.sources, slots):
        data = fetched.get(source, Path(source)) if "://" in source else Path(source)
        if isinstance(data, Exception):
            per_image.append([Finding(f"{platform}.readable", "fail", f"could not be fetched: {data.code}: {data}",
                                      "cli-contract.md, download rules")])
            continue
        per_image.append(check_image(data, platform, _judged_as(platform, image_slot)))
    if slot is None and len(args.sources) > 1:  # a listing's images: the whole-set rules too
        for sf in check_set(platform, slots):
            if sf.finding.level == "pass":
                continue
            for position in sf.positions or (0,):
                per_image[position].append(sf.finding)
    images = [_image_entry(src, platform, s, f) for src, s, f in zip(args.sources, slots, per_image)]
    if not args.json:
        for entry in images:
            print(_line(entry, entry["source"]))
    return (EXIT_PARTIAL if any(e["verdict"] == "fail" for e in images) else EXIT_OK), {"images": images}


# --------------------------------------------------------------------------------------------------------- fix

def _output(value: str) -> tuple[Path, str]:
    out = Path(value)
    fmt = OUTPUT_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise Outcome(EXIT_INPUT, "INVALID_OUTPUT", f"{value}: the copy must be a .jpg, .jpeg or .png file")
    if out.exists() or out.is_symlink():
        raise Outcome(EXIT_INPUT, "OUTPUT_EXISTS", f"{value} already exists; it is never overwritten")
    if not out.parent.is_dir():
        raise Outcome(EXIT_INPUT, "INVALID_OUTPUT", f"{out.parent}: no such folder")
    return out, fmt


def write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically without ever replacing an existing file (FileExistsError)."""
    tmp = path.parent / f".{path.name}-{secrets.token_hex(4)}.part"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)  # umask applies
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)  # fails if the name was taken meanwhile; a rename would replace it
    finally:
        os.unlink(tmp)


def cmd_fix(args: argparse.Namespace) -> tuple[int, dict[str, Any]]:
    from desktop_app.core.compliance.fix import fix_image
    platform, slot = _platform_and_slot(args.platform, args.slot)
    source = _local_file(args.file)
    out, fmt = _output(args.out)
    result = fix_image(source.read_bytes(), platform, slot, fmt)
    report: dict[str, Any] = {"source": args.file, "out": None, "platform": platform, "slot": slot,
                              "repaired": result.repaired}
    if result.data is not None:
        try:
            write_new(out, result.data)
        except FileExistsError:
            raise Outcome(EXIT_INPUT, "OUTPUT_EXISTS", f"{args.out} already exists; it is never overwritten") from None
        report["out"] = str(out.resolve())
    report.update({k: v for k, v in _image_entry(args.file, platform, slot, result.findings).items()
                   if k in ("verdict", "findings")})
    for text in result.repaired:
        say(f"repaired: {text}")
    for f in result.remaining:
        say(f"cannot repair: {f.level}: {f.message} [{f.rule_id}]")
    if result.data is None:
        say("no copy written: none of the image's problems can be repaired without inventing pixels")
    elif not args.json:
        print(_line(report, report["out"]))
    return (EXIT_PARTIAL if result.remaining else EXIT_OK), report


def main(args: argparse.Namespace, log_file: Path) -> int:
    report: dict[str, Any] = {"images": []} if args.command == "check" else {"source": args.file, "out": None}
    try:
        code, report = (cmd_check if args.command == "check" else cmd_fix)(args)
    except BaseException as exc:  # every failure ends as one line on stderr and an exit code
        if isinstance(exc, KeyboardInterrupt):
            return 130
        outcome = failure_outcome(exc, log_file)
        code = outcome.exit_code
        say(f"error: {outcome.code}: {outcome.message}")
        report["error"] = {"code": outcome.code, "message": outcome.message}
    if getattr(args, "json", False):
        print(json.dumps(report))
    return code
