"""Embedded emulators of the remote services."""
