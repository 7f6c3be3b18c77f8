"""A scenario its steps cannot run as written fails with one line saying why, not a traceback.

A doc string that is not JSON, a table with other columns than the step reads, rows a Given
step adds that the seed schema refuses or that conflict with the store, a Then step before
any When step: each is the scenario writer's mistake, and the writer can act on the message
alone. The frames of launch-sim (and of pytest-bdd calling it) that a traceback would show
are of no use to them, and bury the one line that is.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_scaffold import FEATURE_TEST, run_pytest

FEATURE = """\
Feature: A writer's mistakes
  Scenario: A launch doc string that is not JSON
    When I launch with:
      \"\"\"
      image_id: ami-00000001
      \"\"\"

  Scenario: A query table with other columns
    When I send the EC2 query:
      | Param  | Value        |
      | Action | RunInstances |

  Scenario: A compute calls table with another header
    When I launch the image "ami-00000001"
    Then the compute calls are:
      | calls  |
      | create |

  Scenario: A launch file that is not an object
    When I launch as described in "list.json"

  Scenario: Seed rows the schema refuses
    Given the store is seeded with:
      \"\"\"
      {"images": [{"ec2_id": "ami-00000010"}]}
      \"\"\"

  Scenario: Instance types with a misspelt column
    Given the instance types:
      | name    | memory | vcpus | root_gb |
      | m1.nano | 64     | 1     | 0       |

  Scenario: A snapshot that conflicts with the store
    Given the default seed
    And a snapshot "snap-12345678" with uuid 99999999-1111-2222-3333-444444444444

  Scenario: An image with a table it does not ask for
    Given {image} and properties:

  Scenario: A Then step before any When step
    Then the launch succeeds
""".replace(
    "{image}",
    'an image "img" with uuid 0e3a9f4c-1f0e-4d0b-8d84-6b1b2c3d4e5f, ec2 id "ami-00000010", '
    "status active, container format ami",
)

EXPECTED = {
    "test_a_launch_doc_string_that_is_not_json": "the launch is not JSON: ",
    "test_a_query_table_with_other_columns": (
        "the table must start with the row | Name | Value |, not | Param | Value |"
    ),
    "test_a_compute_calls_table_with_another_header": "the table must be one column headed",
    "test_a_launch_file_that_is_not_an_object": "list.json must be a JSON object {...}",
    "test_seed_rows_the_schema_refuses": "/images/0: 'uuid' is a required property",
    "test_instance_types_with_a_misspelt_column": "('memory' was unexpected)",
    "test_a_snapshot_that_conflicts_with_the_store": (
        "/snapshots/0/ec2_id: row 305419896 of snapshot_id_mappings already maps to"
    ),
    "test_an_image_with_a_table_it_does_not_ask_for": "exactly when it ends in 'and properties:'",
    "test_a_then_step_before_any_when_step": "nothing was launched yet",
}


@pytest.fixture(scope="module")
def failed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each scenario's failure section, run as a project using the plugin runs it."""
    directory: Path = tmp_path_factory.mktemp("mistakes")
    (directory / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (directory / "list.json").write_text("[1, 2]\n", encoding="utf-8")
    (directory / "mistakes.feature").write_text(FEATURE, encoding="utf-8")
    (directory / "test_mistakes.py").write_text(FEATURE_TEST, encoding="utf-8")
    output = run_pytest(directory).stdout
    failures = re.split(r"^=+ short test summary info", output, flags=re.MULTILINE)[0]
    sections = re.split(r"^_+ (test_\w+) _+$", failures, flags=re.MULTILINE)
    return dict(zip(sections[1::2], sections[2::2], strict=True))


def test_every_mistake_fails(failed: dict[str, str]) -> None:
    assert sorted(failed) == sorted(EXPECTED)


@pytest.mark.parametrize("test", sorted(EXPECTED))
def test_a_mistake_is_one_line_saying_why(failed: dict[str, str], test: str) -> None:
    lines = [line for line in failed[test].splitlines() if line.strip()]
    assert len(lines) == 1, failed[test]
    assert EXPECTED[test] in lines[0]
    assert "simulator" not in lines[0]
