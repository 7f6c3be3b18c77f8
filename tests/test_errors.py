"""The Executor table: each exception's EC2 code and message, in Nova Grizzly's order."""

from __future__ import annotations

import dataclasses

import pytest

from simulator import errors
from simulator.errors import UNKNOWN_ERROR_MESSAGE, ec2_error


@pytest.mark.parametrize(
    ("exc", "code", "message"),
    [
        (
            errors.InstanceNotFound(instance_id=27),
            "InstanceNotFound",
            "Instance i-0000001b could not be found.",
        ),
        (
            errors.VolumeNotFound(volume_id=27),
            "VolumeNotFound",
            "Volume vol-0000001b could not be found.",
        ),
        (
            errors.SnapshotNotFound(snapshot_id=255),
            "SnapshotNotFound",
            "Snapshot snap-000000ff could not be found.",
        ),
        (
            errors.ImageNotFound(image_id="ami-x"),
            "ImageNotFound",
            "Image ami-x could not be found.",
        ),
        (
            errors.InstanceTypeNotFoundByName(instance_type_name="m9"),
            "InstanceTypeNotFoundByName",
            "Instance type with name m9 could not be found.",
        ),
        (errors.EC2APIError("Image must be available"), "EC2APIError", "Image must be available"),
        (errors.EC2APIError("no", code="Custom.Code"), "Custom.Code", "no"),
        (errors.EC2APIError(), "EC2APIError", "None"),
        (errors.EC2APIError(""), "EC2APIError", "Unknown"),
        (
            errors.KeyPairExists(key_name="k"),
            "InvalidKeyPair.Duplicate",
            "Key pair k already exists.",
        ),
        (errors.InvalidKeypair(), "InvalidKeyPair.Format", "Keypair data is invalid"),
        (errors.InvalidParameterValue(err="bad"), "InvalidParameterValue", "bad"),
        (
            errors.InvalidPortRange(from_port=1, to_port=0, msg="no"),
            "InvalidPortRange",
            "Invalid port range 1:0. no",
        ),
        (errors.NotAuthorized(), "NotAuthorized", "Not authorized."),
        (errors.InvalidRequest(), "InvalidRequest", "The request is invalid."),
        (
            errors.InvalidInstanceIDMalformed(val="x"),
            "InvalidInstanceIDMalformed",
            'Invalid id: x (expecting "i-...").',
        ),
        (errors.InvalidEc2Id(ec2_id="ami-zz"), "UnknownError", UNKNOWN_ERROR_MESSAGE),
        (errors.ImageNotActive(image_id="u"), "UnknownError", UNKNOWN_ERROR_MESSAGE),
        (errors.InstanceUserDataMalformed(), "UnknownError", UNKNOWN_ERROR_MESSAGE),
        (
            errors.DBError(inner_exception="(IntegrityError) x"),
            "UnknownError",
            UNKNOWN_ERROR_MESSAGE,
        ),
        (KeyError("properties"), "UnknownError", UNKNOWN_ERROR_MESSAGE),
        (AssertionError(), "UnknownError", UNKNOWN_ERROR_MESSAGE),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else None,
)
def test_the_executor_table(exc: BaseException, code: str, message: str) -> None:
    document = ec2_error(exc)
    assert (document.code, document.message, document.status) == (code, message, 400)


def test_an_executor_names_the_unexpected_or_hands_it_to_faultwrapper() -> None:
    """Without ``unknown_code`` an Executor's unexpected errors escape to FaultWrapper, so
    it needs the ``fault`` that answers them (Havana's); one with neither is refused when built."""
    with pytest.raises(ValueError, match="give its fault"):
        dataclasses.replace(errors.HAVANA_EXECUTOR, fault=None)
    assert dataclasses.replace(errors.GRIZZLY_EXECUTOR, fault=None).unknown_code == "UnknownError"
