"""The macOS and Windows installers, as far as this Linux machine can check them: the shared build settings,
the icons, the Inno Setup script, the scripts and the CI workflow that builds and runs them on their own
systems. Building them is the workflow's job (.github/workflows/installers.yml)."""

import importlib.util
import re
import subprocess
import sys
import tomllib
import types
from pathlib import Path, PureWindowsPath

import pytest
from PIL import Image, ImageChops

import desktop_app

ROOT = Path(__file__).resolve().parents[3]
WORKFLOW = ROOT / ".github" / "workflows" / "installers.yml"
ISS = ROOT / "packaging" / "windows" / "listing-studio.iss"


def _load(path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


settings = _load(ROOT / "packaging" / "build_settings.py")
icons = _load(ROOT / "resources" / "make_icons.py")


def _windowed_and_console(exes):
    return [e for e in exes if not e["console"]], [e for e in exes if e["console"]]


@pytest.fixture(scope="module")
def versioninfo():
    """PyInstaller's version resource module. It imports pefile and pywin32's win32api at its top (Windows-only
    dependencies, used to read and write executables); the resource itself is plain Python, so on other
    systems those two stand empty while it is imported."""
    import PyInstaller.compat

    with pytest.MonkeyPatch.context() as mp:
        if importlib.util.find_spec("pefile") is None:
            mp.setitem(sys.modules, "pefile", types.ModuleType("pefile"))
        if not hasattr(PyInstaller.compat, "win32api"):
            mp.setattr(PyInstaller.compat, "win32api", None, raising=False)
        from PyInstaller.utils.win32 import versioninfo
    return versioninfo


@pytest.fixture(scope="module")
def windows(versioninfo):
    """The windowed and the console EXE steps of the Windows build."""
    return _windowed_and_console(settings.executables("win32"))


# --- build settings -------------------------------------------------------------------------------------------

def test_version_is_the_package_version_everywhere():
    with open(ROOT / "pyproject.toml", "rb") as f:
        assert settings.version() == tomllib.load(f)["project"]["version"] == desktop_app.__version__
    assert settings.bundle()["info_plist"]["CFBundleShortVersionString"] == desktop_app.__version__
    assert settings.bundle()["version"] == desktop_app.__version__
    assert subprocess.run([sys.executable, str(ROOT / "packaging" / "build_settings.py"), "version"],
                          capture_output=True, text=True, check=True).stdout.strip() == desktop_app.__version__


def test_version_numbers_of_the_windows_resource():
    assert settings.version_numbers("0.1.0") == (0, 1, 0, 0)
    assert settings.version_numbers("2") == (2, 0, 0, 0)
    assert settings.version_numbers("1.2.3rc1") == (1, 2, 3, 0)
    with pytest.raises(ValueError):
        settings.version_numbers("dev")


def test_linux_build_is_unchanged_one_console_program():
    assert settings.executables("linux") == [{"name": "listing-studio", "console": True}]


def test_macos_bundle_is_a_dock_app_that_follows_dark_mode():
    windowed, console = _windowed_and_console(settings.executables("darwin"))
    # A console EXE would make PyInstaller mark the bundle LSBackgroundOnly: no Dock icon, no menu bar.
    assert console == [] and [e["icon"] for e in windowed] == [str(settings.ICNS)]
    bundle = settings.bundle()
    assert bundle["name"] == "Listing Studio.app"
    assert bundle["bundle_identifier"] == "io.github.listingstudio.ListingStudio"
    assert bundle["icon"] == str(settings.ICNS)
    plist = bundle["info_plist"]
    assert plist["NSHighResolutionCapable"] is True
    assert plist["NSRequiresAquaSystemAppearance"] is False
    assert re.fullmatch(r"\d+\.\d+", plist["LSMinimumSystemVersion"])


def test_windows_has_a_windowed_program_and_a_console_one(windows):
    windowed, console = windows
    assert [e["name"] for e in windowed] == ["Listing Studio"]
    assert [e["name"] for e in console] == ["listing-studio"]
    assert {e["icon"] for e in windowed + console} == {str(settings.ICO)}


def test_windows_version_resource_states_the_package_version(windows, versioninfo):
    # Its text form (what pyi-grab_version prints); the binary form is written by PyInstaller on Windows.
    windowed, console = windows
    numbers = ", ".join(map(str, settings.version_numbers(settings.version())))
    for exe in windowed + console:
        assert isinstance(exe["version"], versioninfo.VSVersionInfo)
        text = str(exe["version"])
        assert f"filevers=({numbers})" in text and f"prodvers=({numbers})" in text
        assert f"StringStruct('ProductVersion', '{settings.version()}')" in text
        assert f"StringStruct('OriginalFilename', '{exe['name']}.exe')" in text


def test_bundled_data_exists():
    assert settings.ENTRY_POINT.is_file()
    for source, _ in settings.DATAS:
        assert Path(source).exists(), source
    # the image rules travel with every build, where the frozen app looks for them
    assert (str(ROOT / "resources" / "compliance-rules.json"), "resources") in settings.DATAS


# --- icons ----------------------------------------------------------------------------------------------------

def _png(size):
    path = settings.ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{settings.APP_ID}.png"
    with Image.open(path) as im:
        return im.convert("RGBA")


def _same_pixels(a, b):
    return a.size == b.size and ImageChops.difference(a.convert("RGBA"), b).getbbox() is None


def test_ico_has_every_windows_size_drawn_like_the_pngs():
    with Image.open(settings.ICO) as ico:
        assert ico.format == "ICO"
        assert sorted(ico.ico.sizes()) == [(s, s) for s in (16, 24, 32, 48, 64, 128, 256)]
        for size in icons.ICO_SIZES:
            assert _same_pixels(ico.ico.getimage((size, size)), _png(size)), size


def test_icns_has_every_macos_size_up_to_retina_1024():
    with Image.open(settings.ICNS) as icns:
        assert icns.format == "ICNS"
        pixels = {w * scale: (w, h, scale) for w, h, scale in icns.info["sizes"]}
        assert sorted(pixels) == [32, 64, 128, 256, 512, 1024]
        for size in set(pixels) & set(icons.SIZES):
            assert _same_pixels(icns.icns.getimage(pixels[size]), _png(size)), size


# --- Inno Setup script ----------------------------------------------------------------------------------------

def _iss_sections():
    sections, current = {}, None
    for line in ISS.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith((";", "#")):
            continue
        if re.fullmatch(r"\[\w+\]", line):
            current = sections.setdefault(line[1:-1], [])
        else:
            current.append(line)
    return sections


def _iss_setup():
    return dict(line.split("=", 1) for line in _iss_sections()["Setup"])


def _iss_path(relative):
    return (ISS.parent / Path(*PureWindowsPath(relative).parts)).resolve()


def test_iss_installs_per_user_without_admin_rights():
    setup = _iss_setup()
    assert setup["PrivilegesRequired"] == "lowest"
    assert setup["DefaultDirName"] == r"{localappdata}\Programs\Listing Studio"
    assert re.fullmatch(r"\{\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", setup["AppId"])
    assert setup.get("Uninstallable", "yes") == "yes"
    assert setup["AppVersion"] == "{#AppVersion}"
    assert setup["OutputBaseFilename"] == "Listing-Studio-{#AppVersion}-setup"
    assert _iss_path(setup["OutputDir"]) == ROOT / "dist"


def test_iss_version_comes_from_the_built_windowed_program(windows):
    text = ISS.read_text(encoding="utf-8")
    app_exe = re.search(r'#define AppExe AddBackslash\(SourcePath\) \+ "(.+)"', text).group(1)
    windowed, _ = windows
    assert _iss_path(app_exe) == ROOT / "dist" / settings.DIST_NAME / f"{windowed[0]['name']}.exe"
    assert "#define AppVersion GetFileProductVersionString(AppExe)" in text


def test_iss_files_shortcut_and_icon_match_the_build(windows):
    sections, setup = _iss_sections(), _iss_setup()
    assert _iss_path(setup["SetupIconFile"]) == settings.ICO and settings.ICO.is_file()
    source = re.search(r'Source: "([^"]+)"', sections["Files"][0]).group(1)
    assert _iss_path(source.removesuffix("*")) == ROOT / "dist" / settings.DIST_NAME
    windowed, _ = windows
    start_menu = [line for line in sections["Icons"] if line.startswith('Name: "{userprograms}')]
    assert start_menu and f'Filename: "{{app}}\\{windowed[0]["name"]}.exe"' in start_menu[0]
    assert setup["UninstallDisplayIcon"] == f"{{app}}\\{windowed[0]['name']}.exe"


# --- scripts and workflow -------------------------------------------------------------------------------------

def test_build_scripts_name_the_files_the_build_makes(windows):
    dmg = (ROOT / "packaging" / "macos" / "build-dmg.sh").read_text()
    subprocess.run(["bash", "-n", str(ROOT / "packaging" / "macos" / "build-dmg.sh")], check=True)
    windowed, _ = _windowed_and_console(settings.executables("darwin"))
    assert f'app="dist/{settings.bundle()["name"]}"' in dmg
    assert f'"$app/Contents/MacOS/{windowed[0]["name"]}" --smoke' in dmg
    assert 'dmg="dist/Listing-Studio-$version.dmg"' in dmg
    ps1 = (ROOT / "packaging" / "windows" / "build.ps1").read_text()
    _, console = windows
    assert f"dist\\{settings.DIST_NAME}\\{console[0]['name']}.exe --smoke" in ps1
    for path in re.findall(r"packaging\\[\w\\.-]+", ps1):
        assert _iss_path("..\\..\\" + path).is_file(), path


def _workflow():
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(WORKFLOW.read_text())


def _runs(job):
    return "\n".join(step.get("run", "") for step in job["steps"])


def test_workflow_builds_on_windows_and_macos_runners():
    jobs = _workflow()["jobs"]
    assert sorted(job["runs-on"] for job in jobs.values()) == ["macos-latest", "windows-latest"]
    for job in jobs.values():
        uses = {step.get("uses", "").split("@")[0]: step for step in job["steps"]}
        assert uses["actions/setup-python"]["with"]["python-version"] == "3.11"
        assert "actions/checkout" in uses
        assert uses["actions/upload-artifact"]["with"]["if-no-files-found"] == "error"
        assert 'pip install -e ".[package]"' in _runs(job)
    assert "bash packaging/macos/build-dmg.sh" in _runs(jobs["macos"])
    assert "choco install innosetup" in _runs(jobs["windows"])
    assert "packaging\\windows\\build.ps1" in _runs(jobs["windows"])


def test_workflow_runs_the_frozen_checks_on_what_the_spec_builds(windows):
    jobs = _workflow()["jobs"]
    expected = {
        "macos": f"dist/{settings.bundle()['name']}/Contents/MacOS/{settings.executables('darwin')[0]['name']}",
        "windows": f"dist\\{settings.DIST_NAME}\\{windows[1][0]['name']}.exe",
    }
    for name, job in jobs.items():
        frozen = [s for s in job["steps"] if "tests/integration/app/test_frozen.py" in s.get("run", "")]
        assert len(frozen) == 1, name
        assert frozen[0]["env"]["LISTING_STUDIO_FROZEN_BINARY"] == expected[name]
        assert frozen[0]["env"]["QT_QPA_PLATFORM"] == "offscreen"
        assert "--smoke" in _runs(job)
    assert (ROOT / "tests" / "integration" / "app" / "test_frozen.py").is_file()
