"""Webhook receiver entry point: custom_channel.receiver.lambda_handler.

Serves Pinpoint's webhook calls behind a Lambda function URL or an API Gateway HTTP API
(payload format 2.0). The last segment of the URL path must be the receiver secret (read
from CHANNEL_RECEIVER_SECRET_ID; Pinpoint forbids `=` in webhook URLs, so no query string),
compared in constant time, for every method, HEAD included:

- wrong or missing secret: 403, nothing processed;
- HEAD: 200 with `X-Amz-Pinpoint-AccountId` = this function's account (Pinpoint's check
  when a campaign is created);
- POST: the body is the same event a Lambda invocation gets; processed by the container's
  Channel, answered 200 with the per-endpoint results; 400 for a body that is not a valid
  event (nested too deeply included); with CHANNEL_FAILURE_POLICY=retry and endpoints worth a
  retry, 503 with the per-endpoint results, so the caller can retry;
- anything else: 405.

The receiver secret must be a plain string; a secret stored as a JSON object refuses every
request, with one error line saying why.

The receipts route (`POST /receipts`, docs/receipts.md) has no path secret: each callback is
authenticated by the provider's signature (receipts.py).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Mapping
from typing import Any

from . import logs
from .channel import DeliveryIncomplete, LambdaContext
from .config import ConfigError
from .events import InvalidEvent, parse_event
from .http_api import HttpResponse, field_at, json_reply
from .receipts import is_receipt_request
from .runtime import container_channel, log_configuration_error
from .secrets import SecretStore, SecretUnavailable

ACCOUNT_HEADER = "X-Amz-Pinpoint-AccountId"


def lambda_handler(event: dict[str, Any], context: LambdaContext | None) -> HttpResponse:
    log = logs.get_logger()
    channel = container_channel()
    if isinstance(channel, ConfigError):
        log_configuration_error(channel)
        return json_reply(500, {"message": "channel misconfigured"})
    if is_receipt_request(event):
        return channel.receipts.handle(event)
    method = str(field_at(event, "requestContext", "http", "method") or "").upper()
    if not _secret_matches(str(event.get("rawPath") or ""), channel.receiver_secret):
        log.warning("receiver request refused", extra={"method": method, "status": 403})
        return json_reply(403, {"message": "forbidden"})
    if method == "HEAD":
        return {"statusCode": 200, "headers": {ACCOUNT_HEADER: _account_id(context)}}
    if method != "POST":
        return json_reply(405, {"message": "method not allowed"}, {"Allow": "HEAD, POST"})
    try:
        payload = _body(event)
        parse_event(payload)
    except InvalidEvent as error:
        log.error(
            "invalid event", extra={"error": "InvalidEvent", "field": error.field, "status": 400}
        )
        return json_reply(400, {"message": "invalid event", "field": error.field})
    try:
        return json_reply(200, channel.handle(payload, context))
    except DeliveryIncomplete as incomplete:
        return json_reply(503, incomplete.response, {"Retry-After": "1"})


def _secret_matches(path: str, store: SecretStore) -> bool:
    try:
        expected = store.get()
    except SecretUnavailable as error:
        logs.get_logger().error("receiver secret unavailable", extra={"problem": str(error)})
        return False
    if not isinstance(expected, str) or not expected:
        if expected is None:
            logs.get_logger().error("receiver secret not configured")
        elif isinstance(expected, Mapping):
            logs.get_logger().error(
                "receiver secret is a JSON object; store the path secret as a plain string"
            )
        else:
            logs.get_logger().error("receiver secret is empty")
        return False
    presented = path.rstrip("/").rsplit("/", 1)[-1]
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def _body(event: dict[str, Any]) -> object:
    raw = event.get("body") or ""
    try:
        text = (
            base64.b64decode(raw, validate=True).decode("utf-8")
            if event.get("isBase64Encoded")
            else str(raw)
        )
        return json.loads(text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidEvent("body", "is not a JSON object") from None
    except RecursionError:  # "[[[[..." deeper than the parser goes
        raise InvalidEvent("body", "is nested too deeply") from None


def _account_id(context: LambdaContext | None) -> str:
    arn = str(getattr(context, "invoked_function_arn", ""))
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""
