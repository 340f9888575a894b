"""The columns of a table a batch writes, declared once: each model field and what fills it.

A ``Table`` maps each field it writes to a value:

- ``Item("reading.value", convert=str)``: an item of the batch's JSON rows, read from the
  parsed records the table's rows are made of (``rows_of``: ``group``, ``meter``, ``reading``
  ...). A ``?`` after a name says that it may be ``None``; the item is then ``missing``.
- ``FLOW_FILE``: the id of the file being imported, a parameter of the statement.
- ``Lookup(Model, select="id", key=value, ...)``: a column of the row found by a unique key,
  inside the database (a scalar subquery, looked up on the key's index).
- ``When(item, equals=..., then=value)``: ``then`` where the item equals a constant, else NULL.

Both sides of a batch derive from that declaration:

- ``Table.row`` makes one JSON row from the records. It is a function generated once, when the
  table is declared, from the items' paths: preparing a row costs what a hand-written list
  literal costs (a loop over the items, calling a getter each, cost about 60 % more, in the
  thread that also parses).
- ``Table.statement`` writes the ``INSERT ... SELECT`` that reads the rows back out of the JSON
  array, with every item at its index and cast to its column's type.

The items' order in a row is the order in which the columns first use them.
"""

from __future__ import annotations

import enum
import keyword
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model

from ._database import JsonRows

RowFunction = Callable[..., tuple[object, ...]]


class Stored(enum.Enum):
    """A conversion that depends on the database: the row function is given it as an argument
    of this name."""

    DATETIME = "datetime_text"  # how the database stores a datetime, as text


@dataclass(frozen=True, slots=True)
class Item:
    """One item of a JSON row: where in the records it is, and how it is written."""

    path: str
    convert: Callable[[Any], object] | Stored | None = None
    missing: str | None = None  # the item when a name marked ``?`` is None

    def python(self, roots: tuple[str, ...], convert_name: str, *, converted: bool) -> str:
        """The item as a Python expression over ``roots``; a converter that is not ``Stored``
        is called by ``convert_name``."""
        names: list[str] = []
        guards: list[str] = []
        for part in self.path.split("."):
            name = part.removesuffix("?")
            if not name.isidentifier() or keyword.iskeyword(name):
                raise ValueError(f"{self.path!r}: {part!r} is not an attribute name")
            names.append(name)
            if part.endswith("?"):
                guards.append(f"{'.'.join(names)} is not None")
        if names[0] not in roots:
            raise ValueError(f"{self.path!r} starts from none of {roots}")
        expression = ".".join(names)
        if converted and self.convert is not None:
            function = self.convert.value if isinstance(self.convert, Stored) else convert_name
            expression = f"{function}({expression})"
        if guards:
            expression = f"({expression} if {' and '.join(guards)} else {self.missing!r})"
        return expression


class _FlowFileId:
    def __repr__(self) -> str:
        return "FLOW_FILE"


FLOW_FILE = _FlowFileId()  # the id of the flow file being imported


class Lookup:
    """The ``select`` column of the ``model`` row whose ``key`` fields have these values."""

    __slots__ = ("key", "model", "select")

    def __init__(self, model: type[Model], *, select: str = "id", **key: Value) -> None:
        self.model = model
        self.select = select
        self.key = tuple(key.items())


@dataclass(frozen=True, slots=True)
class When:
    """``then`` for rows whose ``item`` equals ``equals``; NULL for the others."""

    item: Item
    equals: str
    then: Value


Value = Item | _FlowFileId | Lookup | When


@dataclass(frozen=True, slots=True)
class Statement:
    """One table's ``INSERT ... SELECT``: its SQL, and its parameters before the rows' JSON
    (``FLOW_FILE`` where the file's id goes)."""

    sql: str
    parameters_before_rows: tuple[str | _FlowFileId, ...]

    def parameters(self, flow_file_id: int, rows: str) -> list[int | str]:
        before = self.parameters_before_rows
        return [*(flow_file_id if isinstance(p, _FlowFileId) else p for p in before), rows]


class Table:
    """A table a batch writes: the records each of its rows is made of, and its columns."""

    def __init__(
        self,
        model: type[Model],
        *,
        rows_of: tuple[str, ...],
        columns: Mapping[str, Value],
        shared: bool = False,
    ) -> None:
        self.model = model
        self.rows_of = rows_of
        self.columns = dict(columns)
        self.shared = shared  # rows shared between files: ON CONFLICT DO NOTHING
        items: list[Item] = []
        for value in self.columns.values():
            items.extend(item for item in _items(value) if item not in items)
        self.items = tuple(items)
        name = model._meta.model_name
        self.row = _row_function(f"{name}_row", rows_of, self.items, converted=True)
        # The records' own values, unconverted: what the database must give back.
        self.parsed_row = _row_function(f"parsed_{name}_row", rows_of, self.items, converted=False)

    @property
    def copied(self) -> dict[str, int]:
        """The fields filled straight from the records, with their item's index in a row."""
        return {
            name: self.items.index(value)
            for name, value in self.columns.items()
            if isinstance(value, Item)
        }

    def statement(self) -> Statement:
        """The ``INSERT ... SELECT`` of this table's rows, on the connection's database."""
        rows = JsonRows()
        sql = _Sql(rows, self.items)
        fields = {name: _field(self.model, name) for name in self.columns}
        names = ", ".join(sql.quote(_column(field)) for field in fields.values())
        values = ", ".join(sql.value(value, fields[name]) for name, value in self.columns.items())
        text = (
            f"INSERT INTO {sql.quote(self.model._meta.db_table)} ({names}) "
            f"SELECT {values} FROM {rows.source}"
        )
        if self.shared:
            # "WHERE true" tells SQLite's parser that ON CONFLICT is the upsert clause, not a
            # join's.
            text += " WHERE true ON CONFLICT DO NOTHING"
        return Statement(text, tuple(sql.parameters))


def _items(value: Value) -> Iterator[Item]:
    if isinstance(value, Item):
        yield value
    elif isinstance(value, Lookup):
        for _, key in value.key:
            yield from _items(key)
    elif isinstance(value, When):
        yield value.item
        yield from _items(value.then)


def _row_function(
    name: str, roots: tuple[str, ...], items: tuple[Item, ...], *, converted: bool
) -> RowFunction:
    namespace: dict[str, object] = {}
    expressions: list[str] = []
    for index, item in enumerate(items):
        convert_name = f"_convert{index}"
        if converted and callable(item.convert):
            namespace[convert_name] = item.convert
        expressions.append(item.python(roots, convert_name, converted=converted))
    stored = tuple(conversion.value for conversion in Stored) if converted else ()
    source = (
        f"def {name}({', '.join((*roots, *stored))}):\n    return ({', '.join(expressions)},)\n"
    )
    # Generated from the declared paths only (each checked to be a plain attribute name).
    exec(compile(source, f"<{name}>", "exec"), namespace)  # noqa: S102
    return cast(RowFunction, namespace[name])


class _Sql:
    """The SQL of one statement's values, and its parameters in the order they appear."""

    def __init__(self, rows: JsonRows, items: tuple[Item, ...]) -> None:
        self.quote = connection.ops.quote_name
        self._rows = rows
        self._index = {item: index for index, item in enumerate(items)}
        self._aliases = 0
        self.parameters: list[str | _FlowFileId] = []

    def value(self, value: Value, field: Field[Any, Any] | None) -> str:
        """``value`` as SQL, as a value of ``field`` where it has to be cast to one."""
        if isinstance(value, Item):
            return self._rows.item(self._index[value], field)
        if isinstance(value, _FlowFileId):
            self.parameters.append(FLOW_FILE)
            return "%s"
        if isinstance(value, When):
            test = self.value(value.item, None)
            self.parameters.append(value.equals)
            return f"CASE WHEN {test} = %s THEN {self.value(value.then, field)} END"
        # A scalar subquery on a unique index: both databases look it up row by row. A join
        # would leave the order to the planner, which does not know how many rows the JSON
        # holds and may scan a whole table for each batch.
        self._aliases += 1
        alias = f"k{self._aliases}"
        model = value.model
        conditions = " AND ".join(
            f"{alias}.{self.quote(_column(key_field))} = {self.value(key, key_field)}"
            for key_field, key in ((_field(model, name), key) for name, key in value.key)
        )
        selected = self.quote(_column(_field(model, value.select)))
        table = self.quote(model._meta.db_table)
        return f"(SELECT {alias}.{selected} FROM {table} {alias} WHERE {conditions})"


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a concrete field")
    return field


def _column(field: Field[Any, Any]) -> str:
    if not isinstance(field.column, str):
        raise TypeError(f"{field} has no column")
    return field.column
