"""The provider stand-in's delivery receipts: Twilio's status callbacks and the generic HTTP
provider's signed JSON receipts, posted to a real local HTTP server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from urllib.parse import parse_qs

import pytest
import requests

from emulator.provider_server import (
    LANDLINE,
    OPTED_OUT,
    UNKNOWN_DESTINATION,
    UNREACHABLE,
    GenericReceipts,
    Outcome,
    ProviderServer,
    Received,
    Reply,
    TwilioMessages,
    channel_signature,
    redirect_to,
    twilio_signature,
)

SID = "AC" + "a1" * 16
TOKEN = "f" * 32
RECEIPTS_KEY = "k" * 40
WAIT = 30.0  # generous: the callbacks come from a background thread
REF = "n0nce.c2FtcGxl-ref_~x"


def expected_twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's algorithm, written again from its documentation ("Security", validating
    requests: https://www.twilio.com/docs/usage/security#validating-requests): take the full
    URL of the request, query string and all; sort the POST parameters alphabetically by
    name; append each name and its value with no delimiters; sign with HMAC-SHA1 keyed by the
    auth token; Base64-encode the result."""
    text = url
    for name in sorted(params):
        text += name + params[name]
    mac = hmac.new(auth_token.encode(), text.encode(), "sha1")
    return base64.b64encode(mac.digest()).decode()


# Twilio's worked example (the "Security" page: auth token 12345, a POST to
# https://mycompany.com/myapp.php?foo=1&bar=2) and the same example as twilio-php's own
# documentation gives it ("Validate Incoming Requests", other caller number), with the
# signatures Twilio publishes for them.
TWILIO_EXAMPLES = [
    ("+12349013030", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
    ("+14158675309", "RSOYDt4T1cUTdK1PDd93/VVr8B8="),
]


@pytest.mark.parametrize(("caller", "published"), TWILIO_EXAMPLES)
def test_the_signature_is_twilios_on_its_documented_examples(caller: str, published: str) -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": caller,
        "Digits": "1234",
        "From": caller,
        "To": "+18005551212",
    }
    assert expected_twilio_signature("12345", url, params) == published
    assert twilio_signature("12345", url, params) == published
    # The query string is signed: the same request without it does not verify.
    assert twilio_signature("12345", url.split("?", maxsplit=1)[0], params) != published


class Receiver:
    """A real HTTP server on 127.0.0.1 taking callbacks; `hold` keeps each answer until set."""

    def __init__(self, status: int = 204) -> None:
        self.hold = threading.Event()
        self.hold.set()
        self.status = status
        self.server = ProviderServer(self._answer)

    def _answer(self, _request: Received) -> Reply:
        self.hold.wait(WAIT)
        return Reply(self.status, b"", {})

    def wait_for(self, count: int) -> list[Received]:
        give_up_at = time.monotonic() + WAIT
        while len(self.server.requests) < count and time.monotonic() < give_up_at:
            time.sleep(0.01)
        return list(self.server.requests)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    taker = Receiver()
    with taker.server:
        yield taker
    taker.hold.set()


def send(api: ProviderServer, form: dict[str, str]) -> requests.Response:
    auth = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    return requests.post(
        f"{api.url}/2010-04-01/Accounts/{SID}/Messages.json",
        data=form,
        headers={"Authorization": auth},
        timeout=WAIT,
    )


def form_of(request: Received) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(request.body.decode()).items()}


def test_a_message_with_a_status_callback_gets_sent_then_delivered(receiver: Receiver) -> None:
    twilio = TwilioMessages(SID, TOKEN, callback_delay=0.0)
    callback_url = f"{receiver.server.url}/receipts?ref={REF}"
    with ProviderServer(twilio) as api:
        answer = send(
            api,
            {
                "To": "+12065550141",
                "From": "+15555550100",
                "Body": "Hi",
                "StatusCallback": callback_url,
            },
        )
        assert answer.status_code == 201
        sid = answer.json()["sid"]
        posted = receiver.wait_for(2)
    twilio.close()
    assert len(posted) == 2
    for request, status in zip(posted, ("sent", "delivered"), strict=True):
        assert request.method == "POST"
        assert request.path == f"/receipts?ref={REF}"  # the URL exactly as given
        assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        form = form_of(request)
        assert form == {
            "AccountSid": SID,
            "ApiVersion": "2010-04-01",
            "From": "+15555550100",
            "MessageSid": sid,
            "MessageStatus": status,
            "SmsSid": sid,
            "SmsStatus": status,
            "To": "+12065550141",
        }
        signature = request.headers["X-Twilio-Signature"]
        assert signature == expected_twilio_signature(TOKEN, callback_url, form)
        assert signature != expected_twilio_signature("0" * 32, callback_url, form)
    records = twilio.callbacks
    assert [record.message_status for record in records] == ["sent", "delivered"]
    assert [(record.status, record.error) for record in records] == [(204, ""), (204, "")]


@pytest.mark.parametrize(
    ("outcome", "status", "code"),
    [
        (UNREACHABLE, "undelivered", "30003"),
        (UNKNOWN_DESTINATION, "undelivered", "30005"),
        (LANDLINE, "undelivered", "30006"),
        (OPTED_OUT, "failed", "21610"),
    ],
)
def test_configured_numbers_end_undelivered_or_failed_with_their_error_code(
    receiver: Receiver, outcome: Outcome, status: str, code: str
) -> None:
    bad, good = "+12065550199", "+12065550141"
    twilio = TwilioMessages(SID, TOKEN, outcomes={bad: outcome}, callback_delay=0.0)
    callback_url = f"{receiver.server.url}/receipts?ref={REF}"
    with ProviderServer(twilio) as api:
        for to in (bad, good):
            assert send(api, {"To": to, "Body": "Hi", "StatusCallback": callback_url}).ok
        posted = receiver.wait_for(4)
    twilio.close()
    finals = {form_of(r)["To"]: form_of(r) for r in posted if form_of(r)["MessageStatus"] != "sent"}
    assert finals[bad]["MessageStatus"] == status
    assert finals[bad]["ErrorCode"] == code
    assert finals[good]["MessageStatus"] == "delivered"
    assert "ErrorCode" not in finals[good]
    sent = [form_of(r) for r in posted if form_of(r)["MessageStatus"] == "sent"]
    assert len(sent) == 2
    assert all("ErrorCode" not in form for form in sent)
    for request in posted:  # the ErrorCode is signed with the rest
        assert request.headers["X-Twilio-Signature"] == expected_twilio_signature(
            TOKEN, callback_url, form_of(request)
        )


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (21610, "Attempt to send to unsubscribed recipient"),
        (21211, "Invalid 'To' Phone Number"),
        (21614, "'To' number is not a valid mobile number"),
    ],
)
def test_configured_numbers_are_refused_by_the_api_and_get_no_callback(
    receiver: Receiver, code: int, message: str
) -> None:
    refused = "+12065550100"
    twilio = TwilioMessages(SID, TOKEN, api_errors={refused: code}, callback_delay=0.0)
    callback_url = f"{receiver.server.url}/receipts?ref={REF}"
    with ProviderServer(twilio) as api:
        answer = send(api, {"To": refused, "Body": "Hi", "StatusCallback": callback_url})
        taken = send(api, {"To": "+12065550141", "Body": "Hi", "StatusCallback": callback_url})
        assert taken.status_code == 201
        posted = receiver.wait_for(2)
        assert twilio.sender.wait_idle(WAIT)
    twilio.close()
    assert answer.status_code == 400
    assert answer.json() == {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": 400,
    }
    assert [form_of(r)["To"] for r in posted] == ["+12065550141"] * 2  # none for the refused
    assert [form["To"] for form in twilio.messages] == ["+12065550141"]


def test_unknown_api_error_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="30003"):
        TwilioMessages(SID, TOKEN, api_errors={"+12065550100": 30003})
    with pytest.raises(ValueError, match="error code"):
        Outcome("undelivered")


def test_no_status_callback_no_callbacks(receiver: Receiver) -> None:
    twilio = TwilioMessages(SID, TOKEN, callback_delay=0.0)
    with ProviderServer(twilio) as api:
        assert send(api, {"To": "+12065550141", "Body": "Hi"}).status_code == 201
    assert twilio.sender.wait_idle(WAIT)
    twilio.close()
    assert twilio.callbacks == []
    assert receiver.server.requests == []


def test_the_api_answers_before_any_callback_and_callbacks_wait_the_delay(
    receiver: Receiver,
) -> None:
    # The receiver holds its answers until released: were a callback posted inside the API
    # request, the API's answer would wait for it.
    receiver.hold.clear()
    delay = 0.3
    twilio = TwilioMessages(SID, TOKEN, callback_delay=delay)
    callback_url = f"{receiver.server.url}/receipts?ref={REF}"
    with ProviderServer(twilio) as api:
        before = time.monotonic()
        answer = send(api, {"To": "+12065550141", "Body": "Hi", "StatusCallback": callback_url})
        assert answer.status_code == 201
        assert twilio.callbacks == []  # none answered yet: the receiver holds them
        first = receiver.wait_for(1)
        receiver.hold.set()
        posted = receiver.wait_for(2)
    twilio.close()
    assert len(first) >= 1
    assert len(posted) == 2
    # Posted no sooner than the delay after the request left (a lower bound: never flaky).
    assert posted[0].arrived_at - before >= delay
    assert [form_of(r)["MessageStatus"] for r in posted] == ["sent", "delivered"]


def test_callbacks_twice_and_out_of_order_on_request(receiver: Receiver) -> None:
    twilio = TwilioMessages(
        SID, TOKEN, callback_delay=0.0, duplicate_callbacks=True, final_first=True
    )
    callback_url = f"{receiver.server.url}/receipts?ref={REF}"
    with ProviderServer(twilio) as api:
        sid = send(
            api, {"To": "+12065550141", "Body": "Hi", "StatusCallback": callback_url}
        ).json()["sid"]
        posted = receiver.wait_for(4)
    twilio.close()
    assert [form_of(r)["MessageStatus"] for r in posted] == [
        "delivered",
        "delivered",
        "sent",
        "sent",
    ]
    assert {form_of(r)["MessageSid"] for r in posted} == {sid}
    assert posted[0].body == posted[1].body  # a duplicate is the same callback again


def test_a_receiver_that_refuses_or_is_down_is_recorded() -> None:
    refusing = Receiver(status=403)
    down = ProviderServer().start()
    down_url = down.url
    down.stop()  # nothing listens there any more
    twilio = TwilioMessages(SID, TOKEN, callback_delay=0.0)
    with refusing.server, ProviderServer(twilio) as api:
        send(api, {"To": "+1206555014", "StatusCallback": f"{refusing.server.url}/r?ref=a"})
        send(api, {"To": "+1206555015", "StatusCallback": f"{down_url}/r?ref=b"})
        records = twilio.wait_for_callbacks(4, WAIT)
    twilio.close()
    answers = {(r.fields["To"], r.message_status): (r.status, r.error) for r in records}
    assert answers[("+1206555014", "sent")] == (403, "")
    assert answers[("+1206555014", "delivered")] == (403, "")
    status, error = answers[("+1206555015", "sent")]
    assert status is None
    assert error  # ConnectionError


def test_a_deployed_callback_url_is_redirected_to_the_local_server_and_signed_as_given(
    receiver: Receiver,
) -> None:
    deployed = f"https://abc123.execute-api.eu-west-1.amazonaws.com/receipts?ref={REF}"
    unredirected = TwilioMessages(SID, TOKEN, callback_delay=0.0)
    twilio = TwilioMessages(
        SID, TOKEN, callback_delay=0.0, deliver_to=redirect_to(receiver.server.url)
    )
    with ProviderServer(twilio) as api, ProviderServer(unredirected) as elsewhere:
        assert send(api, {"To": "+12065550141", "StatusCallback": deployed}).ok
        assert send(elsewhere, {"To": "+12065550141", "StatusCallback": deployed}).ok
        posted = receiver.wait_for(2)
        never = unredirected.wait_for_callbacks(2, WAIT)
    twilio.close()
    unredirected.close()
    assert [request.path for request in posted] == [f"/receipts?ref={REF}"] * 2
    for request in posted:
        assert request.headers["X-Twilio-Signature"] == expected_twilio_signature(
            TOKEN, deployed, form_of(request)
        )
    # Without a redirect, nothing leaves this machine: recorded, not posted.
    assert [(r.status, r.error) for r in never] == [(None, "not a loopback address")] * 2
    assert len(receiver.server.requests) == 2


# --- the generic HTTP provider's receipts ----------------------------------------------------


def expected_channel_signature(key: str, header: str, body: bytes) -> bool:
    """The receipts contract's check, written again: `t=<unix seconds>,v1=<hex>` where v1 is
    HMAC-SHA256(key, "<t>." + raw body)."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    mac = hmac.new(key.encode(), parts["t"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), parts["v1"])


def test_the_generic_provider_posts_signed_json_receipts(receiver: Receiver) -> None:
    undelivered = "+12065550199"

    def outcome(request: Received) -> Outcome:
        return UNREACHABLE if json.loads(request.body)["to"] == undelivered else Outcome()

    api_answer = Reply(200, b'{"id": "prov-42"}')
    provider = GenericReceipts(
        lambda _request: api_answer, RECEIPTS_KEY, outcome=outcome, delay=0.0
    )
    receipt_url = f"{receiver.server.url}/receipts"
    with ProviderServer(provider) as api:
        for to, ref in ((undelivered, "ref-1"), ("+12065550141", "ref-2")):
            answer = requests.post(
                f"{api.url}/send",
                json={"to": to},
                headers={"X-Channel-Receipt-Url": receipt_url, "X-Channel-Receipt-Ref": ref},
                timeout=WAIT,
            )
            assert answer.json() == {"id": "prov-42"}
        # A request without the headers gets no receipt.
        requests.post(f"{api.url}/send", json={"to": "+12065550142"}, timeout=WAIT)
        posted = receiver.wait_for(4)
        assert provider.sender.wait_idle(WAIT)
    provider.close()
    assert len(posted) == 4
    # Each message's callbacks in order; messages side by side (a stable sort by ref).
    bodies = sorted((json.loads(request.body) for request in posted), key=lambda b: b["ref"])
    assert bodies == [
        {"ref": "ref-1", "message_id": "prov-42", "status": "sent"},
        {"ref": "ref-1", "message_id": "prov-42", "status": "undelivered", "error_code": "30003"},
        {"ref": "ref-2", "message_id": "prov-42", "status": "sent"},
        {"ref": "ref-2", "message_id": "prov-42", "status": "delivered"},
    ]
    now = time.time()
    for request in posted:
        assert request.path == "/receipts"
        assert request.headers["Content-Type"] == "application/json"
        signature = request.headers["X-Channel-Signature"]
        assert expected_channel_signature(RECEIPTS_KEY, signature, request.body)
        assert not expected_channel_signature("x" * 40, signature, request.body)
        timestamp = int(dict(item.split("=", 1) for item in signature.split(","))["t"])
        assert abs(now - timestamp) < 3600


def test_a_generic_receipt_can_be_signed_in_the_past() -> None:
    provider = GenericReceipts(lambda _r: Reply(), RECEIPTS_KEY, clock=lambda: 1_000_000.0)
    receipt = provider.receipt("http://127.0.0.1:9/receipts", "ref", "m-1", "delivered", None)
    body = b'{"ref":"ref","message_id":"m-1","status":"delivered"}'
    assert receipt.body == body
    assert receipt.headers["X-Channel-Signature"] == channel_signature(
        RECEIPTS_KEY, 1_000_000, body
    )
    assert receipt.headers["X-Channel-Signature"].startswith("t=1000000,v1=")
    assert expected_channel_signature(RECEIPTS_KEY, receipt.headers["X-Channel-Signature"], body)
    provider.close()
