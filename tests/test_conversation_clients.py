"""Whole launch conversations of real clients: boto3's client and resource APIs with their
waiters (no delay), in-process through ``mock_ec2`` and over HTTP against ``launch-sim
serve`` in its own process, and the AWS CLI's ``run-instances`` then ``wait
instance-running``. The answers are Grizzly 2013.1.5's, oddities included: the
``instance_terminated`` waiter cannot succeed against it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cli import aws_cli, run_aws
from botocore.exceptions import ClientError, WaiterError
from serve_helpers import serving

from simulator import Simulator, mock_ec2
from simulator.cassette import use_cassette

NO_DELAY = {"Delay": 0, "MaxAttempts": 5}
CREDENTIALS = {"aws_access_key_id": "admin", "aws_secret_access_key": "admin"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``launch-sim serve`` in its own process, on a store of its own: its endpoint."""
    store = tmp_path_factory.mktemp("served") / "store.json"
    with serving("--store", str(store)) as server:
        yield server.endpoint


@pytest.fixture(params=["mock_ec2", "serve"])
def endpoint(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None: boto3 answered in-process by a fresh simulator; else a served endpoint."""
    if request.param == "serve":
        yield request.getfixturevalue("served")
        return
    with mock_ec2(Simulator.from_seed()):
        yield None


def client(endpoint: str | None) -> Any:
    return boto3.session.Session().client(
        "ec2", region_name="nova", endpoint_url=endpoint, **CREDENTIALS
    )


def resource(endpoint: str | None) -> Any:
    return boto3.session.Session().resource(
        "ec2", region_name="nova", endpoint_url=endpoint, **CREDENTIALS
    )


def test_a_client_conversation(endpoint: str | None) -> None:
    ec2 = client(endpoint)
    images = ec2.describe_images(ImageIds=["ami-00000001"])["Images"]
    assert images[0]["ImageId"] == "ami-00000001"
    assert ec2.describe_availability_zones()["AvailabilityZones"][0]["ZoneName"] == "nova"
    launched = ec2.run_instances(ImageId="ami-00000001", MinCount=2, MaxCount=2)
    instance_ids = [instance["InstanceId"] for instance in launched["Instances"]]
    assert [i["State"]["Name"] for i in launched["Instances"]] == ["pending", "pending"]

    ec2.get_waiter("instance_running").wait(InstanceIds=instance_ids, WaiterConfig=NO_DELAY)
    described = ec2.describe_instances(InstanceIds=instance_ids)["Reservations"]
    instances = described[0]["Instances"]
    assert [i["State"] for i in instances] == [{"Code": 16, "Name": "running"}] * 2
    assert [i["AmiLaunchIndex"] for i in instances] == [0, 1]
    assert instances[0]["KeyName"] == "None (admin, launch-sim)"
    assert instances[0]["PublicDnsName"] == instances[0]["PrivateDnsName"]

    stopping = ec2.stop_instances(InstanceIds=instance_ids[:1])
    assert "StoppingInstances" not in stopping, "Nova answers <return>true</return>"
    ec2.get_waiter("instance_stopped").wait(InstanceIds=instance_ids[:1], WaiterConfig=NO_DELAY)
    ec2.start_instances(InstanceIds=instance_ids[:1])
    ec2.reboot_instances(InstanceIds=instance_ids[1:])
    ec2.get_waiter("instance_running").wait(InstanceIds=instance_ids, WaiterConfig=NO_DELAY)

    attribute = ec2.describe_instance_attribute(
        InstanceId=instance_ids[0], Attribute="instanceType"
    )
    assert attribute["InstanceId"] == instance_ids[0]
    assert "InstanceType" not in attribute or attribute["InstanceType"] == {}

    terminated = ec2.terminate_instances(InstanceIds=instance_ids)["TerminatingInstances"]
    assert [(t["PreviousState"]["Name"], t["CurrentState"]["Name"]) for t in terminated] == [
        ("running", "running")
    ] * 2
    with pytest.raises(WaiterError) as failed:
        ec2.get_waiter("instance_terminated").wait(InstanceIds=instance_ids, WaiterConfig=NO_DELAY)
    assert "InstanceNotFound" in str(failed.value)
    assert "could not be found" in str(failed.value)
    with pytest.raises(ClientError) as gone:
        ec2.describe_instances(InstanceIds=instance_ids[:1])
    assert gone.value.response["Error"]["Code"] == "InstanceNotFound"


def test_a_resource_conversation(endpoint: str | None) -> None:
    ec2 = resource(endpoint)
    [instance] = ec2.create_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1)
    assert instance.state["Name"] == "pending"
    instance.wait_until_running(WaiterConfig=NO_DELAY)
    assert instance.state["Name"] == "pending", "the waiter does not refresh the object"
    instance.reload()
    assert instance.state == {"Code": 16, "Name": "running"}
    assert instance.image_id == "ami-00000001"
    assert instance.placement["AvailabilityZone"] == "nova"
    instance.stop()
    instance.wait_until_stopped(WaiterConfig=NO_DELAY)
    instance.start()
    instance.wait_until_running(WaiterConfig=NO_DELAY)
    instance.reboot()
    instance.terminate()
    with pytest.raises(WaiterError, match="InstanceNotFound"):
        instance.wait_until_terminated(WaiterConfig=NO_DELAY)


@pytest.mark.parametrize("waiter", ["instance_running", "instance_exists"])
def test_an_unknown_id_fails_the_running_waiter_at_once(endpoint: str | None, waiter: str) -> None:
    """Both waiters retry only ``InvalidInstanceID.NotFound``; Grizzly's code is another."""
    ec2 = client(endpoint)
    with pytest.raises(WaiterError) as failed:
        ec2.get_waiter(waiter).wait(InstanceIds=["i-7fffffff"], WaiterConfig=NO_DELAY)
    assert failed.value.last_response["Error"]["Code"] == "InstanceNotFound"


def test_havana_s_not_found_is_what_the_running_waiter_retries() -> None:
    with mock_ec2(Simulator.from_seed(profile="havana")):
        ec2 = client(None)
        with pytest.raises(WaiterError, match="Max attempts exceeded"):
            ec2.get_waiter("instance_running").wait(
                InstanceIds=["i-7fffffff"], WaiterConfig={"Delay": 0, "MaxAttempts": 3}
            )


def test_folsom_leaves_a_destroyed_instance_out_and_the_waiter_runs_out() -> None:
    with mock_ec2(Simulator.from_seed(profile="folsom")):
        ec2 = client(None)
        [instance] = ec2.run_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1)["Instances"]
        ec2.terminate_instances(InstanceIds=[instance["InstanceId"]])
        with pytest.raises(WaiterError, match="Max attempts exceeded"):
            ec2.get_waiter("instance_terminated").wait(
                InstanceIds=[instance["InstanceId"]], WaiterConfig={"Delay": 0, "MaxAttempts": 3}
            )


def test_dry_run_is_ignored_as_nova_ignored_it(endpoint: str | None) -> None:
    """Nova's EC2 API never read ``DryRun`` (no release's ``nova/api/ec2`` names it): a dry
    run launches and terminates for real, and no ``DryRunOperation`` error comes back."""
    ec2 = client(endpoint)
    [instance] = ec2.run_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1, DryRun=True)[
        "Instances"
    ]
    ec2.terminate_instances(InstanceIds=[instance["InstanceId"]], DryRun=True)
    with pytest.raises(ClientError, match="InstanceNotFound"):
        ec2.describe_instances(InstanceIds=[instance["InstanceId"]])


def test_an_action_not_simulated_is_a_client_error() -> None:
    with mock_ec2(Simulator.from_seed()), pytest.raises(ClientError) as refused:
        client(None).describe_key_pairs()
    assert refused.value.response["Error"] == {
        "Code": "InvalidRequest",
        "Message": "The request is invalid.",
    }


# --- the AWS CLI ---------------------------------------------------------------------------------


@pytest.mark.skipif(aws_cli() is None, reason="the AWS CLI is not installed")
def test_the_aws_cli_launches_and_waits(served: str, tmp_path: Path) -> None:
    launched = run_aws(
        tmp_path, served, "run-instances", "--image-id", "ami-00000001", "--count", "1"
    )
    assert launched.returncode == 0, launched.stderr
    [instance] = json.loads(launched.stdout)["Instances"]
    assert instance["State"]["Name"] == "pending"
    waited = run_aws(
        tmp_path, served, "wait", "instance-running", "--instance-ids", instance["InstanceId"]
    )
    assert waited.returncode == 0, waited.stderr
    described = run_aws(
        tmp_path, served, "describe-instances", "--instance-ids", instance["InstanceId"]
    )
    assert described.returncode == 0, described.stderr
    [reservation] = json.loads(described.stdout)["Reservations"]
    assert reservation["Instances"][0]["State"]["Name"] == "running"
    terminated = run_aws(
        tmp_path, served, "terminate-instances", "--instance-ids", instance["InstanceId"]
    )
    assert terminated.returncode == 0, terminated.stderr


def conversation(ec2: Any) -> list[str]:
    """A launch and every action around it, as a client sends them."""
    [instance] = ec2.run_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1)["Instances"]
    ids = [instance["InstanceId"]]
    ec2.get_waiter("instance_running").wait(InstanceIds=ids, WaiterConfig=NO_DELAY)
    ec2.stop_instances(InstanceIds=ids)
    ec2.start_instances(InstanceIds=ids)
    ec2.reboot_instances(InstanceIds=ids)
    ec2.describe_instance_attribute(InstanceId=ids[0], Attribute="kernel")
    ec2.describe_instances()
    ec2.terminate_instances(InstanceIds=ids)
    with pytest.raises(ClientError):
        ec2.describe_instances(InstanceIds=ids)
    return ids


def test_a_recorded_conversation_replays(tmp_path: Path) -> None:
    path = tmp_path / "conversation.json"
    with use_cassette(path, "all") as recording:
        conversation(recording.client())
    actions = [
        dict(interaction["request"]["params"])["Action"]
        for interaction in json.loads(path.read_text())["interactions"]
    ]
    assert actions == [
        "RunInstances",
        "DescribeInstances",
        "StopInstances",
        "StartInstances",
        "RebootInstances",
        "DescribeInstanceAttribute",
        "DescribeInstances",
        "TerminateInstances",
        "DescribeInstances",
    ]
    with use_cassette(path, "none") as replaying:
        conversation(replaying.client())
    assert replaying.failure_report() is None


def test_serve_non_admin_answers_as_a_plain_user_of_each_project(tmp_path: Path) -> None:
    """``serve --non-admin``: each access key's project sees its own instances, with the
    key name as the user gave it, as on a real cloud; NoAuth's admin would see both."""
    with serving("--store", str(tmp_path / "store.json"), "--non-admin") as server:
        clients = {
            project: boto3.client(
                "ec2",
                endpoint_url=server.endpoint,
                region_name="nova",
                aws_access_key_id=project,
                aws_secret_access_key=project,
            )
            for project in ("web", "db")
        }
        clients["web"].run_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1, KeyName="k")
        clients["db"].run_instances(ImageId="ami-00000001", MinCount=1, MaxCount=1)
        seen = clients["web"].describe_instances()["Reservations"]
    assert [reservation["OwnerId"] for reservation in seen] == ["web"]
    assert seen[0]["Instances"][0]["KeyName"] == "k"
