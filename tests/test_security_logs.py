"""Logs at DEBUG, error stacks and masked addresses leak nothing (docs/security.md).

The end-to-end test runs real deliveries as Lambda would at log level DEBUG: the root logger
at DEBUG with a handler on it, the provider secret in Secrets Manager and the failure queue
in SQS (moto), a real HTTP server on 127.0.0.1 as the provider. No record of any logger may
hold the secret, an address or the message text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from custom_channel import logs
from custom_channel.channel import Channel
from custom_channel.config import load_settings
from custom_channel.operator.local import invoke
from emulator.provider_server import ProviderServer, Received, Reply
from tests.leakcheck import lambda_debug_logging, leaks, sensitive_strings

PATH_TOKEN = "path-token-7f3a9c2e51"  # travels in the URL path: urllib3 logs request lines
API_KEY = "sk-live-9d8c7b6a5f4e"  # travels in a header
SECRET = json.dumps({"path_token": PATH_TOKEN, "api_key": API_KEY})
ADDRESSES = {
    "ep-ok": "+12065550142",
    "ep-refused": "mary.major@example.com",
    "ep-broken": "+447700900123",
}
DATA = "Your private appointment code is {{Attributes.Code}}, see you Tuesday"
CODES = {"ep-ok": "QX-7731", "ep-refused": "QX-8842", "ep-broken": "QX-9953"}
# The libraries that log requests and responses at DEBUG (LIBRARIES).
LIBRARIES = ("botocore", "boto3", "s3transfer", "urllib3", "requests")


@pytest.fixture
def quiet_loggers_unset() -> Iterator[None]:
    """As in a fresh Lambda container: the libraries' loggers inherit the root's level (one
    is even set to DEBUG), until configure() runs."""
    saved = {name: logging.getLogger(name).level for name in LIBRARIES}
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(logging.NOTSET)
    logging.getLogger("botocore").setLevel(logging.DEBUG)
    # moto's mock_aws routes every `requests` call through the `responses` mock, which logs
    # each passed-through URL at INFO: a test harness that Lambda does not have.
    harness = logging.getLogger("responses")
    harness_level = harness.level
    harness.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
        harness.setLevel(harness_level)


def _event(application_id: str = "app-1") -> dict[str, Any]:
    endpoints = {
        endpoint_id: {
            "ChannelType": "SMS" if address.startswith("+") else "EMAIL",
            "Address": address,
            "EndpointStatus": "ACTIVE",
            "OptOut": "NONE",
            "Attributes": {"Code": [CODES[endpoint_id]]},
        }
        for endpoint_id, address in ADDRESSES.items()
    }
    return {
        "ApplicationId": application_id,
        "CampaignId": "campaign-1",
        "TreatmentId": "0",
        "ActivityId": "activity-1",
        "ScheduledTime": "2026-12-01T10:00:00.000Z",
        "Data": DATA,
        "Endpoints": endpoints,
    }


def _reply(request: Received) -> Reply:
    if "ep-refused" in request.path:
        return Reply(status=400, body=b'{"error":"refused"}')
    if "ep-broken" in request.path:
        return Reply(status=500, body=b'{"error":"broken"}')
    return Reply()


def test_debug_deliveries_log_no_secret_address_or_message_text(quiet_loggers_unset):
    event = _event()
    forbidden = {PATH_TOKEN, API_KEY, *ADDRESSES.values(), *CODES.values()}
    forbidden |= sensitive_strings(event) | {"private appointment code"}
    with mock_aws(), ProviderServer(_reply) as server:
        secrets = boto3.client("secretsmanager", region_name="us-east-1")
        secrets.create_secret(Name="provider/http", SecretString=SECRET)
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue_url = sqs.create_queue(QueueName="failed")["QueueUrl"]
        settings = load_settings(
            {
                "CHANNEL_ADAPTER": "http",
                "CHANNEL_LOG_LEVEL": "DEBUG",
                "CHANNEL_METRICS_MODE": "off",
                "CHANNEL_MAX_ATTEMPTS": "1",
                "CHANNEL_SECRET_ID": "provider/http",
                "CHANNEL_FAILURE_QUEUE_URL": queue_url,
                "CHANNEL_HTTP_URL": server.url
                + "/send/{{Secret.path_token}}/{{EndpointId}}/{{Address}}",
                "CHANNEL_HTTP_HEADERS": json.dumps({"X-Api-Key": "{{Secret.api_key}}"}),
                "CHANNEL_HTTP_BODY_TEMPLATE": '{"to": "{{Address}}", "text": "{{Data}}"}',
            }
        )
        with lambda_debug_logging() as capture:
            channel = Channel(settings)
            # Not vacuous: our own DEBUG logging stays on.
            assert logs.get_logger().getEffectiveLevel() == logging.DEBUG
            try:
                response = invoke(event, channel=channel).response
            finally:
                channel.close()
        queued = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
    statuses = {key: value["EventAttributes"]["status"] for key, value in response.items()}
    assert statuses == {"ep-ok": "delivered", "ep-refused": "failed", "ep-broken": "unknown"}
    assert len(server.requests) == 3
    assert PATH_TOKEN in server.requests[0].path  # the secret really was in the URL
    assert len(queued["Messages"]) == 2  # SendMessageBatch carried addresses and text
    assert any(record.name == logs.LOGGER_NAME for record in capture.records)
    found = leaks(capture.texts, forbidden)
    assert not found, "secret or endpoint data in the DEBUG logs:\n" + "\n".join(found[:20])


def test_configure_pins_the_libraries_every_time(quiet_loggers_unset):
    for level in ("DEBUG", "INFO", None):
        for name in LIBRARIES:
            logging.getLogger(name).setLevel(logging.DEBUG)  # whoever set it in between
        logs.configure(level)
        for name in LIBRARIES:
            pinned = logging.ERROR if name == "urllib3" else logging.WARNING  # its URLs
            assert logging.getLogger(name).level == pinned, (level, name)
    logs.configure("DEBUG")
    assert logs.get_logger().level == logging.DEBUG
    logs.configure()  # no level: the level set before stays (failures.py calls it so)
    assert logs.get_logger().level == logging.DEBUG
    logs.configure("INFO")


def _raise_with_an_address() -> None:
    address = "+12065550199"  # a local that must not be logged
    raise KeyError(f"no route for {address}")


def test_an_internal_error_logs_its_stack_without_the_message_or_locals():
    try:
        _raise_with_an_address()
    except KeyError:
        record = logging.LogRecord(
            "custom_channel", logging.ERROR, __file__, 1, "internal error", None, sys.exc_info()
        )
    line = logs.JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["error_type"] == "KeyError"
    assert entry["stack"]["type"] == "KeyError"
    frames = entry["stack"]["frames"]
    assert [frame["function"] for frame in frames] == [
        "test_an_internal_error_logs_its_stack_without_the_message_or_locals",
        "_raise_with_an_address",
    ]
    assert all(set(frame) == {"file", "line", "function"} for frame in frames)
    assert frames[-1]["file"] == __file__
    assert isinstance(frames[-1]["line"], int)
    assert "+12065550199" not in line
    assert "no route" not in line


def test_a_warning_with_an_exception_has_no_stack():
    try:
        _raise_with_an_address()
    except KeyError:
        record = logging.LogRecord(
            "custom_channel", logging.WARNING, __file__, 1, "w", None, sys.exc_info()
        )
    assert "stack" not in json.loads(logs.JsonFormatter().format(record))


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("@jane.doe", "***@***"),  # a handle: its last label is part of a name
        ("jane@jane.doe", "j***@***"),
        ("mary.major@example.com", "m***@***.com"),
        ("bo@example.com", "***@***.com"),  # a 2-letter local part: its first is half of it
        ("mary@localhost", "m***@***"),
        ("5550100", "***"),  # 7 digits: two of them would be more than a quarter
        ("+1206555", "+***55"),
        ("+12065550100", "+***00"),
        ("whatsapp:+447700900123", "***23"),
        ("C0123ABCD", "***CD"),
        ("abc", "***"),
    ],
)
def test_masked_addresses_reveal_nothing_useful(address, masked):
    assert logs.mask_address(address) == masked


@pytest.mark.parametrize(
    "address",
    ["@jane.doe", "@jane.doe.smith", "5550100", "+15550100", "+12065550100", "jo@x.io", "x"],
)
def test_a_mask_keeps_at_most_a_quarter_and_two_characters(address):
    masked = logs.mask_address(address)
    kept = masked.replace("***", "").replace("+", "").replace("@", "")
    for suffix in (".com", ".io"):
        kept = kept.removesuffix(suffix)
    assert len(kept) <= 2
    assert len(kept) <= len(address) / 4
    assert masked.count("***") >= 1


def test_an_adapter_bug_logs_its_stack_through_the_channel(monkeypatch, capsys):
    from custom_channel.adapters.http import HttpAdapter

    def broken_build(self: HttpAdapter, message: Any) -> Any:
        raise KeyError(f"no route for {message.endpoint.address}")

    monkeypatch.setattr(HttpAdapter, "build", broken_build)
    settings = load_settings(
        {
            "CHANNEL_ADAPTER": "http",
            "CHANNEL_METRICS_MODE": "off",
            "CHANNEL_HTTP_URL": "http://127.0.0.1:9/send",
        }
    )
    channel = Channel(settings)
    try:
        response = invoke(_event(), channel=channel).response
    finally:
        channel.close()
    assert response["ep-ok"]["EventAttributes"]["reason"] == "internal error: KeyError"
    out = capsys.readouterr().out
    (line,) = [json.loads(text) for text in out.splitlines() if '"adapter error"' in text][:1]
    assert line["stack"]["type"] == "KeyError"
    assert line["stack"]["frames"][-1]["function"] == "broken_build"
    assert all(address not in out for address in ADDRESSES.values())
    assert "no route" not in out


def test_a_malformed_provider_header_never_puts_the_url_in_the_logs(quiet_loggers_unset):
    """urllib3 logs `Failed to parse headers (url=<the full URL>)` at WARNING, with a
    traceback, when a provider answers a header it cannot parse: with a secret in the URL's
    path, the landed code's WARNING pin let it reach CloudWatch."""
    with (
        mock_aws(),
        ProviderServer(
            # A header line without a colon: the rest of the head cannot be parsed.
            lambda request: Reply(headers={"X-Ok": "1", "Broken\r\nNo-Colon-Here": "x"})
        ) as server,
    ):
        secrets = boto3.client("secretsmanager", region_name="us-east-1")
        secrets.create_secret(Name="provider/http", SecretString=SECRET)
        settings = load_settings(
            {
                "CHANNEL_ADAPTER": "http",
                "CHANNEL_METRICS_MODE": "off",
                "CHANNEL_MAX_ATTEMPTS": "1",
                "CHANNEL_SECRET_ID": "provider/http",
                "CHANNEL_HTTP_URL": server.url + "/send/{{Secret.path_token}}",
                "CHANNEL_DEADLINE_SECONDS": "3",
                "CHANNEL_SAFETY_MARGIN_MS": "250",
            }
        )
        with lambda_debug_logging() as capture:
            channel = Channel(settings)
            try:
                invoke(_event(), channel=channel)
            finally:
                channel.close()
    assert len(server.requests) == 3
    assert PATH_TOKEN in server.requests[0].path
    found = leaks(capture.texts, {PATH_TOKEN, *ADDRESSES.values()})
    assert not found, "the provider URL in the logs:\n" + "\n".join(found[:20])


# Endpoint ids an application chose to be its users' email addresses and phone numbers (issue
# #20): none may appear in a log line, each one appears as the same keyed hash on every line
# that concerns it.
LOG_ID_KEY = "3f1c9a7e-52d4-4b0e-9c8f-6a1d2e7b4c90-log-id-key"
IDS = {
    "ok": "jane.roe@example.org",
    "refused": "+14255550123",
    "broken": "sam.doe+news@example.net",
    "bug": "+33612345678",  # the adapter raises on it
    "crash": "lee.park@example.com",  # delivery raises on it
}
PER_ENDPOINT_LINES = (
    "endpoint not delivered",
    "adapter error",
    "internal error",
    "failed delivery not queued",
)


def _keyed_hash(endpoint_id: str, key: str = LOG_ID_KEY) -> str:
    """docs/security.md: HMAC-SHA256 of the id's UTF-8 under the key, its first 16 hex digits."""
    return hmac.new(key.encode(), endpoint_id.encode(), hashlib.sha256).hexdigest()[:16]


def _id_event() -> dict[str, Any]:
    event = _event()
    event["Endpoints"] = {
        endpoint_id: {
            "ChannelType": "SMS",
            "Address": f"+1206555{index:04d}",
            "Attributes": {"Code": [f"QX-{index:04d}"]},
        }
        for index, endpoint_id in enumerate(IDS.values())
    }
    return event


def _id_reply(request: Received) -> Reply:
    if "12065550001" in request.path:  # IDS["refused"]
        return Reply(status=400, body=b'{"error":"refused"}')
    if "12065550002" in request.path:  # IDS["broken"]
        return Reply(status=500, body=b'{"error":"broken"}')
    return Reply()


def _run_with_ids(monkeypatch, capsys, env: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """A delivery run of _id_event as Lambda runs it at DEBUG, EMF metrics on, the failure
    queue missing (each failed or unknown endpoint's copy is lost: logged): the response, and
    every record of every logger and every stdout line (logs and EMF documents)."""
    from custom_channel.adapters.http import HttpAdapter
    from custom_channel.delivery import Sender

    build, deliver = HttpAdapter.build, Sender._deliver

    def broken_build(self: HttpAdapter, message: Any) -> Any:
        if message.endpoint.endpoint_id == IDS["bug"]:
            raise KeyError("adapter bug")
        return build(self, message)

    def crashing_deliver(self: Sender, job: Any, send_by: Any) -> Any:
        if job.endpoint_id == IDS["crash"]:
            raise RuntimeError("delivery bug")
        return deliver(self, job, send_by)

    monkeypatch.setattr(HttpAdapter, "build", broken_build)
    monkeypatch.setattr(Sender, "_deliver", crashing_deliver)
    with mock_aws(), ProviderServer(_id_reply) as server:
        settings = load_settings(
            {
                "CHANNEL_ADAPTER": "http",
                "CHANNEL_LOG_LEVEL": "DEBUG",
                "CHANNEL_METRICS_MODE": "emf",
                "CHANNEL_MAX_ATTEMPTS": "1",
                "CHANNEL_FAILURE_QUEUE_URL": (
                    "https://sqs.us-east-1.amazonaws.com/123456789012/missing"
                ),
                "CHANNEL_HTTP_URL": server.url + "/send/{{EndpointId}}/{{Address}}",
                **env,
            }
        )
        capsys.readouterr()
        with lambda_debug_logging() as capture:
            channel = Channel(settings)
            try:
                response = invoke(_id_event(), channel=channel).response
            finally:
                channel.close()
    return response, capture.texts + capsys.readouterr().out.splitlines()


def _lines_about(texts: list[str]) -> list[dict[str, Any]]:
    entries = [json.loads(text) for text in texts if text.startswith("{")]
    return [entry for entry in entries if entry.get("message") in PER_ENDPOINT_LINES]


def test_a_delivery_run_logs_no_endpoint_id_in_clear_each_one_hashed(monkeypatch, capsys):
    response, texts = _run_with_ids(monkeypatch, capsys, {"CHANNEL_LOG_ID_KEY": LOG_ID_KEY})
    statuses = {key: value["EventAttributes"]["status"] for key, value in response.items()}
    assert statuses == {
        IDS["ok"]: "delivered",
        IDS["refused"]: "failed",
        IDS["broken"]: "unknown",
        IDS["bug"]: "failed",
        IDS["crash"]: "failed",  # raised before its request could leave
    }
    assert any('"_aws"' in text for text in texts)  # the EMF document was written
    found = leaks(texts, IDS.values())
    assert not found, "endpoint ids in clear in the logs:\n" + "\n".join(found[:20])
    # Every line about one endpoint names it by its keyed hash, the same on each line.
    lines = _lines_about(texts)
    hashes = {_keyed_hash(endpoint_id): name for name, endpoint_id in IDS.items()}
    about: dict[str, set[str]] = {}
    for line in lines:
        assert "endpoint_id" not in line
        about.setdefault(line["message"], set()).add(hashes[line["endpoint_id_hash"]])
    assert about == {
        "endpoint not delivered": {"refused", "broken", "bug", "crash"},
        "adapter error": {"bug"},
        "internal error": {"crash"},
        "failed delivery not queued": {"refused", "broken", "bug", "crash"},
    }


def test_connect_profile_ids_are_logged_hashed(provider, capsys):
    from tests.connect_channel import http_channel
    from tests.test_connect import with_profiles

    profile_ids = ["mara.jensen@example.org", "+4915112345678"]
    event = with_profiles({"email": "p0@example.com"}, {"email": "p1@example.com"})
    for item, profile_id in zip(event["Items"]["CustomerProfiles"], profile_ids, strict=True):
        item["ProfileId"] = profile_id
    provider.responder = lambda request: Reply(status=400)
    channel = http_channel(
        provider,
        CHANNEL_MESSAGE_TEMPLATE="Welcome!",
        CHANNEL_LOG_ID_KEY=LOG_ID_KEY,
        CHANNEL_FAILURE_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/missing",
    )
    capsys.readouterr()
    with mock_aws():
        try:
            invoke(event, channel=channel)
        finally:
            channel.close()
    texts = capsys.readouterr().out.splitlines()
    found = leaks(texts, profile_ids)
    assert not found, "profile ids in clear in the logs:\n" + "\n".join(found[:20])
    lines = _lines_about(texts)
    assert {(line["message"], line["endpoint_id_hash"]) for line in lines} == {
        (message, _keyed_hash(profile_id))
        for message in ("endpoint not delivered", "failed delivery not queued")
        for profile_id in profile_ids
    }


def test_the_hashes_are_the_same_within_a_deployment_and_differ_across(monkeypatch, capsys):
    key = {"CHANNEL_LOG_ID_KEY": LOG_ID_KEY}
    other = {"CHANNEL_LOG_ID_KEY": "another-deployment-0b7e41d2-9a3c"}
    runs = [_run_with_ids(monkeypatch, capsys, env)[1] for env in (key, key, other)]
    seen = [{line["endpoint_id_hash"] for line in _lines_about(texts)} for texts in runs]
    assert len(seen[0]) == 4
    assert seen[0] == seen[1]  # another container of the same deployment
    assert not seen[0] & seen[2]  # another deployment's key
    assert seen[2] == {
        _keyed_hash(i, other["CHANNEL_LOG_ID_KEY"]) for name, i in IDS.items() if name != "ok"
    }


def test_without_a_key_ids_are_still_hashed(monkeypatch, capsys):
    """A function deployed without the module's key: hashed with a key of its container only."""
    _, texts = _run_with_ids(monkeypatch, capsys, {})
    assert not leaks(texts, IDS.values())
    assert all(len(line["endpoint_id_hash"]) == 16 for line in _lines_about(texts))


def test_clear_mode_logs_the_ids_as_given(monkeypatch, capsys):
    _, texts = _run_with_ids(monkeypatch, capsys, {"CHANNEL_LOG_ENDPOINT_IDS": "clear"})
    lines = _lines_about(texts)
    assert lines
    assert all("endpoint_id_hash" not in line for line in lines)
    assert {line["endpoint_id"] for line in lines} == {
        IDS[name] for name in ("refused", "broken", "bug", "crash")
    }
