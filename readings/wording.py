"""Counts in messages and pages, in words: "1 reading", "13 readings"; names from outside, as
they may be shown."""

from __future__ import annotations

import ntpath
import posixpath


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` followed by ``singular``, or by ``plural`` (``singular`` + "s") unless it is 1."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def content_counts(*, meter_points: int, meters: int, readings: int, site_visits: int) -> str:
    """What an import brought, in words (``ImportResult.contents``)."""
    return ", ".join(
        (
            counted(meter_points, "meter point"),
            counted(meters, "meter"),
            counted(readings, "reading"),
            counted(site_visits, "site visit"),
        )
    )


def printable(text: str) -> str:
    """``text`` as it may be shown on one line of a terminal, a log or a page: every character
    that is not printable escaped as Python writes it (``\\n``, ``\\x1b``, ``\\u2028``).

    File names come from outside: a name holding a line break, a carriage return, a
    terminal's escape sequence, a Unicode line or paragraph separator or a direction override
    could otherwise print lines that look like the service's own (``imported …``,
    ``Summary: …``) or hide what follows. Letters of any script, punctuation, symbols and the
    ordinary space are printable and shown as they are; so is a backslash.
    """
    if text.isprintable():
        return text
    return "".join(
        character if character.isprintable() else _escaped(character) for character in text
    )


_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(character: str) -> str:
    code = ord(character)
    if character in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[character]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def counted_up_to(count: int, cap: int, singular: str, plural: str | None = None) -> str:
    """A count that was only counted up to ``cap``, in words, the same on every page:
    ``1,234 readings``, or ``more than 10,000 readings`` past the cap."""
    many = plural or singular + "s"
    if count > cap:
        return f"more than {cap:,} {many}"
    return f"{count:,} {singular if count == 1 else many}"


def uploaded_name(client_name: str | None) -> str:
    """The base name of what a browser or client sent as an uploaded file's name, at most 255
    characters: for messages and the flow file's name only, never used as a path."""
    name = ntpath.basename(posixpath.basename(client_name or ""))
    return name[:255] or "unnamed file"
