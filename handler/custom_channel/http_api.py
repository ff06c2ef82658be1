"""API Gateway HTTP API (payload format 2.0) events and answers, for the function's routes:
the webhook receiver (receiver.py) and the receipts route (receipts.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

HttpResponse = dict[str, Any]


def field_at(source: object, *keys: str) -> object:
    """The value at `keys` in nested objects (`requestContext.http.method`), or None."""
    for key in keys:
        if not isinstance(source, Mapping):
            return None
        source = source.get(key)
    return source


def json_reply(status: int, body: object, headers: dict[str, str] | None = None) -> HttpResponse:
    """An answer with a JSON body."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": json.dumps(body),
    }
