"""One error family for input that cannot be used, and the one way to show it.

Every problem a user can cause (a data file, a scenario, a sweep design, settings that cannot
make a model) raises a subclass of :class:`SimError` whose message is one line naming what is
wrong and where. The CLI prints ``one_line(error)`` and exits with status 2; the app shows the
same line.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "DataError",
    "ModelError",
    "ScenarioError",
    "SimError",
    "SweepError",
    "one_line",
    "validation_message",
]


class SimError(ValueError):
    """Input that cannot be used; the message names what is wrong and where, on one line
    (``one_line``: a line break or an escape code inside a quoted cell or key of an input file
    is shown, not passed on)."""

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], str):
            args = (one_line(args[0]),)
        super().__init__(*args)


class DataError(SimError):
    """A data file is missing, malformed or fails validation."""


class ScenarioError(SimError):
    """A scenario file or override that cannot be used (names the file and the key)."""


class ModelError(SimError):
    """Parameters that cannot make a model (stated as the rule that was broken)."""


class SweepError(SimError):
    """A sweep design, output folder or analysis request that cannot be used."""


# C0 and C1 control characters, DEL, and the invisible format characters that reorder or hide
# text (bidirectional overrides and isolates, zero-width characters, the byte-order mark): an
# escape code, a NUL or a right-to-left override from an input file must not reach the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def one_line(message: object) -> str:
    """The message on one line: whitespace runs become one space; control and invisible
    format characters are shown as escapes (``\\x1b``, ``\\u202e``)."""
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), str(message))
    return " ".join(text.split())


def validation_message(error: Any, origin: str, key: str, known: Iterable[str] = ()) -> str:
    """One line for a pydantic validation error of a TOML file (a scenario, a design).

    Args:
        error: one entry of ``ValidationError.errors()``.
        origin: the file or upload it came from.
        key: the dotted key as the user wrote it.
        known: the keys allowed where an unknown one was found (for a "did you mean").
    """
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(str(error["loc"][-1]), list(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{origin}: unknown key {key!r}{hint}"
    if error["type"] == "missing":
        return f"{origin}: missing required key {key!r}"
    message = error["msg"].removeprefix("Value error, ")
    if not key:  # a rule across several keys: the message names them
        return f"{origin}: {message}"
    value = error.get("input")
    shown = (
        "table" if isinstance(value, dict) else "list" if isinstance(value, list) else repr(value)
    )
    return f"{origin}: key {key!r} = {shown[:60]}: {message}"
