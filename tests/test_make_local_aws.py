"""`make local-aws`: the demo's local AWS served for a user's own root module.

The target is started as a user starts it (on a free port, PORT=...), its printed provider
block and TF_CLI_CONFIG_FILE line are taken as printed, and a small root module outside the
repository plans against it: the module from this checkout (`source = "<repository>"`) as a
Connect custom action, beside a function of the same root module whose ARN is unknown at plan
and which the module waits for (`depends_on`). Then Ctrl-C stops it. Without its Python
dependencies, the server says so in one line.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.terraform_root import TerraformRoot

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60  # make, the virtualenv check and the server's start, on a loaded machine

ROOT_MODULE = """
terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

# The user's own function: its ARN is known only after apply.
resource "aws_iam_role" "adapter" {
  name = "sms-adapter"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "adapter" {
  function_name = "sms-adapter"
  role          = aws_iam_role.adapter.arn
  handler       = "index.handler"
  runtime       = "python3.13"
  s3_bucket     = "packages-123456789012"
  s3_key        = "sms-adapter.zip"
}

module "custom_action" {
  source = "%(source)s"

  name         = "plan-connect"
  event_source = "connect"
  connect = {
    instance_arn     = "arn:aws:connect:us-east-1:123456789012:instance/0f1e2d3c-4b5a-4697-8877-665544332211"
    message_template = "Hi {{FirstName | there}}, your order has shipped."
  }
  delivery = { adapter = "none" }

  # The channel may call the user's function, and waits for it.
  environment_variables = { ADAPTER_FUNCTION = aws_lambda_function.adapter.arn }
  policy_statements = {
    InvokeAdapter = { actions = ["lambda:InvokeFunction"], resources = [aws_lambda_function.adapter.arn] }
  }

  depends_on = [aws_lambda_function.adapter]
}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[str]
    port: int
    provider_block: str
    terraformrc: str
    output: str


def _lines(stream: object, into: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line)
    into.put(None)


@pytest.fixture
def served() -> Iterator[Served]:
    """`make local-aws PORT=<free port>`, read up to the end of its provider block."""
    if shutil.which("make") is None:
        pytest.skip("make is not on PATH")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MAKE"))}
    process = subprocess.Popen(
        ["make", "--no-print-directory", "local-aws", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: Ctrl-C reaches make and the server
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    output: list[str] = []
    deadline = time.monotonic() + START_SECONDS
    try:
        while True:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
            except queue.Empty:
                pytest.fail(f"make local-aws printed no provider block in {START_SECONDS} s")
            if line is None:
                pytest.fail(f"make local-aws exited: {process.stderr.read()[-2000:]}")  # type: ignore[union-attr]
            output.append(line)
            if line == "}\n" and any(x.startswith('provider "aws" {') for x in output):
                break
        text = "".join(output)
        block = re.search(r'^provider "aws" \{\n.*?^\}\n', text, re.MULTILINE | re.DOTALL)
        rc = re.search(r"^export TF_CLI_CONFIG_FILE=(\S+)$", text, re.MULTILINE)
        assert block is not None, text
        assert rc is not None, text
        yield Served(process, port, block.group(0), rc.group(1), text)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)  # Ctrl-C, as the banner says
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_a_root_module_plans_against_make_local_aws(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint = f"http://127.0.0.1:{served.port}"
    assert served.output.startswith(f"local AWS on {endpoint} (Ctrl-C stops it)\n")
    assert f"export AWS_ENDPOINT_URL={endpoint}\n" in served.output
    # Every service the module's resources and data sources call goes to the local AWS.
    for service in ("cloudformation", "iam", "lambda", "logs", "sqs", "dynamodb", "sts"):
        assert re.search(rf'^    {service} += "{endpoint}"$', served.provider_block, re.MULTILINE)
    assert Path(served.terraformrc).is_file()

    # Outside the repository, with nothing of the test's environment but PATH and HOME.
    for name in [k for k in os.environ if k.startswith(("AWS_", "TF_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", served.terraformrc)
    monkeypatch.setenv("TF_IN_AUTOMATION", "1")
    monkeypatch.setenv("CHECKPOINT_DISABLE", "1")
    assert not tmp_path.is_relative_to(ROOT)
    root = TerraformRoot(tmp_path)
    root.write("main.tf", ROOT_MODULE % {"source": ROOT})
    root.write("provider.tf", served.provider_block)
    root.init()
    rc, report = root.plan()
    assert rc == 2, report[-3000:]
    for address in (
        "aws_lambda_function.adapter",
        "module.custom_action.aws_lambda_function.this",
        'module.custom_action.aws_lambda_permission.this["connect"]',
    ):
        assert f"# {address}" in report, address
    assert re.search(r"^Plan: \d+ to add, 0 to change, 0 to destroy\.$", report, re.MULTILINE)

    # Ctrl-C stops it: nothing listens on the port any more (make may end before the server
    # has closed it), and nothing was printed but one-line messages.
    os.killpg(served.process.pid, signal.SIGINT)
    served.process.wait(timeout=30)
    assert "Traceback" not in served.process.stderr.read()  # type: ignore[union-attr]
    assert stops_listening(served.port), f"127.0.0.1:{served.port} still served after Ctrl-C"


def stops_listening(port: int, within: float = 30.0) -> bool:
    """True once a connection to 127.0.0.1:`port` is refused (nothing listens there)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            return True
        except OSError:
            pass  # a timeout while the server goes down: ask again
        time.sleep(0.2)
    return False


def test_without_its_dependencies_the_local_aws_says_so_in_one_line() -> None:
    """A python3 outside the virtualenv (here: the same one without site-packages)."""
    completed = subprocess.run(
        [sys.executable, "-S", "-I", str(ROOT / "emulator" / "local_aws.py"), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    (line,) = completed.stderr.splitlines()
    assert "make local-aws" in line
    assert re.search(r"the Python module '\w+' is missing", line)
