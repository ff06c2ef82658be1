"""Every AWS client the handler uses, built here once per container, each call bounded in time.

botocore's defaults (60 s connect and read timeouts, retries with backoff of up to 20 s) let a
hanging AWS endpoint hold an invocation long past Pinpoint's 15 s wait, and a late answer makes
Pinpoint invoke the batch again. So every client made here:

- has short connect and read timeouts (CALL_LIMITS), set explicitly: Lambda's bundled botocore
  may default differently from ours;
- makes a single attempt per call (`total_max_attempts = 1`): botocore's retries sleep for a
  time we cannot bound, and a retried PutMetricData after a read timeout would count the guide's
  metrics twice. Where a second attempt is safe and worth it, the caller makes it (secrets.py,
  idempotency.py), checking the time left first;
- is built once, under a lock, from one boto3 Session per container: creating clients from
  boto3's default session in many threads at once is a known race, and each creation costs
  tens of milliseconds of a cold start.

botocore's timeouts bound each socket operation, not a whole call, so `fits` checks a call's
worst case (connect + read timeout) against the time left before the call is made; a call that
does not fit is skipped with one log line naming it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from . import logs
from .deadline import Deadline

if TYPE_CHECKING:
    # boto3-stubs (requirements-dev.in), for mypy only: the Lambda zip ships no stubs, and at run
    # time these names are never looked up (annotations are strings: __future__.annotations).
    from botocore.config import Config
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_customer_profiles import CustomerProfilesClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_pinpoint import PinpointClient
    from mypy_boto3_qconnect import QConnectClient
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_ssm import SSMClient


@dataclass(frozen=True)
class CallLimit:
    connect_timeout: float
    read_timeout: float

    @property
    def worst_case(self) -> float:
        """The longest one attempt can take against an endpoint that accepts and never answers."""
        return self.connect_timeout + self.read_timeout


# Calls made inside an invocation: each is one small request that AWS answers in tens of
# milliseconds. The delivery ledger's and the failure queue's calls are kept to 1 s each,
# since the time they need is kept back from delivery (channel.py, delivery.py).
CALL_LIMITS = {
    "dynamodb": CallLimit(0.25, 0.75),
    "sqs": CallLimit(0.25, 0.75),
    "cloudwatch": CallLimit(0.25, 0.75),
    "secretsmanager": CallLimit(0.5, 1.5),
    "ssm": CallLimit(0.5, 1.5),
    # Amazon Q in Connect's GetMessageTemplate (connect_templates.py), once per template and
    # container: read like the secret.
    "qconnect": CallLimit(0.5, 1.5),
    # Receipts and consent write-back (receipts.py, consent.py): one small call per recipient
    # or receipt, after delivery, their time kept back from delivery like the queue's.
    "events": CallLimit(0.25, 0.75),
    "customer-profiles": CallLimit(0.25, 0.75),
    "pinpoint": CallLimit(0.25, 0.75),
}
# The receipts route (receipts.py) answers a provider's callback, not a campaign: no caller
# waits on it but the provider (Twilio waits 15 s), so its calls may take longer than an
# invocation's, and a busy table is not a lost receipt.
ROUTE_LIMIT = CallLimit(1.0, 3.0)
# Operator commands (resend, ...) run outside any invocation: longer limits, botocore's retries.
OPERATOR_LIMIT = CallLimit(5.0, 30.0)
OPERATOR_ATTEMPTS = 3


class AwsClients:
    """The container's AWS clients, one per service, created on first use (thread-safe).

    `operator=True` builds the clients of a command an operator runs (resend): not bound by
    an invocation's deadline, so they keep botocore's retries and wait longer.
    """

    def __init__(
        self,
        session_factory: Callable[[], Any] | None = None,
        *,
        operator: bool = False,
        limit: CallLimit | None = None,
    ) -> None:
        self.operator = operator
        # One limit for every service (the receipts route's ROUTE_LIMIT); None: CALL_LIMITS.
        self.limit = limit
        self._session_factory = session_factory or _boto3_session
        # Any: boto3's Session.client is typed per literal service name, this one is a str.
        self._session: Any = None
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    # One overload per service the handler calls, so mypy checks each call's operation,
    # parameter names and types against botocore's model (boto3-stubs); a service not listed
    # here is a type error until its stubs are added (requirements-dev.in's boto3-stubs extras).
    @overload
    def client(self, service: Literal["cloudwatch"]) -> CloudWatchClient: ...
    @overload
    def client(self, service: Literal["customer-profiles"]) -> CustomerProfilesClient: ...
    @overload
    def client(self, service: Literal["dynamodb"]) -> DynamoDBClient: ...
    @overload
    def client(self, service: Literal["events"]) -> EventBridgeClient: ...
    @overload
    def client(self, service: Literal["lambda"]) -> LambdaClient: ...
    @overload
    def client(self, service: Literal["pinpoint"]) -> PinpointClient: ...
    @overload
    def client(self, service: Literal["qconnect"]) -> QConnectClient: ...
    @overload
    def client(self, service: Literal["secretsmanager"]) -> SecretsManagerClient: ...
    @overload
    def client(self, service: Literal["sqs"]) -> SQSClient: ...
    @overload
    def client(self, service: Literal["ssm"]) -> SSMClient: ...
    def client(self, service: str) -> Any:
        cached = self._clients.get(service)
        if cached is not None:
            return cached
        with self._lock:
            if service not in self._clients:
                if self._session is None:
                    self._session = self._session_factory()
                if self.operator:
                    config = _config(OPERATOR_LIMIT, OPERATOR_ATTEMPTS)
                elif self.limit is not None:
                    config = _config(self.limit, 1)
                else:
                    config = _config(limit_of(service), 1)
                self._clients[service] = self._session.client(service, config=config)
            return self._clients[service]


# Set while the receipts route runs (`limited_to`): its clients' limit, for `fits`.
_limit_override: ContextVar[CallLimit | None] = ContextVar("limit_override", default=None)


def limit_of(service: str) -> CallLimit:
    return _limit_override.get() or CALL_LIMITS.get(service, OPERATOR_LIMIT)


@contextmanager
def limited_to(limit: CallLimit) -> Iterator[None]:
    """Within this block (one thread), `fits` and `attempt` count every call at `limit`: the
    limit of the clients the block uses (AwsClients(limit=...))."""
    token = _limit_override.set(limit)
    try:
        yield
    finally:
        _limit_override.reset(token)


def fits(deadline: Deadline | None, service: str, operation: str, attempts: int = 1) -> bool:
    """True when `attempts` calls of `operation` can end before the deadline; otherwise one
    warning names the call that is skipped. No deadline (an operator command): always True."""
    if deadline is None:
        return True
    needed = attempts * limit_of(service).worst_case
    left = deadline.remaining()
    if needed <= left:
        return True
    logs.get_logger().warning(
        "aws call skipped: not enough time left",
        extra={
            "service": service,
            "operation": operation,
            "needed_ms": round(needed * 1000),
            "left_ms": max(round(left * 1000), 0),
        },
    )
    return False


T = TypeVar("T")


class CallFailed(RuntimeError):
    """A call made through `attempt` did not succeed; `code` names the AWS error (or
    NoTimeLeft), never a value. `error`: the last error raised, for what its response holds
    (a condition's old item, a transaction's CancellationReasons)."""

    def __init__(self, code: str, error: Exception | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.error = error


def attempt(
    deadline: Deadline | None,
    service: str,
    operation: str,
    call: Callable[[], T],
    *,
    permanent: Collection[str],
    attempts: int = 2,
) -> T:
    """`call`, tried up to `attempts` times, each try made only when its worst case fits the
    deadline; an error whose code is in `permanent` (a second try cannot fix it) ends the
    tries. The one retry loop of the AWS calls made during an invocation (idempotency.py,
    secrets.py, connect_templates.py)."""
    code, last = "NoTimeLeft", None
    for _ in range(attempts):
        if not fits(deadline, service, operation):
            break
        try:
            return call()
        except Exception as error:
            code, last = logs.error_code(error), error
            if code in permanent:
                break
    raise CallFailed(code, last)


def _config(limit: CallLimit, attempts: int) -> Config:
    from botocore.config import Config

    return Config(
        connect_timeout=limit.connect_timeout,
        read_timeout=limit.read_timeout,
        retries={"total_max_attempts": attempts, "mode": "standard"},
        # One connection per delivery worker, so the ledger's calls never queue for one.
        max_pool_connections=50,
    )


def _boto3_session() -> Any:
    import boto3  # imported on first use: a channel without AWS calls starts faster

    return boto3.session.Session()
