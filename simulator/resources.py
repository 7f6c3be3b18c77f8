"""Locate the data files the package ships (JSON Schemas, the default seed).

In a wheel they live under ``simulator/_data``; in a source checkout they are the
top-level ``schemas/`` and ``fixtures/seed/`` folders. One function hides the
difference so an installed ``launch-sim`` and a developer checkout behave alike.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DIRS = {"schemas": "schemas", "seed": "fixtures/seed"}


def data_dir(kind: str) -> Path:
    """Return the folder holding the shipped ``kind`` files ("schemas" or "seed")."""
    packaged = _PACKAGE_DIR / "_data" / kind
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / _CHECKOUT_DIRS[kind]


def default_seed_path() -> Path:
    """The seed a fresh default store is created from."""
    return data_dir("seed") / "default.json"
