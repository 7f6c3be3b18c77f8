"""Choosing a behaviour profile: by name, the default, and an unknown name refused."""

from __future__ import annotations

import pytest

from simulator import Simulator
from simulator.errors import BadInput
from simulator.profiles import PROFILES, UnknownProfile, get_profile


def test_the_four_profiles_name_their_final_stable_release() -> None:
    assert {name: profile.release for name, profile in PROFILES.items()} == {
        "folsom": "2012.2.4",
        "grizzly": "2013.1.5",
        "havana": "2013.2.4",
        "icehouse": "2014.1.5",
    }


def test_grizzly_is_the_default() -> None:
    assert get_profile().name == "grizzly"
    assert Simulator.from_seed().profile.name == "grizzly"


@pytest.mark.parametrize("name", list(PROFILES))
def test_a_simulator_takes_its_profile_by_name(name: str) -> None:
    assert Simulator.from_seed(profile=name).profile is PROFILES[name]


def test_an_unknown_profile_is_refused_with_the_known_ones() -> None:
    with pytest.raises(UnknownProfile) as caught:
        Simulator.from_seed(profile="diablo")
    assert isinstance(caught.value, BadInput)
    assert str(caught.value) == (
        "unknown profile 'diablo': known profiles are folsom, grizzly, havana, icehouse"
    )
