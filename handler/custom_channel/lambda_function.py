"""Lambda entry point for Pinpoint's direct invocation and Connect's custom action:
custom_channel.lambda_function.lambda_handler.

With receipts on, the same function serves the receipts route (`POST /receipts`, an API
Gateway HTTP API event: receipts.py); no event of Pinpoint or Connect has that shape.

Settings are read and validated when the container starts. A bad variable does not crash
the container: every invocation then logs one error naming the variable and answers every
endpoint `failed` with that reason.
"""

from __future__ import annotations

from typing import Any

from .channel import LambdaContext, Response
from .config import ConfigError
from .receipts import is_receipt_request
from .runtime import configuration_failure, container_channel, log_configuration_error

container_channel()  # validate at cold start, not on the first event


def lambda_handler(event: Any, context: LambdaContext | None) -> Response:
    channel = container_channel()
    if is_receipt_request(event):
        if isinstance(channel, ConfigError):
            log_configuration_error(channel)
            return {"statusCode": 500, "body": '{"message": "channel misconfigured"}'}
        return channel.receipts.handle(event)
    if isinstance(channel, ConfigError):
        return configuration_failure(event, channel)
    return channel.handle(event, context)
