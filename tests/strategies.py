"""Hypothesis strategies for fuzzing: valid D0010 files and the ways they get broken.

``mutated_files()`` starts from a valid file and applies a few mutations: byte flips,
insertions and deletions, whole lines duplicated, dropped or swapped, one item replaced by an
awkward value, other line endings. Because most line-level changes would only ever be caught by
the trailer's group count, a mutation may also put the count right again, so that the fuzzing
reaches the checks behind it (structure, items, the database).
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from tests.conftest import EVERY_GROUP, OFFICIAL_SAMPLE
from tests.factories import flow_file

SEEDS: tuple[bytes, ...] = (
    OFFICIAL_SAMPLE.read_bytes(),
    EVERY_GROUP.read_bytes(),
    EVERY_GROUP.read_bytes().replace(b"\n", b"\r\n"),
    flow_file(readings=5, registers_per_meter=2),
)

# Values that sit on or just over the edge of what an item allows, and plain junk.
AWKWARD_VALUES: tuple[str, ...] = (
    "",
    " ",
    "0",
    "-1",
    "1.25",
    "1.",
    ".5",
    "1e3",
    "NaN",
    "999999999.9",
    "9999999999",
    "1200012345670",
    "7800000000001",
    "120001234567",
    "20230230000000",
    "20240331013000",
    "20241027013000",
    "19000101000000",
    "21991231235959",
    "2024-04-03",
    "O",
    "X",
    "Q",
    "Y",
    "W",
    "12",
    "99",
    "T",
    "F",
    "N",
    "P",
    "OPER",
    "TR01",
    "D0010001",
    "D0086001",
    "ZHV",
    "ZPT",
    "026",
    "031",
    "A" * 11,
    "A" * 201,
    "9" * 3000,
    "K98A 12345",
    "é",
    "€",
    "\ufeff",
    "\x00",
    "\x1f",
    "\x85",
    "|",
    "\r",
    "\n",
)

Mutation = Callable[[bytes], bytes]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _join(lines: list[bytes]) -> bytes:
    return b"\n".join(lines)


@st.composite
def _byte_mutation(draw: st.DrawFn) -> Mutation:
    kind = draw(st.sampled_from(["flip", "insert", "delete"]))
    where = draw(st.floats(min_value=0, max_value=1))
    if kind == "flip":
        mask = draw(st.integers(min_value=1, max_value=255))

        def flip(data: bytes) -> bytes:
            if not data:
                return data
            at = int(where * (len(data) - 1))
            return data[:at] + bytes([data[at] ^ mask]) + data[at + 1 :]

        return flip
    if kind == "insert":
        inserted = draw(st.binary(min_size=1, max_size=16))
        return lambda data: (
            data[: int(where * len(data))] + inserted + data[int(where * len(data)) :]
        )
    length = draw(st.integers(min_value=1, max_value=32))
    return lambda data: data[: int(where * len(data))] + data[int(where * len(data)) + length :]


@st.composite
def _line_mutation(draw: st.DrawFn) -> Mutation:
    kind = draw(st.sampled_from(["duplicate", "drop", "swap"]))
    first = draw(st.floats(min_value=0, max_value=1))
    second = draw(st.floats(min_value=0, max_value=1))

    def mutate(data: bytes) -> bytes:
        lines = _lines(data)
        i, j = int(first * (len(lines) - 1)), int(second * (len(lines) - 1))
        if kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "drop":
            del lines[i]
        else:
            lines[i], lines[j] = lines[j], lines[i]
        return _join(lines)

    return mutate


@st.composite
def _field_mutation(draw: st.DrawFn) -> Mutation:
    line = draw(st.floats(min_value=0, max_value=1))
    item = draw(st.integers(min_value=0, max_value=12))
    value = draw(st.sampled_from(AWKWARD_VALUES) | st.text(max_size=24))
    encoding = draw(st.sampled_from(["utf-8", "cp1252"]))

    def mutate(data: bytes) -> bytes:
        lines = _lines(data)
        at = int(line * (len(lines) - 1))
        fields = lines[at].split(b"|")
        fields[min(item, len(fields) - 1)] = value.encode(encoding, errors="replace")
        lines[at] = b"|".join(fields)
        return _join(lines)

    return mutate


def _recount(data: bytes) -> bytes:
    """Put the trailer's group count right for the lines now between ZHV and ZPT."""
    lines = _lines(data)
    for at in range(len(lines) - 1, -1, -1):
        if lines[at].startswith(b"ZPT|"):
            groups = sum(1 for line in lines[1:at] if line.strip(b"\r"))
            fields = lines[at].split(b"|")
            if len(fields) > 2:
                fields[2] = str(groups).encode()
                lines[at] = b"|".join(fields)
            break
    return _join(lines)


@st.composite
def _ending_mutation(draw: st.DrawFn) -> Mutation:
    ending = draw(st.sampled_from([b"\r\n", b"\r", b""]))
    return lambda data: data.replace(b"\n", ending) if ending else data.rstrip(b"\n")


def mutations() -> st.SearchStrategy[Mutation]:
    return st.one_of(
        _byte_mutation(),
        _line_mutation(),
        _field_mutation(),
        _ending_mutation(),
        st.just(_recount),
    )


@st.composite
def mutated_files(draw: st.DrawFn) -> bytes:
    """A valid file with one to five mutations applied, in order."""
    data = draw(st.sampled_from(SEEDS))
    for mutate in draw(st.lists(mutations(), min_size=1, max_size=5)):
        data = mutate(data)
    return data


@st.composite
def d0010_like_files(draw: st.DrawFn) -> bytes:
    """Lines that look like D0010 records, with items from the awkward values: structured
    garbage, to reach further into the parser than random bytes do."""
    tags = st.sampled_from(["026", "027", "028", "029", "030", "032", "033", "031", "ZPT", "ZHV"])
    items = st.lists(st.sampled_from(AWKWARD_VALUES) | st.text(max_size=12), max_size=9)
    body = draw(st.lists(st.tuples(tags, items), max_size=30))
    header = "ZHV|0000000001|D0010002|D|DCAA|X|SUPA|20240405093015||||OPER|"
    lines = [header, *("|".join([tag, *values, ""]) for tag, values in body)]
    if draw(st.booleans()):
        lines.append(f"ZPT|0000000001|{len(body)}||1|20240405093016|")
    return "\n".join(lines).encode(draw(st.sampled_from(["utf-8", "cp1252"])), errors="replace")
