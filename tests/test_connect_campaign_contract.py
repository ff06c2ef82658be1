"""The Connect campaign's CloudFormation template, against cfn-lint and connectcampaignsv2.

The module renders its `AWS::ConnectCampaignsV2::Campaign` stack (connect_campaign.tf) for each
case below, planned with the mocked provider (tests/mock_plan.py): the exact template string it
would hand to CloudFormation. Then, like tests/test_campaign_contract.py for Pinpoint:

1. cfn-lint lints it offline against its bundled schema of the resource: no finding at all;
2. the names: each property, at every depth, exists in cfn-lint's schema and, spelled as the
   API spells it (CloudFormation's PascalCase with a lower-case first letter), in botocore's
   `connectcampaignsv2` CreateCampaignRequest; a property in neither or only one fails;
3. the request CloudFormation makes, built from those names, passes botocore's
   ParamValidator (types, required members, the Source union: exactly one member) and the
   model's pattern, enum and max of every string (service_model.validation_errors).

Also: the schema gives no way to create the campaign paused or stopped, and its create handler
does not start it (the premise of docs/connect.md, "The campaign as code").
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape, StructureShape
from botocore.validate import ParamValidator
from cfnlint.api import lint
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # type: ignore[import-untyped]

from emulator.service_model import validation_errors
from tests.mock_plan import mock_plan

pytestmark = pytest.mark.terraform

REGION = "eu-west-1"  # the mocked provider's
RESOURCE = "AWS::ConnectCampaignsV2::Campaign"
# Regions whose CloudFormation has the resource (cfn-lint's provider schemas: not eu-west-1,
# where Amazon Connect is not offered, E3006). The template names no region.
LINT_REGIONS = ["us-east-1", "eu-west-2"]
INSTANCE_ARN = (
    f"arn:aws:connect:{REGION}:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
)
FLOW_ARN = f"{INSTANCE_ARN}/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"
DOMAIN_ARN = f"arn:aws:profile:{REGION}:123456789012:domains/customers"
CONNECT = {"instance_arn": INSTANCE_ARN, "message_template": "Hi {{FirstName | there}}"}

CASES: dict[str, dict[str, Any]] = {
    # A segment, read again every hour.
    "segment": {
        "name": "contract-segment",
        "event_source": "connect",
        "delivery": {"adapter": "none"},
        "connect": CONNECT,
        "connect_campaign": {
            "name": "welcome-journey",
            "flow_arn": FLOW_ARN,
            "segment_arn": f"{DOMAIN_ARN}/segment-definitions/new-signups",
            "schedule": {
                "start_time": "2026-12-01T09:00:00",
                "end_time": "2026-12-31T18:00:00",
                "refresh_frequency": "PT1H",
            },
        },
    },
    # An event trigger, every optional property set.
    "event_trigger": {
        "name": "contract-event",
        "event_source": "connect",
        "delivery": {"adapter": "none"},
        "connect": CONNECT,
        "publish": True,
        "tags": {"Team": "growth"},
        "connect_campaign": {
            "name": "on-signup",
            "flow_arn": FLOW_ARN,
            "event_trigger_domain_arn": DOMAIN_ARN,
            "schedule": {"start_time": "2026-12-01T00:00:00", "end_time": "2027-06-30T23:59:59"},
            "entry_limits": {"max_entry_count": 1, "min_entry_interval": "P7D"},
        },
    },
}


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    plan = mock_plan(tmp_path_factory.mktemp("connect-campaign"), CASES, REGION)
    bodies = {}
    for change in plan["resource_changes"]:
        if change["type"] == "aws_cloudformation_stack":
            assert change["name"] == "connect_campaign"
            assert "template_body" not in change["change"]["after_unknown"]
            bodies[change["module_address"].removeprefix("module.")] = change["change"]["after"][
                "template_body"
            ]
    assert set(bodies) == set(CASES)
    return bodies


def schema() -> dict[str, Any]:
    resource: dict[str, Any] = PROVIDER_SCHEMA_MANAGER.get_resource_schema(
        "us-east-1", RESOURCE
    ).schema
    return resource


def operation_input() -> StructureShape:
    model = botocore.session.get_session().get_service_model("connectcampaignsv2")
    shape = model.operation_model("CreateCampaign").input_shape
    assert isinstance(shape, StructureShape)
    return shape


def _definition(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        node = root["definitions"][str(node["$ref"]).rsplit("/", 1)[1]]
    return node


def to_request(
    value: Any, node: Mapping[str, Any], shape: Shape, root: Mapping[str, Any], path: str
) -> Any:
    """CloudFormation's properties as the API request, each name checked in both authorities."""
    node = _definition(node, root)
    if shape.type_name == "structure":
        assert isinstance(shape, StructureShape), path
        assert isinstance(value, Mapping), path
        request = {}
        for name, item in value.items():
            assert name in node.get("properties", {}), f"{path}/{name}: not in cfn-lint's schema"
            member = name[0].lower() + name[1:]
            assert member in shape.members, f"{path}/{name}: no {member} in CreateCampaign"
            request[member] = to_request(
                item, node["properties"][name], shape.members[member], root, f"{path}/{name}"
            )
        return request
    if shape.type_name == "timestamp":
        # botocore sends a datetime as ISO 8601; the schema's TimeStamp has no offset.
        return dt.datetime.fromisoformat(value)
    return value


def properties(body: str) -> dict[str, Any]:
    template = json.loads(body)
    (resource,) = template["Resources"].values()
    assert resource["Type"] == RESOURCE
    props: dict[str, Any] = resource["Properties"]
    return props


@pytest.mark.parametrize("case", sorted(CASES))
def test_template_passes_cfn_lint(templates: dict[str, str], case: str) -> None:
    findings = [f"{m.rule.id}: {m.message}" for m in lint(templates[case], regions=LINT_REGIONS)]
    assert findings == []


def test_cfn_lint_knows_the_resource() -> None:
    """A misspelt property and a missing required one are errors: the lint above can fail."""
    body = json.dumps(
        {
            "Resources": {
                "Campaign": {"Type": RESOURCE, "Properties": {"Name": "x", "FlowArn": FLOW_ARN}}
            }
        }
    )
    rules = {m.rule.id for m in lint(body, regions=LINT_REGIONS)}
    assert {"E3002", "E3003"} <= rules


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_request_cloudformation_makes_is_valid(templates: dict[str, str], case: str) -> None:
    root = schema()
    shape = operation_input()
    request = to_request(properties(templates[case]), root, shape, root, "Properties")
    report = ParamValidator().validate(request, shape)
    assert not report.has_errors(), report.generate_report()
    assert validation_errors(request, shape) == []
    assert request["type"] == "JOURNEY"
    assert len(request["source"]) == 1


def test_the_contract_check_catches_a_bad_value(templates: dict[str, str]) -> None:
    """Values the model refuses, in a template cfn-lint would pass: the check above can fail."""
    root = schema()
    shape = operation_input()
    props = properties(templates["event_trigger"])
    props["Source"]["CustomerProfilesSegmentArn"] = f"{DOMAIN_ARN}/segment-definitions/x"
    props["EntryLimitsConfig"]["MinEntryInterval"] = "7 days"
    request = to_request(props, root, shape, root, "Properties")
    report = ParamValidator().validate(request, shape)
    assert report.has_errors() or validation_errors(request, shape) != []
    assert validation_errors(request | {"source": {"eventTrigger": {}}}, shape) != []


def test_the_campaign_cannot_be_created_paused_and_is_not_started() -> None:
    """No state among the resource's properties, and no StartCampaign among the permissions of
    its create handler: CloudFormation creates the campaign not started."""
    resource = schema()
    assert not {"State", "IsPaused", "Status"} & set(resource["properties"])
    create = resource["handlers"]["create"]["permissions"]
    assert "connect-campaigns:CreateCampaign" in create
    assert not [p for p in create if p.split(":")[1].startswith(("Start", "Resume"))]


def test_the_cases_render_what_they_cover(templates: dict[str, str]) -> None:
    segment = properties(templates["segment"])
    assert segment["Source"] == {
        "CustomerProfilesSegmentArn": f"{DOMAIN_ARN}/segment-definitions/new-signups"
    }
    assert segment["Schedule"]["RefreshFrequency"] == "PT1H"
    assert "EntryLimitsConfig" not in segment
    event = properties(templates["event_trigger"])
    assert event["Source"] == {"EventTrigger": {"CustomerProfilesDomainArn": DOMAIN_ARN}}
    assert event["EntryLimitsConfig"] == {"MaxEntryCount": 1, "MinEntryInterval": "P7D"}
    assert event["ConnectInstanceId"] == "0f1e2d3c-4b5a-4697-8877-665544332211"
