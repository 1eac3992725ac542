"""Developer tools (not shipped): screenshots of the window."""
