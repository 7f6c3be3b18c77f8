"""Whether Python 2.7's ``re`` compiled a pattern: a ClientToken is one (Havana on).

Nova looked a ClientToken up with ``re.match(token, value)`` (``get_all_system_metadata``'s
value filter), so a token its Python could not compile failed the request. Python 3.11's
``re`` reads the same patterns with other rules: it knows possessive quantifiers
(``a*+``), atomic groups (``(?>a)``), scoped and ASCII flags (``(?i:a)``, ``(?a)``) and
group names beyond ASCII, which Python 2.7 refused; and it refuses what Python 2.7 let
through: an unknown escape of an ASCII letter (``\\q`` was ``q``), global flags after the
start (``a(?i)b``), the ``L`` flag on a unicode pattern, an octal escape beyond ``\\377``,
a condition on a group that does not exist and a named reference to a group still open.
Python 2.7 also refused 100 groups or more, with an AssertionError.

Only whether the pattern compiles matters (the lookup then wants an exact match), so
Python 3's parser decides once the pattern is rewritten to what it reads alike. One rule is
not followed: Python 2.7 parsed a pattern that turns the verbose flag on after its start
twice, up to the flag as written and then all of it verbose; here only the second counts.
"""

from __future__ import annotations

import re

_MAX_GROUPS = 100
"""``sre_compile.compile``: "sorry, but this version only supports 100 named groups"."""
_FLAG_GROUP = re.compile(r"\(\?([a-zA-Z]*)\)")
_GROUP_NAME = re.compile(r"\(\?P<([^>]*)>")
_REPEAT = re.compile(r"\{(?:\d+|\d*,\d*)\}")


def py2_compile(pattern: str) -> None:
    """Raise what Python 2.7's ``re.compile`` of the unicode ``pattern`` raised (``re.error``,
    or AssertionError for 100 groups or more); return when it compiled."""
    _refuse_python3_syntax(pattern)
    while True:
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            rewritten = _as_python2_read(pattern, error)
            if rewritten is None:
                raise
            pattern = rewritten
            continue
        if compiled.groups >= _MAX_GROUPS:
            raise AssertionError("sorry, but this version only supports 100 named groups")
        return


def _refuse_python3_syntax(pattern: str) -> None:
    """Python 2.7's refusal of what only Python 3 reads: a quantifier on a quantified item
    (``a*+`` possessive, or ``a*(?i)?``, which global flags in between do not make lazy),
    ``(?>``, ``(?-``, ``(?flags:``, the ``a`` flag, a group name beyond ASCII. Escapes,
    character classes and comments (and, verbose, spaces and ``#`` lines) are skipped as
    both parsers skip them; global flags leave the item before them the one a quantifier
    repeats."""
    verbose = any("x" in flags.group(1) for flags in _FLAG_GROUP.finditer(pattern))
    at, quantified = 0, False
    while at < len(pattern):
        char = pattern[at]
        if verbose and (char.isspace() or char == "#"):
            end = pattern.find("\n", at) if char == "#" else at
            at = len(pattern) if end < 0 else end + 1
        elif char == "\\":
            at, quantified = at + 2, False
        elif char == "[":
            at, quantified = _class_end(pattern, at + 1), False
        elif pattern.startswith("(?#", at):
            end = pattern.find(")", at)
            at, quantified = (len(pattern) if end < 0 else end + 1), False
        elif char in "*+?" or (char == "{" and _REPEAT.match(pattern, at)):
            repeat = _REPEAT.match(pattern, at) if char == "{" else None
            if quantified:
                raise re.error("multiple repeat", pattern, at)
            at, quantified = (repeat.end() if repeat is not None else at + 1), True
            if pattern.startswith("?", at):
                at, quantified = at + 1, False
        elif pattern.startswith("(?", at):
            _refuse_python3_group(pattern, at)
            flags = _FLAG_GROUP.match(pattern, at)
            if flags is None:
                at, quantified = at + 1, False
            else:
                at = flags.end()
        else:
            at, quantified = at + 1, False


def _refuse_python3_group(pattern: str, at: int) -> None:
    follow = pattern[at + 2 : at + 3]
    if follow in (">", "-"):
        raise re.error("unexpected end of pattern", pattern, at)
    if follow.isascii() and follow.isalpha() and follow != "P":
        flags = _FLAG_GROUP.match(pattern, at)
        if flags is None or "a" in flags.group(1):
            raise re.error("unknown extension", pattern, at)
    name = _GROUP_NAME.match(pattern, at)
    if name is not None and not name.group(1).isascii():
        raise re.error(f"bad character in group name {name.group(1)!r}", pattern, at)


def _class_end(pattern: str, at: int) -> int:
    """Where a character class opened before ``at`` ends (after its ``]``): a ``^`` and a
    ``]`` first are members, an escape takes the next character."""
    if pattern.startswith("^", at):
        at += 1
    if pattern.startswith("]", at):
        at += 1
    while at < len(pattern):
        if pattern[at] == "\\":
            at += 2
        elif pattern[at] == "]":
            return at + 1
        else:
            at += 1
    return at


def _as_python2_read(pattern: str, error: re.error) -> str | None:
    """The pattern with what Python 3 refused rewritten as Python 2.7 read it, or None when
    Python 2.7 refused it too."""
    at, message = error.pos, error.msg
    if at is None:
        return None
    escaped = pattern[at + 1 : at + 2]
    if message.startswith("bad escape") and escaped.isascii() and escaped.isalpha():
        return pattern[:at] + pattern[at + 1 :]
    if message.startswith("global flags not at the start"):
        flags = _FLAG_GROUP.match(pattern, at)
        if flags is not None:
            return flags.group() + pattern[:at] + pattern[flags.end() :]
    if message.startswith("bad inline flags: cannot use 'L' flag"):
        flags = _FLAG_GROUP.match(pattern, pattern.rfind("(?", 0, at))
        if flags is not None:
            letters = flags.group(1).replace("L", "")
            kept = f"(?{letters})" if letters else ""
            return pattern[: flags.start()] + kept + pattern[flags.end() :]
    if message.startswith("cannot refer to an open group") and pattern.startswith("(?P=", at - 4):
        return pattern[: at - 4] + "(?:" + pattern[pattern.index(")", at) :]
    if message.startswith("octal escape value"):
        return pattern[:at] + "\\x00" + pattern[at + 4 :]
    if message.startswith("invalid group reference") and pattern.startswith("(?(", at - 3):
        return pattern[: at - 3] + "(?:" + pattern[pattern.index(")", at) + 1 :]
    return None
