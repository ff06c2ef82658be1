"""cfn-lint on the CloudFormation templates the module renders for its campaign stack.

The module renders them: a root configuration in a temporary directory calls the module once
per case below, and `terraform test -json -verbose` plans it against the project's mocked aws
provider (tests/mocks, its values also used at plan time: offline, a few seconds) and prints
the plan. Each case's planned `template_body` is the exact string the module would hand to
CloudFormation. cfn-lint
(installed with moto[server], pinned in requirements-dev.txt) lints it offline against its
AWS::Pinpoint::Segment / AWS::Pinpoint::Campaign schemas.

Expected finding: W3696 on every AWS::Pinpoint::* resource. Amazon Pinpoint's engagement
features (segments, campaigns) reach end of support on 2026-10-30, and cfn-lint warns so on
each such resource; the README tells users the same. Any error (E) is a bug in the module,
and any other warning fails these tests too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint

from tests.mock_plan import mock_plan

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parent.parent

#: The region of the mocked provider (tests/mocks) and the primary one of cfn-lint.
REGIONS = ["eu-west-1", "us-east-1"]

#: cfn-lint's warning that the resource's service is shut down (Pinpoint, 2026-10-30).
END_OF_SUPPORT = "W3696"

WEBHOOK_URL = "https://hooks.example.com/pinpoint/k7Qx2pLm9"
PARTNER_URL = "https://partner.example.com/pinpoint/hook"
APPLICATION_ID = "3a9b1f4e6c764ba7b031e7183a0b1c2d"
SEGMENT_ID = "8d1a2b3c4d5e6f708192a3b4c5d6e7f8"

#: One module instance per case: its arguments (besides `source`).
CASES: dict[str, dict[str, Any]] = {
    # Lambda channel, new application, a segment created in the stack with every filter.
    "segment_created": {
        "name": "lint-segment",
        "event_source": "pinpoint",
        "delivery": {"adapter": "none"},
        "tags": {"Team": "growth"},
        "segment": {
            "name": "customers",
            "channel_types": ["CUSTOM", "SMS"],
            "attributes": {"Plan": ["pro", "team"]},
            "user_attributes": {"Language": ["en"]},
        },
        "campaign": {
            "name": "welcome",
            "description": "Welcome message",
            "data": '{"text": "Hello {{Attributes.FirstName | there}}"}',
            "endpoint_types": ["CUSTOM", "SMS"],
        },
    },
    # An existing application and segment: no segment in the stack, a literal SegmentId.
    "existing_segment": {
        "name": "lint-existing",
        "event_source": "pinpoint",
        "delivery": {"adapter": "none"},
        "application": {"create": False, "id": APPLICATION_ID},
        "segment": {"id": SEGMENT_ID},
        "campaign": {"name": "reminder", "data": "reminder"},
    },
    # A/B test through a published alias: 2 additional treatments (one to a partner webhook),
    # a holdout, every limit, a weekly schedule with end time and time zone.
    "ab_test_scheduled": {
        "name": "lint-ab",
        "event_source": "pinpoint",
        "delivery": {"adapter": "none"},
        "publish": True,
        "campaign": {
            "name": "spring-sale",
            "description": "A/B test of the spring sale message",
            "data": '{"text": "Spring sale: 20% off"}',
            "is_paused": False,
            "treatment_name": "control",
            "treatment_description": "Plain text",
            "holdout_percent": 10,
            "schedule": {
                "start_time": "2026-04-01T09:00:00Z",
                "end_time": "2026-04-30T09:00:00Z",
                "frequency": "WEEKLY",
                "timezone": "UTC+02",
            },
            "treatments": [
                {"name": "emoji", "size_percent": 30, "data": '{"text": "Spring sale \u2600"}'},
                {
                    "name": "partner",
                    "description": "Same text through a partner webhook",
                    "size_percent": 20,
                    "data": '{"text": "Spring sale"}',
                    "delivery_uri": PARTNER_URL,
                    "endpoint_types": ["EMAIL"],
                },
            ],
            "limits": {
                "daily": 1,
                "total": 4,
                "messages_per_second": 50,
                "maximum_duration": 600,
                "session": 2,
            },
            "tags": {"Campaign": "spring"},
        },
    },
    # Event-triggered campaign in local time; the segment's Dimensions given as raw JSON.
    "event_triggered": {
        "name": "lint-event",
        "event_source": "pinpoint",
        "delivery": {"adapter": "none"},
        "segment": {
            "dimensions_json": json.dumps(
                {"Location": {"Country": {"DimensionType": "INCLUSIVE", "Values": ["US"]}}}
            )
        },
        "campaign": {
            "name": "on-signup",
            "data": "Thanks for signing up",
            "schedule": {
                "start_time": "2026-05-01T00:00:00Z",
                "end_time": "2026-12-31T00:00:00Z",
                "frequency": "EVENT",
                "is_local_time": True,
                "event_types": ["signup"],
            },
        },
    },
    # An external webhook as DeliveryUri; no Lambda function.
    "external_webhook": {
        "name": "lint-webhook",
        "event_source": "pinpoint",
        "channel_mode": "webhook",
        "webhook_url": WEBHOOK_URL,
        "campaign": {"name": "hooked", "data": "Webhook campaign"},
    },
    # The module's webhook receiver: the HTTP API URL with its path secret as DeliveryUri, the
    # secret a dynamic reference to its Secrets Manager version.
    "receiver": {
        "name": "lint-receiver",
        "event_source": "pinpoint",
        "delivery": {"adapter": "none"},
        "channel_mode": "receiver",
        "campaign": {"name": "codes", "data": "Your code is {{Attributes.Code}}"},
    },
}


def _stack_templates(plan: dict[str, Any]) -> dict[str, str]:
    """Case name -> planned template_body of the case's aws_cloudformation_stack."""
    templates = {}
    for change in plan["resource_changes"]:
        if change["type"] == "aws_cloudformation_stack":
            assert change["change"]["actions"] == ["create"]
            assert "template_body" not in change["change"]["after_unknown"]
            case = change["module_address"].removeprefix("module.")
            templates[case] = change["change"]["after"]["template_body"]
    return templates


def render_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Case name -> {"body": the rendered template string, "template": it decoded}.

    The session fixture `templates` (tests/conftest.py) calls it once for every test module
    that reads the rendered templates."""
    plan = mock_plan(tmp_path_factory.mktemp("cfn-lint"), CASES, REGIONS[0])
    bodies = _stack_templates(plan)
    assert set(bodies) == set(CASES)
    return {name: {"body": body, "template": json.loads(body)} for name, body in bodies.items()}


def _findings(body: str) -> list[str]:
    """cfn-lint's findings on a template string, as "<rule> <path>: <message>"."""
    return [
        f"{m.rule.id} {'/'.join(str(p) for p in getattr(m, 'path', []))}: {m.message}"
        for m in lint(body, regions=REGIONS)
    ]


def _pinpoint_resources(template: dict[str, Any]) -> list[str]:
    return [
        name
        for name, resource in template["Resources"].items()
        if resource["Type"].startswith("AWS::Pinpoint::")
    ]


def test_cases_render_what_they_cover(templates: dict[str, dict[str, Any]]) -> None:
    """Each case's template holds the shape it is meant to lint."""

    def campaign(case: str) -> dict[str, Any]:
        properties: dict[str, Any] = templates[case]["template"]["Resources"]["Campaign"][
            "Properties"
        ]
        return properties

    created = templates["segment_created"]["template"]["Resources"]["Segment"]["Properties"]
    assert set(created["Dimensions"]) == {"Demographic", "Attributes", "UserAttributes"}
    assert campaign("segment_created")["SegmentId"] == {"Fn::GetAtt": ["Segment", "SegmentId"]}

    assert set(templates["existing_segment"]["template"]["Resources"]) == {"Campaign"}
    assert campaign("existing_segment")["SegmentId"] == SEGMENT_ID
    assert campaign("existing_segment")["ApplicationId"] == APPLICATION_ID

    ab = campaign("ab_test_scheduled")
    assert len(ab["AdditionalTreatments"]) == 2
    assert ab["AdditionalTreatments"][1]["CustomDeliveryConfiguration"]["DeliveryUri"] == (
        PARTNER_URL
    )
    assert ab["HoldoutPercent"] == 10
    assert set(ab["Limits"]) == {
        "Daily",
        "Total",
        "MessagesPerSecond",
        "MaximumDuration",
        "Session",
    }
    assert ab["Schedule"]["EndTime"] == "2026-04-30T09:00:00Z"
    assert ab["Schedule"]["TimeZone"] == "UTC+02"
    assert ab["CustomDeliveryConfiguration"]["DeliveryUri"].endswith(":live")  # the alias

    event = campaign("event_triggered")
    assert event["Schedule"]["Frequency"] == "EVENT"
    assert event["Schedule"]["EventFilter"]["Dimensions"]["EventType"]["Values"] == ["signup"]

    webhook = campaign("external_webhook")["CustomDeliveryConfiguration"]
    assert webhook == {"DeliveryUri": WEBHOOK_URL, "EndpointTypes": ["CUSTOM"]}

    receiver = campaign("receiver")["CustomDeliveryConfiguration"]["DeliveryUri"]
    assert re.fullmatch(
        r"https://\w+\.execute-api\.eu-west-1\.amazonaws\.com/"
        r"\{\{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:\d{12}:secret:[\w-]+"
        r":SecretString:::[0-9a-f-]{36}\}\}",
        receiver,
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_template_passes_cfn_lint(templates: dict[str, dict[str, Any]], case: str) -> None:
    findings = _findings(templates[case]["body"])

    # No exceptions: every other finding, error or warning, is a defect of the template.
    assert [f for f in findings if not f.startswith(END_OF_SUPPORT)] == []
    # The expected end-of-support warning, once per Pinpoint resource.
    expected = len(_pinpoint_resources(templates[case]["template"]))
    assert len([f for f in findings if f.startswith(END_OF_SUPPORT)]) == expected > 0


def test_cfn_lint_checks_pinpoint_properties(templates: dict[str, dict[str, Any]]) -> None:
    """The linter knows the Pinpoint schemas offline: REST spellings and gaps are errors."""
    template = json.loads(templates["ab_test_scheduled"]["body"])
    properties = template["Resources"]["Campaign"]["Properties"]
    schedule = properties["Schedule"]
    schedule["Timezone"] = schedule.pop("TimeZone")  # the REST API's name, not CloudFormation's
    del properties["SegmentId"]  # required

    rules = {f.split(" ", 1)[0] for f in _findings(json.dumps(template))}
    assert {"E3002", "E3003"} <= rules
