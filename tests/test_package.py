"""The committed Lambda package: current, deterministic, self-sufficient."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from emulator.segments import campaign_event, synthetic_endpoints
from tools import build_package

ROOT = Path(__file__).resolve().parent.parent


# What Lambda passes as the context: the zip carries no operator tool (LocalContext is one).
LAMBDA_CONTEXT = (
    "import time\n"
    "class Context:\n"
    "    function_name = 'custom-channel'\n"
    "    aws_request_id = 'a1b2c3d4-0000-4000-8000-000000000000'\n"
    "    invoked_function_arn = 'arn:aws:lambda:us-east-1:123456789012:function:custom-channel'\n"
    "    def __init__(self):\n"
    "        self.ends = time.monotonic() + 15\n"
    "    def get_remaining_time_in_millis(self):\n"
    "        return int((self.ends - time.monotonic()) * 1000)\n"
)


def test_committed_package_is_current():
    assert build_package.check() == 0


def test_package_is_deterministic_and_lean():
    with zipfile.ZipFile(build_package.ZIP_PATH) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names)
    assert {info.date_time for info in infos} == {build_package.FIXED_DATE}
    assert not [name for name in names if name.endswith(".pyc") or "__pycache__" in name]
    assert not [name for name in names if name.split("/")[0] in ("boto3", "botocore", "bin")]
    assert "custom_channel/lambda_function.py" in names
    assert any(name.startswith("requests/") for name in names)
    assert build_package.ZIP_PATH.stat().st_size < 1024 * 1024


def test_the_zip_leaves_out_what_lambda_never_reads_and_keeps_every_licence():
    with zipfile.ZipFile(build_package.ZIP_PATH) as archive:
        names = archive.namelist()
    third_party = [name for name in names if not name.startswith("custom_channel/")]
    assert not [
        name
        for name in third_party
        if name.endswith(("/py.typed", ".pyi", "/__main__.py"))
        or "/tests/" in name
        or name in ("charset_normalizer/cli/__init__.py", "idna/cli.py")
    ]
    metadata = {name for name in third_party if ".dist-info/" in name}
    assert {name.split("/", 1)[1] for name in metadata if "/licenses/" not in name} == {"METADATA"}
    distributions = {name.split("/", 1)[0] for name in metadata}
    assert len(distributions) == 5
    for distribution in distributions:
        assert f"{distribution}/METADATA" in names
        assert any(name.startswith(f"{distribution}/licenses/") for name in names), distribution


def test_lean_drops_wheel_tests_programs_and_typing_files_and_keeps_the_library():
    files = {
        "pkg/__init__.py": b"from .core import run\n",
        "pkg/core.py": b"import json\n",
        "pkg/__main__.py": b"from .cli import main\n",
        "pkg/cli/__init__.py": b"from . import main\n",
        "pkg/py.typed": b"",
        "pkg/core.pyi": b"def run() -> None: ...\n",
        "pkg/tests/test_core.py": b"import pkg\n",
        "pkg-1.0.dist-info/METADATA": b"Name: pkg\n",
        "pkg-1.0.dist-info/licenses/LICENSE": b"MIT\n",
        "pkg-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\n",
        "pkg-1.0.dist-info/entry_points.txt": b"[console_scripts]\npkg = pkg.cli:main\n",
    }
    assert set(build_package.lean(files)) == {
        "pkg/__init__.py",
        "pkg/core.py",
        "pkg-1.0.dist-info/METADATA",
        "pkg-1.0.dist-info/licenses/LICENSE",
    }


@pytest.mark.parametrize(
    "importer",
    [b"from .cli import main\n", b"from . import cli\n", b"import pkg.cli\n"],
)
def test_lean_refuses_to_drop_a_module_the_library_imports(importer):
    files = {
        "pkg/__init__.py": importer,
        "pkg/cli.py": b"def main() -> None: ...\n",
        "pkg-1.0.dist-info/entry_points.txt": b"[console_scripts]\npkg = pkg.cli:main\n",
    }
    with pytest.raises(RuntimeError, match=r"pkg/__init__\.py imports .*pkg\.cli"):
        build_package.lean(files)


def test_the_zip_carries_the_runtime_and_no_operator_tool():
    with zipfile.ZipFile(build_package.ZIP_PATH) as archive:
        ours = {name for name in archive.namelist() if name.startswith("custom_channel/")}
    runtime = {
        path.relative_to(build_package.HANDLER).as_posix()
        for path in build_package.PACKAGE.rglob("*.py")
        if "__pycache__" not in path.parts and build_package.OPERATOR_TOOLS not in path.parents
    }
    assert ours == runtime
    assert not [name for name in ours if name.startswith("custom_channel/operator/")]


def test_package_runs_alone_against_a_real_server(tmp_path, provider):
    """Unzipped, with no site-packages at all, the handler delivers through requests."""
    with zipfile.ZipFile(build_package.ZIP_PATH) as archive:
        archive.extractall(tmp_path / "task")
    event = campaign_event(synthetic_endpoints(10, seed=3), "Hi {{Attributes.FirstName}}")
    (tmp_path / "event.json").write_text(json.dumps(event))
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(tmp_path / 'task')!r})\n"
        "from custom_channel.lambda_function import lambda_handler\n"
        f"event = json.load(open({str(tmp_path / 'event.json')!r}))\n"
        "import requests\n"
        "assert requests.__file__.startswith(sys.path[0]), requests.__file__\n"
        + LAMBDA_CONTEXT
        + "print('RESPONSE=' + json.dumps(lambda_handler(event, Context())))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script],
        env={
            "CHANNEL_ADAPTER": "http",
            "CHANNEL_HTTP_URL": f"{provider.url}/send",
            "CHANNEL_METRICS_MODE": "emf",
        },
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESPONSE="))
    response = json.loads(line.removeprefix("RESPONSE="))
    assert set(response) == set(event["Endpoints"])
    delivered = [
        ep for ep, answer in response.items() if answer["EventAttributes"]["status"] == "delivered"
    ]
    assert len(provider.requests) == len(delivered) > 0


def test_check_catches_a_third_party_file_edited_behind_its_manifest(tmp_path, capsys):
    """One byte changed in requests/, the manifest rewritten to match: only the wheels tell."""
    wheel_files = build_package.locked_wheel_files()
    if wheel_files is None:
        pytest.skip("the registry is unreachable: the locked wheels cannot be downloaded")
    with zipfile.ZipFile(build_package.ZIP_PATH) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert build_package.third_party_problems(build_package.ZIP_PATH, wheel_files) == []
    target = "requests/sessions.py"
    data = files[target]
    files[target] = data[:100] + bytes([data[100] ^ 1]) + data[101:]
    tampered_zip, tampered_manifest = tmp_path / "tampered.zip", tmp_path / "manifest.json"
    build_package.write_zip(files, tampered_zip)
    tampered_manifest.write_text(json.dumps(build_package.manifest_of(files)), encoding="utf-8")
    capsys.readouterr()

    assert build_package.check(tampered_zip, tampered_manifest) == 1
    output = capsys.readouterr().out
    assert f"{target} differs from the locked wheel's copy" in output
    assert "does not match its manifest" not in output
    assert build_package.third_party_problems(tampered_zip, wheel_files) == [
        f"{target} differs from the locked wheel's copy"
    ]
