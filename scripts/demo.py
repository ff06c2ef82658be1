"""`make demo`: a 1,000-endpoint campaign through the handler, on this machine, no account.

What is real: the handler package, its HTTP delivery through a real local server standing in
for a provider, the Secrets Manager and CloudWatch API calls (served by a local moto server).
What is emulated: Pinpoint itself (this script cuts the segment into batches of at most 50
and builds each event in the guide's shape), the provider, and AWS (moto on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "handler"), str(ROOT)]

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

from custom_channel.channel import Channel  # noqa: E402
from custom_channel.config import load_settings  # noqa: E402
from custom_channel.local import invoke  # noqa: E402
from custom_channel.metrics import DELIVERY_METRICS, GUIDE_METRICS, RETRY_METRIC  # noqa: E402
from scripts.provider_server import ProviderServer, Received, Reply  # noqa: E402
from scripts.segments import batches, campaign_event, synthetic_endpoints  # noqa: E402

APPLICATION_ID = "3a9b1f4e6c764ba7b031e7183example"
CAMPAIGN_ID = "13978104ce5d6017c72552257example"
DATA = "Hello {{Attributes.FirstName | there}}, your cohort {{Attributes.CohortId}} offer is live."
BODY_TEMPLATE = '{"to": "{{Address}}", "channel": "{{ChannelType}}", "text": "{{Data}}"}'
LOG_FILE = ROOT / ".build" / "demo-handler-logs.jsonl"


class DemoProvider:
    """Answers like a busy provider: some latency, a few transient 503s, a few rejections."""

    def __init__(self, latency: float, seed: int = 11) -> None:
        self.latency = latency
        self._rng = random.Random(seed)  # noqa: S311 - demo faults
        self._seen: set[str] = set()

    def __call__(self, request: Received) -> Reply:
        payload = json.loads(request.body)
        recipient = payload.get("to", "")
        first_time = recipient not in self._seen
        self._seen.add(recipient)
        if recipient.endswith("13"):  # the provider rejects these recipients
            return Reply(400, b'{"error":"invalid recipient"}', delay=self.latency)
        if first_time and self._rng.random() < 0.05:
            return Reply(503, b'{"error":"busy"}', delay=self.latency)
        return Reply(202, b'{"queued":true}', delay=self.latency)


def run(endpoint_count: int, latency: float) -> int:
    started = time.monotonic()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "demo",
            "AWS_SECRET_ACCESS_KEY": "demo",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    provider = ProviderServer(DemoProvider(latency)).start()
    try:
        print(f"local AWS (moto) on {host}:{port}; provider on {provider.url}")
        secret_arn = boto3.client("secretsmanager").create_secret(
            Name="demo/provider-credentials", SecretString=json.dumps({"api_key": "demo-key"})
        )["ARN"]
        channel = Channel(
            load_settings(
                {
                    "CHANNEL_ADAPTER": "http",
                    "CHANNEL_HTTP_URL": f"{provider.url}/v1/messages",
                    "CHANNEL_HTTP_HEADERS": json.dumps(
                        {"Authorization": "Bearer {{Secret.api_key}}"}
                    ),
                    "CHANNEL_HTTP_BODY_TEMPLATE": BODY_TEMPLATE,
                    "CHANNEL_HTTP_SUCCESS_CODES": "200-202",
                    "CHANNEL_SECRET_ID": secret_arn,
                    "CHANNEL_METRICS_MODE": "api",
                }
            )
        )
        endpoints = synthetic_endpoints(endpoint_count)
        results, invocations = deliver(channel, endpoints)
        channel.close()
        report(endpoints, results, invocations, provider, time.monotonic() - started)
        return 0 if len(results) == len(endpoints) else 1
    finally:
        provider.stop()
        moto.stop()


def deliver(
    channel: Channel, endpoints: dict[str, Any]
) -> tuple[dict[str, dict[str, str]], list[float]]:
    results: dict[str, dict[str, str]] = {}
    durations: list[float] = []
    all_batches = list(batches(endpoints))
    LOG_FILE.parent.mkdir(exist_ok=True)
    with LOG_FILE.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        for number, batch in enumerate(all_batches, start=1):
            event = campaign_event(
                batch, DATA, application_id=APPLICATION_ID, campaign_id=CAMPAIGN_ID
            )
            invocation = invoke(event, channel=channel)
            durations.append(invocation.duration_ms)
            for endpoint_id, answer in invocation.response.items():
                results[endpoint_id] = answer["EventAttributes"]
            if number % 5 == 0 or number == len(all_batches):
                sys.__stdout__.write(f"  batch {number}/{len(all_batches)} done\n")
    return results, durations


def report(
    endpoints: dict[str, Any],
    results: dict[str, dict[str, str]],
    durations: list[float],
    provider: ProviderServer,
    elapsed: float,
) -> None:
    by_channel: dict[str, Counter[str]] = {}
    for endpoint_id, endpoint in endpoints.items():
        status = results.get(endpoint_id, {}).get("status", "UNACCOUNTED")
        by_channel.setdefault(endpoint["ChannelType"], Counter())[status] += 1
    statuses = ("delivered", "failed", "unknown", "skipped")
    print(f"\nCampaign {CAMPAIGN_ID}: {len(endpoints)} endpoints in {len(durations)} invocations")
    print(f"{'channel':<10}" + "".join(f"{name:>11}" for name in (*statuses, "total")))
    totals: Counter[str] = Counter()
    for channel_type in sorted(by_channel):
        counts = by_channel[channel_type]
        totals.update(counts)
        row = "".join(f"{counts[name]:>11}" for name in statuses)
        print(f"{channel_type:<10}{row}{sum(counts.values()):>11}")
    row = "".join(f"{totals[name]:>11}" for name in statuses)
    print(f"{'all':<10}{row}{len(results):>11}")
    reasons = Counter(
        answer.get("reason", "") for answer in results.values() if answer["status"] != "delivered"
    )
    print("\nWhy not delivered:")
    for reason, count in reasons.most_common():
        print(f"  {count:>5}  {reason}")
    attempts = sum(int(answer.get("attempts", "0")) for answer in results.values())
    print(
        f"\nProvider received {len(provider.requests)} requests ({attempts} attempts reported), "
        f"at most {provider.max_in_flight} in flight at once"
    )
    durations.sort()
    print(
        f"Invocation time: median {durations[len(durations) // 2]:.0f} ms, "
        f"max {durations[-1]:.0f} ms; whole run {elapsed:.1f} s"
    )
    print("\nCloudWatch metrics read back from the local AWS")
    print(f"  namespace PinpointCustomChannelExecution, CampaignId={CAMPAIGN_ID},")
    print(f"  ApplicationId={APPLICATION_ID}:")
    client = boto3.client("cloudwatch")
    now = dt.datetime.now(dt.UTC)
    names = (*GUIDE_METRICS, *DELIVERY_METRICS.values(), RETRY_METRIC)
    for name in names:
        points = client.get_metric_statistics(
            Namespace="PinpointCustomChannelExecution",
            MetricName=name,
            Dimensions=[
                {"Name": "CampaignId", "Value": CAMPAIGN_ID},
                {"Name": "ApplicationId", "Value": APPLICATION_ID},
            ],
            StartTime=now - dt.timedelta(hours=1),
            EndTime=now + dt.timedelta(minutes=5),
            Period=3600,
            Statistics=["Sum"],
        )["Datapoints"]
        print(f"  {name:<15} {sum(point['Sum'] for point in points):>8.0f}")
    print(f"\nHandler logs (JSON lines): {LOG_FILE.relative_to(ROOT)}")
    unaccounted = len(endpoints) - len(results)
    print("Every endpoint accounted for." if unaccounted == 0 else f"{unaccounted} UNACCOUNTED")


def main() -> int:
    parser = argparse.ArgumentParser(description="Run a local custom-channel campaign.")
    parser.add_argument("--endpoints", type=int, default=1000, help="segment size (1000)")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="provider latency in seconds (0.05)"
    )
    args = parser.parse_args()
    try:
        return run(args.endpoints, args.latency)
    except KeyboardInterrupt:
        print("\ninterrupted; local servers stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
