"""demo/bench.py's parts, checked without timing anything: its floors send the very
requests the handler sends, its stand-in provider runs in its own process, and its billed
duration model computes what its docstring says."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from contextlib import redirect_stdout
from typing import Any

import boto3
import pytest
from moto import mock_aws

from custom_channel.channel import Channel
from custom_channel.config import load_settings
from demo import bench
from emulator.provider_server import ProviderProcess, ProviderServer, header
from emulator.segments import campaign_event


@pytest.fixture
def secrets() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        client.create_secret(
            Name="bench/twilio",
            SecretString=json.dumps(
                {"account_sid": bench.TWILIO_SID, "auth_token": bench.TWILIO_TOKEN}
            ),
        )
        client.create_secret(
            Name="bench/slack", SecretString=json.dumps({"bot_token": bench.SLACK_TOKEN})
        )
        yield client


@pytest.mark.parametrize("make", [bench.http_case, bench.twilio_case, bench.slack_case])
def test_the_floors_send_the_requests_the_handler_sends(make, secrets):
    case = make(4)
    with ProviderServer(lambda _request: case.reply) as server:
        env = {key: value.replace("{url}", server.url) for key, value in case.env.items()}
        channel = Channel(load_settings({"CHANNEL_METRICS_MODE": "off", **env}))
        try:
            answer = channel.handle(campaign_event(case.endpoints, bench.DATA), None)
        finally:
            channel.close()
    assert {value["EventAttributes"]["status"] for value in answer.values()} == {"delivered"}
    sent = sorted(server.requests, key=lambda request: request.body)
    wires = sorted(case.wires, key=lambda wire: wire.body)
    assert len(sent) == len(wires) == bench.BATCH
    for request, wire in zip(sent, wires, strict=True):
        assert (request.method, request.path, request.body) == (wire.method, wire.path, wire.body)
        for name, value in wire.headers.items():
            assert header(request, name) == value


def test_every_floor_sends_its_batch_to_a_provider_in_another_process():
    case = bench.http_case(1)
    with ProviderProcess(case.reply) as server:
        for make in bench.FLOORS.values():
            make(server.url, case.wires, False)()
    assert server.requests_received == len(bench.FLOORS) * bench.BATCH


def test_the_projection_is_the_stated_model():
    out = io.StringIO()
    with redirect_stdout(out):
        bench.bench_projection(70.0, "http, 50 workers", latency_ms=100.0, workers=50)
    rows = {
        int(line.split("|")[0]): [cell.strip() for cell in line.split("|")]
        for line in out.getvalue().splitlines()
        if line.strip()[:1].isdigit() and "|" in line
    }
    assert sorted(rows) == [128, 256, 512, 1769]
    # CPU-bound below ~1,238 MB: 70 ms / (256 / 1769) = 483.7 ms, billed 484 ms.
    assert rows[256][2] == str(math.ceil(70.0 / (256 / 1769)))
    # A whole vCPU: the provider's 100 ms chain is the longer one.
    assert rows[1769][2] == "100"
    arm, x86 = (float(price) for price in rows[256][4].split("/"))
    per_batch = 256 / 1024 * 0.484 * 0.0000133334 + 0.20 / 1_000_000
    assert arm == pytest.approx(round(per_batch * 1_000_000 / 50, 3))
    assert x86 > arm
