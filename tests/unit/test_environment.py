"""Settings from the environment: read strictly, never guessed at."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.environment import env_bool, env_choice, env_int, env_str

NAME = "D0010_TEST_SETTING"


@pytest.fixture
def setting(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv(NAME, raising=False)
    return monkeypatch


class TestEnvBool:
    @pytest.mark.parametrize(("value", "expected"), [("1", True), ("0", False), (" 1 ", True)])
    def test_reads_1_and_0(self, setting: pytest.MonkeyPatch, value: str, expected: bool) -> None:
        setting.setenv(NAME, value)

        assert env_bool(NAME) is expected

    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_unset_or_blank_is_the_default(
        self, setting: pytest.MonkeyPatch, value: str | None
    ) -> None:
        if value is not None:
            setting.setenv(NAME, value)

        assert env_bool(NAME, default=True) is True
        assert env_bool(NAME) is False

    @pytest.mark.parametrize("value", ["2", "yes", "maybe", "true", "on", "no", "off", "\uff11"])
    def test_anything_else_stops_with_the_name_and_the_accepted_values(
        self, setting: pytest.MonkeyPatch, value: str
    ) -> None:
        setting.setenv(NAME, value)

        with pytest.raises(ImproperlyConfigured) as raised:
            env_bool(NAME)

        assert str(raised.value) == f"{NAME} must be 1 or 0 (or unset), not {value!r}."


class TestEnvInt:
    def test_reads_a_whole_number(self, setting: pytest.MonkeyPatch) -> None:
        setting.setenv(NAME, " 31536000 ")

        assert env_int(NAME, default=5) == 31_536_000

    def test_unset_is_the_default(self, setting: pytest.MonkeyPatch) -> None:
        assert env_int(NAME, default=5) == 5

    @pytest.mark.parametrize("value", ["abc", "-1", "1.5", "1_000", "+5", "١٢", "1e3", "0x10"])
    def test_anything_else_stops_with_the_name_and_the_accepted_values(
        self, setting: pytest.MonkeyPatch, value: str
    ) -> None:
        setting.setenv(NAME, value)

        with pytest.raises(ImproperlyConfigured) as raised:
            env_int(NAME, default=5)

        assert str(raised.value) == (
            f"{NAME} must be a whole number of at least 0 (or unset), not {value!r}."
        )

    def test_a_number_under_the_minimum_is_refused(self, setting: pytest.MonkeyPatch) -> None:
        setting.setenv(NAME, "0")

        with pytest.raises(ImproperlyConfigured, match="at least 1"):
            env_int(NAME, default=5, minimum=1)


class TestEnvChoice:
    def test_names_every_accepted_value(self, setting: pytest.MonkeyPatch) -> None:
        setting.setenv(NAME, "LOUD")

        with pytest.raises(ImproperlyConfigured) as raised:
            env_choice(NAME, "ERROR", {"INFO": "INFO", "WARNING": "WARNING", "ERROR": "ERROR"})

        assert str(raised.value) == (
            f"{NAME} must be one of INFO, WARNING, ERROR (or unset), not 'LOUD'."
        )


class TestEnvStr:
    def test_blank_is_the_default(self, setting: pytest.MonkeyPatch) -> None:
        setting.setenv(NAME, "  ")

        assert env_str(NAME, default="fallback") == "fallback"
