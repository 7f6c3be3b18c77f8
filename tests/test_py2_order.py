"""Python 2's dict order where Nova's answer depends on it.

The expected values come from CPython 2.7.18 (64-bit, UCS-4) and from Nova's own EC2 layer at
each tag (Requestify, Validator, Executor, ``APIRequest`` and ``run_instances``) run under it
on the same requests: Requestify copied the query into a dict and
``ec2utils.dict_from_dotted_str`` walked it in that dict's order (``__init__.py:309,335``,
``ec2utils.py:356-374@2013.1.5``).
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import Simulator
from simulator.ec2query import (
    _key_path,
    _nested,
    _text_key_path,
    _walked,
    args_to_kwargs,
    camelcase_to_underscore,
    convert_value,
    dict_from_dotted_str,
    parse_query,
)
from simulator.errors import ServerFault
from simulator.py2dict import iteration_order, py2_hash
from simulator.py2text import BYTE_STRING_NAMES, py2_str
from simulator.scoped import Scoped
from simulator.service import EC2Service, Outcome

NOVA_KEYS = [
    ("Signature", "x"),
    ("AWSAccessKeyId", "admin"),
    ("SignatureMethod", "HmacSHA256"),
    ("SignatureVersion", "2"),
    ("Version", "2012-08-15"),
    ("Timestamp", "2026-01-01T00:00:00Z"),
    ("Action", "RunInstances"),
    ("ImageId", "ami-00000001"),
]
"""What a query-signed client sends before its own parameters (and the oracle sent)."""

UNKNOWN = ("UnknownError", 400)


def launch(profile: str, *params: tuple[str, str]) -> Outcome:
    return EC2Service(Simulator.from_seed(profile=profile)).handle([*NOVA_KEYS, *params])


# --- the model -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("", 0),
        ("a", 12416037344),
        ("MinCount", 4413934334887437081),
        ("Clé", -1658743042895268987),
        ("\U0001f600", 16449585346049),
    ],
)
def test_py2_hash_is_python_27s(text: str, value: int) -> None:
    assert py2_hash(text) == value


@pytest.mark.parametrize(
    ("inserted", "order"),
    [
        (["MinCount", "min_count"], ["MinCount", "min_count"]),
        (["min_count", "MinCount"], ["min_count", "MinCount"]),
        (["b", "a", "q", "abc"], ["a", "q", "b", "abc"]),
        (["x", "1"], ["1", "x"]),
        (["1", "x"], ["1", "x"]),
        (
            [name for name, _ in NOVA_KEYS] + ["KeyName", "KeyName.1"],
            [
                "SignatureVersion",
                "AWSAccessKeyId",
                "Timestamp",
                "KeyName.1",
                "ImageId",
                "KeyName",
                "SignatureMethod",
                "Version",
                "Signature",
                "Action",
            ],
        ),
        (
            [f"Foo{number}" for number in range(12)],
            [f"Foo{number}" for number in (11, 10, 8, 9, 4, 5, 6, 7, 0, 1, 2, 3)],
        ),
    ],
)
def test_iteration_order_is_python_27s(inserted: list[str], order: list[str]) -> None:
    """Collisions decide by insertion order (the first two pairs); the last set grows the
    table from 8 slots to 32 at its sixth key."""
    assert iteration_order(inserted) == order


@pytest.mark.parametrize(
    ("template", "count", "digest"),
    [
        (
            "BlockDeviceMapping.{}.DeviceName",
            200,
            "f8bb38f25ec21e248dacb125a0eef214aafbd5703669d3f937c5756983fd8edb",
        ),
        ("k{}", 60000, "65916c30e568444041e0c97bfd5a95b37e668deffa402f891f8350f8fd77840b"),
    ],
)
def test_iteration_order_of_large_tables_is_python_27s(
    template: str, count: int, digest: str
) -> None:
    """The SHA-256 of CPython 2.7.18's order, joined by commas: 200 names grow the table
    three times (8, 32, 128, 512 slots), 60,000 pass the 50,000 beyond which it grows to
    twice, not four times, the keys it holds."""
    order = iteration_order(template.format(number) for number in range(count))
    assert hashlib.sha256(",".join(order).encode()).hexdigest() == digest


def test_a_key_inserted_again_keeps_its_slot() -> None:
    assert iteration_order(["min_count", "MinCount", "min_count"]) == ["min_count", "MinCount"]


def test_py2_str_writes_a_dict_in_hash_order() -> None:
    assert py2_str({"b": 1, "a": "x", "q": {"r": 1}}) == "{u'a': u'x', u'q': {u'r': 1}, u'b': 1}"
    with Scoped(BYTE_STRING_NAMES, True):
        assert py2_str({"b": 1, "a": "x"}) == "{'a': u'x', 'b': 1}"
    assert py2_str({"a": "x"}) == "{u'a': u'x'}", "only within the block"


# --- where two names meet --------------------------------------------------------------------


@pytest.mark.parametrize(
    "items",
    [
        [("KeyName", "k"), ("KeyName.1", "x")],
        [("KeyName.1", "x"), ("KeyName", "k")],
    ],
)
def test_a_plain_name_walked_after_its_dotted_name_replaces_it(
    items: list[tuple[str, str]],
) -> None:
    """``KeyName.1`` comes first in Python 2's order whichever was sent first, so the plain
    value replaces the dict: every release launched with ``key_name='k'``."""
    assert parse_query([*NOVA_KEYS, *items]).kwargs["key_name"] == "k"
    for profile in ("folsom", "grizzly", "havana"):
        outcome = launch(profile, *items)
        assert outcome.status == 200
        assert outcome.create_calls[0].fields()["key_name"] == "k"


@pytest.mark.parametrize(
    ("items", "error"),
    [
        ([("Placement", ""), ("Placement.AvailabilityZone", "nova")], TypeError),
        ([("Placement.AvailabilityZone", "nova"), ("Placement", "5")], TypeError),
        ([("Placement.GroupName", "g"), ("Placement", "None")], TypeError),
        (
            [("BlockDeviceMapping.1.Ebs.VolumeSize", "1"), ("BlockDeviceMapping.1.Ebs", "x")],
            TypeError,
        ),
        (
            [("BlockDeviceMapping.1.DeviceName", "/dev/vdb"), ("BlockDeviceMapping", "x")],
            AttributeError,
        ),
        ([("KernelId.a", "aki-1"), ("KernelId.b", "x")], None),
    ],
)
def test_a_dotted_name_walked_after_a_plain_value_fails_as_python_2_did(
    items: list[tuple[str, str]], error: type[Exception] | None
) -> None:
    """The plain name first: ``d[...] = value`` on its value is TypeError, ``d.get(...)`` of a
    part between is AttributeError; Havana's and Icehouse's Executors name the class. The
    last row fails later, in ``run_instances`` (``kernel_id`` is a dict)."""
    for sent in (items, items[::-1]):
        if error is not None:
            with pytest.raises(error):
                parse_query([*NOVA_KEYS, *sent]).kwargs  # noqa: B018
        name = error.__name__ if error else "AttributeError"
        assert (launch("grizzly", *sent).error_code, launch("grizzly", *sent).status) == UNKNOWN
        havana = launch("havana", *sent)
        assert (havana.error_code, havana.error_message, havana.status) == (
            name,
            "Unknown error occured.",
            500,
        )
        assert havana.create_calls == []


@pytest.mark.parametrize(
    ("items", "min_count", "max_count"),
    [
        ([("MinCount", "1"), ("min_count", "2")], 1, 1),
        ([("min_count", "2"), ("MinCount", "1")], 2, 2),
        ([("MinCount", "2"), ("minCount", "1")], 2, 2),
        ([("minCount", "1"), ("MinCount", "2")], 1, 1),
        ([("MaxCount", "1"), ("max_count", "3")], 1, 3),
        ([("max_count", "3"), ("MaxCount", "1")], 1, 3),
    ],
)
def test_of_two_names_converting_to_one_the_later_in_python_2s_order_wins(
    items: list[tuple[str, str]], min_count: int, max_count: int
) -> None:
    """``MinCount`` and ``min_count`` share a slot's probe path, so the one sent first keeps
    the earlier slot and the other wins; ``MaxCount``/``max_count`` do not collide."""
    for profile in ("folsom", "grizzly", "havana"):
        call = launch(profile, *items).create_calls[0].fields()
        assert (call["min_count"], call["max_count"]) == (min_count, max_count)


@pytest.mark.parametrize(
    "items",
    [
        [
            ("BlockDeviceMapping.x.DeviceName", "/dev/vdc"),
            ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
        ],
        [
            ("BlockDeviceMapping.1.DeviceName", "/dev/vdb"),
            ("BlockDeviceMapping.x.DeviceName", "/dev/vdc"),
        ],
    ],
)
def test_the_first_key_of_a_dict_of_digit_and_other_keys_is_python_2s(
    items: list[tuple[str, str]],
) -> None:
    """``{u'x': ..., u'1': ...}.keys()[0]`` is ``u'1'`` in either order, so the mappings are a
    list (by string key: ``1``, ``x``) and Grizzly launched with both."""
    kwargs = args_to_kwargs(dict_from_dotted_str(items))
    assert kwargs["block_device_mapping"] == [
        {"device_name": "/dev/vdb"},
        {"device_name": "/dev/vdc"},
    ]
    outcome = launch("grizzly", *items)
    assert outcome.status == 200
    mappings = outcome.create_calls[0].fields()["block_device_mapping"]
    devices = [row["device_name"] for row in mappings]
    assert devices == ["/dev/vdb", "/dev/vdc"]


@pytest.mark.parametrize("profile", ["folsom", "grizzly", "havana", "icehouse"])
@pytest.mark.parametrize(
    ("names", "shown"),
    [
        (("InstanceType.a", "InstanceType.i"), "{u'i': u'y', u'a': u'x'}"),
        (("InstanceType.e", "InstanceType.5"), "{u'e': u'x', u'5': u'y'}"),
    ],
)
def test_a_dict_in_a_message_shows_novas_order_whatever_the_order_sent(
    profile: str, names: tuple[str, str], shown: str
) -> None:
    """Nova's walk inserted ``i`` before ``a`` (and ``5`` before ``e``), which take one slot
    of the table, so its message showed that order for either order sent (checked with
    Nova's own code under Python 2.7). Folsom's names are byte strings."""
    expected = shown.replace("{u'", "{'").replace(", u'", ", '") if profile == "folsom" else shown
    for pair in (names, names[::-1]):
        values = dict(zip(names, ("x", "y"), strict=True))
        outcome = launch(profile, *[(name, values[name]) for name in pair])
        kind = "Flavor" if profile == "icehouse" else "Instance type"
        assert outcome.error_message == f"{kind} with name {expected} could not be found."


# --- Folsom's byte-string names --------------------------------------------------------------


@pytest.mark.parametrize("name", ["Clé", "BlockDeviceMapping.1.Clé", "É"])
def test_folsom_fails_any_name_beyond_ascii_in_requestifys_debug_line(name: str) -> None:
    """``_('arg: %(key)s ...') % locals()`` with a byte-string key beyond ASCII
    (init:329-330@2012.2.4): UnicodeDecodeError, FaultWrapper's 500. From Grizzly on only
    the first part fails (``str()`` of it), so a nested one launches."""
    with pytest.raises(ServerFault):
        parse_query([("Action", "RunInstances"), (name, "x")], unicode_names=False)
    folsom = launch("folsom", (name, "x"))
    assert (folsom.error_code, folsom.status, folsom.create_calls) == (*UNKNOWN, [])
    grizzly = launch("grizzly", (name, "x"))
    assert len(grizzly.create_calls) == (1 if "." in name else 0)


@pytest.mark.parametrize(
    ("items", "folsom", "grizzly"),
    [
        (
            [("InstanceType.a", "m1.tiny"), ("InstanceType.b", "m1.small")],
            "Instance type with name {'a': u'm1.tiny', 'b': u'm1.small'} could not be found.",
            "Instance type with name {u'a': u'm1.tiny', u'b': u'm1.small'} could not be found.",
        ),
        (
            [("InstanceType.q.r", "1"), ("InstanceType.abc", "m1.small")],
            "Instance type with name {'q': {'r': 1}, 'abc': u'm1.small'} could not be found.",
            "Instance type with name {u'q': {u'r': 1}, u'abc': u'm1.small'} could not be found.",
        ),
    ],
)
def test_a_dict_in_a_message_has_python_2s_order_and_its_releases_names(
    items: list[tuple[str, str]], folsom: str, grizzly: str
) -> None:
    """Folsom's webob 1.0.8 left the names byte strings, so the keys made of them are
    written without ``u``; the values were decoded."""
    assert launch("folsom", *items).error_message == folsom
    assert launch("grizzly", *items).error_message == grizzly


# --- after the action is found ---------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        [("Clé", "x")],
        [("Placement", "x"), ("Placement.AvailabilityZone", "nova")],
        [("BlockDeviceMapping.1.DeviceName", "/dev/vdb"), ("BlockDeviceMapping", "x")],
    ],
)
@pytest.mark.parametrize("profile", ["grizzly", "havana", "icehouse"])
def test_an_unknown_action_is_invalid_request_before_its_names_are_walked(
    profile: str, names: list[tuple[str, str]]
) -> None:
    """``APIRequest.invoke`` looked the action up before ``dict_from_dotted_str``
    (``apirequest.py:55-71@2013.1.5``): its failures never reach an unknown action."""
    params = [*NOVA_KEYS, *names]
    assert launch(profile, *names).error_code != "InvalidRequest"
    params[NOVA_KEYS.index(("Action", "RunInstances"))] = ("Action", "Store")
    outcome = EC2Service(Simulator.from_seed(profile=profile)).handle(params)
    assert (outcome.error_code, outcome.status) == ("InvalidRequest", 400)


def test_a_controller_attribute_is_called_after_the_names_are_walked() -> None:
    """``getattr`` finds ``compute_api``; the walk comes next (its UnicodeEncodeError), and
    only then the call of an object that is no method (TypeError)."""
    service = EC2Service(Simulator.from_seed(profile="havana"))
    plain = service.handle([("Action", "ComputeApi")])
    assert (plain.error_code, plain.status) == ("TypeError", 500)
    walked = service.handle([("Action", "ComputeApi"), ("Clé", "x")])
    assert (walked.error_code, walked.status) == ("UnicodeEncodeError", 500)


def test_folsom_fails_a_name_beyond_ascii_before_the_action_is_looked_up() -> None:
    """Requestify's debug line comes before the Executor, so even an unknown action is
    FaultWrapper's answer."""
    params = [("Action", "Store"), ("Clé", "x")]
    outcome = EC2Service(Simulator.from_seed(profile="folsom")).handle(params)
    assert isinstance(outcome.exception, ServerFault)


@pytest.mark.parametrize("profile", ["grizzly", "havana"])
def test_a_name_is_lowered_as_python_2s_unicode_was(profile: str) -> None:
    """``u'İmageId'.lower()`` was ``u'imageid'`` (the simple case mapping), so Nova's
    ``str()`` of it passed and the image was found; Python 3 would make it ``i̇mage_id``."""
    params = [("Action", "RunInstances"), ("İmageId", "ami-00000001")]
    outcome = EC2Service(Simulator.from_seed(profile=profile)).handle(params)
    assert outcome.status == 200
    assert (
        outcome.create_calls[0].fields()["image_href"]
        == launch(profile).create_calls[0].fields()["image_href"]
    )


# --- the walk in the order sent is only kept where the order decides nothing ------------------


def nova_walk(items: list[tuple[str, str]], inserted: list[str]) -> dict[str, Any]:
    """``dict_from_dotted_str`` and the list-making step as Nova wrote them, over the items
    in Python 2's order: the reference the shortcut must agree with."""
    values = dict(items)
    args: dict[str, Any] = {}
    for name in iteration_order(inserted):
        if name not in values:
            continue
        parts = name.split(".")
        key = camelcase_to_underscore(parts[0])
        value = convert_value(values[name])
        if len(parts) > 1:
            node = args.get(key, {})
            args[key] = node
            for part in parts[1:-1]:
                if not isinstance(node, dict):
                    raise AttributeError(part)
                child = node.get(camelcase_to_underscore(part), {})
                node[camelcase_to_underscore(part)] = child
                node = child
            if not isinstance(node, dict):
                raise TypeError(name)
            node[camelcase_to_underscore(parts[-1])] = value
        else:
            args[key] = value
    for key, value in args.items():
        if isinstance(value, dict) and value:
            first = iteration_order(value)[0]
            if first.isdigit():
                args[key] = [item for _, item in sorted(value.items())]
    return args


name_parts = st.sampled_from(["KeyName", "keyName", "key_name", "Placement", "A", "1", "2", "x"])
names = st.lists(name_parts, min_size=1, max_size=3).map(".".join)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(names, st.sampled_from(["k", "5", "None", "", "true"])),
        max_size=6,
        unique_by=lambda item: item[0],
    )
)
def test_the_shortcut_agrees_with_novas_walk(items: list[tuple[str, str]]) -> None:
    """Whatever names meet, the result (or the exception's class) is that of Nova's walk in
    Python 2's order of the query-signed dict's names."""
    inserted = [name for name, _ in [*NOVA_KEYS, *items]]
    try:
        expected: object = nova_walk(items, inserted)
    except (TypeError, AttributeError) as error:
        expected = type(error)
    try:
        got: object = args_to_kwargs(dict_from_dotted_str(items, inserted=inserted))
    except (TypeError, AttributeError) as error:
        got = type(error)
    assert got == expected
    assert _orders(got) == _orders(expected)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(names, st.sampled_from(["k", "5", "None", "", "true", "é", 7])),
        max_size=6,
        unique_by=lambda item: item[0],
    ),
    st.booleans(),
    st.booleans(),
)
def test_a_planned_request_is_nested_as_the_walk_nests_it(
    items: list[tuple[str, object]], unicode_names: bool, lists: bool
) -> None:
    """The plan a set of names gets (made once, then reused) nests and lists a request's
    values as the walk of those names does, dicts in the same order, or fails where it
    fails. Each set is asked twice: once as it makes its plan, once as it reuses it."""
    inserted = tuple(name for name, _ in [*NOVA_KEYS, *items])
    values = dict(items)
    key_paths = _text_key_path if unicode_names else _key_path
    try:
        walked = _walked(inserted, values, key_paths)
        expected: object = args_to_kwargs(walked) if lists else walked
    except Exception as error:
        expected = type(error)
    for _ in range(2):
        try:
            got: object = _nested(items, unicode_names, inserted, lists=lists)
        except Exception as error:
            got = type(error)
        assert got == expected
        assert _orders(got) == _orders(expected)


def _orders(value: object) -> object:
    """Every dict's keys in insertion order, all the way down: from it Python 2 ordered the
    keys that collide (a message's dict, the first key that makes a list)."""
    if isinstance(value, dict):
        return [(key, _orders(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [_orders(item) for item in value]
    return value


# --- an id list that stayed a dict -------------------------------------------------------------


SNAPSHOT_IDS = [
    ("SnapshotId.10", "snap-1"),
    ("SnapshotId.a", "snap-2"),
    ("SnapshotId.1a", "snap-3"),
]
INSTANCE_IDS = [("InstanceId.10", "i-1"), ("InstanceId.a", "i-2"), ("InstanceId.1a", "i-3")]


@pytest.mark.parametrize(
    ("action", "sent", "message"),
    [
        ("DescribeVolumes", [("VolumeId.x", "v")], 'Invalid id: x (expecting "i-...").'),
        (
            "DescribeVolumes",
            [("VolumeId.x", "vol-1"), ("VolumeId.y", "vol-2")],
            'Invalid id: y (expecting "i-...").',
        ),
        (
            "DescribeVolumes",
            [("VolumeId.y", "vol-2"), ("VolumeId.x", "vol-1")],
            'Invalid id: y (expecting "i-...").',
        ),
        ("DescribeSnapshots", SNAPSHOT_IDS, "Snapshot snap-0000000a could not be found."),
        ("DescribeSnapshots", SNAPSHOT_IDS[::-1], "Snapshot snap-0000001a could not be found."),
        ("DescribeInstances", INSTANCE_IDS, "Instance i-0000000a could not be found."),
        ("DescribeInstances", INSTANCE_IDS[::-1], "Instance i-0000000a could not be found."),
        (
            "TerminateInstances",
            [("InstanceId.x", "i-1"), ("InstanceId.y", "i-2")],
            'Invalid id: y (expecting "i-...").',
        ),
    ],
)
def test_an_action_walks_an_id_list_that_stayed_a_dict_in_python_2s_order(
    action: str, sent: list[tuple[str, str]], message: str
) -> None:
    """An id list whose first key in Python 2's order is no digit stays a dict, and the
    action's ``for ec2_id in snapshot_id`` meets its keys in that dict's order, which
    depends on the order the walk inserted them: ``SnapshotId.1a`` sent first takes the
    slot ``a`` takes otherwise (Nova's own code under Python 2.7 at each tag,
    ``cloud.py:780,346@2013.1.5``)."""
    outcome = EC2Service(Simulator.from_seed()).handle([("Action", action), *sent])
    assert outcome.error_message == message
