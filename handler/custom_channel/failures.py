"""Failed and unknown deliveries, kept in an SQS queue so they can be re-sent later.

With CHANNEL_FAILURE_QUEUE_URL set, every endpoint that ends `failed` or `unknown` becomes one
message: the event source (`pinpoint` or `connect`), the event's context as the source sent
it (Pinpoint: everything but Endpoints; Connect: InvocationMetadata), the recipient reduced to
what delivery reads (sources/: the address, consent and the fields the templates name), and
the outcome. Messages carry addresses and
message bodies, so the queue must be encrypted (the module always encrypts it) and nothing of
a message is ever logged.

Each message (version 2) is signed with an HMAC-SHA256 whose key is derived from the provider
secret, so the resend command (resend.py) delivers only what this channel queued: anyone else
who can send to the queue cannot get text delivered with the provider's credentials. A
channel without a provider secret queues unsigned messages, which resend delivers only when
told to (--accept-unsigned); a channel with one never has its unsigned messages sent.
Rotating the provider secret invalidates what is queued.
Queueing never costs Pinpoint its answer: an SQS error, or too little time left before the
deadline, is logged and counted, not raised.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import logs
from .aws import AwsClients, fits
from .deadline import Deadline
from .results import Outcome, Status

if TYPE_CHECKING:  # boto3-stubs, for mypy only (aws.py)
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

MESSAGE_VERSION = 2
READABLE_VERSIONS = (1, 2)  # version 1 (0.1.x): unsigned, the whole endpoint
_SIGNING_LABEL = b"custom-channel failure queue signing key v2"
QUEUED_STATUSES = (Status.FAILED, Status.UNKNOWN)
MAX_BATCH_ENTRIES = 10  # SendMessageBatch
MAX_BATCH_BYTES = 262_144  # SQS's size limit for one message and for one whole batch
MAX_PARALLEL_BATCHES = 5  # a full 50-endpoint batch: 5 SendMessageBatch calls at once


@dataclass(frozen=True)
class FailedDelivery:
    """One queued endpoint: what resend.py needs to deliver it again."""

    context: dict[str, Any]
    endpoint_id: str
    endpoint: Any
    outcome: dict[str, Any]
    queued_at: str = ""
    source: str = "pinpoint"  # the event source (sources/); version 1 messages are Pinpoint's
    signed: bool = False  # read back with a valid signature (from_body)
    signature_present: bool = False  # read back carrying a signature, valid or not
    version: int = MESSAGE_VERSION  # read back: 1 from 0.1.x, which signed nothing

    def to_body(self, secret: Mapping[str, str] | str | None = None) -> str:
        message: dict[str, Any] = {
            "version": MESSAGE_VERSION,
            "source": self.source,
            "queued_at": self.queued_at or time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "context": self.context,
            "endpoint_id": self.endpoint_id,
            "endpoint": self.endpoint,
            "outcome": self.outcome,
        }
        if secret is not None:
            message["signature"] = _signature(message, secret)
        # ASCII only: SQS rejects some characters outright (U+FFFE, most control characters),
        # and a lone surrogate (events.py) cannot be encoded at all; JSON escapes carry both.
        return json.dumps(message, separators=(",", ":"))

    @classmethod
    def from_body(cls, body: str, secret: Mapping[str, str] | str | None = None) -> FailedDelivery:
        """Parse a queued message; ValueError names what is wrong with it. `signed` says
        whether it carries a valid signature under `secret`."""
        try:
            message = json.loads(body)
        except (ValueError, RecursionError):
            raise ValueError("body is not JSON") from None
        if not isinstance(message, dict) or message.get("version") not in READABLE_VERSIONS:
            raise ValueError("not a failed-delivery message (version 1 or 2)")
        context, endpoint_id = message.get("context"), message.get("endpoint_id")
        if not isinstance(context, dict):
            raise ValueError("context must be an object")
        if not isinstance(endpoint_id, str) or not endpoint_id:
            raise ValueError("endpoint_id must be a non-empty string")
        outcome = message.get("outcome")
        presented = message.pop("signature", None)
        signed = (
            secret is not None
            and isinstance(presented, str)
            and hmac.compare_digest(presented, _signature(message, secret))
        )
        queued_at = message.get("queued_at")
        source = message.get("source", "pinpoint")
        if source not in ("pinpoint", "connect"):
            raise ValueError("source must be pinpoint or connect")
        return cls(
            context,
            endpoint_id,
            message.get("endpoint"),
            outcome if isinstance(outcome, dict) else {},
            queued_at if isinstance(queued_at, str) else "",
            source,
            signed,
            presented is not None,
            int(message["version"]),
        )


def _signature(message: Mapping[str, Any], secret: Mapping[str, str] | str) -> str:
    material = secret if isinstance(secret, str) else json.dumps(dict(secret), sort_keys=True)
    key = hmac.new(_SIGNING_LABEL, material.encode("utf-8", "surrogatepass"), hashlib.sha256)
    canonical = json.dumps(message, sort_keys=True, separators=(",", ":"))
    return hmac.new(key.digest(), canonical.encode("ascii"), hashlib.sha256).hexdigest()


def failed_deliveries(
    source: str,
    context: dict[str, Any],
    recipients: Mapping[str, Any],
    outcomes: Mapping[str, Outcome],
) -> list[FailedDelivery]:
    """The failed and unknown recipients of one invocation, each with its event's context.
    `context` and `recipients` come from the event source (EventSource.queue_items), which
    keeps only what delivery reads of each recipient."""
    return [
        FailedDelivery(
            context,
            recipient_id,
            recipients.get(recipient_id),
            dict(outcome.as_dict(clip=False)),
            source=source,
        )
        for recipient_id, outcome in outcomes.items()
        if outcome.status in QUEUED_STATUSES
    ]


class FailureQueue:
    def __init__(self, queue_url: str, *, clients: AwsClients | None = None) -> None:
        self.queue_url = queue_url
        self._clients = clients or AwsClients()
        # Made on the first put of more than one batch, then kept for the container's life.
        self._pool: ThreadPoolExecutor | None = None

    def sqs(self) -> SQSClient:
        return self._clients.client("sqs")

    def put(
        self,
        deliveries: list[FailedDelivery],
        deadline: Deadline | None = None,
        secret: Mapping[str, str] | str | None = None,
    ) -> int:
        """Queue each delivery as one message, signed with `secret`; returns how many could
        not be queued. A batch that cannot be sent before the deadline is not sent."""
        log = logs.configure()
        lost: dict[str, str] = {}
        bodies: list[tuple[str, str]] = []
        for delivery in deliveries:
            body = delivery.to_body(secret)
            if len(body.encode("utf-8")) > MAX_BATCH_BYTES:
                lost[delivery.endpoint_id] = "MessageTooLarge"
            else:
                bodies.append((delivery.endpoint_id, body))
        batches = list(_batches(bodies))
        # In parallel: the time kept back for queueing (channel.py) is one call's worst case.
        if len(batches) > 1:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(MAX_PARALLEL_BATCHES, thread_name_prefix="queue")
            results = list(self._pool.map(lambda batch: self._send(batch, deadline), batches))
        else:
            results = [self._send(batch, deadline) for batch in batches]
        for failures in results:
            lost.update(failures)
        queued = len(deliveries) - len(lost)
        if queued:
            log.info("failed deliveries queued", extra={"queued": queued})
        for endpoint_id, code in lost.items():
            # Still answered to Pinpoint and in the logs as not delivered; only the copy is lost.
            log.error(
                "failed delivery not queued",
                extra={**logs.endpoint_fields(endpoint_id), "error": code},
            )
        return len(lost)

    def _send(self, batch: list[tuple[str, str]], deadline: Deadline | None) -> dict[str, str]:
        """One SendMessageBatch; the error code of each entry not queued."""
        if not fits(deadline, "sqs", "SendMessageBatch"):
            return dict.fromkeys((endpoint_id for endpoint_id, _ in batch), "NoTimeLeft")
        entries: list[SendMessageBatchRequestEntryTypeDef] = [
            {"Id": str(i), "MessageBody": body} for i, (_, body) in enumerate(batch)
        ]
        try:
            answer = self.sqs().send_message_batch(QueueUrl=self.queue_url, Entries=entries)
        except Exception as error:
            return dict.fromkeys((endpoint_id for endpoint_id, _ in batch), logs.error_code(error))
        return {
            batch[int(failure["Id"])][0]: str(failure.get("Code", "SendMessageBatchFailed"))
            for failure in answer.get("Failed", [])
        }


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
