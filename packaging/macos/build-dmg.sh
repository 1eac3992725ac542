#!/usr/bin/env bash
# macOS: builds "dist/Listing Studio.app" with PyInstaller, runs its smoke check, and puts it in
# dist/Listing-Studio-<version>.dmg (the app next to a link to /Applications, to drag it across).
# PYTHON names the interpreter with the project and its [package] extra installed (default: python3).
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-python3}
version=$("$python" packaging/build_settings.py version)
app="dist/Listing Studio.app"
dmg="dist/Listing-Studio-$version.dmg"

"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/listing-studio.spec
QT_QPA_PLATFORM=offscreen "$app/Contents/MacOS/listing-studio" --smoke

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
ditto "$app" "$staging/Listing Studio.app"     # ditto keeps the bundle's symlinks and extended attributes
ln -s /Applications "$staging/Applications"
hdiutil create -volname "Listing Studio $version" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg"
echo "built: $dmg ($(du -h "$dmg" | cut -f1))"
