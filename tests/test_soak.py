"""Concurrency soak: 16 client threads x 500 launches against one recording server.

One ``launch-sim serve --record`` process (file store, cassette being recorded) takes a mix
of valid and invalid launches from 16 threads at once. Every answer must be the one its kind
of request gets alone (no 5xx, the right status and code, distinct instance ids); afterwards
the cassette must validate, hold each request that reached the launch path exactly once with
the answer its client got, and replay green; the store must hold one instance row per
instance id answered, and no other new row.
"""

from __future__ import annotations

import random
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests
from conftest import DEFAULT_SEED
from serve_helpers import serving
from test_ec2query import WALKTHROUGH_PARAMS

from simulator import Simulator
from simulator.cassette import load_cassette, replay_cassette
from simulator.store import MappingStore, MappingTable

THREADS, LAUNCHES = 16, 500
Params = list[tuple[str, str]]
LAUNCH: Params = [("Action", "RunInstances"), ("ImageId", "ami-00000001")]
WALKTHROUGH: Params = WALKTHROUGH_PARAMS
JUNK = "aZ09 .-_~%&=+/?#\u00e9\u4e2d\U0001f600\t"


def junk(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(JUNK) for _ in range(length))


@dataclass(frozen=True)
class Kind:
    """One kind of request: how to build it and what it must get."""

    params: Callable[[random.Random], Params]
    status: int
    code: str | None = None
    instances: int = 0
    path: str = "/"

    @property
    def reaches_the_launch_path(self) -> bool:
        """Whether the recorder keeps it (the server's own refusals are not recorded)."""
        return self.status != 404


KINDS = {
    "walkthrough": Kind(lambda rng: WALKTHROUGH, 200, instances=1),
    "two-instances": Kind(
        lambda rng: [*LAUNCH, ("MinCount", "2"), ("MaxCount", "2")], 200, instances=2
    ),
    "junk-params": Kind(
        lambda rng: [
            *LAUNCH,
            *((f"Junk{n}.{junk(rng, 3)}", junk(rng, rng.randrange(40))) for n in range(5)),
        ],
        200,
        instances=1,
    ),
    "unknown-snapshot": Kind(
        lambda rng: [
            *LAUNCH,
            ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
            ("BlockDeviceMapping.1.Ebs.SnapshotId", f"snap-{rng.randrange(0x100, 0x10000):08x}"),
        ],
        400,
        "SnapshotNotFound",
    ),
    "bad-image": Kind(
        lambda rng: [("Action", "RunInstances"), ("ImageId", f"ami-{rng.randrange(4, 999):08x}")],
        400,
        "ImageNotFound",
    ),
    "malformed-id": Kind(
        lambda rng: [
            *LAUNCH,
            ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
            ("BlockDeviceMapping.1.Ebs.SnapshotId", f"snap-{junk(rng, 6)}z"),
        ],
        400,
        "UnknownError",
    ),
    "no-action": Kind(
        lambda rng: [(f"Garbage{n}", junk(rng, 10)) for n in range(rng.randrange(1, 6))],
        400,
        "MissingParameter",
    ),
    "wrong-path": Kind(lambda rng: LAUNCH, 404, "InvalidRequest", path="latest/meta-data/"),
}
SMALL = next(flavor for flavor in DEFAULT_SEED["instance_types"] if flavor["name"] == "m1.small")
PLAIN_CALL = {
    "instance_type": SMALL,
    "image_href": "70a599e0-31e7-49b7-b260-868f441e862b",
    "min_count": 1,
    "max_count": 1,
    "kernel_id": None,
    "ramdisk_id": None,
    "key_name": None,
    "user_data": None,
    "security_group": None,
    "availability_zone": None,
    "block_device_mapping": {},
}
WALKTHROUGH_MAPPINGS = [
    {
        "device_name": "/dev/fake0",
        "snapshot_id": "00000000-1111-2222-3333-444444444444",
        "volume_size": 1,
        "delete_on_termination": True,
    },
    {
        "device_name": "/dev/fake1",
        "snapshot_id": "11111111-2222-3333-4444-555555555555",
        "delete_on_termination": False,
    },
    {
        "device_name": "/dev/fake2",
        "volume_id": "22222222-3333-4444-5555-666666666666",
        "volume_size": 2,
        "delete_on_termination": True,
    },
    {
        "device_name": "/dev/fake3",
        "volume_id": "77777777-8888-9999-0000-aaaaaaaaaaaa",
        "delete_on_termination": False,
    },
    {"device_name": "/dev/fake4", "no_device": True},
    {"device_name": "/dev/fake5", "virtual_name": "ephemeral0"},
    {"device_name": "/dev/fake6", "virtual_name": "swap"},
]
CREATE_CALLS: dict[str, list[dict[str, object]]] = {
    "walkthrough": [{**PLAIN_CALL, "block_device_mapping": WALKTHROUGH_MAPPINGS}],
    "two-instances": [{**PLAIN_CALL, "min_count": 2, "max_count": 2}],
    "junk-params": [PLAIN_CALL],
    "unknown-snapshot": [],
    "bad-image": [],
    "malformed-id": [],
    "no-action": [],
}
"""The create call each kind gets, worked out from the default seed and Nova's rules (the
EC2 ids become their rows' uuids, ``delete_on_termination`` defaults to True, m1.small is
the seed's default flavor), not asked of the simulator under test."""
MIX = ["walkthrough", "walkthrough", "walkthrough", *KINDS]
"""Walkthrough launches are the main course; every other kind comes once per cycle."""
EC2 = "{http://ec2.amazonaws.com/doc/2012-08-15/}"


@dataclass(frozen=True)
class Answer:
    kind: str
    token: str
    status: int
    code: str | None
    instance_ids: tuple[str, ...]


def read_answer(kind: str, token: str, response: requests.Response) -> Answer:
    root = ET.fromstring(response.content)
    return Answer(
        kind,
        token,
        response.status_code,
        root.findtext("Errors/Error/Code"),
        tuple(item.text or "" for item in root.iter(f"{EC2}instanceId")),
    )


def client(endpoint: str, number: int, answers: list[Answer]) -> None:
    """One client thread: its share of the mix, each request tagged with a ClientToken."""
    rng = random.Random(number)
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: 127.0.0.1 only
        for step in range(LAUNCHES):
            name = MIX[(number + step) % len(MIX)]
            kind = KINDS[name]
            token = f"{name}/{number}/{step}"
            data = [*kind.params(rng), ("ClientToken", token)]
            response = session.post(endpoint + kind.path, data=data, timeout=60)
            answers.append(read_answer(name, token, response))


def wrong(answer: Answer) -> bool:
    kind = KINDS[answer.kind]
    expected = (kind.status, kind.code, kind.instances)
    return (answer.status, answer.code, len(answer.instance_ids)) != expected


def test_sixteen_threads_of_500_mixed_launches_against_one_recording_server(
    tmp_path: Path, report_figure: Callable[[str], None]
) -> None:
    store_path, cassette_path = tmp_path / "store.json", tmp_path / "soak.json"
    answers: list[list[Answer]] = [[] for _ in range(THREADS)]
    with serving("--store", str(store_path), "--record", str(cassette_path)) as server:
        threads = [
            threading.Thread(target=client, args=(server.endpoint, n, answers[n]))
            for n in range(THREADS)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    everything = [answer for per_thread in answers for answer in per_thread]
    server_errors = sum(answer.status >= 500 for answer in everything)
    wrong_answers = [answer for answer in everything if wrong(answer)]
    report_figure(
        f"soak: {len(everything)} requests from {THREADS} threads in {seconds:.1f} s "
        f"({len(everything) / seconds:.0f}/s), {server_errors} 5xx, "
        f"{len(wrong_answers)} wrong answers"
    )
    assert server.returncode == 0, server.stderr
    assert "Traceback" not in server.stderr
    assert len(everything) == THREADS * LAUNCHES
    assert (server_errors, wrong_answers[:3]) == (0, [])

    instance_ids = [ec2_id for answer in everything for ec2_id in answer.instance_ids]
    assert len(instance_ids) == len(set(instance_ids))

    recorded = {
        answer.token: answer for answer in everything if KINDS[answer.kind].reaches_the_launch_path
    }
    check_cassette(cassette_path, recorded, server.stderr, report_figure)
    check_store(store_path, instance_ids)


def check_cassette(
    path: Path,
    sent: dict[str, Answer],
    server_stderr: str,
    report_figure: Callable[[str], None],
) -> None:
    """The cassette holds each recorded request once, with its client's answer, and replays."""
    assert f"{len(sent)} interaction(s) recorded, 0 difference(s)" in server_stderr
    cassette = load_cassette(path)
    tokens = [dict(i.request.params)["ClientToken"] for i in cassette.interactions]
    assert Counter(tokens) == Counter(sent.keys())
    for interaction, token in zip(cassette.interactions, tokens, strict=True):
        answer = sent[token]
        response = interaction.response
        assert (response.status, response.error_code, response.instance_ids) == (
            answer.status,
            answer.code,
            answer.instance_ids,
        )
        assert list(interaction.create_calls) == CREATE_CALLS[answer.kind], token
    kinds = Counter(answer.kind for answer in sent.values())
    started = time.perf_counter()
    replay = replay_cassette(cassette, str(path)).result
    seconds = time.perf_counter() - started
    report_figure(
        f"soak cassette: {len(cassette.interactions)} interactions "
        f"({', '.join(f'{kind} {count}' for kind, count in sorted(kinds.items()))}), "
        f"replayed in {seconds:.1f} s, {len(replay.failures)} mismatches"
    )
    assert not replay.failures


def check_store(path: Path, instance_ids: list[str]) -> None:
    """One instance row per instance id answered, nothing lost, nothing else created."""
    fresh = Simulator.from_seed().store
    with MappingStore.open(path) as store:
        rows = list(store.mapping_rows(MappingTable.INSTANCES))
        others = {table: store.mapping_count(table) for table in MappingTable}
    assert sorted(f"i-{row_id:08x}" for row_id, _ in rows) == sorted(instance_ids)
    assert len({uuid for _, uuid in rows}) == len(rows)
    del others[MappingTable.INSTANCES]
    assert others == {table: fresh.mapping_count(table) for table in others}
