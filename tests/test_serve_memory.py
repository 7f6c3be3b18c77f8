"""``launch-sim serve --memory``: a server whose store lives and dies with its process, as
moto's server keeps its state, for a test suite that starts one and wants nothing on disk."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from serve_helpers import serving

from simulator.cli import STORE_ENV, main


def launched_id(endpoint: str) -> str:
    ec2 = boto3.client(
        "ec2",
        region_name="nova",
        endpoint_url=endpoint,
        aws_access_key_id="admin",
        aws_secret_access_key="any",
    )
    answer = ec2.run_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1)
    instance_id: str = answer["Instances"][0]["InstanceId"]
    return instance_id


def test_each_memory_server_starts_from_the_seed_and_writes_no_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default_store = tmp_path / "default-store.json"
    monkeypatch.setenv(STORE_ENV, str(default_store))
    first = []
    for _ in range(2):
        with serving("--memory", "--quiet") as served:
            first.append(launched_id(served.endpoint))
            second = launched_id(served.endpoint)
        assert served.returncode == 0, served.stderr
        assert "(in memory)" in served.stdout
        assert second != first[-1]
    assert first[0] == first[1] == "i-00000001"
    assert not default_store.exists()
    assert list(tmp_path.iterdir()) == []


def test_memory_and_store_together_are_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store.json"
    assert main(["serve", "--memory", "--store", str(store), "--port", "0"]) == 2
    assert capsys.readouterr().err == (
        "launch-sim: error: --memory and --store name two stores: give one\n"
    )
    assert not store.exists()
