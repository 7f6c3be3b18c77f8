"""The map a newcomer reads matches the code: every module has a layer, a README line and a
place in docs/architecture.md, so a module added without a place in the layers fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "simulator"


def _modules() -> set[str]:
    """Top-level modules and subpackages of ``simulator`` (what the layer contract names)."""
    names = {path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    names |= {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    return names - {"_data"}


def _layers() -> list[set[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    return [set(re.split(r"\s*[:|]\s*", layer.strip())) for layer in contract["layers"]]


def test_every_module_is_in_exactly_one_layer() -> None:
    placed = [name for layer in _layers() for name in layer]
    assert sorted(placed) == sorted(set(placed)), "a module is in two layers"
    assert set(placed) == _modules()


def test_the_readme_layout_and_the_architecture_page_name_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout") :]
    layout = layout[: layout.index("```\n", layout.index("```") + 3)]
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name in _modules():
        assert re.search(rf"\b{name}\b", layout), f"README's Layout omits {name}"
        assert f"`{name}" in architecture, f"docs/architecture.md omits {name}"
