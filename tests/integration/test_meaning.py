"""What stored readings mean, worked out in the import's transaction: each rule through the
import of small files, on whichever database the suite runs on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from readings.meaning_choices import Anomaly, ReadingStatus
from readings.models import FlowFile, Reading
from readings.services.meaning import recompute_meaning
from tests.meaning_files import (
    Group,
    Read,
    advances,
    chain,
    delete_imported,
    import_groups,
    meter,
    statuses,
)

pytestmark = pytest.mark.django_db

LIVE, REPEAT, SUPERSEDED = ReadingStatus.LIVE, ReadingStatus.REPEAT, ReadingStatus.SUPERSEDED
WITHDRAWN, WITHDRAWAL = ReadingStatus.WITHDRAWN, ReadingStatus.WITHDRAWAL


def withdrawal(*reads: Read) -> Group:
    return meter(*reads, reading_type="W")


class TestStatus:
    def test_a_reading_alone_is_live_the_latest_and_has_no_advance(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0")))

        (reading,) = chain()
        assert (reading.status, reading.advance, reading.anomaly) == (LIVE, None, "")
        assert reading.advance_per_day is None
        assert reading.is_latest

    def test_a_reading_sent_again_is_a_repeat_and_counts_once(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0")))
        import_groups(meter(Read("2024-01-01", "100.0"), Read("2024-02-01", "131.0")))

        assert statuses() == [("100.0", "R", LIVE), ("100.0", "R", REPEAT), ("131.0", "R", LIVE)]
        assert advances() == [None, Decimal("31.0")]
        assert [r.is_latest for r in chain()] == [False, False, True]

    def test_a_later_value_for_the_same_read_supersedes_the_earlier(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0"), Read("2024-02-01", "131.0")))
        import_groups(meter(Read("2024-02-01", "140.0")))

        assert statuses() == [
            ("100.0", "R", LIVE),
            ("131.0", "R", SUPERSEDED),
            ("140.0", "R", LIVE),
        ]
        assert advances() == [None, Decimal("40.0")]
        superseded = chain()[1]
        assert (superseded.advance, superseded.is_latest) == (None, False)

    def test_the_last_run_of_equal_values_counts_from_its_first_reading(self) -> None:
        for value in ("100.0", "105.0", "100.0", "100.0"):
            import_groups(meter(Read("2024-01-01", value)))

        assert [status for _, _, status in statuses()] == [SUPERSEDED, SUPERSEDED, LIVE, REPEAT]

    def test_in_one_file_the_later_line_is_received_later(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0"), Read("2024-01-01", "101.0")))

        assert [status for _, _, status in statuses()] == [SUPERSEDED, LIVE]

    def test_a_withdrawal_withdraws_the_reading_it_matches_and_counts_as_nothing(
        self,
    ) -> None:
        import_groups(
            meter(Read("2024-01-01", "100.0"), Read("2024-02-01", "999.0")),
            meter(Read("2024-03-01", "160.0"), serial="OTHER"),
        )
        result = import_groups(withdrawal(Read("2024-02-01", "999.0")))

        assert statuses() == [
            ("100.0", "R", LIVE),
            ("999.0", "R", WITHDRAWN),
            ("999.0", "W", WITHDRAWAL),
        ]
        assert advances() == [None]
        assert chain()[0].is_latest
        assert [r.is_latest for r in chain()[1:]] == [False, False]
        assert result.warnings == ()

    def test_a_withdrawal_matches_on_value_too(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0")))

        result = import_groups(withdrawal(Read("2024-01-01", "100.1")))

        assert statuses() == [("100.0", "R", LIVE), ("100.1", "W", WITHDRAWAL)]
        assert len(result.warnings) == 1

    def test_a_reading_received_after_its_withdrawal_counts_again(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0"), Read("2024-02-01", "130.0")))
        import_groups(withdrawal(Read("2024-02-01", "130.0")))
        import_groups(meter(Read("2024-02-01", "130.0")))

        assert statuses() == [
            ("100.0", "R", LIVE),
            ("130.0", "R", WITHDRAWN),
            ("130.0", "W", WITHDRAWAL),
            ("130.0", "R", LIVE),
        ]
        assert advances() == [None, Decimal("30.0")]
        assert chain()[-1].is_latest

    def test_withdrawing_a_correction_reinstates_the_reading_it_corrected(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0"), Read("2024-02-01", "130.0")))
        import_groups(meter(Read("2024-02-01", "135.0")))
        import_groups(withdrawal(Read("2024-02-01", "135.0")))

        assert statuses() == [
            ("100.0", "R", LIVE),
            ("130.0", "R", LIVE),
            ("135.0", "R", WITHDRAWN),
            ("135.0", "W", WITHDRAWAL),
        ]
        assert advances() == [None, Decimal("30.0")]

    def test_a_withdrawal_in_the_same_file_as_its_reading_withdraws_it(self) -> None:
        result = import_groups(
            meter(Read("2024-01-01", "100.0")),
            withdrawal(Read("2024-01-01", "100.0")),
        )

        assert statuses() == [("100.0", "R", WITHDRAWN), ("100.0", "W", WITHDRAWAL)]
        assert result.warnings == ()

    def test_a_withdrawal_that_matches_nothing_held_is_a_warning_naming_its_line(
        self,
    ) -> None:
        import_groups(meter(Read("2024-01-01", "100.0")))

        result = import_groups(
            withdrawal(Read("2024-03-01", "123.0"), Read("2024-01-01", "100.0")),
        )

        (warning,) = result.warnings
        assert warning.line_number == 4
        assert warning.brief == (
            "line 4: withdrawal (W) of register 01 at 01/03/2024 00:00, value 123.0, matches "
            "no reading held"
        )
        stored = FlowFile.objects.get(pk=result.flow_file_id or 0)
        assert stored.warnings[-1]["line"] == 4

    def test_a_reading_received_after_a_withdrawal_does_not_match_it(self) -> None:
        first = import_groups(withdrawal(Read("2024-01-01", "100.0")))
        import_groups(meter(Read("2024-01-01", "100.0")))

        assert len(first.warnings) == 1
        assert statuses() == [("100.0", "W", WITHDRAWAL), ("100.0", "R", LIVE)]

    def test_many_unmatched_withdrawals_are_named_up_to_a_limit_then_counted(self) -> None:
        many = [
            Read(f"2024-01-{day:02d}", f"{day}.0", register=f"{register:02d}")
            for day in range(1, 29)
            for register in range(1, 5)
        ]

        result = import_groups(withdrawal(*many))

        assert len(result.warnings) == 101
        assert result.warnings[-1].line_number is None
        assert result.warnings[-1].reason == "12 more withdrawals (W) match no reading held"


class TestChain:
    def test_the_advance_is_the_value_less_the_previous_live_one_and_per_day(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0"), Read("2024-01-31", "145.5")))

        first, second = chain()
        assert (second.advance, second.advance_per_day) == (Decimal("45.5"), Decimal("1.517"))
        assert (first.is_latest, second.is_latest) == (False, True)

    def test_the_days_between_are_counted_to_the_minute(self) -> None:
        import_groups(
            meter(Read("2024-01-01 12:00", "100.0"), Read("2024-01-02", "103.0")),
        )

        assert chain()[1].advance_per_day == Decimal("6.000")

    def test_registers_and_meters_have_chains_of_their_own(self) -> None:
        import_groups(
            meter(Read("2024-01-01", "100.0"), Read("2024-01-01", "500.0", register="02")),
            meter(Read("2024-01-01", "7.0"), serial="OTHER"),
        )
        import_groups(
            meter(Read("2024-02-01", "110.0"), Read("2024-02-01", "520.0", register="02")),
            meter(Read("2024-02-01", "9.0"), serial="OTHER"),
        )

        assert advances() == [None, Decimal("10.0")]
        assert advances(register="02") == [None, Decimal("20.0")]
        assert advances(serial="OTHER") == [None, Decimal("2.0")]

    def test_a_meter_exchange_starts_a_new_chain(self) -> None:
        import_groups(meter(Read("2024-01-01", "45000.0"), serial="OLD"))

        import_groups(
            meter(Read("2024-04-01", "45210.0"), reading_type="F", serial="OLD"),
            meter(Read("2024-04-01", "0.0"), reading_type="I", serial="NEW"),
        )
        import_groups(meter(Read("2024-05-01", "120.0"), serial="NEW"))

        assert advances(serial="OLD") == [None, Decimal("210.0")]
        assert advances(serial="NEW") == [None, Decimal("120.0")]
        assert [r.is_latest for r in chain(serial="OLD")] == [False, True]

    def test_a_maximum_demand_register_has_no_advance(self) -> None:
        import_groups(
            meter(Read("2024-01-01", "56.4", register="MD", md=True)),
        )
        import_groups(meter(Read("2024-02-01", "12.0", register="MD", md=True)))

        assert advances(register="MD") == [None, None]
        assert [r.anomaly for r in chain(register="MD")] == ["", ""]
        assert [r.is_latest for r in chain(register="MD")] == [False, True]

    def test_suspect_readings_take_part_in_the_chain(self) -> None:
        import_groups(
            meter(
                Read("2024-01-01", "100.0"),
                Read("2024-02-01", "150.0", flag="F"),
                Read("2024-03-01", "180.0"),
            )
        )

        assert advances() == [None, Decimal("50.0"), Decimal("30.0")]

    def test_a_suspect_latest_reading_is_the_latest(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0"), Read("2024-02-01", "150.0", flag="F")))

        latest = Reading.objects.get(is_latest=True)
        assert (latest.value, latest.reading_flag) == (Decimal("150.0"), False)

    def test_an_older_reading_received_later_takes_its_place_in_the_chain(self) -> None:
        import_groups(meter(Read("2024-03-01", "190.0")))
        import_groups(meter(Read("2024-01-01", "100.0")))
        import_groups(meter(Read("2024-02-01", "150.0")))

        assert advances() == [None, Decimal("50.0"), Decimal("40.0")]
        assert [r.is_latest for r in chain()] == [False, False, True]

    def test_deleting_a_flow_file_works_out_again_what_it_touched(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0")))
        middle = import_groups(meter(Read("2024-02-01", "130.0")))
        import_groups(meter(Read("2024-03-01", "160.0")))
        correction = import_groups(meter(Read("2024-03-01", "170.0")))

        delete_imported(middle)
        assert advances() == [None, Decimal("70.0")]

        delete_imported(correction)
        assert statuses() == [("100.0", "R", LIVE), ("160.0", "R", LIVE)]
        assert advances() == [None, Decimal("60.0")]
        assert [r.is_latest for r in chain()] == [False, True]

    def test_deleting_a_withdrawal_reinstates_what_it_withdrew(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0"), Read("2024-02-01", "130.0")))
        withdrawing = import_groups(withdrawal(Read("2024-02-01", "130.0")))
        assert advances() == [None]

        delete_imported(withdrawing)

        assert statuses() == [("100.0", "R", LIVE), ("130.0", "R", LIVE)]
        assert advances() == [None, Decimal("30.0")]

    def test_deleting_the_latest_makes_the_previous_one_latest_again(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0")))
        last = import_groups(meter(Read("2024-02-01", "130.0")))

        delete_imported(last)

        (reading,) = chain()
        assert reading.is_latest


class TestAnomaly:
    def test_a_fall_past_the_registers_digits_is_a_rollover_with_the_wrapped_advance(
        self,
    ) -> None:
        import_groups(meter(Read("2024-01-01", "99950.0"), Read("2024-02-01", "50.0")))

        last = chain()[-1]
        assert (last.advance, last.anomaly) == (Decimal("100.0"), Anomaly.ROLLOVER)

    def test_a_wrap_of_more_than_a_hundredth_of_the_range_is_a_negative_advance(self) -> None:
        import_groups(
            meter(
                Read("2024-01-01", "99000.0"),
                Read("2024-02-01", "1001.0"),  # 1001 + 100000 - 99000 = 2001 > 1000
                Read("2024-03-01", "999.9"),
            )
        )

        _, wide, fall = chain()
        assert (wide.advance, wide.anomaly) == (Decimal("-97999.0"), Anomaly.NEGATIVE)
        assert (fall.advance, fall.anomaly) == (Decimal("-1.1"), Anomaly.NEGATIVE)

    def test_the_range_is_set_by_the_previous_values_digits(self) -> None:
        import_groups(meter(Read("2024-01-01", "999990.0"), Read("2024-02-01", "5.0")))

        assert chain()[-1].advance == Decimal("15.0")

    def test_no_advance_over_90_days_is_zero(self) -> None:
        import_groups(
            meter(
                Read("2024-01-01", "100.0"),
                Read("2024-03-30", "100.0"),  # 89 days
                Read("2024-07-01", "100.0"),  # 93 days
            )
        )

        assert [r.anomaly for r in chain()] == ["", "", Anomaly.ZERO]
        assert chain()[-1].advance == 0

    def test_a_register_read_monthly_that_stops_is_zero_once_its_history_shows_90_days(
        self,
    ) -> None:
        import_groups(meter(*(Read(f"2024-{month:02d}-01", "100.0") for month in range(1, 8))))

        # The fifth reading before 1 June is 1 January: no advance over 152 days.
        assert [r.anomaly for r in chain()] == ["", "", "", "", "", Anomaly.ZERO, Anomaly.ZERO]

    @pytest.mark.parametrize(("advance", "anomaly"), [("4.5", Anomaly.HIGH), ("3.5", "")])
    def test_a_per_day_advance_over_four_times_the_recent_rate_is_high(
        self, advance: str, anomaly: str
    ) -> None:
        # One a day over the five readings before the last: 1 January to 15 May (135 days).
        import_groups(
            meter(
                Read("2024-01-01", "100.0"),
                Read("2024-02-01", "131.0"),
                Read("2024-03-01", "160.0"),
                Read("2024-04-01", "191.0"),
                Read("2024-05-15", "235.0"),
                Read("2024-05-16", str(Decimal("235.0") + Decimal(advance))),
            )
        )

        assert chain()[-1].anomaly == anomaly
        assert chain()[-1].advance == Decimal(advance)

    def test_high_needs_five_earlier_readings_over_90_days(self) -> None:
        import_groups(
            meter(
                Read("2024-01-01", "100.0"),
                Read("2024-02-01", "131.0"),
                Read("2024-03-01", "160.0"),
                Read("2024-04-01", "191.0"),  # four earlier readings only
                Read("2024-04-02", "1500.0"),
            ),
            meter(
                Read("2024-01-01", "100.0"),
                Read("2024-01-16", "115.0"),
                Read("2024-01-31", "130.0"),
                Read("2024-02-15", "145.0"),
                Read("2024-03-01", "160.0"),  # five earlier readings over 60 days only
                Read("2024-03-02", "1500.0"),
                serial="SHORT",
            ),
        )

        assert chain()[-1].anomaly == ""
        assert chain(serial="SHORT")[-1].anomaly == ""

    def test_an_anomaly_is_worked_out_again_when_an_older_reading_arrives(self) -> None:
        import_groups(meter(Read("2024-01-01", "1000.0"), Read("2024-03-01", "900.0")))
        assert chain()[-1].anomaly == Anomaly.NEGATIVE

        import_groups(meter(Read("2024-02-01", "800.0")))

        assert [r.anomaly for r in chain()] == ["", Anomaly.NEGATIVE, ""]
        assert advances() == [None, Decimal("-200.0"), Decimal("100.0")]


class TestSetBased:
    def test_the_statements_do_not_grow_with_the_readings(self) -> None:
        def statements(readings: int, first: int) -> int:
            reads = [
                Read(f"2024-01-{1 + n % 28:02d}", f"{n}.0", register=f"{n // 28:02d}")
                for n in range(readings)
            ]
            with CaptureQueriesContext(connection) as captured:
                import_groups(
                    meter(*reads, serial=f"S{first}"),
                    meter(*reads, serial=f"S{first}"),  # repeats: the status pass runs
                    Group(reads=(reads[0],), reading_type="W", serial=f"S{first}"),
                )
            return len(captured.captured_queries)

        assert statements(10, 1) == statements(400, 2)

    def test_everything_worked_out_again_gives_what_the_imports_gave(self) -> None:
        import_groups(meter(Read("2024-01-01", "100.0"), Read("2024-02-01", "150.0")))
        import_groups(
            meter(Read("2024-02-01", "140.0"), Read("2024-03-01", "99990.0")),
            meter(Read("2024-01-01", "7.0"), serial="OTHER"),
        )
        import_groups(
            withdrawal(Read("2024-03-01", "99990.0")),
            meter(Read("2024-04-01", "20.0"), Read("2024-04-01", "20.0")),
        )
        columns = ("id", "status", "advance", "advance_per_day", "anomaly", "is_latest")
        imported = list(Reading.objects.order_by("id").values_list(*columns))
        Reading.objects.update(
            status=LIVE, advance=None, advance_per_day=None, anomaly="", is_latest=True
        )

        recompute_meaning(everything=True)

        assert list(Reading.objects.order_by("id").values_list(*columns)) == imported
