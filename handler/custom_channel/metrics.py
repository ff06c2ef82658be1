"""The guide's CloudWatch metrics, plus delivery metrics, published three ways.

Counting follows the guide's sample exactly: CUSTOM, SMS, EMAIL and VOICE are counted apart
and every other ChannelType is push. The six counts (EndpointCount, CustomCount, SMSCount,
EmailCount, VoiceCount, PushCount) are published twice, once with the CampaignId and
ApplicationId dimensions and once with none, in the PinpointCustomChannelExecution
namespace, Unit None. A journey invocation uses JourneyId where a campaign uses CampaignId.
A Connect custom action's batch publishes no guide counts (they are Pinpoint's), and its
delivery metrics under ConnectCampaignId + ConnectActionId and under EventSource=connect, so
its series never mix with a Pinpoint channel's.

The delivery metrics (DeliveredCount, FailedCount, UnknownCount, SkippedCount, RetryCount,
ProviderLatency) follow the same dimension sets. With CHANNEL_NAME set (the module sets it to
the deployment's name) they are published once more under the single dimension
Channel=<CHANNEL_NAME>, for both event sources: the namespace is shared by every deployment of
the account, and this series is the one deployment's own, the one its alarms watch. The
guide's six counts never get it: its 12 series stay exactly as the guide has them.

CHANNEL_METRICS_MODE picks how: `api` calls PutMetricData (as the guide does), `emf` prints
one Embedded Metric Format document as a raw stdout line (no API call; more documents only
when a batch has over 100 latency samples, EMF's limit per array), `off` publishes none. An
EMF line carries "level": "FATAL" and an RFC 3339 "timestamp", so that Lambda's log-level
filtering keeps it at every application log level (EMF_LOG_LEVEL).
In `emf` the Channel series is a second MetricDirective of the same document, naming only the
delivery metrics: a directive's dimension sets apply to every metric it names. PutMetricData
is sent at most once (no retry: one after a read timeout would count twice), and only when it
can end before the invocation's deadline (aws.py); otherwise it is skipped and one warning
says so.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from .aws import AwsClients, fits
from .config import MetricsMode
from .deadline import Deadline
from .events import Endpoint, Event, InvalidEndpoint
from .results import Outcome, Status

if TYPE_CHECKING:  # boto3-stubs, for mypy only (aws.py)
    from mypy_boto3_cloudwatch.type_defs import DimensionTypeDef, MetricDatumTypeDef

GUIDE_METRICS = (
    "EndpointCount",
    "CustomCount",
    "SMSCount",
    "EmailCount",
    "VoiceCount",
    "PushCount",
)
_NAMED = {"CUSTOM": "CustomCount", "SMS": "SMSCount", "EMAIL": "EmailCount", "VOICE": "VoiceCount"}
DELIVERY_METRICS = {
    Status.DELIVERED: "DeliveredCount",
    Status.FAILED: "FailedCount",
    Status.UNKNOWN: "UnknownCount",
    Status.SKIPPED: "SkippedCount",
}
RETRY_METRIC = "RetryCount"
LATENCY_METRIC = "ProviderLatency"
# The per-deployment dimension. No other member of an EMF document has this name (the other
# dimensions and the metric names above), so the document's top-level "Channel" is its own.
CHANNEL_DIMENSION = "Channel"
# EMF specification, "Target members": a numeric array holds at most 100 members.
EMF_MAX_VALUES = 100

# With JSON logs and an application log level, Lambda keeps a JSON line printed on stdout only
# if its "level" is that level or a less verbose one, and takes a line whose "level" is missing
# or invalid, or whose "timestamp" is not RFC 3339, as INFO (Lambda Developer Guide,
# "Log-level filtering"): an EMF line without both would be dropped under WARN or ERROR, and its
# metrics never published. FATAL, Lambda's least verbose level, passes every application log
# level (the module's WARN and ERROR, and TRACE to FATAL set elsewhere); the two extra root
# members leave the document EMF (EMF specification, "Root node": it "MAY contain any other
# members"), and neither name is a dimension or a metric of ours.
EMF_LOG_LEVEL = "FATAL"
# PutMetricData (botocore's cloudwatch model): MetricData "can include no more than 1000
# metrics per call", a request "is limited to 1 MB in size" and a metric to 30 dimensions.
# One call holds at most 2 x (6 + 6) + 6 = 30 entries of at most 2 dimensions, each a few
# hundred bytes (dimension values: ids, a name of at most 255 characters): far within all three.


def channel_counts(endpoints: Iterable[Endpoint | InvalidEndpoint]) -> dict[str, int]:
    """The guide's six counts. An endpoint without a ChannelType is in EndpointCount only."""
    counts = dict.fromkeys(GUIDE_METRICS, 0)
    for endpoint in endpoints:
        counts["EndpointCount"] += 1
        channel = endpoint.channel_type
        if channel is None:
            continue
        counts[_NAMED.get(channel, "PushCount")] += 1
    return counts


# The units the data below use, each one of PutMetricData's StandardUnit values (botocore's
# cloudwatch model) and of EMF's units.
Unit = Literal["None", "Count", "Milliseconds"]


@dataclass(frozen=True)
class Datum:
    name: str
    value: float
    unit: Unit = "None"
    values: tuple[float, ...] = ()  # for a distribution (latency): one entry per sample


def build_data(event: Event, outcomes: Mapping[str, Outcome]) -> list[Datum]:
    data: list[Datum] = []
    if event.source == "pinpoint":  # the guide's counts are Pinpoint's, and only Pinpoint's
        counts = channel_counts(event.endpoints.values())
        data += [Datum(name, value) for name, value in counts.items()]
    statuses = [outcome.status for outcome in outcomes.values()]
    for status, name in DELIVERY_METRICS.items():
        data.append(Datum(name, statuses.count(status), "Count"))
    retries = sum(max(outcome.attempts - 1, 0) for outcome in outcomes.values())
    data.append(Datum(RETRY_METRIC, retries, "Count"))
    latencies = tuple(
        round(outcome.latency_ms, 3)
        for outcome in outcomes.values()
        if outcome.latency_ms is not None
    )
    if latencies:
        data.append(Datum(LATENCY_METRIC, max(latencies), "Milliseconds", latencies))
    return data


def dimensions(event: Event) -> list[DimensionTypeDef]:
    return context_dimensions(
        event.source, event.campaign_id, event.journey_id, event.activity_id, event.application_id
    )


def context_dimensions(
    source: str,
    campaign_id: str | None,
    journey_id: str | None,
    action_id: str | None,
    application_id: str | None,
) -> list[DimensionTypeDef]:
    """A batch's (or a receipt's: receipts.py) campaign dimension set."""
    if source == "connect":
        # Names of their own: a Connect batch's series never mix with Pinpoint's.
        return [
            {"Name": "ConnectCampaignId", "Value": campaign_id or ""},
            {"Name": "ConnectActionId", "Value": action_id or ""},
        ]
    return [
        {
            "Name": "CampaignId" if campaign_id else "JourneyId",
            "Value": campaign_id or journey_id or "",
        },
        {"Name": "ApplicationId", "Value": application_id or ""},
    ]


def series(event: Event) -> list[list[DimensionTypeDef]]:
    """Each datum is published once per dimension set: the batch's own, and the overall one
    (Pinpoint's has no dimensions, as the guide's sample; Connect's is EventSource=connect)."""
    overall: list[DimensionTypeDef] = (
        [{"Name": "EventSource", "Value": "connect"}] if event.source == "connect" else []
    )
    return [dimensions(event), overall]


def channel_series(channel: str | None) -> list[list[DimensionTypeDef]]:
    """The deployment's own dimension set, for the delivery metrics only (none when unset)."""
    return [[{"Name": CHANNEL_DIMENSION, "Value": channel}]] if channel else []


def delivery_data(data: list[Datum]) -> list[Datum]:
    """Every datum but the guide's six counts."""
    return [datum for datum in data if datum.name not in GUIDE_METRICS]


class MetricsPublisher:
    def __init__(
        self,
        mode: MetricsMode,
        namespace: str,
        *,
        channel: str | None = None,
        clients: AwsClients | None = None,
        write: Callable[[str], object] | None = None,
    ) -> None:
        self.mode = mode
        self.namespace = namespace
        self.channel = channel
        self._clients = clients or AwsClients()
        self._write = write

    def publish(
        self, event: Event, outcomes: Mapping[str, Outcome], deadline: Deadline | None = None
    ) -> None:
        if self.mode == "off":
            return
        data = build_data(event, outcomes)
        if self.mode == "api":
            if fits(deadline, "cloudwatch", "PutMetricData"):
                self._put_metric_data(event, data)
        else:
            for document in emf_documents(self.namespace, event, data, channel=self.channel):
                line = json.dumps(document, separators=(",", ":"))
                (self._write or _stdout_line)(line)

    def publish_counts(
        self, sets: list[list[DimensionTypeDef]], data: list[Datum], deadline: Deadline | None
    ) -> None:
        """Counts outside a batch's (a receipt's: receipts.py), each under every dimension
        set given and under the deployment's Channel set, in the configured mode."""
        if self.mode == "off" or not data:
            return
        sets = sets + channel_series(self.channel)
        if self.mode == "api":
            if fits(deadline, "cloudwatch", "PutMetricData"):
                self._put([(dims, data) for dims in sets])
            return
        now_ms = int(time.time() * 1000)
        document: dict[str, Any] = {
            "_aws": {
                "Timestamp": now_ms,
                "CloudWatchMetrics": [_directive(self.namespace, sets, data)],
            },
            "level": EMF_LOG_LEVEL,
            "timestamp": _rfc3339(now_ms),
        }
        for dims in sets:
            for dim in dims:
                document[dim["Name"]] = dim["Value"]
        for datum in data:
            document[datum.name] = datum.value
        (self._write or _stdout_line)(json.dumps(document, separators=(",", ":")))

    def _put_metric_data(self, event: Event, data: list[Datum]) -> None:
        batches = [(dims, data) for dims in series(event)]
        batches += [(dims, delivery_data(data)) for dims in channel_series(self.channel)]
        self._put(batches)

    def _put(self, batches: list[tuple[list[DimensionTypeDef], list[Datum]]]) -> None:
        metric_data: list[MetricDatumTypeDef] = []
        for dims, data_of_set in batches:
            for datum in data_of_set:
                entry: MetricDatumTypeDef = {
                    "MetricName": datum.name,
                    "Dimensions": dims,
                    "Unit": datum.unit,
                }
                if datum.values:
                    entry["StatisticValues"] = {
                        "SampleCount": float(len(datum.values)),
                        "Sum": float(sum(datum.values)),
                        "Minimum": float(min(datum.values)),
                        "Maximum": float(max(datum.values)),
                    }
                else:
                    entry["Value"] = float(datum.value)
                metric_data.append(entry)
        self._clients.client("cloudwatch").put_metric_data(
            Namespace=self.namespace, MetricData=metric_data
        )


def emf_documents(
    namespace: str, event: Event, data: list[Datum], *, channel: str | None = None
) -> list[dict[str, Any]]:
    """One document, or more when a batch has more latency samples than one may hold: EMF
    specification, "Target members": "Numeric array metric targets MUST NOT have more than 100
    members" (a Connect batch's size is not documented). The first document holds everything
    and the first 100 samples; each further one only the next samples, under the same series."""
    documents: list[dict[str, Any]] = []
    rest: list[Datum] = data
    while rest:
        head = [_first_samples(datum) for datum in rest]
        documents.append(emf_document(namespace, event, head, channel=channel))
        rest = [
            replace(datum, values=datum.values[EMF_MAX_VALUES:])
            for datum in rest
            if len(datum.values) > EMF_MAX_VALUES
        ]
    return documents


def _first_samples(datum: Datum) -> Datum:
    if len(datum.values) <= EMF_MAX_VALUES:
        return datum
    return replace(datum, values=datum.values[:EMF_MAX_VALUES])


def emf_document(
    namespace: str, event: Event, data: list[Datum], *, channel: str | None = None
) -> dict[str, Any]:
    """One EMF document. Its CloudWatchMetrics is "an array of MetricDirective objects" and a
    directive's DimensionSets apply "to all metrics" it names (EMF specification, "Metadata
    object" and "DimensionSet array"): the Channel set gets a directive of its own that names
    the delivery metrics only. Every dimension set references top-level members, as the
    specification requires ("Target members ... cannot be nested objects"), string-valued."""
    sets = series(event)
    directives = [_directive(namespace, sets, data)]
    own = channel_series(channel)
    if own:
        directives.append(_directive(namespace, own, delivery_data(data)))
    now_ms = int(time.time() * 1000)
    document: dict[str, Any] = {
        "_aws": {"Timestamp": now_ms, "CloudWatchMetrics": directives},
        "level": EMF_LOG_LEVEL,
        "timestamp": _rfc3339(now_ms),
    }
    for dims in sets + own:
        for dim in dims:
            document[dim["Name"]] = dim["Value"]
    for datum in data:
        document[datum.name] = list(datum.values) if datum.values else datum.value
    return document


def _directive(
    namespace: str, sets: list[list[DimensionTypeDef]], data: list[Datum]
) -> dict[str, Any]:
    return {
        "Namespace": namespace,
        "Dimensions": [[dim["Name"] for dim in dims] for dims in sets],
        "Metrics": [{"Name": datum.name, "Unit": datum.unit} for datum in data],
    }


def _rfc3339(epoch_ms: int) -> str:
    """UTC, with milliseconds: 2026-12-07T10:40:00.123Z (RFC 3339, as Lambda requires)."""
    seconds, millis = divmod(epoch_ms, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def _stdout_line(line: str) -> None:
    # A raw line, not a log record: Lambda's JSON log format would otherwise nest it.
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
