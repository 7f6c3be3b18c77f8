"""The EC2 query as JSON: pairs of strings in order, anything else refused with a reason."""

from __future__ import annotations

import pytest

from simulator.step_args import json_pairs


def test_pairs_keep_their_order_and_their_spaces() -> None:
    text = '[["Action", "RunInstances"], ["KeyName", " k "], ["KeyName", ""]]'
    assert json_pairs(text, "the EC2 query") == [
        ("Action", "RunInstances"),
        ("KeyName", " k "),
        ("KeyName", ""),
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"Action": "RunInstances"}', "must be a JSON list"),
        ('[["Action"]]', "must be a JSON list"),
        ('[["MinCount", 1]]', "must be a JSON list"),
        ('[["Action", "RunInstances"]', "is not JSON"),
    ],
)
def test_anything_but_pairs_of_strings_is_refused(text: str, reason: str) -> None:
    with pytest.raises(AssertionError, match=f"the EC2 query {reason}"):
        json_pairs(text, "the EC2 query")
