"""waitress's options in `fangpin serve`: connections enough for a load of 200 users, and the
forwarded headers of one trusted proxy."""

from __future__ import annotations

import pytest

from fangpin.cli.serve import waitress_options

BASE = {"threads": 8, "connection_limit": 1000, "ident": "fangpin"}


def test_without_a_proxy_no_forwarded_header_is_trusted(settings: object) -> None:
    settings.FANGPIN_TRUSTED_PROXY = []  # type: ignore[attr-defined]
    assert waitress_options() == BASE


def test_one_proxy_address_is_trusted_for_its_address_and_scheme(settings: object) -> None:
    settings.FANGPIN_TRUSTED_PROXY = ["10.0.0.2"]  # type: ignore[attr-defined]
    assert waitress_options() == {
        **BASE,
        "trusted_proxy": "10.0.0.2",
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
    }


@pytest.mark.parametrize("proxies", [["10.0.0.0/24"], ["10.0.0.2", "10.0.0.3"]])
def test_a_network_or_several_proxies_are_not_trusted_by_waitress_and_it_says_so(
    settings: object, proxies: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings.FANGPIN_TRUSTED_PROXY = proxies  # type: ignore[attr-defined]
    assert waitress_options() == BASE
    assert "waitress 只能信任一个代理地址" in capsys.readouterr().err
