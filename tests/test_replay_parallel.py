"""``replay -j N`` and ``matrix -j N``: the same report and exit code as a serial run."""

from __future__ import annotations

import re
import shutil
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cassette_helpers import default_on_termination

from simulator import cassette_cli, cloud
from simulator.cassette import Cassette, load_cassette
from simulator.cassette.format import Interaction, stream_document
from simulator.cli import main
from simulator.jsonio import NotStreamable
from simulator.progress import Advance

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "cassettes"
TIMES = re.compile(r'("seconds": |time=")[0-9.]+')
"""The only thing two runs of a report may differ in: how long each part took."""
FRESH = re.compile(r'("recorded_at": "|"reservation_id": "r-)[^"]+')
"""What two re-recordings may differ in: when they ran, and the random reservation ids."""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, TIMES.sub(r"\1T", captured.out), captured.err


def same_serial_and_parallel(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run ``argv`` serially, with ``-j 2`` and with ``-j auto``: all three must agree."""
    serial = run(capsys, *argv)
    assert run(capsys, *argv, "-j", "2") == serial
    assert run(capsys, *argv, "-j", "auto") == serial
    return serial[0], serial[1]


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "html"])
def test_a_parallel_replay_reports_byte_for_byte_as_a_serial_one(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    code, out = same_serial_and_parallel(capsys, "replay", "--format", fmt, str(CORPUS))
    assert code == 0
    assert out.count("walkthrough-fake") >= 7


def test_a_parallel_matrix_reports_as_a_serial_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = same_serial_and_parallel(
        capsys, "matrix", "--profiles", "folsom,icehouse", str(CORPUS)
    )
    assert code == 1
    assert "folsom" in out and "icehouse" in out


def test_a_mismatch_in_a_worker_exits_1_as_serially(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers are forked, so they inherit the changed rule.
    monkeypatch.setattr(cloud, "parse_block_device_mapping", default_on_termination(False))
    code, out = same_serial_and_parallel(capsys, "replay", str(CORPUS))
    assert code == 1
    assert "recorded true, replayed false" in out


def test_bad_input_in_a_worker_exits_2_with_the_first_bad_file_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a.json", "c.json", "e.json"):
        shutil.copy(CORPUS / "walkthrough-fake0.json", tmp_path / name)
    (tmp_path / "b.json").write_text("{")
    (tmp_path / "d.json").write_text('{"images": []}')
    serial = run(capsys, "replay", str(tmp_path))
    assert serial[:2] == (2, "")
    assert serial[2].count("\n") == 1
    assert serial[2].startswith(f"launch-sim: error: {tmp_path / 'b.json'}: ")
    assert run(capsys, "replay", "-j", "2", str(tmp_path)) == serial


def test_a_parallel_rerecording_writes_what_a_serial_one_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cloud, "parse_block_device_mapping", default_on_termination(False))
    written = {}
    for jobs in ("1", "2"):
        folder = tmp_path / jobs
        folder.mkdir()
        for name in ("walkthrough-fake0.json", "kernel-ramdisk.json", "walkthrough-all-seven.json"):
            shutil.copy(CORPUS / name, folder / name)
        code, _, err = run(capsys, "replay", "--record-mode", "all", "-j", jobs, str(folder))
        assert code == 0
        written[jobs] = (
            err.replace(str(folder), "F"),
            {path.name: FRESH.sub(r"\1X", path.read_text()) for path in sorted(folder.iterdir())},
        )
    assert written["1"] == written["2"]
    assert "re-recorded 1 interaction(s) of F/walkthrough-fake0.json" in written["1"][0]


def test_a_replay_moves_the_bar_a_cassette_at_a_time_serially_or_in_parallel(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bars: list[tuple[str, int, list[int]]] = []

    @contextmanager
    def recorded(description: str, total: int, report_format: str) -> Iterator[Advance]:
        steps: list[int] = []
        bars.append((description, total, steps))
        yield steps.append

    monkeypatch.setattr(cassette_cli, "progress", recorded)
    paths = [str(CORPUS / "walkthrough-fake0.json"), str(CORPUS / "kernel-ramdisk.json")]
    assert main(["replay", "-j", "2", *paths]) == 0
    assert main(["replay", *paths]) == 0
    assert bars == [("replaying cassettes", 2, [1, 1])] * 2


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5", "", "²", "+2"])
@pytest.mark.parametrize("command", ["replay", "matrix"])
def test_a_bad_number_of_processes_is_one_usage_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], command: str, value: str
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main([command, str(CORPUS), f"--jobs={value}"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "-j/--jobs" in err


@pytest.mark.parametrize(
    ("fmt", "table", "kept"),
    [("text", False, False), ("json", False, False), ("junit", False, True), ("text", True, True)],
)
def test_a_replay_keeps_passing_results_only_for_a_report_that_names_them(
    fmt: str, table: bool, kept: bool
) -> None:
    """Text and JSON name only differences, so a matching interaction is counted, not kept
    (memory, and what a worker sends back, then grow with the differences); JUnit and the
    matrix table of a whole cassette name every interaction."""
    [done] = cassette_cli._replay_all(
        [CORPUS / "errors-lookup.json"], ("grizzly",), False, 1, fmt, table
    )
    [result] = done.results
    assert not result.failures and result.count > 1
    assert len(result.interactions) == (result.count if kept else 0)


def test_a_serial_replay_holds_one_cassette_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each file is let go before the next is read, streamed or read whole: memory is one
    cassette's, not the corpus's (fifty 1,000-launch files took 560 MB when all were read
    first)."""
    for name in ("a.json", "b.json", "c.json"):
        shutil.copy(CORPUS / "walkthrough-fake0.json", tmp_path / name)
    loaded: list[weakref.ref[Cassette]] = []
    alive_at_each_read: list[int] = []

    def noted(cassette: Cassette) -> Cassette:
        alive_at_each_read.append(sum(earlier() is not None for earlier in loaded))
        loaded.append(weakref.ref(cassette))
        return cassette

    def not_streamed(path: Path) -> tuple[Cassette, Iterator[Interaction]]:
        raise NotStreamable("read whole")

    def streamed(path: Path) -> tuple[Cassette, Iterator[Interaction]]:
        header, interactions = stream_document(path)
        return noted(header), interactions

    monkeypatch.setattr(cassette_cli, "load_cassette", lambda path: noted(load_cassette(path)))
    for reader, way in ((not_streamed, "read whole"), (streamed, "streamed")):
        alive_at_each_read.clear()
        monkeypatch.setattr(cassette_cli, "stream_document", reader)
        assert main(["replay", "--format", "json", str(tmp_path)]) == 0
        assert alive_at_each_read == [0, 0, 0], way
