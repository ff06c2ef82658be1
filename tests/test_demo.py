"""`make demo`, end to end at a smaller size: apply, run the campaign, report, destroy."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
from scripts.demo import ENDPOINT_TYPES, LOG_FILE, demo
from scripts.segments import synthetic_endpoints

from tests.leakcheck import assert_clean

pytestmark = pytest.mark.terraform


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_the_demo_accounts_for_every_endpoint(capsys):
    run = demo(endpoint_count=300, latency=0.01)
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
