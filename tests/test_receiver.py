"""The webhook receiver entry: HEAD check, path secret, POST processing, refusals.

Requests arrive in the payload format 2.0 that Lambda function URLs and API Gateway HTTP
APIs deliver to the function.
"""

from __future__ import annotations

import base64
import json

import boto3
import pytest
from moto import mock_aws

from custom_channel import receiver, runtime
from custom_channel.operator.local import LocalContext, invoke

SECRET = "s3cr3t-Path_Token-0123456789abcdef"
EP = "1dbcd396df28ac6cf8c1c2b7fexample"


def http_event(
    method: str, path: str, body: str | None = None, *, base64_body: bool = False
) -> dict:
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"host": "abc123.lambda-url.us-east-1.on.aws", "user-agent": "Amazon Pinpoint"},
        "requestContext": {
            "accountId": "anonymous",
            "domainName": "abc123.lambda-url.us-east-1.on.aws",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.9",
            },
            "requestId": "req-1",
            "routeKey": "$default",
            "stage": "$default",
        },
        "isBase64Encoded": base64_body,
    }
    if body is not None:
        event["body"] = base64.b64encode(body.encode()).decode() if base64_body else body
    return event


@pytest.fixture
def receive(monkeypatch):
    with mock_aws():
        arn = boto3.client("secretsmanager").create_secret(
            Name="receiver-path", SecretString=SECRET
        )["ARN"]
        monkeypatch.setenv("CHANNEL_RECEIVER_SECRET_ID", arn)
        monkeypatch.setenv("CHANNEL_METRICS_MODE", "off")
        runtime.reset()

        def call(event: dict) -> dict:
            context = LocalContext(account_id="111122223333")
            return receiver.lambda_handler(event, context)

        yield call
        runtime.reset()


def test_head_answers_the_account_id(receive):
    response = receive(http_event("HEAD", f"/{SECRET}"))
    assert response["statusCode"] == 200
    assert response["headers"]["X-Amz-Pinpoint-AccountId"] == "111122223333"


def test_post_processes_the_event_like_a_lambda_invocation(receive, guide_event):
    response = receive(http_event("POST", f"/hook/{SECRET}", json.dumps(guide_event)))
    assert response["statusCode"] == 200
    assert (
        json.loads(response["body"])[EP]["EventAttributes"]["status"] == "skipped"
    )  # adapter none: not sent


def test_base64_bodies_are_decoded(receive, guide_event):
    response = receive(http_event("POST", f"/{SECRET}", json.dumps(guide_event), base64_body=True))
    assert response["statusCode"] == 200


@pytest.mark.parametrize("method", ["HEAD", "POST", "GET", "DELETE"])
@pytest.mark.parametrize(
    "path", ["/", "/wrong", f"/{SECRET[:-1]}", f"/{SECRET}x", f"/{SECRET}/extra"]
)
def test_a_wrong_or_missing_secret_is_refused_for_every_method(
    receive, guide_event, capsys, method, path
):
    response = receive(http_event(method, path, json.dumps(guide_event)))
    assert response["statusCode"] == 403
    output = capsys.readouterr().out
    assert "batch processed" not in output
    assert SECRET not in output


def test_other_methods_are_not_allowed(receive):
    response = receive(http_event("PUT", f"/{SECRET}", "{}"))
    assert response["statusCode"] == 405
    assert response["headers"]["Allow"] == "HEAD, POST"


@pytest.mark.parametrize(
    ("body", "field"),
    [("not json", "body"), ("[1, 2]", "event"), ('{"Endpoints": {}}', "ApplicationId")],
)
def test_a_bad_body_is_400_naming_the_field(receive, body, field):
    response = receive(http_event("POST", f"/{SECRET}", body))
    assert response["statusCode"] == 400
    assert json.loads(response["body"]) == {"message": "invalid event", "field": field}


def test_without_a_configured_secret_everything_is_refused(monkeypatch, guide_event, capsys):
    monkeypatch.setenv("CHANNEL_METRICS_MODE", "off")
    runtime.reset()
    try:
        response = invoke(http_event("HEAD", "/anything"), handler=receiver.lambda_handler)
    finally:
        runtime.reset()
    assert response.response["statusCode"] == 403
    assert "receiver secret not configured" in capsys.readouterr().out


def test_a_body_nested_too_deeply_is_400_not_an_unhandled_error(receive):
    """json.loads raises RecursionError past its depth; it escaped as a 502."""
    response = receive(http_event("POST", f"/{SECRET}", "[" * 100_000))
    assert response["statusCode"] == 400
    assert json.loads(response["body"]) == {"message": "invalid event", "field": "body"}


def test_the_retry_policy_answers_503_with_the_results(monkeypatch, guide_event, provider):
    """DeliveryIncomplete escaped the receiver as an unhandled error (the caller saw 502)."""
    from emulator.provider_server import Reply

    provider.responder = lambda r: Reply(503)
    with mock_aws():
        client = boto3.client("secretsmanager")
        arn = client.create_secret(Name="receiver-path", SecretString=SECRET)["ARN"]
        boto3.client("dynamodb").create_table(
            TableName="deliveries",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for name, value in {
            "CHANNEL_RECEIVER_SECRET_ID": arn,
            "CHANNEL_METRICS_MODE": "off",
            "CHANNEL_ADAPTER": "http",
            "CHANNEL_HTTP_URL": f"{provider.url}/send",
            "CHANNEL_MAX_ATTEMPTS": "1",
            "CHANNEL_IDEMPOTENCY_TABLE": "deliveries",
            "CHANNEL_FAILURE_POLICY": "retry",
        }.items():
            monkeypatch.setenv(name, value)
        runtime.reset()
        try:
            response = receiver.lambda_handler(
                http_event("POST", f"/{SECRET}", json.dumps(guide_event)), LocalContext()
            )
        finally:
            runtime.reset()
    assert response["statusCode"] == 503
    assert response["headers"]["Retry-After"] == "1"
    answer = json.loads(response["body"])[EP]["EventAttributes"]
    assert (answer["status"], answer["reason"]) == ("failed", "http 503; after 1 attempts")


def test_a_receiver_secret_stored_as_json_refuses_with_a_reason(monkeypatch, capsys):
    with mock_aws():
        arn = boto3.client("secretsmanager").create_secret(
            Name="receiver-path", SecretString=json.dumps({"path": SECRET})
        )["ARN"]
        monkeypatch.setenv("CHANNEL_RECEIVER_SECRET_ID", arn)
        monkeypatch.setenv("CHANNEL_METRICS_MODE", "off")
        runtime.reset()
        try:
            response = receiver.lambda_handler(http_event("HEAD", f"/{SECRET}"), LocalContext())
        finally:
            runtime.reset()
    assert response["statusCode"] == 403
    output = capsys.readouterr().out
    assert "receiver secret is a JSON object" in output
    assert SECRET not in output
