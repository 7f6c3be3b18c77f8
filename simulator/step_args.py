"""What Gherkin steps are given, read as values: table cells, data tables, JSON doc strings.

The step library (:mod:`simulator.steps`) reads its arguments here, and ``launch-sim
scaffold`` writes features that must read back the same way, so both use these functions.
Nothing here needs pytest or pytest-bdd: the scaffold command stays a plain command.

Table cells and expected values are typed one way everywhere: a cell that is a JSON literal
(``1``, ``true``, ``null``, ``"text"``, ``[...]``) is that value, any other text is a string,
and an empty cell means "no such key". EC2 query values are the exception: they are sent as
written, because converting them is what the query parser is there to do.

A value a step cannot use fails the step with a :class:`ScenarioMistake` saying what was
expected, in words a scenario's writer can act on; a check that fails is a plain
:class:`AssertionError`.

The other way round, a step's pattern is written here as the phrases a person would type
(``I launch the image "<image_id>"``), so that a step no definition matches can be answered
with the nearest steps launch-sim has rather than a regular expression.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
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


class ScenarioMistake(AssertionError):
    """A scenario its steps cannot run as written: a doc string that is not JSON, a table with
    other columns than the step reads, rows the store refuses, a Then step before any When.

    The writer's mistake, not a failed check: the pytest plugin reports it as its message
    alone, as it reports a file a step cannot read, since the frames of launch-sim and of
    pytest-bdd that a traceback shows would only bury the line the writer can act on. It is
    an :class:`AssertionError` still, so the step fails as any failed check does.
    """


def expect(condition: bool, message: str) -> None:
    """Fail the step with ``message``: a sentence a scenario's reader can act on."""
    if not condition:
        raise AssertionError(message)


def expect_usable(condition: bool, message: str) -> None:
    """Fail the step with ``message`` as a :class:`ScenarioMistake`: what the writer must
    change in the scenario for the step to run."""
    if not condition:
        raise ScenarioMistake(message)


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
    expect_usable(
        tuple(first) == header,
        f"the table must start with the row | {header[0]} | {header[1]} |, "
        f"not | {' | '.join(first)} |",
    )
    return [(row[0], row[1]) for row in rows]


def table_column(datatable: DataTable, header: str) -> list[str]:
    """The cells of a one-column table whose first row must be ``header``, as written."""
    first, *rows = datatable
    expect_usable(list(first) == [header], f"the table must be one column headed | {header} |")
    return [row[0] for row in rows]


def _json_doc_string(text: str, what: str) -> Any:
    """Parse a doc string that must hold JSON, saying which step's it was."""
    try:
        return load_json(text)
    except (json.JSONDecodeError, UnsupportedJSON) as exc:
        raise ScenarioMistake(f"{what} is not JSON: {exc}") from None


def json_object(text: str, what: str) -> dict[str, Any]:
    """Parse a doc string that must hold one JSON object, saying which step's it was."""
    return object_value(_json_doc_string(text, what), what)


def object_value(value: Any, what: str) -> dict[str, Any]:
    """A value read as JSON (a doc string, a file) that must be one object."""
    if not isinstance(value, dict):
        raise ScenarioMistake(f"{what} must be a JSON object {{...}}, not {show(value)}")
    return value


def json_pairs(text: str, what: str) -> list[tuple[str, str]]:
    """Parse a doc string that must hold a JSON list of ``[name, value]`` pairs of strings."""
    value = _json_doc_string(text, what)
    expect_usable(
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


# --- a step's pattern as a person writes it -----------------------------------------------

_HIDDEN = "\x00"
"""Stands, while a pattern is read, for text the pattern matches but no phrase can spell
(a character class, ``.+``): a named group around it shows as ``<name>``, else ``...``."""
_MOST = 64
"""The phrases one part of a pattern is written out as, at most: each optional part doubles
them, and a hint is not worth an explosion (the library's steps have at most twelve)."""

_TOKEN = re.compile(
    r"""\[\^?\]?(?:\\.|[^\]\\])*\]  # a character class
    |\\.                          # an escaped character, or a class such as \d
    |\(\?P<\w+>|\(\?:             # where a named or a non-capturing group starts
    |\{[^}]*\}                    # a count
    |.""",
    re.VERBOSE | re.DOTALL,
)
_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>")


class _PatternReader:
    """Reads a regular expression into the phrases it matches, one per choice it offers:
    alternatives and optional parts are written out, a named group is its literal
    alternatives (``describe|terminate``) or else ``<name>``.

    It reads what step patterns are made of; any other construct is read as text no phrase
    spells, so every valid pattern gives phrases (best readable, never an error)."""

    def __init__(self, pattern: str) -> None:
        self.tokens: list[str] = _TOKEN.findall(pattern)
        self.at = 0

    def phrases(self) -> list[str]:
        variants = self._choice()
        return list(dict.fromkeys(re.sub(f"{_HIDDEN}+", "...", each) for each in variants))

    def _next(self, *tokens: str) -> bool:
        """Whether the next token is one of ``tokens``, taking it if so."""
        found = self.at < len(self.tokens) and self.tokens[self.at] in tokens
        self.at += found
        return found

    def _choice(self) -> list[str]:
        """``a|b|...`` up to the ``)`` that closes it, or the end, which it takes."""
        variants = self._sequence()
        while self._next("|"):
            variants += self._sequence()
        self._next(")")
        return variants

    def _sequence(self) -> list[str]:
        parts: list[list[str]] = []
        while self.at < len(self.tokens) and self.tokens[self.at] not in "|)":
            token = self.tokens[self.at]
            self.at += 1
            parts.append(self._quantified(self._atom(token)))
        return ["".join(each) for each in itertools.islice(itertools.product(*parts), _MOST)]

    def _quantified(self, variants: list[str]) -> list[str]:
        if self._next("?"):
            variants = [*variants, ""]
        elif self.at < len(self.tokens) and self.tokens[self.at][0] in "*+{":
            self.at += 1
            variants = [_HIDDEN]
        else:
            return variants
        self._next("?")  # lazy: it matches the same texts
        return variants

    def _atom(self, token: str) -> list[str]:
        if named := _NAMED_GROUP.fullmatch(token):
            variants = self._choice()
            if any(_HIDDEN in each for each in variants):
                return [f"<{named.group(1)}>"]
            return variants
        if token in ("(", "(?:"):
            return self._choice()
        if token in ("^", "$"):
            return [""]
        if len(token) == 2 and token[0] == "\\" and not token[1].isalnum():
            return [token[1]]
        return [token] if len(token) == 1 and token != "." else [_HIDDEN]


def step_phrases(pattern: str, regex: bool) -> list[str]:
    """The ways a step's pattern is written by a person: a plain step's text as it is, a
    regular expression's every choice with ``<name>`` for each named argument."""
    return _PatternReader(pattern).phrases() if regex else [pattern]


@dataclass(frozen=True)
class DefinedStep:
    """A step definition as a person reads it: its type (``given``, ``when``, ``then``, or
    None for any) and the phrases that write it."""

    type: str | None
    phrases: Sequence[str]


_STEPS_PAGE = "docs/steps.md"
_SIMILAR_ENOUGH = 0.6
"""How alike (difflib's ratio, 0 to 1) a step must be to a phrase of its own type to be
offered it: below, the nearest phrase is rarely what the writer meant (a step of another
project, a sentence launch-sim has no step for), and a wrong hint misleads more than none."""
_SIMILAR_ACROSS_TYPES = 0.75
"""The same for a phrase of another type (a Then step written as When): such a hint says
the writer chose the wrong keyword too, so it must be nearer still to be believed."""


def nearest_steps(step_type: str, text: str, defined: Sequence[DefinedStep], most: int = 3) -> str:
    """What to add to the error of a step no definition matches: the ``most`` phrases nearest
    to it, each defined step's best, of its own type if any is near enough, else of any type,
    and where every step is listed; nothing when none is near enough."""
    wanted = text.casefold()

    def likeness(phrase: str) -> float:
        return difflib.SequenceMatcher(None, wanted, phrase.casefold()).ratio()

    def near(steps: Sequence[DefinedStep], cutoff: float) -> list[str]:
        scored: list[tuple[float, str]] = []
        for step in steps:
            score, phrase = max(
                ((likeness(phrase), phrase) for phrase in step.phrases), key=lambda pair: pair[0]
            )
            if score >= cutoff:
                keyword = (step.type or step_type).capitalize()
                scored.append((score, f"{keyword} {phrase}"))
        return [line for _, line in sorted(scored, key=lambda each: -each[0])]

    own_type = [step for step in defined if step.type in (step_type, None)]
    found = near(own_type, _SIMILAR_ENOUGH) or near(defined, _SIMILAR_ACROSS_TYPES)
    if not found:
        return ""
    return "\n".join(
        [
            "",
            "The nearest launch-sim steps:",
            *(f"    {line}" for line in found[:most]),
            f"launch-sim's {_STEPS_PAGE} lists every step, with an example.",
        ]
    )
