"""The Amazon Connect custom action event source, end to end through the one entry point,
against a real local provider server and moto."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest
from moto import mock_aws

from custom_channel import lambda_function, runtime
from custom_channel.channel import Channel
from custom_channel.config import ConfigError, load_settings
from custom_channel.operator.local import LocalContext, invoke
from emulator.provider_server import Reply
from tests.connect_channel import http_channel

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "connect_event.json"
# The shape of a journey invocation captured from a live run (docs/connect.md).
REAL_FIXTURE = ROOT / "tests" / "fixtures" / "connect_real_event.json"
# Every test of the documented example runs on the real shape too.
both_shapes = pytest.mark.parametrize(
    "fixture", [FIXTURE, REAL_FIXTURE], ids=["documented", "real"]
)
TABLE = "channel-deliveries"

# The answer the Connect Administrator Guide ("Invoke Lambda functions") documents: one entry
# per profile, Id equal to the request's ProfileId, ResultData an object (at most 32 KB).
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["Items"],
    "additionalProperties": False,
    "properties": {
        "Items": {
            "type": "object",
            "required": ["CustomerProfiles"],
            "additionalProperties": False,
            "properties": {
                "CustomerProfiles": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["Id"],
                        "additionalProperties": False,
                        "properties": {
                            "Id": {"type": "string", "minLength": 1},
                            "ResultData": {"type": "object"},
                            "Result": {"enum": ["SUCCESS", "FAILURE"]},
                        },
                    },
                }
            },
        }
    },
}
MAX_RESULT_DATA_BYTES = 32 * 1024


def documented_event(fixture: Path = FIXTURE) -> dict[str, Any]:
    return json.loads(fixture.read_text(encoding="utf-8"))


def with_profiles(*profiles: dict[str, Any] | str, action: str = "activity-abc123") -> dict:
    """The documented event with these profiles: a dict is the CustomerData, a string is
    used as the raw CustomerData value."""
    event = documented_event()
    event["InvocationMetadata"]["CampaignContext"]["ActionId"] = action
    event["Items"]["CustomerProfiles"] = [
        {
            "ProfileId": f"p-{index}",
            "CustomerData": profile if isinstance(profile, str) else json.dumps(profile),
            "IdempotencyToken": f"token-{index}",
        }
        for index, profile in enumerate(profiles)
    ]
    return event


def channel_for(provider, **env: str) -> Channel:
    return http_channel(
        provider, **{"CHANNEL_MESSAGE_TEMPLATE": "Welcome {{firstName}} {{lastName | }}!", **env}
    )


def results(answer: dict) -> dict[str, dict]:
    return {item["Id"]: item["ResultData"] for item in answer["Items"]["CustomerProfiles"]}


def sent(provider) -> list[dict]:
    return [json.loads(request.body) for request in provider.requests]


def check_shape(event: dict, answer: dict) -> None:
    jsonschema.validate(answer, ANSWER_SCHEMA)
    requested = [item["ProfileId"] for item in event["Items"]["CustomerProfiles"]]
    assert [item["Id"] for item in answer["Items"]["CustomerProfiles"]] == requested
    for item in answer["Items"]["CustomerProfiles"]:
        assert len(json.dumps(item["ResultData"]).encode()) <= MAX_RESULT_DATA_BYTES


def test_the_documented_request_gets_an_answer_of_the_documented_shape(provider):
    event = documented_event()
    answer = invoke(event, channel=channel_for(provider)).response
    check_shape(event, answer)
    assert results(answer) == {
        "customer-001": {"status": "delivered", "attempts": 1, "http_status": 200},
        "customer-002": {"status": "delivered", "attempts": 1, "http_status": 200},
    }
    assert sorted((body["to"], body["text"]) for body in sent(provider)) == [
        ("jane.smith@example.com", "Welcome Jane Smith!"),
        ("john.doe@example.com", "Welcome John Doe!"),
    ]


@both_shapes
def test_the_one_entry_point_recognises_both_sources(monkeypatch, provider, guide_event, fixture):
    for name, value in {
        "CHANNEL_ADAPTER": "http",
        "CHANNEL_HTTP_URL": f"{provider.url}/send",
        "CHANNEL_METRICS_MODE": "off",
        "CHANNEL_MESSAGE_TEMPLATE": "hello",
    }.items():
        monkeypatch.setenv(name, value)
    runtime.reset()
    try:
        connect = lambda_function.lambda_handler(documented_event(fixture), LocalContext())
        pinpoint = lambda_function.lambda_handler(guide_event, LocalContext())
    finally:
        runtime.reset()
    check_shape(documented_event(fixture), connect)
    assert pinpoint == {
        "1dbcd396df28ac6cf8c1c2b7fexample": {
            "EventAttributes": {"status": "delivered", "attempts": "1", "http_status": "200"}
        }
    }


def test_a_broken_profile_fails_alone_with_its_reason(provider):
    event = with_profiles(
        {"firstName": "Ann", "email": "ann@example.com"},
        "{not json",
        "[1, 2]",
        {"firstName": "Bob", "email": "bob@example.com"},
    )
    event["Items"]["CustomerProfiles"].append({"ProfileId": "p-missing", "IdempotencyToken": "t"})
    answer = invoke(event, channel=channel_for(provider)).response
    check_shape(event, answer)
    outcome = results(answer)
    assert outcome["p-0"]["status"] == outcome["p-3"]["status"] == "delivered"
    assert outcome["p-1"] == {
        "status": "failed",
        "reason": "invalid endpoint: CustomerData is not JSON",
    }
    assert outcome["p-2"]["reason"] == "invalid endpoint: CustomerData must be a JSON object"
    assert outcome["p-missing"]["reason"] == "invalid endpoint: CustomerData is missing"
    assert len(provider.requests) == 2


def test_the_address_is_the_first_field_found_in_order_in_any_case(provider):
    event = with_profiles(
        # EmailAddress comes before email in the default order.
        {"email": "second@example.com", "EmailAddress": "first@example.com"},
        {"Email": "any-case@example.com"},  # `email` in another case (profiles.py)
        {"Mail": "not-a-name@example.com"},  # not a name in the list
    )
    answer = invoke(event, channel=channel_for(provider, CHANNEL_MESSAGE_TEMPLATE="hello")).response
    assert sorted(body["to"] for body in sent(provider)) == [
        "any-case@example.com",
        "first@example.com",
    ]
    assert results(answer)["p-2"] == {
        "status": "failed",
        "reason": "invalid endpoint: CustomerData has none of CHANNEL_CONNECT_ADDRESS_FIELDS",
    }


def test_custom_address_fields_and_profile_placeholders(provider):
    event = with_profiles(
        {
            "FirstName": "Ada",
            "Address": {"City": "Paris"},
            "Attributes": {"Tier": "gold", "Phone": "+15550000001"},
        }
    )
    channel = channel_for(
        provider,
        CHANNEL_CONNECT_ADDRESS_FIELDS="Attributes.Phone",
        CHANNEL_MESSAGE_TEMPLATE="{{FirstName}} in {{Address.City}} ({{Attributes.Tier}})",
    )
    invoke(event, channel=channel)
    assert sent(provider) == [{"to": "+15550000001", "text": "Ada in Paris (gold)"}]


def test_an_opted_out_profile_is_skipped_and_counted(provider, capsys):
    event = with_profiles(
        {"email": "a@example.com", "Attributes": {"OptOut": "true"}},
        {"email": "b@example.com", "Attributes": {"OptOut": "false"}},
        {"email": "c@example.com"},
    )
    answer = invoke(event, channel=channel_for(provider, CHANNEL_MESSAGE_TEMPLATE="hello")).response
    assert results(answer)["p-0"] == {"status": "skipped", "reason": "opted out"}
    assert sorted(body["to"] for body in sent(provider)) == ["b@example.com", "c@example.com"]
    summary = [
        json.loads(line)
        for line in capsys.readouterr().out.splitlines()
        if '"batch processed"' in line
    ][-1]
    assert (summary["skipped"], summary["delivered"]) == (1, 2)


def test_each_action_takes_its_own_template_and_one_without_fails_every_profile(provider):
    templates = json.dumps({"welcome": "Hi {{firstName}}", "reminder": "Still there?"})
    channel = channel_for(
        provider, CHANNEL_MESSAGE_TEMPLATES=templates, CHANNEL_MESSAGE_TEMPLATE=""
    )
    profile = {"firstName": "Ann", "email": "ann@example.com"}
    invoke(with_profiles(profile, action="welcome"), channel=channel)
    invoke(with_profiles(profile, action="reminder"), channel=channel)
    assert [body["text"] for body in sent(provider)] == ["Hi Ann", "Still there?"]
    answer = invoke(with_profiles(profile, profile, action="other"), channel=channel).response
    assert {item["status"] for item in results(answer).values()} == {"failed"}
    assert "has no message template" in results(answer)["p-0"]["reason"]
    assert len(provider.requests) == 2


def test_twilio_takes_sms_and_phone_fields_first():
    settings = load_settings(
        {
            "CHANNEL_ADAPTER": "twilio",
            "CHANNEL_SECRET_ID": "s",
            "CHANNEL_TWILIO_FROM": "+15550000000",
        }
    )
    assert settings.connect.channel_type == "SMS"
    assert settings.connect.address_fields[:2] == ("PhoneNumber", "MobilePhoneNumber")
    assert "email" in settings.connect.address_fields


@both_shapes
def test_connect_waits_30_seconds_pinpoint_15(fixture):
    channel = Channel(
        load_settings({"CHANNEL_DEADLINE_SECONDS": "30", "CHANNEL_SAFETY_MARGIN_MS": "0"})
    )
    connect = channel.deadline_for(None, 0.0, channel.source_of(documented_event(fixture)))
    pinpoint = channel.deadline_for(None, 0.0, channel.source_of({"Endpoints": {}}))
    assert (connect.at, pinpoint.at) == (30.0, 15.0)
    channel.close()


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"CHANNEL_EVENT_SOURCE": "connect"}, "retry cannot serve CHANNEL_EVENT_SOURCE=connect"),
        ({"CHANNEL_MESSAGE_TEMPLATES": "[]"}, "must be a JSON object"),
        ({"CHANNEL_CONNECT_CHANNEL_TYPE": "sms"}, "must be a channel type"),
        ({"CHANNEL_CONNECT_ADDRESS_FIELDS": "email,,phone"}, "must list field names"),
    ],
)
def test_bad_connect_settings_name_the_variable(env, problem):
    base = {"CHANNEL_FAILURE_POLICY": "retry", "CHANNEL_IDEMPOTENCY_TABLE": "t"}
    if "CHANNEL_EVENT_SOURCE" not in env:
        base = {}
    with pytest.raises(ConfigError, match=problem):
        load_settings({**base, **env})


def test_the_retry_policy_serves_pinpoint_events_only():
    settings = load_settings({"CHANNEL_FAILURE_POLICY": "retry", "CHANNEL_IDEMPOTENCY_TABLE": "t"})
    assert settings.event_source == "pinpoint"


def test_the_result_field_can_be_turned_on(provider):
    provider.responder = lambda r: Reply(400)
    event = with_profiles(
        {"email": "a@example.com"}, {"email": "b@example.com", "Attributes": {"OptOut": "yes"}}
    )
    answer = invoke(
        event, channel=channel_for(provider, CHANNEL_CONNECT_RESULT_FIELD="true")
    ).response
    check_shape(event, answer)
    assert [item["Result"] for item in answer["Items"]["CustomerProfiles"]] == [
        "FAILURE",
        "SUCCESS",
    ]


@both_shapes
def test_a_repeated_profile_with_new_tokens_is_not_sent_twice(provider, fixture):
    """Connect's retry may bring the same ProfileIds back with new IdempotencyTokens: the key
    is CampaignId, RunId, ActionId and ProfileId."""
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        channel = channel_for(provider, CHANNEL_IDEMPOTENCY_TABLE=TABLE)
        event = documented_event(fixture)
        first = invoke(event, channel=channel).response
        delivered = [p for p, data in results(first).items() if data["status"] == "delivered"]
        again = copy.deepcopy(event)
        for item in again["Items"]["CustomerProfiles"]:
            item["IdempotencyToken"] = "new-" + item["IdempotencyToken"]
        answer = invoke(again, channel=channel).response
        other_run = copy.deepcopy(event)
        other_run["InvocationMetadata"]["CampaignContext"]["RunId"] = "run-2"
        invoke(other_run, channel=channel)
    assert {results(answer)[p]["reason"] for p in delivered} == {"already delivered"}
    # Each delivered profile once for the first run, once for the second run.
    assert len(provider.requests) == 2 * len(delivered) > 0


@both_shapes
def test_connect_metrics_never_mix_with_pinpoints(provider, fixture):
    with mock_aws():
        channel = channel_for(provider, CHANNEL_METRICS_MODE="api")
        invoke(documented_event(fixture), channel=channel)
        listed = boto3.client("cloudwatch").list_metrics(Namespace="PinpointCustomChannelExecution")
    names = {metric["MetricName"] for metric in listed["Metrics"]}
    assert "EndpointCount" not in names  # the guide's counts are Pinpoint's
    assert "DeliveredCount" in names
    dimension_sets = {
        tuple(sorted(d["Name"] for d in metric["Dimensions"])) for metric in listed["Metrics"]
    }
    assert dimension_sets == {("ConnectActionId", "ConnectCampaignId"), ("EventSource",)}


@both_shapes
def test_the_cli_invokes_a_connect_event(tmp_path, fixture):
    completed = subprocess.run(
        [sys.executable, "-m", "custom_channel.operator", "invoke", "--event", str(fixture)],
        cwd=ROOT / "handler",
        env={
            "PATH": "/usr/bin:/bin",
            "CHANNEL_METRICS_MODE": "off",
            "CHANNEL_MESSAGE_TEMPLATE": "Hi {{firstName}}",
            "AWS_DEFAULT_REGION": "us-east-1",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    # Exit 1 when a profile failed: the real shape's profile without an address does.
    assert completed.returncode == (0 if fixture == FIXTURE else 1), completed.stderr
    start = completed.stdout.index('{\n  "Items"')
    answer = json.loads(completed.stdout[start:])
    check_shape(documented_event(fixture), answer)


def test_failed_profiles_are_queued_and_resent_as_connect_events(provider):
    from custom_channel.failures import FailureQueue
    from custom_channel.operator.resend import ResendOptions, resend

    with mock_aws():
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="channel-failures")["QueueUrl"]
        boto3.client("secretsmanager").create_secret(Name="provider", SecretString="k-1234567")
        env = {"CHANNEL_FAILURE_QUEUE_URL": url, "CHANNEL_SECRET_ID": "provider"}
        provider.responder = lambda r: Reply(503)
        event = with_profiles(
            {"firstName": "Ann", "email": "ann@example.com", "Attributes": {"Tier": "gold"}},
            {"firstName": "Bob", "email": "bob@example.com", "Secret": "not-needed"},
        )
        invoke(event, channel=channel_for(provider, CHANNEL_MAX_ATTEMPTS="1", **env))
        bodies = [
            json.loads(m["Body"])
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)[
                "Messages"
            ]
        ]
        assert sorted(body["endpoint_id"] for body in bodies) == ["p-0", "p-1"]
        assert {body["source"] for body in bodies} == {"connect"}
        profile = json.loads(
            next(b for b in bodies if b["endpoint_id"] == "p-1")["endpoint"]["CustomerData"]
        )
        assert profile == {"firstName": "Bob", "email": "bob@example.com"}  # only what is read

        provider.requests.clear()
        provider.responder = lambda r: Reply(202)
        settings = load_settings(
            {
                "CHANNEL_ADAPTER": "http",
                "CHANNEL_HTTP_URL": f"{provider.url}/send",
                "CHANNEL_HTTP_BODY_TEMPLATE": '{"to": "{{Address}}", "text": "{{Data}}"}',
                "CHANNEL_METRICS_MODE": "off",
                "CHANNEL_MESSAGE_TEMPLATE": "Welcome {{firstName}} {{lastName | }}!",
                **env,
            }
        )
        # Issue #20, item 2: resend cannot ask for a profile's consent now (it was sent
        # unchecked): kept and counted, unless the operator says to send it unchecked.
        at_once = ResendOptions(visibility_timeout=0, wait_seconds=0)
        report = resend(settings, FailureQueue(url), at_once)
        assert provider.requests == []
        assert (report.consent_unchecked, report.kept, report.deleted) == (2, 2, 0)
        report = resend(settings, FailureQueue(url), replace(at_once, send_connect_unchecked=True))
    assert (report.statuses["delivered"], report.deleted) == (2, 2)
    assert sorted((body["to"], body["text"]) for body in sent(provider)) == [
        ("ann@example.com", "Welcome Ann !"),
        ("bob@example.com", "Welcome Bob !"),
    ]
