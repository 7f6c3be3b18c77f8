"""Choosing a behaviour profile: by name, the default, and an unknown name refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_scaffold import FEATURE_TEST, run_pytest

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


def test_the_hooks_of_each_release() -> None:
    """The rows of docs/profiles.md, as data: what each profile's hooks say."""
    rows = {
        name: (
            profile.query_time.value,
            profile.snapshot_lookup.value,
            profile.client_tokens,
            profile.count_checks,
            profile.flavor.default_when_omitted,
            profile.xml.value,
            profile.response.ip_fields.value,
            profile.response.unscheduled_zone,
            profile.compute.launch_index,
            profile.compute.validate_bdm,
            profile.compute.multi_instance_name_template,
            profile.compute.forced_host_policy,
        )
        for name, profile in PROFILES.items()
    }
    assert rows == {
        "folsom": (
            "not checked",
            "volume table first",
            False,
            False,
            True,
            "minidom",
            "legacy",
            "unknown zone",
            False,
            True,
            False,
            False,
        ),
        "grizzly": (
            "checked",
            "by prefix",
            False,
            False,
            True,
            "minidom",
            "legacy",
            "nova",
            True,
            True,
            True,
            True,
        ),
        "havana": (
            "checked",
            "by prefix",
            True,
            False,
            True,
            "lxml pretty",
            "floating only",
            "nova",
            True,
            False,
            True,
            True,
        ),
        "icehouse": (
            "checked",
            "by prefix",
            True,
            True,
            False,
            "lxml pretty",
            "floating only",
            "nova",
            True,
            False,
            True,
            True,
        ),
    }


@pytest.mark.parametrize(
    "module", ["api", "cloud", "compute", "ec2_bdm", "ec2query", "errors", "service", "auth"]
)
def test_the_launch_path_never_asks_a_profile_its_name(module: str) -> None:
    """Behaviour comes from the hooks: a release name tested in code would hide a difference
    from docs/profiles.md and from the next profile added."""
    source = (Path(__file__).resolve().parent.parent / "simulator" / f"{module}.py").read_text()
    assert ".name ==" not in source and "profile.name" not in source
    for release in PROFILES:
        assert f'"{release}"' not in source


def test_the_outline_docs_profiles_shows_runs_as_printed(tmp_path: Path) -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "profiles.md").read_text()
    block = page.split("```gherkin\n", 1)[1].split("```", 1)[0]
    feature = "Feature: docs/profiles.md\n" + "".join(f"  {line}\n" for line in block.splitlines())
    (tmp_path / "profiles.feature").write_text(feature)
    (tmp_path / "test_profiles_page.py").write_text(FEATURE_TEST)
    result = run_pytest(tmp_path, "--rootdir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
