"""Does a channel's CloudWatch dashboard draw only series the handler really publishes?

A series is (namespace, metric name, dimensions as (name, value) pairs). The dashboard's are
read from its body, the published ones from CloudWatch's ListMetrics (or, by the caller, from
the handler's EMF documents). A series drawn but never published is an empty graph: the check
fails on it. The function's own AWS/Lambda series are Lambda's to publish, so they are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

#: A series: namespace, metric name, and its dimensions as (name, value) pairs.
Series = tuple[str, str, frozenset[tuple[str, str]]]

LAMBDA_NAMESPACE = "AWS/Lambda"


class DashboardError(RuntimeError):
    """The dashboard is malformed or draws series nothing published; the message says which."""


def dashboard_series(body: Mapping[str, Any]) -> set[Series]:
    """Every series the body's metric widgets draw. Each entry of `metrics` is
    [namespace, metric name, dimension name, dimension value, ..., {rendering options}]
    (CloudWatch API Reference, "Dashboard Body Structure and Syntax", metrics array format);
    the shorthand "." (same as the entry above) is not used by the module, so not accepted."""
    series: set[Series] = set()
    for widget in body["widgets"]:
        if widget["type"] != "metric":
            continue
        for entry in widget["properties"]["metrics"]:
            fields = [part for part in entry if not isinstance(part, dict)]
            if not all(isinstance(part, str) and part != "." for part in fields):
                raise DashboardError(f"a series is not spelt out in full: {entry}")
            if len(fields) < 2 or len(fields) % 2:
                raise DashboardError(f"a series is not namespace, name, dimension pairs: {entry}")
            namespace, name, *dimensions = fields
            pairs = frozenset(zip(dimensions[::2], dimensions[1::2], strict=True))
            series.add((namespace, name, pairs))
    return series


def listed_series(cloudwatch: Any, namespace: str | None = None) -> set[Series]:
    """The series ListMetrics reports, in `namespace` or in every namespace."""
    arguments = {} if namespace is None else {"Namespace": namespace}
    series: set[Series] = set()
    for page in cloudwatch.get_paginator("list_metrics").paginate(**arguments):
        for metric in page["Metrics"]:
            pairs = frozenset((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
            series.add((metric["Namespace"], metric["MetricName"], pairs))
    return series


def unpublished(body: Mapping[str, Any], published: set[Series]) -> list[Series]:
    """The dashboard's series, other than the function's AWS/Lambda ones, that nothing
    published: each would draw an empty graph."""
    return sorted(
        s for s in dashboard_series(body) if s[0] != LAMBDA_NAMESPACE and s not in published
    )


def describe(series: Iterable[Series]) -> str:
    """`Namespace MetricName{Name=Value,...}`, comma-separated."""
    return ", ".join(
        f"{namespace} {name}{{{','.join(f'{k}={v}' for k, v in sorted(dims))}}}"
        for namespace, name, dims in series
    )


def check_dashboard(cloudwatch: Any, name: str) -> tuple[int, int]:
    """The stored dashboard `name` (GetDashboard) against what ListMetrics holds. Returns
    (series drawn outside AWS/Lambda, AWS/Lambda series drawn); raises DashboardError."""
    body = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])
    drawn = dashboard_series(body)
    own = [s for s in drawn if s[0] != LAMBDA_NAMESPACE]
    if not own:
        raise DashboardError(f"dashboard {name} draws none of the handler's series")
    missing = unpublished(body, listed_series(cloudwatch))
    if missing:
        raise DashboardError(
            f"dashboard {name} draws series the function never published: {describe(missing)}"
        )
    return len(own), len(drawn) - len(own)
