"""Idempotent delivery against moto's DynamoDB and a real local provider server."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from custom_channel.channel import Channel, DeliveryIncomplete, idempotency_key
from custom_channel.config import ConfigError, load_settings
from custom_channel.events import parse_event
from custom_channel.idempotency import DynamoLedger
from custom_channel.operator.local import invoke
from custom_channel.results import Outcome, Status
from emulator.provider_server import Reply
from emulator.segments import campaign_event

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


def test_an_unknown_outcome_is_never_resent_even_after_its_lease(table, provider):
    """The landed ledger kept an unknown outcome `in_progress` under a lease; once the lease
    ran out, a later attempt (a Pinpoint retry for the batch's other endpoints, or resend)
    claimed it and sent the message again."""
    now = [1_000_000.0]
    provider.responder = lambda r: Reply(reset=True)  # read, maybe acted on, answer lost
    event = campaign_event(endpoints(1), "hello")
    assert statuses(invoke(event, channel=channel_for(provider))) == {"ep-0": "unknown"}
    now[0] += 7 * 86400  # far past any lease
    provider.responder = lambda r: Reply(202)
    later = Channel(
        channel_for(provider).settings,
        ledger=DynamoLedger(TABLE, 60, 86400, clock=lambda: now[0]),
    )
    again = invoke(event, channel=later)
    assert again.response["ep-0"]["EventAttributes"] == {
        "status": "unknown",
        "reason": "already unknown: connection lost after sending; not sent again",
    }
    assert len(provider.requests) == 1


def key_of(event: dict, endpoint_id: str = "ep-0") -> str:
    return idempotency_key(parse_event(event), endpoint_id)


def test_a_holder_that_died_waiting_to_retry_is_reclaimed_after_its_lease(table):
    """`claimed`: every request so far surely did not act (a 503, say), so once the lease
    passes the endpoint may be sent by someone else."""
    now = [1_000_000.0]
    ledger = DynamoLedger(TABLE, lease_seconds=60, ttl_seconds=3600, clock=lambda: now[0])
    key = key_of(campaign_event(endpoints(1), "x"))
    assert ledger.claim(key, "first", None) is None
    ledger.hold(key, "first", None)  # then the first holder died during its backoff
    held = ledger.claim(key, "second", None)
    assert (held.status.value, held.retryable) == ("failed", True)
    now[0] += 61
    assert ledger.claim(key, "second", None) is None
    item = table.get_item(TableName=TABLE, Key={"pk": {"S": key}})["Item"]
    assert (item["state"]["S"], item["holder"]["S"]) == ("sending", "second")
    assert int(item["expires_at"]["N"]) == int(now[0]) + 3600


def test_a_holder_that_died_after_sending_is_never_reclaimed(table):
    now = [1_000_000.0]
    ledger = DynamoLedger(TABLE, lease_seconds=60, ttl_seconds=3600, clock=lambda: now[0])
    key = key_of(campaign_event(endpoints(1), "x"))
    assert ledger.claim(key, "first", None) is None  # `sending`, then the holder died
    now[0] += 3000
    answer = ledger.claim(key, "second", None)
    assert answer.status.value == "unknown"
    assert "not sent again" in answer.reason
    # Only the operator who checked with the provider sends it again.
    operator = DynamoLedger(TABLE, 60, 3600, clock=lambda: now[0], include_unknown=True)
    assert operator.claim(key, "operator", None) is None


def test_a_record_of_the_landed_version_in_progress_is_not_sent(table):
    key = key_of(campaign_event(endpoints(1), "x"))
    table.put_item(
        TableName=TABLE,
        Item={
            "pk": {"S": key},
            "state": {"S": "in_progress"},
            "lease_until": {"N": "1"},  # long expired
            "expires_at": {"N": "9999999999"},
        },
    )
    answer = DynamoLedger(TABLE, 60, 3600).claim(key, "new", None)
    assert answer.status.value == "unknown"


def test_a_retried_claim_whose_first_write_landed_is_its_own(table):
    ledger = DynamoLedger(TABLE, 60, 3600)
    key = key_of(campaign_event(endpoints(1), "x"))
    assert ledger.claim(key, "me", None) is None
    assert ledger.claim(key, "me", None) is None  # the answer to the first write was lost
    assert ledger.claim(key, "someone else", None).status.value == "unknown"


def test_only_the_holder_settles_a_record(table):
    ledger = DynamoLedger(TABLE, 60, 3600)
    key = key_of(campaign_event(endpoints(1), "x"))
    assert ledger.claim(key, "me", None) is None
    ledger.settle(key, "a late stranger", Outcome(Status.DELIVERED), None)
    item = table.get_item(TableName=TABLE, Key={"pk": {"S": key}})["Item"]
    assert item["state"]["S"] == "sending"


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


def test_nothing_sent_for_a_table_error_is_worth_a_retry(provider):
    """The landed code marked these failures final, so the retry policy never retried them."""
    with mock_aws():
        channel = channel_for(provider, CHANNEL_FAILURE_POLICY="retry")
        with pytest.raises(DeliveryIncomplete, match="2 endpoints can be delivered on a retry"):
            invoke(campaign_event(endpoints(2), "hello"), channel=channel)
    assert provider.requests == []


def test_the_retry_policy_needs_the_table():
    with pytest.raises(ConfigError) as raised:
        load_settings({"CHANNEL_FAILURE_POLICY": "retry"})
    assert raised.value.variable == "CHANNEL_FAILURE_POLICY"


def journey_event(data: str = "hello") -> dict:
    """A Pinpoint journey's custom-channel activity: JourneyId in place of CampaignId, no
    treatment. Nothing else in it changes from one journey entry to the next (issue #25,
    item 5: docs/handler.md, "Idempotency")."""
    event = campaign_event(endpoints(1), data)
    del event["CampaignId"], event["TreatmentId"]
    return {**event, "JourneyId": "9c2b7e4f0a1d4c6b8e3f5a7d9c1b3e5fexample"}


def channel_at(provider, now: list[float], **env) -> Channel:
    settings = channel_for(provider, **env).settings
    ledger = DynamoLedger(TABLE, settings.idempotency_lease_seconds, 86400, clock=lambda: now[0])
    return Channel(settings, ledger=ledger)


def test_an_endpoint_that_re_enters_a_journey_is_sent_its_new_entry(table, provider):
    """Before: the key of a journey's delivery (application, journey, activity, endpoint) is
    the same for every entry, so an endpoint re-entering a recurring journey within the
    record's TTL was answered "already delivered" and not sent."""
    now = [1_000_000.0]
    channel = channel_at(provider, now, CHANNEL_JOURNEY_REENTRY_SECONDS="3600")
    assert statuses(invoke(journey_event(), channel=channel)) == {"ep-0": "delivered"}
    now[0] += 600  # Pinpoint's retry of the same entry: within the window, not sent again
    retry = invoke(journey_event(), channel=channel)
    assert retry.response["ep-0"]["EventAttributes"]["reason"] == "already delivered"
    assert len(provider.requests) == 1
    now[0] += 3600  # past the window: the endpoint entered the journey again
    again = invoke(journey_event(), channel=channel)
    assert statuses(again) == {"ep-0": "delivered"}
    assert "reason" not in again.response["ep-0"]["EventAttributes"]
    assert len(provider.requests) == 2


def test_a_new_journey_entry_never_resends_an_unknown_within_the_window(table, provider):
    now = [1_000_000.0]
    channel = channel_at(provider, now, CHANNEL_JOURNEY_REENTRY_SECONDS="3600")
    provider.responder = lambda r: Reply(reset=True)  # may have acted, answer lost
    assert statuses(invoke(journey_event(), channel=channel)) == {"ep-0": "unknown"}
    provider.responder = lambda r: Reply(202)
    now[0] += 3599
    assert statuses(invoke(journey_event(), channel=channel)) == {"ep-0": "unknown"}
    assert len(provider.requests) == 1


def test_a_campaign_record_has_no_re_entry_window(table, provider):
    now = [1_000_000.0]
    channel = channel_at(provider, now, CHANNEL_JOURNEY_REENTRY_SECONDS="900")
    event = campaign_event(endpoints(1), "hello")
    invoke(event, channel=channel)
    now[0] += 80000
    again = invoke(event, channel=channel)
    assert again.response["ep-0"]["EventAttributes"]["reason"] == "already delivered"
    assert len(provider.requests) == 1


@pytest.mark.parametrize("value", ["899", "x", "-1"])
def test_the_journey_re_entry_window_is_validated(value):
    with pytest.raises(ConfigError, match="CHANNEL_JOURNEY_REENTRY_SECONDS"):
        load_settings({"CHANNEL_ADAPTER": "none", "CHANNEL_JOURNEY_REENTRY_SECONDS": value})
