"""The exports of readings (django-import-export): one row per reading, as listed.

CSV, plain text, streamed; and XLSX for spreadsheets, with typed cells (``ReadingSpreadsheet``):
the MPAN, serial and register as text (so ``01`` stays ``01`` and an MPAN is not turned into
``1.40008E+12``), read at as a date and time, the value as a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import QuerySet
from django.forms import ChoiceField
from import_export import fields, resources
from import_export.formats.base_formats import XLSX, Format
from import_export.forms import SelectableFieldsExportForm
from import_export.resources import ModelResource, Resource

from readings.localtime import as_uk, format_iso
from readings.models import Reading

if TYPE_CHECKING:  # the stubs' name for tablib's Dataset (tablib has no types)
    from import_export.formats.base_formats import Dataset

_FLAG_CODES = {True: "T", False: "F", None: ""}
# A cell a spreadsheet would run as a formula starts with one of these (OWASP, "CSV
# injection"). IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a leading "=", so text from
# files is also quoted here: a leading apostrophe makes the spreadsheet show it as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_CHUNK_CHARACTERS = 1 << 16


def as_text(value: str) -> str:
    """``value``, with an apostrophe in front if a spreadsheet would run it as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


class ReadingResource(resources.ModelResource[Reading]):
    """Columns support staff take away: every item of the reading, with the flow's own codes."""

    mpan = fields.Field(column_name="MPAN")
    meter_serial = fields.Field(column_name="meter serial")
    register = fields.Field(column_name="register")
    read_at = fields.Field(column_name="read at")
    value = fields.Field(column_name="value")
    md_reset_at = fields.Field(column_name="MD reset at")
    md_reset_count = fields.Field(column_name="MD resets")
    reading_type = fields.Field(column_name="reading type")
    bsc_validation_status = fields.Field(column_name="BSC validation status")
    reading_flag = fields.Field(column_name="reading flag")
    validation_reason_code = fields.Field(column_name="032 reason code")
    validation_status = fields.Field(column_name="032 status")
    reading_method = fields.Field(column_name="method")
    flow_file = fields.Field(column_name="flow file")
    line_number = fields.Field(column_name="line")
    status = fields.Field(column_name="status")
    advance = fields.Field(column_name="advance")
    advance_per_day = fields.Field(column_name="advance per day")
    anomaly = fields.Field(column_name="anomaly")

    class Meta:
        model = Reading
        fields = (
            "mpan",
            "meter_serial",
            "register",
            "read_at",
            "value",
            "md_reset_at",
            "md_reset_count",
            "reading_type",
            "bsc_validation_status",
            "reading_flag",
            "validation_reason_code",
            "validation_status",
            "reading_method",
            "flow_file",
            "line_number",
            "status",
            "advance",
            "advance_per_day",
            "anomaly",
        )
        export_order = fields
        chunk_size = 2000

    def filter_export(self, queryset: QuerySet[Reading], **kwargs: Any) -> QuerySet[Reading]:
        """Rows are streamed from the database (``iterator``) with what each row needs."""
        return queryset.select_related("meter__meter_point", "flow_file")

    def dehydrate_mpan(self, reading: Reading) -> str:
        return reading.meter.meter_point.mpan

    def dehydrate_meter_serial(self, reading: Reading) -> str:
        return as_text(reading.meter.serial_number)

    def dehydrate_register(self, reading: Reading) -> str:
        return as_text(reading.register_id)

    def dehydrate_read_at(self, reading: Reading) -> str:
        return format_iso(reading.read_at)

    def dehydrate_value(self, reading: Reading) -> str:
        return str(reading.value)

    def dehydrate_md_reset_at(self, reading: Reading) -> str:
        return format_iso(reading.md_reset_at) if reading.md_reset_at else ""

    def dehydrate_md_reset_count(self, reading: Reading) -> str:
        return "" if reading.md_reset_count is None else str(reading.md_reset_count)

    def dehydrate_reading_type(self, reading: Reading) -> str:
        return reading.reading_type

    def dehydrate_bsc_validation_status(self, reading: Reading) -> str:
        return reading.bsc_validation_status

    def dehydrate_reading_flag(self, reading: Reading) -> str:
        return _FLAG_CODES[reading.reading_flag]

    def dehydrate_validation_reason_code(self, reading: Reading) -> str:
        return reading.validation_reason_code

    def dehydrate_validation_status(self, reading: Reading) -> str:
        return _FLAG_CODES[reading.validation_status]

    def dehydrate_reading_method(self, reading: Reading) -> str:
        return reading.reading_method

    def dehydrate_flow_file(self, reading: Reading) -> str:
        return as_text(reading.flow_file.file_name)

    def dehydrate_line_number(self, reading: Reading) -> str:
        return str(reading.line_number)

    # What the reading means: the stored values, plain (README, "Decisions and assumptions").
    def dehydrate_status(self, reading: Reading) -> str:
        return reading.status

    def dehydrate_advance(self, reading: Reading) -> str:
        return _plain(reading.advance)

    def dehydrate_advance_per_day(self, reading: Reading) -> str:
        return _plain(reading.advance_per_day)

    def dehydrate_anomaly(self, reading: Reading) -> str:
        return reading.anomaly


def _plain(number: Decimal | None) -> str:
    """A decimal as written (``-12.5``, never ``1E+1``), empty for none."""
    return "" if number is None else f"{number:f}"


class ReadingExportForm(SelectableFieldsExportForm):
    """The export page's form, with each column's box labelled as the CSV's header names it
    (rather than ``Mpan (MPAN)``), and the first format (CSV) chosen unless another is."""

    def __init__(
        self,
        formats: list[type[Format]],
        resources: list[type[Resource[Any]]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(formats, resources, **kwargs)
        field = self.fields["format"]
        if isinstance(field, ChoiceField) and len(formats) > 1:
            field.choices = [(str(i), f().get_title()) for i, f in enumerate(formats)]  # no "---"
            self.initial.setdefault("format", "0")

    def _get_field_label(self, resource: type[ModelResource[Any]], field_name: str) -> str:
        field = resource.fields.get(field_name)
        return str(field.column_name) if field and field.column_name else field_name


def csv_chunks(
    resource: ReadingResource,
    queryset: QuerySet[Reading],
    selected_fields: Sequence[str] | None = None,
) -> Iterator[str]:
    """The CSV of ``queryset``'s readings, in pieces of about 64 KB, with the columns (and
    header) that ``resource`` exports: every column, or the ``selected_fields``.

    The columns and the header are worked out at once; the rows are read from the database
    and written only as the pieces are taken, without a tablib ``Dataset`` (which keeps every
    row as Python objects until the end).
    """
    fields = resource.get_export_fields(selected_fields)
    header = resource.get_export_headers(selected_fields)
    readings = resource.iter_queryset(resource.filter_export(queryset))
    rows = ([resource.export_field(field, reading) for field in fields] for reading in readings)
    return _pieces(header, rows)


class _RowWriter(Protocol):
    """What ``csv.writer`` gives (typeshed types its ``writerow`` result as Any)."""

    def writerow(self, row: Iterable[str], /) -> object: ...


def _pieces(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer: _RowWriter = csv.writer(buffer)  # tablib's dialect: excel, CRLF line endings
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= _CHUNK_CHARACTERS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


# -- spreadsheets -------------------------------------------------------------------------------
SPREADSHEET_MAX_READINGS = 100_000  # built in memory (openpyxl), unlike the streamed CSV


def _spreadsheet_time(moment: datetime | None) -> datetime | None:
    """UK wall-clock time without its zone: spreadsheets hold no time zones (openpyxl refuses
    aware datetimes)."""
    return None if moment is None else as_uk(moment).replace(tzinfo=None)


class ReadingSpreadsheetResource(ReadingResource):
    """``ReadingResource``'s columns, with typed cells for a spreadsheet: text stays text
    (the same values as the CSV's), times are date-times, numbers are numbers."""

    class Meta(ReadingResource.Meta):
        pass

    def dehydrate_read_at(self, reading: Reading) -> datetime | None:  # type: ignore[override]  # a typed cell, not the CSV's text
        return _spreadsheet_time(reading.read_at)

    def dehydrate_value(self, reading: Reading) -> Decimal:  # type: ignore[override]  # a number cell
        return reading.value

    def dehydrate_md_reset_at(self, reading: Reading) -> datetime | None:  # type: ignore[override]  # a typed cell
        return _spreadsheet_time(reading.md_reset_at)

    def dehydrate_md_reset_count(self, reading: Reading) -> int | None:  # type: ignore[override]  # a number cell
        return reading.md_reset_count

    def dehydrate_line_number(self, reading: Reading) -> int:  # type: ignore[override]  # a number cell
        return reading.line_number

    def dehydrate_advance(self, reading: Reading) -> Decimal | None:  # type: ignore[override]  # a number cell, empty for none
        return reading.advance

    def dehydrate_advance_per_day(self, reading: Reading) -> Decimal | None:  # type: ignore[override]  # a number cell
        return reading.advance_per_day


class SpreadsheetXLSX(XLSX):
    """django-import-export's XLSX format (tablib and openpyxl) keeping the cells' types: the
    library's formula escaping (``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT``) would turn every
    cell into text. No cell can be a formula: text from files that a spreadsheet would run
    starts with an apostrophe (``as_text``), and openpyxl takes only text starting with ``=``
    as a formula."""

    def export_data(self, dataset: Dataset, **kwargs: Any) -> bytes:
        exported: bytes = dataset.export("xlsx")
        return exported


def spreadsheet(queryset: QuerySet[Reading], selected_fields: Sequence[str] | None) -> bytes:
    """The XLSX file of ``queryset``'s readings, with every column or the ``selected_fields``."""
    resource = ReadingSpreadsheetResource()
    dataset = resource.export(queryset=queryset, export_fields=list(selected_fields or []) or None)
    return SpreadsheetXLSX().export_data(dataset)
