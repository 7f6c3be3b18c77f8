"""Exceptions of the simulated Nova launch path and the one table that maps them to EC2 errors.

Nova Grizzly's EC2 Executor turns exceptions into ``<Code>``/``<Message>`` pairs, mostly by
exception class name. Every exception here carries Nova's message template; the single
function :func:`ec2_error` (the Executor's table, in its order) decides the code and the
message. ``EC2Error.code`` and ``EC2Error.message`` consult that same table, so the Python
API, the HTTP server and cassettes always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from simulator.id_prefixes import EC2_ID_PREFIXES, ec2_id_template

UNKNOWN_ERROR_MESSAGE = "An unknown error has occurred. Please try your request again."


class EC2Error(Exception):
    """Base of every error a launch can end in; ``code``/``message`` are what EC2 XML carries."""

    msg_fmt: ClassVar[str] = "An unknown exception occurred."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError, ValueError):
                message = self.msg_fmt
        self.text = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.text

    @property
    def code(self) -> str:
        return ec2_error(self).code

    @property
    def message(self) -> str:
        return ec2_error(self).message


# --- Nova exceptions (nova/exception.py @ 2013.1), same class names, same messages ---


class NotFound(EC2Error):
    msg_fmt = "Resource could not be found."


class ImageNotFound(NotFound):
    msg_fmt = "Image %(image_id)s could not be found."


class ImageNotFoundEC2(ImageNotFound):
    msg_fmt = (
        "Image %(image_id)s could not be found. The nova EC2 API assigns image ids "
        "dynamically when they are listed for the first time. Have you listed image ids "
        "since adding this image?"
    )


class SnapshotNotFound(NotFound):
    msg_fmt = "Snapshot %(snapshot_id)s could not be found."


class VolumeNotFound(NotFound):
    msg_fmt = "Volume %(volume_id)s could not be found."


class InstanceNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s could not be found."


class InstanceTypeNotFound(NotFound):
    msg_fmt = "Instance type %(instance_type_id)s could not be found."


class InstanceTypeNotFoundByName(InstanceTypeNotFound):
    msg_fmt = "Instance type with name %(instance_type_name)s could not be found."


class Invalid(EC2Error):
    msg_fmt = "Unacceptable parameters."


class InvalidEc2Id(Invalid):
    msg_fmt = "Ec2 id %(ec2_id)s is unacceptable."


class InvalidRequest(Invalid):
    msg_fmt = "The request is invalid."


class InvalidParameterValue(Invalid):
    msg_fmt = "%(err)s"


class ImageNotActive(Invalid):
    msg_fmt = "Image %(image_id)s is not active."


class InstanceUserDataTooLarge(Invalid):
    msg_fmt = "User data too large. User data must be no larger than %(maxsize)s bytes once base64 encoded. Your data is %(length)d bytes"  # noqa: E501


class InstanceUserDataMalformed(Invalid):
    msg_fmt = "User data needs to be valid base 64."


class InstanceTypeMemoryTooSmall(Invalid):
    msg_fmt = "Instance type's memory is too small for requested image."


class InstanceTypeDiskTooSmall(Invalid):
    msg_fmt = "Instance type's disk is too small for requested image."


class InvalidKeypair(Invalid):
    msg_fmt = "Keypair data is invalid"


class InvalidPortRange(Invalid):
    msg_fmt = "Invalid port range %(from_port)s:%(to_port)s. %(msg)s"


class InvalidInstanceIDMalformed(Invalid):
    msg_fmt = 'Invalid id: %(val)s (expecting "i-...").'


class Duplicate(EC2Error):
    msg_fmt = "An unknown exception occurred."


class KeyPairExists(Duplicate):
    msg_fmt = "Key pair %(key_name)s already exists."


class EC2APIError(EC2Error):
    """Nova's generic EC2 error: its code is ``ec2_code`` when given, else the class name."""

    msg_fmt = "Unknown"

    def __init__(self, message: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.ec2_code = code


class QuotaError(EC2Error):
    msg_fmt = "Quota exceeded: code=%(code)s"


class TooManyInstances(QuotaError):
    msg_fmt = (
        "Quota exceeded for %(overs)s: Requested %(req)s, but already used %(used)d of "
        "%(allowed)d %(resource)s"
    )


class NotAuthorized(EC2Error):
    msg_fmt = "Not authorized."


# --- launch-sim's own errors: the modern transport and the contracts ---


class AuthFailure(NotAuthorized):
    """The request carries no usable credentials, or an unknown access key."""

    msg_fmt = "AWS was not able to validate the provided access credentials"


class SignatureDoesNotMatch(NotAuthorized):
    msg_fmt = (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method."
    )


class RequestExpired(NotAuthorized):
    msg_fmt = "Request has expired. Timestamp date is %(timestamp)s"


class MissingParameter(InvalidParameterValue):
    msg_fmt = "The request must contain the parameter %(name)s"


class RequestTooLarge(InvalidParameterValue):
    """A request over the simulator's size limits, refused before any work is done.

    Not AWS's ``RequestLimitExceeded``: botocore treats that code as throttling and retries
    it, so a client would resend an oversized request instead of reporting it.
    """

    msg_fmt = "%(err)s"


class UnknownError(EC2Error):
    """Wraps an unexpected exception so the Python API raises an EC2Error as HTTP answers."""

    def __init__(self, cause: BaseException | None = None) -> None:
        super().__init__(UNKNOWN_ERROR_MESSAGE)
        self.cause = cause


@dataclass(frozen=True)
class Violation:
    """One failing place of a schema check: where (JSON pointer) and why."""

    pointer: str
    reason: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.reason}"


class ContractViolation(EC2Error):
    """A record (create call, seed, cassette) does not satisfy its JSON Schema."""

    def __init__(self, schema: str, violations: list[Violation]) -> None:
        self.schema = schema
        self.violations = violations
        detail = "; ".join(str(v) for v in violations)
        super().__init__(f"{schema} contract violated: {detail}")


class BadInput(Exception):
    """An input file or option is unusable; the CLI prints the one-line message and exits 2."""


class SeedError(BadInput):
    pass


class StoreError(BadInput):
    """The mapping store cannot be opened or written (not an EC2 error: an operator error)."""


class StoreLocked(StoreError):
    pass


class StoreCorrupt(StoreError):
    pass


# --- the one table: Nova Grizzly's Executor, checked in this order ---


@dataclass(frozen=True)
class EC2ErrorDocument:
    code: str
    message: str
    status: int = 400


def _id_rewritten(exc: EC2Error, key: str, kind: str) -> str:
    value = exc.kwargs.get(key)
    try:
        ec2_id = ec2_id_template(EC2_ID_PREFIXES[kind]) % int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(exc)
    return type(exc).msg_fmt % {key: ec2_id}


_ID_REWRITES: tuple[tuple[type[EC2Error], str, str], ...] = (
    (InstanceNotFound, "instance_id", "instances"),
    (VolumeNotFound, "volume_id", "volumes"),
    (SnapshotNotFound, "snapshot_id", "snapshots"),
)
"""The not-found errors whose message Nova's Executor rewrites: the id keyword and its kind."""

# Grizzly's own codes for the key pair errors, checked after EC2APIError.
_FIXED_CODES: tuple[tuple[type[EC2Error], str], ...] = (
    (KeyPairExists, "InvalidKeyPair.Duplicate"),
    (InvalidKeypair, "InvalidKeyPair.Format"),
)

_CLASS_NAME_CODES: tuple[type[EC2Error], ...] = (
    InvalidParameterValue,
    InvalidPortRange,
    NotAuthorized,
    InvalidRequest,
    QuotaError,
    InvalidInstanceIDMalformed,
)

_STATUS: dict[type[EC2Error], int] = {
    AuthFailure: 401,
    SignatureDoesNotMatch: 403,
    RequestExpired: 403,
}


def ec2_error(exc: BaseException) -> EC2ErrorDocument:
    """Nova's Executor: the EC2 ``(code, message)`` an exception is reported as."""
    for cls, key, kind in _ID_REWRITES:
        if isinstance(exc, cls):
            return EC2ErrorDocument(cls.__name__, _id_rewritten(exc, key, kind))
    if isinstance(exc, NotFound):
        return EC2ErrorDocument(type(exc).__name__, str(exc))
    if isinstance(exc, EC2APIError):
        return EC2ErrorDocument(exc.ec2_code or "EC2APIError", str(exc))
    for cls, code in _FIXED_CODES:
        if isinstance(exc, cls):
            return EC2ErrorDocument(code, str(exc))
    if isinstance(exc, _CLASS_NAME_CODES):
        return EC2ErrorDocument(type(exc).__name__, str(exc), _STATUS.get(type(exc), 400))
    return EC2ErrorDocument("UnknownError", UNKNOWN_ERROR_MESSAGE)


def explain(exc: BaseException) -> str:
    """One line for operators: the EC2 code and message, plus what an UnknownError hides."""
    document = ec2_error(exc)
    line = f"{document.code}: {document.message}"
    if document.code == "UnknownError":
        cause = exc.cause if isinstance(exc, UnknownError) else exc
        if cause is not None and not isinstance(cause, UnknownError):
            line += f" (cause: {type(cause).__name__}: {cause})"
    return " ".join(line.split())
