"""Parsing Pinpoint's payload: the guide's sample, journeys, and broken input."""

from __future__ import annotations

import pytest

from custom_channel.events import Endpoint, InvalidEndpoint, InvalidEvent, parse_event


def test_the_guides_sample_parses_into_typed_fields(guide_event):
    event = parse_event(guide_event)
    assert event.application_id == "3a9b1f4e6c764ba7b031e7183example"
    assert event.campaign_id == "13978104ce5d6017c72552257example"
    assert event.treatment_id == "0"
    assert event.activity_id == "575cb1929d5ba43e87e2478eeexample"
    assert event.scheduled_time == "2020-04-08T19:00:16.843Z"
    assert event.data.startswith("The payload that's provided")
    endpoint = event.endpoints["1dbcd396df28ac6cf8c1c2b7fexample"]
    assert isinstance(endpoint, Endpoint)
    assert endpoint.channel_type == "EMAIL"
    assert endpoint.address == "mary.major@example.com"
    assert endpoint.endpoint_status == "ACTIVE"
    assert endpoint.opt_out == "NONE"
    assert endpoint.location == {"City": "Seattle", "Country": "USA"}
    assert endpoint.demographic == {"Make": "OnePlus", "Platform": "android"}
    assert endpoint.attributes == {"CohortId": ["42"]}
    assert endpoint.effective_date == "2020-04-01T01:05:17.267Z"
    assert endpoint.creation_date == "2020-04-01T01:05:17.267Z"


def test_unknown_fields_are_tolerated(guide_event):
    guide_event["SomethingNew"] = {"x": 1}
    guide_event["Endpoints"]["1dbcd396df28ac6cf8c1c2b7fexample"]["Future"] = [1, 2]
    event = parse_event(guide_event)
    assert isinstance(event.endpoints["1dbcd396df28ac6cf8c1c2b7fexample"], Endpoint)


def test_journey_invocations_are_accepted(guide_event):
    del guide_event["CampaignId"]
    del guide_event["TreatmentId"]
    guide_event["JourneyId"] = "j-123"
    event = parse_event(guide_event)
    assert event.journey_id == "j-123"
    assert event.source_kind == "JourneyId"
    assert event.treatment_id == "0"


def test_user_attributes_and_numeric_treatment(guide_event):
    guide_event["TreatmentId"] = 3
    body = guide_event["Endpoints"]["1dbcd396df28ac6cf8c1c2b7fexample"]
    body["User"] = {"UserId": "u-1", "UserAttributes": {"Plan": ["gold", "annual"]}}
    event = parse_event(guide_event)
    endpoint = event.endpoints["1dbcd396df28ac6cf8c1c2b7fexample"]
    assert event.treatment_id == "3"
    assert isinstance(endpoint, Endpoint)
    assert endpoint.user_id == "u-1"
    assert endpoint.user_attributes == {"Plan": ["gold", "annual"]}


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e.pop("ApplicationId"), "ApplicationId"),
        (lambda e: e.update(ApplicationId=42), "ApplicationId"),
        (lambda e: e.pop("CampaignId"), "CampaignId"),
        (lambda e: e.update(CampaignId=["x"]), "CampaignId"),
        (lambda e: e.pop("Endpoints"), "Endpoints"),
        (lambda e: e.update(Endpoints=["a", "b"]), "Endpoints"),
        (lambda e: e.update(Data={"not": "a string"}), "Data"),
        (lambda e: e.update(TreatmentId={"x": 1}), "TreatmentId"),
        (lambda e: e.update(ActivityId=5), "ActivityId"),
    ],
)
def test_a_broken_event_names_the_bad_field(guide_event, mutate, field):
    mutate(guide_event)
    with pytest.raises(InvalidEvent) as raised:
        parse_event(guide_event)
    assert raised.value.field == field


@pytest.mark.parametrize("payload", [None, [], "text", 12])
def test_a_non_object_event_is_invalid(payload):
    with pytest.raises(InvalidEvent) as raised:
        parse_event(payload)
    assert raised.value.field == "event"


def parsed_beside_the_guides_endpoint(guide_event, body) -> InvalidEndpoint:
    """Parse `body` as endpoint "bad" next to the guide's valid one, which must still parse."""
    guide_event["Endpoints"]["bad"] = body
    event = parse_event(guide_event)
    assert isinstance(event.endpoints["1dbcd396df28ac6cf8c1c2b7fexample"], Endpoint)
    bad = event.endpoints["bad"]
    assert isinstance(bad, InvalidEndpoint)
    return bad


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not an object", "endpoint"),
        ({"Address": "x"}, "ChannelType"),
        ({"ChannelType": 5, "Address": "x"}, "ChannelType"),
        ({"ChannelType": "SMS", "Address": 5}, "Address"),
        ({"ChannelType": "SMS", "Address": "x", "OptOut": 1}, "OptOut"),
        ({"ChannelType": "SMS", "Address": "x", "Attributes": {"A": {"b": 1}}}, "Attributes.A"),
        ({"ChannelType": "SMS", "Address": "x", "Attributes": {"A": ["ok", None]}}, "Attributes.A"),
        ({"ChannelType": "SMS", "Address": "x", "Attributes": {"A": [True]}}, "Attributes.A"),
        ({"ChannelType": "SMS", "Address": "x", "Attributes": {"A": [{"b": 1}]}}, "Attributes.A"),
        (
            {"ChannelType": "SMS", "User": {"UserAttributes": {"B": [["x"]]}}},
            "User.UserAttributes.B",
        ),
        ({"ChannelType": "SMS", "Address": "x", "Attributes": "nope"}, "Attributes"),
        ({"ChannelType": "SMS", "Address": "x", "User": "nope"}, "User"),
        ({"ChannelType": "SMS", "Address": "x", "User": []}, "User"),
        ({"ChannelType": "SMS", "Address": "x", "User": ""}, "User"),
        ({"ChannelType": "SMS", "Address": "x", "User": 0}, "User"),
        ({"ChannelType": "SMS", "Address": "x", "Location": [1]}, "Location"),
    ],
)
def test_a_broken_endpoint_fails_alone(guide_event, body, field):
    bad = parsed_beside_the_guides_endpoint(guide_event, body)
    assert bad.field == field
    assert field in bad.reason


def test_a_null_treatment_is_the_default(guide_event):
    """Null means absent, as for every other field: it must not fail the whole batch."""
    guide_event["TreatmentId"] = None
    assert parse_event(guide_event).treatment_id == "0"


LONE = "\ud800"  # JSON may carry "\ud800"; json.loads gives a str no encoder accepts


@pytest.mark.parametrize("field", ["ApplicationId", "CampaignId", "TreatmentId", "Data"])
def test_an_event_field_that_is_not_valid_unicode_is_named(guide_event, field):
    guide_event[field] = f"x{LONE}"
    with pytest.raises(InvalidEvent) as raised:
        parse_event(guide_event)
    assert raised.value.field == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ChannelType": LONE}, "ChannelType"),
        ({"ChannelType": "SMS", "Address": f"+1{LONE}"}, "Address"),
        ({"ChannelType": "SMS", "Attributes": {"FirstName": [LONE]}}, "Attributes.FirstName"),
        ({"ChannelType": "SMS", "Attributes": {LONE: ["x"]}}, "Attributes.\\ud800"),
        ({"ChannelType": "SMS", "User": {"UserId": LONE}}, "User.UserId"),
        ({"ChannelType": "SMS", "User": {"UserAttributes": {"a": LONE}}}, "User.UserAttributes.a"),
        ({"ChannelType": "SMS", "OptOut": LONE}, "OptOut"),
        ({"ChannelType": "SMS", "CreationDate": LONE}, "CreationDate"),
    ],
)
def test_an_endpoint_string_that_is_not_valid_unicode_fails_alone(guide_event, body, field):
    bad = parsed_beside_the_guides_endpoint(guide_event, body)
    assert bad.field == field
    bad.reason.encode("utf-8")  # the reason itself can be logged and answered


def test_an_endpoint_id_that_is_not_valid_unicode_fails_alone(guide_event):
    """It would otherwise reach the idempotency key's hash and fail the whole batch."""
    guide_event["Endpoints"][LONE] = {"ChannelType": "SMS", "Address": "+12065550100"}
    event = parse_event(guide_event)
    bad = event.endpoints[LONE]
    assert isinstance(bad, InvalidEndpoint)
    assert bad.field == "EndpointId"
    assert isinstance(event.endpoints["1dbcd396df28ac6cf8c1c2b7fexample"], Endpoint)


def test_location_demographic_and_metrics_are_passed_on_unchecked(guide_event):
    """Their strings are checked only when a template reads one (test_templating.py), so a
    broken value there costs nothing until it is used, and parsing never walks them."""
    nested: object = "x"
    for _ in range(5000):
        nested = [nested]
    endpoint = guide_event["Endpoints"]["1dbcd396df28ac6cf8c1c2b7fexample"]
    endpoint["Location"] = {"City": LONE, "Deep": nested}
    endpoint["Demographic"] = {LONE: "x"}
    endpoint["Metrics"] = {"x": [LONE]}
    parsed = parse_event(guide_event).endpoints["1dbcd396df28ac6cf8c1c2b7fexample"]
    assert isinstance(parsed, Endpoint)
    assert parsed.location["City"] == LONE
