"""Delivery receipts: signed status callbacks, kept monotonic, published as events and counts.

Everything AWS is the local AWS (moto server: DynamoDB, Secrets Manager, EventBridge with an
SQS target to read the events back, Pinpoint endpoints); Twilio is the local Twilio-shaped
server (emulator/provider_server.py). Callbacks are signed here by the test's own
implementation of Twilio's documented algorithm, checked first against Twilio's own example.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jsonschema
import pytest

from custom_channel.channel import Channel
from custom_channel.config import ConfigError, load_settings
from custom_channel.receipts import DETAIL_TYPE, EVENT_SOURCE, MessageRef
from emulator.local_aws import LocalAws
from emulator.provider_server import ProviderServer, Received, Reply, TwilioMessages
from emulator.segments import campaign_event

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "receipts-event.schema.json").read_text())
ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "receipts-auth-token-0123456789"
RECEIPTS_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/receipts"
PHONE = "+12065550100"
STOPPED = "+12065550142"
RECEIPTS_KEY = "k" * 40
MESSAGE = "Your code is 1234"


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    """Twilio, "Webhooks security": the full URL, then each POST parameter's name and value
    sorted by name, HMAC-SHA1 keyed by the auth token, base64. Written here independently of
    the handler's, so that both have to agree with Twilio's example."""
    data = url + "".join(key + params[key] for key in sorted(params))
    mac = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode()


def test_the_signature_rule_is_twilios_own_example() -> None:
    # Twilio's helper-library documentation ("Validate Incoming Requests"): this token, URL and
    # form are signed RSOYDt4T1cUTdK1PDd93/VVr8B8=.
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    from custom_channel.adapters.twilio import twilio_signature as handlers

    assert handlers("12345", url, sorted(params.items())) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    with LocalAws() as local:
        yield local


class World:
    """One test's table, secrets, event readback queue and channel factory."""

    def __init__(self, aws: LocalAws, name: str) -> None:
        self.aws = aws
        self.table = f"ledger-{name}"
        dynamodb = aws.client("dynamodb")
        dynamodb.create_table(
            TableName=self.table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        secrets = aws.client("secretsmanager")
        self.twilio_secret = f"twilio-{name}"
        secrets.create_secret(
            Name=self.twilio_secret,
            SecretString=json.dumps({"account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN}),
        )
        self.http_secret = f"http-{name}"
        secrets.create_secret(
            Name=self.http_secret,
            SecretString=json.dumps({"token": "t", "receipts_key": RECEIPTS_KEY}),
        )
        sqs = aws.client("sqs")
        self.queue = sqs.create_queue(QueueName=f"events-{name}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])
        events = aws.client("events")
        events.put_rule(
            Name=f"receipts-{name}", EventPattern=json.dumps({"source": [EVENT_SOURCE]})
        )
        events.put_targets(
            Rule=f"receipts-{name}",
            Targets=[{"Id": "queue", "Arn": arn["Attributes"]["QueueArn"]}],
        )
        self.rule = f"receipts-{name}"
        self.channels: list[Channel] = []

    def channel(self, adapter: str = "twilio", **env: str) -> Channel:
        settings = {
            "CHANNEL_ADAPTER": adapter,
            "CHANNEL_METRICS_MODE": "emf",
            "CHANNEL_NAME": "receipts-test",
            "CHANNEL_IDEMPOTENCY_TABLE": self.table,
            "CHANNEL_RECEIPTS_URL": RECEIPTS_URL,
            **env,
        }
        if adapter == "twilio":
            settings.setdefault("CHANNEL_SECRET_ID", self.twilio_secret)
            settings.setdefault("CHANNEL_TWILIO_FROM", "+12065550000")
        elif adapter == "http":
            settings.setdefault("CHANNEL_SECRET_ID", self.http_secret)
        channel = Channel(load_settings(settings))
        self.channels.append(channel)
        return channel

    def events(self) -> list[dict[str, Any]]:
        """Every receipt event published so far (read from the rule's queue)."""
        sqs = self.aws.client("sqs")
        found: list[dict[str, Any]] = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10)
            messages = batch.get("Messages", [])
            if not messages:
                return found
            for message in messages:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])

    def record(self, ref: str) -> dict[str, Any] | None:
        nonce = MessageRef.decode(ref).nonce
        item = self.aws.client("dynamodb").get_item(
            TableName=self.table, Key={"pk": {"S": f"receipt#{nonce}"}}, ConsistentRead=True
        )
        return item.get("Item")

    def close(self) -> None:
        for channel in self.channels:
            channel.close()
        self.aws.client("events").remove_targets(Rule=self.rule, Ids=["queue"])
        self.aws.client("events").delete_rule(Name=self.rule)


@pytest.fixture
def world(
    aws: LocalAws, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[World]:
    for name, value in aws.env.items():
        monkeypatch.setenv(name, value)
    name = hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:12]
    state = World(aws, name)
    yield state
    state.close()


def api_event(
    body: bytes, headers: dict[str, str], query: dict[str, str] | None = None
) -> dict[str, Any]:
    """What API Gateway's HTTP API (payload format 2.0) hands the function for the route."""
    return {
        "version": "2.0",
        "routeKey": "POST /receipts",
        "rawPath": "/receipts",
        "rawQueryString": urlencode(query or {}),
        "queryStringParameters": query,
        "headers": headers,
        "requestContext": {"http": {"method": "POST", "path": "/receipts"}},
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


def twilio_callback(
    status_callback: str,
    sid: str,
    status: str,
    error_code: str | None = None,
    *,
    token: str = AUTH_TOKEN,
    tamper: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Twilio status callback to `status_callback` (the URL the channel gave), signed."""
    params = {
        "AccountSid": ACCOUNT_SID,
        "ApiVersion": "2010-04-01",
        "From": "+12065550000",
        "MessageSid": sid,
        "MessageStatus": status,
        "SmsSid": sid,
        "SmsStatus": status,
        "To": PHONE,
    }
    if error_code is not None:
        params["ErrorCode"] = error_code
    signature = twilio_signature(token, status_callback, params)
    params.update(tamper or {})
    query = {k: v[0] for k, v in parse_qs(urlsplit(status_callback).query).items()}
    return api_event(
        urlencode(params).encode(),
        {"content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature},
        query,
    )


def send_one(world: World, address: str = PHONE, **env: str) -> tuple[Channel, str, str]:
    """Deliver one SMS through the local Twilio: the channel, the StatusCallback it asked
    for and the message's SID."""
    twilio = TwilioMessages(ACCOUNT_SID, AUTH_TOKEN)
    with ProviderServer(twilio) as provider:
        channel = world.channel(CHANNEL_TWILIO_API_BASE=provider.url, **env)
        event = campaign_event({"e-1": _sms(address)}, MESSAGE)
        answer = channel.handle(event)
    assert answer["e-1"]["EventAttributes"]["status"] == "delivered"
    (form,) = twilio.messages
    return channel, form["StatusCallback"], f"SM{1:032x}"


class Unsubscribing:
    """The local Twilio, answering a send to STOPPED as Twilio answers one to a recipient who
    replied STOP: 400, error 21610 (Twilio's Error and Warning Dictionary)."""

    def __init__(self) -> None:
        self.twilio = TwilioMessages(ACCOUNT_SID, AUTH_TOKEN)
        self.messages = self.twilio.messages

    def __call__(self, request: Received) -> Reply:
        if parse_qs(request.body.decode()).get("To") == [STOPPED]:
            body = {
                "code": 21610,
                "message": "Attempt to send to unsubscribed recipient",
                "more_info": "https://www.twilio.com/docs/errors/21610",
                "status": 400,
            }
            return Reply(400, json.dumps(body).encode())
        return self.twilio(request)


def _sms(address: str) -> dict[str, Any]:
    return {"ChannelType": "SMS", "Address": address, "EndpointStatus": "ACTIVE", "OptOut": "NONE"}


def test_each_message_asks_twilio_for_status_callbacks_naming_it_without_its_address(
    world: World,
) -> None:
    _, status_callback, _ = send_one(world)

    url = urlsplit(status_callback)
    assert f"{url.scheme}://{url.netloc}{url.path}" == RECEIPTS_URL
    (ref,) = parse_qs(url.query)["ref"]
    assert PHONE not in base64.urlsafe_b64decode(ref + "==").decode()
    named = MessageRef.decode(ref)
    assert (named.source, named.recipient_id) == ("pinpoint", "e-1")


def test_a_signed_delivered_callback_is_kept_and_published(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    channel, status_callback, sid = send_one(world)
    capsys.readouterr()

    sent = channel.receipts.handle(twilio_callback(status_callback, sid, "sent"))
    delivered = channel.receipts.handle(twilio_callback(status_callback, sid, "delivered"))

    assert (sent["statusCode"], delivered["statusCode"]) == (204, 204)
    ref = parse_qs(urlsplit(status_callback).query)["ref"][0]
    record = world.record(ref)
    assert record is not None
    assert record["receipt_status"] == {"S": "delivered"}
    assert record["message_id"] == {"S": sid}
    (event,) = world.events()
    assert (event["source"], event["detail-type"]) == (EVENT_SOURCE, DETAIL_TYPE)
    jsonschema.validate(event["detail"], SCHEMA)
    assert event["detail"]["status"] == "delivered"
    assert event["detail"]["recipient_id"] == "e-1"
    assert event["detail"]["origin"] == "callback"
    assert PHONE not in json.dumps(event)
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    delivered_counts = [doc for doc in emf if doc.get("ReceiptDeliveredCount") == 1]
    assert len(delivered_counts) == 1
    assert delivered_counts[0]["Channel"] == "receipts-test"


@pytest.mark.parametrize(
    ("what", "callback"),
    [
        ("a wrong auth token", {"token": "not-the-auth-token"}),
        ("a status changed after signing", {"tamper": {"MessageStatus": "undelivered"}}),
        ("another message's SID", {"tamper": {"MessageSid": f"SM{9:032x}"}}),
        ("an added error code", {"tamper": {"ErrorCode": "21610"}}),
    ],
)
def test_a_forged_callback_is_refused_and_changes_nothing(
    world: World, what: str, callback: dict[str, Any]
) -> None:
    channel, status_callback, sid = send_one(world)
    ref = parse_qs(urlsplit(status_callback).query)["ref"][0]

    answer = channel.receipts.handle(twilio_callback(status_callback, sid, "delivered", **callback))

    assert answer["statusCode"] == 403, what
    assert world.record(ref) is None
    assert world.events() == []


def test_a_callback_for_a_ref_the_channel_never_signed_is_refused(world: World) -> None:
    channel, status_callback, sid = send_one(world)
    forged_ref = MessageRef("0" * 32, "pinpoint", "someone-else").encode()
    other = f"{RECEIPTS_URL}?ref={forged_ref}"
    # Signed over the original URL, presented with another ref: the URL is part of the signature.
    event = twilio_callback(status_callback, sid, "delivered")
    event["queryStringParameters"] = {"ref": forged_ref}

    assert channel.receipts.handle(event)["statusCode"] == 403
    assert (
        channel.receipts.handle(twilio_callback(other, sid, "delivered", token="guess"))[
            "statusCode"
        ]
        == 403
    )
    assert world.events() == []


def test_a_replayed_callback_changes_nothing(world: World) -> None:
    channel, status_callback, sid = send_one(world)
    ref = parse_qs(urlsplit(status_callback).query)["ref"][0]
    callback = twilio_callback(status_callback, sid, "delivered")
    assert channel.receipts.handle(callback)["statusCode"] == 204
    first = world.record(ref)
    world.events()

    time.sleep(1.1)  # a later second: a rewrite would change updated_at
    assert channel.receipts.handle(callback)["statusCode"] == 204

    assert world.record(ref) == first
    assert world.events() == []


@pytest.mark.parametrize(
    ("arrivals", "final"),
    [
        (["delivered", "sent"], "delivered"),
        (["sent", "delivered", "delivered"], "delivered"),
        (["delivered", "undelivered"], "delivered"),
        (["undelivered", "delivered"], "delivered"),
        (["read", "delivered", "sent"], "read"),
        (["delivered", "read"], "read"),
        (["failed", "undelivered"], "failed"),
    ],
)
def test_callbacks_out_of_order_or_twice_leave_the_latest_final_status(
    world: World, arrivals: list[str], final: str
) -> None:
    channel, status_callback, sid = send_one(world)
    ref = parse_qs(urlsplit(status_callback).query)["ref"][0]

    for status in arrivals:
        code = "30003" if status in ("failed", "undelivered") else None
        answer = channel.receipts.handle(twilio_callback(status_callback, sid, status, code))
        assert answer["statusCode"] == 204

    record = world.record(ref)
    assert record is not None
    assert record["receipt_status"] == {"S": final}
    published = [event["detail"]["status"] for event in world.events()]
    # One event per status that changed the record, each ranked above the one before.
    ranks = {"failed": 1, "undelivered": 1, "delivered": 2, "read": 3}
    assert published[-1] == final
    assert [ranks[s] for s in published] == sorted({ranks[s] for s in published})


def test_an_opt_out_in_a_callback_is_written_back_to_the_pinpoint_endpoint(
    world: World,
) -> None:
    application = world.aws.client("pinpoint").create_app(
        CreateApplicationRequest={"Name": "receipts"}
    )["ApplicationResponse"]["Id"]
    pinpoint = world.aws.client("pinpoint")
    pinpoint.update_endpoint(
        ApplicationId=application,
        EndpointId="e-1",
        EndpointRequest={"ChannelType": "SMS", "Address": PHONE, "OptOut": "NONE"},
    )
    twilio = TwilioMessages(ACCOUNT_SID, AUTH_TOKEN)
    with ProviderServer(twilio) as provider:
        channel = world.channel(
            CHANNEL_TWILIO_API_BASE=provider.url,
            CHANNEL_CONSENT_WRITE_BACK="true",
            CHANNEL_EVENT_SOURCE="pinpoint",
        )
        event = campaign_event({"e-1": _sms(PHONE)}, MESSAGE)
        event["ApplicationId"] = application
        channel.handle(event)
    status_callback = twilio.messages[0]["StatusCallback"]

    answer = channel.receipts.handle(
        twilio_callback(status_callback, f"SM{1:032x}", "failed", "21610")
    )

    assert answer["statusCode"] == 204
    endpoint = pinpoint.get_endpoint(ApplicationId=application, EndpointId="e-1")
    assert endpoint["EndpointResponse"]["OptOut"] == "ALL"
    (published,) = world.events()
    jsonschema.validate(published["detail"], SCHEMA)
    assert published["detail"]["recipient"] == "opted_out"
    assert published["detail"]["error_class"] == "recipient_opted_out"
    assert published["detail"]["consent"] == "written"


def test_a_stop_answer_opts_the_pinpoint_endpoint_out_so_the_next_run_skips_it(
    world: World,
) -> None:
    pinpoint = world.aws.client("pinpoint")
    application = pinpoint.create_app(CreateApplicationRequest={"Name": "stop"})[
        "ApplicationResponse"
    ]["Id"]
    for endpoint_id, address in (("e-1", PHONE), ("e-stop", STOPPED)):
        pinpoint.update_endpoint(
            ApplicationId=application,
            EndpointId=endpoint_id,
            EndpointRequest={"ChannelType": "SMS", "Address": address, "OptOut": "NONE"},
        )
    twilio = Unsubscribing()

    def run(campaign_id: str) -> dict[str, Any]:
        endpoints = {}
        for endpoint_id in ("e-1", "e-stop"):
            found = pinpoint.get_endpoint(ApplicationId=application, EndpointId=endpoint_id)
            endpoints[endpoint_id] = {
                key: found["EndpointResponse"][key]
                for key in ("ChannelType", "Address", "EndpointStatus", "OptOut")
            }
        event = campaign_event(endpoints, MESSAGE, campaign_id=campaign_id)
        event["ApplicationId"] = application
        return channel.handle(event)

    with ProviderServer(twilio) as provider:
        channel = world.channel(
            CHANNEL_TWILIO_API_BASE=provider.url,
            CHANNEL_CONSENT_WRITE_BACK="true",
            CHANNEL_EVENT_SOURCE="pinpoint",
        )
        first = run("first-campaign")
        second = run("next-campaign")

    assert first["e-stop"]["EventAttributes"]["recipient"] == "opted_out"
    assert second["e-stop"]["EventAttributes"] == {"status": "skipped", "reason": "opted out"}
    assert [form["To"] for form in twilio.messages] == [PHONE, PHONE]
    (published,) = world.events()
    jsonschema.validate(published["detail"], SCHEMA)
    assert published["detail"]["origin"] == "answer"
    assert published["detail"]["error_code"] == "21610"
    assert published["detail"]["consent"] == "written"


def test_without_write_back_an_opt_out_is_published_and_nothing_written(world: World) -> None:
    pinpoint = world.aws.client("pinpoint")
    application = pinpoint.create_app(CreateApplicationRequest={"Name": "nowrite"})[
        "ApplicationResponse"
    ]["Id"]
    pinpoint.update_endpoint(
        ApplicationId=application,
        EndpointId="e-stop",
        EndpointRequest={"ChannelType": "SMS", "Address": STOPPED, "OptOut": "NONE"},
    )
    twilio = Unsubscribing()
    with ProviderServer(twilio) as provider:
        channel = world.channel(CHANNEL_TWILIO_API_BASE=provider.url)
        event = campaign_event({"e-stop": _sms(STOPPED)}, MESSAGE)
        event["ApplicationId"] = application
        channel.handle(event)

    endpoint = pinpoint.get_endpoint(ApplicationId=application, EndpointId="e-stop")
    assert endpoint["EndpointResponse"]["OptOut"] == "NONE"
    (published,) = world.events()
    assert published["detail"]["consent"] == "off"


def generic_callback(
    body: dict[str, Any],
    *,
    key: str = RECEIPTS_KEY,
    at: float | None = None,
    tamper: bytes | None = None,
) -> dict[str, Any]:
    raw = json.dumps(body).encode()
    stamp = int(time.time() if at is None else at)
    mac = hmac.new(key.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return api_event(
        tamper if tamper is not None else raw,
        {"content-type": "application/json", "x-channel-signature": f"t={stamp},v1={mac}"},
    )


def test_the_generic_http_adapter_reads_hmac_signed_json_receipts(world: World) -> None:
    received: list[dict[str, str]] = []

    def provider_api(request: Received) -> Reply:
        received.append({k.lower(): v for k, v in request.headers.items()})
        return Reply(202)

    with ProviderServer(provider_api) as provider:
        channel = world.channel("http", CHANNEL_HTTP_URL=f"{provider.url}/send")
        channel.handle(campaign_event({"e-1": _sms(PHONE)}, MESSAGE))
    (headers,) = received
    assert headers["x-channel-receipt-url"] == RECEIPTS_URL
    ref = headers["x-channel-receipt-ref"]
    report = {"ref": ref, "message_id": "msg-1", "status": "delivered"}

    late = channel.receipts.handle(generic_callback(report, at=time.time() - 3600))
    wrong_key = channel.receipts.handle(generic_callback(report, key="x" * 40))
    altered = channel.receipts.handle(
        generic_callback(report, tamper=json.dumps({**report, "status": "failed"}).encode())
    )
    assert (late["statusCode"], wrong_key["statusCode"], altered["statusCode"]) == (403, 403, 403)
    assert world.record(ref) is None

    assert channel.receipts.handle(generic_callback(report))["statusCode"] == 204
    record = world.record(ref)
    assert record is not None
    assert record["receipt_status"] == {"S": "delivered"}
    (published,) = world.events()
    jsonschema.validate(published["detail"], SCHEMA)
    assert published["detail"]["provider"] == "http"


def test_a_signed_callback_that_is_not_a_status_report_is_answered_400(world: World) -> None:
    channel, status_callback, _ = send_one(world)
    answer = channel.receipts.handle(twilio_callback(status_callback, "not-a-sid", "delivered"))
    assert answer["statusCode"] == 400
    assert "MessageSid" in json.loads(answer["body"])["problem"]


def test_receipts_need_the_idempotency_table_and_an_adapter_that_reads_them() -> None:
    with pytest.raises(ConfigError, match="CHANNEL_IDEMPOTENCY_TABLE"):
        load_settings(
            {
                "CHANNEL_ADAPTER": "twilio",
                "CHANNEL_TWILIO_FROM": "+12065550000",
                "CHANNEL_SECRET_ID": "s",
                "CHANNEL_RECEIPTS_URL": RECEIPTS_URL,
            }
        )
    with pytest.raises(ConfigError, match="slack adapter reads no receipts"):
        load_settings(
            {
                "CHANNEL_ADAPTER": "slack",
                "CHANNEL_SECRET_ID": "s",
                "CHANNEL_IDEMPOTENCY_TABLE": "t",
                "CHANNEL_RECEIPTS_URL": RECEIPTS_URL,
            }
        )
    with pytest.raises(ConfigError, match="CHANNEL_CONNECT_PROFILES_DOMAIN"):
        load_settings({"CHANNEL_EVENT_SOURCE": "connect", "CHANNEL_CONSENT_WRITE_BACK": "true"})
    with pytest.raises(ConfigError, match="CHANNEL_RECEIPTS_URL"):
        load_settings({"CHANNEL_RECEIPTS_URL": "http://example.com/receipts?x=1"})


@pytest.mark.parametrize("entry", ["lambda_function", "receiver"])
def test_both_entry_points_serve_the_receipts_route(
    world: World, monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    import importlib

    from custom_channel import runtime

    _, status_callback, sid = send_one(world)
    for name, value in {
        "CHANNEL_ADAPTER": "twilio",
        "CHANNEL_TWILIO_FROM": "+12065550000",
        "CHANNEL_SECRET_ID": world.twilio_secret,
        "CHANNEL_IDEMPOTENCY_TABLE": world.table,
        "CHANNEL_RECEIPTS_URL": RECEIPTS_URL,
        "CHANNEL_METRICS_MODE": "off",
    }.items():
        monkeypatch.setenv(name, value)
    runtime.reset()
    handler = importlib.import_module(f"custom_channel.{entry}").lambda_handler
    try:
        forged = handler(twilio_callback(status_callback, sid, "delivered", token="x"), None)
        genuine = handler(twilio_callback(status_callback, sid, "delivered"), None)
    finally:
        runtime.reset()

    assert (forged["statusCode"], genuine["statusCode"]) == (403, 204)
    ref = parse_qs(urlsplit(status_callback).query)["ref"][0]
    record = world.record(ref)
    assert record is not None
    assert record["receipt_status"] == {"S": "delivered"}


def test_a_stop_makes_the_next_connect_run_skip_the_profile(world: World) -> None:
    """Connect, end to end: profiles in a Customer Profiles domain, read by the journey when
    each run starts; one recipient answers STOP to the send (21610), another replies STOP
    after the message went out (a `failed` callback with 21610). Both are written back to
    their profiles' opt-out attribute, and the next run skips exactly those two."""
    from emulator.connect_driver import (
        CampaignContext,
        DomainProfiles,
        InProcessInvoker,
        run_connect_from_domain,
    )
    from emulator.function_host import http_event
    from emulator.provider_server import OPTED_OUT, redirect_to

    profiles = world.aws.client("customer-profiles")
    domain = f"domain-{world.table[-12:]}"
    profiles.create_domain(DomainName=domain, DefaultExpirationDays=30)
    numbers = {"keeps": PHONE, "stops-now": STOPPED, "stops-later": "+12065550177"}
    ids = {
        name: profiles.create_profile(DomainName=domain, FirstName=name, PhoneNumber=number)[
            "ProfileId"
        ]
        for name, number in numbers.items()
    }
    env = {
        "CHANNEL_ADAPTER": "twilio",
        "CHANNEL_TWILIO_FROM": "+12065550000",
        "CHANNEL_SECRET_ID": world.twilio_secret,
        "CHANNEL_IDEMPOTENCY_TABLE": world.table,
        "CHANNEL_RECEIPTS_URL": RECEIPTS_URL,
        "CHANNEL_EVENT_SOURCE": "connect",
        "CHANNEL_MESSAGE_TEMPLATE": "Hello {{FirstName}}",
        "CHANNEL_CONSENT_WRITE_BACK": "true",
        "CHANNEL_CONNECT_PROFILES_DOMAIN": domain,
        "CHANNEL_METRICS_MODE": "off",
    }
    route = Channel(load_settings(env))
    world.channels.append(route)

    def receipts_route(request: Received) -> Reply:
        # API Gateway's HTTP API in front of the function: the request as its event.
        answer = route.receipts.handle(
            http_event(request.method, request.path, request.headers, request.body)
        )
        return Reply(answer["statusCode"], str(answer.get("body", "")).encode())

    with ProviderServer(receipts_route) as receiver:
        twilio = TwilioMessages(
            ACCOUNT_SID,
            AUTH_TOKEN,
            api_errors={STOPPED: 21610},
            outcomes={numbers["stops-later"]: OPTED_OUT},
            deliver_to=redirect_to(receiver.url),
        )
        with ProviderServer(twilio) as provider:
            invoker = InProcessInvoker({**env, "CHANNEL_TWILIO_API_BASE": provider.url})
            source = DomainProfiles(profiles, domain, list(ids.values()))
            try:
                first = run_connect_from_domain(
                    source, invoker, CampaignContext("c-1", "c-1#run-1", "Welcome", "Welcome")
                )
                # Two messages left, each reported `sent` and then its final status.
                callbacks = twilio.wait_for_callbacks(4, timeout=60)
                second = run_connect_from_domain(
                    source, invoker, CampaignContext("c-1", "c-1#run-2", "Welcome", "Welcome")
                )
            finally:
                invoker.close()
                twilio.close()

    assert [callback.status for callback in callbacks] == [204, 204, 204, 204]
    assert first.statuses == {
        ids["keeps"]: "delivered",
        ids["stops-now"]: "failed",
        ids["stops-later"]: "delivered",
    }
    assert first.results[ids["stops-now"]]["recipient"] == "opted_out"
    assert second.statuses == {
        ids["keeps"]: "delivered",
        ids["stops-now"]: "skipped",
        ids["stops-later"]: "skipped",
    }
    sent_to = [form["To"] for form in twilio.messages]
    assert sent_to.count(PHONE) == 2
    assert sent_to.count(numbers["stops-later"]) == 1
    stored = profiles.batch_get_profile(DomainName=domain, ProfileIds=list(ids.values()))
    opted = {p["ProfileId"]: p.get("Attributes", {}).get("OptOut") for p in stored["Profiles"]}
    assert opted == {ids["keeps"]: None, ids["stops-now"]: "true", ids["stops-later"]: "true"}
    events = world.events()
    for event in events:
        jsonschema.validate(event["detail"], SCHEMA)
    by_origin = sorted(
        (e["detail"]["origin"], e["detail"]["status"], e["detail"]["consent"]) for e in events
    )
    assert by_origin == [
        ("answer", "failed", "written"),
        ("callback", "delivered", None),
        ("callback", "failed", "written"),
    ]


def test_a_batchs_recipient_facts_are_counted_in_one_publication(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    invalid = ["+12065550171", "+12065550172", "+12065550173"]
    twilio = TwilioMessages(ACCOUNT_SID, AUTH_TOKEN, refused=frozenset(invalid))
    with ProviderServer(twilio) as provider:
        channel = world.channel(CHANNEL_TWILIO_API_BASE=provider.url)
        endpoints = {f"e-{n}": _sms(address) for n, address in enumerate([PHONE, *invalid])}
        capsys.readouterr()
        answer = channel.handle(campaign_event(endpoints, MESSAGE))

    facts = [answer[f"e-{n}"]["EventAttributes"].get("recipient") for n in range(4)]
    assert facts == [None, "unreachable", "unreachable", "unreachable"]
    documents = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line
    ]
    counted = [doc for doc in documents if "UnreachableCount" in doc]
    assert len(counted) == 1
    assert counted[0]["UnreachableCount"] == 3
    published = world.events()
    assert (
        sorted(event["detail"]["error_class"] for event in published)
        == ["recipient_unreachable"] * 3
    )
    for event in published:
        jsonschema.validate(event["detail"], SCHEMA)
