"""What the module says when an input is refused, as a user reads it.

A root configuration calls the module as users do (tests/mock_plan.py: `terraform test`
against the mocked provider, offline) and the whole output of the failed plan is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mock_plan import mock_plan_failure

REGION = "eu-west-1"
# The path secret of a webhook URL: it must appear in no message.
SECRET = "k7Qx2pLm9SecretPath"


@pytest.mark.parametrize(
    ("case", "url", "message"),
    [
        # Invalid (a '%' is outside Pinpoint's characters), in webhook mode.
        (
            {"channel_mode": "webhook"},
            f"https://hooks.example.com/{SECRET}/a%20b",
            "webhook_url must start with https://",
        ),
        # Valid, but given outside webhook mode.
        (
            {"channel_mode": "lambda", "delivery": {"adapter": "none"}},
            f"https://hooks.example.com/{SECRET}",
            "webhook_url is required when channel_mode is",
        ),
    ],
    ids=["invalid-url", "outside-webhook-mode"],
)
def test_refused_webhook_url_is_never_echoed(
    tmp_path: Path, case: dict[str, object], url: str, message: str
) -> None:
    """Issue #20: a refused webhook_url is named, never printed (its path holds a secret).
    The caller's own variable is not sensitive here: the module must not rely on it."""
    output = mock_plan_failure(
        tmp_path,
        {
            "channel": {
                "name": "hooks",
                "event_source": "pinpoint",
                **case,
                "webhook_url": "${var.hook}",
            }
        },
        REGION,
        variables={"hook": url},
    )
    assert message in " ".join(output.split()), output
    assert SECRET not in output, output


NONE = {"adapter": "none"}
SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:twilio-AbCdEf"
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-4b5a-4697-8877-665544332211"
CONDITION = {"test": "StringEquals", "variable": "aws:ResourceAccount", "values": ["123456789012"]}

# Issue #21, "Typos that pass silently", and issue #20: each input as a user would misspell it
# or bring it from terraform-aws-lambda, and what the refusal must say (this module's name).
TYPOS: dict[str, tuple[dict[str, object], list[str]]] = {
    "adaptor": (
        {"delivery": {"adaptor": "http", "http": {"url": "https://api.example.com/send"}}},
        ["unknown: adaptor", "delivery.adapter is required"],
    ),
    "http-key": (
        {
            "delivery": {
                "adapter": "http",
                "http": {"url": "https://api.example.com/send", "headrs": {"X-Tenant": "a"}},
            }
        },
        ["Unknown: delivery.http.headrs"],
    ),
    "other-adapter-block": (
        {
            "provider_secret": {"arn": SECRET_ARN},
            "delivery": {
                "adapter": "twilio",
                "twilio": {"from": "+15005550006"},
                "http": {"url": "https://api.example.com/send"},
            },
        },
        ["set only the block of delivery.adapter (twilio)"],
    ),
    "failure-queue-enable": (
        {"delivery": NONE, "failure_queue": {"enable": True}},
        ["failure_queue must be an object whose keys are among", "unknown: enable"],
    ),
    "idempotency-kms-key-id": (
        {"delivery": NONE, "idempotency": {"kms_key_id": KEY_ARN}},
        ["unknown: kms_key_id"],
    ),
    "policy-condition": (
        {
            "delivery": NONE,
            "policy_statements": {
                "ReadReports": {
                    "actions": ["s3:GetObject"],
                    "resources": ["arn:aws:s3:::reports/*"],
                    "condition": [CONDITION],
                }
            },
        },
        ["`condition` is terraform-aws-lambda's name: this module's is `conditions`"],
    ),
    "policy-not-actions": (
        {
            "delivery": NONE,
            "policy_statements": {
                "AllButDelete": {
                    "actions": ["s3:*"],
                    "not_actions": ["s3:Delete*"],
                    "resources": ["*"],
                }
            },
        },
        ["unknown: AllButDelete.not_actions"],
    ),
    "s3-version-id": (
        {
            "delivery": NONE,
            "s3_existing_package": {"bucket": "artifacts", "key": "c.zip", "version_id": "v1"},
        },
        ["this module's is s3_existing_package.object_version"],
    ),
    "segment-filter": (
        {"delivery": NONE, "segment": {"attribute": {"Plan": ["gold"]}}},
        ["segment must be an object whose keys are among", "unknown: attribute"],
    ),
    "permission-scope": (
        {"delivery": NONE, "pinpoint_permission": {"scop": "campaign"}},
        ["unknown: scop"],
    ),
    "connect-opt-out-field": (
        {
            "delivery": NONE,
            "event_source": "connect",
            "connect": {
                "instance_arn": (
                    "arn:aws:connect:eu-west-1:210987654321:instance/"
                    "0f1e2d3c-4b5a-4697-8877-665544332211"
                ),
                "message_template": "Hello",
                "profiles": {"opt_out_fields": "Attributes.DoNotContact"},
            },
        },
        ["connect.profiles must be an object whose keys are among", "unknown: opt_out_fields"],
    ),
    "campaign-schedule": (
        {
            "delivery": NONE,
            "campaign": {"name": "spring", "data": "{}", "shedule": {"frequency": "DAILY"}},
        },
        ["campaign must be an object whose keys are among", "unknown: shedule"],
    ),
    "campaign-nested": (
        {
            "delivery": NONE,
            "campaign": {
                "name": "spring",
                "data": "{}",
                "schedule": {"timezon": "UTC+01"},
                "treatments": [{"size_percent": 50, "data": "{}", "endpoint_type": ["SMS"]}],
                "limits": {"dayly": 1},
            },
        },
        [
            "campaign.schedule takes only end_time, event_types, frequency, is_local_time,",
            "Unknown: campaign.schedule.timezon, campaign.treatments[0].endpoint_type,"
            " campaign.limits.dayly",
        ],
    ),
    "metrics-namespace": (
        {"delivery": NONE, "metrics": {"namspace": "Acme/Channel"}},
        ["metrics must be an object whose keys are among mode, namespace", "unknown: namspace"],
    ),
    "application-create": (
        {
            "delivery": NONE,
            "application": {"craete": False, "id": "0123456789abcdef0123456789abcdef"},
        },
        ["application must be an object whose keys are among create, id, name", "unknown: craete"],
    ),
    "alarms-enable": (
        {"delivery": NONE, "alarms": {"enable": True}},
        ["alarms must be an object whose keys are among", "unknown: enable"],
    ),
    "alarms-not-a-number": (
        {"delivery": NONE, "alarms": {"period_seconds": "five minutes"}},
        ["alarms.period_seconds must be a number"],
    ),
    "dashboard-enable": (
        {"delivery": NONE, "dashboard": {"enable": True}},
        ["dashboard must be an object whose keys are among enabled, name", "unknown: enable"],
    ),
    "receiver-throttling": (
        {
            "delivery": NONE,
            "channel_mode": "receiver",
            "receiver": {"throtling": {"rate_limit": 5}},
        },
        ["receiver must be an object whose keys are among", "unknown: throtling"],
    ),
    "receiver-throttling-key": (
        {"delivery": NONE, "channel_mode": "receiver", "receiver": {"throttling": {"rate": 5}}},
        ["receiver.throttling takes only burst_limit, rate_limit; unknown: rate"],
    ),
    "vpc-config-key": (
        {
            "delivery": NONE,
            "vpc_config": {
                "subnet_id": ["subnet-0123456789abcdef0"],
                "security_group_ids": ["sg-0123456789abcdef0"],
            },
        },
        ["vpc_config must be an object whose keys are among", "unknown: subnet_id"],
    ),
    "provider-secret-arn": (
        {"delivery": NONE, "provider_secret": {"secret_arn": SECRET_ARN}},
        ["provider_secret must be an object whose keys are among", "unknown: secret_arn"],
    ),
    "architectures": (
        {"delivery": NONE, "architectures": ["x86_64"]},
        ["architectures is terraform-aws-lambda's name: this module's is architecture"],
    ),
    "cloudwatch-logs-kms-key-id": (
        {"delivery": NONE, "cloudwatch_logs_kms_key_id": KEY_ARN},
        ["this module's is cloudwatch_logs_kms_key_arn"],
    ),
    "vpc-subnet-ids": (
        {"delivery": NONE, "vpc_subnet_ids": ["subnet-0123456789abcdef0"]},
        ["vpc_subnet_ids is terraform-aws-lambda's name: this module's is vpc_config"],
    ),
    "log-level-warn": (
        {"delivery": NONE, "logging_application_log_level": "WARN"},
        ["WARNING, not Lambda's WARN"],
    ),
    "log-level-trace": (
        {"delivery": NONE, "logging_application_log_level": "TRACE"},
        ["no TRACE (DEBUG is the finest)"],
    ),
}


@pytest.fixture(scope="module")
def typo_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One plan of one module instance per typo: Terraform reports every refusal."""
    cases = {
        name: {"name": f"typo-{name}", "event_source": "pinpoint", **args}
        for name, (args, _) in TYPOS.items()
    }
    output = mock_plan_failure(tmp_path_factory.mktemp("typos"), cases, REGION)
    return " ".join(output.split())


@pytest.mark.parametrize("typo", list(TYPOS))
def test_a_typo_is_refused_with_a_message_naming_our_input(typo_output: str, typo: str) -> None:
    for message in TYPOS[typo][1]:
        assert message in typo_output, f"{typo}: {message!r} not in the output"


def test_a_function_needs_a_delivery_that_names_its_adapter(tmp_path: Path) -> None:
    """No default adapter: left out, delivery is refused, not deployed as `none`."""
    output = mock_plan_failure(
        tmp_path, {"channel": {"name": "no-delivery", "event_source": "pinpoint"}}, REGION
    )
    assert "delivery is required when the module creates a function" in " ".join(output.split())


def test_a_configuration_names_its_event_source(tmp_path: Path) -> None:
    """No default event source: Pinpoint's campaigns ended on 2026-10-30, so a configuration
    that leaves it out must not land on Pinpoint (nor silently on Connect)."""
    output = mock_plan_failure(
        tmp_path, {"channel": {"name": "no-source", "delivery": NONE}}, REGION
    )
    assert 'The argument "event_source" is required' in " ".join(output.split()), output
