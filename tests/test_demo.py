"""`make demo`, end to end at a smaller size: the Connect custom action first (apply,
registration with the instance, the run, unregistration, destroy), then the Pinpoint campaign
(apply, run, report, dashboard check, resend, destroy). Also its parts that fail: the dashboard
check on a series nothing published, a failing Terraform command."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from demo import demo as demo_module
from demo.dashboard_check import DashboardError, check_dashboard
from demo.demo import (
    CONNECT_ACTION,
    CONNECT_LOG_FILE,
    CONNECT_TEMPLATE_MARKER,
    ENDPOINT_TYPES,
    LOG_FILE,
    TERRAFORM_LOGS,
    LoggedTerraform,
    demo,
    queued_sentence,
    resend_sentence,
)
from emulator.connect_driver import STATUSES
from emulator.segments import synthetic_endpoints, synthetic_profiles
from tests.leakcheck import assert_clean, leaks
from tools import build_package
from tools.terraform_root import TerraformError, TerraformRoot

pytestmark = pytest.mark.terraform


def working_tree_package(destination: Path) -> Path:
    """The Lambda package with this tree's handler: the committed zip's dependencies and the
    handler's sources as they are now. The package check (tools/build_package.py --check)
    holds the committed zip to the same; this test runs the handler under review."""
    with zipfile.ZipFile(build_package.ZIP_PATH) as committed:
        files = {
            name: committed.read(name)
            for name in committed.namelist()
            if not name.startswith("custom_channel/")
        }
    files.update(build_package.package_sources())
    build_package.write_zip(files, destination)
    return destination


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_the_demo_accounts_for_every_endpoint(capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(demo_module, "HEARTBEAT_SECONDS", 2.0)  # an apply takes longer
    package = working_tree_package(tmp_path / "custom-channel.zip")
    run = demo(endpoint_count=300, latency=0.01, profile_count=120, package=package)
    endpoints = synthetic_endpoints(300)
    result = run.result
    wanted = [ep for ep, body in endpoints.items() if body["ChannelType"] in ENDPOINT_TYPES]
    assert sorted(result.statuses) == sorted(wanted)
    assert result.unanswered == 0
    statuses = Counter(result.statuses.values())
    skipped = [
        ep
        for ep in wanted
        if endpoints[ep]["OptOut"] != "NONE" or endpoints[ep]["EndpointStatus"] == "INACTIVE"
    ]
    assert statuses["skipped"] == len(skipped)
    # Every delivered endpoint, and every failed one but those refused before sending ("not
    # sent: ..."), reached the provider at least once.
    not_sent = sum(n for reason, n in result.reasons.items() if reason.startswith("not sent"))
    assert run.provider_requests >= statuses["delivered"] + statuses["failed"] - not_sent
    assert statuses["delivered"] > 0
    # Every batch answered, within Pinpoint's three invocations (one each on a quiet machine; on
    # a loaded one an invocation can run out of time and be invoked again).
    assert sum(result.attempts.values()) == len(result.batches)
    assert max(result.attempts) <= 3
    assert "Every endpoint sent is accounted for." in run.report
    assert f"  EndpointCount   {len(wanted):>8}" in run.report
    assert f"  DeliveredCount  {statuses['delivered']:>8}" in run.report
    output = capsys.readouterr().out
    assert "==> terraform destroy" in output
    assert "local servers stopped" in output

    # Every long step says when it ends, with its time, and the end repeats them all with the
    # total; Connect's steps come first. Terraform's output is in its log, and the demo says it
    # is still running while it waits.
    campaign_id = run.result.campaign.campaign_id
    labels = (
        r"terraform init and apply \(examples/connect-custom-action\)",
        r"register the function with the Connect instance \(PutConnectInstanceIntegration\)",
        r"Connect campaign demo-connect-campaign, action 'Welcome Message', on 120 customer "
        r"profiles",
        r"Connect campaign demo-connect-consent, first run, on 8 profiles of domain "
        r"demo-connect-profiles",
        r"the provider's receipts to the receipts route \(signed callbacks\)",
        r"Connect campaign demo-connect-consent, second run",
        r"unregister the function \(DeleteConnectInstanceIntegration\)",
        r"terraform init and apply \(examples/lambda-channel\), in the background",
        rf"campaign {campaign_id} on 300 endpoints",
        r"python -m custom_channel.operator resend --function-name: the failure queue",
        r"terraform destroy \(examples/lambda-channel\)",
        r"terraform destroy \(examples/connect-custom-action\), in the background",
    )
    body, summary = output.split("\nStep times:\n")
    ends = []
    for label in labels:
        found = re.search(rf"^  \[\d+\.\d s\] {label}$", body, re.MULTILINE)
        assert found, label
        ends.append(found.start())
        assert re.search(rf"^  \[ *\d+\.\d s\] {label}$", summary, re.MULTILINE), label
    assert ends == sorted(ends)  # in this order: Connect, then Pinpoint
    total = re.search(
        r"^  \[ *(\d+\.\d) s\] total \(the steps in the background overlap others\)$",
        summary,
        re.MULTILINE,
    )
    assert total
    assert f"==> done in {total.group(1)} s; local servers stopped" in summary
    log = TERRAFORM_LOGS["connect-custom-action"]
    assert re.search(
        r"^  \.\.\. terraform init and apply \(examples/connect-custom-action\) still running "
        rf"\(\d+ s, log: {re.escape(str(log.relative_to(demo_module.ROOT)))}\)$",
        output,
        re.MULTILINE,
    )
    for example_log in TERRAFORM_LOGS.values():
        text = example_log.read_text(encoding="utf-8")
        assert "Apply complete!" in text
        assert "Destroy complete!" in text
    assert "Apply complete!" not in output  # Terraform's output goes to the logs only

    # What was not delivered, by status and reason, agrees with the runner's own counts, and
    # with what the stand-in provider does: it answers 400 to every recipient ending in 13.
    outcomes = run.outcomes
    reasons: Counter[str] = Counter()
    for (_, reason), count in outcomes.items():
        reasons[reason] += count
    assert reasons == result.reasons
    for status in ("failed", "unknown", "skipped"):
        assert sum(n for (s, _), n in outcomes.items() if s == status) == statuses[status]
    rejected = [
        ep for ep in wanted if ep not in skipped and str(endpoints[ep]["Address"]).endswith("13")
    ]
    assert rejected
    assert outcomes["failed", "http 400"] == len(rejected)
    sentence = queued_sentence(outcomes)
    assert f"{statuses['failed']} failed ({len(rejected)} x http 400" in sentence
    assert sentence in output.splitlines()
    assert "rejects some recipients for good" not in output
    # What failed went to the failure queue; the resend command took all of it back.
    resent = run.resend
    assert resent["received"] == statuses["failed"] + statuses["unknown"] > 0
    assert resent["invalid"] == 0
    assert resent["deleted"] + resent["kept"] == resent["received"]
    # Each endpoint's consent and address now were checked (GetEndpoint) and unchanged.
    assert resent["consent_unchecked"] == resent["address_changed"] == resent["opted_out"] == 0
    assert "python -m custom_channel.operator resend" in output
    # The rejected recipients are rejected again, and say so.
    assert run.resend_outcomes["failed", "http 400"] == len(rejected)
    assert sum(n for (s, _), n in run.resend_outcomes.items() if s == "failed") == resent["failed"]
    assert resent["kept"] >= len(rejected)
    again = resend_sentence(resent, run.resend_outcomes)
    assert f"{resent['failed']} failed again ({len(rejected)} x http 400" in again
    assert again in output.splitlines()

    # The dashboard the example deployed, as the local AWS stored it, draws only series the
    # function published: the guide's six counts, four results and latency under
    # Channel=demo-channel; and three of AWS/Lambda's.
    assert (
        "==> dashboard demo-channel; in an account: https://console.aws.amazon.com/cloudwatch/"
        "home?region=us-east-1#dashboards/dashboard/demo-channel"
    ) in output
    assert run.dashboard == (11, 3)
    assert "    checked: the 11 series it draws from the handler were all published" in output
    assert_clean(LOG_FILE.read_text(encoding="utf-8"), [batch.event for batch in result.batches])

    # The Connect run: every profile answered exactly once, in the four statuses.
    connect = run.connect
    profiles = synthetic_profiles(120)
    assert connect.ok
    assert sorted(connect.statuses) == sorted(profiles)
    assert connect.answer_errors == []
    assert connect.given_up == 0
    counts = Counter(connect.statuses.values())
    assert set(counts) <= set(STATUSES)
    assert sum(counts[status] for status in STATUSES) == len(profiles)
    assert counts["delivered"] > 0
    opted_out = [
        p
        for p in profiles.values()
        if isinstance(p, dict) and p["attributes"].get("OptOut") == "true"
    ]
    # Broken CustomerData, and profiles with nowhere to send (only profileId and attributes).
    broken = [
        p
        for p in profiles.values()
        if not isinstance(p, dict) or not ("emailAddress" in p or "phoneNumber" in p)
    ]
    assert counts["skipped"] == len(opted_out)
    assert counts["failed"] + counts["unknown"] >= len(broken)
    row = "".join(f"{counts[status]:>11}" for status in STATUSES)
    assert f"{'all':<10}{row}{len(profiles):>11}" in run.connect_report
    assert "Every profile sent is answered exactly once." in run.connect_report
    # Connect invoked the function registered with its instance, which held none afterwards.
    assert run.connect_registered == (
        "arn:aws:lambda:us-east-1:123456789012:function:demo-connect-action"
    )
    assert run.connect_unregistered
    # Receipts: the provider stand-in reported each message it took, signed, to the deployed
    # receipts route; each final status was published (EventBridge, read back) and counted in
    # the delivered-to-handset rate. The recipient who replied STOP was written back to the
    # profile in the domain, and the journey's next run skipped exactly that profile.
    receipts = run.connect_receipts
    assert receipts.statuses["delivered"] > 0
    assert receipts.statuses["undelivered"] > 0
    assert receipts.statuses["failed"] == 1  # the STOP
    rate = re.search(r"Delivered-to-handset rate: (\d+\.\d) %\.", output)
    assert rate
    assert float(rate.group(1)) == round(receipts.delivered_rate, 1)
    assert (receipts.consent, receipts.opt_out) == ("written", "true")
    assert receipts.second_run[receipts.stopped] == "skipped"
    others = [s for pid, s in receipts.second_run.items() if pid != receipts.stopped]
    assert others == ["delivered"] * 7
    assert (
        "    what the output connect_register_command runs: the instance now holds "
        f"{run.connect_registered}"
    ) in output.splitlines()
    assert "    the instance holds 0 integrations" in output.splitlines()
    assert "==> terraform destroy (examples/connect-custom-action), in the background" in output
    connect_log = CONNECT_LOG_FILE.read_text(encoding="utf-8")
    assert '"event_source": "connect"' in connect_log
    addresses = {
        profile[field]
        for profile in profiles.values()
        if isinstance(profile, dict)
        for field in ("emailAddress", "phoneNumber")
        if field in profile
    }
    assert addresses
    assert not leaks(connect_log.splitlines(), addresses | {CONNECT_TEMPLATE_MARKER})
    # The messages came from the template authored in Connect (the local AWS's qconnect), and
    # the demo says which.
    template = run.connect_template
    assert template.name == CONNECT_ACTION
    assert template.version == 1
    assert template.messages >= counts["delivered"]
    assert (
        f"The messages of 'Welcome Message' came from the Connect-authored template "
        f"'Welcome Message', version 1 (SMS, knowledge base {template.knowledge_base_id}): "
        f"{template.messages} of the provider's requests carry its text."
    ) in output.splitlines()


@mock_aws
def test_the_dashboard_check_fails_on_a_series_nothing_published() -> None:
    cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
    channel = [{"Name": "Channel", "Value": "demo-channel"}]
    cloudwatch.put_metric_data(
        Namespace="Acme",
        MetricData=[{"MetricName": "DeliveredCount", "Value": 1, "Dimensions": channel}],
    )

    def dashboard(*series: list[object]) -> None:
        widget = {"type": "metric", "properties": {"metrics": list(series), "region": "us-east-1"}}
        body = {"widgets": [{"type": "text", "properties": {"markdown": "x"}}, widget]}
        cloudwatch.put_dashboard(DashboardName="d", DashboardBody=json.dumps(body))

    lambda_series = ["AWS/Lambda", "Errors", "FunctionName", "f", {"stat": "Sum"}]
    dashboard(["Acme", "DeliveredCount", "Channel", "demo-channel", {"label": "x"}], lambda_series)
    assert check_dashboard(cloudwatch, "d") == (1, 1)
    dashboard(["Acme", "DeliveredCount", "Channel", "demo"], lambda_series)
    with pytest.raises(
        DashboardError, match=r"never published: Acme DeliveredCount\{Channel=demo\}"
    ):
        check_dashboard(cloudwatch, "d")
    dashboard(["Acme", "FailedCount", "Channel", "demo-channel"])
    with pytest.raises(DashboardError, match="never published: Acme FailedCount"):
        check_dashboard(cloudwatch, "d")
    dashboard(lambda_series)
    with pytest.raises(DashboardError, match="draws none of the handler's series"):
        check_dashboard(cloudwatch, "d")


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_a_failing_terraform_command_shows_its_log(tmp_path: Path, monkeypatch) -> None:
    log = tmp_path / "demo-terraform-broken.log"
    monkeypatch.setitem(TERRAFORM_LOGS, "broken", log)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "main.tf").write_text('resource "x" {\n', encoding="utf-8")
    root = LoggedTerraform(TerraformRoot(tmp_path / "broken", {"name": "x"}), tmp_path / "broken")
    with pytest.raises(TerraformError) as raised:
        root.init()
    message = str(raised.value)
    assert message.startswith("terraform init (examples/broken) failed (exit 1); the last lines of")
    assert "    | " in message
    assert "All resource blocks must have 2 labels" in message
    assert "$ terraform init" in log.read_text(encoding="utf-8")
