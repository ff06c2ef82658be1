"""`make demo`: the whole custom channel, applied and run on this machine, no account.

1. starts the local AWS (moto on 127.0.0.1, scripts/local_aws.py) and a local HTTP server
   standing in for the messaging provider;
2. `terraform apply`s examples/lambda-channel against the local AWS: the Lambda function
   from the committed package, its role, log group and permission, a Pinpoint application,
   segment and campaign (CloudFormation), and the provider secret;
3. runs a 1,000-endpoint campaign through it with the local campaign runner, as Pinpoint
   would: treatment split, EndpointTypes filter, batches of 50 in the guide's event shape,
   each run by the function's code and settings as deployed, in a separate process;
4. prints the report, with the CloudWatch metrics read back from the local AWS;
5. runs `python -m custom_channel resend` with the function's settings on what the
   function put in its failure queue (SQS), as an operator would;
6. destroys it, and meanwhile runs an Amazon Connect outbound campaign's custom action:
   examples/connect-custom-action (event_source = "connect"), applied to the same local AWS
   in the background since step 2, for a made-up Connect instance; prints the command that
   would register the function with the instance (not run: the local AWS has no Connect),
   drives a few hundred synthetic customer profiles through the deployed function as Connect
   would (scripts/connect_driver.py, in the sandbox), prints the report and destroys it;
7. stops what it started, also on Ctrl-C or a failure.

Real: the Terraform module and provider, the handler package and its HTTP delivery, the
Secrets Manager, SQS, CloudWatch and Lambda configuration calls. Emulated: AWS itself (moto),
Pinpoint (the runner), Connect (the driver) and the provider (a local server).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
for path in (str(ROOT / "handler"), str(ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)

from scripts.campaign import Campaign  # noqa: E402
from scripts.connect_driver import (  # noqa: E402
    CampaignContext,
    ConnectRun,
    SandboxInvoker,
    run_connect,
)
from scripts.connect_driver import report as connect_report  # noqa: E402
from scripts.local_aws import LocalAws  # noqa: E402
from scripts.provider_server import ProviderServer, Received, Reply  # noqa: E402
from scripts.run_campaign import (  # noqa: E402
    Deliverers,
    RunResult,
    function_spec,
    read_metrics,
    report,
    run,
    unpack_package,
)
from scripts.segments import synthetic_endpoints, synthetic_profiles  # noqa: E402
from scripts.terraform_root import TerraformRoot, local_example  # noqa: E402
from scripts.terraformrc import write_config  # noqa: E402

EXAMPLE = ROOT / "examples" / "lambda-channel"
CONNECT_EXAMPLE = ROOT / "examples" / "connect-custom-action"
PACKAGE = ROOT / "handler" / "dist" / "custom-channel.zip"
LOG_FILE = ROOT / ".build" / "demo-function-logs.jsonl"
CONNECT_LOG_FILE = ROOT / ".build" / "demo-connect-function-logs.jsonl"
# Any well-formed instance ARN: the local AWS does not look the instance up.
CONNECT_INSTANCE_ARN = (
    "arn:aws:connect:us-east-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
)
CONNECT_TEMPLATE = json.dumps(
    {"to": "{{Address}}", "text": "Hi {{FirstName | there}}, your order is on its way."}
)
CONNECT_CONTEXT = CampaignContext(
    campaign_id="demo-connect-campaign",
    run_id="demo-run-1",
    action_id="order-shipped",
    campaign_name="demo-connect-campaign",
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


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


@dataclass(frozen=True)
class DemoRun:
    result: RunResult
    provider_requests: int
    report: str
    resend: dict[str, int]  # the resend command's summary
    connect: ConnectRun  # the Connect custom action's run
    connect_report: str
    connect_seconds: float  # the Connect part's wall time: apply, run, destroy


def demo(endpoint_count: int, latency: float, profile_count: int = 300) -> DemoRun:
    started = time.monotonic()
    # The local AWS's variables hold only while the demo runs: a caller (the tests) keeps its own.
    with (
        mock.patch.dict(os.environ, {"TF_CLI_CONFIG_FILE": str(write_config())}),
        LocalAws() as aws,
        ProviderServer(DemoProvider(latency)) as provider,
        tempfile.TemporaryDirectory() as workdir,
        ThreadPoolExecutor(max_workers=2, thread_name_prefix="terraform") as background,
    ):
        os.environ.update(aws.env)
        step(f"local AWS on {aws.endpoint_url}, provider on {provider.url}")
        root: TerraformRoot = local_example(
            EXAMPLE,
            Path(workdir) / "lambda-channel",
            aws.provider_block(),
            variables={
                "name": "demo-channel",
                "provider_url": f"{provider.url}/v1/messages",
                "provider_api_key": "demo-key",
                "campaign_name": "demo-campaign",
                "campaign_data": CAMPAIGN_DATA,
                "endpoint_types": ENDPOINT_TYPES,
                "campaign_paused": False,
            },
        )
        connect_root = connect_example(aws, provider.url, Path(workdir))
        # Each example's failure queue costs about 50 s of the AWS provider's SQS waits (apply
        # and destroy): the Connect stack is applied while the Pinpoint campaign runs, and the
        # two are destroyed side by side.
        step("terraform init and apply examples/connect-custom-action, in the background")
        connect_applied = background.submit(_apply, connect_root)
        pinpoint_destroyed: Future[str] | None = None
        try:
            step("terraform init and apply examples/lambda-channel")
            root.init()
            try:
                root.apply()
                outputs = root.outputs()
                step(f"applied in {time.monotonic() - started:.0f} s")
                result, text, provider_requests, resent = pinpoint_run(
                    aws, provider, outputs, Path(workdir), endpoint_count
                )
            finally:
                step("terraform destroy examples/lambda-channel, in the background")
                pinpoint_destroyed = background.submit(root.destroy)
            connect_started = time.monotonic()
            connect_outputs, apply_seconds = connect_applied.result()
            step(f"examples/connect-custom-action was applied in {apply_seconds:.0f} s")
            connect, connect_text = connect_run(aws, connect_outputs, Path(workdir), profile_count)
        finally:
            wait([connect_applied])  # applied or failed: destroy what there is
            step("terraform destroy examples/connect-custom-action")
            connect_root.destroy(refresh=False)  # its state is minutes old, and only ours
            if pinpoint_destroyed is not None:
                pinpoint_destroyed.result()
        connect_seconds = time.monotonic() - connect_started
        step(f"Connect run and both destroys in {connect_seconds:.0f} s")
        outcome = DemoRun(
            result, provider_requests, text, resent, connect, connect_text, connect_seconds
        )
    step(f"done in {time.monotonic() - started:.0f} s; local servers stopped")
    return outcome


def pinpoint_run(
    aws: LocalAws,
    provider: ProviderServer,
    outputs: dict[str, Any],
    workdir: Path,
    endpoint_count: int,
) -> tuple[RunResult, str, int, dict[str, int]]:
    """The campaign through the deployed function, its report and metrics, the resend."""
    campaign = Campaign.from_definition(json.loads(outputs["pinpoint_campaign_definition_json"]))
    endpoints = synthetic_endpoints(endpoint_count)
    step(f"running campaign {campaign.campaign_id} on {len(endpoints)} endpoints")
    LOG_FILE.parent.mkdir(exist_ok=True)
    with LOG_FILE.open("w", encoding="utf-8") as log:
        deliverers = Deliverers(
            lambda_client=aws.client("lambda"),
            apigateway_client=aws.client("apigatewayv2"),
            account_id=aws.account_id,
            package=PACKAGE,
            aws_env=aws.env,
            in_process=False,
            log=log,
            workdir=workdir,
        )
        since = time.time()
        try:
            result = run(campaign, endpoints, deliverers, progress=_progress)
        finally:
            deliverers.close()
    metrics = read_metrics(
        aws.client("cloudwatch"), campaign, dt.datetime.fromtimestamp(since, dt.UTC)
    )
    text = report(result, metrics)
    print()
    print(text)
    print(
        f"The provider received {len(provider.requests)} requests, at most "
        f"{provider.max_in_flight} at once. Function logs: {LOG_FILE.relative_to(ROOT)}"
    )
    provider_requests = len(provider.requests)
    resent = resend_failures(outputs)
    return result, text, provider_requests, resent


def connect_example(aws: LocalAws, provider_url: str, workdir: Path) -> TerraformRoot:
    """examples/connect-custom-action for the local AWS, for a made-up Connect instance."""
    return local_example(
        CONNECT_EXAMPLE,
        workdir / "connect-custom-action",
        aws.provider_block(),
        variables={
            "name": "demo-connect-action",
            "connect_instance_arn": CONNECT_INSTANCE_ARN,
            "provider_url": f"{provider_url}/v1/messages",
            "provider_api_key": "demo-key",
            "message_template": CONNECT_TEMPLATE,
            "secret_recovery_window_in_days": 0,
        },
    )


def _apply(root: TerraformRoot) -> tuple[dict[str, Any], float]:
    started = time.monotonic()
    root.init()
    root.apply()
    return root.outputs(), time.monotonic() - started


def connect_run(
    aws: LocalAws, outputs: dict[str, Any], workdir: Path, profile_count: int
) -> tuple[ConnectRun, str]:
    """The deployed custom action's function driven as Connect would, in the sandbox."""
    step("to register the function with the Connect instance (not run here: no Connect):")
    print(f"    (cd handler && {outputs['connect_register_command']})", flush=True)
    spec = function_spec(aws.client("lambda"), outputs["lambda_function_name"])
    code = unpack_package(PACKAGE, spec.code_sha256, workdir / "connect-code")
    profiles = synthetic_profiles(profile_count)
    step(
        f"running Connect campaign {CONNECT_CONTEXT.campaign_id}, action "
        f"{CONNECT_CONTEXT.action_id}, on {len(profiles)} customer profiles"
    )
    CONNECT_LOG_FILE.parent.mkdir(exist_ok=True)
    with CONNECT_LOG_FILE.open("w", encoding="utf-8") as log:
        invoker = SandboxInvoker(code, spec, aws.env, log)
        try:
            result = run_connect(profiles, invoker, CONNECT_CONTEXT, progress=_progress)
        finally:
            invoker.close()
    text = connect_report(result)
    print()
    print(text)
    print(f"Function logs: {CONNECT_LOG_FILE.relative_to(ROOT)}", flush=True)
    return result, text


def resend_failures(outputs: dict[str, Any]) -> dict[str, int]:
    """The documented resend command: it reads the deployed function's CHANNEL_* settings."""
    step("python -m custom_channel resend --function-name: the failure queue")
    command = [sys.executable, "-m", "custom_channel", "resend", "--visibility-timeout", "60"]
    command += ["--function-name", outputs["lambda_function_name"]]
    with LOG_FILE.open("a", encoding="utf-8") as log:
        finished = subprocess.run(
            command,
            cwd=ROOT / "handler",
            env=dict(os.environ),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            check=False,
        )
    lines = finished.stdout.splitlines()
    with LOG_FILE.open("a", encoding="utf-8") as log:
        log.writelines(line + "\n" for line in lines[:-1])  # the command's own JSON logs
    if finished.returncode not in (0, 1) or not lines:
        raise RuntimeError(f"resend failed (exit {finished.returncode}); see {LOG_FILE}")
    summary: dict[str, int] = json.loads(lines[-1])
    print(f"    {json.dumps(summary)}")
    print(
        f"    {summary['deleted']} delivered and deleted, {summary['kept']} kept in the queue"
        " (this provider rejects some recipients for good)",
        flush=True,
    )
    return summary


def _progress(number: int, total: int) -> None:
    if number == total or number % 5 == 0:
        print(f"    {number}/{total} invocations", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=1000, help="segment size (1000)")
    parser.add_argument(
        "--latency", type=float, default=0.05, help="provider latency in seconds (0.05)"
    )
    args = parser.parse_args()
    try:
        outcome = demo(args.endpoints, args.latency)
    except KeyboardInterrupt:
        print("\ninterrupted: destroyed and stopped", file=sys.stderr)
        return 130
    return 0 if outcome.result.unanswered == 0 and outcome.connect.ok else 1


if __name__ == "__main__":
    sys.exit(main())
