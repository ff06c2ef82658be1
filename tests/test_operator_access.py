"""The failure queue's operators get what the documented `resend` needs, on the queue and its key.

docs/handler.md ("Failure queue and resend") tells operators which calls `resend` makes on the
queue (sqs:...) and on the queue's KMS key (kms:...). The module renders what grants them: the
queue policy for the SQS actions, and for a queue with a customer managed key one KMS grant per
operator role (a role of any account, named by its exact ARN), limited to the queue by SQS's
encryption context. Planned with the mocked provider (tests/mock_plan.py), offline.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.mock_plan import mock_plan

ROOT = Path(__file__).resolve().parent.parent
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:pinpoint-custom-channel-failures"
OPERATORS = [
    "arn:aws:iam::123456789012:role/ops/oncall",
    "arn:aws:iam::123456789012:role/Resender",
    "arn:aws:iam::210987654321:role/central-ops",
]
CASES: dict[str, dict[str, Any]] = {
    "with_key": {
        "name": "pinpoint-custom-channel",
        "event_source": "pinpoint",
        "delivery": {"adapter": "none"},
        "failure_queue": {
            "enabled": True,
            "kms_key_arn": KEY_ARN,
            "operator_role_arns": OPERATORS,
        },
    },
    "module_key": {
        "name": "pinpoint-custom-channel",
        "event_source": "pinpoint",
        "delivery": {"adapter": "none"},
        "kms_key_arn": KEY_ARN,
        "failure_queue": {"enabled": True, "operator_role_arns": OPERATORS[:1]},
    },
    "sqs_managed": {
        "name": "pinpoint-custom-channel",
        "event_source": "pinpoint",
        "delivery": {"adapter": "none"},
        "failure_queue": {"enabled": True, "operator_role_arns": OPERATORS},
    },
    "key_without_operators": {
        "name": "pinpoint-custom-channel",
        "event_source": "pinpoint",
        "delivery": {"adapter": "none"},
        "failure_queue": {"enabled": True, "kms_key_arn": KEY_ARN},
    },
}


def documented_resend_actions() -> set[str]:
    """The IAM actions docs/handler.md names for the credentials `resend` runs with."""
    text = (ROOT / "docs" / "handler.md").read_text(encoding="utf-8")
    start = text.index("`custom-channel resend` (or `python -m custom_channel.operator resend`")
    paragraph = text[start : text.index("```sh", start)]
    return set(re.findall(r"`([a-z0-9-]+:[A-Za-z]+)`", paragraph))


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Case -> resource type -> the planned values of its instances."""
    plan = mock_plan(tmp_path_factory.mktemp("operators"), CASES, "eu-west-1")
    found: dict[str, dict[str, list[dict[str, Any]]]] = {name: {} for name in CASES}
    for change in plan["resource_changes"]:
        case = change["module_address"].removeprefix("module.")
        found[case].setdefault(change["type"], []).append(change["change"]["after"])
    return found


def operator_sqs_actions(queue_policy: dict[str, Any], role: str) -> set[str]:
    allowed: set[str] = set()
    for statement in json.loads(queue_policy["policy"])["Statement"]:
        principals = (statement.get("Principal") or {}) if statement["Effect"] == "Allow" else {}
        if isinstance(principals, dict) and role in principals.get("AWS", []):
            assert statement["Resource"] == QUEUE_ARN
            assert "Condition" not in statement
            allowed |= set(statement["Action"])
    return allowed


def test_the_docs_name_the_calls_resend_makes_on_the_queue_and_its_key():
    actions = documented_resend_actions()
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:SendMessage"} <= actions
    assert {"kms:Decrypt", "kms:GenerateDataKey"} <= actions


@pytest.mark.parametrize("case", ["with_key", "sqs_managed"])
def test_operators_may_make_the_documented_queue_calls(planned, case):
    sqs = {action for action in documented_resend_actions() if action.startswith("sqs:")}
    (queue_policy,) = planned[case]["aws_sqs_queue_policy"]
    for role in CASES[case]["failure_queue"]["operator_role_arns"]:
        assert sqs <= operator_sqs_actions(queue_policy, role), role


@pytest.mark.parametrize("case", ["with_key", "module_key"])
def test_operators_may_use_the_queue_key_for_the_documented_calls(planned, case):
    """One grant per operator on the queue's key (its own, else the module's kms_key_arn), with
    the operations the docs name, only for this queue: SQS calls KMS with the encryption context
    aws:sqs:arn = the queue's ARN."""
    kms = {
        action.removeprefix("kms:")
        for action in documented_resend_actions()
        if action.startswith("kms:")
    }
    grants = {grant["grantee_principal"]: grant for grant in planned[case].get("aws_kms_grant", [])}
    operators = CASES[case]["failure_queue"]["operator_role_arns"]
    assert set(grants) == set(operators)
    for role, grant in grants.items():
        assert grant["key_id"] == KEY_ARN, role
        assert kms <= set(grant["operations"]), role
        assert set(grant["operations"]) == kms, "nothing beyond what resend needs"
        assert grant["constraints"] == [
            {
                "encryption_context_equals": {"aws:sqs:arn": QUEUE_ARN},
                "encryption_context_subset": None,
            }
        ], role
        assert grant["retire_on_delete"] is False


@pytest.mark.parametrize("case", ["sqs_managed", "key_without_operators"])
def test_no_grant_without_a_key_or_an_operator(planned, case):
    assert planned[case].get("aws_kms_grant", []) == []
