"""Behaviour profiles: which Nova release the simulator answers as.

The same launch is answered differently by Folsom, Grizzly, Havana and Icehouse. A profile
is a frozen description of one release, the final stable point release of its series (the
code clouds ran), holding the few hooks where the releases differ; the launch path asks
its profile instead of testing a release name, so adding a release is adding a row here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from simulator.errors import BadInput


class UnknownProfile(BadInput):
    """A profile name that is not one of :data:`PROFILES` (one-line bad input)."""


@dataclass(frozen=True)
class Profile:
    """One Nova release as the EC2 launch path behaves in it."""

    name: str
    series: str
    release: str


PROFILES: Final[Mapping[str, Profile]] = MappingProxyType(
    {
        profile.name: profile
        for profile in (
            Profile(name="folsom", series="Folsom", release="2012.2.4"),
            Profile(name="grizzly", series="Grizzly", release="2013.1.5"),
            Profile(name="havana", series="Havana", release="2013.2.4"),
            Profile(name="icehouse", series="Icehouse", release="2014.1.5"),
        )
    }
)
DEFAULT_PROFILE: Final = "grizzly"


def get_profile(profile: str | Profile | None = None) -> Profile:
    """The profile named (or given); None is the default, Grizzly."""
    if isinstance(profile, Profile):
        return profile
    name = DEFAULT_PROFILE if profile is None else profile
    try:
        return PROFILES[name]
    except (KeyError, TypeError):
        known = ", ".join(PROFILES)
        raise UnknownProfile(f"unknown profile {name!r}: known profiles are {known}") from None
