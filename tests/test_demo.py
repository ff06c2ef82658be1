"""`make demo`, end to end at a smaller size: apply, run the campaign, report, destroy; then
the Connect custom action's run, the same way."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from scripts.connect_driver import STATUSES
from scripts.demo import CONNECT_LOG_FILE, ENDPOINT_TYPES, LOG_FILE, demo
from scripts.segments import synthetic_endpoints, synthetic_profiles

from tests.leakcheck import assert_clean, leaks

pytestmark = pytest.mark.terraform


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_the_demo_accounts_for_every_endpoint(capsys):
    run = demo(endpoint_count=300, latency=0.01, profile_count=200)
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
    # Every delivered or failed endpoint reached the provider at least once.
    assert run.provider_requests >= statuses["delivered"] + statuses["failed"]
    assert statuses["delivered"] > 0
    assert result.attempts == Counter({1: len(result.batches)})
    assert "Every endpoint sent is accounted for." in run.report
    assert f"  EndpointCount   {len(wanted):>8}" in run.report
    assert f"  DeliveredCount  {statuses['delivered']:>8}" in run.report
    output = capsys.readouterr().out
    assert "==> terraform destroy" in output
    assert "local servers stopped" in output
    # What failed went to the failure queue; the resend command took all of it back.
    resent = run.resend
    assert resent["received"] == statuses["failed"] + statuses["unknown"] > 0
    assert resent["invalid"] == 0
    assert resent["deleted"] + resent["kept"] == resent["received"]
    assert "python -m custom_channel resend" in output
    assert_clean(LOG_FILE.read_text(encoding="utf-8"), [batch.event for batch in result.batches])

    # The Connect run: every profile answered exactly once, in the four statuses.
    connect = run.connect
    profiles = synthetic_profiles(200)
    assert connect.ok
    assert sorted(connect.statuses) == sorted(profiles)
    assert connect.answer_errors == []
    assert connect.given_up == 0
    counts = Counter(connect.statuses.values())
    assert set(counts) <= set(STATUSES)
    assert sum(counts[status] for status in STATUSES) == len(profiles)
    assert counts["delivered"] > 0
    opted_out = [
        p for p in profiles.values() if isinstance(p, dict) and p["Attributes"]["OptOut"] == "true"
    ]
    broken = [p for p in profiles.values() if not isinstance(p, dict)]
    assert counts["skipped"] == len(opted_out)
    assert counts["failed"] + counts["unknown"] >= len(broken)
    row = "".join(f"{counts[status]:>11}" for status in STATUSES)
    assert f"{'all':<10}{row}{len(profiles):>11}" in run.connect_report
    assert "Every profile sent is answered exactly once." in run.connect_report
    assert "python -m custom_channel connect-register --instance-id" in output
    assert "==> terraform destroy examples/connect-custom-action" in output
    connect_log = CONNECT_LOG_FILE.read_text(encoding="utf-8")
    assert '"event_source": "connect"' in connect_log
    addresses = {
        profile[field]
        for profile in profiles.values()
        if isinstance(profile, dict)
        for field in ("EmailAddress", "PhoneNumber")
        if field in profile
    }
    assert addresses
    assert not leaks(connect_log.splitlines(), addresses | {"your order is on its way"})
