"""The pieces the demo and the examples' test run Connect's path with: which function a Connect
instance invokes (its registered Lambda integration, read back from the local AWS), and the
Twilio-shaped provider stand-in (a real HTTP server answering as Twilio's Messages API)."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterator

import pytest
import requests

from emulator.connect_driver import registered_function
from emulator.local_aws import LocalAws
from emulator.provider_server import ProviderServer, TwilioMessages
from emulator.run_campaign import RunnerError

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "fedcba9876543210" * 2


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with LocalAws() as local:
        yield local


def _function(aws: LocalAws, name: str) -> str:
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return event\n")
    role = aws.client("iam").create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    return str(
        aws.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.13",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": code.getvalue()},
        )["FunctionArn"]
    )


def test_the_registered_function_is_the_one_the_instance_holds(aws: LocalAws) -> None:
    instance = aws.client("connect").create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InboundCallsEnabled=False,
        OutboundCallsEnabled=True,
    )["Id"]
    campaigns = aws.client("connectcampaignsv2")
    with pytest.raises(RunnerError, match="has 0 Lambda integrations, not one: register"):
        registered_function(campaigns, instance)
    first, second = _function(aws, "tc-path-one"), _function(aws, "tc-path-two")
    campaigns.put_connect_instance_integration(
        connectInstanceId=instance, integrationConfig={"lambda": {"functionArn": first}}
    )
    assert registered_function(campaigns, instance) == first
    campaigns.put_connect_instance_integration(
        connectInstanceId=instance, integrationConfig={"lambda": {"functionArn": second}}
    )
    with pytest.raises(RunnerError, match="has 2 Lambda integrations"):
        registered_function(campaigns, instance)
    campaigns.delete_connect_instance_integration(
        connectInstanceId=instance, integrationIdentifier={"lambda": {"functionArn": first}}
    )
    assert registered_function(campaigns, instance) == second


def test_the_twilio_stand_in_answers_as_the_messages_api() -> None:
    twilio = TwilioMessages(SID, TOKEN, refused=frozenset({"+16175550199"}))
    auth = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    form = {"To": "+12065550141", "From": "+15555550100", "Body": "Hi there"}
    with ProviderServer(twilio) as server:
        url = f"{server.url}/2010-04-01/Accounts/{SID}/Messages.json"

        def post(target: str, data: dict[str, str], authorization: str) -> requests.Response:
            return requests.post(
                target, data=data, headers={"Authorization": authorization}, timeout=10
            )

        taken = post(url, form, auth)
        assert taken.status_code == 201
        assert taken.json()["status"] == "queued"
        assert taken.json()["sid"].startswith("SM")
        refused = post(url, {**form, "To": "+16175550199"}, auth)
        assert (refused.status_code, refused.json()["code"]) == (400, 21211)
        wrong_key = "Basic " + base64.b64encode(f"{SID}:{'0' * 32}".encode()).decode()
        unauthorised = post(url, form, wrong_key)
        assert (unauthorised.status_code, unauthorised.json()["code"]) == (401, 20003)
        other_account = post(url.replace(SID, "AC" + "1" * 32), form, auth)
        assert (other_account.status_code, other_account.json()["code"]) == (404, 20404)
    assert twilio.messages == [form]  # only what it took
    assert len(server.requests) == 4
