"""Copied visit notes: identical after normalising, or nearly so, across households."""

from __future__ import annotations

from datetime import date

from fangpin.integrity import IntegritySettings, copied_notes, normalise_note
from tests.integrity.builders import SETTINGS, VILLAGE, YEAR, visit, visits

BASE = (
    "入户走访了解到该户家庭收入主要来源于外出务工，两个孩子均在镇中学正常上学，"
    "住房经鉴定安全，饮水有保障，家庭成员均参加了城乡居民基本医疗保险，暂无返贫风险。"
)
# The same words, other punctuation and spacing: identical once normalised.
REPUNCTUATED = BASE.replace("，", ", ").replace("。", "!  ")
# One character changed: 3 of the 3-grams differ.
ONE_CHANGE = BASE.replace("镇中学", "县中学")
HALF = BASE[:40] + "家中老人患有慢性病，需长期服药，医疗支出较大，建议落实慢病签约服务并持续跟踪。"


def _grams(text: str) -> set[str]:
    t = normalise_note(text)
    return {t[i : i + 3] for i in range(len(t) - 2)}


def _jaccard(a: str, b: str) -> float:
    x, y = _grams(a), _grams(b)
    return len(x & y) / len(x | y)


def test_normalising_drops_punctuation_spacing_and_width() -> None:
    assert normalise_note(" 已走访，情况 正常！ＡＢ１２ ") == "已走访情况正常ab12"
    assert normalise_note(REPUNCTUATED) == normalise_note(BASE)


def test_notes_copied_across_households_are_flagged_per_visitor() -> None:
    similarity = _jaccard(BASE, ONE_CHANGE)
    assert 0.9 <= similarity < 1
    rows = [
        visit(1, 1, BASE),
        visit(2, 2, REPUNCTUATED),
        visit(3, 3, ONE_CHANGE),
        visit(4, 4, BASE, visitor="李四"),
        visit(5, 5, HALF),  # shares only the opening
        visit(6, 6, "已走访，情况正常。"),  # too short to judge
        visit(7, 7, "已走访，情况正常。"),
        visit(8, 1, BASE, on=date(2023, 11, 2)),  # another year
    ]

    found = copied_notes(visits(rows), settings=SETTINGS, year=YEAR)

    assert _jaccard(BASE, HALF) < 0.9
    assert [(f.code, f.subject_kind, f.subject_id, f.region_code, f.severity) for f in found] == [
        ("COPIED_NOTES", "cadre", "张三", VILLAGE, "warning"),
        ("COPIED_NOTES", "cadre", "李四", VILLAGE, "warning"),
    ]
    assert found[0].threshold == 0.9
    assert found[0].figures() == {
        "group_households": [1, 2, 3, 4],
        "group_visits": 4,
        "household_ids": [1, 2, 3],
        "other_visitors": ["李四"],
        "similarity_min": round(similarity, 6),
        "visit_ids": [1, 2, 3],
    }
    assert found[0].explanation == (
        "走访人“张三”2024年对3户（1、2、3）的走访记录与同组记录几乎相同（文字相似度不低于90%，"
        f"同组共4户），例如：“{BASE[:40]}……”；同组还有走访人“李四”的记录"
    )
    assert found[1].figures()["household_ids"] == [4]
    assert found[1].explanation.endswith("；同组还有走访人“张三”的记录")


def test_repeated_notes_of_one_household_are_not_copies() -> None:
    rows = [visit(1, 1, BASE), visit(2, 1, BASE, on=date(2024, 8, 1)), visit(3, 2, HALF)]

    assert copied_notes(visits(rows), settings=SETTINGS, year=YEAR) == []


def test_a_stricter_threshold_drops_the_near_copy() -> None:
    rows = [visit(1, 1, BASE), visit(3, 3, ONE_CHANGE)]
    settings = IntegritySettings(copied_note_similarity=0.99)

    assert copied_notes(visits(rows), settings=settings, year=YEAR) == []
    assert len(copied_notes(visits(rows), settings=SETTINGS, year=YEAR)) == 1
