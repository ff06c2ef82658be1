"""`connect.register = true` applied, changed and destroyed on the local AWS, and the
register/unregister outputs run as a user runs them.

The module registers its function with the Connect instance by running the AWS CLI
(`aws connectcampaignsv2 put-connect-instance-integration`) in a create-time local-exec and
unregisters it in a destroy-time one (connect.tf). Terraform runs here with the local AWS's
environment (AWS_ENDPOINT_URL and fake credentials, as a user's shell holds their own), so the
CLI on PATH reaches the local AWS's connectcampaignsv2 (emulator/local_connectcampaigns.py),
which checks each request against botocore's model, the instance against moto's Connect and
the function against moto's Lambda. What the instance holds is read back with
ListConnectInstanceIntegrations through boto3.

One story, in order: apply with `publish = true` (the alias is registered), the outputs'
commands run through a shell from an unrelated directory (unregister, then register again), a
second apply with `publish = false` (the registration is replaced: the alias's integration is
removed and the unqualified function's added), a plan that finds nothing to do, destroy (none
left).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from emulator.local_aws import LocalAws
from tools.terraform_root import TerraformRoot
from tools.terraformrc import write_config

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
ACCOUNT = "123456789012"
NAME = "tc-registered"
FUNCTION_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{NAME}"
ALIAS_ARN = f"{FUNCTION_ARN}:live"


def root_config(instance_arn: str) -> dict[str, Any]:
    return {
        "variable": {"publish": {"type": "bool"}},
        "module": {
            "action": {
                "source": str(ROOT),
                "name": NAME,
                "event_source": "connect",
                "publish": "${var.publish}",
                "idempotency": {"enabled": False},
                "delivery": {"adapter": "none"},
                "connect": {
                    "instance_arn": instance_arn,
                    "message_template": "Hi {{FirstName | there}}",
                    "register": True,
                },
            }
        },
        "output": {"action": {"value": "${module.action}", "sensitive": True}},
    }


@dataclass
class Registration:
    aws: LocalAws
    root: TerraformRoot
    instance_id: str
    workdir: Path

    def registered(self) -> list[str]:
        """The function ARNs of the instance's Lambda integrations."""
        client = self.aws.client("connectcampaignsv2")
        pages = client.get_paginator("list_connect_instance_integrations").paginate(
            connectInstanceId=self.instance_id
        )
        summaries = [s for page in pages for s in page["integrationSummaryList"]]
        assert all(set(s) == {"lambda"} for s in summaries), summaries
        return [s["lambda"]["functionArn"] for s in summaries]


@pytest.fixture(scope="module")
def registration(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registration]:
    if shutil.which("terraform") is None or shutil.which("aws") is None:
        pytest.skip("terraform and the AWS CLI must be on PATH: Terraform runs the CLI")
    workdir = tmp_path_factory.mktemp("connect-registration")
    with pytest.MonkeyPatch.context() as env, LocalAws(region=REGION) as aws:
        for name, value in aws.env.items():
            env.setenv(name, value)
        env.delenv("AWS_PROFILE", raising=False)
        env.setenv("TF_CLI_CONFIG_FILE", str(write_config(destination=workdir / "terraformrc")))
        env.setenv("TF_IN_AUTOMATION", "1")
        env.setenv("CHECKPOINT_DISABLE", "1")
        aws.reset()
        # The instance, in the account whose credentials run the CLI (Terraform's own).
        instance = aws.client("connect").create_instance(
            IdentityManagementType="CONNECT_MANAGED",
            InstanceAlias="tc-registration",
            InboundCallsEnabled=False,
            OutboundCallsEnabled=True,
        )
        root = TerraformRoot(workdir / "root", variables={"publish": True})
        root.directory.mkdir()
        root.write("provider.tf", aws.provider_block())
        root.write("main.tf.json", root_config(instance["Arn"]))
        root.init()
        state = Registration(aws, root, instance["Id"], workdir)
        try:
            yield state
        finally:
            root.destroy()


def run_shell(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The output's command as a user pastes it into a POSIX shell."""
    return subprocess.run(
        ["sh", "-c", command], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


def test_register_unregister_replace_destroy(
    registration: Registration, monkeypatch: pytest.MonkeyPatch
) -> None:
    # conftest's autouse fixture clears AWS_ENDPOINT_URL for every test: the AWS CLI that
    # Terraform runs finds the local AWS through it, as a user's finds theirs.
    monkeypatch.setenv("AWS_ENDPOINT_URL", registration.aws.endpoint_url)
    root = registration.root

    # Apply: the alias (publish = true) is registered, nothing else.
    assert registration.registered() == []
    root.apply()
    out = root.outputs()["action"]
    assert registration.registered() == [ALIAS_ARN]
    assert out["connect_registered_function_arn"] == ALIAS_ARN

    # The outputs are commands that run anywhere (here: a directory outside the module).
    elsewhere = registration.workdir / "elsewhere"
    elsewhere.mkdir()
    unregister = run_shell(out["connect_unregister_command"], elsewhere)
    assert unregister.returncode == 0, unregister.stderr
    assert registration.registered() == []
    register = run_shell(out["connect_register_command"], elsewhere)
    assert register.returncode == 0, register.stderr
    assert registration.registered() == [ALIAS_ARN]

    # Another target ARN replaces the registration: the old one is removed, the new one added.
    root.variables["publish"] = False
    root.apply()
    assert registration.registered() == [FUNCTION_ARN]
    assert root.outputs()["action"]["connect_registered_function_arn"] == FUNCTION_ARN

    rc, report = root.plan()
    assert rc == 0, f"the plan after apply wants changes:\n{report}"

    # Destroy unregisters it.
    assert "Destroy complete!" in root.destroy()
    assert registration.registered() == []


def test_a_failed_registration_fails_the_apply(tmp_path: Path) -> None:
    """An instance the credentials cannot see: the CLI's error fails the apply (no silent
    half-deployment), and names the instance."""
    if shutil.which("terraform") is None or shutil.which("aws") is None:
        pytest.skip("terraform and the AWS CLI must be on PATH: Terraform runs the CLI")
    with pytest.MonkeyPatch.context() as env, LocalAws(region=REGION) as aws:
        for name, value in aws.env.items():
            env.setenv(name, value)
        env.setenv("TF_CLI_CONFIG_FILE", str(write_config(destination=tmp_path / "terraformrc")))
        env.setenv("TF_IN_AUTOMATION", "1")
        env.setenv("CHECKPOINT_DISABLE", "1")
        missing = (
            f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
        )
        config = root_config(missing)
        config["module"]["action"]["name"] = "tc-unregistrable"
        root = TerraformRoot(tmp_path / "root", variables={"publish": False})
        root.directory.mkdir()
        root.write("provider.tf", aws.provider_block())
        root.write("main.tf.json", config)
        root.init()
        try:
            with pytest.raises(AssertionError) as failed:
                root.apply()
            assert "ResourceNotFoundException" in str(failed.value)
            assert "0f1e2d3c-4b5a-4697-8877-665544332211" in str(failed.value)
        finally:
            root.destroy()
