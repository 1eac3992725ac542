"""The command line ``listing-studio`` (no Qt): the entry point, the shared output and one module per command."""

from desktop_app.cli.entry import main

__all__ = ["main"]
