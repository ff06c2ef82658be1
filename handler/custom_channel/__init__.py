"""Amazon Pinpoint custom channel: deliver campaign endpoints through any API."""

__version__ = "0.1.0"
