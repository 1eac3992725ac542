"""The desktop window (PySide6 + qasync) over the Qt-free core: widgets, models, services."""
