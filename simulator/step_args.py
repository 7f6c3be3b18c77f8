"""What Gherkin steps are given, read as values: table cells, data tables, JSON doc strings.

The step library (:mod:`simulator.steps`) reads its arguments here, and ``launch-sim
scaffold`` writes features that must read back the same way, so both use these functions.
Nothing here needs pytest or pytest-bdd: the scaffold command stays a plain command.

Table cells and expected values are typed one way everywhere: a cell that is a JSON literal
(``1``, ``true``, ``null``, ``"text"``, ``[...]``) is that value, any other text is a string,
and an empty cell means "no such key". EC2 query values are the exception: they are sent as
written, because converting them is what the query parser is there to do.

A value a step cannot use fails the step with an :class:`AssertionError` saying what was
expected, in words a scenario's reader can act on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from simulator.errors import BadInput
from simulator.jsonio import UnsupportedJSON, load_json
from simulator.report import ABSENT, show

DataTable = Sequence[Sequence[str]]

QUERY_HEADER = ("Name", "Value")
PROPERTIES_HEADER = ("property", "value")
REPLAYED_AS = "replayed"
"""How replay reports name the fresh side of a difference (``recorded 1, replayed 2``)."""

_LIST_INDEX = re.compile(r"0|[1-9][0-9]*")


def expect(condition: bool, message: str) -> None:
    """Fail the step with ``message``: a sentence a scenario's reader can act on."""
    if not condition:
        raise AssertionError(message)


def typed_cell(text: str) -> Any:
    """A table cell or expected value: a JSON literal when it is one, else the text itself."""
    try:
        return load_json(text)
    except (json.JSONDecodeError, UnsupportedJSON):
        return text


def table_records(datatable: DataTable) -> list[dict[str, Any]]:
    """One dict per row below the header row; an empty cell leaves its key out."""
    header, *rows = datatable
    return [
        {key: typed_cell(cell) for key, cell in zip(header, row, strict=True) if cell != ""}
        for row in rows
    ]


def table_pairs(datatable: DataTable, header: tuple[str, str]) -> list[tuple[str, str]]:
    """The rows of a two-column table whose first row must be ``header``, cells as written."""
    first, *rows = datatable
    expect(
        tuple(first) == header,
        f"the table must start with the row | {header[0]} | {header[1]} |, "
        f"not | {' | '.join(first)} |",
    )
    return [(row[0], row[1]) for row in rows]


def table_column(datatable: DataTable, header: str) -> list[str]:
    """The cells of a one-column table whose first row must be ``header``, as written."""
    first, *rows = datatable
    expect(list(first) == [header], f"the table must be one column headed | {header} |")
    return [row[0] for row in rows]


def _json_doc_string(text: str, what: str) -> Any:
    """Parse a doc string that must hold JSON, saying which step's it was."""
    try:
        return load_json(text)
    except (json.JSONDecodeError, UnsupportedJSON) as exc:
        raise AssertionError(f"{what} is not JSON: {exc}") from None


def json_object(text: str, what: str) -> dict[str, Any]:
    """Parse a doc string that must hold one JSON object, saying which step's it was."""
    return object_value(_json_doc_string(text, what), what)


def object_value(value: Any, what: str) -> dict[str, Any]:
    """A value read as JSON (a doc string, a file) that must be one object."""
    if not isinstance(value, dict):
        raise AssertionError(f"{what} must be a JSON object {{...}}, not {show(value)}")
    return value


def json_pairs(text: str, what: str) -> list[tuple[str, str]]:
    """Parse a doc string that must hold a JSON list of ``[name, value]`` pairs of strings."""
    value = _json_doc_string(text, what)
    expect(
        isinstance(value, list)
        and all(
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
            for pair in value
        ),
        f'{what} must be a JSON list of ["Name", "Value"] pairs of strings, not {show(value)}',
    )
    return [(name, item) for name, item in value]


def set_at_pointer(document: Any, pointer: str, value: Any) -> None:
    """Set the value a JSON pointer (RFC 6901) names: a dict key (new or not) or a list item
    that exists. A pointer into nothing is a :class:`BadInput` naming it."""
    if not pointer.startswith("/"):
        raise BadInput(f"{pointer!r} is not a JSON pointer: it must start with /")
    *parents, last = (part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/"))
    container = document
    try:
        for part in parents:
            container = container[_key(container, part)]
        key = _key(container, last)
        if isinstance(container, list):
            container[key]  # an item must exist to be replaced
        container[key] = value
    except (LookupError, TypeError, ValueError):
        raise BadInput(f"{pointer}: no such place in the document") from None


def _key(container: Any, part: str) -> Any:
    """A pointer token as the key of ``container``: list indexes are plain decimal numbers."""
    if isinstance(container, list):
        if not _LIST_INDEX.fullmatch(part):
            raise ValueError(part)
        return int(part)
    return part


def recorded_and_replayed(values: str) -> tuple[str, str]:
    """``RECORDED, replayed REPLAYED`` split where the recorded part is a whole value (JSON or
    ``(absent)``): a recorded string may itself hold ``, replayed ``."""
    separator = f", {REPLAYED_AS} "
    splits = [
        (values[:at], values[at + len(separator) :])
        for at in range(len(values))
        if values.startswith(separator, at)
    ]
    for recorded, replayed in splits:
        if recorded == show(ABSENT) or _is_json(recorded):
            return recorded, replayed
    return splits[0]


def _is_json(text: str) -> bool:
    try:
        load_json(text)
    except (json.JSONDecodeError, UnsupportedJSON):
        return False
    return True


def reported_value(text: str) -> Any:
    """A value as a replay report writes it: JSON, or ``(absent)`` for no value at all."""
    return ABSENT if text == show(ABSENT) else typed_cell(text)
