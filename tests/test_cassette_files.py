"""Cassettes and reports against the file system: an input reached through a hard link, a
cassette that is not a regular file, ``serve`` options checked before the store opens, and
a cassette's file name in a scaffolded feature."""

from __future__ import annotations

import io
import os
import shutil
import socket
import stat
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from gherkin.parser import Parser
from serve_helpers import Served, serving

from simulator.cassette import load_cassette
from simulator.cli import main
from simulator.errors import BadInput
from simulator.jsonio import write_atomically

ROOT = Path(__file__).resolve().parent.parent
CASSETTE = ROOT / "fixtures" / "cassettes" / "walkthrough-fake0.json"
MODES = ["none", "once", "new_episodes", "all"]


def launch_sim(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", ["replay", "verify"])
def test_output_may_not_be_a_hard_link_to_an_input(tmp_path: Path, command: str) -> None:
    cassette = tmp_path / "in.json"
    shutil.copy(CASSETTE, cassette)
    os.link(cassette, tmp_path / "hard.json")
    before = cassette.read_bytes()
    extra = ["--endpoint", "http://127.0.0.1:9/"] if command == "verify" else []
    code, out, err = launch_sim(
        command, str(cassette), *extra, "--output", str(tmp_path / "hard.json")
    )
    assert (code, out) == (2, "")
    assert err == (
        f"launch-sim: error: --output {tmp_path / 'hard.json'} is one of the cassettes being "
        "read; refusing to overwrite it\n"
    )
    assert cassette.read_bytes() == before


def test_an_output_that_is_another_file_is_written(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text("old")
    assert launch_sim("replay", str(CASSETTE), "--output", str(report))[0] == 0
    assert report.read_text().endswith(": OK\n")


RECORD_TAKES = "--record takes a cassette file path"
"""What ``serve`` says of a ``--record`` path it will not replace (elsewhere, where no option
named the path: "refusing to replace it")."""


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "cassette.json"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("mode", MODES)
def test_serve_refuses_a_cassette_that_is_not_a_regular_file_in_every_mode(
    tmp_path: Path, fifo: Path, mode: str
) -> None:
    """Checked before anything is read (a pipe would block) or created (the store)."""
    code, out, err = launch_sim(
        "serve", "--store", str(tmp_path / "st.json"), "--record", str(fifo), "--record-mode", mode
    )
    assert (code, out) == (2, "")
    assert err == f"launch-sim: error: {fifo}: not a regular file; {RECORD_TAKES}\n"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["cassette.json"]


def test_serve_refuses_a_socket_and_a_directory(tmp_path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "sock.json"))
        (tmp_path / "dir.json").mkdir()
        for target in ("sock.json", "dir.json"):
            code, _, err = launch_sim(
                "serve", "--store", str(tmp_path / "st.json"), "--record", str(tmp_path / target)
            )
            assert code == 2 and err.endswith(f"not a regular file; {RECORD_TAKES}\n")
    assert not (tmp_path / "st.json").exists()


@pytest.mark.parametrize("target", ["/proc/c.json", "/proc/new/c.json"])
def test_serve_refuses_a_cassette_it_cannot_write_before_it_creates_the_store(
    tmp_path: Path, target: str
) -> None:
    """``/proc`` takes no new files, even from root (a read-only folder would not stop root)."""
    code, out, err = launch_sim("serve", "--store", str(tmp_path / "st.json"), "--record", target)
    assert (code, out) == (2, "")
    assert err.startswith(f"launch-sim: error: {target}: cannot write here: ")
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda path: path.write_text("{"), "not JSON"),
        (lambda path: path.write_text("{}"), "not a valid cassette"),
        (lambda path: None, "no such cassette, and record mode 'none' records nothing"),
    ],
    ids=["not-json", "not-a-cassette", "missing-for-none"],
)
def test_serve_checks_record_before_creating_the_store(
    tmp_path: Path, setup: object, message: str
) -> None:
    cassette = tmp_path / "bad.json"
    setup(cassette)  # type: ignore[operator]
    mode = ["--record-mode", "none"] if "none" in message else []
    code, out, err = launch_sim(
        "serve", "--store", str(tmp_path / "st.json"), "--record", str(cassette), *mode
    )
    assert (code, out, err.count("\n")) == (2, "", 1)
    assert message in err
    assert not any(entry.name.startswith("st.json") for entry in tmp_path.iterdir())


@pytest.mark.parametrize("suffix", ["", ".journal", ".lock"])
@pytest.mark.parametrize("mode", MODES[1:])
def test_serve_refuses_a_cassette_that_is_a_file_of_its_store(
    tmp_path: Path, suffix: str, mode: str
) -> None:
    """``--store c.json --record c.json`` started, and the store's compaction and the
    cassette's saves replaced each other: the recording was lost to the store's snapshot."""
    store = tmp_path / "c.json"
    record = tmp_path / f"c.json{suffix}"
    code, out, err = launch_sim(
        "serve", "--store", str(store), "--record", str(record), "--record-mode", mode
    )
    assert (code, out) == (2, "")
    assert err == (
        f"launch-sim: error: {record}: --record names a file of the store {store}; "
        "give the cassette another path\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def fed_fifo(fifo: Path) -> Iterator[Path]:
    """A pipe that hands out a cassette whose recorded answer differs from today's."""
    text = CASSETTE.read_text().replace("i-00000001", "i-00000009")

    def feed() -> None:
        with open(fifo, "w") as pipe:
            pipe.write(text)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    yield fifo
    if feeder.is_alive():
        with open(fifo, "rb") as pipe:
            pipe.read()
    feeder.join(timeout=10)


def test_rerecording_refuses_to_replace_a_pipe(fed_fifo: Path) -> None:
    code, out, err = launch_sim("replay", "--record-mode", "all", str(fed_fifo))
    assert (code, out) == (2, "")
    assert err == f"launch-sim: error: {fed_fifo}: not a regular file; refusing to replace it\n"
    assert stat.S_ISFIFO(fed_fifo.lstat().st_mode)


def test_write_atomically_replaces_files_and_symlinks_and_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_bytes(b"target")
    (tmp_path / "link").symlink_to(target)
    for name in ("new", "file", "link"):
        if name == "file":
            (tmp_path / name).write_bytes(b"old")
        write_atomically(tmp_path / name, b"written")
        assert (tmp_path / name).read_bytes() == b"written"
    assert not (tmp_path / "link").is_symlink() and target.read_bytes() == b"target"
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dir").mkdir()
    for name in ("fifo", "dir"):
        with pytest.raises(BadInput, match="not a regular file; refusing to replace it"):
            write_atomically(tmp_path / name, b"written")
    assert stat.S_ISFIFO((tmp_path / "fifo").lstat().st_mode)
    assert [entry.name for entry in tmp_path.glob(".*")] == []


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_written_atomically_has_the_mode_of_any_new_file(
    tmp_path: Path, umask: int
) -> None:
    """A new cassette (or store snapshot) used to be 0600, the temp file's mode, where the
    report beside it was 0644: a cassette recorded by one user could not be replayed by
    another (a CI job's, a container's). A file replaced keeps its own mode."""
    previous = os.umask(umask)
    try:
        write_atomically(tmp_path / "new.json", b"{}")
        (tmp_path / "kept.json").write_bytes(b"{}")
        os.chmod(tmp_path / "kept.json", 0o640)
        write_atomically(tmp_path / "kept.json", b"[]")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE((tmp_path / "kept.json").stat().st_mode) == 0o640
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["kept.json", "new.json"]


def test_scaffold_keeps_a_file_name_on_its_line(tmp_path: Path) -> None:
    """A file name may hold line breaks; Gherkin is read line by line."""
    cassette = tmp_path / "two\nlines\u2028.json"
    shutil.copy(CASSETTE, cassette)
    code, out, err = launch_sim("scaffold", str(cassette))
    assert (code, err) == (0, "")
    name = str(cassette).replace("\n", "\\n").replace("\u2028", "\\u2028")
    assert out.splitlines()[0] == f"Feature: Launches recorded in {name}"
    document: Any = Parser().parse(out)
    assert document["feature"]["name"] == f"Launches recorded in {name}"
    scenarios = [child["scenario"]["name"] for child in document["feature"]["children"][1:]]
    assert len(scenarios) == 1 and scenarios[0].endswith(" -> succeeds")


def _launch(endpoint: str) -> bytes:
    body = b"Action=RunInstances&ImageId=ami-00000001&MinCount=1&MaxCount=1"
    with urllib.request.urlopen(urllib.request.Request(endpoint, data=body), timeout=60) as answer:
        return bytes(answer.read())


@contextmanager
def _recording_unsaveable(cassette: Path) -> Iterator[Served]:
    """A server recording ``cassette`` that has saved one launch, its cassette's folder then
    replaced by a file: every save fails from then on, for any user, as on a full disk."""
    with serving("--memory", "--record", str(cassette)) as served:
        _launch(served.endpoint)
        shutil.rmtree(cassette.parent)
        cassette.parent.write_text("in the way")
        yield served


def test_a_recording_server_that_cannot_save_says_why_and_saves_once_it_can(
    tmp_path: Path,
) -> None:
    """A full disk under a recording: the launch is answered (it happened), the session
    keeps the interaction and tries again, and stderr says which file cannot be written and
    why (it said only "the exchange hook failed with CassetteError"). A file in the place
    of the cassette's folder makes any user's save fail, as a full disk does."""
    cassette = tmp_path / "rec" / "c.json"
    with _recording_unsaveable(cassette) as served:
        assert b"<instanceId>i-00000002</instanceId>" in _launch(served.endpoint)
        cassette.parent.unlink()
        _launch(served.endpoint)
    assert served.returncode == 0, served.stderr
    assert [
        interaction.response.instance_ids for interaction in load_cassette(cassette).interactions
    ] == [
        ("i-00000001",),
        ("i-00000002",),
        ("i-00000003",),
    ]
    warnings = [line for line in served.stderr.splitlines() if "cannot write" in line]
    assert len(warnings) == 1, served.stderr
    assert warnings[0].startswith(f"launch-sim: warning: {cassette}: cannot write the cassette: ")
    assert warnings[0].endswith(
        "; 1 interaction(s) not saved yet, tried again after the next request and when the "
        "server stops"
    )
    assert "exchange hook" not in served.stderr
    assert f"launch-sim: {cassette}: saved again, 3 interaction(s)" in served.stderr


def test_a_recording_that_still_cannot_be_saved_at_the_end_is_one_line_and_exit_2(
    tmp_path: Path,
) -> None:
    cassette = tmp_path / "rec" / "c.json"
    with _recording_unsaveable(cassette) as served:
        _launch(served.endpoint)
    assert served.returncode == 2
    assert served.stderr.splitlines()[-1].startswith(
        f"launch-sim: error: {cassette}: cannot write the cassette: "
    )
    assert "Traceback" not in served.stderr
