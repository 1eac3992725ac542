"""The embedded SP-API emulator: LWA, Listings Items, definitions, media host, control API, static sandbox."""
