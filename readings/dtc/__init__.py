"""What every DTC flow shares, whatever its groups: pure Python, no Django.

- ``lines``: the file's lines, their length limit and decoding (UTF-8, Windows-1252).
- ``items``: a record's items and the parsers of the DTC's item formats.
- ``issues``: ``FlowIssue``, the collected errors and warnings, and ``InvalidFlowFile``.
- ``envelope``: the ZHV header and ZPT trailer (``Header``, ``Trailer``).
- ``reader``: ``FlowReader`` and ``Group``, on which a flow declares its groups.
- ``identifiers``: MPAN cores and meter serial numbers.

A flow (``readings.d0010``) is a ``FlowReader`` subclass with its own records and handlers.
"""

from .envelope import Header, Trailer, is_test_data
from .issues import FieldError, FlowIssue, InvalidFlowFile
from .reader import FlowReader, Group

__all__ = [
    "FieldError",
    "FlowIssue",
    "FlowReader",
    "Group",
    "Header",
    "InvalidFlowFile",
    "Trailer",
    "is_test_data",
]
