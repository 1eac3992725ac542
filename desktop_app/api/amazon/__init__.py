"""Amazon SP-API: LWA login, Listings Items and Product Type Definitions clients, models, errors, per-operation rate limits, marketplaces."""
