"""Per-endpoint delivery records in DynamoDB, so a repeated invocation sends nothing twice.

Pinpoint may invoke a channel up to 3 times for one delivery. With CHANNEL_IDEMPOTENCY_TABLE
set, each endpoint's delivery is claimed with a conditional write before it is sent, keyed
by application, campaign (or journey), treatment, activity and endpoint id
(channel.idempotency_key):

- no record, or a record of a `failed` delivery: claimed, marked in progress, and sent;
- a `delivered` record: not sent again, answered `delivered` ("already delivered");
- an in-progress record whose lease has not run out: another invocation holds it, or one
  timed out after sending: answered `unknown`, not sent;
- an in-progress record whose lease ran out (CHANNEL_IDEMPOTENCY_LEASE_SECONDS): the
  invocation that held it ended without settling it, so it is claimed and sent again.

After sending, `delivered` and `failed` are written down; an `unknown` outcome keeps its
in-progress record until the lease runs out. Records expire through DynamoDB TTL on
`expires_at` (CHANNEL_IDEMPOTENCY_TTL_SECONDS).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .results import Outcome, Status

IN_PROGRESS = "in_progress"
DELIVERED = "delivered"
FAILED = "failed"


class DynamoLedger:
    def __init__(
        self,
        table: str,
        lease_seconds: int,
        ttl_seconds: int,
        client_factory: Callable[[], Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.table = table
        self._lease = lease_seconds
        self._ttl = ttl_seconds
        self._client_factory = client_factory or _dynamodb_client
        self._client: Any = None
        self._clock = clock

    def _dynamodb(self) -> Any:
        if self._client is None:
            self._client = self._client_factory()
        return self._client

    def claim(self, key: str) -> Outcome | None:
        """None when this invocation may send; otherwise the answer to give without sending."""
        now = int(self._clock())
        try:
            self._dynamodb().put_item(
                TableName=self.table,
                Item={
                    "pk": {"S": key},
                    "state": {"S": IN_PROGRESS},
                    "lease_until": {"N": str(now + self._lease)},
                    "expires_at": {"N": str(now + self._ttl)},
                },
                ConditionExpression=(
                    "attribute_not_exists(pk) OR #state = :failed"
                    " OR (#state = :in_progress AND lease_until < :now)"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":failed": {"S": FAILED},
                    ":in_progress": {"S": IN_PROGRESS},
                    ":now": {"N": str(now)},
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except Exception as error:
            if _code(error) != "ConditionalCheckFailedException":
                return Outcome(Status.FAILED, f"not sent: idempotency table error {_code(error)}")
            held = (getattr(error, "response", {}) or {}).get("Item") or self._read(key)
            state = (held or {}).get("state", {}).get("S")
            if state == DELIVERED:
                return Outcome(Status.DELIVERED, "already delivered")
            return Outcome(Status.UNKNOWN, "already in progress; not sent again")
        return None

    def settle(self, key: str, outcome: Outcome) -> None:
        """Write down a known outcome; an unknown one keeps its lease."""
        if outcome.status not in (Status.DELIVERED, Status.FAILED):
            return
        state = DELIVERED if outcome.status is Status.DELIVERED else FAILED
        self._dynamodb().update_item(
            TableName=self.table,
            Key={"pk": {"S": key}},
            UpdateExpression="SET #state = :state",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":state": {"S": state}},
        )

    def _read(self, key: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = (
            self._dynamodb()
            .get_item(TableName=self.table, Key={"pk": {"S": key}}, ConsistentRead=True)
            .get("Item")
        )
        return item


def _code(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or type(error).__name__)
    return type(error).__name__


def _dynamodb_client() -> Any:
    import boto3

    return boto3.client("dynamodb")
