"""Help that teaches: every option and argument described, an example block per command, --version, the
window's colour options at the top level, and no Qt loaded by the command line."""

import argparse
import subprocess
import sys
import time

import pytest

from support.cli import cli_env, run_cli
from desktop_app import __version__
from desktop_app.cli.commands import build_parser
from desktop_app.sandbox.pixii.emulator import PixiiEmulator
from desktop_app.sandbox.server import serve

KEY = "pk_test_cliSecretKey987654"


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_every_option_and_argument_of_every_command_has_help():
    parser = build_parser()
    commands = subcommands(parser)
    assert {"gui", "generate", "status", "jobs", "export", "batch", "sandbox", "listing", "publish",
            "undo"} <= set(commands)
    missing = [f"(top) {a.dest}" for a in parser._actions if not a.help or a.help == argparse.SUPPRESS]
    for name, sub in commands.items():
        for action in sub._actions:
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_every_command_has_an_example_block_kept_as_written():
    parser = build_parser()
    assert parser.formatter_class is argparse.RawDescriptionHelpFormatter
    for name, sub in subcommands(parser).items():
        assert sub.formatter_class is argparse.RawDescriptionHelpFormatter, name
        assert sub.epilog and "examples:" in sub.epilog, name
        assert f"listing-studio {name}" in sub.epilog or (name == "gui" and "listing-studio --dark" in sub.epilog)


def test_generate_help_describes_the_options_in_the_sellers_words():
    r = run_cli("generate", "--help")
    assert r.code == 0
    for text in ("--asin ASIN", "10 characters", "--no-wait", "listing-studio export JOB_ID", "--naming",
                 "examples:", "exit codes"):
        assert text in r.out, text


def test_version():
    r = run_cli("--version")
    assert r.code == 0 and r.out.strip() == f"listing-studio {__version__}"


def test_the_command_line_never_loads_qt(tmp_path):
    code = ("import sys\nfrom desktop_app.cli import main\n"
            "for argv in (['--help'], ['generate', '--help'], ['jobs', '--json'], ['status', '--help'],\n"
            "             ['completion', 'bash'], ['doctor', '--help'], ['approve', 'job_x', '0']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            "print('QT', sorted(m for m in sys.modules if m.startswith(('PySide6', 'qasync'))))\n")
    proc = subprocess.run([sys.executable, "-c", code], env=cli_env(), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "QT []"


def test_top_level_dark_opens_the_window_as_the_readme_says(tmp_path):
    env = cli_env(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(tmp_path))
    r = run_cli("--dark", "--smoke", "0.2", env=env)
    assert r.code == 0, r.err
    both = run_cli("--dark", "--light", env=env)
    assert both.code == 2 and "not allowed with" in both.err


@pytest.fixture
def live_env(tmp_path):
    srv = serve(PixiiEmulator(), port=0)
    srv.start()
    yield cli_env(LISTING_STUDIO_API_URL=srv.url, PIXII_API_KEY=KEY, LISTING_STUDIO_DATA_DIR=str(tmp_path / "data"),
                  LISTING_STUDIO_GIVE_UP_AFTER="3")
    srv.stop()


def test_status_does_not_report_images_it_never_tried_to_download_as_failed(live_env):
    r = run_cli("generate", "--asin", "B0TESTASIN", "--country", "US", "--type", "amazon_listing", "--no-wait",
                "--json", env=live_env)
    assert r.code == 0, r.err
    assert f"listing-studio export {r.json['job_id']} DIR" in r.err  # --no-wait says how to continue
    deadline = time.monotonic() + 30
    while True:
        s = run_cli("status", r.json["job_id"], "--json", env=live_env)
        assert s.code == 0, s.err
        if s.json["status"] == "completed" or time.monotonic() > deadline:
            break
    assert s.json["status"] == "completed" and s.json["error"] is None
    assert s.json["images"] and all(i["error"] is None and i["file"] is None and i["url"] for i in s.json["images"])
    assert "not downloaded" in s.err and "listing-studio export" in s.err
    assert "does not download" in run_cli("status", "--help").out
