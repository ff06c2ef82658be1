"""Amazon Pinpoint custom channel: deliver campaign endpoints through any API."""

__version__ = "0.2.0"
