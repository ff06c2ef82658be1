"""`make demo`: the whole custom channel, applied and run on this machine, no account.

Amazon Connect first (Pinpoint's campaigns reached end of support on 2026-10-30), then the
Pinpoint campaign:

1. starts the local AWS (moto on 127.0.0.1, emulator/local_aws.py) and a local HTTP server
   standing in for the messaging provider; makes an Amazon Connect instance there (moto's
   connect) and, as a Connect user does in the admin website, the message of the journey's
   custom action block labelled "Welcome Message": an SMS message template in an Amazon Q in
   Connect knowledge base (emulator/local_qconnect.py), written with Connect's placeholders;
2. `terraform apply`s examples/connect-custom-action (event_source = "connect") for that
   instance, its knowledge_base_id and template_ids naming the template; meanwhile, in the
   background, examples/lambda-channel (the Pinpoint campaign's stack);
3. registers the function with the instance as the output connect_register_command does
   (connectcampaignsv2 PutConnectInstanceIntegration on the local AWS,
   emulator/local_connectcampaigns.py), and reads back which function the instance holds
   (ListConnectInstanceIntegrations);
4. runs the journey's custom action as Connect would (emulator/connect_driver.py): a few
   hundred synthetic customer profiles in the shape Connect really sends (camelCase
   CustomerData, lower-case `attributes`, RunId `<CampaignId>#<time>`, 64-hex tokens), in
   batches, through the registered function's code and settings as deployed, in a separate
   process; the function reads the template with GetMessageTemplate. Prints the report and
   which template the messages came from; then unregisters the function
   (DeleteConnectInstanceIntegration) and destroys the stack in the background;
5. runs a 1,000-endpoint campaign through the Pinpoint stack with the local campaign runner, as
   Pinpoint would: treatment split, EndpointTypes filter, batches of 50 in the guide's event
   shape, each run by the function's code and settings as deployed, in a separate process;
6. prints the report, with the CloudWatch metrics read back from the local AWS, and checks the
   channel's CloudWatch dashboard (as the local AWS stores it) against the series the function
   published during the run: every series it draws outside AWS/Lambda must exist;
7. runs `python -m custom_channel.operator resend` with the function's settings on what the
   function put in its failure queue (SQS), as an operator would;
8. destroys the Pinpoint stack, waits for the Connect one, prints every step's time and the
   total, and stops what it started, also on Ctrl-C or a failure.

Every step that takes more than a moment says when it starts and, with its time, when it ends
(`  [12.3 s] terraform init and apply (examples/connect-custom-action)`); the end repeats them
all with the total. Terraform's output goes to one log per example under .build/
(TERRAFORM_LOGS); while the demo waits on Terraform it prints a heartbeat line every
HEARTBEAT_SECONDS, and when a command fails, the log's last lines.

Real: the Terraform module and provider, the handler package and its HTTP delivery, the
Secrets Manager, SQS, CloudWatch, Lambda configuration and qconnect GetMessageTemplate calls,
the connectcampaignsv2 requests (checked against botocore's model).
Emulated: AWS itself (moto, Amazon Q in Connect's message templates and outbound campaigns'
instance integrations), Pinpoint (the runner), Connect (the driver) and the provider (a local
server).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
for path in (str(ROOT / "handler"), str(ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)

from demo.dashboard_check import DashboardError, check_dashboard  # noqa: E402
from emulator.campaign import Batch, Campaign  # noqa: E402
from emulator.connect_driver import (  # noqa: E402
    CampaignContext,
    ConnectRun,
    DomainProfiles,
    SandboxInvoker,
    registered_function,
    run_connect,
    run_connect_from_domain,
    run_id,
)
from emulator.connect_driver import report as connect_report  # noqa: E402
from emulator.local_aws import LocalAws  # noqa: E402
from emulator.local_pinpoint import put_endpoints  # noqa: E402
from emulator.provider_server import (  # noqa: E402
    DELIVERED,
    FINAL_STATUSES,
    GenericReceipts,
    Outcome,
    ProviderServer,
    Received,
    Reply,
    redirect_to,
)
from emulator.run_campaign import (  # noqa: E402
    Delivered,
    Deliverer,
    Deliverers,
    ReceiverHost,
    RunResult,
    function_spec,
    read_metrics,
    report,
    run,
    unpack_package,
)
from emulator.segments import synthetic_endpoints, synthetic_profiles  # noqa: E402
from tools.terraform_root import TerraformError, TerraformRoot, local_example  # noqa: E402
from tools.terraformrc import write_config  # noqa: E402

EXAMPLE = ROOT / "examples" / "lambda-channel"
CONNECT_EXAMPLE = ROOT / "examples" / "connect-custom-action"
PACKAGE = ROOT / "handler" / "dist" / "custom-channel.zip"
LOG_FILE = ROOT / ".build" / "demo-function-logs.jsonl"
CONNECT_LOG_FILE = ROOT / ".build" / "demo-connect-function-logs.jsonl"
# Terraform's output, per example: init, apply and destroy, appended in turn.
TERRAFORM_LOGS = {
    example.name: ROOT / ".build" / f"demo-terraform-{example.name}.log"
    for example in (EXAMPLE, CONNECT_EXAMPLE)
}
HEARTBEAT_SECONDS = 10.0
LOG_TAIL_LINES = 20  # of a failed Terraform command's log, printed
T = TypeVar("T")
# The Connect instance the demo makes in the local AWS (moto's connect): the function is
# registered with it.
CONNECT_INSTANCE_ALIAS = "demo-connect"
# The message of every other custom action block (the example's message_template).
CONNECT_TEMPLATE = json.dumps(
    {"to": "{{Address}}", "text": "Hi {{FirstName | there}}, your order is on its way."}
)
# The block the demo's journey runs, by its label (Connect sends it as ActionId), and its
# message as authored in Connect (Message templates): an SMS template whose text uses Connect's
# placeholders for customer profile attributes (Administrator Guide, "Add personalized content
# to message templates": {{Attributes.Customer.FirstName}}; a custom attribute of the profile
# as {{Attributes.Customer.Attributes.plan}}). For this example's provider the text is the
# request body, a JSON document.
CONNECT_ACTION = "Welcome Message"
CONNECT_TEMPLATE_TEXT = (
    "Hi {{Attributes.Customer.FirstName}}, welcome aboard: "
    "your {{Attributes.Customer.Attributes.plan}} plan is ready."
)
CONNECT_AUTHORED = {
    "sms": {
        "body": {
            "plainText": {
                "content": json.dumps({"to": "{{Address}}", "text": CONNECT_TEMPLATE_TEXT})
            }
        }
    }
}
# The text every message from that template carries, whoever it goes to.
CONNECT_TEMPLATE_MARKER = "welcome aboard: your"
CONNECT_CONTEXT = CampaignContext(
    campaign_id="5f0c2a7e-9d41-4b8e-a3c6-2e7f1d9b4c10",
    run_id="",  # <CampaignId>#<start>, when the run starts (connect_run)
    action_id=CONNECT_ACTION,
    campaign_name="demo-connect-campaign",
)
# Receipts (docs/receipts.md): the provider signs its receipts with this key (the example's
# provider_receipts_key), and the opt-outs are written back to this Customer Profiles domain.
RECEIPTS_KEY = "demo-receipts-key-0123456789abcdef"
PROFILES_DOMAIN = "demo-connect-profiles"
# The journey's second campaign, on profiles kept in that domain: read by the journey when
# each run starts, as Connect does. One of them replies STOP to the first run's message.
CONSENT_PROFILES = {
    "Ana": "ana@example.com",
    "Ben": "ben@example.com",
    "Chloe": "chloe@example.com",
    "Dev": "dev@example.com",
    "Eli": "eli@example.com",
    "Fay": "fay@example.com",
    "Gus": "gus@example.com",
    "Sam": "sam@example.com",
}
STOPPING = "Sam"  # replies STOP: the provider reports error 21610 for the message
CONSENT_CONTEXT = CampaignContext(
    campaign_id="8b1d5e20-4c7a-4f13-9e62-0a3f5d7c9b21",
    run_id="",
    action_id=CONNECT_ACTION,
    campaign_name="demo-connect-consent",
)
CAMPAIGN_DATA = json.dumps(
    {
        "to": "{{Address}}",
        "channel": "{{ChannelType}}",
        "text": "Hello {{Attributes.FirstName | there}}, cohort {{Attributes.CohortId}}: "
        "your offer is live.",
    }
)
# BAIDU endpoints stay out, to show the EndpointTypes filter at work.
ENDPOINT_TYPES = ["SMS", "EMAIL", "CUSTOM", "VOICE", "GCM", "APNS"]


class DemoProvider:
    """Answers like a busy provider: some latency, a few transient 503s, a few rejections."""

    def __init__(self, latency: float, seed: int = 11) -> None:
        self.latency = latency
        self._rng = random.Random(seed)  # noqa: S311 - demo faults
        self._seen: set[str] = set()

    def __call__(self, request: Received) -> Reply:
        recipient = str(json.loads(request.body).get("to", ""))
        first_time = recipient not in self._seen
        self._seen.add(recipient)
        if recipient.endswith("13"):  # recipients this provider rejects
            return Reply(400, b'{"error":"invalid recipient"}', delay=self.latency)
        if first_time and self._rng.random() < 0.05:
            return Reply(503, b'{"error":"busy"}', delay=self.latency)
        return Reply(202, b'{"queued":true}', delay=self.latency)


def demo_receipt(request: Received) -> Outcome:
    """The status the provider stand-in later reports for a message it took: delivered for
    most; undelivered (30003, unreachable handset) for about one in sixteen; failed with 21610
    and `recipient: opted_out` for the recipient who replies STOP."""
    recipient = str(json.loads(request.body).get("to", ""))
    if recipient == CONSENT_PROFILES[STOPPING]:
        return Outcome("failed", 21610, recipient="opted_out")
    if hashlib.sha256(recipient.encode()).digest()[0] < 16:
        return Outcome("undelivered", 30003)
    return DELIVERED


class ReceiptsRoute:
    """Where the provider stand-in posts its receipts: the deployed receipts route's URL, sent
    to the function served locally (run_campaign.ReceiverHost) once it is; until then a
    receipt is recorded, not posted (the stand-in posts to loopback addresses only)."""

    def __init__(self) -> None:
        self.base: str | None = None

    def __call__(self, url: str) -> str:
        return redirect_to(self.base)(url) if self.base else url


def provider_stand_in(latency: float) -> tuple[GenericReceipts, ReceiptsRoute]:
    """The provider: DemoProvider's answers, and its signed receipts (GenericReceipts) posted
    to the receipts route once the demo serves it."""
    route = ReceiptsRoute()
    receipts = GenericReceipts(
        DemoProvider(latency), RECEIPTS_KEY, outcome=demo_receipt, deliver_to=route
    )
    return receipts, route


_output = threading.Lock()  # one line at a time, from the heartbeat threads too


def say(line: str = "") -> None:
    with _output:
        print(line, flush=True)


def step(message: str) -> None:
    say(f"==> {message}")


def _relative(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


@contextmanager
def heartbeat(label: str, started: float, log: Path | None = None) -> Iterator[None]:
    """While the block runs, a line every HEARTBEAT_SECONDS saying it still does."""
    stop = threading.Event()
    where = f", log: {_relative(log)}" if log is not None else ""

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            say(f"  ... {label} still running ({time.monotonic() - started:.0f} s{where})")

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# Every step's time, in the order the steps ended (this run's; demo() empties it).
STEP_TIMES: list[tuple[str, float]] = []


def record(label: str, seconds: float) -> None:
    """A step's end: `  [12.3 s] label`, kept for the summary (step_times)."""
    STEP_TIMES.append((label, seconds))
    say(f"  [{seconds:.1f} s] {label}")


def step_times(total: float) -> str:
    """The summary: every step's time, then the total (steps in the background overlap)."""
    width = len(f"{max([total, *(s for _, s in STEP_TIMES)]):.1f}")
    lines = [f"  [{seconds:>{width}.1f} s] {label}" for label, seconds in STEP_TIMES]
    lines.append(f"  [{total:>{width}.1f} s] total (the steps in the background overlap others)")
    return "Step times:\n" + "\n".join(lines)


@contextmanager
def timed(label: str, log: Path | None = None) -> Iterator[None]:
    """A step: its start, a heartbeat while it runs, its time when it ends (or fails)."""
    step(label if log is None else f"{label} (log: {_relative(log)})")
    started = time.monotonic()
    try:
        with heartbeat(label, started, log):
            yield
    except BaseException:
        say(f"  [{time.monotonic() - started:.1f} s] {label}: FAILED")
        raise
    record(label, time.monotonic() - started)


def joined(future: Future[T], label: str, started: float, log: Path | None = None) -> T:
    """The result of a step run in the background, waited for with a heartbeat."""
    if not future.done():
        with heartbeat(f"{label} (in the background)", started, log):
            wait([future])
    return future.result()


class LoggedTerraform:
    """An example's copy (TerraformRoot) run by the terraform CLI with its output streamed to
    a log file, so that a long apply can be followed (`tail -f`) and a failure shows its cause.
    The root's variables go to an auto-loaded variable file (Terraform: "Variable
    Definitions (.tfvars) Files", `*.auto.tfvars.json`) rather than the command line."""

    def __init__(self, root: TerraformRoot, example: Path) -> None:
        self.root = root
        self.example = f"examples/{example.name}"
        self.log = TERRAFORM_LOGS[example.name]
        root.write("demo.auto.tfvars.json", root.variables)
        self._terraform = shutil.which("terraform") or "terraform"

    def _run(self, command: str, *arguments: str) -> None:
        self.log.parent.mkdir(exist_ok=True)
        with self.log.open("a", encoding="utf-8") as log:
            log.write(f"\n$ terraform {command} {' '.join(arguments)}\n")
            log.flush()
            finished = subprocess.run(
                [self._terraform, command, "-input=false", "-no-color", *arguments],
                cwd=self.root.directory,
                env={**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if finished.returncode != 0:
            lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
            tail = "\n".join(f"    | {line}" for line in lines[-LOG_TAIL_LINES:])
            raise TerraformError(
                f"terraform {command} ({self.example}) failed (exit {finished.returncode}); "
                f"the last lines of {_relative(self.log)}:\n{tail}"
            )

    def deploy(self, package: Path) -> None:
        """Deploy `package` instead of the committed zip: an override file (Terraform merges
        `*_override.tf` into the module block) sets the module's local_existing_package.
        The committed zip is the example's own: nothing to override."""
        if package == PACKAGE:
            return
        path = json.dumps(str(package))
        self.root.write(
            "package_override.tf",
            f'module "custom_channel" {{\n  local_existing_package = {path}\n}}\n',
        )

    def init(self) -> None:
        self._run("init")

    def apply(self) -> None:
        self._run("apply", "-auto-approve")

    def destroy(self, refresh: bool = True) -> None:
        self._run("destroy", "-auto-approve", *(() if refresh else ("-refresh=false",)))

    def outputs(self) -> dict[str, Any]:
        return self.root.outputs()


class RecordingDeliverer:
    """A deliverer that counts the endpoints it saw not delivered, by (status, reason): what the
    run's summary sentence is made of. The reason is the runner's (run_campaign.run)."""

    def __init__(self, inner: Deliverer, outcomes: Counter[tuple[str, str]]) -> None:
        self._inner = inner
        self._outcomes = outcomes

    def deliver(self, event: dict[str, Any]) -> Delivered:
        delivered = self._inner.deliver(event)
        for endpoint_id in event["Endpoints"]:
            answer = (delivered.response or {}).get(endpoint_id, {})
            attributes = answer.get("EventAttributes", {})
            status = attributes.get("status", "no answer")
            if status != "delivered":
                reason = attributes.get("reason") or delivered.error or status
                self._outcomes[status, reason] += 1
        return delivered

    def close(self) -> None:
        self._inner.close()


@dataclass(frozen=True)
class DemoRun:
    result: RunResult
    provider_requests: int
    report: str
    resend: dict[str, int]  # the resend command's summary
    connect: ConnectRun  # the Connect custom action's run
    connect_report: str
    connect_template: AuthoredTemplate  # the Connect-authored message the run sent
    connect_registered: str  # the function the instance held (ListConnectInstanceIntegrations)
    connect_unregistered: bool  # the instance held none after DeleteConnectInstanceIntegration
    connect_receipts: Receipts  # the provider's receipts and the consent write-back
    # Endpoints not delivered by the campaign, and by the resend, by (status, reason).
    outcomes: Counter[tuple[str, str]]
    resend_outcomes: Counter[tuple[str, str]]
    dashboard: tuple[int, int]  # series checked: the handler's, and AWS/Lambda's


def demo(
    endpoint_count: int, latency: float, profile_count: int = 300, package: Path = PACKAGE
) -> DemoRun:
    """The whole run: the Connect path, then the Pinpoint campaign. `package`: the Lambda zip
    both examples deploy and the runners run (by default the one committed with the module)."""
    started = time.monotonic()
    _start_afresh()
    step("starting the local AWS and the provider stand-in")
    receipts, route = provider_stand_in(latency)
    # The local AWS's variables hold only while the demo runs: a caller (the tests) keeps its own.
    with (
        mock.patch.dict(os.environ, {"TF_CLI_CONFIG_FILE": str(write_config())}),
        LocalAws() as aws,
        ProviderServer(receipts) as provider,
        tempfile.TemporaryDirectory() as workdir,
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="terraform") as background,
    ):
        os.environ.update(aws.env)
        record(
            f"local AWS on {aws.endpoint_url}, provider on {provider.url}",
            time.monotonic() - started,
        )
        instance_arn = connect_instance(aws)
        authored = author_connect_template(aws)
        connect_root = connect_example(aws, provider.url, Path(workdir), authored, instance_arn)
        root = pinpoint_example(aws, provider.url, Path(workdir))
        for example in (connect_root, root):
            example.deploy(package)
        # Each example's failure queue costs about 50 s of the AWS provider's SQS waits (apply
        # and destroy): the Pinpoint stack is applied while the Connect path runs, and the
        # Connect stack destroyed while the Pinpoint campaign runs.
        pinpoint_label = f"terraform init and apply ({root.example})"
        step(f"{pinpoint_label}, in the background (log: {_relative(root.log)})")
        pinpoint_applied = background.submit(_apply, root)
        pinpoint_apply_started = time.monotonic()
        connect_destroyed: Future[float] | None = None
        try:
            try:
                with timed(f"terraform init and apply ({connect_root.example})", connect_root.log):
                    connect_root.init()
                    connect_root.apply()
                connect_outputs = connect_root.outputs()
                step(f"applied in {time.monotonic() - started:.0f} s since the start")
                connect = connect_path(
                    aws,
                    connect_outputs,
                    Path(workdir),
                    profile_count,
                    package=package,
                    instance_arn=instance_arn,
                    receipts=receipts,
                    route=route,
                )
                authored = template_used(aws, provider, authored)
            finally:
                step(f"terraform destroy ({connect_root.example}), in the background")
                # Its state is minutes old, and only ours: no refresh.
                connect_destroyed = background.submit(
                    _timed_call, lambda: connect_root.destroy(refresh=False)
                )
                connect_destroy_started = time.monotonic()
            outputs, apply_seconds = joined(
                pinpoint_applied, pinpoint_label, pinpoint_apply_started, root.log
            )
            record(f"{pinpoint_label}, in the background", apply_seconds)
            pinpoint = pinpoint_run(
                aws, provider, outputs, Path(workdir), endpoint_count, package=package
            )
        finally:
            wait([pinpoint_applied])  # applied or failed: destroy what there is
            with timed(f"terraform destroy ({root.example})", root.log):
                root.destroy()
            if connect_destroyed is not None:
                label = f"terraform destroy ({connect_root.example})"
                seconds = joined(
                    connect_destroyed, label, connect_destroy_started, connect_root.log
                )
                record(f"{label}, in the background", seconds)
        outcome = DemoRun(
            result=pinpoint.result,
            provider_requests=pinpoint.provider_requests,
            report=pinpoint.report,
            resend=pinpoint.resend,
            connect=connect.run,
            connect_report=connect.report,
            connect_template=authored,
            connect_registered=connect.registered,
            connect_unregistered=connect.unregistered,
            connect_receipts=connect.receipts,
            outcomes=pinpoint.outcomes,
            resend_outcomes=pinpoint.resend_outcomes,
            dashboard=pinpoint.dashboard,
        )
    total = time.monotonic() - started
    say()
    say(step_times(total))
    step(f"done in {total:.1f} s; local servers stopped")
    return outcome


def _start_afresh() -> None:
    """No step time and no Terraform log of an earlier run."""
    STEP_TIMES.clear()
    for log in TERRAFORM_LOGS.values():
        log.parent.mkdir(exist_ok=True)
        log.write_text("", encoding="utf-8")


def _timed_call(call: Callable[[], None]) -> float:
    started = time.monotonic()
    call()
    return time.monotonic() - started


@dataclass(frozen=True)
class PinpointRun:
    result: RunResult
    report: str
    provider_requests: int
    outcomes: Counter[tuple[str, str]]
    resend: dict[str, int]
    resend_outcomes: Counter[tuple[str, str]]
    dashboard: tuple[int, int]


def pinpoint_run(
    aws: LocalAws,
    provider: ProviderServer,
    outputs: dict[str, Any],
    workdir: Path,
    endpoint_count: int,
    *,
    package: Path,
) -> PinpointRun:
    """The campaign through the deployed function, its report, metrics and dashboard, the
    resend."""
    campaign = Campaign.from_definition(json.loads(outputs["pinpoint_campaign_definition_json"]))
    endpoints = synthetic_endpoints(endpoint_count)
    # The segment's endpoints, as the application holds them: the resend command asks
    # Pinpoint's GetEndpoint for each one's consent and address now.
    put_endpoints(aws.client("pinpoint"), campaign.application_id, endpoints)
    outcomes: Counter[tuple[str, str]] = Counter()
    LOG_FILE.parent.mkdir(exist_ok=True)
    before = len(provider.requests)  # the Connect run's
    label = f"campaign {campaign.campaign_id} on {len(endpoints)} endpoints"
    with LOG_FILE.open("w", encoding="utf-8") as log, timed(label):
        deliverers = Deliverers(
            lambda_client=aws.client("lambda"),
            apigateway_client=aws.client("apigatewayv2"),
            account_id=aws.account_id,
            package=package,
            aws_env=aws.env,
            in_process=False,
            log=log,
            workdir=workdir,
        )

        def recording(batch: Batch) -> Deliverer:
            return RecordingDeliverer(deliverers(batch), outcomes)

        since = time.time()
        try:
            result = run(campaign, endpoints, recording, progress=_progress)
        finally:
            deliverers.close()
    cloudwatch = aws.client("cloudwatch")
    metrics = read_metrics(cloudwatch, campaign, dt.datetime.fromtimestamp(since, dt.UTC))
    text = report(result, metrics)
    say()
    say(text)
    provider_requests = len(provider.requests) - before
    say(
        f"The provider received {provider_requests} requests, at most "
        f"{provider.max_in_flight} at once. Function logs: {LOG_FILE.relative_to(ROOT)}"
    )
    say(queued_sentence(outcomes))
    dashboard = dashboard_run(cloudwatch, outputs)
    resent, resend_outcomes = resend_failures(outputs)
    return PinpointRun(
        result, text, provider_requests, outcomes, resent, resend_outcomes, dashboard
    )


def dashboard_run(cloudwatch: Any, outputs: dict[str, Any]) -> tuple[int, int]:
    """The channel's dashboard as the local AWS stores it (GetDashboard), checked against the
    series the function published during the run (ListMetrics)."""
    name = outputs["cloudwatch_dashboard_name"]
    step(f"dashboard {name}; in an account: {outputs['cloudwatch_dashboard_url']}")
    own, function = check_dashboard(cloudwatch, name)
    say(
        f"    checked: the {own} series it draws from the handler were all published during "
        f"the run (ListMetrics); {function} AWS/Lambda series are Lambda's own"
    )
    return own, function


def _by_reason(outcomes: Counter[tuple[str, str]], status: str) -> str:
    reasons = Counter({reason: n for (s, reason), n in outcomes.items() if s == status})
    return ", ".join(f"{n} x {reason}" for reason, n in reasons.most_common())


def queued_sentence(outcomes: Counter[tuple[str, str]]) -> str:
    """What the campaign put in the failure queue (failed and unknown), by status and reason."""
    queued = {
        status: sum(n for (s, _), n in outcomes.items() if s == status)
        for status in ("failed", "unknown")
    }
    parts = [
        f"{queued[status]} {status}"
        + (f" ({_by_reason(outcomes, status)})" if queued[status] else "")
        for status in ("failed", "unknown")
    ]
    total = sum(queued.values())
    return f"To the failure queue: {total} endpoint{'' if total == 1 else 's'}: {'; '.join(parts)}."


def resend_sentence(summary: dict[str, int], outcomes: Counter[tuple[str, str]]) -> str:
    """The resend's result, from its summary and its own log lines (by status and reason)."""
    text = f"    {summary['deleted']} delivered and deleted, {summary['kept']} kept in the queue"
    kept = []
    for status, again in (("failed", "failed again"), ("unknown", "unknown again")):
        if summary[status]:
            kept.append(f"{summary[status]} {again} ({_by_reason(outcomes, status)})")
    if summary["unknown_kept"]:
        kept.append(f"{summary['unknown_kept']} unknown, not sent (the provider may have them)")
    if summary.get("consent_unchecked"):
        kept.append(f"{summary['consent_unchecked']} not sent (consent now not checked)")
    return text + (": " + "; ".join(kept) if kept else "") + "."


@dataclass(frozen=True)
class AuthoredTemplate:
    """The Connect-authored message template of the demo's custom action block."""

    knowledge_base_id: str
    template_id: str
    name: str
    channel_subtype: str
    version: int | None = None  # its active version, read back after the run
    messages: int = 0  # the provider's requests that carry its text


def author_connect_template(aws: LocalAws) -> AuthoredTemplate:
    """What a Connect user does in the admin website before the campaign runs: a message
    template for the "Welcome Message" block, published, in the instance's knowledge base (here
    a new one, any lowercase UUID, in the local AWS)."""
    knowledge_base_id = str(uuid.uuid4())
    template_id = aws.put_message_template(
        knowledge_base_id,
        CONNECT_ACTION,
        "SMS",
        CONNECT_AUTHORED,
        default_attributes={"customerProfileAttributes": {"firstName": "there"}},
    )
    say(
        f"  Connect message template {CONNECT_ACTION!r} (SMS) authored and published: "
        f"knowledge base {knowledge_base_id}, template {template_id}"
    )
    return AuthoredTemplate(knowledge_base_id, template_id, CONNECT_ACTION, "SMS")


def template_used(
    aws: LocalAws, provider: ProviderServer, authored: AuthoredTemplate
) -> AuthoredTemplate:
    """Which template the Connect run's messages came from: the version the function read
    (the active one, as the local AWS's qconnect answers GetMessageTemplate), and how many of
    the provider's requests carry its text."""
    template = aws.client("qconnect").get_message_template(
        knowledgeBaseId=authored.knowledge_base_id,
        messageTemplateId=f"{authored.template_id}:$ACTIVE_VERSION",
    )["messageTemplate"]
    messages = sum(
        1 for request in provider.requests if CONNECT_TEMPLATE_MARKER in _message_text(request)
    )
    used = dataclasses.replace(authored, version=int(template["versionNumber"]), messages=messages)
    say(
        f"The messages of {CONNECT_ACTION!r} came from the Connect-authored template "
        f"{template['name']!r}, version {used.version} ({template['channelSubtype']}, "
        f"knowledge base {used.knowledge_base_id}): {messages} of the provider's requests "
        "carry its text."
    )
    return used


def _message_text(request: Received) -> str:
    try:
        body = request.json()
    except ValueError:
        return ""
    return str(body.get("text", "")) if isinstance(body, dict) else ""


def connect_instance(aws: LocalAws) -> str:
    """An Amazon Connect instance in the local AWS (moto's connect), and its Customer Profiles
    domain, as a Connect user already has them: the function is registered with the instance,
    and opt-outs are written back to the domain. Returns the instance's ARN."""
    instance = aws.client("connect").create_instance(
        IdentityManagementType="CONNECT_MANAGED",
        InstanceAlias=CONNECT_INSTANCE_ALIAS,
        InboundCallsEnabled=False,
        OutboundCallsEnabled=True,
    )
    say(f"  Connect instance {CONNECT_INSTANCE_ALIAS!r}: {instance['Id']}")
    aws.client("customer-profiles").create_domain(
        DomainName=PROFILES_DOMAIN, DefaultExpirationDays=365
    )
    say(f"  its Customer Profiles domain {PROFILES_DOMAIN!r}")
    return str(instance["Arn"])


def connect_example(
    aws: LocalAws,
    provider_url: str,
    workdir: Path,
    authored: AuthoredTemplate,
    instance_arn: str,
) -> LoggedTerraform:
    """examples/connect-custom-action for the local AWS and its Connect instance, with the
    Connect-authored template for its "Welcome Message" block (knowledge_base_id and
    template_ids, in the variables file rather than as -var options: the same values, no
    shell quoting of a map)."""
    root = local_example(
        CONNECT_EXAMPLE,
        workdir / "connect-custom-action",
        aws.provider_block(),
        variables={
            "name": "demo-connect-action",
            "connect_instance_arn": instance_arn,
            "provider_url": f"{provider_url}/v1/messages",
            "provider_api_key": "demo-key",
            "message_template": CONNECT_TEMPLATE,
            "knowledge_base_id": authored.knowledge_base_id,
            "template_ids": {CONNECT_ACTION: authored.template_id},
            "secret_recovery_window_in_days": 0,
            "receipts": True,
            "provider_receipts_key": RECEIPTS_KEY,
            "profiles_domain": PROFILES_DOMAIN,
        },
    )
    return LoggedTerraform(root, CONNECT_EXAMPLE)


def pinpoint_example(aws: LocalAws, provider_url: str, workdir: Path) -> LoggedTerraform:
    """examples/lambda-channel for the local AWS: the function, its Pinpoint campaign (running,
    not paused), the provider secret, the alarms and the dashboard."""
    root = local_example(
        EXAMPLE,
        workdir / "lambda-channel",
        aws.provider_block(),
        variables={
            "name": "demo-channel",
            "provider_url": f"{provider_url}/v1/messages",
            "provider_api_key": "demo-key",
            "campaign_name": "demo-campaign",
            "campaign_data": CAMPAIGN_DATA,
            "endpoint_types": ENDPOINT_TYPES,
            "campaign_paused": False,
        },
    )
    return LoggedTerraform(root, EXAMPLE)


def _apply(root: LoggedTerraform) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    root.init()
    root.apply()
    return root.outputs(), time.monotonic() - started


@dataclass(frozen=True)
class Receipts:
    """What the provider reported after it took the Connect path's messages, as the channel
    published it (EventBridge events, read back), and what the consent write-back did."""

    statuses: Counter[str]  # final status -> events (callbacks only)
    stopped: str  # the ProfileId of the recipient who replied STOP
    consent: str  # the event's `consent` for that opt-out (written, not_written, off)
    opt_out: str | None  # the profile's OptOut attribute afterwards
    second_run: dict[str, str]  # ProfileId -> status, in the journey's next run

    @property
    def delivered_rate(self) -> float:
        final = sum(self.statuses[status] for status in ("delivered", "undelivered", "failed"))
        return 100.0 * self.statuses["delivered"] / final if final else 0.0


@dataclass(frozen=True)
class ConnectPath:
    run: ConnectRun
    report: str
    registered: str  # the function ARN the instance held while the run went
    unregistered: bool  # no Lambda integration left after the unregistration
    receipts: Receipts


def connect_path(
    aws: LocalAws,
    outputs: dict[str, Any],
    workdir: Path,
    profile_count: int,
    *,
    package: Path,
    instance_arn: str,
    receipts: GenericReceipts,
    route: ReceiptsRoute,
) -> ConnectPath:
    """What a Connect user does after the apply, and what Connect then does: register the
    function with the instance (PutConnectInstanceIntegration, the request of the output
    connect_register_command), the journey's custom action invoking the function the instance
    holds (read back with ListConnectInstanceIntegrations) with batches of customer profiles,
    the provider's receipts to the receipts route, a second journey on profiles kept in a
    Customer Profiles domain run twice (one recipient replies STOP in between), and the
    unregistration (DeleteConnectInstanceIntegration, connect_unregister_command)."""
    campaigns = aws.client("connectcampaignsv2")
    instance_id = instance_arn.rsplit("/", 1)[1]
    config = {"lambda": {"functionArn": outputs["lambda_function_arn"]}}
    with timed("register the function with the Connect instance (PutConnectInstanceIntegration)"):
        campaigns.put_connect_instance_integration(
            connectInstanceId=instance_id, integrationConfig=config
        )
        registered = registered_function(campaigns, instance_id)
    say(f"    what the output connect_register_command runs: the instance now holds {registered}")
    profiles = synthetic_profiles(profile_count)
    context = dataclasses.replace(CONNECT_CONTEXT, run_id=run_id(CONNECT_CONTEXT.campaign_id))
    label = (
        f"Connect campaign {context.campaign_name}, action {context.action_id!r}, on "
        f"{len(profiles)} customer profiles"
    )
    CONNECT_LOG_FILE.parent.mkdir(exist_ok=True)
    events = aws.capture_events()
    with CONNECT_LOG_FILE.open("w", encoding="utf-8") as log:
        # The receipts route (outputs.receipts_url, an HTTP API): the function behind it,
        # served on 127.0.0.1 with its code and settings as deployed.
        spec = function_spec(aws.client("lambda"), registered)
        host = ReceiverHost(
            unpack_package(package, spec.code_sha256, workdir / "connect-route"),
            spec,
            aws.env,
            log,
        )
        route.base = f"http://127.0.0.1:{host.port}"
        invoker = SandboxInvoker.deployed(
            aws.client("lambda"),
            registered,
            package,
            workdir / "connect-code",
            aws_env=aws.env,
            log=log,
        )
        try:
            with timed(label):
                result = run_connect(profiles, invoker, context, progress=_progress)
            text = connect_report(result)
            say()
            say(text)
            say(f"Function logs: {CONNECT_LOG_FILE.relative_to(ROOT)}")
            seen = consent_runs(aws, invoker, receipts, events, outputs)
        finally:
            invoker.close()
            host.close()
    label = "unregister the function (DeleteConnectInstanceIntegration)"
    with timed(label):
        campaigns.delete_connect_instance_integration(
            connectInstanceId=instance_id, integrationIdentifier=config
        )
        left = campaigns.list_connect_instance_integrations(connectInstanceId=instance_id)
    unregistered = left["integrationSummaryList"] == []
    say(f"    the instance holds {len(left['integrationSummaryList'])} integrations")
    return ConnectPath(result, text, registered, unregistered, seen)


def consent_runs(
    aws: LocalAws,
    invoker: SandboxInvoker,
    receipts: GenericReceipts,
    events: Any,
    outputs: dict[str, Any],
) -> Receipts:
    """The provider's receipts, and consent that flows back: a journey on profiles kept in the
    Customer Profiles domain (read when each run starts), run twice. After the first run the
    stand-in reports each message's final status to the receipts route, signed; the one
    recipient who replied STOP is written back to the profile, and the second run skips it."""
    profiles = aws.client("customer-profiles")
    ids = {
        name: profiles.create_profile(
            DomainName=PROFILES_DOMAIN,
            FirstName=name,
            EmailAddress=address,
            Attributes={"plan": "Starter"},
        )["ProfileId"]
        for name, address in CONSENT_PROFILES.items()
    }
    source = DomainProfiles(profiles, PROFILES_DOMAIN, list(ids.values()))
    first_context = dataclasses.replace(CONSENT_CONTEXT, run_id=run_id(CONSENT_CONTEXT.campaign_id))
    label = (
        f"Connect campaign {CONSENT_CONTEXT.campaign_name}, first run, on "
        f"{len(ids)} profiles of domain {PROFILES_DOMAIN}"
    )
    with timed(label):
        run_connect_from_domain(source, invoker, first_context)
    with timed("the provider's receipts to the receipts route (signed callbacks)"):
        if not receipts.sender.wait_idle(120):
            raise RuntimeError("the provider's receipts did not all reach the receipts route")
        finals = [
            sent
            for sent in receipts.callbacks
            if sent.message_status in FINAL_STATUSES and sent.status == 204
        ]
        published = events.wait_for(len(finals), timeout=60)
    statuses: Counter[str] = Counter(
        event["detail"]["status"] for event in published if event["detail"]["origin"] == "callback"
    )
    stopped = ids[STOPPING]
    opt_outs = [e["detail"] for e in published if e["detail"]["recipient"] == "opted_out"]
    consent = str(opt_outs[0]["consent"]) if opt_outs else "none"
    profile = profiles.batch_get_profile(DomainName=PROFILES_DOMAIN, ProfileIds=[stopped])
    opt_out = (profile["Profiles"][0].get("Attributes") or {}).get("OptOut")
    seen = Receipts(statuses, stopped, consent, opt_out, {})
    say()
    say(
        f"Receipts: the provider reported {sum(statuses.values())} final statuses to the "
        f"receipts route ({outputs['receipts_url']}, signed, each published as an EventBridge "
        f"event): delivered to the handset {statuses['delivered']}, undelivered "
        f"{statuses['undelivered']}, failed {statuses['failed']}. "
        f"Delivered-to-handset rate: {seen.delivered_rate:.1f} %."
    )
    say(
        f"Consent: {STOPPING} (profile {stopped}) replied STOP (error 21610): opt-out "
        f"{consent} to domain {PROFILES_DOMAIN} (Attributes.OptOut = {opt_out})."
    )
    second_context = dataclasses.replace(CONSENT_CONTEXT, run_id=_next_run_id(first_context.run_id))
    with timed(f"Connect campaign {CONSENT_CONTEXT.campaign_name}, second run"):
        second = run_connect_from_domain(source, invoker, second_context)
    others = Counter(status for pid, status in second.statuses.items() if pid != stopped)
    say(
        f"Second run ({second_context.run_id}): {STOPPING}'s profile "
        f"{second.statuses.get(stopped)} ({second.results.get(stopped, {}).get('reason')}); "
        f"the other {sum(others.values())}: "
        + ", ".join(f"{n} {status}" for status, n in sorted(others.items()))
        + "."
    )
    return dataclasses.replace(seen, second_run=dict(second.statuses))


def _next_run_id(previous: str) -> str:
    """A RunId after `previous` (RunIds are to the second: two runs within one differ)."""
    current = run_id(CONSENT_CONTEXT.campaign_id)
    return current if current != previous else f"{current}-2"


def resend_failures(outputs: dict[str, Any]) -> tuple[dict[str, int], Counter[tuple[str, str]]]:
    """The documented resend command: it reads the deployed function's CHANNEL_* settings.
    Returns its summary and what it did not deliver, by (status, reason), from its logs."""
    command = [
        sys.executable,
        "-m",
        "custom_channel.operator",
        "resend",
        "--visibility-timeout",
        "60",
    ]
    command += ["--function-name", outputs["lambda_function_name"]]
    label = "python -m custom_channel.operator resend --function-name: the failure queue"
    with timed(label), LOG_FILE.open("a", encoding="utf-8") as log:
        finished = subprocess.run(
            command,
            cwd=ROOT / "handler",
            env=dict(os.environ),
            capture_output=True,
            text=True,
            check=False,
        )
        log.write(finished.stderr)
        lines = finished.stdout.splitlines()
        log.writelines(line + "\n" for line in lines[:-1])  # the command's own JSON logs
    if finished.returncode not in (0, 1) or not lines:
        raise RuntimeError(f"resend failed (exit {finished.returncode}); see {LOG_FILE}")
    summary: dict[str, int] = json.loads(lines[-1])
    outcomes: Counter[tuple[str, str]] = Counter()
    for line in (*finished.stderr.splitlines(), *lines[:-1]):
        record = _json_object(line)
        if record.get("message") == "endpoint not delivered":
            outcomes[str(record.get("status")), str(record.get("reason"))] += 1
    say(f"    {json.dumps(summary)}")
    say(resend_sentence(summary, outcomes))
    return summary, outcomes


def _json_object(line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _progress(number: int, total: int) -> None:
    if number == total or number % 5 == 0:
        print(f"    {number}/{total} invocations", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=1000, help="segment size (1000)")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="provider latency in seconds (0.05)"
    )
    parser.add_argument(
        "--package",
        type=Path,
        default=PACKAGE,
        help="the Lambda zip to deploy and run (default: the committed "
        "handler/dist/custom-channel.zip; a vendored handler's `make package` output)",
    )
    args = parser.parse_args()
    try:
        outcome = demo(args.endpoints, args.latency, package=args.package.resolve())
    except KeyboardInterrupt:
        print("\ninterrupted: destroyed and stopped", file=sys.stderr)
        return 130
    except (TerraformError, DashboardError, RuntimeError) as error:
        print(f"demo failed: {error}", file=sys.stderr)
        return 1
    return 0 if outcome.result.unanswered == 0 and outcome.connect.ok else 1


if __name__ == "__main__":
    sys.exit(main())
