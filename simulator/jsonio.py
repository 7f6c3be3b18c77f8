"""JSON in and out of files, shared by the store, seeds, cassettes, steps and reports.

Every reader of a user's file needs the same three promises: Python's own JSON limits
(huge integers, deep nesting) are reported as bad input in one line rather than escaping as
a traceback; text that no output could encode again (a lone surrogate) is refused where it
was read; and a file is replaced atomically, so a crash leaves the old or the new version.
Keeping them here means no module re-implements one of them slightly differently.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from simulator.errors import SeedError


class UnsupportedJSON(ValueError):
    """Well-formed JSON past Python's own limits, reported like malformed JSON, in one line."""


def load_json(text: str | bytes) -> Any:
    """``json.loads``, with Python's limits raised as :class:`UnsupportedJSON`.

    Python refuses integers longer than ``sys.get_int_max_str_digits()`` digits (a bare
    ``ValueError``) and nesting past its recursion limit (``RecursionError``); left alone,
    either escapes every ``JSONDecodeError`` handler as a traceback.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise UnsupportedJSON("not JSON this reader accepts: nested too deeply") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise
    except ValueError:
        raise UnsupportedJSON(
            "not JSON this reader accepts: an integer has more than "
            f"{sys.get_int_max_str_digits()} digits"
        ) from None


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
"""A ``\\u`` escape in the surrogate range: the cheap test before the full one."""


def is_unicode(data: Any) -> bool:
    """Whether every string is Unicode text: JSON's ``\\ud800`` escape parses into a string
    that no output (stdout, a report, a cassette) can encode, far from where it was read."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def read_json(path: str | Path, what: str) -> Any:
    """Parse a JSON file, turning every failure into a one-line reason naming the file."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        data = load_json(text)
    except UnsupportedJSON as exc:
        raise SeedError(f"{path}: {exc}") from None
    except FileNotFoundError:
        raise SeedError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise SeedError(f"{path}: is a directory, not a {what} file") from None
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise SeedError(
            f"{path}: not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except OSError as exc:
        raise SeedError(f"{path}: cannot read {what} file: {exc.strerror}") from None
    if _SURROGATE_ESCAPE.search(text) and not is_unicode(data):
        raise SeedError(f"{path}: not Unicode text: a \\u escape is a lone surrogate")
    return data


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


def write_atomically(path: Path, payload: bytes) -> None:
    """Replace ``path`` so that a crash leaves either the old or the new file, never a mix."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
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
