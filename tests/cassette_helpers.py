"""Helpers shared by the cassette tests (a module, not a conftest: they are plain functions)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator import ec2_bdm
from simulator.store import MappingStore


def default_on_termination(value: bool) -> Callable[..., Any]:
    """``parse_block_device_mapping`` with another default for ``delete_on_termination``:
    the "one normalization rule changed" that replay must catch."""
    original = ec2_bdm.parse_block_device_mapping

    def changed(store: MappingStore, mapping: Any, *rule: Any) -> Any:
        ebs = mapping.get("ebs")
        if ebs and ebs.get("snapshot_id"):
            ebs.setdefault("delete_on_termination", value)
        return original(store, mapping, *rule)

    return changed
