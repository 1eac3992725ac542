"""Run the command line as a separate process, as scripts and users do."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self):
        return json.loads(self.out)


def cli_env(**extra: str) -> dict:
    env = dict(os.environ)
    env.pop("PIXII_API_KEY", None)
    env.update({k: v for k, v in extra.items() if v is not None})
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
    return env


def spapi_cli_env(url: str, data_dir: Path, key: str, give_up_after: str = "3") -> dict:
    """The command line against the loopback Pixii + SP-API emulators at ``url`` with the sandbox seller's
    credentials, its own data dir, and no S3 hosting."""
    from desktop_app.sandbox.amazon.data import (SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN,
                                                 SANDBOX_SELLER_ID)
    return cli_env(LISTING_STUDIO_API_URL=url, PIXII_API_KEY=key, LISTING_STUDIO_DATA_DIR=str(data_dir),
                   LISTING_STUDIO_GIVE_UP_AFTER=give_up_after, LISTING_STUDIO_SP_API_URL=url,
                   LISTING_STUDIO_LWA_URL=f"{url}/auth/o2/token", SP_API_CLIENT_ID=SANDBOX_CLIENT_ID,
                   SP_API_CLIENT_SECRET=SANDBOX_CLIENT_SECRET, SP_API_REFRESH_TOKEN=SANDBOX_REFRESH_TOKEN,
                   SP_API_SELLER_ID=SANDBOX_SELLER_ID, LISTING_STUDIO_S3_BUCKET=None, AWS_ENDPOINT_URL_S3=None)


def run_cli(*args: str, env: dict | None = None, timeout: float = 90) -> Result:
    proc = subprocess.run([sys.executable, "-m", "desktop_app.cli", *args], env=env or cli_env(),
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return Result(proc.returncode, proc.stdout, proc.stderr)


# The command is started by a small launcher that reports its peak: the kernel counts the peak memory of the
# process that starts a program into that program's own, so the (large) test process must not start it.
_LAUNCHER = ("import resource, subprocess, sys\n"
             "code = subprocess.run(sys.argv[2:], stdin=subprocess.DEVNULL).returncode\n"
             "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
             "sys.exit(code)\n")


def run_cli_measured(*args: str, env: dict, timeout: float = 90) -> tuple[Result, float]:
    """``run_cli`` plus the peak resident memory (MiB) of the command itself."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        proc = subprocess.run([sys.executable, "-c", _LAUNCHER, str(peak), sys.executable, "-m", "desktop_app.cli",
                               *args], env=env, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        return Result(proc.returncode, proc.stdout, proc.stderr), int(peak.read_text()) / 1024


def start_cli(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "desktop_app.cli", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)


def control(url: str, what: str, payload: dict | None = None):
    with httpx.Client(trust_env=False, timeout=10) as c:
        if payload is None:
            r = c.get(f"{url}/_sandbox/{what}")
        else:
            r = c.post(f"{url}/_sandbox/{what}", json=payload)
    r.raise_for_status()
    return r.json()


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())
