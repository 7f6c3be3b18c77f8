"""Seed files: the store state a launch needs, validated before anything is written.

A bad seed must never half-apply: the file is parsed, checked against
``seed.schema.json`` and checked for conflicts with rows already in the store before the
first write, and every problem is reported on one line as ``file: /json/pointer: reason``.

Seeds are also written here, from store rows: the rows a recording touched (a cassette's
seed, grown by :func:`merge_seeds` as the cassette grows) or every row (``store export``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulator.contracts import ContractRegistry
from simulator.ec2ids import ec2_id_to_id, id_to_ec2_id, image_type
from simulator.errors import SeedConflict, SeedError, Violation
from simulator.id_prefixes import EC2_ID_PREFIXES, ec2_id_template
from simulator.images import IMAGE_FIELDS
from simulator.jsonio import read_json, sorted_keys
from simulator.store import (
    IMAGES,
    INSTANCE_TYPES,
    MappingStore,
    MappingTable,
    TouchedRows,
)
from simulator.store.tables import MAX_ROW_ID, PAST_MAX_ROW_ID

SeedSource = str | Path | dict[str, Any]

MAPPING_SECTIONS: dict[str, MappingTable] = {
    "s3_images": MappingTable.S3_IMAGES,
    "snapshots": MappingTable.SNAPSHOTS,
    "volumes": MappingTable.VOLUMES,
    "instances": MappingTable.INSTANCES,
}
IMAGE_KEYS = (*IMAGE_FIELDS, "properties")
"""What a seed's image entry may hold beside its ids."""


def load_seed(source: SeedSource, contracts: ContractRegistry) -> dict[str, Any]:
    """The seed as a dict, schema-checked; ``source`` is a path or an already parsed dict."""
    label = "<seed>" if isinstance(source, dict) else str(source)
    seed = source if isinstance(source, dict) else read_json(source, "seed")
    violations = contracts.validate("seed", seed)
    if violations:
        raise SeedError(f"{label}: {describe_violations(violations)}")
    return seed


def check_seed(seed: dict[str, Any], label: str = "<seed>") -> None:
    """Raise :class:`SeedError` for what refuses a validated seed whatever the store: an id
    mapped twice, a flavor named twice with other values, an id out of range, a row the
    store would refuse.

    For a caller about to open, and so perhaps create, a store file: the seed is applied to
    an in-memory store first, so a seed that fits no store leaves no file behind (a new
    ``--store`` used to be left empty, locked and journaled). Conflicts with the rows of
    the store itself can only be found once it is open, and change nothing there.
    """
    apply_seed(MappingStore.in_memory(), seed, label)


def describe_violations(violations: list[Violation]) -> str:
    """Schema violations in one line: the first, and how many more there are."""
    more = len(violations) - 1
    return f"{violations[0]}" + (f" (and {more} more)" if more else "")


def _image_record(entry: dict[str, Any]) -> dict[str, Any]:
    record = {"id": entry["uuid"]}
    record.update({key: entry[key] for key in IMAGE_KEYS if key in entry})
    return record


def _planned_rows(seed: dict[str, Any]) -> list[tuple[str, MappingTable, int, str]]:
    rows = []
    for index, image in enumerate(seed.get("images", [])):
        if "ec2_id" in image:
            rows.append(
                (
                    f"/images/{index}/ec2_id",
                    MappingTable.S3_IMAGES,
                    ec2_id_to_id(image["ec2_id"]),
                    image["uuid"],
                )
            )
    for section, table in MAPPING_SECTIONS.items():
        for index, entry in enumerate(seed.get(section, [])):
            rows.append(
                (f"/{section}/{index}/ec2_id", table, ec2_id_to_id(entry["ec2_id"]), entry["uuid"])
            )
    return rows


def _check_new_records(
    label: str,
    section: str,
    key: str,
    records: list[dict[str, Any]],
    existing: Callable[[str], dict[str, Any] | None],
) -> None:
    """Refuse a record whose key is already taken by a different record: of the seed itself
    (SeedError), or of the store (SeedConflict: the seed may fit another store)."""
    seen: dict[str, dict[str, Any]] = {}
    for index, record in enumerate(records):
        name = record[key]
        for other, error in ((seen.get(name), SeedError), (existing(name), SeedConflict)):
            if other is not None and other != record:
                raise error(f"{label}: /{section}/{index}: {name} already exists with other values")
        seen[name] = record


def apply_seed(store: MappingStore, seed: dict[str, Any], label: str = "<seed>") -> None:
    """Write a validated seed into ``store``; rows already there with the same value are kept.

    Every conflict, and every row the store would refuse (an id 0, a NaN in a property), is
    found before the first write, so a refused seed changes nothing.
    """
    rows = _planned_rows(seed)
    planned: dict[tuple[MappingTable, int], str] = {}
    for pointer, table, row_id, uuid in rows:
        if row_id < 1:
            raise SeedError(f"{label}: {pointer}: EC2 ids start at 1; this one is {row_id}")
        if row_id > MAX_ROW_ID:
            raise SeedError(f"{label}: {pointer}: the EC2 id's row id is {PAST_MAX_ROW_ID}")
        for existing, error in (
            (planned.get((table, row_id)), SeedError),
            (store.mapping_uuid(table, row_id), SeedConflict),
        ):
            if existing is not None and existing != uuid:
                raise error(
                    f"{label}: {pointer}: row {row_id} of {table.value} already maps to {existing}"
                )
        planned[(table, row_id)] = uuid
    images = [_image_record(entry) for entry in seed.get("images", [])]
    itypes = [dict(entry) for entry in seed.get("instance_types", [])]
    _check_new_records(label, "images", "id", images, store.image)
    _check_new_records(label, "instance_types", "name", itypes, store.instance_type)
    for section, records in ((IMAGES, images), (INSTANCE_TYPES, itypes)):
        for index, record in enumerate(records):
            refusal = store.row_refusal(section, record)
            if refusal is not None:
                raise SeedError(f"{label}: /{section}/{index}: {refusal}")
    for record in images:
        if store.image(record["id"]) is None:
            store.add_image(record)
    for _, table, row_id, uuid in rows:
        store.add_mapping(table, uuid, row_id)
    for itype in itypes:
        if store.instance_type(itype["name"]) is None:
            store.add_instance_type(itype)


# --- seeds from store rows ----------------------------------------------------------------


def seed_from_rows(rows: TouchedRows, *, catalogue: bool = True) -> dict[str, Any]:
    """The seed that recreates ``rows``; sections and entries in id order.

    ``catalogue=False`` (Glance was the image service) leaves the store's image catalogue
    out: Glance's answers are in the exchanges, so only the s3 id mappings matter.
    """
    s3_rows: dict[str, list[int]] = {}
    for row_id, image_uuid in rows.mappings[MappingTable.S3_IMAGES]:
        s3_rows.setdefault(image_uuid, []).append(row_id)
    images: list[dict[str, Any]] = []
    for record in rows.images if catalogue else []:
        details = {key: sorted_keys(record[key]) for key in IMAGE_KEYS if key in record}
        prefix = image_type(record.get("container_format"))
        row_ids = s3_rows.pop(record["id"], [])
        entries: list[dict[str, Any]] = [
            {"ec2_id": id_to_ec2_id(row_id, ec2_id_template(prefix))} for row_id in row_ids
        ] or [{}]
        images += [{**entry, "uuid": record["id"], **details} for entry in entries]
    mappings = {
        **rows.mappings,
        MappingTable.S3_IMAGES: sorted(
            (row_id, image_uuid) for image_uuid, row_ids in s3_rows.items() for row_id in row_ids
        ),
    }
    seed: dict[str, Any] = {"images": images} if images else {}
    for section, table in MAPPING_SECTIONS.items():
        template = ec2_id_template(EC2_ID_PREFIXES[section])
        entries = [
            {"ec2_id": id_to_ec2_id(row_id, template), "uuid": row_uuid}
            for row_id, row_uuid in mappings[table]
        ]
        if entries:
            seed[section] = entries
    if rows.instance_types:
        seed["instance_types"] = [sorted_keys(itype) for itype in rows.instance_types]
    return seed


def _seed_key(section: str, entry: dict[str, Any]) -> Any:
    if section == "instance_types":
        return entry["name"]
    row_id = ec2_id_to_id(entry["ec2_id"]) if "ec2_id" in entry else None
    return (entry["uuid"], row_id) if section == "images" else row_id


def merge_seeds(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``base`` plus the entries of ``extra`` it lacks, for cassettes that grow.

    ``instances`` rows only mark where instance ids start, and the old interactions must
    start where they did: ``extra``'s are left out (new interactions get a floor instead).
    """
    merged = {section: list(entries) for section, entries in base.items()}
    for section, entries in extra.items():
        if section == "instances":
            continue
        target = merged.setdefault(section, [])
        known = {_seed_key(section, entry) for entry in target}
        for entry in entries:
            if _seed_key(section, entry) not in known:
                known.add(_seed_key(section, entry))
                target.append(entry)
    return merged
