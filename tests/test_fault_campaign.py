"""Fault campaign: the channel's delivery guarantees, proved one fault at a time, end to end.

Each row runs the real handler path (custom_channel.operator.local.invoke on a fresh Channel) against
a real local provider, emulator/provider_server.py on 127.0.0.1, whose responder decides per
request what the provider answers and whether it *acted* on the request (queued the message):
a provider can act and still answer 500, 502 or 504, reset the connection after reading the
request, hold its answer past the deadline or trickle it. A provider that deduplicates on the
idempotency key (CHANNEL_HTTP_IDEMPOTENCY_HEADER) acts once per key (provider_server's
Deduplicating). AWS is moto, in process; a row that breaks one AWS dependency points its
botocore endpoint variable (AWS_ENDPOINT_URL_<SERVICE>) at a server that accepts and never
answers, or answers 500 to everything (emulator/broken_aws.py), which moto does not intercept.

A Pinpoint-like driver invokes each batch and invokes it again when the invocation raised or
answered later than the function's timeout (a short LocalContext timeout keeps it fast), 3
invocations at most, with CHANNEL_FAILURE_POLICY=retry and the delivery ledger in moto
DynamoDB. Every re-invocation arrives after the ledger's lease ran out (the ledger's clock is
moved past it), but for the row marked "retry within lease". Most batches mix faulty endpoints
with endpoints that answer 503 throughout invocation 1, so that Pinpoint's retry runs and must
answer the faulty ones from the ledger. The `lease expired` rows then run the resend command
on the failure queue (moto SQS) the invocations filled.

The rows that matter run a second time with Amazon Connect events (`CONNECT_ROWS`): the
same endpoints as customer profiles (ProfileId = the endpoint id, CustomerData with `email`
and `firstName`), CHANNEL_EVENT_SOURCE=connect, CHANNEL_MESSAGE_TEMPLATE, the failure policy
`report` (the retry policy is refused for Connect: a throw fails the whole batch), through
the runner's Connect driver (emulator/connect_driver.py: a 3-invocation limit, a failed or
late batch invoked again with new IdempotencyTokens). Invocation 1's answer never reaches
Connect (the function did its work), so every Connect row has a re-invocation after the
lease ran out, which must answer from the ledger; each answer is checked as Connect checks
it (every ProfileId once, `Id` equal, ResultData an object with the outcome's status).

For every row:
- no endpoint is acted on more than once: whatever the fault, no automatic path (an attempt's
  retry, Pinpoint's re-invocation, an expired lease, the resend command) sends again what may
  have reached the provider; the residual-risk row (a provider that acts and answers 503, which
  says it did not) asserts and labels its own count;
- every endpoint of the event is answered in every invocation (delivered, failed with a
  reason, unknown or skipped);
- every invocation returns within its deadline, plus a slack for a loaded 2-CPU machine; no
  request reaches the provider after its invocation's deadline and no exchange outlasts it;
- nothing is sent again after a definitive answer (a success or a final 4xx).

The campaign is printed as a table after the run (tests/conftest.py, pytest_terminal_summary).
"""

from __future__ import annotations

import contextvars
import copy
import itertools
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from moto import mock_aws

from custom_channel.aws import AwsClients
from custom_channel.channel import PINPOINT_WAIT_SECONDS, Channel, Response
from custom_channel.config import load_settings
from custom_channel.delivery import new_session
from custom_channel.events import Event
from custom_channel.failures import FailureQueue
from custom_channel.idempotency import DynamoLedger
from custom_channel.operator.local import invoke
from custom_channel.operator.resend import ResendOptions, resend
from custom_channel.results import Outcome, Status, journey_response
from emulator import local_pinpoint
from emulator.broken_aws import Call as AwsCall
from emulator.broken_aws import FailingServer, SilentServer
from emulator.connect_driver import (
    CampaignContext,
    ConnectRun,
    InProcessInvoker,
    InvocationFailed,
    check_answer,
    run_connect,
)
from emulator.provider_server import (
    ANSWERED,
    Deduplicating,
    Exchange,
    ProviderServer,
    Received,
    Reply,
    header,
)

GUIDE_EVENT = Path(__file__).parent / "fixtures" / "guide_event.json"
BATCH = 20  # endpoints per invocation (Pinpoint sends up to 50): moto is the slow part
MAX_INVOCATIONS = 3  # Pinpoint tries one delivery at most 3 times
# The LocalContext's timeout: an invocation that answers later is re-invoked, as Lambda's
# timeout makes Pinpoint do. Short, with a short deadline, to keep the campaign quick.
FUNCTION_TIMEOUT = 5.0
DEADLINE_SECONDS = 5  # CHANNEL_DEADLINE_SECONDS
SAFETY_MARGIN_MS = 500  # CHANNEL_SAFETY_MARGIN_MS
LEASE_SECONDS = 60  # CHANNEL_IDEMPOTENCY_LEASE_SECONDS
# Scheduling slack on top of a deadline, for a loaded 2-CPU machine: a bound, not a benchmark.
SLACK_SECONDS = 1.0
KEY_HEADER = "Idempotency-Key"
INVOCATION_HEADER = "X-Fault-Campaign-Invocation"
HTTP_BODY = '{"endpoint":"{{EndpointId}}","to":"{{Address}}","text":"{{Data}}"}'
# Connect events: the message comes from the function's template, the address from the
# profile's `email` (the http adapter's default CHANNEL_CONNECT_ADDRESS_FIELDS).
CONNECT_TEMPLATE = "Hello {{firstName}}"
CONNECT_CONTEXT = CampaignContext("fault-campaign", "run-1", "welcome", "Fault campaign")
# Connect's driver: invocation 1's answer never reaches Connect (the function did its work),
# so every Connect row has a re-invocation with new IdempotencyTokens, after the lease ran out;
# the handler never throws for Connect and answers within its deadline, so it is the last.
CONNECT_INVOCATIONS = 2
TWILIO_SENDER = "+15550000000"
SLACK_SECRET = {"bot_token": "xoxb-fault-campaign-token"}
TWILIO_SECRET = {"account_sid": "ACfaultcampaign0000", "auth_token": "fault-campaign-token"}
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/fault-campaign-{}"
# The residual-risk row's label: a provider that acts and then answers 503 (which says it did
# not act) is sent again, by the resend rule; only the idempotency key protects against it.
RESIDUAL = "residual: acted 2 expected, 503 claims not acted"
ANSWERS = {Status.DELIVERED, Status.FAILED, Status.UNKNOWN, Status.SKIPPED}
# botocore's service-specific endpoint variables.
ENDPOINT_VARIABLES = {
    "cloudwatch": "AWS_ENDPOINT_URL_CLOUDWATCH",
    "dynamodb": "AWS_ENDPOINT_URL_DYNAMODB",
    "sqs": "AWS_ENDPOINT_URL_SQS",
    "secretsmanager": "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    "ssm": "AWS_ENDPOINT_URL_SSM",
}

try:  # pytest-timeout is optional (requirements-dev.txt); the campaign bounds itself anyway
    import pytest_timeout  # noqa: F401

    _ROW_TIMEOUT = [pytest.mark.timeout(60)]
except ImportError:
    _ROW_TIMEOUT = []

# The invocation a request belongs to. Delivery workers run in a copy of the invoking
# context, so a request a worker sends late still names the invocation that started it.
# 0: the resend command, which builds its own Channel and session.
_invocation: contextvars.ContextVar[int] = contextvars.ContextVar("invocation", default=0)


# --- the handler, observed ------------------------------------------------------------------


class TaggedSession(requests.Session):
    """The handler's own pooled session (delivery.new_session), with one more header on each
    request: the number of the invocation that sent it."""

    def __init__(self, max_workers: int) -> None:
        super().__init__()
        own = new_session(max_workers)
        self.adapters = own.adapters
        self.trust_env = own.trust_env

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", None) or {})
        headers[INVOCATION_HEADER] = str(_invocation.get())
        return super().request(method, url, *args, headers=headers, **kwargs)


class RecordingChannel(Channel):
    """The real Channel; it also keeps each invocation's outcomes, which an invocation that
    raises does not return."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcomes: list[dict[str, Outcome]] = []

    def process(self, event: Event, deadline: Any, *args: Any) -> dict[str, Outcome]:
        outcomes = super().process(event, deadline, *args)
        self.outcomes.append(outcomes)
        return outcomes


class LedgerClock:
    """The ledger's time.time(), which a row moves past the lease between invocations."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class Invocation:
    number: int
    started: float
    deadline: float  # computed as the handler does: the earliest limit less the margin
    returned: float
    outcomes: dict[str, Outcome]
    response: Response | None  # None when it raised
    raised: str = ""
    lost: bool = False  # answered, but the answer never reached Connect

    @property
    def budget(self) -> float:
        return self.deadline - self.started

    @property
    def duration(self) -> float:
        return self.returned - self.started

    @property
    def late(self) -> bool:
        return self.duration > FUNCTION_TIMEOUT


# --- faults -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request as the provider sees it."""

    index: int  # the endpoint's position in the batch
    nth: int  # how many requests for this endpoint came before this one
    overall: int  # how many requests came before this one
    invocation: int  # 0: the resend command
    keyed: bool  # it carries the idempotency key


Script = Callable[[Call], Reply]
JSON = {"Content-Type": "application/json"}


def acted(reply: Reply) -> Reply:
    return replace(reply, acted=True)


def not_acted(reply: Reply) -> Reply:
    return replace(reply, acted=False)


def status(code: int, body: bytes = b'{"error":"fault"}', **headers: str) -> Reply:
    return Reply(code, body, {**JSON, **headers})


@dataclass(frozen=True)
class Provider:
    """What the provider of one adapter answers when all goes well, and how to address it."""

    adapter: str
    ok: Reply

    def env(self, url: str, key: bool) -> dict[str, str]:
        if self.adapter == "slack":
            return {"CHANNEL_SLACK_API_BASE": url, "CHANNEL_SECRET_ID": "fault-campaign/slack"}
        if self.adapter == "twilio":
            return {
                "CHANNEL_TWILIO_API_BASE": url,
                "CHANNEL_TWILIO_FROM": TWILIO_SENDER,
                "CHANNEL_SECRET_ID": "fault-campaign/twilio",
            }
        env = {"CHANNEL_HTTP_URL": f"{url}/send", "CHANNEL_HTTP_BODY_TEMPLATE": HTTP_BODY}
        if key:
            env["CHANNEL_HTTP_IDEMPOTENCY_HEADER"] = KEY_HEADER
        return env

    def endpoint(self, index: int, sample: dict[str, Any]) -> dict[str, Any]:
        endpoint = copy.deepcopy(sample)
        if self.adapter == "slack":
            endpoint.update(ChannelType="CUSTOM", Address=f"C0FAULT{index:03d}")
        elif self.adapter == "twilio":
            endpoint.update(ChannelType="SMS", Address=f"+1555010{index:04d}")
        else:
            endpoint["Address"] = f"user{index:02d}@example.com"
        return endpoint

    def address_of(self, request: Received) -> str:
        """The endpoint address (http: the endpoint id) a provider request is for."""
        if self.adapter == "twilio":
            return parse_qs(request.body.decode())["To"][0]
        payload = json.loads(request.body)
        return str(payload["channel" if self.adapter == "slack" else "endpoint"])


HTTP = Provider("http", Reply(202, b'{"queued":true}', JSON, acted=True))
SLACK = Provider("slack", Reply(200, b'{"ok":true,"channel":"C0FAULT","ts":"1.1"}', JSON))
TWILIO = Provider("twilio", Reply(201, b'{"sid":"SMfault","status":"queued"}', JSON))


def slack_error(error: str) -> Reply:
    return Reply(200, json.dumps({"ok": False, "error": error}).encode(), JSON, acted=False)


def twilio_error(code: int, twilio_code: int) -> Reply:
    body = json.dumps({"code": twilio_code, "message": "fault", "status": code}).encode()
    return Reply(code, body, JSON, acted=False)


@dataclass(frozen=True)
class AwsFault:
    service: str  # a key of ENDPOINT_VARIABLES
    mode: str  # "hangs" (SilentServer) or "500" (FailingServer)


@dataclass(frozen=True)
class Scenario:
    fault: str
    script: Script
    provider: Provider = HTTP
    key: bool = False  # the http adapter sends CHANNEL_HTTP_IDEMPOTENCY_HEADER
    env: dict[str, str] = field(default_factory=dict)
    aws: AwsFault | None = None
    nothing_listens: bool = False  # the channel's URL is a port nothing listens on
    before_invocation: Callable[[int, ProviderServer], None] | None = None
    setup: Callable[[ProviderServer], None] | None = None
    # Pinpoint's retries come after every lease ran out: the ledger's clock passes the lease
    # before each re-invocation (a fresh DynamoLedger with a fake clock, Channel(ledger=...)).
    lease_expires: bool = True
    settle_fails: bool = False  # the ledger cannot write `delivered` (UpdateItem errors)
    failure_queue: bool = False  # CHANNEL_FAILURE_QUEUE_URL: a moto SQS queue
    resend: bool = False  # then run the resend command on that queue
    max_acted: int = 1  # the residual-risk row allows (and asserts) more
    check: Callable[[Run], None] | None = None  # the row's own expectations
    source: str = "pinpoint"  # or "connect": the Connect driver, profiles, policy `report`

    @property
    def budget(self) -> float:
        return min(DEADLINE_SECONDS, PINPOINT_WAIT_SECONDS, FUNCTION_TIMEOUT) - (
            SAFETY_MARGIN_MS / 1000.0
        )

    @property
    def id(self) -> str:
        connect = ", connect" if self.source == "connect" else ""
        return f"{self.fault} [{self.provider.adapter}, key {'yes' if self.key else 'no'}{connect}]"


@dataclass
class Run:
    scenario: Scenario
    endpoint_ids: list[str]
    invocations: list[Invocation]
    exchanges: list[Exchange]
    acted: Counter[str]  # requests the provider acted on, by endpoint id
    endpoint_of: Callable[[Received], str]
    ended_at: float
    aws_calls: Counter[str] = field(default_factory=Counter)  # the broken AWS endpoint's
    aws_log: list[AwsCall] = field(default_factory=list)
    accept_resets: int = 0
    resend_report: dict[str, Any] | None = None
    include_unknown_report: dict[str, Any] | None = None
    resend_exchanges: list[Exchange] = field(default_factory=list)
    queue_left: int | None = None  # messages left in the failure queue after the resend
    by_endpoint: dict[str, list[Exchange]] = field(default_factory=dict)
    connect: ConnectRun | None = None  # the Connect driver's own account of the run

    def __post_init__(self) -> None:
        for endpoint_id in self.endpoint_ids:
            self.by_endpoint[endpoint_id] = []
        for exchange in sorted(self.exchanges, key=lambda item: item.request.arrived_at):
            self.by_endpoint.setdefault(self.endpoint_of(exchange.request), []).append(exchange)

    @property
    def final(self) -> dict[str, Outcome]:
        return self.invocations[-1].outcomes

    def ids(self, select: Callable[[int], bool]) -> list[str]:
        return [key for index, key in enumerate(self.endpoint_ids) if select(index)]

    def sends(self, endpoint_id: str) -> int:
        return len(self.by_endpoint[endpoint_id])

    def max_acted(self) -> int:
        return max((self.acted[key] for key in self.endpoint_ids), default=0)


def every(step: int, offset: int = 0) -> Callable[[int], bool]:
    return lambda index: index % step == offset


def rest(*selectors: Callable[[int], bool]) -> Callable[[int], bool]:
    return lambda index: not any(select(index) for select in selectors)


def anyof(*selectors: Callable[[int], bool]) -> Callable[[int], bool]:
    return lambda index: any(select(index) for select in selectors)


def nobody(index: int) -> bool:
    return False


HELD, FLAKY = every(5), every(5, 1)  # most rows: a fifth faulty, a fifth retryable in invocation 1


def per_endpoint(faulty: Callable[[int], bool], fault: Script, provider: Provider = HTTP) -> Script:
    """`fault` for the selected endpoints; FLAKY ones answer 503 (not acted on) throughout
    invocation 1, so that Pinpoint invokes the batch again; the rest are delivered at once."""

    def script(call: Call) -> Reply:
        if faulty(call.index):
            return fault(call)
        if FLAKY(call.index) and call.invocation == 1:
            return not_acted(status(503))
        return provider.ok

    return script


def acts_then(reply: Reply, provider: Provider = HTTP) -> Script:
    """The provider acts on the first request of the endpoint and answers `reply`; a later
    request (a resend under the same key) finds the message done and answers success."""
    return lambda call: acted(reply) if call.nth == 0 else provider.ok


def not_acting(reply: Reply, times: int, provider: Provider = HTTP) -> Script:
    """The first `times` requests of the endpoint answer `reply` without acting; then success."""
    return lambda call: not_acted(reply) if call.nth < times else provider.ok


# --- row expectations, on top of the invariants every row checks ------------------------------


def expect_invocations(run: Run, pinpoint: int) -> None:
    """Pinpoint's invocation count for the row; a Connect row always has CONNECT_INVOCATIONS."""
    expected = CONNECT_INVOCATIONS if run.scenario.source == "connect" else pinpoint
    assert len(run.invocations) == expected, [i.raised or i.lost for i in run.invocations]


def expect(run: Run, select: Callable[[int], bool], answer: Status, reason: str = "") -> None:
    for endpoint_id in run.ids(select):
        outcome = run.final[endpoint_id]
        assert outcome.status is answer, (endpoint_id, outcome)
        assert reason in outcome.reason, (endpoint_id, outcome)


def assert_retryable(outcome: Outcome) -> None:
    """Failed, and nothing was sent that the provider may have acted on: Pinpoint may retry."""
    assert outcome.status is Status.FAILED, outcome
    assert outcome.retryable, outcome


def expect_sends(run: Run, select: Callable[[int], bool], count: int) -> None:
    for endpoint_id in run.ids(select):
        assert run.sends(endpoint_id) == count, (endpoint_id, run.sends(endpoint_id))


def expect_acted(run: Run, select: Callable[[int], bool], count: int) -> None:
    for endpoint_id in run.ids(select):
        assert run.acted[endpoint_id] == count, (endpoint_id, run.acted[endpoint_id])


def sent_in_one_invocation(run: Run, select: Callable[[int], bool]) -> None:
    """Whichever invocation sent these (the first, unless a loaded machine left it no time to
    claim them), every later one answered them from the ledger, without sending: decided on
    what happened, not on how long the first invocation took."""
    for endpoint_id in run.ids(select):
        numbers = {invocation_of(exchange.request) for exchange in run.by_endpoint[endpoint_id]}
        assert len(numbers) <= 1, (endpoint_id, numbers)


def check_unknown_once(run: Run) -> None:
    """HELD: the provider acted, the answer left it unknown; it is never sent again. FLAKY
    asked for Pinpoint's retry, which delivered them and sent nothing else again."""
    expect_invocations(run, 2)
    expect(run, HELD, Status.UNKNOWN)
    expect_sends(run, HELD, 1)
    sent_in_one_invocation(run, HELD)
    for endpoint_id in run.ids(HELD):
        assert not run.invocations[0].outcomes[endpoint_id].retryable, endpoint_id
    expect_delivered_or_unwritable(run, rest(HELD))
    for endpoint_id in run.ids(rest(HELD)):  # what was delivered was acted on once
        if run.final[endpoint_id].status is Status.DELIVERED:
            assert run.acted[endpoint_id] == 1, endpoint_id


def check_key_resent(run: Run) -> None:
    """With the key the resend is safe: sent again at once, deduplicated, delivered."""
    expect_invocations(run, 2)
    expect(run, HELD, Status.DELIVERED)
    for endpoint_id in run.ids(HELD):
        assert run.sends(endpoint_id) >= 2, endpoint_id
    expect_delivered_or_unwritable(run, rest(HELD))


def check_key_no_time(run: Run) -> None:
    """Held (or trickled) past the deadline, with the key: no time to resend. Unknown (or
    delivered, when the status line of a trickled answer arrived), sent once."""
    expect_invocations(run, 2)
    for endpoint_id in run.ids(HELD):
        assert run.final[endpoint_id].status in (Status.DELIVERED, Status.UNKNOWN), endpoint_id
    expect_sends(run, HELD, 1)
    sent_in_one_invocation(run, HELD)
    expect_delivered_or_unwritable(run, rest(HELD))


def check_trickle(run: Run) -> None:
    # The 202 status line of a trickling body arrived in time: delivered, or unknown when the
    # deadline sweep answered first. Sent once, in invocation 1.
    check_key_no_time(run)


def check_not_acted(sends: int) -> Callable[[Run], None]:
    """The provider said it did not act (429, 503): sent again in the invocation, delivered."""

    def check(run: Run) -> None:
        expect_invocations(run, 1)
        expect(run, every(1), Status.DELIVERED)
        expect_sends(run, every(1), sends)
        expect_acted(run, every(1), 1)

    return check


def check_retry_after_honoured(run: Run) -> None:
    check_not_acted(2)(run)
    for exchanges in run.by_endpoint.values():
        first, second = exchanges
        assert second.request.arrived_at - first.request.arrived_at >= 0.99


def check_retry_after_past_deadline(run: Run) -> None:
    # Asked to wait 30 s with under 5 s left: failed at once, retryable, delivered on the retry.
    expect_invocations(run, 2)
    for outcome in run.invocations[0].outcomes.values():
        assert_retryable(outcome)
    expect(run, every(1), Status.DELIVERED)
    expect_sends(run, every(1), 2)


def check_residual(run: Run) -> None:
    # The provider acted and then said 503 (it did not act): the channel believes it, as the
    # resend rule says, and sends again. The row exists to show the risk the rule leaves.
    assert run.max_acted() >= 2
    expect(run, HELD, Status.DELIVERED)
    expect_acted(run, HELD, 2)


def check_residual_with_key(run: Run) -> None:
    # The same provider with the key: it deduplicates the resend, acting once.
    expect(run, HELD, Status.DELIVERED)
    expect_sends(run, HELD, 2)
    expect_acted(run, HELD, 1)


def check_not_sent_in_time(run: Run) -> None:
    """A rate limit leaves no time to send them all: the rest fail unsent and retryable, and
    Pinpoint's retries send each of them once, and nothing else: 20 endpoints at 3/s fit in
    two invocations of 4.5 s when only the unsent ones wait for the rate limit."""
    unsent = [o for o in run.invocations[0].outcomes.values() if o.status is Status.FAILED]
    assert unsent, run.invocations[0].outcomes
    for outcome in unsent:
        assert_retryable(outcome)
    expect(run, every(1), Status.DELIVERED)
    expect_sends(run, every(1), 1)


def check_nothing_listens(run: Run) -> None:
    expect_invocations(run, MAX_INVOCATIONS)
    assert run.invocations[-1].response is None  # the last one raised too: Pinpoint gives up
    for invocation in run.invocations:
        for outcome in invocation.outcomes.values():
            assert_retryable(outcome)
    assert run.exchanges == []


def check_down_then_back(run: Run) -> None:
    expect_invocations(run, 2)
    for outcome in run.invocations[0].outcomes.values():
        assert_retryable(outcome)
    expect(run, every(1), Status.DELIVERED)
    expect_sends(run, every(1), 1)


def check_permanent_400(run: Run) -> None:
    expect_invocations(run, 2)  # the FLAKY endpoints asked for a retry...
    expect(run, HELD, Status.FAILED)
    expect_sends(run, HELD, 1)  # ...which must not send a final failure again
    sent_in_one_invocation(run, HELD)
    expect_acted(run, HELD, 0)
    expect(run, rest(HELD), Status.DELIVERED)


def check_nothing_sent_retryable(run: Run) -> None:
    """An AWS dependency needed before sending is broken: nothing is sent, every endpoint is
    failed and retryable, so Pinpoint tries all 3 times, each invocation in time."""
    expect_invocations(run, MAX_INVOCATIONS)
    for invocation in run.invocations:
        for endpoint_id, outcome in invocation.outcomes.items():
            assert outcome.status is Status.FAILED, (invocation.number, endpoint_id, outcome)
            assert outcome.retryable, (invocation.number, endpoint_id, outcome)
    assert run.exchanges == []


def check_all_delivered_once(run: Run) -> None:
    """A broken dependency after delivery (metrics) changes no outcome."""
    expect_invocations(run, 1)
    expect(run, every(1), Status.DELIVERED)
    expect_sends(run, every(1), 1)


def calls_in(run: Run, invocation: Invocation, operation: str) -> int:
    """Calls of `operation` the broken endpoint saw during `invocation` (or its slack, until
    the next invocation starts)."""
    later = [other.started for other in run.invocations if other.number > invocation.number]
    end = min([invocation.returned + SLACK_SECONDS, *later])
    return sum(
        call.operation.endswith(f".{operation}") and invocation.started <= call.arrived_at <= end
        for call in run.aws_log
    )


def check_put_metric_data_once(run: Run) -> None:
    check_all_delivered_once(run)
    for invocation in run.invocations:
        assert calls_in(run, invocation, "PutMetricData") <= 1, run.aws_log


def check_settle_fails(run: Run) -> None:
    """`delivered` cannot be written: the invocation still answers delivered; Pinpoint's retry
    (for FLAKY) finds the record still `sending` and does not send it again."""
    expect_invocations(run, 2)
    for endpoint_id in run.ids(rest(FLAKY)):
        assert run.invocations[0].outcomes[endpoint_id].status is Status.DELIVERED, endpoint_id
        assert run.final[endpoint_id].status in (Status.DELIVERED, Status.UNKNOWN), endpoint_id
    expect_sends(run, rest(FLAKY), 1)
    sent_in_one_invocation(run, rest(FLAKY))
    expect(run, FLAKY, Status.DELIVERED)


def check_reset_on_accept(run: Run) -> None:
    """Reset before the provider read a byte: it did not act, but the channel cannot tell that
    from a reset after reading: unknown, not sent again, without the key."""
    assert run.accept_resets == BATCH // 4
    for endpoint_id in run.endpoint_ids:
        assert run.acted[endpoint_id] <= 1, endpoint_id
    if run.scenario.key:  # the reset cost an attempt; the resend under the key delivered it
        expect(run, every(1), Status.DELIVERED)


def check_queue_broken(run: Run) -> None:
    """The failure queue is broken: the final 400s stay failed, the rest delivered."""
    expect_invocations(run, 1)
    expect(run, HELD, Status.FAILED)
    expect_sends(run, HELD, 1)
    expect(run, rest(HELD), Status.DELIVERED)
    expect_sends(run, rest(HELD), 1)


# The lease rows: one batch mixing every kind of unknown with retryable endpoints.
ACTED_500 = every(10)  # acted, answered 500
ACTED_RESET = every(10, 5)  # acted, reset after reading
ACTED_HELD = every(5, 2)  # acted, answer held past the deadline
UNKNOWNS = anyof(ACTED_500, ACTED_RESET, ACTED_HELD)
RETRYABLE_503 = FLAKY  # 503 not acted, throughout invocation 1
RETRYABLE_429 = every(5, 3)  # 429 not acted, throughout invocation 1


def mixed(call: Call) -> Reply:
    if ACTED_500(call.index):
        return acted(status(500)) if call.nth == 0 else HTTP.ok
    if ACTED_RESET(call.index):
        return acted(Reply(reset=True)) if call.nth == 0 else HTTP.ok
    if ACTED_HELD(call.index):  # a later request: the resend command --include-unknown
        return acted(Reply(202, b'{"queued":true}', JSON, delay=30.0)) if call.nth == 0 else HTTP.ok
    if RETRYABLE_503(call.index) and call.invocation == 1:
        return not_acted(status(503))
    if RETRYABLE_429(call.index) and call.invocation == 1:
        return not_acted(status(429))
    return HTTP.ok


def check_lease_mixed(run: Run) -> None:
    """Pinpoint's retry arrives after every lease ran out: the unknowns are still answered
    from the ledger, never sent again; the retryable ones are delivered; the resend command
    keeps the unknowns in the queue and sends nothing."""
    expect_invocations(run, 2)
    retryable = anyof(RETRYABLE_503, RETRYABLE_429)
    for endpoint_id in run.ids(retryable):
        assert run.invocations[0].outcomes[endpoint_id].retryable, endpoint_id
    expect(run, anyof(ACTED_500, ACTED_RESET, ACTED_HELD), Status.UNKNOWN)
    sent_in_one_invocation(run, UNKNOWNS)
    expect_sends(run, UNKNOWNS, 1)
    expect_delivered_or_unwritable(run, rest(UNKNOWNS))
    check_resend_kept(run)
    # The failure queue holds one message per unknown answer, for the operator to look at.
    assert run.resend_report is not None
    assert run.resend_report["unknown_kept"] == unknown_answers(run), (
        f"the failure queue holds {run.resend_report['unknown_kept']} of the"
        f" {unknown_answers(run)} unknown answers"
    )


def unknown_answers(run: Run) -> int:
    """Unknown outcomes over all invocations: each is one message in the failure queue."""
    return sum(
        outcome.status is Status.UNKNOWN
        for invocation in run.invocations
        for outcome in invocation.outcomes.values()
    )


def expect_delivered_or_unwritable(run: Run, select: Callable[[int], bool]) -> None:
    """Delivered in the end; or left unknown, never sent twice, when invocation 1 could not
    write the record in time (a slow table under load, the time left below a DynamoDB call's
    worst case): delivered but not settled, or stopped before a retry ("not writable")."""
    for endpoint_id in run.ids(select):
        final = run.final[endpoint_id]
        if final.status is Status.DELIVERED:
            continue
        first = run.invocations[0].outcomes[endpoint_id]
        assert final.status is Status.UNKNOWN, (endpoint_id, final)
        unsettled = first.status is Status.DELIVERED or "not writable" in first.reason
        assert unsettled, (endpoint_id, first, final)


def check_resend_kept(run: Run) -> None:
    """The resend command (without --include-unknown) sends nothing: every unknown message is
    kept in the queue, every other one was delivered meanwhile and is deleted."""
    report = run.resend_report
    assert report is not None
    assert run.resend_exchanges == [], [e.request.headers for e in run.resend_exchanges]
    assert report["unknown_kept"] >= 1, report
    assert report["unknown"] == 0, report  # nothing it sent ended unknown: it sent nothing
    assert report["kept"] == report["unknown_kept"], {k: v for k, v in report.items() if v}
    assert run.queue_left == report["unknown_kept"], (run.queue_left, report)


def check_lease_mixed_key(run: Run) -> None:
    """With the key, the 500s and resets were resent at once (deduplicated) and delivered;
    only the held ones stay unknown, and the resend keeps them."""
    expect_invocations(run, 2)
    expect(run, anyof(ACTED_500, ACTED_RESET), Status.DELIVERED)
    expect(run, ACTED_HELD, Status.UNKNOWN)
    expect_sends(run, ACTED_HELD, 1)
    sent_in_one_invocation(run, ACTED_HELD)
    expect_delivered_or_unwritable(run, rest(UNKNOWNS))
    check_resend_kept(run)
    # The operator's --include-unknown pass sends them; the provider deduplicates on the key.
    assert run.include_unknown_report is not None
    assert run.include_unknown_report["delivered"] >= len(run.ids(ACTED_HELD))
    for endpoint_id in run.ids(ACTED_HELD):
        assert run.sends(endpoint_id) == 1  # the invocations sent them once
        assert run.acted[endpoint_id] == 1, endpoint_id


def held(seconds: float = 30.0) -> Reply:
    return Reply(202, b'{"queued":true}', JSON, delay=seconds)


TRICKLED_BODY = Reply(202, b'{"queued":true}' + b" " * 40, JSON, trickle_seconds=10)
TRICKLED_HEAD = Reply(202, b'{"queued":true}', JSON, trickle_seconds=10, trickle_head=True)


def http_rows() -> list[Scenario]:
    rows: list[Scenario] = []
    acting_faults: list[tuple[str, Reply, Callable[[Run], None], Callable[[Run], None]]] = [
        ("acts, then 500", status(500), check_unknown_once, check_key_resent),
        ("acts, then 502", status(502), check_unknown_once, check_key_resent),
        ("acts, then 504", status(504), check_unknown_once, check_key_resent),
        ("acts, then reset after read", Reply(reset=True), check_unknown_once, check_key_resent),
    ]
    for fault, reply, without_key, with_key in acting_faults:
        rows.append(Scenario(fault, per_endpoint(HELD, acts_then(reply)), check=without_key))
        rows.append(Scenario(fault, per_endpoint(HELD, acts_then(reply)), key=True, check=with_key))
    slow_faults: list[tuple[str, Reply, Callable[[Run], None]]] = [
        ("acts, answer held 30 s", held(), check_unknown_once),
        ("acts, body trickles past deadline", TRICKLED_BODY, check_trickle),
        ("acts, head trickles past deadline", TRICKLED_HEAD, check_unknown_once),
    ]
    for fault, reply, without_key in slow_faults:
        script = per_endpoint(HELD, lambda call, reply=reply: acted(reply))
        rows.append(Scenario(fault, script, check=without_key))
        rows.append(Scenario(fault, script, key=True, check=check_key_no_time))
    rows += [
        Scenario(
            "acts, then 500; retry within lease",
            per_endpoint(HELD, acts_then(status(500))),
            lease_expires=False,
            check=check_unknown_once,
        ),
        Scenario(
            "reset before read (RST on accept)",
            lambda call: HTTP.ok,
            setup=lambda server: server.reset_on_accept(BATCH // 4),
            check=check_reset_on_accept,
        ),
        Scenario(
            "reset before read (RST on accept)",
            lambda call: HTTP.ok,
            key=True,
            setup=lambda server: server.reset_on_accept(BATCH // 4),
            check=check_reset_on_accept,
        ),
        Scenario(
            "ledger cannot write delivered",
            per_endpoint(nobody, lambda call: HTTP.ok),
            settle_fails=True,
            check=check_settle_fails,
        ),
        Scenario(
            "deadline before sending (3/s limit)",
            lambda call: HTTP.ok,
            env={"CHANNEL_RATE_LIMIT_PER_SECOND": "3"},
            check=check_not_sent_in_time,
        ),
        Scenario("503, not acted (2x)", not_acting(status(503), 2), check=check_not_acted(3)),
        Scenario(
            "429 Retry-After: 1, not acted",
            not_acting(status(429, **{"Retry-After": "1"}), 1),
            check=check_retry_after_honoured,
        ),
        Scenario(
            "429 Retry-After: 30 > deadline",
            lambda call: (
                not_acted(status(429, **{"Retry-After": "30"})) if call.invocation == 1 else HTTP.ok
            ),
            check=check_retry_after_past_deadline,
        ),
        Scenario("429, no Retry-After (2x)", not_acting(status(429), 2), check=check_not_acted(3)),
        Scenario(
            "residual risk: acts, then 503",
            per_endpoint(HELD, acts_then(status(503))),
            max_acted=2,
            check=check_residual,
        ),
        Scenario(
            "residual risk: acts, then 503",
            per_endpoint(HELD, acts_then(status(503))),
            key=True,
            check=check_residual_with_key,
        ),
        Scenario(
            "refused: nothing listens",
            lambda call: HTTP.ok,
            nothing_listens=True,
            check=check_nothing_listens,
        ),
        Scenario(
            "refused: provider down, back",
            lambda call: HTTP.ok,
            before_invocation=lambda number, server: (
                server.pause() if number == 1 else server.resume()
            ),
            check=check_down_then_back,
        ),
        Scenario(
            "400 final (+503 retry)",
            per_endpoint(HELD, lambda call: not_acted(status(400))),
            check=check_permanent_400,
        ),
    ]
    return rows


def slack_rows() -> list[Scenario]:
    rows = [
        Scenario(
            "slack http 429, not acted",
            not_acting(status(429, **{"Retry-After": "0"}), 1, SLACK),
            SLACK,
            check=check_not_acted(2),
        ),
        Scenario(
            "slack http 503, not acted",
            not_acting(status(503), 1, SLACK),
            SLACK,
            check=check_not_acted(2),
        ),
        Scenario(
            "slack ratelimited, not acted",
            not_acting(slack_error("ratelimited"), 1, SLACK),
            SLACK,
            check=check_not_acted(2),
        ),
        Scenario(
            "slack service_unavailable",
            not_acting(slack_error("service_unavailable"), 1, SLACK),
            SLACK,
            check=check_not_acted(2),
        ),
    ]
    for fault, reply in [
        ("slack internal_error, acted", slack_error("internal_error")),
        ("slack fatal_error, acted", slack_error("fatal_error")),
        ("slack http 500, acted", status(500)),
        ("slack http 502, acted", status(502)),
    ]:
        script = per_endpoint(HELD, acts_then(reply, SLACK), SLACK)
        rows.append(Scenario(fault, script, SLACK, check=check_unknown_once))
    rows.append(
        Scenario(
            "slack channel_not_found, final",
            per_endpoint(HELD, lambda call: slack_error("channel_not_found"), SLACK),
            SLACK,
            check=check_permanent_400,
        )
    )
    return rows


def twilio_rows() -> list[Scenario]:
    return [
        Scenario(
            "twilio http 429, not acted",
            not_acting(twilio_error(429, 20429), 1, TWILIO),
            TWILIO,
            check=check_not_acted(2),
        ),
        Scenario(
            "twilio http 503, not acted",
            not_acting(twilio_error(503, 20503), 1, TWILIO),
            TWILIO,
            check=check_not_acted(2),
        ),
        Scenario(
            "twilio http 500, acted",
            per_endpoint(HELD, acts_then(twilio_error(500, 20500), TWILIO), TWILIO),
            TWILIO,
            check=check_unknown_once,
        ),
        Scenario(
            "twilio http 502, acted",
            per_endpoint(HELD, acts_then(twilio_error(502, 20500), TWILIO), TWILIO),
            TWILIO,
            check=check_unknown_once,
        ),
        Scenario(
            "twilio 400 21211, final",
            per_endpoint(HELD, lambda call: twilio_error(400, 21211), TWILIO),
            TWILIO,
            check=check_permanent_400,
        ),
    ]


def aws_rows() -> list[Scenario]:
    rows: list[Scenario] = []
    for mode in ("hangs", "500"):
        rows += [
            Scenario(
                f"CloudWatch {mode}",
                lambda call: HTTP.ok,
                env={"CHANNEL_METRICS_MODE": "api"},
                aws=AwsFault("cloudwatch", mode),
                check=check_put_metric_data_once,
            ),
            Scenario(
                f"DynamoDB ledger {mode}",
                lambda call: HTTP.ok,
                aws=AwsFault("dynamodb", mode),
                check=check_nothing_sent_retryable,
            ),
            Scenario(
                f"SQS failure queue {mode}",
                lambda call: not_acted(status(400)) if HELD(call.index) else HTTP.ok,
                env={"CHANNEL_FAILURE_QUEUE_URL": QUEUE_URL.format("broken")},
                aws=AwsFault("sqs", mode),
                check=check_queue_broken,
            ),
            Scenario(
                f"Secrets Manager {mode}",
                lambda call: HTTP.ok,
                env={"CHANNEL_SECRET_ID": "fault-campaign/http"},
                aws=AwsFault("secretsmanager", mode),
                check=check_nothing_sent_retryable,
            ),
            Scenario(
                f"SSM parameter {mode}",
                lambda call: HTTP.ok,
                env={"CHANNEL_SECRET_PARAMETER": "/fault-campaign/http"},
                aws=AwsFault("ssm", mode),
                check=check_nothing_sent_retryable,
            ),
        ]
    return rows


def lease_rows() -> list[Scenario]:
    return [
        Scenario(
            "lease expired: mixed unknown + retryable, resend",
            mixed,
            env={"CHANNEL_SECRET_ID": "fault-campaign/http"},  # the queue's messages are signed
            failure_queue=True,
            resend=True,
            check=check_lease_mixed,
        ),
        Scenario(
            "lease expired: mixed unknown + retryable, resend",
            mixed,
            key=True,
            env={"CHANNEL_SECRET_ID": "fault-campaign/http"},
            failure_queue=True,
            resend=True,
            check=check_lease_mixed_key,
        ),
    ]


PINPOINT_ROWS = http_rows() + slack_rows() + twilio_rows() + aws_rows() + lease_rows()
# The rows run again with Connect events, by fault and key: the same row checks and invariants.
CONNECT_ROWS = [
    *(
        (fault, key)
        for fault in (
            "acts, then 500",
            "acts, then 502",
            "acts, then 504",
            "acts, then reset after read",
            "acts, answer held 30 s",
            "residual risk: acts, then 503",
            "lease expired: mixed unknown + retryable, resend",
        )
        for key in (False, True)
    ),
    ("503, not acted (2x)", False),
    ("429, no Retry-After (2x)", False),
    ("CloudWatch hangs", False),
    ("DynamoDB ledger hangs", False),
    ("SQS failure queue hangs", False),
    ("Secrets Manager hangs", False),
]


def connect_rows() -> list[Scenario]:
    by_row = {(scenario.fault, scenario.key): scenario for scenario in PINPOINT_ROWS}
    return [replace(by_row[row], source="connect") for row in CONNECT_ROWS]


SCENARIOS = PINPOINT_ROWS + connect_rows()


# --- the batch, the provider, the driver --------------------------------------------------------


def batch(provider: Provider) -> dict[str, Any]:
    """The guide's sample event with BATCH endpoints shaped like its one, for `provider`."""
    event = json.loads(GUIDE_EVENT.read_text(encoding="utf-8"))
    ((sample_id, sample),) = event["Endpoints"].items()
    endpoints = {
        f"{index:02d}{sample_id[2:]}": provider.endpoint(index, sample) for index in range(BATCH)
    }
    return {**event, "Endpoints": endpoints}


def connect_profiles(pinpoint: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The batch's endpoints as Customer Profiles: ProfileId = the endpoint id."""
    return {
        endpoint_id: {"email": endpoint["Address"], "firstName": f"User{index:02d}"}
        for index, (endpoint_id, endpoint) in enumerate(pinpoint["Endpoints"].items())
    }


def invocation_of(request: Received) -> int:
    return int(header(request, INVOCATION_HEADER) or "0")


def scripted(
    script: Script, index_of: dict[str, int], endpoint_of: Callable[[Received], str]
) -> Callable[[Received], Reply]:
    lock = threading.Lock()
    seen: Counter[str] = Counter()
    overall = [0]

    def responder(request: Received) -> Reply:
        endpoint_id = endpoint_of(request)
        with lock:
            call = Call(
                index_of[endpoint_id],
                seen[endpoint_id],
                overall[0],
                invocation_of(request),
                header(request, KEY_HEADER) is not None,
            )
            seen[endpoint_id] += 1
            overall[0] += 1
        return script(call)

    return responder


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def timed_invocation(
    number: int,
    call: Callable[[], Response],
    channel: RecordingChannel,
    scenario: Scenario,
    server: ProviderServer,
    clock: LedgerClock,
) -> tuple[Invocation, Exception | None]:
    """One invocation of the function, timed, its requests tagged with its number; before a
    re-invocation the ledger's clock passes the lease (unless the row says otherwise)."""
    if number > 1 and scenario.lease_expires:
        clock.advance(LEASE_SECONDS + 1)
    if scenario.before_invocation is not None:
        scenario.before_invocation(number, server)
    token = _invocation.set(number)
    recorded = len(channel.outcomes)
    started = time.monotonic()
    response: Response | None = None
    error: Exception | None = None
    try:
        response = call()
    except Exception as raised:  # Pinpoint retries whatever was raised; Connect fails the batch
        error = raised
    finally:
        returned = time.monotonic()
        _invocation.reset(token)
    outcomes = channel.outcomes[-1] if len(channel.outcomes) > recorded else {}
    raised_name = type(error).__name__ if error is not None else ""
    return Invocation(
        number, started, started + scenario.budget, returned, outcomes, response, raised_name
    ), error


def drive(
    channel: RecordingChannel,
    event: Any,
    scenario: Scenario,
    server: ProviderServer,
    clock: LedgerClock,
) -> list[Invocation]:
    """Pinpoint: invoke; while the invocation raises or answers late, invoke it again."""
    invocations: list[Invocation] = []
    for number in range(1, MAX_INVOCATIONS + 1):

        def call() -> Response:
            return invoke(event, channel=channel, timeout_seconds=FUNCTION_TIMEOUT).response

        done, _ = timed_invocation(number, call, channel, scenario, server, clock)
        invocations.append(done)
        if done.response is not None and not done.late:
            break
    return invocations


class LosesFirstAnswer:
    """The Connect driver's invoker, but invocation 1's answer never reaches Connect: the
    function did its work, Connect counts the invocation failed and invokes the batch again."""

    def __init__(self, invoker: InProcessInvoker) -> None:
        self._invoker = invoker
        self.wait_seconds = invoker.wait_seconds
        self.calls = 0

    def invoke(self, event: dict[str, Any]) -> object:
        self.calls += 1
        response = self._invoker.invoke(event)
        if self.calls == 1:
            raise InvocationFailed("the answer was lost")
        return response

    def close(self) -> None:
        self._invoker.close()


def drive_connect(
    channel: RecordingChannel,
    pinpoint: dict[str, Any],
    scenario: Scenario,
    server: ProviderServer,
    clock: LedgerClock,
) -> tuple[list[Invocation], ConnectRun]:
    """Connect (emulator/connect_driver.py): one batch of the endpoints as profiles, waited
    for FUNCTION_TIMEOUT, invoked again with new IdempotencyTokens when it failed or was late,
    3 invocations at most; its answers checked as Connect checks them."""
    invocations: list[Invocation] = []
    numbers = itertools.count(1)
    lock = threading.Lock()

    def handler(event: Any, context: Any) -> Response:
        with lock:
            number = next(numbers)
        done, error = timed_invocation(
            number, lambda: channel.handle(event, context), channel, scenario, server, clock
        )
        with lock:
            invocations.append(done)
        if error is not None:
            raise error
        assert done.response is not None
        return done.response

    invoker = LosesFirstAnswer(
        InProcessInvoker(
            handler=handler, wait_seconds=FUNCTION_TIMEOUT, function_timeout=FUNCTION_TIMEOUT
        )
    )
    try:
        result = run_connect(connect_profiles(pinpoint), invoker, CONNECT_CONTEXT, batch_size=BATCH)
    finally:
        invoker.close()  # waits for a late invocation to end
    invocations.sort(key=lambda done: done.number)
    invocations[0].lost = True
    return invocations, result


@pytest.fixture(scope="module")
def aws() -> Iterator[dict[str, Any]]:
    """moto, in process, for the whole campaign (starting it per row costs seconds): the
    ledger tables, the failure queues, the provider secrets, and the Pinpoint application whose
    endpoints the resend command checks (GetEndpoint, emulator/local_pinpoint.py)."""
    local_pinpoint.register()
    # Module scope runs before conftest's per-test environment: set what it sets, so that no
    # endpoint URL or profile left by an earlier test leads the clients away from moto.
    with pytest.MonkeyPatch.context() as env, mock_aws():
        env.delenv("AWS_ENDPOINT_URL", raising=False)
        env.delenv("AWS_PROFILE", raising=False)
        for variable in ENDPOINT_VARIABLES.values():
            env.delenv(variable, raising=False)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.setenv(name, "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        secrets = boto3.client("secretsmanager", region_name="us-east-1")
        secrets.create_secret(Name="fault-campaign/slack", SecretString=json.dumps(SLACK_SECRET))
        secrets.create_secret(Name="fault-campaign/twilio", SecretString=json.dumps(TWILIO_SECRET))
        secrets.create_secret(Name="fault-campaign/http", SecretString='{"token":"abcdef"}')
        ssm = boto3.client("ssm", region_name="us-east-1")
        ssm.put_parameter(Name="/fault-campaign/http", Value="abcdef", Type="SecureString")
        pinpoint = boto3.client("pinpoint", region_name="us-east-1")
        app = pinpoint.create_app(CreateApplicationRequest={"Name": "fault-campaign"})
        yield {
            "dynamodb": boto3.client("dynamodb", region_name="us-east-1"),
            "sqs": boto3.client("sqs", region_name="us-east-1"),
            "pinpoint": pinpoint,
            "application_id": app["ApplicationResponse"]["Id"],
        }


_tables = itertools.count(1)


@pytest.fixture
def ledger_table(aws: dict[str, Any]) -> str:
    """A fresh delivery-records table for one row."""
    name = f"fault-campaign-{next(_tables)}"
    aws["dynamodb"].create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def queue_messages(sqs: Any, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def broken_endpoint(mode: str) -> SilentServer | FailingServer:
    return SilentServer() if mode == "hangs" else FailingServer()


def run_scenario(
    scenario: Scenario, table: str, aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> Run:
    provider = scenario.provider
    event = batch(provider)
    if scenario.resend and scenario.source != "connect":
        # The campaign's endpoints live in its Pinpoint application: resend checks them there.
        event = {**event, "ApplicationId": aws["application_id"]}
        local_pinpoint.put_endpoints(aws["pinpoint"], aws["application_id"], event["Endpoints"])
    index_of = {endpoint_id: index for index, endpoint_id in enumerate(event["Endpoints"])}
    if provider.adapter == "http":
        id_of = {endpoint_id: endpoint_id for endpoint_id in event["Endpoints"]}
    else:
        id_of = {endpoint["Address"]: key for key, endpoint in event["Endpoints"].items()}

    def endpoint_of(request: Received) -> str:
        return id_of[provider.address_of(request)]

    responder: Callable[[Received], Reply] = scripted(scenario.script, index_of, endpoint_of)
    responder = Deduplicating(responder, KEY_HEADER)  # a provider that honours the key
    broken = broken_endpoint(scenario.aws.mode) if scenario.aws else None
    with ProviderServer(responder) as server, broken or _Nothing():
        if broken is not None and scenario.aws is not None:
            monkeypatch.setenv(ENDPOINT_VARIABLES[scenario.aws.service], broken.url)
        url = f"http://127.0.0.1:{closed_port()}" if scenario.nothing_listens else server.url
        queue_url = None
        if scenario.failure_queue:
            queue_url = aws["sqs"].create_queue(QueueName=f"fault-campaign-{table}")["QueueUrl"]
        env = {
            "CHANNEL_ADAPTER": provider.adapter,
            "CHANNEL_METRICS_MODE": "off",
            "CHANNEL_IDEMPOTENCY_TABLE": table,
            "CHANNEL_IDEMPOTENCY_LEASE_SECONDS": str(LEASE_SECONDS),
            "CHANNEL_FAILURE_POLICY": "retry",
            "CHANNEL_DEADLINE_SECONDS": str(DEADLINE_SECONDS),
            "CHANNEL_SAFETY_MARGIN_MS": str(SAFETY_MARGIN_MS),
            **provider.env(url, scenario.key),
            **({"CHANNEL_FAILURE_QUEUE_URL": queue_url} if queue_url else {}),
            **scenario.env,
        }
        if scenario.source == "connect":  # the retry policy is refused: a throw fails a batch
            env.update(
                CHANNEL_EVENT_SOURCE="connect",
                CHANNEL_FAILURE_POLICY="report",
                CHANNEL_MESSAGE_TEMPLATE=CONNECT_TEMPLATE,
            )
        settings = load_settings(env)
        clock = LedgerClock()
        extra: dict[str, Any] = {}
        if scenario.lease_expires or scenario.settle_fails:
            extra["ledger"] = DynamoLedger(
                table,
                settings.idempotency_lease_seconds,
                settings.idempotency_ttl_seconds,
                clients=SettleFails() if scenario.settle_fails else None,
                clock=clock,
            )
        channel = RecordingChannel(settings, session=TaggedSession(settings.max_workers), **extra)
        if scenario.setup is not None:
            scenario.setup(server)
        connect: ConnectRun | None = None
        try:
            if scenario.source == "connect":
                invocations, connect = drive_connect(channel, event, scenario, server, clock)
            else:
                invocations = drive(channel, event, scenario, server, clock)
        finally:
            channel.close()
        # Whatever the provider still holds must end by the last deadline; give it the slack.
        server.wait_idle(max(invocations[-1].deadline + SLACK_SECONDS - time.monotonic(), 0))
        ended_at = time.monotonic()
        exchanges = list(server.exchanges)
        run = Run(
            scenario,
            list(event["Endpoints"]),
            invocations,
            exchanges,
            server.acted_on(endpoint_of),
            endpoint_of,
            ended_at,
            aws_calls=broken.operations() if broken is not None else Counter(),
            aws_log=broken.calls if broken is not None else [],
            accept_resets=len(server.accept_resets),
            connect=connect,
        )
        if scenario.resend and queue_url is not None:
            # The operator's pass, as `python -m custom_channel.operator resend` runs it: unknowns kept,
            # each Pinpoint endpoint's consent checked (GetEndpoint); Connect's profiles, which
            # resend cannot check, sent because the operator says so (--send-connect-unchecked).
            options = ResendOptions(
                visibility_timeout=1,
                wait_seconds=0,
                send_connect_unchecked=scenario.source == "connect",
                timeout_seconds=FUNCTION_TIMEOUT,
            )
            report = resend(settings, FailureQueue(queue_url), options)
            server.wait_idle(FUNCTION_TIMEOUT)
            run.resend_report = report.as_dict()
            run.resend_exchanges = list(server.exchanges)[len(exchanges) :]
            run.acted = server.acted_on(endpoint_of)  # the resend's requests count too
            run.queue_left = queue_messages(aws["sqs"], queue_url)
            if scenario.key:
                # --include-unknown, once the kept messages show again: sent, deduplicated.
                time.sleep(1.1)
                report = resend(
                    settings, FailureQueue(queue_url), replace(options, include_unknown=True)
                )
                server.wait_idle(FUNCTION_TIMEOUT)
                run.include_unknown_report = report.as_dict()
                run.acted = server.acted_on(endpoint_of)
        return run


class SettleFails(AwsClients):
    """The container's clients, but DynamoDB refuses every write of a `delivered` record."""

    def client(self, service: str) -> Any:
        real = super().client(service)
        return _RefusesDelivered(real) if service == "dynamodb" else real


class _RefusesDelivered:
    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def update_item(self, **request: Any) -> Any:
        if {"S": "delivered"} in request.get("ExpressionAttributeValues", {}).values():
            error = {"Error": {"Code": "InternalServerError", "Message": "injected fault"}}
            raise ClientError(error, "UpdateItem")  # type: ignore[arg-type]
        return self._client.update_item(**request)


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


# --- the invariants -------------------------------------------------------------------------------


def definitive(exchange: Exchange) -> bool:
    """The provider answered in full with a status that settles the delivery: a success or a
    final failure, not 429 or 5xx. (Slack's `ok:false` errors answer 200: not counted.)"""
    code = exchange.status
    if exchange.ended != ANSWERED or code is None or code >= 500 or code == 429:
        return False
    return code != 200 or exchange.acted


def sends_after_known(run: Run) -> int:
    """Requests for an endpoint that reached the provider after a definitive answer to it."""
    count = 0
    for exchanges in run.by_endpoint.values():
        known = [index for index, exchange in enumerate(exchanges) if definitive(exchange)]
        if known:
            count += len(exchanges) - known[0] - 1
    return count


def past_deadline(run: Run) -> list[str]:
    """Exchanges that began, or were still going on, after their invocation's deadline."""
    late = []
    deadlines = {invocation.number: invocation.deadline for invocation in run.invocations}
    for exchange in run.exchanges:
        number = invocation_of(exchange.request)
        deadline = deadlines.get(number)
        what = f"{run.endpoint_of(exchange.request)} (invocation {number})"
        if deadline is None:
            late.append(f"{what}: sent outside any invocation")
            continue
        arrived = exchange.request.arrived_at - deadline
        if arrived > SLACK_SECONDS:
            late.append(f"{what}: arrived {arrived:.2f} s after the deadline")
        ended = (exchange.ended_at if exchange.ended_at is not None else run.ended_at) - deadline
        if ended > SLACK_SECONDS:
            state = exchange.ended or "still open"
            late.append(f"{what}: {state} {ended:.2f} s after the deadline")
    return late


def table_row(run: Run) -> dict[str, str]:
    counts = Counter(outcome.status for outcome in run.final.values())
    times = " ".join(
        f"{invocation.duration:.1f}{'!' if invocation.raised or invocation.lost else ''}"
        for invocation in run.invocations
    )
    resend = ""
    if run.resend_report is not None:
        report = run.resend_report
        resend = (
            f" +resend: kept {report.get('unknown_kept', '?')} of {unknown_answers(run)}"
            f" unknown, sent {len(run.resend_exchanges)}"
        )
    scenario = run.scenario
    return {
        "fault": scenario.fault,
        "source": scenario.source,
        "adapter": scenario.provider.adapter,
        "key": "yes" if scenario.key else "no",
        "inv": str(len(run.invocations)),
        "wall s / deadline (! raised/lost)": f"{times} / {scenario.budget:.1f}",
        "deliv/fail/unk": (
            f"{counts[Status.DELIVERED]}/{counts[Status.FAILED]}/{counts[Status.UNKNOWN]}"
        ),
        "requests": f"{len(run.exchanges)}{resend}",
        "aws calls": " ".join(f"{name}:{n}" for name, n in sorted(run.aws_calls.items())),
        "max acted": str(run.max_acted()),
        "result": "FAIL",
    }


def outcome_summary(run: Run) -> str:
    """Each invocation's outcomes, counted by status and reason: a failed row's evidence."""
    lines = []
    for invocation in run.invocations:
        counts = Counter(
            f"{outcome.status.value}: {outcome.reason}" for outcome in invocation.outcomes.values()
        )
        lines.append(
            f"invocation {invocation.number} ({invocation.duration:.2f} s"
            f"{', raised ' + invocation.raised if invocation.raised else ''}): {dict(counts)}"
        )
    over = {key: n for key, n in run.acted.items() if n > 1}
    lines.append(f"acted on more than once: {over}; aws calls: {dict(run.aws_calls)}")
    return "\n".join(lines)


@pytest.mark.parametrize(
    "scenario", [pytest.param(s, id=s.id, marks=_ROW_TIMEOUT) for s in SCENARIOS]
)
def test_fault_campaign(
    scenario: Scenario,
    ledger_table: str,
    aws: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    fault_campaign: list[dict[str, str]],
) -> None:
    try:
        run = run_scenario(scenario, ledger_table, aws, monkeypatch)
    except Exception as error:
        fault_campaign.append(
            {
                "fault": scenario.fault,
                "source": scenario.source,
                "adapter": scenario.provider.adapter,
                "key": "yes" if scenario.key else "no",
                "result": f"ERROR {type(error).__name__}",
            }
        )
        raise
    row = table_row(run)
    fault_campaign.append(row)
    try:
        check_run(run, row)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{outcome_summary(run)}") from None


def check_connect_answers(run: Run) -> None:
    """Connect's side: every invocation answered in Connect's shape (every ProfileId once, in
    request order, `Id` equal, ResultData an object with the outcome's status), and each
    re-invocation came with new IdempotencyTokens; the driver accounts for every profile."""
    connect = run.connect
    assert connect is not None
    assert len(connect.events) == len(run.invocations)
    for event, invocation in zip(connect.events, run.invocations, strict=True):
        assert invocation.response is not None, (invocation.number, invocation.raised)
        entries = invocation.response["Items"]["CustomerProfiles"]
        assert [entry["Id"] for entry in entries] == run.endpoint_ids, invocation.number
        checked = check_answer(event, invocation.response)
        assert checked.invalid == "", (invocation.number, checked.invalid)
        assert checked.errors == [], (invocation.number, checked.errors)
        for endpoint_id, outcome in invocation.outcomes.items():
            entry = entries[run.endpoint_ids.index(endpoint_id)]
            assert isinstance(entry["ResultData"], dict), entry
            assert entry["ResultData"]["status"] == outcome.status.value, entry
    for endpoint_id in run.endpoint_ids:
        tokens = connect.tokens[endpoint_id]
        assert len(tokens) == len(set(tokens)) == len(run.invocations), tokens
    for exchange in run.exchanges:  # the request was built from the profile
        payload = json.loads(exchange.request.body)
        index = run.endpoint_ids.index(payload["endpoint"])
        assert payload["to"] == f"user{index:02d}@example.com", payload
        assert payload["text"] == f"Hello User{index:02d}", payload
    assert connect.ok, (connect.answer_errors, connect.statuses)
    assert connect.given_up == 0, connect.invocation_errors
    final = {key: outcome.status.value for key, outcome in run.final.items()}
    assert connect.statuses == final


def check_run(run: Run, row: dict[str, str]) -> None:
    scenario = run.scenario

    # A broken AWS endpoint really was called: moto did not intercept it.
    if scenario.aws is not None:
        assert run.aws_calls, f"{scenario.aws.service}: no call reached the broken endpoint"

    # The driver: at most 3 invocations; only one that raised, was late (or, for Connect, whose
    # answer was lost) is repeated.
    assert 1 <= len(run.invocations) <= MAX_INVOCATIONS
    for invocation in run.invocations[:-1]:
        assert invocation.response is None or invocation.late or invocation.lost
    if scenario.source == "connect":
        check_connect_answers(run)

    # At most once for anything that may have left.
    over = {key: run.acted[key] for key in run.endpoint_ids if run.acted[key] > 1}
    if scenario.max_acted == 1:
        assert over == {}, f"acted on more than once: {over}"
    else:
        assert run.max_acted() <= scenario.max_acted, over
        row["result"] = f"FAIL ({RESIDUAL})"

    # Every invocation answers in time; every endpoint answered in every invocation.
    for invocation in run.invocations:
        assert invocation.duration <= invocation.budget + SLACK_SECONDS, (
            f"invocation {invocation.number} took {invocation.duration:.2f} s"
            f" for a {invocation.budget:.2f} s deadline"
        )
        assert list(invocation.outcomes) == run.endpoint_ids, invocation.number
        for endpoint_id, outcome in invocation.outcomes.items():
            assert outcome.status in ANSWERS, (invocation.number, endpoint_id, outcome)
            if outcome.status is Status.FAILED:
                assert outcome.reason, (invocation.number, endpoint_id)
        if invocation.response is not None and scenario.source == "pinpoint":
            assert invocation.response == journey_response(invocation.outcomes)

    # The idempotency key, when configured: one per endpoint, the same on every request.
    if scenario.key:
        keys = {
            endpoint_id: {header(exchange.request, KEY_HEADER) for exchange in exchanges}
            for endpoint_id, exchanges in run.by_endpoint.items()
            if exchanges
        }
        assert all(len(values) == 1 and None not in values for values in keys.values())
        assert len({next(iter(values)) for values in keys.values()}) == len(keys)
    assert set(run.by_endpoint) == set(run.endpoint_ids)

    # A later invocation answers from the record: what one invocation answered delivered or
    # unknown is never answered failed by a later one (Pinpoint would count it failed, and a
    # retry policy would ask for the batch again).
    for endpoint_id in run.endpoint_ids:
        seen: list[Status] = []
        for invocation in run.invocations:
            outcome = invocation.outcomes[endpoint_id]
            answered = {Status.DELIVERED, Status.UNKNOWN} & set(seen)
            if outcome.status is Status.FAILED:
                assert not answered, (
                    f"{endpoint_id}: answered {seen[-1].value} in invocation"
                    f" {invocation.number - 1}, then failed in invocation {invocation.number}"
                    f" ({outcome.reason})"
                )
            seen.append(outcome.status)

    # Nothing whose outcome was known is sent again; nothing after the deadline.
    assert sends_after_known(run) == 0
    assert past_deadline(run) == []

    if scenario.check is not None:
        scenario.check(run)
    row["result"] = f"ok ({RESIDUAL})" if scenario.max_acted > 1 else "ok"
