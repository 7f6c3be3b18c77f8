"""The Gherkin step library: launch scenarios written in words, checked against Nova Grizzly.

Scenarios are meant to be read (and written) by people who know EC2 and Nova, not Python,
so every step says what it means in domain words, and a failing step says what was expected
and what the simulator did. This module holds the step definitions only: what a scenario
builds and observes is its :class:`~simulator.launch_world.LaunchWorld`, and step
arguments (table cells, data tables, JSON doc strings) are read by
:mod:`simulator.step_args`, the way ``launch-sim scaffold`` writes them.

``When I launch with:`` passes keyword arguments straight to ``run_instances``; ``When I send
the EC2 query:`` POSTs EC2 query parameters to the WSGI app, so the query parser's
conversions apply (``When I send the EC2 query as JSON:`` takes the same path, for values a
cell would trim). Either way every Then step works after it.

Cassettes are replayed the way ``launch-sim replay`` replays them (one code path, so a
scenario and the command cannot disagree), and the replay steps word their checks and
failures in that command's terms: JSON pointers into the cassette, recorded and replayed
values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, then, when

from simulator.api import Simulator
from simulator.cassette import load_cassette, replay_cassette
from simulator.contracts import default_registry
from simulator.errors import BadInput
from simulator.jsonio import read_json
from simulator.launch_world import LaunchWorld, Replayed
from simulator.report import render_text, show
from simulator.resources import default_seed_path
from simulator.step_args import (
    PROPERTIES_HEADER,
    QUERY_HEADER,
    REPLAYED_AS,
    DataTable,
    expect,
    expect_usable,
    json_object,
    json_pairs,
    object_value,
    recorded_and_replayed,
    reported_value,
    set_at_pointer,
    table_column,
    table_pairs,
    table_records,
    typed_cell,
)

# Parts of step texts shared by several steps, so their wording cannot drift apart.
_QUOTED = r'"(?P<{}>[^"]+)"'
_IMAGE = (
    r'an image "(?P<name>[^"]*)" with uuid (?P<uuid>[^\s,]+), '
    r'(?:ec2 id "(?P<ec2_id>[^"]+)"|no ec2 id), '
    r"(?:status (?P<status>[^\s,]+)|no status), "
    r"container format (?P<container_format>\S+)"
)
_JSON_VALUE = r"(?P<value>.+)"


def _rooted(pytestconfig: pytest.Config, path: str) -> Path:
    """A path as written in a feature: relative to the project's rootdir, or absolute.

    The rootdir, like pytest-bdd's ``bdd_features_base_dir``: a feature then names a file
    as the project's tree shows it, whichever folder pytest is started from."""
    return pytestconfig.rootpath / path


def _unusable(pytestconfig: pytest.Config, path: str, problem: BadInput) -> BaseException:
    """A file step's one-line failure (raise it ``from None``: no traceback): the file's
    problem and, when a relative path names nothing, where it was looked for and why (the
    rootdir is neither the feature's folder nor the current one, and it is the current one
    when pytest finds no configuration file)."""
    if Path(path).is_absolute() or _rooted(pytestconfig, path).exists():
        return pytest.fail.Exception(str(problem), pytrace=False)
    ini = pytestconfig.inipath
    why = (
        f"the folder of its {ini.name}"
        if ini is not None
        else "the folder pytest was started from, as it found no pytest.ini, pyproject.toml, "
        "tox.ini or setup.cfg: put a pytest.ini in the project's root folder"
    )
    return pytest.fail.Exception(
        f"{problem} (a step reads a relative path from the pytest rootdir, {why})", pytrace=False
    )


# --- Given: the store ---------------------------------------------------------------------


@given("the default seed")
def default_seed(launch_world: LaunchWorld) -> None:
    """The store holds exactly the seed shipped with launch-sim (cirros images, the walkthrough's
    snapshots and volumes, the m1 flavors), whatever ``launch_sim_seed`` says."""
    launch_world.reseed(default_seed_path())


@given("an empty store")
def empty_store(launch_world: LaunchWorld) -> None:
    """The store holds nothing at all: no image, mapping or instance type (not even m1.small)."""
    launch_world.reseed({})


@given(parsers.re("the seed file " + _QUOTED.format("path")))
def seed_file(launch_world: LaunchWorld, pytestconfig: pytest.Config, path: str) -> None:
    """The store holds exactly the seed file at ``path`` (relative to the project's rootdir)."""
    try:
        launch_world.reseed(_rooted(pytestconfig, path))
    except BadInput as exc:
        raise _unusable(pytestconfig, path, exc) from None


@given(parsers.re("the " + _QUOTED.format("name") + " profile"))
def behaviour_profile(launch_world: LaunchWorld, name: str) -> None:
    """From now on the simulator answers as this Nova release (``folsom``, ``grizzly``,
    ``havana`` or ``icehouse``, see :mod:`simulator.profiles`), on the store it already
    holds: the seed and every row added so far stay. An unknown name fails the step with
    the known ones."""
    sim = launch_world.sim
    try:
        launch_world.sim = Simulator(
            sim.store, image_backend=sim.image_backend, contracts=sim.contracts, profile=name
        )
        return
    except BadInput as exc:
        refusal = str(exc)
    pytest.fail(refusal, pytrace=False)


@given("the store is seeded with:")
def seeded_with(launch_world: LaunchWorld, docstring: str) -> None:
    """Add the seed in the doc string (JSON, the seed file format) to the store: the way to
    set up anything the other Given steps do not spell out (``min_ram``, ``disabled``...)."""
    launch_world.add_to_store(json_object(docstring, "the seed"))


@given(parsers.re(_IMAGE + r"(?P<properties> and properties:| and no properties)?"))
def image(
    launch_world: LaunchWorld,
    name: str,
    uuid: str,
    ec2_id: str | None,
    status: str | None,
    container_format: str,
    properties: str | None,
    datatable: DataTable | None = None,
) -> None:
    """Add an image to the image service. ``no ec2 id``: it has no s3 mapping row yet, so
    Nova gives it the next id when it is first found by name; ``no status``: status null.
    Its properties are empty, or the ``| property | value |`` rows of the table after
    ``and properties:`` (a row with an empty value is left out), or missing altogether
    with ``and no properties`` (Nova then fails with a KeyError)."""
    wants_table = properties == " and properties:"
    expect_usable(
        wants_table == (datatable is not None),
        "an image step has a | property | value | table exactly when it ends in 'and properties:'",
    )
    record: dict[str, Any] = {
        "uuid": uuid,
        "name": name,
        "status": status,
        "container_format": container_format,
    }
    if ec2_id is not None:
        record["ec2_id"] = ec2_id
    if datatable is not None:
        record["properties"] = {
            key: typed_cell(value)
            for key, value in table_pairs(datatable, PROPERTIES_HEADER)
            if value != ""
        }
    elif properties is None:
        record["properties"] = {}
    launch_world.add_to_store({"images": [record]})


@given(
    parsers.re(
        r"an? (?P<kind>snapshot|volume) " + _QUOTED.format("ec2_id") + r" with uuid (?P<uuid>\S+)"
    )
)
def id_mapping(launch_world: LaunchWorld, kind: str, ec2_id: str, uuid: str) -> None:
    """Add a snapshot or volume id mapping row: the row number is the hex after the dash
    (``snap-0000000a`` is row 10)."""
    launch_world.add_to_store({f"{kind}s": [{"ec2_id": ec2_id, "uuid": uuid}]})


@given("the instance types:")
def instance_types(launch_world: LaunchWorld, datatable: DataTable) -> None:
    """Add one instance type (flavor) per row; the header row names the fields (``name``,
    ``memory_mb``, ``vcpus``, ``root_gb``, ``default``, ``disabled``...)."""
    launch_world.add_to_store({"instance_types": table_records(datatable)})


# --- When: the launch ---------------------------------------------------------------------


@when("I launch with:")
def launch_with(launch_world: LaunchWorld, docstring: str) -> None:
    """Call ``run_instances`` with the doc string's JSON object as keyword arguments."""
    launch_world.launch(json_object(docstring, "the launch"))


@when(parsers.re("I launch the image " + _QUOTED.format("image_id")))
def launch_image(launch_world: LaunchWorld, image_id: str) -> None:
    """Call ``run_instances(image_id=...)`` and nothing else: every other argument defaulted."""
    launch_world.launch({"image_id": image_id})


@when(parsers.re("I launch as described in " + _QUOTED.format("path")))
def launch_from_file(launch_world: LaunchWorld, pytestconfig: pytest.Config, path: str) -> None:
    """Call ``run_instances`` with the keyword arguments of a JSON file (relative to rootdir)."""
    try:
        kwargs = read_json(_rooted(pytestconfig, path), "launch")
    except BadInput as exc:
        raise _unusable(pytestconfig, path, exc) from None
    launch_world.launch(object_value(kwargs, path))


@when(
    parsers.re(
        "I launch the image "
        + _QUOTED.format("image_id")
        + r" with (?P<size>\d+) bytes of user data"
    )
)
def launch_with_user_data(launch_world: LaunchWorld, image_id: str, size: str) -> None:
    """Launch with ``user_data`` of that many bytes, for the size limit no doc string can show
    (the bytes are ``A``: valid base64 exactly when the size is a multiple of 4)."""
    launch_world.launch({"image_id": image_id, "user_data": "A" * int(size)})


@when("I send the EC2 query:")
def send_query(launch_world: LaunchWorld, datatable: DataTable) -> None:
    """Send the ``| Name | Value |`` rows as EC2 query parameters, in order, values as written."""
    launch_world.send_query(table_pairs(datatable, QUERY_HEADER))


@when("I send the EC2 query as JSON:")
def send_query_as_json(launch_world: LaunchWorld, docstring: str) -> None:
    """Send the doc string's JSON list of ``["Name", "Value"]`` pairs as EC2 query parameters,
    in order: the way to send a value no table cell can hold, since Gherkin trims cells (a
    value that starts or ends with spaces, such as an availability zone of ``"   "``)."""
    launch_world.send_query(json_pairs(docstring, "the EC2 query"))


@when("I describe the instances")
def describe_instances(launch_world: LaunchWorld) -> None:
    """Send ``DescribeInstances`` with no filter: every instance of the project."""
    launch_world.send_query([("Action", "DescribeInstances")])


@when(
    parsers.re(
        r"I (?P<verb>describe|terminate|stop|start|reboot) the instance "
        + _QUOTED.format("instance_id")
    )
)
def act_on_instance(launch_world: LaunchWorld, verb: str, instance_id: str) -> None:
    """Send ``DescribeInstances``, ``TerminateInstances``, ``StopInstances``,
    ``StartInstances`` or ``RebootInstances`` for this one instance, as a client's query
    (``InstanceId.1``): the answer and its error are what any client would get."""
    action = f"{verb.capitalize()}Instances"
    launch_world.send_query([("Action", action), ("InstanceId.1", instance_id)])


@when(
    parsers.re(
        r"I (?P<attempt>try to )?replay the cassette "
        + _QUOTED.format("path")
        + r"(?: with "
        + _QUOTED.format("pointer")
        + " set to "
        + _JSON_VALUE
        + ")?"
    )
)
def replay(
    launch_world: LaunchWorld,
    pytestconfig: pytest.Config,
    tmp_path: Path,
    path: str,
    attempt: str | None,
    pointer: str | None,
    value: str | None,
) -> None:
    """Replay a cassette (relative to the rootdir) as ``launch-sim replay`` does, on its own
    seed, optionally a copy with one value changed: the way to show what a change of
    behaviour looks like. A cassette that cannot be replayed fails the step with the file and
    the reason, unless the step *tries* to replay it: the refusal is then the outcome."""
    label = path if pointer is None else f'{path} with "{pointer}" set to {value}'
    source = _rooted(pytestconfig, path)
    try:
        if pointer is not None and value is not None:
            cassette = read_json(source, "cassette")
            set_at_pointer(cassette, pointer, typed_cell(value))
            source = tmp_path / source.name
            source.write_text(json.dumps(cassette), encoding="utf-8")
        launch_world.replayed = Replayed(
            label, replay_cassette(load_cassette(source), label).result
        )
    except BadInput as exc:
        launch_world.replayed = Replayed(label, refusal=str(_unusable(pytestconfig, path, exc)))
    refusal = launch_world.replayed.refusal
    if refusal is not None and attempt is None:
        pytest.fail(f"cannot replay the cassette {label}: {refusal}", pytrace=False)


# --- Then: the outcome --------------------------------------------------------------------


@then(parsers.re("the (?:launch|request) succeeds"))
def launch_succeeds(launch_world: LaunchWorld) -> None:
    """The launch returned a reservation (any other request its answer), not an EC2 error."""
    result = launch_world.last
    expect(result.error_code is None, f"expected a successful launch, but {result.describe()}")


@then(parsers.re("the (?:launch|request) fails with EC2 error " + _QUOTED.format("code")))
def launch_fails(launch_world: LaunchWorld, code: str) -> None:
    """The launch (or the last request, whatever its action) ended in the EC2 error ``code``
    (the ``<Code>`` of the error document)."""
    result = launch_world.last
    expect(result.error_code == code, f"expected EC2 error {code!r}, but {result.describe()}")


@then(
    parsers.re(
        "the launch fails with EC2 error "
        + _QUOTED.format("code")
        + r' and message "(?P<message>.*)"'
    )
)
def launch_fails_with_message(launch_world: LaunchWorld, code: str, message: str) -> None:
    """The launch ended in the EC2 error ``code`` with exactly this ``<Message>``."""
    result = launch_world.last
    expect(
        (result.error_code, result.error_message) == (code, message),
        f"expected EC2 error {code!r} and message {message!r}, but {result.describe()}",
    )


@then(
    parsers.re(
        r"the instance "
        + _QUOTED.format("instance_id")
        + r' is (?:"(?P<state>[^"]+)"|(?P<absent>not listed))'
    )
)
def instance_state(
    launch_world: LaunchWorld, instance_id: str, state: str | None, absent: str | None
) -> None:
    """The last answer lists the instance in this state, by the name EC2 gives it
    (``"pending"``, ``"running"``, ``"stopped"``...: a launch's or DescribeInstances'
    ``instanceState``, a terminate's ``currentState``), or does not list it."""
    listed = launch_world.listed_instances()
    items = [item for item in listed if item.get("instanceId") == instance_id]
    if absent is not None:
        expect(not items, f"expected {instance_id} not to be listed, but it is: {show(items)}")
        return
    states = [(item.get("instanceState") or item.get("currentState") or {}) for item in items]
    actual = [each.get("name") for each in states]
    expect(actual == [state], f"expected {instance_id} to be {state!r}, but found {show(actual)}")


@then("the compute calls are:")
def compute_calls_are(launch_world: LaunchWorld, datatable: DataTable) -> None:
    """The ``compute_api`` methods the simulator called since the scenario began (or since
    its last ``the "NAME" profile`` step), in order: one ``| method |`` row each (``create``,
    ``stop``, ``start``, ``reboot``, ``delete``)."""
    expected = table_column(datatable, "method")
    actual = [call.method for call in launch_world.sim.compute.calls]
    expect(actual == expected, f"expected the compute calls {expected}, but they are {actual}")


@then("the block device mapping is:")
def block_device_mapping_is(launch_world: LaunchWorld, datatable: DataTable) -> None:
    """The create call's ``block_device_mapping`` is exactly these rows, in this order: one
    mapping per row, an empty cell meaning the mapping has no such key."""
    expected = table_records(datatable)
    actual = launch_world.create_call()["block_device_mapping"]
    expect(
        actual == expected,
        f"expected the block device mapping\n  {show(expected)}\nbut it is\n  {show(actual)}",
    )


@then(parsers.re(r"the create call has " + _QUOTED.format("field") + " equal to " + _JSON_VALUE))
def create_call_field(launch_world: LaunchWorld, field: str, value: str) -> None:
    """One argument of the create call equals a value (JSON: ``1``, ``null``, ``"text"``...)."""
    call = launch_world.create_call()
    expect(field in call, f"the create call has no argument {field!r}; it has {sorted(call)}")
    expected = typed_cell(value)
    expect(
        call[field] == expected,
        f"expected {field} = {show(expected)}, but it is {show(call[field])}",
    )


@then(parsers.re(r"the create call's \"instance_type\" name is " + _QUOTED.format("name")))
def create_call_instance_type(launch_world: LaunchWorld, name: str) -> None:
    """The create call asks for the instance type (flavor) with this name."""
    actual = launch_world.create_call()["instance_type"].get("name")
    expect(actual == name, f"expected instance type {name!r}, but it is {actual!r}")


@then(parsers.re(r"there (?:is|are) (?P<count>\d+) create calls?"))
def create_call_count(launch_world: LaunchWorld, count: str) -> None:
    """The last launch reached ``compute_api.create`` this many times (0 or 1)."""
    calls = launch_world.last.create_calls
    expect(
        len(calls) == int(count), f"expected {count} create call(s), but there were {len(calls)}"
    )


@then("the create call satisfies the schema")
def create_call_schema(launch_world: LaunchWorld) -> None:
    """The create call, as a cassette records it, is valid against the shipped
    ``schemas/create_call.schema.json`` under the reference validator (jsonschema).

    Compute checks every call already, but against the simulator's own registry (a user may
    point it at other schemas) with the fast validator; this step checks the contract users
    depend on, independently of both, so it fails where either lets a call through.
    """
    contract = default_registry()["create_call"]
    violations = contract.reference_violations(launch_world.create_call())
    expect(
        not violations, "the create call violates its schema: " + "; ".join(map(str, violations))
    )


@then(parsers.re(r"the response has (?P<count>\d+) instances?"))
def response_instance_count(launch_world: LaunchWorld, count: str) -> None:
    """The reservation returned holds this many instances."""
    instances = launch_world.instances()
    expect(
        len(instances) == int(count),
        f"expected {count} instance(s) in the response, but there are {len(instances)}",
    )


@then(
    parsers.re(
        r"every instance in the response has "
        + _QUOTED.format("field")
        + " equal to "
        + _JSON_VALUE
    )
)
def every_instance_field(launch_world: LaunchWorld, field: str, value: str) -> None:
    """Each instance item of the response (``imageId``, ``kernelId``, ``instanceType``...)
    has this value (JSON)."""
    expected = typed_cell(value)
    actual = [instance.get(field) for instance in launch_world.instances()]
    expect(
        bool(actual) and all(item == expected for item in actual),
        f"expected {field} = {show(expected)} in every instance, but found {show(actual)}",
    )


@then(parsers.re(r"every instance in the response has no " + _QUOTED.format("field")))
def every_instance_lacks(launch_world: LaunchWorld, field: str) -> None:
    """No instance item of the response carries this key (``kernelId`` when there is none)."""
    having = [instance[field] for instance in launch_world.instances() if field in instance]
    expect(not having, f"expected no {field}, but found {show(having)}")


@then(
    parsers.re(
        r"the instances in the response have "
        + _QUOTED.format("field")
        + r" equal to (?P<values>\[.*\]) in order"
    )
)
def instances_field_in_order(launch_world: LaunchWorld, field: str, values: str) -> None:
    """The instance items of the response, in order, have these values (a JSON list) under
    this key: ``amiLaunchIndex`` ``[0, 1]`` where each instance has its own."""
    expected = typed_cell(values)
    actual = [instance.get(field) for instance in launch_world.instances()]
    expect(actual == expected, f"expected {field} = {show(expected)}, but found {show(actual)}")


@then(parsers.re(r"the HTTP status is (?P<status>\d+)"))
def http_status(launch_world: LaunchWorld, status: str) -> None:
    """The HTTP status the answer carries (200, or 400 for an EC2 error document)."""
    actual = launch_world.last.status
    expect(actual == int(status), f"expected HTTP status {status}, but it is {actual}")


@then("every interaction matches")
def every_interaction_matches(launch_world: LaunchWorld) -> None:
    """Replaying the cassette gave what it recorded, for every interaction."""
    result = launch_world.replay_verdicts()
    expect(
        not result.failures,
        "expected every interaction to match, but\n" + render_text([result], REPLAYED_AS),
    )


@then(parsers.re(r"(?P<count>\d+) interactions? differs?"))
def interactions_differ(launch_world: LaunchWorld, count: str) -> None:
    """Exactly this many interactions of the replayed cassette differ from their recording."""
    result = launch_world.replay_verdicts()
    expect(
        len(result.failures) == int(count),
        f"expected {count} differing interaction(s), but\n" + render_text([result], REPLAYED_AS),
    )


@then(
    parsers.re(
        "the replay differs at "
        + _QUOTED.format("pointer")
        + r"(?:: recorded (?P<values>.+, replayed .+))?"
    )
)
def replay_differs_at(launch_world: LaunchWorld, pointer: str, values: str | None) -> None:
    """The replay differs at this JSON pointer into the cassette, as ``launch-sim replay``
    reports it, and, when the step says so, with these values (JSON, or ``(absent)``)."""
    result = launch_world.replay_verdicts()
    found = [
        difference
        for failure in result.failures
        for difference in failure.differences
        if difference.pointer == pointer
    ]
    expect(
        bool(found),
        f"expected a difference at {pointer}, but\n" + render_text([result], REPLAYED_AS),
    )
    if values is not None:
        recorded, replayed = recorded_and_replayed(values)
        expected = (show(reported_value(recorded)), show(reported_value(replayed)))
        actual = (show(found[0].recorded), show(found[0].observed))
        expect(
            actual == expected,
            f"expected {pointer}: recorded {expected[0]}, {REPLAYED_AS} {expected[1]}, "
            f"but it is {found[0].describe(REPLAYED_AS)}",
        )


@then(parsers.re("the cassette is refused because " + _QUOTED.format("reason")))
def cassette_refused(launch_world: LaunchWorld, reason: str) -> None:
    """Trying to replay the cassette was refused, with ``reason`` in the one-line message
    (``no such cassette file``, ``not JSON``, ``not a valid cassette``...)."""
    replayed = launch_world.last_replay
    expect(
        replayed.refusal is not None and reason in replayed.refusal,
        f"expected the cassette {replayed.label} to be refused because {reason!r}, but "
        + (f"it was refused: {replayed.refusal}" if replayed.refusal else "it was replayed"),
    )
