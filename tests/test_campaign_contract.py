"""Contract checks: what CloudFormation would send to Pinpoint for the campaign stack.

The module's campaign stack (tests/test_cfn_lint.py renders it for every case of its CASES)
holds AWS::Pinpoint::Campaign and AWS::Pinpoint::Segment resources. cfn-lint checks them
against CloudFormation's resource schemas, the mock provider and moto accept anything: neither
knows what the Pinpoint API itself refuses. Here each resource's Properties become the request
CloudFormation makes (CreateCampaign with its WriteCampaignRequest body, CreateSegment with
WriteSegmentRequest), checked against botocore's pinpoint model:

1. the names: the mapping from CloudFormation's property names to the API's is built from
   the two authorities, cfn-lint's bundled schema and botocore's model. A property either has
   the same name in both, or is named in CONTRACTS; anything else fails loudly, so a new
   property cannot slip through unchecked;
2. botocore's own parameter validator (types, required members, minimum lengths);
3. what the model adds that the validator does not check (enums; a boolean is no integer);
4. the value rules the model states only in its documentation strings, read from them where
   the text allows (the time zones, the limits' bounds, the Data size), quoted where not.

CloudFormation intrinsics and dynamic references resolve to sample values of the right type
first (SAMPLES and resolve(), each substitution documented).
"""

from __future__ import annotations

import copy
import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import botocore.session
import pytest
from botocore.model import Shape, StructureShape
from botocore.validate import ParamValidator
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # type: ignore[import-untyped]

from tests.test_cfn_lint import CASES

pytestmark = pytest.mark.terraform

MODEL = botocore.session.get_session().get_service_model("pinpoint")
#: cfn-lint's primary region, whose bundled provider schemas are read.
SCHEMA_REGION = "us-east-1"


class ContractError(AssertionError):
    """Something the checks cannot map or resolve: a gap in this test, never a pass."""


@dataclass(frozen=True)
class Contract:
    """How one resource type's Properties become its Create operation's request."""

    operation: str
    #: (CloudFormation definition, property) -> the API member's name, where they differ. The
    #: definition is the schema's "definitions" key, "" for the resource's own properties.
    renames: Mapping[tuple[str, str], str] = field(default_factory=dict)
    #: Properties that are not in the body but in the request's URI.
    uri: frozenset[str] = frozenset()


CONTRACTS = {
    "AWS::Pinpoint::Campaign": Contract(
        operation="CreateCampaign",
        renames={
            # The API's member is Hook (CampaignHook is its shape's name).
            ("", "CampaignHook"): "Hook",
            # WriteCampaignRequest.tags, lower case; "(Deprecated)" for updates only.
            ("", "Tags"): "tags",
            # Schedule.Timezone in the API, Schedule.TimeZone in CloudFormation.
            ("Schedule", "TimeZone"): "Timezone",
        },
        # CreateCampaignRequest.ApplicationId: "location": "uri" (application-id).
        uri=frozenset({"ApplicationId"}),
    ),
    "AWS::Pinpoint::Segment": Contract(
        operation="CreateSegment",
        renames={("", "Tags"): "tags"},
        uri=frozenset({"ApplicationId"}),
    ),
}

#: What each intrinsic or dynamic reference stands for when CloudFormation makes the call.
SAMPLES = {
    # Fn::GetAtt [<segment>, SegmentId] and Ref to an AWS::Pinpoint::Segment: Pinpoint's ids
    # are 32 lower-case hexadecimal characters (as the application ids in tests/mocks).
    "pinpoint_id": "5f0c8e2b9a7d4c1e8b3a6d0f9e2c7b41",
    # The pseudo parameters, in the mock provider's region and account.
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "sample-campaign",
    # {{resolve:secretsmanager:...}}: the receiver's path secret, a URL-safe token of 43
    # characters (32 random bytes, base64url), as the module generates it.
    "secretsmanager": "Q2hhbm5lbFBhdGhTZWNyZXRTYW1wbGVWYWx1ZTAx_-a",
    # {{resolve:ssm:...}}: a plain String parameter.
    "ssm": "sample-parameter-value",
}
PSEUDO_PARAMETERS = {key for key in SAMPLES if key.startswith("AWS::")}
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:([a-z-]+):[^}]*\}\}")
_SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]*)\}")


# --- the two authorities ------------------------------------------------------------------


def cfn_schema(resource_type: str) -> dict[str, Any]:
    schema: dict[str, Any] = PROVIDER_SCHEMA_MANAGER.get_resource_schema(
        SCHEMA_REGION, resource_type
    ).schema
    return schema


def operation_shapes(contract: Contract) -> tuple[StructureShape, StructureShape]:
    """The operation's input shape and the body's (its "payload" member)."""
    request = MODEL.operation_model(contract.operation).input_shape
    assert isinstance(request, StructureShape)
    body = request.members[request.serialization["payload"]]
    assert isinstance(body, StructureShape)
    return request, body


def _definition(schema: dict[str, Any], node: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(definition name, node) with a $ref followed; "" for an inline node."""
    ref = node.get("$ref")
    if ref is None:
        return "", node
    name = ref.removeprefix("#/definitions/")
    return name, schema["definitions"][name]


def _read_only(schema: dict[str, Any]) -> set[str]:
    return {path.removeprefix("/properties/") for path in schema.get("readOnlyProperties", [])}


def doc(shape: Shape, member: str) -> str:
    """A member's documentation string as plain text."""
    assert isinstance(shape, StructureShape)
    text = shape.members[member].documentation or ""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


# --- mapping: CloudFormation Properties -> API request ------------------------------------


def mapping_gaps(resource_type: str) -> list[str]:
    """Every property of the CloudFormation schema whose API member the mapping cannot name:
    the schema is walked whole, alongside the model, not only what the module renders."""
    contract = CONTRACTS[resource_type]
    schema = cfn_schema(resource_type)
    _, body = operation_shapes(contract)
    gaps: list[str] = []
    seen: set[tuple[str, str]] = set()

    def walk(definition: str, node: dict[str, Any], shape: Shape, path: str) -> None:
        if (definition, shape.name) in seen and definition:
            return
        seen.add((definition, shape.name))
        if "properties" in node:
            if not isinstance(shape, StructureShape):
                gaps.append(f"{path}: an object in the schema, a {shape.type_name} in the model")
                return
            for name, child in node["properties"].items():
                if definition == "" and name in contract.uri | _read_only(schema):
                    continue
                member = contract.renames.get((definition, name), name)
                if member not in shape.members:
                    gaps.append(f"{path}.{name}: no member {member} in {shape.name}")
                    continue
                child_definition, child_node = _definition(schema, child)
                walk(child_definition, child_node, shape.members[member], f"{path}.{name}")
        elif node.get("type") == "array" and "items" in node:
            item_definition, item_node = _definition(schema, node["items"])
            walk(item_definition, item_node, getattr(shape, "member", shape), f"{path}[]")

    walk("", schema, body, resource_type)
    return gaps


def to_request(resource_type: str, properties: Mapping[str, Any]) -> dict[str, Any]:
    """The Create request for these (resolved) Properties; ContractError on any property
    cfn-lint's schema or the mapping does not know."""
    contract = CONTRACTS[resource_type]
    schema = cfn_schema(resource_type)
    request_shape, body_shape = operation_shapes(contract)
    read_only = _read_only(schema)
    request: dict[str, Any] = {}
    body: dict[str, Any] = {}
    for name, value in properties.items():
        if name in read_only:
            raise ContractError(f"{resource_type}.{name}: read-only, CloudFormation sets it")
        if name in contract.uri:
            request[name] = value
            continue
        body.update(_map_object("", schema, {name: value}, body_shape, resource_type, contract))
    request[request_shape.serialization["payload"]] = body
    return request


def _map_object(
    definition: str,
    schema: dict[str, Any],
    value: Mapping[str, Any],
    shape: StructureShape,
    path: str,
    contract: Contract,
) -> dict[str, Any]:
    node = schema if definition == "" else schema["definitions"][definition]
    mapped: dict[str, Any] = {}
    for name, item in value.items():
        if name not in node["properties"]:
            raise ContractError(
                f"{path}.{name}: not a property of {definition or path} in cfn-lint's schema"
            )
        member = contract.renames.get((definition, name), name)
        if member not in shape.members:
            raise ContractError(
                f"{path}.{name}: the mapping names no member of {shape.name} for it ({member}?)"
            )
        mapped[member] = _map_value(
            schema,
            node["properties"][name],
            item,
            shape.members[member],
            f"{path}.{name}",
            contract,
        )
    return mapped


def _map_value(
    schema: dict[str, Any],
    node: dict[str, Any],
    value: Any,
    shape: Shape,
    path: str,
    contract: Contract,
) -> Any:
    definition, node = _definition(schema, node)
    if "properties" in node and isinstance(value, dict) and isinstance(shape, StructureShape):
        return _map_object(definition, schema, value, shape, path, contract)
    if node.get("type") == "array" and isinstance(value, list) and shape.type_name == "list":
        member = shape.member  # type: ignore[attr-defined]
        return [
            _map_value(schema, node["items"], item, member, f"{path}[{index}]", contract)
            for index, item in enumerate(value)
        ]
    if node.get("format") == "json" and isinstance(value, str):
        # "format": "json", "type": ["object", "string"]: CloudFormation takes the object or
        # its JSON text; the API takes the object.
        return json.loads(value)
    return value  # a scalar, or a wrong type: botocore's validator reports it


# --- intrinsics and dynamic references ----------------------------------------------------


def resolve(value: Any, template: Mapping[str, Any], path: str = "") -> Any:
    """The value with every intrinsic function and dynamic reference replaced by a sample of
    what CloudFormation would pass. Anything else that looks like one is a ContractError."""
    if isinstance(value, list):
        return [resolve(item, template, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(value, str):
        return _resolve_dynamic(value, path)
    if not isinstance(value, dict):
        return value
    functions = [key for key in value if key == "Ref" or key.startswith("Fn::")]
    if not functions:
        return {key: resolve(item, template, f"{path}.{key}") for key, item in value.items()}
    if len(value) != 1:
        raise ContractError(f"{path}: an intrinsic function beside other keys ({sorted(value)})")
    (function,) = functions
    argument = value[function]
    if function == "Ref":
        return _ref(argument, template, path)
    if function == "Fn::GetAtt":
        logical, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
        return _get_att(logical, attribute, template, path)
    if function == "Fn::Join":
        delimiter, parts = argument
        resolved = resolve(parts, template, path)
        if not all(isinstance(part, str) for part in resolved):
            raise ContractError(f"{path}: Fn::Join of a non-string {resolved!r}")
        return str(delimiter).join(resolved)
    if function == "Fn::Sub":
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        variables = resolve(variables, template, path)
        return _resolve_dynamic(_sub(text, variables, template, path), path)
    raise ContractError(f"{path}: {function} is not resolved by these checks")


def _ref(name: str, template: Mapping[str, Any], path: str) -> Any:
    if name in PSEUDO_PARAMETERS:
        return SAMPLES[name]
    parameter = template.get("Parameters", {}).get(name)
    if parameter is not None:
        if "Default" not in parameter:
            raise ContractError(f"{path}: Ref to parameter {name}, which has no Default")
        return parameter["Default"]
    resource = template.get("Resources", {}).get(name)
    if resource is not None and resource["Type"] in CONTRACTS:
        # Ref to a Pinpoint segment or campaign returns its id.
        return SAMPLES["pinpoint_id"]
    raise ContractError(f"{path}: Ref to {name}, which these checks cannot resolve")


def _get_att(logical: str, attribute: str, template: Mapping[str, Any], path: str) -> str:
    resource = template.get("Resources", {}).get(logical)
    if resource is not None and (resource["Type"], attribute) in {
        ("AWS::Pinpoint::Segment", "SegmentId"),
        ("AWS::Pinpoint::Campaign", "CampaignId"),
    }:
        return SAMPLES["pinpoint_id"]
    raise ContractError(f"{path}: Fn::GetAtt {logical}.{attribute} is not resolved here")


def _sub(text: str, variables: Mapping[str, Any], template: Mapping[str, Any], path: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(1) == "!":  # ${!Literal} is the text ${Literal}
            return "${" + match.group(2) + "}"
        name = match.group(2)
        if name in variables:
            return str(variables[name])
        if "." in name:
            logical, attribute = name.split(".", 1)
            return _get_att(logical, attribute, template, path)
        return str(_ref(name, template, path))

    return _SUB_VARIABLE.sub(replace, text)


def _resolve_dynamic(text: str, path: str) -> str:
    def replace(match: re.Match[str]) -> str:
        service = match.group(1)
        if service == "ssm-secure":
            # CloudFormation user guide, "Get a secure string value from Systems Manager
            # Parameter Store": "Secure strings can only be used for resource properties that
            # support the ssm-secure dynamic reference pattern"; no Pinpoint property does.
            raise ContractError(f"{path}: ssm-secure is not supported in Pinpoint properties")
        if service not in ("secretsmanager", "ssm"):
            raise ContractError(f"{path}: unknown dynamic reference {{{{resolve:{service}:...}}}}")
        return SAMPLES[service]

    resolved = _DYNAMIC_REFERENCE.sub(replace, text)
    if "{{resolve:" in resolved:
        raise ContractError(f"{path}: a dynamic reference these checks cannot parse")
    return resolved


# --- what the model says beyond the validator ---------------------------------------------


def model_problems(value: Any, shape: Shape, path: str) -> Iterator[str]:
    """Enums (botocore's validator does not check them) and booleans given for integers
    (botocore accepts them: bool is an int in Python, not in the API's JSON)."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for name, item in value.items():
            if name in shape.members:
                yield from model_problems(item, shape.members[name], f"{path}.{name}")
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from model_problems(item, shape.member, f"{path}[{index}]")  # type: ignore[attr-defined]
    elif shape.type_name == "map" and isinstance(value, dict):
        for key, item in value.items():
            yield from model_problems(item, shape.value, f"{path}.{key}")  # type: ignore[attr-defined]
    elif (enum := shape.metadata.get("enum")) and value not in enum:
        yield f"{path}: {value!r} is not one of {shape.name}'s values {enum}"
    elif shape.type_name == "integer" and isinstance(value, bool):
        yield f"{path}: a boolean where the model has an integer"


# --- the rules in the documentation strings -----------------------------------------------


def structure(name: str) -> StructureShape:
    shape = MODEL.shape_for(name)
    assert isinstance(shape, StructureShape)
    return shape


_SCHEDULE = structure("Schedule")
_LIMITS = structure("CampaignLimits")
_CUSTOM_MESSAGE = structure("CampaignCustomMessage")


def documented_timezones() -> list[str]:
    """Schedule.Timezone: "Valid values are: UTC, UTC+01, ... and UTC-11."."""
    text = doc(_SCHEDULE, "Timezone").partition("Valid values are:")[2]
    return re.findall(r"UTC(?:[+-]\d{2}(?::\d{2})?)?", text)


def documented_limits() -> dict[str, tuple[int | None, int | None]]:
    """CampaignLimits' members: "The minimum value is N" / "The maximum value is N"."""
    bounds: dict[str, tuple[int | None, int | None]] = {}
    for member in _LIMITS.members:
        text = doc(_LIMITS, member)
        low = re.search(r"minimum value is ([\d,]+)", text)
        high = re.search(r"maximum value is ([\d,]+)", text)
        if low or high:
            bounds[member] = (
                int(low.group(1).replace(",", "")) if low else None,
                int(high.group(1).replace(",", "")) if high else None,
            )
    return bounds


def documented_data_bytes() -> int:
    """CampaignCustomMessage.Data: "The maximum size is 5 KB." (KB as 1024 bytes of UTF-8,
    as the module's validation reads it)."""
    match = re.search(r"maximum size is (\d+) KB", doc(_CUSTOM_MESSAGE, "Data"))
    assert match, "CampaignCustomMessage.Data's documentation no longer states its size"
    return int(match.group(1)) * 1024


#: Amazon Pinpoint user guide, "Configure the message": "An A/B test campaign can include up
#: to five treatments" (the main one and the additional ones; not in the model).
MAX_TREATMENTS = 5
#: HoldoutPercent and SizePercent are "The allocated percentage of users".
MAX_PERCENT = 100
_LAMBDA = re.compile(
    r"(arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?"
)
_HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _iso8601(value: Any) -> bool:
    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def campaign_problems(body: Mapping[str, Any]) -> list[str]:
    """The rules WriteCampaignRequest's documentation states (quoted where they are checked)."""
    problems: list[str] = []
    treatments = list(body.get("AdditionalTreatments") or [])
    # The main treatment is the request itself; each additional one has the same parts.
    parts = [("WriteCampaignRequest", body)] + [
        (f"AdditionalTreatments[{i}]", t) for i, t in enumerate(treatments)
    ]
    timezones = documented_timezones()
    for where, part in parts:
        schedule = part.get("Schedule") or {}
        if "Timezone" in schedule and schedule["Timezone"] not in timezones:
            problems.append(f"{where}.Schedule.Timezone: {schedule['Timezone']!r} not documented")
        # StartTime: "Valid values are: IMMEDIATE, ...; or, a specific time in ISO 8601 format."
        start = schedule.get("StartTime")
        if start is not None and start != "IMMEDIATE" and not _iso8601(start):
            problems.append(f"{where}.Schedule.StartTime: {start!r} is not IMMEDIATE or ISO 8601")
        # EndTime: "The scheduled time, in ISO 8601 format, ..."
        if "EndTime" in schedule and not _iso8601(schedule["EndTime"]):
            problems.append(f"{where}.Schedule.EndTime: {schedule['EndTime']!r} is not ISO 8601")
        # EventFilter: "The type of event that causes the campaign to be sent, if the value of
        # the Frequency property is EVENT."
        if schedule.get("Frequency") == "EVENT" and "EventFilter" not in schedule:
            problems.append(f"{where}.Schedule: Frequency EVENT without an EventFilter")
        # QuietTime.Start/End: "24-hour notation and be in HH:MM format".
        for bound in ("Start", "End"):
            value = (schedule.get("QuietTime") or {}).get(bound)
            if value is not None and not _HH_MM.fullmatch(str(value)):
                problems.append(f"{where}.Schedule.QuietTime.{bound}: {value!r} is not HH:MM")
        message = part.get("MessageConfiguration") or {}
        data = (message.get("CustomMessage") or {}).get("Data")
        if isinstance(data, str) and len(data.encode("utf-8")) > documented_data_bytes():
            problems.append(
                f"{where}.MessageConfiguration.CustomMessage.Data: "
                f"{len(data.encode('utf-8'))} bytes, over {documented_data_bytes()}"
            )
        # CustomDeliveryConfiguration: "This object is required if the MessageConfiguration
        # object for the campaign specifies a CustomMessage object."
        delivery = part.get("CustomDeliveryConfiguration")
        if "CustomMessage" in message and delivery is None:
            problems.append(f"{where}: a CustomMessage without a CustomDeliveryConfiguration")
        if delivery is not None:
            problems += _delivery_uri_problems(f"{where}.CustomDeliveryConfiguration", delivery)
        # TemplateConfiguration.VoiceTemplate: "This object isn't supported for campaigns."
        if "VoiceTemplate" in (part.get("TemplateConfiguration") or {}):
            problems.append(f"{where}.TemplateConfiguration.VoiceTemplate: not for campaigns")
    problems += _limits_problems(body.get("Limits") or {})
    # CampaignHook.Mode: "DELIVERY - (Deprecated) ... This functionality is not supported
    # anymore."
    if (body.get("Hook") or {}).get("Mode") == "DELIVERY":
        problems.append("Hook.Mode: DELIVERY is not supported anymore")
    problems += _treatment_problems(body, treatments)
    return problems


def _delivery_uri_problems(where: str, delivery: Mapping[str, Any]) -> list[str]:
    """DeliveryUri: "The name or Amazon Resource Name (ARN) of an AWS Lambda function" or "The
    URL for a web application or service that supports HTTPS ... a full URL, including the
    HTTPS protocol"."""
    uri = delivery.get("DeliveryUri")
    if not isinstance(uri, str):
        return []  # the validator reports a missing or non-string DeliveryUri
    if _LAMBDA.fullmatch(uri):
        return []
    parts = urlsplit(uri)
    if parts.scheme == "https" and parts.netloc and not any(c.isspace() for c in uri):
        return []
    return [f"{where}.DeliveryUri: neither a Lambda function nor a full https:// URL"]


def _limits_problems(limits: Mapping[str, Any]) -> list[str]:
    problems = []
    for member, (low, high) in documented_limits().items():
        value = limits.get(member)
        if not isinstance(value, int) or isinstance(value, bool):
            continue  # unset, or a wrong type the validator reports
        if low is not None and value < low:
            problems.append(f"Limits.{member}: {value} is below the documented minimum {low}")
        if high is not None and value > high:
            problems.append(f"Limits.{member}: {value} is over the documented maximum {high}")
    return problems


def _treatment_problems(body: Mapping[str, Any], treatments: list[Mapping[str, Any]]) -> list[str]:
    problems = []
    if 1 + len(treatments) > MAX_TREATMENTS:
        problems.append(f"{1 + len(treatments)} treatments, over {MAX_TREATMENTS}")
    holdout = body.get("HoldoutPercent", 0)
    sizes = [t.get("SizePercent") for t in treatments]
    numbers = [v for v in [holdout, *sizes] if isinstance(v, int) and not isinstance(v, bool)]
    for name, value in [("HoldoutPercent", holdout)] + [
        (f"AdditionalTreatments[{i}].SizePercent", v) for i, v in enumerate(sizes)
    ]:
        if isinstance(value, int) and not 0 <= value <= MAX_PERCENT:
            problems.append(f"{name}: {value} is not a percentage")
    # The module's own rule (no API rule is documented either way): the main treatment keeps
    # at least 1 %, so that its message reaches someone.
    if len(numbers) == 1 + len(sizes) and sum(numbers) > MAX_PERCENT - 1:
        problems.append(
            f"HoldoutPercent + SizePercent = {sum(numbers)}: the main treatment keeps nothing"
        )
    return problems


# --- one resource, every check ------------------------------------------------------------


def contract_problems(template: Mapping[str, Any], logical_id: str) -> list[str]:
    """Every problem of one Pinpoint resource of a rendered template (ContractError when the
    checks themselves cannot map or resolve it)."""
    resource = template["Resources"][logical_id]
    resource_type = resource["Type"]
    properties = resolve(resource.get("Properties", {}), template, logical_id)
    request = to_request(resource_type, properties)
    request_shape, body_shape = operation_shapes(CONTRACTS[resource_type])
    report = ParamValidator().validate(request, request_shape)
    problems = [line for line in report.generate_report().splitlines() if line.strip()]
    body = request[request_shape.serialization["payload"]]
    problems += model_problems(body, body_shape, body_shape.name)
    if resource_type == "AWS::Pinpoint::Campaign":
        problems += campaign_problems(body)
    return problems


def pinpoint_resources(template: Mapping[str, Any]) -> list[str]:
    return [
        name
        for name, resource in template["Resources"].items()
        if resource["Type"].startswith("AWS::Pinpoint::")
    ]


# --- the module's cases -------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_pinpoint_resource_of_the_case_keeps_the_api_contract(
    templates: dict[str, dict[str, Any]],
    case: str,
) -> None:
    template = templates[case]["template"]
    resources = pinpoint_resources(template)
    unknown = [name for name in resources if template["Resources"][name]["Type"] not in CONTRACTS]
    assert unknown == [], f"no contract for {unknown}: add one to CONTRACTS"
    assert "Campaign" in resources
    for name in resources:
        assert contract_problems(template, name) == [], name


@pytest.mark.parametrize("resource_type", sorted(CONTRACTS))
def test_the_mapping_names_an_api_member_for_every_schema_property(resource_type: str) -> None:
    """cfn-lint's whole schema, not only what the module renders: a property CloudFormation
    adds makes this fail until the mapping knows where it goes."""
    assert mapping_gaps(resource_type) == []


def test_the_rules_are_read_from_the_models_documentation() -> None:
    """The parsers find what they look for: a reworded documentation string fails here rather
    than passing every value."""
    timezones = documented_timezones()
    assert "UTC" in timezones
    assert "UTC+05:45" in timezones
    assert len(timezones) == len(set(timezones))
    assert all(re.fullmatch(r"UTC([+-]\d{2}(:\d{2})?)?", zone) for zone in timezones)
    limits = documented_limits()
    assert {"Daily", "Total", "MessagesPerSecond", "MaximumDuration"} <= set(limits)
    assert documented_data_bytes() > 0


# --- each check catches a planted error ---------------------------------------------------


@pytest.fixture
def ab_campaign(templates: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A copy of the rendered case with treatments, limits and a time zone (the A/B case)."""
    for case in sorted(templates):
        template = templates[case]["template"]
        properties = template["Resources"].get("Campaign", {}).get("Properties", {})
        if {"AdditionalTreatments", "Limits"} <= set(properties) and "TimeZone" in properties.get(
            "Schedule", {}
        ):
            return copy.deepcopy(template)
    raise AssertionError("no case renders a campaign with treatments, limits and a time zone")


def props(template: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = template["Resources"]["Campaign"]["Properties"]
    return properties


def test_the_planted_baseline_is_clean(ab_campaign: dict[str, Any]) -> None:
    assert contract_problems(ab_campaign, "Campaign") == []


@pytest.mark.parametrize(
    ("plant", "expected"),
    [
        # The variable's own description once suggested it; not one of the API's values.
        (lambda p: p["Schedule"].update(TimeZone="UTC-05:30"), "Schedule.Timezone"),
        (lambda p: p["Limits"].update(Daily=101), "Limits.Daily: 101 is over"),
        (lambda p: p["Limits"].update(Total=250), "Limits.Total: 250 is over"),
        (lambda p: p["Limits"].update(MessagesPerSecond=0), "Limits.MessagesPerSecond: 0 is below"),
        (
            lambda p: p["Limits"].update(MessagesPerSecond=20001),
            "Limits.MessagesPerSecond: 20001 is over",
        ),
        (lambda p: p["Limits"].update(MaximumDuration=59), "Limits.MaximumDuration: 59 is below"),
        (
            lambda p: p["MessageConfiguration"]["CustomMessage"].update(Data="x" * 6 * 1024),
            "CustomMessage.Data: 6144 bytes",
        ),
        # 5 KB of characters, more than 5 KB of UTF-8 bytes.
        (
            lambda p: p["MessageConfiguration"]["CustomMessage"].update(Data="\u00e9" * 3000),
            "CustomMessage.Data: 6000 bytes",
        ),
        (lambda p: p.update(HoldoutPercent="10"), "HoldoutPercent"),  # a wrong type
        (lambda p: p.update(IsPaused="false"), "IsPaused"),
        (lambda p: p.update(HoldoutPercent=True), "a boolean where the model has an integer"),
        (lambda p: p.update(HoldoutPercent=50), "the main treatment keeps nothing"),
        (
            lambda p: p["AdditionalTreatments"].extend(
                copy.deepcopy(p["AdditionalTreatments"][:1]) * 3
            ),
            "6 treatments, over 5",
        ),
        (
            lambda p: p["AdditionalTreatments"][0].update(SizePercent=101),
            "SizePercent: 101 is not a percentage",
        ),
        (
            lambda p: p["CustomDeliveryConfiguration"].update(
                DeliveryUri="http://partner.example.com/hook"
            ),
            "DeliveryUri: neither",
        ),
        (
            lambda p: p["CustomDeliveryConfiguration"].update(EndpointTypes=["FAX"]),
            "'FAX' is not one of",
        ),
        (lambda p: p["Schedule"].update(Frequency="YEARLY"), "'YEARLY' is not one of"),
        (lambda p: p["Schedule"].update(StartTime="next monday"), "Schedule.StartTime"),
        (lambda p: p["Schedule"].update(Frequency="EVENT"), "Frequency EVENT without"),
        (lambda p: p["Schedule"].update(QuietTime={"Start": "9pm", "End": "07:00"}), "9pm"),
        (lambda p: p.pop("CustomDeliveryConfiguration"), "without a CustomDeliveryConfiguration"),
        (lambda p: p.update(CampaignHook={"Mode": "DELIVERY"}), "DELIVERY is not supported"),
        (
            lambda p: p.update(TemplateConfiguration={"VoiceTemplate": {"Name": "v"}}),
            "VoiceTemplate: not for campaigns",
        ),
        (lambda p: p["Schedule"].pop("StartTime"), "StartTime"),  # required by the model
    ],
)
def test_each_check_catches_a_planted_error(
    ab_campaign: dict[str, Any], plant: Any, expected: str
) -> None:
    plant(props(ab_campaign))
    problems = contract_problems(ab_campaign, "Campaign")
    assert any(expected in problem for problem in problems), problems


@pytest.mark.parametrize(
    ("plant", "expected"),
    [
        (lambda p: p.update(Colour="blue"), "Colour: not a property"),
        (lambda p: p["Schedule"].update(Timezone="UTC"), "Timezone: not a property"),  # REST name
        (lambda p: p["Limits"].update(Hourly=1), "Hourly: not a property"),
        (lambda p: p.update(CampaignId="x"), "CampaignId: read-only"),
        (
            lambda p: p.update(Description={"Fn::ImportValue": "shared-description"}),
            "Fn::ImportValue is not resolved",
        ),
        (
            lambda p: p["CustomDeliveryConfiguration"].update(
                DeliveryUri="https://x.example.com/{{resolve:ssm-secure:/path/secret:1}}"
            ),
            "ssm-secure",
        ),
        (lambda p: p.update(SegmentId={"Ref": "NoSuchThing"}), "Ref to NoSuchThing"),
    ],
)
def test_what_the_checks_cannot_map_fails_loudly(
    ab_campaign: dict[str, Any], plant: Any, expected: str
) -> None:
    plant(props(ab_campaign))
    with pytest.raises(ContractError, match=re.escape(expected)):
        contract_problems(ab_campaign, "Campaign")


def test_a_property_the_mapping_lacks_is_a_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the TimeZone rename the schema's Schedule.TimeZone has no API member."""
    contract = CONTRACTS["AWS::Pinpoint::Campaign"]
    renames = {k: v for k, v in contract.renames.items() if k != ("Schedule", "TimeZone")}
    monkeypatch.setitem(
        CONTRACTS, "AWS::Pinpoint::Campaign", Contract(contract.operation, renames, contract.uri)
    )
    assert any(
        "TimeZone: no member TimeZone in Schedule" in gap
        for gap in mapping_gaps("AWS::Pinpoint::Campaign")
    )


def test_intrinsics_resolve_to_samples_of_the_right_type(ab_campaign: dict[str, Any]) -> None:
    """A DeliveryUri built with Fn::Join or Fn::Sub, a segment by Ref: each resolves, and the
    resolved request passes (a Join that yields an http:// URL does not)."""
    p = props(ab_campaign)
    p["SegmentId"] = {"Ref": "Segment"}
    p["CustomDeliveryConfiguration"]["DeliveryUri"] = {
        "Fn::Join": [
            "",
            [
                "https://abc.execute-api.",
                {"Ref": "AWS::Region"},
                ".amazonaws.com/{{resolve:secretsmanager:receiver:SecretString:::v1}}",
            ],
        ]
    }
    p["AdditionalTreatments"][0]["CustomDeliveryConfiguration"]["DeliveryUri"] = {
        "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:fn"
    }
    assert contract_problems(ab_campaign, "Campaign") == []
    resolved = resolve(p, ab_campaign)
    assert resolved["SegmentId"] == SAMPLES["pinpoint_id"]
    assert resolved["CustomDeliveryConfiguration"]["DeliveryUri"] == (
        f"https://abc.execute-api.eu-west-1.amazonaws.com/{SAMPLES['secretsmanager']}"
    )
    assert resolved["AdditionalTreatments"][0]["CustomDeliveryConfiguration"]["DeliveryUri"] == (
        "arn:aws:lambda:eu-west-1:123456789012:function:fn"
    )
    p["CustomDeliveryConfiguration"]["DeliveryUri"] = {
        "Fn::Join": ["", ["http://", {"Ref": "AWS::URLSuffix"}]]
    }
    assert any(
        "DeliveryUri: neither" in problem for problem in contract_problems(ab_campaign, "Campaign")
    )


#: The phrases quoted next to the rules above: still the model's words, or the rule is stale.
QUOTED = [
    ("Schedule", "StartTime", "Valid values are: IMMEDIATE"),
    ("Schedule", "StartTime", "a specific time in ISO 8601 format"),
    ("Schedule", "EndTime", "in ISO 8601 format"),
    ("Schedule", "EventFilter", "if the value of the Frequency property is EVENT"),
    ("QuietTime", "Start", "HH:MM format"),
    ("QuietTime", "End", "HH:MM format"),
    ("WriteCampaignRequest", "CustomDeliveryConfiguration", "This object is required if"),
    ("WriteTreatmentResource", "CustomDeliveryConfiguration", "This object is required if"),
    ("CustomDeliveryConfiguration", "DeliveryUri", "Amazon Resource Name (ARN) of an AWS Lambda"),
    ("CustomDeliveryConfiguration", "DeliveryUri", "including the HTTPS protocol"),
    ("TemplateConfiguration", "VoiceTemplate", "This object isn't supported for campaigns."),
    ("CampaignHook", "Mode", "This functionality is not supported anymore."),
    ("WriteCampaignRequest", "HoldoutPercent", "The allocated percentage of users"),
    ("WriteTreatmentResource", "SizePercent", "The allocated percentage of users"),
]


@pytest.mark.parametrize(("shape", "member", "phrase"), QUOTED)
def test_the_quoted_rules_are_still_the_models_words(shape: str, member: str, phrase: str) -> None:
    assert phrase in doc(structure(shape), member)
