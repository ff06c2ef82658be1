"""A Terraform root module in a directory, run through python-terraform; local example copies.

python-terraform 0.10.1 predates Terraform 1.x. `TerraformRoot` is the one place that knows
its quirks, so tests read as init / apply / plan / destroy:

* `plan()` always passes -detailed-exitcode: rc 0 is "no changes", 2 is "changes", 1 an error.
* `apply()` sends -auto-approve=false unless skip_plan=True, so apply(skip_plan=True) it is.
* `destroy()` sends -force, which Terraform 1.x rejects: destroy(force=IsNotFlagged,
  auto_approve=True).
* `output()` works; `output(name)` raises, so the outputs are read all at once.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from python_terraform import IsFlagged, IsNotFlagged, Terraform  # type: ignore[import-untyped]

REPOSITORY = Path(__file__).resolve().parent.parent
MODULE_SOURCE = re.compile(r'^(\s*source\s*=\s*)"\.\./\.\./"$', re.MULTILINE)
LOCAL_AWS_OVERRIDE = "local_aws_override.tf"


class TerraformError(AssertionError):
    """A terraform command failed; the message holds the command's own error text."""


class TerraformRoot:
    """A root module (written by the caller) in `directory`, with its root variables."""

    def __init__(self, directory: Path, variables: dict[str, Any] | None = None) -> None:
        self.directory = directory
        self.variables = dict(variables or {})
        self._terraform = Terraform(working_dir=str(directory))

    def write(self, name: str, content: str | dict[str, Any]) -> Path:
        """Write a configuration file: HCL text, or a dict as Terraform JSON (`*.tf.json`)."""
        path = self.directory / name
        text = content if isinstance(content, str) else json.dumps(content, indent=2)
        path.write_text(text, encoding="utf-8")
        return path

    def init(self) -> str:
        return self._run("init", *self._terraform.init(var=self.variables))

    def validate(self) -> str:
        """`terraform validate` (after init): the configuration alone, no variables needed."""
        return self._run("validate", *self._terraform.cmd("validate", no_color=IsFlagged))

    def apply(self) -> str:
        """Apply the configuration; returns Terraform's report (plan and summary)."""
        return self._run("apply", *self._terraform.apply(skip_plan=True, var=self.variables))

    def plan(self) -> tuple[int, str]:
        """(0, report) when the infrastructure matches the configuration, (2, report) if not."""
        rc, out, err = self._terraform.plan(var=self.variables)
        if rc not in (0, 2):
            self._run("plan", rc, out, err)
        return rc, out

    def destroy(self, refresh: bool = True) -> str:
        """Destroy everything; refresh=False skips re-reading the resources first."""
        rc, out, err = self._terraform.destroy(
            force=IsNotFlagged,
            auto_approve=True,
            refresh=None if refresh else False,
            var=self.variables,
        )
        return self._run("destroy", rc, out, err)

    def outputs(self) -> dict[str, Any]:
        """Every root output's value, sensitive ones included."""
        raw = self._terraform.output()
        if raw is None:
            raise TerraformError("terraform output failed")
        return {name: entry["value"] for name, entry in raw.items()}

    @staticmethod
    def _run(command: str, rc: int, out: str, err: str) -> str:
        if rc != 0:
            raise TerraformError(f"terraform {command} failed (rc {rc}):\n{err}\n{out[-4000:]}")
        return out


_SUMMARY = re.compile(r"Resources: (\d+) added, (\d+) changed, (\d+) destroyed")


def apply_summary(report: str) -> tuple[int, int, int]:
    """(added, changed, destroyed) from an apply report."""
    match = _SUMMARY.search(report)
    if match is None:
        raise TerraformError(f"no apply summary in:\n{report[-2000:]}")
    added, changed, destroyed = (int(n) for n in match.groups())
    return added, changed, destroyed


def copy_example(example: Path, destination: Path) -> Path:
    """An example as a user has it, with its module source pointing at this repository."""
    shutil.copytree(
        example,
        destination,
        ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "terraform.tfvars"),
    )
    main = destination / "main.tf"
    text, count = MODULE_SOURCE.subn(
        lambda m: f'{m.group(1)}"{REPOSITORY}"', main.read_text(encoding="utf-8")
    )
    if count != 1:
        raise TerraformError(f'{example}/main.tf: expected one module with source = "../../"')
    main.write_text(text, encoding="utf-8")
    return destination


def point_at(root: TerraformRoot, provider_block: str) -> None:
    """Send the example's aws provider to a local AWS: Terraform merges `*_override.tf`
    files into the configuration, so the example's own files stay as a user applies them."""
    root.write(LOCAL_AWS_OVERRIDE, provider_block)


def local_example(
    example: Path, destination: Path, provider_block: str, variables: dict[str, Any]
) -> TerraformRoot:
    """A copy of `example` in `destination`, ready to init and apply against a local AWS."""
    root = TerraformRoot(copy_example(example, destination), variables)
    point_at(root, provider_block)
    return root
