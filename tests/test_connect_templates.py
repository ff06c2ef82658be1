"""Templates authored in Connect (connect_templates.py), end to end: the real handler reads an
Amazon Q in Connect message template from the local AWS (emulator/local_qconnect.py, shaped
by botocore's model) and renders it per profile of a real-shape invocation against a real
local provider."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from custom_channel.channel import Channel
from custom_channel.config import ConfigError, load_settings
from custom_channel.operator.local import invoke
from emulator.local_aws import LocalAws
from tests.connect_channel import http_channel

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "fixtures" / "connect_real_event.json"
LABEL = "Winter Greeting"
MARA = "1b5e6f708c9d4e0f9a8b7c6d5e4f3a2b"


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with LocalAws() as local:
        yield local


@pytest.fixture
def local_env(aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> LocalAws:
    for name, value in aws.env.items():
        monkeypatch.setenv(name, value)
    return aws


def sms(text: str) -> dict[str, Any]:
    return {"sms": {"body": {"plainText": {"content": text}}}}


def channel_for(
    provider: Any, knowledge_base: str, template_ids: dict[str, str], **env: str
) -> Channel:
    return http_channel(
        provider,
        CHANNEL_CONNECT_KNOWLEDGE_BASE_ID=knowledge_base,
        CHANNEL_CONNECT_TEMPLATE_IDS=json.dumps(template_ids),
        **env,
    )


def real_event(label: str = LABEL) -> dict[str, Any]:
    event = json.loads(REAL.read_text(encoding="utf-8"))
    event["InvocationMetadata"]["CampaignContext"]["ActionId"] = label
    return event


def results(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["Id"]: item["ResultData"] for item in answer["Items"]["CustomerProfiles"]}


def texts(provider: Any) -> dict[str, str]:
    bodies = [json.loads(request.body) for request in provider.requests]
    return {body["to"]: body["text"] for body in bodies}


def test_a_connect_authored_template_renders_per_profile(local_env, provider):
    kb = str(uuid.uuid4())
    template_id = local_env.put_message_template(
        kb,
        "winter-greeting",
        "SMS",
        sms(
            "{{Attributes.greeting}} {{Attributes.Customer.FirstName}} in "
            "{{Attributes.Customer.City}}, your {{Attributes.plan}} plan"
            "{{Attributes.Customer.MiddleName}}"
        ),
        # The template's default values stand for what a profile lacks.
        default_attributes={
            "customAttributes": {"greeting": "Hi"},
            "customerProfileAttributes": {"middleName": "."},
        },
    )
    channel = channel_for(provider, kb, {LABEL: template_id})
    answer = invoke(real_event(), channel=channel).response
    assert texts(provider) == {
        "mara.quintela@example.com": "Hi Mara in Lisbon, your premium plan.",
        "+351220000202": "Hi Inês in Porto, your basic plan.",
        "lior@example.com": "Hi Lior in Haifa, your premium plan.",
    }
    assert results(answer)["2c6f708192ae4f1b8c9d0e1f2a3b4c5d"]["status"] == "skipped"
    channel.close()


def test_the_published_version_is_read_once_per_container_and_a_pinned_one_on_request(
    local_env, provider
):
    kb = str(uuid.uuid4())
    template_id = local_env.put_message_template(kb, "t", "SMS", sms("v1 {{FirstName}}"))
    local_env.put_message_template(kb, "t", "SMS", sms("v2 {{FirstName}}"), activate=False)
    channel = channel_for(provider, kb, {LABEL: template_id, "pinned": f"{template_id}:2"})
    invoke(real_event(), channel=channel)
    # Published again: the container keeps the text it read until the TTL runs out.
    local_env.put_message_template(kb, "t", "SMS", sms("v3 {{FirstName}}"))
    invoke(real_event(), channel=channel)
    invoke(real_event("pinned"), channel=channel)
    firsts = [json.loads(r.body)["text"].split()[0] for r in provider.requests]
    assert firsts == ["v1"] * 3 + ["v1"] * 3 + ["v2"] * 3
    channel.close()


def test_a_template_that_cannot_be_had_fails_its_profiles_naming_it(local_env, provider):
    kb = str(uuid.uuid4())
    missing = str(uuid.uuid4())
    local_env.put_message_template(kb, "other", "SMS", sms("never sent"))
    channel = channel_for(
        provider, kb, {LABEL: missing}, CHANNEL_MESSAGE_TEMPLATE="not a fallback either"
    )
    answer = invoke(real_event(), channel=channel).response
    reason = results(answer)[MARA]["reason"]
    assert reason == (
        f"template: message template {missing}:$ACTIVE_VERSION cannot be read: "
        "ResourceNotFoundException"
    )
    assert provider.requests == []
    # Blocks the map does not name keep the configured text.
    invoke(real_event("another block"), channel=channel)
    assert set(texts(provider).values()) == {"not a fallback either"}
    channel.close()


def test_an_unsupported_channel_subtype_is_refused_with_a_reason(local_env, provider):
    kb = str(uuid.uuid4())
    push = {"push": {"fcm": {"title": "t", "body": {"content": "b"}}}}
    template_id = local_env.put_message_template(kb, "push", "PUSH", push)
    answer = invoke(real_event(), channel=channel_for(provider, kb, {LABEL: template_id}))
    assert "channel subtype PUSH is not supported" in results(answer.response)[MARA]["reason"]
    assert provider.requests == []


def test_an_email_template_sends_its_plain_text_body(local_env, provider):
    kb = str(uuid.uuid4())
    email = {
        "email": {
            "subject": "Welcome",
            "body": {
                "plainText": {"content": "Plain for {{Attributes.Customer.FirstName}}"},
                "html": {"content": "<p>HTML</p>"},
            },
        }
    }
    template_id = local_env.put_message_template(kb, "email", "EMAIL", email)
    invoke(real_event(), channel=channel_for(provider, kb, {LABEL: template_id}))
    assert texts(provider)["lior@example.com"] == "Plain for Lior"


def test_a_refresh_that_fails_serves_the_cached_template(local_env, provider, monkeypatch, capsys):
    kb = str(uuid.uuid4())
    template_id = local_env.put_message_template(kb, "t", "SMS", sms("cached {{FirstName}}"))
    channel = channel_for(
        provider, kb, {LABEL: template_id}, CHANNEL_CONNECT_TEMPLATE_TTL_SECONDS="0"
    )
    invoke(real_event(), channel=channel)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    channel.aws._clients.clear()  # the next read builds a client on the dead endpoint
    channel.aws._session = None
    answer = invoke(real_event(), channel=channel).response
    assert results(answer)[MARA]["status"] == "delivered"
    assert len(provider.requests) == 6
    assert "message template refresh failed; serving the cached one" in capsys.readouterr().out
    channel.close()


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"CHANNEL_CONNECT_KNOWLEDGE_BASE_ID": "KB"}, "must be a knowledge base id"),
        (
            {"CHANNEL_CONNECT_TEMPLATE_IDS": json.dumps({LABEL: "0" * 8})},
            "CHANNEL_CONNECT_TEMPLATE_IDS: the template of 'Winter Greeting' must be",
        ),
        (
            {"CHANNEL_CONNECT_TEMPLATE_IDS": json.dumps({LABEL: str(uuid.uuid4())})},
            "CHANNEL_CONNECT_KNOWLEDGE_BASE_ID: set",
        ),
        (
            {"CHANNEL_CONNECT_KNOWLEDGE_BASE_ID": str(uuid.uuid4())},
            "CHANNEL_CONNECT_TEMPLATE_IDS: set",
        ),
        ({"CHANNEL_CONNECT_TEMPLATE_TTL_SECONDS": "-1"}, "must be between 0 and 86400"),
    ],
)
def test_bad_template_settings_name_the_variable(env, problem):
    with pytest.raises(ConfigError, match=problem):
        load_settings(env)
