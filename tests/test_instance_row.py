"""An instance's store row: its fields in their order, as the journal and exports write them."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from simulator.compute_instances import Instance


def _instance() -> Instance:
    return Instance(
        uuid="u1",
        ec2_int_id=7,
        reservation_id="r-1",
        launch_index=0,
        project_id="p",
        user_id="u",
        image_ref="i",
        kernel_id=None,
        ramdisk_id=None,
        instance_type={"name": "m1.small"},
        key_name=None,
        security_groups=["default"],
        availability_zone=None,
        hostname="h",
        created_at=datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
    )


def test_the_row_holds_every_field_in_order_then_the_work() -> None:
    instance = _instance()
    row = instance.to_row(["epoch", 1])
    names = [f.name for f in fields(Instance) if f.name not in ("ec2_int_id", "client_token")]
    assert list(row) == [*names, "work"]
    assert row["created_at"] == "2026-01-02T03:04:05.000006+00:00"
    assert row["work"] == ["epoch", 1]
    assert {name: row[name] for name in names if name != "created_at"} == {
        name: getattr(instance, name) for name in names if name != "created_at"
    }


def test_a_client_token_is_a_column_in_its_place() -> None:
    instance = _instance()
    instance.client_token = "token"
    row = instance.to_row(None)
    names = [f.name for f in fields(Instance) if f.name != "ec2_int_id"]
    assert list(row) == [*names, "work"]
    assert row["client_token"] == "token"
    assert "client_token" not in _instance().to_row(None)
