"""Deliver again what the failure queue holds (failures.py): `custom-channel resend`.

It runs where the operator runs it, configured like the function (the same CHANNEL_*
variables, or `--function-name` to read them from the deployed function), so the same adapter
sends the same personalised message. One pass:

1. receive the visible messages (each is hidden for --visibility-timeout while it is worked on);
2. sort out what must not be sent (each is counted):
   - `unverified`: the signature does not match, or is missing: kept, never sent; anyone who
     can write to the queue could have put it there. --accept-unsigned sends an unsigned
     message only where a signature could not be expected: a version-1 message (0.1.x), or
     any message of a channel without a provider secret (which signs nothing). A channel
     with a secret signs every message it queues; one it queued unsigned (the secret could
     not be read at the time) stays for an operator to look at, whatever the flag;
   - `unknown_kept`: queued as `unknown`, so the provider may have acted on it: kept, not sent,
     unless --include-unknown (an operator who checked with the provider) or --delete-unknown;
   - `too_old`: queued more than --max-age-hours ago (default 24): kept, not sent; consent
     may have changed since;
   - `opted_out` / `endpoint_gone` / `address_changed`: Pinpoint's GetEndpoint (while the
     API exists) says the endpoint has opted out, is inactive or was deleted since, or that
     its Address or ChannelType is no longer the one queued (a number given up since may be
     someone else's now): deleted, not sent;
   - `consent_unchecked`: the consent now could not be checked, so the message is kept, not
     sent (consent fails closed, issue #20 item 2): GetEndpoint failed (throttled, HTTP 5xx,
     access denied: the next message is asked for again; unreachable: the rest of the
     pass is kept without asking; one warning names the error codes; the next pass
     retries), the message names no ApplicationId, or it is a Connect profile's. resend
     does not read Customer Profiles: the profile's opt-out field was read, by the
     handler's one rule (profiles.py, sources/connect.py), when it was queued, and is read
     again from the queued copy when it is sent. --no-check-endpoints sends Pinpoint
     messages without asking GetEndpoint; --send-connect-unchecked sends Connect messages;
     both are the operator's explicit choice;
3. rebuild the rest as Pinpoint events (one per event context, at most 50 endpoints each) and
   deliver each through the channel, as the function would;
4. delete what ended delivered or skipped; keep what failed (deleted with --delete-failed) or
   ended unknown.

With an idempotency table, an endpoint delivered since it was queued (by a Pinpoint retry or
an earlier pass) is answered "already delivered" and not sent again, and one that may have
reached the provider is not sent (unless --include-unknown). Nothing of a message is logged.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from .. import logs
from ..aws import AwsClients
from ..channel import Channel
from ..config import Settings
from ..failures import FailedDelivery, FailureQueue
from .local import DEFAULT_TIMEOUT_SECONDS, invoke

BATCH_SIZE = 50  # endpoints per event, as Pinpoint sends them
RECEIVE_ROUND = 500  # messages worked on at a time, well inside one visibility timeout
DEFAULT_MAX_AGE_HOURS = 24.0
DONE = ("delivered", "skipped")


@dataclass
class ResendReport:
    received: int = 0
    invalid: int = 0
    unverified: int = 0
    unknown_kept: int = 0
    unknown_deleted: int = 0
    too_old: int = 0
    opted_out: int = 0
    endpoint_gone: int = 0
    address_changed: int = 0
    consent_unchecked: int = 0  # kept: the consent now could not be checked
    deleted: int = 0
    kept: int = 0
    failed_again: int = 0  # sent again and failed: what the exit code reports
    statuses: Counter[str] = field(default_factory=Counter)
    check_errors: Counter[str] = field(default_factory=Counter)  # GetEndpoint's, by error code

    def as_dict(self) -> dict[str, Any]:
        statuses = ("delivered", "skipped", "failed", "unknown")
        return {
            "received": self.received,
            "invalid": self.invalid,
            "unverified": self.unverified,
            "too_old": self.too_old,
            "opted_out": self.opted_out,
            "endpoint_gone": self.endpoint_gone,
            "address_changed": self.address_changed,
            "consent_unchecked": self.consent_unchecked,
            **{status: self.statuses.get(status, 0) for status in statuses},
            "unknown_kept": self.unknown_kept,
            "unknown_deleted": self.unknown_deleted,
            "deleted": self.deleted,
            "kept": self.kept,
        }


@dataclass(frozen=True)
class ResendOptions:
    max_messages: int = 0  # 0: every message visible in this pass
    visibility_timeout: int = 300
    wait_seconds: int = 1
    delete_failed: bool = False
    include_unknown: bool = False
    delete_unknown: bool = False
    accept_unsigned: bool = False
    max_age_hours: float = DEFAULT_MAX_AGE_HOURS
    check_endpoints: bool = True  # False: Pinpoint messages are sent without GetEndpoint
    send_connect_unchecked: bool = False  # True: Connect messages are sent (never checked)
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS


@dataclass(frozen=True)
class _Received:
    message_id: str
    receipt_handle: str
    delivery: FailedDelivery | None  # None: not a failed-delivery message


def resend(
    settings: Settings,
    queue: FailureQueue,
    options: ResendOptions | None = None,
    *,
    operator: AwsClients | None = None,
    now: float | None = None,
) -> ResendReport:
    """One pass over the queue. `operator` makes the calls outside deliveries (GetEndpoint)."""
    options = options or ResendOptions()
    # Failures of this pass stay in their own message: nothing is queued twice, and the
    # invocation always answers (a retry policy would raise instead). Endpoints the ledger
    # holds as failed for good are sent again: re-sending them is what the operator asked.
    channel = Channel(
        replace(settings, failure_queue_url=None, failure_policy="report"),
        reclaim_final_failures=True,
        include_unknown=options.include_unknown,
    )
    endpoints = _EndpointState(operator or AwsClients(operator=True), options)
    log = logs.configure(settings.log_level)
    report = ResendReport()
    seen: set[str] = set()
    replacements: list[tuple[_Received, FailedDelivery]] = []
    clock = now if now is not None else time.time()
    try:
        secret = channel.signing_secret(None)
        # A channel with a provider secret signs what it queues (failures.py).
        signs = bool(settings.secret_id or settings.secret_parameter)
        while not options.max_messages or report.received < options.max_messages:
            limit = RECEIVE_ROUND
            if options.max_messages:
                limit = min(limit, options.max_messages - report.received)
            received = list(_receive(queue, limit, options, seen, secret))
            if not received:
                break
            report.received += len(received)
            to_send = []
            for message in received:
                verdict = _screen(message, options, report, endpoints, clock, signs=signs)
                if verdict == "send":
                    to_send.append(message)
                elif verdict == "delete":
                    _delete(queue, message)
                    report.deleted += 1
                else:
                    report.kept += 1
            answers = _deliver(channel, to_send, options.timeout_seconds)
            for message in to_send:
                replacement = _after_sending(queue, message, answers, options, report)
                if replacement is not None:
                    replacements.append((message, replacement))
        # An endpoint sent again whose outcome is unknown may have reached the provider now:
        # its message must say so, or a later pass would send it again. An SQS body cannot
        # change, so it is replaced (after the pass, which must not receive the copy).
        for message, delivery in replacements:
            if queue.put([delivery], None, secret) == 0:
                _delete(queue, message)
    finally:
        channel.close()
    report.check_errors.update(endpoints.errors)
    if report.consent_unchecked:
        # One line for the pass; the codes only (an error's message could quote a request).
        log.warning(
            "current consent not checked: messages kept",
            extra={"consent_unchecked": report.consent_unchecked, "errors": dict(endpoints.errors)},
        )
    log.info("resend finished", extra=report.as_dict())
    return report


def _after_sending(
    queue: FailureQueue,
    message: _Received,
    answers: dict[str, dict[str, Any]],
    options: ResendOptions,
    report: ResendReport,
) -> FailedDelivery | None:
    """Delete or keep a message that was sent again; an unknown one gets its replacement."""
    answer = answers.get(message.message_id, {})
    status = answer.get("status", "unknown")
    report.statuses[status] += 1
    if status in DONE or (status == "failed" and options.delete_failed):
        _delete(queue, message)
        report.deleted += 1
        return None
    report.kept += 1
    if status == "failed":
        report.failed_again += 1
        return None
    report.unknown_kept += 1
    if message.delivery is None:
        return None
    outcome: dict[str, Any] = {key: answer[key] for key in ("status", "reason") if key in answer}
    return replace(message.delivery, outcome=outcome)


def _screen(
    message: _Received,
    options: ResendOptions,
    report: ResendReport,
    endpoints: _EndpointState,
    now: float,
    *,
    signs: bool,
) -> str:
    """ "send", "delete" or "keep", counting why a message is not sent. `signs`: the channel
    has a provider secret, so its version-2 messages are signed."""
    log = logs.get_logger()
    delivery = message.delivery
    if delivery is None:
        report.invalid += 1
        log.warning("not a failed-delivery message", extra={"message_id": message.message_id})
        return "keep"
    may_be_unsigned = options.accept_unsigned and (delivery.version == 1 or not signs)
    if not delivery.signed and (delivery.signature_present or not may_be_unsigned):
        report.unverified += 1
        log.warning(
            "failed-delivery message not verified", extra={"message_id": message.message_id}
        )
        return "keep"
    if delivery.outcome.get("status") == "unknown" and not options.include_unknown:
        if options.delete_unknown:
            report.unknown_deleted += 1
            return "delete"
        report.unknown_kept += 1
        return "keep"
    if _age_hours(delivery.queued_at, now) > options.max_age_hours:
        report.too_old += 1
        return "keep"
    state = endpoints.state(delivery)
    if state == "opted_out":
        report.opted_out += 1
        return "delete"
    if state == "gone":
        report.endpoint_gone += 1
        return "delete"
    if state == "changed":
        report.address_changed += 1
        return "delete"
    if state == "unchecked":
        report.consent_unchecked += 1
        return "keep"
    return "send"  # "ok", or "not_checked": the operator's flag


def _age_hours(queued_at: str, now: float) -> float:
    try:
        queued = datetime.strptime(queued_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return float("inf")  # no readable time: treated as too old
    return (now - queued.timestamp()) / 3600.0


class _EndpointState:
    """The recipient's consent now, not when it was queued. Fails closed: what cannot be
    checked is "unchecked" (kept), unless the operator's flag says to send it unchecked."""

    def __init__(self, clients: AwsClients, options: ResendOptions) -> None:
        self._clients = clients
        self._options = options
        self.errors: Counter[str] = Counter()  # messages kept by GetEndpoint's error code
        self._unreachable: str | None = None  # no answer at all: not asked again this pass
        self._applications: dict[str, bool] = {}  # GetApp's answer, once per application

    def state(self, delivery: FailedDelivery) -> str:
        """ "ok", "opted_out", "gone", "changed" (address or channel type), "unchecked" (keep)
        or "not_checked" (send: the operator's flag)."""
        if delivery.source == "connect":
            # No current state to ask for here (module docstring): the operator decides.
            return "not_checked" if self._options.send_connect_unchecked else "unchecked"
        if not self._options.check_endpoints:
            return "not_checked"
        application = delivery.context.get("ApplicationId")
        if not isinstance(application, str) or not application:
            return "unchecked"
        if self._unreachable:
            self.errors[self._unreachable] += 1
            return "unchecked"
        try:
            answer = self._get_endpoint(application, delivery.endpoint_id)
        except Exception as error:
            code = logs.error_code(error)
            if code == "NotFoundException":
                # Pinpoint answers NotFound for an endpoint and for its application alike: an
                # endpoint is gone only when the application is there (resend run in the wrong
                # region or account would otherwise delete every message).
                if self._application_exists(application):
                    return "gone"
                code = "ApplicationNotFound"
            # Throttled (after botocore's retries), HTTP 5xx, access denied: this message is
            # kept and the next one is asked for again. No answer at all (refused, reset, timed
            # out): each attempt may cost the read timeout, so the rest of the pass is kept
            # without asking (the messages not yet worked on must not outlive their
            # visibility timeout).
            self.errors[code] += 1
            if code != "ApplicationNotFound" and not isinstance(
                getattr(error, "response", None), dict
            ):
                self._unreachable = code
            return "unchecked"
        endpoint = answer.get("EndpointResponse", {})
        if not isinstance(endpoint, dict):
            return "unchecked"
        if str(endpoint.get("OptOut", "NONE")).upper() != "NONE":
            return "opted_out"
        if str(endpoint.get("EndpointStatus", "ACTIVE")).upper() == "INACTIVE":
            return "opted_out"
        # GetEndpoint's EndpointResponse carries the Address and ChannelType the endpoint has
        # now (botocore's pinpoint model); the message goes only where it was queued to go.
        queued = delivery.endpoint if isinstance(delivery.endpoint, dict) else {}
        if endpoint.get("Address") != queued.get("Address"):
            return "changed"
        if (
            str(endpoint.get("ChannelType", "")).upper()
            != str(queued.get("ChannelType", "")).upper()
        ):
            return "changed"
        return "ok"

    def _get_endpoint(self, application: str, endpoint_id: str) -> Mapping[str, Any]:
        """GetEndpoint's answer, read as data (each member checked by `state`) rather than
        as boto3-stubs' TypedDict."""
        return self._clients.client("pinpoint").get_endpoint(
            ApplicationId=application, EndpointId=endpoint_id
        )

    def _application_exists(self, application: str) -> bool:
        """GetApp, once per application and pass; anything but an answer is "not known to
        exist" (the message is kept)."""
        if application not in self._applications:
            try:
                self._clients.client("pinpoint").get_app(ApplicationId=application)
                self._applications[application] = True
            except Exception:
                self._applications[application] = False
        return self._applications[application]


def _delete(queue: FailureQueue, message: _Received) -> None:
    queue.sqs().delete_message(QueueUrl=queue.queue_url, ReceiptHandle=message.receipt_handle)


def _receive(
    queue: FailureQueue,
    limit: int,
    options: ResendOptions,
    seen: set[str],
    secret: Any,
) -> Iterator[_Received]:
    """Up to `limit` messages not seen before in this pass, 10 per call (ReceiveMessage's
    maximum). Stops when the queue has nothing new: a message kept earlier in the pass shows
    again once its visibility timeout ends, and is left for the next pass."""
    count = 0
    while count < limit:
        answer = queue.sqs().receive_message(
            QueueUrl=queue.queue_url,
            MaxNumberOfMessages=min(10, limit - count),
            VisibilityTimeout=options.visibility_timeout,
            WaitTimeSeconds=options.wait_seconds,
        )
        messages = [m for m in answer.get("Messages", []) if m["MessageId"] not in seen]
        if not messages:
            return
        for message in messages:
            seen.add(message["MessageId"])
            try:
                delivery: FailedDelivery | None = FailedDelivery.from_body(
                    message.get("Body", ""), secret
                )
            except ValueError:
                delivery = None
            count += 1
            yield _Received(message["MessageId"], message["ReceiptHandle"], delivery)


def _deliver(
    channel: Channel, received: list[_Received], timeout_seconds: float
) -> dict[str, dict[str, Any]]:
    """Each message's answer (status, reason, ...) after delivering it again, by message id."""
    # (source, event context) -> recipient id -> the messages queued for it. The same
    # recipient queued twice (two Pinpoint attempts) is sent once, and both settle alike.
    groups: dict[tuple[str, str], dict[str, list[tuple[str, FailedDelivery]]]] = {}
    for message in received:
        if message.delivery is not None:
            delivery = message.delivery
            key = (delivery.source, json.dumps(delivery.context, sort_keys=True, default=str))
            recipients = groups.setdefault(key, {})
            recipients.setdefault(delivery.endpoint_id, []).append((message.message_id, delivery))
    answers: dict[str, dict[str, Any]] = {}
    for (source_name, _), recipients in groups.items():
        source = channel.source_named(source_name)
        recipient_ids = list(recipients)
        for start in range(0, len(recipient_ids), BATCH_SIZE):
            chunk = recipient_ids[start : start + BATCH_SIZE]
            context = recipients[chunk[0]][0][1].context
            event = source.rebuild(context, {rid: recipients[rid][0][1].endpoint for rid in chunk})
            response = invoke(event, channel=channel, timeout_seconds=timeout_seconds).response
            by_id = source.answers_of(response)
            for recipient_id in chunk:
                for message_id, _ in recipients[recipient_id]:
                    answers[message_id] = by_id.get(recipient_id, {})
    return answers
