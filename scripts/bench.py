"""`make bench`: the handler's speed and size, measured here, printed as numbers.

1. One 50-endpoint batch through the `http` adapter against a local server that takes
   100 ms per request: the handler's wall time, a sequential loop in the style of the
   guide's sample (one request after another) in the same run, and the ratio.
   Targets: <= 0.2 s and >= 25x.
2. Handler CPU time per 50-endpoint batch, adapter `none`, metrics `off`. Target: <= 2 ms.
   Printed with a baseline from the same process (the runtime's JSON work on that batch).
3. Cold import of the entry module beyond `import boto3`, in a fresh interpreter, and the
   package's size. Targets: <= 150 ms and <= 1 MB.
4. The local campaign runner in-process on 100,000 endpoints (adapter `none`, metrics
   `off`). Target: >= 20,000 endpoints/s. Printed with a same-process baseline too.

Nothing here asserts: the numbers are printed with the machine they were measured on.
"""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (str(ROOT / "handler"), str(ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)

import requests  # noqa: E402

from custom_channel.channel import Channel  # noqa: E402
from custom_channel.config import load_settings  # noqa: E402
from custom_channel.local import invoke  # noqa: E402
from scripts.build_package import ZIP_PATH  # noqa: E402
from scripts.campaign import Campaign  # noqa: E402
from scripts.provider_server import ProviderServer, Reply  # noqa: E402
from scripts.run_campaign import FunctionSpec, InProcessDeliverer, run  # noqa: E402
from scripts.segments import campaign_event, synthetic_endpoints  # noqa: E402

QUIET = {"CHANNEL_METRICS_MODE": "off", "CHANNEL_LOG_LEVEL": "ERROR"}


def active_batch(count: int = 50) -> dict[str, dict[str, object]]:
    endpoints = synthetic_endpoints(count * 2, seed=5)
    return {
        key: {**body, "OptOut": "NONE", "EndpointStatus": "ACTIVE"}
        for key, body in list(endpoints.items())[:count]
    }


def bench_parallel_http(latency: float = 0.1, rounds: int = 5) -> None:
    endpoints = active_batch()
    event = campaign_event(endpoints, "Hello {{Attributes.FirstName}}")
    with ProviderServer(lambda _request: Reply(202, delay=latency)) as server:
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
    print("1. 50-endpoint batch, http adapter, 100 ms provider latency")
    print(
        f"   handler: median {statistics.median(ours):.3f} s, best {best:.3f} s (target <= 0.2 s)"
    )
    print(f"   sequential loop: {sequential:.3f} s; ratio {sequential / best:.1f}x (target >= 25x)")


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
    print("2. handler CPU per 50-endpoint batch, adapter none, metrics off")
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


def bench_import(rounds: int = 7) -> None:
    script = (
        "import time, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'handler')!r})\n"
        "import boto3\n"
        "t = time.perf_counter()\n"
        "import custom_channel.lambda_function\n"
        "print(time.perf_counter() - t)\n"
    )
    env = {**os.environ, **QUIET}
    samples = []
    for _ in range(rounds):
        completed = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        )
        samples.append(float(completed.stdout.strip().splitlines()[-1]))
    size = ZIP_PATH.stat().st_size
    print("3. cold import of custom_channel.lambda_function beyond `import boto3`")
    print(
        f"   median {statistics.median(samples) * 1000:.0f} ms over {rounds} fresh interpreters "
        f"(target <= 150 ms)"
    )
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
    print("4. campaign runner in-process, 100,000 endpoints, adapter none, metrics off")
    print(
        f"   median {statistics.median(rates):,.0f} endpoints/s, best {max(rates):,.0f} over "
        f"{repeats} runs (target >= 20,000/s)"
    )
    print(
        f"   runner / baseline (one JSON encode + decode of the endpoints): median "
        f"{statistics.median(ratios):.1f}x"
    )


def main() -> int:
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {platform.platform()}"
    )
    bench_parallel_http()
    bench_cpu()
    bench_import()
    bench_runner()
    return 0


if __name__ == "__main__":
    sys.exit(main())
