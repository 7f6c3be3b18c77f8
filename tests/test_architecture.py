"""The map a newcomer reads matches the code: every module has a layer, a README line and a
place in docs/architecture.md, so a module added without a place in the layers fails here."""

from __future__ import annotations

import re
import subprocess
import sys
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


HEAVY_FOR_REPLAY = (
    "botocore",
    "requests",
    "responses",
    "rich",
    "jsonschema",
    "urllib3",
    "filelock",
    "platformdirs",
)
"""Libraries only some commands use, a sixth to a third of a second to import each: the CLI
imports them where those commands run, so ``replay`` and ``validate`` start without them."""


def _imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return {name.split(".")[0] for name in done.stdout.split()}


def test_the_cli_starts_without_the_libraries_only_some_commands_use() -> None:
    assert _imported_after("import simulator.cli") & set(HEAVY_FOR_REPLAY) == set()


def test_a_store_backed_replay_imports_none_of_them_either(tmp_path: Path) -> None:
    cassette = ROOT / "fixtures" / "cassettes" / "conversation-boto3.json"
    code = (
        "from simulator.cli import main\n"
        f"assert main(['replay', '-j', '1', '--format', 'json', {str(cassette)!r}]) == 0"
    )
    assert _imported_after(code) & set(HEAVY_FOR_REPLAY) == set()


def test_the_public_names_still_come_from_the_package() -> None:
    from simulator import ContractViolation, CreateCall, EC2Error, Simulator, mock_ec2

    assert [mock_ec2.__module__, Simulator.__module__, CreateCall.__module__] == [
        "simulator.mock",
        "simulator.api",
        "simulator.compute",
    ]
    assert {ContractViolation.__module__, EC2Error.__module__} == {"simulator.errors"}


def test_design_mds_block_device_module_still_imports() -> None:
    """design.md's layer map names ``simulator/bdm.py``; the structure issue renamed it by
    side, and the old name re-exports the function."""
    from simulator import bdm, ec2_bdm

    assert bdm.parse_block_device_mapping is ec2_bdm.parse_block_device_mapping
