"""The dashboard draws only series the handler really publishes.

The module renders the dashboard: a root configuration in a temporary directory calls it for a
Pinpoint channel and a Connect one, and `terraform test -json -verbose` plans it against the
project's mocked provider (tests/mocks, offline), printing each planned `dashboard_body` and the
function's planned environment. The handler then runs as each deployment would: the packaged
entry point (custom_channel.lambda_function) under that environment, on the guide's sample
event (tests/fixtures/guide_event.json) or the Connect fixture, delivering through the http
adapter to a real local server (the `none` adapter sends nothing, so it times nothing and
publishes no ProviderLatency). Its metrics are read back as (namespace, metric name,
dimensions) in both modes: from the EMF documents it prints (`emf`) and from CloudWatch's
ListMetrics after PutMetricData to the local AWS (`api`, moto). Every series of the dashboard
outside AWS/Lambda must be one of them, with the same dimension names and values.
"""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from custom_channel import lambda_function, runtime
from custom_channel.operator.local import LocalContext
from demo.dashboard_check import (
    LAMBDA_NAMESPACE,
    Series,
    dashboard_series,
    listed_series,
    unpublished,
)
from emulator.provider_server import ProviderServer
from tests.conftest import load_fixture
from tests.mock_plan import mock_plan

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parent.parent

#: The function metrics the dashboard may draw (AWS Lambda Developer Guide, "Types of metrics
#: for Lambda functions": Errors and Throttles are invocation metrics, Duration a performance one).
LAMBDA_METRICS = frozenset({"Errors", "Throttles", "Duration"})

#: One module instance per event source. Idempotency is off: its ledger would need DynamoDB,
#: and it publishes no metric.
CASES: dict[str, dict[str, Any]] = {
    "pinpoint": {
        "name": "sms",
        "event_source": "pinpoint",
        "delivery": {"adapter": "none"},
        "name_prefix": "prod-",
        "metrics": {"mode": "emf", "namespace": "Acme/CustomChannel"},
        "idempotency": {"enabled": False},
        "alarms": {
            "enabled": True,
            "sns_topic_arns": ["arn:aws:sns:eu-west-1:123456789012:channel-alerts"],
        },
        "dashboard": {"enabled": True},
    },
    "connect": {
        "name": "outbound",
        "delivery": {"adapter": "none"},
        "event_source": "connect",
        "connect": {
            "instance_arn": (
                "arn:aws:connect:eu-west-1:210987654321:instance/"
                "0f1e2d3c-4b5a-4697-8877-665544332211"
            ),
            "message_template": "Welcome {{firstName}}!",
        },
        "idempotency": {"enabled": False},
        "dashboard": {"enabled": True},
    },
}
EVENTS = {"pinpoint": "guide_event.json", "connect": "connect_event.json"}

# --- the checker ------------------------------------------------------------------------------


def emf_series(lines: Iterable[str]) -> set[Series]:
    """The series of the EMF documents among `lines`: every metric of a directive, once per
    dimension set, with the dimensions' values from the document's top-level members."""
    series: set[Series] = set()
    for line in lines:
        if '"_aws"' not in line:
            continue
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for dimension_set in directive["Dimensions"]:
                pairs = frozenset((name, str(document[name])) for name in dimension_set)
                for metric in directive["Metrics"]:
                    series.add((directive["Namespace"], metric["Name"], pairs))
    return series


# --- rendering --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Case -> {"body": the decoded dashboard body, "function": the planned function's name,
    "environment": its planned environment variables}."""
    plan = mock_plan(tmp_path_factory.mktemp("dashboard"), CASES, "eu-west-1")
    found: dict[str, dict[str, Any]] = {name: {} for name in CASES}
    for change in plan["resource_changes"]:
        case = change["module_address"].removeprefix("module.")
        after = change["change"]["after"]
        if change["type"] == "aws_cloudwatch_dashboard":
            assert "dashboard_body" not in change["change"]["after_unknown"]
            found[case]["body"] = json.loads(after["dashboard_body"])
        elif change["type"] == "aws_lambda_function":
            found[case]["function"] = after["function_name"]
            found[case]["environment"] = after["environment"][0]["variables"]
    assert all(set(entry) == {"body", "function", "environment"} for entry in found.values())
    return found


# --- the handler, as each deployment runs it ---------------------------------------------------


@pytest.fixture
def run_handler(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[[Mapping[str, str], dict[str, Any]], str]]:
    """Runs the packaged entry point, as a new container would load it, under `environment`
    (the function's, from the plan) on `event`; returns what it printed on stdout."""

    def run(environment: Mapping[str, str], event: dict[str, Any]) -> str:
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        runtime.reset()
        importlib.reload(lambda_function).lambda_handler(copy.deepcopy(event), LocalContext())
        return capsys.readouterr().out

    yield run
    runtime.reset()


def deployed_environment(
    rendered_case: Mapping[str, Any], provider: ProviderServer, mode: str
) -> dict[str, str]:
    """The function's planned environment, but delivering to the local server and publishing in
    `mode`."""
    return {
        **rendered_case["environment"],
        "CHANNEL_ADAPTER": "http",
        "CHANNEL_HTTP_URL": f"{provider.url}/send",
        "CHANNEL_METRICS_MODE": mode,
    }


@pytest.fixture(scope="session")
def events() -> dict[str, dict[str, Any]]:
    return {case: load_fixture(name) for case, name in EVENTS.items()}


# --- the tests --------------------------------------------------------------------------------


def test_the_rendered_dashboards_draw_what_they_are_meant_to(
    rendered: dict[str, dict[str, Any]],
) -> None:
    """The check below is not vacuous: the bodies hold the handler's series (with the
    deployment's Channel) and the function's."""
    pinpoint = dashboard_series(rendered["pinpoint"]["body"])
    channel = frozenset({("Channel", "prod-sms")})
    assert ("Acme/CustomChannel", "ProviderLatency", channel) in pinpoint
    assert ("Acme/CustomChannel", "FailedCount", channel) in pinpoint
    assert ("Acme/CustomChannel", "SMSCount", frozenset()) in pinpoint
    connect = dashboard_series(rendered["connect"]["body"])
    assert {s[1] for s in connect if s[0] != LAMBDA_NAMESPACE} == {
        "DeliveredCount",
        "FailedCount",
        "UnknownCount",
        "SkippedCount",
        "ProviderLatency",
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_series_is_published_in_emf_mode(
    case: str,
    rendered: dict[str, dict[str, Any]],
    events: dict[str, dict[str, Any]],
    run_handler: Callable[[Mapping[str, str], dict[str, Any]], str],
    provider: ProviderServer,
) -> None:
    out = run_handler(deployed_environment(rendered[case], provider, "emf"), events[case])
    published = emf_series(out.splitlines())
    assert published, "the handler printed no EMF document"
    assert unpublished(rendered[case]["body"], published) == []


@pytest.mark.parametrize("case", sorted(CASES))
@mock_aws
def test_every_series_is_published_in_api_mode(
    case: str,
    rendered: dict[str, dict[str, Any]],
    events: dict[str, dict[str, Any]],
    run_handler: Callable[[Mapping[str, str], dict[str, Any]], str],
    provider: ProviderServer,
) -> None:
    environment = deployed_environment(rendered[case], provider, "api")
    run_handler(environment, events[case])
    cloudwatch = boto3.client("cloudwatch")
    published = listed_series(cloudwatch, environment["CHANNEL_METRICS_NAMESPACE"])
    assert published, "the handler published nothing"
    assert unpublished(rendered[case]["body"], published) == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_function_series_name_the_deployed_function(
    case: str, rendered: dict[str, dict[str, Any]]
) -> None:
    lambda_series = {
        s for s in dashboard_series(rendered[case]["body"]) if s[0] == LAMBDA_NAMESPACE
    }
    assert {s[1] for s in lambda_series} == LAMBDA_METRICS
    function = frozenset({("FunctionName", rendered[case]["function"])})
    assert {s[2] for s in lambda_series} == {function}


def _planted(body: dict[str, Any], edit: Callable[[list[Any]], None]) -> dict[str, Any]:
    """A copy of `body` with `edit` applied to the first series of its results widget."""
    planted = copy.deepcopy(body)
    (widget,) = [
        w
        for w in planted["widgets"]
        if w["type"] == "metric" and w["properties"]["metrics"][0][1] == "DeliveredCount"
    ]
    edit(widget["properties"]["metrics"][0])
    return planted


def test_a_planted_wrong_series_is_caught(
    rendered: dict[str, dict[str, Any]],
    events: dict[str, dict[str, Any]],
    run_handler: Callable[[Mapping[str, str], dict[str, Any]], str],
    provider: ProviderServer,
) -> None:
    """A misspelt metric, a wrong Channel value and a guide count on a Connect dashboard are
    each reported: the check fails where the dashboard would draw an empty graph."""
    case = rendered["pinpoint"]
    out = run_handler(deployed_environment(case, provider, "emf"), events["pinpoint"])
    published = emf_series(out.splitlines())
    assert unpublished(case["body"], published) == []
    channel = frozenset({("Channel", "prod-sms")})

    def rename(series: list[Any]) -> None:
        series[1] = "DeliveryCount"

    assert unpublished(_planted(case["body"], rename), published) == [
        ("Acme/CustomChannel", "DeliveryCount", channel)
    ]

    def other_channel(series: list[Any]) -> None:
        series[3] = "sms"  # the name without its prefix: not what CHANNEL_NAME holds

    assert unpublished(_planted(case["body"], other_channel), published) == [
        ("Acme/CustomChannel", "DeliveredCount", frozenset({("Channel", "sms")}))
    ]

    connect = rendered["connect"]
    out = run_handler(deployed_environment(connect, provider, "emf"), events["connect"])
    connect_published = emf_series(out.splitlines())
    namespace = connect["environment"]["CHANNEL_METRICS_NAMESPACE"]
    with_counts = copy.deepcopy(connect["body"])
    with_counts["widgets"][1]["properties"]["metrics"].append([namespace, "EndpointCount", {}])
    assert unpublished(with_counts, connect_published) == [
        (namespace, "EndpointCount", frozenset())
    ]
