"""Text that files carry (serials, site-visit notes) is shown escaped and exported defused."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from readings.models import Meter, MeterPoint
from readings.services.importing import import_flow_file
from tests.factories import mpan
from tests.functional.test_export import export

pytestmark = pytest.mark.django_db

PAYLOAD = '<script>alert("x")</script> =cmd /C calc'
HOSTILE_SERIAL = "<script>"
FORMULA_SERIAL = "=HYPERLINK"


def hostile_file() -> bytes:
    body = [
        f"026|{mpan(1)}|V|",
        f"027|01|{PAYLOAD}|",
        f"028|{HOSTILE_SERIAL}|R|",
        f"029|16|{PAYLOAD}|",
        "030|01|20240301000000|100.0|||T|N|",
        f"026|{mpan(2)}|V|",
        f"028|{FORMULA_SERIAL}|R|",
        "030|01|20240301000000|200.0|||T|N|",
        f"033|05|{PAYLOAD}|",
    ]
    lines = [
        "ZHV|HOSTILE001|D0010002|D|DCAA|X|SUPA|20240401120000||||OPER|",
        *body,
        f"ZPT|HOSTILE001|{len(body)}||2|20240401120001|",
    ]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def imported() -> None:
    import_flow_file(source=io.BytesIO(hostile_file()), file_name="hostile.uff")


@pytest.mark.usefixtures("imported")
class TestHostileText:
    def test_the_file_is_imported_with_its_text_as_sent(self) -> None:
        assert set(Meter.objects.values_list("serial_number", flat=True)) == {
            HOSTILE_SERIAL,
            FORMULA_SERIAL,
        }

    @pytest.mark.parametrize(
        "page",
        [
            "admin:readings_reading_changelist",
            "admin:readings_sitevisit_changelist",
            "admin:readings_meter_changelist",
            "admin:readings_filemeter_changelist",
        ],
    )
    def test_lists_show_the_text_escaped(self, admin_client: Client, page: str) -> None:
        content = admin_client.get(reverse(page)).content.decode()

        assert "<script>alert" not in content
        assert "&lt;script&gt;" in content

    def test_detail_pages_show_the_text_escaped(self, admin_client: Client) -> None:
        point = MeterPoint.objects.get(mpan=mpan(1))
        meter = Meter.objects.get(serial_number=HOSTILE_SERIAL)

        for url in (
            reverse("admin:readings_meterpoint_change", args=[point.pk]),
            reverse("admin:readings_meter_change", args=[meter.pk]),
        ):
            content = admin_client.get(url).content.decode()
            assert "<script>alert" not in content
            assert "<script></a>" not in content
            assert "&lt;script&gt;" in content

    def test_the_csv_export_defuses_formulas(self, admin_client: Client) -> None:
        rows = export(admin_client)

        serials = {row["meter serial"] for row in rows}
        assert serials == {HOSTILE_SERIAL, "'" + FORMULA_SERIAL}
