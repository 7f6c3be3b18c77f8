"""Serve memory benchmark (issue 14, target 7): a long-running ``launch-sim serve`` grows only
by the rows its launches add.

The real server runs as a subprocess (``python -m simulator serve --port 0``, auth none as
by default, its access log on, written to a file) on a temporary file store. One keep-alive
HTTP connection sends plain ``RunInstances`` POSTs, one instance and no block device
mapping, as fast as the server answers: a form body as boto3 sends one, with a SigV4-shaped
``Authorization`` header naming an access key (auth none reads the key and checks no
signature, so computing one would only measure the client). Every answer must be HTTP 200,
and one in :data:`CHECK_EVERY` must name a new instance id. The server's RSS
(``/proc/PID/status`` ``VmRSS``) is read after :data:`EARLY` and after :data:`LAUNCHES`
launches.

What the rows need is measured apart, in a fresh interpreter, with the rows as a serving
process holds them (rows read back from a store file would each hold their own copies of
values a launch shares, and come out about 1.6 times larger): the same requests go through
:meth:`EC2Service.handle` (the path the server's app calls) on a simulator opened as
``serve`` opens it (a file store, :data:`SERVE_KEPT_CALLS` kept calls), with no HTTP
server. That process's RSS growth between the marks is what the launches' rows need,
allocator overhead included; beside it, the bytes reachable from the store (rows, uuid
columns, indexes; each object once, by ``sys.getsizeof``) show that it is rows: at 100,000
launches they are about nine tenths of it, and tracemalloc (a one-off check, not run here)
found the process's other Python objects growing by a twentieth of the store's. The target:
``(server RSS after LAUNCHES - rows) / server RSS after EARLY <= 1.5``, rows being those of
launches EARLY+1 to LAUNCHES; the same ratio with the store's objects alone as the rows is
printed too.
"""

from __future__ import annotations

import gc
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType
from urllib.parse import parse_qsl, urlencode, urlsplit

from bench.servers import started, stop
from bench.timing import verdict
from simulator import Simulator
from simulator.cli import SERVE_KEPT_CALLS
from simulator.server import context_for
from simulator.service import EC2Service
from simulator.store import MappingStore

EARLY = 1_000
LAUNCHES = 100_000
CHECK_EVERY = 1_000
TARGET = 1.5
IMAGE = "ami-00000001"
BODY = urlencode(
    {
        "Action": "RunInstances",
        "Version": "2013-02-01",
        "ImageId": IMAGE,
        "MinCount": "1",
        "MaxCount": "1",
    }
).encode()
ACCESS_KEY = "bench:bench"
HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    "X-Amz-Date": "20261201T000000Z",
    "Authorization": (
        f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20261201/nova/ec2/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, Signature=" + "0" * 64
    ),
}
STORE = "store.json"
MIB = 1 << 20
_NOT_ROWS = (type, ModuleType, FunctionType, BuiltinFunctionType, MethodType)


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def start_server(store: Path, log: Path) -> tuple[subprocess.Popen[str], str]:
    """``launch-sim serve`` on a free port; the process and its host:port."""
    argv = [sys.executable, "-m", "simulator", "serve", "--port", "0", "--store", str(store)]
    try:
        with log.open("w") as stderr:
            server, endpoint = started(argv, stderr)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}: {log.read_text()[-500:]}") from None
    return server, urlsplit(endpoint).netloc


def launch(connection: http.client.HTTPConnection, number: int, sampled: set[bytes]) -> None:
    """One RunInstances, which must be answered 200; one in :data:`CHECK_EVERY` must name
    an instance id no earlier sample named (added to ``sampled``)."""
    connection.request("POST", "/", BODY, HEADERS)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"launch {number:,} answered {response.status}: {body[:300]!r}")
    if number % CHECK_EVERY:
        return
    start = body.find(b"<instanceId>") + len(b"<instanceId>")
    instance_id = body[start : body.find(b"<", start)]
    if not instance_id.startswith(b"i-") or instance_id in sampled:
        raise RuntimeError(f"launch {number:,} named no new instance: {body[:300]!r}")
    sampled.add(instance_id)


def store_bytes(store: MappingStore) -> int:
    """The bytes of every object reachable from ``store``, each counted once; classes,
    modules and functions are code, not rows, and are not followed."""
    seen: set[int] = set()
    pending: list[object] = [store]
    total = 0
    while pending:
        item = pending.pop()
        if id(item) in seen or isinstance(item, _NOT_ROWS):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        pending.extend(gc.get_referents(item))
    return total


def rows_in_process() -> tuple[int, int, int, int]:
    """This process's RSS and the store's bytes, after :data:`EARLY` and after
    :data:`LAUNCHES` launches made as the server makes them (run in a fresh interpreter:
    :func:`rows_measured`)."""
    params = parse_qsl(BODY.decode())
    context = context_for(ACCESS_KEY)
    rss: list[int] = []
    objects: list[int] = []
    with (
        tempfile.TemporaryDirectory(prefix="launch-sim-serve-rows-") as tmp,
        Simulator.open(Path(tmp) / STORE, keep_calls=SERVE_KEPT_CALLS) as sim,
    ):
        service = EC2Service(sim)
        for number in range(1, LAUNCHES + 1):
            outcome = service.handle(params, context)
            if outcome.status != 200:
                raise RuntimeError(f"launch {number:,} refused: {outcome.error_code}")
            if number in (EARLY, LAUNCHES):
                gc.collect()
                rss.append(rss_bytes(os.getpid()))
                objects.append(store_bytes(sim.store))
    return rss[0], rss[1], objects[0], objects[1]


def rows_measured() -> tuple[int, int]:
    """What launches EARLY+1 to LAUNCHES add, measured in a fresh interpreter: (RSS, the
    store's objects)."""
    result = subprocess.run(
        [sys.executable, "-c", "from bench.serve_memory import print_rows; print_rows()"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"measuring the rows failed: {result.stderr[-500:]}")
    rss_early, rss_late, early, late = (int(value) for value in json.loads(result.stdout))
    return rss_late - rss_early, late - early


def print_rows() -> None:
    print(json.dumps(rows_in_process()))


def mib(value: float) -> str:
    return f"{value / MIB:,.1f} MiB"


def line(label: str, value: str) -> str:
    return f"  {label:<58} {value:>16}"


def run() -> None:
    print(
        f"== serve memory: launch-sim serve (subprocess, file store, access log on), "
        f"{LAUNCHES:,} RunInstances over HTTP (1 instance, no block device mapping each) =="
    )
    with tempfile.TemporaryDirectory(prefix="launch-sim-serve-memory-") as tmp:
        work = Path(tmp)
        server, address = start_server(work / STORE, work / "access.log")
        try:
            host, port = address.rsplit(":", 1)
            connection = http.client.HTTPConnection(host, int(port), timeout=60)
            started = time.perf_counter()
            rss_early = 0
            sampled: set[bytes] = set()
            for number in range(1, LAUNCHES + 1):
                launch(connection, number, sampled)
                if number == EARLY:
                    rss_early = rss_bytes(server.pid)
            elapsed = time.perf_counter() - started
            rss_late = rss_bytes(server.pid)
            connection.close()
        finally:
            stop(server)
    rows, objects = rows_measured()
    added = LAUNCHES - EARLY
    print(line("launches answered (all HTTP 200)", f"{LAUNCHES:,} in {elapsed:,.0f} s"))
    print(line("launch rate", f"{LAUNCHES / elapsed:,.0f} launches/s"))
    print(line(f"server RSS after {EARLY:,} launches", mib(rss_early)))
    print(line(f"server RSS after {LAUNCHES:,} launches", mib(rss_late)))
    span = f"launches {EARLY + 1:,}-{LAUNCHES:,}"
    print(line(f"rows: RSS growth, {span} in process", mib(rows)))
    print(line("  per launch", f"{rows / added:,.0f} bytes"))
    print(line("  of it the store's objects (getsizeof)", mib(objects)))
    print(line("server growth beyond the rows", mib(rss_late - rss_early - rows)))
    label = f"(RSS {LAUNCHES // 1000:,}k - rows) / RSS {EARLY // 1000:,}k"
    ratio = (rss_late - rows) / rss_early
    print(f"  {label:<58} {ratio:>12.2f}x  target <= {TARGET:g}x: {verdict(ratio <= TARGET)}")
    strict = (rss_late - objects) / rss_early
    print(f"  {'  rows as their objects only (no allocator overhead)':<58} {strict:>12.2f}x")


if __name__ == "__main__":
    run()
