"""What the PyInstaller build makes on each system: names, version, icons, the macOS bundle, the Windows
version resource.

Read by packaging/listing-studio.spec on the build machine, by the installer scripts
(`python packaging/build_settings.py version`) and by the tests on any system.
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "io.github.listingstudio.ListingStudio"
APP_NAME = "Listing Studio"
CLI_NAME = "listing-studio"
DIST_NAME = "listing-studio"          # the onedir folder: dist/listing-studio/
MACOS_MINIMUM = "12.0"                # Qt 6.8 supports macOS 12 and later
ICONS = ROOT / "resources" / "icons"
ICO = ICONS / f"{APP_ID}.ico"
ICNS = ICONS / f"{APP_ID}.icns"

ENTRY_POINT = ROOT / "packaging" / "listing_studio_main.py"
DATAS = [(str(ICONS), "resources/icons"),
         (str(ROOT / "resources" / "compliance-rules.json"), "resources")]
HIDDEN_IMPORTS = [
    "desktop_app.ui.main.gui",               # imported lazily by the CLI for the window
    "desktop_app.ui.main.studio",               # imported by the window behind its first frame
    "desktop_app.cli.commands",      # imported lazily by the CLI for a command
    "desktop_app.sandbox.server",    # imported lazily for `listing-studio sandbox`
    "keyring.backends.SecretService",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
    "keyring.backends.fail",
    "keyring.backends.null",
]
EXCLUDES = [
    "tkinter", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets", "PySide6.QtMultimedia", "PySide6.QtPdf", "PySide6.Qt3DCore",
]


def version() -> str:
    """The package version, as pyproject.toml states it."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def version_numbers(text: str) -> tuple[int, int, int, int]:
    """The four numbers a Windows version resource holds: "1.2.3rc1" -> (1, 2, 3, 0)."""
    release = re.match(r"\d+(?:\.\d+)*", text)
    if release is None:
        raise ValueError(f"version {text!r} does not start with a number")
    numbers = [int(n) for n in release.group().split(".")][:4]
    return tuple(numbers + [0] * (4 - len(numbers)))


def executables(platform: str = sys.platform) -> list[dict]:
    """The EXE steps for a system, as PyInstaller keyword arguments.

    Windows gets two programs in one folder: "Listing Studio.exe" (windowed, for the Start menu) and
    listing-studio.exe (a console program, so the command line prints and the shell waits for it).
    On macOS a windowed program is what the .app runs; started from a terminal it still prints.
    """
    if platform == "win32":
        return [{"name": APP_NAME, "console": False, "icon": str(ICO), "version": version_resource(APP_NAME)},
                {"name": CLI_NAME, "console": True, "icon": str(ICO), "version": version_resource(CLI_NAME)}]
    if platform == "darwin":
        return [{"name": CLI_NAME, "console": False, "icon": str(ICNS)}]
    return [{"name": CLI_NAME, "console": True}]


def bundle() -> dict:
    """The macOS BUNDLE step: dist/Listing Studio.app."""
    return {
        "name": f"{APP_NAME}.app",
        "icon": str(ICNS),
        "bundle_identifier": APP_ID,
        "version": version(),
        "info_plist": {
            "CFBundleShortVersionString": version(),
            "CFBundleVersion": version(),
            "NSHighResolutionCapable": True,
            "LSMinimumSystemVersion": MACOS_MINIMUM,
            "NSRequiresAquaSystemAppearance": False,   # follow the system's dark mode
            "LSApplicationCategoryType": "public.app-category.business",
        },
    }


def version_resource(program: str):
    """The Windows version resource of one program (what Explorer's Details tab and the installer read)."""
    from PyInstaller.utils.win32 import versioninfo as vi

    numbers = version_numbers(version())
    strings = {
        "CompanyName": APP_NAME,
        "FileDescription": APP_NAME,
        "FileVersion": version(),
        "InternalName": program,
        "OriginalFilename": f"{program}.exe",
        "ProductName": APP_NAME,
        "ProductVersion": version(),
    }
    return vi.VSVersionInfo(
        ffi=vi.FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[vi.StringFileInfo([vi.StringTable("040904B0", [vi.StringStruct(k, v) for k, v in strings.items()])]),
              vi.VarFileInfo([vi.VarStruct("Translation", [0x0409, 1200])])],
    )


if __name__ == "__main__":
    if sys.argv[1:] != ["version"]:
        sys.exit("usage: python packaging/build_settings.py version")
    print(version())
