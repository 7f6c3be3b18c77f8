"""What the system refuses a command (a full disk, a closed output, a folder it cannot make,
a process it cannot fork) is one line and exit 2, never a traceback; a file name that is no
UTF-8 is shown escaped."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.cassette import format as cassette_format
from simulator.cli import main
from simulator.errors import BadInput
from simulator.glance import GlanceImageBackend

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "fixtures" / "cassettes"
WALKTHROUGH = ROOT / "fixtures" / "launches" / "walkthrough.json"
FULL = Path("/dev/full")


def launch_sim(
    *args: str | bytes, env: dict[str, str] | None = None, **options: object
) -> subprocess.CompletedProcess[bytes]:
    completed: subprocess.CompletedProcess[bytes] = subprocess.run(  # type: ignore[call-overload]
        [sys.executable, "-m", "simulator", *args],
        env={**os.environ, **(env or {})},
        stderr=subprocess.PIPE,
        check=False,
        **options,
    )
    return completed


def one_line(completed: subprocess.CompletedProcess[bytes]) -> str:
    text = completed.stderr.decode()
    assert "Traceback" not in text
    assert text.count("\n") == 1, text
    return text


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ("replay", str(CASSETTES / "walkthrough-fake0.json")),
        ("launch", str(WALKTHROUGH), "--memory"),
        ("seed", "--show"),
    ],
    ids=["replay", "launch", "seed"],
)
def test_a_full_disk_under_the_output_is_one_line(args: tuple[str, ...]) -> None:
    with FULL.open("wb") as full:
        completed = launch_sim(*args, stdout=full)
    assert completed.returncode == 2
    assert one_line(completed) == (
        "launch-sim: error: cannot write the output: No space left on device\n"
    )


def test_a_closed_output_is_one_line() -> None:
    completed = launch_sim(
        "replay",
        str(CASSETTES / "walkthrough-fake0.json"),
        preexec_fn=lambda: os.close(1),
    )
    assert completed.returncode == 2
    assert one_line(completed) == "launch-sim: error: the standard output is closed\n"


@pytest.mark.skipif(sys.platform != "linux", reason="file names are bytes on Linux")
def test_a_file_name_that_is_no_utf8_is_shown_escaped(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/c\xff.json"
    shutil.copy(CASSETTES / "walkthrough-fake0.json", os.fsdecode(name))
    strict = {"PYTHONIOENCODING": "utf-8"}
    shown = launch_sim("replay", name, env=strict, stdout=subprocess.PIPE)
    assert shown.returncode == 0, shown.stderr
    assert b"c\\udcff.json: 1 interaction, all match" in shown.stdout
    report = tmp_path / "report.json"
    written = launch_sim("replay", name, "--format", "json", "--output", str(report), env=strict)
    assert written.returncode == 0, written.stderr
    assert "c\\udcff.json" in report.read_text(encoding="utf-8")


def test_a_default_store_folder_that_cannot_be_made_is_one_line() -> None:
    completed = launch_sim(
        "store", "export", env={"LAUNCH_SIM_STORE": "", "XDG_DATA_HOME": "/dev/null"}
    )
    assert completed.returncode == 2
    assert one_line(completed).startswith(
        "launch-sim: error: cannot create the default store's folder /dev/null/launch-sim: "
        "Not a directory (set $LAUNCH_SIM_STORE or pass --store)"
    )


def test_a_re_recording_that_cannot_be_saved_is_one_line_and_the_file_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cassette = tmp_path / "drifted.json"
    text = (CASSETTES / "walkthrough-fake0.json").read_text()
    cassette.write_text(text.replace('"i-00000001"', '"i-00000009"'))
    before = cassette.read_bytes()

    def full_disk(path: Path, payload: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cassette_format, "write_atomically", full_disk)
    assert main(["replay", "--record-mode", "all", str(cassette)]) == 2
    assert capsys.readouterr().err == (
        f"launch-sim: error: {cassette}: cannot write the cassette: No space left on device\n"
    )
    assert cassette.read_bytes() == before


def test_workers_that_cannot_be_forked_are_one_line_and_leave_no_process_behind(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The system's process limit met halfway: the worker forked is stopped, not waited on
    for ever at exit."""
    real_fork = os.fork
    forks: list[int] = []

    def limited_fork() -> int:
        if forks:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", limited_fork)
    paths = [str(CASSETTES / name) for name in ("walkthrough-fake0.json", "glance.json")]
    assert main(["replay", "-j", "2", *paths]) == 2
    assert capsys.readouterr().err == (
        "launch-sim: error: cannot start 2 worker processes "
        "(Resource temporarily unavailable); ask for fewer with -j\n"
    )
    assert forks == [1]
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1", "not a valid URL"),
        ("http://[zz]/", "not a valid URL"),
        ("http://host:abc/", "the port must be a number"),
        ("http://[::1]:99999/", "the port must be a number"),
        ("http://a..b/", "empty or too long label"),
        (f"http://{'a' * 300}/", "empty or too long label"),
        ("http:///images", "names no host"),
        ("glance.test:9292", "not an http(s) URL"),
    ],
)
def test_an_unusable_glance_url_is_refused_before_any_request(url: str, problem: str) -> None:
    with pytest.raises(BadInput, match=problem.replace("(", r"\(").replace(")", r"\)")):
        GlanceImageBackend(url)
