"""JSON Schema registry over ``schemas/``: the contracts records must satisfy.

``jsonschema`` is the reference validator and the error reporter (JSON pointer + reason
for every failure). ``jsonschema-rs`` answers the common question "is it valid?" about
200x faster; only when it says no does the reference validator run to explain why, so
the hot path (every create call of every launch) stays cheap and the reports stay exact.
The reference validator is compiled, and ``jsonschema`` imported, on that first "no": a
replay where every call is valid never pays for either.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from simulator.errors import ContractViolation, Violation
from simulator.jsonio import json_pointer
from simulator.resources import data_dir

if TYPE_CHECKING:
    import jsonschema

SCHEMA_SUFFIX = ".schema.json"


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    """The failures that explain a ``oneOf``/``anyOf`` miss: those of its closest branch.

    jsonschema reports "is not valid under any of the given schemas" at the parent; the
    branch whose failures are not a mere type mismatch of the whole value is the one the
    author meant, and its leaves carry the precise JSON pointers.
    """
    if not error.context:
        return [error]
    branches: dict[Any, list[jsonschema.ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def distance(errors: list[jsonschema.ValidationError]) -> tuple[bool, int]:
        type_miss = any(e.validator == "type" and not e.relative_path for e in errors)
        return type_miss, len(errors)

    closest = min(branches.values(), key=distance)
    return [leaf for sub in closest for leaf in _leaves(sub)]


REASON_LIMIT = 240
"""The longest reason a violation gives. jsonschema writes the failing value's repr into its
message, and that value can be a whole document (a cassette saved as a list is one value
of up to 256 MiB): the one-line error of a command was that long."""
_QUOTED_ENDS = 48
"""How much of each end of a long quoted value a shortened reason keeps."""


def bounded_reason(message: str, instance: Any) -> str:
    """jsonschema's ``message`` in at most :data:`REASON_LIMIT` characters: the failing
    value's repr shortened to its two ends and its length first, then, if a long key or
    pattern still makes it too long, the middle of the message."""
    if len(message) <= REASON_LIMIT:
        return message
    quoted = repr(instance)
    if len(quoted) > 2 * _QUOTED_ENDS and quoted in message:
        short = (
            f"{quoted[:_QUOTED_ENDS]}...{quoted[-_QUOTED_ENDS // 4 :]} ({len(quoted):,} characters)"
        )
        message = message.replace(quoted, short, 1)
    if len(message) > REASON_LIMIT:
        keep = (REASON_LIMIT - 5) // 2
        message = f"{message[:keep]} ... {message[-keep:]}"
    return message


@dataclass
class Contract:
    """One schema, compiled twice: the fast validator at once (which refuses a schema that is
    not valid JSON Schema), the reference one when a failure needs explaining."""

    name: str
    schema: dict[str, Any]
    fast_is_valid: Callable[[Any], bool] = field(init=False)

    def __post_init__(self) -> None:
        self.fast_is_valid = jsonschema_rs.validator_for(
            self.schema, validate_formats=True
        ).is_valid

    @functools.cached_property
    def reference(self) -> jsonschema.protocols.Validator:
        import jsonschema

        validator_class = jsonschema.validators.validator_for(self.schema)
        validator_class.check_schema(self.schema)
        return validator_class(self.schema, format_checker=validator_class.FORMAT_CHECKER)

    def violations(self, instance: Any) -> list[Violation]:
        """Every failing place, deepest first within the document order jsonschema gives."""
        if self.fast_is_valid(instance):
            return []
        return self.reference_violations(instance)

    def reference_violations(self, instance: Any) -> list[Violation]:
        errors = [leaf for error in self.reference.iter_errors(instance) for leaf in _leaves(error)]
        errors.sort(key=lambda error: list(map(str, error.absolute_path)))
        return [
            Violation(
                json_pointer(error.absolute_path), bounded_reason(error.message, error.instance)
            )
            for error in errors
        ]

    def check(self, instance: Any) -> None:
        """:meth:`violations` raised as one ``ContractViolation``; the fast answer asked here,
        not through :meth:`violations`, as every launch's create call is checked."""
        if self.fast_is_valid(instance):
            return
        found = self.reference_violations(instance)
        if found:
            raise ContractViolation(self.name, found)


DOCUMENT_SCHEMAS = ("seed", "cassette", "create_call", "launch_request", "compute_call")
"""The schemas a whole document is checked against (the others are parts of these); on a
tie, the earlier one."""


class ContractRegistry:
    """The schemas shipped with launch-sim, loaded once, by name (``create_call``, ``seed`` ...)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or data_dir("schemas")
        self._contracts: dict[str, Contract] = {}

    def names(self) -> list[str]:
        return sorted(
            p.name[: -len(SCHEMA_SUFFIX)] for p in self.directory.glob("*" + SCHEMA_SUFFIX)
        )

    def __getitem__(self, name: str) -> Contract:
        """The schema named ``name``; a name no schema has is a ValueError listing the known
        ones (a misspelt name, ``createcall``, would otherwise surface as a FileNotFoundError
        naming a path inside the installed package)."""
        contract = self._contracts.get(name)
        if contract is None:
            known = self.names()
            if name not in known:
                raise ValueError(f"no schema named {name!r}: known schemas are {', '.join(known)}")
            path = self.directory / f"{name}{SCHEMA_SUFFIX}"
            with path.open(encoding="utf-8") as handle:
                contract = Contract(name, json.load(handle))
            self._contracts[name] = contract
        return contract

    def validate(self, name: str, instance: Any) -> list[Violation]:
        return self[name].violations(instance)

    def claimed_by(self, data: Any) -> str | None:
        """The document schema whose top-level properties name the most of an object's keys
        (on a tie the earlier one); None for anything else: not an object, or no key any of
        them names (a mistyped launch request, ``{"image": ...}``).

        Counting every key rather than testing one telltale key means a document missing the
        very key that would identify it (a create call without ``image_href``, a cassette
        without ``format``) is still claimed by its own schema, which then says what is
        missing, instead of by the seed schema, which would only list unknown keys.
        """
        if not isinstance(data, dict):
            return None
        shared = {
            name: len(data.keys() & self[name].schema.get("properties", {}).keys())
            for name in DOCUMENT_SCHEMAS
        }
        claimed = max(DOCUMENT_SCHEMAS, key=shared.__getitem__)
        return claimed if shared[claimed] else None

    def schema_for(self, data: Any) -> str:
        """The schema a document is checked against: the one that claims it
        (:meth:`claimed_by`), else a seed's, as for anything but an object."""
        return self.claimed_by(data) or "seed"

    def check(self, name: str, instance: Any) -> None:
        """``self[name].check(instance)``, a loaded schema found without that call."""
        (self._contracts.get(name) or self[name]).check(instance)


@functools.cache
def default_registry() -> ContractRegistry:
    """The shipped schemas, compiled once per process (they never change while it runs)."""
    return ContractRegistry()


def validate(record: Any, schema: str | None = None) -> list[Violation]:
    """Check a record (a create call's ``to_dict()``, a seed, a cassette) against the shipped
    schema it is meant for, or against ``schema`` when named (a name no schema has is a
    ValueError listing the known ones); an empty list means valid.

    What ``launch-sim validate`` does for a file, for a value already in hand.
    """
    registry = default_registry()
    return registry.validate(schema or registry.schema_for(record), record)
