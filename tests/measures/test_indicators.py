"""The indicator set: the shipped default, overrides, files of the same shape, and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from fangpin.measures import (
    DEFAULT_INDICATOR_SET,
    DEFAULT_INDICATORS,
    MeasureError,
    custom_indicator_set,
    load_indicator_set,
)


def test_default_set_is_two_assurances_three_guarantees_water_and_income() -> None:
    assert DEFAULT_INDICATOR_SET.codes == (
        "food",
        "clothing",
        "water",
        "education",
        "medical",
        "housing",
        "income",
    )
    assert [i.zh for i in DEFAULT_INDICATORS][:2] == ["不愁吃", "不愁穿"]
    assert [d.code for d in DEFAULT_INDICATOR_SET.dimensions] == ["living", "services", "income"]


def test_default_weights_are_three_equal_dimensions_split_equally() -> None:
    weights = DEFAULT_INDICATOR_SET.weights()

    assert weights[:6].tolist() == pytest.approx([1 / 9] * 6, rel=1e-15)
    assert weights[6] == pytest.approx(1 / 3, rel=1e-15)
    assert weights.sum() == pytest.approx(1.0, rel=1e-15)
    assert DEFAULT_INDICATOR_SET.k == pytest.approx(1 / 3, rel=1e-15)


def test_income_takes_the_line_and_only_income_is_cardinal() -> None:
    assert DEFAULT_INDICATOR_SET.cutoffs(7100).tolist() == [1, 1, 1, 1, 1, 1, 7100]
    assert [i.code for i in DEFAULT_INDICATORS if i.cardinal] == ["income"]
    with pytest.raises(MeasureError) as raised:
        DEFAULT_INDICATOR_SET.cutoffs()
    assert raised.value.message == "指标“人均纯收入不低于标准线”以标准线为临界值，但未给出标准线"


def test_overrides_replace_k_weights_and_cutoffs() -> None:
    changed = load_indicator_set(k="1/9", weights={"income": "1/2"}, cutoffs={"food": 2})

    assert changed.k == pytest.approx(1 / 9, rel=1e-15)
    assert changed.weights()[6] == 0.5
    assert changed.cutoffs(7100)[0] == 2.0
    assert DEFAULT_INDICATOR_SET.k == pytest.approx(1 / 3, rel=1e-15)  # the default is untouched


def test_an_override_of_an_unknown_indicator_is_an_error_not_ignored() -> None:
    with pytest.raises(MeasureError) as raised:
        load_indicator_set(weights={"sanitation": 1})

    assert raised.value.code == "indicators"
    assert raised.value.message == (
        "没有指标 sanitation（可用：food、clothing、water、education、medical、housing、income），"
        "不能覆盖其权重"
    )


def test_a_file_of_the_same_shape_defines_another_set(tmp_path: Path) -> None:
    path = tmp_path / "two.toml"
    path.write_text(
        '[set]\ntitle = "两项"\nk = 0.5\n'
        '[[dimensions]]\ncode = "d"\nzh = "全部"\nweight = 1\n'
        '[[indicators]]\ncode = "food"\nzh = "吃"\ndimension = "d"\ncutoff = 1\n'
        '[[indicators]]\ncode = "income"\nzh = "收入"\ndimension = "d"\ncutoff = "line"\n'
        'weight = "3/4"\ncardinal = true\n',
        "utf-8",
    )

    loaded = load_indicator_set(path)

    assert loaded.title == "两项"
    assert loaded.codes == ("food", "income")
    assert loaded.weights().tolist() == [0.5, 0.75]  # food: 1 split in two; income: its own
    assert loaded.cutoffs(4000).tolist() == [1.0, 4000.0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[set\n", None),
        ('title = "x"\n', "指标集文件 bad.toml 缺少 [set] 表"),
        ('[set]\ntitle = "x"\nk = "1/3"\n', "指标集文件 bad.toml 没有指标"),
        (
            '[set]\ntitle = "x"\nk = 2\n[[dimensions]]\ncode = "d"\nzh = "d"\nweight = 1\n'
            '[[indicators]]\ncode = "a"\nzh = "a"\ndimension = "d"\ncutoff = 1\n',
            "bad.toml 的 k 是权重份额，应在 (0, 1] 内，实际为 2",
        ),
        (
            '[set]\ntitle = "x"\nk = 1\n[[dimensions]]\ncode = "d"\nzh = "d"\nweight = 1\n'
            '[[indicators]]\ncode = "a"\nzh = "a"\ndimension = "e"\ncutoff = 1\n',
            "bad.toml 指标 a 的维度 e 未定义",
        ),
        (
            '[set]\ntitle = "x"\nk = 1\n[[dimensions]]\ncode = "d"\nzh = "d"\nweight = "1/0"\n',
            "bad.toml 维度 d 的权重应为正数或分数（如 \"1/3\"），实际为 '1/0'",
        ),
        (
            '[set]\ntitle = "x"\nk = 1\n[[dimensions]]\ncode = "d"\nzh = "d"\nweight = 1\n'
            '[[indicators]]\ncode = "a"\nzh = "a"\ndimension = "d"\ncutoff = -1\n',
            "bad.toml 指标 a 的临界值应为正数，实际为 -1",
        ),
        (
            '[set]\ntitle = "x"\nk = 1\n[[dimensions]]\ncode = "d"\nzh = "d"\nweight = 1\n'
            '[[indicators]]\ncode = "a"\nzh = "a"\ndimension = "d"\ncutoff = 1\n'
            '[[indicators]]\ncode = "a"\nzh = "b"\ndimension = "d"\ncutoff = 1\n',
            "bad.toml 中指标 a 重复",
        ),
    ],
)
def test_a_malformed_file_is_refused_in_chinese(
    tmp_path: Path, text: str, message: str | None
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")

    with pytest.raises(MeasureError) as raised:
        load_indicator_set(path)

    assert raised.value.code == "indicators"
    if message is None:
        assert raised.value.message.startswith("指标集文件 bad.toml 不是有效的 TOML")
    else:
        assert raised.value.message == message


def test_a_missing_file_is_named() -> None:
    with pytest.raises(MeasureError) as raised:
        load_indicator_set("/nonexistent/set.toml")

    assert raised.value.message == "找不到指标集文件 /nonexistent/set.toml"


def test_custom_set_from_column_cutoff_weight_triples() -> None:
    custom = custom_indicator_set([("x", "1", "1/4"), ("pcni", "line", 0.75)], k="1/2")

    assert custom.codes == ("x", "pcni")
    assert custom.weights().tolist() == [0.25, 0.75]
    assert custom.cutoffs(6000).tolist() == [1.0, 6000.0]
    assert custom.k == 0.5
    with pytest.raises(MeasureError) as raised:
        custom_indicator_set([("x", 1, 1), ("x", 1, 1)])
    assert raised.value.message == "指标 x 重复"
