"""The one way to invoke the handler outside Lambda: tests, the CLI and the demo use it.

LocalContext behaves like Lambda's context object, with a real deadline counted from its
creation, so the handler's timing rules run exactly as they do when deployed.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..channel import Channel, LambdaContext, Response

DEFAULT_TIMEOUT_SECONDS = 15.0


@dataclass
class LocalContext:
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    function_name: str = "pinpoint-custom-channel"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    region: str = "us-east-1"
    account_id: str = "123456789012"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/[{self.function_version}]{self.aws_request_id.replace('-', '')}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self._started
        return max(int((self.timeout_seconds - elapsed) * 1000), 0)


@dataclass(frozen=True)
class Invocation:
    response: Response
    duration_ms: float
    request_id: str


def invoke(
    event: Any,
    *,
    channel: Channel | None = None,
    handler: Callable[[Any, LambdaContext], Response] | None = None,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> Invocation:
    """Run one invocation with a fresh LocalContext.

    Pass `channel` to reuse a warm Channel (built from any settings), or `handler` for
    another entry point; by default the packaged Lambda entry point runs, configured from
    this process's environment.
    """
    if handler is None:
        if channel is not None:
            handler = channel.handle
        else:
            from ..lambda_function import lambda_handler

            handler = lambda_handler
    context = LocalContext(timeout_seconds=timeout_seconds)
    started = time.perf_counter()
    response = handler(event, context)
    return Invocation(response, (time.perf_counter() - started) * 1000.0, context.aws_request_id)
