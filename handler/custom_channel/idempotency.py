"""Per-endpoint delivery records in DynamoDB, so a repeated invocation sends nothing twice.

Pinpoint may invoke a channel up to 3 times for one delivery. With CHANNEL_IDEMPOTENCY_TABLE
set, each endpoint's delivery is claimed with a conditional write before it is sent, keyed
by application, campaign (or journey), treatment, activity and endpoint id
(channel.idempotency_key):

- no record, or a record of a `failed` delivery another attempt can fix: claimed, marked in
  progress, and sent;
- a `delivered` record: not sent again, answered `delivered` ("already delivered");
- a `failed_final` record (the provider refused it for good, a 4xx say): not sent again,
  answered `failed` ("already failed: <reason>"), except by the resend command
  (`reclaim_final`), which claims it like a `failed` one;
- an in-progress record whose lease has not run out: another invocation holds it, or one
  timed out after sending: answered `unknown`, not sent;
- an in-progress record whose lease ran out (CHANNEL_IDEMPOTENCY_LEASE_SECONDS): the
  invocation that held it ended without settling it, so it is claimed and sent again.

After sending, `delivered`, `failed` or `failed_final` is written down; an `unknown` outcome
keeps its in-progress record until the lease runs out. Records expire through DynamoDB TTL on
`expires_at` (CHANNEL_IDEMPOTENCY_TTL_SECONDS).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from . import logs
from .results import Outcome, Status

IN_PROGRESS = "in_progress"
DELIVERED = "delivered"
FAILED = "failed"  # not delivered, and another attempt may succeed: claimed again
FAILED_FINAL = "failed_final"  # not delivered, and another attempt will not help: answered


class DynamoLedger:
    def __init__(
        self,
        table: str,
        lease_seconds: int,
        ttl_seconds: int,
        client_factory: Callable[[], Any] | None = None,
        clock: Callable[[], float] = time.time,
        *,
        reclaim_final: bool = False,
    ) -> None:
        self.table = table
        # The resend command claims final failures too: an operator re-sends them on purpose,
        # typically once the cause (a credential, a template) is fixed.
        self._claimable = [FAILED, FAILED_FINAL] if reclaim_final else [FAILED]
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
        claimable = {f":claimable{i}": {"S": state} for i, state in enumerate(self._claimable)}
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
                    f"attribute_not_exists(pk) OR #state IN ({', '.join(claimable)})"
                    " OR (#state = :in_progress AND lease_until < :now)"
                ),
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    **claimable,
                    ":in_progress": {"S": IN_PROGRESS},
                    ":now": {"N": str(now)},
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except Exception as error:
            code = logs.error_code(error)
            if code != "ConditionalCheckFailedException":
                return Outcome(Status.FAILED, f"not sent: idempotency table error {code}")
            held = (getattr(error, "response", {}) or {}).get("Item") or self._read(key)
            state = (held or {}).get("state", {}).get("S")
            if state == DELIVERED:
                return Outcome(Status.DELIVERED, "already delivered")
            if state == FAILED_FINAL:
                reason = (held or {}).get("reason", {}).get("S") or "failed"
                code = (held or {}).get("http_status", {}).get("N")
                return Outcome(
                    Status.FAILED,
                    f"already failed: {reason}",
                    http_status=int(code) if code else None,
                )
            return Outcome(Status.UNKNOWN, "already in progress; not sent again")
        return None

    def settle(self, key: str, outcome: Outcome) -> None:
        """Write down a known outcome; an unknown one keeps its lease."""
        if outcome.status is Status.DELIVERED:
            self._set(key, DELIVERED)
        elif outcome.status is Status.FAILED and outcome.retryable:
            self._set(key, FAILED)
        elif outcome.status is Status.FAILED:
            # A final failure (a 4xx, say) is written apart from a retryable one. Both used to
            # be `failed`, which a repeated invocation claims again: when Pinpoint retried the
            # batch for the sake of a retryable endpoint (CHANNEL_FAILURE_POLICY=retry), every
            # endpoint the provider had rejected for good was sent a second time.
            self._set(key, FAILED_FINAL, outcome)

    def _set(self, key: str, state: str, outcome: Outcome | None = None) -> None:
        update = "SET #state = :state"
        names = {"#state": "state"}
        values: dict[str, Any] = {":state": {"S": state}}
        if outcome is not None:  # what a repeated invocation answers without sending
            update += ", #reason = :reason"
            names["#reason"] = "reason"
            values[":reason"] = {"S": outcome.reason or "failed"}
            if outcome.http_status is not None:
                update += ", #http_status = :http_status"
                names["#http_status"] = "http_status"
                values[":http_status"] = {"N": str(outcome.http_status)}
        self._dynamodb().update_item(
            TableName=self.table,
            Key={"pk": {"S": key}},
            UpdateExpression=update,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def _read(self, key: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = (
            self._dynamodb()
            .get_item(TableName=self.table, Key={"pk": {"S": key}}, ConsistentRead=True)
            .get("Item")
        )
        return item


def _dynamodb_client() -> Any:
    import boto3

    return boto3.client("dynamodb")
