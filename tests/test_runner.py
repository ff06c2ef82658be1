"""The local campaign runner: splitting, filtering, batching, event shape, delivery paths."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from emulator.campaign import HOLDOUT, Campaign, bucket, load_endpoints, plan_batches, split
from emulator.local_aws import LocalAws
from emulator.provider_server import ProviderServer, Reply
from emulator.run_campaign import (
    Deliverers,
    FunctionSpec,
    InProcessDeliverer,
    RunnerError,
    SandboxDeliverer,
    WebhookDeliverer,
    function_spec,
    receiver_function,
    report,
    run,
    unpack_package,
)
from emulator.segments import synthetic_endpoints
from tests.leakcheck import assert_clean
from tools import build_package

FIXTURE = Path(__file__).parent / "fixtures" / "guide_event.json"


def definition(**overrides) -> dict:
    base = {
        "application_id": "3a9b1f4e6c764ba7b031e7183example",
        "campaign_id": "13978104ce5d6017c72552257example",
        "name": "spring",
        "holdout_percent": 10,
        "treatments": [
            {
                "treatment_id": "0",
                "size_percent": 50,
                "data": "A {{Attributes.FirstName}}",
                "delivery_uri": "arn:aws:lambda:us-east-1:123456789012:function:channel",
                "endpoint_types": ["SMS", "EMAIL"],
            },
            {
                "treatment_id": "1",
                "size_percent": 40,
                "data": "B",
                "delivery_uri": "arn:aws:lambda:us-east-1:123456789012:function:channel",
                "endpoint_types": ["SMS"],
            },
        ],
    }
    base.update(overrides)
    return base


def test_split_puts_every_endpoint_in_exactly_one_group_by_percentage():
    campaign = Campaign.from_definition(definition())
    endpoints = synthetic_endpoints(5000)
    groups = split(campaign, endpoints)
    assert sorted(ep for ids in groups.values() for ep in ids) == sorted(endpoints)
    shares = {name: len(ids) / len(endpoints) for name, ids in groups.items()}
    assert shares[HOLDOUT] == pytest.approx(0.10, abs=0.02)
    assert shares["1"] == pytest.approx(0.40, abs=0.03)
    assert shares["0"] == pytest.approx(0.50, abs=0.03)
    # Stable: the same endpoint lands in the same treatment on every run.
    assert split(campaign, endpoints) == groups
    assert 0 <= bucket("c", "e") < 100


def test_batches_keep_only_the_treatments_endpoint_types_and_hold_at_most_50():
    campaign = Campaign.from_definition(definition())
    endpoints = synthetic_endpoints(1000)
    planned, filtered = plan_batches(campaign, endpoints, activity_id="act-1", scheduled_time="t")
    groups = split(campaign, endpoints)
    for batch in planned:
        assert 1 <= len(batch.event["Endpoints"]) <= 50
        types = set(batch.treatment.endpoint_types)
        assert {ep["ChannelType"] for ep in batch.event["Endpoints"].values()} <= types
        assert batch.event["TreatmentId"] == batch.treatment.treatment_id
        assert batch.event["Data"] == batch.treatment.data
        assert batch.event["ActivityId"] == "act-1"
    sent = Counter(b.treatment.treatment_id for b in planned for _ in b.event["Endpoints"])
    for treatment in campaign.treatments:
        wanted = [
            ep
            for ep in groups[treatment.treatment_id]
            if endpoints[ep]["ChannelType"] in treatment.endpoint_types
        ]
        assert sent[treatment.treatment_id] == len(wanted)
        assert filtered[f"treatment {treatment.treatment_id}: not in EndpointTypes"] == (
            len(groups[treatment.treatment_id]) - len(wanted)
        )
    assert filtered[HOLDOUT] == len(groups[HOLDOUT])


def test_events_have_exactly_the_guides_shape():
    guide = json.loads(FIXTURE.read_text())
    campaign = Campaign.from_definition(definition(holdout_percent=0))
    planned, _ = plan_batches(campaign, synthetic_endpoints(20))
    event = planned[0].event
    assert list(event) == list(guide)
    guide_endpoint = next(iter(guide["Endpoints"].values()))
    endpoint = next(iter(event["Endpoints"].values()))
    assert set(guide_endpoint) <= set(endpoint)
    for key, value in guide.items():
        assert type(event[key]) is type(value), key


def test_definitions_adding_up_past_100_percent_are_refused():
    with pytest.raises(ValueError, match="more than 100%"):
        Campaign.from_definition(definition(holdout_percent=20))
    with pytest.raises(ValueError, match="not a campaign definition"):
        Campaign.from_definition({"campaign_id": "x"})


def test_endpoints_load_from_csv_and_json(tmp_path):
    csv_file = tmp_path / "segment.csv"
    csv_file.write_text(
        "Id,ChannelType,Address,OptOut,Attributes.Interests,User.UserId,User.UserAttributes.Tier,Location.City\n"
        "e1,SMS,+12065550100,NONE,kayaks;tents,u1,gold,Seattle\n"
        "e2,EMAIL,a@example.com,ALL,,,,\n"
    )
    loaded = load_endpoints(csv_file)
    assert loaded["e1"] == {
        "ChannelType": "SMS",
        "Address": "+12065550100",
        "OptOut": "NONE",
        "Attributes": {"Interests": ["kayaks", "tents"]},
        "User": {"UserId": "u1", "UserAttributes": {"Tier": ["gold"]}},
        "Location": {"City": "Seattle"},
    }
    assert loaded["e2"] == {"ChannelType": "EMAIL", "Address": "a@example.com", "OptOut": "ALL"}
    json_file = tmp_path / "segment.json"
    json_file.write_text(json.dumps([{"Id": "x", "ChannelType": "SMS", "Address": "+1"}]))
    assert load_endpoints(json_file) == {"x": {"ChannelType": "SMS", "Address": "+1"}}
    json_file.write_text(json.dumps({"Endpoints": {"y": {"ChannelType": "SMS"}}}))
    assert load_endpoints(json_file) == {"y": {"ChannelType": "SMS"}}


# --- delivery paths ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local_aws():
    with LocalAws() as aws:
        yield aws


def sha256_b64(path: Path) -> str:
    return base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def test_the_package_must_be_the_functions_code(tmp_path):
    with pytest.raises(RunnerError, match="is not the function's code"):
        unpack_package(build_package.ZIP_PATH, "bm90LXRoZS1oYXNo", tmp_path)
    unpack_package(build_package.ZIP_PATH, sha256_b64(build_package.ZIP_PATH), tmp_path)
    assert (tmp_path / "custom_channel" / "lambda_function.py").exists()


def deploy_function(local_aws, name: str, timeout: int, variables: dict[str, str]):
    """The committed package as a function of the local AWS; its Lambda client."""
    lam = local_aws.client("lambda")
    role = local_aws.client("iam").create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    lam.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role,
        Handler="custom_channel.lambda_function.lambda_handler",
        Code={"ZipFile": build_package.ZIP_PATH.read_bytes()},
        Timeout=timeout,
        Environment={"Variables": variables},
    )
    return lam


def test_a_lambda_delivery_runs_the_functions_code_and_settings_from_the_local_aws(
    local_aws, tmp_path, provider
):
    lam = deploy_function(
        local_aws,
        "runner-channel",
        15,
        {
            "CHANNEL_ADAPTER": "http",
            "CHANNEL_HTTP_URL": f"{provider.url}/send",
            "CHANNEL_METRICS_MODE": "api",
        },
    )
    spec = function_spec(lam, "runner-channel")
    assert spec.code_sha256 == sha256_b64(build_package.ZIP_PATH)
    code = unpack_package(build_package.ZIP_PATH, spec.code_sha256, tmp_path / "code")
    campaign = Campaign.from_definition(definition(holdout_percent=0))
    endpoints = synthetic_endpoints(120)
    with tmp_path.joinpath("log").open("w") as log:
        sandbox = SandboxDeliverer(code, spec, local_aws.env, log=log)
        try:
            result = run(campaign, endpoints, lambda _batch: sandbox)
        finally:
            sandbox.close()
    statuses = Counter(result.statuses.values())
    assert sum(statuses.values()) == result.accounted > 0
    assert set(statuses) <= {"delivered", "skipped"}
    assert len(provider.requests) == statuses["delivered"]
    assert result.attempts == Counter({1: len(result.batches)})
    text = report(result)
    assert "Every endpoint sent is accounted for." in text
    # The function's own logs, written by the sandbox process.
    function_log = (tmp_path / "log").read_text()
    assert function_log.count('"message": "batch processed"') == len(result.batches)
    assert_clean(function_log, [batch.event for batch in result.batches])


def write_code(directory: Path, source: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "probe.py").write_text(source)
    # The host runs the package's local-invocation helper from the code directory.
    with zipfile.ZipFile(build_package.ZIP_PATH) as archive:
        archive.extractall(directory)
    return directory


def test_an_invocation_that_times_out_is_attempted_three_times(tmp_path):
    code = write_code(
        tmp_path / "code", "import time\n\ndef handler(event, context):\n    time.sleep(30)\n"
    )
    spec = FunctionSpec("slow", "probe.handler", timeout=1, environment={}, code_sha256="")
    sandbox = SandboxDeliverer(code, spec, {}, log=(tmp_path / "log").open("w"))
    try:
        delivered = sandbox.deliver({"Endpoints": {}})
    finally:
        sandbox.close()
    assert delivered.response is None
    assert delivered.attempts == 3
    assert delivered.error == "timed out"


def test_a_failed_invocation_is_retried_and_can_succeed(tmp_path):
    marker = tmp_path / "calls"
    code = write_code(
        tmp_path / "code",
        "import os, pathlib\n"
        f"MARKER = pathlib.Path({str(marker)!r})\n"
        "def handler(event, context):\n"
        "    calls = int(MARKER.read_text()) + 1 if MARKER.exists() else 1\n"
        "    MARKER.write_text(str(calls))\n"
        "    if calls == 1:\n"
        "        os._exit(1)  # the sandbox dies mid-invocation\n"
        "    return {'e1': {'EventAttributes': {'status': 'delivered'}}}\n",
    )
    spec = FunctionSpec("flaky", "probe.handler", timeout=5, environment={}, code_sha256="")
    sandbox = SandboxDeliverer(code, spec, {}, log=(tmp_path / "log").open("w"))
    try:
        delivered = sandbox.deliver({"Endpoints": {"e1": {}}})
    finally:
        sandbox.close()
    assert delivered.attempts == 2
    assert delivered.response == {"e1": {"EventAttributes": {"status": "delivered"}}}


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ({}, "HEAD check failed"),
        ({"X-Amz-Pinpoint-AccountId": "999"}, "expected the account id '123456789012'"),
    ],
)
def test_a_webhook_must_pass_the_head_check(headers, problem):
    with (
        ProviderServer(lambda request: Reply(200, b"", headers=headers)) as server,
        pytest.raises(RunnerError, match=problem),
    ):
        WebhookDeliverer(f"{server.url}/hook", "123456789012")


def test_a_webhook_delivery_is_retried_on_server_errors():
    answers = iter(
        [
            Reply(503, b"busy"),
            Reply(200, json.dumps({"e1": {"EventAttributes": {"status": "delivered"}}}).encode()),
        ]
    )

    def responder(request):
        if request.method == "HEAD":
            return Reply(200, b"", headers={"X-Amz-Pinpoint-AccountId": "123456789012"})
        return next(answers)

    with ProviderServer(responder) as server:
        webhook = WebhookDeliverer(f"{server.url}/hook", "123456789012")
        delivered = webhook.deliver({"Endpoints": {"e1": {}}})
        webhook.close()
    assert delivered.attempts == 2
    assert delivered.response == {"e1": {"EventAttributes": {"status": "delivered"}}}
    assert [r.method for r in server.requests] == ["HEAD", "POST", "POST"]


def test_in_process_delivery_uses_the_functions_settings(provider):
    spec = FunctionSpec(
        "channel",
        "custom_channel.lambda_function.lambda_handler",
        15,
        {
            "CHANNEL_ADAPTER": "http",
            "CHANNEL_HTTP_URL": f"{provider.url}/send",
            "CHANNEL_METRICS_MODE": "off",
        },
        "",
    )
    deliverer = InProcessDeliverer(spec)
    try:
        campaign = Campaign.from_definition(definition(holdout_percent=0))
        result = run(campaign, synthetic_endpoints(60), lambda _batch: deliverer)
    finally:
        deliverer.close()
    assert Counter(result.statuses.values())["delivered"] == len(provider.requests) > 0


def test_a_receiver_delivery_uri_is_served_locally_with_head_check_and_posts(
    local_aws, tmp_path, provider
):
    secret = "PathSecret0123456789abcdefABCDEF0123456789abcdef"
    secret_arn = local_aws.client("secretsmanager").create_secret(
        Name="runner-receiver", SecretString=secret
    )["ARN"]
    role = local_aws.client("iam").create_role(
        RoleName="runner-receiver",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    function_arn = local_aws.client("lambda").create_function(
        FunctionName="runner-receiver",
        Runtime="python3.13",
        Role=role,
        Handler="custom_channel.receiver.lambda_handler",
        Code={"ZipFile": build_package.ZIP_PATH.read_bytes()},
        Timeout=15,
        Environment={
            "Variables": {
                "CHANNEL_RECEIVER_SECRET_ID": secret_arn,
                "CHANNEL_ADAPTER": "http",
                "CHANNEL_HTTP_URL": f"{provider.url}/send",
                "CHANNEL_METRICS_MODE": "off",
            }
        },
    )["FunctionArn"]
    apigw = local_aws.client("apigatewayv2")
    api_id = apigw.create_api(Name="runner-receiver", ProtocolType="HTTP")["ApiId"]
    apigw.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        PayloadFormatVersion="2.0",
        IntegrationUri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function_arn}/invocations",
    )
    uri = f"https://{api_id}.execute-api.us-east-1.amazonaws.com/{secret}"
    assert receiver_function(apigw, uri) == function_arn
    assert receiver_function(apigw, "https://hooks.example.com/x") is None
    campaign = Campaign.from_definition(
        definition(
            holdout_percent=0,
            treatments=[
                {
                    "treatment_id": "0",
                    "size_percent": 100,
                    "data": "Hi",
                    "delivery_uri": uri,
                    "endpoint_types": ["SMS", "EMAIL"],
                }
            ],
        )
    )
    with (tmp_path / "log").open("w") as log:
        deliverers = Deliverers(
            lambda_client=local_aws.client("lambda"),
            apigateway_client=apigw,
            account_id=local_aws.account_id,
            package=build_package.ZIP_PATH,
            aws_env=local_aws.env,
            in_process=False,
            log=log,
            workdir=tmp_path,
        )
        try:
            result = run(campaign, synthetic_endpoints(80), deliverers)
            wrong = Campaign.from_definition(
                definition(
                    holdout_percent=0,
                    treatments=[
                        {**campaign.treatments[0].__dict__, "delivery_uri": uri[:-1] + "X"}
                    ],
                )
            )
            with pytest.raises(RunnerError, match="HEAD check failed: HTTP 403"):
                run(wrong, synthetic_endpoints(5), deliverers)
        finally:
            deliverers.close()
    statuses = Counter(result.statuses.values())
    assert statuses["delivered"] == len(provider.requests) > 0
    assert set(statuses) <= {"delivered", "skipped"}
    assert_clean((tmp_path / "log").read_text(), [batch.event for batch in result.batches])
