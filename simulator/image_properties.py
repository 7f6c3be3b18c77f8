"""What ``compute_api.create`` makes of an image's properties beyond its devices, release by
release: the ``auto_disk_config`` flag it inherits and the system metadata copies it keeps.

Neither value is ever shown to an EC2 client; what shows is what reading them raised, for
the seed's properties may hold any JSON value and text beyond ASCII, where Glance v1 only
ever handed back text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.ec2ids import python2_int


def bool_from_str(value: Any) -> bool:
    """Folsom's and Grizzly's ``utils.bool_from_str`` (``utils.py:982-992@2012.2.4``,
    ``864-874@2013.1.5``), which ``_inherit_properties_from_image`` applies to a set
    ``auto_disk_config``: falsy is False, then Python 2's ``int()`` of it; where that is a
    ValueError, the text's ``lower()``. So a non-empty list or dict fails (TypeError), a
    float NaN has no ``lower`` (AttributeError) and an infinite one overflows."""
    if not value:
        return False
    try:
        return bool(python2_int(value))
    except ValueError:
        return value.lower() in ("true", "yes", "y")


def auto_disk_config_disabled(value: Any) -> bool:
    """Havana's and Icehouse's ``utils.is_auto_disk_config_disabled``
    (``utils.py:1227-1233@2013.2.4``, ``1090-1096@2014.1.5``), asked first by
    ``_inherit_properties_from_image``: ``value.strip().lower()``, so a set value that is no
    text (a number, a boolean, a list) fails with AttributeError."""
    return value is not None and value.strip().lower() == "disabled"


def check_system_metadata_text(properties: Mapping[str, Any]) -> None:
    """Folsom's and Grizzly's ``_populate_instance_for_create`` copies each property into
    the instance's system metadata as ``str(value)[:255]`` (``capi:709-711@2012.2.4``,
    ``864-866@2013.1.5``): Python 2's ``str`` of text beyond ASCII is a UnicodeEncodeError,
    raised for each instance before its row exists. A list or dict is written as its repr,
    which is ASCII. Havana's ``unicode(value)`` (``utils.py:1250-1252@2013.2.4``) fails on
    nothing."""
    for value in properties.values():
        if type(value) is str and not value.isascii():
            value.encode("ascii")
