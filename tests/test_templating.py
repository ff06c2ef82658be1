"""Personalisation placeholders: names, defaults, lists, escaping, missing values."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from custom_channel.events import InvalidEvent, parse_event
from custom_channel.templating import (
    MissingValue,
    compile_template,
    data_escaper,
    endpoint_lookup,
    escaper,
)

EP = "1dbcd396df28ac6cf8c1c2b7fexample"


@pytest.fixture
def lookup(guide_event):
    body = guide_event["Endpoints"][EP]
    body["Attributes"]["Interests"] = ["kayaks", "tents"]
    body["Attributes"]["FirstName"] = ['Mary "M" \n Major']
    body["User"] = {"UserId": "u-7", "UserAttributes": {"Tier": ["gold"]}}
    event = parse_event(guide_event)
    return endpoint_lookup(event, event.endpoints[EP], {"Data": "hello"}, {"api_key": "k-1"})


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{Address}}", "mary.major@example.com"),
        ("{{ChannelType}}/{{EndpointId}}", f"EMAIL/{EP}"),
        ("{{Attributes.CohortId}}", "42"),
        ("{{Attributes.Interests}}", "kayaks, tents"),
        ("{{User.UserId}}:{{User.UserAttributes.Tier}}", "u-7:gold"),
        ("{{Location.City}}, {{Demographic.Platform}}", "Seattle, android"),
        ("{{CampaignId}}|{{TreatmentId}}", "13978104ce5d6017c72552257example|0"),
        (
            "{{ApplicationId}} {{ActivityId}}",
            "3a9b1f4e6c764ba7b031e7183example 575cb1929d5ba43e87e2478eeexample",
        ),
        ("{{ScheduledTime}}", "2020-04-08T19:00:16.843Z"),
        ("{{Attributes.Missing | friend}}", "friend"),
        ('{{Attributes.Missing | "dear customer"}}', "dear customer"),
        ("{{Data}} {{Secret.api_key}}", "hello k-1"),
        ("no placeholders", "no placeholders"),
    ],
)
def test_placeholders_resolve(lookup, template, expected):
    assert compile_template(template).render(lookup) == expected


def test_a_missing_value_without_default_names_the_placeholder(lookup):
    with pytest.raises(MissingValue) as raised:
        compile_template("Hi {{Attributes.Nickname}}").render(lookup)
    assert raised.value.name == "Attributes.Nickname"
    assert "{{Attributes.Nickname}}" in str(raised.value)


@pytest.mark.parametrize("name", ["Location.City", "Demographic.Make", "Metrics.Tags"])
def test_a_value_that_is_not_valid_unicode_is_named_when_read(guide_event, name):
    """events.py passes these objects on unchecked; reading a broken value names it."""
    body = guide_event["Endpoints"][EP]
    body["Location"]["City"] = "Se\ud800ttle"
    body["Demographic"]["Make"] = "\udfff"
    body["Metrics"] = {"Tags": ["ok", "\ud800"], "Visits": 3}
    event = parse_event(guide_event)
    lookup = endpoint_lookup(event, event.endpoints[EP])
    with pytest.raises(InvalidEvent) as raised:
        compile_template(f"{{{{{name}}}}}").render(lookup)
    assert raised.value.field == name
    assert compile_template("{{Metrics.Visits}} {{Location.Country}}").render(lookup) == "3 USA"


def test_json_escaping_keeps_the_body_valid(lookup):
    body = compile_template('{"name": "{{Attributes.FirstName}}"}').render(lookup, escaper("json"))
    assert json.loads(body) == {"name": 'Mary "M" \n Major'}


def test_form_escaping_round_trips(lookup):
    body = compile_template("to={{Address}}&name={{Attributes.FirstName}}").render(
        lookup, escaper("form")
    )
    assert parse_qs(body) == {"to": ["mary.major@example.com"], "name": ['Mary "M" \n Major']}


def test_plain_leaves_values_alone(lookup):
    assert compile_template("{{Attributes.FirstName}}").render(lookup, escaper("plain")) == (
        'Mary "M" \n Major'
    )


def test_secrets_are_not_available_without_being_passed(guide_event):
    event = parse_event(guide_event)
    plain = endpoint_lookup(event, event.endpoints[EP])
    with pytest.raises(MissingValue):
        compile_template("{{Secret.api_key}}").render(plain)


def test_json_data_stays_valid_json_when_values_hold_quotes(lookup):
    data = '{"text": "Hi {{Attributes.FirstName}}", "tags": ["{{Attributes.Interests}}"]}'
    rendered = compile_template(data).render(lookup, data_escaper(data))
    assert json.loads(rendered) == {"text": 'Hi Mary "M" \n Major', "tags": ["kayaks, tents"]}


def test_text_data_is_rendered_as_is(lookup):
    data = "Hi {{Attributes.FirstName}} {not json"
    assert (
        compile_template(data).render(lookup, data_escaper(data))
        == 'Hi Mary "M" \n Major {not json'
    )


def test_a_template_of_one_placeholder_takes_the_value_as_is(lookup):
    """The default body `{{Data}}` with JSON encoding sends the JSON Data unchanged."""
    assert compile_template("{{Data}}").render(lambda name: '{"text": "Hi"}', escaper("json")) == (
        '{"text": "Hi"}'
    )
    assert compile_template(" {{Data}}").render(lambda name: '"', escaper("json")) == ' \\"'


def test_json_data_reads_a_default_as_json_string_content(lookup):
    """Written inside a JSON string, a quoted default arrives escaped (Terraform's jsonencode
    also writes & < > as \\u0026...): it is read as the JSON says, and escaped once."""
    data = json.dumps(
        {
            "text": 'Hi {{Attributes.Nickname | "dear customer"}}',
            "tag": "{{Attributes.Tag | R&D <new>}}",
            "say": '{{Attributes.Quote | say "hi" \\ bye}}',
        },
        ensure_ascii=True,
    ).replace("&", "\\u0026")
    rendered = compile_template(data).render(lookup, data_escaper(data))
    assert json.loads(rendered) == {
        "text": "Hi dear customer",
        "tag": "R&D <new>",
        "say": 'say "hi" \\ bye',
    }


def test_json_data_reads_a_name_as_json_string_content():
    data = json.dumps({"text": "Hi {{Attributes.Prénom}}"}, ensure_ascii=True)
    assert "\\u00e9" in data
    values = {"Attributes.Prénom": 'Zoë "Z"'}.get
    rendered = compile_template(data).render(values, data_escaper(data))
    assert json.loads(rendered) == {"text": 'Hi Zoë "Z"'}


def test_a_placeholder_never_spans_two_json_strings():
    """`{{` in one string and `}}` in the next are text, and the document stays valid."""
    data = '{"{{a": "b}}", "c": ["x{{", "}}y"]}'
    template = compile_template(data)
    assert template.names == frozenset()
    assert template.render(lambda name: "v", data_escaper(data)) == data
