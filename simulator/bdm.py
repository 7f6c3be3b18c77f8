"""design.md's name for the EC2 request's block device mapping: :mod:`simulator.ec2_bdm`.

The structure issue named the two block-device modules by side (``ec2_bdm`` for the
request's mapping, ``compute_bdm`` for the rows compute builds of it); code written against
the design's layer map (``simulator/bdm.py``, ``parse_block_device_mapping``) still imports.
"""

from simulator.ec2_bdm import parse_block_device_mapping

__all__ = ["parse_block_device_mapping"]
