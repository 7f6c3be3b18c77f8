"""Launch benchmark: boto3 against launch-sim and against moto, side by side, same request.

Every launch is the walkthrough ``RunInstances`` with seven block device mappings. moto
rejects the walkthrough's ``VirtualName``-only mappings, so its request gives those two
entries a dummy ``Ebs``; launch-sim gets the walkthrough request exactly.

The headline ratios are at fresh state, as a test suite mostly starts: each round builds a
new backend for each tool (untimed: a new seeded simulator, a new ``mock_aws`` or a new
server with moto's fixture image and snapshot), then times :data:`LAUNCHES` launches; the
tools take turns round by round. In process is launch-sim's ``mock_ec2`` against moto's
``mock_aws``; over HTTP on 127.0.0.1, ``launch-sim serve --memory`` against moto's
``moto_server``, each a process of its own as a suite runs it (:mod:`bench.servers` says why;
the same servers as threads of the benchmark's process are measured beside, without a
target). A canned-answer responder measures boto3's own client-side work, the floor under
every boto3 path; over HTTP, the same waitress server answering canned bytes measures boto3
plus the HTTP round trip, the ceiling of any server on that path.

moto slows as its state grows, so the growth curve comes second: each tool's launch rate
over launches 1-100, 1,001-1,100, 5,001-5,100 and 10,001-10,100. launch-sim's windows are
measured side by side (one simulator per window, the windows taking turns); moto's
``mock_aws`` is one backend per process, so its windows are measured in turn as it grows, and
its curve stops where the next window would take longer than :data:`PEER_BUDGET` to reach.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from importlib.metadata import version
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.handlers import BUILTIN_HANDLERS
from moto import mock_aws
from moto.server import ThreadedMotoServer

from bench import servers
from bench.timing import Figure, alternating, per_second, ratio_line
from bench.walkthrough import WALKTHROUGH
from simulator import Simulator
from simulator.boto3_params import query_params
from simulator.cli import SERVE_KEPT_CALLS
from simulator.mock import mock_ec2
from simulator.server import EC2App, ServerHandle
from simulator.service import EC2Service

LAUNCHES = 100
ROUNDS = 9
"""A round of launch-sim's lasts about a tenth of a second, shorter than a stall of the shared
host, which takes a third off the round it falls in: with 5 rounds, one run's in-process rounds
ranged from 527 to 935 launches/s and two slow ones set the median. Nine keep the median on
the host's usual speed at about 40 s more for the whole section."""
IN_PROCESS_TARGET = 8
HTTP_TARGET = 6
WINDOWS = (1, 1_001, 5_001, 10_001)
WINDOW = 100
WINDOW_RUNS = 5
BATCH = WINDOW // WINDOW_RUNS
GROWTH_TARGET = 1.2
PEER_BUDGET = 120.0
IMAGE = "ami-00000001"
CREDENTIALS = {"aws_access_key_id": "bench:bench", "aws_secret_access_key": "secret"}
UNIT = "launches/s"

Fleet = tuple[Any, str, list[dict[str, Any]]]
"""A client, the image it launches and the mappings it sends."""
Backend = Callable[[], AbstractContextManager[Fleet]]


def moto_mappings(snapshot_id: str) -> list[dict[str, Any]]:
    """The walkthrough for moto: its snapshot ids, a dummy Ebs on the VirtualName entries."""
    mappings = []
    for mapping in WALKTHROUGH:
        entry = {**mapping}
        if "Ebs" in entry:
            entry["Ebs"] = {**entry["Ebs"], "SnapshotId": snapshot_id}
        elif "VirtualName" in entry:
            entry["Ebs"] = {"VolumeSize": 1}
        mappings.append(entry)
    return mappings


def launch(fleet: Fleet, count: int) -> None:
    ec2, image_id, mappings = fleet
    for _ in range(count):
        ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1, BlockDeviceMappings=mappings)


def client(endpoint: str | None = None, region: str = "nova") -> Any:
    """A client of its own session: boto3's cached default session was built before a
    handler such as the canned responder was inserted, and would never call it."""
    session = boto3.session.Session()
    return session.client("ec2", region_name=region, endpoint_url=endpoint, **CREDENTIALS)


def sim_fleet(ec2: Any) -> Fleet:
    """launch-sim's seeded image, looked up once so that its client, like moto's after its
    fixture, has made a call before the timed ones."""
    ec2.describe_images(ImageIds=[IMAGE])
    return ec2, IMAGE, WALKTHROUGH


def moto_fleet(ec2: Any) -> Fleet:
    image_id = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=1)["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    return ec2, image_id, moto_mappings(snapshot)


@contextlib.contextmanager
def sim_in_process() -> Iterator[Fleet]:
    with mock_ec2(Simulator.from_seed()):
        yield sim_fleet(client())


@contextlib.contextmanager
def moto_in_process() -> Iterator[Fleet]:
    with mock_aws():
        yield moto_fleet(client(region="us-east-1"))


@contextlib.contextmanager
def sim_server() -> Iterator[Fleet]:
    """``launch-sim serve --memory``, a process of its own as a suite starts it (it keeps
    :data:`SERVE_KEPT_CALLS` compute calls); fresh state is a new process."""
    with servers.launch_sim_serve("--memory", "--quiet") as endpoint:
        yield sim_fleet(client(endpoint))


@contextlib.contextmanager
def moto_server() -> Iterator[Fleet]:
    """moto's standalone server, a new process for fresh state."""
    with servers.moto_standalone() as endpoint:
        yield moto_fleet(client(endpoint, region="us-east-1"))


@contextlib.contextmanager
def canned_server() -> Iterator[Fleet]:
    """The same waitress server answering every request with canned bytes, in a process of
    its own: what boto3 and the HTTP round trip cost alone, the ceiling of any server."""
    with servers.canned(canned_body()) as endpoint:
        yield sim_fleet(client(endpoint))


@contextlib.contextmanager
def sim_thread() -> Iterator[Fleet]:
    """launch-sim's server as a thread of this process (as ``serve`` builds it)."""
    app = EC2App(EC2Service(Simulator.from_seed(keep_calls=SERVE_KEPT_CALLS)))
    with ServerHandle(app) as server:
        yield sim_fleet(client(server.endpoint))


@contextlib.contextmanager
def moto_thread() -> Iterator[Fleet]:
    """moto's ``ThreadedMotoServer``, its backends reset: they are the process's, which an
    earlier server or ``mock_aws`` block may have filled."""
    port = servers.free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        endpoint = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(
            urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
        ):
            pass
        yield moto_fleet(client(endpoint, region="us-east-1"))
    finally:
        server.stop()


@contextlib.contextmanager
def canned_thread() -> Iterator[Fleet]:
    with ServerHandle(servers.canned_app(canned_body()), answer_in_loop=True) as server:
        yield sim_fleet(client(server.endpoint))


@contextlib.contextmanager
def canned_responder(body: bytes) -> Iterator[None]:
    """A before-send hook that answers every EC2 call with the same bytes: boto3's floor."""

    def answer(request: Any, **kwargs: Any) -> AWSResponse:
        raw = _Raw(body)
        return AWSResponse(request.url, 200, {"Content-Type": "text/xml"}, raw)

    handler = ("before-send.ec2", answer)
    BUILTIN_HANDLERS.insert(0, handler)
    try:
        yield
    finally:
        BUILTIN_HANDLERS.remove(handler)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.body


def canned_body() -> bytes:
    """The timed launch's own answer, given to boto3 again and again by the floors: the
    seven-mapping walkthrough's, whose two volumes botocore parses with their ``attachTime``
    (a bare ``ImageId`` launch's answer has no device, and boto3 parsed it 0.3 ms faster)."""
    request = {"ImageId": IMAGE, "MinCount": 1, "MaxCount": 1, "BlockDeviceMappings": WALKTHROUGH}
    outcome = EC2Service(Simulator.from_seed()).handle(query_params(request, "the walkthrough"))
    if outcome.status != 200 or not outcome.instance_ids:
        raise RuntimeError(f"the walkthrough launch failed: {outcome.error_code}")
    return outcome.body


@contextlib.contextmanager
def floor() -> Iterator[Fleet]:
    with canned_responder(canned_body()):
        yield sim_fleet(client())


def fresh(backend: Backend) -> Callable[[], float]:
    """One round: a new backend built untimed (the last round's garbage collected), then
    :data:`LAUNCHES` timed launches."""

    def trial() -> float:
        with backend() as fleet:
            gc.collect()
            return per_second(LAUNCHES, lambda: launch(fleet, LAUNCHES))

    return trial


def side_by_side(*trials: tuple[str, Backend]) -> tuple[Figure, ...]:
    """Fresh-state rounds, the tools taking turns; one untimed round each first (imports,
    moto's image catalogue, the clients' models)."""
    rounds = [(name, fresh(backend)) for name, backend in trials]
    for _, trial in rounds:
        trial()
    return alternating(ROUNDS, UNIT, *rounds)


def compared(
    headline: tuple[str, float | None],
    ceiling: str,
    ours: tuple[str, Backend],
    peer: tuple[str, Backend],
    canned: tuple[str, Backend],
) -> None:
    """launch-sim, its peer and the floor side by side: the three figures, launch-sim's
    ratio to the peer (against its target, if it has one) and the floor's."""
    figures = side_by_side(ours, peer, canned)
    for figure in figures:
        print(figure.line())
    label, target = headline
    print(ratio_line(label, figures[0], figures[1], target))
    print(ratio_line(ceiling, figures[2], figures[1]))


def growth(name: str, backend: Backend, budget: float | None = None) -> tuple[list[Figure], str]:
    """The launch rate over each of :data:`WINDOWS` in one backend grown window by window
    (each window timed as :data:`WINDOW_RUNS` runs): for a peer whose backend is the
    process's, so that windows cannot take turns. With a ``budget``, the curve stops before
    a window whose launches would take longer than that to reach; the second value then
    says why."""
    measured: list[tuple[int, Figure]] = []
    done = 0
    with backend() as fleet:
        for first in WINDOWS:
            last = first + WINDOW - 1
            if budget is not None and len(measured) >= 2:
                needed = projected_seconds(measured[-2:], done, last)
                if needed > budget:
                    return [figure for _, figure in measured], (
                        f"{name} stopped after launches {done - WINDOW + 1:,}-{done:,}: "
                        f"{done + 1:,}-{last:,} would take ~{needed:,.0f} s at its slowing "
                        f"rate (budget {budget:g} s)"
                    )
            launch(fleet, first - 1 - done)
            gc.collect()
            runs = tuple(
                per_second(BATCH, lambda: launch(fleet, BATCH)) for _ in range(WINDOW_RUNS)
            )
            done = last
            measured.append((first, Figure(f"{name}, launches {first:,}-{last:,}", runs, UNIT)))
    return [figure for _, figure in measured], ""


def sim_growth(name: str) -> list[Figure]:
    """launch-sim's launch rate over each of :data:`WINDOWS`, the windows side by side: one
    simulator per window, grown untimed to the window's first launch, then the windows take
    turns run by run (:func:`alternating`), so the machine's drift falls on every window
    alike. Measured one after the other, a slow minute during the last window read as
    growth (1.25x in one run whose other windows were flat)."""
    trials = []
    for first in WINDOWS:
        sim = Simulator.from_seed()
        with mock_ec2(sim):
            fleet = sim_fleet(client())
            launch(fleet, first - 1)
        trials.append(
            (
                f"{name}, launches {first:,}-{first + WINDOW - 1:,}",
                functools.partial(_timed_batch, sim, fleet),
            )
        )
    gc.collect()
    return list(alternating(WINDOW_RUNS, UNIT, *trials))


def _timed_batch(sim: Simulator, fleet: Fleet) -> float:
    """:data:`BATCH` launches into ``sim``, timed; its client was made in a block of it."""
    with mock_ec2(sim):
        return per_second(BATCH, lambda: launch(fleet, BATCH))


def projected_seconds(windows: list[tuple[int, Figure]], done: int, until: int) -> float:
    """Seconds from launch ``done`` to ``until``, the time a launch takes growing in a
    straight line through the two windows' midpoints (moto's grows with its state)."""
    (first_one, one), (first_two, two) = windows
    slope = (1 / two.median - 1 / one.median) / (first_two - first_one)
    at_two = first_two + WINDOW / 2
    return (until - done) * (2 / two.median + slope * (done + until - 2 * at_two)) / 2


def print_growth(figures: list[Figure], stopped: str, target: float | None) -> None:
    for figure in figures:
        print(figure.line())
    label = f"first vs last window ({figures[0].name.split(',')[0]})"
    print(ratio_line(label, figures[0], figures[-1], target, at_most=True))
    if stopped:
        print(f"  {stopped}")


def run() -> None:
    moto = f"moto {version('moto')}"
    print(
        f"== launches: boto3 {version('boto3')}, 7-mapping walkthrough RunInstances, fresh "
        f"state each round ({LAUNCHES} launches), {ROUNDS} alternating rounds, medians =="
    )
    compared(
        ("HTTP server vs moto server, fresh", HTTP_TARGET),
        "HTTP floor vs moto server (the ceiling over HTTP)",
        ("boto3 -> launch-sim serve --memory (HTTP, 127.0.0.1)", sim_server),
        (f"peer: boto3 -> {moto} moto_server (HTTP)", moto_server),
        ("floor: boto3 -> the same waitress, canned answer", canned_server),
    )
    print("  the same servers as threads of this process (sharing its GIL and CPU caches):")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    compared(
        ("server threads, launch-sim vs moto, fresh", None),
        "floor thread vs moto thread",
        ("boto3 -> launch-sim ServerHandle (thread)", sim_thread),
        (f"peer: boto3 -> {moto} ThreadedMotoServer (thread)", moto_thread),
        ("floor: boto3 -> waitress thread, canned answer", canned_thread),
    )
    compared(
        ("in-process hook vs moto mock_aws, fresh", IN_PROCESS_TARGET),
        "boto3 floor vs moto mock_aws (the ceiling of any boto3 path)",
        ("boto3 -> launch-sim mock_ec2 (in process)", sim_in_process),
        (f"peer: boto3 -> {moto} mock_aws (in process)", moto_in_process),
        ("floor: boto3 with a canned in-process answer", floor),
    )
    windows = ", ".join(f"{first:,}-{first + WINDOW - 1:,}" for first in WINDOWS)
    print(
        f"== launch growth, in process: the rate over launches {windows} ({WINDOW_RUNS} runs "
        f"of {BATCH} each); launch-sim: a simulator per window, the windows taking turns; "
        f"moto: one backend grown window by window =="
    )
    print_growth(sim_growth("launch-sim mock_ec2"), "", GROWTH_TARGET)
    print_growth(*growth(f"{moto} mock_aws", moto_in_process, PEER_BUDGET), None)


if __name__ == "__main__":
    run()
