"""Drift never passes silently (issue 12, item 2): in record modes ``once`` and ``none`` a
request an existing cassette does not hold gets launch-sim's ``CannotOverwriteExistingCassette``
error (vcrpy's CannotOverwriteExistingCassetteException), in a test as in ``serve --record``,
and a checking server exits 1 when it stops."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import urllib.parse
import urllib.request
from pathlib import Path

import botocore.exceptions
import pytest
from serve_helpers import serving

from simulator.cassette import RecordMode, load_cassette, use_cassette
from simulator.cassette.recorder import NOT_HELD
from simulator.errors import CannotOverwriteExistingCassette, ec2_error

LAUNCH = [("Action", "RunInstances"), ("ImageId", "ami-00000001")]
STRAY = [("Action", "RunInstances"), ("ImageId", "ami-00000001"), ("MinCount", "2")]
CODE = "CannotOverwriteExistingCassette"
DEFAULT_SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seed" / "default.json"


def store_options(tmp_path: Path) -> list[str]:
    """A new store from the seed the cassettes here are recorded on."""
    return ["--store", str(tmp_path / "store.json"), "--seed", str(DEFAULT_SEED)]


def recorded(tmp_path: Path) -> Path:
    path = tmp_path / "c.json"
    with use_cassette(path, "once") as use:
        use.handle(LAUNCH)
    return path


@pytest.mark.parametrize(
    ("mode", "refuses"),
    [
        (RecordMode.NONE, True),
        (RecordMode.ONCE, True),
        (RecordMode.NEW_EPISODES, False),
        (RecordMode.ALL, False),
    ],
)
def test_the_modes_that_record_nothing_refuse_a_request_the_cassette_lacks(
    mode: RecordMode, refuses: bool
) -> None:
    assert mode.rules.refuses_unrecorded is refuses


def test_the_error_is_launch_sims_own_code_naming_the_cassette_and_the_mode() -> None:
    document = ec2_error(
        CannotOverwriteExistingCassette(cassette="c.json", mode="once", held=NOT_HELD)
    )
    assert (document.code, document.status) == (CODE, 400)
    assert "Cassette c.json holds no such request" in document.message
    assert "record mode once records nothing new" in document.message


@pytest.mark.parametrize("mode", ["once", "none"])
def test_a_request_the_cassette_lacks_gets_the_error_and_fails_the_session(
    tmp_path: Path, mode: str
) -> None:
    path = recorded(tmp_path)
    before = path.read_bytes()
    with use_cassette(path, mode) as use:
        assert use.handle(LAUNCH).error_code is None, "a recorded request is answered"
        stray = use.handle(STRAY)
        again = use.handle(LAUNCH)
        report = use.failure_report()
    assert (stray.status, stray.error_code) == (400, CODE)
    assert f"Cassette {path} holds no such request" in (stray.error_message or "")
    assert f"record mode {mode}" in (stray.error_message or "")
    assert not stray.create_calls, "nothing was launched for it"
    assert again.error_code == CODE, "a recorded request plays once"
    assert report is not None and "the cassette holds no such request" in report
    assert path.read_bytes() == before


@pytest.mark.parametrize("mode", ["once", "none"])
def test_a_request_whose_recordings_all_answered_says_so_to_the_client(
    tmp_path: Path, mode: str
) -> None:
    """The client's error said the cassette "holds no such request" although it held it,
    while the session's report (and serve's stderr) said each recording had answered."""
    path = recorded(tmp_path)
    with use_cassette(path, mode) as use:
        use.handle(LAUNCH)
        again = use.handle(LAUNCH)
        report = use.failure_report()
    held = "holds this request once (interaction 0), answered already"
    assert again.error_code == CODE
    assert f"Cassette {path} {held}: a recorded interaction answers one request, and " in (
        again.error_message or ""
    )
    assert report is not None and f"the cassette {held}" in report


def test_new_episodes_still_records_the_request(tmp_path: Path) -> None:
    path = recorded(tmp_path)
    with use_cassette(path, "new_episodes") as use:
        assert use.handle(STRAY).error_code is None
        assert use.failure_report() is None
    assert len(load_cassette(path).interactions) == 2


def test_a_boto3_client_sees_the_error_where_it_sends_the_request(tmp_path: Path) -> None:
    path = recorded(tmp_path)
    with use_cassette(path, "none") as use:
        ec2 = use.client()
        with pytest.raises(botocore.exceptions.ClientError) as raised:
            ec2.run_instances(ImageId="ami-00000001", MinCount=3, MaxCount=3)
    assert raised.value.response["Error"]["Code"] == CODE


def test_the_pytest_marker_fails_the_test_at_the_stray_request(tmp_path: Path) -> None:
    test = textwrap.dedent("""
        import pytest

        @pytest.mark.launch_sim_cassette(record_mode="once")
        def test_launch(launch_sim_cassette):
            launch_sim_cassette.client().run_instances(
                ImageId="ami-00000001", MinCount=COUNT, MaxCount=COUNT
            )
    """)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"]
    (tmp_path / "test_user.py").write_text(test.replace("COUNT", "1"))
    first = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stdout
    (tmp_path / "test_user.py").write_text(test.replace("COUNT", "2"))
    drift = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert drift.returncode == 1
    assert f"An error occurred ({CODE}) when calling the RunInstances operation" in drift.stdout


def _post(endpoint: str, params: list[tuple[str, str]]) -> str:
    request = urllib.request.Request(endpoint, data=urllib.parse.urlencode(params).encode())
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return str(answer.read().decode())
    except urllib.error.HTTPError as error:
        return str(error.read().decode())


def test_a_checking_server_refuses_the_request_and_exits_1(tmp_path: Path) -> None:
    path = recorded(tmp_path)
    with serving(*store_options(tmp_path), "--record", str(path)) as served:
        assert "<instanceId>i-00000001</instanceId>" in _post(served.endpoint, LAUNCH)
        assert f"<Code>{CODE}</Code>" in _post(served.endpoint, STRAY)
    assert served.returncode == 1, served.stderr
    assert "1 difference(s)" in served.stderr


def test_a_checking_server_whose_requests_all_match_exits_0(tmp_path: Path) -> None:
    path = recorded(tmp_path)
    with serving(*store_options(tmp_path), "--record", str(path)) as served:
        assert "<instanceId>i-00000001</instanceId>" in _post(served.endpoint, LAUNCH)
    assert served.returncode == 0, served.stderr


def test_a_recording_server_that_records_nothing_leaves_no_cassette(tmp_path: Path) -> None:
    """As vcrpy saves only a cassette that changed: an empty file left by an idle session
    would make the next ``once`` session refuse every request."""
    path = tmp_path / "c.json"
    with serving(*store_options(tmp_path), "--record", str(path)) as idle:
        pass
    assert idle.returncode == 0, idle.stderr
    assert not path.exists()
    with serving(*store_options(tmp_path), "--record", str(path)) as served:
        assert "<instanceId>i-00000001</instanceId>" in _post(served.endpoint, LAUNCH)
    assert served.returncode == 0, served.stderr
    assert len(load_cassette(path).interactions) == 1


def test_an_idle_all_session_leaves_the_cassette_there_as_it_was(tmp_path: Path) -> None:
    path = recorded(tmp_path)
    before = path.read_bytes()
    with serving(*store_options(tmp_path), "--record", str(path), "--record-mode", "all") as idle:
        pass
    assert idle.returncode == 0, idle.stderr
    assert path.read_bytes() == before
