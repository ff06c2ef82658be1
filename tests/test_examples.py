"""Every example under examples/ initialised, validated, applied and destroyed on the local AWS.

The example files stay what a user applies to a real account. Only the copy in a temporary
directory changes: its module source points at this repository, and an override file
(`local_aws_override.tf`) merges the provider block of `LocalAws.provider_block()` into the
example's own `provider "aws"`, so every call goes to the local AWS (moto on 127.0.0.1).

The examples are independent root modules, so they run side by side: one thread each (its
own directory, and so its own .terraform data directory and state), one shared local AWS
(their resource names differ). A thread runs its whole story (init, validate, apply, checks
in the local AWS, a second apply where the example has one, destroy, checks again) and keeps
the first failure; each example's test then reports that failure on its own.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
import pytest
from botocore.exceptions import ClientError

from custom_channel.failures import FailedDelivery
from emulator.connect_driver import (
    CampaignContext,
    ConnectRun,
    SandboxInvoker,
    registered_function,
    run_connect,
    run_id,
)
from emulator.local_aws import LocalAws, create_segment
from emulator.provider_server import ProviderServer, TwilioMessages
from tests.leakcheck import leaks
from tools.terraform_root import (
    LOCAL_AWS_OVERRIDE,
    MODULE_SOURCE,
    TerraformError,
    TerraformRoot,
    copy_example,
    point_at,
)
from tools.terraformrc import write_config

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "examples"
PACKAGE = ROOT / "handler" / "dist" / "custom-channel.zip"  # what the examples deploy
EXAMPLE_FILES = (
    "main.tf",
    "variables.tf",
    "outputs.tf",
    "versions.tf",
    "README.md",
    "terraform.tfvars.example",
)

REGION = "us-east-1"
ACCOUNT = "123456789012"
PINPOINT = f"pinpoint.{REGION}.amazonaws.com"
MOBILETARGETING = f"arn:aws:mobiletargeting:{REGION}:{ACCOUNT}"

# Local provider stand-in: the one case where the examples accept http://.
LOCAL_PROVIDER_URL = "http://127.0.0.1:8080/v1/messages"
WEBHOOK_URL = "https://hooks.example.com/pinpoint/Xk2v9Qp7Lm4Rt8"
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "fedcba9876543210" * 2
TWILIO_FROM = "+15555550100"
# Any well-formed instance ARN: the local AWS does not look the instance up. In another
# account than the function's, as Connect allows.
CONNECT_ACCOUNT = "210987654321"
CONNECT_INSTANCE_ID = "0f1e2d3c-4b5a-4697-8877-665544332211"
CONNECT_INSTANCE_ARN = f"arn:aws:connect:{REGION}:{CONNECT_ACCOUNT}:instance/{CONNECT_INSTANCE_ID}"
CONNECT_TEMPLATE = (
    '{"to": "{{Address}}", "text": "Hi {{FirstName | there}}, your order is on its way."}'
)

# One thread per example: their CloudFormation waits (about 10 s per stack operation)
# overlap, and the CPU, which bounds this file (provider start-ups), stays busy.
WORKERS = 7

_client_lock = threading.Lock()


################################################################################
# Running one example
################################################################################


@dataclass
class ExampleRun:
    """One example's copy, its variables, and what happened to it."""

    name: str
    aws: LocalAws
    root: TerraformRoot
    facts: dict[str, Any] = field(default_factory=dict)
    stage: str = "not started"
    timeline: list[tuple[str, float]] = field(default_factory=list)
    seconds: float = 0.0
    error: BaseException | None = None
    detail: str = ""

    def client(self, service: str) -> Any:
        # boto3's default session is not thread safe while it creates clients.
        with _client_lock:
            return self.aws.client(service)

    def enter(self, stage: str) -> None:
        """Mark the start of a stage (kept with its start time, for failures and timings)."""
        self.stage = stage
        self.timeline.append((stage, time.monotonic()))

    def apply(self, stage: str = "apply") -> dict[str, Any]:
        self.enter(stage)
        self.root.apply()
        return self.root.outputs()


def run_example(run: ExampleRun, scenario: Callable[[ExampleRun], None]) -> ExampleRun:
    started = time.monotonic()
    try:
        run.enter("init")
        run.root.init()
        run.enter("validate")
        run.facts["validate"] = run.root.validate()
        # Only now, after validating the user's configuration: send the provider to moto.
        point_at(run.root, run.aws.provider_block())
        scenario(run)
        run.stage = "done"
    except BaseException as error:  # reported by the example's own test
        run.error = error
        run.detail = traceback.format_exc()
        # Clean up only what went to the local AWS (never without the override file).
        if (run.root.directory / LOCAL_AWS_OVERRIDE).is_file():
            try:
                run.root.destroy()
            except TerraformError as cleanup:
                run.detail += f"\n(cleanup destroy failed too: {cleanup})"
    run.timeline.append(("end", time.monotonic()))
    run.seconds = time.monotonic() - started
    return run


def timings(run: ExampleRun) -> str:
    """`name total: stage seconds, ...` from the run's timeline."""
    ends = [start for _, start in run.timeline[1:]]
    stages = [
        f"{stage} {end - start:.0f}"
        for (stage, start), end in zip(run.timeline[:-1], ends, strict=True)
    ]
    return f"{run.name} {run.seconds:.0f} s: {', '.join(stages)}"


################################################################################
# Helpers reading the local AWS
################################################################################


def missing(call: Callable[..., Any], code: str, **kwargs: Any) -> bool:
    """True when the call fails with the AWS error `code` (the resource does not exist)."""
    try:
        call(**kwargs)
    except ClientError as error:
        return bool(error.response["Error"]["Code"] == code)
    return False


def only_campaign(run: ExampleRun, app_id: str) -> dict[str, Any]:
    (campaign,) = run.aws.campaigns(app_id)
    stored = run.client("pinpoint").get_campaign(ApplicationId=app_id, CampaignId=campaign["Id"])
    assert stored["CampaignResponse"] == campaign
    return campaign


def function_variables(run: ExampleRun, function_name: str) -> dict[str, str]:
    config = run.client("lambda").get_function_configuration(FunctionName=function_name)
    return dict(config["Environment"]["Variables"])


def pinpoint_statement(run: ExampleRun, function_name: str) -> dict[str, Any]:
    policy = json.loads(run.client("lambda").get_policy(FunctionName=function_name)["Policy"])
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": PINPOINT}
    assert statement["Action"] == "lambda:InvokeFunction"
    return dict(statement)


def secret_json(run: ExampleRun, secret_arn: str) -> Any:
    value = run.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    return json.loads(value)


def secret_gone(run: ExampleRun, secret_arn: str) -> bool:
    secrets = run.client("secretsmanager").list_secrets(IncludePlannedDeletion=True)
    return secret_arn not in {s["ARN"] for s in secrets["SecretList"]}


def stack_deleted(run: ExampleRun, stack_name: str) -> bool:
    stacks = run.client("cloudformation").list_stacks()["StackSummaries"]
    return {s["StackStatus"] for s in stacks if s["StackName"] == stack_name} == {"DELETE_COMPLETE"}


def assert_function_gone(run: ExampleRun, name: str) -> None:
    lam, iam = run.client("lambda"), run.client("iam")
    assert missing(lam.get_function, "ResourceNotFoundException", FunctionName=name)
    assert missing(iam.get_role, "NoSuchEntity", RoleName=name)
    groups = run.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{name}")
    assert groups["logGroups"] == []


def assert_app_gone(run: ExampleRun, app_id: str) -> None:
    assert missing(run.client("pinpoint").get_app, "NotFoundException", ApplicationId=app_id)
    assert run.aws.campaigns(app_id) == []


################################################################################
# The scenarios: what each example must have created, and removed
################################################################################


def lambda_channel(run: ExampleRun) -> None:
    out = run.apply()
    function = "ex-lambda-channel"
    assert out["lambda_function_name"] == function
    app_id = out["pinpoint_application_id"]
    secret_arn = out["provider_secret_arn"]

    variables = function_variables(run, function)
    assert variables == out["lambda_function_environment"]
    assert variables["CHANNEL_ADAPTER"] == "http"
    assert variables["CHANNEL_HTTP_URL"] == LOCAL_PROVIDER_URL
    assert variables["CHANNEL_HTTP_BODY_TEMPLATE"] == "{{Data}}"
    assert variables["CHANNEL_HTTP_BODY_ENCODING"] == "plain"
    assert json.loads(variables["CHANNEL_HTTP_HEADERS"]) == {
        "Authorization": "Bearer {{Secret.api_key}}",
        "Content-Type": "application/json; charset=utf-8",
    }
    assert variables["CHANNEL_SECRET_ID"] == secret_arn
    # Idempotent delivery is the module's default.
    assert variables["CHANNEL_IDEMPOTENCY_TABLE"] == "ex-lambda-channel-deliveries"
    table = run.client("dynamodb").describe_table(TableName="ex-lambda-channel-deliveries")
    assert table["Table"]["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "test-api-key" not in json.dumps(variables)
    assert secret_json(run, secret_arn) == {"api_key": "test-api-key"}

    queue_url = out["failure_queue_url"]
    assert variables["CHANNEL_FAILURE_QUEUE_URL"] == queue_url
    queue = run.client("sqs").get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])
    assert queue["Attributes"]["SqsManagedSseEnabled"] == "true"
    alarms = run.client("cloudwatch").describe_alarms(AlarmNamePrefix=function)["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in alarms) == sorted(
        out["cloudwatch_metric_alarm_names"].values()
    )
    # The example has a failure queue: its depth and oldest message are watched too.
    assert {a["MetricName"] for a in alarms} == {
        "FailedCount",
        "UnknownCount",
        "Errors",
        "Throttles",
        "ApproximateNumberOfMessagesVisible",
        "ApproximateAgeOfOldestMessage",
    }

    campaign = only_campaign(run, app_id)
    function_arn = out["lambda_function_arn"]
    assert campaign["CustomDeliveryConfiguration"] == {
        "DeliveryUri": function_arn,
        "EndpointTypes": ["CUSTOM"],
    }
    assert campaign["IsPaused"] is True
    assert campaign["State"] == {"CampaignStatus": "PAUSED"}
    data = campaign["MessageConfiguration"]["CustomMessage"]["Data"]
    assert json.loads(data)["text"].startswith("Hi {{Attributes.FirstName | there}}")

    definition = json.loads(out["pinpoint_campaign_definition_json"])
    assert definition["campaign_id"] == campaign["Id"] == out["pinpoint_campaign_id"]
    assert definition["delivery_uri"] == function_arn
    assert definition["data"] == data
    assert definition["is_paused"] is True
    assert pinpoint_statement(run, function)["Condition"] == {
        "ArnLike": {"AWS:SourceArn": f"{MOBILETARGETING}:apps/{app_id}/*"},
        "StringEquals": {"AWS:SourceAccount": ACCOUNT},
    }

    run.enter("destroy")
    run.root.destroy(refresh=False)
    assert_function_gone(run, function)
    assert_app_gone(run, app_id)
    assert secret_gone(run, secret_arn)
    assert stack_deleted(run, "ex-lambda-channel-campaign")
    assert run.client("sqs").list_queues(QueueNamePrefix=function).get("QueueUrls", []) == []
    assert function + "-deliveries" not in run.client("dynamodb").list_tables()["TableNames"]
    assert run.client("cloudwatch").describe_alarms(AlarmNamePrefix=function)["MetricAlarms"] == []

    # http:// is for the loopback address only: any other host is refused at plan time.
    run.enter("plan with a public http:// URL")
    run.root.variables["provider_url"] = "http://api.example.com/v1/messages"
    with pytest.raises(TerraformError) as refused:
        run.root.plan()
    message = " ".join(str(refused.value).split())  # Terraform wraps its diagnostics
    assert "http:// is allowed only for 127.0.0.1 or localhost" in message


def webhook_receiver(run: ExampleRun) -> None:
    out = run.apply()
    function = "ex-webhook-receiver"
    app_id = out["pinpoint_application_id"]
    url = out["webhook_receiver_url"]
    path_secret = run.client("secretsmanager").get_secret_value(
        SecretId=out["webhook_receiver_secret_arn"]
    )["SecretString"]
    assert url == f"{out['webhook_receiver_api_endpoint']}/{path_secret}"
    assert re.fullmatch(r"https://[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com/\w{48}", url)

    config = run.client("lambda").get_function_configuration(FunctionName=function)
    assert config["Handler"] == "custom_channel.receiver.lambda_handler"
    assert config["Environment"]["Variables"]["CHANNEL_ADAPTER"] == "none"
    api_id = out["webhook_receiver_api_endpoint"].split("//")[1].split(".")[0]
    (route,) = run.client("apigatewayv2").get_routes(ApiId=api_id)["Items"]
    assert route["RouteKey"] == f"ANY /{path_secret}"  # any other path: API Gateway's 404

    campaign = only_campaign(run, app_id)
    assert campaign["CustomDeliveryConfiguration"] == {
        "DeliveryUri": url,
        "EndpointTypes": ["CUSTOM"],
    }
    assert campaign["IsPaused"] is True
    assert json.loads(out["pinpoint_campaign_definition_json"])["delivery_uri"] == url

    run.enter("destroy")
    run.root.destroy(refresh=False)
    assert_function_gone(run, function)
    assert_app_gone(run, app_id)
    assert secret_gone(run, out["webhook_receiver_secret_arn"])
    assert stack_deleted(run, "ex-webhook-receiver-campaign")


def external_webhook(run: ExampleRun) -> None:
    out = run.apply()
    app_id = out["pinpoint_application_id"]
    assert "lambda_function_name" not in out  # the example has no function to show
    assert_function_gone(run, "ex-external-webhook")
    functions = run.client("lambda").list_functions()["Functions"]
    assert [f for f in functions if f["FunctionName"].startswith("ex-external")] == []

    campaign = only_campaign(run, app_id)
    assert campaign["CustomDeliveryConfiguration"] == {
        "DeliveryUri": WEBHOOK_URL,
        "EndpointTypes": ["CUSTOM"],
    }
    assert campaign["IsPaused"] is True
    assert campaign["Id"] == out["pinpoint_campaign_id"]

    run.enter("destroy")
    run.root.destroy(refresh=False)
    assert_app_gone(run, app_id)
    assert stack_deleted(run, "ex-external-webhook-campaign")


def ab_test_existing_app(run: ExampleRun) -> None:
    app_id = run.root.variables["application_id"]
    segment_id = run.root.variables["segment_id"]
    function = "ex-ab-test"

    # permission_scope = "campaign" (the example's default) from the first apply.
    out = run.apply()
    campaign_id = out["pinpoint_campaign_id"]
    campaign = only_campaign(run, app_id)
    assert campaign["Id"] == campaign_id
    assert campaign["SegmentId"] == segment_id
    assert campaign["HoldoutPercent"] == 10
    assert campaign["IsPaused"] is True
    assert campaign["TreatmentName"] == "A"
    function_arn = out["lambda_function_arn"]
    delivery = {"DeliveryUri": function_arn, "EndpointTypes": ["CUSTOM"]}
    assert campaign["CustomDeliveryConfiguration"] == delivery
    treatments = campaign["AdditionalTreatments"]
    assert [(t["Id"], t["TreatmentName"], t["SizePercent"]) for t in treatments] == [
        ("1", "B", 30),
        ("2", "C", 30),
    ]
    for treatment, variant in zip(treatments, ("B", "C"), strict=True):
        assert treatment["CustomDeliveryConfiguration"] == delivery
        data = json.loads(treatment["MessageConfiguration"]["CustomMessage"]["Data"])
        assert data["variant"] == variant
    definition = json.loads(out["pinpoint_campaign_definition_json"])
    assert [t["size_percent"] for t in definition["treatments"]] == [30, 30, 30]
    assert run.aws.segments(app_id) == [s for s in run.aws.segments() if s["Id"] == segment_id]

    application_arn = f"{MOBILETARGETING}:apps/{app_id}/*"
    assert out["lambda_permission_source_arn"] == application_arn
    assert pinpoint_statement(run, function)["Condition"] == {
        "ArnLike": {"AWS:SourceArn": application_arn},
        "StringEquals": {"AWS:SourceAccount": ACCOUNT},
    }

    # The second apply of the same configuration narrows the permission to the campaign.
    out = run.apply("second apply, the same configuration")
    campaign_arn = f"{MOBILETARGETING}:apps/{app_id}/campaigns/{campaign_id}"
    assert out["lambda_permission_source_arn"] == campaign_arn
    assert pinpoint_statement(run, function)["Condition"] == {
        "ArnLike": {"AWS:SourceArn": campaign_arn},
        "StringEquals": {"AWS:SourceAccount": ACCOUNT},
    }
    assert only_campaign(run, app_id)["Version"] == 1  # the campaign itself did not change

    run.enter("destroy")
    run.root.destroy(refresh=False)
    assert_function_gone(run, function)
    assert run.aws.campaigns(app_id) == []
    assert stack_deleted(run, "ex-ab-test-campaign")
    # The application and the segment were the user's: they stay.
    assert run.client("pinpoint").get_app(ApplicationId=app_id)["ApplicationResponse"]["Id"]
    assert [s["Id"] for s in run.aws.segments(app_id)] == [segment_id]


def twilio_sms(run: ExampleRun) -> None:
    out = run.apply()
    function = "ex-twilio-sms"
    app_id = out["pinpoint_application_id"]
    secret_arn = out["twilio_secret_arn"]

    variables = function_variables(run, function)
    assert variables["CHANNEL_ADAPTER"] == "twilio"
    assert variables["CHANNEL_TWILIO_FROM"] == TWILIO_FROM
    assert variables["CHANNEL_TWILIO_ALLOWED_COUNTRY_CODES"] == "1"  # the module's default
    assert variables["CHANNEL_SECRET_ID"] == secret_arn
    assert TWILIO_TOKEN not in json.dumps(variables)
    assert secret_json(run, secret_arn) == {"account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN}

    campaign = only_campaign(run, app_id)
    assert campaign["CustomDeliveryConfiguration"] == {
        "DeliveryUri": out["lambda_function_arn"],
        "EndpointTypes": ["SMS"],
    }
    assert campaign["Limits"] == {"MessagesPerSecond": 10}
    assert campaign["IsPaused"] is True
    assert campaign["MessageConfiguration"]["CustomMessage"]["Data"].startswith(
        "Hi {{Attributes.FirstName | there}}"
    )
    (segment,) = run.aws.segments(app_id)
    assert segment["Id"] == campaign["SegmentId"] == out["pinpoint_segment_id"]
    assert segment["Dimensions"] == {
        "Demographic": {"Channel": {"DimensionType": "INCLUSIVE", "Values": ["SMS"]}}
    }

    run.enter("destroy")
    run.root.destroy(refresh=False)
    assert_function_gone(run, function)
    assert_app_gone(run, app_id)
    assert secret_gone(run, secret_arn)
    assert stack_deleted(run, "ex-twilio-sms-campaign")


def connect_custom_action(run: ExampleRun) -> None:
    out = run.apply()
    function = "ex-connect-action"
    assert out["lambda_function_name"] == function
    function_arn = out["lambda_function_arn"]
    secret_arn = out["provider_secret_arn"]

    variables = function_variables(run, function)
    assert variables == out["lambda_function_environment"]
    assert variables["CHANNEL_EVENT_SOURCE"] == "connect"
    assert variables["CHANNEL_MESSAGE_TEMPLATE"] == CONNECT_TEMPLATE
    assert "CHANNEL_MESSAGE_TEMPLATES" not in variables
    assert variables["CHANNEL_DEADLINE_SECONDS"] == "30"
    assert variables["CHANNEL_ADAPTER"] == "http"
    assert variables["CHANNEL_HTTP_URL"] == LOCAL_PROVIDER_URL
    assert variables["CHANNEL_SECRET_ID"] == secret_arn
    assert variables["CHANNEL_IDEMPOTENCY_TABLE"] == "ex-connect-action-deliveries"
    assert variables["CHANNEL_FAILURE_QUEUE_URL"] == out["failure_queue_url"]
    assert "test-api-key" not in json.dumps(variables)
    config = run.client("lambda").get_function_configuration(FunctionName=function)
    assert config["Timeout"] == 30

    # Connect's outbound campaigns may invoke it, for this instance and its account only;
    # journeys' custom actions (connect.amazonaws.com) for its account (docs/connect.md).
    policy = json.loads(run.client("lambda").get_policy(FunctionName=function)["Policy"])
    by_principal = {s["Principal"]["Service"]: s for s in policy["Statement"]}
    assert set(by_principal) == {"connect-campaigns.amazonaws.com", "connect.amazonaws.com"}
    campaigns = by_principal["connect-campaigns.amazonaws.com"]
    assert campaigns["Action"] == "lambda:InvokeFunction"
    assert campaigns["Condition"] == {
        "ArnLike": {"AWS:SourceArn": CONNECT_INSTANCE_ARN},
        "StringEquals": {"AWS:SourceAccount": CONNECT_ACCOUNT},
    }
    assert campaigns["Sid"] == out["lambda_permission_statement_ids"]["connect"]
    journeys = by_principal["connect.amazonaws.com"]
    assert journeys["Action"] == "lambda:InvokeFunction"
    assert journeys["Condition"] == {"StringEquals": {"AWS:SourceAccount": CONNECT_ACCOUNT}}
    assert journeys["Sid"] == out["lambda_permission_statement_ids"]["connect_journeys"]

    # Nothing of Pinpoint.
    apps = run.client("pinpoint").get_apps()["ApplicationsResponse"].get("Item", [])
    assert function not in {app["Name"] for app in apps}
    stacks = run.client("cloudformation").list_stacks()["StackSummaries"]
    assert [s for s in stacks if s["StackName"].startswith(function)] == []

    # The AWS CLI's commands, in the instance's region (register_with_instance is off here).
    instance = f"--region {REGION} --connect-instance-id {CONNECT_INSTANCE_ID}"
    config = json.dumps({"lambda": {"functionArn": function_arn}}, separators=(",", ":"))
    assert out["connect_register_command"] == (
        f"aws connectcampaignsv2 put-connect-instance-integration {instance}"
        f" --integration-config '{config}'"
    )
    assert out["connect_unregister_command"] == (
        f"aws connectcampaignsv2 delete-connect-instance-integration {instance}"
        f" --integration-identifier '{config}'"
    )

    # The delivery alarms watch this deployment's own series (Channel=<name>).
    assert variables["CHANNEL_NAME"] == function
    alarms = run.client("cloudwatch").describe_alarms(AlarmNamePrefix=function)["MetricAlarms"]
    watched = {a["Namespace"]: {} for a in alarms}
    for alarm in alarms:
        watched[alarm["Namespace"]][alarm["MetricName"]] = alarm["Dimensions"]
    assert watched.pop("AWS/Lambda") == {
        "Errors": [{"Name": "FunctionName", "Value": function}],
        "Throttles": [{"Name": "FunctionName", "Value": function}],
    }
    # The example's failure queue: its depth and its oldest message.
    queue = [{"Name": "QueueName", "Value": f"{function}-failures"}]
    assert watched.pop("AWS/SQS") == {
        "ApproximateNumberOfMessagesVisible": queue,
        "ApproximateAgeOfOldestMessage": queue,
    }
    assert list(watched.values()) == [
        {
            "FailedCount": [{"Name": "Channel", "Value": function}],
            "UnknownCount": [{"Name": "Channel", "Value": function}],
        }
    ]

    run.enter("destroy")
    run.root.destroy(refresh=False)
    assert_function_gone(run, function)
    assert secret_gone(run, secret_arn)
    assert run.client("sqs").list_queues(QueueNamePrefix=function).get("QueueUrls", []) == []
    assert function + "-deliveries" not in run.client("dynamodb").list_tables()["TableNames"]
    assert run.client("cloudwatch").describe_alarms(AlarmNamePrefix=function)["MetricAlarms"] == []


SMS_LABEL = "Order Shipped"  # the Custom action block's label, as typed in the journey
SMS_TEMPLATE = {
    "sms": {
        "body": {
            "plainText": {
                "content": "Hi {{Attributes.Customer.FirstName}}, your order has shipped."
            }
        }
    }
}


def connect_twilio_sms(run: ExampleRun) -> None:
    """Connect custom action -> Twilio SMS: the template authored in Connect, the ledger, the
    failure queue, alarms that notify a topic, and the registration with the instance, made
    on apply and undone on destroy (the AWS CLI, run by Terraform, against the local AWS)."""
    instance_id = run.root.variables["connect_instance_arn"].rsplit("/", 1)[1]
    integrations = run.client("connectcampaignsv2").list_connect_instance_integrations
    out = run.apply()
    function = "ex-connect-sms"
    variables = function_variables(run, function)
    assert variables["CHANNEL_EVENT_SOURCE"] == "connect"
    assert variables["CHANNEL_ADAPTER"] == "twilio"
    assert variables["CHANNEL_TWILIO_FROM"] == TWILIO_FROM
    assert variables["CHANNEL_CONNECT_KNOWLEDGE_BASE_ID"] == run.root.variables["knowledge_base_id"]
    assert (
        json.loads(variables["CHANNEL_CONNECT_TEMPLATE_IDS"]) == run.root.variables["template_ids"]
    )
    assert variables["CHANNEL_IDEMPOTENCY_TABLE"] == out["idempotency_table_name"]
    assert variables["CHANNEL_FAILURE_QUEUE_URL"] == out["failure_queue_url"]
    assert TWILIO_TOKEN not in json.dumps(variables)
    # Registered with the instance by the apply: the function's ARN is its integration.
    registered = integrations(connectInstanceId=instance_id)["integrationSummaryList"]
    assert [entry["lambda"]["functionArn"] for entry in registered] == [out["lambda_function_arn"]]
    # Every alarm notifies the example's topic.
    alarms = run.client("cloudwatch").describe_alarms(AlarmNamePrefix=function)["MetricAlarms"]
    assert {alarm["AlarmName"] for alarm in alarms} == set(
        out["cloudwatch_metric_alarm_names"].values()
    )
    assert {tuple(alarm["AlarmActions"]) for alarm in alarms} == {(out["alarm_topic_arn"],)}

    connect_sms_batch(run, out, instance_id)

    run.enter("destroy")
    run.root.destroy(refresh=False)
    assert integrations(connectInstanceId=instance_id)["integrationSummaryList"] == []
    assert_function_gone(run, function)
    assert secret_gone(run, out["twilio_secret_arn"])
    assert run.client("cloudwatch").describe_alarms(AlarmNamePrefix=function)["MetricAlarms"] == []


# A batch as Connect sends it (tests/fixtures/connect_real_event.json's shape: CustomerData in
# camelCase with a lower-case `attributes`; one profile in Customer Profiles' PascalCase), one
# expected outcome per profile.
SMS_CAMPAIGN = CampaignContext(
    campaign_id="7c1e9a52-3b4d-4f60-8e2a-9d5c7b3f1a04",
    run_id="",  # <CampaignId>#<start>, when the batch runs
    action_id=SMS_LABEL,
    campaign_name="order-updates",
)
SMS_PROFILES: dict[str, dict[str, Any] | str] = {
    "0b3f6a9d2c5e4f718a2b3c4d5e6f7a8b": {
        "profileId": "0b3f6a9d2c5e4f718a2b3c4d5e6f7a8b",
        "firstName": "Amelia",
        "lastName": "Hartwell",
        "emailAddress": "amelia.hartwell@example.com",
        "phoneNumber": "+12065550141",
        "address": {"city": "Seattle", "province": "WA", "country": "US", "postalCode": "98101"},
        "attributes": {"plan": "basic", "locale": "en_US"},
    },
    "1c4a7b0e3d6f4a829b3c4d5e6f7a8b9c": {
        "ProfileId": "1c4a7b0e3d6f4a829b3c4d5e6f7a8b9c",
        "FirstName": "Bruno",
        "LastName": "Castellanos",
        "PhoneNumber": "+13125550177",
        "Attributes": {"plan": "premium"},
    },
    "2d5b8c1f4e7a4b93ac4d5e6f7a8b9cad": {  # opted out: nothing sent, nothing queued
        "profileId": "2d5b8c1f4e7a4b93ac4d5e6f7a8b9cad",
        "firstName": "Chiara",
        "phoneNumber": "+14155550123",
        "attributes": {"plan": "basic", "OptOut": "true"},
    },
    "3e6c9d205f8b4ca4bd5e6f7a8b9cadbe": {  # Twilio refuses the number: failed, queued
        "profileId": "3e6c9d205f8b4ca4bd5e6f7a8b9cadbe",
        "firstName": "Dariusz",
        "phoneNumber": "+16175550199",
        "attributes": {"plan": "basic"},
    },
    "4f7dae316a9c4db5ce6f7a8b9cadbecf": {  # no address at all: failed, queued, nothing sent
        "profileId": "4f7dae316a9c4db5ce6f7a8b9cadbecf",
        "attributes": {"plan": "basic", "locale": "en_US"},
    },
}
SMS_REFUSED = "+16175550199"
SMS_EXPECTED = {
    "0b3f6a9d2c5e4f718a2b3c4d5e6f7a8b": ("delivered", None),
    "1c4a7b0e3d6f4a829b3c4d5e6f7a8b9c": ("delivered", None),
    "2d5b8c1f4e7a4b93ac4d5e6f7a8b9cad": ("skipped", "opted out"),
    "3e6c9d205f8b4ca4bd5e6f7a8b9cadbe": ("failed", "twilio http 400 error 21211"),
    "4f7dae316a9c4db5ce6f7a8b9cadbecf": (
        "failed",
        "invalid endpoint: CustomerData has none of CHANNEL_CONNECT_ADDRESS_FIELDS",
    ),
}
SMS_TEXT = "your order has shipped."  # the template's text, in every message


def outcomes(result: ConnectRun) -> dict[str, tuple[str, str | None]]:
    """ProfileId -> (ResultData.status, ResultData.reason) as the function answered."""
    return {
        profile: (str(data.get("status")), data.get("reason"))
        for profile, data in result.results.items()
    }


def ledger_key(context: CampaignContext, profile_id: str) -> str:
    """A Connect delivery's record key: one recipient of one run of one custom action block,
    whatever the IdempotencyToken (handler/custom_channel/sources/connect.py,
    idempotency_parts; channel.idempotency_key hashes them)."""
    parts = ("connect", context.campaign_id, context.run_id, context.action_id, profile_id)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def connect_sms_batch(run: ExampleRun, out: dict[str, Any], instance_id: str) -> None:
    """The deployed example at work: a batch of customer profiles as Connect sends it, through
    the function registered with the instance (its code and settings as deployed, in the
    runner's sandbox; only its Twilio API base sent to a local Twilio-shaped server), then the
    same batch again as Connect sends a batch it retries (same RunId, new IdempotencyTokens).
    Decided on what happened (answers, requests, records, messages), not on timing."""
    run.enter("Connect batch")
    function_arn = registered_function(run.client("connectcampaignsv2"), instance_id)
    assert function_arn == out["lambda_function_arn"]
    context = dataclasses.replace(SMS_CAMPAIGN, run_id=run_id(SMS_CAMPAIGN.campaign_id))
    twilio = TwilioMessages(TWILIO_SID, TWILIO_TOKEN, refused=frozenset({SMS_REFUSED}))
    log_path = run.root.directory / "function-logs.jsonl"
    with ProviderServer(twilio) as provider, log_path.open("w", encoding="utf-8") as log:
        invoker = SandboxInvoker.deployed(
            run.client("lambda"),
            function_arn,
            PACKAGE,
            run.root.directory / "function-code",
            aws_env=run.aws.env,
            log=log,
            settings={"CHANNEL_TWILIO_API_BASE": provider.url},
        )
        try:
            first = run_connect(SMS_PROFILES, invoker, context)
            taken = list(twilio.messages)
            requests_first = len(provider.requests)
            again = run_connect(SMS_PROFILES, invoker, context)
        finally:
            invoker.close()
        requests_again = len(provider.requests) - requests_first

    # One answer per profile, Id = ProfileId, each with the outcome its profile calls for.
    # The retried batch is answered from the ledger for every profile a request was made for.
    retried = {
        **SMS_EXPECTED,
        "0b3f6a9d2c5e4f718a2b3c4d5e6f7a8b": ("delivered", "already delivered"),
        "1c4a7b0e3d6f4a829b3c4d5e6f7a8b9c": ("delivered", "already delivered"),
        "3e6c9d205f8b4ca4bd5e6f7a8b9cadbe": (
            "failed",
            "already failed: twilio http 400 error 21211",
        ),
    }
    for result, expected in ((first, SMS_EXPECTED), (again, retried)):
        assert result.ok, (result.invocation_errors, result.answer_errors, result.statuses)
        assert sorted(result.results) == sorted(SMS_PROFILES)
        assert outcomes(result) == expected, outcomes(result)
    # Twilio got one request per profile it could take or refuse, each exactly as the
    # Messages API wants it; the retried batch sent nothing again (the ledger answered).
    assert (requests_first, requests_again) == (3, 0), [r.path for r in provider.requests]
    taken.sort(key=lambda form: form["To"])
    assert taken == [
        {"To": "+12065550141", "From": TWILIO_FROM, "Body": f"Hi Amelia, {SMS_TEXT}"},
        {"To": "+13125550177", "From": TWILIO_FROM, "Body": f"Hi Bruno, {SMS_TEXT}"},
    ], taken
    # The ledger: a record for every profile a request was made for, none for the others.
    items = run.client("dynamodb").scan(TableName=out["idempotency_table_name"])["Items"]
    records = {item["pk"]["S"]: item["state"]["S"] for item in items}
    assert records == {
        ledger_key(context, "0b3f6a9d2c5e4f718a2b3c4d5e6f7a8b"): "delivered",
        ledger_key(context, "1c4a7b0e3d6f4a829b3c4d5e6f7a8b9c"): "delivered",
        ledger_key(context, "3e6c9d205f8b4ca4bd5e6f7a8b9cadbe"): "failed_final",
    }, records
    # The failure queue: the two failed profiles of each run (the skipped one never), each
    # signed with the Twilio secret and naming its run; nothing else.
    queued: list[FailedDelivery] = []
    sqs = run.client("sqs")
    while True:
        received = sqs.receive_message(
            QueueUrl=out["failure_queue_url"], MaxNumberOfMessages=10, VisibilityTimeout=300
        ).get("Messages", [])
        if not received:
            break
        secret = {"account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN}
        queued += [FailedDelivery.from_body(m["Body"], secret) for m in received]
    failed = [p for p, (status, _) in SMS_EXPECTED.items() if status == "failed"]
    assert sorted(d.endpoint_id for d in queued) == sorted(failed * 2), queued
    assert {(d.source, d.signed, d.outcome["status"]) for d in queued} == {
        ("connect", True, "failed")
    }, queued
    assert {d.context["InvocationMetadata"]["CampaignContext"]["RunId"] for d in queued} == {
        context.run_id
    }
    # The function logged each batch, and no address or message text.
    text = log_path.read_text(encoding="utf-8")
    assert '"event_source": "connect"' in text, text[-2000:]
    addresses = {
        value
        for profile in SMS_PROFILES.values()
        if isinstance(profile, dict)
        for key, value in profile.items()
        if key.lower() in {"phonenumber", "emailaddress"}
    }
    found = leaks(text.splitlines(), addresses | {SMS_TEXT})
    assert not found, found


# name -> (scenario, variables). The longest scenario first: it sets the file's run time.
SCENARIOS: dict[str, tuple[Callable[[ExampleRun], None], dict[str, Any]]] = {
    "ab-test-existing-app": (
        ab_test_existing_app,
        {
            "name": "ex-ab-test",
            "provider_url": LOCAL_PROVIDER_URL,
        },
    ),
    "lambda-channel": (
        lambda_channel,
        {
            "name": "ex-lambda-channel",
            "provider_url": LOCAL_PROVIDER_URL,
            "provider_api_key": "test-api-key",
            "secret_recovery_window_in_days": 0,
        },
    ),
    "webhook-receiver": (
        webhook_receiver,
        {"name": "ex-webhook-receiver", "path_secret_recovery_window_in_days": 0},
    ),
    "twilio-sms": (
        twilio_sms,
        {
            "name": "ex-twilio-sms",
            "twilio_account_sid": TWILIO_SID,
            "twilio_auth_token": TWILIO_TOKEN,
            "twilio_from": TWILIO_FROM,
            "secret_recovery_window_in_days": 0,
        },
    ),
    "external-webhook": (
        external_webhook,
        {"name": "ex-external-webhook", "webhook_url": WEBHOOK_URL},
    ),
    "connect-twilio-sms": (
        connect_twilio_sms,
        {
            "name": "ex-connect-sms",
            "twilio_account_sid": TWILIO_SID,
            "twilio_auth_token": TWILIO_TOKEN,
            "twilio_from": TWILIO_FROM,
            "register_with_instance": True,
            "secret_recovery_window_in_days": 0,
        },
    ),
    "connect-custom-action": (
        connect_custom_action,
        {
            "name": "ex-connect-action",
            "connect_instance_arn": CONNECT_INSTANCE_ARN,
            "provider_url": LOCAL_PROVIDER_URL,
            "provider_api_key": "test-api-key",
            "message_template": CONNECT_TEMPLATE,
            "secret_recovery_window_in_days": 0,
        },
    ),
}


@dataclass
class ExampleRuns:
    runs: dict[str, ExampleRun]
    seconds: float


@pytest.fixture(scope="module")
def example_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExampleRuns]:
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH: these tests apply the examples with Terraform")
    workdir = tmp_path_factory.mktemp("examples")
    with pytest.MonkeyPatch.context() as env, LocalAws(region=REGION) as aws:
        for name, value in aws.env.items():
            env.setenv(name, value)
        env.delenv("AWS_PROFILE", raising=False)
        env.setenv("TF_CLI_CONFIG_FILE", str(write_config(destination=workdir / "terraformrc")))
        env.setenv("TF_IN_AUTOMATION", "1")
        env.setenv("CHECKPOINT_DISABLE", "1")
        # CPU is what limits this file: every terraform command starts the AWS provider
        # several times, and its start-up is garbage-collector heavy. A lazier collector
        # saves about a third of that CPU for about 10 % more memory per process.
        env.setenv("GOGC", "400")

        # ab-test-existing-app brings its own application and segment, made outside Terraform.
        app_id = aws.client("pinpoint").create_app(CreateApplicationRequest={"Name": "existing"})[
            "ApplicationResponse"
        ]["Id"]
        segment_id = create_segment(app_id, "existing-customers", aws.account_id, aws.region)

        # connect-twilio-sms registers with an instance and reads a template authored in it.
        instance = aws.client("connect").create_instance(
            IdentityManagementType="CONNECT_MANAGED",
            InstanceAlias="ex-connect-sms",
            InboundCallsEnabled=False,
            OutboundCallsEnabled=True,
        )
        knowledge_base_id = str(uuid.uuid4())
        template_id = aws.put_message_template(knowledge_base_id, SMS_LABEL, "SMS", SMS_TEMPLATE)

        runs: dict[str, ExampleRun] = {}
        for name, (_, variables) in SCENARIOS.items():
            values = dict(variables)
            if name == "ab-test-existing-app":
                values |= {"application_id": app_id, "segment_id": segment_id}
            if name == "connect-twilio-sms":
                values |= {
                    "connect_instance_arn": instance["Arn"],
                    "knowledge_base_id": knowledge_base_id,
                    "template_ids": {SMS_LABEL: template_id},
                }
            root = TerraformRoot(
                copy_example(EXAMPLES_DIR / name, workdir / name), variables=values
            )
            runs[name] = ExampleRun(name, aws, root)

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="example") as pool:
            futures = [
                pool.submit(run_example, runs[name], scenario)
                for name, (scenario, _) in SCENARIOS.items()
            ]
            for future in futures:
                future.result()
        yield ExampleRuns(runs, time.monotonic() - started)
        # The examples destroyed their own resources; forget the application and segment made
        # for ab-test-existing-app too (moto's state outlives this LocalAws in the process).
        aws.reset()


################################################################################
# Tests
################################################################################


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_example_applies_and_destroys(example_runs: ExampleRuns, name: str) -> None:
    run = example_runs.runs[name]
    if run.error is not None:
        raise AssertionError(
            f"{name}: failed at stage {run.stage!r} after {run.seconds:.0f} s\n{run.detail}"
        ) from run.error
    assert run.stage == "done"
    assert "The configuration is valid" in run.facts["validate"]


def test_examples_ran_side_by_side(example_runs: ExampleRuns) -> None:
    """The examples overlapped in time (the file's run time rests on it); timings with -s."""
    report = "\n".join(timings(run) for run in example_runs.runs.values())
    print(f"examples applied side by side in {example_runs.seconds:.0f} s\n{report}")
    starts = [run.timeline[0][1] for run in example_runs.runs.values()]
    ends = [run.timeline[-1][1] for run in example_runs.runs.values()]
    assert max(starts) < min(ends), f"the examples ran one after another:\n{report}"


def test_every_example_is_tested_and_complete() -> None:
    examples = {p.name for p in EXAMPLES_DIR.iterdir() if p.is_dir()}
    assert examples == set(SCENARIOS)
    for name in examples:
        directory = EXAMPLES_DIR / name
        for file_name in EXAMPLE_FILES:
            assert (directory / file_name).is_file(), f"{name}/{file_name} is missing"
        main = (directory / "main.tf").read_text("utf-8")
        # What a user applies: the provider takes only the region, the module is this repo.
        provider = re.search(r'provider "aws" \{(.*?)\n\}', main, re.DOTALL)
        assert provider is not None, name
        assert provider.group(1).split() == ["region", "=", "var.region"], name
        assert len(MODULE_SOURCE.findall(main)) == 1, name
        readme = (directory / "README.md").read_text("utf-8")
        assert "2026-10-30" in readme, f"{name}/README.md lacks the end-of-support note"
        assert "terraform destroy" in readme, name


# The README's configuration steps, checked without applying: what it tells the user to export. Terraform gives terraform.tfvars
# precedence over TF_VAR_ environment variables ("Variable Definition Precedence" in
# Terraform's input-variables documentation), so such a variable must not also be set in the
# terraform.tfvars.example the README says to copy: its placeholder would be deployed.
README_EXPORT = re.compile(r"^\s*export\s+TF_VAR_(\w+)=", re.MULTILINE)


def exported_variables(readme: str) -> set[str]:
    return set(README_EXPORT.findall(readme))


def tfvars_assignments(tfvars: str) -> set[str]:
    """The variables a tfvars file sets, as Terraform parses it (comments set nothing)."""
    return set(hcl2.loads(tfvars))


def variable_blocks(directory: Path) -> dict[str, dict[str, Any]]:
    variables = hcl2.loads((directory / "variables.tf").read_text("utf-8"))["variable"]
    return {name: body for block in variables for name, body in block.items()}


def declared_variables(directory: Path) -> set[str]:
    return set(variable_blocks(directory))


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_readme_steps_configure_the_example(name: str) -> None:
    directory = EXAMPLES_DIR / name
    readme = (directory / "README.md").read_text("utf-8")
    tfvars = (directory / "terraform.tfvars.example").read_text("utf-8")
    exported = exported_variables(readme)
    declared = declared_variables(directory)
    assert exported <= declared, f"{name}/README.md exports undeclared {exported - declared}"
    overriding = exported & tfvars_assignments(tfvars)
    assert not overriding, (
        f"{name}/terraform.tfvars.example sets {sorted(overriding)}, which the README says to "
        "export as TF_VAR_: terraform.tfvars takes precedence, so its placeholder would deploy"
    )
    # Every value the file sets (or shows commented out) is one of the example's variables.
    shown = set(re.findall(r"^#?\s*(\w+)\s*=", tfvars, re.MULTILINE))
    assert shown <= declared, f"{name}/terraform.tfvars.example names unknown {shown - declared}"
    # The README's steps (copy the file, export the sensitive ones) give every variable without
    # a default its value: none is left for Terraform to prompt for.
    copies = re.search(
        r"cp terraform\.tfvars\.example terraform\.tfvars"
        r"|Copy `terraform\.tfvars\.example` to `terraform\.tfvars`",
        readme,
    )
    assert copies, f"{name}/README.md does not say to copy terraform.tfvars.example"
    required = {v for v, body in variable_blocks(directory).items() if "default" not in body}
    unset = required - tfvars_assignments(tfvars) - exported
    assert not unset, f"{name}: the README's steps leave {sorted(unset)} without a value"


def test_tfvars_check_catches_an_overriding_assignment() -> None:
    readme = "```sh\nexport TF_VAR_webhook_url='https://example.com/x'\n```\n"
    assert exported_variables(readme) == {"webhook_url"}
    assert tfvars_assignments('webhook_url = "https://example.com/x"\n') == {"webhook_url"}
    assert tfvars_assignments('# webhook_url = "https://example.com/x"\nname = "a"\n') == {"name"}
