"""Failed and unknown deliveries, kept in an SQS queue so they can be re-sent later.

With CHANNEL_FAILURE_QUEUE_URL set, every endpoint that ends `failed` or `unknown` becomes one
message: the event's context as Pinpoint sent it (everything but Endpoints: ApplicationId,
CampaignId or JourneyId, TreatmentId, ActivityId, ScheduledTime, Data, ...), the endpoint as
Pinpoint sent it, and the outcome. Messages carry addresses and message bodies, so the queue
must be encrypted (the module always encrypts it) and nothing of a message is ever logged.

`python -m custom_channel resend` (resend.py) reads the messages back and delivers them again.
Queueing never costs Pinpoint its answer: an SQS error is logged and counted, not raised.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import logs
from .events import is_encodable
from .results import Outcome, Status

MESSAGE_VERSION = 1
QUEUED_STATUSES = (Status.FAILED, Status.UNKNOWN)
MAX_BATCH_ENTRIES = 10  # SendMessageBatch
MAX_BATCH_BYTES = 262_144  # SQS's size limit for one message and for one whole batch


@dataclass(frozen=True)
class FailedDelivery:
    """One queued endpoint: what resend.py needs to deliver it again."""

    context: dict[str, Any]
    endpoint_id: str
    endpoint: Any
    outcome: dict[str, Any]

    def to_body(self) -> str:
        message = {
            "version": MESSAGE_VERSION,
            "queued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "context": self.context,
            "endpoint_id": self.endpoint_id,
            "endpoint": self.endpoint,
            "outcome": self.outcome,
        }
        body = json.dumps(message, separators=(",", ":"), ensure_ascii=False)
        if not is_encodable(body):
            # A lone surrogate (events.py) stays a \u escape, so the message can be sent.
            body = json.dumps(message, separators=(",", ":"))
        return body

    @classmethod
    def from_body(cls, body: str) -> FailedDelivery:
        """Parse a queued message; ValueError names what is wrong with it."""
        try:
            message = json.loads(body)
        except ValueError:
            raise ValueError("body is not JSON") from None
        if not isinstance(message, dict) or message.get("version") != MESSAGE_VERSION:
            raise ValueError(f"not a version {MESSAGE_VERSION} failed-delivery message")
        context, endpoint_id = message.get("context"), message.get("endpoint_id")
        if not isinstance(context, dict):
            raise ValueError("context must be an object")
        if not isinstance(endpoint_id, str) or not endpoint_id:
            raise ValueError("endpoint_id must be a non-empty string")
        outcome = message.get("outcome")
        return cls(
            context,
            endpoint_id,
            message.get("endpoint"),
            outcome if isinstance(outcome, dict) else {},
        )


def failed_deliveries(raw_event: object, outcomes: Mapping[str, Outcome]) -> list[FailedDelivery]:
    """The failed and unknown endpoints of one invocation, each with the event's context."""
    if not isinstance(raw_event, Mapping):
        return []
    raw_endpoints = raw_event.get("Endpoints")
    if not isinstance(raw_endpoints, Mapping):
        return []
    context = {key: value for key, value in raw_event.items() if key != "Endpoints"}
    return [
        FailedDelivery(context, endpoint_id, raw_endpoints.get(endpoint_id), _outcome(outcome))
        for endpoint_id, outcome in outcomes.items()
        if outcome.status in QUEUED_STATUSES
    ]


def _outcome(outcome: Outcome) -> dict[str, Any]:
    fields: dict[str, Any] = {"status": outcome.status.value, "reason": outcome.reason}
    if outcome.attempts:
        fields["attempts"] = outcome.attempts
    if outcome.http_status is not None:
        fields["http_status"] = outcome.http_status
    return fields


class FailureQueue:
    def __init__(self, queue_url: str, client_factory: Callable[[], Any] | None = None) -> None:
        self.queue_url = queue_url
        self._client_factory = client_factory or _sqs_client
        self._client: Any = None

    def sqs(self) -> Any:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def put(self, deliveries: list[FailedDelivery]) -> int:
        """Queue each delivery as one message; returns how many could not be queued."""
        log = logs.configure()
        lost: dict[str, str] = {}
        bodies: list[tuple[str, str]] = []
        for delivery in deliveries:
            body = delivery.to_body()
            if len(body.encode("utf-8")) > MAX_BATCH_BYTES:
                lost[delivery.endpoint_id] = "MessageTooLarge"
            else:
                bodies.append((delivery.endpoint_id, body))
        for batch in _batches(bodies):
            entries = [{"Id": str(i), "MessageBody": body} for i, (_, body) in enumerate(batch)]
            try:
                answer = self.sqs().send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            except Exception as error:
                lost.update(
                    dict.fromkeys((endpoint_id for endpoint_id, _ in batch), logs.error_code(error))
                )
                continue
            for failure in answer.get("Failed", []):
                endpoint_id = batch[int(failure["Id"])][0]
                lost[endpoint_id] = str(failure.get("Code", "SendMessageBatchFailed"))
        queued = len(deliveries) - len(lost)
        if queued:
            log.info("failed deliveries queued", extra={"queued": queued})
        for endpoint_id, code in lost.items():
            # Still answered to Pinpoint and in the logs as not delivered; only the copy is lost.
            log.error(
                "failed delivery not queued", extra={"endpoint_id": endpoint_id, "error": code}
            )
        return len(lost)


def _batches(bodies: list[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
    """Groups of at most 10 messages and 256 KiB, SendMessageBatch's limits."""
    batch: list[tuple[str, str]] = []
    size = 0
    for item in bodies:
        item_size = len(item[1].encode("utf-8"))
        if batch and (len(batch) == MAX_BATCH_ENTRIES or size + item_size > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += item_size
    if batch:
        yield batch


def _sqs_client() -> Any:
    import boto3
    from botocore.config import Config

    # Queueing happens inside Pinpoint's 15 s wait: fail fast rather than hold the answer.
    config = Config(connect_timeout=2, read_timeout=3, retries={"max_attempts": 2})
    return boto3.client("sqs", config=config)
