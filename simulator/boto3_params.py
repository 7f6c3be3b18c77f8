"""boto3's ``run_instances`` parameters as the EC2 query boto3 would send for them.

People who launch with boto3 hold their requests in boto3's shape (``ImageId``,
``BlockDeviceMappings``...), not as the keyword arguments Nova's controller receives.
Rather than translate one shape into the other by hand (and drift from what boto3 really
sends), botocore's own parameter validator and EC2 query serializer turn the parameters
into query pairs; :func:`simulator.ec2query.parse_query` then converts them as it converts
every request a client sends.
"""

from __future__ import annotations

import functools
from typing import Any

import botocore.session
from botocore.serialize import create_serializer
from botocore.validate import ParamValidator

from simulator.errors import BadInput

OPERATION = "RunInstances"


def is_boto3_shape(request: dict[str, Any]) -> bool:
    """Whether a launch request is boto3's (CamelCase keys) rather than Nova's kwargs."""
    return any(key[:1].isupper() for key in request)


@functools.cache
def _operation() -> Any:
    """The EC2 model, loaded on first use: it takes a moment, and most launches are kwargs."""
    return botocore.session.get_session().get_service_model("ec2").operation_model(OPERATION)


def query_params(request: dict[str, Any], label: str) -> list[tuple[str, str]]:
    """The query pairs boto3 sends for ``ec2.run_instances(**request)``.

    Parameters boto3 itself would refuse (unknown names, wrong types, missing ``MinCount``)
    are bad input, reported as botocore words them, on one line.
    """
    operation = _operation()
    report = ParamValidator().validate(request, operation.input_shape)
    if report.has_errors():
        reason = "; ".join(report.generate_report().splitlines())
        raise BadInput(f"{label}: not a boto3 {OPERATION} request: {reason}")
    body = create_serializer("ec2").serialize_to_request(request, operation)["body"]
    return [(name, str(value)) for name, value in body.items()]
