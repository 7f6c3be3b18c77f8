"""CPython 2.7's dict order: the order in which Nova's code met the keys of a dict.

Nova ran on Python 2, whose dicts iterate in the order of their hash table, not the order
keys were inserted. Two places of the launch path show it to a client. Requestify copied
the query into a dict (``args = dict(req.params)``, ``nova/api/ec2/__init__.py``) and
``ec2utils.dict_from_dotted_str`` walked ``args.items()``: where two names meet (``MinCount``
and ``min_count``, ``KeyName`` and ``KeyName.1``), which one wins or whether the walk fails
depends on that order. A dict written into a message (``%s`` of ``{u'a': u'm1.tiny'}``)
lists its items in it. And an action walking an id list that stayed a dict
(``VolumeId.x=vol-1``: ``for ec2_id in volume_id``) meets its keys in that order.

This module reproduces the order from the keys and the order they were inserted, as
``Objects/dictobject.c`` of 2.7 places them: the string hash without randomisation (2.7's
default), the eight-slot table, its probe sequence and its growth to four times the keys
used once two thirds of the slots are filled. Only insertion is modelled: Requestify's
``pop`` of its own keys came after every insertion and moves no other key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_MULTIPLIER = 1000003
_WORD = 2**64
"""Nova's hosts were 64-bit: a C ``long`` hash and a ``size_t`` probe index wrap here."""
_WORD_MASK = _WORD - 1
_MIN_SIZE = 8
"""``PyDict_MINSIZE``: every dict starts with eight slots."""
_PERTURB_SHIFT = 5
_LARGE = 50000
"""Beyond this many keys a dict grows to twice, not four times, the keys it holds."""


def py2_hash(text: str) -> int:
    """``hash()`` of a Python 2.7 string (``string_hash``, ``unicode_hash``) on a 64-bit host.

    A unicode string hashes its code points (the UCS-4 builds of Linux distributions), a byte
    string its bytes: the same for ASCII, which every name reaching a Folsom dict is.
    """
    if not text:
        return 0
    value = ord(text[0]) << 7
    for code in map(ord, text):
        value = ((_MULTIPLIER * value) ^ code) & _WORD_MASK
    value ^= len(text)
    if value >= _WORD // 2:
        value -= _WORD
    return -2 if value == -1 else value


def walked(value: Any) -> Iterable[Any]:
    """What Python 2's ``for item in value`` met: a dict's keys in its order (inserted as the
    query walk inserted them), anything else as it iterates. Only text keys are ordered (a
    query's always are; a dict of other keys from Python keeps its own order)."""
    if isinstance(value, dict) and all(type(key) is str for key in value):
        return iteration_order(value)
    iterated: Iterable[Any] = value
    return iterated


def iteration_order(keys: Iterable[str]) -> list[str]:
    """The order a Python 2.7 dict iterates ``keys``, inserted in the order given.

    A key given again keeps its first slot, as a dict's ``__setitem__`` of a present key does.
    """
    slots: list[str | None] = [None] * _MIN_SIZE
    present: set[str] = set()
    for key in keys:
        if key in present:
            continue
        present.add(key)
        slots[_free_slot(slots, py2_hash(key))] = key
        if len(present) * 3 >= len(slots) * 2:
            slots = _resized(slots, (2 if len(present) > _LARGE else 4) * len(present))
    return [key for key in slots if key is not None]


def _free_slot(slots: list[str | None], hash_value: int) -> int:
    """``lookdict``'s probe for a key the table lacks: the first empty slot on its path."""
    mask = len(slots) - 1
    perturb = hash_value & _WORD_MASK
    index = perturb & mask
    while slots[index & mask] is not None:
        index = ((index << 2) + index + perturb + 1) & _WORD_MASK
        perturb >>= _PERTURB_SHIFT
    return index & mask


def _resized(slots: list[str | None], min_used: int) -> list[str | None]:
    """``dictresize``: the smallest power of two above ``min_used`` slots (at least eight),
    the keys inserted again in the order of their old slots."""
    size = _MIN_SIZE
    while size <= min_used:
        size <<= 1
    table: list[str | None] = [None] * size
    for key in slots:
        if key is not None:
            table[_free_slot(table, py2_hash(key))] = key
    return table
