"""Guards against a Qt binding release that corrupts the interpreter (PySide6 6.12.0 on Python 3.11
drops a reference to None on every void method call; the process aborts once the count runs out)."""

import sys

from PySide6.QtCore import QSize


def test_void_methods_keep_none_and_bool_reference_counts():
    size = QSize(1, 1)
    before = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(1000):
        size.setWidth(1)
        size.isEmpty()
    after = (sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False))
    assert all(a >= b - 5 for a, b in zip(after, before)), (before, after)
