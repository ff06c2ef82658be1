"""The Connect custom action on what Connect really sends (tests/fixtures/connect_real_event.json,
written to the shape of a journey invocation captured from a live run: camelCase CustomerData,
nested `address`, lower-case `attributes`, a profile with no address, RunId with `#`, 64-hex
tokens, a block label with a space as ActionId), with the documented defaults and no field
mapping, end to end through the channel against a real local provider."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from custom_channel.config import load_settings
from custom_channel.operator.local import invoke
from custom_channel.profiles import ProfileFields, flatten
from tests.connect_channel import http_channel

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "fixtures" / "connect_real_event.json"
LABEL = "Winter Greeting"
NO_ADDRESS = "0a4d5e6f7a8b4c9d8e7f6a5b4c3d2e1f"
MARA = "1b5e6f708c9d4e0f9a8b7c6d5e4f3a2b"
OPTED_OUT = "2c6f708192ae4f1b8c9d0e1f2a3b4c5d"
INES = "3d708192a3bf4a2c9dae1f203b4c5d6e"
LIOR = "4e8192a3b4c04b3d0ebf2031c4d5e6f7"


def real_event() -> dict[str, Any]:
    return json.loads(REAL.read_text(encoding="utf-8"))


channel_for = http_channel


def results(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["Id"]: item["ResultData"] for item in answer["Items"]["CustomerProfiles"]}


def sent(provider: Any) -> dict[str, str]:
    bodies = [json.loads(request.body) for request in provider.requests]
    return {body["to"]: body["text"] for body in bodies}


def test_the_real_shape_works_with_the_documented_defaults(provider):
    """The issue's "done when": every profile with an address is delivered, {{FirstName}}
    and {{Address.City}} render, the opted-out profile is skipped and never reaches the
    provider, the profile with no address fails alone with a reason, and the template keyed
    by a label with a space is used."""
    templates = json.dumps({LABEL: "Hi {{FirstName}} in {{Address.City}} ({{Attributes.plan}})"})
    channel = channel_for(provider, CHANNEL_MESSAGE_TEMPLATES=templates)
    answer = invoke(real_event(), channel=channel).response
    outcome = results(answer)
    assert outcome[NO_ADDRESS] == {
        "status": "failed",
        "reason": "invalid endpoint: CustomerData has none of CHANNEL_CONNECT_ADDRESS_FIELDS",
    }
    assert outcome[OPTED_OUT] == {"status": "skipped", "reason": "opted out"}
    assert {outcome[p]["status"] for p in (MARA, INES, LIOR)} == {"delivered"}
    assert sent(provider) == {
        "mara.quintela@example.com": "Hi Mara in Lisbon (premium)",
        "+351220000202": "Hi Inês in Porto (basic)",  # no email: the phone field is next
        "lior@example.com": "Hi Lior in Haifa (premium)",
    }
    assert "oskar.lind@example.com" not in sent(provider)


def test_twilio_defaults_find_the_camel_case_phone_number():
    settings = load_settings(
        {
            "CHANNEL_ADAPTER": "twilio",
            "CHANNEL_SECRET_ID": "s",
            "CHANNEL_TWILIO_FROM": "+15550000000",
        }
    )
    fields = ProfileFields(flatten({"phoneNumber": "+351210000101", "emailAddress": "a@b.c"}))
    address = next(v for v in map(fields.resolve, settings.connect.address_fields) if v)
    assert address == "+351210000101"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("FirstName", "Mara"),
        ("firstName", "Mara"),
        ("firstname", "Mara"),
        ("FIRSTNAME", "Mara"),
        ("Address.City", "Lisbon"),
        ("address.city", "Lisbon"),
        ("Attributes.plan", "premium"),
        ("attributes.Plan", "premium"),
        # Connect's own template syntax for customer profile attributes.
        ("Attributes.Customer.FirstName", "Mara"),
        ("Attributes.Customer.City", "Lisbon"),  # Connect flattens the address
        ("Attributes.Customer.PostalCode", "1100-148"),
        ("Attributes.Customer.Attributes.plan", "premium"),
        ("Attributes.Customer.Nickname", None),
        ("Nickname", None),
        ("Address", None),  # an object, not a value
    ],
)
def test_one_rule_for_field_names(name, expected):
    profile = json.loads(real_event()["Items"]["CustomerProfiles"][1]["CustomerData"])
    assert ProfileFields(flatten(profile)).resolve(name) == expected


def test_an_exact_match_wins_over_another_case_then_the_first_in_the_profile():
    fields = ProfileFields(flatten({"firstname": "lower", "FirstName": "exact", "FIRSTNAME": "up"}))
    assert fields.resolve("FirstName") == "exact"
    assert fields.resolve("firstName") == "lower"  # no exact match: the first in the profile


@pytest.mark.parametrize(
    "attributes",
    [
        {"OptOut": "true"},
        {"optOut": "TRUE"},
        {"optout": "yes"},
        {"OptOut": "false", "optOut": "true"},  # any spelling saying "opted out" wins
    ],
)
def test_opt_out_in_any_spelling_is_never_sent(provider, attributes):
    event = real_event()
    profile = {"firstName": "Ann", "emailAddress": "ann@example.com", "attributes": attributes}
    event["Items"]["CustomerProfiles"] = [
        {"ProfileId": "p-1", "CustomerData": json.dumps(profile), "IdempotencyToken": "a" * 64}
    ]
    answer = invoke(event, channel=channel_for(provider, CHANNEL_MESSAGE_TEMPLATE="hi")).response
    assert results(answer)["p-1"] == {"status": "skipped", "reason": "opted out"}
    assert provider.requests == []


@pytest.mark.parametrize("label", ["Winter Greeting", "Réveil — J+1 (SMS)!", "  spaced  ", "🎉"])
def test_every_label_connect_accepts_keys_a_template(provider, label):
    event = real_event()
    event["InvocationMetadata"]["CampaignContext"]["ActionId"] = label
    templates = json.dumps({label: "for {{FirstName}}", "other": "wrong"})
    invoke(event, channel=channel_for(provider, CHANNEL_MESSAGE_TEMPLATES=templates))
    assert set(sent(provider).values()) == {"for Mara", "for Inês", "for Lior"}


def test_a_profile_cannot_stand_in_for_reserved_names(provider, capsys):
    """Secret, Data and the context ids resolve from the channel, never from the profile;
    the fields spelled like them are counted in the batch's log line."""
    event = real_event()
    profile = {
        "emailAddress": "eve@example.com",
        "secret": {"api_key": "from-profile"},
        "Secret": {"api_key": "from-profile"},
        "data": "from-profile",
        "RunId": "from-profile",
    }
    event["Items"]["CustomerProfiles"] = [
        {"ProfileId": "p-1", "CustomerData": json.dumps(profile), "IdempotencyToken": "b" * 64}
    ]
    channel = channel_for(
        provider,
        CHANNEL_MESSAGE_TEMPLATE="{{RunId}}|{{Secret.api_key | none}}",
        CHANNEL_HTTP_BODY_TEMPLATE='{"to": "{{Address}}", "text": "{{Data}}"}',
    )
    invoke(event, channel=channel)
    run_id = real_event()["InvocationMetadata"]["CampaignContext"]["RunId"]
    assert sent(provider) == {"eve@example.com": f"{run_id}|none"}
    summary = [
        json.loads(line)
        for line in capsys.readouterr().out.splitlines()
        if '"batch processed"' in line
    ][-1]
    assert summary["reserved_fields_ignored"] == 4  # secret.api_key, Secret.api_key, data, RunId


def test_a_deep_profile_fails_alone(provider):
    """Nesting far deeper than any profile: read up to a bound, never a RecursionError."""
    depth = 5000
    deep = '{"emailAddress": "deep@example.com", "firstName": "Deep", "x": '
    deep += '{"x": ' * depth + "{}" + "}" * (depth + 1)
    event = real_event()
    event["Items"]["CustomerProfiles"].append(
        {"ProfileId": "p-deep", "CustomerData": deep, "IdempotencyToken": "c" * 64}
    )
    templates = json.dumps({LABEL: "Hi {{FirstName}}"})
    answer = invoke(event, channel=channel_for(provider, CHANNEL_MESSAGE_TEMPLATES=templates))
    outcome = results(answer.response)
    assert outcome[MARA]["status"] == "delivered"
    assert outcome["p-deep"]["status"] in ("delivered", "failed")


def test_a_real_profile_is_queued_reduced_and_resent(provider):
    """The failure queue keeps only what delivery reads, in the profile's own spelling, and
    resend renders it again by the same rule."""
    import boto3
    from moto import mock_aws

    from custom_channel.failures import FailureQueue
    from custom_channel.operator.resend import ResendOptions, resend
    from emulator.provider_server import Reply

    templates = json.dumps({LABEL: "Hi {{FirstName}} in {{Address.City}}"})
    with mock_aws():
        sqs = boto3.client("sqs", region_name="us-east-1")
        url = sqs.create_queue(QueueName="channel-failures")["QueueUrl"]
        secrets = boto3.client("secretsmanager", region_name="us-east-1")
        secrets.create_secret(Name="provider", SecretString="k-1234567")  # signs the queue
        env = {
            "CHANNEL_SECRET_ID": "provider",
            "CHANNEL_FAILURE_QUEUE_URL": url,
            "CHANNEL_MESSAGE_TEMPLATES": templates,
            "CHANNEL_MAX_ATTEMPTS": "1",
        }
        provider.responder = lambda request: Reply(503)
        invoke(real_event(), channel=channel_for(provider, **env))
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        bodies = {
            body["endpoint_id"]: body
            for body in (json.loads(m["Body"]) for m in messages["Messages"])
        }
        assert set(bodies) == {NO_ADDRESS, MARA, INES, LIOR}  # the opted-out one is not queued
        assert json.loads(bodies[MARA]["endpoint"]["CustomerData"]) == {
            "firstName": "Mara",
            "emailAddress": "mara.quintela@example.com",
            "phoneNumber": "+351210000101",
            "address": {"city": "Lisbon"},
        }
        provider.requests.clear()
        provider.responder = lambda request: Reply(202)
        settings = load_settings(
            {
                "CHANNEL_ADAPTER": "http",
                "CHANNEL_HTTP_URL": f"{provider.url}/send",
                "CHANNEL_HTTP_BODY_TEMPLATE": '{"to": "{{Address}}", "text": "{{Data}}"}',
                "CHANNEL_METRICS_MODE": "off",
                **env,
            }
        )
        # resend cannot read a profile's consent now: the operator says to send (the flag).
        options = ResendOptions(visibility_timeout=0, wait_seconds=0, send_connect_unchecked=True)
        report = resend(settings, FailureQueue(url), options)
    assert report.statuses["delivered"] == 3
    assert sent(provider) == {
        "mara.quintela@example.com": "Hi Mara in Lisbon",
        "+351220000202": "Hi Inês in Porto",
        "lior@example.com": "Hi Lior in Haifa",
    }
