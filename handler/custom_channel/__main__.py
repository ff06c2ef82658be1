"""Command line, configured from the environment (the same CHANNEL_* variables as in Lambda).

    python -m custom_channel invoke --event FILE [--timeout S] [--output FILE]
    python -m custom_channel resend [--function-name NAME] [--queue-url URL] [--max-messages N]
        [--delete-failed] [--include-unknown | --delete-unknown] [--max-age-hours H]
        [--accept-unsigned] [--no-check-endpoints]
    python -m custom_channel connect-register --instance-id ID --function-arn ARN
    python -m custom_channel connect-unregister --instance-id ID --function-arn ARN

`invoke` runs the packaged entry point once and prints the response JSON. `resend` delivers
again what the failure queue holds (resend.py) and prints a JSON summary; it exits 1 when
some messages were sent again and failed again (unknown, unverified or too old messages that
stay queued do not change the exit code). With --function-name it reads the deployed
function's configuration and takes only its CHANNEL_* variables, so nothing else in the
function's environment reaches the operator's machine. `connect-register` registers the
function with an Amazon Connect instance for outbound campaigns' custom actions
(connect_integration.py); `connect-unregister` removes it. Logs go to stdout as JSON lines.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .aws import AwsClients
from .config import ConfigError, load_settings
from .failures import FailureQueue
from .local import DEFAULT_TIMEOUT_SECONDS, invoke
from .logs import error_code
from .resend import DEFAULT_MAX_AGE_HOURS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m custom_channel")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("invoke", help="invoke the handler with an event file")
    run.add_argument("--event", required=True, type=Path, help="JSON file with the event")
    run.add_argument("--output", type=Path, help="write the response here instead of stdout")
    again = commands.add_parser("resend", help="deliver again what the failure queue holds")
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
        help="send unsigned messages (queued by a channel without a provider secret, or 0.1.x)",
    )
    again.add_argument(
        "--no-check-endpoints",
        action="store_true",
        help="do not ask Pinpoint's GetEndpoint for each endpoint's current opt-out state",
    )
    for name, summary in (
        ("connect-register", "register the function with a Connect instance (custom actions)"),
        ("connect-unregister", "remove the function's Connect instance integration"),
    ):
        command = commands.add_parser(name, help=summary)
        command.add_argument("--instance-id", required=True, help="the Connect instance id")
        command.add_argument("--function-arn", required=True, help="the function's ARN")
    for command in (run, again):
        command.add_argument(
            "--timeout",
            type=float,
            default=DEFAULT_TIMEOUT_SECONDS,
            help="function timeout in seconds per invocation (default 15)",
        )
    args = parser.parse_args(argv)
    if args.command == "resend":
        return _resend(args)
    if args.command in ("connect-register", "connect-unregister"):
        return _connect_integration(args)
    try:
        event = json.loads(args.event.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"cannot read event {args.event}: {error}", file=sys.stderr)
        return 2
    result = invoke(event, timeout_seconds=args.timeout)
    text = json.dumps(result.response, indent=2)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


def _resend(args: argparse.Namespace) -> int:
    from .resend import ResendOptions, resend

    operator = AwsClients(operator=True)
    environ = dict(os.environ)
    if args.function_name:
        try:
            environ = _function_settings(operator, args.function_name)
        except Exception as error:  # no such function, no permission: one line
            print(
                f"cannot read function {args.function_name}: {error_code(error)}",
                file=sys.stderr,
            )
            return 2
    if args.queue_url:
        environ["CHANNEL_FAILURE_QUEUE_URL"] = args.queue_url
    try:
        settings = load_settings(environ)
    except ConfigError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    if settings.failure_queue_url is None:
        print("no queue: pass --queue-url or set CHANNEL_FAILURE_QUEUE_URL", file=sys.stderr)
        return 2
    if args.max_messages < 0 or not 0 <= args.visibility_timeout <= 43200:
        print("--max-messages must be >= 0, --visibility-timeout 0..43200", file=sys.stderr)
        return 2
    if not args.max_age_hours > 0:
        print("--max-age-hours must be more than 0", file=sys.stderr)
        return 2
    options = ResendOptions(
        max_messages=args.max_messages,
        visibility_timeout=args.visibility_timeout,
        delete_failed=args.delete_failed,
        include_unknown=args.include_unknown,
        delete_unknown=args.delete_unknown,
        accept_unsigned=args.accept_unsigned,
        max_age_hours=args.max_age_hours,
        check_endpoints=not args.no_check_endpoints,
        timeout_seconds=args.timeout,
    )
    try:
        report = resend(
            settings,
            FailureQueue(settings.failure_queue_url, clients=operator),
            options,
            operator=operator,
        )
    except Exception as error:  # SQS unreachable, no permission: one line, no stack trace
        print(f"resend stopped: {error_code(error)}: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict()))
    return 1 if report.failed_again else 0


def _connect_integration(args: argparse.Namespace) -> int:
    from .connect_integration import IntegrationError, register, unregister

    action = register if args.command == "connect-register" else unregister
    try:
        client = AwsClients(operator=True).client("connectcampaignsv2")
        print(json.dumps(action(client, args.instance_id, args.function_arn)))
    except IntegrationError as error:
        print(str(error), file=sys.stderr)
        return 2
    except Exception as error:  # no permission, no such instance: one line
        print(f"{args.command} failed: {error_code(error)}", file=sys.stderr)
        return 2
    return 0


def _function_settings(operator: AwsClients, function_name: str) -> dict[str, str]:
    """The deployed function's CHANNEL_* variables, and nothing else of its environment."""
    configuration = operator.client("lambda").get_function_configuration(FunctionName=function_name)
    variables = configuration.get("Environment", {}).get("Variables", {})
    return {name: str(value) for name, value in variables.items() if name.startswith("CHANNEL_")}


if __name__ == "__main__":
    sys.exit(main())
