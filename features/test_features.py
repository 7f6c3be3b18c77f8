"""Bind every scenario under features/ to pytest; the steps come from the launch-sim plugin."""

from pytest_bdd import scenarios

scenarios(".")
