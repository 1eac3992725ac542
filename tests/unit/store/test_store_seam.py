"""The store seam: SQLite is spoken in desktop_app/store/ (the emulators' own data included), nowhere else."""

import ast
import re
from pathlib import Path

import desktop_app

PACKAGE = Path(desktop_app.__file__).parent
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA)\b", re.S)
SPEAKS_SQLITE = ("store",)


def _outside_the_store():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] not in SPEAKS_SQLITE:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_only_the_store_imports_sqlite3():
    offenders = []
    for path, tree in _outside_the_store():
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] == "sqlite3" for n in names):
                offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_no_sql_and_no_private_journal_calls_outside_the_store():
    offenders = []
    for path, tree in _outside_the_store():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} SQL")
            if isinstance(node, ast.Attribute) and node.attr in ("_query", "_write", "_conn", "read", "write") \
                    and isinstance(node.value, ast.Attribute) and node.value.attr == "journal":
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} journal.{node.attr}")
    assert offenders == []
