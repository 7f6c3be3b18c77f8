"""Seeds: validated before anything is written, one-line errors naming file and pointer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulator import Simulator
from simulator.errors import SeedError
from simulator.seed import apply_seed
from simulator.store import MappingStore, MappingTable


def write(tmp_path: Path, data: Any, name: str = "seed.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (
            "{not json",
            "not JSON: Expecting property name enclosed in double quotes at line 1 column 2",
        ),
        ({"images": [{"uuid": "x", "name": "a"}]}, "/images/0/uuid"),
        (
            {"snapshots": [{"ec2_id": "snap-zz", "uuid": "00000000-1111-2222-3333-444444444444"}]},
            "/snapshots/0/ec2_id",
        ),
        (
            {"volumes": [{"ec2_id": "snap-1", "uuid": "00000000-1111-2222-3333-444444444444"}]},
            "/volumes/0/ec2_id",
        ),
        ({"flavors": []}, "Additional properties are not allowed ('flavors' was unexpected)"),
        ({"instance_types": [{"name": "x"}]}, "/instance_types/0"),
        (
            {"images": [{"uuid": "00000000-1111-2222-3333-444444444444", "name": None}]},
            "/images/0/name: None is not of type 'string'",
        ),
        (
            '{"instance_types": [{"vcpus": ' + "1" * 4301 + "}]}",
            "not JSON this reader accepts: an integer has more than 4300 digits",
        ),
        ("[" * 100_000, "not JSON this reader accepts: nested too deeply"),
        ('{"images": "cirr', "not JSON: Unterminated string starting at line 1 column 12"),
        (
            '{"snapshots": [{"ec2_id": "snap-00000001", "uuid": "x"}], "snapshots": []}',
            "the key 'snapshots' appears twice in one object",
        ),
    ],
)
def test_bad_seed_is_one_line(tmp_path: Path, content: Any, fragment: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(SeedError) as caught:
        Simulator.from_seed(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)) and fragment in message


def test_missing_seed_file(tmp_path: Path) -> None:
    with pytest.raises(SeedError, match="no such seed file"):
        Simulator.from_seed(tmp_path / "absent.json")


def test_conflicting_seed_changes_nothing(tmp_path: Path) -> None:
    store_path = tmp_path / "store.json"
    Simulator.open(store_path).close()
    before = MappingStore.open(store_path)
    snapshot_rows = list(before.mapping_rows(MappingTable.SNAPSHOTS))
    before.close()
    conflicting = {
        "images": [{"uuid": "9a9a9a9a-0000-0000-0000-000000000000", "name": "new"}],
        "snapshots": [{"ec2_id": "snap-12345678", "uuid": "99999999-9999-9999-9999-999999999999"}],
    }
    with pytest.raises(
        SeedError, match=r"/snapshots/0/ec2_id: row 305419896 of snapshot_id_mappings"
    ):
        Simulator.open(store_path, seed=write(tmp_path, conflicting))
    with MappingStore.open(store_path) as after:
        assert list(after.mapping_rows(MappingTable.SNAPSHOTS)) == snapshot_rows
        assert after.image("9a9a9a9a-0000-0000-0000-000000000000") is None


@pytest.mark.parametrize(
    ("refused", "message"),
    [
        (
            {
                "snapshots": [
                    {"ec2_id": "snap-00000000", "uuid": "99999999-9999-9999-9999-999999999999"}
                ]
            },
            "/snapshots/0/ec2_id: EC2 ids start at 1; this one is 0",
        ),
        (
            {
                "images": [
                    {
                        "uuid": "8b8b8b8b-0000-0000-0000-000000000000",
                        "name": "nan",
                        "properties": {"size": float("nan")},
                    }
                ]
            },
            "/images/1: refusing to write a images row: not JSON",
        ),
        (
            {
                "instance_types": [
                    {
                        "name": "m9.inf",
                        "memory_mb": 1,
                        "vcpus": 1,
                        "root_gb": 1,
                        "weight": float("inf"),
                    }
                ]
            },
            "/instance_types/0: refusing to write a instance_types row: not JSON",
        ),
    ],
    ids=["id-zero", "nan-property", "inf-in-a-flavor"],
)
def test_a_row_the_store_refuses_stops_the_seed_before_its_first_write(
    refused: dict[str, Any], message: str
) -> None:
    """The schema admits these; the store does not, and nothing of the seed is written."""
    store = MappingStore.in_memory()
    first = {"uuid": "9a9a9a9a-0000-0000-0000-000000000000", "name": "first"}
    seed = {**refused, "images": [first, *refused.get("images", [])]}
    with pytest.raises(SeedError, match=message):
        apply_seed(store, seed, "s.json")
    assert store.image("9a9a9a9a-0000-0000-0000-000000000000") is None
    assert store.is_empty()


def test_duplicate_image_inside_one_seed() -> None:
    image = {"uuid": "9a9a9a9a-0000-0000-0000-000000000000", "name": "a"}
    with pytest.raises(
        SeedError, match="/images/1: 9a9a9a9a-0000-0000-0000-000000000000 already exists"
    ):
        Simulator.from_seed({"images": [image, {**image, "name": "b"}]})


def test_reapplying_the_same_seed_is_a_no_op(tmp_path: Path) -> None:
    store_path = tmp_path / "store.json"
    Simulator.open(store_path).close()
    with Simulator.open(
        store_path, seed=Path(__file__).parent.parent / "fixtures/seed/default.json"
    ) as sim:
        assert sim.store.mapping_count(MappingTable.SNAPSHOTS) == 2


def test_s3_mapping_rows_without_a_catalogue_image() -> None:
    """A Glance image's s3 row: the id resolves, the store's catalogue does not hold it."""
    uuid = "5d0ac4a2-6b5f-4d34-9c6e-1a2b3c4d5e6f"
    sim = Simulator.from_seed({"s3_images": [{"ec2_id": "ami-00000005", "uuid": uuid}]})
    assert sim.store.mapping_uuid(MappingTable.S3_IMAGES, 5) == uuid
    assert sim.store.image(uuid) is None
    with pytest.raises(SeedError, match="/s3_images/0/ec2_id"):
        Simulator.from_seed({"s3_images": [{"ec2_id": "snap-00000005", "uuid": uuid}]})
