"""launch-sim: a contract-testing simulator of Nova's EC2 ``RunInstances`` launch path."""

from __future__ import annotations

from simulator.api import Simulator
from simulator.compute import CreateCall
from simulator.errors import ContractViolation, EC2Error
from simulator.mock import mock_ec2

__all__ = ["ContractViolation", "CreateCall", "EC2Error", "Simulator", "mock_ec2"]
__version__ = "0.1.0"
