"""``--shard K/N``: N runners given the same arguments cover a corpus exactly once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.cassette_cli import Shard, cassette_paths
from simulator.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "cassettes"


def reported(out: str) -> list[str]:
    """The cassettes a JSON report names (a matrix names each once per profile)."""
    return [cassette["path"] for cassette in json.loads(out)["cassettes"]]


@pytest.mark.parametrize("count", [1, 2, 3, 7, 100])
def test_the_shards_hold_every_cassette_exactly_once(count: int) -> None:
    every = cassette_paths([CORPUS])
    parts = [Shard(number, count).pick(every) for number in range(1, count + 1)]
    assert sorted(path for part in parts for path in part) == sorted(every)
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


@pytest.mark.parametrize("command", ["replay", "matrix"])
def test_runners_replaying_their_shards_replay_the_corpus_once(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    profiles = ["--profiles", "grizzly,havana"] if command == "matrix" else []
    options = ["--format", "json", *profiles]
    whole_code = main([command, str(CORPUS), *options])
    whole = reported(capsys.readouterr().out)
    seen, codes = [], []
    for number in (1, 2, 3):
        codes.append(main([command, str(CORPUS), *options, "--shard", f"{number}/3"]))
        seen += reported(capsys.readouterr().out)
    assert max(codes) == whole_code
    assert sorted(seen) == sorted(whole)
    assert len(set(whole)) > 3


def test_a_shard_with_no_cassette_reports_none_and_passes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["replay", str(CORPUS / "walkthrough-fake0.json"), "--shard", "2/2"]) == 0
    assert capsys.readouterr().out == "0 cassettes, 0 interactions: OK\n"


@pytest.mark.parametrize(
    "value", ["0/2", "3/2", "1/0", "a/b", "2", "1/2/3", "", "-1/2", "1/²", " 1/2"]
)
@pytest.mark.parametrize("command", ["replay", "matrix", "verify"])
def test_a_bad_shard_is_one_usage_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], command: str, value: str
) -> None:
    endpoint = ["--endpoint", "http://127.0.0.1:9/"] if command == "verify" else []
    with pytest.raises(SystemExit) as stopped:
        main([command, str(CORPUS), *endpoint, f"--shard={value}"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "--shard" in err and "K/N" in err
