"""The README's Python examples run exactly as printed, so the documentation cannot drift."""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def python_blocks(path: Path) -> list[str]:
    return PYTHON_BLOCK.findall(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("block", python_blocks(ROOT / "README.md"))
def test_readme_python_example_runs(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(block, "README.md", "exec"), {"__name__": "readme_example"})


@pytest.mark.parametrize("block", python_blocks(ROOT / "README.md"))
def test_an_example_expecting_an_error_fails_without_one(block: str) -> None:
    """A ``try`` whose ``except`` checks the error must have an ``else`` that fails: without
    it, the example passes when nothing is raised at all."""
    for node in ast.walk(ast.parse(block)):
        if isinstance(node, ast.Try) and node.handlers:
            assert node.orelse and isinstance(node.orelse[-1], ast.Raise), ast.unparse(node)


def test_readme_names_the_ci_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = 'python3 -m pip install "nox==2026.10.20" && python3 -m nox'
    assert test_command in readme
    assert all(part in ci for part in test_command.split(" && "))
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
