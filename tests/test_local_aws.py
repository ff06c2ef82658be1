"""The local AWS (emulator/local_aws.py): what it adds to moto, checked through boto3."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from emulator.local_aws import TERRAFORM_SERVICES, LocalAws, campaigns, create_segment

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with LocalAws(region=REGION) as local:
        yield local


@pytest.fixture
def app_id(aws: LocalAws) -> str:
    response = aws.client("pinpoint").create_app(CreateApplicationRequest={"Name": "local-aws"})
    return str(response["ApplicationResponse"]["Id"])


def zipped_handler() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def create_function(aws: LocalAws, name: str, **extra: Any) -> str:
    iam = aws.client("iam")
    role = iam.create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "sts:AssumeRole",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    function = aws.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": zipped_handler()},
        **extra,
    )
    return str(function["FunctionArn"])


def campaign_template(delivery_uri: str, app_id: str, data: str = "hello") -> str:
    return json.dumps(
        {
            "Resources": {
                "Segment": {
                    "Type": "AWS::Pinpoint::Segment",
                    "Properties": {"ApplicationId": app_id, "Name": "everyone"},
                },
                "Campaign": {
                    "Type": "AWS::Pinpoint::Campaign",
                    "Properties": {
                        "ApplicationId": app_id,
                        "Name": "local",
                        "SegmentId": {"Ref": "Segment"},
                        "Schedule": {"StartTime": "IMMEDIATE", "TimeZone": "UTC"},
                        "IsPaused": True,
                        "HoldoutPercent": 5,
                        "CampaignHook": {"Mode": "FILTER"},
                        "MessageConfiguration": {"CustomMessage": {"Data": data}},
                        "CustomDeliveryConfiguration": {
                            "DeliveryUri": delivery_uri,
                            "EndpointTypes": ["CUSTOM"],
                        },
                        "AdditionalTreatments": [
                            {
                                "SizePercent": 20,
                                "MessageConfiguration": {"CustomMessage": {"Data": "B"}},
                                "CustomDeliveryConfiguration": {
                                    "DeliveryUri": delivery_uri,
                                    "EndpointTypes": ["SMS"],
                                },
                            }
                        ],
                    },
                },
            },
            "Outputs": {
                "CampaignId": {"Value": {"Fn::GetAtt": ["Campaign", "CampaignId"]}},
                "CampaignArn": {"Value": {"Fn::GetAtt": ["Campaign", "Arn"]}},
                "SegmentId": {"Value": {"Fn::GetAtt": ["Segment", "SegmentId"]}},
                "SegmentArn": {"Value": {"Fn::GetAtt": ["Segment", "Arn"]}},
            },
        }
    )


def stack_outputs(aws: LocalAws, name: str) -> dict[str, str]:
    (stack,) = aws.client("cloudformation").describe_stacks(StackName=name)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}


def test_pinpoint_app_creation_date_is_iso_8601(aws: LocalAws, app_id: str) -> None:
    app = aws.client("pinpoint").get_app(ApplicationId=app_id)["ApplicationResponse"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", app["CreationDate"])


def test_pinpoint_serves_endpoints_as_its_model_says(aws: LocalAws, app_id: str) -> None:
    """emulator/local_pinpoint.py over HTTP: UpdateEndpoint(sBatch), GetEndpoint and
    DeleteEndpoint, requests held to botocore's model, the same Address deactivating the
    endpoint that had it (the model's documentation of EndpointStatus)."""
    pinpoint = aws.client("pinpoint")
    pinpoint.update_endpoints_batch(
        ApplicationId=app_id,
        EndpointBatchRequest={
            "Item": [{"Id": "ep-1", "ChannelType": "SMS", "Address": "+12065550100"}]
        },
    )
    first = pinpoint.get_endpoint(ApplicationId=app_id, EndpointId="ep-1")["EndpointResponse"]
    assert (first["Id"], first["OptOut"], first["EndpointStatus"]) == ("ep-1", "NONE", "ACTIVE")
    assert first["ApplicationId"] == app_id
    pinpoint.update_endpoint(
        ApplicationId=app_id,
        EndpointId="ep-2",
        EndpointRequest={"ChannelType": "SMS", "Address": "+12065550100", "OptOut": "ALL"},
    )
    first = pinpoint.get_endpoint(ApplicationId=app_id, EndpointId="ep-1")["EndpointResponse"]
    assert first["EndpointStatus"] == "INACTIVE"
    with pytest.raises(ClientError) as refused:
        pinpoint.update_endpoint(
            ApplicationId=app_id, EndpointId="ep-3", EndpointRequest={"ChannelType": "FAX"}
        )
    assert refused.value.response["Error"]["Code"] == "BadRequestException"
    assert (
        pinpoint.delete_endpoint(ApplicationId=app_id, EndpointId="ep-2")["EndpointResponse"][
            "OptOut"
        ]
        == "ALL"
    )
    for application, endpoint in ((app_id, "ep-2"), ("0" * 32, "ep-1")):
        with pytest.raises(ClientError) as missing:
            pinpoint.get_endpoint(ApplicationId=application, EndpointId=endpoint)
        assert missing.value.response["Error"]["Code"] == "NotFoundException"


def test_lambda_keeps_its_logging_config(aws: LocalAws) -> None:
    lam = aws.client("lambda")
    create_function(
        aws,
        "logging-json",
        LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "WARN", "LogGroup": "/x/y"},
    )
    config = lam.get_function_configuration(FunctionName="logging-json")
    assert config["LoggingConfig"] == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "WARN",
        "SystemLogLevel": "INFO",
        "LogGroup": "/x/y",
    }
    lam.update_function_configuration(
        FunctionName="logging-json", LoggingConfig={"LogFormat": "Text"}
    )
    config = lam.get_function_configuration(FunctionName="logging-json")
    assert config["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/logging-json"}

    create_function(aws, "logging-default")
    config = lam.get_function_configuration(FunctionName="logging-default")
    assert config["LoggingConfig"] == {
        "LogFormat": "Text",
        "LogGroup": "/aws/lambda/logging-default",
    }


def test_cloudformation_creates_reads_updates_and_deletes_campaigns(
    aws: LocalAws, app_id: str
) -> None:
    cfn = aws.client("cloudformation")
    pinpoint = aws.client("pinpoint")
    hook = "https://hooks.example.com/pinpoint/abc"
    cfn.create_stack(StackName="campaign-crud", TemplateBody=campaign_template(hook, app_id))

    outputs = stack_outputs(aws, "campaign-crud")
    campaign_id, segment_id = outputs["CampaignId"], outputs["SegmentId"]
    prefix = f"arn:aws:mobiletargeting:{REGION}:{ACCOUNT}:apps/{app_id}"
    assert re.fullmatch(r"[0-9a-f]{32}", campaign_id)
    assert outputs["CampaignArn"] == f"{prefix}/campaigns/{campaign_id}"
    assert outputs["SegmentArn"] == f"{prefix}/segments/{segment_id}"
    resources = cfn.describe_stack_resources(StackName="campaign-crud")["StackResources"]
    assert {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources} == {
        "Campaign": campaign_id,
        "Segment": segment_id,
    }

    # Through the Pinpoint API (another process could do the same) and in this process.
    campaign = pinpoint.get_campaign(ApplicationId=app_id, CampaignId=campaign_id)[
        "CampaignResponse"
    ]
    assert campaign["SegmentId"] == segment_id
    assert campaign["IsPaused"] is True
    assert campaign["State"] == {"CampaignStatus": "PAUSED"}
    assert campaign["HoldoutPercent"] == 5
    assert campaign["Hook"] == {"Mode": "FILTER"}
    assert campaign["Schedule"] == {"StartTime": "IMMEDIATE", "Timezone": "UTC"}
    assert campaign["MessageConfiguration"] == {"CustomMessage": {"Data": "hello"}}
    assert campaign["CustomDeliveryConfiguration"] == {
        "DeliveryUri": hook,
        "EndpointTypes": ["CUSTOM"],
    }
    (treatment,) = campaign["AdditionalTreatments"]
    assert treatment["Id"] == "1"
    assert treatment["SizePercent"] == 20
    assert treatment["MessageConfiguration"] == {"CustomMessage": {"Data": "B"}}
    listed = pinpoint.get_campaigns(ApplicationId=app_id)["CampaignsResponse"]["Item"]
    assert [c["Id"] for c in listed] == [campaign_id]
    assert campaigns(ACCOUNT, REGION, app_id) == aws.campaigns(app_id)
    assert aws.campaigns(app_id)[0]["Id"] == campaign_id
    segment = pinpoint.get_segment(ApplicationId=app_id, SegmentId=segment_id)["SegmentResponse"]
    assert segment["Name"] == "everyone"

    cfn.update_stack(
        StackName="campaign-crud", TemplateBody=campaign_template(hook, app_id, data="changed")
    )
    (updated,) = aws.campaigns(app_id)
    assert updated["Id"] == campaign_id
    assert updated["Version"] == 2
    assert updated["MessageConfiguration"] == {"CustomMessage": {"Data": "changed"}}

    cfn.delete_stack(StackName="campaign-crud")
    assert aws.campaigns(app_id) == []
    assert aws.segments(app_id) == []
    with pytest.raises(ClientError, match="NotFoundException"):
        pinpoint.get_campaign(ApplicationId=app_id, CampaignId=campaign_id)


def test_a_lambda_campaign_needs_the_invoke_permission_first(aws: LocalAws, app_id: str) -> None:
    cfn = aws.client("cloudformation")
    lam = aws.client("lambda")
    function_arn = create_function(aws, "channel-permission")
    template = campaign_template(function_arn, app_id)

    with pytest.raises(ClientError, match=f"principal pinpoint.{REGION}.amazonaws.com"):
        cfn.create_stack(StackName="no-permission", TemplateBody=template)

    other_campaign = f"arn:aws:mobiletargeting:{REGION}:{ACCOUNT}:apps/{app_id}/campaigns/other"
    lam.add_permission(
        FunctionName="channel-permission",
        StatementId="other-campaign",
        Action="lambda:InvokeFunction",
        Principal=f"pinpoint.{REGION}.amazonaws.com",
        SourceArn=other_campaign,
    )
    with pytest.raises(ClientError, match="can't invoke"):
        cfn.create_stack(StackName="wrong-permission", TemplateBody=template)

    lam.add_permission(
        FunctionName="channel-permission",
        StatementId="application",
        Action="lambda:InvokeFunction",
        Principal=f"pinpoint.{REGION}.amazonaws.com",
        SourceArn=f"arn:aws:mobiletargeting:{REGION}:{ACCOUNT}:apps/{app_id}/*",
        SourceAccount=ACCOUNT,
    )
    cfn.create_stack(StackName="with-permission", TemplateBody=template)
    assert stack_outputs(aws, "with-permission")["CampaignId"]
    cfn.delete_stack(StackName="with-permission")


def test_a_campaign_needs_an_existing_application_and_segment(aws: LocalAws, app_id: str) -> None:
    cfn = aws.client("cloudformation")
    hook = "https://hooks.example.com/x"
    with pytest.raises(ClientError, match=r"Application 0+ not found"):
        cfn.create_stack(StackName="no-app", TemplateBody=campaign_template(hook, "0" * 32))

    template = json.loads(campaign_template(hook, app_id))
    del template["Resources"]["Segment"]
    del template["Outputs"]["SegmentId"], template["Outputs"]["SegmentArn"]
    template["Resources"]["Campaign"]["Properties"]["SegmentId"] = "f" * 32
    with pytest.raises(ClientError, match=r"Segment f+ not found"):
        cfn.create_stack(StackName="no-segment", TemplateBody=json.dumps(template))

    segment_id = create_segment(app_id, "existing", ACCOUNT, REGION)
    template["Resources"]["Campaign"]["Properties"]["SegmentId"] = segment_id
    cfn.create_stack(StackName="existing-segment", TemplateBody=json.dumps(template))
    assert aws.campaigns(app_id)[0]["SegmentId"] == segment_id
    cfn.delete_stack(StackName="existing-segment")


def test_provider_block_points_every_service_at_the_local_endpoint(aws: LocalAws) -> None:
    block = aws.provider_block()
    for service in TERRAFORM_SERVICES:
        assert re.search(rf'^\s+{service}\s+= "{re.escape(aws.endpoint_url)}"$', block, re.M)
    assert re.search(r"^\s+max_retries\s+= 3\b", block, re.M)
    assert re.search(r"^\s+skip_requesting_account_id\s+= false\b", block, re.M)
    assert aws.env["AWS_ENDPOINT_URL"] == aws.endpoint_url
    identity = aws.client("sts").get_caller_identity()
    assert identity["Account"] == ACCOUNT


# --- the manual mode: `python emulator/local_aws.py` and `python -m emulator.local_aws` --------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("command", "cwd"),
    [
        # From anywhere: the script must not rely on the working directory or PYTHONPATH.
        ([str(ROOT / "emulator" / "local_aws.py")], "tmp"),
        (["-m", "emulator.local_aws"], "root"),
    ],
    ids=["script", "module"],
)
def test_the_manual_mode_serves_the_patched_local_aws_until_interrupted(
    command: list[str], cwd: str, tmp_path: Path
) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, *command, "--port", str(port)],
        cwd=tmp_path if cwd == "tmp" else ROOT,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"exited {process.returncode}: {process.stderr.read()[-2000:]}")
            try:
                requests.get(f"{endpoint}/moto-api/", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    pytest.fail("the local AWS did not answer within 30 s")
                time.sleep(0.1)
        # A real request through the patched server: Pinpoint's CreationDate is ISO 8601.
        pinpoint = boto3.client(
            "pinpoint",
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        app = pinpoint.create_app(CreateApplicationRequest={"Name": "manual"})
        assert isinstance(app["ApplicationResponse"]["CreationDate"], str)
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C, as the banner says
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "Traceback" not in stderr
    assert stdout.startswith(f"local AWS on {endpoint} ")
    assert 'provider "aws"' in stdout


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        completed = subprocess.run(
            [sys.executable, str(ROOT / "emulator" / "local_aws.py"), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert completed.returncode == 2
    assert completed.stderr == f"cannot serve on 127.0.0.1:{port}: Address already in use\n"


def test_a_transaction_backs_up_only_what_it_writes_and_rolls_it_back(aws: LocalAws) -> None:
    """The ledger's 50-action transactions, on a table of thousands of records: a cancelled
    one leaves every record as it was (moto's own rollback copied every table per action)."""
    dynamodb = aws.client("dynamodb")
    table = "transactions"
    dynamodb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for start in range(0, 2000, 25):
        dynamodb.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": {"pk": {"S": f"old-{i}"}, "v": {"N": "1"}}}}
                    for i in range(start, start + 25)
                ]
            }
        )
    new = [{"Put": {"TableName": table, "Item": {"pk": {"S": f"new-{i}"}}}} for i in range(48)]
    update = {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": "old-7"}},
            "UpdateExpression": "SET v = :two",
            "ExpressionAttributeValues": {":two": {"N": "2"}},
        }
    }
    failing = {
        "Put": {
            "TableName": table,
            "Item": {"pk": {"S": "old-8"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    with pytest.raises(ClientError) as cancelled:
        dynamodb.transact_write_items(TransactItems=[*new, update, failing])
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None"] * 49 + ["ConditionalCheckFailed"]
    assert dynamodb.scan(TableName=table, Select="COUNT")["Count"] == 2000
    old_7 = dynamodb.get_item(TableName=table, Key={"pk": {"S": "old-7"}})["Item"]
    assert old_7["v"] == {"N": "1"}
    dynamodb.transact_write_items(TransactItems=[*new, update])
    assert dynamodb.scan(TableName=table, Select="COUNT")["Count"] == 2048
    old_7 = dynamodb.get_item(TableName=table, Key={"pk": {"S": "old-7"}})["Item"]
    assert old_7["v"] == {"N": "2"}
