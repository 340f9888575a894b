"""Problems found in a flow file: collected line by line, then raised together.

Once the first error is found a reader yields no more records, but goes on to find further
errors (up to ``max_errors``); then ``InvalidFlowFile`` carries all of them. Tolerated quirks
become warnings (up to ``MAX_WARNINGS``; ``warnings_left_out`` counts the rest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ERRORS = 50
MAX_WARNINGS = 100
_LONG_QUOTED_VALUE = re.compile(r"'([^']{40})[^']{2,}'")


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowIssue:
    """One problem found in a file: where it is and, in plain words, what is wrong."""

    file_name: str
    line_number: int | None  # None for problems of the file as a whole
    field: str | None  # the item's name, e.g. "Register Reading (J0040)"
    reason: str

    @property
    def brief(self) -> str:
        """Where and why, without the file's name: ``line 4, Register Reading (J0040): …``,
        or only why for the whole file: ``the file ends without a ZPT trailer``."""
        where = [f"line {self.line_number}"] if self.line_number is not None else []
        where += [self.field] if self.field else []
        return f"{', '.join(where)}: {self.reason}" if where else self.reason

    def __str__(self) -> str:
        return f"{self.file_name}: {self.brief}"


class InvalidFlowFile(Exception):
    """A file that is not a valid flow. ``issues`` says where and why, line by line."""

    def __init__(self, file_name: str, issues: tuple[FlowIssue, ...], *, truncated: bool = False):
        self.file_name = file_name
        self.issues = issues
        self.truncated = truncated
        first = issues[0] if issues else None
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"{first}{more}" if first else f"{file_name}: invalid flow file")


class FieldError(Exception):
    """One item (or the place) of one record is wrong; the reader makes it a ``FlowIssue``."""

    def __init__(self, field: str | None, reason: str):
        super().__init__(reason)
        self.field = field
        self.reason = reason


class StopParsing(Exception):
    """The file cannot be read any further in a meaningful way."""


class IssueLog:
    """The errors, warnings and tolerated quirks of one file, in the order they were found."""

    def __init__(self, file_name: str, *, max_errors: int = MAX_ERRORS) -> None:
        self.file_name = file_name
        self.errors: list[FlowIssue] = []
        self.warnings: list[FlowIssue] = []
        self.warnings_left_out = 0
        self.truncated = False
        self._max_errors = max_errors
        self._quirk_lines: dict[str, list[int]] = {}
        self._quirk_counts: dict[str, int] = {}

    def error(self, line_number: int | None, field: str | None, reason: str) -> None:
        """Note an error; raises ``StopParsing`` once there are ``max_errors``."""
        # A value quoted in the reason is cut short: a long line is not echoed back whole.
        reason = _LONG_QUOTED_VALUE.sub(r"'\1…'", reason)
        self.errors.append(
            FlowIssue(file_name=self.file_name, line_number=line_number, field=field, reason=reason)
        )
        if len(self.errors) >= self._max_errors:
            self.truncated = True
            self.errors.append(
                FlowIssue(
                    file_name=self.file_name,
                    line_number=None,
                    field=None,
                    reason=f"stopped after {self._max_errors} errors",
                )
            )
            raise StopParsing

    def warn(self, line_number: int | None, field: str | None, reason: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(
                FlowIssue(
                    file_name=self.file_name, line_number=line_number, field=field, reason=reason
                )
            )
        else:
            self.warnings_left_out += 1

    def quirk(self, kind: str, line_number: int) -> None:
        """Note a tolerated quirk; reported once per kind, with its first lines, at the end."""
        first_lines = self._quirk_lines.setdefault(kind, [])
        if len(first_lines) < 3:
            first_lines.append(line_number)
        self._quirk_counts[kind] = self._quirk_counts.get(kind, 0) + 1

    def warn_quirks(self) -> None:
        """One warning per kind of quirk noted, with its first lines and how many more."""
        for kind, lines in self._quirk_lines.items():
            shown = ", ".join(str(n) for n in lines)
            left = self._quirk_counts[kind] - len(lines)
            more = f" and {left} more" if left else ""
            self.warn(lines[0], None, f"{kind} on line(s) {shown}{more}; tolerated")

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise InvalidFlowFile(self.file_name, tuple(self.errors), truncated=self.truncated)
