"""A store's files against the file system: symlinks, removed lock files, devices, endless
input, lone surrogates, compaction leftovers and the fsyncs its durability promises."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from simulator import Simulator, jsonio
from simulator.cli import main
from simulator.errors import SeedError, StoreCorrupt, StoreError, StoreLocked
from simulator.profiles import UnknownProfile
from simulator.store import MappingStore, MappingTable, engine

ROOT = Path(__file__).resolve().parent.parent
SNAP = MappingTable.SNAPSHOTS
HOLDER = (
    "import sys\n"
    "from simulator.store import MappingStore, MappingTable\n"
    "store = MappingStore.open(sys.argv[1])\n"
    "store.add_mapping(MappingTable.SNAPSHOTS, 'held')\n"
    "print('ready', flush=True)\n"
    "sys.stdin.readline()\n"
    "store.add_mapping(MappingTable.SNAPSHOTS, 'written-after')\n"
    "store.close()\n"
)


def launch_sim(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def release(process: subprocess.Popen[str]) -> int:
    """Let the holder write its second row and close the store; its exit code."""
    assert process.stdin is not None
    if not process.stdin.closed:
        process.stdin.write("\n")
        process.stdin.close()
    return process.wait(timeout=60)


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """Another process that opened ``real/st.json`` and wrote row 1; it writes row 2 and
    closes on :func:`release`, or when the test ends."""
    (tmp_path / "real").mkdir()
    path = tmp_path / "real" / "st.json"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        assert process.stdout.readline() == "ready\n"
        yield path, process
    finally:
        release(process)


def test_a_symlink_to_an_open_store_is_the_same_store_and_stays_a_symlink(
    tmp_path: Path, holder: tuple[Path, subprocess.Popen[str]]
) -> None:
    path, process = holder
    link = tmp_path / "link.json"
    link.symlink_to(path)
    with pytest.raises(StoreLocked, match=f"store {path} is locked by PID {process.pid}"):
        MappingStore.open(link)
    request = tmp_path / "request.json"
    request.write_text('{"image_id": "ami-00000001"}')
    code, out, err = launch_sim("launch", "--store", str(link), str(request))
    assert (code, out) == (2, "")
    assert err == (
        f"launch-sim: error: store {path} is locked by PID {process.pid}; "
        "stop that process, or give --store PATH or --memory\n"
    )
    request.unlink()
    assert release(process) == 0
    with MappingStore.open(link) as store:
        assert list(store.mapping_rows(SNAP)) == [(1, "held"), (2, "written-after")]
        store.add_mapping(SNAP, "through-the-link")
    assert link.is_symlink() and link.resolve() == path
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["link.json", "real"]
    with MappingStore.open(path) as store:
        assert store.mapping_uuid(SNAP, 3) == "through-the-link"


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="no /proc")
def test_a_lock_file_that_cannot_be_created_is_not_called_held() -> None:
    """filelock retries a lock file it cannot create until its timeout; that is no owner
    (``/proc`` takes no new files, even from root)."""
    with pytest.raises(StoreError, match=r"its lock file /proc/store.json.lock cannot be created$"):
        MappingStore.open("/proc/store.json", lock_timeout=0.1)


def test_a_removed_lock_file_admits_no_second_owner(
    holder: tuple[Path, subprocess.Popen[str]],
) -> None:
    path, process = holder
    Path(f"{path}.lock").unlink()
    with pytest.raises(StoreLocked, match=r"locked by another process \(it holds the journal "):
        MappingStore.open(path)
    code, _, err = launch_sim("store", "--store", str(path), "export")
    assert code == 2 and "locked by another process" in err
    assert err.endswith("; stop that process, or give --store PATH\n")
    assert release(process) == 0
    with MappingStore.open(path) as store:
        assert list(store.mapping_rows(SNAP)) == [(1, "held"), (2, "written-after")]


def test_a_refused_second_owner_leaves_no_journal_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with MappingStore.open(path) as store:
        store.add_mapping(SNAP, "a")
        Path(f"{path}.lock").unlink()
        with pytest.raises(StoreLocked):
            MappingStore.open(path)
        store.add_mapping(SNAP, "b")
    with MappingStore.open(path) as store:
        assert list(store.mapping_rows(SNAP)) == [(1, "a"), (2, "b")]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_no_store_and_is_left_alone(device: str) -> None:
    with pytest.raises(StoreError, match=f"{device} is not a regular file"):
        MappingStore.open(device)
    assert not os.path.exists(f"{device}.lock")
    code, out, err = launch_sim("store", "--store", device, "export")
    assert (code, out) == (2, "")
    assert err == f"launch-sim: error: cannot open store {device}: {device} is not a regular file\n"


def test_a_journal_that_is_not_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    os.mkfifo(f"{path}.journal")
    with pytest.raises(StoreError, match=r"store\.json\.journal is not a regular file"):
        MappingStore.open(path)
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["store.json.journal"]


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """Every reader's limit at 4 KiB."""
    monkeypatch.setattr(jsonio, "MAX_INPUT_BYTES", 4096)
    return 4096


class Reads:
    """Files ``jsonio`` opens, wrapped so that a test sees how much was read of each."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, refuse: bool = False) -> None:
        self.sizes: dict[str, list[int]] = {}
        self.refuse = refuse
        monkeypatch.setattr(jsonio, "open", self.open, raising=False)

    def open(self, path: Any, mode: str = "r") -> Any:
        reads = self

        class Counted(io.FileIO):
            def read(self, size: int | None = -1) -> bytes:
                if reads.refuse:
                    raise AssertionError(f"read {path}, known to be too large")
                data = super().read(size)
                reads.sizes.setdefault(str(path), []).append(len(data))
                return data

        return Counted(path, mode)


def test_a_store_past_the_limit_is_refused_unread(
    tmp_path: Path, small_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.json"
    path.write_text(json.dumps({"images": {}}) + " " * small_limit)
    Reads(monkeypatch, refuse=True)
    with pytest.raises(
        StoreError, match=r"cannot read store .*: larger than the 0 MiB .* \(4,110 bytes\)"
    ):
        MappingStore.open(path)


def test_a_snapshot_past_the_limit_is_never_written_and_the_store_still_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_limit = 4096
    monkeypatch.setattr(engine, "MAX_INPUT_BYTES", small_limit)
    path = tmp_path / "store.json"
    store = MappingStore.open(path)
    for number in range(40):
        store.add_mapping(SNAP, f"{number:0100}")
    with pytest.raises(StoreError, match=r"snapshot would be .* past the 0 MiB a store may hold"):
        store.close()
    assert path.stat().st_size < small_limit
    reopened = MappingStore.open(path)
    assert reopened.mapping_count(SNAP) == 40
    with pytest.raises(StoreError, match="past the"):
        reopened.close()
    monkeypatch.undo()
    with MappingStore.open(path) as store:
        assert store.mapping_count(SNAP) == 40
    assert path.stat().st_size > small_limit


@pytest.mark.parametrize("what", ["seed", "launch request", "cassette", "store"])
def test_endless_input_is_one_line_read_no_further_than_the_limit(
    tmp_path: Path, small_limit: int, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    """/dev/zero as every file a command reads: refused in one line, and what was read of it
    (counted at the one reader) is the limit and one byte."""
    reads = Reads(monkeypatch)
    request = tmp_path / "request.json"
    request.write_text('{"image_id": "ami-00000001"}')
    argv = {
        "seed": ["launch", "--memory", "--seed", "/dev/zero", str(request)],
        "launch request": ["launch", "--memory", "/dev/zero"],
        "cassette": ["replay", "/dev/zero"],
        "store": ["store", "--store", "/dev/zero", "export"],
    }[what]
    code, out, err = launch_sim(*argv)
    assert (code, out, err.count("\n")) == (2, "", 1), err
    if what == "store":
        assert "/dev/zero is not a regular file" in err
        assert "/dev/zero" not in reads.sizes
    else:
        assert err == (
            "launch-sim: error: /dev/zero: larger than the 0 MiB launch-sim reads of a file "
            "(endless input)\n"
        )
        assert reads.sizes["/dev/zero"] == [small_limit + 1]


def test_a_regular_file_past_the_limit_is_refused_before_reading(
    tmp_path: Path, small_limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "seed.json"
    big.write_text(json.dumps({"images": []}) + " " * small_limit)
    Reads(monkeypatch, refuse=True)
    with pytest.raises(SeedError, match=f"{big}: larger than .*4,110 bytes"):
        jsonio.read_json(big, "seed")


def test_dev_zero_as_a_seed_stays_within_the_real_limit(tmp_path: Path) -> None:
    """No monkeypatching: a subprocess given /dev/zero ends in one line, its peak memory
    bounded by the 256 MiB limit (it grew to 2.7 GB before MemoryError)."""
    request = tmp_path / "request.json"
    request.write_text('{"image_id": "ami-00000001"}')
    # The process's own peak (VmHWM): Linux carries the parent's peak into an exec'd
    # child's ru_maxrss, which then read the pytest worker's size, whatever ran in it before.
    script = (
        "import re, sys\n"
        "from pathlib import Path\n"
        "from simulator.cli import main\n"
        "code = main(['launch', '--memory', '--seed', '/dev/zero', sys.argv[1]])\n"
        "status = Path('/proc/self/status').read_text()\n"
        "peak_kib = int(re.search(r'VmHWM:\\s*(\\d+) kB', status)[1])\n"
        "print(code, peak_kib // 1024)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(request)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    code, peak_mib = map(int, result.stdout.split())
    assert code == 2 and peak_mib < 700, result
    assert result.stderr == (
        "launch-sim: error: /dev/zero: larger than the 256 MiB launch-sim reads of a file "
        "(endless input)\n"
    )


# --- lone surrogates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('{"a": "plain text, not one backslash"}', None),
        ('{"a": "\\u00e9 and \\n"}', None),
        ('{"a": "\\ud83d\\ude00"}', None),
        ('{"a": "\\\\ud800"}', None),
        ('{"a": "\\ud800"}', 7),
        ('{"a": "\\\\\\udc00"}', 9),
        ('{"a": "\\ud83d", "b": "x"}', 7),
    ],
)
def test_lone_surrogate_finds_the_escape_or_none(text: str, where: int | None) -> None:
    assert jsonio.lone_surrogate(text) == where


def test_a_lone_surrogate_in_a_snapshot_is_corruption_at_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text('{"snapshot_id_mappings": {"1": {"uuid": "\u00e9\\ud800"}}}')
    before = path.read_bytes()
    with pytest.raises(StoreCorrupt) as raised:
        MappingStore.open(path)
    offset = before.index(b"\\ud800")
    assert str(raised.value) == (
        f"store snapshot {path} is corrupt at byte {offset}: "
        "not Unicode text: a \\u escape is a lone surrogate"
    )
    for argv, alternatives in (
        (["store", "--store", str(path), "export"], "give --store PATH"),
        (["serve", "--store", str(path)], "give --store PATH or --memory"),
    ):
        code, out, err = launch_sim(*argv)
        assert (code, out) == (2, "")
        assert err == (
            f"launch-sim: error: {raised.value}; launch-sim never repairs a store: move it "
            f"aside, or {alternatives}\n"
        )
    assert path.read_bytes() == before


def test_a_lone_surrogate_in_the_journal_is_corruption_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with MappingStore.open(path) as store:
        store.add_mapping(SNAP, "a")
    good = b'["snapshot_id_mappings",2,{"uuid":"\\ud83d\\ude00"}]\n'
    bad = b'["snapshot_id_mappings",3,{"uuid":"\\udfff"}]\n'
    Path(f"{path}.journal").write_bytes(good + bad)
    with pytest.raises(StoreCorrupt) as raised:
        MappingStore.open(path)
    assert str(raised.value) == (
        f"store journal {path}.journal is corrupt at line 2 (byte {len(good)}): "
        "not Unicode text: a \\u escape is a lone surrogate"
    )


@pytest.mark.parametrize(
    "write",
    [
        lambda store: store.add_mapping(SNAP, "\ud800"),
        lambda store: store.add_image({"id": "u", "name": "\udc00"}),
        lambda store: store.tinydb.table("images").insert({"id": "u", "name": "x\ud800"}),
    ],
    ids=["mapping", "image", "tinydb"],
)
def test_a_row_a_reopen_would_refuse_is_never_written(tmp_path: Path, write: Any) -> None:
    path = tmp_path / "store.json"
    with MappingStore.open(path) as store:
        store.add_mapping(SNAP, "\u00e9")
        with pytest.raises(StoreError, match="lone surrogate"):
            write(store)
        store.add_mapping(SNAP, "after")
    with MappingStore.open(path) as store:
        assert list(store.mapping_rows(SNAP)) == [(1, "\u00e9"), (2, "after")]
        assert store.images() == []


# --- compaction leftovers --------------------------------------------------------------------


def test_temp_files_of_a_killed_compaction_are_removed_at_open(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    MappingStore.open(path).close()
    stale = [tmp_path / ".store.json.k2_9abcd.tmp", tmp_path / ".store.json.zzzzzzzz.tmp"]
    kept = [
        tmp_path / ".store.json.journal.abcdefgh.tmp",
        tmp_path / ".other.json.abcdefgh.tmp",
        tmp_path / ".store.json.abc.tmp",
        tmp_path / "store.json.abcdefgh.tmp",
    ]
    for leftover in stale + kept:
        leftover.write_text("{")
    with MappingStore.open(path):
        assert [leftover.exists() for leftover in stale] == [False, False]
        assert all(leftover.exists() for leftover in kept)


def test_a_compaction_killed_midway_leaves_nothing_once_reopened(tmp_path: Path) -> None:
    """A real kill: the writer is SIGKILLed inside write_atomically, after its temp file is
    written and before the rename."""
    path = tmp_path / "store.json"
    script = (
        "import os, signal, sys\n"
        "from simulator.store import MappingStore, MappingTable, engine\n"
        "store = MappingStore.open(sys.argv[1])\n"
        "store.add_mapping(MappingTable.SNAPSHOTS, 'a')\n"
        "def killed(*args): os.kill(os.getpid(), signal.SIGKILL)\n"
        "engine.os.replace = killed\n"
        "store.flush()\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, check=False)
    assert result.returncode == -9
    assert [entry.name for entry in tmp_path.glob(".store.json.*.tmp")] != []
    with MappingStore.open(path) as store:
        assert list(store.mapping_rows(SNAP)) == [(1, "a")]
    assert sorted(entry.name for entry in tmp_path.iterdir()) == [
        "store.json",
        "store.json.journal",
        "store.json.lock",
    ]


# --- durability ------------------------------------------------------------------------------


@pytest.fixture
def fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each os.fsync as what it flushed: a file's name, or ``<dir>`` for a directory."""
    calls: list[str] = []
    real = os.fsync

    def counted(fd: int) -> None:
        target = os.readlink(f"/proc/self/fd/{fd}")
        calls.append("<dir>" if os.path.isdir(target) else Path(target).name)
        real(fd)

    monkeypatch.setattr(os, "fsync", counted)
    return calls


@pytest.mark.parametrize(("durability", "per_write"), [("fsync", 1), ("flush", 0)])
def test_durability_fsync_flushes_the_journal_once_per_write(
    tmp_path: Path, fsyncs: list[str], durability: Any, per_write: int
) -> None:
    with MappingStore.open(tmp_path / "store.json", durability=durability) as store:
        fsyncs.clear()
        for number in range(5):
            store.add_mapping(SNAP, f"u{number}")
        store.add_image({"id": "i", "name": "cirros"})
        assert fsyncs == ["store.json.journal"] * 6 * per_write


def test_an_atomic_write_fsyncs_the_file_then_its_directory(
    tmp_path: Path, fsyncs: list[str]
) -> None:
    with MappingStore.open(tmp_path / "store.json") as store:
        store.add_mapping(SNAP, "a")
        fsyncs.clear()
        store.flush()
        temp, directory, journal = fsyncs
        assert temp.startswith(".store.json.") and temp.endswith(".tmp")
        assert (directory, journal) == ("<dir>", "store.json.journal")


def test_a_launch_stored_before_a_failed_compaction_is_reported_as_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The launch succeeded and its rows are in the journal: exit 0 with its result on
    stdout, and the failed compaction one warning line on stderr."""
    store, request = tmp_path / "st.json", tmp_path / "request.json"
    request.write_text('{"image_id": "ami-00000001"}')
    assert launch_sim("launch", "--store", str(store), str(request))[0] == 0

    def full(path: Path, payload: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine, "write_atomically", full)
    code, out, err = launch_sim("launch", "--store", str(store), str(request))
    assert code == 0
    assert json.loads(out)["instance_ids"] == ["i-00000002"]
    assert err == (
        f"launch-sim: warning: the launch is stored, but cannot compact store {store}: "
        "[Errno 28] No space left on device\n"
    )
    monkeypatch.undo()
    with MappingStore.open(store) as reopened:
        assert reopened.highest_id(MappingTable.INSTANCES) == 2


def test_a_simulator_that_cannot_be_made_releases_the_store_it_opened(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with pytest.raises(UnknownProfile):
        Simulator.open(path, profile="no-such-release")
    with Simulator.open(path) as sim:
        assert sim.store.images()
