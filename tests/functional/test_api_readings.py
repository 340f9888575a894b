"""The API's meter points and readings: the summary, filters, pagination and bad MPANs."""

from __future__ import annotations

import base64
from datetime import datetime, timezone

import pytest
from django.test import Client

from readings.models import Reading
from tests.conftest import OFFICIAL_SAMPLE
from tests.factories import mpan
from tests.functional.admin_helpers import bulk_flow_file, import_files
from tests.functional.api_helpers import API, READ, body, token_client

pytestmark = pytest.mark.django_db

MPAN = "1200023305967"  # the official sample's first meter point, meter F75A 00802


@pytest.fixture
def reader() -> Client:
    import_files(OFFICIAL_SAMPLE)
    return token_client("reader", *READ)


class TestAMeterPoint:
    def test_gives_its_summary_with_spaces_in_the_mpan(self, reader: Client) -> None:
        response = reader.get(f"{API}meter-points/12 0002 3305 967/")

        assert response.status_code == 200
        found = body(response)
        assert found["mpan"] == MPAN
        assert [m["serial"] for m in found["meters"]] == ["F75A 00802"]
        assert found["current_meter"]["serial"] == "F75A 00802"
        [register] = found["registers"]
        assert (register["register"].text, register["value"].text) == ("S", "56311.0")
        assert register["read_at"] == "2016-02-22T00:00:00+00:00"
        assert found["last_actual_read"].value is None  # its only reading is deemed (D)
        assert found["open_anomalies"] == []

    def test_answers_400_saying_the_check_digit_is_wrong(self, reader: Client) -> None:
        response = reader.get(f"{API}meter-points/1200023305968/")

        assert response.status_code == 400
        assert "check digit is 8" in body(response)["detail"]

    @pytest.mark.parametrize("text", ["12345", "12000233059670", "\uff11" * 13, "abc"])
    def test_answers_400_for_what_is_not_13_digits(self, reader: Client, text: str) -> None:
        response = reader.get(f"{API}meter-points/{text}/readings/")

        assert response.status_code == 400
        assert "13 digits" in body(response)["detail"]

    def test_shows_what_is_not_printable_escaped_once(self, reader: Client) -> None:
        mpan = reader.get(f"{API}meter-points/12%00/")
        serial = reader.get(f"{API}meters/F75A%E2%80%AE/readings/")

        assert body(mpan)["detail"].text.startswith("'12\\x00' is not an MPAN core")
        assert body(serial)["detail"] == "No meter has the serial 'F75A\\u202e'."

    def test_answers_404_for_a_valid_mpan_no_file_mentioned(self, reader: Client) -> None:
        unknown = mpan(424242)
        summary = reader.get(f"{API}meter-points/{unknown}/")
        readings = reader.get(f"{API}meter-points/{unknown}/readings/")

        assert summary.status_code == readings.status_code == 404
        assert unknown in body(summary)["detail"]


class TestReadings:
    def test_gives_each_reading_with_what_it_means_and_where_it_came_from(
        self, reader: Client
    ) -> None:
        response = reader.get(f"{API}meter-points/{MPAN}/readings/")

        assert response.status_code == 200
        [reading] = body(response)["results"]
        stored = Reading.objects.get(meter__meter_point__mpan=MPAN)
        assert reading == {
            "id": stored.pk,
            "mpan": MPAN,
            "serial": "F75A 00802",
            "register": "S",
            "read_at": "2016-02-22T00:00:00+00:00",
            "value": "56311.0",
            "reading_type": "D",
            "bsc_validation_status": "V",
            "flag": True,
            "method": "N",
            "status": "live",
            "advance": None,
            "anomaly": "",
            "flow_file": {"id": stored.flow_file_id, "name": OFFICIAL_SAMPLE.name},
            "line": 4,
        }

    def test_finds_a_meters_readings_by_the_serial_as_staff_paste_it(self, reader: Client) -> None:
        response = reader.get(f"{API}meters/f75a00802/readings/")
        missing = reader.get(f"{API}meters/NOSUCH/readings/")

        assert [r["serial"] for r in body(response)["results"]] == ["F75A 00802"]
        assert missing.status_code == 404

    def test_filters_by_register_uk_days_and_status(self) -> None:
        reader = token_client("reader", *READ)
        bulk_flow_file(readings=72, meters=1)  # hourly from 2024-01-01 00:00 UTC
        mpan = Reading.objects.values_list("meter__meter_point__mpan", flat=True).first()
        url = f"{API}meter-points/{mpan}/readings/"

        day = body(reader.get(url, {"from": "02/01/2024", "to": "2024-01-02"}))["results"]
        register = body(reader.get(url, {"register": "02"}))["results"]
        withdrawn = body(reader.get(url, {"status": "withdrawn"}))["results"]
        wrong = reader.get(url, {"status": "gone", "from": "2024-13-01"})

        assert len(day) == 24
        assert day[0]["read_at"] == "2024-01-02T23:00:00+00:00"
        assert day[-1]["read_at"] == "2024-01-02T00:00:00+00:00"
        assert register == withdrawn == []
        assert wrong.status_code == 400
        assert set(body(wrong)) == {"status", "from"}

    def test_a_uk_day_in_summer_starts_at_midnight_bst(self) -> None:
        reader = token_client("reader", *READ)
        bulk_flow_file(readings=48, meters=1, start=datetime(2024, 6, 30, 12, tzinfo=timezone.utc))
        mpan = Reading.objects.values_list("meter__meter_point__mpan", flat=True).first()

        day = body(
            reader.get(
                f"{API}meter-points/{mpan}/readings/", {"from": "2024-07-01", "to": "2024-07-01"}
            )
        )["results"]

        assert day[-1]["read_at"] == "2024-07-01T00:00:00+01:00"
        assert day[0]["read_at"] == "2024-07-01T23:00:00+01:00"
        assert len(day) == 24


class TestCursorPagination:
    def test_pages_newest_first_without_repeats_or_gaps_while_rows_are_added(self) -> None:
        reader = token_client("reader", *READ)
        bulk_flow_file(readings=250, meters=1)
        mpan = Reading.objects.values_list("meter__meter_point__mpan", flat=True).first()
        first = body(reader.get(f"{API}meter-points/{mpan}/readings/", {"page_size": 100}))
        newest = Reading.objects.order_by("-read_at").first()
        assert newest is not None
        Reading.objects.bulk_create(  # the same moment as the newest, arriving between pages
            [
                Reading(
                    flow_file_id=newest.flow_file_id,
                    line_number=10_000 + n,
                    meter_id=newest.meter_id,
                    register_id="01",
                    read_at=newest.read_at,
                    value=1,
                    reading_method="N",
                    reading_type="R",
                    bsc_validation_status="V",
                )
                for n in range(3)
            ]
        )

        seen = [r["id"] for r in first["results"]]
        page = first
        while page["next"]:
            page = body(reader.get(page["next"].text))
            seen += [r["id"] for r in page["results"]]

        expected = list(
            Reading.objects.filter(line_number__lt=10_000)
            .order_by("-read_at", "-id")
            .values_list("id", flat=True)
        )
        assert seen == expected
        assert first["previous"].value is None

    def test_refuses_a_cursor_it_did_not_make(self, reader: Client) -> None:
        response = reader.get(f"{API}meter-points/{MPAN}/readings/", {"cursor": "garbage"})

        assert response.status_code == 404
        assert body(response)["detail"] == "Invalid cursor"

    @pytest.mark.parametrize("position", ["p=2024-13-45", "p=9999999999999999", "o=1&p=x"])
    def test_refuses_a_forged_cursor_with_a_bad_position(
        self, reader: Client, position: str
    ) -> None:
        cursor = base64.b64encode(position.encode()).decode()

        response = reader.get(f"{API}meter-points/{MPAN}/readings/", {"cursor": cursor})

        assert response.status_code == 404
        assert body(response)["detail"] == "Invalid cursor"


class TestDateBounds:
    def test_a_range_that_ends_before_it_starts_is_400_saying_so(self, reader: Client) -> None:
        response = reader.get(
            f"{API}meter-points/{MPAN}/readings/", {"from": "24/02/2016", "to": "22/02/2016"}
        )

        assert response.status_code == 400
        assert "starts (24/02/2016) after it ends (22/02/2016)" in body(response)["to"][0]

    @pytest.mark.parametrize(("name", "day"), [("to", "9999-12-31"), ("from", "9999-12-31")])
    def test_the_last_day_there_is_gives_an_answer_not_an_error(
        self, reader: Client, name: str, day: str
    ) -> None:
        response = reader.get(f"{API}meter-points/{MPAN}/readings/", {name: day})

        assert response.status_code == 200
        assert len(body(response)["results"]) == (1 if name == "to" else 0)
