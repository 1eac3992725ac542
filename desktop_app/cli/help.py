"""What ``listing-studio … --help`` teaches: the version, and an example block per command (kept as written)."""

from __future__ import annotations

import argparse
import sys

from desktop_app import __version__

FORMATTER = argparse.RawDescriptionHelpFormatter

EXIT_JOB = """exit codes: 0 done, 2 invalid input (nothing sent), 3 refused by the service (its code on stderr),
  4 job failed, 5 partial (the good images are still exported), 6 unreachable (the job id is printed: resume
  with `listing-studio export JOB_ID DIR`), 130/143 interrupted"""
EXIT_PUBLISH = """exit codes: 0 accepted (valid with --validate-only; for `listing`, read), 2 invalid input or
  configuration (nothing sent), 3 Amazon refused or the submission is INVALID (each issue on stderr),
  6 unreachable or throttled after retries"""

EXAMPLES: dict[str, str] = {
    "": """examples:
  listing-studio                      open the window (on the sandbox when no API key is set)
  listing-studio --dark               open the window in dark colours
  listing-studio generate --asin B0TESTASIN --country US --type amazon_listing --export ./out
  listing-studio COMMAND --help       what a command does, its options and examples

Without PIXII_API_KEY (or a key saved in the window) every command runs on the embedded sandbox.""",
    "gui": """examples:
  listing-studio gui
  listing-studio --dark               the same as `listing-studio gui --dark`
  listing-studio gui --smoke 2        open, then quit after 2 s (a start-up check)""",
    "generate": f"""examples:
  listing-studio generate --asin B0TESTASIN --country US --type amazon_listing --export ./out
  listing-studio generate --asin B0TESTASIN --country DE --type amazon_main_images \\
      --main-image https://example.com/front.jpg --image https://example.com/side.jpg
  listing-studio generate --asin B0TESTASIN --country US --type shopify_listing --no-wait
      then: listing-studio export JOB_ID ./out

Each submission costs credits. It is written to the local journal before it is sent, so an
interrupted command never pays twice: `listing-studio jobs` lists every accepted job.

{EXIT_JOB}""",
    "status": """examples:
  listing-studio status job_0123456789abcdef
  listing-studio status job_0123456789abcdef --json

One refresh of the job from the service, recorded in the journal. It does not wait and does not
download images: an image not downloaded yet has "file": null and "error": null in --json;
`listing-studio export JOB_ID DIR` downloads and exports them.

exit codes: 0 the state was read (whatever it is), 4 the job failed, 3 unknown job or refused key,
  6 unreachable""",
    "jobs": """examples:
  listing-studio jobs
  listing-studio jobs --asin B0TESTASIN --json

Offline it lists the local journal with a warning and still exits 0.""",
    "export": f"""examples:
  listing-studio export job_0123456789abcdef ./out
  listing-studio export job_0123456789abcdef ./shop --naming index --json

Waits for the job if it is still running, downloads what is not cached yet, and copies the images
unchanged. An existing file is never overwritten (EXPORT_EXISTS) unless it holds the same bytes.

{EXIT_JOB}""",
    "batch": """examples:
  listing-studio batch asins.csv --country US --type amazon_listing --dry-run
  listing-studio batch asins.csv --export ./out --json
  cut -d, -f1 list.csv | listing-studio batch - --country DE --type amazon_listing

Re-running the same command resumes the batch: nothing is submitted twice.

exit codes: 0 every row done, 2 invalid rows (nothing sent), 3 stopped by the daily limit or a refusal
  (the rows left are named), 5 some rows failed or are partial, 6 unreachable (re-run to resume)""",
    "sandbox": """examples:
  listing-studio sandbox --port 8765
  LISTING_STUDIO_API_URL=http://127.0.0.1:8765 listing-studio generate --asin B0TESTASIN --country US \\
      --type amazon_listing

Serves the Pixii and SP-API emulators on a loopback port until Ctrl+C; no credits, nothing reaches Amazon.""",
    "listing": f"""examples:
  listing-studio listing --sku MUG-BLK-16 --country US
  listing-studio listing --sku MUG-BLK-16 --country GB --json

{EXIT_PUBLISH}""",
    "publish": f"""examples:
  listing-studio approve job_0123456789abcdef 0 1 2
  listing-studio publish --sku MUG-BLK-16 --country US --job job_0123456789abcdef
  listing-studio publish --sku MUG-BLK-16 --country US --job job_0123456789abcdef --slot MAIN=3
  listing-studio publish --sku MUG-BLK-16 --country US --slot PT01=./side.jpg --validate-only

The listing is read first and its image slots journalled, so `listing-studio undo SUBMISSION_ID` can put
them back. The change goes to Amazon as a VALIDATION_PREVIEW first; nothing is sent when it is INVALID.
ACCEPTED means submitted, not yet live: `listing-studio listing` shows what Amazon serves now.

{EXIT_PUBLISH}""",
    "approve": """examples:
  listing-studio approve job_0123456789abcdef 0 1 2 4
  listing-studio approve job_0123456789abcdef 3 --reject
  listing-studio approve job_0123456789abcdef 1 --clear

The same approvals as the window's gallery (the window shows them when it shows the job again).
`listing-studio publish --job JOB_ID` publishes the approved images: #0 to MAIN, #i to PTi.

exit codes: 0 marked, 2 an image the job does not have (nothing changed), 3 the job is not in the journal""",
    "doctor": """examples:
  listing-studio doctor
  listing-studio doctor --country DE --json

One line per check: ok, problem (with how to fix it) or off (not set up; not needed until used).
Credentials are named with where they come from, never shown. Paste the output into a support request.

exit codes: 0 no problem found, 5 at least one problem, 2 invalid --country""",
    "completion": """examples:
  source <(listing-studio completion bash)          in ~/.bashrc
  source <(listing-studio completion zsh)           in ~/.zshrc, after compinit
  listing-studio completion fish > ~/.config/fish/completions/listing-studio.fish

The script is made from this version's own options: generate it again after an update.""",
    "check": """examples:
  listing-studio check B0CX23V2ZK.MAIN.jpg B0CX23V2ZK.PT01.png
  listing-studio check ./photos/*.jpg --platform shopify --json
  listing-studio check https://example.com/main.jpg --slot MAIN

Without --slot the first image is MAIN and the rest PT01, PT02, … (amazon) or gallery images (shopify,
tiktok). One line per image: pass, warn or fail, the file, then each finding. URLs are fetched under the
download rules (https, at most 5 redirects, never a private or link-local address).

exit codes: 0 none fails (warnings allowed), 5 at least one fails, 2 invalid input (unknown platform or slot,
  a file that does not exist)""",
    "fix": """examples:
  listing-studio fix main.png --platform amazon --slot MAIN --out main-fixed.jpg
  listing-studio fix tall.jpg --platform tiktok --slot gallery --out tall-square.jpg --json

Repairs what can be repaired without inventing pixels: colour to sRGB, transparency onto white, padding onto
a white canvas, scaling down to the platform's maximum, re-encoding under its file-size limit, metadata
stripped. It never upscales and never removes a background; what it cannot repair is named on stderr.

exit codes: 0 the copy passes, 5 something could not be repaired (the copy is still written when anything
  was), 2 invalid input or --out already exists (never overwritten)""",
    "undo": f"""examples:
  listing-studio undo 2
  listing-studio undo 2 --json

SUBMISSION_ID is the number a publish printed ("submission 2"), or Amazon's submissionId.

{EXIT_PUBLISH}""",
    "watch": """examples:
  listing-studio watch
  listing-studio watch --json
  */30 * * * * listing-studio watch --json >> ~/listing-watch.jsonl    (crontab: every 30 minutes)

One look at every listing published from this app (its latest publish per SKU and marketplace): live (shoppers
see the published images), another contributor's image shown (Amazon processed it but picked another seller's
main image), rejected (Amazon reported an image issue and kept the previous image), not processed yet, or
suppressed (an INVALID_IMAGE or MISSING_IMAGE issue, or the listing no longer DISCOVERABLE). One line each on
stdout; undo a publish with `listing-studio undo SUBMISSION_ID`.

exit codes: 0 every listing is fine (or still waiting), 5 a publish was rejected or a listing is suppressed,
  6 Amazon unreachable, 2 invalid configuration""",
}


def version() -> str:
    """The installed distribution's version, else the package's own."""
    from importlib import metadata
    try:
        return metadata.version("listing-studio")
    except metadata.PackageNotFoundError:
        return __version__


class VersionAction(argparse.Action):
    """``--version``: the version is looked up (importlib.metadata) only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None) -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        parser._print_message(f"{parser.prog} {version()}\n", sys.stdout)
        parser.exit()


def command(sub: argparse._SubParsersAction, name: str, help: str) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with its examples, laid out as written."""
    return sub.add_parser(name, help=help, description=help[:1].upper() + help[1:] + ".",
                          epilog=EXAMPLES.get(name), formatter_class=FORMATTER)


def add_window_options(parser: argparse.ArgumentParser) -> None:
    """The window's colour options (top level and under ``gui``)."""
    scheme = parser.add_mutually_exclusive_group()
    scheme.add_argument("--dark", action="store_true", help="open the window in dark colours, whatever the system uses")
    scheme.add_argument("--light", action="store_true",
                        help="open the window in light colours, whatever the system uses")
