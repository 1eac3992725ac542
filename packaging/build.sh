#!/usr/bin/env bash
# Builds the onedir app into dist/listing-studio/ and runs its smoke check (window rendered offscreen).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash tools/setup.sh
.venv/bin/python -c 'import PyInstaller' 2>/dev/null || .venv/bin/python -m pip install -q -e '.[package]'
.venv/bin/python -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/listing-studio.spec
QT_QPA_PLATFORM=offscreen dist/listing-studio/listing-studio --smoke
echo "built: dist/listing-studio/ ($(du -sh dist/listing-studio | cut -f1))"
