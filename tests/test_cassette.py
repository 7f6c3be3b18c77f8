"""Cassettes: the model and its file form, secrets, seeds from touched rows, record modes."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cassette_helpers import default_on_termination
from test_server import call, environ_for

from simulator import cloud
from simulator.cassette import (
    REDACTED,
    Cassette,
    CassetteError,
    CassetteSession,
    RecordedRequest,
    RecordMode,
    gc_frozen,
    gc_paused,
    load_cassette,
    recorded_for,
    replay_cassette,
    use_cassette,
)
from simulator.cassette.format import Interaction, RecordedResponse, compare
from simulator.cassette.replayer import YOUNG_COLLECTION_EVERY
from simulator.contracts import default_registry
from simulator.errors import StoreError
from simulator.seed import merge_seeds, seed_from_rows
from simulator.service import EC2Service
from simulator.store import MappingStore, MappingTable

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
LAUNCH = [("Action", "RunInstances"), ("ImageId", "ami-00000001")]
WALKTHROUGH_FAKE0 = [
    ("BlockDeviceMapping.1.DeviceName", "/dev/fake0"),
    ("BlockDeviceMapping.1.Ebs.SnapshotId", "snap-12345678"),
]


def record(path: Path, *requests: list[tuple[str, str]], **options: Any) -> Cassette:
    """Record ``requests`` (as query parameters) into a new cassette at ``path``."""
    with use_cassette(path, "once", **options) as use:
        for params in requests:
            use.handle(params)
        assert use.failure_report() is None
    return load_cassette(path)


# --- the file ------------------------------------------------------------------------------


def test_the_schema_embeds_the_seed_schema_verbatim() -> None:
    cassette_schema = json.loads((SCHEMAS / "cassette.schema.json").read_text())
    seed_schema = json.loads((SCHEMAS / "seed.schema.json").read_text())
    assert cassette_schema["$defs"]["seed"] == seed_schema


def test_a_recorded_cassette_is_valid_stable_and_reads_back_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    cassette = record(path, LAUNCH + WALKTHROUGH_FAKE0, [*LAUNCH[:1], ("ImageId", "ami-000000ff")])
    data = json.loads(path.read_text())
    assert default_registry().validate("cassette", data) == []
    assert list(data) == [
        "format",
        "version",
        "recorded_at",
        "profile",
        "seed",
        "image_service",
        "interactions",
    ]
    assert data["profile"] == "grizzly"
    assert list(data["interactions"][0]) == ["request", "create_calls", "response"]
    assert cassette.to_bytes() == path.read_bytes()
    assert '["BlockDeviceMapping.1.DeviceName", "/dev/fake0"],\n' in path.read_text()


def test_the_seed_holds_only_the_rows_the_requests_touched(tmp_path: Path) -> None:
    cassette = record(tmp_path / "c.json", LAUNCH + WALKTHROUGH_FAKE0)
    assert cassette.seed["snapshots"] == [
        {"ec2_id": "snap-12345678", "uuid": "00000000-1111-2222-3333-444444444444"}
    ]
    assert "volumes" not in cassette.seed
    assert "instances" not in cassette.seed
    assert [image["ec2_id"] for image in cassette.seed["images"]] == [
        "ami-00000001",
        "aki-00000002",
        "ari-00000003",
    ]


def test_rows_created_while_recording_are_left_out_but_the_high_water_mark_is_kept() -> None:
    store = MappingStore.in_memory()
    for number in range(1, 6):
        store.add_mapping(MappingTable.INSTANCES, f"old-{number}")
    store.add_mapping(MappingTable.SNAPSHOTS, "11111111-2222-3333-4444-555555555555", 7)
    with store.access_log() as log:
        store.add_mapping(MappingTable.INSTANCES, "new-1")
        assert store.mapping_uuid(MappingTable.SNAPSHOTS, 7) is not None
        assert store.mapping_id(MappingTable.INSTANCES, "new-1") == 6
    seed = seed_from_rows(store.touched_rows(log))
    assert seed == {
        "snapshots": [{"ec2_id": "snap-00000007", "uuid": "11111111-2222-3333-4444-555555555555"}],
        "instances": [{"ec2_id": "i-00000005", "uuid": "old-5"}],
    }


def test_only_one_access_log_at_a_time_and_none_after_the_block() -> None:
    store = MappingStore.in_memory()
    with store.access_log(), pytest.raises(StoreError, match="already logging"), store.access_log():
        pass
    store.add_mapping(MappingTable.SNAPSHOTS, "a")
    with store.access_log() as log:
        pass
    assert store.mapping_uuid(MappingTable.SNAPSHOTS, 1) == "a"
    assert not log.read


# --- secrets -------------------------------------------------------------------------------


def test_a_request_in_any_method_the_server_answers_records_a_cassette_that_replays(
    tmp_path: Path,
) -> None:
    """The server reads a form body whatever the method (docs/fidelity.md), so a PUT or a
    HEAD launches as a POST does; its interaction used to be written with a method the
    schema refused, and the whole cassette was then unreadable."""
    path = tmp_path / "c.json"
    methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]
    body = b"Action=RunInstances&ImageId=ami-00000001"
    with use_cassette(path, "once") as use:
        app = use.session.app(EC2Service(use.sim))
        for method in methods:
            query, sent = (body, b"") if method == "GET" else (b"", body)
            status, _, _ = call(app, environ_for(method=method, query=query, body=sent))
            assert status == 200, method
    cassette = load_cassette(path)
    assert [interaction.request.method for interaction in cassette.interactions] == methods
    assert not replay_cassette(cassette, str(path)).result.failures
    with pytest.raises(CassetteError, match="not an HTTP method"):
        RecordedRequest.capture("G T", "/", LAUNCH)


def test_credentials_and_signing_parameters_never_reach_a_request() -> None:
    params = [
        ("Action", "RunInstances"),
        ("AWSAccessKeyId", "AKIAIOSFODNN7EXAMPLE"),
        ("Signature", "c2ln"),
        ("SignatureMethod", "HmacSHA256"),
        ("SignatureVersion", "2"),
        ("Timestamp", "2026-11-25T10:00:00Z"),
        ("Expires", "2026-11-25T10:05:00Z"),
        ("SecurityToken", "tok"),
        ("X-Amz-Signature", "00"),
        ("x-amz-credential", "AKIA/x"),
        ("X-Amz-Security-Token", "tok"),
        ("UserData", "c2VjcmV0"),
        ("ClientToken", "t"),
    ]
    request = RecordedRequest.capture("post", "/", params, frozenset({"UserData"}))
    assert request.params == (
        ("Action", "RunInstances"),
        ("UserData", REDACTED),
        ("ClientToken", "t"),
    )
    assert request.method == "POST"


def test_a_redacted_parameter_is_redacted_in_the_create_call_and_still_matches(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.json"
    cassette = record(
        path, [*LAUNCH, ("UserData", "c2VjcmV0"), ("ClientToken", "one")], redact=["UserData"]
    )
    assert "c2VjcmV0" not in path.read_text()
    assert cassette.interactions[0].create_calls[0]["user_data"] == REDACTED
    with use_cassette(path, "none") as use:
        use.handle([*LAUNCH, ("UserData", "b3RoZXI="), ("ClientToken", "two")])
        assert use.failure_report() is None
    assert not replay_cassette(cassette, "c").result.failures


# --- matching and record modes --------------------------------------------------------------


def test_mode_none_needs_a_cassette(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="no such cassette"):
        recorded_for(tmp_path / "missing.json", RecordMode.NONE)


def test_once_replays_an_existing_cassette_and_reports_the_closest_interaction(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.json"
    record(path, LAUNCH, [*LAUNCH[:1], ("ImageId", "ami-000000ff")])
    before = path.read_bytes()
    with use_cassette(path, "once") as use:
        use.handle([*LAUNCH[:1], ("ImageId", "ami-000000fe")])
        report = use.failure_report()
    assert report is not None
    assert (
        "closest is interaction 1: ImageId: recorded 'ami-000000ff', requested 'ami-000000fe'"
        in report
    )
    assert path.read_bytes() == before


def test_a_request_asked_more_often_than_recorded_says_so(tmp_path: Path) -> None:
    """Each recorded interaction answers one request: a third launch of a request recorded
    twice is a stray one, and the closest interaction is the very same request. The note
    used to end on "closest is interaction 0: " and nothing after it."""
    path = tmp_path / "c.json"
    record(path, LAUNCH, LAUNCH)
    with use_cassette(path, "once") as use:
        for _ in range(3):
            use.handle([*LAUNCH, ("ClientToken", "any")])
        report = use.failure_report()
    assert report is not None
    assert report.splitlines()[-1].strip() == (
        "the cassette holds this request 2 times (interactions 0, 1), each answered "
        "already: a recorded interaction answers one request"
    )


def test_a_changed_answer_is_a_failure_naming_pointer_and_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.json"
    record(path, LAUNCH + WALKTHROUGH_FAKE0)
    monkeypatch.setattr(cloud, "parse_block_device_mapping", default_on_termination(False))
    with use_cassette(path, "none") as use:
        use.handle(LAUNCH + WALKTHROUGH_FAKE0)
        report = use.failure_report()
    assert report is not None
    assert (
        "/interactions/0/create_calls/0/block_device_mapping/0/delete_on_termination: "
        "recorded true, now false"
    ) in report


def test_new_episodes_appends_only_what_the_cassette_lacks(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    record(path, LAUNCH)
    with use_cassette(path, "new_episodes") as use:
        use.handle(LAUNCH)
        use.handle([*LAUNCH, ("MinCount", "2")])
        assert use.failure_report() is None
    cassette = load_cassette(path)
    assert [i.response.instance_ids for i in cassette.interactions] == [
        ("i-00000001",),
        ("i-00000002", "i-00000003"),
    ]
    assert not replay_cassette(cassette, "c").result.failures


def test_all_records_afresh(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    record(path, LAUNCH, LAUNCH)
    with use_cassette(path, "all") as use:
        use.handle([*LAUNCH[:1], ("ImageId", "ami-000000ff")])
    cassette = load_cassette(path)
    assert [i.response.error_code for i in cassette.interactions] == ["ImageNotFound"]


def test_an_image_service_kind_change_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    cassette = record(path, LAUNCH)
    from simulator.cassette import ImageService

    with pytest.raises(CassetteError, match="recorded with the store image service"):
        CassetteSession(
            path,
            RecordMode.NEW_EPISODES,
            MappingStore.in_memory(),
            recorded=cassette,
            image_service=ImageService("glance", "http://g"),
        )


def test_a_recording_keeps_every_interaction_then_all_but_a_sixteenth_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rewriting the whole file per interaction would cost O(n^2) bytes over a session."""
    path = tmp_path / "long.json"
    on_disk: list[int] = []
    save = Cassette.save

    def counted(cassette: Cassette, target: Path) -> None:
        save(cassette, target)
        on_disk.append(len(load_cassette(target).interactions))

    monkeypatch.setattr(Cassette, "save", counted)
    with use_cassette(path, "once") as use:
        for count in range(1, 601):
            use.handle(LAUNCH)
            if count <= 256:
                assert on_disk[-1] == count, "a small cassette is on disk after every interaction"
            else:
                assert count - on_disk[-1] <= count // 16
    assert on_disk[-1] == 600 and len(on_disk) < 256 + 40
    assert not replay_cassette(load_cassette(path), str(path)).result.failures


def test_a_session_records_only_inside_its_block(tmp_path: Path) -> None:
    from simulator.api import Simulator
    from simulator.service import EC2Service

    sim = Simulator.from_seed()
    session = CassetteSession(tmp_path / "c.json", RecordMode.ONCE, sim.store, recorded=None)
    with pytest.raises(RuntimeError, match="inside its 'with' block"):
        session.observe("POST", "/", LAUNCH, EC2Service(sim).handle(LAUNCH))


# --- instance ids ----------------------------------------------------------------------------


def test_launches_between_recorded_ones_leave_a_floor_that_replay_restores(
    tmp_path: Path,
) -> None:
    path = tmp_path / "c.json"
    with use_cassette(path, "once") as use:
        use.handle(LAUNCH)
        use.sim.run_instances(image_id="ami-00000001", min_count=3)  # not through the cassette
        use.handle(LAUNCH)
    cassette = load_cassette(path)
    assert [i.instance_id_floor for i in cassette.interactions] == [None, 4]
    assert cassette.interactions[1].response.instance_ids == ("i-00000005",)
    assert not replay_cassette(cassette, "c").result.failures


def test_without_its_floor_replay_says_the_instance_ids_differ(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    with use_cassette(path, "once") as use:
        use.handle(LAUNCH)
        use.sim.run_instances(image_id="ami-00000001")
        use.handle(LAUNCH)
    data = json.loads(path.read_text())
    del data["interactions"][1]["instance_id_floor"]
    cassette = Cassette.from_dict(data)
    [failure] = replay_cassette(cassette, "c").result.failures
    [difference] = failure.differences
    assert (difference.pointer, difference.recorded, difference.observed) == (
        "/interactions/1/response/instance_ids/0",
        "i-00000003",
        "i-00000002",
    )


def test_a_store_with_instances_already_seeds_its_high_water_mark(tmp_path: Path) -> None:
    seed = json.loads((ROOT / "fixtures" / "seed" / "default.json").read_text())
    seed["instances"] = [{"ec2_id": "i-0000002a", "uuid": "00000000-0000-4000-8000-00000000002a"}]
    cassette = record(tmp_path / "c.json", LAUNCH, seed=seed)
    assert cassette.seed["instances"] == seed["instances"]
    assert cassette.interactions[0].response.instance_ids == ("i-0000002b",)
    assert not replay_cassette(cassette, "c").result.failures


def test_reservation_ids_are_compared_by_format_only(tmp_path: Path) -> None:
    cassette = record(tmp_path / "c.json", LAUNCH)
    data = cassette.to_dict()
    data["interactions"][0]["response"]["reservation_id"] = "r-zzzzzzzz"
    assert not replay_cassette(Cassette.from_dict(data), "c").result.failures
    data["interactions"][0]["response"]["reservation_id"] = "r-NOTNOVA"
    [failure] = replay_cassette(Cassette.from_dict(data), "c").result.failures
    assert [d.pointer for d in failure.differences] == ["/interactions/0/response/reservation_id"]


# --- replay and re-recording ----------------------------------------------------------------


def test_rerecording_replaces_only_the_interactions_that_differ(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cassette = record(tmp_path / "c.json", LAUNCH, LAUNCH + WALKTHROUGH_FAKE0)
    assert replay_cassette(cassette, "c").rerecorded(cassette) is None
    monkeypatch.setattr(cloud, "parse_block_device_mapping", default_on_termination(False))
    updated = replay_cassette(cassette, "c").rerecorded(cassette)
    assert updated is not None
    assert updated.interactions[0] == cassette.interactions[0]
    mapping = updated.interactions[1].create_calls[0]["block_device_mapping"][0]
    assert mapping["delete_on_termination"] is False
    assert not replay_cassette(updated, "c").result.failures


def test_merging_seeds_keeps_the_base_and_never_takes_new_instance_rows() -> None:
    base = {"snapshots": [{"ec2_id": "snap-1", "uuid": "a"}]}
    extra = {
        "snapshots": [{"ec2_id": "snap-00000001", "uuid": "a"}, {"ec2_id": "snap-2", "uuid": "b"}],
        "instances": [{"ec2_id": "i-9", "uuid": "c"}],
    }
    assert merge_seeds(base, extra) == {
        "snapshots": [{"ec2_id": "snap-1", "uuid": "a"}, {"ec2_id": "snap-2", "uuid": "b"}]
    }


# --- boto3 and the pytest plugin --------------------------------------------------------------


def test_boto3_launches_record_and_replay(tmp_path: Path) -> None:
    path = tmp_path / "boto3.json"
    with use_cassette(path, "once") as use:
        ec2 = use.client()
        ec2.run_instances(ImageId="ami-00000001", MinCount=2, MaxCount=2)
        with pytest.raises(ec2.exceptions.ClientError, match="SnapshotNotFound"):
            ec2.run_instances(
                ImageId="ami-00000001",
                MinCount=1,
                MaxCount=1,
                BlockDeviceMappings=[
                    {"DeviceName": "/dev/vdb", "Ebs": {"SnapshotId": "snap-000000ff"}}
                ],
            )
    cassette = load_cassette(path)
    assert [i.response.error_code for i in cassette.interactions] == [None, "SnapshotNotFound"]
    assert not replay_cassette(cassette, str(path)).result.failures
    with use_cassette(path, "none") as use:
        use.client().run_instances(ImageId="ami-00000001", MinCount=2, MaxCount=2)
        assert use.failure_report() is None


PLUGIN_TEST = textwrap.dedent("""
    import pytest

    @pytest.mark.launch_sim_cassette(record_mode="once")
    def test_launch(launch_sim_cassette):
        ec2 = launch_sim_cassette.client()
        ec2.run_instances(ImageId="ami-00000001", MinCount=COUNT, MaxCount=COUNT)
""")


def run_pytest(directory: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_pytest_marker_records_once_then_replays(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(PLUGIN_TEST.replace("COUNT", "2"))
    first = run_pytest(tmp_path)
    assert first.returncode == 0, first.stdout
    cassette = tmp_path / "cassettes" / "test_user" / "test_launch.json"
    recorded = cassette.read_bytes()
    assert run_pytest(tmp_path, "--launch-sim-record-mode=none").returncode == 0
    (tmp_path / "test_user.py").write_text(PLUGIN_TEST.replace("COUNT", "1"))
    changed = run_pytest(tmp_path)
    assert changed.returncode != 0
    assert "the cassette holds no such request" in changed.stdout
    assert cassette.read_bytes() == recorded
    assert run_pytest(tmp_path, "--launch-sim-record-mode=all").returncode == 0
    assert load_cassette(cassette).interactions[0].response.instance_ids == ("i-00000001",)
    cassette.unlink()
    missing = run_pytest(tmp_path, "--launch-sim-record-mode=none")
    assert missing.returncode != 0
    assert "no such cassette, and record mode 'none' records nothing" in missing.stdout


MARKED_TEST = """
import pytest

@pytest.mark.launch_sim_cassette("c.json", OPTIONS)
def test_launch(launch_sim_cassette):
    launch_sim_cassette.handle([("Action", "RunInstances"), ("ImageId", "ami-00000001")])
"""


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        ("record_mode='bogus'", "record_mode 'bogus' is none of none, once, new_episodes, all"),
        ("bogus_kw=1", "unknown keyword(s) bogus_kw; use path, record_mode, redact"),
        ("redact='UserData'", "redact must be a list of parameter names, not 'UserData'"),
    ],
)
def test_a_cassette_marker_it_cannot_use_fails_the_test_in_one_line(
    tmp_path: Path, options: str, refusal: str
) -> None:
    (tmp_path / "test_user.py").write_text(MARKED_TEST.replace("OPTIONS", options))
    run = run_pytest(tmp_path, "-rE", "--tb=line", "-o", "console_output_style=classic")
    assert run.returncode == 1, run.stdout
    assert "1 error" in run.stdout
    assert f"launch_sim_cassette: {refusal}" in run.stdout.replace("\n", " ")
    assert "Traceback" not in run.stdout


def test_a_recording_that_cannot_be_saved_fails_the_test_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "c.json").mkdir()
    (tmp_path / "test_user.py").write_text(MARKED_TEST.replace("OPTIONS", "record_mode='all'"))
    run = run_pytest(tmp_path)
    assert run.returncode == 1, run.stdout
    assert run.stdout.endswith("1 error in " + run.stdout.rsplit("1 error in ", 1)[-1])
    assert "failed" not in run.stdout
    assert "not a regular file; refusing to replace it" in run.stdout
    assert "Traceback" not in run.stdout


@pytest.mark.parametrize("kind", ["a seed", "not JSON", "a JSON Lines seed"])
def test_recording_afresh_never_replaces_a_file_that_is_no_cassette(
    tmp_path: Path, kind: str
) -> None:
    seed = (ROOT / "fixtures" / "seed" / "default.json").read_text()
    name, text = {
        "a seed": ("seed.json", seed),
        "not JSON": ("notes.json", "remember the milk"),
        "a JSON Lines seed": ("seed.jsonl", json.dumps(json.loads(seed)) + "\n"),
    }[kind]
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(CassetteError, match="refusing to record over a file that is no cassette"):
        recorded_for(path, RecordMode.ALL)
    assert path.read_text() == text
    cassette = tmp_path / "c.json"
    cassette.write_bytes((ROOT / "fixtures" / "cassettes" / "walkthrough-fake0.json").read_bytes())
    assert recorded_for(cassette, RecordMode.ALL) is None


def test_gc_paused_disables_the_collector_for_the_block_and_leaves_a_disabled_one_alone() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled(), "someone else's disabling is not undone"
    finally:
        gc.enable()


def test_gc_frozen_freezes_for_the_block_and_leaves_an_earlier_freeze_alone() -> None:
    assert gc.get_freeze_count() == 0
    before_thresholds = gc.get_threshold()
    with gc_frozen():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_COLLECTION_EVERY
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before_thresholds
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with gc_frozen():
            pass
        assert gc.get_freeze_count() == before, "someone else's freeze is not undone"
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"create_calls": ({"min_count": True},)}, "/create_calls/0/min_count"),
        ({"status": 201}, "/response/status"),
        ({"error_code": "UnknownError"}, "/response/error_code"),
        ({"instance_ids": ("i-00000002",)}, "/response/instance_ids/0"),
        ({"reservation_id": "r-1"}, "/response/reservation_id"),
    ],
    ids=["true-is-not-1", "status", "error-code", "instance-id", "reservation-form"],
)
def test_compare_finds_each_difference_its_shortcut_for_equal_ones_could_miss(
    change: dict[str, Any], pointer: str
) -> None:
    """``compare`` recognises an equal interaction on the records; every way two can differ,
    a bool for an integer included, still reaches the diff."""
    request = RecordedRequest("POST", "/", (("Action", "RunInstances"),))
    response = RecordedResponse(200, None, "r-0000000a", ("i-00000001",))
    recorded = Interaction(request, ({"min_count": 1},), response)
    assert compare(recorded, replace(recorded), 0) == []
    calls = change.pop("create_calls", recorded.create_calls)
    observed = Interaction(request, calls, replace(response, **change))
    [difference] = compare(recorded, observed, 0)
    assert difference.pointer == "/interactions/0" + pointer
