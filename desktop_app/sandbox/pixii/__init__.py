"""The embedded Pixii emulator: API, job records, image host, control API."""
