"""A team that vendors the handler copies what docs/adapters.md ("Vendoring the handler")
says, and that set runs with nothing else from this repository.

The test copies exactly that set (handler/custom_channel without its operator/ tools) and the
guide's own adapter module into an empty directory, then runs the Pinpoint guide's sample
event through the Lambda entry point in a separate, isolated interpreter (`python -I`: no
PYTHONPATH, no current directory on the path), whose only other imports are the installed
third-party packages. The adapter reads its token from a secret in the local AWS and sends to
the local provider server: a real run end to end, nothing mocked.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from emulator.local_aws import LocalAws
from emulator.provider_server import Reply

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "adapters.md"
HANDLER = ROOT / "handler"
GUIDE_EVENT = ROOT / "tests" / "fixtures" / "guide_event.json"


def vendored_set() -> list[str]:
    """The guide's list of what to copy, as paths under handler/ (its `cp` lines)."""
    section = GUIDE.read_text(encoding="utf-8").split("## Vendoring the handler", 1)[1]
    commands = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return re.findall(r"^cp -R handler/(\S+) ", commands, re.MULTILINE)


def test_the_guide_names_the_runtime_and_excludes_the_operator_tools():
    assert vendored_set() == ["custom_channel"]
    section = GUIDE.read_text(encoding="utf-8").split("## Vendoring the handler", 1)[1]
    assert "rm -r vendor/custom_channel/operator" in section


def test_the_vendored_set_runs_the_guides_sample_event(tmp_path, provider):
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    for name in vendored_set():
        shutil.copytree(HANDLER / name, vendor / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(vendor / "custom_channel" / "operator")
    guide = GUIDE.read_text(encoding="utf-8")
    adapter = guide.split("```python\n", 1)[1].split("```", 1)[0]
    (vendor / "echo_provider.py").write_text(adapter, encoding="utf-8")
    provider.responder = lambda request: Reply(200, b"ok", {"X-Echo-Status": "accepted"})
    script = (
        "import json, sys, time\n"
        f"sys.path.insert(0, {str(vendor)!r})\n"
        "import custom_channel\n"
        f"assert custom_channel.__file__.startswith({str(vendor)!r}), custom_channel.__file__\n"
        "from custom_channel.lambda_function import lambda_handler\n"
        "class Context:\n"
        "    aws_request_id = 'a1b2c3d4-0000-4000-8000-000000000000'\n"
        "    def __init__(self):\n"
        "        self.ends = time.monotonic() + 15\n"
        "    def get_remaining_time_in_millis(self):\n"
        "        return int((self.ends - time.monotonic()) * 1000)\n"
        f"event = json.load(open({str(GUIDE_EVENT)!r}))\n"
        "print('RESPONSE=' + json.dumps(lambda_handler(event, Context())))\n"
        "print('MODULES=' + json.dumps(sorted(m for m in sys.modules if m.startswith('custom_channel'))))\n"
    )
    with LocalAws() as aws:
        aws.client("secretsmanager").create_secret(
            Name="echo-provider", SecretString=json.dumps({"token": "vendored-token"})
        )
        completed = subprocess.run(
            [sys.executable, "-I", "-c", script],
            cwd=tmp_path,
            env={
                **aws.env,
                "CHANNEL_ADAPTER": "echo",
                "CHANNEL_ADAPTER_MODULE": "echo_provider",
                "CHANNEL_ECHO_URL": provider.url,
                "CHANNEL_SECRET_ID": "echo-provider",
                "CHANNEL_METRICS_MODE": "emf",
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert completed.returncode == 0, completed.stderr
    lines = dict(
        line.split("=", 1)
        for line in completed.stdout.splitlines()
        if line.startswith(("RESPONSE=", "MODULES="))
    )
    response = json.loads(lines["RESPONSE"])
    (endpoint_id,) = json.loads(GUIDE_EVENT.read_text())["Endpoints"]
    assert response == {
        endpoint_id: {
            "EventAttributes": {"status": "delivered", "attempts": "1", "http_status": "200"}
        }
    }
    (request,) = provider.requests
    assert request.headers["Authorization"] == "Bearer vendored-token"
    assert not [m for m in json.loads(lines["MODULES"]) if ".operator" in m]
