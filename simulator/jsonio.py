"""JSON in and out of files, shared by the store, seeds, cassettes, steps and reports.

Every reader of a user's file needs the same four promises: no file is read past
:data:`MAX_INPUT_BYTES` (``/dev/zero`` given as a seed is refused, not read until memory runs
out); Python's own JSON limits (huge integers, deep nesting) are reported as bad input in one
line rather than escaping as a traceback; text that no output could encode again (a lone
surrogate) is refused where it was read; and a file is replaced atomically, so a crash leaves
the old or the new version. Keeping them here means no module re-implements one of them
slightly differently.

Only the writers import :mod:`tempfile` and :mod:`secrets`: every command reads JSON, but
``replay`` and ``validate`` write none, and the two cost a replay 0.45% of its start-up.
"""

from __future__ import annotations

import collections
import contextlib
import errno
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from simulator.errors import BadInput, SeedError


class UnsupportedJSON(ValueError):
    """Well-formed JSON past Python's own limits, reported like malformed JSON, in one line."""


def unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's members as a dict, refusing a key that appears twice: ``json`` keeps the
    last, so a seed's second ``"snapshots"`` would drop the first's rows, and a cassette's
    trailing ``"interactions": []`` would replay nothing and pass. Costs a seventh more
    parsing: 2.8% of a replayed interaction's instructions."""
    members = dict(pairs)
    if len(members) != len(pairs):
        counted = collections.Counter(key for key, _ in pairs)
        repeated = next(key for key, count in counted.items() if count > 1)
        raise UnsupportedJSON(
            f"not JSON this reader accepts: the key {repeated!r} appears twice in one object"
        )
    return members


def load_json(text: str | bytes, *, unique_keys: bool = False) -> Any:
    """``json.loads``, with Python's limits raised as :class:`UnsupportedJSON`, and with
    ``unique_keys`` a key twice in one object (:func:`unique_object`).

    Python refuses integers longer than ``sys.get_int_max_str_digits()`` digits (a bare
    ``ValueError``) and nesting past its recursion limit (``RecursionError``); left alone,
    either escapes every ``JSONDecodeError`` handler as a traceback.
    """
    try:
        return json.loads(text, object_pairs_hook=unique_object if unique_keys else None)
    except RecursionError:
        raise UnsupportedJSON("not JSON this reader accepts: nested too deeply") from None
    except (json.JSONDecodeError, UnicodeDecodeError, UnsupportedJSON):
        raise
    except ValueError:
        raise UnsupportedJSON(
            "not JSON this reader accepts: an integer has more than "
            f"{sys.get_int_max_str_digits()} digits"
        ) from None


MAX_INPUT_BYTES = 256 << 20
"""The most launch-sim reads of any one file: seed, cassette, launch request, store snapshot
or journal (a million-row store is 57 MB). Endless input (``/dev/zero``, a pipe that never
closes) stops here, as does a file that would take many times its size in memory to parse."""

LONE_SURROGATE = "not Unicode text: a \\u escape is a lone surrogate"


class InputTooLarge(ValueError):
    """A file past :data:`MAX_INPUT_BYTES`, refused after reading at most one byte more."""


def read_limited(path: str | Path) -> bytes:
    """The bytes of ``path``, at most :data:`MAX_INPUT_BYTES` of them.

    A regular file's size is checked before anything is read; anything else (a device, a
    pipe) is read until one byte past the limit and no further.
    """
    with open(path, "rb") as handle:
        status = os.fstat(handle.fileno())
        if stat.S_ISREG(status.st_mode) and status.st_size > MAX_INPUT_BYTES:
            raise InputTooLarge(_too_large(status.st_size))
        data = handle.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise InputTooLarge(_too_large(None))
    return data


def _too_large(size: int | None) -> str:
    what = "endless input" if size is None else f"{size:,} bytes"
    return f"larger than the {MAX_INPUT_BYTES >> 20} MiB launch-sim reads of a file ({what})"


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""A ``\\u`` escape in the surrogate range: the cheap test before the full scan."""

_ESCAPE = re.compile(
    r"\\(?:u(?P<unit>[dD][89a-fA-F][0-9a-fA-F]{2})(?P<low>\\u[dD][c-fC-F][0-9a-fA-F]{2})?|.)",
    re.DOTALL,
)
"""One JSON escape, read left to right so that ``\\\\ud800`` (an escaped backslash) is no
surrogate; a high surrogate followed by a low one is a pair, one character."""


def lone_surrogate(text: str) -> int | None:
    """Where (a character index) JSON text that parsed holds a ``\\u`` escape of a lone
    surrogate, or None.

    ``json.loads`` turns ``"\\ud800"`` into a string no output (stdout, a report, a cassette,
    a store export) can encode, far from where it was read; readers refuse it instead.
    Text with no backslash at all (most files) is told apart by one ``memchr``, thirty
    times faster than the regular expression's scan of a 3 MB cassette.
    """
    if "\\" not in text or _SURROGATE_ESCAPE.search(text) is None:
        return None
    for match in _ESCAPE.finditer(text):
        unit = match["unit"]
        if unit is not None and (match["low"] is None or unit[1] in "cdefCDEF"):
            return match.start()
    return None


def read_json(path: str | Path, what: str) -> Any:
    """Parse a JSON file, turning every failure into a one-line reason naming the file."""
    with _reading(path, what):
        return _parse(read_limited(path), str(path))


def read_json_lines(path: str | Path, what: str) -> Iterator[tuple[int, Any]]:
    """Each non-blank line of a JSON Lines file parsed, with its line number, one at a time.

    The file as a whole has no size limit (it is never held whole); each line is read to
    at most :data:`MAX_INPUT_BYTES` and refused past it. Failures are one-line reasons
    naming the file and the line, as :func:`read_json` gives for a whole file.
    """
    with _reading(path, what), open(path, "rb") as handle:
        for number, line in enumerate(iter(lambda: handle.readline(MAX_INPUT_BYTES + 1), b"")):
            where = f"{path}: line {number + 1}"
            if len(line) > MAX_INPUT_BYTES:
                raise SeedError(f"{where}: longer than the {MAX_INPUT_BYTES >> 20} MiB of a line")
            if line.strip():
                yield number + 1, _parse(line, where)


@contextlib.contextmanager
def _reading(path: str | Path, what: str) -> Iterator[None]:
    """The reasons opening or reading ``path`` fails, as :class:`SeedError` lines."""
    try:
        yield
    except InputTooLarge as exc:
        raise SeedError(f"{path}: {exc}") from None
    except FileNotFoundError:
        raise SeedError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise SeedError(f"{path}: is a directory, not a {what} file") from None
    except OSError as exc:
        raise SeedError(f"{path}: cannot read {what} file: {exc.strerror}") from None


def _parse(data: bytes, where: str) -> Any:
    """JSON text's value, or a :class:`SeedError` saying why not, prefixed with ``where``
    (a key twice in one object among the reasons: users write these files)."""
    try:
        text = data.decode()
        value = load_json(text, unique_keys=True)
    except UnsupportedJSON as exc:
        raise SeedError(f"{where}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise SeedError(f"{where}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        # json's "Unterminated string starting at" expects the place next: not "at at line".
        reason = exc.msg.removesuffix(" at")
        raise SeedError(
            f"{where}: not JSON: {reason} at line {exc.lineno} column {exc.colno}"
        ) from None
    if lone_surrogate(text) is not None:
        raise SeedError(f"{where}: {LONE_SURROGATE}")
    return value


class NotStreamable(ValueError):
    """A document :func:`stream_last_array` cannot stream exactly as ``json.loads`` reads it
    whole; the caller reads it whole instead, which also gives any error its usual words."""


_BLANK = re.compile(r"[ \t\n\r]*")
"""What JSON allows between tokens, as :mod:`json` skips it."""
_NEXT_ITEM = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
"""The comma between two items of an array, with the blanks JSON allows either side."""
_scan: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder(  # type: ignore[attr-defined]
    object_pairs_hook=unique_object
).scan_once
"""``json``'s own scanner of one value at an index (an attribute typeshed leaves out)."""


def stream_last_array(path: str | Path, key: str) -> tuple[dict[str, Any], Iterator[Any]]:
    """A JSON file whose top-level object ends with ``key``'s array: the members before it,
    and an iterator parsing the array's items one at a time as they are asked for.

    An item used soon after it is parsed is still in the CPU's caches: replaying a cassette
    item by item as it is read took a tenth less time than parsing all of it first, for the
    same instructions. Whatever this cannot read exactly as ``json.loads`` would (``key``
    not last, not an object, malformed or unsupported JSON, a lone surrogate, an unreadable
    or oversized file) raises :class:`NotStreamable`, from this call or from the iterator
    at the item where it shows (at the end, for members after the array): the items already
    given must then be set aside and the file read whole. An item may share an array or
    object member with the item before it (:func:`_item`): read the items, never change
    them. Only a regular file is read here: a pipe or a device can be read once, so it is
    left unopened for the whole read.
    """
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise NotStreamable("not a regular file")
        text = read_limited(path).decode()
    except (OSError, ValueError) as exc:
        raise NotStreamable(str(exc)) from None
    if lone_surrogate(text) is not None:
        raise NotStreamable(LONE_SURROGATE)
    head, start = _members_before(text, key)
    return head, _items(text, start)


def _members_before(text: str, key: str) -> tuple[dict[str, Any], int]:
    """The top-level object's members up to ``key`` (whose value must be an array), and the
    index just inside that array's bracket."""
    at = _skip(text, 0)
    if not text.startswith("{", at):
        raise NotStreamable("not an object")
    members: dict[str, Any] = {}
    at += 1
    while True:
        at = _skip(text, at)
        if not text.startswith('"', at):
            raise NotStreamable(f"no {key!r} member")
        name, at = _parsed(text, at)
        at = _skip(text, at)
        if not text.startswith(":", at):
            raise NotStreamable("a member without its colon")
        at = _skip(text, at + 1)
        if name in members:
            raise NotStreamable(f"the key {name!r} appears twice")
        if name == key:
            if not text.startswith("[", at):
                raise NotStreamable(f"{key!r} is not an array")
            return members, at + 1
        members[name], at = _parsed(text, at)
        at = _skip(text, at)
        if not text.startswith(",", at):
            raise NotStreamable(f"no {key!r} member")
        at += 1


def _items(text: str, at: int) -> Iterator[Any]:
    """The array's items from ``at``, then the document's end checked.

    Each item is followed by its comma and the blanks around it in one match
    (:data:`_NEXT_ITEM`); skipping the blanks either side and testing for the comma apart
    took three calls more per item, over half a percent of a replayed interaction."""
    at = _skip(text, at)
    if not text.startswith("]", at):
        previous: dict[str, tuple[str, Any]] = {}
        while True:
            item, at, previous = _item(text, at, previous)
            yield item
            comma = _NEXT_ITEM.match(text, at)
            if comma is None:
                break
            at = comma.end()
        at = _skip(text, at)
        if not text.startswith("]", at):
            raise NotStreamable("items not separated by commas")
    at = _skip(text, at + 1)
    if not text.startswith("}", at) or _skip(text, at + 1) != len(text):
        raise NotStreamable("members after the array")


_MEMBER_NAME = re.compile(r'[ \t\n\r]*"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
"""An object member's name without escapes, its colon and the blanks around them: the name
is then the text between the quotes (JSON allows no control character in a string)."""
_MEMBER_END = re.compile(r"[ \t\n\r]*([,}])")
"""What follows a member's value: the comma before the next member, or the object's end."""


def _item(
    text: str, at: int, previous: dict[str, tuple[str, Any]]
) -> tuple[Any, int, dict[str, tuple[str, Any]]]:
    """The array item at ``at``, read as :func:`_parsed` reads it, the index after it, and
    what the next item may take from it: an object's array and object members whose text is
    the same as ``previous`` item's are its values, not parsed again.

    A cassette's interactions repeat such members word for word (a launch's create calls,
    launch after launch): finding the text again is one comparison, where parsing it was
    three fifths of parsing the interaction. An array's or object's text ends at its closing
    bracket, so a value whose text starts with one is that value. Anything but an object
    whose member names hold no escape and come once is parsed whole by :func:`_parsed`, as
    every item was before; the items given may then share values, which no caller changes.
    """
    if not text.startswith("{", at):
        value, end = _parsed(text, at)
        return value, end, previous
    members: dict[str, Any] = {}
    found: dict[str, tuple[str, Any]] = {}
    end = at + 1
    while (member := _MEMBER_NAME.match(text, end)) is not None:
        name, start = member[1], member.end()
        if name in members:
            break
        seen = previous.get(name)
        if seen is not None and text.startswith(seen[0], start):
            members[name] = seen[1]
            end = start + len(seen[0])
            found[name] = seen
        else:
            members[name], end = _parsed(text, start)
            if text.startswith(("[", "{"), start):
                found[name] = text[start:end], members[name]
        close = _MEMBER_END.match(text, end)
        if close is None:
            break
        end = close.end()
        if close[1] == "}":
            return members, end, found
    value, end = _parsed(text, at)
    return value, end, previous


def _skip(text: str, at: int) -> int:
    blank = _BLANK.match(text, at)
    return blank.end() if blank else at


def _parsed(text: str, at: int) -> tuple[Any, int]:
    """The JSON value at ``at`` and the index after it; every failure NotStreamable."""
    try:
        value, end = _scan(text, at)
    except (StopIteration, ValueError, RecursionError):
        raise NotStreamable("not JSON json.loads reads the same") from None
    return value, end


def canonical(value: Any) -> str:
    """A value as one line of JSON text with sorted keys: how reports and steps show values.

    A value JSON has no form for (a launch time is a datetime) is shown as its text, so a
    failing step says what it found instead of failing to say it.
    """
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def sorted_keys(value: Any) -> Any:
    """Keys sorted at every depth, so a written file's bytes depend on content only."""
    if isinstance(value, dict):
        return {key: sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [sorted_keys(item) for item in value]
    return value


def json_pointer(path: Iterable[Any]) -> str:
    """RFC 6901 pointer for a path of keys and indexes (``~`` and ``/`` escaped)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def refuse_to_replace(path: Path, remedy: str = "refusing to replace it") -> None:
    """BadInput unless ``path`` is new, a regular file or a symlink (the link is replaced,
    its target left alone): a rename would put a file where a device, a pipe or a socket
    was, and as root that could be ``/dev/null``. ``remedy`` ends the message: a caller
    that knows the option the path came from says what that option takes."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise BadInput(f"{path}: cannot write here: {exc.strerror}") from None
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise BadInput(f"{path}: not a regular file; {remedy}")


def refuse_unwritable(path: Path) -> None:
    """BadInput unless a file can be made where ``path`` will be written (in its folder, or
    the nearest folder above it that exists, which writing would create the rest in): for a
    command to check before it starts work, so that a path it cannot write creates nothing."""
    import tempfile

    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".probe")
    except OSError as exc:
        raise BadInput(f"{path}: cannot write here: {exc.strerror}") from None
    os.close(fd)
    os.unlink(probe)


def _new_temp_file(path: Path) -> tuple[int, str]:
    """A new file beside ``path`` (``.NAME.XXXXXXXX.tmp``), open for writing, created with
    mode 0666 less the umask as any new file is: ``mkstemp``'s 0600 made every new cassette
    and store unreadable to other users, where a report written beside it was not."""
    import secrets

    for _ in range(100):
        temp = os.path.join(path.parent, f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666), temp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(path.parent))


def write_atomically(path: Path, payload: bytes) -> None:
    """Replace ``path`` so that a crash leaves either the old or the new file, never a mix;
    anything but a new path, a regular file or a symlink is refused (:func:`refuse_to_replace`).
    A file replaced keeps its mode; a new one gets the mode any new file gets."""
    refuse_to_replace(path)
    fd, temp = _new_temp_file(path)
    try:
        with os.fdopen(fd, "wb") as file:
            if path.exists():
                os.fchmod(file.fileno(), stat.S_IMODE(path.stat().st_mode))
            file.write(payload)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
