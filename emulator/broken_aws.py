"""Broken AWS endpoints on 127.0.0.1, for the fault tests of the handler's AWS dependencies.

Point a service's endpoint at one with botocore's service-specific variable
(AWS_ENDPOINT_URL_DYNAMODB, _SQS, _CLOUDWATCH, _SECRETS_MANAGER, _SSM): moto's in-process
`mock_aws` does not intercept a request to 127.0.0.1, so the client really talks to it.

- `SilentServer`: accepts every connection, reads what the client sends and never answers,
  holding the connection until the client gives up (or the server stops): a hanging endpoint.
- `failing_server()`: a ProviderServer that answers HTTP 500 InternalFailure to everything, as
  a broken endpoint does, in the JSON shape botocore parses.

Both record each request's operation (the X-Amz-Target header every JSON-protocol service
sends: "DynamoDB_20120810.PutItem", "GraniteServiceVersion20100801.PutMetricData", ...) and
when it arrived (time.monotonic()), so a test can count the calls of each operation.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from types import TracebackType

from emulator.provider_server import ProviderServer, Received, Reply, header

TARGET = "X-Amz-Target"
_TARGET_LINE = re.compile(rb"^x-amz-target:[ \t]*([^\r\n]+)", re.IGNORECASE | re.MULTILINE)
INTERNAL_FAILURE = Reply(
    500,
    b'{"__type":"InternalFailure","message":"injected fault"}',
    {"Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": "InternalFailure"},
)


@dataclass(frozen=True)
class Call:
    """One AWS request as the broken endpoint saw it."""

    operation: str  # the X-Amz-Target value, "" when none arrived
    arrived_at: float


def operation(target: str) -> str:
    """'DynamoDB_20120810.PutItem' -> 'PutItem'."""
    return target.rsplit(".", 1)[-1]


class SilentServer:
    """Accepts, reads, never answers."""

    def __init__(self) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self._address: tuple[str, int] = self._listener.getsockname()[:2]
        self._lock = threading.Lock()
        self._connections: list[socket.socket] = []
        self._calls: list[Call] = []
        self.accepted = 0
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._address
        return f"http://{host}:{port}"

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def operations(self) -> Counter[str]:
        return Counter(operation(call.operation) for call in self.calls)

    def open_connections(self) -> int:
        """Connections the client has not closed yet."""
        with self._lock:
            return sum(connection.fileno() != -1 for connection in self._connections)

    def start(self) -> SilentServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                connection.close()
        self._thread.join(timeout=2)

    def __enter__(self) -> SilentServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _accept(self) -> None:
        self._listener.settimeout(0.05)
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._connections.append(connection)
                self.accepted += 1
            threading.Thread(target=self._read, args=(connection,), daemon=True).start()

    def _read(self, connection: socket.socket) -> None:
        """Read until the client hangs up, noting each request's operation; answer nothing."""
        arrived = time.monotonic()
        seen = b""
        noted = 0
        try:
            while not self._stopped.is_set():
                chunk = connection.recv(65536)
                if not chunk:
                    break
                seen = (seen + chunk)[-262144:]
                targets = _TARGET_LINE.findall(seen)
                with self._lock:
                    for target in targets[noted:]:
                        self._calls.append(Call(target.decode("latin-1").strip(), arrived))
                noted = len(targets)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                connection.close()


class FailingServer(ProviderServer):
    """Answers HTTP 500 InternalFailure to every request."""

    def __init__(self) -> None:
        super().__init__(lambda _request: INTERNAL_FAILURE)

    @property
    def calls(self) -> list[Call]:
        return [Call(_target(request), request.arrived_at) for request in list(self.requests)]

    def operations(self) -> Counter[str]:
        return Counter(operation(call.operation) for call in self.calls)


def _target(request: Received) -> str:
    return header(request, TARGET) or ""


def failing_server() -> FailingServer:
    return FailingServer()
