"""The simulated cloud's services and their availability zones (``nova/availability_zones.py``).

One host, :data:`~simulator.lifecycle.SIMULATED_HOST`, runs every service of the release
(its profile's ``services``) and belongs to no host aggregate. The zones derive from its
services alone, so the zone check of compute (Havana on) and DescribeAvailabilityZones read
the same list and cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

DEFAULT_AVAILABILITY_ZONE: Final = "nova"
"""``CONF.default_availability_zone``: the zone of a compute host in no aggregate, and so of
every instance of launch-sim's cloud (``get_host_availability_zone``)."""


def zone_of(topic: str, internal_zone: str | None) -> str:
    """``set_availability_zones``: a compute service's zone is its aggregate's, else the
    default one; any other service's is ``CONF.internal_service_availability_zone``. With no
    internal zone (Folsom) each service row carried its own zone, the default."""
    if topic == "compute" or internal_zone is None:
        return DEFAULT_AVAILABILITY_ZONE
    return internal_zone


def availability_zones(
    services: Iterable[tuple[str, str]], internal_zone: str | None
) -> tuple[str, ...]:
    """``get_availability_zones(ctx, get_only_available=True)``: the zone of every enabled
    service (binary, topic), each once, in the services' order (``internal`` too, from
    Grizzly on). The services are a release's (its profile's ``services``)."""
    zones: list[str] = []
    for _, topic in services:
        zone = zone_of(topic, internal_zone)
        if zone not in zones:
            zones.append(zone)
    return tuple(zones)
