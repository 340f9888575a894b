"""Serial search keys: what a search for a meter serial matches, on either database."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from readings.dtc.identifiers import serial_search_key

SERIAL_LENGTH = 10  # J0004, CHAR(10): the key column's width too


class TestSerialSearchKey:
    @pytest.mark.parametrize(
        ("serial", "key"),
        [
            (" f75a  00802 ", "F75A00802"),
            ("\u00dfe\u00df 1", "\u00dfE\u00df1"),  # ß has no upper case of one character
            ("\u1e9e" * SERIAL_LENGTH, "\u00df" * SERIAL_LENGTH),  # ẞ, the capital, as ß
            ("\u00e9t\u00e9\u00a0\u00c9", "\u00c9T\u00c9\u00c9"),  # é, and a no-break space
            ("\ufb01x", "\ufb01X"),  # the ligature fi, whose upper case is FI
            ("\u212a12", "K12"),  # the Kelvin sign is a K
        ],
    )
    def test_is_the_serial_without_spaces_in_upper_case(self, serial: str, key: str) -> None:
        assert serial_search_key(serial) == key

    def test_of_ten_sharp_s_is_ten_characters_long(self) -> None:
        assert serial_search_key("\u00df" * SERIAL_LENGTH) == "\u00df" * SERIAL_LENGTH

    @given(st.text(max_size=SERIAL_LENGTH))
    def test_is_never_longer_than_the_serial(self, serial: str) -> None:
        assert len(serial_search_key(serial)) <= len(serial)

    @given(st.text(max_size=SERIAL_LENGTH))
    def test_is_its_own_key(self, serial: str) -> None:
        key = serial_search_key(serial)

        assert serial_search_key(key) == key

    @given(st.text(max_size=SERIAL_LENGTH))
    def test_is_the_same_for_the_serial_in_upper_and_lower_case(self, serial: str) -> None:
        # Where either case is as long as the serial: ß in upper case is SS, another serial.
        assume(len(serial.lower()) == len(serial) == len(serial.upper()))

        assert serial_search_key(serial.lower()) == serial_search_key(serial.upper())
