"""Lambda entry point: custom_channel.lambda_function.lambda_handler.

Settings are read and validated once, when the container starts. A bad variable does not
crash the container: every invocation then logs one error naming the variable and answers
every endpoint `failed` with that reason.
"""

from __future__ import annotations

import os
from typing import Any

from . import logs
from .channel import Channel, LambdaContext, Response
from .config import ConfigError
from .events import endpoint_ids_of
from .results import Outcome, Status, journey_response

_channel: Channel | None = None
_config_error: ConfigError | None = None
try:
    _channel = Channel.from_environ(os.environ)
except ConfigError as error:
    _config_error = error


def lambda_handler(event: Any, context: LambdaContext | None) -> Response:
    if _channel is None:
        return configuration_failure(event, _config_error)
    return _channel.handle(event, context)


def configuration_failure(event: object, error: ConfigError | None) -> Response:
    log = logs.configure()
    variable = error.variable if error else "unknown"
    log.error(
        "invalid configuration",
        extra={
            "error": "ConfigError",
            "variable": variable,
            "problem": error.problem if error else "",
        },
    )
    failed = Outcome(Status.FAILED, f"configuration error: {error}")
    return journey_response(dict.fromkeys(endpoint_ids_of(event), failed))
