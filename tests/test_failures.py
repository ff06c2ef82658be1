"""The failure queue and `python -m custom_channel.operator resend`, against moto's SQS and DynamoDB,
the local AWS's Pinpoint endpoints (emulator/local_pinpoint.py) and a real local provider
server."""

from __future__ import annotations

import json
from dataclasses import replace

import boto3
import pytest
from moto import mock_aws

from custom_channel import logs
from custom_channel.channel import Channel
from custom_channel.config import ConfigError, load_settings
from custom_channel.failures import MAX_BATCH_BYTES, FailedDelivery, FailureQueue
from custom_channel.operator.__main__ import main
from custom_channel.operator.local import invoke
from custom_channel.operator.resend import ResendOptions, resend
from emulator import local_pinpoint
from emulator.provider_server import Reply
from emulator.segments import campaign_event

TABLE = "channel-deliveries"
SECRET = "channel-provider"  # signs the queued messages (failures.py)
AT_ONCE = ResendOptions(visibility_timeout=0, wait_seconds=0)
TEMPLATE = '{"to": "{{Address}}", "text": "{{Data}}"}'


def endpoints(count: int) -> dict:
    return {
        f"ep-{i}": {
            "ChannelType": "SMS",
            "Address": f"+1206555{i:04d}",
            "OptOut": "NONE",
            "Attributes": {"FirstName": [f"Name{i}"]},
        }
        for i in range(count)
    }


@pytest.fixture
def aws(monkeypatch):
    local_pinpoint.register()
    with mock_aws():
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="channel-failures")["QueueUrl"]
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        boto3.client("secretsmanager").create_secret(
            Name=SECRET, SecretString=json.dumps({"api_key": "k-123"})
        )
        monkeypatch.setenv("CHANNEL_FAILURE_QUEUE_URL", url)
        yield sqs, url


@pytest.fixture
def app(aws) -> str:
    """A Pinpoint application of the local AWS, whose endpoints resend asks for (GetEndpoint)."""
    answer = boto3.client("pinpoint").create_app(CreateApplicationRequest={"Name": "channel"})
    return str(answer["ApplicationResponse"]["Id"])


def in_pinpoint(app: str, event: dict) -> dict:
    """The campaign event of application `app`, whose endpoints Pinpoint holds as the event
    sends them."""
    local_pinpoint.put_endpoints(boto3.client("pinpoint"), app, event["Endpoints"])
    return {**event, "ApplicationId": app}


def environment(provider, **extra: str) -> dict[str, str]:
    return {
        "CHANNEL_ADAPTER": "http",
        "CHANNEL_HTTP_URL": f"{provider.url}/send",
        "CHANNEL_HTTP_BODY_TEMPLATE": TEMPLATE,
        "CHANNEL_METRICS_MODE": "off",
        "CHANNEL_MAX_ATTEMPTS": "1",
        "CHANNEL_SECRET_ID": SECRET,
        **extra,
    }


def channel_for(provider, url: str, **extra: str) -> Channel:
    return Channel(load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url, **extra)))


def queued(sqs, url: str) -> list[dict]:
    """The bodies of every message in the queue, which is left as it was."""
    messages = []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60
    ).get("Messages"):
        messages.extend(batch)
    for message in messages:
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
    return [json.loads(message["Body"]) for message in messages]


def statuses(response) -> dict[str, str]:
    return {ep: answer["EventAttributes"]["status"] for ep, answer in response.items()}


def sent_to(provider) -> list[str]:
    return sorted(json.loads(request.body)["to"] for request in provider.requests)


def test_failed_and_unknown_endpoints_are_queued_with_their_context(aws, provider):
    sqs, url = aws

    def responder(request) -> Reply:
        to = json.loads(request.body)["to"]
        if to == "+12065550003":
            return Reply(reset=True)  # sent, answer lost: unknown
        return Reply({"+12065550001": 400, "+12065550002": 503}.get(to, 202))

    provider.responder = responder
    source = endpoints(5)
    source["ep-4"]["OptOut"] = "ALL"
    event = campaign_event(source, "Hello {{Attributes.FirstName}}")
    result = invoke(event, channel=channel_for(provider, url))

    assert statuses(result.response) == {
        "ep-0": "delivered",
        "ep-1": "failed",
        "ep-2": "failed",
        "ep-3": "unknown",
        "ep-4": "skipped",
    }
    messages = {m["endpoint_id"]: m for m in queued(sqs, url)}
    assert sorted(messages) == ["ep-1", "ep-2", "ep-3"]
    context = {key: value for key, value in event.items() if key != "Endpoints"}
    for endpoint_id, message in messages.items():
        assert message["version"] == 2
        assert message["source"] == "pinpoint"
        assert len(message["signature"]) == 64
        assert message["context"] == context
        assert message["endpoint"] == source[endpoint_id]
        assert message["outcome"]["status"] == statuses(result.response)[endpoint_id]
    assert messages["ep-1"]["outcome"]["http_status"] == 400
    assert messages["ep-1"]["outcome"]["reason"]


def test_an_invalid_event_queues_its_endpoints(aws, provider):
    sqs, url = aws
    event = campaign_event(endpoints(2), "x")
    del event["ApplicationId"]
    result = invoke(event, channel=channel_for(provider, url))
    assert set(statuses(result.response).values()) == {"failed"}
    assert sorted(m["endpoint_id"] for m in queued(sqs, url)) == ["ep-0", "ep-1"]
    assert provider.requests == []


def test_endpoints_holding_a_lone_surrogate_are_queued_as_pinpoint_sent_them(aws, provider):
    """JSON can carry "\\ud800"; such a string cannot be encoded as UTF-8, so the message
    keeps it as a JSON escape rather than losing the endpoint's copy (or the batch)."""
    sqs, url = aws
    source = endpoints(3)
    source["\ud800"] = source.pop("ep-2")  # the id itself
    source["ep-1"]["Location"] = {"City": "Se\udfffttle"}  # read by the Data below
    event = campaign_event(source, "Hello from {{Location.City | home}}")
    result = invoke(event, channel=channel_for(provider, url))

    assert statuses(result.response) == {"ep-0": "delivered", "ep-1": "failed", "\ud800": "failed"}
    messages = {m["endpoint_id"]: m for m in queued(sqs, url)}
    assert sorted(messages) == ["ep-1", "\ud800"]
    assert messages["ep-1"]["endpoint"] == {
        "ChannelType": "SMS",
        "Address": "+12065550001",
        "OptOut": "NONE",
        "Location": {"City": "Se\udfffttle"},
    }
    # Only what delivery reads: the Data names no attribute, so FirstName is not kept.
    assert messages["\ud800"]["endpoint"] == {
        "ChannelType": "SMS",
        "Address": "+12065550002",
        "OptOut": "NONE",
    }
    assert messages["ep-1"]["outcome"]["reason"] == (
        "invalid endpoint: Location.City is not valid Unicode (a lone surrogate)"
    )


def test_resend_delivers_what_the_queue_holds_and_deletes_it(
    aws, app, provider, monkeypatch, capsys
):
    sqs, url = aws
    provider.responder = lambda r: Reply(503)
    event = in_pinpoint(app, campaign_event(endpoints(60), "Hello {{Attributes.FirstName}}"))
    channel = channel_for(provider, url)
    for batch in (
        dict(list(event["Endpoints"].items())[:50]),
        dict(list(event["Endpoints"].items())[50:]),
    ):
        invoke({**event, "Endpoints": batch}, channel=channel)
    assert len(queued(sqs, url)) == 60

    provider.requests.clear()
    provider.responder = lambda r: Reply(202)
    for name, value in environment(provider).items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert main(["resend", "--visibility-timeout", "30"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary == {
        "received": 60,
        "invalid": 0,
        "unverified": 0,
        "too_old": 0,
        "opted_out": 0,
        "endpoint_gone": 0,
        "address_changed": 0,
        "consent_unchecked": 0,
        "delivered": 60,
        "skipped": 0,
        "failed": 0,
        "unknown": 0,
        "unknown_kept": 0,
        "unknown_deleted": 0,
        "deleted": 60,
        "kept": 0,
    }
    # The same adapter sent the same personalised message, once per endpoint.
    assert sent_to(provider) == sorted(ep["Address"] for ep in event["Endpoints"].values())
    bodies = {json.loads(r.body)["to"]: json.loads(r.body)["text"] for r in provider.requests}
    assert bodies["+12065550007"] == "Hello Name7"
    assert queued(sqs, url) == []


def test_resend_keeps_what_fails_again_and_unknown_ones(aws, app, provider):
    sqs, url = aws
    provider.responder = lambda r: Reply(400)
    invoke(in_pinpoint(app, campaign_event(endpoints(3), "x")), channel=channel_for(provider, url))

    provider.responder = lambda r: (
        Reply(reset=True) if json.loads(r.body)["to"].endswith("2") else Reply(400)
    )
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    report = resend(settings, FailureQueue(url), AT_ONCE)
    assert report.as_dict() == {
        "received": 3,
        "invalid": 0,
        "unverified": 0,
        "too_old": 0,
        "opted_out": 0,
        "endpoint_gone": 0,
        "address_changed": 0,
        "consent_unchecked": 0,
        "delivered": 0,
        "skipped": 0,
        "failed": 2,
        "unknown": 1,
        "unknown_kept": 1,
        "unknown_deleted": 0,
        "deleted": 0,
        "kept": 3,
    }
    assert report.failed_again == 2
    # Nothing queued twice; ep-2's message now says unknown, so no pass sends it again.
    messages = {m["endpoint_id"]: m for m in queued(sqs, url)}
    assert sorted(messages) == ["ep-0", "ep-1", "ep-2"]
    assert messages["ep-2"]["outcome"]["status"] == "unknown"

    provider.requests.clear()
    report = resend(settings, FailureQueue(url), replace(AT_ONCE, delete_failed=True))
    assert (report.deleted, report.kept, report.unknown_kept) == (2, 1, 1)
    assert sorted(sent_to(provider)) == ["+12065550000", "+12065550001"]
    assert [m["endpoint_id"] for m in queued(sqs, url)] == ["ep-2"]


def test_resend_with_idempotency_sends_nothing_already_delivered(aws, app, provider):
    sqs, url = aws
    table = {"CHANNEL_IDEMPOTENCY_TABLE": TABLE}
    provider.responder = lambda r: Reply(503)
    event = in_pinpoint(app, campaign_event(endpoints(2), "x"))
    invoke(event, channel=channel_for(provider, url, **table))
    assert len(queued(sqs, url)) == 2

    # Pinpoint's own retry delivered ep-0 meanwhile.
    provider.responder = lambda r: Reply(202)
    invoke(
        {**event, "Endpoints": {"ep-0": event["Endpoints"]["ep-0"]}},
        channel=channel_for(provider, url, **table),
    )
    provider.requests.clear()

    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url, **table))
    report = resend(settings, FailureQueue(url), AT_ONCE)
    assert (report.statuses["delivered"], report.deleted, report.kept) == (2, 2, 0)
    assert sent_to(provider) == ["+12065550001"]


def test_resend_sends_an_endpoint_queued_twice_once(aws, app, provider):
    _, url = aws
    provider.responder = lambda r: Reply(503)
    event = in_pinpoint(app, campaign_event(endpoints(1), "x"))
    channel = channel_for(provider, url)
    invoke(event, channel=channel)
    invoke(event, channel=channel)  # Pinpoint retried the invocation: queued again
    provider.requests.clear()
    provider.responder = lambda r: Reply(202)
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    report = resend(settings, FailureQueue(url), AT_ONCE)
    assert (report.received, report.deleted) == (2, 2)
    assert len(provider.requests) == 1


def test_resend_keeps_a_message_it_does_not_understand(aws, provider):
    sqs, url = aws
    sqs.send_message(QueueUrl=url, MessageBody="not json")
    sqs.send_message(QueueUrl=url, MessageBody='{"version": 9}')
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    report = resend(settings, FailureQueue(url), AT_ONCE)
    assert (report.received, report.invalid, report.kept) == (2, 2, 2)
    assert provider.requests == []


def test_resend_stops_at_max_messages(aws, app, provider):
    sqs, url = aws
    provider.responder = lambda r: Reply(503)
    invoke(in_pinpoint(app, campaign_event(endpoints(15), "x")), channel=channel_for(provider, url))
    provider.responder = lambda r: Reply(202)
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    report = resend(settings, FailureQueue(url), replace(AT_ONCE, max_messages=4))
    assert (report.received, report.deleted) == (4, 4)
    assert len(queued(sqs, url)) == 11


def test_an_unreachable_queue_costs_no_answer(provider, capsys):
    with mock_aws():
        url = "https://sqs.us-east-1.amazonaws.com/123456789012/missing"
        provider.responder = lambda r: Reply(400)
        result = invoke(campaign_event(endpoints(2), "x"), channel=channel_for(provider, url))
    assert set(statuses(result.response).values()) == {"failed"}
    lines = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]
    lost = [line for line in lines if line["message"] == "failed delivery not queued"]
    assert sorted(line["endpoint_id_hash"] for line in lost) == sorted(
        logs.endpoint_fields(endpoint_id)["endpoint_id_hash"] for endpoint_id in ("ep-0", "ep-1")
    )
    assert {line["error"] for line in lost} == {"AWS.SimpleQueueService.NonExistentQueue"}


def test_a_message_too_large_for_sqs_is_logged_not_sent(aws, provider, capsys):
    sqs, url = aws
    provider.responder = lambda r: Reply(400)
    source = endpoints(2)
    source["ep-1"]["Attributes"]["Notes"] = ["x" * MAX_BATCH_BYTES]
    event = campaign_event(source, "{{Attributes.Notes | none}}")  # kept: the Data names it
    invoke(event, channel=channel_for(provider, url))
    assert [m["endpoint_id"] for m in queued(sqs, url)] == ["ep-0"]
    lines = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]
    assert {**logs.endpoint_fields("ep-1"), "error": "MessageTooLarge"}.items() <= next(
        line for line in lines if line["message"] == "failed delivery not queued"
    ).items()


def test_messages_are_batched_within_sqs_limits():
    sent: list[list[dict]] = []

    class Recorder:
        def send_message_batch(self, QueueUrl: str, Entries: list[dict]) -> dict:
            sent.append(Entries)
            return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}

    class Clients:
        def client(self, service: str) -> Recorder:
            return Recorder()

    queue = FailureQueue("https://sqs.us-east-1.amazonaws.com/123456789012/q", clients=Clients())
    big = "y" * 100_000
    deliveries = [
        FailedDelivery({}, f"ep-{i}", {"Address": big if i < 3 else "x"}, {}) for i in range(25)
    ]
    assert queue.put(deliveries) == 0
    assert sum(len(batch) for batch in sent) == 25
    for batch in sent:
        assert len(batch) <= 10
        assert sum(len(e["MessageBody"].encode()) for e in batch) <= MAX_BATCH_BYTES


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("not a url", "must be an SQS queue URL"),
        ("https://sqs.us-east-1.amazonaws.com/123/q", "must be an SQS queue URL"),
        ("https://sqs.us-east-1.amazonaws.com/123456789012/q.fifo", "must be a standard queue"),
    ],
)
def test_a_bad_queue_url_names_the_variable(value, problem):
    with pytest.raises(ConfigError, match=problem) as raised:
        load_settings({"CHANNEL_FAILURE_QUEUE_URL": value})
    assert raised.value.variable == "CHANNEL_FAILURE_QUEUE_URL"


def test_the_resend_command_explains_a_missing_queue(capsys):
    assert main(["resend"]) == 2
    assert "pass --queue-url or set CHANNEL_FAILURE_QUEUE_URL" in capsys.readouterr().err
    assert main(["resend", "--queue-url", "nope"]) == 2
    assert "CHANNEL_FAILURE_QUEUE_URL: must be an SQS queue URL" in capsys.readouterr().err


def test_resend_sends_a_final_failure_again_that_pinpoint_retries_would_not(aws, app, provider):
    sqs, url = aws
    table = {"CHANNEL_IDEMPOTENCY_TABLE": TABLE}
    provider.responder = lambda r: Reply(401)  # a wrong credential: final for the handler
    event = in_pinpoint(app, campaign_event(endpoints(2), "x"))
    channel = channel_for(provider, url, **table)
    invoke(event, channel=channel)
    again = invoke(event, channel=channel)  # a repeated invocation does not send it again
    assert again.response["ep-0"]["EventAttributes"]["reason"].startswith("already failed")
    assert len(provider.requests) == 2

    provider.requests.clear()
    provider.responder = lambda r: Reply(202)  # the credential is fixed
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url, **table))
    report = resend(settings, FailureQueue(url), AT_ONCE)
    assert (report.statuses["delivered"], report.deleted, report.kept) == (4, 4, 0)
    assert sent_to(provider) == ["+12065550000", "+12065550001"]
    assert queued(sqs, url) == []


def test_queued_bodies_are_ascii_so_sqs_takes_them():
    """SQS rejects some characters (U+FFFE, most control characters); the landed code wrote
    bodies with ensure_ascii=False."""
    endpoint = {"ChannelType": "SMS", "Address": "+12065550000", "Attributes": {"N": ["\ufffe é"]}}
    delivery = FailedDelivery({"Data": "Grüße {{Attributes.N}}"}, "ep-0", endpoint, {})
    body = delivery.to_body()
    assert body.isascii()
    assert FailedDelivery.from_body(body).endpoint == endpoint


def test_a_forged_or_unsigned_message_is_kept_and_never_sent(aws, provider):
    """Anyone who can send to the queue could have written it: resend verifies first."""
    sqs, url = aws
    forged = FailedDelivery(
        {"ApplicationId": "app", "CampaignId": "c", "TreatmentId": "0", "Data": "Pay here"},
        "ep-0",
        {"ChannelType": "SMS", "Address": "+12065550000"},
        {"status": "failed"},
    )
    sqs.send_message(QueueUrl=url, MessageBody=forged.to_body())  # unsigned
    sqs.send_message(QueueUrl=url, MessageBody=forged.to_body("a guessed secret"))
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    report = resend(settings, FailureQueue(url), AT_ONCE)
    assert (report.received, report.unverified, report.kept) == (2, 2, 2)
    assert provider.requests == []
    # This channel has a provider secret: it signs every message it queues, so even
    # --accept-unsigned sends neither (the landed code sent the unsigned one).
    report = resend(settings, FailureQueue(url), replace(AT_ONCE, accept_unsigned=True))
    assert (report.unverified, report.kept) == (2, 2)
    assert provider.requests == []


def test_accept_unsigned_sends_only_what_could_not_be_signed(aws, app, provider):
    """A 0.1.x message (version 1, never signed), and the messages of a channel without a
    provider secret; never an unsigned version-2 message of a channel that signs."""
    sqs, url = aws
    context = {"ApplicationId": app, "CampaignId": "c", "TreatmentId": "0", "Data": "Hi"}
    in_pinpoint(app, {"Endpoints": endpoints(2)})
    version_2 = FailedDelivery(
        context, "ep-0", {"ChannelType": "SMS", "Address": "+12065550000"}, {"status": "failed"}
    )
    version_1 = json.loads(
        FailedDelivery(
            context, "ep-1", {"ChannelType": "SMS", "Address": "+12065550001"}, {"status": "failed"}
        ).to_body()
    )
    version_1["version"] = 1
    sqs.send_message(QueueUrl=url, MessageBody=version_2.to_body())
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(version_1))
    signing = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    report = resend(signing, FailureQueue(url), replace(AT_ONCE, accept_unsigned=True))
    assert (report.unverified, report.statuses["delivered"]) == (1, 1)
    assert sent_to(provider) == ["+12065550001"]
    provider.requests.clear()
    unsigned = {**environment(provider, CHANNEL_FAILURE_QUEUE_URL=url)}
    del unsigned["CHANNEL_SECRET_ID"]
    report = resend(
        load_settings(unsigned), FailureQueue(url), replace(AT_ONCE, accept_unsigned=True)
    )
    assert report.statuses["delivered"] == 1
    assert sent_to(provider) == ["+12065550000"]


def test_resend_leaves_unknown_messages_unsent_unless_asked(aws, app, provider):
    _, url = aws
    provider.responder = lambda r: Reply(reset=True)  # read, maybe acted on: unknown
    invoke(in_pinpoint(app, campaign_event(endpoints(2), "x")), channel=channel_for(provider, url))
    provider.requests.clear()
    provider.responder = lambda r: Reply(202)
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    report = resend(settings, FailureQueue(url), AT_ONCE)
    assert (report.unknown_kept, report.kept, report.failed_again) == (2, 2, 0)
    assert provider.requests == []
    report = resend(settings, FailureQueue(url), replace(AT_ONCE, include_unknown=True))
    assert (report.statuses["delivered"], report.deleted) == (2, 2)
    assert len(provider.requests) == 2


def test_resend_drops_unknown_messages_when_asked(aws, provider):
    sqs, url = aws
    provider.responder = lambda r: Reply(reset=True)
    invoke(campaign_event(endpoints(1), "x"), channel=channel_for(provider, url))
    provider.requests.clear()
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    report = resend(settings, FailureQueue(url), replace(AT_ONCE, delete_unknown=True))
    assert (report.unknown_deleted, report.deleted) == (1, 1)
    assert queued(sqs, url) == []
    assert provider.requests == []


def test_resend_refuses_messages_older_than_the_age_limit(aws, provider):
    _, url = aws
    provider.responder = lambda r: Reply(503)
    invoke(campaign_event(endpoints(1), "x"), channel=channel_for(provider, url))
    provider.requests.clear()
    provider.responder = lambda r: Reply(202)
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    import time as clock

    two_days_later = clock.time() + 48 * 3600
    report = resend(settings, FailureQueue(url), AT_ONCE, now=two_days_later)
    assert (report.too_old, report.kept) == (1, 1)
    assert provider.requests == []


def test_resend_asks_pinpoint_for_the_endpoints_consent_now(aws, app, provider):
    """Someone who opted out (or whose endpoint went inactive or was deleted) since the
    message was queued must not be messaged: the local AWS's Pinpoint answers GetEndpoint."""
    sqs, url = aws
    provider.responder = lambda r: Reply(503)
    event = in_pinpoint(app, campaign_event(endpoints(4), "x"))
    invoke(event, channel=channel_for(provider, url))
    provider.requests.clear()
    provider.responder = lambda r: Reply(202)
    pinpoint = boto3.client("pinpoint")
    pinpoint.update_endpoint(
        ApplicationId=app, EndpointId="ep-0", EndpointRequest={"OptOut": "ALL"}
    )
    pinpoint.delete_endpoint(ApplicationId=app, EndpointId="ep-1")
    pinpoint.update_endpoint(
        ApplicationId=app, EndpointId="ep-3", EndpointRequest={"EndpointStatus": "INACTIVE"}
    )
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    report = resend(settings, FailureQueue(url), AT_ONCE)
    assert (report.opted_out, report.endpoint_gone, report.statuses["delivered"]) == (2, 1, 1)
    assert sent_to(provider) == ["+12065550002"]
    assert queued(sqs, url) == []


def test_resend_against_an_application_it_cannot_see_keeps_every_message(aws, app, provider):
    """Before: GetEndpoint's NotFoundException read as "the endpoint was deleted", so resend
    run in the wrong region or account (where the application is not) deleted every Pinpoint
    message of the queue, unsent. An endpoint is gone only when its application is there."""
    sqs, url = aws
    provider.responder = lambda r: Reply(503)
    invoke(in_pinpoint(app, campaign_event(endpoints(3), "x")), channel=channel_for(provider, url))
    provider.requests.clear()
    provider.responder = lambda r: Reply(202)
    boto3.client("pinpoint").delete_app(ApplicationId=app)
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    report = resend(settings, FailureQueue(url), AT_ONCE)
    assert (report.endpoint_gone, report.consent_unchecked, report.kept) == (0, 3, 3)
    assert provider.requests == []
    assert len(queued(sqs, url)) == 3


FAULTS = {
    "ep-0": ("TooManyRequestsException", 429),  # throttled
    "ep-1": ("InternalServerErrorException", 500),
    "ep-2": ("AccessDeniedException", 403),  # the operator's role may not call GetEndpoint
}


def test_a_consent_check_that_fails_keeps_the_message_and_the_checks_go_on(
    aws, app, provider, monkeypatch, capsys
):
    """Issue #20, item 2: one throttled or failed GetEndpoint turned the check off for the
    rest of the pass, so that message and every later one were sent unchecked (ep-3 opted out
    since). Each failed check keeps its message, counted and named once in the log, and the
    pass goes on checking; the command exits 1 (AWS throttling or failing: run it again)."""
    sqs, url = aws
    provider.responder = lambda r: Reply(503)
    invoke(in_pinpoint(app, campaign_event(endpoints(5), "x")), channel=channel_for(provider, url))
    provider.requests.clear()
    provider.responder = lambda r: Reply(202)
    for endpoint_id, (code, status) in FAULTS.items():
        local_pinpoint.fail_get_endpoint(app, endpoint_id, code, status)
    boto3.client("pinpoint").update_endpoint(
        ApplicationId=app, EndpointId="ep-3", EndpointRequest={"OptOut": "ALL"}
    )
    for name, value in environment(provider).items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    code = main(["resend", "--visibility-timeout", "0"])
    captured = capsys.readouterr()
    assert sent_to(provider) == ["+12065550004"]
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert (summary["consent_unchecked"], summary["opted_out"], summary["delivered"]) == (3, 1, 1)
    assert (summary["kept"], summary["deleted"]) == (3, 2)
    assert sorted(m["endpoint_id"] for m in queued(sqs, url)) == ["ep-0", "ep-1", "ep-2"]
    assert code == 1
    warning = next(
        json.loads(line)
        for line in captured.err.splitlines()
        if line.startswith("{") and "consent not checked" in line
    )
    assert warning["errors"] == {code: 1 for code, _ in FAULTS.values()}

    # Once GetEndpoint answers, the kept messages are checked and sent.
    local_pinpoint.clear_faults()
    provider.requests.clear()
    assert main(["resend", "--visibility-timeout", "0"]) == 0
    assert sent_to(provider) == ["+12065550000", "+12065550001", "+12065550002"]
    assert queued(sqs, url) == []


def test_no_check_endpoints_is_the_explicit_way_to_send_without_a_check(aws, app, provider):
    """The operator's flag sends what could not be checked, without asking GetEndpoint."""
    _, url = aws
    provider.responder = lambda r: Reply(503)
    invoke(in_pinpoint(app, campaign_event(endpoints(3), "x")), channel=channel_for(provider, url))
    provider.requests.clear()
    provider.responder = lambda r: Reply(202)
    for endpoint_id, (code, status) in FAULTS.items():
        local_pinpoint.fail_get_endpoint(app, endpoint_id, code, status)
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    report = resend(settings, FailureQueue(url), replace(AT_ONCE, check_endpoints=False))
    assert sent_to(provider) == ["+12065550000", "+12065550001", "+12065550002"]
    assert (report.statuses["delivered"], report.deleted, report.kept) == (3, 3, 0)


def test_resend_never_sends_to_an_address_or_channel_changed_since(aws, app, provider):
    """Issue #20, item 2: the queued address was never compared with Pinpoint's current one,
    so a number given up since (and perhaps someone else's now) was messaged. An endpoint
    whose Address or ChannelType changed is not sent to; its message is deleted, as for one
    deleted since (the message as queued has no recipient any more)."""
    sqs, url = aws
    provider.responder = lambda r: Reply(503)
    invoke(in_pinpoint(app, campaign_event(endpoints(3), "x")), channel=channel_for(provider, url))
    provider.requests.clear()
    provider.responder = lambda r: Reply(202)
    pinpoint = boto3.client("pinpoint")
    pinpoint.update_endpoint(
        ApplicationId=app, EndpointId="ep-0", EndpointRequest={"Address": "+12065559999"}
    )
    pinpoint.update_endpoint(
        ApplicationId=app, EndpointId="ep-1", EndpointRequest={"ChannelType": "VOICE"}
    )
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    report = resend(settings, FailureQueue(url), AT_ONCE)
    assert sent_to(provider) == ["+12065550002"]
    assert (report.address_changed, report.statuses["delivered"], report.deleted) == (2, 1, 3)
    assert queued(sqs, url) == []


def test_an_unreachable_pinpoint_is_asked_once_and_every_message_kept(
    aws, app, provider, monkeypatch
):
    """A connection reset (no answer at all) is botocore's ConnectionClosedError, retried
    3 times: the first message is kept after those attempts, and the rest are kept without
    asking again (each attempt may hang up to the read timeout, past the visibility
    timeout of the messages still to be worked on)."""
    from emulator.provider_server import ProviderServer

    sqs, url = aws
    provider.responder = lambda r: Reply(503)
    invoke(in_pinpoint(app, campaign_event(endpoints(3), "x")), channel=channel_for(provider, url))
    provider.requests.clear()
    provider.responder = lambda r: Reply(202)
    settings = load_settings(environment(provider, CHANNEL_FAILURE_QUEUE_URL=url))
    with ProviderServer(lambda r: Reply(reset=True)) as pinpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_PINPOINT", pinpoint.url)
        report = resend(settings, FailureQueue(url), AT_ONCE)
        asked = len(pinpoint.requests)
    assert provider.requests == []
    assert (report.consent_unchecked, report.kept) == (3, 3)
    assert asked == 3  # one message's attempts (OPERATOR_ATTEMPTS), not one per message
    assert report.check_errors == {"ConnectionClosedError": 3}
    assert len(queued(sqs, url)) == 3
