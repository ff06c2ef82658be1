"""The guide's 12 CloudWatch metrics, exactly, in api mode (moto) and emf mode."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import boto3
import pytest
from moto import mock_aws
from moto.cloudwatch.models import cloudwatch_backends
from scripts.segments import campaign_event, synthetic_endpoints

from custom_channel.channel import Channel
from custom_channel.config import load_settings
from custom_channel.events import parse_event
from custom_channel.local import invoke
from custom_channel.metrics import GUIDE_METRICS, MetricsPublisher, channel_counts

NAMESPACE = "PinpointCustomChannelExecution"
APP = "3a9b1f4e6c764ba7b031e7183example"
CAMPAIGN = "13978104ce5d6017c72552257example"
# What the guide's sample function publishes for its sample payload (one EMAIL endpoint).
GUIDE_SAMPLE_VALUES = {
    "EndpointCount": 1.0,
    "CustomCount": 0.0,
    "SMSCount": 0.0,
    "EmailCount": 1.0,
    "VoiceCount": 0.0,
    "PushCount": 0.0,
}


def guide_reference_counts(event: dict) -> dict[str, int]:
    """The guide's sample function's counting loop, transcribed."""
    custom = sms = push = email = voice = 0
    for key in event["Endpoints"]:
        channel = event["Endpoints"][key]["ChannelType"]
        if channel == "CUSTOM":
            custom += 1
        elif channel == "SMS":
            sms += 1
        elif channel == "EMAIL":
            email += 1
        elif channel == "VOICE":
            voice += 1
        else:
            push += 1
    return {
        "EndpointCount": len(event["Endpoints"]),
        "CustomCount": custom,
        "SMSCount": sms,
        "EmailCount": email,
        "VoiceCount": voice,
        "PushCount": push,
    }


def stored(name: str, dimensions: dict[str, str]) -> list[tuple[float, str]]:
    """(value, unit) of every datum moto's CloudWatch holds for this name and dimension set.

    Read from moto's store: its GetMetricStatistics treats an empty dimension filter as
    "any", which would mix the two dimension sets the guide publishes.
    """
    backend = cloudwatch_backends["123456789012"]["us-east-1"]
    return [
        (float(datum.value), datum.unit)
        for datum in backend.metric_data
        if datum.namespace == NAMESPACE
        and datum.name == name
        and {d.name: d.value for d in datum.dimensions} == dimensions
    ]


@mock_aws
def test_api_mode_stores_the_guides_twelve_metrics(guide_event):
    channel = Channel(load_settings({"CHANNEL_METRICS_MODE": "api"}))
    invoke(guide_event, channel=channel)
    client = boto3.client("cloudwatch")
    listed = client.list_metrics(Namespace=NAMESPACE)["Metrics"]
    guide_listed = [metric for metric in listed if metric["MetricName"] in GUIDE_METRICS]
    assert len(guide_listed) == 12
    with_dims = {"CampaignId": CAMPAIGN, "ApplicationId": APP}
    for name, expected in GUIDE_SAMPLE_VALUES.items():
        assert stored(name, with_dims) == [(expected, "None")], name
        assert stored(name, {}) == [(expected, "None")], name
    dimension_sets = {
        (metric["MetricName"], tuple((d["Name"], d["Value"]) for d in metric["Dimensions"]))
        for metric in guide_listed
    }
    for name in GUIDE_METRICS:
        assert (name, (("CampaignId", CAMPAIGN), ("ApplicationId", APP))) in dimension_sets
        assert (name, ()) in dimension_sets


@mock_aws
def test_api_mode_adds_delivery_metrics_in_the_same_namespace(guide_event):
    guide_event["Endpoints"]["optedout"] = {"ChannelType": "SMS", "Address": "+1", "OptOut": "ALL"}
    channel = Channel(load_settings({"CHANNEL_METRICS_MODE": "api"}))
    invoke(guide_event, channel=channel)
    assert stored("DeliveredCount", {}) == [(1.0, "Count")]
    assert stored("SkippedCount", {}) == [(1.0, "Count")]
    assert stored("FailedCount", {}) == [(0.0, "Count")]
    assert stored("SMSCount", {}) == [(1.0, "None")]
    assert stored("EndpointCount", {}) == [(2.0, "None")]


def test_emf_mode_prints_the_same_figures_as_one_raw_line(guide_event):
    channel = Channel(load_settings({"CHANNEL_METRICS_MODE": "emf"}))
    out = io.StringIO()
    with redirect_stdout(out):
        invoke(guide_event, channel=channel)
    documents = [json.loads(line) for line in out.getvalue().splitlines() if '"_aws"' in line]
    assert len(documents) == 1
    document = documents[0]
    directive = document["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == NAMESPACE
    assert directive["Dimensions"] == [["CampaignId", "ApplicationId"], []]
    units = {metric["Name"]: metric["Unit"] for metric in directive["Metrics"]}
    for name, expected in GUIDE_SAMPLE_VALUES.items():
        assert document[name] == expected
        assert units[name] == "None"
    assert document["CampaignId"] == CAMPAIGN
    assert document["ApplicationId"] == APP
    assert "level" not in document  # a raw line, not wrapped in a log record


def test_off_mode_publishes_nothing(guide_event, capsys):
    channel = Channel(load_settings({"CHANNEL_METRICS_MODE": "off"}))
    invoke(guide_event, channel=channel)
    assert '"_aws"' not in capsys.readouterr().out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_match_the_guides_loop_for_every_channel_type(seed):
    endpoints = synthetic_endpoints(50, seed=seed)
    endpoints["odd"] = {"ChannelType": "IN_APP", "Address": "x"}  # not named: push, like the guide
    event = campaign_event(endpoints, "hi")
    counts = channel_counts(parse_event(event).endpoints.values())
    assert counts == guide_reference_counts(event)
    assert sum(counts[name] for name in GUIDE_METRICS[1:]) == counts["EndpointCount"]


def test_journey_invocations_use_the_journey_id_dimension(guide_event):
    del guide_event["CampaignId"]
    guide_event["JourneyId"] = "journey-1"
    channel = Channel(load_settings({"CHANNEL_METRICS_MODE": "emf"}))
    out = io.StringIO()
    with redirect_stdout(out):
        result = invoke(guide_event, channel=channel)
    document = next(json.loads(line) for line in out.getvalue().splitlines() if '"_aws"' in line)
    assert document["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0] == [
        "JourneyId",
        "ApplicationId",
    ]
    assert document["JourneyId"] == "journey-1"
    assert (
        result.response["1dbcd396df28ac6cf8c1c2b7fexample"]["EventAttributes"]["status"]
        == "delivered"
    )


@mock_aws
def test_a_metrics_failure_never_costs_the_answer(guide_event, capsys):
    class BrokenClients:
        def client(self, service):
            raise RuntimeError("CloudWatch is down")

    channel = Channel(
        load_settings({}),
        metrics=MetricsPublisher("api", NAMESPACE, clients=BrokenClients()),
    )
    result = invoke(guide_event, channel=channel)
    status = result.response["1dbcd396df28ac6cf8c1c2b7fexample"]["EventAttributes"]["status"]
    assert status == "delivered"
    warnings = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any(line["message"] == "metrics not published" for line in warnings)
