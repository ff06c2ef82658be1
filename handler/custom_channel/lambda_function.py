"""Lambda entry point for Pinpoint's direct invocation:
custom_channel.lambda_function.lambda_handler.

Settings are read and validated when the container starts. A bad variable does not crash
the container: every invocation then logs one error naming the variable and answers every
endpoint `failed` with that reason.
"""

from __future__ import annotations

from typing import Any

from .channel import LambdaContext, Response
from .config import ConfigError
from .runtime import configuration_failure, container_channel

container_channel()  # validate at cold start, not on the first event


def lambda_handler(event: Any, context: LambdaContext | None) -> Response:
    channel = container_channel()
    if isinstance(channel, ConfigError):
        return configuration_failure(event, channel)
    return channel.handle(event, context)
