"""Command line: `python -m custom_channel invoke --event FILE [--timeout S]`.

Runs the packaged entry point once, configured from the environment (the same CHANNEL_*
variables as in Lambda), and prints the response JSON. Logs go to stdout as in Lambda;
use --output to write the response to a file instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .local import DEFAULT_TIMEOUT_SECONDS, invoke


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m custom_channel")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("invoke", help="invoke the handler with an event file")
    run.add_argument("--event", required=True, type=Path, help="JSON file with the event")
    run.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="function timeout in seconds (default 15)",
    )
    run.add_argument("--output", type=Path, help="write the response here instead of stdout")
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
