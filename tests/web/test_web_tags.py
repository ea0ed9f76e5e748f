"""The template filters of the web UI that format numbers and read a region code."""

from __future__ import annotations

from decimal import Decimal

from fangpin.web.templatetags.web_tags import money, percent, region_level, thousands


def test_thousands() -> None:
    assert [thousands(v) for v in (20003, 0, "71541", None, "abc")] == [
        "20,003",
        "0",
        "71,541",
        "None",
        "abc",
    ]


def test_money() -> None:
    values = (Decimal("32000000.00"), Decimal("1234.5"), 0, "abc", None)
    assert [money(v) for v in values] == ["32,000,000", "1,234.50", "0", "abc", "None"]


def test_percent() -> None:
    assert [percent(v) for v in (0.01234, None, "")] == ["1.23%", "—", "—"]


def test_region_level() -> None:
    codes = ("430000000000", "433100000000", "433124000000", "433124102000", "433124102201")
    assert [region_level(c) for c in codes] == [1, 2, 3, 4, 5]
    assert [region_level(c) for c in (None, "", "abc")] == [9, 9, 9]
