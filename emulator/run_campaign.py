"""Run a custom-channel campaign locally, as Pinpoint would (or Connect, with --connect).

    python emulator/run_campaign.py --definition campaign.json --synthetic 1000
    python emulator/run_campaign.py --endpoint-url URL --application-id ID --campaign-id ID \
        --endpoints segment.csv [--in-process]
    python emulator/run_campaign.py --connect (--profiles FILE | --synthetic N) --action-id ID \
        [--function NAME [--endpoint-url URL]] [--in-process] [--batch-size N]
    python emulator/run_campaign.py --connect --profiles-domain DOMAIN --profile-ids ID,ID \
        --endpoint-url URL --action-id ID --in-process [--runs N [--run-interval S]]

With --connect, an Amazon Connect outbound campaign's custom action is run instead
(emulator/connect_driver.py): customer profiles in batches, Connect's request shape, its
30 s wait, a failed or late batch invoked again with new IdempotencyTokens, every ProfileId
answered exactly once; bad input is answered with one line and exit 2.

The campaign comes from the module's `pinpoint_campaign_definition_json` output or from the
local AWS (emulator/local_aws.py) where the module's stack created it. Endpoints are split
across the holdout and treatments, filtered by each treatment's EndpointTypes, cut into
batches of at most 50 and sent as the guide's events:

- Lambda DeliveryUri: the function's code, handler and environment as the local AWS holds
  them (the package is checked against the function's CodeSha256) run in a separate
  process, a warm sandbox, with the function's timeout capped at 15 s; an invocation that
  fails or times out is attempted again, up to 3 times, as Pinpoint does. `--in-process`
  runs the repository's handler in this process instead, for speed.
- Webhook DeliveryUri: an HTTP HEAD first (the X-Amz-Pinpoint-AccountId header must equal
  the account id), then one POST of each event, up to 3 attempts. When the URI is the
  module's webhook receiver (an HTTP API of the local AWS), the function behind it is
  served on 127.0.0.1 (ReceiverHost) and the same HEAD and POSTs go there.

The report gives endpoints per channel and treatment, delivered / failed / unknown /
skipped, attempts, and the CloudWatch metrics read back from the local AWS.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import selectors
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(ROOT / "handler") not in sys.path:
    sys.path.insert(0, str(ROOT / "handler"))

from emulator.campaign import (  # noqa: E402
    Batch,
    Campaign,
    load_endpoints,
    load_profiles,
    plan_batches,
)
from emulator.segments import Profiles, synthetic_endpoints, synthetic_profiles  # noqa: E402

PINPOINT_WAIT_SECONDS = 15.0
PINPOINT_ATTEMPTS = 3
ACCOUNT_HEADER = "X-Amz-Pinpoint-AccountId"
HOST_SCRIPT = ROOT / "emulator" / "function_host.py"
STATUSES = ("delivered", "failed", "unknown", "skipped")


class RunnerError(RuntimeError):
    """The campaign cannot run: the reason is for the person running it."""


@dataclass
class Delivered:
    response: dict[str, Any] | None
    attempts: int
    error: str = ""


class Deliverer(Protocol):
    def deliver(self, event: dict[str, Any]) -> Delivered: ...

    def close(self) -> None: ...


# --- Lambda DeliveryUri ---------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    handler: str
    timeout: float
    environment: Mapping[str, str]
    code_sha256: str


def function_spec(lambda_client: Any, function: str) -> FunctionSpec:
    config = lambda_client.get_function_configuration(FunctionName=function)
    return FunctionSpec(
        name=config["FunctionName"],
        handler=config["Handler"],
        timeout=float(config.get("Timeout", 3)),
        environment=config.get("Environment", {}).get("Variables", {}),
        code_sha256=config["CodeSha256"],
    )


def unpack_package(zip_path: Path, expected_sha256: str, into: Path) -> Path:
    """Unzip the deployment package after checking it is the code the function holds."""
    digest = base64.b64encode(hashlib.sha256(zip_path.read_bytes()).digest()).decode()
    if digest != expected_sha256:
        raise RunnerError(
            f"{zip_path} is not the function's code (CodeSha256 {expected_sha256}, zip {digest})"
        )
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(into)
    return into


class SandboxDeliverer:
    """The function's code in a separate, warm process; killed and restarted on a timeout."""

    def __init__(
        self,
        code_dir: Path,
        spec: FunctionSpec,
        aws_env: Mapping[str, str],
        log: io.TextIOBase,
        *,
        wait_seconds: float = PINPOINT_WAIT_SECONDS,
        slack_seconds: float = 1.0,
        context_seconds: float | None = None,
    ) -> None:
        """`wait_seconds`: how long the caller waits (Pinpoint 15 s, Connect 30 s), capped at
        the function's timeout, plus `slack_seconds` for process overhead; the function's
        context counts down `context_seconds` (default: that same wait)."""
        self._code_dir = code_dir
        self._spec = spec
        self._timeout = min(spec.timeout, wait_seconds)
        self._wait = self._timeout + slack_seconds
        self._context_seconds = self._timeout if context_seconds is None else context_seconds
        self._env = {"PATH": os.environ.get("PATH", ""), **aws_env, **spec.environment}
        self._log = log
        self._process: subprocess.Popen[str] | None = None
        self._responses: io.TextIOWrapper | None = None

    def _start(self) -> None:
        read_fd, write_fd = os.pipe()
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-I",
                str(HOST_SCRIPT),
                str(self._code_dir),
                self._spec.handler,
                "invoke",
                str(self._context_seconds),
                str(write_fd),
            ],
            stdin=subprocess.PIPE,
            stdout=self._log,
            stderr=self._log,
            env=self._env,
            text=True,
            pass_fds=(write_fd,),
        )
        os.close(write_fd)
        self._responses = os.fdopen(read_fd, "r", encoding="utf-8")

    def invoke_once(self, event: dict[str, Any]) -> dict[str, Any]:
        """One invocation; RunnerError when it times out or the process dies."""
        if self._process is None or self._process.poll() is not None:
            self._start()
        if self._process is None or self._process.stdin is None or self._responses is None:
            raise RunnerError("the function process did not start")
        self._process.stdin.write(json.dumps(event) + "\n")
        self._process.stdin.flush()
        selector = selectors.DefaultSelector()
        selector.register(self._responses, selectors.EVENT_READ)
        # The caller's wait (within the function timeout), with the slack for process overhead.
        ready = selector.select(timeout=self._wait)
        selector.close()
        line = self._responses.readline() if ready else ""
        if not line:
            self.close()
            raise RunnerError("timed out" if not ready else "the function process exited")
        answer: dict[str, Any] = json.loads(line)["response"]
        return answer

    def deliver(self, event: dict[str, Any]) -> Delivered:
        error = ""
        for attempt in range(1, PINPOINT_ATTEMPTS + 1):
            try:
                return Delivered(self.invoke_once(event), attempt)
            except (RunnerError, OSError, ValueError) as problem:
                error = str(problem)
        return Delivered(None, PINPOINT_ATTEMPTS, error)

    def close(self) -> None:
        if self._process is not None:
            if self._process.stdin:
                with contextlib.suppress(OSError):
                    self._process.stdin.close()
            self._process.kill()
            self._process.wait()
            self._process = None
        if self._responses is not None:
            self._responses.close()
            self._responses = None


class InProcessDeliverer:
    """The repository's handler in this process, configured like the function: fastest."""

    def __init__(self, spec: FunctionSpec) -> None:
        from custom_channel.channel import Channel
        from custom_channel.config import load_settings

        self._timeout = min(spec.timeout, PINPOINT_WAIT_SECONDS)
        self._channel = Channel(load_settings(spec.environment))

    def deliver(self, event: dict[str, Any]) -> Delivered:
        from custom_channel.operator.local import invoke

        return Delivered(
            invoke(event, channel=self._channel, timeout_seconds=self._timeout).response, 1
        )

    def close(self) -> None:
        self._channel.close()


# --- Webhook DeliveryUri --------------------------------------------------------------------


class WebhookDeliverer:
    def __init__(self, url: str, account_id: str) -> None:
        self._url = url
        self._session = requests.Session()
        self._session.trust_env = False
        check = self._session.head(url, timeout=PINPOINT_WAIT_SECONDS)
        presented = check.headers.get(ACCOUNT_HEADER)
        if presented != account_id:
            raise RunnerError(
                f"webhook HEAD check failed: HTTP {check.status_code}, "
                f"{ACCOUNT_HEADER} is {presented!r}, expected the account id {account_id!r}"
            )

    def deliver(self, event: dict[str, Any]) -> Delivered:
        error = ""
        for attempt in range(1, PINPOINT_ATTEMPTS + 1):
            try:
                answer = self._session.post(self._url, json=event, timeout=PINPOINT_WAIT_SECONDS)
            except requests.RequestException as problem:
                error = type(problem).__name__
                continue
            if answer.status_code >= 500:
                error = f"HTTP {answer.status_code}"
                continue
            if answer.status_code >= 400:
                return Delivered(None, attempt, f"HTTP {answer.status_code}")
            try:
                return Delivered(answer.json(), attempt)
            except ValueError:
                return Delivered({}, attempt)
        return Delivered(None, PINPOINT_ATTEMPTS, error)

    def close(self) -> None:
        self._session.close()


class ReceiverHost:
    """The webhook receiver served on 127.0.0.1 for a DeliveryUri on an HTTP API.

    The function behind the API (its code, handler and environment from the local AWS) runs
    in its own process, where function_host.py turns each HTTP request into the payload-2.0
    event API Gateway delivers. The DeliveryUri's path (with its secret) is kept.
    """

    def __init__(
        self, code_dir: Path, spec: FunctionSpec, aws_env: Mapping[str, str], log: io.TextIOBase
    ) -> None:
        env = {"PATH": os.environ.get("PATH", ""), **aws_env, **spec.environment}
        timeout = str(min(spec.timeout, PINPOINT_WAIT_SECONDS))
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-I",
                str(HOST_SCRIPT),
                str(code_dir),
                spec.handler,
                "serve",
                timeout,
                "0",
            ],
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            text=True,
        )
        assert self._process.stdout is not None
        first = self._process.stdout.readline()
        try:
            self.port = int(json.loads(first)["port"])
        except (ValueError, KeyError) as error:
            self.close()
            raise RunnerError(f"the receiver did not start: {first.strip()!r}") from error
        self._drain = threading.Thread(
            target=shutil.copyfileobj, args=(self._process.stdout, log), daemon=True
        )
        self._drain.start()

    def local_url(self, uri: str) -> str:
        parts = urlsplit(uri)
        return f"http://127.0.0.1:{self.port}{parts.path}"

    def close(self) -> None:
        self._process.kill()
        self._process.wait()


def receiver_function(apigateway: Any, uri: str) -> str | None:
    """The function behind an HTTP API DeliveryUri in the local AWS, if there is one."""
    host = urlsplit(uri).hostname or ""
    if ".execute-api." not in host:
        return None
    api_id = host.split(".", 1)[0]
    try:
        integrations = apigateway.get_integrations(ApiId=api_id)["Items"]
    except Exception:
        return None
    for integration in integrations:
        target = str(integration.get("IntegrationUri", ""))
        if ":function:" in target:
            return target.split("/invocations", maxsplit=1)[0].rsplit("/functions/", 1)[-1]
    return None


# --- running and reporting ------------------------------------------------------------------


@dataclass
class RunResult:
    campaign: Campaign
    endpoints: Mapping[str, Any]
    batches: list[Batch]
    filtered: dict[str, int]
    statuses: dict[str, str] = field(default_factory=dict)  # endpoint id -> status
    reasons: Counter[str] = field(default_factory=Counter)  # why endpoints were not delivered
    attempts: Counter[int] = field(default_factory=Counter)  # invocation attempts histogram
    invocation_errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def accounted(self) -> int:
        return len(self.statuses)

    @property
    def unanswered(self) -> int:
        """Endpoints sent whose invocation gave no status for them."""
        return sum(1 for status in self.statuses.values() if status not in STATUSES)


def run(
    campaign: Campaign,
    endpoints: Mapping[str, Any],
    deliverer_for: Callable[[Batch], Deliverer],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    started = time.monotonic()
    planned, filtered = plan_batches(campaign, endpoints)
    result = RunResult(campaign, endpoints, planned, filtered)
    for number, batch in enumerate(planned, start=1):
        delivered = deliverer_for(batch).deliver(batch.event)
        result.attempts[delivered.attempts] += 1
        if delivered.response is None:
            result.invocation_errors.append(delivered.error)
        for endpoint_id in batch.event["Endpoints"]:
            answer = (delivered.response or {}).get(endpoint_id, {})
            attributes = answer.get("EventAttributes", {})
            status = attributes.get("status", "no answer")
            result.statuses[endpoint_id] = status
            if status != "delivered":
                result.reasons[attributes.get("reason") or delivered.error or status] += 1
        if progress is not None:
            progress(number, len(planned))
    result.elapsed = time.monotonic() - started
    return result


def write_totals(
    out: io.StringIO, statuses: Iterable[str], total: int, reasons: Counter[str]
) -> None:
    """The report's `all` row, the statuses without an answer, and why not delivered."""
    totals = Counter(statuses)
    row = "".join(f"{totals[status]:>11}" for status in STATUSES)
    out.write(f"{'all':<10}{row}{total:>11}\n")
    other = {status: count for status, count in totals.items() if status not in STATUSES}
    if other:
        out.write(f"  without an answer: {other}\n")
    if reasons:
        out.write("\nWhy not delivered:\n")
        for reason, count in reasons.most_common():
            out.write(f"  {count:>5}  {reason}\n")


def report(result: RunResult, metrics: Mapping[str, float] | None = None) -> str:
    out = io.StringIO()
    campaign = result.campaign
    sent = result.accounted
    out.write(
        f"Campaign {campaign.name} ({campaign.campaign_id}): {len(result.endpoints)} endpoints, "
        f"{sent} sent in {len(result.batches)} invocations, {result.elapsed:.1f} s\n"
    )
    for reason, count in result.filtered.items():
        if count:
            out.write(f"  not sent ({reason}): {count}\n")
    treatment_of = {
        endpoint_id: batch.treatment.treatment_id
        for batch in result.batches
        for endpoint_id in batch.event["Endpoints"]
    }
    for title, key in (
        ("channel", lambda ep: result.endpoints[ep].get("ChannelType", "?")),
        ("treatment", lambda ep: treatment_of[ep]),
    ):
        table: dict[str, Counter[str]] = {}
        for endpoint_id, status in result.statuses.items():
            table.setdefault(str(key(endpoint_id)), Counter())[status] += 1
        out.write(f"\n{title:<10}" + "".join(f"{name:>11}" for name in (*STATUSES, "total")) + "\n")
        for name in sorted(table):
            counts = table[name]
            row = "".join(f"{counts[status]:>11}" for status in STATUSES)
            out.write(f"{name:<10}{row}{sum(counts.values()):>11}\n")
    write_totals(out, result.statuses.values(), sent, result.reasons)
    attempts = ", ".join(f"{count} x {n}" for n, count in sorted(result.attempts.items()))
    out.write(f"\nInvocation attempts: {attempts}\n")
    for error in sorted(set(result.invocation_errors)):
        out.write(f"  invocation failed after {PINPOINT_ATTEMPTS} attempts: {error}\n")
    if metrics:
        out.write(
            "\nCloudWatch metrics read back (PinpointCustomChannelExecution, this campaign):\n"
        )
        for name, value in metrics.items():
            out.write(f"  {name:<15} {value:>8.0f}\n")
    out.write(
        "Every endpoint sent is accounted for.\n"
        if result.unanswered == 0
        else f"{result.unanswered} endpoints UNACCOUNTED\n"
    )
    return out.getvalue()


def read_metrics(cloudwatch: Any, campaign: Campaign, since: dt.datetime) -> dict[str, float]:
    from custom_channel.metrics import DELIVERY_METRICS, GUIDE_METRICS, RETRY_METRIC

    values: dict[str, float] = {}
    for name in (*GUIDE_METRICS, *DELIVERY_METRICS.values(), RETRY_METRIC):
        points = cloudwatch.get_metric_statistics(
            Namespace="PinpointCustomChannelExecution",
            MetricName=name,
            Dimensions=[
                {"Name": "CampaignId", "Value": campaign.campaign_id},
                {"Name": "ApplicationId", "Value": campaign.application_id},
            ],
            StartTime=since - dt.timedelta(minutes=1),
            EndTime=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
            Period=3600,
            Statistics=["Sum"],
        )["Datapoints"]
        values[name] = sum(point["Sum"] for point in points)
    return values


def is_lambda(uri: str) -> bool:
    return not uri.startswith(("https://", "http://"))


class Deliverers:
    """One deliverer per DeliveryUri, created on first use and closed at the end."""

    def __init__(
        self,
        *,
        lambda_client: Any,
        apigateway_client: Any,
        account_id: str,
        package: Path,
        aws_env: Mapping[str, str],
        in_process: bool,
        log: io.TextIOBase,
        workdir: Path,
    ) -> None:
        self._lambda = lambda_client
        self._apigateway = apigateway_client
        self._account_id = account_id
        self._hosts: list[ReceiverHost] = []
        self._package = package
        self._aws_env = aws_env
        self._in_process = in_process
        self._log = log
        self._workdir = workdir
        self._by_uri: dict[str, Deliverer] = {}

    def __call__(self, batch: Batch) -> Deliverer:
        uri = batch.treatment.delivery_uri
        if uri not in self._by_uri:
            try:
                self._by_uri[uri] = self._create(uri)
            except RunnerError as error:
                raise RunnerError(f"{_treatment_where(batch)}: {error}") from None
            except requests.exceptions.SSLError as error:
                raise RunnerError(
                    f"{_treatment_where(batch)}: TLS failure: {_tls_reason(error)}"
                ) from None
            except requests.RequestException as error:
                raise RunnerError(
                    f"{_treatment_where(batch)}: cannot reach it: {type(error).__name__}"
                ) from None
            except OSError as error:  # the package
                raise RunnerError(
                    f"{_treatment_where(batch)}: {error.filename or ''}: {error.strerror}"
                ) from None
            except Exception as error:  # the local AWS: no such function, unreachable
                raise RunnerError(f"{_treatment_where(batch)}: {_aws_problem(error)}") from None
        return self._by_uri[uri]

    def _create(self, uri: str) -> Deliverer:
        if not is_lambda(uri):
            function = receiver_function(self._apigateway, uri)
            if function is None:
                return WebhookDeliverer(uri, self._account_id)
            spec = function_spec(self._lambda, function)
            host = ReceiverHost(self._unpack(spec), spec, self._aws_env, self._log)
            self._hosts.append(host)
            return WebhookDeliverer(host.local_url(uri), self._account_id)
        spec = function_spec(self._lambda, uri)
        if self._in_process:
            return InProcessDeliverer(spec)
        return SandboxDeliverer(self._unpack(spec), spec, self._aws_env, self._log)

    def _unpack(self, spec: FunctionSpec) -> Path:
        code_dir = self._workdir / f"code-{len(self._by_uri)}-{len(self._hosts)}"
        return unpack_package(self._package, spec.code_sha256, code_dir)

    def close(self) -> None:
        for deliverer in self._by_uri.values():
            deliverer.close()
        for host in self._hosts:
            host.close()


def _where(uri: str) -> str:
    """A DeliveryUri as the runner names it: a webhook's scheme and host only (its path can
    hold the receiver's secret), a function's ARN in full."""
    if is_lambda(uri):
        return uri
    parts = urlsplit(uri)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _treatment_where(batch: Batch) -> str:
    kind = "function" if is_lambda(batch.treatment.delivery_uri) else "webhook"
    return (
        f"treatment {batch.treatment.treatment_id}: {kind} {_where(batch.treatment.delivery_uri)}"
    )


def _tls_reason(error: BaseException) -> str:
    """The innermost TLS reason (`certificate verify failed: self-signed certificate`)."""
    seen: BaseException | None = error
    reason = type(error).__name__
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            # "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed
            # certificate (_ssl.c:1006)": the words, without OpenSSL's code and source line.
            text = re.sub(r"^\[[^\]]*\]\s*|\s*\(_ssl\.c:\d+\)$", "", seen.strerror or str(seen))
            return text or str(seen.reason or reason)
        for argument in getattr(seen, "args", ()):
            if isinstance(argument, BaseException):
                nested = _tls_reason(argument)
                if nested != type(argument).__name__:
                    return nested
        seen = seen.__cause__ or seen.__context__
    return reason


def _aws_problem(error: BaseException) -> str:
    """botocore's error code (or the exception type) and, for a TLS failure, its reason."""
    from botocore.exceptions import SSLError

    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or type(error).__name__)
    if isinstance(error, SSLError):
        return f"TLS failure: {_tls_reason(error)}"
    return type(error).__name__


def campaign_from_local_aws(pinpoint: Any, application_id: str, campaign_id: str) -> Campaign:
    """Read a campaign back from the local AWS (REST shape, as GetCampaign returns it)."""
    try:
        found = pinpoint.get_campaign(ApplicationId=application_id, CampaignId=campaign_id)
    except Exception as error:  # no such application or campaign, the local AWS down
        raise RunnerError(
            f"campaign {campaign_id} of application {application_id}: {_aws_problem(error)}"
        ) from None
    body = found["CampaignResponse"]
    main_delivery = body.get("CustomDeliveryConfiguration") or {}
    treatments = [
        {
            "treatment_id": "0",
            "size_percent": 100
            - int(body.get("HoldoutPercent") or 0)
            - sum(int(t.get("SizePercent", 0)) for t in body.get("AdditionalTreatments") or []),
            "data": ((body.get("MessageConfiguration") or {}).get("CustomMessage") or {}).get(
                "Data", ""
            ),
            "delivery_uri": main_delivery.get("DeliveryUri", ""),
            "endpoint_types": main_delivery.get("EndpointTypes", []),
        }
    ]
    for index, item in enumerate(body.get("AdditionalTreatments") or [], start=1):
        delivery = item.get("CustomDeliveryConfiguration") or main_delivery
        treatments.append(
            {
                "treatment_id": str(item.get("Id") or index),
                "size_percent": int(item.get("SizePercent", 0)),
                "data": _custom_data(item) or treatments[0]["data"],
                "delivery_uri": delivery.get("DeliveryUri", main_delivery.get("DeliveryUri", "")),
                "endpoint_types": delivery.get(
                    "EndpointTypes", main_delivery.get("EndpointTypes", [])
                ),
            }
        )
    return Campaign.from_definition(
        {
            "application_id": application_id,
            "campaign_id": campaign_id,
            "name": body.get("Name", campaign_id),
            "holdout_percent": int(body.get("HoldoutPercent") or 0),
            "is_paused": bool(body.get("IsPaused")),
            "treatments": treatments,
        }
    )


def _custom_data(body: Mapping[str, Any]) -> str:
    message = (body.get("MessageConfiguration") or {}).get("CustomMessage") or {}
    return str(message.get("Data") or "")


def _progress(number: int, total: int) -> None:
    if number == total or number % max(total // 10, 1) == 0:
        sys.stderr.write(f"  {number}/{total} invocations\n")


def _batch_progress(number: int, total: int) -> None:
    if number == total or number % max(total // 10, 1) == 0:
        sys.stderr.write(f"  {number}/{total} batches\n")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--connect" in argv:
        return connect_main([arg for arg in argv if arg != "--connect"])
    parser = _OneLineParser(
        prog="run_campaign.py",
        description="Run a custom-channel campaign locally, as Pinpoint would: the campaign "
        "from the module's definition JSON or the local AWS, endpoints from a file or "
        "synthetic, each treatment's DeliveryUri invoked as Pinpoint invokes it, and a "
        "report. --connect runs a Connect outbound campaign's custom action instead "
        "(run_campaign.py --connect --help). Exit 0: every endpoint sent has an answer; 1: "
        "some have none; 2: the campaign cannot run (bad arguments, definition, endpoints, "
        "an unknown function or campaign, a TLS failure), one line saying what and where.",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--definition", type=Path, help="the module's campaign-definition JSON")
    source.add_argument("--campaign-id", help="read this campaign from the local AWS")
    parser.add_argument("--application-id", help="with --campaign-id")
    segment = parser.add_mutually_exclusive_group(required=True)
    segment.add_argument("--endpoints", type=Path, help="segment endpoints (JSON or CSV)")
    segment.add_argument("--synthetic", type=int, metavar="N", help="N synthetic endpoints")
    parser.add_argument(
        "--endpoint-url",
        default=os.environ.get("AWS_ENDPOINT_URL"),
        help="the local AWS (default: AWS_ENDPOINT_URL)",
    )
    parser.add_argument(
        "--package",
        type=Path,
        default=ROOT / "handler/dist/custom-channel.zip",
        help="the function's deployment package",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="run the handler in this process (fast) instead of a sandbox",
    )
    parser.add_argument(
        "--log",
        type=Path,
        default=ROOT / ".build" / "campaign-run.log",
        help="where the function's own logs go",
    )
    args = parser.parse_args(argv)
    try:
        return _main(args)
    except RunnerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _main(args: argparse.Namespace) -> int:
    import boto3

    if not args.endpoint_url:
        raise RunnerError("no local AWS: give --endpoint-url or set AWS_ENDPOINT_URL")
    aws_env = {
        "AWS_ENDPOINT_URL": args.endpoint_url,
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    }
    if args.synthetic is not None and args.synthetic < 1:
        raise RunnerError("--synthetic must be at least 1")
    if args.campaign_id and not args.application_id:
        raise RunnerError("--campaign-id needs --application-id")
    os.environ.update(aws_env)
    session = boto3.session.Session()
    campaign = (
        read_definition(args.definition)
        if args.definition
        else campaign_from_local_aws(
            session.client("pinpoint"), args.application_id, args.campaign_id
        )
    )
    if args.synthetic:
        endpoints = synthetic_endpoints(args.synthetic)
    else:
        try:
            endpoints = load_endpoints(args.endpoints)
        except OSError as error:
            raise RunnerError(f"--endpoints {args.endpoints}: {error.strerror}") from None
        except (ValueError, KeyError) as error:  # not JSON, no Id column or field
            raise RunnerError(f"--endpoints {args.endpoints}: {_problem(error)}") from None
    try:
        account_id = session.client("sts").get_caller_identity()["Account"]
    except Exception as error:  # unreachable, TLS, refused: one line
        raise RunnerError(f"the local AWS at {args.endpoint_url}: {_aws_problem(error)}") from None
    started = dt.datetime.now(dt.UTC)
    args.log.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir, args.log.open("w", encoding="utf-8") as log:
        deliverers = Deliverers(
            lambda_client=session.client("lambda"),
            apigateway_client=session.client("apigatewayv2"),
            account_id=account_id,
            package=args.package,
            aws_env=aws_env,
            in_process=args.in_process,
            log=log,
            workdir=Path(workdir),
        )
        try:
            # Every DeliveryUri is checked (function read, webhook HEAD) before the first
            # event is sent: a bad one stops the run with nothing sent.
            for batch in plan_batches(campaign, endpoints)[0]:
                deliverers(batch)
            with contextlib.redirect_stdout(log):
                result = run(campaign, endpoints, deliverers, progress=_progress)
        finally:
            deliverers.close()
    print(report(result, read_metrics(session.client("cloudwatch"), campaign, started)))
    print(f"Function logs: {args.log}")
    return (
        0 if result.accounted == sum(Counter(result.statuses.values())[s] for s in STATUSES) else 1
    )


def read_definition(path: Path) -> Campaign:
    """The module's campaign-definition JSON; RunnerError naming the file and the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RunnerError(f"--definition {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise RunnerError(f"--definition {path}: not UTF-8 text") from None
    try:
        definition = json.loads(text)
    except ValueError as error:
        raise RunnerError(f"--definition {path}: not JSON: {error}") from None
    if not isinstance(definition, dict):
        raise RunnerError(f"--definition {path}: not a campaign definition (a JSON object)")
    try:
        return Campaign.from_definition(definition)
    except ValueError as error:
        raise RunnerError(f"--definition {path}: {error}") from None


def _problem(error: BaseException) -> str:
    if isinstance(error, KeyError):
        return f"missing {error}"
    return str(error)


# --- Amazon Connect outbound campaigns: the custom action (emulator/connect_driver.py) ---------


class _OneLineParser(argparse.ArgumentParser):
    """Bad input answered with one line on stderr and exit 2."""

    def error(self, message: str) -> Any:
        self.exit(2, f"error: {message}\n")


def connect_main(argv: list[str]) -> int:
    from emulator import connect_driver as connect

    parser = _OneLineParser(
        prog="run_campaign.py --connect",
        description="Run a Connect outbound campaign's custom action locally, as Connect "
        "would: profiles in batches, Connect's request shape and wait, a failed or late batch "
        "invoked again with new IdempotencyTokens. Exit 0: every profile answered once; 1: "
        "some unanswered or answered wrongly; 2: bad arguments, profiles or settings.",
    )
    segment = parser.add_mutually_exclusive_group(required=True)
    segment.add_argument("--profiles", type=Path, help="customer profiles (JSON)")
    segment.add_argument("--synthetic", type=int, metavar="N", help="N synthetic profiles")
    segment.add_argument(
        "--profiles-domain",
        metavar="DOMAIN",
        help="read the profiles from this Customer Profiles domain of the local AWS "
        "(--endpoint-url) before each run, as a journey does (needs --profile-ids)",
    )
    parser.add_argument(
        "--profile-ids",
        metavar="ID[,ID...]",
        help="with --profiles-domain: the campaign's ProfileIds, comma-separated",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="with --profiles-domain: run the journey N times, each with its own RunId and "
        "the profiles as the domain holds them then (default 1)",
    )
    parser.add_argument(
        "--run-interval",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="with --runs: wait this long between runs (status callbacks land, consent is "
        "written back)",
    )
    parser.add_argument(
        "--action-id",
        required=True,
        help="the custom action block's ActionId: its label, as typed in the journey "
        '("Welcome Message")',
    )
    parser.add_argument("--campaign-id", default="local-campaign", help="CampaignId")
    parser.add_argument("--campaign-name", default="", help="CampaignName (default: the id)")
    parser.add_argument(
        "--run-id", default="", help="RunId (default: <campaign id>#<now>, as Connect forms it)"
    )
    parser.add_argument(
        "--function",
        help="the function's name or ARN in the local AWS (without it: --in-process, "
        "configured from this environment's CHANNEL_* variables)",
    )
    parser.add_argument(
        "--in-process", action="store_true", help="run the repository's handler in this process"
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=connect.BATCH_SIZE,
        help=f"profiles per invocation, 1-{connect.MAX_BATCH_SIZE} (default "
        f"{connect.BATCH_SIZE}; Connect documents none)",
    )
    parser.add_argument(
        "--wait-seconds",
        type=float,
        default=connect.CONNECT_WAIT_SECONDS,
        help="how long Connect waits for an answer (default 30)",
    )
    parser.add_argument(
        "--endpoint-url",
        default=os.environ.get("AWS_ENDPOINT_URL"),
        help="the local AWS, with --function (default: AWS_ENDPOINT_URL)",
    )
    parser.add_argument(
        "--package",
        type=Path,
        default=ROOT / "handler/dist/custom-channel.zip",
        help="the function's deployment package",
    )
    parser.add_argument(
        "--log",
        type=Path,
        default=ROOT / ".build" / "connect-run.log",
        help="where the function's own logs go",
    )
    args = parser.parse_args(argv)
    try:
        return _connect_main(args, connect)
    except RunnerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _connect_main(args: argparse.Namespace, connect: Any) -> int:
    from custom_channel.config import ConfigError

    if args.synthetic is not None and args.synthetic < 1:
        raise RunnerError("--synthetic must be at least 1")
    if not 1 <= args.batch_size <= connect.MAX_BATCH_SIZE:
        raise RunnerError(f"--batch-size must be 1 to {connect.MAX_BATCH_SIZE}")
    if not 0 < args.wait_seconds <= connect.CONNECT_WAIT_SECONDS:
        raise RunnerError("--wait-seconds must be more than 0 and at most 30")
    if not args.action_id.strip():
        raise RunnerError("--action-id must not be empty")
    if args.function is None and not args.in_process:
        raise RunnerError("give --function (the local AWS's function) or --in-process")
    if args.function is not None and not args.endpoint_url:
        raise RunnerError("--function needs the local AWS: --endpoint-url or AWS_ENDPOINT_URL")
    domain = _domain_profiles(args, connect)
    if domain is None and (args.profile_ids or args.runs != 1 or args.run_interval):
        raise RunnerError("--profile-ids, --runs and --run-interval go with --profiles-domain")
    if args.profiles is not None:
        try:
            profiles = load_profiles(args.profiles)
        except (OSError, ValueError) as error:
            raise RunnerError(f"cannot read profiles: {error}") from None
        if not profiles:
            raise RunnerError(f"{args.profiles}: no profiles")
    elif args.synthetic is not None:
        profiles = synthetic_profiles(args.synthetic)
    else:
        profiles = {}  # read from the domain before each run
    args.log.parent.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as workdir,
        args.log.open("w", encoding="utf-8") as log,
        contextlib.redirect_stdout(log),
    ):
        try:
            invoker = _connect_invoker(args, connect, Path(workdir), log)
        except ConfigError as error:
            raise RunnerError(f"configuration error: {error}") from None
        try:
            results = _connect_runs(args, connect, invoker, domain, profiles)
        finally:
            invoker.close()
    for result in results:
        print(connect.report(result))
    if domain is not None and domain.missing:
        print(f"{len(domain.missing)} ProfileIds not in domain {domain.domain}: not sent")
    print(f"Function logs: {args.log}")
    return 0 if all(result.ok for result in results) else 1


def _connect_runs(
    args: argparse.Namespace, connect: Any, invoker: Any, domain: Any, profiles: Profiles
) -> list[Any]:
    """Each run (one unless --runs): its own RunId, the profiles read from the domain first
    when --profiles-domain names one."""
    results: list[Any] = []
    previous = ""
    for number in range(1, args.runs + 1):
        if number > 1:
            time.sleep(args.run_interval)
        started = dt.datetime.now(dt.UTC)
        run = args.run_id if args.runs == 1 and args.run_id else connect.run_id(args.campaign_id)
        while run == previous:  # RunIds are to the second: two runs within one get the next
            started += dt.timedelta(seconds=1)
            run = connect.run_id(args.campaign_id, started)
        previous = run
        context = connect.CampaignContext(
            campaign_id=args.campaign_id,
            run_id=run,
            action_id=args.action_id,
            campaign_name=args.campaign_name or args.campaign_id,
        )
        if domain is not None:
            try:
                profiles = domain.read()
            except Exception as error:  # no such domain, the local AWS down: one line
                raise RunnerError(
                    f"cannot read profiles from domain {domain.domain}: {_aws_problem(error)}"
                ) from None
            if not profiles:
                raise RunnerError(
                    f"domain {domain.domain} has none of the {len(domain.profile_ids)} profiles"
                )
        results.append(
            connect.run_connect(
                profiles, invoker, context, batch_size=args.batch_size, progress=_batch_progress
            )
        )
    return results


def _domain_profiles(args: argparse.Namespace, connect: Any) -> Any:
    """--profiles-domain's source (connect_driver.DomainProfiles), or None without it."""
    if args.profiles_domain is None:
        return None
    if not args.profile_ids:
        raise RunnerError("--profiles-domain needs --profile-ids")
    if not args.endpoint_url:
        raise RunnerError(
            "--profiles-domain needs the local AWS: --endpoint-url or AWS_ENDPOINT_URL"
        )
    if args.runs < 1:
        raise RunnerError("--runs must be at least 1")
    if args.run_interval < 0:
        raise RunnerError("--run-interval must not be negative")
    ids = [item.strip() for item in args.profile_ids.split(",") if item.strip()]
    if not ids:
        raise RunnerError("--profile-ids names no ProfileId")
    import boto3

    client = boto3.session.Session().client(
        "customer-profiles",
        endpoint_url=args.endpoint_url,
        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "local"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
    )
    return connect.DomainProfiles(client, args.profiles_domain, ids)


def _connect_invoker(args: argparse.Namespace, connect: Any, workdir: Path, log: Any) -> Any:
    if args.function is None:
        environment = {k: v for k, v in os.environ.items() if k.startswith("CHANNEL_")}
        return connect.InProcessInvoker(environment, wait_seconds=args.wait_seconds)
    import boto3

    aws_env = {
        "AWS_ENDPOINT_URL": args.endpoint_url,
        "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
        "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
    }
    os.environ.update(aws_env)
    try:
        spec = function_spec(boto3.session.Session().client("lambda"), args.function)
    except Exception as error:  # no such function, the local AWS down: one line
        raise RunnerError(f"cannot read function {args.function}: {_aws_problem(error)}") from None
    if args.in_process:
        return connect.InProcessInvoker(
            spec.environment, wait_seconds=args.wait_seconds, function_timeout=spec.timeout
        )
    try:
        code_dir = unpack_package(args.package, spec.code_sha256, workdir / "code")
    except OSError as error:
        raise RunnerError(f"cannot read the package {args.package}: {error.strerror}") from None
    return connect.SandboxInvoker(code_dir, spec, aws_env, log, wait_seconds=args.wait_seconds)


if __name__ == "__main__":
    sys.exit(main())
