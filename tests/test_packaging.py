"""`pip install .` into a fresh virtualenv: the custom_channel package and the `custom-channel`
command, nothing else of the repository, at the version written in custom_channel/__init__.py.

The wheel is built as `pip install .` builds it (PEP 517, setuptools in an isolated build
environment) from a copy of the files the build reads, so the shared checkout gets no build/
or *.egg-info/. The fresh virtualenv sees no site-packages but its own; its runtime
dependencies are installed from the hashed lock (requirements-dev.txt as constraints with
--require-hashes), so a dependency the package declares but the lock lacks fails here.
Building fetches setuptools and the locked wheels: without the registry the module is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import custom_channel
from tools import build_package

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "handler" / "custom_channel"
LOCK = ROOT / "requirements-dev.txt"
GUIDE_EVENT = ROOT / "tests" / "fixtures" / "guide_event.json"

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    seconds: float

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def command(self) -> Path:
        return self.venv / "bin" / "custom-channel"


def _pip(*args: str) -> None:
    """The dev virtualenv's pip (pinned in the lock); output is shown only when it fails."""
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def _source_tree(destination: Path) -> None:
    """What the build reads: pyproject.toml, its readme and license, and handler/ (with the
    committed Lambda zip, which must stay out of the wheel)."""
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, destination / name)
    shutil.copytree(
        ROOT / "handler",
        destination / "handler",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    if not build_package._registry_reachable():
        pytest.skip("the registry is out of reach: the build needs setuptools and the lock")
    started = time.monotonic()
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    source.mkdir()
    _source_tree(source)
    wheels = work / "wheels"
    _pip("wheel", "--no-deps", "--wheel-dir", str(wheels), str(source))
    (wheel,) = wheels.glob("*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    digest = build_package._sha256(wheel.read_bytes())
    requirement = work / "requirement.txt"
    requirement.write_text(f"custom-channel @ {wheel.as_uri()} --hash=sha256:{digest}\n")
    _pip(
        "--python",
        str(venv / "bin" / "python"),
        "install",
        "--require-hashes",
        "--only-binary=:all:",
        "-r",
        str(requirement),
        "-c",
        str(LOCK),
    )
    return Installed(wheel=wheel, venv=venv, seconds=time.monotonic() - started)


def _run(installed: Installed, *args: str, env: dict[str, str] | None = None, cwd: Path):
    """Run in the fresh virtualenv with nothing of the checkout on the path."""
    base = {name: value for name, value in os.environ.items() if not name.startswith("PYTHON")}
    base["PATH"] = f"{installed.venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    base["VIRTUAL_ENV"] = str(installed.venv)
    return subprocess.run(
        list(args),
        env={**base, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_wheel_holds_custom_channel_only(installed):
    version = custom_channel.__version__
    with zipfile.ZipFile(installed.wheel) as archive:
        names = archive.namelist()
        info = f"custom_channel-{version}.dist-info"
        record = archive.read(f"{info}/RECORD").decode()
        metadata = archive.read(f"{info}/METADATA").decode()
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert installed.wheel.name == f"custom_channel-{version}-py3-none-any.whl"
    assert {name.split("/")[0] for name in names} == {"custom_channel", info}
    assert sorted(line.split(",")[0] for line in record.splitlines() if line) == sorted(names)
    # Every module of the package, and nothing beside them (no zip, no tests, no emulator/tools/demo).
    sources = {
        path.relative_to(PACKAGE.parent).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert {name for name in names if name.startswith("custom_channel/")} == sources
    assert f"{info}/licenses/LICENSE" in names
    headers = dict(
        line.split(": ", 1) for line in metadata.split("\n\n", 1)[0].splitlines() if ": " in line
    )
    assert headers["Name"] == "custom-channel"
    assert headers["Version"] == version
    assert headers["License-Expression"] == "Apache-2.0"
    requires = sorted(
        value
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist: ")
        for value in [line.removeprefix("Requires-Dist: ")]
    )
    assert requires == ["boto3", "requests"]
    assert "custom-channel = custom_channel.operator.__main__:main" in entry_points.splitlines()


def test_installed_package_reports_its_version(installed, tmp_path):
    script = (
        "import importlib.metadata, json, custom_channel\n"
        "print(json.dumps({'file': custom_channel.__file__, "
        "'version': custom_channel.__version__, "
        "'metadata': importlib.metadata.version('custom-channel')}))\n"
    )
    completed = _run(installed, str(installed.python), "-c", script, cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    found = json.loads(completed.stdout)
    assert Path(found["file"]).is_relative_to(installed.venv)
    assert found["version"] == found["metadata"] == custom_channel.__version__
    print(f"built and installed into a fresh virtualenv in {installed.seconds:.1f} s")


def test_command_help_lists_the_subcommands(installed, tmp_path):
    completed = _run(installed, str(installed.command), "--help", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "invoke" in completed.stdout
    assert "resend" in completed.stdout


def test_command_invokes_the_guide_event(installed, tmp_path, provider):
    """`custom-channel invoke --event ... | jq .`: stdout is the response JSON and only that."""
    completed = _run(
        installed,
        str(installed.command),
        "invoke",
        "--event",
        str(GUIDE_EVENT),
        env={
            "CHANNEL_ADAPTER": "http",
            "CHANNEL_HTTP_URL": f"{provider.url}/send",
            "CHANNEL_METRICS_MODE": "off",
        },
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr
    response = json.loads(completed.stdout)
    (endpoint_id,) = json.loads(GUIDE_EVENT.read_text())["Endpoints"]
    assert endpoint_id in json.dumps(response)
    assert len(provider.requests) == 1


def test_build_leftovers_are_ignored_but_not_the_committed_package():
    """What `pip install .` leaves in the checkout is ignored; the deployed zip is not."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    leftovers = ["build/lib/custom_channel/__init__.py", "handler/custom_channel.egg-info/PKG-INFO"]
    committed = ["handler/dist/custom-channel.zip", "handler/dist/custom-channel.manifest.json"]
    completed = subprocess.run(
        ["git", "check-ignore", "--no-index", *leftovers, *committed],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.stdout.split() == leftovers
