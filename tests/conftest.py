"""Shared fixtures: the guide's sample event, a clean AWS environment, local servers."""

from __future__ import annotations

import copy
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.provider_server import ProviderServer

# Autouse: fails any test whose handler logs hold an endpoint address or message text.
from tests.leakcheck import no_endpoint_data_in_logs  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real AWS account: fake credentials, a fixed region."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    for name in list(os.environ):
        if name.startswith("CHANNEL_"):
            monkeypatch.delenv(name)


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def guide_event() -> dict[str, Any]:
    """The sample payload of the Pinpoint guide, verbatim."""
    return copy.deepcopy(load_fixture("guide_event.json"))


@pytest.fixture
def provider() -> Iterator[ProviderServer]:
    with ProviderServer() as server:
        yield server


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The campaign stack's CloudFormation templates, rendered by the module once per session
    (tests/test_cfn_lint.py, render_templates) for cfn-lint and the API contract checks."""
    from tests.test_cfn_lint import render_templates

    return render_templates(tmp_path_factory)


# --- the fault campaign (tests/test_fault_campaign.py): one row per fault, printed after the run ---

FAULT_CAMPAIGN = pytest.StashKey[list[dict[str, str]]]()


@pytest.fixture(scope="session")
def fault_campaign(pytestconfig: pytest.Config) -> list[dict[str, str]]:
    """The fault campaign's rows, as tests/test_fault_campaign.py records them."""
    return pytestconfig.stash.setdefault(FAULT_CAMPAIGN, [])


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """Print the fault campaign as a table, when its tests ran, with a count of its results."""
    rows = config.stash.get(FAULT_CAMPAIGN, [])
    if not rows:
        return
    columns = list(rows[0])
    widths = {name: max(len(name), *(len(row.get(name, "")) for row in rows)) for name in columns}

    def line(cells: dict[str, str]) -> str:
        first, *others = columns
        text = [cells.get(first, "").ljust(widths[first])]
        text += [cells.get(name, "").rjust(widths[name]) for name in others]
        return " | ".join(text)

    terminalreporter.write_sep("=", "fault campaign")
    terminalreporter.write_line(line({name: name for name in columns}))
    terminalreporter.write_line("-+-".join("-" * widths[name] for name in columns))
    for row in rows:
        terminalreporter.write_line(line(row))
    results = Counter(row.get("result", "") for row in rows)
    terminalreporter.write_line(
        f"{len(rows)} rows: "
        + ", ".join(f"{count} {name}" for name, count in sorted(results.items()))
    )
