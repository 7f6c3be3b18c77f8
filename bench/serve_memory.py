"""Serve memory benchmark (issue 14, target 7): a long-running ``launch-sim serve`` grows only
by the rows its launches add.

The real server runs as a subprocess (``python -m simulator serve --port 0``, auth none as
by default, its access log on, written to a file) on a temporary file store. One keep-alive
HTTP connection sends plain ``RunInstances`` POSTs, one instance and no block device
mapping, as fast as the server answers: the form body boto3 would send, with a SigV4-shaped
``Authorization`` header naming an access key (auth none reads the key and checks no
signature, so computing one would only measure the client). Every answer must be HTTP 200,
and one in :data:`CHECK_EVERY` must name a new instance id. The server's RSS
(``/proc/PID/status`` ``VmRSS``) is read after :data:`EARLY` and after :data:`LAUNCHES`
launches.

What the rows need is measured apart, in a fresh interpreter: the store's files are copied
at both marks (between two requests, with this client the only one, nothing is being
written), and each copy is opened with ``tracemalloc`` running, then one
``DescribeInstances`` of a launched id builds the instance indexes a running server has
built. The difference between the two copies' traced bytes is what the launches between
the marks added in rows, mappings and indexes. It counts the bytes Python asked for, not
the allocator's own overhead, so it credits the rows slightly less than their RSS: the
verdict errs against the server. The target: ``(RSS after LAUNCHES - rows) / RSS after
EARLY <= 1.5``.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench.timing import verdict

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
HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    "X-Amz-Date": "20261201T000000Z",
    "Authorization": (
        "AWS4-HMAC-SHA256 Credential=bench:bench/20261201/nova/ec2/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, Signature=" + "0" * 64
    ),
}
STORE = "store.json"
MIB = 1 << 20

ROWS_SCRIPT = """
import gc, json, sys, tracemalloc
from simulator import Simulator
from simulator.service import EC2Service
tracemalloc.start()
before = tracemalloc.get_traced_memory()[0]
sim = Simulator.open(sys.argv[1])
answer = EC2Service(sim).handle([("Action", "DescribeInstances"), ("InstanceId.1", sys.argv[2])])
assert answer.status == 200 and sys.argv[2].encode() in answer.body, answer.body[:300]
gc.collect()
print(json.dumps(tracemalloc.get_traced_memory()[0] - before))
"""
"""Opens a store copy and prints the bytes its rows and indexes hold (argv: store, an
instance id in it). Simulator.open on an existing store applies no seed."""


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def start_server(store: Path, log: Path) -> tuple[subprocess.Popen[str], str]:
    """``launch-sim serve`` on a free port; the process and its host:port."""
    with log.open("w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "simulator", "serve", "--port", "0", "--store", str(store)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert server.stdout is not None
    for line in server.stdout:
        if "EC2 API at " in line:
            endpoint = line.split("EC2 API at ", 1)[1].split()[0]
            return server, urlsplit(endpoint).netloc
    server.wait()
    raise RuntimeError(f"launch-sim serve exited {server.returncode}: {log.read_text()[-500:]}")


def stop(server: subprocess.Popen[str]) -> None:
    server.terminate()
    try:
        server.wait(timeout=120)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def launch(connection: http.client.HTTPConnection, number: int) -> str:
    """One RunInstances, which must be answered 200; for a sample, the instance id."""
    connection.request("POST", "/", BODY, HEADERS)
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"launch {number:,} answered {response.status}: {body[:300]!r}")
    if number % CHECK_EVERY:
        return ""
    start = body.find(b"<instanceId>i-")
    if start < 0:
        raise RuntimeError(f"launch {number:,} named no instance: {body[:300]!r}")
    return body[start + 12 : body.index(b"<", start + 12)].decode()


def copy_store(store: Path, into: Path) -> Path:
    into.mkdir()
    for suffix in ("", ".journal"):
        shutil.copyfile(f"{store}{suffix}", into / f"{STORE}{suffix}")
    return into / STORE


def rows_bytes(store: Path, instance_id: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", ROWS_SCRIPT, str(store), instance_id],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if result.returncode != 0:
        raise RuntimeError(f"measuring the rows of {store} failed: {result.stderr[-500:]}")
    traced: int = json.loads(result.stdout)
    return traced


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
        store = work / STORE
        server, address = start_server(store, work / "access.log")
        try:
            host, port = address.rsplit(":", 1)
            connection = http.client.HTTPConnection(host, int(port), timeout=60)
            started = time.perf_counter()
            early_id = last_id = ""
            rss_early = 0
            for number in range(1, LAUNCHES + 1):
                instance_id = launch(connection, number)
                last_id = instance_id or last_id
                if number == EARLY:
                    rss_early = rss_bytes(server.pid)
                    early_id = last_id
                    early_store = copy_store(store, work / "early")
            elapsed = time.perf_counter() - started
            rss_late = rss_bytes(server.pid)
            late_store = copy_store(store, work / "late")
            connection.close()
        finally:
            stop(server)
        rows = rows_bytes(late_store, last_id) - rows_bytes(early_store, early_id)
    ratio = (rss_late - rows) / rss_early
    print(line("launches answered (all HTTP 200)", f"{LAUNCHES:,} in {elapsed:,.0f} s"))
    print(line("launch rate", f"{LAUNCHES / elapsed:,.0f} launches/s"))
    print(line(f"server RSS after {EARLY:,} launches", mib(rss_early)))
    print(line(f"server RSS after {LAUNCHES:,} launches", mib(rss_late)))
    print(
        line(
            f"rows of launches {EARLY + 1:,}-{LAUNCHES:,} (tracemalloc, fresh process)",
            mib(rows),
        )
    )
    print(line("  per launch", f"{rows / (LAUNCHES - EARLY):,.0f} bytes"))
    print(line("other growth (RSS growth - rows)", mib(rss_late - rss_early - rows)))
    print(
        f"  {f'(RSS {LAUNCHES // 1000:,}k - rows) / RSS {EARLY // 1000:,}k':<58} "
        f"{ratio:>12.2f}x  target <= {TARGET:g}x: {verdict(ratio <= TARGET)}"
    )


if __name__ == "__main__":
    run()
