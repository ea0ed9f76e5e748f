"""Read the columns a measure needs from a CSV (UTF-8 or GBK) or Parquet file.

Every problem names the file's row the way a person finds it: in a CSV the header is row 1 and
the first data row is row 2 (as in Excel); in Parquet the first record is row 1. Numbers are
parsed strictly: an empty cell, text such as "1,234" or "约5000", and NaN are errors naming
the column and row, never silently skipped (a skipped row would change every measure).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from fangpin.measures.errors import MeasureError
from fangpin.measures.inputs import FloatArray

__all__ = ["Columns", "decode", "read_columns"]


@dataclass(frozen=True, slots=True)
class Columns:
    """The columns read, as numpy arrays, and how rows are numbered in the file."""

    numbers: dict[str, FloatArray]
    texts: dict[str, NDArray[np.object_]]
    rows: int
    source_format: str  # "csv" | "parquet"
    encoding: str  # CSV: "utf-8" | "utf-8-sig" | "gbk"; Parquet: ""
    first_row: int  # the file's row number of the first data row

    def row_number(self, index: int) -> int:
        return self.first_row + index


def decode(data: bytes) -> tuple[bytes, str]:
    """UTF-8 (with or without BOM) as is, GBK (read as its superset GB18030) re-encoded."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:], "utf-8-sig"
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030").encode("utf-8"), "gbk"
    except UnicodeDecodeError:
        raise MeasureError("file", "无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV") from None


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".csv", ".txt", ".tsv"):
        return "csv"
    with path.open("rb") as handle:
        return "parquet" if handle.read(4) == b"PAR1" else "csv"


def _missing(columns: Sequence[str], present: Sequence[str], path: Path) -> None:
    absent = [c for c in columns if c not in present]
    if absent:
        names = "、".join(f"“{c}”" for c in absent)
        available = "、".join(present[:30]) + ("……" if len(present) > 30 else "")
        raise MeasureError("columns", f"文件 {path.name} 中没有列 {names}；现有列：{available}")


def _read_csv(path: Path, columns: Sequence[str]) -> tuple[pa.Table, str]:
    import pyarrow.csv as pacsv

    data, encoding = decode(path.read_bytes())
    first_line = data.split(b"\n", 1)[0]
    delimiter = "\t" if b"\t" in first_line and b"," not in first_line else ","
    parse = pacsv.ParseOptions(delimiter=delimiter)
    try:
        names = pacsv.open_csv(io.BytesIO(data), parse_options=parse).schema.names
    except pa.ArrowInvalid as exc:
        raise MeasureError("file", f"无法读取 CSV 文件 {path.name}：{exc}") from exc
    names = [name.strip() for name in names]
    _missing(columns, names, path)
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in columns},
        include_columns=list(columns),
        strings_can_be_null=True,
        null_values=[""],  # only an empty cell is empty: "NA" or "NaN" are values to refuse
    )
    read = pacsv.ReadOptions(column_names=names, skip_rows=1)
    try:
        table = pacsv.read_csv(
            io.BytesIO(data), read_options=read, parse_options=parse, convert_options=convert
        )
    except pa.ArrowInvalid as exc:
        raise MeasureError("file", f"无法读取 CSV 文件 {path.name}：{exc}") from exc
    return table, encoding


def _read_parquet(path: Path, columns: Sequence[str]) -> pa.Table:
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
    except (pa.ArrowInvalid, OSError) as exc:
        raise MeasureError("file", f"无法读取 Parquet 文件 {path.name}：{exc}") from exc
    _missing(columns, names, path)
    table: pa.Table = pq.read_table(path, columns=list(columns))
    return table


def _numbers(column: pa.ChunkedArray, name: str, first_row: int) -> FloatArray:
    if column.null_count:
        index = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
        raise MeasureError("blank", f"列“{name}”第 {first_row + index} 行为空")
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        trimmed = pc.utf8_trim_whitespace(column)
        try:
            parsed = pc.cast(trimmed, pa.float64())
        except pa.ArrowInvalid:
            for index, text in enumerate(trimmed.to_pylist()):
                try:
                    float(text)
                except ValueError:
                    raise MeasureError(
                        "not_numeric", f"列“{name}”第 {first_row + index} 行不是数值：“{text}”"
                    ) from None
            raise  # every value parsed one by one, yet not as a column: not expected
    elif (
        pa.types.is_integer(column.type)
        or pa.types.is_floating(column.type)
        or pa.types.is_decimal(column.type)
        or pa.types.is_boolean(column.type)
    ):
        parsed = pc.cast(column, pa.float64())
    else:
        raise MeasureError("not_numeric", f"列“{name}”的类型为 {column.type}，不是数值")
    values: FloatArray = np.asarray(parsed.to_numpy(zero_copy_only=False), dtype=np.float64)
    finite = np.isfinite(values)
    if not finite.all():
        index = int(np.flatnonzero(~finite)[0])
        raise MeasureError(
            "not_finite", f"列“{name}”第 {first_row + index} 行不是有限数：{values[index]}"
        )
    return values


def _texts(column: pa.ChunkedArray, name: str, first_row: int) -> NDArray[np.object_]:
    if column.null_count:
        index = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
        raise MeasureError("blank", f"列“{name}”第 {first_row + index} 行为空")
    strings = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
    values: NDArray[np.object_] = np.asarray(strings.to_numpy(zero_copy_only=False), dtype=object)
    return values


def read_columns(path: Path, *, numbers: Sequence[str], texts: Sequence[str] = ()) -> Columns:
    """Read ``numbers`` as float64 and ``texts`` as trimmed strings from a CSV or Parquet file."""
    if not path.is_file():
        raise MeasureError("file", f"找不到文件：{path}")
    wanted = list(dict.fromkeys([*numbers, *texts]))
    kind = _format_of(path)
    if kind == "csv":
        table, encoding = _read_csv(path, wanted)
        first_row = 2
    else:
        table, encoding = _read_parquet(path, wanted), ""
        first_row = 1
    if table.num_rows == 0:
        raise MeasureError("empty", f"文件 {path.name} 没有数据行")
    return Columns(
        numbers={c: _numbers(table.column(c), c, first_row) for c in numbers},
        texts={c: _texts(table.column(c), c, first_row) for c in texts},
        rows=table.num_rows,
        source_format=kind,
        encoding=encoding,
        first_row=first_row,
    )
