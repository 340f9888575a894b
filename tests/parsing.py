"""A whole D0010 file parsed into memory, for tests; the parser itself streams."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from readings.d0010 import D0010Parser
from readings.d0010.records import MeterPointGroup, RegisterReading
from readings.dtc import FlowIssue, Header, Trailer


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedFlow:
    header: Header
    groups: tuple[MeterPointGroup, ...]
    trailer: Trailer
    warnings: tuple[FlowIssue, ...]

    @property
    def readings(self) -> tuple[RegisterReading, ...]:
        return tuple(r for g in self.groups for m in g.meters for r in m.readings)


def parse_stream(stream: BinaryIO, *, file_name: str) -> ParsedFlow:
    """Parse a whole stream into memory; raises ``InvalidFlowFile``."""
    parser = D0010Parser(stream, file_name=file_name)
    header: Header | None = None
    trailer: Trailer | None = None
    groups: list[MeterPointGroup] = []
    for record in parser:
        if isinstance(record, Header):
            header = record
        elif isinstance(record, Trailer):
            trailer = record
        else:
            groups.append(record)
    assert header is not None  # else the parser raised
    assert trailer is not None
    return ParsedFlow(
        header=header, groups=tuple(groups), trailer=trailer, warnings=tuple(parser.warnings)
    )


def parse_file(path: Path) -> ParsedFlow:
    """Parse a file on disk into memory; raises ``InvalidFlowFile``."""
    with path.open("rb") as stream:
        return parse_stream(stream, file_name=path.name)
