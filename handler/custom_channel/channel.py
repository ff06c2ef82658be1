"""One invocation, start to finish: parse, filter, personalise, send, count, answer.

A Channel lives as long as its container: settings, HTTP pool, worker threads, the secret
cache and the AWS clients (aws.py) are built once and reused by every warm invocation.
The invocation itself never raises: every endpoint is answered (the default
invocation-failure policy), so Pinpoint does not resend a batch that was partly delivered.
Everything after delivery (failure queue, metrics) is bounded by the same deadline.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Protocol

import requests

from . import logs
from .adapters import Adapter, AdapterError, Message, ProviderRequest, ReceiptTarget
from .adapters.base import RecipientFact
from .aws import ROUTE_LIMIT, AwsClients, limit_of
from .config import ConnectSettings, Settings, load_settings
from .connect_templates import ConnectTemplates, TemplateUnavailable
from .deadline import Deadline
from .delivery import LatencyWindow, Ledger, Sender, new_session
from .events import Endpoint, Event, InvalidEndpoint, InvalidEvent
from .failures import QUEUED_STATUSES, FailureQueue, failed_deliveries
from .idempotency import DynamoLedger
from .metrics import MetricsPublisher
from .ratelimit import TokenBucket
from .receipts import MessageRef, Receipts, Report
from .results import Outcome, Status, tally
from .secrets import SecretStore, SecretUnavailable, SecretValue
from .sources import ConnectSource, EventSource, PinpointSource, source_for
from .sources.pinpoint import PINPOINT_WAIT_SECONDS
from .templating import (
    RESERVED_FIELD_NAMES,
    MissingValue,
    Template,
    TemplateError,
    compile_template,
    data_escaper,
    endpoint_lookup,
)

__all__ = ["PINPOINT_WAIT_SECONDS", "Channel", "DeliveryIncomplete", "Response"]
BLOCKED_PREFIX = "blocked: "  # the reason of an endpoint an adapter's safety check refused

Response = dict[str, Any]  # the event source's answer (sources/)


class DeliveryIncomplete(RuntimeError):
    """Raised (CHANNEL_FAILURE_POLICY=retry) so that Pinpoint invokes the batch again.

    `response` holds the per-endpoint answers, for an entry point that can still send them
    (the webhook receiver answers 503 with them)."""

    def __init__(self, message: str, response: Response) -> None:
        super().__init__(message)
        self.response = response


class LambdaContext(Protocol):
    aws_request_id: str

    def get_remaining_time_in_millis(self) -> int: ...


class Channel:
    def __init__(
        self,
        settings: Settings,
        *,
        session: requests.Session | None = None,
        secrets: SecretStore | None = None,
        metrics: MetricsPublisher | None = None,
        ledger: Ledger | None = None,
        clients: AwsClients | None = None,
        reclaim_final_failures: bool = False,
        include_unknown: bool = False,
    ) -> None:
        self.settings = settings
        self.log = logs.configure(
            settings.log_level, endpoint_ids=settings.log_endpoint_ids, id_key=settings.log_id_key
        )
        self.aws = clients or AwsClients()
        self._session = session or new_session(settings.max_workers)
        self._executor = ThreadPoolExecutor(
            max_workers=settings.max_workers, thread_name_prefix="deliver"
        )
        self._secrets = secrets or SecretStore(
            settings.secret_id,
            settings.secret_parameter,
            settings.secret_ttl_seconds,
            clients=self.aws,
        )
        # The webhook receiver's path secret (receiver.py); unconfigured in the Lambda mode.
        self.receiver_secret = SecretStore(
            settings.receiver_secret_id, None, settings.secret_ttl_seconds, clients=self.aws
        )
        if ledger is None and settings.idempotency_table:
            ledger = DynamoLedger(
                settings.idempotency_table,
                settings.idempotency_lease_seconds,
                settings.idempotency_ttl_seconds,
                clients=self.aws,
                reclaim_final=reclaim_final_failures,
                include_unknown=include_unknown,
            )
        self._ledger = ledger
        # A journey's repeat past this window is a new entry (idempotency.py, "Journeys");
        # resend (the only caller that reclaims final failures) replays an entry, never a new one.
        self._journey_entry_seconds = (
            None if reclaim_final_failures else settings.journey_reentry_seconds
        )
        # One bucket per container: every invocation and worker draws from it.
        self._limiter = (
            TokenBucket(settings.rate_limit_per_second) if settings.rate_limit_per_second else None
        )
        self._metrics = metrics or MetricsPublisher(
            settings.metrics_mode,
            settings.metrics_namespace,
            channel=settings.channel_name,
            clients=self.aws,
        )
        self._failure_queue = (
            FailureQueue(settings.failure_queue_url, clients=self.aws)
            if settings.failure_queue_url
            else None
        )
        connect = settings.connect
        self._connect_templates = ConnectTemplates(
            connect.knowledge_base_id,
            connect.template_ids,
            connect.template_ttl_seconds,
            clients=self.aws,
        )
        # What answers say about recipients, published within the invocation's deadline; and
        # the receipts route, with clients of its own (aws.ROUTE_LIMIT): receipts.py.
        self._recipient_reports = Receipts(
            settings, secrets=self._secrets, metrics=self._metrics, clients=self.aws
        )
        route_clients = AwsClients(limit=ROUTE_LIMIT)
        self.receipts = Receipts(
            settings,
            secrets=SecretStore(
                settings.secret_id,
                settings.secret_parameter,
                settings.secret_ttl_seconds,
                clients=route_clients,
            ),
            metrics=MetricsPublisher(
                settings.metrics_mode,
                settings.metrics_namespace,
                channel=settings.channel_name,
                clients=route_clients,
            ),
            clients=route_clients,
            limit=ROUTE_LIMIT,
        )
        # The provider's recent latencies: how long an attempt needs (delivery.py).
        self._latency = LatencyWindow()
        self._invocations = 0
        self._pinpoint = PinpointSource()
        self._connect = ConnectSource(settings.connect)

    def source_named(self, name: str) -> EventSource:
        return self._connect if name == "connect" else self._pinpoint

    def source_of(self, raw_event: object) -> EventSource:
        """The event source this event came from (CHANNEL_EVENT_SOURCE, or its shape)."""
        if self.settings.event_source == "pinpoint":
            return self._pinpoint
        if self.settings.event_source == "connect":
            return self._connect
        return source_for(raw_event, self._pinpoint, self._connect)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Channel:
        return cls(load_settings(environ))

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._session.close()

    def deadline_for(
        self, context: LambdaContext | None, started: float, source: EventSource | None = None
    ) -> Deadline:
        """The earlier of the function's own timeout and the caller's wait, less the margin."""
        wait = (source or self._pinpoint).wait_seconds
        budget = min(self.settings.deadline_seconds, wait)
        if context is not None:
            budget = min(budget, context.get_remaining_time_in_millis() / 1000.0)
        return Deadline(started + budget - self.settings.safety_margin_ms / 1000.0)

    def handle(self, raw_event: object, context: LambdaContext | None = None) -> Response:
        started = time.monotonic()
        source = self.source_of(raw_event)
        deadline = self.deadline_for(context, started, source)
        self._invocations += 1
        invocation = {
            "aws_request_id": str(getattr(context, "aws_request_id", "") or ""),
            "cold_start": self._invocations == 1,
        }
        with logs.log_context(invocation):
            return self._handle(raw_event, source, deadline, started)

    def _handle(
        self, raw_event: object, source: EventSource, deadline: Deadline, started: float
    ) -> Response:
        try:
            event = source.parse(raw_event)
        except InvalidEvent as error:
            ids = source.ids_of(raw_event)
            self.log.error(
                "invalid event",
                extra={
                    "error": "InvalidEvent",
                    "field": error.field,
                    "problem": error.problem,
                    "endpoints_answered": len(ids),
                    "event_source": source.name,
                },
            )
            failed = Outcome(Status.FAILED, f"invalid event: {error}")
            outcomes = dict.fromkeys(ids, failed)
            data = raw_event.get("Data") if isinstance(raw_event, Mapping) else None
            self._queue_failures(source, raw_event, outcomes, deadline, data)
            return source.answer(raw_event, outcomes)
        with logs.log_context(event.context_fields()):
            delivery_deadline = self._delivery_deadline(deadline)
            event, unavailable = self._with_template(event, delivery_deadline)
            try:
                outcomes = self.process(event, delivery_deadline, unavailable)
            except Exception as error:  # never leave Pinpoint without an answer
                self.log.exception("internal error", extra={"error": type(error).__name__})
                # Unknown, not failed: the error may have come after requests left.
                unknown = Outcome(Status.UNKNOWN, f"internal error: {type(error).__name__}")
                outcomes = dict.fromkeys(event.endpoints, unknown)
            self._report_recipients(event, outcomes, deadline)
            self._queue_failures(source, raw_event, outcomes, deadline, event.data)
            self._publish_metrics(event, outcomes, deadline)
            self.log.info(
                "batch processed",
                extra={
                    "adapter": self.settings.adapter,
                    "endpoints": len(event.endpoints),
                    **tally(outcomes.values()),
                    "blocked": sum(o.reason.startswith(BLOCKED_PREFIX) for o in outcomes.values()),
                    "reserved_fields_ignored": _reserved_fields(event),
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            answer = source.answer(raw_event, outcomes)
            retryable = sum(outcome.retryable for outcome in outcomes.values())
            if (
                retryable
                and self.settings.failure_policy == "retry"
                and source.retries_failed_invocations
            ):
                # Pinpoint retries a failed invocation; the ledger keeps what was delivered.
                self.log.warning(
                    "failing the invocation for a retry", extra={"retryable": retryable}
                )
                raise DeliveryIncomplete(
                    f"{retryable} endpoints can be delivered on a retry", answer
                )
            return answer

    def _delivery_deadline(self, deadline: Deadline) -> Deadline:
        """Delivery ends early enough for the failure queue and the metrics to be sent before
        the deadline (their calls' worst cases, aws.py), keeping at least two thirds of the
        time for delivery."""
        reserve = 0.0
        if self._failure_queue is not None:
            reserve += limit_of("sqs").worst_case
        if self.settings.receipts.consent_write_back:
            # The write-backs run side by side (_report_recipients): one call's time.
            reserve += limit_of("customer-profiles").worst_case
        if self.settings.receipts.url is not None:
            reserve += limit_of("events").worst_case
        if self.settings.metrics_mode == "api":
            reserve += limit_of("cloudwatch").worst_case
        return deadline.earlier(min(reserve, max(deadline.remaining(), 0.0) / 3))

    def _with_template(self, event: Event, deadline: Deadline) -> tuple[Event, Outcome | None]:
        """The event with its message read from the template authored in Connect that its
        block label names (connect_templates.py); or, when that template cannot be had, the
        outcome of every profile that would have been sent (nothing was: retryable)."""
        if event.template_id is None or event.activity_id is None:
            return event, None
        try:
            template = self._connect_templates.get(event.activity_id, deadline)
        except TemplateUnavailable as error:
            self.log.error("message template unavailable", extra={"problem": str(error)})
            return event, Outcome(Status.FAILED, f"template: {error}", retryable=True)
        return replace(event, data=template.text, template_defaults=template.defaults), None

    def process(
        self, event: Event, deadline: Deadline, unavailable: Outcome | None = None
    ) -> dict[str, Outcome]:
        """Every endpoint's outcome; `unavailable` answers those that would be delivered when
        the message itself could not be had."""
        outcomes: dict[str, Outcome] = {}
        deliverable: list[Endpoint] = []
        for endpoint_id, endpoint in event.endpoints.items():
            if isinstance(endpoint, InvalidEndpoint):
                outcomes[endpoint_id] = Outcome(Status.FAILED, endpoint.reason)
            elif skip := self._skip_reason(endpoint):
                outcomes[endpoint_id] = Outcome(Status.SKIPPED, skip)
            elif unavailable is not None:
                outcomes[endpoint_id] = unavailable
            else:
                deliverable.append(endpoint)
        if deliverable:
            outcomes.update(self._deliver(event, deliverable, deadline))
        for endpoint_id, outcome in outcomes.items():
            if outcome.status in (Status.FAILED, Status.UNKNOWN):
                self._log_problem(event, endpoint_id, outcome)
        # Answer in Pinpoint's order.
        return {endpoint_id: outcomes[endpoint_id] for endpoint_id in event.endpoints}

    def _skip_reason(self, endpoint: Endpoint) -> str | None:
        if self.settings.skip_opted_out and endpoint.opt_out.upper() != "NONE":
            return "opted out"
        if self.settings.skip_inactive and endpoint.endpoint_status.upper() == "INACTIVE":
            return "endpoint inactive"
        return None

    def _deliver(
        self, event: Event, endpoints: list[Endpoint], deadline: Deadline
    ) -> dict[str, Outcome]:
        try:
            adapter = self.settings.provider.with_secret(self._secrets.get(deadline))
        except (SecretUnavailable, AdapterError) as error:
            self.log.error(
                "adapter unavailable", extra={"error": type(error).__name__, "problem": str(error)}
            )
            # Nothing was sent: an unreadable secret may read on a retry; a secret of the
            # wrong shape will not.
            failed = Outcome(
                Status.FAILED, str(error), retryable=isinstance(error, SecretUnavailable)
            )
            return {endpoint.endpoint_id: failed for endpoint in endpoints}
        try:
            template = compile_template(event.data)
        except TemplateError as error:  # over the template size or placeholder limits
            failed = Outcome(Status.FAILED, f"template: {error}")
            return {endpoint.endpoint_id: failed for endpoint in endpoints}
        # Each substituted value is escaped for the adapter's markup first (Slack's & < >),
        # then for the Data's own format (JSON or text).
        escape = data_escaper(event.data, adapter.escape_value)
        outcomes: dict[str, Outcome] = {}
        to_send: dict[str, ProviderRequest] = {}
        keys: dict[str, str] = {}
        for endpoint in endpoints:
            key = idempotency_key(event, endpoint.endpoint_id)
            receipt = self._receipt_target(event, endpoint.endpoint_id)
            result = self._build_request(
                adapter, template, escape, event, endpoint, key=key, receipt=receipt
            )
            if isinstance(result, Outcome):
                outcomes[endpoint.endpoint_id] = result
            else:
                to_send[endpoint.endpoint_id] = result
                keys[endpoint.endpoint_id] = key
        if to_send:
            sender = Sender(
                adapter,
                self._session,
                self._executor,
                self.settings.max_attempts,
                ledger=self._ledger,
                limiter=self._limiter,
                workers=self.settings.max_workers,
                latency=self._latency,
                entry_seconds=self._journey_entry_seconds if is_journey(event) else None,
            )
            outcomes.update(sender.send_all(to_send, deadline, keys))
        return outcomes

    def _build_request(
        self,
        adapter: Adapter,
        template: Template,
        escape: Callable[[str], str],
        event: Event,
        endpoint: Endpoint,
        *,
        key: str,
        receipt: ReceiptTarget | None = None,
    ) -> ProviderRequest | Outcome:
        try:
            lookup = endpoint_lookup(event, endpoint, defaults=event.template_defaults)
            data = template.render(lookup, escape)
            request = adapter.build(Message(event, endpoint, data, key, receipt))
        except MissingValue as error:
            return Outcome(Status.FAILED, f"personalisation: {error}")
        except InvalidEvent as error:  # a value a template read cannot be encoded
            invalid = InvalidEndpoint(
                endpoint.endpoint_id, endpoint.channel_type, error.field, error.problem
            )
            return Outcome(Status.FAILED, invalid.reason)
        except AdapterError as error:
            return Outcome(Status.FAILED, str(error))
        except Exception as error:  # a bug in an adapter costs one endpoint, not the batch
            self.log.exception("adapter error", extra=logs.endpoint_fields(endpoint.endpoint_id))
            return Outcome(Status.FAILED, f"internal error: {type(error).__name__}")
        if request is None:
            # Nothing left (the `none` adapter, the guide's count-only sample, never sends): the
            # answer must not say `delivered`, which would tell Pinpoint, Connect and whoever
            # reads the metrics that the recipient got a message.
            return Outcome(Status.SKIPPED, f"not sent: adapter {adapter.name} made no request")
        return request

    def _receipt_target(self, event: Event, endpoint_id: str) -> ReceiptTarget | None:
        url = self.receipts.url
        if url is None:
            return None
        ref = self._recipient_reports.ref_for(event, endpoint_id)
        if ref is None:  # an id too long for a URL: delivered, without a receipt
            self.log.warning(
                "no receipt asked for: ids too long", extra=logs.endpoint_fields(endpoint_id)
            )
            return None
        return ReceiptTarget(url, ref)

    def _report_recipients(
        self, event: Event, outcomes: Mapping[str, Outcome], deadline: Deadline
    ) -> None:
        """What the provider's answers said about recipients (an opt-out, a dead number):
        written back where the source keeps consent, published as receipt events and counts
        (receipts.py). The write-backs run side by side on the delivery workers, each bounded
        by the deadline. Never raises."""
        reports = [
            Report(
                ref=MessageRef.of(event, endpoint_id),
                provider=self.settings.adapter,
                status="failed",
                origin="answer",
                error_code=outcome.error_code,
                recipient=RecipientFact(outcome.recipient),
            )
            for endpoint_id, outcome in outcomes.items()
            if outcome.recipient is not None
        ]
        if not reports:
            return
        try:
            self._recipient_reports.publish(reports, deadline, self._executor)
        except Exception as error:
            self.log.exception("recipients not reported", extra={"error": type(error).__name__})

    def _queue_failures(
        self,
        source: EventSource,
        raw_event: object,
        outcomes: Mapping[str, Outcome],
        deadline: Deadline,
        data: object,
    ) -> None:
        """Keep every failed or unknown recipient for a later resend (failures.py). Never
        raises: the endpoints are already answered, and a raised invocation would make
        Pinpoint invoke the batch again."""
        if self._failure_queue is None:
            return
        if not any(outcome.status in QUEUED_STATUSES for outcome in outcomes.values()):
            return
        try:
            context, recipients = source.queue_items(raw_event, self._template_names(data))
            deliveries = failed_deliveries(source.name, context, recipients, outcomes)
            if deliveries:
                self._failure_queue.put(deliveries, deadline, self.signing_secret(deadline))
        except Exception as error:
            self.log.exception(
                "failed deliveries not queued", extra={"error": type(error).__name__}
            )

    def _template_names(self, data: object) -> frozenset[str]:
        """Every placeholder the message (campaign Data or Connect template) and the
        adapter's templates name."""
        texts: list[str] = [data] if isinstance(data, str) else []
        names = set(self.settings.provider.template_names)
        for text in texts:
            try:
                names |= compile_template(text).names
            except Exception:  # noqa: S112 - a template that does not compile names nothing
                continue
        return frozenset(names)

    def signing_secret(self, deadline: Deadline | None) -> SecretValue | None:
        """The provider secret, which keys the failure queue's message signatures."""
        if not self._secrets.configured:
            return None
        try:
            return self._secrets.get(deadline)
        except SecretUnavailable:
            return None  # queued unsigned: resend keeps it until an operator decides

    def _publish_metrics(
        self, event: Event, outcomes: Mapping[str, Outcome], deadline: Deadline
    ) -> None:
        try:
            self._metrics.publish(event, outcomes, deadline)
        except Exception as error:  # metrics must never cost a delivery answer
            self.log.warning("metrics not published", extra={"error": logs.error_code(error)})

    def _log_problem(self, event: Event, endpoint_id: str, outcome: Outcome) -> None:
        endpoint = event.endpoints[endpoint_id]
        fields: dict[str, Any] = {
            **logs.endpoint_fields(endpoint_id),
            "status": outcome.status.value,
            "reason": outcome.reason,
            "attempts": outcome.attempts,
            "channel_type": endpoint.channel_type,
        }
        if isinstance(endpoint, Endpoint):
            fields["address"] = logs.mask_address(endpoint.address)
        if outcome.http_status is not None:
            fields["http_status"] = outcome.http_status
        self.log.warning("endpoint not delivered", extra=fields)


def _reserved_fields(event: Event) -> int:
    """Profile fields spelled like a name the channel resolves itself (`Secret`, `Data`, the
    context ids: templating.py): never read, counted so that an operator sees them."""
    return sum(
        path.partition(".")[0].casefold() in RESERVED_FIELD_NAMES
        for endpoint in event.endpoints.values()
        if isinstance(endpoint, Endpoint)
        for path in endpoint.fields
    )


_KEY_PARTS: dict[str, EventSource] = {
    "pinpoint": PinpointSource(),
    "connect": ConnectSource(ConnectSettings()),
}


def is_journey(event: Event) -> bool:
    """A Pinpoint journey's activity (JourneyId, no CampaignId): its key is the same for every
    entry of an endpoint into the journey."""
    return event.source == "pinpoint" and not event.campaign_id and bool(event.journey_id)


def idempotency_key(event: Event, endpoint_id: str) -> str:
    """Stable for one recipient of one campaign (or journey) run, whatever the caller repeats:
    the event source says what identifies a delivery (sources/)."""
    parts = _KEY_PARTS[event.source].idempotency_parts(event, endpoint_id)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
