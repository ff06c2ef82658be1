"""Per-endpoint delivery records in DynamoDB: at most once for anything that may have left.

Pinpoint may invoke a channel up to 3 times for one delivery, and the resend command runs
later still. With CHANNEL_IDEMPOTENCY_TABLE set, each endpoint has one record, keyed by
application, campaign (or journey), treatment, activity and endpoint id
(channel.idempotency_key). The sender (delivery.py) is its only user. States:

| state          | meaning                                            | a later attempt         |
|----------------|----------------------------------------------------|-------------------------|
| (no record)    | never tried                                        | claims it and sends     |
| `sending`      | written just before a request left: it may have    | answers `unknown`,      |
|                | reached the provider (its holder may have died)    | never sends             |
| `claimed`      | the holder's requests so far surely did not act    | sends once `lease_until`|
|                | (429, 503, refused); it waits to retry             | passed (holder died)    |
| `delivered`    | the provider accepted it                           | answers `delivered`     |
| `failed`       | settled: nothing the provider acted on was sent    | claims it and sends     |
| `failed_final` | the provider refused it for good (a 4xx)           | answers `failed`;       |
|                |                                                    | resend claims it        |
| `unknown`      | settled: a request may have acted, no answer told  | answers `unknown`; only |
|                |                                                    | resend --include-unknown|

Calls per batch (delivery.py): the endpoints that start at once (as many as there are
workers, with no rate limit) are claimed `sending` together in one TransactWriteItems of
conditional puts, and every record the invocation wrote is settled together in one
TransactWriteItems of conditional updates after the batch's last answer: 2 calls for a
50-endpoint batch instead of 100. A transactional write costs 2 WRU per item (DynamoDB
pricing), so a message delivered this way costs 4 WRU. Endpoints that must wait their turn
(fewer workers than endpoints) or for rate-limit capacity are claimed one by one when their
turn comes (`sending`, or `claimed` while waiting for capacity, then `sending`: one write
more), and each retry after a not-acted answer adds 2 (`claimed` while waiting, `sending`
again). So a holder that dies while it waits leaves a record that is provably not sent. A
holder that dies after writing `sending` leaves it `sending` for good (until TTL): it cannot
be told from one whose request left. That includes a holder that dies between the batch's
claim and its requests: those endpoints are answered `unknown` by later attempts, never sent
twice. Records written by 0.1.x in state `in_progress` are read as `sending`. Records
expire through DynamoDB TTL on `expires_at` (CHANNEL_IDEMPOTENCY_TTL_SECONDS).

Journeys: a Pinpoint journey's custom-channel event carries the application, journey and
activity ids, the Data and the endpoints (the guide; AWS's journey custom-channel sample reads
JourneyId, Data and Endpoints), and nothing that changes from one entry of an endpoint into
the journey to the next: its key is the same for every entry. So a journey's record carries
`entry_until` (claimed at + CHANNEL_JOURNEY_REENTRY_SECONDS, default 3600 s, at least 900 s,
the longest an earlier holder can run): until then a repeat is the same entry (Pinpoint's
retries come within minutes) and is answered from the record; after it, the endpoint has
entered the journey again and is claimed and sent, whatever the earlier record says. Set the
window no longer than the journey's EndpointReentryInterval: an entry that comes sooner is
answered from the earlier entry's record. Campaign records have no window; resend never opens
one (it replays one queued entry, never a new one).

Every call is bounded by the invocation's deadline (aws.py) and made at most twice (a
transaction again with the same ClientRequestToken, so a first try that landed is not
applied twice); a claim that cannot be written is not sent (`failed`, retryable). A settle
that cannot be written is logged and changes nothing of the outcome: the record keeps its
`sending` or `claimed` state, which later attempts treat as above.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from . import logs
from .aws import AwsClients, CallFailed, attempt
from .deadline import Deadline
from .results import Outcome, Status

if TYPE_CHECKING:  # boto3-stubs, for mypy only (aws.py)
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        PutTypeDef,
        TransactWriteItemTypeDef,
        UpdateTypeDef,
    )

T = TypeVar("T")

SENDING = "sending"
CLAIMED = "claimed"
DELIVERED = "delivered"
FAILED = "failed"  # nothing the provider acted on was sent: claimed again
FAILED_FINAL = "failed_final"  # the provider refused it; another attempt will not help
UNKNOWN = "unknown"  # a request may have acted; never sent again automatically
LEGACY_IN_PROGRESS = "in_progress"  # written by 0.1.x, which could not tell claimed from sent
ATTEMPTS = 2  # per call: a second one after a throttle, a 5xx or a timeout, if time allows


class DynamoLedger:
    def __init__(
        self,
        table: str,
        lease_seconds: int,
        ttl_seconds: int,
        *,
        clients: AwsClients | None = None,
        clock: Callable[[], float] = time.time,
        reclaim_final: bool = False,
        include_unknown: bool = False,
    ) -> None:
        self.table = table
        claimable = [FAILED]
        # The resend command claims final failures (an operator re-sends them on purpose, once
        # the cause is fixed) and, with --include-unknown, what may have reached the provider
        # (an operator who checked with the provider that it did not).
        if reclaim_final:
            claimable.append(FAILED_FINAL)
        if include_unknown:
            claimable += [UNKNOWN, SENDING, LEGACY_IN_PROGRESS]
        self._claimable = tuple(claimable)
        self._lease = lease_seconds
        self._ttl = ttl_seconds
        self._clients = clients or AwsClients()
        self._clock = clock

    def claim(
        self,
        key: str,
        holder: str,
        deadline: Deadline | None,
        *,
        waiting: bool = False,
        entry_seconds: int | None = None,
    ) -> Outcome | None:
        """Write `sending` just before the first request leaves, or `claimed` (with a lease)
        when the holder must first wait for rate-limit capacity. None: this holder may send;
        otherwise the answer to give without sending. `entry_seconds`: a journey entry's
        window (see "Journeys" above)."""
        request: PutTypeDef = {
            **self._claim_put(key, holder, waiting, entry_seconds),
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        try:
            self._call("PutItem", deadline, lambda db: db.put_item(**request))
        except _ConditionFailed as failed:
            held = failed.item if failed.item is not None else self._read(key, deadline)
            return self._answer_to(holder, held)
        except CallFailed as error:
            return _table_error(error.code)
        return None

    def claim_batch(
        self,
        keys: list[str],
        holder: str,
        deadline: Deadline | None,
        *,
        entry_seconds: int | None = None,
    ) -> dict[str, Outcome | None]:
        """Claim `sending` for every key in one TransactWriteItems (at most MAX_TRANSACTION
        keys). For each key: None when this holder may send, an Outcome to answer without
        sending (another holder's record), and no entry when it was not claimed (the caller
        claims it alone). A condition that fails for some keys cancels the whole call: those
        are answered from their records (CancellationReasons, ALL_OLD) and the rest claimed
        again, once."""
        answers: dict[str, Outcome | None] = {}
        pending = list(dict.fromkeys(keys))[:MAX_TRANSACTION]
        for _ in range(2):
            if not pending:
                break
            items: list[TransactWriteItemTypeDef] = [
                {
                    "Put": {
                        **self._claim_put(key, holder, False, entry_seconds),
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
                for key in pending
            ]
            try:
                self._transact(items, holder, deadline)
            except _Cancelled as cancelled:
                still: list[str] = []
                for key, reason in zip(pending, cancelled.reasons, strict=False):
                    if reason.get("Code") == "ConditionalCheckFailed":
                        answers[key] = self._answer_to(holder, reason.get("Item"))
                    else:
                        still.append(key)
                pending = still
                continue
            except CallFailed:
                return answers  # the table did not answer: each endpoint claims alone
            answers.update(dict.fromkeys(pending))
            return answers
        return answers

    def settle_batch(
        self, outcomes: list[tuple[str, Outcome]], holder: str, deadline: Deadline | None
    ) -> list[str]:
        """Settle these records in TransactWriteItems of conditional updates (only this
        holder's records); returns the keys that could not be written (logged). A record that
        is no longer this holder's is left as it is. Never raises."""
        unwritten: list[str] = []
        for start in range(0, len(outcomes), MAX_TRANSACTION):
            pending = outcomes[start : start + MAX_TRANSACTION]
            for _ in range(2):
                items: list[TransactWriteItemTypeDef] = [
                    {"Update": self._settle_update(key, holder, outcome)}
                    for key, outcome in pending
                ]
                try:
                    self._transact(items, holder, deadline)
                except _Cancelled as cancelled:
                    # Records another holder took over are theirs: settle the others.
                    pending = [
                        entry
                        for entry, reason in zip(pending, cancelled.reasons, strict=False)
                        if reason.get("Code") != "ConditionalCheckFailed"
                    ]
                    if pending:
                        continue
                    break
                except CallFailed as error:
                    logs.get_logger().error(
                        "delivery records not written",
                        extra={"records": len(pending), "error": error.code},
                    )
                    unwritten += [key for key, _ in pending]
                break
        return unwritten

    def _claim_put(
        self, key: str, holder: str, waiting: bool, entry_seconds: int | None
    ) -> PutTypeDef:
        now = int(self._clock())
        claimable: dict[str, AttributeValueTypeDef] = {
            f":claimable{i}": {"S": state} for i, state in enumerate(self._claimable)
        }
        item: dict[str, AttributeValueTypeDef] = {
            "pk": {"S": key},
            "state": {"S": CLAIMED if waiting else SENDING},
            "holder": {"S": holder},
            "expires_at": {"N": str(now + self._ttl)},
        }
        if waiting:
            item["lease_until"] = {"N": str(now + self._lease)}
        if entry_seconds is not None:
            item["entry_until"] = {"N": str(now + entry_seconds)}
        return {
            "TableName": self.table,
            "Item": item,
            # `entry_until` is on journey records only: once it has passed, the record is an
            # earlier entry's, whatever its state, and this is a new entry.
            "ConditionExpression": (
                f"attribute_not_exists(pk) OR #state IN ({', '.join(claimable)})"
                " OR (#state = :claimed AND lease_until < :now) OR entry_until < :now"
            ),
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": {
                **claimable,
                ":claimed": {"S": CLAIMED},
                ":now": {"N": str(now)},
            },
        }

    @staticmethod
    def _answer_to(holder: str, held: dict[str, Any] | None) -> Outcome | None:
        if held is not None and _text(held, "holder") == holder:
            return None  # our own first write landed before its answer was lost
        return _answer_from(held)

    def hold(self, key: str, holder: str, deadline: Deadline | None) -> None:
        """`sending` -> `claimed` with a lease: the last request surely did not act, and the
        holder waits to retry. Best effort: left `sending`, a later attempt will not send."""
        lease_until = int(self._clock()) + self._lease
        self._update(
            key,
            holder,
            CLAIMED,
            deadline,
            {"lease_until": {"N": str(lease_until)}},
            only_from=SENDING,
        )

    def resume(self, key: str, holder: str, deadline: Deadline | None) -> bool:
        """`claimed` -> `sending` before a retry leaves; False: do not send it. Only from
        `claimed`: a resume that lands after the record was settled changes nothing."""
        return self._update(key, holder, SENDING, deadline, only_from=CLAIMED)

    def settle(self, key: str, holder: str, outcome: Outcome, deadline: Deadline | None) -> None:
        """Write down how it ended. Never raises: the outcome stands whatever the table does."""
        state, extra = _settled(outcome)
        self._update(key, holder, state, deadline, extra)

    def _settle_update(self, key: str, holder: str, outcome: Outcome) -> UpdateTypeDef:
        state, extra = _settled(outcome)
        return self._update_request(key, holder, state, extra, None)

    def _update_request(
        self,
        key: str,
        holder: str,
        state: str,
        extra: dict[str, AttributeValueTypeDef] | None,
        only_from: str | None,
    ) -> UpdateTypeDef:
        fields: dict[str, AttributeValueTypeDef] = {"state": {"S": state}, **(extra or {})}
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values = {f":v{i}": value for i, value in enumerate(fields.values())}
        # Only the holder writes its record: a late write never overwrites another's.
        condition = "#holder = :holder"
        if only_from is not None:
            condition += " AND #f0 = :from"
            values[":from"] = {"S": only_from}
        return {
            "TableName": self.table,
            "Key": {"pk": {"S": key}},
            "UpdateExpression": "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {**names, "#holder": "holder"},
            "ExpressionAttributeValues": {**values, ":holder": {"S": holder}},
        }

    def _update(
        self,
        key: str,
        holder: str,
        state: str,
        deadline: Deadline | None,
        extra: dict[str, AttributeValueTypeDef] | None = None,
        *,
        only_from: str | None = None,
    ) -> bool:
        request = self._update_request(key, holder, state, extra, only_from)
        try:
            self._call("UpdateItem", deadline, lambda db: db.update_item(**request))
        except (_ConditionFailed, CallFailed) as error:
            code = error.code
            logs.get_logger().error(
                "delivery record not written", extra={"state": state, "error": code}
            )
            return False
        return True

    def _read(self, key: str, deadline: Deadline | None) -> dict[str, Any] | None:
        try:
            answer = self._call(
                "GetItem",
                deadline,
                lambda db: db.get_item(
                    TableName=self.table, Key={"pk": {"S": key}}, ConsistentRead=True
                ),
            )
        except (_ConditionFailed, CallFailed):
            return None
        item: dict[str, Any] | None = answer.get("Item")
        return item

    def _transact(
        self, items: list[TransactWriteItemTypeDef], holder: str, deadline: Deadline | None
    ) -> None:
        """One TransactWriteItems, tried twice with one ClientRequestToken: DynamoDB applies
        a token's first call only, so a retry after a lost answer changes nothing twice."""
        token = hashlib.sha256(
            json.dumps([holder, items], sort_keys=True).encode("utf-8")
        ).hexdigest()[:36]
        try:
            self._call(
                "TransactWriteItems",
                deadline,
                lambda db: db.transact_write_items(TransactItems=items, ClientRequestToken=token),
            )
        except _ConditionFailed as failed:
            raise _Cancelled(failed.reasons) from None

    def _call(
        self, operation: str, deadline: Deadline | None, call: Callable[[DynamoDBClient], T]
    ) -> T:
        """One DynamoDB call, tried twice when the first fails for a passing reason and the
        second still fits the time left (aws.attempt). A retried conditional write whose first
        try landed fails its condition: claim() recognises its own holder in the old item.
        Raises _ConditionFailed (a condition, or a transaction cancelled for its actions'
        reasons) or CallFailed (not written)."""
        client = self._clients.client("dynamodb")
        try:
            return attempt(
                deadline,
                "dynamodb",
                operation,
                lambda: call(client),
                permanent=_PERMANENT | _CONDITIONS,
                attempts=ATTEMPTS,
            )
        except CallFailed as failed:
            response = getattr(failed.error, "response", {})
            if failed.code == "ConditionalCheckFailedException":
                raise _ConditionFailed(response.get("Item")) from None
            if failed.code == "TransactionCanceledException" and response.get(
                "CancellationReasons"
            ):
                raise _ConditionFailed(None, response["CancellationReasons"]) from None
            raise


# TransactWriteItems takes at most 100 actions; a batch is at most 50 endpoints.
MAX_TRANSACTION = 100
# Errors a second attempt cannot fix.
_PERMANENT = frozenset(
    {"ResourceNotFoundException", "AccessDeniedException", "ValidationException"}
)
# Answers, not failures: the caller reads the old item or the CancellationReasons (each
# action's own code: a transaction is retried by claim_batch for the actions not refused).
_CONDITIONS = frozenset({"ConditionalCheckFailedException", "TransactionCanceledException"})


class _ConditionFailed(Exception):
    def __init__(
        self, item: dict[str, Any] | None, reasons: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__("condition failed")
        self.item = item
        self.reasons = reasons or []  # a cancelled transaction's, one per action
        self.code = "ConditionalCheckFailed"


class _Cancelled(Exception):
    """A transaction cancelled for some of its actions (their CancellationReasons)."""

    def __init__(self, reasons: list[dict[str, Any]]) -> None:
        super().__init__("transaction cancelled")
        self.reasons = reasons


def _settled(outcome: Outcome) -> tuple[str, dict[str, AttributeValueTypeDef]]:
    """The state (and what a later attempt answers from it) that records an outcome."""
    extra: dict[str, AttributeValueTypeDef] = {}
    if outcome.status is Status.DELIVERED:
        return DELIVERED, extra
    if outcome.status is Status.FAILED and outcome.retryable:
        return FAILED, extra
    # What a later attempt answers without sending: the reason and the status code.
    state = FAILED_FINAL if outcome.status is Status.FAILED else UNKNOWN
    extra["reason"] = {"S": outcome.reason or state}
    if outcome.http_status is not None:
        extra["http_status"] = {"N": str(outcome.http_status)}
    return state, extra


def _table_error(code: str) -> Outcome:
    return Outcome(Status.FAILED, f"not sent: idempotency table error {code}", retryable=True)


def _text(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name, {})
    return value.get("S") if isinstance(value, dict) else None


def _answer_from(held: dict[str, Any] | None) -> Outcome:
    """What an attempt that finds someone else's record answers, without sending."""
    state = _text(held, "state") if held is not None else None
    reason = (_text(held, "reason") if held is not None else None) or ""
    code = held.get("http_status", {}).get("N") if held is not None else None
    http_status = int(code) if code else None
    if state == DELIVERED:
        return Outcome(Status.DELIVERED, "already delivered")
    if state == FAILED_FINAL:
        return Outcome(Status.FAILED, f"already failed: {reason}", http_status=http_status)
    if state == UNKNOWN:
        return Outcome(
            Status.UNKNOWN, f"already unknown: {reason}; not sent again", http_status=http_status
        )
    if state == CLAIMED:
        # Its holder is alive (the lease has not passed) and has sent nothing that acted.
        return Outcome(Status.FAILED, "not sent: another invocation holds it", retryable=True)
    # sending, in_progress (0.1.x), or a record that vanished between write and read.
    return Outcome(Status.UNKNOWN, "may have reached the provider already; not sent again")
