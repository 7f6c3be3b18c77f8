"""Gherkin benchmark: 1,000 generated launch scenarios, serial and with ``pytest -n auto``.

The scenarios mix the two kinds of launch (run_instances kwargs and EC2 query parameters)
and both outcomes, so the figure covers the whole step library, not one fast path. Each
run is a fresh pytest process, as a user would run it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.timing import xdist_speedup

SCENARIOS = 1_000
TEST_FILE = "test_generated.py"
TEST_MODULE = 'from pytest_bdd import scenarios\n\nscenarios("generated.feature")\n'

KWARGS_SCENARIO = """
  Scenario: kwargs launch {n}
    Given the default seed
    When I launch with:
      \"\"\"
      {{"image_id": "ami-00000001", "min_count": {count},
        "block_device_mapping": [
          {{"device_name": "/dev/vdb", "ebs": {{"snapshot_id": "snap-12345678"}}}}]}}
      \"\"\"
    Then the launch succeeds
    And the response has {count} instances
    And the block device mapping is:
      | device_name | snapshot_id                          | delete_on_termination |
      | /dev/vdb    | 00000000-1111-2222-3333-444444444444 | true                  |
    And the create call satisfies the schema
"""

QUERY_SCENARIO = """
  Scenario: query launch {n}
    Given the default seed
    When I send the EC2 query:
      | Name                                | Value         |
      | Action                              | RunInstances  |
      | ImageId                             | ami-00000001  |
      | BlockDeviceMapping.1.DeviceName     | /dev/vdc      |
      | BlockDeviceMapping.1.Ebs.SnapshotId | snap-{snapshot:08x} |
    Then the launch fails with EC2 error "SnapshotNotFound"
"""


def generate(directory: Path) -> None:
    parts = ["Feature: generated launches\n"]
    for n in range(SCENARIOS):
        if n % 2:
            parts.append(QUERY_SCENARIO.format(n=n, snapshot=0xFF00 + n))
        else:
            parts.append(KWARGS_SCENARIO.format(n=n, count=1 + n % 3))
    (directory / "generated.feature").write_text("".join(parts))
    (directory / TEST_FILE).write_text(TEST_MODULE)


def run() -> None:
    print(f"== Gherkin: {SCENARIOS:,} generated scenarios (half kwargs, half EC2 query) ==")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        generate(directory)
        lines = xdist_speedup(
            directory,
            TEST_FILE,
            SCENARIOS,
            "1,000 scenarios, serial",
            "1,000 scenarios, pytest -n auto",
            serial_target=30,
        )
    print("\n".join(lines))


if __name__ == "__main__":
    run()
