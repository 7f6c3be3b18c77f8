"""The EC2 side of block devices: the request's mappings as the EC2 API hands them to compute.

Nova's ``CloudController._parse_block_device_mapping`` normalizes one EC2 mapping for the
create call; the rows compute then builds for the instance are :mod:`simulator.compute_bdm`.

Grizzly 2013.1 semantics (after LP #1089371): the ``ebs`` sub-dict is always popped; its
``snapshot_id`` is an EC2 id that becomes ``snapshot_id`` (``snap-``) or ``volume_id``
(``vol-``) as a UUID through the mapping store, any other prefix is dropped silently, and
``delete_on_termination`` defaults to True only when an id was given. Nothing else is
validated, exactly as in Nova: odd input passes through or fails the way Nova's did.
Folsom (:attr:`SnapshotLookup.VOLUME_TABLE_FIRST`) still had the bug: every id went
through the volume table before its prefix was looked at.
"""

from __future__ import annotations

from typing import Any

from simulator import id_mappings
from simulator.id_prefixes import EC2_ID_PREFIXES
from simulator.profiles import SnapshotLookup
from simulator.store import MappingStore

_SNAPSHOT = EC2_ID_PREFIXES["snapshots"] + "-"
_VOLUME = EC2_ID_PREFIXES["volumes"] + "-"


def _volume_table_first(store: MappingStore, ec2_id: Any) -> tuple[str, str] | None:
    """Folsom's rule: the id's uuid from the volume table, then its key by prefix (None
    drops the id)."""
    uuid = id_mappings.ec2_vol_id_to_uuid(store, ec2_id)
    if ec2_id.startswith(_SNAPSHOT):
        return "snapshot_id", uuid
    if ec2_id.startswith(_VOLUME):
        return "volume_id", uuid
    return None


_BY_PREFIX = SnapshotLookup.BY_PREFIX
"""Every release's rule but Folsom's, which :func:`parse_block_device_mapping` tells apart by
identity: an Enum member hashes through the Python-level ``Enum.__hash__`` (a frame for
every mapping of every launch), and reading the member off its class each time is no
cheaper (``EnumType``'s ``__getattr__`` hook slows every class attribute lookup): it is read
once, here."""


def parse_block_device_mapping(
    store: MappingStore, bdm: Any, lookup: SnapshotLookup = SnapshotLookup.BY_PREFIX
) -> Any:
    """Normalize ``bdm`` in place and return it (Nova mutates the request's dicts).

    The by-prefix rule is written in line (the id's prefix names its table and its key, any
    other prefix is dropped): a function returning the key and the uuid cost a frame and a
    tuple for each id of each launch. Folsom's is :func:`_volume_table_first`."""
    ebs = bdm.pop("ebs", None)
    if ebs:
        ec2_id = ebs.pop("snapshot_id", None)
        if ec2_id:
            if lookup is not _BY_PREFIX:
                resolved = _volume_table_first(store, ec2_id)
                if resolved is not None:
                    bdm[resolved[0]] = resolved[1]
            elif ec2_id.startswith(_SNAPSHOT):
                bdm["snapshot_id"] = id_mappings.ec2_snap_id_to_uuid(store, ec2_id)
            elif ec2_id.startswith(_VOLUME):
                bdm["volume_id"] = id_mappings.ec2_vol_id_to_uuid(store, ec2_id)
            ebs.setdefault("delete_on_termination", True)
        bdm.update(ebs)
    return bdm
