"""The container's one Channel, built from the environment on first use.

Both entry points (lambda_function for Pinpoint's direct invocation, receiver for the
webhook mode) share it, so settings are validated once and the HTTP pool, workers and
caches are reused by every warm invocation. A bad variable does not crash the container:
container_channel() then returns the ConfigError, and the entry point answers with it.
"""

from __future__ import annotations

import os
import threading

from . import logs
from .channel import Channel, Response
from .config import ConfigError, ConnectSettings
from .results import Outcome, Status
from .sources import ConnectSource, PinpointSource, source_for


class _Container:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.channel: Channel | ConfigError | None = None


_container = _Container()


def container_channel() -> Channel | ConfigError:
    with _container.lock:
        if _container.channel is None:
            try:
                _container.channel = Channel.from_environ(os.environ)
            except ConfigError as error:
                _container.channel = error
        return _container.channel


def reset() -> None:
    """Forget the container's Channel (tests change the environment between runs)."""
    with _container.lock:
        if isinstance(_container.channel, Channel):
            _container.channel.close()
        _container.channel = None


def log_configuration_error(error: ConfigError) -> None:
    logs.configure().error(
        "invalid configuration",
        extra={"error": "ConfigError", "variable": error.variable, "problem": error.problem},
    )


def configuration_failure(event: object, error: ConfigError) -> Response:
    """Every recipient failed with the variable's name, in the format of the event's source;
    one log line says the same."""
    log_configuration_error(error)
    failed = Outcome(Status.FAILED, f"configuration error: {error}")
    source = source_for(event, PinpointSource(), ConnectSource(ConnectSettings()))
    return source.answer(event, dict.fromkeys(source.ids_of(event), failed))
