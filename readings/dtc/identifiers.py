"""MPAN cores and meter serial numbers: validation and the normal forms used for search."""

from __future__ import annotations

import operator
import re
from functools import lru_cache

_MPAN_PRIMES = (3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43)
_AMSID_WITHOUT_CHECK_DIGIT_PREFIX = "78"
_WHITESPACE = re.compile(r"\s+")


def mpan_check_digit(first_twelve: str) -> int:
    """The check digit of an MPAN core from its first 12 digits (primes 3…43, 11 skipped)."""
    if len(first_twelve) != len(_MPAN_PRIMES):
        raise ValueError(f"an MPAN check digit is computed from 12 digits, not {first_twelve!r}")
    weighted: int = sum(map(operator.mul, _MPAN_PRIMES, map(int, first_twelve)))
    return weighted % 11 % 10


def has_check_digit(core: str) -> bool:
    """AMSIDs starting ``78`` carry no check digit; every other 13-digit core does."""
    return not core.startswith(_AMSID_WITHOUT_CHECK_DIGIT_PREFIX)


def is_mpan_shaped(core: str) -> bool:
    """13 ASCII digits: what an MPAN core looks like, its check digit aside."""
    return len(core) == 13 and core.isascii() and core.isdigit()


def mpan_core_problem(core: str) -> str | None:
    """Why ``core`` is not an MPAN core (``an MPAN core is 13 digits``, or what its check digit
    should be), or None when it is one."""
    if not is_mpan_shaped(core):
        return "an MPAN core is 13 digits"
    expected = mpan_check_digit(core[:12])
    if has_check_digit(core) and expected != int(core[12]):
        return f"its check digit is {core[12]}, where its first 12 digits give {expected}"
    return None


def is_valid_mpan_core(core: str) -> bool:
    """13 ASCII digits whose last is the check digit (not checked for ``78…`` AMSIDs)."""
    return mpan_core_problem(core) is None


def serial_search_key(serial: str) -> str:
    """How a serial is matched in searches: with no white space, each letter in upper case.

    ``F75A 00802``, ``f75a00802`` and ``F75A  00802`` all give ``F75A00802``. The serial itself
    is stored exactly as the file gives it; only this key is normalised.

    The key is never longer than the serial, so that it fits the serial's column (10) on every
    database: a letter whose upper case is more than one character keeps one (``ß``, whose upper
    case is ``SS``, stays ``ß``, and the capital ``ẞ`` becomes ``ß`` too; the ligature ``ﬁ`` stays
    as it is). The key is made here, in Python, never by the database, whose upper case differs
    (SQLite's changes ASCII letters only).
    """
    text = _WHITESPACE.sub("", serial)
    if text.isascii():
        return text.upper()
    return "".join(map(_key_letter, text))


@lru_cache(maxsize=4096)
def _key_letter(letter: str) -> str:
    """One character of a key: the upper case of its lower case, each if one character long."""
    lower = letter.lower()
    if len(lower) != 1:  # İ, whose lower case is i and a combining dot
        lower = letter
    upper = lower.upper()
    return upper if len(upper) == 1 else lower


def mpan_search_key(text: str) -> str:
    """An MPAN as people paste it (``12 0002 3305 967``) reduced to its digits."""
    return _WHITESPACE.sub("", text)
