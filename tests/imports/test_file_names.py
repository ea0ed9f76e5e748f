"""The upload's file name as stored and shown (fangpin.imports.services.safe_file_name)."""

from __future__ import annotations

import pytest

from fangpin.imports.services import safe_file_name


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("土地村农户.xlsx", "土地村农户.xlsx"),
        ("C:\\Users\\cadre\\桌面\\土地村.xlsx", "土地村.xlsx"),
        ("../../etc/passwd.xlsx", "passwd.xlsx"),
        ("张三433124199001011234.xlsx", "张三433124********1234.xlsx"),
        ("张三43312419900101123X.xlsx", "张三433124********123X.xlsx"),
        ("张三13812345678.xlsx", "张三138****5678.xlsx"),
        ("户编号4331241022010001.xlsx", "户编号433124********0001.xlsx"),
        ("a\u0000b\u202ec.xlsx", "abc.xlsx"),
    ],
)
def test_folders_control_characters_ids_and_phones_are_dropped_or_masked(
    given: str, stored: str
) -> None:
    assert safe_file_name(given) == stored


def test_a_long_name_is_cut_to_200_characters() -> None:
    assert safe_file_name("村" * 300 + ".xlsx") == "村" * 200
