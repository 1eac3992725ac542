"""The window's batch: import dialog and batch panel."""
