"""What an export of the reading list holds, in words for its page and in its file's name."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.contrib.admin.views.main import ChangeList

from readings import queries

from .filters import FlowFileFilter, MeterFilter, MeterPointFilter, ReadAtRangeFilter
from .filters import ReadDateFilter as _ReadDate

_UNSAFE = re.compile(r"[^A-Za-z0-9]+")
_NAME_PART = 40  # characters of one part of a file name at most


def describe_scope(changelist: ChangeList) -> str:
    """``search 1400077200517; read date: 2024; type: C: Customer own read``, or ``every
    reading`` for the whole list: the search and each chosen filter, as the list shows them."""
    parts = []
    if changelist.query:
        parts.append(f"search “{changelist.query.strip()}”")
    for spec in changelist.filter_specs:
        if not spec.used_parameters:
            continue
        chosen = getattr(spec, "description", None)
        if not isinstance(chosen, str):
            chosen = next(
                (str(c["display"]) for c in spec.choices(changelist) if c["selected"]), ""
            )
        if chosen:
            parts.append(f"{spec.title}: {chosen}")
    return "; ".join(parts) or "every reading, with no search or filter"


def _part(text: str) -> str:
    return _UNSAFE.sub("-", text).strip("-")[:_NAME_PART]


def export_file_stem(parameters: Mapping[str, str]) -> str:
    """``readings-1400077200517-2024``: ``readings``, then the MPAN or serial searched, the
    read date or range, and the flow file, meter point or meter chosen, as file-name-safe
    text (letters, digits and dashes only)."""
    parts = ["readings"]
    key = queries.search_key(parameters.get("q", ""))
    if key is not None and (key.mpan or key.serial_key):
        parts.append(key.mpan or key.serial_key or "")
    read_date = parameters.get(_ReadDate.parameter_name, "")
    if read_date:
        parts.append(read_date)
    for name in (ReadAtRangeFilter.from_parameter, ReadAtRangeFilter.to_parameter):
        if parameters.get(name):
            parts.append(f"{name.removeprefix('read_')}-{parameters[name]}")
    for label, chosen in (
        ("file", FlowFileFilter),
        ("point", MeterPointFilter),
        ("meter", MeterFilter),
    ):
        if parameters.get(chosen.parameter_name):
            parts.append(f"{label}{parameters[chosen.parameter_name]}")
    return "-".join(filter(None, (_part(p) for p in parts)))
