"""``launch-sim scaffold``: a cassette turned into a Gherkin feature people can read and edit.

A cassette is a precise regression contract but not a readable one; a feature written with
the step library (:mod:`simulator.steps`) says the same things in words. Each interaction
becomes a scenario that seeds the recorded store, answers as the recorded profile, sends
the recorded query and checks the status, the EC2 error code, the create call field by field
and the instance count. Any action is sent the same way, so a conversation (describe, stop,
terminate) scaffolds as its RunInstances do.

Scenarios are independent (each starts from the cassette's seed), so an interaction that
only behaves as recorded after earlier ones (a name lookup gave an image the s3 id a later
request uses, say) would fail alone: the scaffold replays each interaction on its own first,
and when it differs, the scenario sends the earlier requests before it. Instance and
reservation ids are left out, since no step checks them and a lone scenario cannot match them.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

from simulator.cassette import Cassette, CassetteError, Interaction, replay_cassette
from simulator.compute import CREATE_CALL_KEYS
from simulator.contracts import default_registry
from simulator.step_args import QUERY_HEADER, typed_cell

SCAFFOLD_LIMIT = 10_000
"""The most interactions ``launch-sim scaffold`` turns into a feature: each is a scenario
replayed on its own first, and a feature of more is no longer one a person reads or edits.
A longer cassette is refused in one line (exit 2) before it is read past this many."""
INDENT = "  "
TITLE_NOISE = frozenset({"Action", "Version", "ClientToken"})
TITLE_WIDTH = 120


_LINE_BREAKS = {
    ord(char): json.dumps(char)[1:-1] for char in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
}


def _one_line(text: str) -> str:
    """``text`` with every character that could break a line escaped as in JSON: a file
    name or a recorded code may hold any of them, and Gherkin is read line by line."""
    return text.translate(_LINE_BREAKS)


def _cell(text: str) -> str:
    """A Gherkin table cell holding ``text`` exactly (pipes, backslashes, newlines escaped)."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "\\n")


def _typed(value: Any) -> str:
    """``value`` as the steps read typed cells back: a JSON literal unless plain text is exact."""
    if isinstance(value, str) and value and typed_cell(value) == value and value.strip() == value:
        return value
    return json.dumps(value, sort_keys=True)


def _table(rows: Iterable[Iterable[str]], depth: int) -> list[str]:
    return [INDENT * depth + "| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]


def _fits_a_cell(text: str) -> bool:
    """Whether a table cell can hold ``text``: Gherkin trims a cell's edges, and a line break
    other than an escaped ``\\n`` would end the row."""
    return text == text.strip() and len(text.replace("\n", "").splitlines()) <= 1


def _query(interaction: Interaction, keyword: str) -> list[str]:
    """The query as a table, or as a JSON doc string when some name or value cannot be a cell."""
    params = interaction.request.params
    if all(_fits_a_cell(name) and _fits_a_cell(value) for name, value in params):
        return [
            f"{INDENT * 2}{keyword} I send the EC2 query:",
            *_table([QUERY_HEADER, *params], 3),
        ]
    pairs = ",\n ".join(json.dumps(list(pair)) for pair in params)
    return [
        f"{INDENT * 2}{keyword} I send the EC2 query as JSON:",
        f'{INDENT * 3}"""',
        *(INDENT * 3 + line for line in f"[{pairs}]".splitlines()),
        f'{INDENT * 3}"""',
    ]


def _is_table(value: Any) -> bool:
    """Whether a block device mapping can be written as the step library's table."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and item for item in value)
    )


def _mapping_table(mappings: list[dict[str, Any]]) -> list[str]:
    """``the block device mapping is:`` and its table, ``device_name`` first."""
    keys = {key for mapping in mappings for key in mapping}
    columns = sorted(keys, key=lambda key: (key != "device_name", key))
    rows = [[_typed(mapping[c]) if c in mapping else "" for c in columns] for mapping in mappings]
    return [INDENT * 2 + "And the block device mapping is:", *_table([columns, *rows], 3)]


def _step(text: str) -> str:
    return INDENT * 2 + text


def _checks(interaction: Interaction) -> list[str]:
    """The Then steps that pin what the recording says about one interaction."""
    response = interaction.response
    lines = [_step(f"Then the HTTP status is {response.status}")]
    what = (
        "launch" if dict(interaction.request.params).get("Action") == "RunInstances" else "request"
    )
    if response.error_code is None:
        lines.append(_step(f"And the {what} succeeds"))
    else:
        code = _one_line(response.error_code)
        lines.append(_step(f'And the {what} fails with EC2 error "{code}"'))
    count = len(interaction.create_calls)
    lines.append(
        _step(
            f"And there {'is' if count == 1 else 'are'} {count} create "
            f"call{'' if count == 1 else 's'}"
        )
    )
    if interaction.create_calls:
        call = interaction.create_calls[-1]
        if not default_registry().validate("create_call", call):
            lines.append(_step("And the create call satisfies the schema"))
        flavor = call.get("instance_type")
        flavor_name = flavor.get("name") if isinstance(flavor, dict) else None
        if isinstance(flavor_name, str):
            lines.append(_step(f'And the create call\'s "instance_type" name is "{flavor_name}"'))
        for name in CREATE_CALL_KEYS:
            if name not in call or (name == "instance_type" and isinstance(flavor_name, str)):
                continue
            value: Any = call[name]
            if name == "block_device_mapping" and _is_table(value):
                lines += _mapping_table(value)
            else:
                lines.append(
                    _step(
                        f'And the create call has "{name}" equal to '
                        f"{json.dumps(value, sort_keys=True)}"
                    )
                )
    if response.error_code is None:
        count = len(response.instance_ids)
        lines.append(_step(f"And the response has {count} instance{'' if count == 1 else 's'}"))
    return lines


def _title(interaction: Interaction) -> str:
    """``RunInstances ImageId=ami-00000001, MinCount=2, ...``: what sets the launch apart."""
    params = interaction.request.params
    action = dict(params).get("Action", "request")
    details = ", ".join(f"{name}={value}" for name, value in params if name not in TITLE_NOISE)
    text = " ".join(f"{action} {details}".split())
    return text if len(text) <= TITLE_WIDTH else text[: TITLE_WIDTH - 1] + "…"


def _alone_reproduces(cassette: Cassette, index: int, label: str) -> bool:
    """Whether the interaction, replayed first thing on the seed, does what was recorded
    (a seed that replay refuses is reported naming ``label``, as replay names the file)."""
    alone = dataclasses.replace(cassette, interactions=[cassette.interactions[index]])
    differences = replay_cassette(alone, label).result.interactions[0].differences
    return all("/instance_ids/" in difference.pointer for difference in differences)


def scaffold(cassette: Cassette, label: str) -> str:
    """The feature for ``cassette`` (read from ``label``), as text."""
    if cassette.image_service.kind != "store":
        raise CassetteError(
            f"{label}: recorded against Glance; the steps seed the store's "
            "image catalogue, so only store cassettes can be scaffolded"
        )
    seed = json.dumps(cassette.seed, indent=2).splitlines()
    lines = [
        f"Feature: Launches recorded in {_one_line(label)}",
        f"{INDENT}Generated by `launch-sim scaffold` from a cassette recorded at "
        f"{_one_line(cassette.recorded_at)}.",
        f"{INDENT}Each scenario starts from the cassette's seed and checks one recorded launch.",
        "",
        f"{INDENT}Background:",
        f"{INDENT * 2}Given an empty store",
        f"{INDENT * 2}And the store is seeded with:",
        f'{INDENT * 3}"""',
        *(INDENT * 3 + line for line in seed),
        f'{INDENT * 3}"""',
    ]
    if cassette.profile is not None:
        lines.append(f'{INDENT * 2}And the "{cassette.profile}" profile')
    for index, interaction in enumerate(cassette.interactions):
        outcome = _one_line(interaction.response.error_code or "succeeds")
        title = _title(interaction)
        earlier = [] if _alone_reproduces(cassette, index, label) else cassette.interactions[:index]
        after = f" after interactions 0 to {index - 1}" if earlier else ""
        lines += ["", f"{INDENT}Scenario: Interaction {index}: {title} -> {outcome}{after}"]
        for position, previous in enumerate(earlier):
            lines += _query(previous, "When" if position == 0 else "And")
        lines += _query(interaction, "And" if earlier else "When")
        lines += _checks(interaction)
    return "\n".join(lines) + "\n"
