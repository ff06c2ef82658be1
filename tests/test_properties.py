"""Property-based tests (hypothesis) over events, endpoints, templates and configuration.

Whatever Pinpoint (or anyone) sends, and whatever the environment holds, the handler answers
with only its documented errors, each naming the field (or variable) at fault, and a broken
endpoint never costs a valid endpoint of the same batch its delivery.

Every property runs at least 1,000 examples. They are derandomized: each property draws its
examples from a seed derived from the test itself, so CI and a laptop run the very same
examples and a failure reproduces exactly (no flaky run that passes on retry; a change to a
property or its strategies draws a new fixed set). `database=None`: no example database, so
no run replays, or depends on, what an earlier run found (hypothesis still keeps its own
caches in .hypothesis/, which it gitignores). `deadline=None`: timing on a shared 2-CPU
runner must never fail a property. The file runs in about 45 s on a 2-CPU machine: the
strategies draw from samples where a field's exact value does not matter, and generate
where it does (addresses, attribute values, names, templates, JSON values).
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import json
import logging
import string
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import unquote, unquote_plus

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from custom_channel import logs, runtime
from custom_channel.adapters import ADAPTERS
from custom_channel.adapters.http import HTTP_METHODS, HttpAdapter
from custom_channel.adapters.none import NoneAdapter
from custom_channel.adapters.slack import SlackAdapter
from custom_channel.adapters.twilio import TwilioAdapter
from custom_channel.channel import Channel
from custom_channel.config import (
    CONNECT_EMAIL_FIELDS,
    CONNECT_PHONE_FIELDS,
    DEFAULT_NAMESPACE,
    FAILURE_POLICIES,
    LOG_LEVELS,
    METRICS_MODES,
    ConfigError,
    ConnectSettings,
    Settings,
    load_settings,
)
from custom_channel.events import InvalidEvent, parse_event
from custom_channel.operator.local import invoke
from custom_channel.results import MAX_ATTRIBUTE_LENGTH
from custom_channel.templating import (
    BODY_ENCODINGS,
    MissingValue,
    TemplateError,
    compile_template,
    data_escaper,
    escaper,
)
from emulator.provider_server import ProviderServer, Reply
from tests.leakcheck import leaks, sensitive_strings

# Deterministic (see the module docstring) and quiet about slow or large examples: the
# strategies build whole events on purpose.
CI: dict[str, Any] = {
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}

GUIDE_EVENT = json.loads(
    (Path(__file__).parent / "fixtures" / "guide_event.json").read_text(encoding="utf-8")
)
GUIDE_ENDPOINT = GUIDE_EVENT["Endpoints"]["1dbcd396df28ac6cf8c1c2b7fexample"]
T = TypeVar("T")
E = TypeVar("E", bound=Exception)


def outcome(call: Callable[[], T], error_type: type[E]) -> tuple[T | None, E | None]:
    """(result, None), or (None, the error) when `call` raises `error_type`; others propagate."""
    try:
        return call(), None
    except error_type as error:
        return None, error


STATUSES = ("delivered", "failed", "unknown", "skipped")
ATTRIBUTE_NAMES = ("status", "reason", "attempts", "http_status")
CHANNEL_TYPES = (
    "ADM",
    "APNS",
    "APNS_SANDBOX",
    "APNS_VOIP",
    "APNS_VOIP_SANDBOX",
    "BAIDU",
    "CUSTOM",
    "EMAIL",
    "GCM",
    "SMS",
    "VOICE",
)
TOP_FIELDS = (
    "ApplicationId",
    "CampaignId",
    "JourneyId",
    "TreatmentId",
    "ActivityId",
    "ScheduledTime",
    "Data",
    "Message",
    "Endpoints",
)
ENDPOINT_FIELDS = (
    "ChannelType",
    "Address",
    "EndpointStatus",
    "OptOut",
    "Attributes",
    "User",
    "Location",
    "Demographic",
    "Metrics",
    "EffectiveDate",
    "CreationDate",
)

# ---------------------------------------------------------------------------------------
# Strategies
# ---------------------------------------------------------------------------------------

# Strings a payload may carry that ordinary text rarely hits: blanks, controls, bidi and
# zero-width marks, astral characters, JSON look-alikes, template syntax.
ODD_STRINGS = (
    "",
    " ",
    "\t\n\r",
    "\x00",
    "\x7f",
    "\u200b",
    "\u202e",
    "\u2028",
    "\ufeff",
    "é",
    "Ω≈ç√",
    "😀👍🏽",
    "null",
    "true",
    "0",
    "-1",
    "NONE",
    "ALL",
    "INACTIVE",
    '"',
    "'",
    "\\",
    '\\"',
    "\\u0000",
    "{",
    "}",
    "{{",
    "}}",
    "|",
    "{{Address}}",
    "{{Nope}}",
    '{"a": "{{Address}}"}',
)
# JSON may carry a lone surrogate ("\ud800"), which json.loads (and so the Lambda runtime)
# turns into a str that cannot be encoded as UTF-8.
LONE_SURROGATES = ("\ud800", "a\udfffz")

# A huge value, built lazily so that failure reports do not print it.
huge_text = st.sampled_from([5000]).map(lambda size: "x" * size)
clean_text = st.one_of(st.text(max_size=12), st.sampled_from(ODD_STRINGS), huge_text)
odd_text = st.one_of(clean_text, st.sampled_from(LONE_SURROGATES))


def json_values(text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        text,
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
        max_leaves=4,
    )


any_json = json_values(odd_text)
# Wrong types, falsy ones included: what a string field, or an object field, must never be.
NON_STRINGS = (0, 1, -1.5, True, False, [], ["x"], {}, {"a": "b"})
NON_OBJECTS = ("", "x", 0, 1, 1.5, True, False, [], ["a"], [{"a": "b"}])
non_string_json = st.one_of(
    st.sampled_from(NON_STRINGS),
    any_json.filter(lambda value: value is not None and not isinstance(value, str)),
)
non_object_json = st.one_of(
    st.sampled_from(NON_OBJECTS),
    any_json.filter(lambda value: value is not None and not isinstance(value, dict)),
)

# Pinpoint attribute values: lists of strings (numbers accepted), or a lone scalar.
attribute_scalar = st.one_of(st.text(max_size=8), st.sampled_from([7, -1.5, "", " ", '"', "\\"]))
attribute_value = st.one_of(st.lists(attribute_scalar, max_size=2), attribute_scalar)
# Pinpoint attribute names are at most 50 characters; FirstName is what the Data templates use.
attribute_name = st.one_of(
    st.sampled_from(["FirstName", "Interests", "", "a.b", "é"]), st.text(max_size=50)
)
attribute_maps = st.dictionaries(attribute_name, attribute_value, min_size=1, max_size=2)
# What an attribute value must never be: null, a boolean, an object, or a list holding one.
bad_attribute_value = st.sampled_from(
    [None, True, False, {}, {"a": "b"}, ["ok", None], ["ok", True], [{"a": "b"}], [["x"]]]
)

# A valid endpoint: each field drawn in one draw from realistic and odd samples, or, where
# escaping matters (Address, attributes), generated (GENERATE), so a batch stays cheap.
ABSENT = object()  # the field is left out
GENERATE = object()  # the field is generated
CHANNEL_TYPE_VALUES = st.sampled_from([*CHANNEL_TYPES, "custom", "é", "PUSH x", "x" * 200])
ADDRESS_VALUES = st.sampled_from(
    [ABSENT, None, "", "+12065550100", "mary.major@example.com", GENERATE, GENERATE]
)
# (EndpointStatus, OptOut): every pair, in one draw.
STATUS_AND_OPT_OUT = st.sampled_from(
    [
        (status, opt_out)
        for status in (ABSENT, None, "", "ACTIVE", "INACTIVE", "inactive", "PENDING", "ß")
        for opt_out in (ABSENT, None, "", "NONE", "none", "ALL", "all", "ß")
    ]
)
ATTRIBUTE_VALUES = st.sampled_from(
    [ABSENT, None, {}, {"FirstName": ["Ann"]}, {"FirstName": 'Mary "M" \n Major', "n": 3}, GENERATE]
)
USER_VALUES = st.sampled_from([ABSENT, None, {}, {"UserId": "u-1"}, {"UserId": 5}, GENERATE])
# The fields the channel only passes on (RequestId: a field of the future).
EXTRA_FIELDS = st.sampled_from(
    [
        {},
        {key: GUIDE_ENDPOINT[key] for key in ("Location", "Demographic", "EffectiveDate")},
        {"Location": None, "Demographic": {}, "Metrics": {"visits": 3.5}},
        {"Location": {"G": [{"x": 1}]}, "CreationDate": ["x"], "EffectiveDate": 5},
        {"Metrics": None, "EffectiveDate": None, "RequestId": {"nested": [1]}},
    ]
)


@st.composite
def valid_endpoints(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {"ChannelType": draw(CHANNEL_TYPE_VALUES)}
    address = draw(ADDRESS_VALUES)
    if address is GENERATE:
        address = draw(st.text(max_size=10))
    attributes = draw(ATTRIBUTE_VALUES)
    if attributes is GENERATE:
        attributes = draw(attribute_maps)
    user = draw(USER_VALUES)
    if user is GENERATE:
        user = {"UserId": "u-2", "UserAttributes": draw(attribute_maps)}
    status, opt_out = draw(STATUS_AND_OPT_OUT)
    fields = {
        "Address": address,
        "EndpointStatus": status,
        "OptOut": opt_out,
        "Attributes": attributes,
        "User": user,
    }
    body.update((name, value) for name, value in fields.items() if value is not ABSENT)
    body.update(draw(EXTRA_FIELDS))
    return body


valid_endpoint = valid_endpoints()

BREAKAGES = (
    "endpoint",
    "ChannelType",
    "Address",
    "EndpointStatus",
    "OptOut",
    "User",
    "Attributes",
    "Attributes.key",
    "User.UserAttributes",
    "User.UserAttributes.key",
    "Location",
    "Demographic",
    "Metrics",
    "surrogate",
    "surrogate read by a template",
)


# Valid endpoints to break: what matters is the break, drawn at random below.
VALID_BASES = st.sampled_from(
    [
        GUIDE_ENDPOINT,
        {"ChannelType": "SMS", "Address": "+12065550100"},
        {"ChannelType": "CUSTOM", "OptOut": "ALL", "User": {"UserId": "u-1"}},
        {"ChannelType": "GCM", "EndpointStatus": "INACTIVE", "Attributes": {"FirstName": "Ann"}},
    ]
)


@st.composite
def invalid_endpoint(draw: st.DrawFn) -> tuple[Any, str]:
    """A valid endpoint broken in one random way, and the field the answer must name."""
    body: dict[str, Any] = json.loads(json.dumps(draw(VALID_BASES)))  # a copy to break
    way = draw(st.sampled_from(BREAKAGES))
    if way == "endpoint":
        return draw(st.one_of(st.none(), non_object_json)), "endpoint"
    if way == "ChannelType":
        choice = draw(st.sampled_from(["missing", "null", "empty", "wrong type"]))
        if choice == "missing":
            del body["ChannelType"]
        elif choice == "wrong type":
            body["ChannelType"] = draw(non_string_json)
        else:
            body["ChannelType"] = None if choice == "null" else ""
        return body, "ChannelType"
    if way in ("Address", "EndpointStatus", "OptOut"):
        body[way] = draw(non_string_json)
        return body, way
    if way in ("User", "Attributes", "Location", "Demographic", "Metrics"):
        body[way] = draw(non_object_json)
        return body, way
    if way == "User.UserAttributes":
        body["User"] = {"UserAttributes": draw(non_object_json)}
        return body, way
    if way in ("Attributes.key", "User.UserAttributes.key"):
        key = draw(st.one_of(st.sampled_from(["FirstName", ""]), st.text(max_size=40)))
        attributes = {**draw(attribute_maps), key: draw(bad_attribute_value)}
        if way == "Attributes.key":
            body["Attributes"] = attributes
            return body, f"Attributes.{key}"
        body["User"] = {"UserAttributes": attributes}
        return body, f"User.UserAttributes.{key}"
    bad = draw(st.sampled_from(LONE_SURROGATES))
    if way == "surrogate read by a template":
        # Checked only when read (mixed_batches), so the endpoint must not be skipped first.
        body.update(Location={"City": bad}, OptOut="NONE", EndpointStatus="ACTIVE")
        return body, "Location.City"
    # A lone surrogate in a field the channel reads itself.
    where = draw(st.sampled_from(["ChannelType", "Address", "OptOut", "Attributes"]))
    if where == "Attributes":
        body["Attributes"] = {"FirstName": [bad]}
    else:
        body[where] = bad
    return body, where


endpoint_ids = st.one_of(
    st.sampled_from(["1dbcd396df28ac6cf8c1c2b7fexample", "a", "é", " ", "/", "%", "?x=1"]),
    st.text(min_size=1, max_size=20),
)
JSON_DATA = (
    '{"text": "Hi {{Attributes.FirstName | there}}", "to": "{{Address | nobody}}", '
    '"id": "{{EndpointId}}"}'
)
DATA_TEMPLATES = (
    GUIDE_EVENT["Data"],
    "Hi {{Attributes.FirstName | there}} from {{Location.City | somewhere}}",
    "Hi {{Attributes.FirstName | there}}",
    JSON_DATA,
)
# Faults found only when a template reads the value (Location, Demographic, Metrics).
READ_FAULTS = ("Location.City",)
# Ids that are themselves broken (empty, or not encodable), in one draw.
BAD_IDS = st.sampled_from([(), ("",), (LONE_SURROGATES[0],), ("", LONE_SURROGATES[1])])


@st.composite
def mixed_batches(
    draw: st.DrawFn, max_size: int = 3, data: str | None = None
) -> tuple[dict[str, Any], dict[str, str | None]]:
    """A valid event whose endpoints are valid or broken; id -> the field each must name.
    `data` is the campaign Data, drawn from DATA_TEMPLATES when not given."""
    count = draw(st.integers(1, max_size))
    ids = dict.fromkeys(draw(endpoint_ids) for _ in range(count))  # a repeated id is one
    endpoints: dict[str, Any] = {}
    faults: dict[str, str | None] = {}
    for endpoint_id in ids:
        if draw(st.booleans()):
            endpoints[endpoint_id], faults[endpoint_id] = draw(valid_endpoint), None
        else:
            endpoints[endpoint_id], faults[endpoint_id] = draw(invalid_endpoint())
    for bad_id in draw(BAD_IDS):
        endpoints[bad_id] = draw(VALID_BASES)
        faults[bad_id] = "EndpointId"
    if data is None:
        data = draw(st.sampled_from(DATA_TEMPLATES))
    reads = compile_template(data).names
    for endpoint_id, field in faults.items():
        if field in READ_FAULTS and field not in reads:
            faults[endpoint_id] = None  # nothing reads the broken value: it is delivered
    event = {**GUIDE_EVENT, "Data": data, "Endpoints": endpoints}
    return event, faults


# ---------------------------------------------------------------------------------------
# Oracles: the documented event shape, written out independently of events.py
# ---------------------------------------------------------------------------------------


def encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Passed on unchecked, their strings checked only when a template reads one (README, "How it
# works"), with this problem.
NESTED_OBJECTS = ("Location", "Demographic", "Metrics")
NOT_UNICODE = "is not valid Unicode (a lone surrogate)"


def string_or_null(value: Any) -> bool:
    return value is None or (isinstance(value, str) and encodable(value))


def event_faults(raw: Any) -> set[str]:
    """Fields that make the event as a whole invalid; empty when it is valid."""
    if not isinstance(raw, Mapping):
        return {"event"}
    faults: set[str] = set()
    application = raw.get("ApplicationId")
    if not (isinstance(application, str) and application and encodable(application)):
        faults.add("ApplicationId")
    for name in ("CampaignId", "JourneyId", "ActivityId", "ScheduledTime", "Data"):
        if not string_or_null(raw.get(name)):
            faults.add(name)
    if not any(
        isinstance(raw.get(name), str) and raw.get(name) for name in ("CampaignId", "JourneyId")
    ):
        faults.add("CampaignId")
    treatment = raw.get("TreatmentId")
    if not (
        string_or_null(treatment)
        or (isinstance(treatment, int) and not isinstance(treatment, bool))
    ):
        faults.add("TreatmentId")
    if not isinstance(raw.get("Endpoints"), Mapping):
        faults.add("Endpoints")
    return faults


def attribute_faults(raw: Any, name: str) -> set[str]:
    if raw is None:
        return set()
    if not isinstance(raw, Mapping):
        return {name}
    faults: set[str] = set()
    for key, value in raw.items():
        if not encodable(key):
            faults.add(name)
            continue
        items = value if isinstance(value, list) else [value]
        if not all(
            isinstance(item, str | int | float)
            and not isinstance(item, bool)
            and (not isinstance(item, str) or encodable(item))
            for item in items
        ):
            faults.add(f"{name}.{key}")
    return faults


def endpoint_faults(endpoint_id: str, body: Any) -> set[str]:
    """Fields that make one endpoint undeliverable (each a prefix of the field named)."""
    if not endpoint_id or not encodable(endpoint_id):
        return {"EndpointId"}
    if not isinstance(body, Mapping):
        return {"endpoint"}
    faults: set[str] = set()
    channel_type = body.get("ChannelType")
    if not (isinstance(channel_type, str) and channel_type and encodable(channel_type)):
        faults.add("ChannelType")
    for name in ("Address", "EndpointStatus", "OptOut"):
        if not string_or_null(body.get(name)):
            faults.add(name)
    user = body.get("User")
    if user is not None and not isinstance(user, Mapping):
        faults.add("User")
    else:
        user = user or {}
        user_id = user.get("UserId")
        if isinstance(user_id, str) and not encodable(user_id):
            faults.add("User.UserId")
        faults |= attribute_faults(user.get("UserAttributes"), "User.UserAttributes")
    faults |= attribute_faults(body.get("Attributes"), "Attributes")
    for name in NESTED_OBJECTS:
        value = body.get(name)
        if value is not None and not isinstance(value, Mapping):
            faults.add(name)
    for name in ("EffectiveDate", "CreationDate"):
        value = body.get(name)
        if isinstance(value, str) and not encodable(value):
            faults.add(name)
    return faults


def read_faults(body: Mapping[str, Any], names: frozenset[str]) -> set[str]:
    """Placeholders among `names` that read a value of Location, Demographic or Metrics no
    request can carry: they are checked only when a template reads them."""
    faults: set[str] = set()
    for name in names:
        head, _, key = name.partition(".")
        if head in NESTED_OBJECTS and key:
            value = (body.get(head) or {}).get(key)
            items = value if isinstance(value, list) else [value]
            if any(isinstance(item, str) and not encodable(item) for item in items):
                faults.add(name)
    return faults


def skip_reason(body: Mapping[str, Any], skip_opted_out: bool, skip_inactive: bool) -> str | None:
    """README: skipped when OptOut is other than NONE, or EndpointStatus is INACTIVE."""
    if skip_opted_out and (body.get("OptOut") or "NONE").upper() != "NONE":
        return "opted out"
    if skip_inactive and (body.get("EndpointStatus") or "ACTIVE").upper() == "INACTIVE":
        return "endpoint inactive"
    return None


def names_field(reason: str, prefix: str, field: str) -> bool:
    """`reason` starts with `prefix` + `field`, as far as the answer's clipping (to 128
    characters, ending "...") leaves it."""
    expected = prefix + field
    if reason.startswith(expected):
        return True
    return reason.endswith("...") and expected.startswith(reason[:-3])


# ---------------------------------------------------------------------------------------
# Checks shared by the event properties
# ---------------------------------------------------------------------------------------


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def captured_logs() -> Iterator[list[logging.LogRecord]]:
    """The package logger's records (it does not propagate, so caplog would miss them)."""
    logger = logging.getLogger("custom_channel")
    handler = _Records()
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


@pytest.fixture(autouse=True)
def no_endpoint_data_in_logs() -> None:
    """Replaces conftest's leak check for this module, which runs it per example instead.

    That check pools every event a test parses and every line it logs. A property runs a
    thousand random events in one test, so a string drawn as one example's Address and as
    another's endpoint id (logged by design) reads as a leak, and the check itself grows as
    examples times lines. check_no_endpoint_data_logged applies it to each example alone.
    """


def _without_endpoint_data(raw: Any) -> Any:
    """The event with every Address and its Data emptied (types kept)."""
    if not isinstance(raw, Mapping):
        return raw
    neutral = dict(raw)
    if isinstance(neutral.get("Data"), str):
        neutral["Data"] = ""
    endpoints = neutral.get("Endpoints")
    if isinstance(endpoints, Mapping):
        neutral["Endpoints"] = {
            endpoint_id: {**body, "Address": ""}
            if isinstance(body, Mapping) and isinstance(body.get("Address"), str)
            else body
            for endpoint_id, body in endpoints.items()
        }
    return neutral


def _lines(records: list[logging.LogRecord]) -> list[str]:
    """Log lines as the package writes them, less the masked address (checked apart)."""
    formatter = logs.JsonFormatter()
    lines = []
    for record in records:
        fields = dict(record.__dict__)
        fields.pop("address", None)
        lines.append(formatter.format(logging.makeLogRecord(fields)))
    return lines


def check_no_endpoint_data_logged(
    raw: Any, channel: Channel, records: list[logging.LogRecord]
) -> None:
    """conftest's leak check, for one example: no Address or message text in its log lines.

    Differential, so random data cannot trip it by chance: a string counts only if it is in
    this run's lines and not in those of the same event with its Addresses and Data emptied
    (an endpoint id or a field name may well contain an Address drawn at random). The only
    trace of an Address allowed is its mask, in the `address` field.
    """
    secrets = sensitive_strings(raw)
    if not secrets:
        return
    endpoints = raw.get("Endpoints")
    ids = logged_ids(endpoints)
    for record in records_named(records, "endpoint not delivered"):
        if "address" in record.__dict__:
            body = endpoints[ids[record.__dict__["endpoint_id_hash"]]]
            assert record.__dict__["address"] == logs.mask_address(body.get("Address") or "")
    lines = _lines(records)
    suspects = {secret for secret in secrets if any(secret in line for line in lines)}
    if not suspects:
        return
    with captured_logs() as neutral_records:
        invoke(_without_endpoint_data(raw), channel=channel)
    neutral = _lines(neutral_records)
    found = [
        leak
        for secret in sorted(suspects)
        if not any(secret in line for line in neutral)
        for leak in leaks(lines, [secret])
    ]
    assert not found, "endpoint data in the logs:\n" + "\n".join(found[:5])


def logged_ids(endpoints: object) -> dict[str, str]:
    """Each endpoint id by the hash its log lines name it by (logs.endpoint_fields)."""
    if not isinstance(endpoints, Mapping):
        return {}
    return {logs.endpoint_fields(str(key))["endpoint_id_hash"]: str(key) for key in endpoints}


def records_named(records: list[logging.LogRecord], message: str) -> list[logging.LogRecord]:
    return [record for record in records if record.getMessage() == message]


def check_shape(response: Any) -> None:
    """The journey response format of README's Results section."""
    assert isinstance(response, dict)
    json.dumps(response)  # Lambda serialises the answer
    for endpoint_id, answer in response.items():
        assert isinstance(endpoint_id, str)
        assert list(answer) == ["EventAttributes"]
        attributes = answer["EventAttributes"]
        assert attributes["status"] in STATUSES
        assert set(attributes) <= set(ATTRIBUTE_NAMES)
        for name, value in attributes.items():
            assert isinstance(value, str)
            assert len(name) <= MAX_ATTRIBUTE_LENGTH
            assert len(value) <= MAX_ATTRIBUTE_LENGTH
        # Only documented errors: an internal error means an input broke the handler.
        assert not attributes.get("reason", "").startswith("internal error")


def check_invocation(
    raw: Any,
    channel: Channel,
    *,
    skip_opted_out: bool = True,
    skip_inactive: bool = True,
) -> dict[str, Any]:
    """Run one invocation and hold its answer and logs to the documented behaviour."""
    with captured_logs() as records:
        response = invoke(raw, channel=channel).response  # must not raise
    check_shape(response)
    check_no_endpoint_data_logged(raw, channel, records)
    endpoints = raw.get("Endpoints") if isinstance(raw, Mapping) else None
    ids = (
        [key for key in endpoints if isinstance(key, str)] if isinstance(endpoints, Mapping) else []
    )
    # Every endpoint id of the input answered exactly once, in Pinpoint's order, and no other.
    assert list(response) == ids

    faults = event_faults(raw)
    invalid = records_named(records, "invalid event")
    # Parsing raises only InvalidEvent, naming a field at fault, exactly when one is.
    _, error = outcome(lambda: parse_event(raw), InvalidEvent)
    assert (error is not None) == bool(faults)
    if error is not None:
        assert error.field in faults
        assert str(error) == f"{error.field}: {error.problem}"
    if faults:
        note(f"event faults: {sorted(faults)}")
        (record,) = invalid
        field = record.__dict__["field"]
        assert field in faults
        assert record.levelname == "ERROR"
        for answer in response.values():
            attributes = answer["EventAttributes"]
            assert attributes["status"] == "failed"
            assert names_field(attributes["reason"], "invalid event: ", f"{field}: ")
        return response

    assert not invalid
    assert len(records_named(records, "batch processed")) == 1
    ids = logged_ids(endpoints)
    problems = {
        ids[record.__dict__["endpoint_id_hash"]]: record.__dict__["reason"]
        for record in records_named(records, "endpoint not delivered")
    }
    data_names = compile_template(raw.get("Data") or "").names
    for endpoint_id, answer in response.items():
        attributes = answer["EventAttributes"]
        body = endpoints[endpoint_id]
        bad = endpoint_faults(endpoint_id, body)
        if bad:
            note(f"{endpoint_id!r}: faults {sorted(bad)}")
            assert attributes["status"] == "failed"
            assert any(names_field(attributes["reason"], "invalid endpoint: ", f) for f in bad)
            # The log line carries the whole reason, unclipped: it names the field in full.
            assert any(problems[endpoint_id].startswith(f"invalid endpoint: {f}") for f in bad)
            continue
        skip = skip_reason(body, skip_opted_out, skip_inactive)
        read = read_faults(body, data_names)
        if skip is not None:
            assert attributes == {"status": "skipped", "reason": skip}
        elif read or attributes["status"] == "failed":
            # Only a Data placeholder without a value, or one reading a value that cannot be
            # encoded, may stop a valid endpoint.
            assert attributes["status"] == "failed"
            allowed = {
                f"personalisation: no value for {{{{{name}}}}} and no default"
                for name in data_names
            }
            allowed |= {f"invalid endpoint: {name} {NOT_UNICODE}" for name in read}
            assert problems[endpoint_id] in allowed
        else:
            assert attributes == {
                "status": "skipped",
                "reason": "not sent: adapter none made no request",
            }
    return response


@pytest.fixture(scope="module")
def channels() -> Iterator[Callable[[bool, bool], Channel]]:
    """Warm channels (adapter none, no metrics), one per pair of skip settings."""
    built: dict[tuple[bool, bool], Channel] = {}

    def channel(skip_opted_out: bool = True, skip_inactive: bool = True) -> Channel:
        key = (skip_opted_out, skip_inactive)
        if key not in built:
            built[key] = Channel(
                load_settings(
                    {
                        "CHANNEL_ADAPTER": "none",
                        "CHANNEL_METRICS_MODE": "off",
                        "CHANNEL_SKIP_OPTED_OUT": str(skip_opted_out).lower(),
                        "CHANNEL_SKIP_INACTIVE": str(skip_inactive).lower(),
                    }
                )
            )
        return built[key]

    yield channel
    for channel in built.values():
        channel.close()


# ---------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------


@st.composite
def event_like(draw: st.DrawFn) -> dict[str, Any]:
    """The guide's fields, each valid or, for a random few, any JSON value or missing."""
    broken = draw(st.sets(st.sampled_from(TOP_FIELDS), max_size=3))
    event: dict[str, Any] = {}
    for name in TOP_FIELDS:
        if name in broken:
            if draw(st.booleans()):
                event[name] = draw(any_json)
        elif name == "Endpoints":
            event[name] = draw(
                st.dictionaries(endpoint_ids | odd_text, valid_endpoint | any_json, max_size=2)
            )
        elif name in GUIDE_EVENT:
            event[name] = GUIDE_EVENT[name]
    event.update(draw(st.dictionaries(st.text(max_size=8), any_json, max_size=2)))
    return event


@st.composite
def guide_mutations(draw: st.DrawFn) -> dict[str, Any]:
    """The guide's event with fields removed, retyped, oddly valued, or added."""
    event = json.loads(json.dumps(GUIDE_EVENT))
    endpoint = event["Endpoints"]["1dbcd396df28ac6cf8c1c2b7fexample"]
    for _ in range(draw(st.integers(1, 4))):
        target = draw(st.sampled_from(["event", "endpoint", "new endpoint"]))
        action = draw(st.sampled_from(["remove", "set", "odd string", "extra"]))
        if target == "event":
            where, name = event, draw(st.sampled_from(TOP_FIELDS))
        elif target == "endpoint":
            where, name = endpoint, draw(st.sampled_from(ENDPOINT_FIELDS))
        elif isinstance(event.get("Endpoints"), dict):
            event["Endpoints"][draw(odd_text)] = draw(st.one_of(valid_endpoint, any_json))
            continue
        else:
            continue
        if action == "remove":
            where.pop(name, None)
        elif action == "set":
            where[name] = draw(any_json)
        elif action == "odd string":
            where[name] = draw(odd_text)
        else:
            where[draw(st.text(max_size=10))] = draw(any_json)
    return event


@settings(max_examples=1_000, deadline=None, **CI)
@given(raw=st.one_of(any_json, event_like(), guide_mutations()))
def test_any_payload_is_answered_in_the_documented_shape_naming_the_bad_field(channels, raw):
    """Any JSON value, the guide's fields broken at random, or the guide's event mutated."""
    check_invocation(raw, channels())


# ---------------------------------------------------------------------------------------
# Endpoints: a broken endpoint fails alone
# ---------------------------------------------------------------------------------------


@settings(max_examples=1_000, deadline=None, **CI)
@given(batch=mixed_batches(), skip_opted_out=st.booleans(), skip_inactive=st.booleans())
def test_valid_endpoints_are_delivered_whatever_else_the_batch_holds(
    channels, batch, skip_opted_out, skip_inactive
):
    event, faults = batch
    response = check_invocation(
        event,
        channels(skip_opted_out, skip_inactive),
        skip_opted_out=skip_opted_out,
        skip_inactive=skip_inactive,
    )
    for endpoint_id, field in faults.items():
        attributes = response[endpoint_id]["EventAttributes"]
        if field is not None:
            assert attributes["status"] == "failed"
            assert names_field(attributes["reason"], "invalid endpoint: ", field)
            continue
        skip = skip_reason(event["Endpoints"][endpoint_id], skip_opted_out, skip_inactive)
        if skip:
            assert attributes == {"status": "skipped", "reason": skip}
        else:
            assert attributes == {
                "status": "skipped",
                "reason": "not sent: adapter none made no request",
            }


def _expected_first_name(body: Mapping[str, Any]) -> str:
    value = (body.get("Attributes") or {}).get("FirstName")
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    elif value is not None:
        value = str(value)
    return value or "there"


@pytest.fixture(scope="module")
def http_channel() -> Iterator[tuple[Channel, ProviderServer]]:
    """The real `http` adapter, warm, against one provider on 127.0.0.1 answering 200.

    With no body the answer goes out in one write: a body written after the headers waits
    for the client's delayed ACK (Nagle), some 40 ms per request. Only the status counts.
    """
    with ProviderServer(lambda _request: Reply(body=b"")) as server:
        channel = Channel(
            load_settings(
                {
                    "CHANNEL_ADAPTER": "http",
                    "CHANNEL_METRICS_MODE": "off",
                    "CHANNEL_MAX_ATTEMPTS": "1",
                    "CHANNEL_HTTP_URL": server.url + "/send/{{EndpointId}}",
                }
            )
        )
        try:
            yield channel, server
        finally:
            channel.close()


DOT_SEGMENTS = {".", ".."}  # see test_a_dot_segment_url_value_keeps_the_request_path


@settings(max_examples=1_000, deadline=None, **CI)
@given(
    batch=mixed_batches(max_size=2, data=JSON_DATA).filter(
        lambda batch: not DOT_SEGMENTS & set(batch[1])
    )
)
def test_http_adapter_sends_each_valid_endpoint_once_with_valid_json(http_channel, batch):
    """End to end: every valid endpoint's request reaches the provider once, its JSON intact."""
    channel, server = http_channel
    event, faults = batch
    server.requests.clear()
    with captured_logs() as records:
        response = invoke(event, channel=channel).response
    received = list(server.requests)
    check_shape(response)
    check_no_endpoint_data_logged(event, channel, records)
    sent = {unquote(request.path.removeprefix("/send/")): request for request in received}
    assert len(sent) == len(received)  # one request per endpoint, never two
    expected_sent = set()
    for endpoint_id, field in faults.items():
        attributes = response[endpoint_id]["EventAttributes"]
        body = event["Endpoints"][endpoint_id]
        if field is not None:
            assert attributes["status"] == "failed"
            assert names_field(attributes["reason"], "invalid endpoint: ", field)
        elif skip := skip_reason(body, True, True):
            assert attributes == {"status": "skipped", "reason": skip}
        else:
            assert attributes == {"status": "delivered", "attempts": "1", "http_status": "200"}
            expected_sent.add(endpoint_id)
            assert json.loads(sent[endpoint_id].body) == {
                "text": f"Hi {_expected_first_name(body)}",
                "to": body.get("Address") or "nobody",
                "id": endpoint_id,
            }
    assert set(sent) == expected_sent


# ---------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------

TEMPLATE_ALPHABET = st.one_of(
    st.sampled_from(list("{}{}|  \"'\\.:aAbB\n")), st.characters(exclude_categories=["Cs"])
)
template_text = st.one_of(
    st.text(TEMPLATE_ALPHABET, max_size=40),
    st.lists(
        st.sampled_from(["{{", "}}", "|", " ", "Address", "A", '"x y"', "x", "{", "}", '"']),
        max_size=12,
    ).map("".join),
)


@settings(max_examples=1_000, deadline=None, **CI)
@given(
    text=template_text,
    encoding=st.sampled_from(BODY_ENCODINGS),
    data=st.data(),
)
def test_any_template_compiles_and_renders_or_names_the_missing_placeholder(text, encoding, data):
    # Compiling fails only for a JSON look-alike that is not JSON; other stray braces are text.
    template, refused = outcome(lambda: compile_template(text), TemplateError)
    if refused is not None:
        assert "like a JSON document" in str(refused)
        stripped = text.strip()
        assert (stripped[:1], stripped[-1:]) in (("{", "}"), ("[", "]"))
        return
    assert template is not None
    names = sorted(template.names)
    values = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(names, clean_text)))
    rendered, error = outcome(lambda: template.render(values.get, escaper(encoding)), MissingValue)
    if error is not None:  # the one documented rendering error, naming its placeholder
        assert error.name in names
        assert not values.get(error.name)
        assert f"{{{{{error.name}}}}}" in str(error)
    else:
        assert isinstance(rendered, str)
    if not names:
        assert template.render(lambda _name: None) == text  # no placeholder: text as is
    full = template.render(lambda _name: "v", escaper(encoding))
    assert isinstance(full, str)


# A literal piece never holds a brace (so it cannot touch a placeholder) nor a "[" (so the
# template is never a JSON document, covered by the next properties).
literal_piece = st.text(
    st.characters(exclude_characters="{}[", exclude_categories=["Cs"]), max_size=8
)
# Names from a pool (so values often exist for them) or anything a name may hold.
NAME_POOL = ("Address", "Attributes.FirstName", "a b", "é", "Secret.key", 'x"y\\z')
placeholder_name = st.one_of(
    st.sampled_from(NAME_POOL),
    st.text(
        st.characters(exclude_characters="{}|", exclude_categories=["Cs"]), min_size=1, max_size=12
    )
    .map(str.strip)
    .filter(bool),
)
default_text = st.text(
    st.characters(exclude_characters="{}", exclude_categories=["Cs"]), max_size=10
)


@st.composite
def defaults(draw: st.DrawFn) -> tuple[str, str] | None:
    """None, or (as written in the template, the value it stands for)."""
    kind = draw(st.sampled_from(["none", "plain", "quoted"]))
    if kind == "none":
        return None
    if kind == "quoted":
        quote = draw(st.sampled_from(["'", '"']))
        inner = draw(default_text)
        return f"{quote}{inner}{quote}", inner
    # Blanks around a default are not part of it, and same quotes at both ends would quote it.
    plain = draw(default_text).strip()
    while len(plain) >= 2 and plain[0] == plain[-1] and plain[0] in "'\"":
        plain = plain[1:].strip()
    return plain, plain


# Blanks around the name, before and after the bar, and before the closing braces.
SPACINGS = (("", "", "", ""), (" ", " ", " ", " "), ("", " ", "  ", ""), ("  ", "", "", " \t"))


@st.composite
def placeholders(draw: st.DrawFn) -> tuple[str, str, tuple[str, str] | None]:
    """(placeholder text, name, default) with random spacing."""
    name = draw(placeholder_name)
    default = draw(defaults())
    before, after, bar, end = draw(st.sampled_from(SPACINGS))
    text = "{{" + before + name + after
    if default is not None:
        text += "|" + bar + default[0] + end
    return text + "}}", name, default


@settings(max_examples=1_000, deadline=None, **CI)
@given(
    pieces=st.lists(st.tuples(literal_piece, placeholders()), max_size=3),
    tail=literal_piece,
    values=st.dictionaries(st.sampled_from(NAME_POOL), clean_text, max_size=4),
    encoding=st.sampled_from(BODY_ENCODINGS),
)
def test_text_templates_substitute_escaped_values_or_defaults(pieces, tail, values, encoding):
    text = "".join(literal + placeholder for literal, (placeholder, _, _) in pieces) + tail
    template = compile_template(text)
    assert template.names == {name for _, (_, name, _) in pieces}
    escape = escaper(encoding)
    if len(pieces) == 1 and not pieces[0][0] and not tail and pieces[0][1][1] == "Data":
        escape = str  # only the adapter's body `{{Data}}` alone takes its value as is
    expected: list[str] = []
    missing = None
    for literal, (_, name, default) in pieces:
        expected.append(literal)
        value = values.get(name) or (default[1] if default is not None else None)
        if value is None:
            missing = missing or name
            continue
        expected.append(escape(value))
    expected.append(tail)
    if missing is not None:
        with pytest.raises(MissingValue) as raised:
            template.render(values.get, escaper(encoding))
        assert raised.value.name == missing
        assert f"{{{{{missing}}}}}" in str(raised.value)
    else:
        assert template.render(values.get, escaper(encoding)) == "".join(expected)


# JSON Data: placeholders inside strings, names and defaults with characters JSON escapes.
JSON_NAMES = ("Attributes.FirstName", "Café", 'Say "hi"', "back\\slash", "😀")
json_literal = st.text(
    st.characters(exclude_characters="{}", exclude_categories=["Cs"]), max_size=6
)


@st.composite
def json_string_templates(draw: st.DrawFn, values: Mapping[str, str]) -> tuple[str, str]:
    """A string of a JSON document as written (decoded), and what it must render to."""
    text: list[str] = []
    rendered: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        literal = draw(json_literal)
        text.append(literal)
        rendered.append(literal)
        if draw(st.booleans()):
            name = draw(st.sampled_from(JSON_NAMES))
            text.append("{{" + name + "}}")
            rendered.append(values[name])
        else:
            # A name without a value: its default stands in (quotes and escapes included).
            written, meant = draw(defaults().filter(lambda d: d is not None))
            text.append("{{Attributes.Missing | " + written + "}}")
            rendered.append(meant)
    # Half a placeholder at an end of the string is text, never joined with another string's.
    kind = draw(st.sampled_from(["", "open", "close"]))
    if kind == "open":
        text.append("{{Address")
        rendered.append("{{Address")
    elif kind == "close":
        text.insert(0, "Address}}")
        rendered.insert(0, "Address}}")
    return "".join(text), "".join(rendered)


@st.composite
def json_documents(draw: st.DrawFn) -> tuple[str, Any, dict[str, str]]:
    """(Data template text, the document it must render to, the values of the names)."""
    # Two values, shared out among the names (each drawn value is still arbitrary text).
    first, second = draw(st.lists(st.text(min_size=1, max_size=10), min_size=2, max_size=2))
    values = {name: (first, second)[index % 2] for index, name in enumerate(JSON_NAMES)}
    strings = json_string_templates(values)

    def build(depth: int) -> tuple[Any, Any]:
        kinds = ["string", "string", "scalar", "array", "object"] if depth < 2 else ["string"]
        kind = draw(st.sampled_from(kinds))
        if kind == "string":
            return draw(strings)
        if kind == "scalar":
            scalar = draw(st.sampled_from([None, True, False, 0, -12, 1.5e300, "", "{{"]))
            return scalar, scalar
        size = draw(st.integers(0, 2))
        if kind == "array":
            items = [build(depth + 1) for _ in range(size)]
            return [item[0] for item in items], [item[1] for item in items]
        template: dict[str, Any] = {}
        pairs: list[tuple[str, Any]] = []  # rendered keys may repeat: json.loads keeps them
        for _ in range(size):
            key_text, key_rendered = draw(strings)
            value_text, value_rendered = build(depth + 1)
            if key_text in template:
                continue
            template[key_text] = value_text
            pairs.append((key_rendered, value_rendered))
        return template, ("object", pairs)

    top = draw(st.sampled_from(["array", "object"]))
    if top == "array":
        items = [build(1) for _ in range(draw(st.integers(1, 2)))]
        template_doc: Any = [item[0] for item in items]
        expected_doc: Any = [item[1] for item in items]
    else:
        pairs = []
        template_doc = {}
        for _ in range(draw(st.integers(1, 2))):
            key_text, key_rendered = draw(strings)
            value_text, value_rendered = build(1)
            if key_text in template_doc:
                continue
            template_doc[key_text] = value_text
            pairs.append((key_rendered, value_rendered))
        expected_doc = ("object", pairs)
    text = json.dumps(
        template_doc,
        ensure_ascii=draw(st.booleans()),
        indent=draw(st.sampled_from([None, 0, 2])),
    )
    return text, expected_doc, values


def _pairs(pairs: list[tuple[str, Any]]) -> tuple[str, list[tuple[str, Any]]]:
    return ("object", pairs)


@settings(max_examples=1_000, deadline=None, **CI)
@given(document=json_documents())
def test_json_data_renders_to_valid_json_with_every_value_in_place(document):
    text, expected, values = document
    note(text)
    rendered = compile_template(text).render(values.get, data_escaper(text))
    assert json.loads(rendered, object_pairs_hook=_pairs) == expected
    # The http adapter's json body encoding reads a JSON body template the same way.
    assert compile_template(text).render(values.get, escaper("json")) == rendered


@settings(max_examples=1_000, deadline=None, **CI)
@given(value=st.text())
def test_escaping_round_trips(value):
    as_json = escaper("json")(value)
    assert json.loads(f'"{as_json}"') == value
    assert '"' not in as_json.replace('\\"', "").replace("\\\\", "")
    assert not any(ord(char) < 0x20 for char in as_json)
    as_form = escaper("form")(value)
    assert unquote_plus(as_form) == value
    assert set(as_form) <= set(string.ascii_letters + string.digits + "_.-~%+")
    assert escaper("plain")(value) == value
    # Data that is JSON gets the JSON escaping; other Data is text.
    assert data_escaper('{"text": "x"}')(value) == as_json
    assert data_escaper("text")(value) == value


# ---------------------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------------------

BAD = object()  # the model's mark for a value load_settings must reject
Variable = st.SearchStrategy[tuple[str | None, Any]]  # (value set, or None; what it means)

# Every variable is stripped: surrounding blanks never change a value. Finite domains are
# enumerated (every option, in every case, with blanks around it) so one draw picks a case.
PADS = (("", ""), (" ", ""), ("", "\t"), ("  \n", " "))
CASES = (str, str.upper, str.lower, str.capitalize)
UNSET_CASES = (None, "", "  ")  # absent, empty or blank: the default applies
GARBAGE = (
    "nope",
    "x",
    "1.5",
    "1e3",
    "0x10",
    "ten",
    "yes please",
    "-",
    "None",
    "[]",
    "é",
    "\uff4f\uff46\uff46",  # "off" in fullwidth letters
    "on off",
    "\u0130",
    "true1",
    "'api'",
)


def unset(default: Any) -> Variable:
    return st.sampled_from([(raw, default) for raw in UNSET_CASES])


def bad(values: st.SearchStrategy[str]) -> Variable:
    return values.map(lambda raw: (raw, BAD))


def spellings(values: dict[str, Any]) -> list[tuple[str, Any]]:
    return sorted(
        {
            (left + case(text) + right, meaning)
            for text, meaning in values.items()
            for case in CASES
            for left, right in PADS
        },
        key=repr,
    )


def enumerated(values: dict[str, Any], wrong: tuple[str, ...], default: Any) -> Variable:
    valid_texts = {text.lower() for text in values}
    wrong_cases = [raw for raw in wrong if raw.strip().lower() not in valid_texts]
    return st.one_of(
        unset(default),
        st.sampled_from(spellings(values)),
        st.sampled_from([(raw, BAD) for raw in wrong_cases]),
    )


def choice_variable(allowed: tuple[str, ...], default: str) -> Variable:
    return enumerated({option: option for option in allowed}, GARBAGE, default)


BOOLEAN_TOKENS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def boolean_variable(default: bool) -> Variable:
    wrong = (*GARBAGE, "2", "-1", "on", "off", "y", "n", "truth")
    return enumerated(BOOLEAN_TOKENS, wrong, default)


def integer_variable(default: int, low: int, high: int) -> Variable:
    edges = {
        f"{left}{text}{right}": number
        for number in (low, high)
        for text in (str(number), f"{number:+d}", f"00{number}" if number >= 0 else str(number))
        for left, right in PADS[:2]
    }
    return st.one_of(
        unset(default),
        st.integers(low, high).map(lambda number: (str(number), number)),
        st.sampled_from(sorted(edges.items())),
        bad(st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1)).map(str)),
        bad(st.sampled_from([*GARBAGE, str(low - 1), str(high + 1), f"{low}.0", "1 2"])),
    )


def padded(values: st.SearchStrategy[tuple[str, Any]]) -> Variable:
    """(text, meaning) written with random surrounding blanks."""
    return st.tuples(values, st.sampled_from(PADS)).map(
        lambda t: (t[1][0] + t[0][0] + t[1][1], t[0][1])
    )


def optional_variable() -> Variable:
    value = st.text(string.ascii_letters + string.digits + "/:-_.", min_size=1, max_size=30)
    return st.one_of(unset(None), padded(value.map(lambda v: (v, v))))


def text_variable(default: str, max_len: int) -> Variable:
    # Kept as written (not stripped); only an empty or absent value means the default.
    return st.one_of(
        st.sampled_from([None, ""]).map(lambda raw: (raw, default)),
        st.text(min_size=1, max_size=40).map(lambda raw: (raw, raw)),
        bad(st.integers(max_len + 1, max_len + 3).map(lambda n: "n" * n)),
    )


URL_HOSTS = st.text(string.ascii_lowercase + string.digits + ".-", min_size=1, max_size=15)
URL_PATHS = st.sampled_from(["", "/", "/api", "/a/{{EndpointId}}", "/v1/"])
BAD_URLS = st.sampled_from(
    [
        "ftp://x",
        "x",
        "https://",
        "http:/x",
        "https:// x",
        "//x.example",
        "example.com",
        "https:///x",
    ]
)


def _loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1: the hosts an http:// URL may name (docs/security.md)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_variable(default: str | None, *, strip_slash: bool) -> Variable:
    hosts = st.one_of(URL_HOSTS, st.sampled_from(["localhost", "127.0.0.1", "127.1.2.3"]))

    def meaning(scheme: str, host: str, path: str) -> Any:
        if scheme == "http://" and not _loopback(host):
            return BAD  # https:// unless to a loopback host
        url = scheme + host + path
        return url.rstrip("/") if strip_slash else url

    valid = st.tuples(st.sampled_from(["http://", "https://"]), hosts, URL_PATHS).map(
        lambda t: ("".join(t), meaning(*t))
    )
    return st.one_of(unset(BAD if default is None else default), padded(valid), bad(BAD_URLS))


HEADER_NAMES = st.text(
    string.ascii_letters + string.digits + "!#$%&'*+.^_`|~-", min_size=1, max_size=12
)


# Control characters a header template may not hold (HTAB is allowed: RFC 9110, 5.5).
HEADER_CONTROLS = frozenset(chr(code) for code in [*range(0x09), *range(0x0A, 0x20), 0x7F])


def header_map_variable() -> Variable:
    headers = st.dictionaries(HEADER_NAMES, st.text(max_size=12), max_size=3)

    def meaning(header_map: dict[str, str]) -> Any:
        controls = any(set(value) & HEADER_CONTROLS for value in header_map.values())
        return BAD if controls else header_map

    bad_names = st.sampled_from(["Bad Name", "", "a:b", "x\ny", "X-Key\n", "é", "(x)"])
    wrong = st.one_of(
        st.sampled_from(["{not json", "[]", '"x"', "1", "null", '{"A": 1}', '{"A": ["x"]}']),
        bad_names.map(lambda name: json.dumps({name: "v"})),
    )
    return st.one_of(unset({}), headers.map(lambda h: (json.dumps(h), meaning(h))), bad(wrong))


def _code_piece(low: int, high: int, as_range: bool) -> tuple[str, set[int]]:
    low, high = sorted((low, high))
    if as_range:
        return f"{low}-{high}", set(range(low, high + 1))
    return str(low), {low}


def status_codes_variable() -> Variable:
    piece = st.builds(_code_piece, st.integers(100, 599), st.integers(100, 599), st.booleans())
    valid = st.lists(piece, min_size=1, max_size=3).map(
        lambda pieces: (
            ", ".join(text for text, _ in pieces),
            frozenset().union(*(codes for _, codes in pieces)),
        )
    )
    wrong = st.sampled_from(
        ["2xx", "99", "600", "200-600", "299-200", "200,", ",200", "200-", "20", "2000", "200 201"]
    )
    return st.one_of(unset(frozenset(range(200, 300))), valid, bad(wrong))


def header_name_variable() -> Variable:
    wrong = st.sampled_from(["a b", "x:y", "é", "(x)", "a\tb"])
    return st.one_of(unset(None), padded(HEADER_NAMES.map(lambda n: (n, n))), bad(wrong))


ALNUM = string.ascii_letters + string.digits


def sender_variable() -> Variable:
    e164 = st.tuples(st.sampled_from("123456789"), st.text(string.digits, min_size=6, max_size=14))
    sid = st.text("0123456789abcdef", min_size=32, max_size=32)
    # An alphanumeric sender id: at most 11 letters, digits and spaces, at least one letter.
    alpha = st.tuples(
        st.text(ALNUM + " ", max_size=5),
        st.sampled_from(string.ascii_letters),
        st.text(ALNUM + " ", max_size=5),
    )
    valid = st.one_of(
        e164.map(lambda t: "+" + t[0] + t[1]),
        sid.map(lambda hex_digits: "MG" + hex_digits),
        alpha.map("".join),
    ).map(lambda raw: (raw, raw.strip()))
    wrong = st.sampled_from(
        [
            "555",
            "+0123456789",
            "+12",
            "MG-xyz",
            "abc_def",
            "TwelveLetter",
            "12345",
            "+1555123456789012",
        ]
    )
    return st.one_of(unset(BAD), padded(valid), bad(wrong))


def country_codes_variable() -> Variable:
    """E.164 calling-code prefixes without "+", 1-4 digits, comma-separated; default "1"."""
    code = st.tuples(st.sampled_from("123456789"), st.text(string.digits, max_size=3)).map("".join)
    valid = st.lists(code, min_size=1, max_size=3).map(
        lambda codes: (" , ".join(codes), tuple(codes))
    )
    wrong = st.sampled_from(["+1", "0", "01", "12345", "1,,44", "1;44", "US", "1,"])
    return st.one_of(unset(("1",)), valid, bad(wrong))


GENERAL_VARIABLES: dict[str, tuple[Variable, Any]] = {
    "CHANNEL_METRICS_MODE": (choice_variable(METRICS_MODES, "api"), "api"),
    "CHANNEL_METRICS_NAMESPACE": (text_variable(DEFAULT_NAMESPACE, 255), DEFAULT_NAMESPACE),
    "CHANNEL_SKIP_OPTED_OUT": (boolean_variable(True), True),
    "CHANNEL_SKIP_INACTIVE": (boolean_variable(True), True),
    "CHANNEL_MAX_WORKERS": (integer_variable(50, 1, 50), 50),
    "CHANNEL_MAX_ATTEMPTS": (integer_variable(3, 1, 10), 3),
    "CHANNEL_DEADLINE_SECONDS": (integer_variable(15, 1, 30), 15),
    "CHANNEL_SAFETY_MARGIN_MS": (integer_variable(750, 0, 5000), 750),
    "CHANNEL_SECRET_ID": (optional_variable(), None),
    "CHANNEL_SECRET_PARAMETER": (optional_variable(), None),
    "CHANNEL_SECRET_TTL_SECONDS": (integer_variable(300, 0, 86400), 300),
    "CHANNEL_RECEIVER_SECRET_ID": (optional_variable(), None),
    "CHANNEL_IDEMPOTENCY_TABLE": (optional_variable(), None),
    "CHANNEL_IDEMPOTENCY_LEASE_SECONDS": (integer_variable(60, 16, 86400), 60),
    "CHANNEL_IDEMPOTENCY_TTL_SECONDS": (
        integer_variable(7 * 86400, 3600, 366 * 86400),
        7 * 86400,
    ),
    "CHANNEL_JOURNEY_REENTRY_SECONDS": (integer_variable(3600, 900, 366 * 86400), 3600),
    "CHANNEL_FAILURE_POLICY": (choice_variable(FAILURE_POLICIES, "report"), "report"),
    "CHANNEL_RATE_LIMIT_PER_SECOND": (integer_variable(0, 0, 100000), 0),
    "CHANNEL_LOG_ENDPOINT_IDS": (choice_variable(("hashed", "clear"), "hashed"), "hashed"),
}
GENERAL_NAMES = sorted(GENERAL_VARIABLES)
ADAPTER_VARIABLES: dict[str, dict[str, Variable]] = {
    "http": {
        "CHANNEL_HTTP_URL": url_variable(None, strip_slash=False),
        "CHANNEL_HTTP_METHOD": choice_variable(HTTP_METHODS, "POST"),
        "CHANNEL_HTTP_HEADERS": header_map_variable(),
        "CHANNEL_HTTP_BODY_TEMPLATE": text_variable("{{Data}}", 16384),
        "CHANNEL_HTTP_BODY_ENCODING": choice_variable(BODY_ENCODINGS, "json"),
        "CHANNEL_HTTP_SUCCESS_CODES": status_codes_variable(),
        "CHANNEL_HTTP_IDEMPOTENCY_HEADER": header_name_variable(),
    },
    "twilio": {
        "CHANNEL_TWILIO_FROM": sender_variable(),
        "CHANNEL_TWILIO_WHATSAPP": boolean_variable(False),
        "CHANNEL_TWILIO_API_BASE": url_variable("https://api.twilio.com", strip_slash=True),
        "CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES": country_codes_variable(),
    },
    "slack": {
        "CHANNEL_SLACK_CHANNEL_ATTRIBUTE": optional_variable(),
        "CHANNEL_SLACK_API_BASE": url_variable("https://slack.com/api", strip_slash=True),
        "CHANNEL_SLACK_CHANNEL_PATTERN": st.one_of(
            unset("[CDGUW][A-Z0-9]{8,}"),
            padded(st.sampled_from(["U[A-Z0-9]{8,}", "C0123ABCD|C0456EFGH"]).map(lambda p: (p, p))),
            bad(st.sampled_from(["C(0", "[", "*", "a{2,1}"])),
        ),
    },
}
# Lambda's own level: known levels in any case (not stripped), or anything else.
LAMBDA_LEVELS = st.sampled_from(
    [None, *GARBAGE, " INFO", *(case(level) for level in LOG_LEVELS for case in CASES)]
)


@st.composite
def environments(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, Any]]:
    """An environment of CHANNEL_* variables, and what the model expects of each."""
    raw_env: dict[str, str] = {}
    expected: dict[str, Any] = {}

    def take(name: str, strategy: Variable) -> None:
        raw, value = draw(strategy)
        if raw is not None:
            raw_env[name] = raw
        expected[name] = value

    take("CHANNEL_ADAPTER", choice_variable(tuple(ADAPTERS), "none"))
    present = draw(st.lists(st.sampled_from(GENERAL_NAMES), max_size=3, unique=True))
    for name, (strategy, default) in GENERAL_VARIABLES.items():
        if name in present:
            take(name, strategy)
        else:
            expected[name] = default
    # CHANNEL_LOG_LEVEL defaults to Lambda's AWS_LAMBDA_LOG_LEVEL when that is a known level.
    lambda_level = draw(LAMBDA_LEVELS)
    if lambda_level is not None:
        raw_env["AWS_LAMBDA_LOG_LEVEL"] = lambda_level
    level_default = (
        lambda_level.upper() if lambda_level and lambda_level.upper() in LOG_LEVELS else "INFO"
    )
    take("CHANNEL_LOG_LEVEL", choice_variable(LOG_LEVELS, level_default))
    # The chosen adapter's variables, and sometimes another adapter's (which are not read).
    other = draw(st.sampled_from([None, None, None, *ADAPTER_VARIABLES]))
    for adapter, variables in ADAPTER_VARIABLES.items():
        if adapter in (expected["CHANNEL_ADAPTER"], other):
            for name, strategy in variables.items():
                take(name, strategy)
    if draw(st.booleans()):
        raw_env["CHANNEL_UNKNOWN"] = draw(st.text(max_size=5))  # not the handler's: ignored
    return raw_env, expected


def expected_settings(expected: dict[str, Any]) -> tuple[set[str], Settings | None]:
    """The variables at fault (if any), else the Settings the model expects."""
    adapter = expected["CHANNEL_ADAPTER"]
    read = ["CHANNEL_ADAPTER", *GENERAL_VARIABLES, "CHANNEL_LOG_LEVEL"]
    if adapter in ADAPTER_VARIABLES:
        read += list(ADAPTER_VARIABLES[adapter])
    bad = {name for name in read if expected[name] is BAD}
    if bad:
        return bad, None
    value = expected.get
    if value("CHANNEL_SECRET_ID") and value("CHANNEL_SECRET_PARAMETER"):
        bad.add("CHANNEL_SECRET_PARAMETER")
    if value("CHANNEL_FAILURE_POLICY") == "retry" and not value("CHANNEL_IDEMPOTENCY_TABLE"):
        bad.add("CHANNEL_FAILURE_POLICY")
    if adapter in ("twilio", "slack") and not (
        value("CHANNEL_SECRET_ID") or value("CHANNEL_SECRET_PARAMETER")
    ):
        bad.add("CHANNEL_SECRET_ID")
    if value("CHANNEL_DEADLINE_SECONDS") * 1000 - value("CHANNEL_SAFETY_MARGIN_MS") < 1000:
        bad.add("CHANNEL_SAFETY_MARGIN_MS")  # at least 1 s of budget must be left
    if bad:
        return bad, None
    return set(), Settings(
        adapter=adapter,
        metrics_mode=value("CHANNEL_METRICS_MODE"),
        metrics_namespace=value("CHANNEL_METRICS_NAMESPACE"),
        skip_opted_out=value("CHANNEL_SKIP_OPTED_OUT"),
        skip_inactive=value("CHANNEL_SKIP_INACTIVE"),
        max_workers=value("CHANNEL_MAX_WORKERS"),
        max_attempts=value("CHANNEL_MAX_ATTEMPTS"),
        deadline_seconds=float(value("CHANNEL_DEADLINE_SECONDS")),
        safety_margin_ms=value("CHANNEL_SAFETY_MARGIN_MS"),
        log_level=value("CHANNEL_LOG_LEVEL"),
        log_endpoint_ids=value("CHANNEL_LOG_ENDPOINT_IDS"),
        secret_id=value("CHANNEL_SECRET_ID"),
        secret_parameter=value("CHANNEL_SECRET_PARAMETER"),
        secret_ttl_seconds=value("CHANNEL_SECRET_TTL_SECONDS"),
        receiver_secret_id=value("CHANNEL_RECEIVER_SECRET_ID"),
        idempotency_table=value("CHANNEL_IDEMPOTENCY_TABLE"),
        idempotency_lease_seconds=value("CHANNEL_IDEMPOTENCY_LEASE_SECONDS"),
        idempotency_ttl_seconds=value("CHANNEL_IDEMPOTENCY_TTL_SECONDS"),
        journey_reentry_seconds=value("CHANNEL_JOURNEY_REENTRY_SECONDS"),
        failure_policy=value("CHANNEL_FAILURE_POLICY"),
        rate_limit_per_second=value("CHANNEL_RATE_LIMIT_PER_SECOND"),
        provider=_expected_adapter(adapter, value),
        # The retry policy serves Pinpoint events alone (sources/connect.py cannot retry).
        event_source="pinpoint" if value("CHANNEL_FAILURE_POLICY") == "retry" else "auto",
        connect=ConnectSettings(
            address_fields=CONNECT_PHONE_FIELDS + CONNECT_EMAIL_FIELDS,
            channel_type="SMS",
        )
        if adapter == "twilio"
        else ConnectSettings(),
    )


def _expected_adapter(adapter: str, value: Any) -> Any:
    if adapter == "http":
        return HttpAdapter(
            url=value("CHANNEL_HTTP_URL"),
            method=value("CHANNEL_HTTP_METHOD"),
            headers=value("CHANNEL_HTTP_HEADERS"),
            body_template=value("CHANNEL_HTTP_BODY_TEMPLATE"),
            body_encoding=value("CHANNEL_HTTP_BODY_ENCODING"),
            success_codes=value("CHANNEL_HTTP_SUCCESS_CODES"),
            idempotency_header=value("CHANNEL_HTTP_IDEMPOTENCY_HEADER"),
        )
    if adapter == "twilio":
        return TwilioAdapter(
            sender=value("CHANNEL_TWILIO_FROM"),
            whatsapp=value("CHANNEL_TWILIO_WHATSAPP"),
            api_base=value("CHANNEL_TWILIO_API_BASE"),
            allowed_country_codes=value("CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES"),
        )
    if adapter == "slack":
        return SlackAdapter(
            channel_attribute=value("CHANNEL_SLACK_CHANNEL_ATTRIBUTE"),
            api_base=value("CHANNEL_SLACK_API_BASE"),
            channel_pattern=value("CHANNEL_SLACK_CHANNEL_PATTERN"),
        )
    return NoneAdapter()


@settings(max_examples=1_000, deadline=None, **CI)
@given(environment=environments())
def test_configuration_parses_to_the_documented_values_or_names_the_variable(environment):
    env, expected = environment
    faults, settings_expected = expected_settings(expected)
    note(f"faults: {sorted(faults)}")
    loaded, error = outcome(lambda: load_settings(env), ConfigError)
    if error is not None:
        assert error.variable in faults
        assert str(error) == f"{error.variable}: {error.problem}"
    else:
        assert not faults
        assert loaded == settings_expected


KNOWN_VARIABLES = sorted(
    {"CHANNEL_ADAPTER", "CHANNEL_LOG_LEVEL", *GENERAL_VARIABLES}
    | {name for variables in ADAPTER_VARIABLES.values() for name in variables}
)
ENV_SAMPLES = (
    *ADAPTERS,
    "HTTP",
    " twilio ",
    "https://x.example.com",
    "http://127.0.0.1:1/{{EndpointId}}",
    "true",
    "0",
    "51",
    "-1",
    "1e3",
    '{"X-Key": "v"}',
    '{"X-Key": 1}',
    "[]",
    "200,201-299",
    "100-599",
    "600",
    "+15550001111",
    "MG0123456789abcdef0123456789abcdef",
    "retry",
    "debug",
)
any_env_value = st.one_of(
    clean_text,
    st.sampled_from(ENV_SAMPLES),
    st.integers(-(10**6), 10**6).map(str),
    st.lists(st.integers(0, 999), min_size=1, max_size=3).map(
        lambda codes: ",".join(f"{code:03d}" for code in codes)
    ),
)


@settings(max_examples=1_000, deadline=None, **CI)
@given(
    env=st.dictionaries(st.sampled_from(KNOWN_VARIABLES), any_env_value, max_size=6),
    endpoints=st.lists(endpoint_ids, max_size=3, unique=True),
)
def test_any_environment_gives_settings_or_one_config_error_naming_its_variable(env, endpoints):
    _, error = outcome(lambda: load_settings(env), ConfigError)  # nothing else may escape
    if error is None:
        return
    # The variable at fault is set (or required and unset), and the message names it.
    assert error.variable in KNOWN_VARIABLES
    assert str(error).startswith(f"{error.variable}: ")
    # What every endpoint of a batch is then answered, and the one log line naming it.
    event = {**GUIDE_EVENT, "Endpoints": {endpoint_id: {} for endpoint_id in endpoints}}
    with captured_logs() as records:
        response = runtime.configuration_failure(event, error)
    check_shape(response)
    assert list(response) == endpoints
    for answer in response.values():
        assert answer["EventAttributes"]["status"] == "failed"
        assert names_field(
            answer["EventAttributes"]["reason"], "configuration error: ", error.variable
        )
    (record,) = records_named(records, "invalid configuration")
    assert record.__dict__["variable"] == error.variable


# ---------------------------------------------------------------------------------------
# Regressions: bugs the properties found in config.py, adapters/http.py and logs.py.
# ---------------------------------------------------------------------------------------

HTTP_ENV = {"CHANNEL_ADAPTER": "http", "CHANNEL_HTTP_URL": "https://x.example.com"}


def test_a_dot_segment_url_value_keeps_the_request_path(http_channel):
    """Endpoint id '..' in `/send/{{EndpointId}}` must not turn the request into POST /."""
    channel, server = http_channel
    server.requests.clear()
    event = {**GUIDE_EVENT, "Endpoints": {"..": {"ChannelType": "CUSTOM"}}}
    response = invoke(event, channel=channel).response
    paths = [request.path for request in server.requests]
    assert response[".."]["EventAttributes"]["status"] == "failed" or paths == ["/send/%2E%2E"]


def test_a_header_name_ending_in_a_newline_is_rejected():
    with pytest.raises(ConfigError) as raised:
        load_settings({**HTTP_ENV, "CHANNEL_HTTP_HEADERS": '{"X-Key\\n": "v"}'})
    assert raised.value.variable == "CHANNEL_HTTP_HEADERS"


def test_deeply_nested_headers_json_is_a_config_error():
    with pytest.raises(ConfigError) as raised:
        load_settings({**HTTP_ENV, "CHANNEL_HTTP_HEADERS": "[" * 3000})
    assert raised.value.variable == "CHANNEL_HTTP_HEADERS"


def test_a_log_line_naming_an_endpoint_id_with_a_lone_surrogate_is_written(channels):
    """The id is answered (failed, EndpointId), and its log line must reach stdout too."""
    event = {**GUIDE_EVENT, "Endpoints": {LONE_SURROGATES[0]: {"ChannelType": "SMS"}}}
    stdout = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # strict, as Lambda's stdout
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(io.StringIO()):
        invoke(event, channel=channels())
    stdout.flush()
    lines = stdout.buffer.getvalue().decode("utf-8").splitlines()
    assert "endpoint not delivered" in [json.loads(line)["message"] for line in lines]
