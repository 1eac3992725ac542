"""The layers, by folder and including imports inside functions: ui -> core -> store / api; nothing under api/,
core/, store/ (nor the command line or the sandboxes) imports Qt; imports inside the package are absolute."""

import ast
from pathlib import Path

import desktop_app

PACKAGE = Path(desktop_app.__file__).parent
QT = ("PySide6", "shiboken6", "qasync")
QT_FREE = ("api", "core", "store", "sandbox", "cli")


def _imports(folder: str):
    """(file, imported module, relative level) for every import of every module under ``folder``, at any depth."""
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            rel = path.relative_to(PACKAGE).as_posix()
            if isinstance(node, ast.Import):
                yield from ((rel, alias.name, 0) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                yield rel, node.module or "", node.level


def test_the_layers_below_the_window_never_import_qt():
    found = [f"{rel}: {name}" for folder in QT_FREE for rel, name, _ in _imports(folder) if name.startswith(QT)]
    assert found == []


def test_the_walk_reaches_the_feature_folders():
    files = {rel for folder in QT_FREE for rel, _, _ in _imports(folder)}
    assert {"api/pixii/client.py", "core/publish/service.py", "cli/commands.py"} <= files


def test_api_and_store_never_import_the_core_or_the_window():
    found = [f"{rel}: {name}" for folder in ("api", "store") for rel, name, _ in _imports(folder)
             if name.startswith(("desktop_app.core", "desktop_app.ui"))]
    assert found == []


def test_the_core_never_imports_the_window():
    assert [f"{rel}: {name}" for rel, name, _ in _imports("core") if name.startswith("desktop_app.ui")] == []


def test_imports_inside_the_package_are_absolute():
    assert [f"{rel}: {'.' * level}{name}" for rel, name, level in _imports(".") if level] == []


def test_the_sp_api_emulators_parts_never_import_the_emulator_back():
    found = [f"{rel}: {name}" for rel, name, _ in _imports("sandbox/amazon")
             if name == "desktop_app.sandbox.amazon.emulator" and rel != "sandbox/amazon/emulator.py"]
    assert found == []
    assert {rel for rel, _, _ in _imports("sandbox/amazon")} >= {"sandbox/amazon/control.py",
                                                                "sandbox/amazon/listings.py"}
