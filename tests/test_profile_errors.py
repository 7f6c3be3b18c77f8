"""Each release's Executor as launch-sim applies it: one table, four envelopes.

Rows follow ``nova/api/ec2/__init__.py`` at each tag (the ``except`` chain of 2012.2.4 and
2013.1.5, ``ec2_error_ex`` and its expected tuple at 2013.2.4 and 2014.1.5) and Havana's
``test_error_response.py``: a 4xx keeps its message, an expected 5xx is sent as 400, an
unexpected 5xx hides its message, a Python exception is its class name and 500.
"""

from __future__ import annotations

import pytest

from simulator import Simulator, errors
from simulator.errors import (
    FOLSOM_EXECUTOR,
    GRIZZLY_EXECUTOR,
    HAVANA_EXECUTOR,
    ICEHOUSE_EXECUTOR,
    UNKNOWN_ERROR_MESSAGE,
    EC2Error,
    ErrorEnvelope,
    ec2_error,
    explain,
)
from simulator.profiles import PROFILES
from simulator.service import EC2Service, Outcome

UNKNOWN = ("UnknownError", UNKNOWN_ERROR_MESSAGE, 400)
OCCURED = "Unknown error occured."
OCCURRED = "Unknown error occurred."


def unexpected_in_each_release(code: str) -> list[tuple[str, tuple[str, str, int]]]:
    """An unexpected exception's answer per profile: ``UnknownError`` before Havana, then its
    class name, HTTP 500 and the generic message as each release spelt it."""
    return [
        ("folsom", UNKNOWN),
        ("grizzly", UNKNOWN),
        ("havana", (code, OCCURED, 500)),
        ("icehouse", (code, OCCURRED, 500)),
    ]


def launch(profile: str, *extra: tuple[str, str]) -> Outcome:
    """A plain RunInstances of the default seed's image under ``profile``, plus ``extra``."""
    return EC2Service(Simulator.from_seed(profile=profile)).handle(
        [
            ("Action", "RunInstances"),
            ("ImageId", "ami-00000001"),
            ("InstanceType", "m1.small"),
            *extra,
        ]
    )


def answer(exc: BaseException, envelope: ErrorEnvelope) -> tuple[str, str, int]:
    document = ec2_error(exc, envelope)
    return document.code, document.message, document.status


def test_each_profile_has_its_releases_executor() -> None:
    assert {name: profile.errors for name, profile in PROFILES.items()} == {
        "folsom": FOLSOM_EXECUTOR,
        "grizzly": GRIZZLY_EXECUTOR,
        "havana": HAVANA_EXECUTOR,
        "icehouse": ICEHOUSE_EXECUTOR,
    }


@pytest.mark.parametrize(
    ("exc", "folsom", "havana"),
    [
        (
            errors.SnapshotNotFound(snapshot_id=10),
            ("SnapshotNotFound", "Snapshot snap-0000000a could not be found.", 400),
            ("InvalidSnapshotID.NotFound", "Snapshot snap-0000000a could not be found.", 404),
        ),
        (
            errors.VolumeNotFound(volume_id=10),
            ("VolumeNotFound", "Volume vol-0000000a could not be found.", 400),
            ("InvalidVolumeID.NotFound", "Volume vol-0000000a could not be found.", 404),
        ),
        (
            errors.InstanceNotFound(instance_id=5),
            ("InstanceNotFound", "Instance i-00000005 could not be found.", 400),
            ("InvalidInstanceID.NotFound", "Instance i-00000005 could not be found.", 404),
        ),
        (
            errors.InstanceNotFound(instance_id=None),
            ("InstanceNotFound", "Instance None could not be found.", 400),
            ("InvalidInstanceID.NotFound", "Instance None could not be found.", 404),
        ),
        (
            errors.ImageNotFound(image_id="ami-x"),
            ("ImageNotFound", "Image ami-x could not be found.", 400),
            ("ImageNotFound", "Image ami-x could not be found.", 404),
        ),
        (
            errors.InstanceTypeNotFoundByName(instance_type_name="m9"),
            ("InstanceTypeNotFoundByName", "Instance type with name m9 could not be found.", 400),
            ("InstanceTypeNotFoundByName", "Instance type with name m9 could not be found.", 404),
        ),
        (
            errors.InvalidEc2Id(ec2_id="snap-xyz"),
            UNKNOWN,
            ("InvalidEc2Id", "Ec2 id snap-xyz is unacceptable.", 400),
        ),
        (
            errors.ImageNotActive(message="Image must be available"),
            UNKNOWN,
            ("IncorrectState", "Image must be available", 400),
        ),
        (
            errors.TooManyInstances(overs="instances", req=11, used=0, allowed=10, resource="x"),
            (
                "TooManyInstances",
                "Quota exceeded for instances: Requested 11, but already used 0 of 10 x",
                400,
            ),
            (
                "ResourceLimitExceeded",
                "Quota exceeded for instances: Requested 11, but already used 0 of 10 x",
                413,
            ),
        ),
        (
            errors.InvalidInput(reason="min_count must be >= 1"),
            UNKNOWN,
            ("InvalidInput", "Invalid input received: min_count must be >= 1", 400),
        ),
        (
            errors.InvalidBDMSnapshot(id="u"),
            UNKNOWN,
            (
                "InvalidBDMSnapshot",
                "Block Device Mapping is Invalid: failed to get snapshot u.",
                400,
            ),
        ),
        (errors.InstanceUserDataMalformed(), UNKNOWN, ("InstanceUserDataMalformed", OCCURED, 500)),
        (
            errors.InvalidRequest(),
            ("InvalidRequest", "The request is invalid.", 400),
            ("InvalidRequest", "The request is invalid.", 400),
        ),
        (
            errors.NotAuthorized(),
            ("NotAuthorized", "Not authorized.", 400),
            ("AuthFailure", "Not authorized.", 403),
        ),
        (
            errors.InvalidParameterValue(err=""),
            ("InvalidParameterValue", "", 400),
            ("InvalidParameterValue", OCCURED, 400),
        ),
        (
            errors.KeyPairExists(key_name="k"),
            ("KeyPairExists", "Key pair k already exists.", 400),
            ("InvalidKeyPair.Duplicate", "Key pair k already exists.", 400),
        ),
        (
            errors.InvalidKeypair(),
            UNKNOWN,
            ("InvalidKeyPair.Format", "Keypair data is invalid", 400),
        ),
        (KeyError("image_id"), UNKNOWN, ("KeyError", OCCURED, 500)),
        (ValueError("x"), UNKNOWN, ("ValueError", OCCURED, 500)),
        (AssertionError(), UNKNOWN, ("AssertionError", OCCURED, 500)),
        (errors.UnknownError(AttributeError("x")), UNKNOWN, ("AttributeError", OCCURED, 500)),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else None,
)
def test_folsom_and_havana_answer(
    exc: BaseException, folsom: tuple[str, str, int], havana: tuple[str, str, int]
) -> None:
    assert answer(exc, FOLSOM_EXECUTOR) == folsom
    assert answer(exc, HAVANA_EXECUTOR) == havana


def test_grizzly_writes_the_key_pair_codes_folsom_did_not() -> None:
    assert answer(errors.KeyPairExists(key_name="k"), GRIZZLY_EXECUTOR)[0] == (
        "InvalidKeyPair.Duplicate"
    )
    assert answer(errors.InvalidKeypair(), GRIZZLY_EXECUTOR)[0] == "InvalidKeyPair.Format"
    assert answer(errors.KeyPairExists(key_name="k"), FOLSOM_EXECUTOR)[0] == "KeyPairExists"
    assert answer(errors.InvalidKeypair(), FOLSOM_EXECUTOR)[0] == "UnknownError"


def test_icehouse_spells_occurred() -> None:
    assert answer(KeyError("x"), ICEHOUSE_EXECUTOR) == ("KeyError", OCCURRED, 500)
    assert answer(errors.FlavorNotFoundByName(flavor_name=None), ICEHOUSE_EXECUTOR) == (
        "FlavorNotFoundByName",
        "Flavor with name None could not be found.",
        404,
    )


def test_the_ec2_api_error_keeps_its_code_where_it_exists() -> None:
    exc = errors.EC2APIError("Image must be available")
    assert answer(exc, FOLSOM_EXECUTOR) == ("EC2APIError", "Image must be available", 400)
    assert answer(errors.EC2APIError("no", code="Custom.Code"), GRIZZLY_EXECUTOR)[0] == (
        "Custom.Code"
    )


@pytest.mark.parametrize("envelope", [FOLSOM_EXECUTOR, GRIZZLY_EXECUTOR, HAVANA_EXECUTOR])
def test_launch_sims_own_errors_are_the_same_under_every_profile(envelope: ErrorEnvelope) -> None:
    assert answer(errors.AuthFailure(), envelope)[::2] == ("AuthFailure", 401)
    assert answer(errors.SignatureDoesNotMatch(), envelope)[::2] == ("SignatureDoesNotMatch", 403)
    assert answer(errors.RequestExpired(timestamp="t"), envelope)[::2] == ("RequestExpired", 403)
    assert answer(errors.MissingParameter(name="Action"), envelope)[::2] == (
        "MissingParameter",
        400,
    )
    assert answer(errors.RequestTooLarge(err="big"), envelope)[::2] == ("RequestTooLarge", 400)


def test_a_server_fault_is_faultwrappers_500_from_havana_on() -> None:
    assert answer(errors.ServerFault(), GRIZZLY_EXECUTOR) == UNKNOWN
    assert answer(errors.ServerFault(), FOLSOM_EXECUTOR) == UNKNOWN
    assert answer(errors.ServerFault(), ICEHOUSE_EXECUTOR) == (
        "HTTPInternalServerError",
        "The server has either erred or is incapable of performing the requested operation.",
        500,
    )


class ClientException(Exception):
    ec2_code = "ClientException.Test"
    code = 400


class ServerException(Exception):
    ec2_code = "ServerException.Test"
    code = 500


@pytest.mark.parametrize(
    ("exc", "havana", "grizzly"),
    [
        (
            ClientException("Test unexpected client failure."),
            ("ClientException.Test", "Test unexpected client failure.", 400),
            UNKNOWN,
        ),
        (
            ServerException("Test server failure."),
            ("ServerException.Test", OCCURED, 500),
            UNKNOWN,
        ),
        (ValueError("no code at all"), ("ValueError", OCCURED, 500), UNKNOWN),
    ],
)
def test_any_exceptions_ec2_code_and_code_are_read_from_havana_on(
    exc: Exception, havana: tuple[str, str, int], grizzly: tuple[str, str, int]
) -> None:
    """Havana's ``test_unexpected_exception_ec2_4xx`` / ``_5xx`` (``test_error_response.py``):
    ``exception_to_ec2code`` and ``getattr(ex, 'code', None)`` read any exception."""
    assert answer(exc, HAVANA_EXECUTOR) == havana
    assert answer(exc, GRIZZLY_EXECUTOR) == answer(exc, FOLSOM_EXECUTOR) == grizzly


FAULT = (
    "HTTPInternalServerError",
    "The server has either erred or is incapable of performing the requested operation.",
    500,
)


@pytest.mark.parametrize(
    "exc",
    [
        errors.VolumeNotFound(volume_id=None),
        errors.SnapshotNotFound(snapshot_id="snap"),
        errors.InstanceNotFound(instance_id="i-zz"),
        errors.VolumeNotFound(),
    ],
)
def test_a_not_found_id_the_executor_cannot_rewrite_is_faultwrappers(exc: EC2Error) -> None:
    """``'vol-%08x' % int(volume_id)`` raised inside the Executor's ``except`` clause
    (``ec2utils.py:189-197@2013.1.5``), so FaultWrapper answered."""
    assert answer(exc, HAVANA_EXECUTOR) == answer(exc, ICEHOUSE_EXECUTOR) == FAULT
    assert answer(exc, GRIZZLY_EXECUTOR) == answer(exc, FOLSOM_EXECUTOR) == UNKNOWN


def test_a_not_found_id_is_rewritten_in_its_ec2_form_and_an_instance_none_stays_none() -> None:
    assert answer(errors.VolumeNotFound(volume_id=26), HAVANA_EXECUTOR) == (
        "InvalidVolumeID.NotFound",
        "Volume vol-0000001a could not be found.",
        404,
    )
    assert answer(errors.SnapshotNotFound(snapshot_id="26"), GRIZZLY_EXECUTOR) == (
        "SnapshotNotFound",
        "Snapshot snap-0000001a could not be found.",
        400,
    )
    for envelope in (FOLSOM_EXECUTOR, HAVANA_EXECUTOR):
        assert answer(errors.InstanceNotFound(instance_id=None), envelope)[1] == (
            "Instance None could not be found."
        )


@pytest.mark.parametrize(
    ("profile", "code", "message"),
    [
        ("folsom", "UnknownError", UNKNOWN_ERROR_MESSAGE),
        ("grizzly", "UnknownError", UNKNOWN_ERROR_MESSAGE),
        ("havana", "KeyError", OCCURED),
        ("icehouse", "KeyError", OCCURRED),
    ],
)
def test_the_python_api_raises_errors_that_answer_as_their_profile(
    profile: str, code: str, message: str
) -> None:
    sim = Simulator.from_seed(profile=profile)
    with pytest.raises(EC2Error) as caught:
        sim.run_instances(instance_type="m1.small")
    assert (caught.value.code, caught.value.message) == (code, message)
    assert explain(caught.value, PROFILES[profile].errors) == (
        f"{code}: {message} (cause: KeyError: 'image_id')"
    )


def test_explain_shows_no_cause_for_a_message_that_says_what_happened() -> None:
    exc = errors.InvalidEc2Id(ec2_id="snap-xyz")
    assert explain(exc, HAVANA_EXECUTOR) == "InvalidEc2Id: Ec2 id snap-xyz is unacceptable."


def test_a_profile_names_its_executor_and_an_error_tells_its_status() -> None:
    exc = errors.SnapshotNotFound(snapshot_id=10)
    assert ec2_error(exc, PROFILES["havana"]) == ec2_error(exc, HAVANA_EXECUTOR)
    with pytest.raises(EC2Error) as caught:
        Simulator.from_seed(profile="havana").run_instances(image_id="ami-000000ff")
    assert (caught.value.code, caught.value.status) == ("ImageNotFound", 404)


@pytest.mark.parametrize(
    ("profile", "code", "message"),
    [
        ("folsom", "InstanceTypeNotFoundByName", "Instance type with name 3.14159265359 could"),
        ("grizzly", "InstanceTypeNotFoundByName", "Instance type with name 3.14159265359 could"),
        ("havana", "InstanceTypeNotFoundByName", "Instance type with name 3.14159265359 could"),
        ("icehouse", "FlavorNotFoundByName", "Flavor with name 3.14159265359 could"),
    ],
)
def test_a_float_flavor_name_is_written_as_python_2_wrote_it(
    profile: str, code: str, message: str
) -> None:
    """``msg_fmt % kwargs`` (``NovaException.__init__``) of a float: Python 2's 12 digits."""
    outcome = EC2Service(Simulator.from_seed(profile=profile)).handle(
        [
            ("Action", "RunInstances"),
            ("ImageId", "ami-00000001"),
            ("InstanceType", "3.14159265358979"),
        ]
    )
    assert outcome.error_code == code
    assert outcome.error_message == f"{message} not be found."


@pytest.mark.parametrize(("profile", "answered"), unexpected_in_each_release("UnicodeEncodeError"))
@pytest.mark.parametrize("user_data", ["é", "YWJj€", "ÿÿÿ="])
def test_user_data_beyond_ascii_fails_as_python_2s_base64_did(
    profile: str, answered: tuple[str, str, int], user_data: str
) -> None:
    """``base64.decodestring(u'é')`` raised UnicodeEncodeError under Python 2.7.18, past the
    ``except base64.binascii.Error`` (``capi:674-676@2013.2.4``); an unexpected error."""
    outcome = launch(profile, ("UserData", user_data))
    assert (outcome.error_code, outcome.error_message, outcome.status) == answered
    assert len(outcome.create_calls) == 1


@pytest.mark.parametrize(
    ("profile", "answered"),
    [
        ("folsom", UNKNOWN),
        ("grizzly", UNKNOWN),
        ("havana", ("UnicodeEncodeError", OCCURED, 500)),
        ("icehouse", ("UnicodeEncodeError", OCCURRED, 500)),
    ],
)
def test_a_parameter_name_beyond_ascii_fails_in_every_release(
    profile: str, answered: tuple[str, str, int]
) -> None:
    """``str(camelcase_to_underscore(u'Clé'))`` in ``dict_from_dotted_str`` (eu:358@G,
    eu:385@H, eu:384@I); Folsom's webob 1.0.8 kept the name a byte string, which its
    Requestify's unicode debug line could not decode (init:329-330@2012.2.4): FaultWrapper's
    500, answered as launch-sim answers Folsom's FaultWrapper."""
    outcome = EC2Service(Simulator.from_seed(profile=profile)).handle(
        [
            ("Action", "RunInstances"),
            ("ImageId", "ami-00000001"),
            ("InstanceType", "m1.small"),
            ("Clé", "x"),
        ]
    )
    assert (outcome.error_code, outcome.error_message, outcome.status) == answered
    assert outcome.create_calls == []
    if profile == "folsom":
        assert isinstance(outcome.exception, errors.ServerFault)


BOOT_SEQUENCE = (
    "Block Device Mapping is Invalid: Boot sequence for the instance and image/block device "
    "mapping combination is not valid."
)
LOCALS = "Block Device Mapping is Invalid: You specified more local devices than the limit allows"


def _mapping(number: int, **fields: str) -> list[tuple[str, str]]:
    return [(f"BlockDeviceMapping.{number}.{name}", value) for name, value in fields.items()]


@pytest.mark.parametrize(
    ("mappings", "code", "message"),
    [
        (
            _mapping(1, DeviceName="/dev/vda", **{"Ebs.SnapshotId": "snap-12345678"})
            + _mapping(2, DeviceName="vda", **{"Ebs.SnapshotId": "snap-23456789"}),
            "InvalidBDMBootSequence",
            BOOT_SEQUENCE,
        ),
        (
            _mapping(1, DeviceName="/dev/sdb", VirtualName="swap")
            + _mapping(2, DeviceName="/dev/sdc", VirtualName="ephemeral0")
            + _mapping(3, DeviceName="/dev/sdd", VirtualName="ephemeral1"),
            "InvalidBDMLocalsLimit",
            LOCALS,
        ),
        (
            _mapping(
                1, DeviceName="/dev/sdb", VirtualName="ephemeral0", **{"Ebs.VolumeSize": "10"}
            ),
            "InvalidBDMEphemeralSize",
            "Ephemeral disks requested are larger than the instance type allows.",
        ),
        (
            _mapping(1, DeviceName="/dev/sdb", VirtualName="swap", **{"Ebs.VolumeSize": "1"}),
            "InvalidBDMSwapSize",
            "Swap drive requested is larger than instance type allows.",
        ),
        (
            _mapping(1, DeviceName="/dev/sdb", VirtualName="swap")
            + _mapping(2, DeviceName="/dev/sdc", VirtualName="swap"),
            "InvalidBDMFormat",
            "Block Device Mapping is Invalid: More than one swap drive requested.",
        ),
        (
            _mapping(1, DeviceName="/dev/sdb", SnapshotId="99999999-0000-4000-8000-000000000000"),
            "InvalidBDMSnapshot",
            "Block Device Mapping is Invalid: failed to get snapshot "
            "99999999-0000-4000-8000-000000000000.",
        ),
    ],
    ids=["boot sequence", "locals", "ephemeral size", "swap size", "two swaps", "snapshot"],
)
@pytest.mark.parametrize("profile", ["havana", "icehouse"])
def test_havanas_validate_bdm_answers(
    profile: str, mappings: list[tuple[str, str]], code: str, message: str
) -> None:
    """``_validate_bdm`` (``capi:965-1028@2013.2.4``, ``capi:1095@2014.1.5``) runs for each
    instance once it exists, after the quota: an ``InvalidBDM`` is no expected error, so its
    class name, HTTP 400 and its message; the instance is destroyed (its EC2 id stays used)
    and nothing is launched. The quota is checked first. Grizzly launches the same request,
    but for the unknown snapshot, which its own ``_validate_bdm`` refuses (``UnknownError``)."""
    params = [("Action", "RunInstances"), ("ImageId", "ami-00000001")]
    params += [("InstanceType", "m1.small"), ("MinCount", "2"), *mappings]
    sim = Simulator.from_seed(profile=profile)
    outcome = EC2Service(sim).handle(params)
    assert (outcome.error_code, outcome.error_message, outcome.status) == (code, message, 400)
    assert len(outcome.create_calls) == 1
    assert list(sim.store.instances.ids()) == []
    launched = EC2Service(sim).handle(params[:3])
    assert launched.result is not None
    assert launched.result["instancesSet"][0]["instanceId"] == "i-00000002"
    grizzly = EC2Service(Simulator.from_seed()).handle(params)
    assert grizzly.error_code == ("UnknownError" if code == "InvalidBDMSnapshot" else None)
    over_quota = [("MinCount", "30") if name == "MinCount" else (name, v) for name, v in params]
    assert EC2Service(sim).handle(over_quota).error_code == "ResourceLimitExceeded"


@pytest.mark.parametrize(("profile", "answered"), unexpected_in_each_release("ValueError"))
@pytest.mark.parametrize("counts", [("MinCount", "1_0"), ("MaxCount", "1_0")])
def test_a_count_with_a_digit_separator_fails_as_python_2s_int_did(
    profile: str, answered: tuple[str, str, int], counts: tuple[str, str]
) -> None:
    """``int(min_count)`` (``cloud:1283@2013.1.5``): Python 2 read no ``_`` separators, where
    Python 3's ``int('1_0')`` is 10."""
    outcome = launch(profile, counts)
    assert (outcome.error_code, outcome.error_message, outcome.status) == answered
    assert outcome.instance_ids == []


@pytest.mark.parametrize(("profile", "answered"), unexpected_in_each_release("UnicodeEncodeError"))
def test_an_action_beyond_ascii_fails_as_python_2s_getattr_did(
    profile: str, answered: tuple[str, str, int]
) -> None:
    """``getattr(controller, u'cl\\xe9')`` raised UnicodeEncodeError, which the dispatch's
    ``except AttributeError`` (``apirequest.py:57-59@2013.1.5``) did not make InvalidRequest."""
    outcome = EC2Service(Simulator.from_seed(profile=profile)).handle([("Action", "Clé")])
    assert (outcome.error_code, outcome.error_message, outcome.status) == answered
    unknown = EC2Service(Simulator.from_seed(profile=profile)).handle([("Action", "Cle")])
    assert unknown.error_code == "InvalidRequest"


@pytest.mark.parametrize("size", ["é", "x", "1.5"])
@pytest.mark.parametrize("profile", ["havana", "icehouse"])
def test_a_volume_size_that_is_no_integer_is_invalid_from_havana_on(
    profile: str, size: str
) -> None:
    """``validate_integer``'s ``int(str(value))`` (``utils.py:1140@2013.2.4``): ``str()`` of a
    text beyond ASCII raises UnicodeEncodeError, which is a ValueError in Python 2 too, so
    Havana's ``except ValueError`` catches it as Icehouse's ``except (ValueError,
    UnicodeEncodeError)`` does (``utils.py:999@2014.1.5``)."""
    outcome = launch(
        profile,
        *_mapping(1, DeviceName="/dev/sdb", VirtualName="ephemeral0", **{"Ebs.VolumeSize": size}),
    )
    assert (outcome.error_code, outcome.error_message, outcome.status) == (
        "InvalidBDMFormat",
        "Block Device Mapping is Invalid: Invalid volume_size.",
        400,
    )


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("grizzly", (200, None)),
        ("havana", (500, "RuntimeError")),
        ("icehouse", (500, "RuntimeError")),
    ],
)
def test_a_client_token_too_deep_for_python_2s_re_is_its_runtime_error(
    profile: str, expected: tuple[int, str | None]
) -> None:
    """Python 2.7's regex parser recursed once per group and ran out of stack as
    ``RuntimeError`` (Python 3 calls it ``RecursionError``, a name Nova's Executor never
    wrote); from Havana the token is a pattern once an instance carries a token."""
    service = EC2Service(Simulator.from_seed(profile=profile))
    request = [
        ("Action", "RunInstances"),
        ("ImageId", "ami-00000001"),
        ("InstanceType", "m1.small"),
    ]
    assert service.handle([*request, ("ClientToken", "abc")]).status == 200
    deep = "(?:" * 1000 + "a" + ")" * 1000
    outcome = service.handle([*request, ("ClientToken", deep)])
    assert (outcome.status, outcome.error_code) == expected


@pytest.mark.parametrize(
    ("count", "code"), [("-100000000000000000000", "OverflowError"), ("-5", "AssertionError")]
)
def test_havana_builds_no_count_beyond_a_c_long(count: str, code: str) -> None:
    """``xrange(num_instances)`` of a negative count the quota let through: beyond a C long
    it is Python 2's ``OverflowError`` (``capi:756@2013.2.4``); a smaller one builds nothing
    and the launch fails its assertion."""
    outcome = launch("havana", ("MinCount", count))
    assert (outcome.status, outcome.error_code) == (500, code)
