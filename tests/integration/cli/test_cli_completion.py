"""``listing-studio completion bash|zsh|fish``: scripts generated from the command line's own parser, that load in
their shell and complete commands, options and the values the options accept."""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.cli import run_cli
from desktop_app.cli.commands import build_parser
from test_cli_help import subcommands

REPO = Path(__file__).resolve().parents[3]


def shim(tmp_path: Path) -> dict:
    """``listing-studio`` on PATH, running this checkout."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "listing-studio"
    exe.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m desktop_app.cli \"$@\"\n")
    exe.chmod(0o755)
    return dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(REPO))


def bash(script: str, env: dict) -> str:
    proc = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_bash_script_loads(tmp_path):
    out = bash("source <(listing-studio completion bash); complete -p listing-studio", shim(tmp_path))
    assert out.strip() == "complete -F _listing_studio listing-studio"


def complete(env: dict, script: str, line: str) -> list[str]:
    words = line.split(" ")
    setup = (f"source {shlex.quote(script)}; COMP_WORDS=({' '.join(shlex.quote(w) for w in words)}); "
             f"COMP_CWORD={len(words) - 1}; _listing_studio; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    return sorted(filter(None, bash(setup, env).splitlines()))


@pytest.mark.parametrize("line, expected", [
    ("listing-studio gen", ["generate"]),
    ("listing-studio --", ["--dark", "--help", "--light", "--version"]),
    ("listing-studio generate --co", ["--country"]),
    ("listing-studio generate --country U", ["UK", "US"]),
    ("listing-studio generate --asin B0X --type shop", ["shopify_listing"]),
    ("listing-studio export JOB --naming ", ["amazon", "index"]),
    ("listing-studio publish --sku S --full", ["--full-put"]),
    ("listing-studio approve J 0 --", ["--clear", "--help", "--json", "--reject"]),
    ("listing-studio completion ", ["bash", "fish", "zsh"]),
])
def test_bash_completes_commands_options_and_values(tmp_path, line, expected):
    script = tmp_path / "ls.bash"
    script.write_text(run_cli("completion", "bash").out)
    assert complete(os.environ.copy(), str(script), line) == expected


def test_bash_completes_folders_for_a_folder_option(tmp_path):
    (tmp_path / "outdir").mkdir()
    (tmp_path / "outfile.txt").write_text("x")
    script = tmp_path / "ls.bash"
    script.write_text(run_cli("completion", "bash").out)
    env = os.environ.copy()
    got = bash(f"cd {shlex.quote(str(tmp_path))}; source ls.bash; COMP_WORDS=(listing-studio generate --export out); "
               "COMP_CWORD=3; _listing_studio; printf '%s\\n' \"${COMPREPLY[@]}\"", env).split()
    assert got == ["outdir"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_name_every_command_and_option(shell):
    r = run_cli("completion", shell)
    assert r.code == 0 and r.err == ""
    for name, sub in subcommands(build_parser()).items():
        assert name in r.out
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert (option if shell == "zsh" else f"-l {option[2:]}") in r.out, (name, option)
    assert "amazon_listing" in r.out and "ATVPDKIKX0DER" not in r.out


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_parse(shell):
    if not shutil.which(shell):
        pytest.skip(f"{shell} is not installed here")
    proc = subprocess.run([shell, "-n"], input=run_cli("completion", shell).out, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_an_unknown_shell_is_invalid_input():
    r = run_cli("completion", "tcsh")
    assert r.code == 2 and "invalid choice" in r.err
