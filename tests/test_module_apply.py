"""The Terraform module applied, planned and destroyed against the local AWS (moto).

One root configuration calls the module seven times, one per way of deploying it:

* `lambda`   - the default Lambda channel: a new Pinpoint application, a segment and a
               campaign (paused by default), metrics through the CloudWatch API, the
               idempotency table (on by default), a queue of failed deliveries with SQS
               managed encryption;
* `receiver` - the webhook receiver: the function behind an HTTP API whose URL, with its
               path secret, is the campaign's DeliveryUri (a dynamic reference in the
               template); its secret under a KMS key; idempotency switched off;
* `webhook`  - an external webhook as DeliveryUri, no Lambda function at all;
* `scope`    - the campaign-scoped invoke permission, reached in two applies (Pinpoint checks
               the permission when the campaign is created), with a published alias, an A/B
               treatment, a holdout, an HTTP adapter reading a secret, X-Ray, encrypted logs, a
               queue of failed deliveries under a KMS key read by a named operator role, and
               CloudWatch alarms notifying SNS;
* `connect`  - an Amazon Connect outbound campaigns custom action: no Pinpoint application
               or campaign, a published alias that connect-campaigns.amazonaws.com may invoke
               for one instance (of another account), message templates, profile settings and
               alarms on its own Channel=<name> series;
* `receipts` - delivery receipts in lambda mode (an HTTP API of their own) for a Connect custom
               action, consent written back to a Customer Profiles domain, the
               delivered-to-handset alarm;
* `receipts_receiver` - receipts on the receiver's HTTP API (a route beside the secret
               path), consent written back to the Pinpoint application's endpoints.

The stages run once, in order: init and apply (fixture), the checks of each instance in moto,
the second apply of `scope`, an audit of the IAM policies the module created (parliament, and
each Sid unique within its policy), a
plan that must find nothing to change, and destroy. One
configuration keeps the run short: Terraform starts the provider a few times per command
and waits about ten seconds for each CloudFormation stack, in parallel across instances.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from parliament import analyze_policy_string, enhance_finding, expand_action
from parliament.statement import get_privilege_info

from emulator.local_aws import LocalAws
from tools.terraform_root import TerraformRoot, apply_summary
from tools.terraformrc import write_config

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "handler" / "dist" / "custom-channel.zip"

REGION = "us-east-1"
ACCOUNT = "123456789012"
PINPOINT = f"pinpoint.{REGION}.amazonaws.com"
MOBILETARGETING = f"arn:aws:mobiletargeting:{REGION}:{ACCOUNT}"

LAMBDA_DATA = '{"text": "Hello {{Attributes.FirstName | there}}"}'
RECEIVER_DATA = "Your code is {{Attributes.Code}}"
WEBHOOK_DATA = "Webhook campaign"
WEBHOOK_URL = "https://hooks.example.com/pinpoint/k7Qx2pLm9"
SCOPE_DATA = "Variant A"
SCOPE_TREATMENT_DATA = "Variant B"
HTTP_URL = "https://api.example.com/v1/messages"
OPERATOR_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/ops/tc-failure-reader"

CONNECT_ACCOUNT = "210987654321"
CONNECT_INSTANCE_ID = "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"
CONNECT_INSTANCE_ARN = f"arn:aws:connect:{REGION}:{CONNECT_ACCOUNT}:instance/{CONNECT_INSTANCE_ID}"
CONNECT_TEMPLATE = "Hi {{FirstName | there}}, your order has shipped."
CONNECT_ACTION_TEMPLATE = "Your code is {{Attributes.Code}}"

INSTANCES = ("lambda", "receiver", "webhook", "scope", "connect", "receipts", "receipts_receiver")
# The instances with a Pinpoint campaign (its CloudFormation stack).
CAMPAIGN_INSTANCES = ("lambda", "receiver", "webhook", "scope")


def root_config(
    kms_key_arn: str, provider_secret_arn: str, alarm_topic_arn: str, network: Network
) -> dict[str, Any]:
    """The root module (Terraform JSON syntax) calling the module once per deployment mode."""
    source = str(ROOT)
    return {
        "variable": {"permission_scope": {"type": "string"}},
        "module": {
            "lambda": {
                "source": source,
                "name": "tc-lambda",
                "event_source": "pinpoint",
                "delivery": {"adapter": "none"},
                "campaign": {"name": "welcome", "data": LAMBDA_DATA},
                "failure_queue": {"enabled": True},
            },
            "receiver": {
                "source": source,
                "name": "tc-receiver",
                "event_source": "pinpoint",
                "delivery": {"adapter": "none"},
                "channel_mode": "receiver",
                "receiver": {
                    "secret_kms_key_arn": kms_key_arn,
                    "secret_recovery_window_in_days": 0,
                },
                "idempotency": {"enabled": False},
                "vpc_config": {
                    "subnet_ids": list(network.subnet_ids),
                    "security_group_ids": [network.security_group_id],
                },
                "campaign": {
                    "name": "codes",
                    "data": RECEIVER_DATA,
                    "endpoint_types": ["CUSTOM", "SMS"],
                },
            },
            "webhook": {
                "source": source,
                "name": "tc-webhook",
                "event_source": "pinpoint",
                "channel_mode": "webhook",
                "webhook_url": WEBHOOK_URL,
                "campaign": {"name": "hooked", "data": WEBHOOK_DATA},
            },
            "connect": {
                "source": source,
                "name": "tc-connect",
                "delivery": {"adapter": "none"},
                "event_source": "connect",
                "connect": {
                    "instance_arn": CONNECT_INSTANCE_ARN,
                    "message_template": CONNECT_TEMPLATE,
                    "message_templates": {"action-code": CONNECT_ACTION_TEMPLATE},
                    "profiles": {
                        "address_fields": ["PhoneNumber", "Attributes.Mobile"],
                        "channel_type": "SMS",
                        "result_field": True,
                    },
                },
                "publish": True,
                "alarms": {"enabled": True},
            },
            "receipts": {
                "source": source,
                "name": "tc-receipts",
                "event_source": "connect",
                "connect": {"instance_arn": CONNECT_INSTANCE_ARN, "message_template": "Hi"},
                "provider_secret": {"arn": provider_secret_arn},
                "delivery": {"adapter": "twilio", "twilio": {"from": "+15005550006"}},
                "alarms": {"sns_topic_arns": [alarm_topic_arn]},
                "receipts": {
                    "enabled": True,
                    "consent_write_back": True,
                    "connect_profiles_domain": "tc-customers",
                    "delivered_rate_alarm_threshold": 95,
                },
            },
            "receipts_receiver": {
                "source": source,
                "name": "tc-receipts-receiver",
                "event_source": "pinpoint",
                "channel_mode": "receiver",
                "receiver": {"secret_recovery_window_in_days": 0},
                "provider_secret": {"arn": provider_secret_arn},
                "delivery": {"adapter": "http", "http": {"url": HTTP_URL}},
                "receipts": {
                    "enabled": True,
                    "consent_write_back": True,
                    "event_bus_name": "tc-receipts",
                },
            },
            "scope": {
                "source": source,
                "name": "tc-scope",
                "event_source": "pinpoint",
                "pinpoint_permission": {"scope": "${var.permission_scope}"},
                "publish": True,
                "tracing_mode": "Active",
                "cloudwatch_logs_retention_in_days": 7,
                "cloudwatch_logs_kms_key_arn": kms_key_arn,
                "provider_secret": {"arn": provider_secret_arn, "kms_key_arn": kms_key_arn},
                "idempotency": {"enabled": True, "lease_seconds": 90},
                "delivery": {
                    "failure_policy": "retry",
                    "adapter": "http",
                    "http": {"url": HTTP_URL, "headers": {"X-Client": "pinpoint"}},
                },
                "campaign": {
                    "name": "ab-test",
                    "data": SCOPE_DATA,
                    "holdout_percent": 10,
                    "treatments": [{"size_percent": 30, "data": SCOPE_TREATMENT_DATA}],
                    "limits": {"daily": 1, "messages_per_second": 50},
                },
                "failure_queue": {
                    "enabled": True,
                    "kms_key_arn": kms_key_arn,
                    "message_retention_seconds": 345600,
                    "operator_role_arns": [OPERATOR_ROLE_ARN],
                },
                "alarms": {
                    "enabled": True,
                    "sns_topic_arns": [alarm_topic_arn],
                    "failed_deliveries_threshold": 5,
                    "period_seconds": 60,
                    "evaluation_periods": 3,
                },
            },
        },
        "output": {name: {"value": f"${{module.{name}}}", "sensitive": True} for name in INSTANCES},
    }


@dataclass(frozen=True)
class Network:
    """A VPC brought by the user, for the instance that runs in one."""

    vpc_id: str
    subnet_ids: tuple[str, ...]
    security_group_id: str

    @classmethod
    def create(cls, ec2: Any) -> Network:
        vpc_id = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
        subnet_ids = tuple(
            ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.8.{index}.0/24")["Subnet"]["SubnetId"]
            for index in (1, 2)
        )
        group = ec2.create_security_group(GroupName="tc-channel", Description="tc", VpcId=vpc_id)
        return cls(vpc_id, subnet_ids, group["GroupId"])


@dataclass
class Deployment:
    """The applied root configuration, the local AWS it runs on, and its stages."""

    aws: LocalAws
    root: TerraformRoot
    kms_key_arn: str
    provider_secret_arn: str
    alarm_topic_arn: str
    network: Network
    outputs: dict[str, Any] = field(default_factory=dict)
    first_outputs: dict[str, Any] = field(default_factory=dict)
    first_report: str = ""
    narrowed_report: str | None = None
    destroy_report: str | None = None

    def client(self, service: str) -> Any:
        return self.aws.client(service)

    def narrow_to_campaign_scope(self) -> str:
        """The second apply, of the same configuration (`scope` has pinpoint_permission.scope =
        "campaign" from the start): it narrows the permission to the campaign (once)."""
        if self.narrowed_report is None:
            self.narrowed_report = self.root.apply()
            self.outputs = self.root.outputs()
        return self.narrowed_report

    def destroy(self) -> str:
        if self.destroy_report is None:
            self.destroy_report = self.root.destroy()
        return self.destroy_report


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH: these tests apply the module with Terraform")
    workdir = tmp_path_factory.mktemp("module-apply")
    with pytest.MonkeyPatch.context() as env, LocalAws(region=REGION) as aws:
        for name, value in aws.env.items():
            env.setenv(name, value)
        env.delenv("AWS_PROFILE", raising=False)
        env.setenv("TF_CLI_CONFIG_FILE", str(write_config(destination=workdir / "terraformrc")))
        env.setenv("TF_IN_AUTOMATION", "1")
        env.setenv("CHECKPOINT_DISABLE", "1")
        # moto's state is per process, shared by every LocalAws: start from an empty local AWS
        # (another test module may have left its own resources), as the checks below count.
        aws.reset()

        # Brought by the user, outside the module: a KMS key, the provider's secret and the
        # SNS topic the alarms notify, and a VPC.
        kms_key_arn = aws.client("kms").create_key(Description="tc")["KeyMetadata"]["Arn"]
        provider_secret_arn = aws.client("secretsmanager").create_secret(
            Name="tc-provider-token", SecretString='{"token": "x"}', KmsKeyId=kms_key_arn
        )["ARN"]
        alarm_topic_arn = aws.client("sns").create_topic(Name="tc-alerts")["TopicArn"]
        network = Network.create(aws.client("ec2"))

        # Campaign scope from the first apply: two plain applies of one configuration converge.
        root = TerraformRoot(workdir, variables={"permission_scope": "campaign"})
        root.write("provider.tf", aws.provider_block())
        root.write(
            "main.tf.json", root_config(kms_key_arn, provider_secret_arn, alarm_topic_arn, network)
        )
        root.init()
        first_report = root.apply()
        outputs = root.outputs()
        deployed = Deployment(
            aws,
            root,
            kms_key_arn,
            provider_secret_arn,
            alarm_topic_arn,
            network,
            outputs,
            outputs,
            first_report=first_report,
        )
        try:
            yield deployed
        finally:
            if deployed.destroy_report is None:
                root.destroy()


################################################################################
# Helpers reading moto
################################################################################


def role_statements(dep: Deployment, role_name: str) -> dict[str, dict[str, Any]]:
    """The statements of the role's only policy (the module's inline one), keyed by Sid."""
    iam = dep.client("iam")
    assert iam.list_role_policies(RoleName=role_name)["PolicyNames"] == ["custom-channel"]
    assert iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == []
    document = iam.get_role_policy(RoleName=role_name, PolicyName="custom-channel")
    statements = document["PolicyDocument"]["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    assert len(by_sid) == len(statements)
    return by_sid


def assume_role_principal(dep: Deployment, role_name: str) -> Any:
    role = dep.client("iam").get_role(RoleName=role_name)["Role"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Effect"] == "Allow"
    return statement["Principal"]


def invoke_statements(dep: Deployment, function: str, qualifier: str | None = None) -> list[Any]:
    kwargs = {"FunctionName": function} | ({"Qualifier": qualifier} if qualifier else {})
    policy = json.loads(dep.client("lambda").get_policy(**kwargs)["Policy"])
    return list(policy["Statement"])


def log_group(dep: Deployment, name: str) -> dict[str, Any]:
    groups = dep.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    matching = [g for g in groups if g["logGroupName"] == name]
    assert len(matching) == 1, f"log group {name}: {groups}"
    return dict(matching[0])


def stack_template(dep: Deployment, stack: str) -> dict[str, Any]:
    body = dep.client("cloudformation").get_template(StackName=stack)["TemplateBody"]
    # boto3 decodes a JSON template body into (ordered) dicts; plain dicts compare simply.
    template: dict[str, Any] = json.loads(body if isinstance(body, str) else json.dumps(body))
    return template


def stack_resources(dep: Deployment, stack: str) -> dict[str, str]:
    """Logical id -> physical id of the stack's resources."""
    resources = dep.client("cloudformation").describe_stack_resources(StackName=stack)
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in resources["StackResources"]
        if r["ResourceStatus"] == "CREATE_COMPLETE"
    }


def stack_outputs(dep: Deployment, stack: str) -> dict[str, str]:
    (described,) = dep.client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    assert described["StackStatus"] == "CREATE_COMPLETE"
    return {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}


def pinpoint_campaign(dep: Deployment, app_id: str, campaign_id: str) -> dict[str, Any]:
    """The campaign as the Pinpoint API returns it (GetCampaign on the local AWS)."""
    response = dep.client("pinpoint").get_campaign(ApplicationId=app_id, CampaignId=campaign_id)
    return dict(response["CampaignResponse"])


def queue_attributes(dep: Deployment, url: str) -> dict[str, str]:
    attributes = dep.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    return dict(attributes["Attributes"])


def failure_queue_policy(
    queue_arn: str, role_arn: str, operators: tuple[str, ...] = ()
) -> dict[str, Any]:
    """TLS only; only the function's role sends; with operators, only they read."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:*",
            "Resource": queue_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenySendExceptFunctionRole",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
            "Condition": {
                "ArnNotEquals": {
                    "aws:PrincipalArn": [role_arn, *operators] if operators else role_arn
                }
            },
        },
    ]
    consume = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]
    if operators:
        statements += [
            {
                "Sid": "AllowOperatorsToResend",
                "Effect": "Allow",
                "Principal": {"AWS": list(operators)},
                "Action": [*consume, "sqs:GetQueueAttributes", "sqs:SendMessage"],
                "Resource": queue_arn,
            },
            {
                "Sid": "DenyConsumeExceptOperators",
                "Effect": "Deny",
                "Principal": "*",
                "Action": consume,
                "Resource": queue_arn,
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": list(operators)}},
            },
        ]
    return {"Version": "2012-10-17", "Statement": statements}


def send_failures_statement(queue_arn: str) -> dict[str, Any]:
    return {
        "Sid": "SendFailedDeliveries",
        "Effect": "Allow",
        "Action": ["sqs:SendMessage"],
        "Resource": [queue_arn],
    }


def package_sha256() -> str:
    return base64.b64encode(hashlib.sha256(PACKAGE.read_bytes()).digest()).decode()


def missing(call: Any, code: str, **kwargs: Any) -> bool:
    """True when the call fails with the AWS error `code` (the resource does not exist)."""
    try:
        call(**kwargs)
    except ClientError as error:
        return bool(error.response["Error"]["Code"] == code)
    return False


def logs_statement(function_name: str) -> dict[str, Any]:
    return {
        "Sid": "WriteOwnLogGroup",
        "Effect": "Allow",
        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/{function_name}:*"],
    }


NAMESPACE = "PinpointCustomChannelExecution"
METRICS_STATEMENT = {
    "Sid": "PutMetricDataInNamespace",
    "Effect": "Allow",
    "Action": ["cloudwatch:PutMetricData"],
    "Resource": ["*"],
    "Condition": {"StringEquals": {"cloudwatch:namespace": "PinpointCustomChannelExecution"}},
}


################################################################################
# (a) the default Lambda channel
################################################################################


def test_lambda_channel_function(deployment: Deployment) -> None:
    out = deployment.outputs["lambda"]
    config = deployment.client("lambda").get_function_configuration(FunctionName="tc-lambda")

    assert config["Runtime"] == "python3.13"
    assert config["Architectures"] == ["arm64"]
    assert config["Handler"] == "custom_channel.lambda_function.lambda_handler"
    assert config["Timeout"] == 15
    assert config["MemorySize"] == 512
    assert config["Role"] == out["lambda_role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/tc-lambda"
    assert config["CodeSha256"] == package_sha256()
    assert config["TracingConfig"] == {"Mode": "PassThrough"}
    assert config["LoggingConfig"] == {
        "LogFormat": "JSON",
        "LogGroup": "/aws/lambda/tc-lambda",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
    }
    queue_url = out["failure_queue_url"]
    assert queue_url.endswith(f"/{ACCOUNT}/tc-lambda-failures")
    assert config["Environment"]["Variables"] == out["lambda_function_environment"]
    # The key of the endpoint id hashes in the logs: two random UUIDs and a dash, the
    # deployment's own (main.tf).
    log_id_key = config["Environment"]["Variables"].get("CHANNEL_LOG_ID_KEY", "")
    assert len(log_id_key) == 73
    assert config["Environment"]["Variables"] == {
        "CHANNEL_LOG_ID_KEY": log_id_key,
        "CHANNEL_ADAPTER": "none",
        "CHANNEL_EVENT_SOURCE": "pinpoint",
        "CHANNEL_NAME": "tc-lambda",
        "CHANNEL_METRICS_MODE": "api",
        "CHANNEL_METRICS_NAMESPACE": "PinpointCustomChannelExecution",
        "CHANNEL_SKIP_OPTED_OUT": "true",
        "CHANNEL_SKIP_INACTIVE": "true",
        "CHANNEL_MAX_WORKERS": "50",
        "CHANNEL_MAX_ATTEMPTS": "3",
        "CHANNEL_DEADLINE_SECONDS": "15",
        "CHANNEL_SAFETY_MARGIN_MS": "750",
        "CHANNEL_LOG_LEVEL": "INFO",
        "CHANNEL_FAILURE_QUEUE_URL": queue_url,
        "CHANNEL_IDEMPOTENCY_TABLE": "tc-lambda-deliveries",
        "CHANNEL_IDEMPOTENCY_LEASE_SECONDS": "60",
        "CHANNEL_IDEMPOTENCY_TTL_SECONDS": "604800",
        "CHANNEL_JOURNEY_REENTRY_SECONDS": "3600",
    }
    assert out["idempotency_table_name"] == "tc-lambda-deliveries"
    assert out["lambda_alias_arn"] is None


def test_lambda_channel_role_is_least_privilege(deployment: Deployment) -> None:
    queue_arn = deployment.outputs["lambda"]["failure_queue_arn"]
    assert assume_role_principal(deployment, "tc-lambda") == {"Service": "lambda.amazonaws.com"}
    table_arn = deployment.outputs["lambda"]["idempotency_table_arn"]
    assert table_arn == f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/tc-lambda-deliveries"
    assert role_statements(deployment, "tc-lambda") == {
        "WriteOwnLogGroup": logs_statement("tc-lambda"),
        "PutMetricDataInNamespace": METRICS_STATEMENT,
        "RecordDeliveries": {
            "Sid": "RecordDeliveries",
            "Effect": "Allow",
            "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"],
            "Resource": [table_arn],
        },
        "SendFailedDeliveries": send_failures_statement(queue_arn),
    }


def test_lambda_channel_failure_queue_uses_sqs_managed_encryption(deployment: Deployment) -> None:
    out = deployment.outputs["lambda"]
    queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:tc-lambda-failures"
    assert out["failure_queue_name"] == "tc-lambda-failures"
    assert out["failure_queue_arn"] == queue_arn
    queue_url = deployment.client("sqs").get_queue_url(QueueName="tc-lambda-failures")["QueueUrl"]
    assert queue_url == out["failure_queue_url"]

    attributes = queue_attributes(deployment, out["failure_queue_url"])
    assert attributes["QueueArn"] == queue_arn
    assert attributes["SqsManagedSseEnabled"] == "true"
    assert "KmsMasterKeyId" not in attributes
    assert attributes["MessageRetentionPeriod"] == "1209600"
    assert attributes["VisibilityTimeout"] == "300"
    assert "FifoQueue" not in attributes  # a standard queue
    role_arn = deployment.outputs["lambda"]["lambda_role_arn"]
    assert json.loads(attributes["Policy"]) == failure_queue_policy(queue_arn, role_arn)
    # No alarm unless asked for.
    alarms = deployment.client("cloudwatch").describe_alarms(AlarmNamePrefix="tc-lambda")
    assert alarms["MetricAlarms"] == []
    assert out["cloudwatch_metric_alarm_arns"] == {}


def test_lambda_channel_invoke_permission(deployment: Deployment) -> None:
    app_id = deployment.outputs["lambda"]["pinpoint_application_id"]
    (statement,) = invoke_statements(deployment, "tc-lambda")

    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Principal"] == {"Service": PINPOINT}
    assert statement["Resource"] == f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tc-lambda"
    assert statement["Condition"] == {
        "ArnLike": {"AWS:SourceArn": f"{MOBILETARGETING}:apps/{app_id}/*"},
        "StringEquals": {"AWS:SourceAccount": ACCOUNT},
    }
    assert (
        statement["Sid"]
        == deployment.outputs["lambda"]["lambda_permission_statement_ids"]["pinpoint"]
    )


def test_lambda_channel_log_group(deployment: Deployment) -> None:
    group = log_group(deployment, "/aws/lambda/tc-lambda")
    assert group["retentionInDays"] == 30
    assert "kmsKeyId" not in group


def test_lambda_channel_campaign(deployment: Deployment) -> None:
    out = deployment.outputs["lambda"]
    app_id = out["pinpoint_application_id"]
    function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tc-lambda"

    app = deployment.client("pinpoint").get_app(ApplicationId=app_id)["ApplicationResponse"]
    assert app["Name"] == "tc-lambda"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", app["CreationDate"])

    template = stack_template(deployment, "tc-lambda-campaign")
    assert set(template["Resources"]) == {"Segment", "Campaign"}
    assert template["Resources"]["Segment"] == {
        "Type": "AWS::Pinpoint::Segment",
        "Properties": {"ApplicationId": app_id, "Name": "tc-lambda-segment"},
    }
    assert template["Resources"]["Campaign"] == {
        "Type": "AWS::Pinpoint::Campaign",
        "Properties": {
            "ApplicationId": app_id,
            "Name": "welcome",
            "SegmentId": {"Fn::GetAtt": ["Segment", "SegmentId"]},
            "Schedule": {"StartTime": "IMMEDIATE", "Frequency": "ONCE"},
            "IsPaused": True,
            "HoldoutPercent": 0,
            "MessageConfiguration": {"CustomMessage": {"Data": LAMBDA_DATA}},
            "CustomDeliveryConfiguration": {
                "DeliveryUri": function_arn,
                "EndpointTypes": ["CUSTOM"],
            },
        },
    }
    assert (
        template["Resources"]["Campaign"]["Properties"]
        == json.loads(out["pinpoint_campaign_template_body"])["Resources"]["Campaign"]["Properties"]
    )

    outputs = stack_outputs(deployment, "tc-lambda-campaign")
    campaign_id = out["pinpoint_campaign_id"]
    assert outputs == {
        "CampaignId": campaign_id,
        "CampaignArn": f"{MOBILETARGETING}:apps/{app_id}/campaigns/{campaign_id}",
        "SegmentId": out["pinpoint_segment_id"],
    }
    assert out["pinpoint_campaign_arn"] == outputs["CampaignArn"]
    assert stack_resources(deployment, "tc-lambda-campaign") == {
        "Campaign": campaign_id,
        "Segment": out["pinpoint_segment_id"],
    }

    campaign = pinpoint_campaign(deployment, app_id, campaign_id)
    assert campaign["IsPaused"] is True
    assert campaign["State"] == {"CampaignStatus": "PAUSED"}
    assert campaign["SegmentId"] == out["pinpoint_segment_id"]
    assert campaign["MessageConfiguration"] == {"CustomMessage": {"Data": LAMBDA_DATA}}
    assert campaign["CustomDeliveryConfiguration"] == {
        "DeliveryUri": function_arn,
        "EndpointTypes": ["CUSTOM"],
    }
    assert out["pinpoint_delivery_uri"] == function_arn


################################################################################
# (b) the webhook receiver
################################################################################


def test_receiver_function_role_and_secret(deployment: Deployment) -> None:
    out = deployment.outputs["receiver"]
    secret_arn = out["webhook_receiver_secret_arn"]
    config = deployment.client("lambda").get_function_configuration(FunctionName="tc-receiver")

    assert config["Handler"] == "custom_channel.receiver.lambda_handler"
    assert config["Runtime"] == "python3.13"
    assert config["Architectures"] == ["arm64"]
    assert config["CodeSha256"] == package_sha256()
    assert config["LoggingConfig"]["LogGroup"] == "/aws/lambda/tc-receiver"
    assert config["Environment"]["Variables"]["CHANNEL_RECEIVER_SECRET_ID"] == secret_arn
    assert config["Environment"]["Variables"] == out["lambda_function_environment"]
    network = deployment.network
    assert sorted(config["VpcConfig"]["SubnetIds"]) == sorted(network.subnet_ids)
    assert config["VpcConfig"]["SecurityGroupIds"] == [network.security_group_id]

    secrets = deployment.client("secretsmanager")
    described = secrets.describe_secret(SecretId=secret_arn)
    assert described["Name"].startswith("tc-receiver-webhook-path-")
    assert described["KmsKeyId"] == deployment.kms_key_arn
    path_secret = secrets.get_secret_value(SecretId=secret_arn)["SecretString"]
    assert re.fullmatch(r"[A-Za-z0-9]{48}", path_secret)

    assert role_statements(deployment, "tc-receiver") == {
        "WriteOwnLogGroup": logs_statement("tc-receiver"),
        "PutMetricDataInNamespace": METRICS_STATEMENT,
        "ReadReceiverPathSecret": {
            "Sid": "ReadReceiverPathSecret",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [secret_arn],
        },
        "DecryptReceiverSecretViaService": {
            "Sid": "DecryptReceiverSecretViaService",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [deployment.kms_key_arn],
            "Condition": {
                "StringEquals": {"kms:ViaService": [f"secretsmanager.{REGION}.amazonaws.com"]}
            },
        },
        "DescribeVpcNetworking": {
            "Sid": "DescribeVpcNetworking",
            "Effect": "Allow",
            "Action": ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"],
            "Resource": ["*"],
        },
        "ManageVpcNetworkInterfaces": {
            "Sid": "ManageVpcNetworkInterfaces",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            "Resource": [
                f"arn:aws:ec2:{REGION}:{ACCOUNT}:network-interface/*",
                *(f"arn:aws:ec2:{REGION}:*:subnet/{subnet}" for subnet in network.subnet_ids),
                f"arn:aws:ec2:{REGION}:*:security-group/{network.security_group_id}",
            ],
        },
    }


def test_receiver_http_api_and_permission(deployment: Deployment) -> None:
    out = deployment.outputs["receiver"]
    api_id = out["webhook_receiver_api_id"]
    apis = deployment.client("apigatewayv2")
    function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tc-receiver"

    api = apis.get_api(ApiId=api_id)
    assert api["Name"] == "tc-receiver-webhook"
    assert api["ProtocolType"] == "HTTP"
    assert api["ApiEndpoint"] == out["webhook_receiver_api_endpoint"]

    (integration,) = apis.get_integrations(ApiId=api_id)["Items"]
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["IntegrationMethod"] == "POST"
    assert integration["PayloadFormatVersion"] == "2.0"
    assert integration["TimeoutInMillis"] == 16000
    assert integration["IntegrationUri"] == (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )

    (route,) = apis.get_routes(ApiId=api_id)["Items"]
    assert re.fullmatch(r"ANY /\w{48}", route["RouteKey"])  # the literal secret path
    assert route["Target"] == f"integrations/{integration['IntegrationId']}"

    (stage,) = apis.get_stages(ApiId=api_id)["Items"]
    assert stage["StageName"] == "$default"
    assert stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 20
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 40
    access_logs = log_group(deployment, "/aws/apigateway/tc-receiver-webhook")
    assert stage["AccessLogSettings"]["DestinationArn"] == access_logs["logGroupArn"]
    access_format = json.loads(stage["AccessLogSettings"]["Format"])
    # The path and the route key both hold the secret.
    assert "$context.path" not in stage["AccessLogSettings"]["Format"]
    assert "$context.routeKey" not in stage["AccessLogSettings"]["Format"]
    assert access_format["httpMethod"] == "$context.httpMethod"
    assert access_logs["retentionInDays"] == 30
    assert log_group(deployment, "/aws/lambda/tc-receiver")["retentionInDays"] == 30

    (statement,) = invoke_statements(deployment, "tc-receiver")
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Condition"] == {
        "ArnLike": {"AWS:SourceArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/*"},
        "StringEquals": {"AWS:SourceAccount": ACCOUNT},
    }


def test_receiver_campaign_delivers_to_the_secret_url(deployment: Deployment) -> None:
    out = deployment.outputs["receiver"]
    path_secret = deployment.client("secretsmanager").get_secret_value(
        SecretId=out["webhook_receiver_secret_arn"]
    )["SecretString"]
    url = f"{out['webhook_receiver_api_endpoint']}/{path_secret}"
    assert re.fullmatch(r"https://[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com/\w{48}", url)
    assert out["webhook_receiver_url"] == url
    assert out["pinpoint_delivery_uri"] == url

    # The template (cloudformation:GetTemplate) holds a dynamic reference to the secret's
    # version, not the secret; the campaign gets the resolved URL.
    secret = deployment.client("secretsmanager").describe_secret(
        SecretId=out["webhook_receiver_secret_arn"]
    )
    (version_id,) = [
        v for v, stages in secret["VersionIdsToStages"].items() if "AWSCURRENT" in stages
    ]
    template = stack_template(deployment, "tc-receiver-campaign")
    assert path_secret not in json.dumps(template)
    properties = template["Resources"]["Campaign"]["Properties"]
    assert properties["CustomDeliveryConfiguration"] == {
        "DeliveryUri": (
            f"{out['webhook_receiver_api_endpoint']}/{{{{resolve:secretsmanager:"
            f"{out['webhook_receiver_secret_arn']}:SecretString:::{version_id}}}}}"
        ),
        "EndpointTypes": ["CUSTOM", "SMS"],
    }
    assert properties["MessageConfiguration"] == {"CustomMessage": {"Data": RECEIVER_DATA}}
    assert properties["IsPaused"] is True

    campaign = pinpoint_campaign(
        deployment, out["pinpoint_application_id"], out["pinpoint_campaign_id"]
    )
    assert campaign["CustomDeliveryConfiguration"]["DeliveryUri"] == url


################################################################################
# (c) an external webhook, no Lambda function
################################################################################


def test_external_webhook_creates_no_function(deployment: Deployment) -> None:
    out = deployment.outputs["webhook"]
    assert out["lambda_function_name"] is None
    assert out["lambda_role_arn"] is None
    assert out["lambda_permission_statement_ids"] == {}
    assert out["failure_queue_url"] is None
    assert out["cloudwatch_metric_alarm_names"] == {}
    assert missing(
        deployment.client("lambda").get_function,
        "ResourceNotFoundException",
        FunctionName="tc-webhook",
    )
    assert missing(deployment.client("iam").get_role, "NoSuchEntity", RoleName="tc-webhook")
    logs = deployment.client("logs").describe_log_groups(
        logGroupNamePrefix="/aws/lambda/tc-webhook"
    )
    assert logs["logGroups"] == []


def test_external_webhook_campaign(deployment: Deployment) -> None:
    out = deployment.outputs["webhook"]
    properties = stack_template(deployment, "tc-webhook-campaign")["Resources"]["Campaign"][
        "Properties"
    ]
    assert properties["CustomDeliveryConfiguration"] == {
        "DeliveryUri": WEBHOOK_URL,
        "EndpointTypes": ["CUSTOM"],
    }
    assert properties["MessageConfiguration"] == {"CustomMessage": {"Data": WEBHOOK_DATA}}
    campaign = pinpoint_campaign(
        deployment, out["pinpoint_application_id"], out["pinpoint_campaign_id"]
    )
    assert campaign["CustomDeliveryConfiguration"]["DeliveryUri"] == WEBHOOK_URL
    assert campaign["State"] == {"CampaignStatus": "PAUSED"}


################################################################################
# (d) campaign-scoped permission: two applies; alias, A/B test, secret, tracing, KMS logs
################################################################################


def test_connect_custom_action(deployment: Deployment) -> None:
    """A Connect instance (of another account) may invoke the alias; nothing of Pinpoint."""
    out = deployment.outputs["connect"]
    config = deployment.client("lambda").get_function_configuration(FunctionName="tc-connect")
    assert config["Timeout"] == 30
    variables = config["Environment"]["Variables"]
    assert variables == out["lambda_function_environment"]
    assert {
        k: v for k, v in variables.items() if "CONNECT" in k or "MESSAGE" in k or "EVENT" in k
    } == {
        "CHANNEL_EVENT_SOURCE": "connect",
        "CHANNEL_MESSAGE_TEMPLATE": CONNECT_TEMPLATE,
        "CHANNEL_MESSAGE_TEMPLATES": json.dumps(
            {"action-code": CONNECT_ACTION_TEMPLATE}, separators=(",", ":")
        ),
        "CHANNEL_CONNECT_ADDRESS_FIELDS": "PhoneNumber,Attributes.Mobile",
        "CHANNEL_CONNECT_CHANNEL_TYPE": "SMS",
        "CHANNEL_CONNECT_RESULT_FIELD": "true",
    }
    assert variables["CHANNEL_DEADLINE_SECONDS"] == "30"
    # Connect's metrics under Connect's name, never in the guide's Pinpoint namespace.
    assert variables["CHANNEL_METRICS_NAMESPACE"] == "ConnectCustomAction"

    statements = invoke_statements(deployment, "tc-connect", "live")
    by_principal = {s["Principal"]["Service"]: s for s in statements}
    assert set(by_principal) == {"connect-campaigns.amazonaws.com", "connect.amazonaws.com"}
    for statement in statements:
        assert statement["Action"] == "lambda:InvokeFunction"
        assert statement["Resource"] == (
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tc-connect:live"
        )
    assert by_principal["connect-campaigns.amazonaws.com"]["Condition"] == {
        "ArnLike": {"AWS:SourceArn": CONNECT_INSTANCE_ARN},
        "StringEquals": {"AWS:SourceAccount": CONNECT_ACCOUNT},
    }
    # Journeys' custom actions: the account alone (the source ARN they send is unconfirmed).
    assert by_principal["connect.amazonaws.com"]["Condition"] == {
        "StringEquals": {"AWS:SourceAccount": CONNECT_ACCOUNT}
    }
    assert out["lambda_permission_source_arns"] == {
        "connect": CONNECT_INSTANCE_ARN,
        "connect_journeys": None,
    }

    assert out["pinpoint_application_id"] is None
    assert out["pinpoint_campaign_id"] is None
    apps = deployment.client("pinpoint").get_apps()["ApplicationsResponse"].get("Item", [])
    assert "tc-connect" not in {app["Name"] for app in apps}
    stacks = deployment.client("cloudformation").list_stacks()["StackSummaries"]
    assert [s for s in stacks if s["StackName"].startswith("tc-connect")] == []

    # The AWS CLI's commands, in the instance's region (connect.register is off by default).
    alias_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tc-connect:live"
    instance = f"--region {REGION} --connect-instance-id {CONNECT_INSTANCE_ID}"
    config = json.dumps({"lambda": {"functionArn": alias_arn}}, separators=(",", ":"))
    assert out["connect_register_command"] == (
        f"aws connectcampaignsv2 put-connect-instance-integration {instance}"
        f" --integration-config '{config}'"
    )
    assert out["connect_unregister_command"] == (
        f"aws connectcampaignsv2 delete-connect-instance-integration {instance}"
        f" --integration-identifier '{config}'"
    )
    assert out["connect_registered_function_arn"] is None

    alarms = deployment.client("cloudwatch").describe_alarms(AlarmNamePrefix="tc-connect")
    dimensions = {a["MetricName"]: a["Dimensions"] for a in alarms["MetricAlarms"]}
    assert dimensions == {
        "FailedCount": [{"Name": "Channel", "Value": "tc-connect"}],
        "UnknownCount": [{"Name": "Channel", "Value": "tc-connect"}],
        "Errors": [{"Name": "FunctionName", "Value": "tc-connect"}],
        "Throttles": [{"Name": "FunctionName", "Value": "tc-connect"}],
    }
    namespaces = {a["MetricName"]: a["Namespace"] for a in alarms["MetricAlarms"]}
    assert namespaces == {
        "FailedCount": "ConnectCustomAction",
        "UnknownCount": "ConnectCustomAction",
        "Errors": "AWS/Lambda",
        "Throttles": "AWS/Lambda",
    }


def test_scope_function_role_and_logs(deployment: Deployment) -> None:
    out = deployment.first_outputs["scope"]
    lam = deployment.client("lambda")
    alias = lam.get_alias(FunctionName="tc-scope", Name="live")
    assert alias["AliasArn"] == out["lambda_alias_arn"]
    assert alias["FunctionVersion"] == out["lambda_function_version"] == "1"

    config = lam.get_function_configuration(FunctionName="tc-scope", Qualifier="live")
    assert config["TracingConfig"] == {"Mode": "Active"}
    assert config["LoggingConfig"]["LogFormat"] == "JSON"
    variables = config["Environment"]["Variables"]
    assert variables == out["lambda_function_environment"]
    assert variables["CHANNEL_ADAPTER"] == "http"
    assert variables["CHANNEL_HTTP_URL"] == HTTP_URL
    assert json.loads(variables["CHANNEL_HTTP_HEADERS"]) == {"X-Client": "pinpoint"}
    assert variables["CHANNEL_SECRET_ID"] == deployment.provider_secret_arn
    assert variables["CHANNEL_SECRET_TTL_SECONDS"] == "300"
    assert variables["CHANNEL_IDEMPOTENCY_TABLE"] == "tc-scope-deliveries"
    assert variables["CHANNEL_IDEMPOTENCY_LEASE_SECONDS"] == "90"
    assert variables["CHANNEL_FAILURE_POLICY"] == "retry"
    assert variables["CHANNEL_FAILURE_QUEUE_URL"] == out["failure_queue_url"]

    dynamodb = deployment.client("dynamodb")
    table = dynamodb.describe_table(TableName="tc-scope-deliveries")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = dynamodb.describe_time_to_live(TableName="tc-scope-deliveries")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}

    group = log_group(deployment, "/aws/lambda/tc-scope")
    assert group["retentionInDays"] == 7
    assert group["kmsKeyId"] == deployment.kms_key_arn

    assert role_statements(deployment, "tc-scope") == {
        "WriteOwnLogGroup": logs_statement("tc-scope"),
        "PutMetricDataInNamespace": METRICS_STATEMENT,
        "ReadProviderSecret": {
            "Sid": "ReadProviderSecret",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": [deployment.provider_secret_arn],
        },
        "DecryptProviderSecretViaService": {
            "Sid": "DecryptProviderSecretViaService",
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [deployment.kms_key_arn],
            "Condition": {
                "StringEquals": {"kms:ViaService": [f"secretsmanager.{REGION}.amazonaws.com"]}
            },
        },
        "RecordDeliveries": {
            "Sid": "RecordDeliveries",
            "Effect": "Allow",
            "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"],
            "Resource": [table["TableArn"]],
        },
        "WriteXRayTraces": {
            "Sid": "WriteXRayTraces",
            "Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": ["*"],
        },
        "SendFailedDeliveries": send_failures_statement(out["failure_queue_arn"]),
        "UseFailureQueueKey": {
            "Sid": "UseFailureQueueKey",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": [deployment.kms_key_arn],
            "Condition": {"StringEquals": {"kms:ViaService": f"sqs.{REGION}.amazonaws.com"}},
        },
    }


def test_scope_failure_queue_uses_the_kms_key(deployment: Deployment) -> None:
    out = deployment.first_outputs["scope"]
    queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:tc-scope-failures"
    assert out["failure_queue_name"] == "tc-scope-failures"
    assert out["failure_queue_arn"] == queue_arn

    attributes = queue_attributes(deployment, out["failure_queue_url"])
    assert attributes["QueueArn"] == queue_arn
    assert attributes["KmsMasterKeyId"] == deployment.kms_key_arn
    assert attributes["KmsDataKeyReusePeriodSeconds"] == "300"
    assert attributes["MessageRetentionPeriod"] == "345600"
    assert attributes["VisibilityTimeout"] == "300"
    assert json.loads(attributes["Policy"]) == failure_queue_policy(
        queue_arn, out["lambda_role_arn"], (OPERATOR_ROLE_ARN,)
    )
    # The operator may use the key for resend's calls, on this queue only.
    grants = deployment.client("kms").list_grants(KeyId=deployment.kms_key_arn)["Grants"]
    (grant,) = [g for g in grants if g["GranteePrincipal"] == OPERATOR_ROLE_ARN]
    assert grant["Name"] == "tc-scope-failure-queue-resend"
    assert sorted(grant["Operations"]) == ["Decrypt", "GenerateDataKey"]
    # The provider sends an empty EncryptionContextSubset beside it, which every context meets.
    constraints = grant["Constraints"]
    assert constraints["EncryptionContextEquals"] == {"aws:sqs:arn": queue_arn}
    assert constraints.get("EncryptionContextSubset", {}) == {}


def test_scope_alarms(deployment: Deployment) -> None:
    out = deployment.first_outputs["scope"]
    described = deployment.client("cloudwatch").describe_alarms(AlarmNamePrefix="tc-scope-")
    alarms = {a["AlarmName"]: a for a in described["MetricAlarms"]}
    names = {
        "failed_deliveries": "tc-scope-failed-deliveries",
        "unknown_deliveries": "tc-scope-unknown-deliveries",
        "function_errors": "tc-scope-function-errors",
        "function_throttles": "tc-scope-function-throttles",
        "failure_queue_depth": "tc-scope-failure-queue-depth",
        "failure_queue_message_age": "tc-scope-failure-queue-message-age",
    }
    assert out["cloudwatch_metric_alarm_names"] == names
    assert set(alarms) == set(names.values())
    assert out["cloudwatch_metric_alarm_arns"] == {
        key: alarms[name]["AlarmArn"] for key, name in names.items()
    }

    def watched(alarm: dict[str, Any]) -> tuple[Any, ...]:
        return alarm["Namespace"], alarm["MetricName"], alarm["Dimensions"], alarm["Threshold"]

    # The delivery alarms watch this deployment's own series (Channel=<name>), not the
    # namespace-wide one that every channel of the account adds to.
    own = [{"Name": "Channel", "Value": "tc-scope"}]
    assert watched(alarms["tc-scope-failed-deliveries"]) == (
        "PinpointCustomChannelExecution",
        "FailedCount",
        own,
        5.0,
    )
    assert watched(alarms["tc-scope-unknown-deliveries"]) == (
        "PinpointCustomChannelExecution",
        "UnknownCount",
        own,
        1.0,
    )
    assert watched(alarms["tc-scope-function-errors"]) == (
        "AWS/Lambda",
        "Errors",
        [{"Name": "FunctionName", "Value": "tc-scope"}],
        1.0,
    )
    assert watched(alarms["tc-scope-function-throttles"]) == (
        "AWS/Lambda",
        "Throttles",
        [{"Name": "FunctionName", "Value": "tc-scope"}],
        1.0,
    )
    # The failure queue's gauges: their Maximum, on the queue's name.
    queue = [{"Name": "QueueName", "Value": "tc-scope-failures"}]
    assert watched(alarms["tc-scope-failure-queue-depth"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        queue,
        1.0,
    )
    assert watched(alarms["tc-scope-failure-queue-message-age"]) == (
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        queue,
        43200.0,
    )
    for name, alarm in alarms.items():
        assert alarm["Statistic"] == ("Maximum" if "failure-queue" in name else "Sum")
        assert alarm["Period"] == 60
        assert alarm["EvaluationPeriods"] == 3
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["AlarmActions"] == [deployment.alarm_topic_arn]
        assert alarm["OKActions"] == [deployment.alarm_topic_arn]
        assert alarm["ActionsEnabled"] is True
        assert "tc-scope Pinpoint custom channel" in alarm["AlarmDescription"]


def test_scope_campaign_definition_reads_back(deployment: Deployment) -> None:
    """The A/B campaign as stored by the local AWS matches the module's definition output."""
    out = deployment.first_outputs["scope"]
    app_id = out["pinpoint_application_id"]
    alias_arn = out["lambda_alias_arn"]
    definition = json.loads(out["pinpoint_campaign_definition_json"])

    properties = stack_template(deployment, "tc-scope-campaign")["Resources"]["Campaign"][
        "Properties"
    ]
    assert properties["CustomDeliveryConfiguration"] == {
        "DeliveryUri": alias_arn,
        "EndpointTypes": ["CUSTOM"],
    }
    assert properties["HoldoutPercent"] == 10
    assert properties["Limits"] == {"Daily": 1, "MessagesPerSecond": 50}
    assert properties["AdditionalTreatments"] == [
        {
            "SizePercent": 30,
            "MessageConfiguration": {"CustomMessage": {"Data": SCOPE_TREATMENT_DATA}},
            "CustomDeliveryConfiguration": {"DeliveryUri": alias_arn, "EndpointTypes": ["CUSTOM"]},
        }
    ]

    (stored,) = deployment.aws.campaigns(app_id)
    assert stored == pinpoint_campaign(deployment, app_id, out["pinpoint_campaign_id"])
    assert stored["Id"] == definition["campaign_id"]
    assert stored["SegmentId"] == definition["segment_id"]
    assert stored["IsPaused"] is definition["is_paused"] is True
    assert stored["HoldoutPercent"] == definition["holdout_percent"] == 10
    assert stored["MessageConfiguration"]["CustomMessage"]["Data"] == definition["data"]
    assert stored["CustomDeliveryConfiguration"]["DeliveryUri"] == definition["delivery_uri"]
    assert stored["Schedule"] == {"StartTime": "IMMEDIATE", "Frequency": "ONCE"}
    main, variant = definition["treatments"]
    assert main["treatment_id"] == "0"
    assert main["size_percent"] == 60
    (treatment,) = stored["AdditionalTreatments"]
    assert treatment["Id"] == variant["treatment_id"] == "1"
    assert treatment["SizePercent"] == variant["size_percent"] == 30
    assert treatment["MessageConfiguration"]["CustomMessage"]["Data"] == variant["data"]
    assert deployment.aws.segments(app_id)[0]["Id"] == definition["segment_id"]


def test_scope_two_apply_flow_narrows_the_permission(deployment: Deployment) -> None:
    first = deployment.first_outputs["scope"]
    app_id = first["pinpoint_application_id"]
    campaign_id = first["pinpoint_campaign_id"]
    alias_arn = first["lambda_alias_arn"]

    def pinpoint_statement() -> dict[str, Any]:
        (statement,) = invoke_statements(deployment, "tc-scope", qualifier="live")
        assert statement["Principal"] == {"Service": PINPOINT}
        assert statement["Resource"] == alias_arn
        return dict(statement)

    # The first apply, with scope "campaign" already: the campaign did not exist yet, so the
    # permission allows the application (Pinpoint checks it when it creates the campaign), and
    # the check block asks for another apply.
    assert "Apply again with the same configuration" in deployment.first_report
    assert first["lambda_permission_source_arns"] == {
        "pinpoint": f"{MOBILETARGETING}:apps/{app_id}/*"
    }
    if deployment.narrowed_report is None:
        assert pinpoint_statement()["Condition"] == {
            "ArnLike": {"AWS:SourceArn": f"{MOBILETARGETING}:apps/{app_id}/*"},
            "StringEquals": {"AWS:SourceAccount": ACCOUNT},
        }

    # The first apply's stack recorded its campaign's ARN in an SSM parameter of its own.
    campaign_arn = f"{MOBILETARGETING}:apps/{app_id}/campaigns/{campaign_id}"
    stack = first["pinpoint_campaign_stack_id"].split("/")[1]
    recorded = deployment.client("ssm").get_parameters_by_path(Path=f"/custom-channel/{stack}")
    assert [(p["Name"], p["Value"]) for p in recorded["Parameters"]] == [
        (f"/custom-channel/{stack}/campaign-arn", campaign_arn)
    ]
    assert stack_resources(deployment, stack)["CampaignArnParameter"] == (
        f"/custom-channel/{stack}/campaign-arn"
    )

    # The second apply, nothing edited: the recorded campaign narrows the permission.
    report = deployment.narrow_to_campaign_scope()
    assert "Apply again" not in report
    # Only the permission is replaced; nothing else drifted since the first apply.
    assert apply_summary(report) == (1, 0, 1)
    assert 'module.scope.aws_lambda_permission.this["pinpoint"] must be replaced' in report

    assert pinpoint_statement()["Condition"] == {
        "ArnLike": {"AWS:SourceArn": campaign_arn},
        "StringEquals": {"AWS:SourceAccount": ACCOUNT},
    }
    now = deployment.outputs["scope"]
    assert now["lambda_permission_source_arns"] == {"pinpoint": campaign_arn}
    # The log id key was drawn once: the same after another apply (hashes stay comparable).
    key = now["lambda_function_environment"]["CHANNEL_LOG_ID_KEY"]
    assert key == first["lambda_function_environment"]["CHANNEL_LOG_ID_KEY"]
    assert now["pinpoint_campaign_id"] == campaign_id
    assert pinpoint_campaign(deployment, app_id, campaign_id)["Version"] == 1  # untouched


################################################################################
# IAM audit: parliament on every policy the module created, Resource "*" only where needed
################################################################################


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per entry
class FalsePositive:
    """A parliament finding that is wrong for this module, and why it is dropped.

    `issue` and `detail` must equal the finding's; `locations` is one entry of parliament's
    `ignore_locations` config: location field -> regular expression, every one matching in full,
    case-insensitively. (parliament 1.6.4's own `is_finding_filtered` reads those expressions
    through `make_list`, which only knows jsoncfg nodes and turns a plain string or list into
    nothing, so its ignores never match; `matches` applies the same rule.)
    """

    issue: str
    detail: str | None
    locations: dict[str, str]
    reason: str

    def matches(self, finding: Any) -> bool:
        return (
            finding.issue == self.issue
            and finding.detail == self.detail
            and all(
                re.fullmatch(pattern, str(finding.location.get(field, "")), re.IGNORECASE)
                for field, pattern in self.locations.items()
            )
        )


PARLIAMENT_FALSE_POSITIVES = (
    FalsePositive(
        issue="MALFORMED",
        detail="Statement contains neither Resource nor NotResource",
        locations={"filepath": r"role/tc-[a-z-]+/assume-role-policy"},
        reason=(
            "A role's trust policy names a Principal and never a Resource (IAM rejects one); "
            "parliament lints it like an identity policy, which needs a Resource. It checks the "
            "Principal before it stops at this."
        ),
    ),
    FalsePositive(
        issue="INVALID_SID",
        detail=None,
        locations={
            "filepath": r"function/tc-[a-z-]+/resource-policy",
            "string": r"(pinpoint|connect|connect_journeys|apigateway|receipts)-[0-9a-f]+",
        },
        reason=(
            "Lambda statement ids may hold letters, digits, '-' and '_' (AddPermission); the "
            "module's come from statement_id_prefix so that a narrowed permission is added "
            "before the old one is removed. parliament applies the identity-policy Sid grammar "
            "[0-9A-Za-z]*. It stops at the Sid, so these statements are audited again without "
            "their Sid (policy name suffixed ' without Sid'), where no finding is dropped."
        ),
    ),
)


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def module_policies(dep: Deployment) -> dict[str, dict[str, Any]]:
    """Every policy document the module created, keyed by a path-like name: each role's trust,
    inline and attached managed policies, each function's resource policy (the alias's when
    published) and each queue policy."""
    iam = dep.client("iam")
    instances = [dep.outputs[name] for name in INSTANCES]
    roles = {out["lambda_role_name"] for out in instances if out["lambda_role_name"]}
    # Every role of the local AWS named like an instance is one of the module's.
    listed = iam.list_roles()["Roles"]
    assert roles == {r["RoleName"] for r in listed if r["RoleName"].startswith("tc-")}

    policies: dict[str, dict[str, Any]] = {}
    for role in sorted(roles):
        trust = iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"]
        policies[f"role/{role}/assume-role-policy"] = trust
        for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
            policies[f"role/{role}/inline-policy/{name}"] = document
        # Managed policies attached to the role (the module attaches none today; any it
        # attaches later is audited too).
        for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
            arn = attached["PolicyArn"]
            version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
            document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]
            policies[f"role/{role}/managed-policy/{attached['PolicyName']}"] = (
                json.loads(document["Document"])
                if isinstance(document["Document"], str)
                else document["Document"]
            )
    for out in instances:
        function = out["lambda_function_name"]
        if function is not None:
            alias = out["lambda_alias_name"]
            kwargs = {"FunctionName": function} | ({"Qualifier": alias} if alias else {})
            policy = dep.client("lambda").get_policy(**kwargs)["Policy"]
            policies[f"function/{function}/resource-policy"] = json.loads(policy)
        if out["failure_queue_url"] is not None:
            queue = queue_attributes(dep, out["failure_queue_url"])
            policies[f"queue/{out['failure_queue_name']}/policy"] = json.loads(queue["Policy"])
    return policies


def parliament_findings(
    name: str, policy: dict[str, Any], dropped: set[FalsePositive]
) -> list[str]:
    """parliament's findings on `policy`, every severity, less the known false positives
    (each one dropped is added to `dropped`)."""
    reported = []
    for raw in analyze_policy_string(json.dumps(policy), filepath=name).findings:
        finding = enhance_finding(raw)  # severity and title from parliament's config
        known = [fp for fp in PARLIAMENT_FALSE_POSITIVES if fp.matches(finding)]
        if known:
            dropped.update(known)
        else:
            reported.append(
                f"{name}: {finding.severity} {finding.issue} ({finding.title}) "
                f"{finding.detail} at {finding.location}"
            )
    return reported


def resource_types(action: str) -> set[str]:
    """The resource types `action` can be scoped to, from parliament's IAM definitions; empty
    when it supports no resource-level permission (it needs Resource "*")."""
    types: set[str] = set()
    for expanded in expand_action(action):
        privilege = get_privilege_info(expanded["service"], expanded["action"])
        types |= {t["resource_type"].rstrip("*") for t in privilege["resource_types"]}
    return types - {""}


def test_iam_policies_pass_parliament(deployment: Deployment) -> None:
    deployment.narrow_to_campaign_scope()  # the policies as a user ends up with them
    policies = module_policies(deployment)
    # Six roles (lambda, receiver, scope, connect, receipts, receipts_receiver; the webhook
    # instance has none), six functions, two queues.
    assert len(policies) == 6 * 2 + 6 + 2, sorted(policies)

    dropped: set[FalsePositive] = set()
    findings = []
    for name, policy in policies.items():
        findings += parliament_findings(name, policy, dropped)
        if name.startswith("function/"):
            unnamed = {
                **policy,
                "Statement": [
                    {k: v for k, v in s.items() if k != "Sid"} for s in as_list(policy["Statement"])
                ],
            }
            findings += parliament_findings(f"{name} without Sid", unnamed, dropped)

    assert findings == [], "parliament:\n" + "\n".join(findings)
    # Every false positive listed is still needed.
    assert dropped == set(PARLIAMENT_FALSE_POSITIVES)


def duplicate_sids(policy: dict[str, Any]) -> list[str]:
    """The Sids that more than one statement of `policy` carries. "In IAM, the Sid value must
    be unique within a JSON policy" (IAM User Guide, IAM JSON policy elements: Sid); a Lambda
    resource policy's statement ids are unique per function too (AddPermission answers
    ResourceConflictException), and an SQS policy's Sids are sub-ids of its Id."""
    seen: dict[str, int] = {}
    for statement in as_list(policy["Statement"]):
        if "Sid" in statement:
            seen[statement["Sid"]] = seen.get(statement["Sid"], 0) + 1
    return sorted(sid for sid, count in seen.items() if count > 1)


def test_duplicate_sids_catches_a_planted_duplicate() -> None:
    statement = {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "SendToFailureQueue", **statement},
            {"Sid": "ReadOwnSecret", **statement},
            {**statement},  # statements without a Sid never collide
            {**statement},
            {"Sid": "SendToFailureQueue", **statement, "Action": "sqs:GetQueueUrl"},
        ],
    }
    assert duplicate_sids(policy) == ["SendToFailureQueue"]
    assert duplicate_sids({**policy, "Statement": policy["Statement"][1:]}) == []
    assert duplicate_sids({"Statement": {"Sid": "One", **statement}}) == []


def test_iam_policies_have_unique_sids(deployment: Deployment) -> None:
    """Beside parliament, which does not check it: every policy document the module created
    holds each Sid at most once."""
    deployment.narrow_to_campaign_scope()  # the policies as a user ends up with them
    policies = module_policies(deployment)
    found = [
        f"{name}: {sid}" for name, policy in policies.items() for sid in duplicate_sids(policy)
    ]
    assert found == [], "a Sid repeated within a policy:\n" + "\n".join(found)
    # The check saw the statements the module names (a policy without Sids proves nothing).
    assert any("Sid" in s for p in policies.values() for s in as_list(p["Statement"]))


def test_resource_star_only_for_actions_without_resource_level_permissions(
    deployment: Deployment,
) -> None:
    """Whether an action has resource-level permissions is read from parliament's IAM
    definitions. The receiver instance runs in a VPC, so the EC2 statements are covered."""
    deployment.narrow_to_campaign_scope()
    scoped_on_star = []
    granted_on_star = set()
    for name, policy in module_policies(deployment).items():
        for statement in as_list(policy["Statement"]):
            if "*" not in as_list(statement.get("Resource", [])):
                continue
            actions = as_list(statement["Action"])
            granted_on_star |= set(actions)
            scoped_on_star += [
                f"{name} {statement.get('Sid')}: {action} can be scoped to {sorted(types)}"
                for action in actions
                if (types := resource_types(action))
            ]
            if "cloudwatch:PutMetricData" in actions:
                # The one action on "*" that a condition narrows: the metrics' namespace
                # (Connect's own for the Connect instances).
                connect = any(f"/{f}/" in name for f in ("tc-connect", "tc-receipts"))
                namespace = "ConnectCustomAction" if connect else NAMESPACE
                assert statement["Condition"] == {
                    "StringEquals": {"cloudwatch:namespace": namespace}
                }, name

    assert scoped_on_star == [], "\n".join(scoped_on_star)
    assert granted_on_star == {
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "cloudwatch:PutMetricData",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
    }


################################################################################
# Delivery receipts
################################################################################


def test_receipts_route_of_its_own_in_lambda_mode(deployment: Deployment) -> None:
    out = deployment.outputs["receipts"]
    apis = deployment.client("apigatewayv2")
    api = apis.get_api(ApiId=out["receipts_api_id"])
    assert api["Name"] == "tc-receipts-receipts"
    assert api["ProtocolType"] == "HTTP"
    url = f"{api['ApiEndpoint']}/receipts"
    assert out["receipts_url"] == url

    function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tc-receipts"
    (integration,) = apis.get_integrations(ApiId=api["ApiId"])["Items"]
    assert integration["IntegrationType"] == "AWS_PROXY"
    assert integration["PayloadFormatVersion"] == "2.0"
    assert integration["IntegrationUri"] == (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )
    (route,) = apis.get_routes(ApiId=api["ApiId"])["Items"]
    assert route["RouteKey"] == "POST /receipts"
    assert route["Target"] == f"integrations/{integration['IntegrationId']}"
    (stage,) = apis.get_stages(ApiId=api["ApiId"])["Items"]
    assert stage["StageName"] == "$default"
    assert stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 500
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 1000
    access_logs = log_group(deployment, "/aws/apigateway/tc-receipts-receipts")
    assert stage["AccessLogSettings"]["DestinationArn"] == access_logs["logGroupArn"]

    variables = deployment.client("lambda").get_function_configuration(FunctionName="tc-receipts")[
        "Environment"
    ]["Variables"]
    assert {k: v for k, v in variables.items() if re.match("CHANNEL_(RECEIPTS|CONSENT)_", k)} == {
        "CHANNEL_RECEIPTS_URL": url,
        "CHANNEL_RECEIPTS_EVENT_BUS": "default",
        "CHANNEL_CONSENT_WRITE_BACK": "true",
    }
    assert variables["CHANNEL_CONNECT_PROFILES_DOMAIN"] == "tc-customers"

    receipts = [
        s
        for s in invoke_statements(deployment, "tc-receipts")
        if s["Principal"] == {"Service": "apigateway.amazonaws.com"}
    ]
    assert [s["Condition"] for s in receipts] == [
        {
            "ArnLike": {
                "AWS:SourceArn": (
                    f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api['ApiId']}/*/POST/receipts"
                )
            },
            "StringEquals": {"AWS:SourceAccount": ACCOUNT},
        }
    ]

    statements = role_statements(deployment, "tc-receipts")
    assert statements["PublishDeliveryReceipts"] == {
        "Sid": "PublishDeliveryReceipts",
        "Effect": "Allow",
        "Action": ["events:PutEvents"],
        "Resource": [f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/default"],
    }
    assert statements["WriteBackConsentToProfiles"] == {
        "Sid": "WriteBackConsentToProfiles",
        "Effect": "Allow",
        "Action": ["profile:UpdateProfile"],
        "Resource": [f"arn:aws:profile:{REGION}:{ACCOUNT}:domains/tc-customers"],
    }
    assert "WriteBackConsentToEndpoints" not in statements


def test_receipts_delivered_rate_alarm(deployment: Deployment) -> None:
    out = deployment.outputs["receipts"]
    name = "tc-receipts-receipts-delivered-rate"
    assert out["cloudwatch_metric_alarm_names"] == {"receipts_delivered_rate": name}
    (alarm,) = deployment.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    assert alarm["ComparisonOperator"] == "LessThanThreshold"
    assert alarm["Threshold"] == 95
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmActions"] == [deployment.alarm_topic_arn]
    metrics = {m["Id"]: m for m in alarm["Metrics"]}
    assert metrics["rate"]["Expression"] == (
        "100 * FILL(delivered, 0) / (FILL(delivered, 0) + FILL(undelivered, 0) + FILL(failed, 0))"
    )
    assert metrics["rate"]["ReturnData"] is True
    for metric_id, metric_name in [
        ("delivered", "ReceiptDeliveredCount"),
        ("undelivered", "ReceiptUndeliveredCount"),
        ("failed", "ReceiptFailedCount"),
    ]:
        stat = metrics[metric_id]["MetricStat"]
        assert stat["Metric"] == {
            "Namespace": "ConnectCustomAction",
            "MetricName": metric_name,
            "Dimensions": [{"Name": "Channel", "Value": "tc-receipts"}],
        }
        assert stat["Stat"] == "Sum"
        assert stat["Period"] == 300


def test_receipts_route_on_the_receiver(deployment: Deployment) -> None:
    out = deployment.outputs["receipts_receiver"]
    apis = deployment.client("apigatewayv2")
    api_id = out["webhook_receiver_api_id"]
    assert out["receipts_api_id"] == api_id
    assert out["receipts_url"] == f"{out['webhook_receiver_api_endpoint']}/receipts"

    routes = {r["RouteKey"]: r for r in apis.get_routes(ApiId=api_id)["Items"]}
    assert len(routes) == 2
    assert "POST /receipts" in routes
    (stage,) = apis.get_stages(ApiId=api_id)["Items"]
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 20
    assert stage["RouteSettings"]["POST /receipts"]["ThrottlingRateLimit"] == 500
    assert stage["RouteSettings"]["POST /receipts"]["ThrottlingBurstLimit"] == 1000

    variables = deployment.client("lambda").get_function_configuration(
        FunctionName="tc-receipts-receiver"
    )["Environment"]["Variables"]
    assert variables["CHANNEL_RECEIPTS_URL"] == out["receipts_url"]
    assert variables["CHANNEL_RECEIPTS_EVENT_BUS"] == "tc-receipts"
    assert variables["CHANNEL_CONSENT_WRITE_BACK"] == "true"
    assert "CHANNEL_CONNECT_PROFILES_DOMAIN" not in variables

    source_arns = sorted(
        s["Condition"]["ArnLike"]["AWS:SourceArn"]
        for s in invoke_statements(deployment, "tc-receipts-receiver")
    )
    execute_api = f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}"
    assert source_arns == [f"{execute_api}/*", f"{execute_api}/*/POST/receipts"]

    statements = role_statements(deployment, "tc-receipts-receiver")
    assert statements["PublishDeliveryReceipts"]["Resource"] == [
        f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/tc-receipts"
    ]
    assert statements["WriteBackConsentToEndpoints"] == {
        "Sid": "WriteBackConsentToEndpoints",
        "Effect": "Allow",
        "Action": ["mobiletargeting:UpdateEndpoint"],
        "Resource": [f"{MOBILETARGETING}:apps/{out['pinpoint_application_id']}/endpoints/*"],
    }
    assert "WriteBackConsentToProfiles" not in statements


################################################################################
# Plan after apply, then destroy
################################################################################


def test_plan_after_apply_shows_no_changes(deployment: Deployment) -> None:
    deployment.narrow_to_campaign_scope()
    rc, report = deployment.root.plan()
    assert rc == 0, f"the plan after apply wants changes:\n{report}"
    assert "No changes." in report


def test_destroy_removes_everything(deployment: Deployment) -> None:
    deployment.narrow_to_campaign_scope()
    report = deployment.destroy()
    assert "Destroy complete!" in report
    aws = deployment.aws

    functions = aws.client("lambda").list_functions()["Functions"]
    assert [f["FunctionName"] for f in functions if f["FunctionName"].startswith("tc-")] == []
    roles = aws.client("iam").list_roles()["Roles"]
    assert [r["RoleName"] for r in roles if r["RoleName"].startswith("tc-")] == []
    groups = aws.client("logs").describe_log_groups()["logGroups"]
    assert [g["logGroupName"] for g in groups if "tc-" in g["logGroupName"]] == []
    assert aws.client("apigatewayv2").get_apis()["Items"] == []
    assert aws.client("pinpoint").get_apps()["ApplicationsResponse"]["Item"] == []
    assert aws.campaigns() == []
    assert aws.segments() == []
    stacks = aws.client("cloudformation").list_stacks()["StackSummaries"]
    assert {s["StackName"] for s in stacks} == {
        f"tc-{name}-campaign" for name in CAMPAIGN_INSTANCES
    }
    assert {s["StackStatus"] for s in stacks} == {"DELETE_COMPLETE"}
    secrets = aws.client("secretsmanager").list_secrets(IncludePlannedDeletion=True)
    # The receiver's path secret is gone (recovery window 0); the user's own secret stays.
    assert [s["ARN"] for s in secrets["SecretList"]] == [deployment.provider_secret_arn]
    assert aws.client("sqs").list_queues().get("QueueUrls", []) == []
    tables = aws.client("dynamodb").list_tables()["TableNames"]
    assert [t for t in tables if t.startswith("tc-")] == []
    assert aws.client("cloudwatch").describe_alarms()["MetricAlarms"] == []
    # The user's SNS topic stays.
    topics = aws.client("sns").list_topics()["Topics"]
    assert [t["TopicArn"] for t in topics] == [deployment.alarm_topic_arn]
