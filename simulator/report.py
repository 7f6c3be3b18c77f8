"""What replay and verify found, as data and as text, JSON or JUnit XML.

Both commands compare recorded interactions with fresh answers (the simulator's, for replay;
a live endpoint's, for verify), so they share one result model and one set of renderers: a
difference is a JSON pointer into the cassette plus the two values, which is what a person
needs to find the spot in the file and what a CI system needs to show a failure.

A result names the behaviour profile its fresh answers came from and the one the cassette
was recorded under (the text report's heading names both where they differ, since every
difference between the releases then shows); ``launch-sim matrix`` replays each cassette
under several profiles and shows the same results as a table, one row per interaction and
one column per profile.
"""

from __future__ import annotations

import enum
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.ec2query import xml_safe
from simulator.jsonio import canonical, json_pointer

VALUE_WIDTH = 64
"""The longest parameter value a request summary shows whole: ids, device names and
counts always fit, a user data blob does not (it is shown by its start and length)."""
UNSHOWN_PARAMS = frozenset({"Version", "ClientToken"})
"""Parameters a request summary leaves out: every client sends them and they change nothing
in the launch (Nova's Requestify pops ``Version``; ``run_instances`` ignores the token)."""


class Absent(enum.Enum):
    """Marks a side of a difference that has no value at all (a missing key or item)."""

    ABSENT = "absent"


ABSENT = Absent.ABSENT


@dataclass(frozen=True)
class Difference:
    """One place where the recording and the fresh answer disagree."""

    pointer: str
    recorded: Any
    observed: Any

    def describe(self, observed_as: str, limit: int | None = None) -> str:
        """The pointer and both values; ``limit`` shortens each value (a table cell)."""
        recorded, observed = show(self.recorded, limit), show(self.observed, limit)
        return f"{self.pointer}: recorded {recorded}, {observed_as} {observed}"

    def to_dict(self, observed_as: str) -> dict[str, Any]:
        data: dict[str, Any] = {"pointer": self.pointer}
        if self.recorded is not ABSENT:
            data["recorded"] = self.recorded
        if self.observed is not ABSENT:
            data[observed_as] = self.observed
        return data


def show(value: Any, limit: int | None = None) -> str:
    """A value as JSON text (what the cassette holds), or ``(absent)``; at most ``limit``
    characters, the cut marked with ``…``."""
    text = "(absent)" if value is ABSENT else canonical(value)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def json_diff(recorded: Any, observed: Any, path: Sequence[str | int] = ()) -> list[Difference]:
    """Every leaf where two JSON values differ, as pointers below ``path``.

    Types count (``true`` is not ``1``), as they do for the JSON a client parses. Replay
    compares every interaction and nearly all are equal, so equal values are recognised
    first by a walk that builds no pointers, at less than half the cost of the diff.
    """
    if json_identical(recorded, observed):
        return []
    return _differences(recorded, observed, path)


def json_identical(recorded: Any, observed: Any) -> bool:
    """Whether :func:`json_diff` would find nothing: the same type at every node, the
    same keys and the same values (it may say no where they differ in a way that finds
    nothing, such as a dict subclass; the full diff then decides)."""
    kind = type(recorded)
    if kind is not type(observed):
        return False
    # Loops, not all() over generators, and leaves compared in line: this runs for every
    # node of every replayed interaction; a generator costs a third more, a call per leaf half.
    # The dict and list loops stay two: one shared loop (zipping the dict's values with a
    # list of the other's) made the walk nearly twice as slow on create calls. Two dicts of
    # one size have the same keys when each of one's is found in the other, so the keys are
    # checked by the lookups the values need: comparing the key views first hashed every key
    # again, a sixth of the walk.
    if kind is dict:
        if len(recorded) != len(observed):
            return False
        for key, value in recorded.items():
            try:
                other = observed[key]
            except KeyError:
                return False
            leaf = type(value)
            if leaf is dict or leaf is list:
                if not json_identical(value, other):
                    return False
            elif leaf is not type(other) or value != other:
                return False
        return True
    if kind is list:
        if len(recorded) != len(observed):
            return False
        for before, after in zip(recorded, observed, strict=True):
            leaf = type(before)
            if leaf is dict or leaf is list:
                if not json_identical(before, after):
                    return False
            elif leaf is not type(after) or before != after:
                return False
        return True
    return bool(recorded == observed)


def _differences(recorded: Any, observed: Any, path: Sequence[str | int]) -> list[Difference]:
    if isinstance(recorded, dict) and isinstance(observed, dict):
        found: list[Difference] = []
        for key in sorted(recorded.keys() | observed.keys()):
            found += _differences(
                recorded.get(key, ABSENT), observed.get(key, ABSENT), [*path, key]
            )
        return found
    if isinstance(recorded, list) and isinstance(observed, list):
        found = []
        for index in range(max(len(recorded), len(observed))):
            found += _differences(
                recorded[index] if index < len(recorded) else ABSENT,
                observed[index] if index < len(observed) else ABSENT,
                [*path, index],
            )
        return found
    if type(recorded) is type(observed) and recorded == observed:
        return []
    return [Difference(json_pointer(path), recorded, observed)]


@dataclass(frozen=True)
class InteractionResult:
    """One recorded interaction checked again: ``differences`` empty means it matches."""

    index: int | None
    params: Sequence[tuple[str, str]]
    """The request's parameters; :attr:`summary` is written from them only when shown, since
    a replay keeps a result for every interaction and shows few."""
    differences: tuple[Difference, ...] = ()
    note: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.differences and self.note is None

    @property
    def summary(self) -> str:
        return summarize_params(self.params)

    @property
    def where(self) -> str:
        """``interaction 3``, or, for a request the cassette does not hold, what it was."""
        return "unrecorded request" if self.index is None else f"interaction {self.index}"


@dataclass
class CassetteResult:
    """All interactions of one cassette, checked again."""

    path: str
    interactions: list[InteractionResult] = field(default_factory=list)
    seconds: float = 0.0
    profile: str | None = None
    """The profile the fresh answers came from (verify: the one the endpoint is expected to
    behave like, when named)."""
    recorded_under: str | None = None
    """The profile the cassette was recorded under."""
    passed: int = 0
    """Interactions that matched and were counted, not kept in :attr:`interactions` (a
    streamed replay keeps only the ones that differ, so its memory does not grow with size)."""

    @property
    def failures(self) -> list[InteractionResult]:
        return [result for result in self.interactions if not result.ok]

    @property
    def count(self) -> int:
        """How many interactions were checked, kept or only counted."""
        return len(self.interactions) + self.passed

    @property
    def other_profile(self) -> str | None:
        """The profile the fresh answers came from when it is not the one recorded under."""
        return None if self.profile == self.recorded_under else self.profile

    @property
    def label(self) -> str:
        """The path, with the profile when the answers came from another than recorded: a
        JUnit suite's name, short and stable for a CI's history (its properties name both)."""
        other = self.other_profile
        return self.path if other is None else f"{self.path} [{other}]"

    def heading(self, observed_as: str) -> str:
        """The text report's name for the cassette: the path, and when the answers came from
        another profile than recorded, both (``[recorded under havana, replayed as grizzly]``),
        since every difference between the two releases then shows as a mismatch."""
        other = self.other_profile
        if other is None:
            return self.path
        recorded = f"recorded under {self.recorded_under}, " if self.recorded_under else ""
        return f"{self.path} [{recorded}{observed_as} as {other}]"

    def profiles(self) -> dict[str, str]:
        """The profiles a report names, where known."""
        named = {"profile": self.profile, "recorded_under": self.recorded_under}
        return {key: value for key, value in named.items() if value is not None}


def printable(text: str) -> str:
    """``text`` with each character a terminal would act on or not show (control characters,
    line and paragraph separators, no-break and other invisible spaces, a lone surrogate
    from a file name that is no UTF-8) written as its Python escape (``\\n``, ``\\x1b``,
    ``\\u2028``). A client may send any of them in a parameter and the recorder keeps it:
    a text report printed them raw, splitting its lines and handing the terminal escape
    sequences."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def summarize_params(params: Sequence[tuple[str, str]]) -> str:
    """A request on one line (``Action=RunInstances ImageId=...``): every parameter that
    matters, in full, since a difference is often explained by a value far down the request
    (``BlockDeviceMapping.7.Ebs.SnapshotId``); only a value too long to read is shortened."""
    return " ".join(
        f"{name}={_shortened(value)}" for name, value in params if name not in UNSHOWN_PARAMS
    )


def _shortened(value: str) -> str:
    if len(value) <= VALUE_WIDTH:
        return value
    return f"{value[: VALUE_WIDTH // 2]}…({len(value)} characters)"


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def render_text(results: Sequence[CassetteResult], observed_as: str) -> str:
    """Per cassette a verdict; per failing interaction the request and one line per pointer."""
    lines: list[str] = []
    for cassette in results:
        failures = cassette.failures
        verdict = "all match" if not failures else _plural(len(failures), "mismatch", "mismatches")
        heading = cassette.heading(observed_as)
        lines.append(f"{heading}: {_plural(cassette.count, 'interaction')}, {verdict}")
        for failure in failures:
            lines.append(f"  {failure.where}: {failure.summary}")
            if failure.note:
                lines.append(f"    {failure.note}")
            lines += [f"    {d.describe(observed_as)}" for d in failure.differences]
    total = sum(cassette.count for cassette in results)
    failed = sum(len(cassette.failures) for cassette in results)
    lines.append(
        f"{_plural(len(results), 'cassette')}, {_plural(total, 'interaction')}: "
        + ("OK" if not failed else f"{failed} FAILED")
    )
    return "\n".join(map(printable, lines)) + "\n"


def render_json(results: Sequence[CassetteResult], observed_as: str) -> str:
    """The same facts as the text report, for tools."""
    document = {
        "ok": not any(cassette.failures for cassette in results),
        "cassettes": [
            {
                "path": cassette.path,
                **cassette.profiles(),
                "interactions": cassette.count,
                "seconds": round(cassette.seconds, 6),
                "failures": [
                    {
                        "interaction": failure.index,
                        "request": failure.summary,
                        **({"note": failure.note} if failure.note else {}),
                        "differences": [d.to_dict(observed_as) for d in failure.differences],
                    }
                    for failure in cassette.failures
                ],
            }
            for cassette in results
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_junit(results: Sequence[CassetteResult], observed_as: str, suite: str) -> str:
    """JUnit XML: a testsuite per cassette, a testcase per interaction, failures with diffs.

    Paths and recorded values may hold characters XML cannot carry (a recorded ``%01``, say);
    ElementTree would write them through, so they are replaced and the report stays parseable.
    """
    root = ET.Element("testsuites", name=suite)
    totals = {"tests": 0, "failures": 0}
    total_seconds = 0.0
    for cassette in results:
        failures = cassette.failures
        element = ET.SubElement(
            root,
            "testsuite",
            name=xml_safe(cassette.label),
            tests=str(cassette.count),
            failures=str(len(failures)),
            errors="0",
            skipped="0",
            time=_junit_seconds(cassette.seconds),
        )
        named = cassette.profiles()
        if named:
            properties = ET.SubElement(element, "properties")
            for key, value in named.items():
                ET.SubElement(properties, "property", name=key, value=value)
        for result in cassette.interactions:
            case = ET.SubElement(
                element,
                "testcase",
                classname=xml_safe(cassette.path),
                name=xml_safe(f"{result.where}: {result.summary}"),
                time=_junit_seconds(result.seconds),
            )
            if not result.ok:
                details = [result.note] if result.note else []
                details += [d.describe(observed_as) for d in result.differences]
                details = [xml_safe(detail) for detail in details]
                failure = ET.SubElement(case, "failure", type="mismatch", message=details[0])
                failure.text = "\n".join(details)
        totals["tests"] += cassette.count
        totals["failures"] += len(failures)
        total_seconds += cassette.seconds
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    root.set("time", _junit_seconds(total_seconds))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _junit_seconds(seconds: float) -> str:
    """Milliseconds, as Ant and Surefire write them: the JUnit schema CI servers validate
    against (Jenkins' junit-10.xsd) allows no more than three decimals."""
    return f"{seconds:.3f}"


TABLE_VALUE_WIDTH = 32
TABLE_REQUEST_WIDTH = 72
_RUN_INSTANCES = re.compile(r"^Action=RunInstances( |$)")
"""What nearly every row would say, left out of the table."""


_TELLING_FIRST = ("/error_code", "/status")
"""The differences a cell shows first: the answer's error code and status say why, where a
create call that was not made, or instance ids shifted by an earlier launch, only follow."""


def _telling(difference: Difference) -> int:
    ends = [difference.pointer.endswith(suffix) for suffix in _TELLING_FIRST]
    return ends.index(True) if any(ends) else len(ends) + ("/instance_ids" in difference.pointer)


def _table_cell(result: InteractionResult, profile: str) -> str:
    """``same``, or the most telling difference with both values (shortened), and how many
    more there are."""
    if result.ok:
        return "same"
    problems = [result.note] if result.note else []
    differences = sorted(result.differences, key=_telling)
    problems += [d.describe(profile, TABLE_VALUE_WIDTH) for d in differences]
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    return problems[0] + more


def _table(rows: list[list[str]]) -> list[str]:
    """Rows as an aligned pipe table (Markdown too), the first row the header."""
    cells = [[cell.replace("|", "\\|") for cell in row] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(cells[0]))]
    rule = ["-" * width for width in widths]
    return [
        "| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |"
        for row in [cells[0], rule, *cells[1:]]
    ]


def render_table(results: Sequence[CassetteResult]) -> str:
    """The matrix: per cassette a table with one row per interaction and one column per
    profile (the results of one cassette under several profiles), then each profile's count."""
    by_path = _by_cassette(results)
    profiles = list(dict.fromkeys(result.profile or "" for result in results))
    lines: list[str] = []
    for path, columns in by_path.items():
        first = next(iter(columns.values()))
        lines.append(printable(f"{path} (recorded under {first.recorded_under})"))
        kept = {name: {r.index: r for r in columns[name].interactions} for name in profiles}
        indexes = sorted(
            {index for results in kept.values() for index in results if index is not None}
        )
        rows = [["#", "request", *profiles]]
        for index in indexes:
            found = [kept[name].get(index) for name in profiles]
            summary = next(result for result in found if result is not None).summary
            request = _RUN_INSTANCES.sub("", printable(summary))
            if len(request) > TABLE_REQUEST_WIDTH:
                request = request[: TABLE_REQUEST_WIDTH - 1] + "…"
            cells = [
                "same" if result is None else _table_cell(result, name)
                for result, name in zip(found, profiles, strict=True)
            ]
            rows.append([str(index), request, *cells])
        lines += _table(rows)
        unlisted = first.count - len(indexes)
        if unlisted:
            lines.append(f"({_plural(unlisted, 'more interaction')} the same under every profile)")
        lines.append("")
    total = sum(columns[profiles[0]].count for columns in by_path.values())
    verdicts = []
    for name in profiles:
        differing = sum(len(columns[name].failures) for columns in by_path.values())
        verdicts.append(f"{name} {'all same' if not differing else f'{differing} differ'}")
    lines.append(
        f"{_plural(len(by_path), 'cassette')}, {_plural(total, 'interaction')}: "
        + ", ".join(verdicts)
    )
    return "\n".join(lines) + "\n"


def _by_cassette(results: Sequence[CassetteResult]) -> dict[str, dict[str, CassetteResult]]:
    """Each cassette's results by the profile they came from (one, unless a matrix), in the
    order they were given."""
    by_path: dict[str, dict[str, CassetteResult]] = {}
    for result in results:
        by_path.setdefault(result.path, {})[result.profile or ""] = result
    return by_path


_HTML_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1f2328; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
code { font: 12px ui-monospace, monospace; overflow-wrap: anywhere; }
td.same { background: #dafbe1; }
td.differs { background: #ffebe9; }
ul { margin: 0; padding-left: 1.2em; }
.recorded { background: #ffcecb; text-decoration: none; }
.observed { background: #aceebb; text-decoration: none; }
p.verdict.failed { color: #cf222e; font-weight: bold; }
"""
"""Inline, like everything the page needs: a CI keeps the page as an artifact and it must
show the same offline, years later, with no asset to fetch."""


def _html_cell(result: InteractionResult, observed_as: str) -> str:
    """``same``, or every difference with both values, the recorded and the fresh one marked."""
    if result.ok:
        return '<td class="same">same</td>'
    import html

    items = [f"<li>{html.escape(result.note)}</li>"] if result.note else []
    items += [
        f"<li><code>{html.escape(d.pointer)}</code>: recorded "
        f'<del class="recorded"><code>{html.escape(show(d.recorded))}</code></del>, '
        f'{html.escape(observed_as)} <ins class="observed"><code>'
        f"{html.escape(show(d.observed))}</code></ins></li>"
        for d in result.differences
    ]
    return f'<td class="differs"><ul>{"".join(items)}</ul></td>'


def _html_table(path: str, columns: dict[str, CassetteResult], observed_as: str) -> list[str]:
    """One cassette: a row per interaction, a column per profile it was replayed under."""
    import html

    results = list(columns.values())
    names = [observed_as] if len(results) == 1 else [r.profile or observed_as for r in results]
    under = ", ".join(name for name in columns if name)
    recorded = results[0].recorded_under
    facts = [f"{_plural(results[0].count, 'interaction')}"]
    if recorded:
        facts.append(f"recorded under {recorded}")
    if under:
        facts.append(f"{observed_as} under {under}")
    lines = [
        "<section>",
        f"<h2>{html.escape(path)}</h2>",
        f"<p>{html.escape('; '.join(facts))}</p>",
        "<table>",
        "<thead><tr><th>#</th><th>request</th>"
        + "".join(f"<th>{html.escape(name)}</th>" for name in names)
        + "</tr></thead>",
        "<tbody>",
    ]
    for row in zip(*(result.interactions for result in results), strict=True):
        first = row[0]
        where = "unrecorded" if first.index is None else str(first.index)
        lines.append(
            f'<tr class="{"same" if all(r.ok for r in row) else "differs"}">'
            f"<td>{where}</td><td><code>{html.escape(first.summary)}</code></td>"
            + "".join(_html_cell(result, name) for result, name in zip(row, names, strict=True))
            + "</tr>"
        )
    lines += ["</tbody>", "</table>", "</section>"]
    return lines


def render_html(results: Sequence[CassetteResult], observed_as: str, suite: str) -> str:
    """One self-contained page (no script, no asset, no link out): per cassette a table, one
    row per interaction and one column per profile (a matrix) or the one replay, every
    difference with both values, marked.

    :mod:`html` is imported by the three functions that write HTML, not by the module:
    with its table of entities, it was 1.1% of the start-up of a replay reporting text."""
    import html

    by_path = _by_cassette(results)
    total = sum(next(iter(c.values())).count for c in by_path.values())
    failed = sum(len(result.failures) for result in results)
    counts = f"{_plural(len(by_path), 'cassette')}, {_plural(total, 'interaction')}"
    verdict = f"{counts}: {'all match' if not failed else f'{failed} FAILED'}"
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(suite)}</title>",
        f"<style>{_HTML_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(suite)}</h1>",
        f'<p class="verdict{" failed" if failed else ""}">{html.escape(verdict)}</p>',
    ]
    for path, columns in by_path.items():
        lines += _html_table(path, columns, observed_as)
    lines += ["</body>", "</html>"]
    return "\n".join(lines) + "\n"


def render(
    results: Sequence[CassetteResult],
    fmt: str,
    observed_as: str,
    suite: str,
    *,
    table: bool = False,
) -> str:
    """The report in ``fmt`` (``text``, ``json``, ``junit`` or ``html``); ``table`` makes the
    text report the matrix of :func:`render_table`."""
    if fmt == "json":
        return render_json(results, observed_as)
    if fmt == "junit":
        return render_junit(results, observed_as, suite)
    if fmt == "html":
        return render_html(results, observed_as, suite)
    return render_table(results) if table else render_text(results, observed_as)
