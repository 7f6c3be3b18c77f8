"""The request every benchmark sends: the walkthrough's ``RunInstances`` in boto3's shape.

Seven block device mappings, as in the seed walkthrough: two snapshots (one with a size, one
kept on termination), two volumes named through ``SnapshotId`` as Grizzly allowed, a
``NoDevice`` entry and two ``VirtualName`` entries (``ephemeral0``, ``swap``). It lives apart
from :mod:`bench.launch` so the replay benchmark's measuring process need not import moto.
"""

from __future__ import annotations

from typing import Any

WALKTHROUGH: list[dict[str, Any]] = [
    {"DeviceName": "/dev/fake0", "Ebs": {"SnapshotId": "snap-12345678", "VolumeSize": 1}},
    {
        "DeviceName": "/dev/fake1",
        "Ebs": {"SnapshotId": "snap-23456789", "DeleteOnTermination": False},
    },
    {"DeviceName": "/dev/fake2", "Ebs": {"SnapshotId": "vol-87654321", "VolumeSize": 2}},
    {
        "DeviceName": "/dev/fake3",
        "Ebs": {"SnapshotId": "vol-98765432", "DeleteOnTermination": False},
    },
    {"DeviceName": "/dev/fake4", "NoDevice": ""},
    {"DeviceName": "/dev/fake5", "VirtualName": "ephemeral0"},
    {"DeviceName": "/dev/fake6", "VirtualName": "swap"},
]
