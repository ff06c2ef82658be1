"""The delivery guarantees, one defect at a time, against a real local provider, moto, and
broken AWS endpoints on 127.0.0.1 (emulator/broken_aws.py).

- A 5xx other than 503 may follow a provider that acted: unknown, sent once.
- Every AWS call is bounded by the invocation's deadline, whatever the endpoint does.
- Settling the ledger never changes an outcome.
- One AWS client per service and container, whatever the number of workers.
- What surely was not sent is worth a retry.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import boto3
import pytest
from moto import mock_aws

from custom_channel.channel import Channel, DeliveryIncomplete
from custom_channel.config import load_settings
from custom_channel.operator.local import invoke
from emulator.broken_aws import SilentServer
from emulator.provider_server import Reply
from emulator.segments import campaign_event

# On 0.1.x these tests waited for botocore's 60 s timeouts (with retries): fail instead.
pytestmark = pytest.mark.timeout(120)

TABLE = "channel-deliveries"
DEADLINE_SECONDS = 5
SLACK_SECONDS = 1.0  # scheduling slack for a loaded 2-CPU machine: a bound, not a benchmark


def endpoints(count: int) -> dict[str, Any]:
    return {
        f"ep-{i}": {"ChannelType": "SMS", "Address": f"+1206555{i:04d}", "OptOut": "NONE"}
        for i in range(count)
    }


def settings_for(provider, **extra: str):
    return load_settings(
        {
            "CHANNEL_ADAPTER": "http",
            "CHANNEL_HTTP_URL": f"{provider.url}/send",
            "CHANNEL_HTTP_BODY_TEMPLATE": '{"to": "{{Address}}"}',
            "CHANNEL_METRICS_MODE": "off",
            "CHANNEL_DEADLINE_SECONDS": str(DEADLINE_SECONDS),
            "CHANNEL_SAFETY_MARGIN_MS": "250",
            **extra,
        }
    )


def statuses(response) -> dict[str, str]:
    return {ep: answer["EventAttributes"]["status"] for ep, answer in response.items()}


def timed_invoke(channel: Channel, event: dict[str, Any], limit: float) -> tuple[Any, float]:
    """Invoke in a thread, waiting at most `limit` seconds: an invocation that hangs fails the
    test instead of holding it for botocore's 60 s timeouts."""
    result: dict[str, Any] = {}

    def run() -> None:
        started = time.monotonic()
        try:
            result["response"] = invoke(event, channel=channel).response
        except BaseException as error:  # reported below
            result["error"] = error
        result["duration"] = time.monotonic() - started

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit)
    assert not worker.is_alive(), f"the invocation did not answer within {limit:.0f} s"
    if "error" in result:
        raise result["error"]
    return result["response"], result["duration"]


@pytest.fixture
def silent(monkeypatch):
    with SilentServer() as server:
        yield server


# --- the resend rule ------------------------------------------------------------------------


@pytest.mark.parametrize("code", [500, 502, 504])
def test_a_5xx_after_the_provider_acted_is_unknown_and_sent_once(provider, code):
    """The landed code took every 5xx for "not acted" and sent the message 3 times."""
    provider.responder = lambda r: Reply(code)
    channel = Channel(settings_for(provider, CHANNEL_MAX_ATTEMPTS="3"))
    result = invoke(campaign_event(endpoints(2), "x"), channel=channel)
    assert statuses(result.response) == {"ep-0": "unknown", "ep-1": "unknown"}
    assert result.response["ep-0"]["EventAttributes"]["reason"] == f"http {code}"
    assert len(provider.requests) == 2


@pytest.mark.parametrize("code", [429, 503])
def test_429_and_503_say_the_provider_did_not_act_and_are_retried(provider, code):
    answers = iter([Reply(code), Reply(202)])
    provider.responder = lambda r: next(answers)
    channel = Channel(settings_for(provider, CHANNEL_MAX_ATTEMPTS="3"))
    result = invoke(campaign_event(endpoints(1), "x"), channel=channel)
    assert statuses(result.response) == {"ep-0": "delivered"}
    assert len(provider.requests) == 2


def test_a_500_is_retried_when_the_provider_deduplicates_on_our_key(provider):
    answers = iter([Reply(500), Reply(202)])
    provider.responder = lambda r: next(answers)
    channel = Channel(settings_for(provider, CHANNEL_HTTP_IDEMPOTENCY_HEADER="Idempotency-Key"))
    result = invoke(campaign_event(endpoints(1), "x"), channel=channel)
    assert statuses(result.response) == {"ep-0": "delivered"}
    keys = {request.headers["Idempotency-Key"] for request in provider.requests}
    assert len(provider.requests) == 2
    assert len(keys) == 1


# --- every AWS call bounded -------------------------------------------------------------------


def test_a_hanging_cloudwatch_never_delays_the_answer(provider, silent, monkeypatch):
    """With metrics `api` and CloudWatch hanging, the landed code waited botocore's 60 s
    (with retries) after delivering; Pinpoint then sent the whole batch again."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH", silent.url)
    provider.responder = lambda r: Reply(202)
    channel = Channel(settings_for(provider, CHANNEL_METRICS_MODE="api"))
    try:
        response, duration = timed_invoke(
            channel, campaign_event(endpoints(3), "x"), DEADLINE_SECONDS + 10
        )
    finally:
        channel.close()
    assert duration <= DEADLINE_SECONDS + SLACK_SECONDS
    assert set(statuses(response).values()) == {"delivered"}
    assert len(provider.requests) == 3
    assert silent.operations()["PutMetricData"] <= 1  # sent at most once


def test_a_hanging_secrets_manager_answers_in_time_with_nothing_sent(provider, silent, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", silent.url)
    channel = Channel(
        settings_for(
            provider, CHANNEL_SECRET_ID="arn:aws:secretsmanager:us-east-1:123456789012:secret:p"
        )
    )
    try:
        response, duration = timed_invoke(
            channel, campaign_event(endpoints(2), "x"), DEADLINE_SECONDS + 10
        )
    finally:
        channel.close()
    assert duration <= DEADLINE_SECONDS + SLACK_SECONDS
    assert set(statuses(response).values()) == {"failed"}
    assert provider.requests == []


def test_a_call_that_cannot_end_in_time_is_skipped_with_one_line(provider, silent, capsys):
    """With less time left than the call's worst case, the call is not made."""
    channel = Channel(settings_for(provider, CHANNEL_METRICS_MODE="api"))
    metrics = channel._metrics
    from custom_channel.deadline import Deadline
    from custom_channel.events import parse_event

    metrics.publish(parse_event(campaign_event(endpoints(1), "x")), {}, Deadline.after(0.2))
    channel.close()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    skipped = [
        line for line in lines if line["message"] == "aws call skipped: not enough time left"
    ]
    assert [(line["service"], line["operation"]) for line in skipped] == [
        ("cloudwatch", "PutMetricData")
    ]


# --- the ledger -------------------------------------------------------------------------------


@pytest.fixture
def table():
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield boto3.client("dynamodb")


class UpdatesFail:
    """moto's DynamoDB, except that every update (the settle after delivery: a transaction
    of updates, or an UpdateItem) fails as an overloaded table does."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def update_item(self, **request: Any) -> Any:
        from botocore.exceptions import ClientError

        raise ClientError(
            {"Error": {"Code": "InternalServerError", "Message": "injected"}}, "UpdateItem"
        )

    def transact_write_items(self, **request: Any) -> Any:
        if any("Update" in item for item in request["TransactItems"]):
            from botocore.exceptions import ClientError

            raise ClientError(
                {"Error": {"Code": "InternalServerError", "Message": "injected"}},
                "TransactWriteItems",
            )
        return self._real.transact_write_items(**request)


class Clients:
    """The container's clients (aws.py), each wrapped."""

    def __init__(self, wrap: Any) -> None:
        from custom_channel.aws import AwsClients

        self._real = AwsClients()
        self._wrap = wrap

    def client(self, service: str) -> Any:
        return self._wrap(self._real.client(service))


def test_a_ledger_error_after_delivery_keeps_it_delivered(table, provider, capsys):
    """The landed code answered such an endpoint `failed` (and queued it for a resend)."""
    provider.responder = lambda r: Reply(202)
    settings = settings_for(provider, CHANNEL_IDEMPOTENCY_TABLE=TABLE)
    clients = Clients(UpdatesFail)
    channel = Channel(settings, clients=clients)
    event = campaign_event(endpoints(2), "x")
    result = invoke(event, channel=channel)
    assert statuses(result.response) == {"ep-0": "delivered", "ep-1": "delivered"}
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    errors = [line for line in lines if line["message"] == "delivery records not written"]
    assert [(line["records"], line["error"]) for line in errors] == [(2, "InternalServerError")]
    # The record still says `sending`: a repeated invocation does not send it again.
    again = invoke(event, channel=Channel(settings))
    assert set(statuses(again.response).values()) == {"unknown"}
    assert len(provider.requests) == 2


def test_a_cold_ledger_builds_one_client_for_all_workers(table, provider):
    """The landed ledger created its client lazily and unlocked from up to 50 threads."""
    made: list[str] = []

    class CountingSession:
        def __init__(self) -> None:
            self._session = boto3.session.Session()

        def client(self, service: str, **kwargs: Any) -> Any:
            made.append(service)
            time.sleep(0.05)  # widen the window a race needs
            return self._session.client(service, **kwargs)

    from custom_channel.aws import AwsClients

    provider.responder = lambda r: Reply(202)
    channel = Channel(
        settings_for(provider, CHANNEL_IDEMPOTENCY_TABLE=TABLE),
        clients=AwsClients(session_factory=CountingSession),
    )
    result = invoke(campaign_event(endpoints(50), "x"), channel=channel)
    assert set(statuses(result.response).values()) == {"delivered"}
    assert made.count("dynamodb") == 1


def test_an_unreadable_secret_is_worth_a_retry(table, provider):
    """Nothing was sent, so the retry policy must retry it; the landed code marked it final."""
    settings = settings_for(
        provider,
        CHANNEL_IDEMPOTENCY_TABLE=TABLE,
        CHANNEL_FAILURE_POLICY="retry",
        CHANNEL_SECRET_ID="arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf",
    )
    with pytest.raises(DeliveryIncomplete, match="2 endpoints can be delivered on a retry"):
        invoke(campaign_event(endpoints(2), "x"), channel=Channel(settings))
    assert provider.requests == []


def test_a_ledger_with_a_fake_clock_can_be_injected(table, provider):
    from custom_channel.idempotency import DynamoLedger

    now = [5_000_000.0]
    settings = settings_for(provider, CHANNEL_IDEMPOTENCY_TABLE=TABLE)
    ledger = DynamoLedger(TABLE, 60, 3600, clock=lambda: now[0])
    provider.responder = lambda r: Reply(202)
    invoke(campaign_event(endpoints(1), "x"), channel=Channel(settings, ledger=ledger))
    items = table.scan(TableName=TABLE)["Items"]
    assert [item["expires_at"]["N"] for item in items] == [str(int(now[0]) + 3600)]
