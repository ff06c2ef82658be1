"""Delivery receipts: what happened to a message after the provider accepted it.

docs/receipts.md is the contract; in short:

- Sending (CHANNEL_RECEIPTS_URL set): each request names its message by a ref (MessageRef):
  a random nonce and the delivery's context (event source, campaign or journey, run, action,
  application, recipient id), base64url JSON, never an address or message text. The adapter
  asks the provider to report to the receipts URL with it (adapters/).
- Receiving (the `POST /receipts` route, `handle`): the adapter authenticates the callback
  first (Twilio's X-Twilio-Signature keyed by the auth token; the generic adapter's
  X-Channel-Signature keyed by receipts_key); a callback that fails the check is answered 403
  and nothing else is done. A signed callback with a final status (failed, undelivered,
  delivered, read) is kept in a record of its own in the idempotency table, `receipt#<nonce>`,
  written by one conditional UpdateItem that applies only a status ranked higher than the one
  kept (failed = undelivered < delivered < read) for the same provider message id: a callback
  that arrives twice, late or out of order changes nothing, and no callback can create or
  change another message's record (its ref is the one the channel signed out, its nonce
  random). Only an applied status is published: one event on EventBridge (`Delivery
  Receipt`), receipt counts on CloudWatch, and, for an opt-out with CHANNEL_CONSENT_WRITE_BACK,
  the opt-out written back (consent.py).
- Answers that speak about the recipient (a Twilio 21610 to the API call) are published the
  same way by the sending invocation (channel.py), with `origin` "answer".
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from . import logs
from .adapters import Adapter, AdapterError, Callback, Receipt, ReceiptInvalid, ReceiptRefused
from .adapters.base import RecipientFact
from .aws import AwsClients, CallFailed, CallLimit, attempt, limited_to
from .config import Settings
from .consent import Consent, ConsentWriter
from .deadline import Deadline
from .events import Event
from .http_api import HttpResponse, field_at, json_reply
from .metrics import Datum, MetricsPublisher, context_dimensions
from .secrets import SecretStore, SecretUnavailable

if TYPE_CHECKING:
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef


EVENT_SOURCE = "custom-delivery-channel"
DETAIL_TYPE = "Delivery Receipt"
SCHEMA_VERSION = "1"
RECORD_PREFIX = "receipt#"
# A ref longer than this is not sent (the recipient is delivered without a receipt, counted
# in one log line): URLs beyond a few kilobytes are refused by some HTTP stacks.
MAX_REF_CHARS = 1024
# The route's own deadline: Twilio waits 15 s for a webhook's answer (Twilio, "Webhooks
# (HTTP callbacks)": the default timeout), API Gateway 30 s. The receipt's calls (the secret
# when not cached, the record, the write-back, the event, the metric) fit well within it.
CALLBACK_SECONDS = 10.0
# A callback body larger than this is not a status report (Twilio's are well under 2 KiB).
MAX_CALLBACK_BYTES = 16 * 1024
# failed and undelivered rank alike: whichever came first stays.
STATUS_RANK = {"failed": 1, "undelivered": 1, "delivered": 2, "read": 3}
RECEIPT_METRICS = {
    "delivered": "ReceiptDeliveredCount",
    "read": "ReceiptReadCount",
    "undelivered": "ReceiptUndeliveredCount",
    "failed": "ReceiptFailedCount",
}
FACT_METRICS = {
    RecipientFact.OPTED_OUT: "OptedOutCount",
    RecipientFact.UNREACHABLE: "UnreachableCount",
}
ERROR_CLASSES = {
    RecipientFact.OPTED_OUT: "recipient_opted_out",
    RecipientFact.UNREACHABLE: "recipient_unreachable",
}
# PutEvents (botocore's events model): Entries "1 to 10"; an entry's size at most 256 KB.
MAX_EVENT_ENTRIES = 10
_NONCE = re.compile(r"[0-9a-f]{32}")
_REF_KEYS = {"n", "s", "c", "j", "r", "a", "p", "e"}


@dataclass(frozen=True)
class MessageRef:
    """What a receipt is about: one message of one delivery, named without its address."""

    nonce: str
    source: str
    recipient_id: str
    campaign_id: str | None = None
    journey_id: str | None = None
    run_id: str | None = None
    action_id: str | None = None
    application_id: str | None = None

    @classmethod
    def of(cls, event: Event, recipient_id: str) -> MessageRef:
        return cls(
            nonce=os.urandom(16).hex(),
            source=event.source,
            recipient_id=recipient_id,
            campaign_id=event.campaign_id,
            journey_id=event.journey_id,
            run_id=event.run_id if event.source == "connect" else event.treatment_id,
            action_id=event.activity_id,
            application_id=event.application_id if event.source == "pinpoint" else None,
        )

    def encode(self) -> str:
        """base64url (RFC 4648, 5) of compact JSON, unpadded: URL-safe as it is, so the URL
        Twilio signs is the one the channel wrote."""
        fields = {
            "n": self.nonce,
            "s": self.source,
            "e": self.recipient_id,
            "c": self.campaign_id,
            "j": self.journey_id,
            "r": self.run_id,
            "a": self.action_id,
            "p": self.application_id,
        }
        text = json.dumps({k: v for k, v in fields.items() if v is not None}, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, ref: str) -> MessageRef:
        """ReceiptInvalid unless `ref` is one encode() wrote (its signature already held)."""
        if not ref or len(ref) > MAX_REF_CHARS:
            raise ReceiptInvalid("ref is missing or too long")
        try:
            raw = json.loads(base64.urlsafe_b64decode(ref + "=" * (-len(ref) % 4)))
        except (binascii.Error, ValueError, RecursionError):
            raise ReceiptInvalid("ref is not one this channel sent") from None
        if (
            not isinstance(raw, dict)
            or set(raw) - _REF_KEYS
            or not all(isinstance(value, str) for value in raw.values())
            or not _NONCE.fullmatch(raw.get("n", ""))
            or raw.get("s") not in ("pinpoint", "connect")
            or not raw.get("e")
        ):
            raise ReceiptInvalid("ref is not one this channel sent")
        return cls(
            nonce=raw["n"],
            source=raw["s"],
            recipient_id=raw["e"],
            campaign_id=raw.get("c"),
            journey_id=raw.get("j"),
            run_id=raw.get("r"),
            action_id=raw.get("a"),
            application_id=raw.get("p"),
        )


@dataclass(frozen=True)
class Report:
    """One applied status, as it is published (an event, counts, maybe a write-back)."""

    ref: MessageRef
    provider: str
    status: str
    origin: str  # "callback" or "answer"
    message_id: str | None = None
    error_code: str | None = None
    recipient: RecipientFact | None = None

    def detail(self, channel: str | None, consent: Consent | None) -> dict[str, Any]:
        """The event's detail: docs/receipts-event.schema.json. Never an address or text."""
        ref = self.ref
        error_class = ERROR_CLASSES.get(self.recipient) if self.recipient else None
        if error_class is None and self.status in ("failed", "undelivered"):
            error_class = "delivery"
        return {
            "schema_version": SCHEMA_VERSION,
            "channel": channel,
            "event_source": ref.source,
            "campaign_id": ref.campaign_id,
            "journey_id": ref.journey_id,
            "run_id": ref.run_id,
            "action_id": ref.action_id,
            "application_id": ref.application_id,
            "recipient_id": ref.recipient_id,
            "provider": self.provider,
            "message_id": self.message_id,
            "status": self.status,
            "error_code": self.error_code,
            "error_class": error_class,
            "recipient": self.recipient.value if self.recipient else None,
            "consent": consent.value if consent else None,
            "origin": self.origin,
            "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }

    def counts(self) -> list[Datum]:
        data = []
        if self.origin == "callback" and self.status in RECEIPT_METRICS:
            data.append(Datum(RECEIPT_METRICS[self.status], 1, "Count"))
        if self.recipient is not None:
            data.append(Datum(FACT_METRICS[self.recipient], 1, "Count"))
        return data


class ReceiptStore:
    """The receipt records (`receipt#<nonce>`) in the idempotency table."""

    def __init__(
        self,
        table: str,
        ttl_seconds: int,
        clients: AwsClients,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._table = table
        self._ttl = ttl_seconds
        self._clients = clients
        self._clock = clock

    def apply(self, nonce: str, receipt: Receipt, deadline: Deadline) -> bool:
        """Keep this final status unless the record holds one ranked as high or higher, or
        another message id. True when this call changed the record; CallFailed when the
        table did not answer."""
        now = int(self._clock())
        token = os.urandom(8).hex()  # tells this call's own write from an earlier one's
        values: dict[str, Any] = {
            ":status": {"S": receipt.status},
            ":rank": {"N": str(STATUS_RANK[receipt.status])},
            ":message_id": {"S": receipt.message_id},
            ":updated_at": {"N": str(now)},
            ":expires_at": {"N": str(now + self._ttl)},
            ":token": {"S": token},
        }
        update = (
            "SET receipt_status = :status, receipt_rank = :rank, message_id = :message_id,"
            " updated_at = :updated_at, expires_at = :expires_at, applied_by = :token"
        )
        if receipt.error_code is not None:
            values[":error_code"] = {"S": receipt.error_code}
            update += ", error_code = :error_code"
        else:
            update += " REMOVE error_code"
        client = self._clients.client("dynamodb")
        try:
            attempt(
                deadline,
                "dynamodb",
                "UpdateItem",
                lambda: client.update_item(
                    TableName=self._table,
                    Key={"pk": {"S": RECORD_PREFIX + nonce}},
                    UpdateExpression=update,
                    ConditionExpression=(
                        "attribute_not_exists(pk) OR "
                        "(receipt_rank < :rank AND message_id = :message_id)"
                    ),
                    ExpressionAttributeValues=values,
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                ),
                permanent={"ConditionalCheckFailedException", "ValidationException"},
            )
        except CallFailed as failed:
            if failed.code != "ConditionalCheckFailedException":
                raise
            # A first attempt that landed and whose answer was lost is this call's own write.
            old = getattr(failed.error, "response", {}).get("Item") or {}
            return bool(old.get("applied_by", {}).get("S") == token)
        return True


class EventPublisher:
    """Receipt events on the configured bus (PutEvents, at most 10 entries a call)."""

    def __init__(self, bus: str, clients: AwsClients) -> None:
        self._bus = bus
        self._clients = clients

    def put(self, details: Iterable[Mapping[str, Any]], deadline: Deadline | None) -> int:
        """Publish; returns how many were not (logged). Never raises."""
        entries: list[PutEventsRequestEntryTypeDef] = [
            {
                "Source": EVENT_SOURCE,
                "DetailType": DETAIL_TYPE,
                "Detail": json.dumps(detail, separators=(",", ":")),
                "EventBusName": self._bus,
            }
            for detail in details
        ]
        lost = 0
        client = self._clients.client("events")
        for start in range(0, len(entries), MAX_EVENT_ENTRIES):
            chunk = entries[start : start + MAX_EVENT_ENTRIES]
            try:
                # One attempt: a second after a lost answer would publish twice.
                answer = attempt(
                    deadline,
                    "events",
                    "PutEvents",
                    lambda chunk=chunk: client.put_events(Entries=chunk),  # type: ignore[misc]
                    permanent=(),
                    attempts=1,
                )
                lost += int(answer.get("FailedEntryCount", 0))
            except CallFailed as failed:
                logs.get_logger().error(
                    "receipt events not published", extra={"error": failed.code}
                )
                lost += len(chunk)
        if lost:
            logs.get_logger().error("receipt events not published", extra={"events": lost})
        return lost


class Receipts:
    """The receipts route and the publishing shared with the sending path (channel.py)."""

    def __init__(
        self,
        settings: Settings,
        *,
        secrets: SecretStore,
        metrics: MetricsPublisher,
        clients: AwsClients,
        limit: CallLimit | None = None,
    ) -> None:
        self.settings = settings
        self._limit = limit
        self.url = settings.receipts.url
        self._secrets = secrets
        self._metrics = metrics
        self.consent = ConsentWriter(settings, clients)
        self._events = EventPublisher(settings.receipts.event_bus, clients)
        self._store = (
            ReceiptStore(settings.idempotency_table, settings.idempotency_ttl_seconds, clients)
            if settings.idempotency_table
            else None
        )

    @property
    def enabled(self) -> bool:
        return self.url is not None

    def _opt_out(self, report: Report, deadline: Deadline) -> Consent:
        ref = report.ref
        return self.consent.opt_out(ref.source, ref.application_id, ref.recipient_id, deadline)

    def ref_for(self, event: Event, recipient_id: str) -> str | None:
        """The ref a message carries, or None when receipts are off or it would be too long."""
        if self.url is None:
            return None
        ref = MessageRef.of(event, recipient_id).encode()
        return ref if len(ref) <= MAX_REF_CHARS else None

    def publish(
        self,
        reports: list[Report],
        deadline: Deadline,
        executor: Executor | None = None,
    ) -> None:
        """Write back what the reports say about consent (side by side on `executor` when
        given, each call bounded by the deadline), then publish their events and counts.
        Never raises: the reports are already settled."""
        consents: list[Consent | None] = [None] * len(reports)
        writes = {
            index: report
            for index, report in enumerate(reports)
            if report.recipient is RecipientFact.OPTED_OUT
        }
        if executor is None or len(writes) < 2:
            for index, report in writes.items():
                consents[index] = self._opt_out(report, deadline)
        else:
            futures = {
                index: executor.submit(self._opt_out, r, deadline) for index, r in writes.items()
            }
            wait(futures.values(), timeout=max(deadline.remaining(), 0.0))
            for index, future in futures.items():
                consents[index] = future.result() if future.done() else Consent.NOT_WRITTEN
        channel = self.settings.channel_name
        details = [
            report.detail(channel, consent)
            for report, consent in zip(reports, consents, strict=True)
        ]
        if self.enabled:
            self._events.put(details, deadline)
        # One publication per campaign (a batch's reports share one): its counts summed.
        counts: dict[tuple[str | None, ...], Counter[str]] = {}
        for report in reports:
            ref = report.ref
            key = (ref.source, ref.campaign_id, ref.journey_id, ref.action_id, ref.application_id)
            total = counts.setdefault(key, Counter())
            for datum in report.counts():
                total[datum.name] += int(datum.value)
        for (source, *ids), total in counts.items():
            sets = [context_dimensions(str(source), *ids)]
            data = [Datum(name, count, "Count") for name, count in sorted(total.items())]
            try:
                self._metrics.publish_counts(sets, data, deadline)
            except Exception as error:  # metrics never cost a receipt
                logs.get_logger().warning(
                    "receipt metrics not published", extra={"error": logs.error_code(error)}
                )

    def handle(self, event: Mapping[str, Any]) -> HttpResponse:
        """One callback on the receipts route (API Gateway HTTP API, payload format 2.0)."""
        if self._limit is None:
            return self._handle(event)
        with limited_to(self._limit):
            return self._handle(event)

    def _handle(self, event: Mapping[str, Any]) -> HttpResponse:
        log = logs.get_logger()
        deadline = Deadline(time.monotonic() + CALLBACK_SECONDS)
        method = str(field_at(event, "requestContext", "http", "method") or "").upper()
        if self.url is None or self._store is None:
            return json_reply(404, {"message": "receipts are off"})
        if method != "POST":
            return json_reply(405, {"message": "method not allowed"}, {"Allow": "POST"})
        callback = _callback(event, self.url)
        if callback is None:
            return json_reply(400, {"message": "body is missing or too large"})
        try:
            adapter: Adapter = self.settings.provider.with_secret(self._secrets.get(deadline))
        except (SecretUnavailable, AdapterError) as error:
            log.error("receipt not read: provider secret", extra={"error": type(error).__name__})
            return json_reply(503, {"message": "try again later"})
        try:
            receipt = adapter.read_receipt(callback)
            ref = MessageRef.decode(receipt.ref)
        except ReceiptRefused as refused:
            log.warning("receipt refused", extra={"status": 403, "problem": str(refused)})
            return json_reply(403, {"message": "forbidden"})
        except ReceiptInvalid as invalid:
            log.warning("receipt invalid", extra={"status": 400, "problem": str(invalid)})
            return json_reply(400, {"message": "invalid receipt", "problem": str(invalid)})
        if not receipt.final:
            return {"statusCode": 204}
        try:
            applied = self._store.apply(ref.nonce, receipt, deadline)
        except CallFailed as failed:
            log.error("receipt not kept", extra={"error": failed.code})
            return json_reply(503, {"message": "try again later"})
        if applied:
            report = Report(
                ref=ref,
                provider=self.settings.adapter,
                status=receipt.status,
                origin="callback",
                message_id=receipt.message_id,
                error_code=receipt.error_code,
                recipient=receipt.recipient,
            )
            self.publish([report], deadline)
        log.info(
            "receipt",
            extra={
                "receipt_status": receipt.status,
                "applied": applied,
                "event_source": ref.source,
                **logs.endpoint_fields(ref.recipient_id),
            },
        )
        return {"statusCode": 204}


def is_receipt_request(event: object) -> bool:
    """An HTTP API event for the receipts route (its path's last segment is `receipts`)."""
    if not isinstance(event, Mapping) or field_at(event, "requestContext", "http") is None:
        return False
    path = str(event.get("rawPath") or "").rstrip("/")
    return path.rsplit("/", 1)[-1] == "receipts"


def _callback(event: Mapping[str, Any], url: str) -> Callback | None:
    raw = event.get("body") or ""
    if not isinstance(raw, str) or len(raw) > MAX_CALLBACK_BYTES * 2:
        return None
    try:
        body = (
            base64.b64decode(raw, validate=True) if event.get("isBase64Encoded") else raw.encode()
        )
    except (binascii.Error, UnicodeEncodeError):
        return None
    if len(body) > MAX_CALLBACK_BYTES:
        return None
    headers = event.get("headers") or {}
    # API Gateway's parsed query (repeated names joined with commas), or the raw one.
    query = event.get("queryStringParameters") or dict(
        parse_qsl(str(event.get("rawQueryString") or ""), keep_blank_values=True)
    )
    if not isinstance(headers, Mapping) or not isinstance(query, Mapping):
        return None
    return Callback(
        url=url,
        query={str(k): str(v) for k, v in query.items()},
        headers={str(k).lower(): str(v) for k, v in headers.items()},
        body=body,
        now=time.time(),
    )
