"""The simulator's storage port: Nova's EC2 id mapping tables, the image catalogue and flavors.

Nova hands out EC2 integer ids from autoincrement mapping tables (``id`` integer, ``uuid``
varchar, no unique constraint on ``uuid``). The simulator keeps those rows in TinyDB with the
integer id as TinyDB's ``doc_id``, so resolving ``ami-0000000a`` is a dictionary lookup and not
a table scan; uuid and name lookups go through in-memory indexes built on first use.

On disk a store is a TinyDB-format JSON snapshot plus an append-only journal of JSON lines.
TinyDB's own writers rewrite a whole table per insert, which would make every new EC2 id cost
O(rows); here each write is one appended line and one dict assignment, and the journal is
folded into the snapshot (compaction) on close, on flush and when it has grown large.
TinyDB's own API works on a store all the same (``TinyDB(path, storage=JournaledStorage)``,
or ``MappingStore.tinydb`` on an open one): a new row is one journal line there too, and
anything more one atomic rewrite of the snapshot.
"""

from simulator.store.access_log import AccessLog, TouchedRows
from simulator.store.engine import Durability
from simulator.store.instances import InstanceRows
from simulator.store.mapping import MappingStore
from simulator.store.storage import JournaledStorage
from simulator.store.tables import IMAGES, INSTANCE_TYPES, INSTANCES, MappingTable

__all__ = [
    "IMAGES",
    "INSTANCES",
    "INSTANCE_TYPES",
    "AccessLog",
    "Durability",
    "InstanceRows",
    "JournaledStorage",
    "MappingStore",
    "MappingTable",
    "TouchedRows",
]
