"""Command line, configured from the environment (the same CHANNEL_* variables as in Lambda).

    python -m custom_channel invoke --event FILE [--timeout S] [--output FILE]
    python -m custom_channel resend [--queue-url URL] [--max-messages N] [--delete-failed]

`invoke` runs the packaged entry point once and prints the response JSON. `resend` delivers
again what the failure queue holds (resend.py) and prints a JSON summary; it exits 1 when
some messages stay in the queue. Logs go to stdout as JSON lines, as in Lambda.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .config import ConfigError, load_settings
from .failures import FailureQueue
from .local import DEFAULT_TIMEOUT_SECONDS, invoke
from .logs import error_code


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
        "--delete-failed",
        action="store_true",
        help="delete messages that fail again (kept by default; unknown ones are always kept)",
    )
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
    from .resend import resend

    environ = dict(os.environ)
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
    try:
        report = resend(
            settings,
            FailureQueue(settings.failure_queue_url),
            max_messages=args.max_messages,
            visibility_timeout=args.visibility_timeout,
            delete_failed=args.delete_failed,
            timeout_seconds=args.timeout,
        )
    except Exception as error:  # SQS unreachable, no permission: one line, no stack trace
        print(f"resend stopped: {error_code(error)}: {error}", file=sys.stderr)
        return 2
    print(json.dumps(report.as_dict()))
    return 0 if report.kept == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
