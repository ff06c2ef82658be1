"""Idempotent delivery against moto's DynamoDB and a real local provider server."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws
from scripts.provider_server import Reply
from scripts.segments import campaign_event

from custom_channel.channel import Channel, DeliveryIncomplete, idempotency_key
from custom_channel.config import ConfigError, load_settings
from custom_channel.events import parse_event
from custom_channel.idempotency import DynamoLedger
from custom_channel.local import invoke

TABLE = "channel-deliveries"


def endpoints(count: int) -> dict:
    return {
        f"ep-{i}": {"ChannelType": "SMS", "Address": f"+1206555{i:04d}", "OptOut": "NONE"}
        for i in range(count)
    }


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


def channel_for(provider, **env) -> Channel:
    return Channel(
        load_settings(
            {
                "CHANNEL_ADAPTER": "http",
                "CHANNEL_HTTP_URL": f"{provider.url}/send",
                "CHANNEL_HTTP_BODY_TEMPLATE": '{"to": "{{Address}}"}',
                "CHANNEL_METRICS_MODE": "off",
                "CHANNEL_IDEMPOTENCY_TABLE": TABLE,
                "CHANNEL_MAX_ATTEMPTS": "1",
                **env,
            }
        )
    )


def statuses(result) -> dict[str, str]:
    return {ep: answer["EventAttributes"]["status"] for ep, answer in result.response.items()}


def recipients(provider) -> list[str]:
    return [json.loads(request.body)["to"] for request in provider.requests]


def test_a_repeated_invocation_sends_only_what_was_not_delivered(table, provider):
    failing = {"+12065550003", "+12065550007"}
    provider.responder = lambda r: Reply(503 if json.loads(r.body)["to"] in failing else 202)
    event = campaign_event(endpoints(10), "hello")
    channel = channel_for(provider)

    first = invoke(event, channel=channel)
    assert sorted(ep for ep, s in statuses(first).items() if s == "failed") == ["ep-3", "ep-7"]
    assert len(provider.requests) == 10

    provider.requests.clear()
    provider.responder = lambda r: Reply(202)
    second = invoke(event, channel=channel)
    assert sorted(recipients(provider)) == sorted(failing)
    assert set(statuses(second).values()) == {"delivered"}
    assert second.response["ep-0"]["EventAttributes"]["reason"] == "already delivered"

    provider.requests.clear()
    invoke(event, channel=channel)
    assert provider.requests == []


def test_the_retry_policy_fails_the_invocation_only_for_retryable_endpoints(table, provider):
    provider.responder = lambda r: Reply(503 if json.loads(r.body)["to"].endswith("1") else 202)
    event = campaign_event(endpoints(3), "hello")
    channel = channel_for(provider, CHANNEL_FAILURE_POLICY="retry")
    with pytest.raises(DeliveryIncomplete, match="1 endpoints can be delivered on a retry"):
        invoke(event, channel=channel)
    provider.requests.clear()
    provider.responder = lambda r: Reply(202)
    result = invoke(event, channel=channel)  # Pinpoint's retry
    assert recipients(provider) == ["+12065550001"]
    assert set(statuses(result).values()) == {"delivered"}


def test_a_final_failure_does_not_fail_the_invocation(table, provider):
    provider.responder = lambda r: Reply(400)
    channel = channel_for(provider, CHANNEL_FAILURE_POLICY="retry")
    result = invoke(campaign_event(endpoints(2), "hello"), channel=channel)
    assert set(statuses(result).values()) == {"failed"}


def test_an_unknown_outcome_is_not_resent_while_its_lease_holds(table, provider):
    provider.responder = lambda r: Reply(reset=True)
    event = campaign_event(endpoints(1), "hello")
    channel = channel_for(provider)
    assert statuses(invoke(event, channel=channel)) == {"ep-0": "unknown"}
    provider.responder = lambda r: Reply(202)
    again = invoke(event, channel=channel)
    assert again.response["ep-0"]["EventAttributes"] == {
        "status": "unknown",
        "reason": "already in progress; not sent again",
    }
    assert len(provider.requests) == 1


def test_an_expired_lease_is_claimed_again(table):
    now = [1_000_000.0]
    ledger = DynamoLedger(TABLE, lease_seconds=60, ttl_seconds=3600, clock=lambda: now[0])
    event = parse_event(campaign_event(endpoints(1), "x"))
    key = idempotency_key(event, "ep-0")
    assert ledger.claim(key) is None  # claimed, then the invocation timed out
    assert ledger.claim(key).status.value == "unknown"
    now[0] += 61
    assert ledger.claim(key) is None
    item = table.get_item(TableName=TABLE, Key={"pk": {"S": key}})["Item"]
    assert item["state"]["S"] == "in_progress"
    assert int(item["expires_at"]["N"]) == int(now[0]) + 3600


def test_keys_differ_per_endpoint_treatment_and_activity():
    base = campaign_event(endpoints(2), "x")
    event = parse_event(base)
    other_treatment = parse_event({**base, "TreatmentId": "1"})
    other_activity = parse_event({**base, "ActivityId": "a2"})
    keys = {
        idempotency_key(event, "ep-0"),
        idempotency_key(event, "ep-1"),
        idempotency_key(other_treatment, "ep-0"),
        idempotency_key(other_activity, "ep-0"),
    }
    assert len(keys) == 4
    assert idempotency_key(event, "ep-0") == idempotency_key(parse_event(base), "ep-0")


def test_an_unreachable_table_fails_endpoints_without_sending(provider):
    with mock_aws():
        channel = channel_for(provider)
        result = invoke(campaign_event(endpoints(2), "hello"), channel=channel)
    assert result.response["ep-0"]["EventAttributes"] == {
        "status": "failed",
        "reason": "not sent: idempotency table error ResourceNotFoundException",
    }
    assert provider.requests == []


def test_the_retry_policy_needs_the_table():
    with pytest.raises(ConfigError) as raised:
        load_settings({"CHANNEL_FAILURE_POLICY": "retry"})
    assert raised.value.variable == "CHANNEL_FAILURE_POLICY"
