#!/usr/bin/env bash
# Installs the test dependencies (system packages included) and runs the whole test suite under a
# virtual X screen and a private D-Bus session with an unlocked throw-away Secret Service keyring, then
# the window tests (tests/gui) a second time pinned to one CPU. Arguments run just those pytest arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh --test

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export KEYRING_DATA_DIR="$tmp/keyring-data"
export QT_API=pyside6
export LISTING_STUDIO_TEST_SECRET_SERVICE=1
export LISTING_STUDIO_TEST_FROZEN=1
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x1024x24" bash -c '
  set -euo pipefail
  mkdir -p "$KEYRING_DATA_DIR"
  printf %s test-keyring-pw | XDG_DATA_HOME="$KEYRING_DATA_DIR" \
      gnome-keyring-daemon --unlock --components=secrets >/dev/null
  if [ "$#" -gt 0 ]; then exec .venv/bin/python -m pytest -p no:cacheprovider -q "$@"; fi
  .venv/bin/python -m pytest -p no:cacheprovider -q --durations=15
  # The window tests once more on a single CPU: a race between the GUI thread and a worker shows up there.
  echo "The window tests again, pinned to one CPU:"
  exec taskset -c 0 .venv/bin/python -m pytest -p no:cacheprovider -q tests/gui
' bash "$@"
