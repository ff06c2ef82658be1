"""The module planned with the project's mocked aws provider, for tests that read what it renders.

A root configuration in a temporary directory calls the module once per case, and
`terraform test -json -verbose` plans it against tests/mocks (their values are used at plan
time too, so rendered strings such as a template or dashboard body are known in the plan) and
prints the plan: offline, a few seconds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tools.terraformrc import write_config

ROOT = Path(__file__).resolve().parent.parent

RENDER_TEST = """\
mock_provider "aws" {
  override_during = plan
  source          = "%s"
}

run "render" {
  command = plan
}
"""


def _relative(path: Path, start: Path) -> str:
    """A path Terraform reads as local: relative to `start`, starting with ./ or ../."""
    relative = os.path.relpath(path, start)
    return relative if relative.startswith("..") else f"./{relative}"


def _prepare(
    workdir: Path,
    cases: Mapping[str, Mapping[str, Any]],
    region: str,
    variables: Mapping[str, Any] | None = None,
) -> tuple[str, dict[str, str]]:
    """Write the root configuration (with root `variables`, name => default, which the cases
    may pass on as "${var.<name>}") and the test file, run terraform init: (terraform, env)."""
    terraform = shutil.which("terraform")
    if terraform is None:
        pytest.skip("terraform is not on PATH: it renders the module")
    source = _relative(ROOT, workdir)
    config: dict[str, Any] = {
        "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws"}}},
        "provider": {"aws": {"region": region}},
        "module": {name: {"source": source, **args} for name, args in cases.items()},
    }
    if variables:
        config["variable"] = {name: {"default": value} for name, value in variables.items()}
    (workdir / "main.tf.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    (workdir / "tests").mkdir()
    (workdir / "tests" / "render.tftest.hcl").write_text(
        RENDER_TEST % _relative(ROOT / "tests" / "mocks", workdir), encoding="utf-8"
    )
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": str(write_config(destination=workdir / "terraformrc")),
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
    }
    init = subprocess.run(
        [terraform, "init", "-backend=false", "-input=false", "-no-color"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert init.returncode == 0, f"terraform init failed:\n{init.stderr}\n{init.stdout}"
    return terraform, env


def mock_plan(workdir: Path, cases: Mapping[str, Mapping[str, Any]], region: str) -> dict[str, Any]:
    """The plan (terraform's JSON) of one module instance per case, named after the case."""
    terraform, env = _prepare(workdir, cases, region)
    test = subprocess.run(
        [terraform, "test", "-json", "-verbose"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    messages = [json.loads(line) for line in test.stdout.splitlines() if line.startswith("{")]
    problems = [m["@message"] for m in messages if m["type"] == "diagnostic"]
    assert test.returncode == 0, f"terraform test failed: {problems}\n{test.stderr}"
    (plan,) = [m["test_plan"] for m in messages if m["type"] == "test_plan"]
    return dict(plan)


def mock_plan_failure(
    workdir: Path,
    cases: Mapping[str, Mapping[str, Any]],
    region: str,
    variables: Mapping[str, Any] | None = None,
) -> str:
    """Everything Terraform prints (stdout and stderr, as a user reads it) when the plan of
    these cases fails; the test fails if the plan succeeds."""
    terraform, env = _prepare(workdir, cases, region, variables)
    test = subprocess.run(
        [terraform, "test", "-no-color"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = test.stdout + test.stderr
    assert test.returncode != 0, f"the plan was expected to fail:\n{output}"
    return output
