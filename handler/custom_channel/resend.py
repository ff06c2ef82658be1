"""Deliver again what the failure queue holds (failures.py): `python -m custom_channel resend`.

It runs where the operator runs it, configured like the function (the same CHANNEL_*
variables: adapter, provider secret, idempotency table), so the same adapter sends the same
personalised message. One pass:

1. receive the visible messages (each is hidden for --visibility-timeout while it is worked on);
2. rebuild them as Pinpoint events: one per event context, at most 50 endpoints each;
3. deliver each event through the channel, as the function would;
4. delete what ended delivered or skipped; keep what failed (deleted with --delete-failed) or
   is unknown, so it shows again after the visibility timeout for a later pass.

With an idempotency table, an endpoint delivered since it was queued (by a Pinpoint retry or
an earlier pass) is answered "already delivered" and not sent again. A message that is not a
failed-delivery message is kept and counted as invalid. Nothing of a message is logged.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from . import logs
from .channel import Channel
from .config import Settings
from .failures import FailedDelivery, FailureQueue
from .local import DEFAULT_TIMEOUT_SECONDS, invoke

BATCH_SIZE = 50  # endpoints per event, as Pinpoint sends them
RECEIVE_ROUND = 500  # messages worked on at a time, well inside one visibility timeout
DONE = ("delivered", "skipped")


@dataclass
class ResendReport:
    received: int = 0
    invalid: int = 0
    deleted: int = 0
    kept: int = 0
    statuses: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        statuses = ("delivered", "skipped", "failed", "unknown")
        return {
            "received": self.received,
            "invalid": self.invalid,
            **{status: self.statuses.get(status, 0) for status in statuses},
            "deleted": self.deleted,
            "kept": self.kept,
        }


@dataclass(frozen=True)
class _Received:
    message_id: str
    receipt_handle: str
    delivery: FailedDelivery | None  # None: not a failed-delivery message


def resend(
    settings: Settings,
    queue: FailureQueue,
    *,
    max_messages: int = 0,
    visibility_timeout: int = 300,
    wait_seconds: int = 1,
    delete_failed: bool = False,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> ResendReport:
    """One pass over the queue; max_messages 0 means every message visible in this pass."""
    # Failures of this pass stay in their own message: nothing is queued twice, and the
    # invocation always answers (a retry policy would raise instead). Endpoints the ledger
    # holds as failed for good are sent again: re-sending them is what the operator asked.
    channel = Channel(
        replace(settings, failure_queue_url=None, failure_policy="report"),
        reclaim_final_failures=True,
    )
    log = logs.configure(settings.log_level)
    report = ResendReport()
    seen: set[str] = set()
    try:
        while not max_messages or report.received < max_messages:
            limit = RECEIVE_ROUND
            if max_messages:
                limit = min(limit, max_messages - report.received)
            received = list(_receive(queue, limit, visibility_timeout, wait_seconds, seen))
            if not received:
                break
            report.received += len(received)
            statuses = _deliver(channel, received, timeout_seconds)
            for message in received:
                status = statuses.get(message.message_id)
                if status is None:
                    report.invalid += 1
                    report.kept += 1
                    log.warning(
                        "not a failed-delivery message", extra={"message_id": message.message_id}
                    )
                    continue
                report.statuses[status] += 1
                if status in DONE or (status == "failed" and delete_failed):
                    queue.sqs().delete_message(
                        QueueUrl=queue.queue_url, ReceiptHandle=message.receipt_handle
                    )
                    report.deleted += 1
                else:
                    report.kept += 1
    finally:
        channel.close()
    log.info("resend finished", extra=report.as_dict())
    return report


def _receive(
    queue: FailureQueue, limit: int, visibility_timeout: int, wait_seconds: int, seen: set[str]
) -> Iterator[_Received]:
    """Up to `limit` messages not seen before in this pass, 10 per call (ReceiveMessage's
    maximum). Stops when the queue has nothing new: a message kept earlier in the pass shows
    again once its visibility timeout ends, and is left for the next pass."""
    count = 0
    while count < limit:
        answer = queue.sqs().receive_message(
            QueueUrl=queue.queue_url,
            MaxNumberOfMessages=min(10, limit - count),
            VisibilityTimeout=visibility_timeout,
            WaitTimeSeconds=wait_seconds,
        )
        messages = [m for m in answer.get("Messages", []) if m["MessageId"] not in seen]
        if not messages:
            return
        for message in messages:
            seen.add(message["MessageId"])
            try:
                delivery: FailedDelivery | None = FailedDelivery.from_body(message.get("Body", ""))
            except ValueError:
                delivery = None
            count += 1
            yield _Received(message["MessageId"], message["ReceiptHandle"], delivery)


def _deliver(channel: Channel, received: list[_Received], timeout_seconds: float) -> dict[str, str]:
    """Each valid message's status after delivering it again, by message id."""
    # Event context -> endpoint id -> the messages queued for it. The same endpoint queued
    # twice (two Pinpoint attempts) is sent once, and both messages settle alike.
    groups: dict[str, dict[str, list[tuple[str, FailedDelivery]]]] = {}
    for message in received:
        if message.delivery is not None:
            key = json.dumps(message.delivery.context, sort_keys=True, default=str)
            endpoints = groups.setdefault(key, {})
            endpoints.setdefault(message.delivery.endpoint_id, []).append(
                (message.message_id, message.delivery)
            )
    statuses: dict[str, str] = {}
    for endpoints in groups.values():
        endpoint_ids = list(endpoints)
        for start in range(0, len(endpoint_ids), BATCH_SIZE):
            chunk = endpoint_ids[start : start + BATCH_SIZE]
            context = endpoints[chunk[0]][0][1].context
            event = {
                **context,
                "Endpoints": {
                    endpoint_id: endpoints[endpoint_id][0][1].endpoint for endpoint_id in chunk
                },
            }
            response = invoke(event, channel=channel, timeout_seconds=timeout_seconds).response
            for endpoint_id in chunk:
                answer = response.get(endpoint_id, {}).get("EventAttributes", {})
                for message_id, _ in endpoints[endpoint_id]:
                    statuses[message_id] = answer.get("status", "unknown")
    return statuses
