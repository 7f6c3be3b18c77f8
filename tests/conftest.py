from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from simulator import Simulator

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = json.loads((ROOT / "fixtures" / "seed" / "default.json").read_text())


@pytest.fixture
def seed() -> dict[str, Any]:
    """A private copy of the shipped default seed, for tests that add rows to it."""
    return copy.deepcopy(DEFAULT_SEED)


@pytest.fixture
def sim() -> Simulator:
    return Simulator.from_seed()


settings.register_profile("long", max_examples=5_000, deadline=None)
settings.register_profile("ci", deadline=None)
settings.load_profile("ci")
