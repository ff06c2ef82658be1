"""The Lambda entry point, the CLI, configuration errors, broken events and secrets."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from custom_channel import lambda_function, runtime
from custom_channel.channel import Channel
from custom_channel.config import load_settings
from custom_channel.operator.local import LocalContext, invoke
from custom_channel.secrets import SecretStore, SecretUnavailable

ROOT = Path(__file__).resolve().parent.parent
EP = "1dbcd396df28ac6cf8c1c2b7fexample"


def log_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.fixture
def entry_point(monkeypatch):
    """The packaged entry point, as a new container would load it under the test's env."""

    def load(**env: str):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        runtime.reset()
        return importlib.reload(lambda_function)

    yield load
    runtime.reset()


def test_entry_point_answers_the_guides_sample(entry_point, guide_event, capsys):
    module = entry_point(CHANNEL_METRICS_MODE="off")
    response = module.lambda_handler(guide_event, LocalContext())
    assert response == {
        EP: {
            "EventAttributes": {
                "status": "skipped",
                "reason": "not sent: adapter none made no request",
            }
        }
    }
    line = log_lines(capsys.readouterr().out)[-1]
    assert line["message"] == "batch processed"
    assert line["campaign_id"] == "13978104ce5d6017c72552257example"
    assert line["application_id"] == "3a9b1f4e6c764ba7b031e7183example"
    assert line["treatment_id"] == "0"
    assert line["activity_id"] == "575cb1929d5ba43e87e2478eeexample"


def test_a_bad_variable_fails_every_endpoint_with_its_name(entry_point, guide_event, capsys):
    module = entry_point(CHANNEL_ADAPTER="carrier-pigeon")
    response = module.lambda_handler(guide_event, LocalContext())
    attributes = response[EP]["EventAttributes"]
    assert attributes["status"] == "failed"
    assert attributes["reason"].startswith("configuration error: CHANNEL_ADAPTER: must be one of")
    (line,) = log_lines(capsys.readouterr().out)
    assert line["level"] == "ERROR"
    assert line["variable"] == "CHANNEL_ADAPTER"
    assert "Traceback" not in json.dumps(line)


def test_a_broken_event_is_answered_not_raised(guide_event, capsys):
    guide_event.pop("ApplicationId")
    channel = Channel(load_settings({"CHANNEL_METRICS_MODE": "off"}))
    response = invoke(guide_event, channel=channel).response
    assert response[EP]["EventAttributes"] == {
        "status": "failed",
        "reason": "invalid event: ApplicationId: is missing",
    }
    (line,) = log_lines(capsys.readouterr().out)
    assert line["message"] == "invalid event"
    assert line["field"] == "ApplicationId"


def test_an_event_without_endpoints_gets_an_empty_answer(capsys):
    channel = Channel(load_settings({"CHANNEL_METRICS_MODE": "off"}))
    assert invoke("not an event", channel=channel).response == {}
    (line,) = log_lines(capsys.readouterr().out)
    assert line["field"] == "event"


def test_skips_are_configurable(guide_event):
    guide_event["Endpoints"][EP]["OptOut"] = "ALL"
    skipping = Channel(load_settings({"CHANNEL_METRICS_MODE": "off"}))
    keeping = Channel(
        load_settings({"CHANNEL_METRICS_MODE": "off", "CHANNEL_SKIP_OPTED_OUT": "false"})
    )
    assert invoke(guide_event, channel=skipping).response[EP]["EventAttributes"] == {
        "status": "skipped",
        "reason": "opted out",
    }
    # Kept, it reaches the adapter: `none` sends nothing, and says so.
    assert invoke(guide_event, channel=keeping).response[EP]["EventAttributes"] == {
        "status": "skipped",
        "reason": "not sent: adapter none made no request",
    }


def test_cli_invoke_prints_the_response(tmp_path):
    event_file = ROOT / "tests" / "fixtures" / "guide_event.json"
    output = tmp_path / "response.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "custom_channel.operator",
            "invoke",
            "--event",
            str(event_file),
            "--output",
            str(output),
        ],
        cwd=ROOT / "handler",
        env={"PATH": "/usr/bin:/bin", "CHANNEL_METRICS_MODE": "off"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(output.read_text())[EP]["EventAttributes"]["status"] == "skipped"
    # The CLI keeps stdout for the response alone: its logs go to stderr.
    assert log_lines(completed.stderr)[-1]["message"] == "batch processed"


def test_cli_reports_an_unreadable_event(tmp_path):
    missing = tmp_path / "nope.json"
    completed = subprocess.run(
        [sys.executable, "-m", "custom_channel.operator", "invoke", "--event", str(missing)],
        cwd=ROOT / "handler",
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "cannot read event" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_local_context_counts_down():
    context = LocalContext(timeout_seconds=3)
    assert 2900 <= context.get_remaining_time_in_millis() <= 3000
    assert context.invoked_function_arn.startswith("arn:aws:lambda:us-east-1:")


class CountingClients:
    """Real moto clients; counts how often the store asks for one (once per fetch)."""

    def __init__(self):
        self.calls = 0

    def client(self, service):
        self.calls += 1
        return boto3.client(service)


@mock_aws
def test_secrets_manager_json_secret_is_cached_for_its_ttl():
    arn = boto3.client("secretsmanager").create_secret(
        Name="channel/provider", SecretString=json.dumps({"api_key": "k-1", "n": 5})
    )["ARN"]
    now = [0.0]
    factory = CountingClients()
    store = SecretStore(arn, None, 300, clients=factory, clock=lambda: now[0])
    assert store.get() == {"api_key": "k-1", "n": "5"}
    now[0] = 299.0
    store.get()
    assert factory.calls == 1
    now[0] = 300.0
    store.get()
    assert factory.calls == 2


@mock_aws
def test_ssm_secure_string_parameter():
    boto3.client("ssm").put_parameter(
        Name="/channel/token", Value="plain-token", Type="SecureString"
    )
    store = SecretStore(None, "/channel/token", 60)
    assert store.get() == "plain-token"


@mock_aws
def test_a_missing_secret_names_the_error_code_not_the_value():
    store = SecretStore(
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf", None, 60
    )
    with pytest.raises(SecretUnavailable) as raised:
        store.get()
    assert "ResourceNotFoundException" in str(raised.value)


@mock_aws
def test_an_unreadable_secret_fails_the_batch_with_a_reason(guide_event):
    settings = load_settings(
        {
            "CHANNEL_ADAPTER": "slack",
            "CHANNEL_SECRET_ID": "arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-AbCdEf",
            "CHANNEL_METRICS_MODE": "off",
        }
    )
    attributes = invoke(guide_event, channel=Channel(settings)).response[EP]["EventAttributes"]
    assert attributes["status"] == "failed"
    assert attributes["reason"] == "cannot read the provider secret: ResourceNotFoundException"


def test_log_lines_are_the_same_under_lambdas_json_log_format(guide_event, capsys):
    """Lambda's JSON format formats the root logger; ours neither propagates nor nests."""
    import logging

    root_records: list[logging.LogRecord] = []

    class Capture(logging.Handler):
        def emit(self, record):
            root_records.append(record)

    root_handler = Capture()
    logging.getLogger().addHandler(root_handler)
    try:
        channel = Channel(load_settings({"CHANNEL_METRICS_MODE": "off"}))
        invoke(guide_event, channel=channel)
    finally:
        logging.getLogger().removeHandler(root_handler)
    assert not [record for record in root_records if record.name.startswith("custom_channel")]
    lines = capsys.readouterr().out.splitlines()
    assert lines
    assert all(isinstance(json.loads(line), dict) for line in lines)


def test_bad_endpoints_fail_alone_and_lose_no_valid_endpoint(guide_event):
    guide_event["Endpoints"].update(
        {
            "no-channel": {"Address": "x"},
            "not-an-object": "oops",
            "bad-attributes": {"ChannelType": "SMS", "Address": "+12065550100", "Attributes": 5},
            "ok-sms": {"ChannelType": "SMS", "Address": "+12065550101"},
        }
    )
    channel = Channel(load_settings({"CHANNEL_METRICS_MODE": "off"}))
    response = invoke(guide_event, channel=channel).response
    statuses = {ep: answer["EventAttributes"]["status"] for ep, answer in response.items()}
    # The valid endpoints reach the adapter, `none`, which sends nothing: skipped, not failed.
    assert statuses == {
        EP: "skipped",
        "no-channel": "failed",
        "not-an-object": "failed",
        "bad-attributes": "failed",
        "ok-sms": "skipped",
    }
    assert (
        response["no-channel"]["EventAttributes"]["reason"]
        == "invalid endpoint: ChannelType is missing or not a string"
    )


@mock_aws
def test_a_failed_refresh_serves_the_cached_secret_for_a_grace_period(capsys):
    """The landed store threw the cached value away when a refresh failed."""
    from custom_channel.secrets import STALE_GRACE_SECONDS

    client = boto3.client("secretsmanager")
    arn = client.create_secret(Name="channel/p", SecretString='{"api_key": "k-1"}')["ARN"]
    now = [0.0]
    store = SecretStore(arn, None, 300, clock=lambda: now[0])
    assert store.get() == {"api_key": "k-1"}
    client.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)  # a brown-out, say
    now[0] = 300.0 + STALE_GRACE_SECONDS - 1
    assert store.get() == {"api_key": "k-1"}
    warning = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert warning["message"] == "secret refresh failed; serving the cached value"
    assert "k-1" not in json.dumps(warning)
    now[0] = 300.0 + STALE_GRACE_SECONDS + 1
    with pytest.raises(SecretUnavailable):
        store.get()
