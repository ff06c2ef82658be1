"""The local AWS's connectcampaignsv2 instance integrations (emulator/local_connectcampaigns.py):
what the module's connect.register and its output commands call, served to real boto3 clients
and checked against botocore's model, the instance against moto's Connect and the function
against moto's Lambda."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from emulator.local_aws import LocalAws
from emulator.service_model import validation_errors

REGION = "us-east-1"
ACCOUNT = "123456789012"


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with LocalAws(region=REGION) as local:
        yield local


@pytest.fixture(scope="module")
def campaigns(aws: LocalAws) -> Any:
    return aws.client("connectcampaignsv2")


@pytest.fixture
def instance(aws: LocalAws) -> str:
    """A Connect instance of its own for each test."""
    created = aws.client("connect").create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InboundCallsEnabled=False,
        OutboundCallsEnabled=True,
    )
    return str(created["Id"])


@pytest.fixture(scope="module")
def function_arn(aws: LocalAws) -> str:
    """A function with an alias `live`."""
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    role = aws.client("iam").create_role(
        RoleName="tc-integrations",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    lam = aws.client("lambda")
    arn = lam.create_function(
        FunctionName="tc-integrations",
        Runtime="python3.13",
        Role=role,
        Handler="index.handler",
        Code={"ZipFile": code.getvalue()},
        Publish=True,
    )["FunctionArn"]
    lam.create_alias(FunctionName="tc-integrations", Name="live", FunctionVersion="1")
    return str(arn)


def lambda_config(arn: str) -> dict[str, Any]:
    return {"lambda": {"functionArn": arn}}


def listed(campaigns: Any, instance: str, **kwargs: Any) -> dict[str, Any]:
    answer = dict(
        campaigns.list_connect_instance_integrations(connectInstanceId=instance, **kwargs)
    )
    answer.pop("ResponseMetadata")
    output = campaigns.meta.service_model.operation_model(
        "ListConnectInstanceIntegrations"
    ).output_shape
    report = ParamValidator().validate(answer, output)
    assert not report.has_errors(), report.generate_report()
    assert validation_errors(answer, output) == []
    return answer


def error_of(call: Any, **kwargs: Any) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)
    response = raised.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def test_put_list_delete(campaigns: Any, instance: str, function_arn: str) -> None:
    assert listed(campaigns, instance) == {"integrationSummaryList": []}
    alias = f"{function_arn}:live"
    campaigns.put_connect_instance_integration(
        connectInstanceId=instance, integrationConfig=lambda_config(alias)
    )
    # The same function again replaces it; another (the unqualified ARN) is a second one.
    campaigns.put_connect_instance_integration(
        connectInstanceId=instance, integrationConfig=lambda_config(alias)
    )
    campaigns.put_connect_instance_integration(
        connectInstanceId=instance, integrationConfig=lambda_config(function_arn)
    )
    assert listed(campaigns, instance)["integrationSummaryList"] == [
        lambda_config(alias),
        lambda_config(function_arn),
    ]
    campaigns.delete_connect_instance_integration(
        connectInstanceId=instance, integrationIdentifier=lambda_config(alias)
    )
    assert listed(campaigns, instance)["integrationSummaryList"] == [lambda_config(function_arn)]
    # Deleting what is not there is an error, not a silent success.
    status, code, _ = error_of(
        campaigns.delete_connect_instance_integration,
        connectInstanceId=instance,
        integrationIdentifier=lambda_config(alias),
    )
    assert (status, code) == (404, "ResourceNotFoundException")


def test_list_pages(campaigns: Any, instance: str, function_arn: str) -> None:
    for arn in (function_arn, f"{function_arn}:live", f"{function_arn}:1"):
        campaigns.put_connect_instance_integration(
            connectInstanceId=instance, integrationConfig=lambda_config(arn)
        )
    first = listed(campaigns, instance, maxResults=2)
    assert len(first["integrationSummaryList"]) == 2
    rest = listed(campaigns, instance, maxResults=2, nextToken=first["nextToken"])
    assert len(rest["integrationSummaryList"]) == 1
    assert "nextToken" not in rest
    pages = campaigns.get_paginator("list_connect_instance_integrations").paginate(
        connectInstanceId=instance, PaginationConfig={"PageSize": 1}
    )
    assert len([s for page in pages for s in page["integrationSummaryList"]]) == 3


@pytest.mark.parametrize(
    ("arn", "problem"),
    [
        # LambdaArn's pattern: a qualifier of letters, digits, - and _ only, so no $LATEST.
        (f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tc-integrations:$LATEST", "pattern"),
        ("tc-integrations", "pattern"),
        (f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:" + "f" * 120, "length"),
    ],
)
def test_a_function_arn_outside_the_model_is_a_validation_error(
    campaigns: Any, instance: str, arn: str, problem: str
) -> None:
    # The client's own validation is off, so the server's is what answers.
    status, code, message = error_of(
        _unvalidated(campaigns).put_connect_instance_integration,
        connectInstanceId=instance,
        integrationConfig=lambda_config(arn),
    )
    assert (status, code) == (400, "ValidationException")
    assert problem in message


def _unvalidated(campaigns: Any) -> Any:
    """A client that sends what it is given (botocore's own checks off)."""
    return boto3.client(
        "connectcampaignsv2",
        endpoint_url=campaigns.meta.endpoint_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(parameter_validation=False),
    )


def test_two_kinds_in_one_config_is_a_validation_error(
    campaigns: Any, instance: str, function_arn: str
) -> None:
    config = lambda_config(function_arn) | {
        "qConnect": {"knowledgeBaseArn": f"arn:aws:wisdom:{REGION}:{ACCOUNT}:knowledge-base/x"}
    }
    status, code, message = error_of(
        _unvalidated(campaigns).put_connect_instance_integration,
        connectInstanceId=instance,
        integrationConfig=config,
    )
    assert (status, code) == (400, "ValidationException")
    assert "integrationConfig" in message


def test_an_unknown_instance_or_function_is_not_found(
    campaigns: Any, instance: str, function_arn: str
) -> None:
    status, code, message = error_of(
        campaigns.put_connect_instance_integration,
        connectInstanceId="0f1e2d3c-4b5a-4697-8877-665544332211",
        integrationConfig=lambda_config(function_arn),
    )
    assert (status, code) == (404, "ResourceNotFoundException")
    assert "0f1e2d3c-4b5a-4697-8877-665544332211" in message
    for missing in (f"{function_arn}-gone", f"{function_arn}:nosuchalias"):
        status, code, _ = error_of(
            campaigns.put_connect_instance_integration,
            connectInstanceId=instance,
            integrationConfig=lambda_config(missing),
        )
        assert (status, code) == (404, "ResourceNotFoundException")
    assert listed(campaigns, instance)["integrationSummaryList"] == []


def test_v1_connect_campaigns_still_answer(aws: LocalAws) -> None:
    assert aws.client("connectcampaigns").list_campaigns()["campaignSummaryList"] == []
