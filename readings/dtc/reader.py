"""The reader every DTC flow shares: a flow declares its groups, the reader drives them.

A flow is a subclass of ``FlowReader`` that names its reference and versions and declares its
groups (``Group``: id, name, handler, parent, how often it may occur). The reader streams the
file line by line, checks the ZHV/ZPT envelope, the nesting of the groups and how often each
occurs, and calls the group's handler with its fields. The flow's handlers parse the items and
build its records; at the end of each top-level group the reader asks the flow for the
finished record (``_end_group``) and yields it. It yields the ``Header`` first and the
``Trailer`` last.

Problems are collected (see ``issues``): once the first error is found no more records are
yielded, but reading goes on to find further errors, and ``InvalidFlowFile`` carries them all.
Handlers build records only while ``self._errors`` is empty, and raise ``FieldError`` for an
item that is wrong; structure is followed apart from records, so that it goes on being
checked after a record had errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Set
from contextlib import suppress
from dataclasses import dataclass
from typing import BinaryIO, ClassVar, Generic, TypeVar

from .envelope import Header, Trailer, read_header, read_trailer
from .issues import MAX_ERRORS, FieldError, FlowIssue, IssueLog, StopParsing
from .lines import MAX_LINE_LENGTH, Lines, decode, not_text

RecordT = TypeVar("RecordT")
Handler = Callable[[list[str], int], None]


@dataclass(frozen=True, slots=True)
class Group:
    """One group of a flow, as the flow's definition gives it.

    ``name`` words it in messages (``028 meter group outside any 026 group``); ``noun`` is
    what its children call it (``a second 032 … for the same reading``; the name by default).
    ``parent`` is the id of the group it belongs under (None at the top); ``required``: every
    parent has at least one; ``once``: a parent has at most one.
    """

    id: str
    name: str
    handler: Handler
    parent: str | None = None
    required: bool = False
    once: bool = False
    noun: str = ""


class _Node:
    """A group placed in its flow's tree, with what the record loop needs at hand.

    An open group stands for the nesting state: the groups open above it are its ancestors,
    and ``table`` maps each group id that may come next to its node (an id missing from it is
    a group outside its parent).
    """

    __slots__ = (
        "closes_required",
        "container",
        "counted",
        "depth",
        "group",
        "handler",
        "last_parent_line",
        "once",
        "open_line",
        "outside",
        "parent",
        "required",
        "required_above",
        "second",
        "special",
        "table",
        "top",
    )

    def __init__(self, group: Group, parent: _Node | None) -> None:
        self.group = group
        self.handler = group.handler
        self.parent = parent
        self.top = parent is None
        self.depth: int = 0 if parent is None else parent.depth + 1
        self.container = False  # may any group come under it
        self.table: dict[str, _Node] = {}  # for a container: the ids that may come under it
        self.required: list[_Node] = []  # the children it must have
        self.required_above: tuple[_Node, ...] = ()  # it and its ancestors with required ones
        self.closes_required = False  # may opening it close a group that must have a child
        self.once = group.once
        self.counted = group.required or group.once  # is it looked for under its parent
        self.open_line = 0  # for a container: the line it was last opened on
        # The line of the parent it was last seen under: line numbers tell parents apart.
        self.last_parent_line = 0
        self.special = False  # is there more to check than its place (set from the above)
        self.outside = ""
        self.second = ""
        if parent is not None:
            above = parent.group
            self.outside = f"{group.id} {group.name} outside any {above.id} {above.name}"
            self.second = (
                f"a second {group.id} {group.name} for the same {above.noun or above.name}"
            )

    def ancestry(self) -> Iterator[_Node]:
        """This group and the groups above it, innermost first."""
        node: _Node | None = self
        while node is not None:
            yield node
            node = node.parent


class FlowReader(Generic[RecordT]):
    """Iterate over a flow file's records: ``Header``, one ``RecordT`` per top-level group,
    ``Trailer``. See the module docstring; a flow sets ``REFERENCE`` and ``VERSIONS`` and
    implements ``_groups`` and ``_end_group``.

    ``bytes_read`` tells how far into the stream the reader has got (for progress bars);
    ``warnings`` holds what was tolerated, and is complete once iteration has finished.
    """

    REFERENCE: ClassVar[str]  # "D0010"
    VERSIONS: ClassVar[Set[str]]  # {"002"}

    def __init__(
        self,
        stream: BinaryIO,
        *,
        file_name: str,
        max_errors: int = MAX_ERRORS,
        max_line_length: int = MAX_LINE_LENGTH,
    ) -> None:
        self.file_name = file_name
        self._log = IssueLog(file_name, max_errors=max_errors)
        self._errors = self._log.errors
        self._lines = Lines(
            stream, max_length=max_line_length, log=self._log, flow_reference=self.REFERENCE
        )
        self._header: Header | None = None
        self._trailer: Trailer | None = None
        # Set by a flow's handler when the open group holds as much as it may: yielded next.
        self._part: RecordT | None = None
        self._nodes = _place(self._groups())
        self._top_table = {node.group.id: node for node in self._nodes.values() if node.top}
        self._flow_groups = " or ".join(self._top_table)
        self._group_ids = sorted(self._nodes)

    # -- what a flow supplies ---------------------------------------------------------------

    def _groups(self) -> tuple[Group, ...]:
        """The flow's groups, each after its parent, with their handlers."""
        raise NotImplementedError

    def _end_group(self) -> RecordT | None:
        """The top-level group just ended: its finished record, or None when there is none to
        yield (no group was open, or the file has errors: then forget what was open)."""
        raise NotImplementedError

    # -- public -----------------------------------------------------------------------------

    @property
    def bytes_read(self) -> int:
        return self._lines.bytes_read

    @property
    def warnings(self) -> list[FlowIssue]:
        return self._log.warnings

    @property
    def warnings_left_out(self) -> int:
        return self._log.warnings_left_out

    def __iter__(self) -> Iterator[Header | RecordT | Trailer]:
        with suppress(StopParsing):
            yield from self._records()
        self._log.raise_if_invalid()

    # -- for the flow's handlers ------------------------------------------------------------

    def _warn(self, line_number: int | None, field: str | None, reason: str) -> None:
        self._log.warn(line_number, field, reason)

    def _quirk(self, kind: str, line_number: int) -> None:
        self._log.quirk(kind, line_number)

    # -- the record loop --------------------------------------------------------------------

    def _records(self) -> Iterator[Header | RecordT | Trailer]:
        log = self._log
        errors = self._errors
        nodes = self._nodes
        # The nesting state: the innermost open group (None before the first), and the groups
        # that may come next. It is followed apart from records, so that it goes on being
        # checked after a record had errors.
        state: _Node | None = None
        table = self._top_table
        group_count = 0  # every record between ZHV and ZPT
        flow_count = 0  # every top-level group
        blank_lines: list[int] = []
        lines = iter(self._lines)
        for line_number, raw in lines:  # up to the header, the first line that is not blank
            if not raw.strip():
                blank_lines.append(line_number)
                continue
            reason = not_text(raw, self.REFERENCE)
            if reason is not None:
                log.error(line_number, None, reason)
                raise StopParsing
            text = decode(raw, line_number, log)
            if text is None:
                raise StopParsing
            self._header = read_header(
                text, line_number, reference=self.REFERENCE, versions=self.VERSIONS, log=log
            )
            if not errors:
                yield self._header
            break
        trailer: Trailer | None = None
        for line_number, raw in lines:
            if not raw.strip():
                blank_lines.append(line_number)
                continue
            text = decode(raw, line_number, log)
            readable = text is not None
            if text is None:
                if trailer is not None or raw.split(b"|", 1)[0].decode("latin-1") not in nodes:
                    group_count += trailer is None  # a record all the same
                    continue
                # A group all the same: follow its place in the structure so that its
                # children are not reported as orphans, but do not report its items again.
                text = raw.decode("latin-1")
            if trailer is not None:
                log.error(line_number, None, "content after the ZPT trailer")
                continue
            fields = text.split("|")
            tag = fields[0]
            node = table.get(tag)
            if node is not None:
                group_count += 1
                completed = None
                try:
                    if node.special:  # the nesting checks, inline: this runs for most lines
                        if node.top:
                            if state is not None and state.required_above:
                                self._close_groups(state, 0)
                            completed = self._end_group()
                            state = None
                            table = self._top_table
                            flow_count += 1
                        elif node.counted and node.parent is not None:
                            parent_line = node.parent.open_line
                            if node.last_parent_line != parent_line:
                                node.last_parent_line = parent_line
                            elif node.once:
                                raise FieldError("Group", node.second)
                        if node.closes_required:
                            self._close_groups(state, node.depth)
                    if node.container:
                        node.open_line = line_number
                        state = node
                        table = node.table
                    node.handler(fields, line_number)
                except FieldError as error:
                    if readable:
                        log.error(line_number, error.field, error.reason)
                    continue
                if completed is not None and not errors:
                    yield completed
                part = self._part
                if part is not None:  # a part of a top-level group too large to hold whole
                    self._part = None
                    if not errors:
                        yield part
            elif tag == "ZPT":
                completed = self._end_groups(state)
                state = None
                table = self._top_table
                if completed is not None and not errors:
                    yield completed
                assert self._header is not None  # noqa: S101 - read before any other record
                trailer = self._trailer = read_trailer(
                    fields,
                    line_number,
                    header=self._header,
                    group_count=group_count,
                    flow_count=flow_count,
                    flow_groups=self._flow_groups,
                    log=log,
                )
            else:
                # Every record between ZHV and ZPT counts, known or not, so that one bad line
                # is not reported a second time as a wrong total.
                group_count += 1
                misplaced = nodes.get(tag)
                if misplaced is not None:
                    if readable:
                        log.error(line_number, "Group", misplaced.outside)
                elif tag == "ZHV":
                    log.error(line_number, None, "a second ZHV header inside the file")
                else:
                    self._unknown_group(tag, line_number)
        self._finish(blank_lines, state)
        if self._trailer is not None and not errors:
            yield self._trailer

    # -- nesting ----------------------------------------------------------------------------

    def _close_groups(self, state: _Node | None, depth: int) -> None:
        """Close the groups open at ``depth`` and deeper, saying which lack a required child."""
        if state is None:
            return
        for node in state.required_above:
            if node.depth < depth:
                break
            for child in node.required:
                if child.last_parent_line != node.open_line:
                    self._log.error(
                        node.open_line,
                        "Group",
                        f"the {node.group.id} {node.group.name} has no "
                        f"{child.group.id} {child.group.name}",
                    )

    def _end_groups(self, state: _Node | None) -> RecordT | None:
        """End the open top-level group (if any): check it, and ask the flow for its record."""
        self._close_groups(state, 0)
        return self._end_group()

    def _unknown_group(self, tag: str, line_number: int) -> None:
        ids = self._group_ids
        if len(tag) == len(ids[0]) and tag.isascii() and tag.isdigit() and ids[0] < tag < ids[-1]:
            reason = f"there is no group {tag} in {self.REFERENCE}"
        else:
            shown = tag if len(tag) <= 10 else tag[:10] + "…"
            listed = ", ".join(ids[:-1]) + f" and {ids[-1]}" if len(ids) > 1 else ids[0]
            reason = f"unknown group '{shown}' ({self.REFERENCE} has groups {listed})"
        self._log.error(line_number, "Group", reason)

    def _finish(self, blank_lines: list[int], state: _Node | None) -> None:
        log = self._log
        if self._header is None:
            if not self._errors:
                log.error(None, None, "the file is empty")
            return
        if self._trailer is None:
            self._end_groups(state)
            log.error(None, None, "the file ends without a ZPT trailer")
            return
        inner_blank = [n for n in blank_lines if n < self._trailer.line_number]
        if inner_blank:
            log.warn(inner_blank[0], None, f"{len(inner_blank)} blank line(s) ignored")
        log.warn_quirks()


def _place(groups: tuple[Group, ...]) -> dict[str, _Node]:
    """The flow's groups by id, each placed under its parent, with the tables of what may
    come under each."""
    nodes: dict[str, _Node] = {}
    for group in groups:
        if group.id in ("ZHV", "ZPT"):
            raise ValueError(f"{group.id} is the envelope's, not a group of the flow")
        if group.id in nodes:
            raise ValueError(f"group {group.id} is declared twice")
        parent = None
        if group.parent is not None:
            parent = nodes.get(group.parent)
            if parent is None:
                raise ValueError(f"group {group.id} comes before its parent {group.parent}")
            parent.container = True
        elif group.required or group.once:
            raise ValueError(f"group {group.id} is at the top: nothing to count it in")
        node = nodes[group.id] = _Node(group, parent)
        if parent is not None and group.required:
            parent.required.append(node)
    for node in nodes.values():
        if node.container:
            above = set(node.ancestry())
            node.table = {
                id_: other
                for id_, other in nodes.items()
                if other.parent is None or other.parent in above
            }
            # Opening it closes the open groups at its depth and deeper: is any of them one
            # that must have a child (checked then)?
            node.closes_required = not node.top and any(
                other.required for other in nodes.values() if other.depth >= node.depth
            )
        node.required_above = tuple(above for above in node.ancestry() if above.required)
        node.special = node.top or node.counted or node.closes_required
    return nodes
