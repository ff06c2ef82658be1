"""What the module says when an input is refused, as a user reads it.

A root configuration calls the module as users do (tests/mock_plan.py: `terraform test`
against the mocked provider, offline) and the whole output of the failed plan is read.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.mock_plan import ROOT, mock_plan_failure

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
    "connect-campaign-entry-limits": (
        {
            "delivery": NONE,
            "connect_campaign": {
                "name": "welcome",
                "flow_arn": "arn:aws:connect:eu-west-1:123456789012:instance/"
                "0f1e2d3c-4b5a-4697-8877-665544332211/contact-flow/7b6a5c4d",
                "segment_arn": "arn:aws:profile:eu-west-1:123456789012:domains/c/segment-definitions/n",
                "schedule": {
                    "start_time": "2026-12-01T09:00:00",
                    "end_time": "2026-12-31T18:00:00",
                },
                "entry_limit": {"max_entry_count": 1, "min_entry_interval": "P7D"},
            },
        },
        [
            "connect_campaign must be an object whose keys are among",
            "unknown: connect_campaign.entry_limit",
        ],
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
    "receipts-consent": (
        {"delivery": NONE, "receipts": {"consent_writeback": True}},
        ["receipts must be an object whose keys are among", "unknown: consent_writeback"],
    ),
    "receipts-throttling-key": (
        {"delivery": NONE, "receipts": {"throttling": {"rate": 5}}},
        ["receipts.throttling takes only burst_limit, rate_limit; unknown: rate"],
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


# Every precondition of the module (grep `precondition` in *.tf), each triggered alone by one
# module instance: the inputs beyond the base below, and a fixed part of its error_message.
# The preconditions' tftest runs name only the resource (`expect_failures`), which any of its
# conditions satisfies; these check each message.
INSTANCE_ARN = (
    "arn:aws:connect:eu-west-1:210987654321:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
)
CONNECT = {
    "event_source": "connect",
    "connect": {"instance_arn": INSTANCE_ARN, "message_template": "Hi"},
}
WEBHOOK = {
    "channel_mode": "webhook",
    "webhook_url": "https://hooks.example.com/p",
    "delivery": None,
}
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ops"
# A provider that reports delivery (receipts), with its secret.
TWILIO = {
    "delivery": {"adapter": "twilio", "twilio": {"from": "+15005550006"}},
    "provider_secret": {"arn": SECRET_ARN},
}
CONNECT_CAMPAIGN = {
    "name": "welcome",
    "flow_arn": f"{INSTANCE_ARN}/contact-flow/7b6a5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
    "segment_arn": "arn:aws:profile:eu-west-1:210987654321:domains/customers/segment-definitions/new",
    "schedule": {"start_time": "2026-12-01T09:00:00", "end_time": "2026-12-31T18:00:00"},
}
PRECONDITIONS: dict[str, tuple[dict[str, object], str]] = {
    # alarms.tf, aws_cloudwatch_metric_alarm.this
    "alarms-metrics-off": (
        {"alarms": {"enabled": True, "sns_topic_arns": [TOPIC]}, "metrics": {"mode": "off"}},
        "alarms watch the handler's FailedCount and UnknownCount metrics, which metrics.mode",
    ),
    # connect_campaign.tf, aws_cloudformation_stack.connect_campaign
    "connect-campaign-flow": (
        {
            **CONNECT,
            "connect_campaign": {
                **CONNECT_CAMPAIGN,
                "flow_arn": INSTANCE_ARN.replace("0f1e", "9f1e") + "/contact-flow/7b6a5c4d",
            },
        },
        "connect_campaign.flow_arn must be a flow of connect.instance_arn",
    ),
    "connect-campaign-region": (
        {
            **CONNECT,
            "connect": {
                "instance_arn": INSTANCE_ARN.replace("eu-west-1", "us-east-1"),
                "message_template": "Hi",
            },
            "connect_campaign": {
                **CONNECT_CAMPAIGN,
                "flow_arn": INSTANCE_ARN.replace("eu-west-1", "us-east-1")
                + "/contact-flow/7b6a5c4d",
            },
        },
        "connect_campaign is created in the provider's region (eu-west-1), but connect.instance_arn"
        " is in us-east-1",
    ),
    # dashboard.tf, aws_cloudwatch_dashboard.this
    "dashboard-metrics-off": (
        {"dashboard": {"enabled": True}, "metrics": {"mode": "off"}},
        "dashboard shows the handler's metrics, which metrics.mode",
    ),
    # idempotency.tf, aws_dynamodb_table.idempotency
    "idempotency-lease": (
        {**CONNECT, "idempotency": {"lease_seconds": 20}},
        "idempotency.lease_seconds must be longer than the 30 seconds the connect event source",
    ),
    # main.tf, data.aws_partition.current
    "alarms-webhook": (
        {**WEBHOOK, "alarms": {"enabled": True}},
        'alarms watch the module\'s function and its metrics, and channel_mode "webhook"',
    ),
    "connect-instance-with-pinpoint": (
        {"connect": {"instance_arn": INSTANCE_ARN}},
        'connect.instance_arn is required when event_source is "connect" and must be null',
    ),
    "connect-message-with-pinpoint": (
        {"connect": {"message_template": "Hi"}},
        "connect.message_template and connect.message_templates are the messages of Connect",
    ),
    "connect-without-message": (
        {**CONNECT, "connect": {"instance_arn": INSTANCE_ARN}},
        'event_source = "connect" needs a message',
    ),
    "connect-templates-with-pinpoint": (
        {"connect": {"template_ttl_seconds": 60}},
        "connect.knowledge_base_id, connect.template_ids and connect.template_ttl_seconds are for",
    ),
    "connect-profiles-with-pinpoint": (
        {"connect": {"profiles": {"opt_out_field": "Attributes.OptOut"}}},
        "connect.profiles applies to Connect customer profiles only",
    ),
    "connect-register-with-pinpoint": (
        {"connect": {"register": True}},
        "connect.register registers the function with connect.instance_arn",
    ),
    "connect-campaign-with-pinpoint": (
        {"connect_campaign": CONNECT_CAMPAIGN},
        "connect_campaign is an Amazon Connect outbound campaign: set it only with",
    ),
    "dashboard-webhook": (
        {**WEBHOOK, "dashboard": {"enabled": True}},
        'dashboard shows the module\'s function and its metrics, and channel_mode "webhook"',
    ),
    "failure-queue-webhook": (
        {**WEBHOOK, "failure_queue": {"enabled": True}},
        'failure_queue needs the module\'s function, and channel_mode "webhook" creates none',
    ),
    "permission-campaign-scope-without-campaign": (
        {"pinpoint_permission": {"scope": "campaign"}},
        'pinpoint_permission.scope "campaign" needs a campaign',
    ),
    "permission-with-connect": (
        {**CONNECT, "pinpoint_permission": {"campaign_id": "a1b2c3d4e5f60718293a4b5c6d7e8f90"}},
        'shape the Pinpoint invoke permission, which event_source = "connect" does not create',
    ),
    "application-id-without-create-false": (
        {"application": {"create": False}},
        "Give application.id exactly when application.create is false.",
    ),
    "application-with-connect": (
        {**CONNECT, "application": {"create": True}},
        "application.create and application.id are for a Pinpoint application",
    ),
    "segment-with-connect": (
        {**CONNECT, "segment": {"name": "vip"}},
        'segment describes a Pinpoint segment, which event_source = "connect" does not use',
    ),
    "campaign-with-connect": (
        {**CONNECT, "campaign": {"name": "spring", "data": "{}"}},
        'campaign describes a Pinpoint campaign, which event_source = "connect" does not create',
    ),
    "connect-receiver": (
        {**CONNECT, "channel_mode": "receiver"},
        'event_source = "connect" needs channel_mode = "lambda"',
    ),
    "delivery-in-webhook-mode": (
        {**WEBHOOK, "delivery": NONE},
        "delivery is required when the module creates a function",
    ),
    # iam.tf, aws_iam_role.this (the function waits for its role: not planned)
    "name-too-long": (
        {"name_prefix": "p" * 40, "name": "n" * 30},
        "name must start with a letter, hold only letters, digits, '-' and '_', and be at most 64",
    ),
    # main.tf, aws_lambda_function.this
    "name-too-long-own-role": (
        {
            "name_prefix": "p" * 40,
            "name": "n" * 30,
            "create_role": False,
            "lambda_role": "arn:aws:iam::123456789012:role/channel",
        },
        "name must start with a letter, hold only letters, digits, '-' and '_', and be at most 64",
    ),
    "two-packages": (
        {
            "local_existing_package": "${path.root}/own.zip",
            "s3_existing_package": {"bucket": "artifacts", "key": "c.zip"},
        },
        "Set local_existing_package or s3_existing_package, not both.",
    ),
    "provisioned-without-publish": (
        {"provisioned_concurrent_executions": 1},
        "provisioned_concurrent_executions needs publish = true",
    ),
    "no-role": (
        {"create_role": False},
        "lambda_role is required when create_role is false",
    ),
    "adapter-not-built-in": (
        {"delivery": {"adapter": "sms_gateway"}},
        "delivery.adapter is not a built-in adapter (none, http, twilio, slack)",
    ),
    "adapter-module-without-package": (
        {"delivery": {"adapter": "none", "adapter_module": "acme.adapters"}},
        "delivery.adapter_module names a module of your own package",
    ),
    "twilio-without-secret": (
        {"delivery": {"adapter": "twilio", "twilio": {"from": "+15005550006"}}},
        "The twilio and slack adapters read their credentials from a secret",
    ),
    "rate-limit-without-concurrency": (
        {"delivery": {"adapter": "none", "rate_limit_per_second": 5}},
        "delivery.rate_limit_per_second holds for one function instance",
    ),
    "retry-without-idempotency": (
        {
            "delivery": {"adapter": "none", "failure_policy": "retry"},
            "idempotency": {"enabled": False},
        },
        'delivery.failure_policy = "retry" requires idempotency.enabled = true',
    ),
    "retry-with-connect": (
        {**CONNECT, "delivery": {"adapter": "none", "failure_policy": "retry"}},
        'delivery.failure_policy = "retry" cannot serve event_source = "connect"',
    ),
    "deadline-beyond-the-wait": (
        {"delivery": {"adapter": "none", "deadline_seconds": 20}, "timeout": 25},
        "delivery.deadline_seconds must be a whole number between 1 and 15: the pinpoint event",
    ),
    "deadline-beyond-timeout": (
        {"delivery": {"adapter": "none", "deadline_seconds": 10}, "timeout": 5},
        "delivery.deadline_seconds must not exceed timeout.",
    ),
    "environment-too-large": (
        {"environment_variables": {"LARGE": "x" * 4200}},
        "more than Lambda's 4 KB for all environment variables together",
    ),
    # main.tf, data.aws_partition.current: delivery receipts (receipts.tf)
    "receipts-webhook": (
        {**WEBHOOK, "receipts": {"enabled": True}},
        'receipts are received by the module\'s function, and channel_mode "webhook" creates none',
    ),
    "receipts-without-idempotency": (
        {**TWILIO, "idempotency": {"enabled": False}, "receipts": {"enabled": True}},
        "receipts.enabled needs idempotency.enabled = true: the receipt records live in the",
    ),
    "receipts-switch-without-enabled": (
        {"receipts": {"consent_write_back": True}},
        "receipts.consent_write_back and receipts.delivered_rate_alarm_threshold need"
        " receipts.enabled = true.",
    ),
    "receipts-adapter-none": (
        {"receipts": {"enabled": True}},
        "receipts.enabled needs a provider that reports delivery: delivery.adapter twilio, http"
        " or your own, not none.",
    ),
    "receipts-http-without-secret": (
        {
            "delivery": {"adapter": "http", "http": {"url": "https://api.example.com/send"}},
            "receipts": {"enabled": True},
        },
        'receipts with delivery.adapter = "http" need provider_secret.arn or'
        " provider_secret.parameter_arn",
    ),
    "receipts-connect-without-domain": (
        {**CONNECT, **TWILIO, "receipts": {"enabled": True, "consent_write_back": True}},
        'receipts.consent_write_back with event_source = "connect" needs'
        " receipts.connect_profiles_domain",
    ),
    "receipts-domain-with-pinpoint": (
        {
            **TWILIO,
            "receipts": {
                "enabled": True,
                "consent_write_back": True,
                "connect_profiles_domain": "customers",
            },
        },
        "receipts.connect_profiles_domain is where consent is written back for Amazon Connect",
    ),
    "receipts-connect-opt-out-field": (
        {
            **CONNECT,
            "connect": {
                "instance_arn": INSTANCE_ARN,
                "message_template": "Hi",
                "profiles": {"opt_out_field": "EmailAddress"},
            },
            **TWILIO,
            "receipts": {
                "enabled": True,
                "consent_write_back": True,
                "connect_profiles_domain": "customers",
            },
        },
        "connect.profiles.opt_out_field must be Attributes.<Name> (default Attributes.OptOut)",
    ),
    # alarms.tf, aws_cloudwatch_metric_alarm.receipts
    "receipts-alarm-metrics-off": (
        {
            **TWILIO,
            "metrics": {"mode": "off"},
            "alarms": {"sns_topic_arns": [TOPIC]},
            "receipts": {"enabled": True, "delivered_rate_alarm_threshold": 90},
        },
        "receipts.delivered_rate_alarm_threshold watches the handler's ReceiptDeliveredCount,",
    ),
    # outputs.tf, output pinpoint_delivery_uri
    "webhook-url-invalid": (
        {**WEBHOOK, "webhook_url": "http://hooks.example.com/p"},
        "webhook_url must start with https://, hold only letters, digits",
    ),
    "webhook-url-outside-webhook-mode": (
        {"webhook_url": "https://hooks.example.com/p"},
        'webhook_url is required when channel_mode is "webhook" and must be null otherwise.',
    ),
    # pinpoint.tf, aws_lambda_permission.treatments
    "treatment-in-another-region": (
        {
            "campaign": {
                "name": "spring",
                "data": "{}",
                "treatments": [
                    {
                        "size_percent": 10,
                        "data": "{}",
                        "delivery_uri": "arn:aws:lambda:us-east-1:123456789012:function:other",
                    }
                ],
            }
        },
        "must name a Lambda function in the campaign's account and region",
    ),
}
# The failures a case causes, when not one: a precondition of each resource instance.
INSTANCES = {"alarms-metrics-off": 4}


@pytest.fixture(scope="module")
def precondition_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One plan of one module instance per case: Terraform reports every failed precondition
    of every instance (the raw output)."""
    workdir = tmp_path_factory.mktemp("preconditions")
    shutil.copy(ROOT / "handler" / "dist" / "custom-channel.zip", workdir / "own.zip")
    cases = {
        name: {"name": f"pc-{name}", "event_source": "pinpoint", "delivery": NONE, **args}
        for name, (args, _) in PRECONDITIONS.items()
    }
    return mock_plan_failure(workdir, cases, REGION)


@pytest.mark.parametrize("case", list(PRECONDITIONS))
def test_a_precondition_fails_with_its_own_message(precondition_output: str, case: str) -> None:
    message = PRECONDITIONS[case][1]
    assert message in " ".join(precondition_output.split()), f"{case}: {message!r}"


def test_every_precondition_fails_once_per_case(precondition_output: str) -> None:
    """Each case fails its own precondition and no other (the number of failures), and every
    precondition of the module fails (the lines of their conditions)."""
    failures = [
        re.search(r"on \S*?([a-z_]+\.tf) line (\d+)", block)
        for block in precondition_output.split("Error: ")[1:]
        if block.splitlines()[0].endswith("precondition failed")
    ]
    assert len(failures) == sum(INSTANCES.get(case, 1) for case in PRECONDITIONS)
    declared = {
        (path.name, text.count("\n", 0, condition.start(1)) + 1)
        for path in ROOT.glob("*.tf")
        for text in [path.read_text()]
        for condition in re.finditer(r"precondition \{\n(?:\s*#.*\n)*\s*(condition)", text)
    }
    assert {(m.group(1), int(m.group(2))) for m in failures if m} == declared
