"""Conversation benchmark (issue 11): the actions around a launch stay O(ids asked).

DescribeInstances and TerminateInstances for one id go from the EC2 id through the instance
mapping to the instance row, two dictionary lookups at any table size; the benchmark shows
it by asking for one id at 10 instances and at 100,000 (target: within 1.5x). Every request
goes through :meth:`EC2Service.handle` (parse, action, render), as a client's does.

A launch adds one instance row, so the walkthrough launch rate and the one-id
DescribeInstances rate are also measured as the table grows: after 100, 1,100 and 10,100
walkthrough launches.

The large tables are filled with launches of 1,000 instances each (no mappings, the quota
raised for it): that fills the same table a million walkthrough requests would, in seconds.
"""

from __future__ import annotations

import functools
import gc
import random
from collections.abc import Callable, Sequence

from bench.timing import alternating, per_second, rate, ratio_line
from bench.walkthrough import WALKTHROUGH
from simulator import Simulator
from simulator.boto3_params import query_params
from simulator.compute import Quotas
from simulator.ec2ids import id_to_ec2_id
from simulator.service import EC2Service
from simulator.store import MappingTable

SIZES = (10, 100_000)
MAX_RATIO = 1.5
DESCRIBES = 5_000
TERMINATES = 1_000
REPEATS = 5
FILL_BATCH = 1_000
GROWTH = (100, 1_100, 10_100)
GROWTH_LAUNCHES = 100
Params = Sequence[tuple[str, str]]

LAUNCH = query_params(
    {
        "ImageId": "ami-00000001",
        "MinCount": 1,
        "MaxCount": 1,
        "InstanceType": "m1.small",
        "BlockDeviceMappings": WALKTHROUGH,
    },
    "walkthrough",
)


def simulator() -> Simulator:
    """A seeded simulator whose quota lets one request fill a batch of the table (the last
    one's rows collected first, so that no run pays for them)."""
    gc.collect()
    return Simulator.from_seed(
        keep_calls=1, quotas=Quotas(instances=FILL_BATCH, cores=FILL_BATCH, ram=2048 * FILL_BATCH)
    )


def fill(sim: Simulator, count: int) -> list[str]:
    """Launch ``count`` plain instances (batches of :data:`FILL_BATCH`); their EC2 ids."""
    ids: list[str] = []
    while len(ids) < count:
        batch = min(FILL_BATCH, count - len(ids))
        result = sim.run_instances(image_id="ami-00000001", min_count=batch, max_count=batch)
        ids.extend(item["instanceId"] for item in result["instancesSet"])
    return ids


def answered(service: EC2Service, params: Params) -> None:
    """One request that must succeed: a benchmark of refusals would measure nothing."""
    outcome = service.handle(params)
    if outcome.status != 200:
        raise RuntimeError(f"{params[0][1]} refused: {outcome.error_code} {outcome.error_message}")


def describing(service: EC2Service, ids: list[str], count: int) -> Callable[[], int]:
    """``count`` DescribeInstances of one id each, cycling through ``ids``."""
    requests = [
        (("Action", "DescribeInstances"), ("InstanceId.1", ids[n % len(ids)])) for n in range(count)
    ]
    for params in requests[: len(ids)]:
        answered(service, params)

    def run() -> int:
        for params in requests:
            answered(service, params)
        return len(requests)

    return run


def describe_trial(size: int) -> Callable[[], float]:
    """A table of ``size`` instances (filled now, untimed) and a timed run of
    DescribeInstances against it, to take turns with the other size's."""
    sim = simulator()
    ids = fill(sim, size)
    asked = random.Random(size).sample(ids, min(len(ids), 1_000))
    return functools.partial(per_second, DESCRIBES, describing(EC2Service(sim), asked, DESCRIBES))


def terminate_trial(size: int) -> Callable[[], float]:
    """A table of ``size`` instances; each run terminates :data:`TERMINATES` instances
    launched for it (untimed), one per request; the terminated rows stay, as Nova's soft
    delete leaves them."""
    sim = simulator()
    service = EC2Service(sim)
    fill(sim, size)

    def trial() -> float:
        doomed = fill(sim, TERMINATES)
        random.Random(len(doomed)).shuffle(doomed)

        def terminate() -> None:
            for ec2_id in doomed:
                answered(service, (("Action", "TerminateInstances"), ("InstanceId.1", ec2_id)))

        return per_second(len(doomed), terminate)

    return trial


def sizes_in_turns(
    action: str, trial: Callable[[int], Callable[[], float]], detail: str = ""
) -> None:
    """``action`` at each of :data:`SIZES`, the sizes taking turns run by run (both tables
    are built first), so that the machine's drift falls on both alike, and their ratio."""
    small, large = alternating(
        REPEATS,
        "requests/s",
        *((f"{action}, one id, {size:,} instances{detail}", trial(size)) for size in SIZES),
    )
    print(small.line())
    print(large.line())
    print(
        ratio_line(
            f"{action}: {SIZES[0]:,} vs {SIZES[1]:,} instances",
            small,
            large,
            MAX_RATIO,
            at_most=True,
        )
    )


def growth() -> None:
    """Walkthrough launches and one-id describes after 100, 1,100 and 10,100 launches."""
    sim = simulator()
    service = EC2Service(sim)
    launched = 0
    for target in GROWTH:
        while launched < target:
            answered(service, LAUNCH)
            launched += 1
        rows = [row_id for row_id, _ in sim.store.mapping_rows(MappingTable.INSTANCES)]
        asked = [id_to_ec2_id(row_id) for row_id in random.Random(target).sample(rows, 100)]
        print(
            rate(
                f"DescribeInstances, one id, after {launched:,} launches",
                describing(service, asked, DESCRIBES),
                unit="requests/s",
            ).line()
        )

        def launches() -> int:
            for _ in range(GROWTH_LAUNCHES):
                answered(service, LAUNCH)
            return GROWTH_LAUNCHES

        print(
            rate(
                f"walkthrough launches, {GROWTH_LAUNCHES} per run, after {launched:,}",
                launches,
                unit="launches/s",
            ).line()
        )
        launched += 5 * GROWTH_LAUNCHES


def run() -> None:
    print(
        f"== conversation: one-id DescribeInstances / TerminateInstances through "
        f"EC2Service.handle at {SIZES[0]:,} and {SIZES[1]:,} instances, medians of "
        f"{REPEATS} runs, the sizes taking turns =="
    )
    sizes_in_turns("DescribeInstances", describe_trial)
    sizes_in_turns("TerminateInstances", terminate_trial, f" (+{TERMINATES:,} a run)")
    growth()


if __name__ == "__main__":
    run()
