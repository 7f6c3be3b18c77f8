"""The store's image backend: ``confirm`` is ``show`` for a caller that drops the image."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from simulator.errors import ImageNotFound
from simulator.images import StoreImageBackend
from simulator.store import MappingStore

UUID = "155d900f-4e14-4e4c-a73d-069cbf4541e6"


def _backend(properties: Any) -> StoreImageBackend:
    store = MappingStore.in_memory()
    store.add_image({"id": UUID, "name": "kernel", "status": "active", "properties": properties})
    return StoreImageBackend(store)


def _outcome(call: Any, uuid: str) -> tuple[type[BaseException], str] | None:
    try:
        call(uuid)
    except Exception as exc:
        return type(exc), str(exc)
    return None


@pytest.mark.parametrize(
    "properties",
    [
        {},
        None,
        {"image_state": "available"},
        {"mappings": '[{"virtual": "root", "device": "vda"}]', "block_device_mapping": "[]"},
        {"mappings": "[{"},
        {"block_device_mapping": "[]", "mappings": "no json"},
        {"block_device_mapping": "", "mappings": "[]"},
        {"mappings": [{"virtual": "root", "device": "vda"}]},
        ["mappings"],
    ],
)
@pytest.mark.parametrize("uuid", [UUID, "no-such-image"])
def test_confirm_fails_as_show_does_and_leaves_the_stored_image_alone(
    properties: Any, uuid: str
) -> None:
    backend = _backend(properties)
    stored = backend.store.image(UUID)
    assert _outcome(backend.confirm, uuid) == _outcome(backend.show, uuid)
    assert backend.store.image(UUID) == stored


def test_confirm_reads_the_row_an_access_log_records() -> None:
    backend = _backend({})
    with backend.store.access_log() as confirmed:
        backend.confirm(UUID)
    with backend.store.access_log() as shown:
        backend.show(UUID)
    assert confirmed.read == shown.read != {}
    with pytest.raises(ImageNotFound):
        backend.confirm("no-such-image")


class _RenamingBackend(StoreImageBackend):
    """A subclass that changes what ``show`` answers, and nothing else."""

    shown: list[str]

    def show(self, image_uuid: str) -> Any:
        self.shown.append(image_uuid)
        if image_uuid == UUID:
            raise ImageNotFound(image_id="hidden by the subclass")
        return super().show(image_uuid)


def test_confirm_calls_a_subclass_own_show() -> None:
    backend = _RenamingBackend(_backend({}).store)
    backend.shown = []
    with pytest.raises(ImageNotFound, match="hidden by the subclass"):
        backend.confirm(UUID)
    assert backend.shown == [UUID]


def test_confirm_calls_a_show_patched_on_the_instance() -> None:
    backend = _backend({})
    refusal = ImageNotFound(image_id="patched")
    with (
        mock.patch.object(backend, "show", side_effect=refusal) as show,
        pytest.raises(ImageNotFound, match="patched"),
    ):
        backend.confirm(UUID)
    show.assert_called_once_with(UUID)
