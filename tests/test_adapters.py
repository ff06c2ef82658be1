"""The exact request each adapter makes, and how it reads each provider answer.

Provider APIs are mocked with `responses` (no network); credentials come from a real
Secrets Manager secret in moto's local AWS, read by the channel's own SecretStore.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import responses
from moto import mock_aws

from custom_channel.channel import Channel
from custom_channel.config import load_settings
from custom_channel.operator.local import invoke
from emulator.segments import campaign_event

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "s3cr3t-t0ken"
# base64("AC0123456789abcdef0123456789abcdef:s3cr3t-t0ken"), written out on purpose.
TWILIO_AUTH = "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjpzM2NyM3QtdDBrZW4="
TWILIO_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
SERVICE_SID = "MG0123456789abcdef0123456789abcdef"
BOT_TOKEN = "xoxb-1111-2222-abcdEFGH"
SLACK_URL = "https://slack.com/api/chat.postMessage"
PHONE = "+12065550100"

ChannelFactory = Callable[..., Channel]


@pytest.fixture
def aws() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


@pytest.fixture
def provider_api() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


@pytest.fixture
def make_channel(aws) -> Iterator[ChannelFactory]:
    """A channel for an adapter, its credentials stored as a real secret in moto."""
    channels: list[Channel] = []

    def make(adapter: str, secret: dict[str, str] | str | None = None, **env: str) -> Channel:
        settings = {"CHANNEL_ADAPTER": adapter, "CHANNEL_METRICS_MODE": "off", **env}
        if secret is not None:
            name = f"provider/{adapter}/{len(channels)}"
            value = secret if isinstance(secret, str) else json.dumps(secret)
            aws.create_secret(Name=name, SecretString=value)
            settings["CHANNEL_SECRET_ID"] = name
        channel = Channel(load_settings(settings))
        channels.append(channel)
        return channel

    yield make
    for channel in channels:
        channel.close()


def endpoint(address: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ChannelType": "SMS",
        "Address": address,
        "EndpointStatus": "ACTIVE",
        "OptOut": "NONE",
        "Attributes": {"FirstName": ["Mary"]},
        "User": {"UserId": "user/7"},
    }
    body.update(fields)
    return body


def one_endpoint_event(
    address: str = PHONE, data: str = "Hello {{Attributes.FirstName}}", **fields
):
    return campaign_event({"ep-1": endpoint(address, **fields)}, data)


def answer(result: Any, endpoint_id: str = "ep-1") -> dict[str, str]:
    return result.response[endpoint_id]["EventAttributes"]


def twilio(make_channel: ChannelFactory, **env: str) -> Channel:
    secret = {"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN}
    return make_channel("twilio", secret, **{"CHANNEL_TWILIO_FROM": "+15005550006", **env})


def slack(make_channel: ChannelFactory, **env: str) -> Channel:
    return make_channel("slack", {"bot_token": BOT_TOKEN}, **env)


# --- http ------------------------------------------------------------------------------------


def http_env(**overrides: str) -> dict[str, str]:
    return {
        "CHANNEL_HTTP_URL": "https://api.example.com/v1/users/{{User.UserId}}/messages?to={{Address}}",
        "CHANNEL_HTTP_METHOD": "PUT",
        "CHANNEL_HTTP_HEADERS": json.dumps(
            {"Authorization": "Bearer {{Secret.api_key}}", "X-Campaign": "{{CampaignId}}"}
        ),
        "CHANNEL_HTTP_BODY_TEMPLATE": '{"to":"{{Address}}","text":"{{Data}}"}',
        "CHANNEL_HTTP_SUCCESS_CODES": "202",
        **overrides,
    }


def test_http_request_is_templated_from_endpoint_event_and_secret(make_channel, provider_api):
    url = "https://api.example.com/v1/users/user%2F7/messages?to=%2B12065550100"
    provider_api.add(responses.PUT, url, status=202)
    channel = make_channel("http", {"api_key": "sk-live-42"}, **http_env())
    event = one_endpoint_event()

    result = invoke(event, channel=channel, timeout_seconds=15)

    assert answer(result) == {"status": "delivered", "attempts": "1", "http_status": "202"}
    (call,) = provider_api.calls
    request = call.request
    assert request.method == "PUT"
    assert request.url == url
    assert request.headers["Authorization"] == "Bearer sk-live-42"
    assert request.headers["X-Campaign"] == event["CampaignId"]
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.body == b'{"to":"+12065550100","text":"Hello Mary"}'


@pytest.mark.parametrize(
    ("status", "expected"),
    [(202, "delivered"), (200, "failed"), (404, "failed")],
)
def test_http_success_codes_decide_delivery(make_channel, provider_api, status, expected):
    provider_api.add(
        responses.PUT,
        "https://api.example.com/v1/users/user%2F7/messages?to=%2B12065550100",
        status=status,
    )
    channel = make_channel("http", {"api_key": "k"}, **http_env())

    result = invoke(one_endpoint_event(), channel=channel, timeout_seconds=15)

    assert answer(result)["status"] == expected
    assert answer(result)["http_status"] == str(status)
    assert len(provider_api.calls) == 1  # a code outside the success list is not retried


def test_http_plain_string_secret_and_get_without_body(make_channel, provider_api):
    provider_api.add(responses.GET, "https://hooks.example.com/notify/ep-1", status=204)
    channel = make_channel(
        "http",
        "plain-token-9",
        CHANNEL_HTTP_URL="https://hooks.example.com/notify/{{EndpointId}}",
        CHANNEL_HTTP_METHOD="GET",
        CHANNEL_HTTP_HEADERS='{"X-Api-Key": "{{Secret}}"}',
    )

    result = invoke(one_endpoint_event(), channel=channel, timeout_seconds=15)

    assert answer(result)["status"] == "delivered"
    (call,) = provider_api.calls
    assert call.request.method == "GET"
    assert call.request.headers["X-Api-Key"] == "plain-token-9"
    assert call.request.body is None


# --- twilio ----------------------------------------------------------------------------------


def test_twilio_sends_the_exact_form_with_basic_auth(make_channel, provider_api):
    provider_api.add(responses.POST, TWILIO_URL, status=201, json={"sid": "SM1"})

    result = invoke(one_endpoint_event(), channel=twilio(make_channel), timeout_seconds=15)

    assert answer(result) == {"status": "delivered", "attempts": "1", "http_status": "201"}
    (call,) = provider_api.calls
    assert call.request.method == "POST"
    assert call.request.url == TWILIO_URL
    assert call.request.headers["Authorization"] == TWILIO_AUTH
    assert call.request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert call.request.body == b"To=%2B12065550100&Body=Hello+Mary&From=%2B15005550006"


def test_twilio_refuses_endpoints_that_are_not_phone_numbers(make_channel, provider_api):
    event = one_endpoint_event("mary@example.com", ChannelType="EMAIL")

    result = invoke(event, channel=twilio(make_channel), timeout_seconds=15)

    assert answer(result) == {
        "status": "failed",
        "reason": "twilio cannot deliver to EMAIL endpoints",
    }
    assert not provider_api.calls


def test_twilio_messaging_service_sender(make_channel, provider_api):
    provider_api.add(responses.POST, TWILIO_URL, status=201, json={"sid": "SM1"})
    channel = twilio(make_channel, CHANNEL_TWILIO_FROM=SERVICE_SID)

    result = invoke(one_endpoint_event(), channel=channel, timeout_seconds=15)

    assert answer(result)["status"] == "delivered"
    assert provider_api.calls[0].request.body == (
        f"To=%2B12065550100&Body=Hello+Mary&MessagingServiceSid={SERVICE_SID}".encode()
    )


@pytest.mark.parametrize("address", [PHONE, f"whatsapp:{PHONE}"])
def test_twilio_whatsapp_prefixes_both_numbers_once(make_channel, provider_api, address):
    provider_api.add(responses.POST, TWILIO_URL, status=201, json={"sid": "SM1"})
    channel = twilio(make_channel, CHANNEL_TWILIO_WHATSAPP="true")

    result = invoke(one_endpoint_event(address), channel=channel, timeout_seconds=15)

    assert answer(result)["status"] == "delivered"
    assert provider_api.calls[0].request.body == (
        b"To=whatsapp%3A%2B12065550100&Body=Hello+Mary&From=whatsapp%3A%2B15005550006"
    )


def test_twilio_400_fails_with_the_error_code_but_not_the_number(
    make_channel, provider_api, capsys
):
    provider_api.add(
        responses.POST,
        TWILIO_URL,
        status=400,
        json={
            "code": 21211,
            "message": f"The 'To' number {PHONE} is not a valid phone number.",
            "more_info": "https://www.twilio.com/docs/errors/21211",
            "status": 400,
        },
    )

    result = invoke(one_endpoint_event(), channel=twilio(make_channel), timeout_seconds=15)

    assert answer(result) == {
        "status": "failed",
        "reason": "twilio http 400 error 21211",
        "attempts": "1",
        "http_status": "400",
        # 21211 speaks about the recipient (an invalid number), not the attempt.
        "recipient": "unreachable",
    }
    assert len(provider_api.calls) == 1
    assert PHONE not in json.dumps(result.response)
    assert PHONE not in capsys.readouterr().out


@pytest.mark.parametrize("status", [429, 503])
def test_twilio_throttling_and_unavailable_are_retried(make_channel, provider_api, status):
    """429 and 503 say Twilio did not act (adapters/base.py): safe to send again."""
    provider_api.add(responses.POST, TWILIO_URL, status=status, json={"code": 20429})
    provider_api.add(responses.POST, TWILIO_URL, status=201, json={"sid": "SM1"})

    result = invoke(one_endpoint_event(), channel=twilio(make_channel), timeout_seconds=15)

    assert answer(result) == {"status": "delivered", "attempts": "2", "http_status": "201"}
    assert len(provider_api.calls) == 2
    assert provider_api.calls[0].request.body == provider_api.calls[1].request.body


@pytest.mark.parametrize("status", [500, 502, 504])
def test_twilio_other_server_errors_are_unknown_and_not_resent(make_channel, provider_api, status):
    """Any other 5xx may follow a message Twilio accepted: never sent blindly again."""
    provider_api.add(responses.POST, TWILIO_URL, status=status, json={"code": 20500})

    result = invoke(one_endpoint_event(), channel=twilio(make_channel), timeout_seconds=15)

    assert answer(result)["status"] == "unknown"
    assert answer(result)["http_status"] == str(status)
    assert len(provider_api.calls) == 1


# --- slack -----------------------------------------------------------------------------------


def test_slack_posts_to_the_address_channel_with_a_bearer_token(make_channel, provider_api):
    provider_api.add(responses.POST, SLACK_URL, json={"ok": True, "ts": "1.2"})

    event = one_endpoint_event("C0123ABCD", ChannelType="CUSTOM")
    result = invoke(event, channel=slack(make_channel), timeout_seconds=15)

    assert answer(result) == {"status": "delivered", "attempts": "1", "http_status": "200"}
    (call,) = provider_api.calls
    assert call.request.url == SLACK_URL
    assert call.request.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert call.request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert call.request.body == b'{"text": "Hello Mary", "channel": "C0123ABCD"}'


def test_slack_channel_from_an_endpoint_attribute(make_channel, provider_api):
    provider_api.add(responses.POST, SLACK_URL, json={"ok": True})
    channel = slack(make_channel, CHANNEL_SLACK_CHANNEL_ATTRIBUTE="SlackUserId")
    event = one_endpoint_event(
        "mary.major@example.com",
        ChannelType="EMAIL",
        Attributes={"FirstName": ["Mary"], "SlackUserId": ["U024BE7LH"]},
    )

    result = invoke(event, channel=channel, timeout_seconds=15)

    assert answer(result)["status"] == "delivered"
    assert json.loads(provider_api.calls[0].request.body) == {
        "text": "Hello Mary",
        "channel": "U024BE7LH",
    }


def test_slack_json_object_data_is_sent_as_the_message(make_channel, provider_api):
    provider_api.add(responses.POST, SLACK_URL, json={"ok": True})
    data = (
        '{"text": "Hi {{Attributes.FirstName}}", "blocks": [{"type": "section", '
        '"text": {"type": "mrkdwn", "text": "*Hi* {{Attributes.FirstName}}"}}]}'
    )

    event = one_endpoint_event("C0123ABCD", data=data, ChannelType="CUSTOM")
    result = invoke(event, channel=slack(make_channel), timeout_seconds=15)

    assert answer(result)["status"] == "delivered"
    assert provider_api.calls[0].request.body == (
        b'{"text": "Hi Mary", "blocks": [{"type": "section", "text": {"type": "mrkdwn", '
        b'"text": "*Hi* Mary"}}], "channel": "C0123ABCD"}'
    )


def test_slack_ok_false_fails_with_the_slack_error(make_channel, provider_api):
    provider_api.add(responses.POST, SLACK_URL, json={"ok": False, "error": "channel_not_found"})

    event = one_endpoint_event("C0NOSUCH1", ChannelType="CUSTOM")
    result = invoke(event, channel=slack(make_channel), timeout_seconds=15)

    assert answer(result) == {
        "status": "failed",
        "reason": "slack channel_not_found",
        "attempts": "1",
        "http_status": "200",
    }
    assert len(provider_api.calls) == 1


@pytest.mark.parametrize(
    "first",
    [
        {"status": 429, "headers": {"Retry-After": "0"}},
        {"status": 200},
    ],
    ids=["http-429", "ok-false"],
)
def test_slack_ratelimited_is_retried(make_channel, provider_api, first):
    provider_api.add(responses.POST, SLACK_URL, json={"ok": False, "error": "ratelimited"}, **first)
    provider_api.add(responses.POST, SLACK_URL, json={"ok": True})

    event = one_endpoint_event("C0123ABCD", ChannelType="CUSTOM")
    result = invoke(event, channel=slack(make_channel), timeout_seconds=15)

    assert answer(result) == {"status": "delivered", "attempts": "2", "http_status": "200"}
    assert len(provider_api.calls) == 2


@pytest.mark.parametrize(
    "first",
    [
        {"status": 503, "json": {"ok": False}},
        {"status": 200, "json": {"ok": False, "error": "rate_limited"}},
        {"status": 200, "json": {"ok": False, "error": "service_unavailable"}},
    ],
    ids=["http-503", "rate_limited", "service_unavailable"],
)
def test_slack_not_processed_answers_are_retried(make_channel, provider_api, first):
    provider_api.add(responses.POST, SLACK_URL, **first)
    provider_api.add(responses.POST, SLACK_URL, json={"ok": True})

    event = one_endpoint_event("C0123ABCD", ChannelType="CUSTOM")
    result = invoke(event, channel=slack(make_channel), timeout_seconds=15)

    assert answer(result) == {"status": "delivered", "attempts": "2", "http_status": "200"}
    assert len(provider_api.calls) == 2


@pytest.mark.parametrize(
    "reply",
    [
        {"status": 500, "json": {"ok": False}},
        {"status": 502, "json": {"ok": False}},
        {"status": 504, "json": {"ok": False}},
        {"status": 200, "json": {"ok": False, "error": "internal_error"}},
        {"status": 200, "json": {"ok": False, "error": "fatal_error"}},
    ],
    ids=["http-500", "http-502", "http-504", "internal_error", "fatal_error"],
)
def test_slack_answers_that_may_have_posted_are_unknown_and_not_resent(
    make_channel, provider_api, reply
):
    """Slack: "it's possible some aspect of the operation succeeded" (internal_error)."""
    provider_api.add(responses.POST, SLACK_URL, **reply)

    event = one_endpoint_event("C0123ABCD", ChannelType="CUSTOM")
    result = invoke(event, channel=slack(make_channel), timeout_seconds=15)

    assert answer(result)["status"] == "unknown"
    assert len(provider_api.calls) == 1
