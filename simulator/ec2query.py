"""The EC2 Query API protocol layer: query parameters in, Python kwargs out, XML back.

This module reproduces what Nova Grizzly 2013.1 does between the WSGI request and the
controller call (Requestify, Validator, ``APIRequest.invoke``) and between the result and
the HTTP body (``_render_response``, ``ec2_error``), so that the domain layer sees exactly
the kwargs Nova's ``CloudController`` saw, quirks included (octal ``'010'`` is 8, list
order ``1, 10, 2``); a profile's :class:`~simulator.profiles.XmlStyle` picks Havana's
pretty-printed answers instead. It holds no domain logic and does no I/O: the server owns
sockets, authentication and the clock; :mod:`simulator.errors` owns every EC2 error code.
"""

from __future__ import annotations

import base64
import datetime
import functools
import itertools
import operator
import os
import re
import socket
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple, cast
from xml.etree import ElementTree

from simulator.ec2ids import ec2_id_to_id, py2_float, py2_int, uuid4_text
from simulator.errors import (
    UNKNOWN_ERROR,
    ErrorEnvelope,
    InvalidEc2Id,
    InvalidParameterValue,
    MissingParameter,
    RequestTooLarge,
    ServerFault,
    ec2_error,
)
from simulator.limits import DEFAULT_LIMITS, QueryLimits, ShortTextMemo, shorten
from simulator.profiles import PublicIpCheck, XmlStyle
from simulator.py2dict import iteration_order
from simulator.py2text import int_text, py2_str
from simulator.py2unicode import isdigit as py2_isdigit
from simulator.py2unicode import lower as py2_lower

DEFAULT_VERSION = "2012-08-15"

REQUESTIFY_KEYS = (
    "Action",
    "Signature",
    "AWSAccessKeyId",
    "SignatureMethod",
    "SignatureVersion",
    "Version",
    "Timestamp",
)
"""The keys Nova's Requestify pops before the rest become arguments, in its order
(``init:310@2012.2.4``, ``307-308@2013.1.5``, ``298@2013.2.4``, ``296@2014.1.5``).
``Expires`` is not one of them: it stays an argument (``expires``), read by the query time
check all the same."""
NON_ARGUMENT_KEYS = frozenset(REQUESTIFY_KEYS)
SIGV4_QUERY_PREFIX = "X-Amz-"

_CAMEL_BOUNDARY = re.compile(r"(((?<=[a-z])[A-Z])|([A-Z](?![A-Z]|$)))")
_INT_PREFIXES = tuple(
    ((prefix, "-" + prefix), base) for prefix, base in (("0x", 16), ("0b", 2), ("0", 8), ("", 10))
)
"""Each base Nova tries, in order, with the prefixes (unsigned and negative) that select it."""
_NEAR_ZERO = 1e-7
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NAME_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_ELEMENT_NAME = f"(?:xml:)?[{_NAME_START}][{_NAME_START}\\-.0-9\u00b7\u0300-\u036f\u203f\u2040]*"
"""An element name libxml2 reads back without an error: an XML 1.0 (fifth edition) name
without a colon, or with the one prefix every document binds, ``xml``. Compiled when first
needed (a Havana answer with a key not seen before): compiling it costs every start-up 4 ms."""
_PATH_CHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})"
"""A character of a URI's path (RFC 3986's ``pchar`` or ``/``)."""
_URL_PATH = re.compile(f"{_PATH_CHAR}*")
_NAMESPACE_URI = re.compile(
    rf"{_PATH_CHAR}*(?:\?(?:{_PATH_CHAR}|\?)*)?(?:#(?:{_PATH_CHAR}|[?\[\]])*)?"
)
"""What libxml2 takes as a namespace name (``xmlParseURI``) of ``http://host/path``: a path,
an optional query and fragment (one ``#``), ``%`` only before two hex digits, and the
brackets it tolerates in a fragment. Checked against lxml 4.9.4 (libxml2 2.10.3) under
Python 2.7 on 20,000 fuzzed ``Version`` values: no difference."""
_MAX_UTF8_BYTES = 4
"""The most bytes one character takes in UTF-8: a value this short need not be encoded
to be known small enough."""
_QUOTE = ('"', "&quot;")
_APOSTROPHE = ("'", "&apos;")
_ASCII_SPACE = "".join(re.escape(char) for char in map(chr, range(128)) if char.isspace())
_NUMBER_SHAPE = re.compile(
    rf"[{_ASCII_SPACE}]*+[+-]?[{_ASCII_SPACE}]*+[0-9.a-finotxy]*+(?:[+-][0-9]*+)?[{_ASCII_SPACE}]*",
    re.IGNORECASE,
)
"""A shape every ASCII number that Python 2's ``int`` (bases 16, 8, 2 and 10, with their
``0x``/``0o``/``0b`` prefixes, see :func:`~simulator.ec2ids.py2_int`) or ``float``
(``1e-8``, ``inf``, ``infinity``, ``nan``) reads has: spaces only at the ends and after a
leading sign (``- 5``), a sign only first and after the exponent's ``e``, and only the
letters of digits, prefixes and those words. Many values that are no number have it too."""
_TEXT_SPECIAL = re.compile('[&<>"]|' + _XML_FORBIDDEN.pattern)
"""What :func:`_text` changes: the characters it escapes and those :func:`xml_safe` replaces."""


# --- values and keys -------------------------------------------------------------------------


def convert_value(value: str) -> Any:
    """Nova's ``ec2utils._try_convert``: turn a query value into None, bool, int, float or str.

    Every parameter goes through this before the controller sees it, which is why
    ``MinCount=010`` launches 8 instances and ``VolumeSize=1e-8`` becomes ``0``. Like Nova,
    the prefix is only used to pick the base; the whole lower-cased value (sign and prefix
    included) is handed to ``int``, and a failure falls through to the next prefix.
    Values containing ``_`` never become numbers, because Python 2 refused them; Python 2's
    ``int`` took spaces after the sign, so ``- 5`` is -5 and ``- 010`` -10 (the ``0`` prefix
    does not match after the space: base 10), while ``float`` did not (``- 1.5`` stays text).
    A decimal integer longer than Python 3's ``int`` digit limit (4300 by default) is refused
    by ``int`` and ends up as a float (``inf``), where Python 2 returned a long.
    """
    if not value:
        return ""
    if value == "None":
        return None
    lowered = value.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if "_" in value:
        return value
    if value.isascii() and _NUMBER_SHAPE.fullmatch(value) is None:
        # No base or float reading can succeed (``snap-...``, ``/dev/vdb``, a uuid4
        # ClientToken as boto3 sends): skip the ValueErrors that would say so, each several
        # times the cost of this test.
        return value
    for prefixes, base in _INT_PREFIXES:
        if lowered.startswith(prefixes):
            try:
                return py2_int(lowered, base)
            except ValueError:
                pass
    try:
        number = py2_float(value)
    except ValueError:
        return value
    return 0 if abs(number) < _NEAR_ZERO else number


_converted = ShortTextMemo(convert_value)


@ShortTextMemo
def camelcase_to_underscore(name: str) -> str:
    """Nova's parameter-name conversion: ``ImageId`` -> ``image_id``, ``KernelID`` -> ``kernel_id``.

    The controller's keyword names are exactly what this produces, including its oddities
    (a run of capitals stays one word), so it must not be "improved". A name beyond ASCII
    is lowered as Python 2's unicode was (:func:`~simulator.py2unicode.lower`): ``İ`` is
    ``i`` (Python 3 writes ``i̇``), a final capital sigma the plain small one (Python 3:
    the final form), and a capital Unicode 5.2 had no small letter for stays, so
    ``İmageId`` is ``image_id`` and passes Grizzly's ``str()``.
    """
    underscored = _CAMEL_BOUNDARY.sub(r"_\1", name)
    if underscored.isascii():
        return underscored.lower().strip("_")
    return py2_lower(underscored).strip("_")


def dict_from_dotted_str(
    items: Mapping[str, object] | Collection[tuple[str, object]],
    *,
    unicode_names: bool = True,
    inserted: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Nova's ``ec2utils.dict_from_dotted_str``: dotted keys become nested, converted dicts.

    ``BlockDeviceMapping.1.Ebs.SnapshotId=snap-1`` becomes
    ``{'block_device_mapping': {'1': {'ebs': {'snapshot_id': 'snap-1'}}}}``. A value that
    is no text, which Nova skipped (HTTP sends none), is refused: a Python API caller's
    mistake would otherwise launch with the parameter lost. With ``unicode_names`` (webob
    1.2 decoded parameter names) a first part beyond ASCII raises UnicodeEncodeError, as
    Nova's ``str()`` of it did (:func:`_text_key_path`).

    Nova walked the names in Python 2's dict order (``args.items()`` of Requestify's dict),
    and so does this, in :func:`~simulator.py2dict.iteration_order` of ``inserted`` (every
    name Requestify's dict held, in the order first sent; the names of ``items`` it lacks
    are taken as inserted after them). That order decides where two names meet (a later
    plain name replaces a dict, a dotted name below a plain value fails: TypeError at its
    last part, AttributeError at a part between, Nova's ``d[...] = value`` and
    ``d.get(...)``; of two names that convert to one path the later wins), and each nested
    dict's own insertion order, from which Python 2 ordered its keys where they collide: the
    first key :func:`args_to_kwargs` reads, and the order a dict written into a message shows
    (``{u'i': u'y', u'a': u'x'}`` for ``InstanceType.a`` and ``.i``, in either order sent).
    """
    return _nested(items, unicode_names, inserted, lists=False)


def _nested(
    items: Mapping[str, object] | Collection[tuple[str, object]],
    unicode_names: bool,
    inserted: Iterable[str] | None,
    *,
    lists: bool,
) -> dict[str, Any]:
    """:func:`dict_from_dotted_str`, and with ``lists`` :func:`args_to_kwargs` of it, made
    at once where a :data:`_Plan` knows both."""
    key_paths = _text_key_path if unicode_names else _key_path
    values = items if isinstance(items, dict) else dict(items)
    names = tuple(values if inserted is None else inserted)
    planned = _planned(names, values, key_paths, unicode_names, lists)
    if planned is not None:
        return planned
    args = _walked(names, values, key_paths)
    return args_to_kwargs(args) if lists else args


def _walked(
    names: tuple[str, ...],
    values: Mapping[str, object],
    key_paths: ShortTextMemo[tuple[tuple[str, ...], str]],
) -> dict[str, Any]:
    """:func:`dict_from_dotted_str`'s walk: in Python 2's order of ``names``, again in that
    of all names where some of ``values`` are not among them."""
    try:
        args, walked = _walk(_python2_order(names), values, key_paths)
        if walked == len(values):
            return args
    except Exception:
        if values.keys() <= set(names):
            raise
    return _walk(iteration_order([*names, *values]), values, key_paths)[0]


@functools.lru_cache(maxsize=1024)
def _python2_order(names: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`~simulator.py2dict.iteration_order` of a request's names: every request of a
    client sends the same few sets of names, so each set's order is worked out once (names
    of ``items`` beyond them are walked again in the order of all)."""
    return tuple(iteration_order(names))


_Plan = tuple[
    int,
    Callable[[Mapping[str, object]], tuple[object, ...]],
    tuple[Callable[[list[Any]], dict[str, Any]], Callable[[list[Any]], dict[str, Any]]],
]
"""How :func:`_walk` nests the values of one set of names where no two of them meet: how
many values it takes, what takes them in the order walked, and what makes of the converted
values the dicts the walk makes, with the same keys inserted in the same order, and what
makes :func:`args_to_kwargs` of those."""


_PLANS: dict[tuple[tuple[str, ...], bool], _Plan | None] = {}
_MAX_PLANS = 1024


def _planned(
    names: tuple[str, ...],
    values: Mapping[str, object],
    key_paths: ShortTextMemo[tuple[tuple[str, ...], str]],
    unicode_names: bool,
    lists: bool,
) -> dict[str, Any] | None:
    """:func:`_walk`'s nested dicts of ``values`` in the order of ``names`` (with ``lists``,
    :func:`args_to_kwargs` of them), made by a
    :data:`_Plan` of those names, or None where the walk must decide (names that meet,
    values not all text or not those the plan was made for, a name that fails).

    Every request of a client sends the same few sets of names, so the walk's shape is
    worked out once per set, as one nested dict display; a request then costs a
    conversion of each value, where the walk paid for a step of each name and of each part
    of it (4.5% of a replayed launch more), and the lists are known without a look at the
    keys (a further 1.5%)."""
    if type(values) is not dict:
        return None
    try:
        plan = _PLANS[names, unicode_names]
    except KeyError:
        try:
            plan = _plan(names, values, key_paths)
        except Exception:
            return None
        if len(_PLANS) >= _MAX_PLANS:
            _PLANS.clear()
        _PLANS[names, unicode_names] = plan
    if plan is None:
        return None
    size, taken, made = plan
    if len(values) != size:
        return None
    try:
        texts = cast(tuple[str, ...], taken(values))
        "".join(texts)
    except (KeyError, TypeError):
        return None
    return made[lists](list(map(_converted.__getitem__, texts)))


def _plan(
    names: tuple[str, ...],
    values: Mapping[str, object],
    key_paths: ShortTextMemo[tuple[tuple[str, ...], str]],
) -> _Plan | None:
    """The :data:`_Plan` of walking ``values`` in the order of ``names``, or None where
    two names meet (a name below another's value, two names of one path), the walk would
    not take every value (:func:`dict_from_dotted_str` then walks them all again) or would
    take one (``itemgetter`` of one name gives no tuple). The dicts are made by a
    ``lambda`` of nested dict displays, each key written as its ``repr``, the lists by one
    of :func:`args_to_kwargs` of those dicts made of the values' places."""
    walked = [name for name in _python2_order(names) if name in values]
    if len(walked) != len(values) or len(walked) < 2:
        return None
    containers: dict[tuple[str, ...], dict[str, tuple[str, ...] | int]] = {(): {}}
    for index, name in enumerate(walked):
        parents, leaf = key_paths[name]
        path: tuple[str, ...] = ()
        for part in parents:
            child = containers[path].setdefault(part, (*path, part))
            if isinstance(child, int):
                return None
            containers.setdefault(child, {})
            path = child
        if leaf in containers[path]:
            return None
        containers[path][leaf] = index

    def places(path: tuple[str, ...]) -> dict[str, Any]:
        return {
            key: member if isinstance(member, int) else places(member)
            for key, member in containers[path].items()
        }

    args = places(())
    made = (_maker(args), _maker(args_to_kwargs(args)))
    return len(walked), operator.itemgetter(*walked), made


def _maker(places: dict[str, Any]) -> Callable[[list[Any]], dict[str, Any]]:
    """A ``lambda`` that makes ``places`` (nested dicts and lists, each value the place of
    its own in the converted values) of the converted values."""
    return cast(Callable[[list[Any]], dict[str, Any]], eval(f"lambda v: {_display(places)}"))


def _display(node: object) -> str:
    if isinstance(node, int):
        return f"v[{node}]"
    if isinstance(node, list):
        return "[" + ", ".join(map(_display, node)) + "]"
    members = cast(dict[str, Any], node).items()
    return "{" + ", ".join(f"{key!r}: {_display(value)}" for key, value in members) + "}"


def _mixed(keys: dict[str, Any]) -> bool:
    """Whether a dict has both digit and other keys: only Python 2's order of them says
    whether :func:`args_to_kwargs` makes it a list. Asked of every request's dicts, so the
    usual ones are answered first: one key, or digits only (no empty key, and their text
    joined is all digits)."""
    if len(keys) < 2 or ("" not in keys and py2_isdigit("".join(keys))):
        return False
    return any(map(py2_isdigit, keys))


def _walk(
    order: Iterable[str],
    values: Mapping[str, object],
    key_paths: ShortTextMemo[tuple[tuple[str, ...], str]],
) -> tuple[dict[str, Any], int]:
    """The names of ``order`` that ``values`` holds, walked in that order, and how many."""
    args: dict[str, Any] = {}
    walked = 0
    for dotted_key in order:
        raw_value = values.get(dotted_key, _ABSENT)
        if raw_value is _ABSENT:
            continue
        walked += 1
        if not isinstance(raw_value, str):
            raise _not_text(dotted_key, raw_value)
        parents, leaf = key_paths[dotted_key]
        node = args
        for part in parents:
            node = node.setdefault(part, {})
            if type(node) is not dict:
                raise _below_value(args, dotted_key, parents)
        node[leaf] = _converted[raw_value]
    return args, walked


_ABSENT = object()


def _below_value(
    args: dict[str, Any], dotted_key: str, parents: tuple[str, ...]
) -> TypeError | AttributeError:
    """Nova's failure for a dotted name below a plain value: ``d[...] = value`` into that
    value (TypeError) when it is the last part's parent, else ``d.get(...)`` of the next
    part (AttributeError)."""
    message = f"parameter {shorten(dotted_key)} nests below a plain value"
    node: Any = args
    for part in parents[:-1]:
        node = node[part]
        if type(node) is not dict:
            return AttributeError(message)
    return TypeError(message)


@ShortTextMemo
def _key_path(dotted_key: str) -> tuple[tuple[str, ...], str]:
    """A dotted parameter name as the converted keys it nests under and its own; every
    request repeats the same few names, so each is split and converted once."""
    *parents, leaf = (camelcase_to_underscore(part) for part in dotted_key.split("."))
    return tuple(parents), leaf


@ShortTextMemo
def _text_key_path(dotted_key: str) -> tuple[tuple[str, ...], str]:
    """:func:`_key_path` of a name webob decoded to unicode (webob 1.2, Grizzly on).

    Nova's ``str(camelcase_to_underscore(parts[0]))`` encodes the first part as ASCII, so a
    name such as ``Clé`` or ``Clé.1`` raises UnicodeEncodeError; the other parts are not
    passed to ``str()``. That failure is not remembered, so only such names pay for it.
    """
    parents, leaf = _key_path[dotted_key]
    top = parents[0] if parents else leaf
    if not top.isascii():
        top.encode("ascii")
    return parents, leaf


class _Names(NamedTuple):
    """What a query's set of names tells, worked out once per set (:func:`_names`)."""

    sent: tuple[str, ...]
    """The names, in the order first sent: a request's :attr:`QueryRequest.names`, which
    :func:`dict_from_dotted_str` then need not copy (a tuple of a dict's keys was 0.3% of a
    replayed launch)."""
    most_dots: int
    """The most dots a name has."""
    non_arguments: tuple[str, ...]
    """The names that are none of the controller's arguments: Requestify's own keys and
    SigV4 query keys. A request's arguments are its query less these (a copy and a deletion
    or two, where a test of each name cost 0.9% of a replayed launch)."""
    validated: bool
    """Whether an argument is a key a release's Validator checks (:data:`VALIDATORS`): the
    launch a client sends has none, so its Validator walk is skipped."""


@functools.lru_cache(maxsize=1024)
def _names(names: tuple[str, ...]) -> _Names:
    """The :class:`_Names` of a query's names: every request of a client sends the same few
    sets of names, so each set is sorted out once, by one cache lookup a request."""
    non_arguments = tuple(
        name for name in names if name in NON_ARGUMENT_KEYS or name.startswith(SIGV4_QUERY_PREFIX)
    )
    return _Names(
        names,
        max((name.count(".") for name in names), default=0),
        non_arguments,
        not _VALIDATED_KEYS.isdisjoint(set(names).difference(non_arguments)),
    )


def args_to_kwargs(args: dict[str, Any]) -> dict[str, Any]:
    """Nova's list-making step of ``APIRequest.invoke`` (numeric dict keys -> list).

    Only top-level values are considered, only the first key in Python 2's order decides
    (of keys inserted in Nova's order, :func:`dict_from_dotted_str`'s), and the values are
    ordered by the *string* key, so ``BlockDeviceMapping.10`` comes before ``.2`` exactly as
    in Nova. ``placement`` stays a dict because its first key is not a digit.
    """
    kwargs: dict[str, Any] = {}
    for key, value in args.items():
        if isinstance(value, dict) and value and py2_isdigit(_first_key(value)):
            kwargs[key] = [item for _, item in sorted(value.items())]
        else:
            kwargs[key] = value
    return kwargs


def _first_key(keys: dict[str, Any]) -> str:
    """The key Python 2's ``keys()[0]`` gave; any key answers whether it is a digit unless
    the dict mixes digit and other keys."""
    return iteration_order(keys)[0] if _mixed(keys) else next(iter(keys))


# --- the request: Requestify + Validator + APIRequest ----------------------------------------


@dataclass(frozen=True, init=False)
class QueryRequest:
    """One parsed EC2 query: what the controller is called with, and what the server checks.

    ``kwargs`` are ready for ``method(**kwargs)``; ``raw_args`` keep the CamelCase names
    (cassettes and diffs want them). ``timestamp``/``expires``/``access_key`` are exposed
    raw because checking them needs the clock and the credentials, which the server owns.
    ``names`` are every name the query held, in the order first sent (Requestify's dict).

    Its ``__init__`` is its own, with the signature a dataclass would give it: a frozen
    dataclass's sets each field through ``object.__setattr__``, which cost 1% of a replayed
    launch; this writes them into the instance's ``__dict__`` at once.
    """

    action: str
    method_name: str
    version: str
    raw_args: dict[str, str]
    timestamp: str | None
    expires: str | None
    access_key: str | None
    names: Collection[str] = field(default=(), repr=False)
    unicode_names: bool = field(default=True, repr=False)

    def __init__(
        self,
        action: str,
        method_name: str,
        version: str,
        raw_args: dict[str, str],
        timestamp: str | None,
        expires: str | None,
        access_key: str | None,
        names: Collection[str] = (),
        unicode_names: bool = True,
    ) -> None:
        vars(self).update(
            action=action,
            method_name=method_name,
            version=version,
            raw_args=raw_args,
            timestamp=timestamp,
            expires=expires,
            access_key=access_key,
            names=names,
            unicode_names=unicode_names,
        )

    @property
    def kwargs(self) -> dict[str, Any]:
        """The controller's keyword arguments: :func:`dict_from_dotted_str` and
        :func:`args_to_kwargs` of ``raw_args``, made anew each time asked for. Nova made them
        once the action was found (``apirequest.py:55-71@2013.1.5``), so an unknown action is
        ``InvalidRequest`` whatever they would raise; this raises what they raise."""
        return _nested(self.raw_args, self.unicode_names, self.names or None, lists=True)


def parse_query(
    params: Sequence[tuple[str, str]],
    limits: QueryLimits = DEFAULT_LIMITS,
    *,
    one_time_only: bool = True,
    unicode_names: bool = True,
    validators: ValidatorTable | None = None,
) -> QueryRequest:
    """Turn query parameters into a :class:`QueryRequest` as Nova's Requestify/Validator did.

    A repeated key keeps its last value (webob's MultiDict). Deliberate differences from
    Nova, because today's clients sign with SigV4 in headers and send no ``Signature``,
    ``AWSAccessKeyId`` or ``Timestamp``: only ``Action`` is required (else
    ``MissingParameter``), ``Version`` defaults to :data:`DEFAULT_VERSION`, and SigV4 query
    keys (``X-Amz-*``) are removed with the keys Requestify pops. ``Expires`` is no such
    key: an argument, as in Nova (the controller's ``**kwargs`` take it). Nova
    answered its 400s here with plain webob pages; this raises ``InvalidParameterValue``
    (and subclasses) so the client gets an EC2 error document instead. ``one_time_only``
    is Grizzly's refusal of ``Timestamp`` with ``Expires`` (Folsom checked neither);
    ``unicode_names`` is webob 1.2's decoding of parameter names (Folsom's webob 1.0.8 kept
    them byte strings, see :func:`dict_from_dotted_str`): Folsom's Requestify then wrote
    each argument into a unicode debug line (``init:329-330@2012.2.4``), which a name beyond
    ASCII failed, escaping to FaultWrapper (:class:`~simulator.errors.ServerFault`).
    ``validators`` is the release's Validator table (:data:`NOVA_VALIDATORS`, or
    :data:`FOLSOM_VALIDATORS`).
    """
    query, names = _within_limits(params, limits)
    timestamp = query.get("Timestamp")
    expires = query.get("Expires")
    if one_time_only:
        refuse_both_times(timestamp, expires)
    action = query.get("Action")
    if action is None:
        raise MissingParameter(name="Action")
    if not unicode_names and not all(map(str.isascii, query)):
        raise ServerFault()
    raw_args = query.copy()
    for name in names.non_arguments:
        del raw_args[name]
    if validators is None:
        validators = NOVA_VALIDATORS
    if names.validated or validators not in _RELEASE_VALIDATORS:
        _validate(raw_args, validators)
    return QueryRequest(
        action,
        camelcase_to_underscore(action),
        query.get("Version", DEFAULT_VERSION),
        raw_args,
        timestamp,
        expires,
        query.get("AWSAccessKeyId"),
        names.sent,
        unicode_names,
    )


def refuse_both_times(timestamp: str | None, expires: str | None) -> None:
    """Grizzly's Requestify refused a request with both ``Timestamp`` and ``Expires``
    (``init:311@2013.1.5``), before it looked for the keys it pops; launch-sim answers it
    as an EC2 error document."""
    if timestamp and expires:
        raise InvalidParameterValue(
            err="Request must include either Timestamp or Expires, but cannot contain both"
        )


def _within_limits(
    params: Sequence[tuple[str, str]], limits: QueryLimits
) -> tuple[dict[str, str], _Names]:
    """``dict(params)`` once :func:`_check_limits` has passed them, and its names'
    :class:`_Names`. Where the names are distinct, the values all together short and the
    set of names one seen before, that is known without its loop over the parameters (1%
    of a replayed launch); anything else, a failure included, is left to it, which raises
    what it raises in the order of the parameters. The values' total length bounds each
    one's in a single join, where the longest took a call of ``len`` for each (0.7%)."""
    if len(params) <= limits.max_parameters:
        try:
            query = dict(params)
            if len(query) == len(params):
                names = _names(tuple(query))
                if (
                    names.most_dots <= limits.max_key_dots
                    and len("".join(query.values())) <= limits.max_value_bytes // _MAX_UTF8_BYTES
                ):
                    return query, names
        except Exception:
            pass
    _check_limits(params, limits)
    query = dict(params)
    return query, _names(tuple(query))


def _check_limits(params: Sequence[tuple[str, str]], limits: QueryLimits) -> None:
    if len(params) > limits.max_parameters:
        raise RequestTooLarge(
            err=f"The request has {len(params)} parameters; at most "
            f"{limits.max_parameters} are accepted"
        )
    max_dots = limits.max_key_dots
    surely_small = limits.max_value_bytes // _MAX_UTF8_BYTES
    try:
        for key, value in params:
            dots = key.count(".")
            if dots > max_dots:
                raise RequestTooLarge(
                    err=f"Parameter {shorten(key)} is nested {dots} levels deep; at most "
                    f"{max_dots} dots are accepted"
                )
            if len(value) <= surely_small or key in limits.unbounded_value_keys:
                continue
            size = len(value.encode("utf-8", "surrogatepass"))
            if size > limits.max_value_bytes:
                raise RequestTooLarge(
                    err=f"The value of parameter {shorten(key)} is {size} bytes; at most "
                    f"{limits.max_value_bytes} bytes are accepted"
                )
    except (TypeError, AttributeError):
        for key, value in params:
            if not (isinstance(key, str) and isinstance(value, str)):
                raise _not_text(key, value) from None
        raise


def _not_text(key: object, value: object) -> InvalidParameterValue:
    """A parameter HTTP could not have sent (the Python API's caller's mistake), found where
    the limits' checks fail on it (a name, or a value without a length) or where
    :func:`dict_from_dotted_str` reads it (a value such as bytes, which has one)."""
    if not isinstance(key, str):
        return InvalidParameterValue(err=f"A parameter name is {type(key).__name__}, not text")
    return InvalidParameterValue(
        err=f"The value of parameter {shorten(key)} is {type(value).__name__}, not text"
    )


def _is_str(value: str) -> bool:
    return isinstance(value, str)


def _is_short_str(value: str) -> bool:
    return len(value) <= 255


def _is_int(value: object) -> bool:
    return isinstance(value, int)


def _is_ec2_id(value: str) -> bool:
    try:
        ec2_id_to_id(value)
    except InvalidEc2Id:
        return False
    return True


def _is_image_path(value: str) -> bool:
    bucket = value.split("/")[0]
    manifest = value[len(bucket) + 1 :]
    return bool(bucket) and bool(manifest) and _URL_PATH.fullmatch(value) is not None


def _is_ipv4(value: str) -> bool:
    """``utils.is_valid_ipv4`` from Grizzly on (netaddr inside ``except Exception``): False
    for anything it cannot read, text beyond ASCII included (Python 2's ``inet_aton``
    encoded it as ASCII and failed, where Python 3's passes UTF-8 to the C library, which
    reads ``1.2.3.4 é`` up to the space)."""
    if not value.isascii():
        return False
    try:
        socket.inet_aton(value)
    except (OSError, ValueError):
        return False
    return True


def _is_ipv4_inet_aton(value: str) -> bool:
    """Folsom's ``validate_ipv4`` (``validator.py:95-100@2012.2.4``): ``socket.inet_aton``
    under ``except (socket.error, TypeError)``. Python 2 encoded a unicode address as ASCII
    first, so one beyond ASCII raised UnicodeEncodeError past it, to FaultWrapper."""
    if not value.isascii():
        raise ServerFault()
    return _is_ipv4(value)


def _is_base64(value: str) -> bool:
    """Nova's ``validate_user_data``: ``base64.b64decode`` under ``except TypeError`` (Python
    2's padding error; ``validator.py:103-108@2012.2.4``, ``96-101@2013.1.5``,
    ``97-102@2013.2.4``, ``96-101@2014.1.5``). Python 2's binascii encoded unicode text as
    ASCII first, so a value beyond ASCII raised UnicodeEncodeError, which is no TypeError:
    it escaped the Validator to FaultWrapper (:class:`~simulator.errors.ServerFault`)."""
    if not value.isascii():
        raise ServerFault()
    try:
        base64.b64decode(value)
    except ValueError:
        return False
    return True


ValidatorTable = tuple[tuple[str, Callable[[str], bool]], ...]
"""A Validator's ``DEFAULT_VALIDATOR``: each snake_case key and its check, in the order
Nova walked them."""

NOVA_VALIDATORS: ValidatorTable = (
    ("image_location", _is_image_path),
    ("region_name", _is_str),
    ("attribute", _is_str),
    ("user_data", _is_base64),
    ("group_name", _is_short_str),
    ("public_ip", _is_ipv4),
    ("image_id", _is_ec2_id),
    ("volume_id", _is_ec2_id),
    ("group_description", _is_short_str),
    ("size", _is_int),
    ("instance_id", _is_ec2_id),
)
"""``validator.DEFAULT_VALIDATOR`` from Grizzly on (``init:439-451@2013.1.5``,
``433-445@2013.2.4``, ``431-443@2014.1.5``), in the order CPython 2.7 iterated that dict
literal, as ``validate``'s ``for key in validator`` met the keys. The literal was built
presized for its eleven keys (``BUILD_MAP``), so the order is not
:func:`~simulator.py2dict.iteration_order`'s of keys inserted one by one. Only the failing
checks' order shows: ``user_data``, which can raise, is reached only once
``image_location`` passed, and it is met before the other keys that can fail."""

FOLSOM_VALIDATORS: ValidatorTable = tuple(
    (key, _is_ipv4_inet_aton if key == "public_ip" else is_valid)
    for key, is_valid in NOVA_VALIDATORS
)
"""2012.2.4's table (``init:433-445``): the same keys, ``public_ip`` its own
``validate_ipv4``."""

VALIDATORS: Mapping[PublicIpCheck, ValidatorTable] = MappingProxyType(
    {PublicIpCheck.NETADDR: NOVA_VALIDATORS, PublicIpCheck.INET_ATON: FOLSOM_VALIDATORS}
)
"""Each release's Validator table, by the way it reads ``public_ip``."""


_RELEASE_VALIDATORS = tuple(VALIDATORS.values())
_VALIDATED_KEYS = frozenset(key for table in _RELEASE_VALIDATORS for key, _ in table)
"""The keys some release's Validator checks: a query with none of them passes
:func:`_validate` of any of :data:`VALIDATORS` (another table is walked whatever the
names)."""


def _validate(raw_args: dict[str, str], validators: ValidatorTable) -> None:
    """Nova's Validator middleware, including the reason it almost never fires.

    It checks the *raw* argument names against snake_case keys, so ``ImageId=bad`` passes
    and only ``image_id=bad`` is refused. ``size`` is checked to be an int while every raw
    value is still a string, so any ``size=`` is refused. ``public_ip`` has inet_aton
    semantics (``127.1`` is valid), as netaddr's default had. Nova answered the first
    failing key with a plain ``HTTPBadRequest``; launch-sim names it in an EC2 error.
    """
    for key, is_valid in validators:
        if key in raw_args and not is_valid(raw_args[key]):
            raise InvalidParameterValue(err=f"Invalid value for parameter {key}")


# --- responses -------------------------------------------------------------------------------


def request_id_from(random_bits: int) -> str:
    """A request id in Nova's form, ``req-<uuid4>``, from 128 random bits."""
    return f"req-{uuid4_text(random_bits)}"


def new_request_id() -> str:
    """A request id with its bits from the OS, for answers given outside a service."""
    return request_id_from(int.from_bytes(os.urandom(16)))


def xml_safe(text: str) -> str:
    """Replace what XML 1.0 cannot carry (C0 controls but tab/LF/CR, surrogates, U+FFFE/F).

    Nova wrote such characters through and produced malformed documents; a client that
    cannot parse the answer learns nothing, so they become U+FFFD instead.
    """
    return _XML_FORBIDDEN.sub("\ufffd", text)


def _underscore_to_xmlcase(key: str) -> str:
    camel = "".join(part[:1].upper() + part[1:] for part in key.split("_"))
    return camel[:1].lower() + camel[1:]


def _isoformat(moment: datetime.datetime) -> str:
    """Nova's ``YYYY-MM-DDTHH:MM:SS.mmmZ``, from the fields: ``strftime`` cost twice as much."""
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z"
    )


def _text(text: str) -> str:
    """Text as ``minidom`` writes it (``&``, ``<``, ``>`` and ``"`` escaped), XML-safe.

    Most text (ids, names, dates) needs neither, and one search says so.
    """
    if _TEXT_SPECIAL.search(text) is None:
        return text
    return _markup_escaped(xml_safe(text), _QUOTE)


def _scalar_text(data: Any) -> str | None:
    if isinstance(data, bool):
        return str(data).lower()
    if isinstance(data, datetime.datetime):
        return _isoformat(data)
    if (
        data is None
        or isinstance(data, list | dict)
        or (hasattr(data, "__dict__") and not isinstance(data, str | int | float))
    ):
        return None
    return py2_str(data)


@functools.lru_cache(maxsize=4096)
def _tags(name: str) -> tuple[str, str, str]:
    """The start, end and empty element of a result key (``<instanceId>``, ...): every
    answer repeats the same few dozen."""
    tag = _underscore_to_xmlcase(name)
    return f"<{tag}>", f"</{tag}>", f"<{tag}/>"


def _render_data(parts: list[str], name: str, data: Any) -> None:
    start_tag, end_tag, empty_tag = _tags(name)
    kind = type(data)
    if kind is str:
        # Most leaves of a launch: the bytes the general path below writes for them (a str
        # always has text, an empty str included), without its type probing.
        parts.append(start_tag + _text(data) + end_tag)
        return
    if kind is int:
        try:
            parts.append(f"{start_tag}{data}{end_tag}")
        except ValueError:  # beyond Python 3's digit limit: Python 2 wrote every digit
            parts.append(f"{start_tag}{int_text(data)}{end_tag}")
        return
    if data is None:
        parts.append(empty_tag)
        return
    start = len(parts)
    parts.append(start_tag)
    if isinstance(data, list):
        for item in data:
            _render_data(parts, "item", item)
    elif isinstance(data, dict):
        _render_dict(parts, data)
    elif hasattr(data, "__dict__") and _scalar_text(data) is None:
        _render_dict(parts, vars(data))
    else:
        text = _scalar_text(data)
        if text is not None:
            parts.append(_text(text))
    if len(parts) == start + 1:
        parts[start] = empty_tag
    else:
        parts.append(end_tag)


def _render_dict(parts: list[str], data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        _render_data(parts, key, value)


def renderable(result: Any, style: XmlStyle = XmlStyle.MINIDOM) -> Mapping[str, Any]:
    """What :func:`render_response` renders of ``result``, or what Nova's rendering raised.

    Asked apart so a caller can learn whether an answer renders (Nova's ``UnknownError``
    if not) before, or without, writing its bytes. ``True`` renders as
    ``<return>true</return>`` (Nova asked ``response_data is True``, so ``1`` is no such
    answer); any other value that is not a mapping fails where ``_render_dict`` asked it for
    ``keys()`` (AttributeError; a plain dict is known to be a mapping without the ABC's
    ``__instancecheck__``, a Python call). Text beyond ASCII anywhere in a result raises
    UnicodeEncodeError: ``_render_data`` wrote every leaf with ``str(data)``, and Python 2's
    ``str`` of a unicode value (what the database and Glance hand back) encodes it as ASCII
    (``apirequest.py:137@2012.2.4``, ``135@2013.1.5``, ``139@2013.2.4``, ``137@2014.1.5``).
    Havana's re-parse of the document (``style`` :attr:`XmlStyle.LXML_PRETTY`) then refused
    the control characters minidom wrote through: see :func:`checked_document`. The
    instances of a launch answered so already exist.
    """
    if result is True:
        return {"return": "true"}
    if type(result) is not dict and not isinstance(result, Mapping):
        raise AttributeError(f"'{type(result).__name__}' object has no attribute 'keys'")
    fields: list[dict[Any, Any]] = []
    text = _first_text(result, str.isascii, fields)
    if text is not None:
        text.encode("ascii")
    lxml = style is XmlStyle.LXML_PRETTY
    if _refused_name(fields, _readable_names if lxml else _ascii_names) is not None or (
        lxml and _first_text(result, _xml_writable, []) is not None
    ):
        raise ServerFault()
    return result


def checked_document(
    action: str, version: str, request_id: str, result: Any, style: XmlStyle
) -> Callable[[], bytes]:
    """How to write the answer to ``result``, once all that Nova's rendering refused is known.

    The bytes are written when first asked for (replay compares facts and never asks), so
    every failure is raised here, where the Executor's own failures are answered. Beyond
    :func:`renderable`'s: Folsom's and Grizzly's Executor wrote the document with
    ``str(result)`` outside its handlers (``init:548@2012.2.4``, ``558@2013.1.5``), so an
    action or version beyond ASCII in the root element (``Action=DescrİbeImages``, which
    Python 2 lowered to a method) escaped to FaultWrapper (:class:`ServerFault`). From
    Havana on, lxml parsed the document again (``apirequest.py:99-101@2013.2.4``,
    ``97-99@2014.1.5``) and refused a version whose namespace is no URI
    (:data:`_NAMESPACE_URI`) or a control character in the text (XMLSyntaxError, codes 99
    and 9); ``ec2_error_ex`` sent that code as the HTTP status (``init:488@2013.2.4``),
    which webob 1.2.3 refused with KeyError, escaping to FaultWrapper too. A result key is
    an element name (``_render_data``'s ``createElement``, which checks nothing): beyond
    ASCII it fails Folsom's and Grizzly's ``str(result)``, and one that is no XML name
    (:data:`_ELEMENT_NAME`) fails Havana's re-parse, as such text does.
    """
    answer = _rendered_answer(version, result, style)
    if style is XmlStyle.MINIDOM and not (action.isascii() and version.isascii()):
        raise ServerFault()
    return functools.partial(render_document, action, version, request_id, answer, style)


def _refuse_namespace(version: str) -> None:
    """Havana's re-parse of a document whose namespace is no URI (see :func:`checked_document`)."""
    if _NAMESPACE_URI.fullmatch(version) is None:
        raise ServerFault()


def _xml_writable(text: str) -> bool:
    return _XML_FORBIDDEN.search(text) is None


@functools.lru_cache(maxsize=4096)
def _element_name_readable(key: str) -> bool:
    return _element_name_pattern().fullmatch(_underscore_to_xmlcase(key)) is not None


@functools.cache
def _element_name_pattern() -> re.Pattern[str]:
    return re.compile(_ELEMENT_NAME)


def _ascii_names(names: Iterable[str]) -> bool:
    return "".join(names).isascii()


def _readable_names(names: Iterable[str]) -> bool:
    return all(map(_element_name_readable, names))


def _refused_name(
    fields: list[dict[Any, Any]], accepts: Callable[[Iterable[str]], bool]
) -> str | None:
    """The first key of ``fields`` (the dicts a walk met, in its order) that ``accepts``
    refuses as element names (it is asked of them all at once, and key by key only when it
    refuses them), or None. A key that is no text fails as ``_underscore_to_xmlcase``
    failed on it (AttributeError)."""
    try:
        if accepts(itertools.chain.from_iterable(fields)):
            return None
    except (TypeError, AttributeError):
        pass
    for data in fields:
        for key in data:
            if not isinstance(key, str):
                raise AttributeError(f"'{type(key).__name__}' object has no attribute 'split'")
            if not accepts((key,)):
                return key
    return None


def _first_text(
    data: Any, plain: Callable[[str], bool], fields: list[dict[Any, Any]]
) -> str | None:
    """The first text :func:`_render_data` would write of ``data`` that is not ``plain``,
    walking it as that function does, or None; every dict it meets on the way is added to
    ``fields`` (each of them when no text is refused), whose keys are element names."""
    kind = type(data)
    if kind is str:
        return None if plain(data) else data
    if kind in _ASCII_KINDS or data is None:
        return None
    if isinstance(data, dict):
        mapping: dict[Any, Any] | None = data
    elif isinstance(data, list):
        mapping = None
    elif hasattr(data, "__dict__") and _scalar_text(data) is None:
        mapping = vars(data)
    else:
        text = _scalar_text(data)
        return None if text is None or plain(text) else text
    if mapping is not None:
        fields.append(mapping)
    return _first_text_within(data if mapping is None else mapping.values(), plain, fields)


def _first_text_within(
    items: Iterable[Any], plain: Callable[[str], bool], fields: list[dict[Any, Any]]
) -> str | None:
    """:func:`_first_text` of each of ``items`` in turn. Asked of every answer, so the
    members it is made of are tested in line: text, plain dicts and lists, and the bools,
    numbers, datetimes and Nones that write ASCII letters and digits or nothing; anything
    else takes :func:`_first_text`'s long way. A call for each leaf was eleven frames of a
    launch's answer, and a second look at each dict's and list's type in a call of its own
    two fifths of the walk."""
    for item in items:
        kind = type(item)
        if kind is str:
            if not plain(item):
                return cast(str, item)
        elif kind is dict:
            fields.append(item)
            if (text := _first_text_within(item.values(), plain, fields)) is not None:
                return text
        elif kind is list:
            if (text := _first_text_within(item, plain, fields)) is not None:
                return text
        elif item is None or kind in _ASCII_KINDS:
            continue
        elif (text := _first_text(item, plain, fields)) is not None:
            return text
    return None


_ASCII_KINDS = frozenset({int, bool, float, datetime.datetime})
"""What :func:`_scalar_text` writes as ASCII whatever the value (a subclass takes the long
way: it may carry a ``__dict__``)."""


def render_response(
    action: str,
    version: str,
    request_id: str,
    result: Any,
    style: XmlStyle = XmlStyle.MINIDOM,
) -> bytes:
    """Nova's ``APIRequest._render_response``: the success document, as UTF-8 bytes.

    The bytes are those of Nova's ``minidom`` ``toxml()`` (same header, same escaping, empty
    elements as ``<x/>``), written directly because building a DOM cost more than the whole
    launch. Elements follow dict insertion order, so a given result always renders the same
    bytes (Nova's order was Python 2's arbitrary dict order). Like Nova, ``True`` renders
    ``<return>true</return>``, and what it could not render raises what Nova's rendering
    raised (:func:`renderable`; from Havana on, a namespace that is no URI, see
    :func:`checked_document`, which adds the Executor's own failures).
    Scalars (``str``, numbers, datetimes) are rendered as text before objects are rendered
    through their ``__dict__``, so a datetime or str subclass with a ``__dict__`` (a frozen
    clock's datetime, say) stays a scalar; Nova checked ``__dict__`` first.
    :attr:`XmlStyle.LXML_PRETTY` then re-serialises that document as Havana did.
    """
    return render_document(
        action, version, request_id, _rendered_answer(version, result, style), style
    )


def _rendered_answer(version: str, result: Any, style: XmlStyle) -> Mapping[str, Any]:
    """What ``_render_response`` itself refused, for :func:`render_response` and
    :func:`checked_document` alike: :func:`renderable`, and from Havana on a namespace
    that is no URI."""
    answer = renderable(result, style)
    if style is XmlStyle.LXML_PRETTY:
        _refuse_namespace(version)
    return answer


def render_document(
    action: str,
    version: str,
    request_id: str,
    result: Mapping[str, Any],
    style: XmlStyle = XmlStyle.MINIDOM,
) -> bytes:
    """:func:`render_response`'s bytes of a result :func:`renderable` has already passed:
    a caller that asked it first (to learn whether the answer renders) does not walk the
    result twice."""
    root = f"{action}Response"
    namespace = _text(f"http://ec2.amazonaws.com/doc/{version}/")
    parts = [
        f'<?xml version="1.0" ?><{root} xmlns="{namespace}">',
        f"<requestId>{_text(request_id)}</requestId>",
    ]
    _render_dict(parts, result)
    parts.append(f"</{root}>")
    document = "".join(parts).encode()
    return document if style is XmlStyle.MINIDOM else pretty_printed(document)


_MAX_INDENT = 60
"""libxml2's ``MAX_INDENT``: deeper elements are indented no further."""
_NAMESPACED = re.compile(r"\{(?P<namespace>[^}]*)\}(?P<tag>.*)", re.DOTALL)


def _ascii_reference(text: str) -> str:
    """Characters beyond ASCII as the decimal references libxml2's ASCII output writes."""
    return text.encode("ascii", "xmlcharrefreplace").decode("ascii")


def _pretty_element(parts: list[str], element: ElementTree.Element, depth: int) -> None:
    indent = " " * min(2 * depth, _MAX_INDENT)
    namespaced = _NAMESPACED.fullmatch(element.tag)
    name = _ascii_reference(element.tag if namespaced is None else namespaced["tag"])
    start = name
    if depth == 0 and namespaced is not None:
        value = _markup_escaped(namespaced["namespace"], _QUOTE)
        start += f' xmlns="{_ascii_reference(value)}"'
    children = list(element)
    if children:
        parts.append(f"{indent}<{start}>\n")
        for child in children:
            _pretty_element(parts, child, depth + 1)
        parts.append(f"{indent}</{name}>\n")
    elif element.text:
        parts.append(
            f"{indent}<{start}>{_ascii_reference(_markup_escaped(element.text))}</{name}>\n"
        )
    else:
        parts.append(f"{indent}<{start}/>\n")


def pretty_printed(document: bytes) -> bytes:
    """Havana's ``etree.tostring(etree.fromstring(minidom_xml), pretty_print=True)`` (a7ab0396aa).

    The minidom document is parsed again, so a carriage return reads as a line feed and an
    empty element loses its empty text; it is written without the XML declaration, in
    ASCII with ``&#N;`` references, each element on its own line indented two spaces per
    level (no further than libxml2's 60), text elements on one line, empty ones as
    ``<x/>``, and a final newline.
    """
    parts: list[str] = []
    _pretty_element(parts, ElementTree.fromstring(document), 0)
    return "".join(parts).encode("ascii")


def _escape(text: str) -> str:
    return _markup_escaped(xml_safe(text), _QUOTE, _APOSTROPHE)


def _markup_escaped(text: str, *entities: tuple[str, str]) -> str:
    """``xml.sax.saxutils.escape``: ``&``, ``>`` and ``<``, in that order, then each of
    ``entities``. Written here because importing ``saxutils`` imports ``urllib.request``
    (and with it ``http.client``, ``email`` and ``ssl``): a tenth of a second of the start of
    every command."""
    text = text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for char, entity in entities:
        text = text.replace(char, entity)
    return text


def render_error(code: str, message: str, request_id: str) -> bytes:
    """Nova's ``ec2_error`` body, byte for byte, with code, message and request id escaped.

    Characters XML 1.0 forbids are replaced (see :func:`xml_safe`) so the document always
    parses; a carriage return is kept as is, and XML parsers read it back as a line feed.
    """
    return (
        '<?xml version="1.0"?>\n'
        f"<Response><Errors><Error><Code>{_escape(code)}</Code>"
        f"<Message>{_escape(message)}</Message></Error></Errors>"
        f"<RequestID>{_escape(request_id)}</RequestID></Response>"
    ).encode()


def error_document(
    exc: BaseException, request_id: str, envelope: ErrorEnvelope | None = None
) -> tuple[int, bytes]:
    """Nova's Executor: the HTTP status and EC2 error body an exception is answered with.

    ``envelope`` is the profile's Executor (see :func:`~simulator.errors.ec2_error`). It
    must never raise, since it is what runs when everything else has failed: if even the
    error table fails on ``exc`` (a broken ``__str__``, say), the answer is
    ``UnknownError``, as Nova gave for anything it did not recognise.
    """
    try:
        document = ec2_error(exc, envelope)
        return document.status, render_error(str(document.code), str(document.message), request_id)
    except Exception:
        return UNKNOWN_ERROR.status, render_error(
            UNKNOWN_ERROR.code, UNKNOWN_ERROR.message, request_id
        )
