"""Data and users for the admin tests: imported sample files and rows made in bulk; what a
rendered admin page was given, typed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, TypeVar

from django.contrib.admin import SimpleListFilter
from django.contrib.admin.helpers import InlineAdminFormSet
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.models import Permission, User
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.test import Client
from django.test.utils import ContextList

from readings.dtc.identifiers import serial_search_key
from readings.models import FlowFile, Meter, MeterPoint, Reading
from readings.services.importing import import_flow_file
from tests.factories import mpan

PASSWORD = "a-long-test-password"

_T = TypeVar("_T")
_M = TypeVar("_M", bound=Model)


class Rendered(Protocol):
    """A test client's response to a page rendered from a template."""

    @property
    def context(self) -> ContextList | dict[str, Any]: ...


def import_files(*paths: Path) -> list[FlowFile]:
    """Import each file with the import service, as the command would."""
    results = [import_flow_file(source=path) for path in paths]
    return [FlowFile.objects.get(pk=result.flow_file_id or 0) for result in results]


def staff_user(
    username: str = "staff",
    *permissions: str,
    password: str | None = PASSWORD,
    superuser: bool = False,
) -> User:
    """An active staff user with the given ``app_label.codename`` permissions (no password
    that works when ``password`` is None)."""
    user = User.objects.create_user(
        username, password=password, is_staff=True, is_superuser=superuser
    )
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def logged_in(client: Client, username: str, *permissions: str, superuser: bool = False) -> Client:
    """``client``, logged in as a new staff user with the given permissions."""
    staff_user(username, *permissions, superuser=superuser)
    client.login(username=username, password=PASSWORD)
    return client


def bulk_flow_file(
    *,
    readings: int,
    meters: int = 10,
    name: str = "bulk.uff",
    serial_prefix: str = "B",
    first_mpan: int = 900_000,
    start: datetime = datetime(2024, 1, 1, tzinfo=timezone.utc),
) -> FlowFile:
    """A flow file with ``readings`` readings over ``meters`` meters, written with bulk_create
    (not through the parser: fast, and free to hold what a parser would refuse)."""
    flow_file = FlowFile.objects.create(
        file_name=name,
        sha256=hashlib.sha256(name.encode()).hexdigest(),
        size_bytes=1,
        file_identifier=hashlib.sha256(name.encode()).hexdigest()[:10],
        flow_reference="D0010",
        flow_version="002",
        sender_role="D",
        sender_participant_id="BULK",
        recipient_role="X",
        recipient_participant_id="SUPA",
        file_created_at=start,
        total_group_count=0,
        flow_count=meters,
        reading_count=readings,
        first_read_at=start if readings else None,
        last_read_at=start + timedelta(hours=readings - 1) if readings else None,
    )
    points = MeterPoint.objects.bulk_create(
        MeterPoint(mpan=mpan(first_mpan + number)) for number in range(meters)
    )
    serials = [f"{serial_prefix}{number:05d}" for number in range(meters)]
    meter_rows = Meter.objects.bulk_create(
        Meter(meter_point=point, serial_number=serial, serial_key=serial_search_key(serial))
        for point, serial in zip(points, serials, strict=True)
    )
    Reading.objects.bulk_create(
        (
            Reading(
                flow_file=flow_file,
                line_number=number + 2,
                meter=meter_rows[number % meters],
                register_id="01",
                read_at=start + timedelta(hours=number),
                value=Decimal(number % 100_000),
                reading_flag=True,
                reading_method="N",
                reading_type="R",
                bsc_validation_status="V",
            )
            for number in range(readings)
        ),
        batch_size=5000,
    )
    return flow_file


# -- what a rendered page was given --------------------------------------------------------------
def context_value(response: Rendered, key: str, kind: type[_T]) -> _T:
    """What the page's template was given as ``key``, checked to be a ``kind``."""
    value = response.context[key]
    assert isinstance(value, kind)
    return value


def changelist(response: Rendered) -> ChangeList:
    """The list page's ``ChangeList``."""
    return context_value(response, "cl", ChangeList)


def listed_rows(response: Rendered, model: type[_M]) -> list[_M]:
    """The rows the list page shows, each checked to be a ``model``."""
    return _each_a(model, changelist(response).result_list)


def list_ordering(response: Rendered) -> Sequence[object]:
    """The ``ORDER BY`` of the list page's query."""
    queryset: QuerySet[Model] = changelist(response).queryset
    return queryset.query.order_by


def list_filter(response: Rendered, title: str) -> SimpleListFilter:
    """The list page's filter of that title."""
    spec = next(spec for spec in changelist(response).filter_specs if spec.title == title)
    assert isinstance(spec, SimpleListFilter)
    return spec


def inline_rows(response: Rendered, model: type[_M]) -> list[_M]:
    """The rows of the page's first inline, in its order, each checked to be a ``model``."""
    inlines: list[object] = context_value(response, "inline_admin_formsets", list)
    inline = inlines[0]
    assert isinstance(inline, InlineAdminFormSet)
    forms: list[object] = inline.formset.forms
    instances: list[object] = []
    for form in forms:
        assert isinstance(form, ModelForm)
        instances.append(form.instance)
    return _each_a(model, instances)


def first_pk(model: type[Model]) -> int:
    """The primary key of ``model``'s first row; there must be one."""
    row = model._default_manager.order_by("pk").first()
    assert row is not None
    return int(row.pk)


def model_label(model: type[Model]) -> str:
    """``app_label.ModelName``: a test's id for the model it runs on."""
    return model._meta.label


def _each_a(model: type[_M], rows: Iterable[object]) -> list[_M]:
    checked: list[_M] = []
    for row in rows:
        assert isinstance(row, model)
        checked.append(row)
    return checked
