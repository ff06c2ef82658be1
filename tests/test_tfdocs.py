"""tools/tfdocs.py writes the tables terraform-docs' `markdown table` writes (default settings,
Inputs and Outputs sections), checks several READMEs in one run, each against the module in
its own directory, and answers a stale or marker-less README with one line naming it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools import tfdocs

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "tfdocs.py"

VARIABLES_TF = """\
// The region to deploy to.
variable "region" {
  type    = string
  default = "us-east-1"
}

# terraform-docs-ignore
variable "hidden" {
  default = "x"
}

variable bare_label {}

variable "name_prefix" {
  description = "Prefix of every resource name, e.g. my_app (see `name_prefix`). One of a | b."
  type        = string
}

variable "settings" {
  description = <<-EOT
    Settings of the channel:
    `retries` - how often to retry;
    timeout_seconds - the deadline.

    Example:
    ```
    settings = { retries = 3 }
    ```
  EOT
  type = object({
    retries         = optional(number, 2)
    timeout_seconds = optional(number, 10.5)
  })
  default = {
    timeout_seconds = 10.5
    retries         = 2
  }

  validation {
    condition     = var.settings.retries >= 0
    error_message = "retries >= 0."
  }
}

variable "endpoint_types" {
  description = "Endpoint types."
  type        = list(string)
  default     = ["CUSTOM", "SMS"]
}

variable "template" {
  description = "Body template."
  type        = string
  default     = "Hi {{Name | there}}"
}

variable "port" {
  type    = number
  default = "8080"
}

variable "ratio" {
  default = 0.25
}

variable "key_arn" {
  type    = string
  default = null
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "letter" {
  description = "A heredoc default keeps its last newline."
  default     = <<EOT
Dear $${name},
EOT
}
"""

OUTPUTS_TF = """\
output "url" {
  description = "The endpoint's URL: https://example.com/a_b."
  value       = "x"
  sensitive   = true
}

// Id of the thing.
output "thing_id" {
  value = local.id
}

output "empty" {
  value = 1
}

# terraform-docs-ignore
output "skipped" {
  value = 2
}
"""

MAIN_TF = """\
locals {
  id = "${var.name_prefix}-${join(",", [for t in var.endpoint_types : lower(t)])}"
}

resource "terraform_data" "this" {
  input = { for k, v in var.tags : k => v if v != "" }
}

variable "from_main" {
  description = "Declared in main.tf: terraform-docs reads every *.tf file."
  type        = bool
  default     = false
}
"""

# Worked out by hand from terraform-docs' rules (template/sanitizer.go, format/util.go and
# the markdown_table_{inputs,outputs}.tmpl templates): names sorted; `_` escaped outside
# code and in the link text and target, not in <a name>; | escaped; the comment above a
# block as its missing description; JSON defaults with sorted keys in <pre> when they span
# lines; the source's own indentation in a multi-line type. The one departure: the `\|`
# inside the `template` default's code span, which terraform-docs leaves bare.
EXPECTED = r"""## Inputs

| Name | Description | Type | Default | Required |
| ---- | ----------- | ---- | ------- | :------: |
| <a name="input_bare_label"></a> [bare\_label](#input\_bare\_label) | n/a | `any` | n/a | yes |
| <a name="input_endpoint_types"></a> [endpoint\_types](#input\_endpoint\_types) | Endpoint types. | `list(string)` | <pre>[<br/>  "CUSTOM",<br/>  "SMS"<br/>]</pre> | no |
| <a name="input_from_main"></a> [from\_main](#input\_from\_main) | Declared in main.tf: terraform-docs reads every *.tf file. | `bool` | `false` | no |
| <a name="input_key_arn"></a> [key\_arn](#input\_key\_arn) | n/a | `string` | `null` | no |
| <a name="input_letter"></a> [letter](#input\_letter) | A heredoc default keeps its last newline. | `string` | `"Dear ${name},\n"` | no |
| <a name="input_name_prefix"></a> [name\_prefix](#input\_name\_prefix) | Prefix of every resource name, e.g. my\_app (see `name_prefix`). One of a \| b. | `string` | n/a | yes |
| <a name="input_port"></a> [port](#input\_port) | n/a | `number` | `"8080"` | no |
| <a name="input_ratio"></a> [ratio](#input\_ratio) | n/a | `number` | `0.25` | no |
| <a name="input_region"></a> [region](#input\_region) | The region to deploy to. | `string` | `"us-east-1"` | no |
| <a name="input_settings"></a> [settings](#input\_settings) | Settings of the channel:<br/>`retries` - how often to retry;<br/>timeout\_seconds - the deadline.<br/><br/>Example:<pre>settings = { retries = 3 }</pre> | <pre>object({<br/>    retries         = optional(number, 2)<br/>    timeout_seconds = optional(number, 10.5)<br/>  })</pre> | <pre>{<br/>  "retries": 2,<br/>  "timeout_seconds": 10.5<br/>}</pre> | no |
| <a name="input_tags"></a> [tags](#input\_tags) | n/a | `map(string)` | `{}` | no |
| <a name="input_template"></a> [template](#input\_template) | Body template. | `string` | `"Hi {{Name \| there}}"` | no |

## Outputs

| Name | Description |
| ---- | ----------- |
| <a name="output_empty"></a> [empty](#output\_empty) | n/a |
| <a name="output_thing_id"></a> [thing\_id](#output\_thing\_id) | Id of the thing. |
| <a name="output_url"></a> [url](#output\_url) | The endpoint's URL: https://example.com/a_b. |"""

README = "# Fixture\n\nIntro.\n\n<!-- BEGIN_TF_DOCS -->\n<!-- END_TF_DOCS -->\n\n## After\n"


def _module(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "variables.tf").write_text(VARIABLES_TF, "utf-8")
    (directory / "outputs.tf").write_text(OUTPUTS_TF, "utf-8")
    (directory / "main.tf").write_text(MAIN_TF, "utf-8")
    (directory / "README.md").write_text(README, "utf-8")
    return directory / "README.md"


def _run(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_fixture_module_renders_terraform_docs_tables(tmp_path: Path) -> None:
    readme = _module(tmp_path / "mod")
    assert tfdocs.main([str(readme)]) == 0
    text = readme.read_text("utf-8")
    assert text == README.replace(
        "<!-- BEGIN_TF_DOCS -->\n", "<!-- BEGIN_TF_DOCS -->\n" + EXPECTED + "\n"
    )
    # Written once, it is current: a second run and --check change nothing.
    assert tfdocs.main(["--check", str(readme)]) == 0
    assert tfdocs.main([str(readme)]) == 0
    assert readme.read_text("utf-8") == text


def _unescape_commonmark(target: str) -> str:
    """CommonMark 0.31, 2.4: backslash escapes work in link destinations too."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", target)


@pytest.mark.parametrize("example", sorted(p.name for p in (ROOT / "examples").iterdir()))
def test_every_link_target_is_its_anchor(tmp_path: Path, example: str) -> None:
    """The escaped link targets (#input\\_x) are the <a name> anchors GitHub jumps to."""
    tables = tfdocs.render(*tfdocs.read_module(ROOT / "examples" / example))
    fixture = tfdocs.render(*tfdocs.read_module(_module(tmp_path / "mod").parent))
    for text in (tables, fixture):
        names = re.findall(r'<a name="([^"]+)"></a>', text)
        targets = re.findall(r"\]\(#([^)]+)\)", text)
        assert len(targets) == len(names) == text.count("\n| <a name=")
        assert [_unescape_commonmark(target) for target in targets] == names
        assert any("\\_" in target for target in targets)


def test_empty_module_and_heading_level(tmp_path: Path) -> None:
    module = tmp_path / "empty"
    module.mkdir()
    (module / "main.tf").write_text('terraform {\n  required_version = ">= 1.6"\n}\n', "utf-8")
    readme = module / "README.md"
    # The heading level already between the markers is kept (the root README's ###).
    readme.write_text("<!-- BEGIN_TF_DOCS -->\n### Old\n<!-- END_TF_DOCS -->\n", "utf-8")
    assert tfdocs.main([str(readme)]) == 0
    assert readme.read_text("utf-8") == (
        "<!-- BEGIN_TF_DOCS -->\n### Inputs\n\nNo inputs.\n\n### Outputs\n\nNo outputs.\n"
        "<!-- END_TF_DOCS -->\n"
    )
    assert tfdocs.main(["--indent", "2", str(readme)]) == 0
    assert "\n## Inputs\n" in readme.read_text("utf-8")


def test_go_number_format() -> None:
    """Numbers as Go's encoding/json writes a float64 (what terraform-docs prints)."""
    cases = {
        42.0: "42",
        15.75: "15.75",
        0.000001: "0.000001",
        1e-7: "1e-7",
        1.5e-10: "1.5e-10",
        1e20: "100000000000000000000",
        1e21: "1e+21",
        -2.5e22: "-2.5e+22",
        123456789012.0: "123456789012",
    }
    assert {value: tfdocs._go_number(value) for value in cases} == cases


def test_one_run_checks_each_readme_against_its_own_module(tmp_path: Path) -> None:
    """As `make docs-check` does for the root and examples/*/README.md."""
    first, second = _module(tmp_path / "a"), _module(tmp_path / "b")
    (tmp_path / "b" / "outputs.tf").write_text('output "only" {\n  value = 1\n}\n', "utf-8")
    assert _run(first, second).returncode == 0
    assert "[only](#output\\_only)" in second.read_text("utf-8")
    assert "[url](#output\\_url)" not in second.read_text("utf-8")
    assert "[url](#output\\_url)" in first.read_text("utf-8")
    assert _run("--check", first, second).returncode == 0


@pytest.mark.parametrize("example", ["twilio-sms", "lambda-channel"])
def test_check_names_a_stale_example(tmp_path: Path, example: str) -> None:
    copy = tmp_path / "examples" / example
    shutil.copytree(ROOT / "examples" / example, copy)
    readme = copy / "README.md"
    other = _module(tmp_path / "examples" / "current")
    assert _run(readme, other).returncode == 0  # both current first

    # A planted change in the module: a new input the README does not list yet.
    with (copy / "variables.tf").open("a", encoding="utf-8") as handle:
        handle.write('\nvariable "planted" {\n  type = string\n}\n')
    before = readme.read_text("utf-8")
    result = _run("--check", other, readme, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if "warning:" not in line]
    assert lines == [
        f"tfdocs: {readme} is out of date; run: make docs (python3 tools/tfdocs.py {readme})"
    ]
    assert readme.read_text("utf-8") == before  # --check never writes

    # A hand edit inside the generated region is caught the same way.
    assert _run(readme).returncode == 0
    readme.write_text(readme.read_text("utf-8").replace("| no |", "| yes |", 1), "utf-8")
    result = _run("--check", readme)
    assert result.returncode == 1
    assert f"tfdocs: {readme} is out of date" in result.stderr


def test_example_readme_without_markers_is_an_error(tmp_path: Path) -> None:
    copy = tmp_path / "external-webhook"
    shutil.copytree(ROOT / "examples" / "external-webhook", copy)
    readme = copy / "README.md"
    text = readme.read_text("utf-8")
    readme.write_text(text.replace(tfdocs.BEGIN, "").replace(tfdocs.END, ""), "utf-8")
    current = _module(tmp_path / "current")
    assert _run(current).returncode == 0
    for args in (("--check", current, readme), (current, readme)):
        result = _run(*args)
        assert result.returncode == 2
        assert result.stderr.splitlines() == [
            f"tfdocs: {readme}: needs the markers {tfdocs.BEGIN} and then {tfdocs.END}"
        ]
    assert tfdocs.END not in readme.read_text("utf-8")  # left as it was


@pytest.mark.parametrize(
    ("default", "message"),
    [
        ("var.other", "not a literal value: 'var.other'"),
        ('"${var.other}"', "a template interpolation where a literal string was expected"),
        ('["a" "b"]', "expected ',' or ']'"),
    ],
)
def test_unreadable_module_is_one_line(tmp_path: Path, default: str, message: str) -> None:
    readme = _module(tmp_path / "mod")
    (tmp_path / "mod" / "variables.tf").write_text(
        f'variable "x" {{\n  default = {default}\n}}\n', "utf-8"
    )
    result = _run("--check", readme)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"tfdocs: {tmp_path / 'mod' / 'variables.tf'}: ")
    assert message in line


def test_missing_file_and_module_dir_are_one_line(tmp_path: Path) -> None:
    result = _run(tmp_path / "nope" / "README.md")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"tfdocs: {tmp_path / 'nope' / 'README.md'}: cannot read it (No such file or directory)"
    ]
    readme = _module(tmp_path / "mod")
    result = _run("--module-dir", tmp_path / "absent", readme)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"tfdocs: {tmp_path / 'absent'}: no such module directory"
    ]
    result = _run("--module-dir", tmp_path, readme, readme)
    assert result.returncode == 2
    assert "--module-dir takes one Markdown file" in result.stderr


def test_bare_placeholder_is_warned() -> None:
    variables = [
        tfdocs.Variable("a", "Named <name>-<key>; `<kept>` in code; a <br> on purpose.", "string")
    ]
    assert tfdocs.bare_tags(variables, []) == ["input a: <key>, <name>"]


def test_compact_types_show_an_object_type_on_one_line(tmp_path: Path) -> None:
    """--compact-types: a type over several lines is its constructor with the attributes
    elided; one-line types, descriptions and defaults are as without it; --check agrees."""
    readme = _module(tmp_path / "mod")
    assert tfdocs.main(["--compact-types", str(readme)]) == 0
    text = readme.read_text("utf-8")
    row = next(line for line in text.splitlines() if 'name="input_settings"' in line)
    assert "| `object({...})` |" in row
    assert "<pre>object(" not in text
    full = README.replace("<!-- BEGIN_TF_DOCS -->\n", "<!-- BEGIN_TF_DOCS -->\n" + EXPECTED + "\n")
    expected_row = next(line for line in full.splitlines() if 'name="input_settings"' in line)
    assert row.split(" | ")[:2] == expected_row.split(" | ")[:2]
    assert row.split(" | ")[3:] == expected_row.split(" | ")[-2:]
    assert tfdocs.main(["--compact-types", "--check", str(readme)]) == 0
    assert tfdocs.main(["--check", str(readme)]) == 1


def test_compact_type() -> None:
    assert tfdocs.compact_type("string") == "string"
    assert tfdocs.compact_type("object({\n  a = string\n})") == "object({...})"
    assert tfdocs.compact_type("list(object({\n  a = string\n  b = number\n}))") == (
        "list(object({...}))"
    )
