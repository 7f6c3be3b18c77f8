"""The cassette corpus: every cassette replays green, and no recorded file holds a secret.

One test per cassette, so ``pytest -n auto`` spreads the corpus over workers.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from simulator.cassette import load_cassette, replay_cassette

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
CORPUS = FIXTURES / "cassettes"
CASSETTES = sorted(CORPUS.glob("*.json"))
RECORDER = CORPUS / "record_corpus.py"
DATA_FILES = sorted(
    path
    for path in FIXTURES.rglob("*")
    if path.is_file() and path.suffix != ".py" and "__pycache__" not in path.parts
)


def _recorder_credentials() -> list[str]:
    """The credentials the recording script signs with: they must appear in no data file."""
    spec = importlib.util.spec_from_file_location("record_corpus", RECORDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [module.ACCESS_KEY, module.SECRET_KEY, "session-token"]


SECRETS = [
    re.compile(
        r'"(Signature|AWSAccessKeyId|SignatureMethod|SignatureVersion|Timestamp|Expires|'
        r'SecurityToken)"'
    ),
    re.compile(r"x-amz-", re.IGNORECASE),
    re.compile(r"authorization", re.IGNORECASE),
    re.compile(r"AWS4-HMAC-SHA256"),
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    re.compile(r"\b[0-9a-f]{64}\b"),
    *(re.compile(re.escape(value)) for value in _recorder_credentials()),
]


def test_the_corpus_is_big_enough() -> None:
    assert len(CASSETTES) >= 12
    launches = [
        interaction
        for path in CASSETTES
        for interaction in json.loads(path.read_text())["interactions"]
    ]
    codes = {interaction["response"]["error_code"] for interaction in launches}
    assert {
        None,
        "ImageNotFound",
        "SnapshotNotFound",
        "VolumeNotFound",
        "EC2APIError",
        "UnknownError",
        "InvalidRequest",
        "TooManyInstances",
        "InstanceTypeNotFound",
        "InstanceTypeNotFoundByName",
    } <= codes


@pytest.mark.parametrize("path", CASSETTES, ids=[path.stem for path in CASSETTES])
def test_the_cassette_replays_green(path: Path) -> None:
    result = replay_cassette(load_cassette(path), str(path)).result
    assert not result.failures, [
        d.describe("replayed") for f in result.failures for d in f.differences
    ]


@pytest.mark.parametrize("path", CASSETTES, ids=[path.stem for path in CASSETTES])
def test_the_cassette_is_in_canonical_form(path: Path) -> None:
    """Reading and writing a cassette changes no byte: re-recordings diff only real changes."""
    assert load_cassette(path).to_bytes() == path.read_bytes()


def test_only_the_recording_script_is_code() -> None:
    code = sorted(path for path in FIXTURES.rglob("*.py") if "__pycache__" not in path.parts)
    assert code == [RECORDER]


@pytest.mark.parametrize("path", DATA_FILES, ids=[str(p.relative_to(FIXTURES)) for p in DATA_FILES])
def test_no_recorded_file_holds_a_secret(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = [match.group(0) for pattern in SECRETS for match in pattern.finditer(text)]
    assert not found, f"{path} holds {found}"
