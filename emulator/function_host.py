"""Host a Lambda function's code in its own process, as a warm Lambda sandbox would.

    python emulator/function_host.py CODE_DIR HANDLER invoke TIMEOUT RESPONSE_FD
    python emulator/function_host.py CODE_DIR HANDLER serve TIMEOUT PORT

CODE_DIR is the unpacked deployment package (first on sys.path, like /var/task) and HANDLER
the function's handler setting (`custom_channel.lambda_function.lambda_handler`). The
environment is the function's. The handler's own logs go to stdout, as in Lambda.

- `invoke`: reads one event per line on stdin and writes one response per line to file
  descriptor RESPONSE_FD, each run with a context (SandboxContext) whose deadline is TIMEOUT
  seconds. The parent kills the process when an invocation runs past its timeout, as Lambda
  ends a sandbox.
- `serve`: an HTTP server on 127.0.0.1:PORT that turns each request into the payload-2.0
  event a Lambda function URL or API Gateway HTTP API delivers, and answers with the
  handler's HTTP response (the webhook receiver mode).
"""

from __future__ import annotations

import argparse
import base64
import importlib
import json
import os
import sys
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NoReturn
from urllib.parse import parse_qs, urlsplit

Handler = Callable[[Any, Any], Any]
MOTO_ACCOUNT = "123456789012"


class SandboxContext:
    """The context object Lambda passes the handler: the invocation's request id and the time
    left before the function's timeout. The platform provides it, so the package under test,
    which carries no operator tools, needs nothing of its own for it."""

    def __init__(self, timeout: float, function_name: str) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = function_name
        # moto's default account, where the local AWS deploys the function; the receiver answers
        # Pinpoint's HEAD check with the account of this ARN.
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
        arn = f"arn:aws:lambda:{region}:{MOTO_ACCOUNT}:function:{function_name}"
        self.invoked_function_arn = arn
        self._ends = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._ends - time.monotonic()) * 1000), 0)


def run(handler: Handler, event: Any, timeout: float) -> Any:
    return handler(event, SandboxContext(timeout, os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")))


def load_handler(code_dir: str, handler: str) -> Handler:
    sys.path.insert(0, code_dir)
    module_name, _, function_name = handler.rpartition(".")
    module = importlib.import_module(module_name)
    function: Handler = getattr(module, function_name)
    return function


def serve_invocations(handler: Handler, timeout: float, response_fd: int) -> None:
    with os.fdopen(response_fd, "w", encoding="utf-8") as responses:
        for line in sys.stdin:
            if not line.strip():
                continue
            response = run(handler, json.loads(line), timeout)
            responses.write(json.dumps({"response": response}) + "\n")
            responses.flush()


def http_event(method: str, target: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """The Lambda function URL / HTTP API payload format 2.0 for one request."""
    parts = urlsplit(target)
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": {name.lower(): value for name, value in headers.items()},
        # API Gateway's parsed query: a name given more than once has its values joined with
        # commas (API Gateway Developer Guide, "payload format version 2.0").
        **(
            {
                "queryStringParameters": {
                    name: ",".join(values)
                    for name, values in parse_qs(parts.query, keep_blank_values=True).items()
                }
            }
            if parts.query
            else {}
        ),
        "requestContext": {
            "accountId": "anonymous",
            "domainName": headers.get("Host", "127.0.0.1"),
            "http": {
                "method": method,
                "path": parts.path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("User-Agent", ""),
            },
            "requestId": f"local-{int(now * 1000)}",
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": base64.b64encode(body).decode("ascii") if body else "",
        "isBase64Encoded": bool(body),
    }


def serve_http(handler: Handler, port: int, timeout: float) -> None:
    class Request(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            event = http_event(self.command, self.path, dict(self.headers.items()), body)
            answer = run(handler, event, timeout)
            payload = str(answer.get("body") or "").encode("utf-8")
            self.send_response(int(answer.get("statusCode", 200)))
            for name, value in (answer.get("headers") or {}).items():
                self.send_header(name, str(value))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = do_DELETE = _serve

    server = ThreadingHTTPServer(("127.0.0.1", port), Request)
    server.daemon_threads = True
    print(json.dumps({"message": "function url listening", "port": server.server_address[1]}))
    sys.stdout.flush()
    server.serve_forever()


class _OneLineParser(argparse.ArgumentParser):
    """Bad input answered with one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    parser = _OneLineParser(
        prog="function_host.py",
        description="Host a Lambda function's unpacked code in this process, as a warm "
        "sandbox (the local campaign runner starts it; it is not meant to be run by hand). "
        "invoke: one event per line on stdin, one response per line to RESPONSE_FD; serve: "
        "an HTTP server on 127.0.0.1:PORT (0: a free one) that delivers each request as "
        "API Gateway's payload-2.0 event.",
    )
    parser.add_argument("code_dir", metavar="CODE_DIR", help="the unpacked deployment package")
    parser.add_argument(
        "handler", metavar="HANDLER", help="the function's handler (module.function)"
    )
    parser.add_argument("mode", choices=("invoke", "serve"), help="invoke or serve")
    parser.add_argument("timeout", type=float, metavar="TIMEOUT", help="seconds per invocation")
    parser.add_argument(
        "number",
        type=int,
        metavar="RESPONSE_FD|PORT",
        help="invoke: a file descriptor; serve: a port",
    )
    args = parser.parse_args(argv)
    try:
        handler = load_handler(args.code_dir, args.handler)
    except (ImportError, AttributeError, ValueError) as error:
        print(f"cannot load handler {args.handler} from {args.code_dir}: {error}", file=sys.stderr)
        return 2
    if args.mode == "invoke":
        serve_invocations(handler, args.timeout, args.number)
    else:
        serve_http(handler, args.number, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
