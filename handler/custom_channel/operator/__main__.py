"""Command line, configured from the environment (the same CHANNEL_* variables as in Lambda).

    custom-channel invoke --event FILE [--timeout S] [--output FILE]
    custom-channel resend [--function-name NAME] [--queue-url URL] [--max-messages N]
        [--delete-failed] [--include-unknown | --delete-unknown] [--max-age-hours H]
        [--accept-unsigned] [--no-check-endpoints] [--send-connect-unchecked]
    custom-channel log-id [--function-name NAME] [ID ...]

(`python -m custom_channel.operator` is the same command.) `invoke` runs the handler once on
an event file and prints the response JSON, alone, on stdout (`| jq` works): the handler's logs and
EMF lines, which in Lambda are stdout, go to stderr here. Metrics are `off` unless
CHANNEL_METRICS_MODE is set: a local run with real credentials must not publish to CloudWatch
by surprise. `resend` delivers again what the failure queue holds (resend.py) and prints a
JSON summary. With --function-name it reads the deployed function's configuration and takes
only its CHANNEL_* variables, so nothing else in the function's environment reaches the
operator's machine. `log-id` prints what the logs name an endpoint (or Connect profile) id
by: its keyed hash under the function's CHANNEL_LOG_ID_KEY (logs.py), so that an operator can
find the lines of one recipient; the ids are read from the arguments, or one a line from stdin
(out of the shell's history). (A Connect instance's custom action Lambda is registered by the
module itself, `connect.register`, or by the AWS CLI commands it outputs: docs/connect.md.)

Exit codes (docs/cli.md): 0 done; 1 the command ran and something failed (an endpoint failed
or unknown, a message failed again or its consent check failed, AWS unreachable, throttling
or failing); 2 nothing was
done: bad arguments, configuration or input, or AWS refused the request as it stands (no such
resource, access denied, no credentials). Every error is one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from ..aws import AwsClients
from ..config import ConfigError, load_settings, log_endpoint_ids, log_id_key
from ..failures import FailureQueue
from ..logs import endpoint_id_hash, error_code
from .local import DEFAULT_TIMEOUT_SECONDS
from .resend import DEFAULT_MAX_AGE_HOURS

USAGE_ERROR = 2  # nothing was done: fix the command, its input, configuration or access
RUN_FAILED = 1  # the command ran and something in it failed
NOT_DONE = ("failed", "unknown")  # an invocation's statuses that make `invoke` exit 1
# AWS answers that running the same command again may get past (botocore's retry
# conditions: throttling, HTTP 5xx); any other AWS refusal needs the command changed.
MESSAGE_CHARS = 200  # of an AWS error message, in the one line
_THROTTLING = ("Throttl", "TooManyRequests", "RequestLimitExceeded", "SlowDown")


class _Parser(argparse.ArgumentParser):
    """Bad arguments answered with one line on stderr (and --help for the rest), exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def _prog() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python -m custom_channel.operator" if name in ("", "__main__.py", "-c") else name


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=_prog(),
        description="The Pinpoint / Connect custom channel's handler, run from a shell: "
        "invoke it on an event, resend the failure queue. "
        "Configured from CHANNEL_* environment variables, as in Lambda.",
        epilog="Exit codes: 0 done, 1 the command ran and something failed, 2 nothing was "
        "done (bad arguments, configuration, input, or AWS refused the request). "
        "docs/cli.md has the details.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser(
        "invoke",
        help="invoke the handler once with an event file",
        description="Run the handler once on an event file, configured from CHANNEL_* "
        "variables, and print the response JSON alone on stdout (logs and EMF lines go to "
        "stderr). CHANNEL_METRICS_MODE defaults to off here. Exit 1 when an endpoint "
        "failed or its outcome is unknown, 2 on a bad event or configuration.",
    )
    run.add_argument("--event", required=True, type=Path, help="JSON file with the event")
    run.add_argument("--output", type=Path, help="write the response here instead of stdout")
    again = commands.add_parser(
        "resend",
        help="deliver again what the failure queue holds",
        description="Deliver again the failure queue's messages through the same adapter "
        "and settings as the function, and print a JSON summary. Each recipient's consent "
        "now is checked first; what cannot be checked is kept (consent_unchecked). Exit 1 "
        "when some messages were sent again and failed again, or a consent check failed "
        "(messages kept as unknown, unverified, too old or Connect's unchecked do not "
        "change it).",
    )
    again.add_argument("--queue-url", help="the failure queue (default: CHANNEL_FAILURE_QUEUE_URL)")
    again.add_argument(
        "--max-messages", type=int, default=0, help="stop after this many (default: all)"
    )
    again.add_argument(
        "--visibility-timeout",
        type=int,
        default=300,
        help="seconds a message stays hidden while worked on, and before it shows again",
    )
    again.add_argument(
        "--function-name",
        help="read the CHANNEL_* settings of this deployed function (GetFunctionConfiguration)",
    )
    again.add_argument(
        "--adapter-module",
        metavar="MODULE",
        help="with --function-name: accept the CHANNEL_ADAPTER_MODULE the function names "
        "(its code runs on this machine; refused unless named here)",
    )
    again.add_argument(
        "--delete-failed",
        action="store_true",
        help="delete messages that fail again (kept by default)",
    )
    unknown = again.add_mutually_exclusive_group()
    unknown.add_argument(
        "--include-unknown",
        action="store_true",
        help="also send messages whose outcome was unknown (check with the provider first)",
    )
    unknown.add_argument(
        "--delete-unknown", action="store_true", help="delete messages whose outcome was unknown"
    )
    again.add_argument(
        "--max-age-hours",
        type=float,
        default=DEFAULT_MAX_AGE_HOURS,
        help="do not send messages queued longer ago than this (default 24)",
    )
    again.add_argument(
        "--accept-unsigned",
        action="store_true",
        help="send unsigned messages where no signature could be expected (0.1.x's, or a "
        "channel without a provider secret); a signing channel's unsigned ones never",
    )
    again.add_argument(
        "--no-check-endpoints",
        action="store_true",
        help="send Pinpoint messages without asking GetEndpoint for each endpoint's consent "
        "and address now (by default a message whose check fails is kept)",
    )
    again.add_argument(
        "--send-connect-unchecked",
        action="store_true",
        help="send Connect messages, whose profile's consent now resend cannot check (kept "
        "by default; the opt-out field as queued still applies)",
    )
    ids = commands.add_parser(
        "log-id",
        help="print the keyed hash the logs name an endpoint or profile id by",
        description="Print, one JSON line per id, the log field and value that name it in "
        "the function's logs: endpoint_id_hash, the HMAC-SHA256 of the id under "
        "CHANNEL_LOG_ID_KEY (the function's, with --function-name), or endpoint_id itself "
        "when CHANNEL_LOG_ENDPOINT_IDS=clear. Reads nothing else and sends nothing.",
    )
    ids.add_argument(
        "ids", nargs="*", metavar="ID", help="endpoint or profile ids (default: stdin, one a line)"
    )
    ids.add_argument(
        "--function-name",
        help="take the key of this deployed function (GetFunctionConfiguration)",
    )
    for command in (run, again):
        command.add_argument(
            "--timeout",
            type=float,
            default=DEFAULT_TIMEOUT_SECONDS,
            help="function timeout in seconds per invocation (default 15)",
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit code (the console script's `custom-channel`)."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "resend":
            return _resend(args)
        if args.command == "log-id":
            return _log_id(args)
        return _invoke(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130  # 128 + SIGINT, as shells report it


def _invoke(args: argparse.Namespace) -> int:
    from ..channel import Channel, DeliveryIncomplete
    from ..events import InvalidEvent
    from .local import invoke

    if not args.timeout > 0:
        return _fail("--timeout must be more than 0")
    output: Path | None = args.output
    # Checked before the invocation: a response that cannot be written must not follow
    # messages already sent.
    if output is not None and output.is_dir():
        return _fail(f"--output {output}: is a directory")
    if output is not None and not output.parent.is_dir():
        return _fail(f"--output {output}: no such directory {output.parent}")
    try:
        event = json.loads(args.event.read_text(encoding="utf-8"))
    except OSError as error:
        return _fail(f"cannot read event {args.event}: {error.strerror or error}")
    except ValueError as error:
        return _fail(f"cannot read event {args.event}: not JSON: {error}")
    environ = dict(os.environ)
    # Local runs publish no metrics unless asked: the Lambda default (api) would call
    # CloudWatch's PutMetricData with whatever credentials this shell holds.
    environ.setdefault("CHANNEL_METRICS_MODE", "off")
    try:
        settings = load_settings(environ)
    except ConfigError as error:
        return _fail(f"configuration error: {error}")
    # In Lambda stdout is the log stream (EMF needs it there); here it is the response
    # alone. logs.py and metrics.py write to whatever sys.stdout is when they write, so for
    # the invocation it is stderr, worker threads included.
    stdout = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        channel = Channel(settings)
        try:
            try:
                channel.source_of(event).parse(event)
            except InvalidEvent as error:
                return _fail(f"invalid event {args.event}: {error}")
            try:
                response: dict[str, Any] = invoke(
                    event, channel=channel, timeout_seconds=args.timeout
                ).response
            except DeliveryIncomplete as incomplete:  # CHANNEL_FAILURE_POLICY=retry
                response = incomplete.response
            statuses = [
                answer.get("status")
                for answer in channel.source_of(event).answers_of(response).values()
            ]
        finally:
            channel.close()
    text = json.dumps(response, indent=2)
    if output is not None:
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            stdout.write(text + "\n")  # the answer is not lost
            return _fail(f"cannot write --output {output}: {error.strerror}", RUN_FAILED)
    else:
        stdout.write(text + "\n")
        stdout.flush()
    return RUN_FAILED if any(status in NOT_DONE for status in statuses) else 0


def _fail(message: str, code: int = USAGE_ERROR) -> int:
    print(message, file=sys.stderr)
    return code


def aws_exit_code(error: BaseException) -> int:
    """1 when running the same command again may get past the error (AWS unreachable,
    throttling, HTTP 5xx); 2 when AWS refused the request as it stands (no such resource,
    access denied, a bad parameter) or it could not be made (no credentials, no region, a
    TLS certificate not trusted)."""
    from botocore.exceptions import (
        ClientError,
        ConnectionError,
        HTTPClientError,
        SSLError,
    )

    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if status >= 500 or status == 429 or any(part in code for part in _THROTTLING):
            return RUN_FAILED
        return USAGE_ERROR
    if isinstance(error, SSLError):
        return USAGE_ERROR
    if isinstance(error, ConnectionError | HTTPClientError):  # refused, timed out, reset
        return RUN_FAILED
    return USAGE_ERROR


def _resend(args: argparse.Namespace) -> int:
    from .resend import ResendOptions, resend

    operator = AwsClients(operator=True)
    environ = dict(os.environ)
    if args.function_name:
        try:
            environ = _function_settings(operator, args.function_name)
        except Exception as error:  # no such function, no permission: one line
            return _aws_failure(f"cannot read function {args.function_name}", error)
        # Whoever may update the function's configuration chooses these: the module is code
        # that would run here (the current directory is on sys.path), the secret and the
        # URLs are read and reached with the operator's credentials.
        module = environ.get("CHANNEL_ADAPTER_MODULE", "").strip()
        if module and module != args.adapter_module:
            return _fail(
                f"the function's CHANNEL_ADAPTER_MODULE names {module!r}, code that would run "
                f"on this machine: check it, then pass --adapter-module {module}"
            )
        print(_taken(args.function_name, environ), file=sys.stderr)
    if args.queue_url:
        environ["CHANNEL_FAILURE_QUEUE_URL"] = args.queue_url
    try:
        settings = load_settings(environ)
    except ConfigError as error:
        return _fail(f"configuration error: {error}")
    if settings.failure_queue_url is None:
        return _fail("no queue: pass --queue-url or set CHANNEL_FAILURE_QUEUE_URL")
    if args.max_messages < 0 or not 0 <= args.visibility_timeout <= 43200:
        return _fail("--max-messages must be >= 0, --visibility-timeout 0..43200")
    if not args.max_age_hours > 0:
        return _fail("--max-age-hours must be more than 0")
    if not args.timeout > 0:
        return _fail("--timeout must be more than 0")
    options = ResendOptions(
        max_messages=args.max_messages,
        visibility_timeout=args.visibility_timeout,
        delete_failed=args.delete_failed,
        include_unknown=args.include_unknown,
        delete_unknown=args.delete_unknown,
        accept_unsigned=args.accept_unsigned,
        max_age_hours=args.max_age_hours,
        check_endpoints=not args.no_check_endpoints,
        send_connect_unchecked=args.send_connect_unchecked,
        timeout_seconds=args.timeout,
    )
    stdout = sys.stdout
    # The summary alone on stdout; the logs of the pass (and its invocations) on stderr.
    with contextlib.redirect_stdout(sys.stderr):
        try:
            report = resend(
                settings,
                FailureQueue(settings.failure_queue_url, clients=operator),
                options,
                operator=operator,
            )
        except Exception as error:  # SQS unreachable, no permission: one line, no stack trace
            # What was deleted stays deleted; the rest shows again after the visibility timeout.
            return _aws_failure("resend stopped", error, with_message=False)
    stdout.write(json.dumps(report.as_dict()) + "\n")
    # A failed consent check (throttled, failing, denied) kept its messages: run it again.
    return RUN_FAILED if report.failed_again or report.check_errors else 0


def _log_id(args: argparse.Namespace) -> int:
    """What the logs name each id by: the same key and mode as the function's."""
    environ = dict(os.environ)
    if args.function_name:
        try:
            environ = _function_settings(AwsClients(operator=True), args.function_name)
        except Exception as error:  # no such function, no permission: one line
            return _aws_failure(f"cannot read function {args.function_name}", error)
    try:
        mode, key = log_endpoint_ids(environ), log_id_key(environ)
    except ConfigError as error:
        return _fail(f"configuration error: {error}")
    if mode == "hashed" and key is None:
        where = f"function {args.function_name}" if args.function_name else "the environment"
        return _fail(
            f"no CHANNEL_LOG_ID_KEY in {where}: a function without one hashes with a key of "
            "each container, which nothing can reproduce (docs/security.md)"
        )
    ids = args.ids or [line.strip() for line in sys.stdin if line.strip()]
    if not ids:
        return _fail("no ids: pass them as arguments or one a line on stdin")
    for endpoint_id in ids:
        if mode == "clear":
            field, value = "endpoint_id", endpoint_id
        else:
            assert key is not None
            field, value = "endpoint_id_hash", endpoint_id_hash(endpoint_id, key)
        print(json.dumps({"endpoint_id": endpoint_id, "log_field": field, "log_value": value}))
    return 0


def _aws_failure(what: str, error: BaseException, *, with_message: bool = True) -> int:
    """One line: what stopped, botocore's error code, AWS's message (`with_message`: not for
    resend, whose requests carry queued messages an error could quote) or the endpoint that
    could not be reached; the exit code by aws_exit_code."""
    detail = error_code(error)
    response = getattr(error, "response", None)
    if with_message and isinstance(response, dict) and response.get("Error", {}).get("Message"):
        message = " ".join(str(response["Error"]["Message"]).split())
        detail += f": {message[:MESSAGE_CHARS]}{'...' if len(message) > MESSAGE_CHARS else ''}"
    endpoint = getattr(error, "kwargs", {}).get("endpoint_url")
    if endpoint:
        detail += f" ({endpoint})"
    return _fail(f"{what}: {' '.join(detail.split())}", aws_exit_code(error))


# What a function's configuration points resend at: shown before anything is read or sent.
_TAKEN = (
    "CHANNEL_ADAPTER",
    "CHANNEL_ADAPTER_MODULE",
    "CHANNEL_SECRET_ID",
    "CHANNEL_SECRET_PARAMETER",
    "CHANNEL_FAILURE_QUEUE_URL",
    "CHANNEL_HTTP_URL",
    "CHANNEL_TWILIO_API_BASE",
    "CHANNEL_SLACK_API_BASE",
    "CHANNEL_IDEMPOTENCY_TABLE",
)


def _taken(function_name: str, environ: dict[str, str]) -> str:
    taken = ", ".join(f"{name}={environ[name]}" for name in _TAKEN if environ.get(name))
    return f"settings of function {function_name}: {taken or 'none'}"


def _function_settings(operator: AwsClients, function_name: str) -> dict[str, str]:
    """The deployed function's CHANNEL_* variables, and nothing else of its environment."""
    configuration = operator.client("lambda").get_function_configuration(FunctionName=function_name)
    variables = configuration.get("Environment", {}).get("Variables", {})
    return {name: str(value) for name, value in variables.items() if name.startswith("CHANNEL_")}


if __name__ == "__main__":
    sys.exit(main())
