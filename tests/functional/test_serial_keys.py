"""A serial of letters whose upper case is longer (ß is SS) is stored with a key as long as
itself, and found by the admin's searches, on SQLite as on PostgreSQL."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from readings.models import Meter, MeterPoint, Reading
from readings.services.importing import import_flow_file
from tests.factories import mpan
from tests.functional.admin_helpers import changelist

pytestmark = pytest.mark.django_db

SHARP_S = "\u00df" * 10  # ß, ten times: the longest serial J0004 allows
OTHER = "F75A 00802"


def flow_file(*serials: str, encoding: str = "utf-8") -> bytes:
    body: list[str] = []
    for number, serial in enumerate(serials, start=1):
        body += [f"026|{mpan(number)}|V|", f"028|{serial}|R|", "030|01|20240301000000|1.0|||T|N|"]
    lines = [
        "ZHV|SHARPS0001|D0010002|D|DCAA|X|SUPA|20240401120000||||OPER|",
        *body,
        f"ZPT|SHARPS0001|{len(body)}||{len(serials)}|20240401120001|",
    ]
    return ("\n".join(lines) + "\n").encode(encoding)


@pytest.fixture(params=["utf-8", "cp1252"])
def imported(request: pytest.FixtureRequest) -> None:
    import_flow_file(source=io.BytesIO(flow_file(SHARP_S, OTHER, encoding=request.param)))


@pytest.mark.usefixtures("imported")
class TestASerialOfSharpS:
    def test_is_stored_as_sent_with_a_key_of_ten_characters(self) -> None:
        meter = Meter.objects.get(meter_point__mpan=mpan(1))

        assert (meter.serial_number, meter.serial_key) == (SHARP_S, SHARP_S)

    @pytest.mark.parametrize("typed", [SHARP_S, "\u1e9e" * 10, " ".join(SHARP_S)])
    @pytest.mark.parametrize("model", [Meter, Reading, MeterPoint])
    def test_is_found_by_the_admins_search(
        self, admin_client: Client, typed: str, model: type[Meter | Reading | MeterPoint]
    ) -> None:
        url = reverse(f"admin:readings_{model._meta.model_name}_changelist")

        response = admin_client.get(url, {"q": typed})

        assert response.status_code == 200
        (found,) = changelist(response).result_list
        assert _meter_point_of(found).mpan == mpan(1)


def _meter_point_of(row: object) -> MeterPoint:
    if isinstance(row, Reading):
        return row.meter.meter_point
    if isinstance(row, Meter):
        return row.meter_point
    assert isinstance(row, MeterPoint)
    return row
