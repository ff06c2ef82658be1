"""Delivery at the deadline's edges: nothing lost to a slow ledger, a ledger that costs one
call per batch, TLS errors told apart by whether the request had left, and an answer
whatever the failure queue does. Against a real local provider (emulator/provider_server.py),
a local TLS server, and moto's DynamoDB; the ledger's waits are driven by the Deadline's
clock where a test decides on what happened rather than on how long it took."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from custom_channel.adapters import ProviderRequest
from custom_channel.aws import AwsClients
from custom_channel.channel import Channel, DeliveryIncomplete
from custom_channel.config import load_settings
from custom_channel.deadline import Deadline
from custom_channel.delivery import Sender, new_session
from custom_channel.idempotency import DynamoLedger
from custom_channel.operator.local import invoke
from custom_channel.ratelimit import TokenBucket
from custom_channel.results import Status
from emulator.provider_server import Reply
from emulator.segments import campaign_event
from tests import tls

pytestmark = pytest.mark.timeout(180)
TABLE = "channel-deliveries"


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


def endpoints(count: int) -> dict[str, Any]:
    return {
        f"ep-{i:02d}": {"ChannelType": "SMS", "Address": f"+1206555{i:04d}", "OptOut": "NONE"}
        for i in range(count)
    }


def settings_for(provider: Any, **extra: str) -> Any:
    return load_settings(
        {
            "CHANNEL_ADAPTER": "http",
            "CHANNEL_HTTP_URL": f"{provider.url}/send",
            "CHANNEL_HTTP_BODY_TEMPLATE": '{"to": "{{Address}}"}',
            "CHANNEL_METRICS_MODE": "off",
            **extra,
        }
    )


def states(table: Any) -> Counter[str]:
    return Counter(item["state"]["S"] for item in table.scan(TableName=TABLE)["Items"])


def sent_to(provider: Any) -> Counter[str]:
    return Counter(json.loads(request.body)["to"] for request in provider.requests)


class SlowTable:
    """moto's DynamoDB behind a fixed latency on every call, as a slow or distant table."""

    def __init__(self, real: Any, seconds: float, calls: Counter[str]) -> None:
        self._real = real
        self._seconds = seconds
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._real, name)
        if not callable(method) or name.startswith("_") or name == "meta":
            return method

        def call(**request: Any) -> Any:
            self._calls[name] += 1
            time.sleep(self._seconds)
            return method(**request)

        return call


class SlowClients(AwsClients):
    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self._seconds = seconds

    def client(self, service: str) -> Any:
        real = super().client(service)
        return SlowTable(real, self._seconds, self.calls) if service == "dynamodb" else real


def test_a_slow_ledger_loses_nothing_over_pinpoints_attempts(table, provider):
    """The reported fault, scaled down: a table that takes 0.2 s a call, 4 workers, a provider
    that takes 0.5 s, more endpoints than one invocation can send, and Pinpoint's 3 attempts
    (the retry policy). The landed code answered some endpoints `invalid request` or
    `unknown` without sending them, and no later attempt sent them."""
    provider.responder = lambda request: Reply(202, delay=0.5)
    settings = settings_for(
        provider,
        CHANNEL_IDEMPOTENCY_TABLE=TABLE,
        CHANNEL_FAILURE_POLICY="retry",
        CHANNEL_MAX_WORKERS="4",
        CHANNEL_DEADLINE_SECONDS="6",
        CHANNEL_SAFETY_MARGIN_MS="250",
    )
    event = campaign_event(endpoints(30), "x")
    channel = Channel(settings, clients=SlowClients(0.2))
    answers: list[dict[str, Any]] = []
    for _ in range(3):  # Pinpoint invokes a failed invocation again, 3 times at most
        try:
            answers.append(invoke(event, channel=channel, timeout_seconds=30).response)
            break
        except DeliveryIncomplete as incomplete:
            answers.append(incomplete.response)
    channel.close()
    reasons = [attrs["EventAttributes"].get("reason", "") for a in answers for attrs in a.values()]
    assert "invalid request" not in reasons
    assert all(
        attrs["EventAttributes"]["status"] != "unknown" for a in answers for attrs in a.values()
    )
    # Every endpoint reached the provider exactly once, and its record says so.
    assert sent_to(provider) == Counter({e["Address"]: 1 for e in endpoints(30).values()})
    assert states(table) == Counter({"delivered": 30})
    assert len(answers) >= 2  # the first invocation could not send them all


class ClockedLedger(DynamoLedger):
    """A ledger whose claims take as long as the test says, on the Deadline's clock."""

    def __init__(self, clock: list[float], after_claim: float) -> None:
        super().__init__(TABLE, 60, 3600)
        self._now = clock
        self._after_claim = after_claim

    def claim(self, *args: Any, **kwargs: Any) -> Any:
        answer = super().claim(*args, **kwargs)
        self._now[0] = self._after_claim
        return answer

    def claim_batch(self, *args: Any, **kwargs: Any) -> Any:
        answer = super().claim_batch(*args, **kwargs)
        self._now[0] = self._after_claim
        return answer


@pytest.mark.parametrize("together", [True, False], ids=["claimed-together", "claimed-alone"])
def test_a_claim_that_ends_past_the_send_by_time_sends_nothing_and_stays_claimable(
    table, provider, together
):
    """The time check right before the request leaves covers the claim: the claim ends a
    little more than one ledger call before the deadline, so no request may leave. The
    landed code sent it with a negative timeout (`invalid request`, final, the record left
    `sending`) or with one nobody could wait for."""
    provider.responder = lambda request: Reply(202)
    clock = [0.0]
    deadline = Deadline(10.0, clock=lambda: clock[0])
    adapter = settings_for(provider).provider
    requests = {
        f"ep-{i}": ProviderRequest("POST", f"{provider.url}/send", {}, b'{"to": "x"}')
        for i in range(2 if together else 1)
    }
    keys = {endpoint_id: f"key-{endpoint_id}" for endpoint_id in requests}
    with ThreadPoolExecutor(max_workers=2) as executor:
        sender = Sender(
            adapter,
            new_session(2),
            executor,
            3,
            ledger=ClockedLedger(clock, after_claim=10.0 - 1.05),
            # A rate limit makes each endpoint claim alone, when its turn comes.
            limiter=None if together else TokenBucket(1000),
            workers=2,
        )
        outcomes = sender.send_all(requests, deadline, keys)
    assert provider.requests == []
    for outcome in outcomes.values():
        assert (outcome.status, outcome.reason, outcome.retryable) == (
            Status.FAILED,
            "not sent: deadline reached",
            True,
        )
    # Settled `failed`: claimable again, so nothing is lost.
    assert states(table) == Counter({"failed": len(requests)})
    again = DynamoLedger(TABLE, 60, 3600)
    assert all(again.claim(key, "next", None) is None for key in keys.values())


def test_a_batch_costs_two_ledger_calls(table, provider):
    """One transaction claims the batch's endpoints before the first request leaves, one
    settles them after the last answer: 2 calls for 50 endpoints (the landed code: 100)."""
    provider.responder = lambda request: Reply(202)
    clients = SlowClients(0.0)
    channel = Channel(settings_for(provider, CHANNEL_IDEMPOTENCY_TABLE=TABLE), clients=clients)
    answer = invoke(campaign_event(endpoints(50), "x"), channel=channel).response
    channel.close()
    assert {a["EventAttributes"]["status"] for a in answer.values()} == {"delivered"}
    assert clients.calls == Counter({"transact_write_items": 2})
    assert states(table) == Counter({"delivered": 50})


def test_a_batch_claim_answers_other_holders_records_and_claims_the_rest(table, provider):
    """A condition that fails for some endpoints cancels the transaction: those are answered
    from their records, never sent, and the rest are claimed again and sent."""
    provider.responder = lambda request: Reply(202)
    settings = settings_for(provider, CHANNEL_IDEMPOTENCY_TABLE=TABLE)
    event = campaign_event(endpoints(4), "x")
    first = Channel(settings)
    invoke(campaign_event({"ep-01": endpoints(4)["ep-01"]}, "x"), channel=first)
    first.close()
    provider.requests.clear()
    channel = Channel(settings)
    answer = invoke(event, channel=channel).response
    channel.close()
    assert answer["ep-01"]["EventAttributes"] == {
        "status": "delivered",
        "reason": "already delivered",
    }
    assert sorted(sent_to(provider)) == ["+12065550000", "+12065550002", "+12065550003"]
    assert states(table) == Counter({"delivered": 4})


def test_a_failure_queue_that_raises_never_costs_the_answer(provider, capsys):
    """Queueing runs after delivery: the landed code let its error escape, so the invocation
    failed and Pinpoint invoked the batch again."""
    provider.responder = lambda request: Reply(400)
    with mock_aws():
        url = boto3.client("sqs", region_name="us-east-1").create_queue(QueueName="f")["QueueUrl"]
        channel = Channel(settings_for(provider, CHANNEL_FAILURE_QUEUE_URL=url))

        class Broken:
            def put(self, *args: Any, **kwargs: Any) -> None:
                raise RuntimeError("a bug in the queue writer")

        channel._failure_queue = Broken()  # type: ignore[assignment]
        answer = invoke(campaign_event(endpoints(2), "x"), channel=channel).response
        channel.close()
    assert {a["EventAttributes"]["status"] for a in answer.values()} == {"failed"}
    assert "failed deliveries not queued" in capsys.readouterr().out


# TLS: a provider on 127.0.0.1 with a certificate made for the test.


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return tls.self_signed(tmp_path_factory.mktemp("tls"))


class BrokenTlsProvider:
    """Shakes hands, reads one request (and acts on it), then answers with a TLS record that
    cannot be decrypted: the client's read fails with an SSL error after the request left."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.acted = 0
        self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self._context.load_cert_chain(cert, key)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            connection.settimeout(5)
            try:
                tls = self._context.wrap_socket(connection, server_side=True)
                request = b""
                while b"\r\n\r\n" not in request:
                    request += tls.recv(4096)
                self.acted += 1
                # An application-data record of garbage, written under the TLS layer (on a
                # duplicate of its socket): the client cannot decrypt it.
                raw = socket.fromfd(tls.fileno(), socket.AF_INET, socket.SOCK_STREAM)
                raw.sendall(b"\x17\x03\x03\x00\x20" + b"\x00" * 32)
                raw.close()
                time.sleep(0.2)
                tls.close()
            except (OSError, ssl.SSLError):
                pass
            finally:
                connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._listener.close()


def tls_channel(port: int, cert: Path | None) -> Channel:
    session = new_session(4)
    session.verify = str(cert) if cert is not None else True
    settings = load_settings(
        {
            "CHANNEL_ADAPTER": "http",
            "CHANNEL_HTTP_URL": f"https://localhost:{port}/send",
            "CHANNEL_HTTP_BODY_TEMPLATE": '{"to": "{{Address}}"}',
            "CHANNEL_METRICS_MODE": "off",
        }
    )
    return Channel(settings, session=session)


def test_a_tls_error_after_the_request_left_is_unknown(certificate):
    """urllib3 raises SSLError while reading a response too; the landed code read every
    SSLError as a failed handshake (`failed`, final), which `resend` sends again."""
    cert, key = certificate
    server = BrokenTlsProvider(cert, key)
    try:
        channel = tls_channel(server.port, cert)
        answer = invoke(campaign_event(endpoints(1), "x"), channel=channel).response
        channel.close()
    finally:
        server.close()
    assert server.acted == 1
    assert answer["ep-00"]["EventAttributes"] == {
        "status": "unknown",
        "reason": "tls error after sending",
        "attempts": "1",
    }


def test_a_failed_handshake_sent_nothing(certificate):
    cert, key = certificate
    server = BrokenTlsProvider(cert, key)
    try:
        channel = tls_channel(server.port, None)  # the test's certificate is not trusted
        answer = invoke(campaign_event(endpoints(1), "x"), channel=channel).response
        channel.close()
    finally:
        server.close()
    assert server.acted == 0
    attributes = answer["ep-00"]["EventAttributes"]
    assert (attributes["status"], attributes["reason"]) == ("failed", "tls handshake failed")
