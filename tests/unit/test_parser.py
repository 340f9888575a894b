"""The D0010 parser on valid files, tolerated quirks and each kind of bad input."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from readings.d0010 import D0010Parser
from readings.d0010.records import MeterPointGroup
from readings.dtc import FlowIssue, Header, InvalidFlowFile, Trailer
from readings.dtc.identifiers import (
    is_valid_mpan_core,
    mpan_check_digit,
    mpan_search_key,
    serial_search_key,
)
from readings.localtime import as_uk
from tests.parsing import ParsedFlow, parse_file, parse_stream

HEADER = "ZHV|0000000001|D0010002|D|DCAA|X|SUPA|20240405093015||||OPER|"
BODY = [
    "026|1200012345679|V|",
    "028|K98A 12345|R|",
    "030|01|20240403000000|34567.0|||T|P|",
]


def flow(*body: str, header: str = HEADER, trailer: str | None = None, ending: str = "\n") -> bytes:
    """A file from its body lines; the trailer's counts are right unless one is given."""
    lines = [header, *body]
    if trailer is None:
        flows = sum(1 for line in body if line.startswith("026"))
        trailer = f"ZPT|0000000001|{len(body)}||{flows}|20240405093020|"
    lines.append(trailer)
    return ending.join(lines).encode() + ending.encode()


def parse_bytes(data: bytes, name: str = "test.uff") -> ParsedFlow:
    return parse_stream(io.BytesIO(data), file_name=name)


def issues_of(data: bytes) -> tuple[FlowIssue, ...]:
    with pytest.raises(InvalidFlowFile) as caught:
        parse_bytes(data)
    return caught.value.issues


def only_issue(data: bytes) -> FlowIssue:
    issues = issues_of(data)
    assert len(issues) == 1, [str(i) for i in issues]
    return issues[0]


class TestOfficialSample:
    def test_it_has_eleven_meter_points_eleven_meters_thirteen_readings(
        self, official_sample: Path
    ) -> None:
        parsed = parse_file(official_sample)

        assert len(parsed.groups) == 11
        assert sum(len(group.meters) for group in parsed.groups) == 11
        assert len(parsed.readings) == 13
        assert parsed.trailer.total_group_count == 35
        assert parsed.warnings == ()

    def test_header_and_trailer_items_are_read(self, official_sample: Path) -> None:
        parsed = parse_file(official_sample)

        assert parsed.header == Header(
            line_number=1,
            file_identifier="0000475656",
            flow_reference="D0010",
            flow_version="002",
            sender_role="D",
            sender_participant_id="UDMS",
            recipient_role="X",
            recipient_participant_id="MRCY",
            created_at=datetime(2016, 3, 2, 15, 31, 51, tzinfo=timezone.utc),
            sending_application_id="",
            receiving_application_id="",
            broadcast="",
            test_data_flag="OPER",
        )
        assert parsed.trailer == Trailer(
            line_number=37,
            file_identifier="0000475656",
            total_group_count=35,
            checksum="",
            flow_count=11,
            completed_at=datetime(2016, 3, 2, 15, 46, 50, tzinfo=timezone.utc),
        )

    def test_serials_keep_inner_spaces_and_registers_stay_strings(
        self, official_sample: Path
    ) -> None:
        parsed = parse_file(official_sample)

        first = parsed.groups[0]
        assert first.mpan == "1200023305967"
        assert first.meters[0].serial_number == "F75A 00802"
        assert first.meters[0].reading_type == "D"
        reading = first.meters[0].readings[0]
        assert reading.register_id == "S"
        assert reading.value == Decimal("56311.0")
        assert reading.reading_flag is True
        assert reading.reading_method == "N"
        assert {r.register_id for r in parsed.readings} == {"S", "TO", "A1", "01", "02", "DY", "NT"}

    def test_reading_times_are_uk_local_time(self, official_sample: Path) -> None:
        parsed = parse_file(official_sample)

        reading = parsed.groups[0].meters[0].readings[0]
        assert reading.read_at == datetime(2016, 2, 22, 0, 0, tzinfo=timezone.utc)  # GMT in winter
        assert reading.read_at.utcoffset() == timedelta(0)


class TestEveryGroup:
    def test_every_group_is_nested_where_the_flow_puts_it(self, every_group_file: Path) -> None:
        parsed = parse_file(every_group_file)

        first, second, third, fourth = parsed.groups
        assert [v.check_code for v in first.site_visits] == ["01"]
        assert first.meters[0].site_visits[0].additional_information == (
            "Terminal cover seal broken - reported to MOP"
        )
        assert first.meters[0].readings[0].site_visits[0].group == "033"
        assert second.bsc_validation_status == "F"
        suspect = second.meters[0].readings[0]
        assert suspect.reading_flag is False
        assert suspect.validation is not None
        assert suspect.validation.reason_code == "03"
        assert suspect.validation.status is False
        assert [m.reading_type for m in third.meters] == ["F", "I"]
        assert fourth.meters[0].reading_type == "W"
        assert parsed.trailer.total_group_count == 21
        assert parsed.warnings == ()

    def test_maximum_demand_items_are_read(self, every_group_file: Path) -> None:
        parsed = parse_file(every_group_file)

        md = parsed.groups[1].meters[0].readings[1]
        assert md.register_id == "04"
        assert md.value == Decimal("56.4")
        assert md.md_reset_at == datetime(2024, 4, 2, 13, 30, tzinfo=timezone.utc)  # 14:30 BST
        assert md.md_reset_count == 1

    def test_special_read_keeps_its_real_time_in_summer_time(self, every_group_file: Path) -> None:
        parsed = parse_file(every_group_file)

        special = as_uk(parsed.groups[1].meters[0].readings[0].read_at)
        assert special.utcoffset() == timedelta(hours=1)
        assert (special.hour, special.minute) == (14, 30)


class TestStreaming:
    def test_groups_are_yielded_one_026_at_a_time_between_header_and_trailer(
        self, official_sample: Path
    ) -> None:
        with official_sample.open("rb") as stream:
            records = list(D0010Parser(stream, file_name="sample"))

        assert isinstance(records[0], Header)
        assert all(isinstance(r, MeterPointGroup) for r in records[1:-1])
        assert isinstance(records[-1], Trailer)
        assert len(records) == 13

    def test_bytes_read_reaches_the_file_size(self, official_sample: Path) -> None:
        with official_sample.open("rb") as stream:
            parser = D0010Parser(stream, file_name="sample")
            list(parser)

        assert parser.bytes_read == official_sample.stat().st_size


class TestToleratedQuirks:
    @pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
    def test_line_endings_lf_crlf_and_cr_are_accepted(self, ending: str) -> None:
        parsed = parse_bytes(flow(*BODY, ending=ending))

        assert len(parsed.readings) == 1

    def test_no_final_newline_is_accepted(self) -> None:
        parsed = parse_bytes(flow(*BODY).rstrip(b"\n"))

        assert len(parsed.readings) == 1
        assert parsed.warnings == ()

    def test_blank_lines_at_the_end_are_accepted_silently(self) -> None:
        parsed = parse_bytes(flow(*BODY) + b"\n\n  \n")

        assert parsed.warnings == ()

    def test_a_blank_line_before_the_header_is_accepted_with_a_warning(self) -> None:
        parsed = parse_bytes(b"\n" + flow(*BODY))

        assert [w.reason for w in parsed.warnings] == ["1 blank line(s) ignored"]

    def test_extra_blank_fields_after_the_last_item_are_tolerated_and_reported(self) -> None:
        padded = [line + " | |" for line in BODY]

        parsed = parse_bytes(flow(*padded))

        assert len(parsed.readings) == 1
        assert "extra blank fields after the last item" in parsed.warnings[0].reason

    def test_missing_trailing_pipe_and_trailing_optional_items_are_tolerated(self) -> None:
        parsed = parse_bytes(flow("026|1200012345679|V", "028|K98A 12345|R", BODY[2]))

        assert len(parsed.readings) == 1
        assert "no trailing '|'" in parsed.warnings[0].reason

    def test_empty_optional_items_are_none(self) -> None:
        parsed = parse_bytes(
            flow(*BODY[:2], "030|01|20240403000000|34567|||  |N|".replace("  ", ""))
        )

        reading = parsed.readings[0]
        assert reading.md_reset_at is None
        assert reading.md_reset_count is None
        assert reading.reading_flag is None
        assert reading.value == Decimal("34567")

    def test_flow_count_mismatch_is_a_warning(self) -> None:
        parsed = parse_bytes(flow(*BODY, trailer="ZPT|0000000001|3||7|20240405093020|"))

        assert parsed.warnings[0].field == "Flow Count (J1066)"
        assert "says 7 but the file has 1" in parsed.warnings[0].reason

    def test_leading_zeros_in_a_reading_are_accepted(self) -> None:
        parsed = parse_bytes(flow(*BODY[:2], "030|01|20240403000000|045231.0|||T|N|"))

        assert parsed.readings[0].value == Decimal("45231.0")

    def test_an_amsid_starting_78_is_not_check_digit_tested(self) -> None:
        parsed = parse_bytes(flow("026|7812345678901|V|", *BODY[1:]))

        assert parsed.groups[0].mpan == "7812345678901"

    def test_the_same_mpan_may_appear_in_several_026_groups(self) -> None:
        parsed = parse_bytes(flow(*BODY, *BODY))

        assert [g.mpan for g in parsed.groups] == ["1200012345679", "1200012345679"]

    def test_a_028_with_only_a_site_visit_is_valid(self) -> None:
        parsed = parse_bytes(flow(BODY[0], BODY[1], "029|20|No access|"))

        assert parsed.groups[0].meters[0].readings == ()
        assert parsed.groups[0].meters[0].site_visits[0].check_code == "20"

    def test_suspect_reading_without_032_is_a_warning(self) -> None:
        parsed = parse_bytes(flow(*BODY[:2], "030|01|20240403000000|34567.0|||F|P|"))

        assert "flagged suspect" in parsed.warnings[0].reason

    def test_reading_after_file_creation_is_a_warning(self) -> None:
        parsed = parse_bytes(flow(*BODY[:2], "030|01|20250403000000|34567.0|||T|P|"))

        assert "after the file was created" in parsed.warnings[0].reason

    def test_test_data_flag_other_than_oper_is_read(self) -> None:
        parsed = parse_bytes(flow(*BODY, header=HEADER.replace("OPER", "TR01")))

        assert parsed.header.test_data_flag == "TR01"
        assert parsed.header.is_test_data


class TestDaylightSaving:
    def test_a_time_in_the_repeated_autumn_hour_is_read_as_summer_time_with_a_warning(
        self,
    ) -> None:
        parsed = parse_bytes(
            flow(*BODY[:2], "030|01|20231029013000|34567.0|||T|S|".replace("S|", "P|"))
        )

        reading = parsed.readings[0]
        assert reading.read_at == datetime(2023, 10, 29, 0, 30, tzinfo=timezone.utc)
        assert "happens twice" in parsed.warnings[0].reason

    def test_a_time_in_the_skipped_spring_hour_is_an_error(self) -> None:
        issue = only_issue(flow(*BODY[:2], "030|01|20240331013000|34567.0|||T|P|"))

        assert issue.line_number == 4
        assert issue.field == "Reading Date & Time (J0016)"
        assert "does not exist in UK local time" in issue.reason


class TestInvalidFiles:
    def test_an_empty_file_is_refused(self) -> None:
        issue = only_issue(b"")

        assert issue.reason == "the file is empty"

    def test_a_binary_file_is_refused_on_line_one(self) -> None:
        issue = only_issue(bytes(range(256)))

        assert issue.line_number == 1
        assert "not a text file" in issue.reason or "not a D0010 file" in issue.reason

    def test_another_flow_is_refused(self) -> None:
        issue = only_issue(flow(*BODY, header=HEADER.replace("D0010002", "D0086001")))

        assert issue.line_number == 1
        assert "'D0086001' file, not a D0010" in issue.reason

    def test_an_unsupported_version_is_refused(self) -> None:
        issue = only_issue(flow(*BODY, header=HEADER.replace("D0010002", "D0010001")))

        assert "version 001 of D0010 is not supported" in issue.reason

    def test_a_file_without_header_is_refused(self) -> None:
        issue = only_issue(b"\n".join(flow(*BODY).split(b"\n")[1:]))

        assert issue.line_number == 1
        assert "expected a ZHV header" in issue.reason

    def test_a_file_without_trailer_is_refused(self) -> None:
        issue = only_issue(b"\n".join(flow(*BODY).split(b"\n")[:-2]))

        assert issue.reason == "the file ends without a ZPT trailer"

    def test_a_wrong_total_group_count_is_an_error(self) -> None:
        issue = only_issue(flow(*BODY, trailer="ZPT|0000000001|4||1|20240405093020|"))

        assert issue.line_number == 5
        assert issue.reason == "says 4 groups but the file has 3"

    def test_a_trailer_file_identifier_that_differs_from_the_header_is_an_error(self) -> None:
        issue = only_issue(flow(*BODY, trailer="ZPT|0000000002|3||1|20240405093020|"))

        assert "does not match the header's '0000000001'" in issue.reason

    def test_content_after_the_trailer_is_an_error(self) -> None:
        issue = only_issue(flow(*BODY) + b"026|1200012345679|V|\n")

        assert issue.line_number == 6
        assert issue.reason == "content after the ZPT trailer"

    @pytest.mark.parametrize(
        ("body", "line", "reason"),
        [
            (["030|01|20240403000000|1.0|||T|N|"], 2, "030 register reading outside any 028"),
            (["026|1200012345679|V|", "032|03|F|", "028|A|R|"], 3, "032 validation result outside"),
            (["026|1200012345679|V|", "029|01||", "028|A|R|"], 3, "029 site visit outside"),
            (["028|A|R|"], 2, "028 meter group outside any 026"),
            (["026|1200012345679|V|"], 2, "the 026 group has no 028 meter group"),
        ],
    )
    def test_orphan_groups_are_errors(self, body: list[str], line: int, reason: str) -> None:
        issues = issues_of(flow(*body))

        assert (issues[0].line_number, reason in issues[0].reason) == (line, True)

    def test_a_second_032_for_one_reading_is_an_error(self) -> None:
        issue = only_issue(
            flow(*BODY[:2], "030|01|20240403000000|1.0|||F|N|", "032|03|F|", "032|04|F|")
        )

        assert issue.line_number == 6
        assert "a second 032" in issue.reason

    @pytest.mark.parametrize("tag", ["031", "999", "ZZZ"])
    def test_unknown_groups_are_errors(self, tag: str) -> None:
        issue = only_issue(flow(*BODY, f"{tag}|x|"))

        assert issue.line_number == 5
        assert tag in issue.reason

    def test_a_bad_mpan_check_digit_is_an_error(self) -> None:
        issue = only_issue(flow("026|1200012345678|V|", *BODY[1:]))

        assert issue.field == "MPAN Core (J0003)"
        assert "fails the MPAN check digit (expected 9" in issue.reason

    @pytest.mark.parametrize(
        ("item", "field", "reason"),
        [
            ("20230230000000", "Reading Date & Time (J0016)", "not a real calendar date"),
            ("19000101000000", "Reading Date & Time (J0016)", "between 1950 and 2199"),
            ("2024040300000", "Reading Date & Time (J0016)", "CCYYMMDDHHMMSS"),
        ],
    )
    def test_impossible_dates_are_errors(self, item: str, field: str, reason: str) -> None:
        issue = only_issue(flow(*BODY[:2], f"030|01|{item}|1.0|||T|N|"))

        assert (issue.field, reason in issue.reason) == (field, True)

    @pytest.mark.parametrize("value", ["-1.0", "1.25", "1,0", "1e5", "1234567890", "", ".5", "1."])
    def test_negative_or_malformed_readings_are_errors(self, value: str) -> None:
        issue = only_issue(flow(*BODY[:2], f"030|01|20240403000000|{value}|||T|N|"))

        assert issue.field == "Register Reading (J0040)"
        assert issue.line_number == 4

    @pytest.mark.parametrize(
        ("line", "field"),
        [
            ("028|K98A0123456|R|", "Meter Id (Serial Number) (J0004)"),
            ("028||R|", "Meter Id (Serial Number) (J0004)"),
            ("028|K98A|O|", "Reading Type (J0171)"),
            ("028|K98A|B|", "Reading Type (J0171)"),
        ],
    )
    def test_bad_028_items_are_errors(self, line: str, field: str) -> None:
        issue = only_issue(flow(BODY[0], line, BODY[2]))

        assert (issue.line_number, issue.field) == (3, field)

    def test_reading_type_o_says_where_it_belongs(self) -> None:
        issue = only_issue(flow(BODY[0], "028|K98A|O|", BODY[2]))

        assert "only allowed in D0071 and D0300" in issue.reason

    @pytest.mark.parametrize(
        ("line", "field"),
        [
            ("030|ABC|20240403000000|1.0|||T|N|", "Meter Register Id (J0010)"),
            ("030||20240403000000|1.0|||T|N|", "Meter Register Id (J0010)"),
            ("030|01|20240403000000|1.0|||Y|N|", "Meter Reading Flag (J0045)"),
            ("030|01|20240403000000|1.0|||T|Q|", "Reading Method (J1888)"),
            ("030|01|20240403000000|1.0|||T||", "Reading Method (J1888)"),
            ("030|01|20240403000000|1.0||1000|T|N|", "Number of MD Resets (J1013)"),
            ("030|01|20240403000000|1.0|2024|1|T|N|", "MD Reset Date & Time (J0044)"),
        ],
    )
    def test_bad_030_items_are_errors(self, line: str, field: str) -> None:
        issue = only_issue(flow(*BODY[:2], line))

        assert (issue.line_number, issue.field) == (4, field)

    @pytest.mark.parametrize(
        ("line", "field"),
        [
            ("026|1200012345679|X|", "BSC Validation Status (J0022)"),
            ("026|120001234567|V|", "MPAN Core (J0003)"),
            ("026|12000123456AB|V|", "MPAN Core (J0003)"),
        ],
    )
    def test_bad_026_items_are_errors(self, line: str, field: str) -> None:
        issue = only_issue(flow(line, *BODY[1:]))

        assert (issue.line_number, issue.field) == (2, field)

    @pytest.mark.parametrize(
        ("line", "field"),
        [
            ("029|12||", "Site Visit Check Code (J0024)"),
            ("029|||", "Site Visit Check Code (J0024)"),
            ("029|01|" + "x" * 201 + "|", "Additional Information (J0012)"),
        ],
    )
    def test_bad_site_visit_items_are_errors(self, line: str, field: str) -> None:
        issue = only_issue(flow(*BODY[:2], line, BODY[2]))

        assert (issue.line_number, issue.field) == (4, field)

    @pytest.mark.parametrize(
        ("line", "field"),
        [
            ("032|99|F|", "Meter Reading Reason Code (J0332)"),
            ("032|03||", "Meter Reading Status (J0047)"),
        ],
    )
    def test_bad_032_items_are_errors(self, line: str, field: str) -> None:
        issue = only_issue(flow(*BODY[:2], "030|01|20240403000000|1.0|||F|N|", line))

        assert (issue.line_number, issue.field) == (5, field)

    def test_too_many_items_is_an_error(self) -> None:
        issue = only_issue(flow(*BODY[:2], "030|01|20240403000000|1.0|||T|N|extra|"))

        assert "has 8 items where group 030 has 7" in issue.reason

    def test_a_second_header_is_an_error(self) -> None:
        issue = only_issue(flow(BODY[0], HEADER, *BODY[1:]))

        assert issue.reason == "a second ZHV header inside the file"

    def test_an_over_long_line_stops_the_parser_with_a_clear_error(self) -> None:
        issue = only_issue(flow(*BODY[:2], "030|" + "1" * 10_000 + "|"))

        assert issue.line_number == 4
        assert "longer than 4096 bytes" in issue.reason

    def test_control_characters_are_errors(self) -> None:
        issue = only_issue(flow(*BODY[:2], "030|01|20240403000000|1.0|||T|N|\x00"))

        assert "control character 0x00" in issue.reason

    def test_a_utf16_file_is_not_a_d0010_file(self) -> None:
        issue = only_issue(flow(*BODY).decode().encode("utf-16"))

        assert issue.line_number == 1

    def test_several_errors_are_reported_not_just_the_first(self) -> None:
        issues = issues_of(
            flow(
                "026|1200012345678|V|",
                "028|K98A|O|",
                "030|01|20230230000000|-1|||T|N|",
                trailer="ZPT|0000000001|9||1|20240405093020|",
            )
        )

        assert [i.line_number for i in issues] == [2, 3, 4, 5]

    def test_errors_are_capped(self) -> None:
        bad = ["026|1200012345678|V|", "028|K98A|R|"] * 100

        with pytest.raises(InvalidFlowFile) as caught:
            parse_bytes(flow(*bad))

        assert caught.value.truncated
        assert len(caught.value.issues) == 51
        assert caught.value.issues[-1].reason == "stopped after 50 errors"

    def test_the_error_names_the_file_line_field_and_reason(self) -> None:
        with pytest.raises(InvalidFlowFile) as caught:
            parse_bytes(flow("026|1200012345678|V|", *BODY[1:]), name="in.uff")

        assert str(caught.value.issues[0]).startswith(
            "in.uff: line 2, MPAN Core (J0003): '1200012345678' fails the MPAN check digit"
        )


class TestIdentifiers:
    @pytest.mark.parametrize(("first_twelve", "digit"), [("120001234567", 9), ("190000000005", 0)])
    def test_check_digit_matches_the_worked_examples(self, first_twelve: str, digit: int) -> None:
        assert mpan_check_digit(first_twelve) == digit

    def test_every_mpan_in_the_official_sample_is_valid(self, official_sample: Path) -> None:
        parsed = parse_file(official_sample)

        assert all(is_valid_mpan_core(g.mpan) for g in parsed.groups)

    @pytest.mark.parametrize(
        "core", ["1234567890123", "12000123456", "120001234567X", "١٢٠٠٠١٢٣٤٥٦٧٩"]
    )
    def test_invalid_cores_are_refused(self, core: str) -> None:
        assert not is_valid_mpan_core(core)

    def test_search_keys_normalise_what_people_paste(self) -> None:
        assert serial_search_key(" f75a  00802 ") == "F75A00802"
        assert mpan_search_key(" 12 0002 3305 967\t") == "1200023305967"


class TestSharedSamples:
    VALID = (
        "kttyo__flow_files__DTC5259515123502080915D0010.uff",
        "nitishlobo__kraken-energy__DTC5259515123502080915D0010.uff",
        "addy-stark__FlowFiles-app__sample_d0010.flo",
        "mxcode1__kraken_d0010_project__example_d0010_copy.uff",
    )

    @pytest.mark.parametrize("name", VALID)
    def test_real_copies_of_the_sample_parse(self, shared_samples: Path, name: str) -> None:
        parsed = parse_file(shared_samples / name)

        assert len(parsed.readings) == 13

    def test_every_other_shared_file_is_refused_with_line_numbers(
        self, shared_samples: Path
    ) -> None:
        others = [
            p
            for p in sorted(shared_samples.iterdir())
            if p.name not in self.VALID and p.name != "SOURCES.md"
        ]

        for path in others:
            with pytest.raises(InvalidFlowFile) as caught:
                parse_file(path)
            assert caught.value.issues[0].file_name == path.name


class TestDigitsAreAscii:
    """Other scripts' digits look like numbers to Python, but not to the flow's definition."""

    FULLWIDTH = {ord("0") + d: 0xFF10 + d for d in range(10)}  # U+FF10 to U+FF19
    ARABIC_INDIC = {ord("0") + d: 0x0660 + d for d in range(10)}

    def test_an_mpan_in_fullwidth_digits_is_refused(self) -> None:
        mpan = "1200012345679".translate(self.FULLWIDTH)

        issue = only_issue(flow(f"026|{mpan}|V|", *BODY[1:]))

        assert issue.field == "MPAN Core (J0003)"
        assert "is not 13 digits" in issue.reason

    def test_a_date_in_arabic_indic_digits_is_refused(self) -> None:
        date = "20240403000000".translate(self.ARABIC_INDIC)

        issue = only_issue(flow(*BODY[:2], f"030|01|{date}|34567.0|||T|P|"))

        assert issue.field == "Reading Date & Time (J0016)"

    def test_a_reading_value_in_fullwidth_digits_is_refused(self) -> None:
        value = "34567.0".translate(self.FULLWIDTH)

        issue = only_issue(flow(*BODY[:2], f"030|01|20240403000000|{value}|||T|P|"))

        assert issue.field == "Register Reading (J0040)"

    def test_an_md_reset_count_in_fullwidth_digits_is_refused(self) -> None:
        issue = only_issue(flow(*BODY[:2], "030|MD|20240403000000|56.4|20240403000000|\uff13|T|P|"))

        assert issue.field == "Number of MD Resets (J1013)"


class TestSerialPadding:
    def test_a_ten_character_serial_with_spaces_around_it_is_trimmed_with_a_warning(
        self,
    ) -> None:
        parsed = parse_bytes(flow(BODY[0], "028| K98A012345 |R|", BODY[2]))

        assert parsed.groups[0].meters[0].serial_number == "K98A012345"
        assert [w.field for w in parsed.warnings] == ["Meter Id (Serial Number) (J0004)"]
        assert "spaces around 'K98A012345' were removed" in parsed.warnings[0].reason

    def test_a_serial_longer_than_ten_characters_once_trimmed_is_refused(self) -> None:
        issue = only_issue(flow(BODY[0], "028| K98A0123456 |R|", BODY[2]))

        assert issue.field == "Meter Id (Serial Number) (J0004)"
        assert "'K98A0123456' is longer than 10 characters" in issue.reason


class TestFilesThatAreNotText:
    @pytest.mark.parametrize(
        ("compress", "kind"),
        [(gzip.compress, "gzip"), (bz2.compress, "bzip2"), (lzma.compress, "xz")],
    )
    def test_a_compressed_flow_is_refused_as_compressed(
        self, compress: Callable[[bytes], bytes], kind: str
    ) -> None:
        issue = only_issue(compress(flow(*BODY)))

        assert issue.line_number == 1
        assert issue.reason.startswith(f"the file is compressed ({kind})")

    def test_a_zipped_flow_is_refused_as_compressed(self) -> None:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("flow.uff", flow(*BODY))

        issue = only_issue(archive.getvalue())

        assert issue.reason.startswith("the file is compressed (zip)")

    def test_a_control_byte_is_named_before_a_byte_that_no_text_encoding_has(self) -> None:
        # 0x9d is undefined in Windows-1252 and invalid in UTF-8; the 0x01 before it is the
        # first sign that the line is not text.
        issue = only_issue(flow(*BODY[:2]).replace(b"K98A", b"K\x019A\x9d"))

        assert issue.line_number == 3
        assert issue.reason == "control character 0x01 at column 6; not a text file"


class TestDtcAdvice:
    """What the DTC advises and files do not always follow: one warning per kind, not an error."""

    def test_a_reading_at_a_time_of_day_under_a_routine_reading_type_is_reported(
        self,
    ) -> None:
        parsed = parse_bytes(
            flow(
                *BODY[:2],
                "030|01|20240403101500|34567.0|||T|P|",
                "030|02|20240403101500|12345.0|||T|P|",
            )
        )

        assert len(parsed.readings) == 2
        (warning,) = parsed.warnings
        assert warning.line_number == 4
        assert "time of day under a reading type other than S" in warning.reason
        assert "on line(s) 4, 5;" in warning.reason

    @pytest.mark.parametrize(
        ("reading_type", "time_of_day"), [("S", "143000"), ("R", "000000"), ("R", "235959")]
    )
    def test_special_readings_and_midnight_readings_are_not_reported(
        self, reading_type: str, time_of_day: str
    ) -> None:
        parsed = parse_bytes(
            flow(
                BODY[0],
                f"028|K98A 12345|{reading_type}|",
                f"030|01|20240403{time_of_day}|34567.0|||T|P|",
            )
        )

        assert parsed.warnings == ()

    def test_a_failed_meter_point_without_a_suspect_reading_is_reported(self) -> None:
        parsed = parse_bytes(flow("026|1200012345679|F|", *BODY[1:]))

        (warning,) = parsed.warnings
        assert warning.line_number == 2
        assert "BSC Validation Status F (failed) but no reading flagged F" in warning.reason

    def test_a_failed_meter_point_with_a_suspect_reading_is_not_reported(self) -> None:
        parsed = parse_bytes(
            flow(
                "026|1200012345679|F|",
                BODY[1],
                "030|01|20240403000000|34567.0|||F|P|",
                "032|03|F|",
            )
        )

        assert parsed.warnings == ()


class TestParticipantIds:
    @pytest.mark.parametrize(
        ("given", "read", "warned"),
        [
            (
                ("dcaa", "Supa"),
                ("DCAA", "SUPA"),
                ["From Market Participant Id (J0938)", "To Market Participant Id (J0939)"],
            ),
            (("DC01", "1234"), ("DC01", "1234"), []),
        ],
    )
    def test_ids_are_read_in_upper_case_with_a_warning_when_they_were_not(
        self, given: tuple[str, str], read: tuple[str, str], warned: list[str]
    ) -> None:
        header = HEADER.replace("|D|DCAA|X|SUPA|", f"|D|{given[0]}|X|{given[1]}|")

        parsed = parse_bytes(flow(*BODY, header=header))

        header_ids = (parsed.header.sender_participant_id, parsed.header.recipient_participant_id)
        assert header_ids == read
        assert [(w.line_number, w.field) for w in parsed.warnings] == [(1, f) for f in warned]
        assert all(f"'{given[0]}' read as '{read[0]}'" in w.reason for w in parsed.warnings[:1])
