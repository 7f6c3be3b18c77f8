"""A ``.json`` cassette replayed as it is read: the same results and the same errors as when
it is read whole first, whatever the file holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from cassette_helpers import default_on_termination
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import cloud
from simulator.cassette import load_cassette
from simulator.cassette.format import stream_document
from simulator.cli import main
from simulator.errors import BadInput
from simulator.jsonio import NotStreamable, stream_last_array

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted((ROOT / "fixtures" / "cassettes").glob("*.json"))
FAKE0 = ROOT / "fixtures" / "cassettes" / "walkthrough-fake0.json"
GUARD_SECONDS = 60
"""How long a replay may take before it counts as hung (not a measurement)."""
CONVERSATION = ROOT / "fixtures" / "cassettes" / "conversation-boto3.json"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def streamed(path: Path, key: str = "interactions") -> tuple[dict[str, Any], list[Any]]:
    head, items = stream_last_array(path, key)
    return head, list(items)


@settings(max_examples=200, deadline=None)
@given(
    head=st.dictionaries(st.text(), json_values, max_size=4),
    items=st.lists(json_values, max_size=5),
    indent=st.sampled_from([None, 0, 2]),
)
def test_a_last_array_streams_as_json_loads_reads_the_whole(
    tmp_path_factory: pytest.TempPathFactory, head: dict[str, Any], items: list[Any], indent: int
) -> None:
    head.pop("interactions", None)
    path = tmp_path_factory.mktemp("doc") / "doc.json"
    path.write_text(json.dumps({**head, "interactions": items}, indent=indent) + "\n")
    whole = json.loads(path.read_text())
    assert streamed(path) == ({k: v for k, v in whole.items() if k != "interactions"}, items)


MEMBER_NAMES = st.sampled_from(["a", "b", "c", 'q"', "\u00e9", ""])
"""Few names, so items repeat them; one needs an escape in any form, one only without
``ensure_ascii``, and one is empty."""
MEMBER_VALUES = st.sampled_from([[1], [1, 2], {"x": [1]}, {"x": [2]}, {}, [], 1, "s"])
"""Few values, so a member's text is often the previous item's, word for word."""


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(
        st.dictionaries(MEMBER_NAMES, MEMBER_VALUES, max_size=4) | MEMBER_VALUES, max_size=8
    ),
    indent=st.sampled_from([None, 0, 2]),
    ensure_ascii=st.booleans(),
)
def test_items_repeating_members_stream_as_json_loads_reads_them(
    tmp_path_factory: pytest.TempPathFactory,
    items: list[Any],
    indent: int | None,
    ensure_ascii: bool,
) -> None:
    """A member whose text is the previous item's is taken from it, not parsed again: the
    same values as parsing each item whole, in any layout and with escaped names."""
    path = tmp_path_factory.mktemp("doc") / "doc.json"
    document = {"seed": {}, "interactions": items}
    path.write_text(json.dumps(document, indent=indent, ensure_ascii=ensure_ascii))
    assert streamed(path) == ({"seed": {}}, json.loads(path.read_text())["interactions"])


def test_a_repeated_member_is_the_previous_items_value(tmp_path: Path) -> None:
    """What the fast path saves: the create calls of a launch repeated are parsed once."""
    path = tmp_path / "doc.json"
    item = {"request": {"id": 1}, "create_calls": [{"a": [1]}], "count": 1}
    path.write_text(json.dumps({"interactions": [item, {**item, "request": {"id": 2}}, item]}))
    _, items = streamed(path)
    assert items[0]["create_calls"] is items[1]["create_calls"] is items[2]["create_calls"]
    assert items[0]["request"] is not items[1]["request"]
    assert [each["request"]["id"] for each in items] == [1, 2, 1]


REFUSED_AT_THE_END = {
    "members-after": '{"interactions": [1], "seed": 2}',
    "trailing-data": '{"interactions": [1]} []',
    "trailing-comma": '{"interactions": [1],}',
    "trailing-item-comma": '{"interactions": [1,]}',
    "no-comma": '{"interactions": [1 2]}',
    "cut-short": '{"interactions": [1, 2',
    "huge-integer": '{"interactions": [' + "9" * 5000 + "]}",
    "deep": '{"interactions": [' + "[" * 100_000 + "]" * 100_000 + "]}",
    "repeated-key": '{"interactions": [{"a": [1]}, {"a": [1], "a": [1]}]}',
    "repeated-key-after": '{"interactions": [{"a": [1]}, {"a": [1], "b": 1, "b": 2}]}',
    "repeated-escaped-key": '{"interactions": [{"a": [1]}, {"a": [1], "\\u0061": 2}]}',
    "member-cut-short": '{"interactions": [{"a": [1]}, {"a": [1], "b": ]}',
    "member-without-comma": '{"interactions": [{"a": [1]}, {"a": [1] "b": 1}]}',
    "member-trailing-comma": '{"interactions": [{"a": [1]}, {"a": [1],}]}',
}
"""Documents whose problem shows only once the items before it were given."""
REFUSED_AT_THE_CALL = {
    "not-an-object": "[1]",
    "no-member": '{"seed": 1}',
    "not-an-array": '{"interactions": {}}',
    "bad-header": '{"seed": 1,, "interactions": []}',
    "lone-surrogate": '{"seed": "\\ud800", "interactions": []}',
    "byte-order-mark": '\ufeff{"interactions": []}',
}


@pytest.mark.parametrize(
    ("text", "at_the_call"),
    [pytest.param(text, False, id=name) for name, text in REFUSED_AT_THE_END.items()]
    + [pytest.param(text, True, id=name) for name, text in REFUSED_AT_THE_CALL.items()],
)
def test_what_json_loads_reads_otherwise_is_not_streamable(
    tmp_path: Path, text: str, at_the_call: bool
) -> None:
    path = tmp_path / "doc.json"
    path.write_text(text)
    with pytest.raises(NotStreamable):
        _, items = stream_last_array(path, "interactions")
        assert not at_the_call, "refused when called"
        list(items)


@pytest.mark.parametrize("content", [b"\xff{}", None], ids=["not-utf-8", "missing"])
def test_an_unreadable_file_is_not_streamable(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "doc.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(NotStreamable):
        stream_last_array(path, "interactions")


@pytest.mark.parametrize("source", CORPUS, ids=lambda path: path.stem)
def test_every_corpus_cassette_streams_as_it_reads_whole(source: Path) -> None:
    whole = load_cassette(source)
    header, interactions = stream_document(source)
    assert [*interactions] == whole.interactions
    header.interactions = whole.interactions
    assert header.to_bytes() == whole.to_bytes()


def replay_report(
    capsys: pytest.CaptureFixture[str], path: Path, *options: str
) -> tuple[int, str, str]:
    code = main(["replay", *options, str(path)])
    captured = capsys.readouterr()
    return (
        code,
        captured.out.replace(str(path), "CASSETTE"),
        captured.err.replace(str(path), "CASSETTE"),
    )


def reordered(source: Path, folder: Path, **after: Any) -> Path:
    """``source`` with ``after`` as members following its interactions (the interactions
    first of all if ``after`` is empty): layouts launch-sim never writes, which must replay
    as json.loads reads them."""
    data = json.loads(source.read_text())
    interactions = data.pop("interactions")
    if after:
        for name in after:
            data.pop(name, None)
        document = {**data, "interactions": interactions, **after}
    else:
        document = {"interactions": interactions, **data}
    path = folder / source.name
    path.write_text(json.dumps(document))
    return path


def test_a_difference_is_reported_alike_streamed_or_read_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cloud, "parse_block_device_mapping", default_on_termination(False))
    whole = replay_report(capsys, reordered(FAKE0, tmp_path))
    assert whole[0] == 1
    assert replay_report(capsys, FAKE0) == whole
    assert replay_report(capsys, FAKE0, "--format", "json")[1].count('"pointer"') == (
        replay_report(capsys, reordered(FAKE0, tmp_path), "--format", "json")[1].count('"pointer"')
    )


def test_members_after_the_interactions_count_as_json_loads_reads_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``profile`` after the interactions is only seen at the end, once every interaction
    was replayed under the recorded one: that replay is set aside and the cassette replayed
    whole, under the profile named last."""
    _, out, _ = replay_report(
        capsys, reordered(FAKE0, tmp_path, profile="havana"), "--format", "json"
    )
    assert json.loads(out)["cassettes"][0]["profile"] == "havana"


def bad_late(source: Path, folder: Path, damage: str) -> Path:
    """``source`` (launch-sim's layout) damaged in its last interaction, or cut short."""
    data = json.loads(source.read_text())
    path = folder / "bad.json"
    if damage == "invalid":
        data["interactions"][-1]["response"]["status"] = "two hundred"
        path.write_text(json.dumps(data, indent=2))
    else:
        path.write_text(json.dumps(data, indent=2)[:-40])
    return path


@pytest.mark.parametrize("damage", ["invalid", "cut-short"])
def test_a_file_bad_at_its_end_gives_the_error_it_gives_read_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    path = bad_late(CONVERSATION, tmp_path, damage)
    with pytest.raises(BadInput) as whole:
        load_cassette(path)
    code, out, err = replay_report(capsys, path)
    assert (code, out) == (2, "")
    assert err == f"launch-sim: error: {whole.value}\n".replace(str(path), "CASSETTE")


def test_a_cassette_from_a_pipe_is_read_once_whole(tmp_path: Path) -> None:
    """A pipe can be read once: it is not streamed (a layout that needs the whole read would
    then be read twice, the second time from a pipe nobody writes), but read whole."""
    fifo = tmp_path / "cassette.json"
    os.mkfifo(fifo)
    content = reordered(FAKE0, tmp_path).read_bytes()
    writer = threading.Thread(target=lambda: fifo.write_bytes(content))
    writer.start()
    try:
        replay = subprocess.run(
            [sys.executable, "-m", "simulator", "replay", str(fifo)],
            capture_output=True,
            text=True,
            timeout=GUARD_SECONDS,
        )
    finally:
        writer.join(GUARD_SECONDS)
    assert replay.returncode == 0, replay.stderr
