"""The image service port: a Glance-like catalogue and Nova's S3 translation layer over it.

Nova's EC2 API never talks to Glance directly: ``S3ImageService`` maps the EC2 integer ids
(``s3_images`` rows) to Glance uuids and back, creating rows for every image it returns.
That layering is kept here so a Glance backend (the store's catalogue by default, Glance v2
over HTTP optionally) can be swapped without touching the launch logic.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Protocol

from simulator import id_mappings
from simulator.compute_instances import column_text
from simulator.errors import ImageNotFound
from simulator.store import MappingStore

Image = dict[str, Any]
IMAGE_FIELDS = ("name", "status", "container_format", "disk_format", "min_ram", "min_disk")
"""The Glance attributes the launch path reads, beside ``id`` and ``properties``: what a
seed may give an image and what a Glance answer must carry for the launch to see it."""
JSON_PROPERTIES = ("block_device_mapping", "mappings")
"""``glance._CONVERT_PROPS``: the properties Glance keeps as JSON text."""
_JSON_PROPERTY_SET = frozenset(JSON_PROPERTIES)


def convert_from_string(image: Image) -> Image:
    """``glance._convert_from_string`` (the same at all four tags), on an image that is the
    caller's own: each of :data:`JSON_PROPERTIES` that is text is read as JSON, as Nova's
    image service did before anyone saw the image (Glance stores every property as text).
    Text that is no JSON fails the lookup with Python 2's ValueError (unexpected; Havana
    on names it), not Python 3's JSONDecodeError."""
    for name, value in _json_properties(image):
        image["properties"][name] = value
    return image


def _json_properties(image: Image) -> Iterator[tuple[str, Any]]:
    """Each of :data:`JSON_PROPERTIES` of the image's properties that is text, with its JSON
    read, one at a time (a caller that writes each back does so before the next is read),
    as :func:`convert_from_string` reads them, failures and all."""
    properties = image.get("properties")
    if not properties or _JSON_PROPERTY_SET.isdisjoint(properties):
        return
    for name in JSON_PROPERTIES:
        value = properties.get(name)
        if isinstance(value, str):
            try:
                yield name, json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(str(exc)) from None


def _refuse_unconvertible(image: Image) -> None:
    """What :func:`convert_from_string` raises for ``image``, read without changing it."""
    for _ in _json_properties(image):
        pass


class ImageBackend(Protocol):
    """What Nova needs of Glance on the launch path.

    A backend that answers from memory may also say ``remote = False``: a server then
    answers its requests in its I/O loop (``EC2App.answers_at_once``). One that does not say
    is taken to wait on the network, and its requests go to worker threads.
    """

    def show(self, image_uuid: str) -> Image:
        """The image with that uuid, the caller's own copy to change; raises
        ImageNotFound(image_id=uuid)."""
        ...

    def detail(self, name: str) -> list[Image]:
        """Images with exactly that name, oldest first, the caller's own copies."""
        ...


class StoreImageBackend:
    """The embedded default: the store's image catalogue stands in for Glance."""

    remote = False
    """Answers from memory: a server may answer in its I/O loop (``EC2App.answers_at_once``)."""

    def __init__(self, store: MappingStore) -> None:
        self.store = store

    def show(self, image_uuid: str) -> Image:
        image = self.store.image(image_uuid)
        if image is None:
            raise ImageNotFound(image_id=image_uuid)
        return convert_from_string(image)

    def confirm(self, image_uuid: str) -> None:
        """:meth:`show` for a caller that discards the image (compute's
        ``_handle_kernel_and_ramdisk`` shows the kernel and the ramdisk only to learn that
        Glance has them): the same failures, ImageNotFound and the ValueError of a JSON
        property that is no JSON, and the same row read, found on the stored row without
        the copy :meth:`show` makes for a caller to keep (two per launch). Compute calls it
        in place of :meth:`show`, so a :meth:`show` changed by a subclass or patched on the
        instance is called here: only this class's own is known to be the row's read."""
        if getattr(self.show, "__func__", None) is not StoreImageBackend.show:
            self.show(image_uuid)
            return
        if not self.store.inspect_image(image_uuid, _refuse_unconvertible):
            raise ImageNotFound(image_id=image_uuid)

    def detail(self, name: str) -> list[Image]:
        return [convert_from_string(image) for image in self.store.images_named(name)]

    def every(self) -> list[Image]:
        """Every image, oldest first, each read as Glance's ``detail`` reads it, all of them
        before any is returned (so one whose JSON is no JSON fails the whole listing)."""
        return [convert_from_string(image) for image in self.store.images()]


class S3ImageService:
    """Nova's ``nova.image.s3.S3ImageService``: EC2 integer ids in, translated images out."""

    def __init__(
        self,
        store: MappingStore,
        backend: ImageBackend,
        image_states: Mapping[str, str] = MappingProxyType({}),
        memoized_ids: bool = False,
    ) -> None:
        self.store = store
        self.backend = backend
        self.image_states = image_states
        self.memoized_ids = memoized_ids

    def shown(self, image_id: int) -> tuple[Image, str | None]:
        """``show``, and the uuid the image's new ``id`` maps back to where that is known
        without asking the store: the Glance id its s3 id was just looked up by, when that
        was text (else None). ``run_instances`` passes the image on by that uuid
        (``id_to_glance_id(image['id'])``), where Nova read the row just found again."""
        image_uuid = id_mappings.id_to_glance_id(self.store, image_id)
        image = self.backend.show(image_uuid)
        return image, self._translate(image)

    def detail(self, name: str) -> list[Image]:
        return self.translated(self.backend.detail(name))

    def translated(self, images: list[Image]) -> list[Image]:
        """``_translate_uuids_to_ids``: a listing Glance has answered whole, translated image
        by image (each one's s3 rows made before the next one is read)."""
        for image in images:
            self._translate(image)
        return images

    def _glance_id_to_id(self, glance_id: Any) -> int | None:
        """``ec2utils.glance_id_to_id``; under ``@memoize`` (Grizzly on) its cache key is
        ``str("glance_id_to_id:%s" % glance_id)``, which Python 2 could not write for text
        beyond ASCII (``ec2utils:38-51,82-90@2013.1.5``, ``40-53,109-117@2013.2.4``,
        ``38-51,107-115@2014.1.5``): the one lookup whose id can be any text is here, an
        image's ``kernel_id`` or ``ramdisk_id`` property, or a Glance image's own id.

        A number or a boolean there (Glance v1 only ever held text) is looked up and stored
        as the database's text column wrote it (:func:`~simulator.compute_instances.column_text`:
        ``5``, ``1`` for true), where its s3 row is made."""
        if type(glance_id) is str:
            if self.memoized_ids and not glance_id.isascii():
                glance_id.encode("ascii")
        elif isinstance(glance_id, int | float):
            glance_id = column_text(glance_id)
        return id_mappings.glance_id_to_id(self.store, glance_id)

    def _translate(self, image: Image) -> str | None:
        """``_translate_uuid_to_id``: the image's uuids as s3 ids and its ``image_state`` as
        the release's map reads it, changed in place (a backend's answer is the caller's own
        copy, see :class:`ImageBackend`); the image's own uuid, where it was text."""
        image_uuid = None
        if "id" in image:
            glance_id = image["id"]
            if type(glance_id) is str:
                image_uuid = glance_id
            image["id"] = self._glance_id_to_id(glance_id)
        properties = image.get("properties")
        if isinstance(properties, dict):
            for prop in ("kernel_id", "ramdisk_id"):
                if prop in properties:
                    properties[prop] = self._glance_id_to_id(properties[prop])
            if self.image_states and "image_state" in properties:
                state = self.image_states.get(properties["image_state"])
                if state is not None:
                    properties["image_state"] = state
        return image_uuid
