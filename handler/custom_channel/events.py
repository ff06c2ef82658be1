"""The payload Pinpoint sends to a custom channel, parsed into typed objects.

Shape (from the Pinpoint guide): ApplicationId, CampaignId (or JourneyId), TreatmentId,
ActivityId, ScheduledTime, Data, Message, and Endpoints: a map of endpoint id to endpoint.
Unknown fields are kept out of the way, never rejected. A structurally broken event raises
InvalidEvent naming the field; a broken endpoint becomes an InvalidEndpoint for that id only.
A null field is the same as a missing one.
JSON can carry a lone surrogate ("\\ud800"), a string no request, hash or log line can encode.
Every string the channel uses itself (ids, ChannelType, Address, statuses, dates, UserId,
attributes) is checked here, so such an endpoint fails alone, naming its field, instead of
failing its batch. Location, Demographic and Metrics are only passed on: a template that reads
one of their values checks it then (templating.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

_NO_FIELDS: Mapping[str, str] = MappingProxyType({})  # shared: a Pinpoint endpoint has none


class InvalidEvent(ValueError):
    """The event as a whole cannot be processed; `field` names what is wrong."""

    def __init__(self, field_name: str, problem: str) -> None:
        super().__init__(f"{field_name}: {problem}")
        self.field = field_name
        self.problem = problem


@dataclass(frozen=True)
class Endpoint:
    endpoint_id: str
    channel_type: str
    address: str
    endpoint_status: str = "ACTIVE"
    opt_out: str = "NONE"
    attributes: Mapping[str, list[str]] = field(default_factory=dict)
    user_id: str | None = None
    user_attributes: Mapping[str, list[str]] = field(default_factory=dict)
    location: Mapping[str, Any] = field(default_factory=dict)
    demographic: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, Any] = field(default_factory=dict)
    effective_date: str | None = None
    creation_date: str | None = None
    # Further placeholder values by name (a Connect profile's fields: FirstName, Address.City).
    fields: Mapping[str, str] = field(default_factory=lambda: _NO_FIELDS)


@dataclass(frozen=True)
class InvalidEndpoint:
    """An endpoint entry that cannot be delivered; it fails on its own, the batch goes on."""

    endpoint_id: str
    channel_type: str | None
    field: str
    problem: str

    @property
    def reason(self) -> str:
        return f"invalid endpoint: {self.field} {self.problem}"


@dataclass(frozen=True)
class Event:
    application_id: str
    campaign_id: str | None
    journey_id: str | None
    treatment_id: str
    activity_id: str | None
    scheduled_time: str | None
    data: str
    endpoints: Mapping[str, Endpoint | InvalidEndpoint]
    source: str = "pinpoint"  # the event source that parsed it (sources/)
    run_id: str | None = None  # a Connect campaign run
    # A Connect block whose message is a template authored in Connect: `data` is read by the
    # channel before delivery (connect_templates.py), with the template's default values.
    template_id: str | None = None
    template_defaults: Mapping[str, str] | None = None

    @property
    def source_id(self) -> str:
        """The campaign id, or the journey id for journey invocations."""
        return self.campaign_id or self.journey_id or ""

    @property
    def source_kind(self) -> str:
        return "CampaignId" if self.campaign_id else "JourneyId"

    def context_fields(self) -> dict[str, str]:
        """Ids that go on every log line of this invocation."""
        if self.source == "connect":
            return {
                "event_source": "connect",
                "campaign_id": self.campaign_id or "",
                "run_id": self.run_id or "",
                "action_id": self.activity_id or "",
            }
        fields = {
            "application_id": self.application_id,
            "treatment_id": self.treatment_id,
        }
        if self.campaign_id:
            fields["campaign_id"] = self.campaign_id
        if self.journey_id:
            fields["journey_id"] = self.journey_id
        if self.activity_id:
            fields["activity_id"] = self.activity_id
        return fields


def endpoint_ids_of(raw: object) -> list[str]:
    """Endpoint ids of a payload that failed to parse, so each can still be answered."""
    if isinstance(raw, Mapping):
        endpoints = raw.get("Endpoints")
        if isinstance(endpoints, Mapping):
            return [key for key in endpoints if isinstance(key, str)]
    return []


def parse_event(raw: object) -> Event:
    if not isinstance(raw, _OBJECT):
        raise InvalidEvent("event", f"must be a JSON object, got {_kind(raw)}")
    application_id = _required_id(raw, "ApplicationId")
    campaign_id = _optional_str(raw, "CampaignId")
    journey_id = _optional_str(raw, "JourneyId")
    if not campaign_id and not journey_id:
        raise InvalidEvent("CampaignId", "is missing (and there is no JourneyId)")
    # Null is absent here too (journeys carry no treatment): it must not fail the batch.
    treatment = raw.get("TreatmentId")
    if treatment is None:
        treatment = "0"
    if isinstance(treatment, int) and not isinstance(treatment, bool):
        treatment = str(treatment)
    if not isinstance(treatment, str):
        raise InvalidEvent("TreatmentId", f"must be a string, got {_kind(treatment)}")
    _check_text(treatment, "TreatmentId")
    data = raw.get("Data", "")
    if data is None:
        data = ""
    if not isinstance(data, str):
        raise InvalidEvent("Data", f"must be a string, got {_kind(data)}")
    _check_text(data, "Data")
    endpoints = raw.get("Endpoints")
    if not isinstance(endpoints, _OBJECT):
        problem = (
            "is missing" if endpoints is None else f"must be an object, got {_kind(endpoints)}"
        )
        raise InvalidEvent("Endpoints", problem)
    parsed: dict[str, Endpoint | InvalidEndpoint] = {}
    for endpoint_id, body in endpoints.items():
        parsed[str(endpoint_id)] = parse_endpoint(str(endpoint_id), body)
    return Event(
        application_id=application_id,
        campaign_id=campaign_id,
        journey_id=journey_id,
        treatment_id=treatment or "0",
        activity_id=_optional_str(raw, "ActivityId"),
        scheduled_time=_optional_str(raw, "ScheduledTime"),
        data=data,
        endpoints=parsed,
    )


def parse_endpoint(endpoint_id: str, raw: object) -> Endpoint | InvalidEndpoint:
    if not endpoint_id:
        return InvalidEndpoint(endpoint_id, None, "EndpointId", "is empty")
    if not is_encodable(endpoint_id):
        # The id goes into the idempotency key: unencodable, it would fail the whole batch.
        return InvalidEndpoint(endpoint_id, None, "EndpointId", NOT_UNICODE)
    if not isinstance(raw, _OBJECT):
        return InvalidEndpoint(
            endpoint_id, None, "endpoint", f"must be an object, got {_kind(raw)}"
        )
    channel_type = raw.get("ChannelType")
    if not isinstance(channel_type, str) or not channel_type:
        return InvalidEndpoint(endpoint_id, None, "ChannelType", "is missing or not a string")
    if not is_encodable(channel_type):
        return InvalidEndpoint(endpoint_id, None, "ChannelType", NOT_UNICODE)
    address = raw.get("Address")
    status = raw.get("EndpointStatus")
    opt_out = raw.get("OptOut")
    for name, value in (("Address", address), ("EndpointStatus", status), ("OptOut", opt_out)):
        if value is not None and not isinstance(value, str):
            return InvalidEndpoint(endpoint_id, channel_type, name, "must be a string")
    # Only null means "no user": [], "" or 0 are as wrong as any other non-object.
    user = raw.get("User")
    if user is None:
        user = {}
    elif not isinstance(user, _OBJECT):
        return InvalidEndpoint(endpoint_id, channel_type, "User", "must be an object")
    user_id = _str_or_none(user.get("UserId"))
    effective_date = _str_or_none(raw.get("EffectiveDate"))
    creation_date = _str_or_none(raw.get("CreationDate"))
    for name, value in (
        ("Address", address),
        ("EndpointStatus", status),
        ("OptOut", opt_out),
        ("User.UserId", user_id),
        ("EffectiveDate", effective_date),
        ("CreationDate", creation_date),
    ):
        # isascii() inline: the common case costs no call (this runs for every endpoint).
        if value is not None and not value.isascii() and not is_encodable(value):
            return InvalidEndpoint(endpoint_id, channel_type, name, NOT_UNICODE)
    try:
        attributes = _attribute_map(raw.get("Attributes"), "Attributes")
        user_attributes = _attribute_map(user.get("UserAttributes"), "User.UserAttributes")
        location = _object(raw.get("Location"), "Location")
        demographic = _object(raw.get("Demographic"), "Demographic")
        metrics = _object(raw.get("Metrics"), "Metrics")
    except InvalidEvent as error:
        return InvalidEndpoint(endpoint_id, channel_type, error.field, error.problem)
    return Endpoint(
        endpoint_id=endpoint_id,
        channel_type=channel_type,
        address=address or "",
        endpoint_status=status or "ACTIVE",
        opt_out=opt_out or "NONE",
        attributes=attributes,
        user_id=user_id,
        user_attributes=user_attributes,
        location=location,
        demographic=demographic,
        metrics=metrics,
        effective_date=effective_date,
        creation_date=creation_date,
    )


def _attribute_map(raw: object, name: str) -> dict[str, list[str]]:
    """Pinpoint attribute values are lists of strings; a lone scalar is accepted as one item."""
    if raw is None:
        return {}
    if not isinstance(raw, _OBJECT):
        raise InvalidEvent(name, "must be an object of lists")
    result: dict[str, list[str]] = {}
    for raw_key, value in raw.items():
        key = str(raw_key)
        items = value if isinstance(value, list) else [value]
        texts: list[str] = []
        for item in items:
            if isinstance(item, str):
                if not item.isascii() and not is_encodable(item):
                    raise InvalidEvent(f"{name}.{_printable(key)}", NOT_UNICODE)
                texts.append(item)
            elif isinstance(item, (int, float)) and not isinstance(item, bool):
                texts.append(str(item))
            else:
                # str() of a null, boolean, object or list would put "None", "True" or a
                # Python repr into a customer's message.
                raise InvalidEvent(f"{name}.{_printable(key)}", "must be a list of strings")
        if not key.isascii() and not is_encodable(key):
            raise InvalidEvent(f"{name}.{_printable(key)}", NOT_UNICODE)
        result[key] = texts
    return result


def _object(raw: object, name: str) -> dict[str, Any]:
    """Location, Demographic, Metrics: passed on as they are. Their strings are checked when
    a template reads one (templating.py), so a broken value nobody reads costs nothing."""
    if raw is None:
        return {}
    if not isinstance(raw, _OBJECT):
        raise InvalidEvent(name, "must be an object")
    return dict(raw)


# JSON objects arrive as dicts: the exact-type test comes first, ahead of the slower ABC one.
_OBJECT = (dict, Mapping)
NOT_UNICODE = "is not valid Unicode (a lone surrogate)"


def is_encodable(text: str) -> bool:
    """Whether a string can be encoded (as UTF-8, so in a request, a hash or a log line)."""
    if text.isascii():  # constant time in CPython: most strings stop here
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(text: str) -> str:
    """A name as it can appear in a reason or a log line, lone surrogates escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _check_text(text: str, name: str) -> None:
    if not is_encodable(text):
        raise InvalidEvent(name, NOT_UNICODE)


def _required_id(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidEvent(name, "is missing" if value is None else "must be a non-empty string")
    _check_text(value, name)
    return value


def _optional_str(raw: Mapping[str, Any], name: str) -> str | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidEvent(name, f"must be a string, got {_kind(value)}")
    _check_text(value, name)
    return value


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "object", list: "array", str: "string", bool: "boolean"}.get(
        type(value), type(value).__name__
    )
