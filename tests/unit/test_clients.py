"""The client's address: believed from X-Forwarded-For only as far as the trusted proxies go."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from core.clients import client_address

PROXY = "10.0.0.2"


def address(forwarded: str | None, *, proxies: int) -> str | None:
    headers = {} if forwarded is None else {"x-forwarded-for": forwarded}
    request = RequestFactory().get("/", headers=headers, REMOTE_ADDR=PROXY)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        return client_address(request)


class TestClientAddress:
    def test_without_trusted_proxies_is_the_connections_address(self) -> None:
        assert address("192.0.2.1", proxies=0) == PROXY

    @pytest.mark.parametrize(
        ("forwarded", "proxies", "expected"),
        [
            ("192.0.2.1", 1, "192.0.2.1"),
            ("6.6.6.6, 192.0.2.1", 1, "192.0.2.1"),  # the left entry is the client's own
            ("6.6.6.6, 192.0.2.1, 10.0.0.1", 2, "192.0.2.1"),
            ("2001:db8::1", 1, "2001:db8::1"),
        ],
    )
    def test_behind_proxies_is_what_the_outermost_trusted_proxy_saw(
        self, forwarded: str, proxies: int, expected: str
    ) -> None:
        assert address(forwarded, proxies=proxies) == expected

    @pytest.mark.parametrize(
        ("forwarded", "proxies"),
        [(None, 1), ("", 1), ("192.0.2.1", 2), ("not-an-address", 1), ("192.0.2.1, ", 1)],
    )
    def test_falls_back_to_the_connection_when_the_header_cannot_be_believed(
        self, forwarded: str | None, proxies: int
    ) -> None:
        assert address(forwarded, proxies=proxies) == PROXY
