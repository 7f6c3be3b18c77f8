"""launch-sim: a contract-testing simulator of Nova's EC2 ``RunInstances`` launch path.

The public names are imported on first use (PEP 562), not with the package: every
``launch-sim`` command and every ``simulator.*`` import runs this file first, and
:func:`mock_ec2` alone would bring in botocore, a sixth of a second that ``replay`` and
``validate`` never use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.api import Simulator
    from simulator.compute import CreateCall
    from simulator.errors import ContractViolation, EC2Error
    from simulator.mock import mock_ec2

__all__ = ["ContractViolation", "CreateCall", "EC2Error", "Simulator", "mock_ec2"]
__version__ = "0.1.0"

_HOMES = {
    "ContractViolation": "simulator.errors",
    "CreateCall": "simulator.compute",
    "EC2Error": "simulator.errors",
    "Simulator": "simulator.api",
    "mock_ec2": "simulator.mock",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'simulator' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
