#!/usr/bin/env bash
# Installs what Listing Studio needs on Debian/Ubuntu: the system libraries Qt loads, then the
# app itself in ./.venv. With --test it also installs the test tools (Xvfb, a Secret Service).
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

packages=(python3 python3-venv python3-pip
          libegl1 libgl1 libglib2.0-0 libdbus-1-3 libfontconfig1 fonts-dejavu-core
          libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
          libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0)
if [ "$want_test" = 1 ]; then
  packages+=(xvfb xauth dbus-daemon gnome-keyring desktop-file-utils appstream zsh fish)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# python3-venv etc. are not needed when a usable python3 with venv already exists
if python3 -c 'import venv, ensurepip' 2>/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do case "$p" in python3|python3-venv|python3-pip) ;; *) filtered+=("$p");; esac; done
  missing=("${filtered[@]}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
if [ "$want_test" = 1 ]; then
  .venv/bin/python -m pip install -q -e '.[test,package]'
else
  .venv/bin/python -m pip install -q -e .
fi
