"""One recorder per cassette: a second session that could write a cassette another process
or session is recording into is refused in one line, before it reads the cassette or opens
its store (both used to start, and the last save silently dropped the other's requests)."""

from __future__ import annotations

import os
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest
from serve_helpers import serve_command, serving

from simulator.cassette import CassetteError, load_cassette, use_cassette
from simulator.cli import main

LAUNCH = [("Action", "RunInstances"), ("ImageId", "ami-00000001")]
BODY = b"Action=RunInstances&ImageId=ami-00000001"


def _launch(endpoint: str, body: bytes = BODY) -> None:
    with urllib.request.urlopen(urllib.request.Request(endpoint, data=body), timeout=60) as answer:
        assert b"<instanceId>" in answer.read()


def _second_serve(tmp_path: Path, cassette: Path, mode: str) -> subprocess.CompletedProcess[str]:
    store = tmp_path / f"second-{mode}.json"
    command = serve_command("--store", str(store), "--record", str(cassette), "--record-mode", mode)
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_a_second_server_may_not_record_into_a_cassette_being_recorded(tmp_path: Path) -> None:
    cassette = tmp_path / "c.json"
    with serving("--memory", "--record", str(cassette)) as first:
        pid = first.process.pid
        refused = {"once": _second_serve(tmp_path, cassette, "once")}  # no file yet: both record
        _launch(first.endpoint)
        for mode in ("new_episodes", "all"):
            refused[mode] = _second_serve(tmp_path, cassette, mode)
    for mode, second in refused.items():
        assert (second.returncode, second.stdout) == (2, ""), (mode, second.stderr)
        assert second.stderr == (
            f"launch-sim: error: {cassette}: being recorded by PID {pid} (it holds "
            f"{cassette}.lock); stop that process, or record into another file\n"
        )
        assert not (tmp_path / f"second-{mode}.json").exists()
    assert first.returncode == 0, first.stderr
    assert len(load_cassette(cassette).interactions) == 1
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["c.json"]


def test_a_server_checking_an_existing_cassette_runs_beside_its_recorder(tmp_path: Path) -> None:
    """Only writers exclude each other: ``once`` and ``none`` over a cassette that exists
    read it once and never write it."""
    cassette = tmp_path / "c.json"
    with serving("--memory", "--record", str(cassette)) as recorder:
        _launch(recorder.endpoint)
        with serving("--memory", "--record", str(cassette)) as checker:
            _launch(checker.endpoint)
    assert (recorder.returncode, checker.returncode) == (0, 0), checker.stderr


def test_a_killed_recorder_leaves_the_cassette_free_to_record(tmp_path: Path) -> None:
    """The lock is the kernel's (``flock``): it dies with its process, whatever the signal."""
    cassette = tmp_path / "c.json"
    with serving("--memory", "--record", str(cassette)) as killed:
        _launch(killed.endpoint)
        os.kill(killed.process.pid, signal.SIGKILL)
        killed.process.wait(timeout=60)
    with serving("--memory", "--record", str(cassette), "--record-mode", "new_episodes") as next_:
        _launch(next_.endpoint, BODY + b"&MinCount=2")
    assert next_.returncode == 0, next_.stderr
    assert len(load_cassette(cassette).interactions) == 2
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["c.json"]


@pytest.mark.parametrize("mode", ["once", "new_episodes", "all"])
def test_two_sessions_in_one_process_may_not_record_one_cassette(tmp_path: Path, mode: str) -> None:
    """Two pytest markers naming one file, in one test run, are two writers too."""
    cassette = tmp_path / "new" / "c.json"
    refused = f"being recorded by PID {os.getpid()}"
    with use_cassette(cassette, "all") as first:
        if mode == "once":  # before the first save: once would record the new file too
            with pytest.raises(CassetteError, match=refused), use_cassette(cassette, mode):
                pass
        first.handle(LAUNCH)
        if mode != "once":
            with pytest.raises(CassetteError, match=refused), use_cassette(cassette, mode):
                pass
    with use_cassette(cassette, "new_episodes") as after:
        after.handle([*LAUNCH, ("MinCount", "2")])
    assert len(load_cassette(cassette).interactions) == 2
    assert [entry.name for entry in cassette.parent.iterdir()] == ["c.json"]


def test_rerecording_leaves_a_cassette_being_recorded_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``replay --record-mode all`` rewrites the cassettes that differ: one a recorder is
    writing would lose what either saved. It is refused before any cassette is written."""
    first, recording = tmp_path / "a.json", tmp_path / "b.json"
    for cassette in (first, recording):
        with use_cassette(cassette, "once") as use:
            use.handle(LAUNCH)
        cassette.write_text(cassette.read_text().replace("i-00000001", "i-00000009"))
    before = {cassette: cassette.read_bytes() for cassette in (first, recording)}
    with use_cassette(recording, "new_episodes"):
        code = main(["replay", "--record-mode", "all", str(first), str(recording)])
    captured = capsys.readouterr()
    assert (code, captured.out) == (2, "")
    assert captured.err == (
        f"launch-sim: error: {recording}: being recorded by PID {os.getpid()} (it holds "
        f"{recording}.lock); stop that process, or record into another file\n"
    )
    assert {cassette: cassette.read_bytes() for cassette in (first, recording)} == before


def test_a_session_that_records_nothing_leaves_no_folder_its_lock_made(tmp_path: Path) -> None:
    """The lock needs the cassette's folder, and a save would make it anyway; a session that
    saved nothing removes the folders again, as it leaves no cassette."""
    with use_cassette(tmp_path / "new" / "deep" / "c.json", "once"):
        assert (tmp_path / "new" / "deep" / "c.json.lock").exists()
    assert list(tmp_path.iterdir()) == []
    with use_cassette(tmp_path / "new" / "deep" / "c.json", "once") as use:
        use.handle(LAUNCH)
    assert [entry.name for entry in (tmp_path / "new" / "deep").iterdir()] == ["c.json"]
