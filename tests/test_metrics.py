"""The guide's 12 CloudWatch metrics, exactly, in api mode (moto) and emf mode."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from contextlib import redirect_stdout

import boto3
import botocore.session
import pytest
from botocore.validate import ParamValidator
from moto import mock_aws
from moto.cloudwatch.models import cloudwatch_backends

from custom_channel.channel import Channel
from custom_channel.config import load_settings
from custom_channel.events import parse_event
from custom_channel.metrics import GUIDE_METRICS, MetricsPublisher, channel_counts
from custom_channel.operator.local import invoke
from emulator.provider_server import ProviderServer, Reply
from emulator.segments import campaign_event, synthetic_endpoints
from tests.conftest import load_fixture

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
    # The `none` adapter sends nothing: its endpoint is skipped too, never counted delivered.
    assert stored("DeliveredCount", {}) == [(0.0, "Count")]
    assert stored("SkippedCount", {}) == [(2.0, "Count")]
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
    assert "message" not in document  # a raw line, not wrapped in a log record


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
        == "skipped"
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
    assert status == "skipped"  # adapter none: answered, not sent
    warnings = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any(line["message"] == "metrics not published" for line in warnings)


# --- the per-deployment series: Channel=<CHANNEL_NAME> (alarms.tf alarms on it) --------------

CHANNEL = "prod-sms-channel"
DELIVERY_NAMES = ("DeliveredCount", "FailedCount", "UnknownCount", "SkippedCount", "RetryCount")


def connect_event() -> dict:
    return load_fixture("connect_event.json")


def connect_settings(mode: str) -> dict[str, str]:
    return {
        "CHANNEL_METRICS_MODE": mode,
        "CHANNEL_MESSAGE_TEMPLATE": "Welcome {{firstName}}!",
        "CHANNEL_EVENT_SOURCE": "connect",
    }


def http_env(provider: ProviderServer, mode: str) -> dict[str, str]:
    """The http adapter to the local provider: its deliveries have a latency to publish."""
    return {
        "CHANNEL_ADAPTER": "http",
        "CHANNEL_HTTP_URL": f"{provider.url}/send",
        "CHANNEL_METRICS_MODE": mode,
    }


def with_channel(mode: str, env: dict[str, str], name: str = CHANNEL) -> Channel:
    """A channel whose publisher carries the deployment's name, as channel.py builds it from
    CHANNEL_NAME."""
    settings = load_settings({**env, "CHANNEL_NAME": name})
    assert settings.channel_name == name
    return Channel(settings, metrics=MetricsPublisher(mode, NAMESPACE, channel=name))


def emf_documents(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if '"_aws"' in line]


@mock_aws
def test_api_mode_publishes_the_delivery_metrics_once_more_under_the_channel(guide_event, provider):
    invoke(guide_event, channel=with_channel("api", http_env(provider, "api")))
    by_channel = {"Channel": CHANNEL}
    assert stored("DeliveredCount", by_channel) == [(1.0, "Count")]
    for name in DELIVERY_NAMES[1:]:
        assert stored(name, by_channel) == [(0.0, "Count")], name
    backend = cloudwatch_backends["123456789012"]["us-east-1"]
    latency = [
        datum
        for datum in backend.metric_data
        if datum.name == "ProviderLatency" and {d.name for d in datum.dimensions} == {"Channel"}
    ]
    assert len(latency) == 1
    # The guide's counts never get the Channel dimension: its 12 series stay exactly as they are.
    for name in GUIDE_METRICS:
        assert stored(name, by_channel) == [], name
    listed = boto3.client("cloudwatch").list_metrics(Namespace=NAMESPACE)["Metrics"]
    assert len([metric for metric in listed if metric["MetricName"] in GUIDE_METRICS]) == 12
    # The existing series are unchanged.
    assert stored("DeliveredCount", {}) == [(1.0, "Count")]
    assert stored("DeliveredCount", {"CampaignId": CAMPAIGN, "ApplicationId": APP}) == [
        (1.0, "Count")
    ]


@mock_aws
def test_api_mode_adds_the_channel_series_for_a_connect_batch_too():
    invoke(connect_event(), channel=with_channel("api", connect_settings("api")))
    listed = boto3.client("cloudwatch").list_metrics(Namespace=NAMESPACE)["Metrics"]
    dimension_sets = {tuple(sorted(d["Name"] for d in metric["Dimensions"])) for metric in listed}
    assert dimension_sets == {
        ("ConnectActionId", "ConnectCampaignId"),
        ("EventSource",),
        ("Channel",),
    }
    channel_series = {
        metric["MetricName"]
        for metric in listed
        if metric["Dimensions"] == [{"Name": "Channel", "Value": CHANNEL}]
    }
    assert set(DELIVERY_NAMES) <= channel_series
    assert not channel_series & set(GUIDE_METRICS)


@mock_aws
def test_without_a_channel_name_there_is_no_channel_series(guide_event):
    invoke(guide_event, channel=Channel(load_settings({"CHANNEL_METRICS_MODE": "api"})))
    listed = boto3.client("cloudwatch").list_metrics(Namespace=NAMESPACE)["Metrics"]
    assert not [m for m in listed if any(d["Name"] == "Channel" for d in m["Dimensions"])]


def test_one_put_metric_data_call_within_the_models_limits(guide_event, provider):
    """PutMetricData's documented limits (botocore's cloudwatch model): "no more than 1000
    metrics per call" (MetricData), Dimensions "max": 30, and "limited to 1 MB in size for HTTP
    POST requests" (the operation). Checked with the longest name CHANNEL_NAME allows."""
    model = botocore.session.get_session().get_service_model("cloudwatch")
    operation = model.operation_model("PutMetricData")
    shape = operation.input_shape
    assert "no more than 1000 metrics per call" in (shape.members["MetricData"].documentation or "")
    assert "limited to 1 MB" in operation.documentation
    max_dimensions = shape.members["MetricData"].member.members["Dimensions"].metadata["max"]
    calls: list[dict] = []

    class Recording:
        def client(self, service: str) -> object:
            assert service == "cloudwatch"
            return self

        def put_metric_data(self, **params: object) -> None:
            calls.append(params)

    guide_event["Endpoints"] = {
        f"endpoint-{index}": {**guide_event["Endpoints"]["1dbcd396df28ac6cf8c1c2b7fexample"]}
        for index in range(50)
    }
    publisher = MetricsPublisher("api", NAMESPACE, channel="c" * 255, clients=Recording())
    invoke(
        guide_event, channel=Channel(load_settings(http_env(provider, "api")), metrics=publisher)
    )
    assert len(calls) == 1
    params = calls[0]
    report = ParamValidator().validate(params, shape)
    assert not report.has_errors(), report.generate_report()
    assert len(params["MetricData"]) <= 1000
    assert all(len(entry["Dimensions"]) <= max_dimensions for entry in params["MetricData"])
    # 2 x (6 guide counts + 6 delivery metrics) + 6 per-channel delivery metrics.
    assert len(params["MetricData"]) == 30
    body = boto3.client("cloudwatch")._serializer.serialize_to_request(params, operation)["body"]
    assert len(body) < 1024 * 1024


def test_emf_mode_puts_the_channel_series_in_a_second_directive(guide_event, provider):
    out = io.StringIO()
    with redirect_stdout(out):
        invoke(guide_event, channel=with_channel("emf", http_env(provider, "emf")))
    documents = emf_documents(out.getvalue())
    assert len(documents) == 1
    document = documents[0]
    first, second = document["_aws"]["CloudWatchMetrics"]
    # The first directive is the one the guide's counts have always been in, unchanged.
    assert first["Dimensions"] == [["CampaignId", "ApplicationId"], []]
    assert {metric["Name"] for metric in first["Metrics"]} >= set(GUIDE_METRICS)
    # The second carries only the delivery metrics, under Channel alone.
    assert second["Namespace"] == NAMESPACE
    assert second["Dimensions"] == [["Channel"]]
    names = [metric["Name"] for metric in second["Metrics"]]
    assert set(names) == {*DELIVERY_NAMES, "ProviderLatency"}
    assert not set(names) & set(GUIDE_METRICS)
    # A dimension set references top-level members only, whose values are strings (EMF
    # specification, "DimensionSet array" and "Target members").
    assert document["Channel"] == CHANNEL
    for directive in (first, second):
        for dimension_set in directive["Dimensions"]:
            assert all(isinstance(document[key], str) for key in dimension_set)
        for metric in directive["Metrics"]:
            assert isinstance(document[metric["Name"]], (int, float, list))


def test_emf_mode_adds_the_channel_directive_for_a_connect_batch():
    out = io.StringIO()
    with redirect_stdout(out):
        invoke(connect_event(), channel=with_channel("emf", connect_settings("emf")))
    (document,) = emf_documents(out.getvalue())
    directives = document["_aws"]["CloudWatchMetrics"]
    assert [directive["Dimensions"] for directive in directives] == [
        [["ConnectCampaignId", "ConnectActionId"], ["EventSource"]],
        [["Channel"]],
    ]
    assert document["Channel"] == CHANNEL


def test_emf_mode_without_a_channel_name_keeps_one_directive(guide_event):
    out = io.StringIO()
    with redirect_stdout(out):
        invoke(guide_event, channel=Channel(load_settings({"CHANNEL_METRICS_MODE": "emf"})))
    (document,) = emf_documents(out.getvalue())
    assert len(document["_aws"]["CloudWatchMetrics"]) == 1
    assert "Channel" not in document


def test_the_channel_built_from_settings_publishes_the_channel_series(guide_event):
    settings = load_settings({"CHANNEL_METRICS_MODE": "emf", "CHANNEL_NAME": CHANNEL})
    out = io.StringIO()
    with redirect_stdout(out):
        invoke(guide_event, channel=Channel(settings))
    (document,) = emf_documents(out.getvalue())
    assert document.get("Channel") == CHANNEL


def test_emf_latency_arrays_keep_to_the_specifications_100_members(provider):
    """EMF specification, "Target members": "Numeric array metric targets MUST NOT have more
    than 100 members". A Connect batch's size is not documented: 150 profiles' latencies go
    out in more documents, every sample once, and every count once."""
    event = connect_event()
    event["Items"]["CustomerProfiles"] = [
        {
            "ProfileId": f"p-{index}",
            "CustomerData": json.dumps(
                {"firstName": f"User {index}", "email": f"user{index}@example.com"}
            ),
            "IdempotencyToken": f"token-{index}",
        }
        for index in range(150)
    ]
    env = {**http_env(provider, "emf"), **connect_settings("emf")}
    out = io.StringIO()
    with redirect_stdout(out):
        invoke(event, channel=with_channel("emf", env))
    documents = emf_documents(out.getvalue())
    assert len(documents) == 2
    samples = 0
    delivered = 0
    for document in documents:
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                value = document[metric["Name"]]
                assert not isinstance(value, list) or len(value) <= 100
        samples += len(document.get("ProviderLatency", []))
        delivered += document.get("DeliveredCount", 0)
        # Each document keeps the same series: the batch's, the overall and the channel's.
        assert document["EventSource"] == "connect"
        assert document["Channel"] == CHANNEL
    assert samples == 150
    assert delivered == 150


# Lambda's log-level filtering (Lambda Developer Guide, "Log-level filtering"): with JSON logs
# and an application log level, Lambda keeps a JSON line on stdout only at that level or a
# less verbose one (TRACE is the most verbose, FATAL the least). It reads the line's "level";
# "If the "level" value field is invalid or missing, Lambda will assign the log output the
# level INFO", and "If you don't supply a valid timestamp [RFC 3339], Lambda will assign the
# log the level INFO". An EMF line taken as INFO is dropped under WARN or ERROR: no metric.
LAMBDA_LEVELS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
# The module's application log levels (variables.tf logging_application_log_level) as it hands
# them to Lambda (main.tf, local.application_log_level).
MODULE_LOG_LEVELS = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARN", "ERROR": "ERROR"}


def lambda_level(line: str) -> str:
    """The level Lambda assigns a JSON line its function printed."""
    entry = json.loads(line)
    level = str(entry.get("level", "")).upper()
    stamp = entry.get("timestamp")
    if not (isinstance(stamp, str) and RFC3339.fullmatch(stamp)):
        return "INFO"
    dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # a real date and time
    return level if level in LAMBDA_LEVELS else "INFO"


def kept_by_lambda(line: str, application_log_level: str) -> bool:
    return LAMBDA_LEVELS.index(lambda_level(line)) >= LAMBDA_LEVELS.index(application_log_level)


def test_the_lambda_filter_model_drops_a_line_without_level_or_timestamp():
    """The rule the next test holds the EMF lines to, on the lines the documentation names."""
    assert lambda_level('{"_aws": {}}') == "INFO"
    assert not kept_by_lambda('{"_aws": {}}', "WARN")
    assert lambda_level('{"level": "error", "timestamp": "not a time"}') == "INFO"
    assert (
        lambda_level('{"level": "WARNING", "timestamp": "2024-11-02T16:51:31.587199Z"}') == "INFO"
    )
    assert lambda_level('{"level": "debug", "timestamp": "2024-11-02T16:51:31.587199Z"}') == "DEBUG"


@pytest.mark.parametrize("log_level", sorted(MODULE_LOG_LEVELS))
def test_emf_lines_pass_every_application_log_level(guide_event, provider, log_level):
    """An EMF line carries a level and a timestamp Lambda accepts, so that no application log
    level the module sets (nor FATAL, the least verbose Lambda has) drops the metrics, and
    stays an EMF document CloudWatch extracts: extra root members are allowed (EMF
    specification, "Root node": it "MAY contain any other members"), and neither is a target
    member (a dimension or metric name)."""
    env = {**http_env(provider, "emf"), "CHANNEL_LOG_LEVEL": log_level}
    out = io.StringIO()
    with redirect_stdout(out):
        invoke(guide_event, channel=with_channel("emf", env))
    lines = [line for line in out.getvalue().splitlines() if '"_aws"' in line]
    assert lines
    for line in lines:
        assert kept_by_lambda(line, MODULE_LOG_LEVELS[log_level]), line
        assert kept_by_lambda(line, "FATAL"), line
        document = json.loads(line)
        assert isinstance(document["_aws"]["Timestamp"], int)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            targets = {name for names in directive["Dimensions"] for name in names}
            targets |= {metric["Name"] for metric in directive["Metrics"]}
            assert not {"level", "timestamp"} & targets
            for name in targets:
                assert name in document


@pytest.mark.parametrize("log_level", sorted(MODULE_LOG_LEVELS))
def test_the_handlers_own_lines_pass_the_level_the_module_sets(guide_event, provider, log_level):
    """Before: a warning was written with Python's name for its level, "WARNING", which is not
    one of Lambda's (TRACE, DEBUG, INFO, WARN, ERROR, FATAL): Lambda took every warning as
    INFO, so with the application log level WARN (the module's WARNING) it dropped the very
    lines it was set to keep (`endpoint not delivered`)."""
    provider.responder = lambda request: Reply(400)
    env = {**http_env(provider, "off"), "CHANNEL_LOG_LEVEL": log_level}
    out = io.StringIO()
    with redirect_stdout(out):
        invoke(guide_event, channel=with_channel("off", env))
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    warnings = [line for line in lines if line.get("message") == "endpoint not delivered"]
    assert warnings if log_level in ("DEBUG", "INFO", "WARNING") else not warnings
    for line in lines:
        assert lambda_level(json.dumps(line)) == line["level"]  # a level Lambda reads as written
        assert kept_by_lambda(json.dumps(line), MODULE_LOG_LEVELS[log_level]), line
