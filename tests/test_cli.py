"""The command line (`custom-channel` / `python -m custom_channel.operator`), run as a user runs it: a
separate process, its stdout, stderr and exit code. Exit codes and options: docs/cli.md."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.local_aws import LocalAws
from emulator.provider_server import ProviderServer, Reply
from tests import tls

ROOT = Path(__file__).resolve().parent.parent
GUIDE_EVENT = ROOT / "tests" / "fixtures" / "guide_event.json"
EP = "1dbcd396df28ac6cf8c1c2b7fexample"
NAMESPACE = "PinpointCustomChannelExecution"
# Fake credentials only: no test may reach a real AWS account.
BASE_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "PYTHONPATH": str(ROOT / "handler"),
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    # Nothing from this machine's AWS configuration either.
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def cli(*arguments: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Any:
    """`python -m custom_channel.operator ARGUMENTS` from a directory that is not the repository's."""
    return subprocess.run(
        [sys.executable, "-m", "custom_channel.operator", *arguments],
        cwd=cwd or ROOT / "tests",
        env={**BASE_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def one_line(text: str) -> str:
    assert text.count("\n") == 1, text
    assert "Traceback" not in text
    return text.strip()


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def local_aws() -> Iterator[LocalAws]:
    with LocalAws() as aws:
        # moto's state is the process's: start from none of what earlier test files left.
        aws.reset()
        yield aws


# --- invoke ---------------------------------------------------------------------------------


def test_invoke_prints_the_response_alone_on_stdout_and_the_logs_and_emf_on_stderr():
    completed = cli("invoke", "--event", str(GUIDE_EVENT), env={"CHANNEL_METRICS_MODE": "emf"})
    assert completed.returncode == 0, completed.stderr
    # `| jq` works: stdout is one JSON document, the response.
    response = json.loads(completed.stdout)
    assert response[EP]["EventAttributes"]["status"] == "skipped"  # adapter none: not sent
    lines = json_lines(completed.stderr)
    assert [line["message"] for line in lines if "message" in line] == ["batch processed"]
    (emf,) = [line for line in lines if "_aws" in line]
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == NAMESPACE


def test_invoke_output_writes_the_response_to_the_file_and_nothing_to_stdout(tmp_path):
    output = tmp_path / "response.json"
    completed = cli("invoke", "--event", str(GUIDE_EVENT), "--output", str(output))
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""
    assert json.loads(output.read_text())[EP]["EventAttributes"]["status"] == "skipped"


def test_a_local_invoke_publishes_no_metrics_unless_the_mode_is_set(local_aws):
    """With the Lambda default (api), a shell holding real credentials would call
    PutMetricData on a real account: a local invoke defaults to off."""
    cloudwatch = local_aws.client("cloudwatch")
    env = {"AWS_ENDPOINT_URL": local_aws.endpoint_url}
    assert cli("invoke", "--event", str(GUIDE_EVENT), env=env).returncode == 0
    assert cloudwatch.list_metrics(Namespace=NAMESPACE)["Metrics"] == []
    # Set explicitly, it is honoured (and the check above can fail).
    asked = cli("invoke", "--event", str(GUIDE_EVENT), env={**env, "CHANNEL_METRICS_MODE": "api"})
    assert asked.returncode == 0, asked.stderr
    assert cloudwatch.list_metrics(Namespace=NAMESPACE, MetricName="EndpointCount")["Metrics"]


def test_invoke_refuses_a_bad_configuration_in_one_line_naming_the_variable():
    completed = cli("invoke", "--event", str(GUIDE_EVENT), env={"CHANNEL_ADAPTER": "carrier"})
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert one_line(completed.stderr).startswith("configuration error: CHANNEL_ADAPTER: ")


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({"Endpoints": {}}, "ApplicationId: is missing"),
        ([1, 2], "event: must be a JSON object"),
    ],
)
def test_invoke_refuses_an_invalid_event_in_one_line_naming_the_field(tmp_path, event, problem):
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    completed = cli("invoke", "--event", str(path))
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert one_line(completed.stderr).startswith(f"invalid event {path}: {problem}")


@pytest.mark.parametrize(
    ("content", "problem"), [(None, "No such file or directory"), ("{not json", "not JSON")]
)
def test_invoke_refuses_an_unreadable_event_in_one_line(tmp_path, content, problem):
    path = tmp_path / "event.json"
    if content is not None:
        path.write_text(content)
    completed = cli("invoke", "--event", str(path))
    assert completed.returncode == 2
    assert one_line(completed.stderr).startswith(f"cannot read event {path}: {problem}")


def test_invoke_output_to_a_missing_directory_is_one_line_before_anything_is_sent(tmp_path):
    with ProviderServer() as provider:
        env = {"CHANNEL_ADAPTER": "http", "CHANNEL_HTTP_URL": f"{provider.url}/send"}
        target = tmp_path / "missing" / "response.json"
        completed = cli("invoke", "--event", str(GUIDE_EVENT), "--output", str(target), env=env)
        assert provider.requests == []  # checked before the invocation, not after it
    assert completed.returncode == 2
    assert one_line(completed.stderr) == (f"--output {target}: no such directory {target.parent}")


@pytest.mark.parametrize(("reply", "code"), [(Reply(202), 0), (Reply(400), 1)])
def test_invoke_exits_1_when_an_endpoint_failed(reply, code):
    with ProviderServer(lambda _request: reply) as provider:
        env = {"CHANNEL_ADAPTER": "http", "CHANNEL_HTTP_URL": f"{provider.url}/send"}
        completed = cli("invoke", "--event", str(GUIDE_EVENT), env=env)
        assert len(provider.requests) == 1
    assert completed.returncode == code, completed.stderr
    status = json.loads(completed.stdout)[EP]["EventAttributes"]["status"]
    assert status == ("delivered" if code == 0 else "failed")


def test_the_retry_policy_prints_the_answers_and_exits_1_without_a_traceback(local_aws):
    """CHANNEL_FAILURE_POLICY=retry raises so that Pinpoint invokes again; the CLI prints
    the answers instead. A refused connection sent nothing: failed, and retryable."""
    local_aws.client("dynamodb").create_table(
        TableName="cli-ledger",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        env = {
            "AWS_ENDPOINT_URL": local_aws.endpoint_url,
            "CHANNEL_ADAPTER": "http",
            # Bound, not listening: the connection is refused.
            "CHANNEL_HTTP_URL": f"http://127.0.0.1:{closed.getsockname()[1]}/send",
            "CHANNEL_FAILURE_POLICY": "retry",
            "CHANNEL_IDEMPOTENCY_TABLE": "cli-ledger",
        }
        completed = cli("invoke", "--event", str(GUIDE_EVENT), env=env)
    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    assert json.loads(completed.stdout)[EP]["EventAttributes"]["status"] == "failed"
    assert "failing the invocation for a retry" in completed.stderr


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["invoke"], "the following arguments are required: --event"),
        (["invoke", "--event", str(GUIDE_EVENT), "--timeout", "0"], "--timeout must be more"),
        (["invoke", "--event", str(GUIDE_EVENT), "--timeout", "soon"], "--timeout: invalid"),
        (["deliver"], "argument COMMAND: invalid choice: 'deliver'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_2(arguments, problem):
    completed = cli(*arguments)
    assert completed.returncode == 2
    assert problem in one_line(completed.stderr)


# --- resend -----------------------------------------------------------------------------------


def test_resend_prints_its_summary_alone_and_exits_1_while_a_message_fails_again(local_aws):
    sqs = local_aws.client("sqs")
    queue = sqs.create_queue(QueueName="cli-failures")["QueueUrl"]
    aws = {"AWS_ENDPOINT_URL": local_aws.endpoint_url}
    with ProviderServer(lambda _request: Reply(400)) as provider:
        channel = {
            "CHANNEL_ADAPTER": "http",
            "CHANNEL_HTTP_URL": f"{provider.url}/send",
            "CHANNEL_FAILURE_QUEUE_URL": queue,
            **aws,
        }
        assert cli("invoke", "--event", str(GUIDE_EVENT), env=channel).returncode == 1
        # Queued without a provider secret, so unsigned; shown again at once when kept.
        resend = ("resend", "--accept-unsigned", "--no-check-endpoints", "--visibility-timeout")
        again = cli(*resend, "0", env=channel)
        assert again.returncode == 1, again.stderr
        summary = json.loads(again.stdout)  # the summary alone: the logs are on stderr
        assert (summary["received"], summary["failed"], summary["kept"]) == (1, 1, 1)
        assert "resend finished" in again.stderr

        provider.responder = lambda _request: Reply(202)
        fixed = cli(*resend, "0", env=channel)
        assert fixed.returncode == 0, fixed.stderr
        assert json.loads(fixed.stdout)["delivered"] == 1
        assert len(provider.requests) == 3
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)


def unreachable() -> str:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{closed.getsockname()[1]}"  # nothing listens there


QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/no-such-queue"


@pytest.mark.parametrize(
    ("arguments", "where", "code", "line"),
    [
        # AWS cannot be reached: running it again may work.
        (["resend", "--queue-url", QUEUE], "unreachable", 1, "resend stopped: Endpoint"),
        # AWS refused the request as it stands: the command must change.
        (["resend", "--queue-url", QUEUE], "local", 2, "resend stopped: AWS.SimpleQueue"),
        (["resend", "--function-name", "gone"], "local", 2, "cannot read function gone: Resou"),
        (["resend", "--queue-url", QUEUE], "no credentials", 2, "resend stopped: NoCredentials"),
        # Bad input: nothing is asked of AWS.
        (["resend", "--queue-url", "queue"], "local", 2, "configuration error: CHANNEL_FAIL"),
        (["resend", "--queue-url", QUEUE, "--max-age-hours", "0"], "local", 2, "--max-age-hours"),
        (["resend", "--include-unknown", "--delete-unknown"], "local", 2, "not allowed with"),
    ],
)
def test_aws_errors_and_bad_input_are_one_line_with_the_documented_exit_code(
    local_aws, arguments, where, code, line
):
    env = {"AWS_ENDPOINT_URL": local_aws.endpoint_url}
    if where == "unreachable":
        env = {"AWS_ENDPOINT_URL": unreachable(), "AWS_MAX_ATTEMPTS": "1"}
    elif where == "no credentials":
        env = {
            "AWS_ACCESS_KEY_ID": "",
            "AWS_SECRET_ACCESS_KEY": "",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    completed = cli(*arguments, env=env)
    assert completed.returncode == code, completed.stderr
    assert completed.stdout == ""
    assert line in one_line(completed.stderr)


# --- emulator/run_campaign.py ------------------------------------------------------------------


def runner(*arguments: str, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, str(ROOT / "emulator" / "run_campaign.py"), *arguments],
        cwd=ROOT / "tests",
        env={**BASE_ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def definition(delivery_uri: str, **extra: Any) -> dict[str, Any]:
    return {
        "application_id": "a" * 32,
        "campaign_id": "c" * 32,
        "name": "cli",
        "holdout_percent": 0,
        "treatments": [
            {
                "treatment_id": "0",
                "size_percent": 100,
                "data": "hello",
                "delivery_uri": delivery_uri,
                "endpoint_types": ["CUSTOM", "SMS", "EMAIL"],
            }
        ],
        **extra,
    }


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no trust store holds."""
    return tls.self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https_webhook(self_signed) -> Iterator[str]:
    """A real HTTPS webhook on 127.0.0.1 that answers Pinpoint's HEAD check correctly: only
    its certificate is wrong."""
    import http.server
    import ssl
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.send_response(200)
            self.send_header("X-Amz-Pinpoint-AccountId", "123456789012")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/hook/secret-path"
    finally:
        server.shutdown()
        server.server_close()


def write(path: Path, content: Any) -> Path:
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_the_runner_names_a_missing_or_malformed_definition_in_one_line(tmp_path, local_aws):
    env = {"AWS_ENDPOINT_URL": local_aws.endpoint_url}
    cases = {
        tmp_path / "missing.json": "No such file or directory",
        write(tmp_path / "broken.json", '{"treatments": ['): "not JSON: Expecting value: line 1",
        write(tmp_path / "list.json", []): "not a campaign definition (a JSON object)",
        write(
            tmp_path / "partial.json", {"campaign_id": "x"}
        ): "not a campaign definition: missing or bad 'treatments'",
        write(
            tmp_path / "empty.json", definition("x", treatments=[])
        ): "not a campaign definition: no treatments",
    }
    for path, problem in cases.items():
        completed = runner("--definition", str(path), "--synthetic", "10", env=env)
        assert completed.returncode == 2, completed.stderr
        assert one_line(completed.stderr).startswith(f"error: --definition {path}: {problem}")


def test_the_runner_names_an_unknown_function_before_sending_anything(tmp_path, local_aws):
    arn = "arn:aws:lambda:us-east-1:123456789012:function:no-such-function"
    path = write(tmp_path / "campaign.json", definition(arn))
    env = {"AWS_ENDPOINT_URL": local_aws.endpoint_url}
    completed = runner("--definition", str(path), "--synthetic", "10", env=env)
    assert completed.returncode == 2
    assert one_line(completed.stderr) == (
        f"error: treatment 0: function {arn}: ResourceNotFoundException"
    )


def test_the_runner_names_an_unknown_campaign(local_aws):
    app = local_aws.client("pinpoint").create_app(CreateApplicationRequest={"Name": "cli"})
    app_id = app["ApplicationResponse"]["Id"]
    env = {"AWS_ENDPOINT_URL": local_aws.endpoint_url}
    for application, problem in ((app_id, "NotFoundException"), ("f" * 32, "NotFoundException")):
        completed = runner(
            "--application-id", application, "--campaign-id", "e" * 32, "--synthetic", "5", env=env
        )
        assert completed.returncode == 2
        assert one_line(completed.stderr).startswith(
            f"error: campaign {'e' * 32} of application {application}: {problem}"
        )


def test_the_runner_names_a_tls_failure_without_the_webhook_path(
    tmp_path, local_aws, https_webhook
):
    path = write(tmp_path / "campaign.json", definition(https_webhook))
    env = {"AWS_ENDPOINT_URL": local_aws.endpoint_url}
    completed = runner("--definition", str(path), "--synthetic", "10", env=env)
    assert completed.returncode == 2
    line = one_line(completed.stderr)
    host = https_webhook.split("/hook/", 1)[0]
    assert line.startswith(f"error: treatment 0: webhook {host}: TLS failure: certificate verify")
    assert "secret-path" not in line  # the path can hold the receiver's secret


def test_the_runner_names_a_local_aws_it_cannot_reach_or_trust(tmp_path, https_webhook):
    path = write(tmp_path / "campaign.json", definition("arn:aws:lambda:x"))
    for endpoint, problem in (
        (unreachable(), "EndpointConnectionError"),
        (https_webhook.split("/hook/", 1)[0], "TLS failure: certificate verify failed"),
    ):
        env = {"AWS_ENDPOINT_URL": endpoint}
        completed = runner("--definition", str(path), "--synthetic", "5", env=env)
        assert completed.returncode == 2
        assert one_line(completed.stderr).startswith(
            f"error: the local AWS at {endpoint}: {problem}"
        )


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ([], "one of the arguments --definition --campaign-id is required"),
        (["--definition", "x.json", "--synthetic", "many"], "--synthetic: invalid int value"),
        (["--definition", "x.json", "--synthetic", "0"], "--synthetic must be at least 1"),
        (["--campaign-id", "c", "--synthetic", "5"], "--campaign-id needs --application-id"),
        (["--definition", "x.json", "--endpoints", "nope.csv"], "--endpoints nope.csv: No such"),
    ],
)
def test_the_runners_bad_arguments_are_one_line_and_exit_2(local_aws, tmp_path, arguments, problem):
    if "x.json" in arguments:
        arguments = [
            str(write(tmp_path / "x.json", definition("arn"))) if a == "x.json" else a
            for a in arguments
        ]
    completed = runner(*arguments, env={"AWS_ENDPOINT_URL": local_aws.endpoint_url})
    assert completed.returncode == 2
    assert problem in one_line(completed.stderr)


# --- log-id: what the logs name a recipient by ------------------------------------------------

LOG_ID_KEY = "9b2f6c1e-7a4d-4e0b-8c3f-2d5e1a6b7c80-cli-log-id-key"
EMAIL_ID = "ana.silva@example.org"  # an application whose endpoint ids are email addresses


def test_log_id_prints_the_hash_the_function_logs_a_recipient_by(local_aws, tmp_path):
    """An operator looking for one recipient's lines: the function's key, read from its
    configuration, hashes the id to the value on the lines of a failed delivery of it."""
    from tests.test_local_aws import create_function

    event = json.loads(GUIDE_EVENT.read_text(encoding="utf-8"))
    event["Endpoints"] = {EMAIL_ID: event["Endpoints"][EP]}
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    with ProviderServer(lambda _request: Reply(400)) as provider:
        env = {
            "CHANNEL_ADAPTER": "http",
            "CHANNEL_HTTP_URL": f"{provider.url}/send",
            "CHANNEL_LOG_ID_KEY": LOG_ID_KEY,
        }
        delivered = cli("invoke", "--event", str(path), env=env)
    assert delivered.returncode == 1, delivered.stderr
    assert EMAIL_ID not in delivered.stderr
    (line,) = [
        line for line in json_lines(delivered.stderr) if line["message"] == "endpoint not delivered"
    ]
    create_function(
        local_aws,
        "log-id-channel",
        Environment={"Variables": {"CHANNEL_LOG_ID_KEY": LOG_ID_KEY, "OTHER": "x"}},
    )
    aws = {"AWS_ENDPOINT_URL": local_aws.endpoint_url}
    printed = cli("log-id", "--function-name", "log-id-channel", EMAIL_ID, env=aws)
    assert printed.returncode == 0, printed.stderr
    assert json_lines(printed.stdout) == [
        {
            "endpoint_id": EMAIL_ID,
            "log_field": "endpoint_id_hash",
            "log_value": line["endpoint_id_hash"],
        }
    ]
    # The same from the environment, and from stdin (ids kept out of the shell's history).
    here = cli("log-id", EMAIL_ID, "+15550100", env={"CHANNEL_LOG_ID_KEY": LOG_ID_KEY})
    hashes = [entry["log_value"] for entry in json_lines(here.stdout)]
    assert hashes[0] == line["endpoint_id_hash"]
    assert len(hashes) == 2
    assert hashes[1] != hashes[0]
    piped = subprocess.run(
        [sys.executable, "-m", "custom_channel.operator", "log-id"],
        input=f"{EMAIL_ID}\n+15550100\n",
        cwd=ROOT / "tests",
        env={**BASE_ENV, "CHANNEL_LOG_ID_KEY": LOG_ID_KEY},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert json_lines(piped.stdout) == json_lines(here.stdout)
    other = cli("log-id", EMAIL_ID, env={"CHANNEL_LOG_ID_KEY": "x" * 40})
    assert json_lines(other.stdout)[0]["log_value"] != line["endpoint_id_hash"]


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({}, "no CHANNEL_LOG_ID_KEY in the environment"),
        ({"CHANNEL_LOG_ID_KEY": "short-key"}, "configuration error: CHANNEL_LOG_ID_KEY: "),
        ({"CHANNEL_LOG_ENDPOINT_IDS": "hashd"}, "configuration error: CHANNEL_LOG_ENDPOINT_IDS: "),
    ],
)
def test_log_id_without_a_usable_key_is_one_line_and_exit_2(env, problem):
    completed = cli("log-id", EMAIL_ID, env=env)
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert one_line(completed.stderr).startswith(problem)
    assert "short-key" not in completed.stderr  # a key is never printed


def test_log_id_in_clear_mode_names_the_id_itself():
    completed = cli("log-id", EMAIL_ID, env={"CHANNEL_LOG_ENDPOINT_IDS": "clear"})
    assert completed.returncode == 0, completed.stderr
    assert json_lines(completed.stdout) == [
        {"endpoint_id": EMAIL_ID, "log_field": "endpoint_id", "log_value": EMAIL_ID}
    ]


# --- --help and docs/cli.md -------------------------------------------------------------------

CLI_DOC = ROOT / "docs" / "cli.md"
MODULE = ["-m", "custom_channel.operator"]
HELPS = {
    "custom-channel": [*MODULE, "--help"],
    "invoke": [*MODULE, "invoke", "--help"],
    "resend": [*MODULE, "resend", "--help"],
    "log-id": [*MODULE, "log-id", "--help"],
    "local_aws": [str(ROOT / "emulator" / "local_aws.py"), "--help"],
    "run_campaign": [str(ROOT / "emulator" / "run_campaign.py"), "--help"],
    "run_campaign --connect": [str(ROOT / "emulator" / "run_campaign.py"), "--connect", "--help"],
    "function_host": [str(ROOT / "emulator" / "function_host.py"), "--help"],
    "demo": [str(ROOT / "demo" / "demo.py"), "--help"],
    "bench": [str(ROOT / "demo" / "bench.py"), "--help"],
}
# The tools whose every option docs/cli.md must name (demo's and bench's are summarised).
DOCUMENTED = ("invoke", "resend", "log-id", "local_aws", "run_campaign")


@pytest.fixture(scope="module")
def helps() -> dict[str, str]:
    out = {}
    for name, arguments in HELPS.items():
        completed = subprocess.run(
            [sys.executable, *arguments],
            cwd=ROOT / "tests",
            env=BASE_ENV,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, (name, completed.stderr)
        out[name] = completed.stdout
    return out


@pytest.mark.parametrize("name", list(HELPS))
def test_every_tool_has_a_help_that_says_what_it_does(helps, name):
    text = helps[name]
    assert text.startswith("usage: ")
    # A description paragraph between the usage and the options, of a sentence at least.
    description = text.split("\n\n")[1]
    assert len(description.split()) >= 8, text


def test_the_exit_codes_are_one_table_and_every_option_is_documented(helps):
    doc = CLI_DOC.read_text(encoding="utf-8")
    assert doc.count("## Exit codes") == 1
    assert doc.count("| Code | Meaning |") == 1
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in doc
    for name in DOCUMENTED:
        options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", helps[name])) - {"--help"}
        assert options, name
        missing = sorted(option for option in options if f"`{option}" not in doc)
        assert missing == [], (name, missing)
    connect_options = set(
        re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", helps["run_campaign --connect"])
    )
    assert sorted(o for o in connect_options - {"--help"} if f"`{o}" not in doc) == []


# --- resend --function-name: the function's configuration is not the operator's code ----------


def test_resend_from_a_function_never_imports_the_module_its_configuration_names(
    local_aws, tmp_path
):
    """Someone allowed only lambda:UpdateFunctionConfiguration could name any module in
    CHANNEL_ADAPTER_MODULE, and `python -m` puts the current directory on sys.path: the landed
    code imported it on the operator's machine."""
    from tests.test_local_aws import create_function

    marker = tmp_path / "imported"
    (tmp_path / "planted.py").write_text(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
    )
    queue = local_aws.client("sqs").create_queue(QueueName="planted-failures")["QueueUrl"]
    create_function(
        local_aws,
        "planted-channel",
        Environment={
            "Variables": {
                "CHANNEL_ADAPTER": "planted",
                "CHANNEL_ADAPTER_MODULE": "planted",
                "CHANNEL_FAILURE_QUEUE_URL": queue,
                "CHANNEL_SECRET_ID": "planted/secret",
            }
        },
    )
    env = {"AWS_ENDPOINT_URL": local_aws.endpoint_url}
    refused = cli("resend", "--function-name", "planted-channel", env=env, cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    assert "CHANNEL_ADAPTER_MODULE" in one_line(refused.stderr)
    assert "--adapter-module planted" in refused.stderr
    assert not marker.exists()
    # The operator who names it on the command line takes it; what is used is shown first.
    accepted = cli(
        "resend",
        "--function-name",
        "planted-channel",
        "--adapter-module",
        "planted",
        env=env,
        cwd=tmp_path,
    )
    assert marker.exists()
    assert "planted/secret" in accepted.stderr.splitlines()[0]
