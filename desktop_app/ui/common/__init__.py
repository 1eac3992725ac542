"""What every window part shares: the task owner, the store worker, theme, prefs, drop data."""
