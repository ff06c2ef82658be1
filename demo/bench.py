"""`make bench`: the handler's speed, CPU and size, measured here, printed as numbers.

The stand-in providers run in processes of their own (emulator/provider_server.py's
ProviderProcess, TCP_NODELAY, one write per answer): time.process_time() counts every thread
of this process, so a server in it would be timed with the handler and share its GIL.

1. One 50-endpoint batch through the `http` adapter against a provider that takes 100 ms per
   request: the handler's wall time, a sequential loop in the style of the guide's sample
   (one request after another) in the same run, and the ratio. Targets: <= 0.2 s, >= 25x.
2. Delivery CPU (what Lambda bills, since CPU is a share of a vCPU): a warm container's CPU
   for one 50-endpoint batch, provider answering at once, beside the same 50 requests sent
   one after another over one keep-alive connection through `requests`' prepared
   Session.send, urllib3 and raw http.client, in the same run. `http` (personalised JSON
   body) with 50 workers and with 1; `twilio` and `slack` (their answers parsed in the
   floors as the adapters parse them); `http` with the idempotency table on (DynamoDB in
   a local AWS, moto in another process). Targets: handler / requests <= 1.5x at 50
   workers, <= 1.25x at 1 worker.
3. Projected billed duration and price per batch and per million messages at 128, 256, 512
   and 1,769 MB, from section 2's CPU (the model is printed with it).
4. Handler CPU per 50-endpoint batch, adapter `none`, metrics `off`. Target: <= 2 ms.
   Printed with a baseline from the same process (the runtime's JSON work on that batch).
5. Cold start: import of the entry module beyond `import boto3`, in fresh interpreters, and
   the first invocation's extra CPU over a warm one (clients, pools, threads); the
   package's size. Targets: <= 150 ms and <= 1 MB.
6. The local campaign runner in-process on 100,000 endpoints (adapter `none`, metrics
   `off`). Target: >= 20,000 endpoints/s. Printed with a same-process baseline too.

`--only` runs some sections; `--handler DIR` measures another copy of the handler package
(an older tree, for before/after figures) with this script. Nothing here asserts: the
numbers are printed with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent


def _handler_dir(argv: list[str]) -> Path:
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--handler", type=Path, default=ROOT / "handler")
    known, _ = early.parse_known_args(argv)
    return Path(known.handler).resolve()


HANDLER_DIR = _handler_dir(sys.argv[1:])
for path in (str(ROOT), str(HANDLER_DIR)):
    if path not in sys.path:
        sys.path.insert(0, path)

import requests  # noqa: E402
import urllib3  # noqa: E402

from custom_channel.channel import Channel  # noqa: E402
from custom_channel.config import load_settings  # noqa: E402
from custom_channel.operator.local import invoke  # noqa: E402
from emulator.campaign import Campaign  # noqa: E402
from emulator.provider_server import ProviderProcess, Reply  # noqa: E402
from emulator.run_campaign import FunctionSpec, InProcessDeliverer, run  # noqa: E402
from emulator.segments import campaign_event, synthetic_endpoints  # noqa: E402
from tools.build_package import ZIP_PATH  # noqa: E402

QUIET = {"CHANNEL_METRICS_MODE": "off", "CHANNEL_LOG_LEVEL": "ERROR"}
BATCH = 50
VCPU_MB = 1769  # "At 1,769 MB, a function has the equivalent of one vCPU" (Lambda guide)
MEMORY_SIZES = (128, 256, 512, 1769)
# AWS Lambda pricing, US East (N. Virginia), first tier (https://aws.amazon.com/lambda/pricing/):
# duration per GB-second by architecture, and requests at $0.20 per million.
PRICE_PER_GB_SECOND = {"arm64": 0.0000133334, "x86_64": 0.0000166667}
PRICE_PER_REQUEST = 0.20 / 1_000_000


def active_batch(count: int = 50) -> dict[str, dict[str, object]]:
    endpoints = synthetic_endpoints(count * 2, seed=5)
    return {
        key: {**body, "OptOut": "NONE", "EndpointStatus": "ACTIVE"}
        for key, body in list(endpoints.items())[:count]
    }


def bench_parallel_http(latency: float = 0.1, rounds: int = 5) -> None:
    endpoints = active_batch()
    event = campaign_event(endpoints, "Hello {{Attributes.FirstName}}")
    with ProviderProcess(Reply(202, delay=latency)) as server:
        url = f"{server.url}/send"
        channel = Channel(
            load_settings({"CHANNEL_ADAPTER": "http", "CHANNEL_HTTP_URL": url, **QUIET})
        )
        invoke(event, channel=channel)  # warm: pool connections, like a warm container
        ours = []
        for _ in range(rounds):
            result = invoke(event, channel=channel)
            ours.append(result.duration_ms / 1000)
        channel.close()
        # The guide's sample in spirit: one request per endpoint, one after another.
        with requests.Session() as session:
            started = time.perf_counter()
            for endpoint in endpoints.values():
                session.post(url, json={"to": endpoint["Address"]}, timeout=15).raise_for_status()
            sequential = time.perf_counter() - started
    best = min(ours)
    print("1. 50-endpoint batch, http adapter, 100 ms provider latency (provider in its process)")
    print(
        f"   handler: median {statistics.median(ours):.3f} s, best {best:.3f} s (target <= 0.2 s)"
    )
    print(f"   sequential loop: {sequential:.3f} s; ratio {sequential / best:.1f}x (target >= 25x)")


# --- 2. delivery CPU ----------------------------------------------------------------------

FIRST_NAMES = ("Mary", "José", "Aiko", "Oluwaseun", "Chloé", "Dmitri", "Priya", "Sean")
HTTP_BODY = '{"to":"{{Address}}","text":"{{Data}}","ref":"{{EndpointId}}"}'
DATA = "Hello {{Attributes.FirstName}}, your code is {{Attributes.Code}}"
TWILIO_SID = "AC0123456789abcdef0123456789abcdef"
TWILIO_TOKEN = "bench-auth-token"  # noqa: S105 - a local stand-in's credential
SLACK_TOKEN = "xoxb-1111-2222-benchTOKEN"  # noqa: S105 - a local stand-in's credential
TWILIO_ANSWER = json.dumps(
    {
        "account_sid": TWILIO_SID,
        "api_version": "2010-04-01",
        "body": "Hello",
        "date_created": "Thu, 24 Aug 2023 05:01:45 +0000",
        "direction": "outbound-api",
        "error_code": None,
        "from": "+15557122661",
        "num_segments": "1",
        "price": None,
        "sid": "SM1234567890abcdef1234567890abcdef",
        "status": "queued",
        "to": "+15558675310",
        "uri": f"/2010-04-01/Accounts/{TWILIO_SID}/Messages/SM1234567890abcdef.json",
    }
).encode()
SLACK_ANSWER = json.dumps(
    {
        "ok": True,
        "channel": "C0123ABCDE",
        "ts": "1503435956.000247",
        "message": {"text": "Hello", "type": "message", "user": "U0123ABCD", "bot_id": "B012"},
    }
).encode()


@dataclass(frozen=True)
class Wire:
    """One request as it leaves, for the floors: the same bytes the adapter sends."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class DeliveryCase:
    name: str
    env: dict[str, str]
    reply: Reply
    endpoints: dict[str, dict[str, Any]]
    wires: list[Wire]
    parse_answer: bool = False  # the adapter reads the answer's JSON (slack)
    needs_aws: bool = False
    results: dict[str, list[float]] = field(default_factory=dict)
    # Endpoints the handler answered, and of them those not delivered: a batch not wholly
    # delivered did other work than the floors' batch.
    sent: int = 0
    undelivered: int = 0


def _workers(count: int) -> str:
    return f"{count} worker{'s' if count > 1 else ''}"


def delivery_endpoints(kind: str) -> dict[str, dict[str, Any]]:
    endpoints = {}
    for index in range(BATCH):
        address = f"C0{index:04d}BENCH" if kind == "slack" else f"+1206555{index:04d}"
        endpoints[f"ep{index:03d}-{index * 7919:08x}"] = {
            "ChannelType": "CUSTOM" if kind == "slack" else "SMS",
            "Address": address,
            "EndpointStatus": "ACTIVE",
            "OptOut": "NONE",
            "Location": {"City": "Seattle", "Country": "USA"},
            "Demographic": {"Make": "OnePlus", "Platform": "android"},
            "EffectiveDate": "2020-04-01T01:05:17.267Z",
            "Attributes": {
                "FirstName": [FIRST_NAMES[index % len(FIRST_NAMES)]],
                "Code": [f"{index * 37 % 1000:03d}"],
            },
            "User": {"UserId": f"user-{index}"},
            "CreationDate": "2020-04-01T01:05:17.267Z",
        }
    return endpoints


def _text(endpoint: Mapping[str, Any]) -> str:
    attributes = endpoint["Attributes"]
    return f"Hello {attributes['FirstName'][0]}, your code is {attributes['Code'][0]}"


def http_case(workers: int, *, ledger: bool = False) -> DeliveryCase:
    endpoints = delivery_endpoints("http")
    wires = [
        Wire(
            "POST",
            "/send",
            {"Content-Type": "application/json; charset=utf-8"},
            json.dumps(
                {"to": body["Address"], "text": _text(body), "ref": key},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode(),
        )
        for key, body in endpoints.items()
    ]
    env = {
        "CHANNEL_ADAPTER": "http",
        "CHANNEL_HTTP_URL": "{url}/send",
        "CHANNEL_HTTP_BODY_TEMPLATE": HTTP_BODY,
        "CHANNEL_MAX_WORKERS": str(workers),
    }
    if ledger:
        env["CHANNEL_IDEMPOTENCY_TABLE"] = "bench-ledger"
    name = f"http, {_workers(workers)}"
    return DeliveryCase(
        name + (", idempotency table on" if ledger else ""),
        env,
        Reply(202, body=b'{"id":"msg-1","status":"accepted"}'),
        endpoints,
        wires,
        needs_aws=ledger,
    )


def twilio_case(workers: int) -> DeliveryCase:
    import base64

    endpoints = delivery_endpoints("twilio")
    auth = base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    headers = {
        "Authorization": f"Basic {auth}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    path = f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    wires = [
        Wire(
            "POST",
            path,
            headers,
            urlencode({"To": b["Address"], "Body": _text(b), "From": "+15557122661"}).encode(),
        )
        for b in endpoints.values()
    ]
    env = {
        "CHANNEL_ADAPTER": "twilio",
        "CHANNEL_TWILIO_API_BASE": "{url}",
        "CHANNEL_TWILIO_FROM": "+15557122661",
        "CHANNEL_SECRET_ID": "bench/twilio",
        "CHANNEL_MAX_WORKERS": str(workers),
    }
    reply = Reply(201, body=TWILIO_ANSWER)
    return DeliveryCase(
        f"twilio, {_workers(workers)}", env, reply, endpoints, wires, needs_aws=True
    )


def slack_case(workers: int) -> DeliveryCase:
    endpoints = delivery_endpoints("slack")
    headers = {
        "Authorization": f"Bearer {SLACK_TOKEN}",
        "Content-Type": "application/json; charset=utf-8",
    }
    wires = [
        Wire(
            "POST",
            "/chat.postMessage",
            headers,
            json.dumps({"text": _text(b), "channel": b["Address"]}, ensure_ascii=False).encode(),
        )
        for b in endpoints.values()
    ]
    env = {
        "CHANNEL_ADAPTER": "slack",
        "CHANNEL_SLACK_API_BASE": "{url}",
        "CHANNEL_SECRET_ID": "bench/slack",
        "CHANNEL_MAX_WORKERS": str(workers),
    }
    return DeliveryCase(
        f"slack, {_workers(workers)}",
        env,
        Reply(200, body=SLACK_ANSWER),
        endpoints,
        wires,
        parse_answer=True,
        needs_aws=True,
    )


class LocalAwsProcess:
    """emulator/local_aws.py (moto) in a process of its own: the secrets and the ledger's
    table, with no CPU of theirs counted in this one."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self.env: dict[str, str] = {}

    def __enter__(self) -> LocalAwsProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "emulator.local_aws"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        url = next((word for word in line.split() if word.startswith("http://")), None)
        if url is None:
            self.__exit__()
            raise RuntimeError(f"local AWS did not start: {line!r}")
        self.env = {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": url,
        }
        os.environ.update(self.env)
        import boto3

        secrets = boto3.client("secretsmanager")
        secrets.create_secret(
            Name="bench/twilio",
            SecretString=json.dumps({"account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN}),
        )
        secrets.create_secret(
            Name="bench/slack", SecretString=json.dumps({"bot_token": SLACK_TOKEN})
        )
        boto3.client("dynamodb").create_table(
            TableName="bench-ledger",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        return self

    def __exit__(self, *_exc: object) -> None:
        process, self._process = self._process, None
        for name in self.env:
            os.environ.pop(name, None)
        if process is not None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """The handler's log lines go where Lambda's would cost a write: to /dev/null here."""
    with open(os.devnull, "w") as sink, redirect_stdout(sink):
        yield


def _requests_floor(url: str, wires: list[Wire], parse: bool) -> Callable[[], None]:
    session = requests.Session()
    session.trust_env = False

    def send() -> None:
        for wire in wires:
            prepared = requests.Request(
                wire.method, url + wire.path, headers=wire.headers, data=wire.body
            ).prepare()
            response = session.send(prepared, timeout=15)
            body = response.content
            if response.status_code >= 300 or (parse and not json.loads(body)["ok"]):
                raise RuntimeError("the floor's request failed")

    return send


def _urllib3_floor(url: str, wires: list[Wire], parse: bool) -> Callable[[], None]:
    parts = urlsplit(url)
    pool = urllib3.HTTPConnectionPool(parts.hostname or "", parts.port, maxsize=1)

    def send() -> None:
        for wire in wires:
            response = pool.urlopen(
                wire.method, wire.path, body=wire.body, headers=wire.headers, retries=False
            )
            body = response.data
            if response.status >= 300 or (parse and not json.loads(body)["ok"]):
                raise RuntimeError("the floor's request failed")

    return send


def _http_client_floor(url: str, wires: list[Wire], parse: bool) -> Callable[[], None]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=15)

    def send() -> None:
        for wire in wires:
            connection.request(wire.method, wire.path, wire.body, wire.headers)
            response = connection.getresponse()
            body = response.read()
            if response.status >= 300 or (parse and not json.loads(body)["ok"]):
                raise RuntimeError("the floor's request failed")

    return send


FLOORS = {
    "requests": _requests_floor,
    "urllib3": _urllib3_floor,
    "http.client": _http_client_floor,
}


def measure_delivery(case: DeliveryCase, rounds: int, batches: int) -> DeliveryCase:
    """Rounds of `batches` warm invocations, each followed by the floors on the same
    requests, alternating so that the machine's drift hits them alike."""
    with ProviderProcess(case.reply) as server:
        env = {key: value.replace("{url}", server.url) for key, value in case.env.items()}
        channel = Channel(
            load_settings(
                {"CHANNEL_METRICS_MODE": "off", "CHANNEL_SECRET_TTL_SECONDS": "86400", **env}
            )
        )
        base = campaign_event(case.endpoints, DATA)
        counter = iter(range(10**9))

        def handler() -> None:
            # A new activity each batch: with the ledger on, a repeated key is not sent again.
            event = {**base, "ActivityId": f"bench-activity-{next(counter)}"}
            answer = channel.handle(event, None)
            case.sent += len(answer)
            case.undelivered += sum(
                value["EventAttributes"]["status"] != "delivered" for value in answer.values()
            )

        floors = {
            name: make(server.url, case.wires, case.parse_answer) for name, make in FLOORS.items()
        }
        with _quiet_stdout():
            for _ in range(3):  # warm: connections, threads, secret, caches
                handler()
            for floor in floors.values():
                floor()
            results: dict[str, list[float]] = {"handler": [], **{name: [] for name in floors}}
            for _ in range(rounds):
                results["handler"].append(_cpu_ms(handler, batches))
                for name, floor in floors.items():
                    results[name].append(_cpu_ms(floor, batches))
        channel.close()
    case.results = results
    return case


def report_delivery(case: DeliveryCase) -> None:
    results = case.results
    handler = statistics.median(results["handler"])
    ratios = {
        name: statistics.median(
            a / b for a, b in zip(results["handler"], results[name], strict=True)
        )
        for name in FLOORS
    }
    floors = ", ".join(f"{name} {statistics.median(results[name]):.1f} ms" for name in FLOORS)
    print(f"   {case.name}: handler {handler:.1f} ms (best {min(results['handler']):.1f})")
    if case.undelivered:
        print(
            f"      NOT COMPARABLE: {case.undelivered} of {case.sent} endpoints not delivered "
            "(a local AWS too slow for the ledger's 1 s limits on a busy machine?)"
        )
    print(f"      same 50 requests sequentially: {floors}")
    print(
        "      handler / requests "
        f"{ratios['requests']:.2f}x, / urllib3 {ratios['urllib3']:.2f}x, "
        f"/ http.client {ratios['http.client']:.2f}x"
    )


def delivery_cases(names: list[str]) -> list[DeliveryCase]:
    makers: dict[str, Callable[[], DeliveryCase]] = {
        "http50": lambda: http_case(50),
        "http1": lambda: http_case(1),
        "twilio50": lambda: twilio_case(50),
        "twilio1": lambda: twilio_case(1),
        "slack50": lambda: slack_case(50),
        "slack1": lambda: slack_case(1),
        "ledger50": lambda: http_case(50, ledger=True),
    }
    return [makers[name]() for name in names]


DELIVERY_CASES = ["http50", "http1", "twilio50", "twilio1", "slack50", "slack1", "ledger50"]


def bench_delivery_cpu(
    names: list[str] | None = None, rounds: int = 5, batches: int = 10
) -> list[DeliveryCase]:
    cases = delivery_cases(names or DELIVERY_CASES)
    print(
        "2. delivery CPU per 50-endpoint batch (process_time, every thread), warm, provider in "
        f"its own process answering at once; median of {rounds} x {batches} batches"
    )
    aws: LocalAwsProcess | None = None
    try:
        if any(case.needs_aws for case in cases):
            aws = LocalAwsProcess().__enter__()
        for case in cases:
            measure_delivery(case, rounds, batches)
            report_delivery(case)
    finally:
        if aws is not None:
            aws.__exit__()
    print("      targets: handler / requests <= 1.5x (50 workers), <= 1.25x (1 worker)")
    by_name = {case.name: case for case in cases}
    plain, ledger = (
        by_name.get("http, 50 workers"),
        by_name.get("http, 50 workers, idempotency table on"),
    )
    if plain is not None and ledger is not None:
        # What the ledger costs: the same batch with the table on, over the batch without it.
        ratio = statistics.median(ledger.results["handler"]) / statistics.median(
            plain.results["handler"]
        )
        print(f"   idempotency table on / off (http, 50 workers): {ratio:.2f}x; target <= 1.5x")
    return cases


# --- 3. projected billed duration ----------------------------------------------------------


def bench_projection(
    cpu_ms: float, label: str = "http, 50 workers", latency_ms: float = 100.0, workers: int = 50
) -> None:
    chain = latency_ms * math.ceil(BATCH / workers)
    print(
        f"3. projected billed duration per 50-endpoint batch: CPU {cpu_ms:.1f} ms (section 2, "
        f"{label}, this machine's CPU), provider latency {latency_ms:.0f} ms"
    )
    print(
        f"   model: wall = max(latency chain {chain:.0f} ms, CPU / vCPU share), vCPU share = "
        f"memory / {VCPU_MB} MB (at most 1); billed = wall rounded up to 1 ms; price = "
        "memory in GB x billed s x price per GB-s + $0.20 per million requests (us-east-1, "
        "first tier: arm64 $0.0000133334, x86_64 $0.0000166667 per GB-s)"
    )
    flat = VCPU_MB * cpu_ms / chain
    print(
        f"   below {flat:,.0f} MB the batch is CPU-bound: the same GB-s at any memory (CPU x "
        f"{VCPU_MB / 1024:.4f} GB), only slower; above it the price grows with memory"
    )
    print("   memory | vCPU share | billed ms | GB-s per batch | $ per 1M messages arm64 / x86_64")
    for memory in MEMORY_SIZES:
        share = min(memory / VCPU_MB, 1.0)
        billed = math.ceil(max(chain, cpu_ms / share))
        gb_seconds = memory / 1024 * billed / 1000
        per_million = {
            arch: (gb_seconds * price + PRICE_PER_REQUEST) * 1_000_000 / BATCH
            for arch, price in PRICE_PER_GB_SECOND.items()
        }
        print(
            f"   {memory:>6} | {share:>10.3f} | {billed:>9} | {gb_seconds:>14.5f} | "
            f"{per_million['arm64']:.3f} / {per_million['x86_64']:.3f}"
        )


def bench_cpu(repeats: int = 9, rounds: int = 300) -> None:
    """Interleaved with a baseline measured in the same process: the JSON decode and encode
    the Lambda runtime itself does for the same batch. The ratio stays put when this shared
    machine speeds up or slows down; the milliseconds do not."""
    channel = Channel(load_settings(QUIET))
    event = campaign_event(active_batch(), "Hello {{Attributes.FirstName | there}}")
    payload = json.dumps(event)

    def handler() -> None:
        channel.handle(event, None)

    def baseline() -> None:
        json.dumps(json.loads(payload))

    for _ in range(50):
        handler()  # warm, like a warm container
    ours, base = [], []
    for _ in range(repeats):
        ours.append(_cpu_ms(handler, rounds))
        base.append(_cpu_ms(baseline, rounds))
    channel.close()
    ratios = sorted(a / b for a, b in zip(ours, base, strict=True))
    print("4. handler CPU per 50-endpoint batch, adapter none, metrics off")
    print(
        f"   median {statistics.median(ours):.2f} ms, best {min(ours):.2f} ms over {repeats} x "
        f"{rounds} batches (target <= 2 ms)"
    )
    print(
        f"   baseline, the runtime's JSON decode + encode of the same batch: median "
        f"{statistics.median(base):.3f} ms; handler / baseline: median "
        f"{statistics.median(ratios):.1f}x"
    )


def _cpu_ms(work: Callable[[], object], rounds: int) -> float:
    """CPU time of one call of `work`, in ms, averaged over `rounds` calls."""
    started = time.process_time()
    for _ in range(rounds):
        work()
    return (time.process_time() - started) / rounds * 1000


_COLD_START = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import boto3
started = time.perf_counter()
import custom_channel.lambda_function as entry
imported = time.perf_counter() - started
event = json.loads(sys.stdin.read())
cpu = []
for index in range(4):
    before = time.process_time()
    entry.lambda_handler(dict(event, ActivityId=f"cold-{index}"), None)
    cpu.append(time.process_time() - before)
print("RESULT", json.dumps([imported, cpu[0], min(cpu[1:])]))
"""


def bench_import(rounds: int = 7) -> None:
    """Fresh interpreters: the import beyond boto3 (which Lambda's runtime has loaded anyway
    in most handlers, and ours imports lazily), then the first invocations' CPU against a
    provider in its own process: the first one builds the session, pool, workers and
    connections that the warm ones reuse."""
    case = http_case(50)
    event = json.dumps(campaign_event(case.endpoints, DATA))
    imports, extra, warm = [], [], []
    with ProviderProcess(case.reply) as server:
        env = {
            **os.environ,
            **QUIET,
            **{key: value.replace("{url}", server.url) for key, value in case.env.items()},
        }
        for _ in range(rounds):
            completed = subprocess.run(
                [sys.executable, "-c", _COLD_START, str(HANDLER_DIR)],
                env=env,
                input=event,
                capture_output=True,
                text=True,
                check=True,
            )
            line = next(ln for ln in completed.stdout.splitlines() if ln.startswith("RESULT "))
            imported, first, steady = json.loads(line.removeprefix("RESULT "))
            imports.append(imported * 1000)
            extra.append((first - steady) * 1000)
            warm.append(steady * 1000)
    print("5. cold start, median of fresh interpreters")
    print(
        f"   import of custom_channel.lambda_function beyond `import boto3`: "
        f"{statistics.median(imports):.0f} ms over {rounds} (target <= 150 ms)"
    )
    print(
        f"   first invocation (http, 50 endpoints): {statistics.median(extra):.1f} ms of CPU more "
        f"than a warm one ({statistics.median(warm):.1f} ms)"
    )
    if ZIP_PATH.exists():
        size = ZIP_PATH.stat().st_size
        print(f"   package {size / 1024:.0f} KiB ({size} bytes; target <= 1 MB)")


def bench_runner(count: int = 100_000, repeats: int = 3) -> None:
    """Each run is followed by a baseline in the same process: one JSON encode and decode of
    the same endpoints (the least any runner handing them to a function must do)."""
    endpoints = synthetic_endpoints(count, seed=9)
    campaign = Campaign.from_definition(
        {
            "application_id": "app",
            "campaign_id": "campaign",
            "treatments": [
                {
                    "treatment_id": "0",
                    "size_percent": 100,
                    "data": "Hello {{Attributes.FirstName}}",
                    "delivery_uri": "channel",
                    "endpoint_types": ["SMS", "EMAIL", "CUSTOM", "VOICE", "GCM", "APNS", "BAIDU"],
                }
            ],
        }
    )
    deliverer = InProcessDeliverer(FunctionSpec("channel", "", 15, QUIET, ""))
    rates, ratios = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        with redirect_stdout(io.StringIO()):
            result = run(campaign, endpoints, lambda _batch: deliverer)
        elapsed = time.perf_counter() - started
        started = time.perf_counter()
        json.loads(json.dumps(endpoints))
        baseline = time.perf_counter() - started
        rates.append(result.accounted / elapsed)
        ratios.append(elapsed / baseline)
    deliverer.close()
    print("6. campaign runner in-process, 100,000 endpoints, adapter none, metrics off")
    print(
        f"   median {statistics.median(rates):,.0f} endpoints/s, best {max(rates):,.0f} over "
        f"{repeats} runs (target >= 20,000/s)"
    )
    print(
        f"   runner / baseline (one JSON encode + decode of the endpoints): median "
        f"{statistics.median(ratios):.1f}x"
    )


SECTIONS = ("parallel", "delivery", "projection", "cpu", "cold", "runner")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=SECTIONS, help="sections to run")
    parser.add_argument(
        "--case",
        action="append",
        choices=DELIVERY_CASES,
        help="delivery CPU cases to run (default: all)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="delivery CPU rounds")
    parser.add_argument("--batches", type=int, default=10, help="delivery CPU batches per round")
    parser.add_argument("--handler", type=Path, help="the handler package's parent directory")
    args = parser.parse_args(argv)
    sections = args.only or list(SECTIONS)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {platform.platform()}; handler {HANDLER_DIR}"
    )
    if "parallel" in sections:
        bench_parallel_http()
    if "delivery" in sections or "projection" in sections:
        names = args.case or DELIVERY_CASES
        if "delivery" not in sections:
            names = ["http50"]
        cases = bench_delivery_cpu(names, args.rounds, args.batches)
        if "projection" in sections:
            for case in cases:
                if case.name.startswith("http, 50 workers"):
                    bench_projection(statistics.median(case.results["handler"]), case.name)
    if "cpu" in sections:
        bench_cpu()
    if "cold" in sections:
        bench_import()
    if "runner" in sections:
        bench_runner()
    return 0


if __name__ == "__main__":
    sys.exit(main())
