"""The request every benchmark sends: the walkthrough's ``RunInstances`` in boto3's shape.

Seven block device mappings, the seed walkthrough's as boto3 can send them: two snapshots
(one with a size, one kept on termination), two volumes named through ``SnapshotId`` as
Grizzly allowed, a ``NoDevice`` entry (boto3's ``NoDevice: ""``, which reaches compute as
``no_device: ''``, where the walkthrough's ``ebs: {no_device: True}`` has no boto3 form) and
two ``VirtualName`` entries (``ephemeral0``, ``swap``). It lives apart
from :mod:`bench.launch` so the replay benchmark's measuring process need not import moto;
the mappings themselves are the ``BlockDeviceMappings`` of
``fixtures/launches/walkthrough-boto3.json`` (a whole boto3 request, which ``launch-sim
launch`` takes too), which the client tests send as well.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

WALKTHROUGH_FILE = (
    Path(__file__).resolve().parent.parent / "fixtures/launches/walkthrough-boto3.json"
)
WALKTHROUGH: list[dict[str, Any]] = json.loads(WALKTHROUGH_FILE.read_text(encoding="utf-8"))[
    "BlockDeviceMappings"
]
