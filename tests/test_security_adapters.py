"""Endpoint data cannot steer the Slack and Twilio adapters (docs/security.md).

Slack: values are escaped for Slack's markup, and the channel must match
CHANNEL_SLACK_CHANNEL_PATTERN. Twilio: the Address must be an E.164 number in an allowed
calling code (CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
import responses

from custom_channel.adapters import AdapterError, Message
from custom_channel.adapters.slack import SlackAdapter, escape_mrkdwn
from custom_channel.adapters.twilio import TwilioAdapter
from custom_channel.config import ConfigError, load_settings
from custom_channel.events import Endpoint, parse_event
from custom_channel.operator.local import invoke
from custom_channel.templating import compile_template, data_escaper, endpoint_lookup
from emulator.segments import campaign_event
from tests.test_adapters import (  # noqa: F401  (fixtures)
    TWILIO_URL,
    answer,
    aws,
    make_channel,
    one_endpoint_event,
    provider_api,
    twilio,
)

PHISH = "<!channel> <https://evil.example/login|Re-authenticate here> & <@U024BE7LH>"
ESCAPED = (
    "&lt;!channel&gt; &lt;https://evil.example/login|Re-authenticate here&gt; "
    "&amp; &lt;@U024BE7LH&gt;"
)
SLACK_SECRET = {"bot_token": "xoxb-1111-2222-abcdEFGH"}
TWILIO_SECRET = {"account_sid": "AC0123456789abcdef0123456789abcdef", "auth_token": "t"}


def _event(address: str, data: str, **attributes: list[str]) -> tuple[Any, Endpoint]:
    body = {
        "ChannelType": "CUSTOM",
        "Address": address,
        "EndpointStatus": "ACTIVE",
        "OptOut": "NONE",
        "Attributes": {"FirstName": [PHISH], **attributes},
    }
    event = parse_event(campaign_event({"ep-1": body}, data))
    endpoint = event.endpoints["ep-1"]
    assert isinstance(endpoint, Endpoint)
    return event, endpoint


def _slack_body(
    data: str,
    address: str = "C0123ABCD",
    attributes: dict[str, list[str]] | None = None,
    **settings: Any,
) -> dict[str, Any]:
    """What the slack adapter sends, with Data personalised as channel.py does it."""
    adapter = SlackAdapter(**settings).with_secret(SLACK_SECRET)
    event, endpoint = _event(address, data, **(attributes or {}))
    rendered = compile_template(event.data).render(
        endpoint_lookup(event, endpoint), data_escaper(event.data, adapter.escape_value)
    )
    request = adapter.build(Message(event, endpoint, rendered, "key"))
    assert request.body is not None
    body: dict[str, Any] = json.loads(request.body)
    return body


def test_escape_mrkdwn_escapes_the_three_control_characters_once():
    assert escape_mrkdwn(PHISH) == ESCAPED
    assert escape_mrkdwn("&amp;") == "&amp;amp;"  # a value is text: its & is escaped too
    assert escape_mrkdwn("plain *bold* text") == "plain *bold* text"


def test_a_value_in_text_data_cannot_ping_a_channel_or_disguise_a_link():
    body = _slack_body("Hello <@U999ZZZZZ>, {{Attributes.FirstName}}")
    # The campaign's own markup stays; the value's is escaped.
    assert body == {"text": f"Hello <@U999ZZZZZ>, {ESCAPED}", "channel": "C0123ABCD"}


def test_a_value_in_json_data_cannot_ping_a_channel_or_disguise_a_link():
    data = json.dumps(
        {
            "text": "Hi {{Attributes.FirstName}}",
            "blocks": [
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": "{{Attributes.FirstName}} <!here>"},
                }
            ],
        }
    )
    body = _slack_body(data)
    assert body["text"] == f"Hi {ESCAPED}"
    assert body["blocks"][0]["text"]["text"] == f"{ESCAPED} <!here>"


def test_without_the_adapters_escape_the_markup_would_reach_slack():
    """The check above is not vacuous: data_escaper alone leaves Slack markup in place."""
    event, endpoint = _event("C0123ABCD", "{{Attributes.FirstName}}!")
    rendered = compile_template(event.data).render(
        endpoint_lookup(event, endpoint), data_escaper(event.data)
    )
    assert "<!channel>" in rendered


@pytest.mark.parametrize(
    "channel",
    ["#general", "general", "@mary", "C0123", "c0123abcd", "C0123ABCD\n", "X0123ABCD", ""],
)
def test_a_channel_outside_the_pattern_is_blocked(channel):
    adapter = SlackAdapter().with_secret(SLACK_SECRET)
    event, endpoint = _event(channel or "C0123ABCD", "Hi")
    if not channel:
        endpoint = dataclasses.replace(endpoint, address="")
    with pytest.raises(AdapterError) as raised:
        adapter.build(Message(event, endpoint, "Hi", "key"))
    if channel:
        assert str(raised.value) == (
            "blocked: channel does not match CHANNEL_SLACK_CHANNEL_PATTERN"
        )


@pytest.mark.parametrize(
    "channel", ["C0123ABCD", "G01234567", "D0123ABCDEF", "U024BE7LH", "W0123ABCD"]
)
def test_slack_ids_match_the_default_pattern(channel):
    assert _slack_body("Hi", channel)["channel"] == channel


def test_a_narrowed_pattern_allows_only_its_channels():
    settings = {"channel_pattern": "C0123ABCD|C0456EFGH"}
    assert _slack_body("Hi", "C0456EFGH", **settings)["channel"] == "C0456EFGH"
    with pytest.raises(AdapterError, match=r"^blocked: "):
        _slack_body("Hi", "C0999ZZZZ", **settings)


def test_the_channel_from_an_attribute_is_checked_too():
    adapter = SlackAdapter(channel_attribute="Slack").with_secret(SLACK_SECRET)
    event, endpoint = _event("C0123ABCD", "Hi", Slack=["#random"])
    with pytest.raises(AdapterError, match=r"^blocked: "):
        adapter.build(Message(event, endpoint, "Hi", "key"))


def test_slack_channel_pattern_setting():
    base = {"CHANNEL_ADAPTER": "slack", "CHANNEL_SECRET_ID": "s"}
    settings = load_settings(base)
    assert isinstance(settings.provider, SlackAdapter)
    assert settings.provider.channel_pattern == "[CDGUW][A-Z0-9]{8,}"
    narrowed = load_settings({**base, "CHANNEL_SLACK_CHANNEL_PATTERN": " U[A-Z0-9]{8,} "})
    assert isinstance(narrowed.provider, SlackAdapter)
    assert narrowed.provider.channel_pattern == "U[A-Z0-9]{8,}"
    with pytest.raises(ConfigError) as raised:
        load_settings({**base, "CHANNEL_SLACK_CHANNEL_PATTERN": "C(0"})
    assert raised.value.variable == "CHANNEL_SLACK_CHANNEL_PATTERN"


# --- twilio ----------------------------------------------------------------------------------


def _twilio_build(address: str, **settings: Any) -> bytes:
    adapter = TwilioAdapter(sender="+15005550006", **settings).with_secret(TWILIO_SECRET)
    event, endpoint = _event(address, "Hi")
    request = adapter.build(Message(event, endpoint, "Hi", "key"))
    assert request.body is not None
    return request.body


@pytest.mark.parametrize(
    "address",
    [
        "12065550100",  # no +
        "+02065550100",  # a country code never starts with 0
        "+120655",  # 6 digits
        "+1206555010012345",  # 16 digits
        "+1 206 555 0100",
        "+1-206-555-0100",
        "+12065550100\n",
        "+1206555o100",
        "whatsapp:+12065550100",  # not in WhatsApp mode
        "tel:+12065550100",
        "+١٢٠٦٥٥٥٠١٠٠",  # Arabic-Indic digits: \\d would take them
    ],
)
def test_an_address_that_is_not_e164_is_blocked_without_naming_it(address):
    with pytest.raises(AdapterError) as raised:
        _twilio_build(address)
    assert str(raised.value).startswith("blocked: ")
    assert "0100" not in str(raised.value)


@pytest.mark.parametrize(
    ("address", "codes", "allowed"),
    [
        ("+12065550100", ("1",), True),
        ("+18765550100", ("1",), True),  # Jamaica is +1 876: NANP, inside "1"
        ("+18765550100", ("1876",), True),
        ("+12065550100", ("1876",), False),
        ("+447700900123", ("1",), False),  # the default: US/Canada only
        ("+447700900123", ("1", "44"), True),
        ("+4915112345678", ("1", "44"), False),
        ("+882123456789", ("1", "44"), False),  # international networks: pumping favourites
    ],
)
def test_a_destination_outside_the_allowed_calling_codes_is_blocked(address, codes, allowed):
    if allowed:
        assert _twilio_build(address, allowed_country_codes=codes)
        return
    with pytest.raises(AdapterError) as raised:
        _twilio_build(address, allowed_country_codes=codes)
    assert str(raised.value) == "blocked: destination not in CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES"


def test_whatsapp_mode_checks_the_number_after_its_prefix():
    assert _twilio_build("whatsapp:+12065550100", whatsapp=True)
    assert _twilio_build("+12065550100", whatsapp=True)
    with pytest.raises(AdapterError, match=r"^blocked: "):
        _twilio_build("whatsapp:+447700900123", whatsapp=True)
    with pytest.raises(AdapterError, match=r"^blocked: "):
        _twilio_build("whatsapp:whatsapp:+12065550100", whatsapp=True)


def test_a_blocked_destination_is_never_sent(make_channel, provider_api):  # noqa: F811
    result = invoke(
        one_endpoint_event("+447700900123"), channel=twilio(make_channel), timeout_seconds=15
    )
    assert answer(result) == {
        "status": "failed",
        "reason": "blocked: destination not in CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES",
    }
    assert not provider_api.calls


def test_an_allowed_destination_is_sent(make_channel, provider_api):  # noqa: F811
    provider_api.add(responses.POST, TWILIO_URL, status=201, json={"sid": "SM1"})
    channel = twilio(make_channel, CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES="1, 44")
    result = invoke(one_endpoint_event("+447700900123"), channel=channel, timeout_seconds=15)
    assert answer(result)["status"] == "delivered"


TWILIO_ENV = {
    "CHANNEL_ADAPTER": "twilio",
    "CHANNEL_SECRET_ID": "s",
    "CHANNEL_TWILIO_FROM": "+15005550006",
}


@pytest.mark.parametrize(
    ("raw", "codes"),
    [(None, ("1",)), ("", ("1",)), ("1,44", ("1", "44")), (" 1876 , 44 ", ("1876", "44"))],
)
def test_allowed_country_codes_are_parsed(raw, codes):
    env = dict(TWILIO_ENV)
    if raw is not None:
        env["CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES"] = raw
    settings = load_settings(env)
    assert isinstance(settings.provider, TwilioAdapter)
    assert settings.provider.allowed_country_codes == codes


@pytest.mark.parametrize("raw", ["+1", "0", "01", "12345", "1,,44", "1;44", "US", "1,", "٤٤"])
def test_bad_allowed_country_codes_are_named(raw):
    with pytest.raises(ConfigError) as raised:
        load_settings({**TWILIO_ENV, "CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES": raw})
    assert raised.value.variable == "CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES"


# --- http ------------------------------------------------------------------------------------


def test_a_rendered_header_with_a_control_character_fails_that_endpoint_alone(
    make_channel,  # noqa: F811
    provider_api,  # noqa: F811
):
    provider_api.add(responses.POST, "https://api.example.com/send", status=200)
    channel = make_channel(
        "http",
        {"api_key": "k"},
        CHANNEL_HTTP_URL="https://api.example.com/send",
        CHANNEL_HTTP_HEADERS=json.dumps({"X-Name": "{{Attributes.FirstName}}"}),
    )
    good = {"ChannelType": "SMS", "Address": "+12065550100", "Attributes": {"FirstName": ["Mary"]}}
    evil = {
        "ChannelType": "SMS",
        "Address": "+12065550101",
        "Attributes": {"FirstName": ["Mary\r\nX-Admin: true"]},
    }
    nul = {"ChannelType": "SMS", "Address": "+12065550102", "Attributes": {"FirstName": ["a\x00"]}}
    event = campaign_event({"ep-good": good, "ep-evil": evil, "ep-nul": nul}, "Hi")

    result = invoke(event, channel=channel, timeout_seconds=15)

    assert answer(result, "ep-good")["status"] == "delivered"
    for endpoint_id in ("ep-evil", "ep-nul"):
        assert answer(result, endpoint_id) == {
            "status": "failed",
            "reason": "header X-Name has a control character",
        }
    (call,) = provider_api.calls
    assert call.request.headers["X-Name"] == "Mary"


def test_the_channel_escapes_slack_markup_in_what_it_sends(make_channel, provider_api):  # noqa: F811
    """End to end through channel.py: the value an endpoint wrote reaches Slack inert."""
    provider_api.add(
        responses.POST, "https://slack.com/api/chat.postMessage", json={"ok": True}, status=200
    )
    channel = make_channel("slack", SLACK_SECRET)
    event = campaign_event(
        {
            "ep-1": {
                "ChannelType": "CUSTOM",
                "Address": "C0123ABCD",
                "Attributes": {"FirstName": [PHISH]},
            }
        },
        "Hi {{Attributes.FirstName}}",
    )
    result = invoke(event, channel=channel, timeout_seconds=15)
    assert result.response["ep-1"]["EventAttributes"]["status"] == "delivered"
    sent = json.loads(provider_api.calls[0].request.body)
    assert sent["text"] == f"Hi {ESCAPED}"


# A Data that is one placeholder: the landed code sent the value unescaped, and parsed it as
# the whole chat.postMessage payload when it looked like a JSON object (issue: security).
NOTE_PAYLOAD = (
    '{"text": "\\u003c!channel> pay here", "username": "IT desk", "icon_emoji": ":lock:"}'
)


def test_a_single_placeholder_data_is_escaped_and_never_a_payload():
    body = _slack_body("{{Attributes.Note}}", attributes={"Note": ["<!channel> " + NOTE_PAYLOAD]})
    assert set(body) == {"text", "channel"}
    assert body["text"] == escape_mrkdwn("<!channel> " + NOTE_PAYLOAD)
    body = _slack_body("{{Attributes.Note}}", attributes={"Note": [NOTE_PAYLOAD]})
    assert set(body) == {"text", "channel"}  # decided by the template, not the value
    assert "<!channel>" not in body["text"]


def test_a_payload_template_may_only_use_the_keys_slack_allows():
    allowed = json.dumps({"text": "Hi {{Attributes.FirstName}}", "unfurl_links": False})
    assert _slack_body(allowed)["unfurl_links"] is False
    impersonating = json.dumps({"text": "Hi", "username": "IT desk"})
    with pytest.raises(AdapterError, match="payload key 'username' is not allowed"):
        _slack_body(impersonating)
