"""Fault matrix: one 50-endpoint batch per fault, end to end, against a real local provider.

Each row runs the real handler path (custom_channel.local.invoke on a Channel with the `http`
adapter and its idempotency header) against scripts/provider_server.py on 127.0.0.1, which
injects the fault: 5xx bursts, 429 with and without Retry-After, connection refused (nothing
listening, or the provider down for a while), connection resets before and after the request
is read, answers held past the deadline, responses trickling past it, a permanent 400. The
delivery ledger is a DynamoDB table in moto. A Pinpoint-like driver invokes the batch and,
with CHANNEL_FAILURE_POLICY=retry, invokes the same event again when the handler raises
DeliveryIncomplete, at most 3 invocations in all.

For every row:
- every endpoint of the event is answered delivered, failed (with a reason) or unknown, in
  every invocation; none is missing;
- an endpoint the provider gave a definitive answer (a success, or a final 4xx) is never sent
  again, in a later attempt or a later invocation;
- no request reaches the provider after its invocation's deadline, no exchange with the
  provider outlasts it (the server records when each one ended), and every invocation returns
  within its deadline, plus a scheduling slack.

The matrix is printed after the run (tests/conftest.py, pytest_terminal_summary).
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from moto import mock_aws
from scripts.provider_server import ANSWERED, Exchange, ProviderServer, Received, Reply

from custom_channel.channel import PINPOINT_WAIT_SECONDS, Channel, DeliveryIncomplete, Response
from custom_channel.config import load_settings
from custom_channel.delivery import Deadline, new_session
from custom_channel.events import Event
from custom_channel.local import invoke
from custom_channel.results import Outcome, Status, journey_response

GUIDE_EVENT = Path(__file__).parent / "fixtures" / "guide_event.json"
BATCH = 50  # endpoints per invocation, Pinpoint's maximum
MAX_INVOCATIONS = 3  # Pinpoint tries one delivery at most 3 times
FUNCTION_TIMEOUT = 15.0  # the LocalContext's timeout, the module's default function timeout
KEY_HEADER = "Idempotency-Key"
INVOCATION_HEADER = "X-Fault-Matrix-Invocation"
BODY = '{"endpoint":"{{EndpointId}}","text":"{{Data}}"}'
# The deadline of the rows whose held endpoints run past it: short to keep the matrix quick,
# long enough that the other endpoints of the batch finish on a loaded CI machine (at 3 s,
# a busy 2-CPU run once left some of them unknown).
SHORT_DEADLINE = 6
# Scheduling slack on top of a deadline, for a loaded 2-CPU machine: a bound, not a benchmark.
SLACK_SECONDS = 1.0
ANSWERS = {Status.DELIVERED, Status.FAILED, Status.UNKNOWN}

# The invocation a request belongs to. Delivery workers run in a copy of the invoking
# context, so a request a worker sends late still names the invocation that started it.
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
    raises DeliveryIncomplete does not return."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outcomes: list[dict[str, Outcome]] = []

    def process(self, event: Event, deadline: Deadline) -> dict[str, Outcome]:
        outcomes = super().process(event, deadline)
        self.outcomes.append(outcomes)
        return outcomes


@dataclass
class Invocation:
    number: int
    started: float
    deadline: float  # computed as the handler does: the deadline setting less the margin
    returned: float
    outcomes: dict[str, Outcome]
    response: Response | None  # None when it raised DeliveryIncomplete

    @property
    def budget(self) -> float:
        return self.deadline - self.started

    @property
    def duration(self) -> float:
        return self.returned - self.started


# --- faults -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One request as the provider sees it."""

    index: int  # the endpoint's position in the batch
    nth: int  # how many requests for this endpoint came before this one
    overall: int  # how many requests came before this one
    invocation: int


Script = Callable[[Call], Reply]
OK = Reply(202, b'{"queued":true}')


def status(code: int, **headers: str) -> Reply:
    return Reply(code, b'{"error":"fault"}', {"Content-Type": "application/json", **headers})


@dataclass(frozen=True)
class Scenario:
    fault: str
    script: Script
    policy: str = "retry"
    deadline_seconds: int = 15
    safety_margin_ms: int = 750
    nothing_listens: bool = False  # the channel's URL is a port nothing listens on
    setup: Callable[[ProviderServer], None] | None = None
    before_invocation: Callable[[int, ProviderServer], None] | None = None
    check: Callable[[Run], None] | None = None  # the row's own expectations

    @property
    def budget(self) -> float:
        return min(self.deadline_seconds, PINPOINT_WAIT_SECONDS, FUNCTION_TIMEOUT) - (
            self.safety_margin_ms / 1000.0
        )


@dataclass
class Run:
    scenario: Scenario
    endpoint_ids: list[str]
    invocations: list[Invocation]
    exchanges: list[Exchange]
    accept_resets: int
    ended_at: float
    by_endpoint: dict[str, list[Exchange]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for endpoint_id in self.endpoint_ids:
            self.by_endpoint[endpoint_id] = []
        for exchange in sorted(self.exchanges, key=lambda item: item.request.arrived_at):
            self.by_endpoint.setdefault(endpoint_of(exchange.request), []).append(exchange)

    @property
    def final(self) -> dict[str, Outcome]:
        return self.invocations[-1].outcomes

    def ids(self, select: Callable[[int], bool]) -> list[str]:
        return [key for index, key in enumerate(self.endpoint_ids) if select(index)]

    def sends(self, endpoint_id: str) -> int:
        return len(self.by_endpoint[endpoint_id])


def every(step: int, offset: int = 0) -> Callable[[int], bool]:
    return lambda index: index % step == offset


def rest(*selectors: Callable[[int], bool]) -> Callable[[int], bool]:
    return lambda index: not any(select(index) for select in selectors)


HELD, FLAKY = every(5), every(5, 1)  # most rows: 10 endpoints faulty, 10 retryable in call 1


def recovering_from(code: int, attempts: int) -> Script:
    """The first `attempts` requests of every endpoint answer `code`, then it recovers."""
    return lambda call: status(code) if call.nth < attempts else OK


def first_requests(code: int, count: int) -> Script:
    """The first `count` requests, whichever endpoints they are for, answer `code`."""
    return lambda call: status(code) if call.overall < count else OK


def per_endpoint(faulty: Callable[[int], bool], fault: Script) -> Script:
    """`fault` for the selected endpoints; FLAKY ones answer 503 throughout invocation 1,
    so that Pinpoint's retry runs; the rest are delivered at once."""

    def script(call: Call) -> Reply:
        if faulty(call.index):
            return fault(call)
        if FLAKY(call.index) and call.invocation == 1:
            return status(503)
        return OK

    return script


# --- row expectations, on top of the invariants every row checks ------------------------------


def expect(run: Run, select: Callable[[int], bool], answer: Status, reason: str = "") -> None:
    for endpoint_id in run.ids(select):
        outcome = run.final[endpoint_id]
        assert outcome.status is answer, (endpoint_id, outcome)
        assert reason in outcome.reason, (endpoint_id, outcome)


def expect_sends(run: Run, select: Callable[[int], bool], count: int) -> None:
    for endpoint_id in run.ids(select):
        assert run.sends(endpoint_id) == count, endpoint_id


def check_all_delivered(sends: int) -> Callable[[Run], None]:
    def check(run: Run) -> None:
        assert len(run.invocations) == 1
        expect(run, every(1), Status.DELIVERED)
        expect_sends(run, every(1), sends)

    return check


def check_first_requests(run: Run) -> None:
    # Invocation 1 used every attempt on the burst; Pinpoint's retry delivered everything.
    assert len(run.invocations) == 2
    assert all(o.retryable for o in run.invocations[0].outcomes.values())
    expect(run, every(1), Status.DELIVERED)
    expect_sends(run, every(1), 4)


def check_report_policy(run: Run) -> None:
    assert len(run.invocations) == 1  # the report policy never asks for a retry
    expect(run, HELD, Status.FAILED, "http 503; after 3 attempts")
    expect_sends(run, HELD, 3)
    expect(run, rest(HELD), Status.DELIVERED)
    expect_sends(run, rest(HELD), 2)


def check_retry_after_honoured(run: Run) -> None:
    check_all_delivered(2)(run)
    for exchanges in run.by_endpoint.values():
        first, second = exchanges
        # The retry waited the second asked for after the 429, which came after the request.
        assert second.request.arrived_at - first.request.arrived_at >= 0.99


def check_retry_after_past_deadline(run: Run) -> None:
    # Asked to wait 30 s with under 5 s left: failed at once, retryable, delivered on the retry.
    assert len(run.invocations) == 2
    for outcome in run.invocations[0].outcomes.values():
        assert outcome.reason == "http 429; no time left to retry"
        assert outcome.retryable
    expect(run, every(1), Status.DELIVERED)
    expect_sends(run, every(1), 2)


def check_nothing_listens(run: Run) -> None:
    assert len(run.invocations) == MAX_INVOCATIONS
    assert run.invocations[-1].response is None  # the last one raised too: Pinpoint gives up
    expect(run, every(1), Status.FAILED, "connection refused; after 3 attempts")
    assert run.exchanges == []


def check_down_then_back(run: Run) -> None:
    assert len(run.invocations) == 2
    for outcome in run.invocations[0].outcomes.values():
        assert outcome.status is Status.FAILED
        assert "connection refused" in outcome.reason
    expect(run, every(1), Status.DELIVERED)
    expect_sends(run, every(1), 1)


def check_reset_on_accept(run: Run) -> None:
    assert run.accept_resets == 10
    # Each reset cost one attempt the provider never saw; the idempotency key made the
    # resend safe. (Three resets of one endpoint's three attempts would leave it unknown.)
    for outcome in run.final.values():
        assert outcome.status is Status.DELIVERED or "connection lost" in outcome.reason
    assert sum(o.status is Status.DELIVERED for o in run.final.values()) >= BATCH - 3


def check_reset_after_read(run: Run) -> None:
    assert len(run.invocations) == 2
    expect(run, HELD, Status.UNKNOWN)
    for endpoint_id in run.ids(HELD):
        assert run.invocations[0].outcomes[endpoint_id].reason == (
            "connection lost after sending; after 3 attempts"
        )
        assert run.final[endpoint_id].reason == "already in progress; not sent again"
    expect_sends(run, HELD, 3)  # all in invocation 1: the retry did not send them again
    expect(run, rest(HELD), Status.DELIVERED)
    expect_sends(run, rest(HELD, FLAKY), 2)


def check_held_past_deadline(run: Run) -> None:
    assert len(run.invocations) == 2
    expect(run, HELD, Status.UNKNOWN)
    expect_sends(run, HELD, 1)
    expect(run, rest(HELD), Status.DELIVERED)


def check_trickle(run: Run) -> None:
    assert len(run.invocations) == 2
    # The 202 status line of a trickling body arrived in time: delivered, or unknown when the
    # deadline sweep answered first. A trickling head never arrives: unknown. Sent once.
    for endpoint_id in run.ids(HELD):
        assert run.final[endpoint_id].status in (Status.DELIVERED, Status.UNKNOWN)
    expect_sends(run, HELD, 1)
    expect(run, rest(HELD), Status.DELIVERED)


def check_trickling_head(run: Run) -> None:
    check_trickle(run)
    expect(run, HELD, Status.UNKNOWN)


def check_permanent_400(run: Run) -> None:
    assert len(run.invocations) == 2  # the FLAKY endpoints asked for a retry...
    expect(run, HELD, Status.FAILED, "http 400")
    for endpoint_id in run.ids(HELD):
        assert run.final[endpoint_id].http_status == 400
    expect_sends(run, HELD, 1)  # ...which must not send a final failure again
    expect(run, rest(HELD), Status.DELIVERED)


SCENARIOS = [
    Scenario("500 burst, first 150 requests", first_requests(500, 150), check=check_first_requests),
    Scenario("502 burst, 1st attempt each", recovering_from(502, 1), check=check_all_delivered(2)),
    Scenario("503 burst, 2 attempts each", recovering_from(503, 2), check=check_all_delivered(3)),
    Scenario(
        "503 burst, policy report",
        lambda call: status(503) if HELD(call.index) or call.nth == 0 else OK,
        policy="report",
        check=check_report_policy,
    ),
    Scenario(
        "429 Retry-After: 1",
        lambda call: status(429, **{"Retry-After": "1"}) if call.nth == 0 else OK,
        check=check_retry_after_honoured,
    ),
    Scenario(
        "429 Retry-After: 30 > deadline",
        lambda call: status(429, **{"Retry-After": "30"}) if call.invocation == 1 else OK,
        deadline_seconds=5,
        safety_margin_ms=250,
        check=check_retry_after_past_deadline,
    ),
    Scenario("429, no Retry-After", recovering_from(429, 2), check=check_all_delivered(3)),
    Scenario(
        "refused: nothing listens",
        lambda call: OK,
        nothing_listens=True,
        check=check_nothing_listens,
    ),
    Scenario(
        "refused: provider down, back",
        lambda call: OK,
        before_invocation=lambda number, server: server.pause() if number == 1 else server.resume(),
        check=check_down_then_back,
    ),
    Scenario(
        "reset before read (10 RST on accept)",
        lambda call: OK,
        setup=lambda server: server.reset_on_accept(10),
        check=check_reset_on_accept,
    ),
    Scenario(
        "reset after read",
        per_endpoint(
            rest(FLAKY), lambda call: Reply(reset=True) if HELD(call.index) or call.nth == 0 else OK
        ),
        check=check_reset_after_read,
    ),
    Scenario(
        "read timeout (held 30 s)",
        per_endpoint(HELD, lambda call: Reply(delay=30.0)),
        deadline_seconds=SHORT_DEADLINE,
        safety_margin_ms=250,
        check=check_held_past_deadline,
    ),
    Scenario(
        "body trickles past deadline",
        per_endpoint(
            HELD, lambda call: Reply(202, b'{"queued":true}' + b" " * 40, trickle_seconds=10)
        ),
        deadline_seconds=SHORT_DEADLINE,
        safety_margin_ms=250,
        check=check_trickle,
    ),
    Scenario(
        "head trickles past deadline",
        per_endpoint(
            HELD, lambda call: Reply(202, b'{"queued":true}', trickle_seconds=10, trickle_head=True)
        ),
        deadline_seconds=SHORT_DEADLINE,
        safety_margin_ms=250,
        check=check_trickling_head,
    ),
    Scenario(
        "400 permanent (+503 retry)",
        per_endpoint(HELD, lambda call: status(400)),
        check=check_permanent_400,
    ),
]


# --- the batch, the provider, the driver --------------------------------------------------------


def guide_batch() -> dict[str, Any]:
    """The guide's sample event with 50 endpoints shaped like its one."""
    event = json.loads(GUIDE_EVENT.read_text(encoding="utf-8"))
    ((sample_id, sample),) = event["Endpoints"].items()
    endpoints = {}
    for index in range(BATCH):
        endpoint = copy.deepcopy(sample)
        endpoint["Address"] = f"user{index:02d}@example.com"
        endpoints[f"{index:02d}{sample_id[2:]}"] = endpoint
    return {**event, "Endpoints": endpoints}


def endpoint_of(request: Received) -> str:
    payload = json.loads(request.body)
    return str(payload["endpoint"])


def invocation_of(request: Received) -> int:
    return int(request.headers.get(INVOCATION_HEADER, "0"))


def scripted(script: Script, index_of: dict[str, int]) -> Callable[[Received], Reply]:
    lock = threading.Lock()
    seen: Counter[str] = Counter()
    overall = [0]

    def responder(request: Received) -> Reply:
        endpoint_id = endpoint_of(request)
        with lock:
            call = Call(
                index_of[endpoint_id], seen[endpoint_id], overall[0], invocation_of(request)
            )
            seen[endpoint_id] += 1
            overall[0] += 1
        return script(call)

    return responder


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def drive(
    channel: RecordingChannel, event: Any, scenario: Scenario, server: ProviderServer
) -> list[Invocation]:
    """Pinpoint: invoke; while the invocation fails, invoke the same event again (3 in all)."""
    invocations: list[Invocation] = []
    for number in range(1, MAX_INVOCATIONS + 1):
        if scenario.before_invocation is not None:
            scenario.before_invocation(number, server)
        token = _invocation.set(number)
        started = time.monotonic()
        response: Response | None = None
        try:
            response = invoke(event, channel=channel, timeout_seconds=FUNCTION_TIMEOUT).response
        except DeliveryIncomplete:
            pass
        finally:
            returned = time.monotonic()
            _invocation.reset(token)
        assert len(channel.outcomes) == number
        invocations.append(
            Invocation(
                number,
                started,
                started + scenario.budget,
                returned,
                channel.outcomes[-1],
                response,
            )
        )
        if response is not None:
            break
    return invocations


@pytest.fixture(scope="module")
def dynamodb() -> Iterator[Any]:
    """moto's DynamoDB, in process, for the whole matrix (starting it per row costs seconds)."""
    # Module scope runs before conftest's per-test environment: set what it sets, so that no
    # endpoint URL or profile left by an earlier test leads the client away from moto.
    with pytest.MonkeyPatch.context() as env, mock_aws():
        env.delenv("AWS_ENDPOINT_URL", raising=False)
        env.delenv("AWS_PROFILE", raising=False)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.setenv(name, "testing")
        yield boto3.client("dynamodb", region_name="us-east-1")


@pytest.fixture
def ledger_table(dynamodb: Any) -> str:
    """A fresh delivery-records table for one row."""
    name = f"fault-matrix-{next(_tables)}"
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


_tables = itertools.count(1)


def run_scenario(scenario: Scenario, table: str) -> Run:
    event = guide_batch()
    index_of = {endpoint_id: index for index, endpoint_id in enumerate(event["Endpoints"])}
    with ProviderServer(scripted(scenario.script, index_of)) as server:
        url = f"http://127.0.0.1:{closed_port()}" if scenario.nothing_listens else server.url
        settings = load_settings(
            {
                "CHANNEL_ADAPTER": "http",
                "CHANNEL_METRICS_MODE": "off",
                "CHANNEL_HTTP_URL": f"{url}/send",
                "CHANNEL_HTTP_BODY_TEMPLATE": BODY,
                "CHANNEL_HTTP_IDEMPOTENCY_HEADER": KEY_HEADER,
                "CHANNEL_IDEMPOTENCY_TABLE": table,
                "CHANNEL_FAILURE_POLICY": scenario.policy,
                "CHANNEL_DEADLINE_SECONDS": str(scenario.deadline_seconds),
                "CHANNEL_SAFETY_MARGIN_MS": str(scenario.safety_margin_ms),
            }
        )
        channel = RecordingChannel(settings, session=TaggedSession(settings.max_workers))
        try:
            if scenario.setup is not None:
                scenario.setup(server)
            invocations = drive(channel, event, scenario, server)
            # Whatever the provider still holds must end by the last deadline; give it the slack.
            server.wait_idle(max(invocations[-1].deadline + SLACK_SECONDS - time.monotonic(), 0))
            ended_at = time.monotonic()
            return Run(
                scenario,
                list(event["Endpoints"]),
                invocations,
                list(server.exchanges),
                len(server.accept_resets),
                ended_at,
            )
        finally:
            channel.close()


# --- the invariants -------------------------------------------------------------------------------


def definitive(exchange: Exchange) -> bool:
    """The provider answered in full with a status that settles the delivery: a success or a
    final failure, not 429 or 5xx (which say it did not act)."""
    code = exchange.status
    return exchange.ended == ANSWERED and code is not None and code < 500 and code != 429


def sends_after_known(run: Run) -> int:
    """Requests for an endpoint that reached the provider after a definitive answer to it."""
    count = 0
    for exchanges in run.by_endpoint.values():
        known = [index for index, exchange in enumerate(exchanges) if definitive(exchange)]
        if known:
            count += len(exchanges) - known[0] - 1
    return count


def known_to_handler(run: Run) -> list[str]:
    """Endpoints the handler reported delivered or failed on a definitive provider answer."""
    known = []
    for endpoint_id in run.endpoint_ids:
        codes = {e.status for e in run.by_endpoint[endpoint_id] if definitive(e)}
        for invocation in run.invocations:
            outcome = invocation.outcomes[endpoint_id]
            if outcome.status in (Status.DELIVERED, Status.FAILED) and outcome.http_status in codes:
                known.append(endpoint_id)
                break
    return known


def past_deadline(run: Run) -> list[str]:
    """Exchanges that began, or were still going on, after their invocation's deadline."""
    late = []
    deadlines = {invocation.number: invocation.deadline for invocation in run.invocations}
    for exchange in run.exchanges:
        number = invocation_of(exchange.request)
        deadline = deadlines.get(number)
        what = f"{endpoint_of(exchange.request)} (invocation {number})"
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
    known = known_to_handler(run)
    slowest = max(run.invocations, key=lambda invocation: invocation.duration - invocation.budget)
    return {
        "fault": run.scenario.fault,
        "policy": run.scenario.policy,
        "invocations": str(len(run.invocations)),
        "endpoints": str(len(run.endpoint_ids)),
        "delivered": str(counts[Status.DELIVERED]),
        "failed": str(counts[Status.FAILED]),
        "unknown": str(counts[Status.UNKNOWN]),
        "requests": str(len(run.exchanges)),
        "max sends (known)": str(max((run.sends(key) for key in known), default=0)),
        "sends after known": str(sends_after_known(run)),
        "slowest / deadline": f"{slowest.duration:.2f}s / {slowest.budget:.2f}s",
        "past deadline": str(len(past_deadline(run))),
        "result": "FAIL",
    }


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.fault for scenario in SCENARIOS])
def test_fault_matrix(scenario: Scenario, ledger_table: str, fault_matrix: list[dict[str, str]]):
    run = run_scenario(scenario, ledger_table)
    row = table_row(run)
    fault_matrix.append(row)

    # Pinpoint's driver: at most 3 invocations; only a failed invocation is repeated.
    assert 1 <= len(run.invocations) <= MAX_INVOCATIONS
    for invocation in run.invocations[:-1]:
        assert invocation.response is None
    if scenario.policy == "report":
        assert len(run.invocations) == 1

    # Every endpoint answered, in every invocation: delivered, failed with its reason, unknown.
    for invocation in run.invocations:
        assert list(invocation.outcomes) == run.endpoint_ids
        for endpoint_id, outcome in invocation.outcomes.items():
            assert outcome.status in ANSWERS, (invocation.number, endpoint_id, outcome)
            if outcome.status is Status.FAILED:
                assert outcome.reason, (invocation.number, endpoint_id)
        if invocation.response is not None:
            assert invocation.response == journey_response(invocation.outcomes)

    # One idempotency key per endpoint, the same on every attempt and invocation.
    keys = {
        endpoint_id: {exchange.request.headers.get(KEY_HEADER) for exchange in exchanges}
        for endpoint_id, exchanges in run.by_endpoint.items()
        if exchanges
    }
    assert all(len(values) == 1 and None not in values for values in keys.values())
    assert len({next(iter(values)) for values in keys.values()}) == len(keys)
    assert set(run.by_endpoint) == set(run.endpoint_ids)

    # Nothing whose outcome was known is sent again.
    assert sends_after_known(run) == 0

    # No request after the deadline, no exchange outlasting it, every answer in time.
    assert past_deadline(run) == []
    for invocation in run.invocations:
        assert invocation.duration <= invocation.budget + SLACK_SECONDS, invocation.number

    if scenario.check is not None:
        scenario.check(run)
    row["result"] = "ok"
