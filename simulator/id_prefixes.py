"""The one table of EC2 id prefixes: what each kind of EC2 id starts with before ``-%08x``.

Nova's ``ec2utils`` spells a prefix out wherever it formats an id (``'i-%08x'``,
``'snap-%08x'``, ``image_type``'s ``aki``/``ari``/``ami``); launch-sim's id conversions,
error messages and seed writer read them from here instead, so they cannot drift apart. The
module imports nothing of launch-sim: :mod:`simulator.errors` formats ids with it, and
:mod:`simulator.ec2ids` needs :mod:`simulator.errors` (``InvalidEc2Id``), so the table
cannot live in either.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

EC2_ID_PREFIXES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "s3_images": "ami",
        "kernels": "aki",
        "ramdisks": "ari",
        "snapshots": "snap",
        "volumes": "vol",
        "instances": "i",
    }
)
"""Each kind of EC2 id and its prefix. A kind with its own mapping table is named as its
``MappingTable`` member in lower case (``MappingTable.SNAPSHOTS`` -> ``snapshots``), which is
also the seed section holding its rows; kernels and ramdisks are images (``s3_images`` rows)
with a prefix of their own (:func:`simulator.ec2ids.image_type`)."""


def ec2_id_template(prefix: str) -> str:
    """``'snap-%08x'`` for ``'snap'``: the ``%`` template Nova formats an integer id with."""
    return prefix + "-%08x"
