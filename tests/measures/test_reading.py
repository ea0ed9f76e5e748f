"""read_columns: encodings, delimiters, Parquet types, and errors naming the file's row."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from fangpin.measures import MeasureError
from fangpin.measures.reading import read_columns


def test_utf8_with_bom_and_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_bytes("\ufeff村\t 收入 \n甲\t 1.5 \n乙\t2e3\n".encode())

    columns = read_columns(path, numbers=["收入"], texts=["村"])

    assert columns.numbers["收入"].tolist() == [1.5, 2000.0]
    assert columns.texts["村"].tolist() == ["甲", "乙"]
    assert (columns.encoding, columns.source_format, columns.first_row) == ("utf-8-sig", "csv", 2)


def test_gbk_is_read_as_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_bytes("村,收入\n龙潭镇,3\n".encode("gbk"))

    columns = read_columns(path, numbers=["收入"], texts=["村"])

    assert columns.encoding == "gbk"
    assert columns.texts["村"].tolist() == ["龙潭镇"]


def test_parquet_numbers_of_any_numeric_type_and_text_groups(tmp_path: Path) -> None:
    path = tmp_path / "data"  # no suffix: recognised by its magic bytes
    table = pa.table(
        {
            "money": pa.array([1, 2], pa.decimal128(12, 2)),
            "size": pa.array([3, 4], pa.int16()),
            "village": pa.array([433124102201, 433124102202], pa.int64()),
        }
    )
    pq.write_table(table, path)

    columns = read_columns(path, numbers=["money", "size"], texts=["village"])

    assert columns.numbers["money"].tolist() == [1.0, 2.0]
    assert columns.numbers["size"].tolist() == [3.0, 4.0]
    assert columns.texts["village"].tolist() == ["433124102201", "433124102202"]
    assert (columns.source_format, columns.first_row) == ("parquet", 1)


def test_a_null_in_parquet_names_the_record(tmp_path: Path) -> None:
    path = tmp_path / "n.parquet"
    pq.write_table(pa.table({"y": pa.array([1.0, None, 3.0])}), path)

    with pytest.raises(MeasureError) as raised:
        read_columns(path, numbers=["y"])

    assert (raised.value.code, raised.value.message) == ("blank", "列“y”第 2 行为空")


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"y\n1\nNaN\n", "not_finite", "列“y”第 3 行不是有限数：nan"),
        (b'y\n1\n"1,234"\n', "not_numeric", "列“y”第 3 行不是数值：“1,234”"),
        (b"y\n1\nNA\n", "not_numeric", "列“y”第 3 行不是数值：“NA”"),
        (b"y\n1\n1,2\n", "file", None),  # a row with more fields than the header
        (b"y\n1\n\n2\n", None, None),  # a blank line is skipped by the CSV reader, not a value
        (b"\xff\xfe\x00y", "file", None),
    ],
)
def test_csv_problems(
    tmp_path: Path, content: bytes, code: str | None, message: str | None
) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(content)

    if code is None:
        assert read_columns(path, numbers=["y"]).numbers["y"].tolist() == [1.0, 2.0]
        return
    with pytest.raises(MeasureError) as raised:
        read_columns(path, numbers=["y"])
    assert raised.value.code == code
    if message is not None:
        assert raised.value.message == message


def test_text_that_is_not_a_number_names_row_and_value(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("y,z\n1,a\n2,b\n约5000,c\n", "utf-8")

    with pytest.raises(MeasureError) as raised:
        read_columns(path, numbers=["y"])

    assert raised.value.message == "列“y”第 4 行不是数值：“约5000”"


def test_missing_file_and_missing_column(tmp_path: Path) -> None:
    with pytest.raises(MeasureError) as raised:
        read_columns(tmp_path / "none.csv", numbers=["y"])
    assert raised.value.code == "file"

    path = tmp_path / "c.csv"
    path.write_text("a,b\n1,2\n", "utf-8")
    with pytest.raises(MeasureError) as raised:
        read_columns(path, numbers=["y"], texts=["z"])
    assert (raised.value.code, raised.value.message) == (
        "columns",
        "文件 c.csv 中没有列 “y”、“z”；现有列：a、b",
    )
