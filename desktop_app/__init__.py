"""Listing Studio: AI listing images from an ASIN, reviewed and taken home."""

__version__ = "0.1.0"
APP_NAME = "Listing Studio"
APP_ID = "listing-studio"
