"""Exceptions of the simulated Nova launch path and the one table that maps them to EC2 errors.

Nova Grizzly's EC2 Executor turns exceptions into ``<Code>``/``<Message>`` pairs, mostly by
exception class name. Every exception here carries Nova's message template; the single
function :func:`ec2_error` (the Executor's table, in its order) decides the code and the
message. ``EC2Error.code`` and ``EC2Error.message`` consult that same table, so the Python
API, the HTTP server and cassettes always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar, Final, Protocol

from simulator.id_prefixes import EC2_ID_PREFIXES, ec2_id_template
from simulator.py2text import py2_format, py2_str

UNKNOWN_ERROR_MESSAGE = "An unknown error has occurred. Please try your request again."


class EC2Error(Exception):
    """Base of every error a launch can end in; ``code``/``message`` are what EC2 XML carries.

    ``http_status`` and ``ec2_code`` are Nova's ``NovaException.code`` and Havana's
    ``ec2_code``: only an envelope that reads them (Havana's Executor and later) uses them.
    ``envelope`` is the Executor of the profile the error was raised under (set by the
    facade), so ``code`` and ``message`` answer as that release did.
    """

    msg_fmt: ClassVar[str] = "An unknown exception occurred."
    http_status: ClassVar[int] = 500
    ec2_code: ClassVar[str | None] = None
    envelope: ErrorEnvelope | None = None

    def __init__(self, message: object = None, **kwargs: Any) -> None:
        """``NovaException.__init__``: a falsy message (None, but also ``''``, 0, False)
        is replaced by the template formatted with ``kwargs`` in Python 2's text, and a
        template that cannot be formatted stands as it is, placeholders and all (Folsom's
        ``InvalidInstanceIDMalformed('')``); a message given is written in Python 2's text."""
        self.kwargs = kwargs
        if not message:
            try:
                message = py2_format(self.msg_fmt, kwargs)
            except (KeyError, TypeError, ValueError):
                message = self.msg_fmt
        self.text = py2_str(message)
        super().__init__(self.text)

    def __str__(self) -> str:
        return self.text

    @property
    def code(self) -> str:
        return ec2_error(self).code

    @property
    def message(self) -> str:
        return ec2_error(self).message

    @property
    def status(self) -> int:
        """The HTTP status the error document is sent with."""
        return ec2_error(self).status


# --- Nova exceptions (nova/exception.py @ 2013.1), same class names, same messages; the
# bases, ``code`` (http_status) and ``ec2_code`` of Havana's, which only its Executor reads;
# the classes a later release renamed (Flavor*, InvalidInput) with that release's texts ---


class NotFound(EC2Error):
    msg_fmt = "Resource could not be found."
    http_status = 404


class ImageNotFound(NotFound):
    msg_fmt = "Image %(image_id)s could not be found."


class ImageNotAuthorized(EC2Error):
    """Glance refused to show an image (401 or 403): not a NotAuthorized, so no Executor
    handles it (Grizzly: ``UnknownError``; Havana: its class name, 500)."""

    msg_fmt = "Not authorized for image %(image_id)s."


class GlanceConnectionFailed(EC2Error):
    """``GlanceClientWrapper.call`` after its last attempt failed to reach Glance (refused,
    timed out, or 503 Service Unavailable); no Executor handles it."""

    msg_fmt = "Connection to glance host %(host)s:%(port)s failed: %(reason)s"


class ImageNotFoundEC2(ImageNotFound):
    """Nova's ``run_instances`` raised it only where it could not be reached (``if not
    image`` after ``image['id']`` was read: ``cloud.py:1301@2013.1.5``), so launch-sim never
    does; kept in the table, as a caller's own code may raise it and Havana expected it."""

    msg_fmt = (
        "Image %(image_id)s could not be found. The nova EC2 API assigns image ids "
        "dynamically when they are listed for the first time. Have you listed image ids "
        "since adding this image?"
    )


class SnapshotNotFound(NotFound):
    msg_fmt = "Snapshot %(snapshot_id)s could not be found."
    ec2_code = "InvalidSnapshotID.NotFound"


class VolumeNotFound(NotFound):
    msg_fmt = "Volume %(volume_id)s could not be found."
    ec2_code = "InvalidVolumeID.NotFound"


class InstanceNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s could not be found."
    ec2_code = "InvalidInstanceID.NotFound"


class SecurityGroupNotFound(NotFound):
    msg_fmt = "Security group %(security_group_id)s not found."


class SecurityGroupNotFoundForProject(SecurityGroupNotFound):
    msg_fmt = "Security group %(security_group_id)s not found for project %(project_id)s."


class InstanceTypeNotFound(NotFound):
    msg_fmt = "Instance type %(instance_type_id)s could not be found."


class InstanceTypeNotFoundByName(InstanceTypeNotFound):
    msg_fmt = "Instance type with name %(instance_type_name)s could not be found."


class FlavorNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s could not be found."


class FlavorNotFoundByName(FlavorNotFound):
    """Icehouse's ``Flavor.get_by_name`` failure (Grizzly's InstanceTypeNotFoundByName)."""

    msg_fmt = "Flavor with name %(flavor_name)s could not be found."


class Invalid(EC2Error):
    msg_fmt = "Unacceptable parameters."
    http_status = 400


class InvalidEc2Id(Invalid):
    msg_fmt = "Ec2 id %(ec2_id)s is unacceptable."


class InvalidRequest(Invalid):
    msg_fmt = "The request is invalid."


class InvalidInput(Invalid):
    msg_fmt = "Invalid input received: %(reason)s"


class InvalidParameterValue(Invalid):
    msg_fmt = "%(err)s"
    ec2_code = "InvalidParameterValue"


class InvalidBDM(Invalid):
    msg_fmt = "Block Device Mapping is Invalid."


class InvalidBDMSnapshot(InvalidBDM):
    msg_fmt = "Block Device Mapping is Invalid: failed to get snapshot %(id)s."


class InvalidBDMVolume(InvalidBDM):
    msg_fmt = "Block Device Mapping is Invalid: failed to get volume %(id)s."


class InvalidBDMImage(InvalidBDM):
    """Havana on (``nova/exception.py:212@2014.1.5``): a mapped image Glance cannot show."""

    msg_fmt = "Block Device Mapping is Invalid: failed to get image %(id)s."


class InvalidBDMBootSequence(InvalidBDM):
    """The first of Havana's ``_validate_bdm`` failures (``nova/exception.py@2013.2.4``, the
    same at 2014.1.5): like the three below, no expected error of its Executor, so it is
    answered by class name, HTTP 400, with its message."""

    msg_fmt = (
        "Block Device Mapping is Invalid: Boot sequence for the instance and image/block "
        "device mapping combination is not valid."
    )


class InvalidBDMLocalsLimit(InvalidBDM):
    msg_fmt = (
        "Block Device Mapping is Invalid: You specified more local devices than the limit allows"
    )


class InvalidBDMEphemeralSize(InvalidBDM):
    msg_fmt = "Ephemeral disks requested are larger than the instance type allows."


class InvalidBDMSwapSize(InvalidBDM):
    msg_fmt = "Swap drive requested is larger than instance type allows."


class InvalidBDMFormat(InvalidBDM):
    msg_fmt = "Block Device Mapping is Invalid: %(details)s"


class ImageNotActive(EC2Error):
    msg_fmt = "Image %(image_id)s is not active."
    ec2_code = "IncorrectState"


class InstanceUserDataTooLarge(EC2Error):
    msg_fmt = "User data too large. User data must be no larger than %(maxsize)s bytes once base64 encoded. Your data is %(length)d bytes"  # noqa: E501


class InstanceUserDataMalformed(EC2Error):
    msg_fmt = "User data needs to be valid base 64."


class InstanceTypeMemoryTooSmall(EC2Error):
    msg_fmt = "Instance type's memory is too small for requested image."


class InstanceTypeDiskTooSmall(EC2Error):
    msg_fmt = "Instance type's disk is too small for requested image."


class FlavorMemoryTooSmall(EC2Error):
    msg_fmt = "Flavor's memory is too small for requested image."


class FlavorDiskTooSmall(EC2Error):
    msg_fmt = "Flavor's disk is too small for requested image."


class InvalidKeypair(Invalid):
    msg_fmt = "Keypair data is invalid"
    ec2_code = "InvalidKeyPair.Format"


class InvalidPortRange(Invalid):
    msg_fmt = "Invalid port range %(from_port)s:%(to_port)s. %(msg)s"
    ec2_code = "InvalidParameterValue"


class InvalidInstanceIDMalformed(Invalid):
    msg_fmt = 'Invalid id: %(val)s (expecting "i-...").'
    ec2_code = "InvalidInstanceID.Malformed"


class InstanceInvalidState(Invalid):
    msg_fmt = (
        "Instance %(instance_uuid)s in %(attr)s %(state)s. Cannot %(method)s while the "
        "instance is in this state."
    )


class InstanceNotReady(Invalid):
    msg_fmt = "Instance %(instance_id)s is not ready"


class InvalidAttribute(Invalid):
    """Havana's answer to an attribute DescribeInstanceAttribute does not know (Grizzly:
    ``EC2APIError``)."""

    msg_fmt = "Attribute not supported: %(attr)s"


class UnexpectedTaskStateError(EC2Error):
    msg_fmt = "unexpected task state: expecting %(expected)s but the actual state is %(actual)s"


class DBError(EC2Error):
    """The database driver's error as the session's ``flush`` wrapped it (``wrap_db_error``:
    Folsom's ``nova.exception.DBError``, ``exception.py:65-75,177-181@2012.2.4`` and
    ``db/sqlalchemy/session.py:50-51@2012.2.4``; Grizzly's
    ``nova.openstack.common.db.exception.DBError``, ``openstack/common/db/sqlalchemy/
    session.py:413-439,586-588@2013.1.5``), its message the driver's. No Executor handles
    it: ``UnknownError``."""

    msg_fmt = "%(inner_exception)s"


class Duplicate(EC2Error):
    msg_fmt = "An unknown exception occurred."


class KeyPairExists(Duplicate):
    msg_fmt = "Key pair %(key_name)s already exists."
    ec2_code = "InvalidKeyPair.Duplicate"


class EC2APIError(EC2Error):
    """Folsom's and Grizzly's generic EC2 error: its code is the one given, else the class
    name (Havana deleted the class). Its message is ``'%s' % message``, so no message is
    the text ``None``; only an empty one falls back to the template."""

    msg_fmt = "Unknown"

    def __init__(self, message: str | None = None, code: str | None = None) -> None:
        super().__init__("None" if message is None else message)
        self.given_code = code


class QuotaError(EC2Error):
    msg_fmt = "Quota exceeded: code=%(code)s"
    http_status = 413
    ec2_code = "ResourceLimitExceeded"


class TooManyInstances(QuotaError):
    msg_fmt = (
        "Quota exceeded for %(overs)s: Requested %(req)s, but already used %(used)d of "
        "%(allowed)d %(resource)s"
    )


class NotAuthorized(EC2Error):
    msg_fmt = "Not authorized."
    http_status = 403
    ec2_code = "AuthFailure"


class PolicyNotAuthorized(NotAuthorized):
    """``nova.policy.enforce``'s refusal: handled as a NotAuthorized (its class name, HTTP
    400, in Folsom and Grizzly; ``AuthFailure``, 403, from Havana on)."""

    msg_fmt = "Policy doesn't allow %(action)s to be performed."


# --- launch-sim's own errors: the modern transport and the contracts ---


class AuthFailure(NotAuthorized):
    """The request carries no usable credentials, or an unknown access key."""

    msg_fmt = "AWS was not able to validate the provided access credentials"
    http_status = 401


class SignatureDoesNotMatch(NotAuthorized):
    msg_fmt = (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method."
    )
    http_status = 403


class RequestExpired(NotAuthorized):
    msg_fmt = "Request has expired. Timestamp date is %(timestamp)s"
    http_status = 403


class MissingParameter(InvalidParameterValue):
    msg_fmt = "The request must contain the parameter %(name)s"


class RequestTooLarge(InvalidParameterValue):
    """A request over the simulator's size limits, refused before any work is done.

    Not AWS's ``RequestLimitExceeded``: botocore treats that code as throttling and retries
    it, so a client would resend an oversized request instead of reporting it.
    """

    msg_fmt = "%(err)s"


class CannotOverwriteExistingCassette(EC2Error):
    """A request the cassette in use does not hold, in a record mode that records nothing.

    launch-sim's own code, neither Nova's nor AWS's: vcrpy's
    ``CannotOverwriteExistingCassetteException``, answered to the client (HTTP 400, which
    botocore does not retry) instead of an answer the recording never had. ``held`` says
    what the cassette holds of the request: none of it, or recordings each of which answered
    a request already (as the session's report says it).
    """

    msg_fmt = (
        "Cassette %(cassette)s %(held)s, and record mode %(mode)s records "
        "nothing new (record it with new_episodes or all)"
    )
    http_status = 400


class UnknownError(EC2Error):
    """Wraps an unexpected exception so the Python API raises an EC2Error as HTTP answers."""

    def __init__(self, cause: BaseException | None = None) -> None:
        super().__init__(UNKNOWN_ERROR_MESSAGE)
        self.cause = cause


class ServerFault(UnknownError):
    """An exception that escaped Nova's Executor (in Requestify, say): FaultWrapper's HTTP 500.

    Which answer it gets is its envelope's ``fault`` (Havana's ``HTTPInternalServerError``
    document), or, for Folsom's and Grizzly's bare ``<Code>500</Code>``, launch-sim's
    ``UnknownError`` (docs/fidelity.md).
    """


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


class SeedConflict(SeedError):
    """A seed row that disagrees with a row the store already holds (an id mapped to another
    uuid, an image or flavor of that name with other values): the store is left as it was."""


class StoreError(BadInput):
    """The mapping store cannot be opened or written (not an EC2 error: an operator error)."""


class StoreLocked(StoreError):
    pass


class StoreCorrupt(StoreError):
    pass


# --- the one table: each release's Executor, as data, and the function that applies it ---


@dataclass(frozen=True)
class EC2ErrorDocument:
    code: str
    message: str
    status: int = 400


UNKNOWN_ERROR: Final = EC2ErrorDocument("UnknownError", UNKNOWN_ERROR_MESSAGE)
"""Folsom's and Grizzly's answer to anything their Executor did not expect, and the answer
of last resort when even this table fails on an exception (a broken ``__str__``)."""


@dataclass(frozen=True)
class ErrorEnvelope:
    """One release's Executor (``nova/api/ec2/__init__.py``): how an exception is answered.

    ``handled`` are the exceptions it answers with their own code and message (Folsom's and
    Grizzly's ``except`` chain, Havana's tuple of expected errors); ``fixed_codes`` the codes
    Grizzly wrote by hand. With ``ec2_codes`` an exception's ``ec2_code`` replaces its class
    name, with ``exception_status`` its ``code`` is the HTTP status (Havana's
    ``ec2_error_ex``; an expected error of 500 or more is sent as 400), else every error is
    400. Anything else is unexpected: ``unknown_code`` with ``unknown_message`` (Grizzly), or,
    when ``unknown_code`` is None, its own code and status, keeping its message only below
    500 (Havana). ``fault`` answers what escaped to FaultWrapper (None: as unexpected, so
    only beside an ``unknown_code``).
    """

    handled: tuple[type[BaseException], ...]
    fixed_codes: tuple[tuple[type[BaseException], str], ...]
    ec2_codes: bool
    exception_status: bool
    unknown_code: str | None
    unknown_message: str
    fault: EC2ErrorDocument | None = None

    def __post_init__(self) -> None:
        if self.unknown_code is None and self.fault is None:
            raise ValueError(
                "an Executor without unknown_code sends what it cannot name to FaultWrapper: "
                "give its fault"
            )


_OWN_ERRORS = (
    AuthFailure,
    SignatureDoesNotMatch,
    RequestExpired,
    MissingParameter,
    RequestTooLarge,
    CannotOverwriteExistingCassette,
)
"""launch-sim's transport and cassette errors: their class name and status under every
profile."""

_ID_REWRITES: tuple[tuple[type[EC2Error], str, str], ...] = (
    (InstanceNotFound, "instance_id", "instances"),
    (VolumeNotFound, "volume_id", "volumes"),
    (SnapshotNotFound, "snapshot_id", "snapshots"),
)
"""The not-found errors whose message Nova's Executor rewrites: the id keyword and its kind."""

_FOLSOM_HANDLED: tuple[type[BaseException], ...] = (
    NotFound,
    EC2APIError,
    KeyPairExists,
    InvalidParameterValue,
    InvalidPortRange,
    NotAuthorized,
    InvalidRequest,
    QuotaError,
    InvalidInstanceIDMalformed,
)
_HAVANA_EXPECTED: tuple[type[BaseException], ...] = (
    ImageNotActive,
    InvalidInstanceIDMalformed,
    InvalidKeypair,
    InvalidParameterValue,
    InvalidPortRange,
    KeyPairExists,
    NotAuthorized,
    QuotaError,
    ImageNotFound,
    InvalidRequest,
    NotFound,
)

FOLSOM_EXECUTOR: Final = ErrorEnvelope(
    handled=_FOLSOM_HANDLED,
    fixed_codes=(),
    ec2_codes=False,
    exception_status=False,
    unknown_code=UNKNOWN_ERROR.code,
    unknown_message=UNKNOWN_ERROR.message,
)
"""2012.2.4 ``Executor.__call__``: class names, HTTP 400; KeyPairExists by its class name."""

GRIZZLY_EXECUTOR: Final = replace(
    FOLSOM_EXECUTOR,
    handled=tuple(cls for cls in _FOLSOM_HANDLED if cls is not KeyPairExists),
    fixed_codes=(
        (KeyPairExists, "InvalidKeyPair.Duplicate"),
        (InvalidKeypair, "InvalidKeyPair.Format"),
    ),
)
"""2013.1.5 ``Executor.__call__``: Folsom's chain plus the two key pair codes."""

HAVANA_EXECUTOR: Final = ErrorEnvelope(
    handled=_HAVANA_EXPECTED,
    fixed_codes=(),
    ec2_codes=True,
    exception_status=True,
    unknown_code=None,
    unknown_message="Unknown error occured.",
    fault=EC2ErrorDocument(
        "HTTPInternalServerError",
        "The server has either erred or is incapable of performing the requested operation.",
        500,
    ),
)
"""2013.2.4 ``ec2_error_ex`` (sic: "occured") and ``faults.Fault`` (``exception_to_ec2code``;
the message is ``HTTPInternalServerError``'s explanation, which WebOb rewrote on one line
when it loaded, ``webob/exc.py:1138@1.2.3``)."""

ICEHOUSE_EXECUTOR: Final = replace(HAVANA_EXECUTOR, unknown_message="Unknown error occurred.")
"""2014.1.5: Havana's, the message spelt right."""

_EXECUTORS = (FOLSOM_EXECUTOR, GRIZZLY_EXECUTOR, HAVANA_EXECUTOR, ICEHOUSE_EXECUTOR)
_GENERIC_MESSAGES = frozenset({UNKNOWN_ERROR_MESSAGE, *(e.unknown_message for e in _EXECUTORS)})
"""The messages that say nothing of what went wrong, one per release's Executor."""


def _id_rewritten(exc: EC2Error, key: str, kind: str) -> str | None:
    """The message Nova's Executor wrote for a not-found id: the id in its EC2 form
    (``ec2utils.id_to_ec2_inst_id`` and its kin, ``'vol-%08x' % int(id)``; an instance id
    of None stays None). None where that rewrite raised inside the Executor's ``except``
    clause (no such keyword, or an id ``int()`` refuses), so FaultWrapper answered. Nova
    looked a uuid up in its mapping table; launch-sim raises these errors with integer ids
    (or None) only, so a uuid is an id ``int()`` refuses here."""
    if key not in exc.kwargs:
        return None
    value = exc.kwargs[key]
    if value is None and kind == "instances":
        return type(exc).msg_fmt % {key: None}
    try:
        ec2_id = ec2_id_template(EC2_ID_PREFIXES[kind]) % int(value)
    except (TypeError, ValueError):
        return None
    return type(exc).msg_fmt % {key: ec2_id}


def _nova_status(exc: BaseException) -> int | None:
    """``getattr(ex, 'code', None) or 500`` (Havana's ``ec2_error_ex``): an EC2Error's
    ``http_status``, another exception's own integer ``code`` (most have none); None for a
    ``code`` that is no integer (glanceclient's ``'N/A'`` for a status it has no class for),
    which Python 2 ordered above every number and webob refused as ``resp.status``."""
    if isinstance(exc, EC2Error):
        return exc.http_status
    status = getattr(exc, "code", None)
    if not status:
        return 500
    return status if type(status) is int else None


def _code(exc: BaseException, envelope: ErrorEnvelope) -> str:
    """``exception_to_ec2code`` where the envelope reads codes (any exception's own
    ``ec2_code`` attribute), else the class name."""
    if isinstance(exc, EC2APIError) and exc.given_code:
        return exc.given_code
    if envelope.ec2_codes:
        ec2_code = getattr(exc, "ec2_code", None)
        if isinstance(ec2_code, str) and ec2_code:
            return ec2_code
    return _PYTHON2_CLASS_NAMES.get(type(exc), type(exc).__name__)


_PYTHON2_CLASS_NAMES: Final[dict[type[BaseException], str]] = {RecursionError: "RuntimeError"}
"""Python 3 exceptions that Python 2 raised as another class, whose name Nova's code then
was: its ``re`` parser out of stack on a deeply nested ClientToken was ``RuntimeError``
("maximum recursion depth exceeded"), split off as ``RecursionError`` in Python 3.5."""


def _expected(
    exc: BaseException, envelope: ErrorEnvelope, code: str, message: str
) -> EC2ErrorDocument:
    if not envelope.exception_status:
        return EC2ErrorDocument(code, message)
    status = _nova_status(exc)
    return EC2ErrorDocument(
        code,
        message or envelope.unknown_message,
        400 if status is None or status >= 500 else status,
    )


def _unexpected(exc: BaseException, envelope: ErrorEnvelope) -> EC2ErrorDocument:
    """An exception the Executor did not expect; one whose status webob refused raised
    again inside the Executor's ``except`` clause, to FaultWrapper."""
    if envelope.unknown_code is not None:
        return EC2ErrorDocument(envelope.unknown_code, envelope.unknown_message)
    status = _nova_status(exc)
    if status is None:
        assert envelope.fault is not None, "ErrorEnvelope.__post_init__"
        return envelope.fault
    message = str(exc.args[0]) if exc.args and status < 500 else ""
    return EC2ErrorDocument(_code(exc, envelope), message or envelope.unknown_message, status)


class AnsweredBy(Protocol):
    """Anything that names an Executor, such as a :class:`~simulator.profiles.Profile`."""

    @property
    def errors(self) -> ErrorEnvelope: ...


def ec2_error(
    exc: BaseException, envelope: ErrorEnvelope | AnsweredBy | None = None
) -> EC2ErrorDocument:
    """Nova's Executor: the EC2 code, message and HTTP status an exception is answered with.

    ``envelope`` is the release's Executor (or a profile, which names one); by default the
    one the error was raised under (:attr:`EC2Error.envelope`), else Grizzly's. An
    :class:`UnknownError` wrapping a Python exception is answered as that exception, as
    Nova's Executor saw it.
    """
    if envelope is not None and not isinstance(envelope, ErrorEnvelope):
        envelope = envelope.errors
    envelope = envelope or getattr(exc, "envelope", None) or GRIZZLY_EXECUTOR
    if isinstance(exc, ServerFault) and envelope.fault is not None:
        return envelope.fault
    if isinstance(exc, UnknownError) and exc.cause is not None:
        exc = exc.cause
    if isinstance(exc, _OWN_ERRORS):
        return EC2ErrorDocument(type(exc).__name__, str(exc), exc.http_status)
    for cls, key, kind in _ID_REWRITES:
        if isinstance(exc, cls):
            message = _id_rewritten(exc, key, kind)
            if message is None:
                return envelope.fault or _unexpected(exc, envelope)
            code = _code(exc, envelope) if envelope.ec2_codes else cls.__name__
            return _expected(exc, envelope, code, message)
    for fixed, code in envelope.fixed_codes:
        if isinstance(exc, fixed):
            return _expected(exc, envelope, code, str(exc))
    if isinstance(exc, envelope.handled):
        return _expected(exc, envelope, _code(exc, envelope), str(exc))
    return _unexpected(exc, envelope)


def explain(exc: BaseException, envelope: ErrorEnvelope | AnsweredBy | None = None) -> str:
    """One line for operators: the EC2 code and message, plus the cause a generic one hides."""
    document = ec2_error(exc, envelope)
    line = f"{document.code}: {document.message}"
    cause = hidden_cause(exc, envelope)
    if cause is not None:
        line += f" (cause: {cause})"
    return " ".join(line.split())


def hidden_cause(
    exc: BaseException, envelope: ErrorEnvelope | AnsweredBy | None = None
) -> str | None:
    """What a generic answer ("An unknown error has occurred...") hides, as ``Type: text``:
    a contract violation, say. None when the answer already says what went wrong."""
    if ec2_error(exc, envelope).message not in _GENERIC_MESSAGES:
        return None
    cause = exc.cause if isinstance(exc, UnknownError) else exc
    if cause is None or isinstance(cause, UnknownError):
        return None
    return f"{type(cause).__name__}: {cause}"
