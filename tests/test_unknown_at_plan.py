"""Configurations whose values, or whose order around the module, are known only after apply.

tests/roots/unknown_at_plan calls the module the way real configurations do, and Terraform
plans it with the real aws provider against the local AWS (moto): an A/B treatment delivering
to a function created in the same configuration (its ARN unknown at plan), and
`pinpoint_permission.scope = "campaign"` with the module's own campaign, planned alone and
with a module-level `depends_on` on a resource with changes (which makes Terraform read every
data source of the module during apply: a count or for_each key decided by one is then unknown
and the plan fails, "Invalid count argument"). A configuration that plans alone must also plan
after a depends_on; and a KMS key, an operator role, an SNS topic and a secret of the same
configuration in the object inputs (their switches must stay known: an unknown value once made
the whole object unknown, "Invalid count argument"). The treatment's and the resources' cases
are also in tests/unknown_at_plan.tftest.hcl (mocked).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.local_aws import LocalAws
from tools.terraform_root import TerraformRoot
from tools.terraformrc import write_config

ROOT = Path(__file__).resolve().parent.parent
CONFIGURATION = ROOT / "tests" / "roots" / "unknown_at_plan" / "main.tf"
REGION = "us-east-1"


@pytest.fixture(scope="module")
def local_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TerraformRoot]:
    """The root configuration, its module source pointing at this checkout, initialised."""
    if shutil.which("terraform") is None:
        pytest.skip("terraform is not on PATH: these tests plan the module with Terraform")
    workdir = tmp_path_factory.mktemp("unknown-at-plan")
    with pytest.MonkeyPatch.context() as env, LocalAws(region=REGION) as aws:
        for name, value in aws.env.items():
            env.setenv(name, value)
        env.delenv("AWS_PROFILE", raising=False)
        env.setenv("TF_CLI_CONFIG_FILE", str(write_config(destination=workdir / "terraformrc")))
        env.setenv("TF_IN_AUTOMATION", "1")
        env.setenv("CHECKPOINT_DISABLE", "1")
        aws.reset()
        text, count = re.subn(
            r'source = "\.\./\.\./\.\."',
            f'source = "{ROOT}"',
            CONFIGURATION.read_text(encoding="utf-8"),
        )
        assert count == 3
        root = TerraformRoot(workdir)
        root.write("main.tf", text)
        root.write("provider.tf", aws.provider_block())
        root.init()
        yield root


@pytest.mark.parametrize(
    "scenario",
    [
        "treatment_function",
        "campaign_scope",
        "campaign_scope_after",
        "resources_of_the_configuration",
    ],
)
def test_the_configuration_plans(local_root: TerraformRoot, scenario: str) -> None:
    local_root.variables = {"scenario": scenario}
    rc, report = local_root.plan()
    assert rc == 2, report[-3000:]
    assert "module.channel" in report
