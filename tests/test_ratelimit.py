"""The per-container token bucket, alone on a fake clock and in front of a real server."""

from __future__ import annotations

import time

from custom_channel.channel import Channel
from custom_channel.config import load_settings
from custom_channel.operator.local import invoke
from custom_channel.ratelimit import TokenBucket
from emulator.provider_server import Reply
from emulator.segments import campaign_event


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_a_burst_of_one_seconds_worth_then_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(5, clock=clock, sleep=clock.sleep)
    assert all(bucket.acquire(0) for _ in range(5))
    assert not bucket.acquire(0.1)  # the next token comes after 0.2 s
    assert bucket.acquire(0.2)
    assert abs(clock.now - 100.2) < 1e-9
    started = clock.now
    for _ in range(10):
        assert bucket.acquire(10)
    assert abs((clock.now - started) - 2.0) < 1e-6


def test_the_limit_holds_against_a_real_server_and_every_endpoint_is_answered(provider):
    starts: list[float] = []

    def responder(request):
        starts.append(time.monotonic())
        return Reply(202)

    provider.responder = responder
    channel = Channel(
        load_settings(
            {
                "CHANNEL_ADAPTER": "http",
                "CHANNEL_HTTP_URL": f"{provider.url}/send",
                "CHANNEL_METRICS_MODE": "off",
                "CHANNEL_RATE_LIMIT_PER_SECOND": "10",
                "CHANNEL_DEADLINE_SECONDS": "2",
                "CHANNEL_SAFETY_MARGIN_MS": "200",
            }
        )
    )
    endpoints = {
        f"ep-{i}": {"ChannelType": "SMS", "Address": f"+1206555{i:04d}"} for i in range(40)
    }
    result = invoke(campaign_event(endpoints, "hi"), channel=channel)
    answers = [answer["EventAttributes"] for answer in result.response.values()]
    delivered = [a for a in answers if a["status"] == "delivered"]
    limited = [a for a in answers if a.get("reason") == "not sent: rate limit: no capacity in time"]
    # Every endpoint answered: delivered, or failed without a request (no capacity in time;
    # on a busy machine also "deadline reached" for one whose turn came too late), retryable.
    not_sent = [
        a for a in answers if a["status"] == "failed" and a["reason"].startswith("not sent: ")
    ]
    assert len(delivered) + len(not_sent) == 40
    assert len(delivered) == len(starts)
    # A burst of 10, then 10 per second for the rest of the 1.8 s budget: never more (how many
    # fewer depends on how busy the machine is, so the lower bound is the burst alone).
    assert 10 <= len(delivered) <= 10 + 18 + 1
    window = [t for t in starts if t - starts[0] < 1.0]
    assert len(window) <= 10 + 10 + 1
    assert limited


def test_an_abandoned_endpoint_takes_no_token():
    """The landed sender took a rate-limit token before it checked whether the deadline
    sweep had already answered the endpoint."""
    from concurrent.futures import ThreadPoolExecutor

    from custom_channel.adapters import ProviderRequest
    from custom_channel.deadline import Deadline
    from custom_channel.delivery import Sender, _Job, new_session

    bucket = TokenBucket(1)
    job = _Job("ep-0", ProviderRequest("POST", "http://127.0.0.1:9/"), "key")
    job.abandoned = True
    with ThreadPoolExecutor(1) as executor:
        sender = Sender(None, new_session(1), executor, 3, limiter=bucket)  # type: ignore[arg-type]
        outcome = sender._deliver(job, Deadline.after(5))
    assert outcome.reason == "not sent: deadline reached"
    assert bucket.acquire(0)  # the one token is still there
