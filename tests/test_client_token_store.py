"""A ClientToken lives in its instances' rows (Nova's ``EC2_client_token`` system metadata), so
a simulator reopened on the same file store answers a retry with the earlier reservation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulator import Simulator
from simulator.errors import EC2Error
from simulator.store import MappingStore

LAUNCH: dict[str, Any] = {"image_id": "ami-00000001", "instance_type": "m1.small"}


def rows(store: MappingStore) -> list[dict[str, Any]]:
    found = []
    for row_id in store.instances.ids():
        row = store.instances.get(row_id)
        assert row is not None
        found.append(row)
    return found


def instance_ids(answer: dict[str, Any]) -> list[str]:
    return [item["instanceId"] for item in answer["instancesSet"]]


@pytest.mark.parametrize("profile", ["havana", "icehouse"])
def test_a_reopened_store_answers_a_token_with_its_earlier_reservation(
    tmp_path: Path, profile: str
) -> None:
    path = tmp_path / "store.json"
    with Simulator.open(path, profile=profile) as sim:
        first = sim.run_instances(**LAUNCH, min_count=2, client_token="retry-me")
    with Simulator.open(path, profile=profile) as sim:
        again = sim.run_instances(**LAUNCH, client_token="retry-me")
        assert again["reservationId"] == first["reservationId"]
        assert instance_ids(again) == instance_ids(first) == ["i-00000001", "i-00000002"]
        assert len(sim.store.instances) == 2
        assert [row["client_token"] for row in rows(sim.store)] == ["retry-me", "retry-me"]


def test_describe_instances_shows_the_token_after_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with Simulator.open(path, profile="icehouse") as sim:
        sim.run_instances(**LAUNCH, client_token="t-1")
        sim.run_instances(**LAUNCH)
    with Simulator.open(path, profile="icehouse") as sim:
        described = sim.invoke("describe_instances", {})
    items = [item for r in described["reservationSet"] for item in r["instancesSet"]]
    assert [item.get("clientToken") for item in items] == ["t-1", None]


def test_a_terminated_token_launches_anew_after_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with Simulator.open(path, profile="havana") as sim:
        first = sim.run_instances(**LAUNCH, client_token="once")
        sim.invoke("terminate_instances", {"instance_id": instance_ids(first)})
        assert "client_token" not in rows(sim.store)[0]
    with Simulator.open(path, profile="havana") as sim:
        again = sim.run_instances(**LAUNCH, client_token="once")
        assert again["reservationId"] != first["reservationId"]
        assert instance_ids(again) == ["i-00000002"]
    with Simulator.open(path, profile="havana") as sim:
        third = sim.run_instances(**LAUNCH, client_token="once")
        assert third["reservationId"] == again["reservationId"]


def test_a_token_stored_as_text_keeps_the_regex_lookup_after_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    with Simulator.open(path, profile="havana") as sim:
        sim.run_instances(**LAUNCH, client_token=True)
    with Simulator.open(path, profile="havana") as sim:
        assert [row["client_token"] for row in rows(sim.store)] == ["1"]
        with pytest.raises(EC2Error) as caught:
            sim.run_instances(**LAUNCH, client_token="(")
        assert caught.value.code == "error"
        assert instance_ids(sim.run_instances(**LAUNCH, client_token="1")) == ["i-00000001"]


@pytest.mark.parametrize("profile", ["folsom", "grizzly"])
def test_rows_before_havana_carry_no_token(tmp_path: Path, profile: str) -> None:
    path = tmp_path / "store.json"
    with Simulator.open(path, profile=profile) as sim:
        sim.run_instances(**LAUNCH, client_token="ignored")
        sim.run_instances(**LAUNCH, client_token="ignored")
        assert [("client_token" in row) for row in rows(sim.store)] == [False, False]


def test_a_havana_launch_without_a_token_writes_no_token_column() -> None:
    sim = Simulator.from_seed(profile="havana")
    sim.run_instances(**LAUNCH)
    assert "client_token" not in rows(sim.store)[0]


@pytest.mark.parametrize(
    ("token", "answered"),
    [
        ("a*+", "error"),
        ("(?i:x)", "error"),
        ("(?>x)", "error"),
        ("\\q", None),
        ("a(?i)b", None),
        ("(?L)x", None),
        ("(a)" * 100, "AssertionError"),
        ("(a)" * 99, None),
    ],
)
def test_a_token_is_compiled_as_python_27s_re_compiled_it(token: str, answered: str | None) -> None:
    """Python 3.11 reads possessive quantifiers, atomic groups and scoped flags, which Python
    2.7 refused, and refuses unknown letter escapes, late global flags and ``(?L)``, which it
    took; Python 2.7 refused 100 groups with an AssertionError. Havana answers a refusal
    with its class name, HTTP 500; a pattern it compiled is looked up, and misses."""
    sim = Simulator.from_seed(profile="havana")
    sim.run_instances(**LAUNCH, client_token="held")
    if answered is None:
        assert instance_ids(sim.run_instances(**LAUNCH, client_token=token)) == ["i-00000002"]
        return
    with pytest.raises(EC2Error) as caught:
        sim.run_instances(**LAUNCH, client_token=token)
    assert (caught.value.code, caught.value.http_status) == (answered, 500)


@pytest.mark.parametrize("profile", ["havana", "icehouse"])
@pytest.mark.parametrize("reopened", [False, True])
def test_a_retry_lists_an_instance_terminated_but_not_yet_gone(
    tmp_path: Path, profile: str, reopened: bool
) -> None:
    """TerminateInstances takes the token off ``i-00000001`` at once, but the instance stays
    (``deleting``) until its host is done; a retry formats the whole reservation as it is
    (``_format_instances(reservation_id=...)``, ``cloud.py:1281-1288,1030-1033@2013.2.4``):
    both instances, found through the one that still carries the token (Nova's own code under
    Python 2.7 listed both)."""
    path = tmp_path / "store.json"
    sim = Simulator.open(path, profile=profile, settle_after=4)
    first = sim.run_instances(**LAUNCH, min_count=2, client_token="t")
    for _ in range(4):
        sim.invoke("describe_instances", {})
    sim.invoke("terminate_instances", {"instance_id": ["i-00000001"]})
    if reopened:
        sim.close()
        sim = Simulator.open(path, profile=profile, settle_after=4)
    with sim:
        described = sim.invoke("describe_instances", {})
        live = [
            item["instanceId"] for r in described["reservationSet"] for item in r["instancesSet"]
        ]
        again = sim.run_instances(**LAUNCH, min_count=2, client_token="t")
    # A restarted simulator takes unfinished work as finished: i-00000001 is gone.
    assert live == (["i-00000002"] if reopened else ["i-00000001", "i-00000002"])
    assert again["reservationId"] == first["reservationId"]
    assert instance_ids(again) == live
