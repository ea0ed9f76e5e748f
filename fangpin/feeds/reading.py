"""Read a department file into a header and rows: CSV (UTF-8, UTF-8 with BOM, GBK), Excel
(.xlsx, .xls through python-calamine) or Parquet.

The type is decided by the file's content, never its name: Parquet starts and ends with
``PAR1``; an .xlsx is a zip holding ``xl/workbook.xml``; an .xls is an OLE compound file
(``D0 CF 11 E0``), which is also how an encrypted .xlsx is wrapped; anything else must be text.
Before an Excel file is parsed its zip directory is checked (zip bomb, ``../`` names, macros,
XML entity declarations: SECURITY.md scenarios 13–15). Every refusal is a
:class:`~fangpin.feeds.errors.FeedError` with a Chinese message.

Row numbers are those a user sees in a spreadsheet: the header is row 1, the first data row
is row 2 (Parquet too, for one rule everywhere).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from fangpin.feeds.errors import FeedError

__all__ = ["MAX_ROWS", "RawTable", "detect_format", "read_table"]

MAX_ROWS: Final = 2_000_000
_ZIP_MAX_ENTRIES: Final = 1_000
_ZIP_MAX_TOTAL: Final = 500 * 1024 * 1024  # declared uncompressed bytes
_ZIP_MAX_RATIO: Final = 200
_PARQUET_MAGIC: Final = b"PAR1"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_CFB_MAGIC: Final = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass(frozen=True, slots=True)
class RawTable:
    """A file's header and data rows as read (values untyped for CSV, native otherwise)."""

    headers: list[str]
    rows: list[list[Any]]
    source_format: str  # csv | xlsx | xls | parquet
    encoding: str = ""  # CSV only: utf-8 | utf-8-sig | gbk
    truncated_row: int | None = None  # CSV: the last row stops mid-row (file cut short)


def detect_format(path: Path) -> str:
    """``parquet``, ``xlsx``, ``xls`` or ``csv`` from the first bytes; refuse other content."""
    with path.open("rb") as handle:
        head = handle.read(8)
        if not head:
            raise FeedError("empty", "文件为空")
        if head[:4] == _PARQUET_MAGIC:
            handle.seek(-4, io.SEEK_END)
            if handle.read(4) != _PARQUET_MAGIC:
                raise FeedError("truncated", "Parquet文件不完整（文件末尾缺失，可能上传中断）")
            return "parquet"
    if head[:4] == _ZIP_MAGIC:
        return "xlsx"
    if head == _CFB_MAGIC:
        return "xls"
    if head[:5] == b"%PDF-":
        raise FeedError("type", "这是PDF文件，不能导入：请上传CSV、Excel或Parquet文件")
    return "csv"


def read_table(path: Path, *, max_rows: int = MAX_ROWS) -> RawTable:
    """Read ``path`` (type by content) into a :class:`RawTable`; refuse unsafe or bad files."""
    kind = detect_format(path)
    if kind == "parquet":
        table = _read_parquet(path, max_rows=max_rows)
    elif kind == "xlsx":
        _check_xlsx_container(path)
        table = _read_excel(path, kind, max_rows=max_rows)
    elif kind == "xls":
        _check_cfb(path)
        table = _read_excel(path, kind, max_rows=max_rows)
    else:
        table = _read_csv(path, max_rows=max_rows)
    if not table.headers or all(not str(h).strip() for h in table.headers):
        raise FeedError("columns", "文件第1行没有列名（表头）")
    return table


# --- Parquet ----------------------------------------------------------------------------------


def _read_parquet(path: Path, *, max_rows: int) -> RawTable:
    try:
        parquet = pq.ParquetFile(path)
        if parquet.metadata.num_rows > max_rows:
            raise FeedError("too_many_rows", _too_many(parquet.metadata.num_rows, max_rows))
        table = parquet.read()
    except FeedError:
        raise
    except (pa.ArrowException, OSError) as exc:
        raise FeedError("corrupt", "Parquet文件已损坏或不完整，无法读取") from exc
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = [list(values) for values in zip(*columns, strict=True)] if columns else []
    return RawTable(headers=list(table.column_names), rows=rows, source_format="parquet")


# --- Excel ------------------------------------------------------------------------------------


def _check_xlsx_container(path: Path) -> None:
    """Refuse a zip that is not a plain .xlsx, or would be dangerous to open, before parsing."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > _ZIP_MAX_ENTRIES:
                raise FeedError("unsafe", f"Excel文件内部条目过多（{len(entries)}个），拒绝打开")
            names = {e.filename for e in entries}
            total = 0
            for entry in entries:
                name = entry.filename
                if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                    raise FeedError("unsafe", "Excel文件内部含有非法路径，拒绝打开")
                total += entry.file_size
                if entry.compress_size and entry.file_size / entry.compress_size > _ZIP_MAX_RATIO:
                    raise FeedError("unsafe", "Excel文件压缩比异常（疑似压缩炸弹），拒绝打开")
            if total > _ZIP_MAX_TOTAL:
                raise FeedError("unsafe", "Excel文件解压后过大（疑似压缩炸弹），拒绝打开")
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise FeedError("macro", "工作簿含有宏（.xlsm），不予导入：请另存为普通.xlsx")
            if "xl/workbook.xml" not in names:
                raise FeedError("type", "文件是压缩包而不是Excel工作簿（.xlsx），不能导入")
            for name in names:
                if name.endswith(".xml") and name.startswith("xl/"):
                    with archive.open(name) as member:
                        head = member.read(4096).upper()
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise FeedError("unsafe", "Excel文件含有XML实体声明，文件格式无效")
    except zipfile.BadZipFile as exc:
        raise FeedError("corrupt", "Excel文件已损坏或不完整（可能上传中断）") from exc


def _check_cfb(path: Path) -> None:
    """An OLE file: a legacy .xls, or an encrypted .xlsx (its directory names EncryptionInfo)."""
    with path.open("rb") as handle:
        sample = handle.read(1024 * 1024)
    if "EncryptionInfo".encode("utf-16-le") in sample:
        raise FeedError("encrypted", "Excel文件设置了打开密码，请取消密码后重新上传")


def _read_excel(path: Path, kind: str, *, max_rows: int) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            sheet = workbook.get_sheet_by_index(0)
            if sheet.height > max_rows + 1:
                raise FeedError("too_many_rows", _too_many(sheet.height - 1, max_rows))
            values = sheet.to_python(skip_empty_area=False)
        finally:
            workbook.close()
    except FeedError:
        raise
    except Exception as exc:  # calamine raises its own errors and ValueError subclasses
        if "password" in type(exc).__name__.lower():
            raise FeedError("encrypted", "Excel文件设置了打开密码，请取消密码后重新上传") from exc
        label = "Excel工作簿（.xls）" if kind == "xls" else "Excel工作簿（.xlsx）"
        raise FeedError("corrupt", f"{label}已损坏或格式无效，无法读取") from exc
    rows = [list(row) for row in values]
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise FeedError("empty", "工作表为空")
    headers = [str(h).strip() if not _blank(h) else "" for h in rows[0]]
    data = [[None if _blank(v) else v for v in row] for row in rows[1:]]
    return RawTable(headers=headers, rows=data, source_format=kind)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- CSV --------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:65536]:
        raise FeedError("type", "文件不是CSV文本（含有二进制内容），请上传CSV、Excel或Parquet文件")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise FeedError("encoding", "文件声明为UTF-8但含有无效字节，无法读取") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is the superset of GBK that Windows and Excel actually write.
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise FeedError("encoding", "无法识别文件编码：请另存为UTF-8或GBK编码的CSV") from exc


def _read_csv(path: Path, *, max_rows: int) -> RawTable:
    text, encoding = _decode(path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[Any]] = []
    try:
        for row in reader:
            if len(rows) > max_rows:
                raise FeedError("too_many_rows", _too_many(len(rows), max_rows))
            rows.append(row)
    except csv.Error as exc:
        raise FeedError(
            "truncated", f"CSV文件第{reader.line_num}行格式错误（引号未闭合，文件可能被截断）"
        ) from exc
    while rows and all(not v.strip() for v in rows[-1]):
        rows.pop()
    if not rows:
        raise FeedError("empty", "文件为空")
    headers = [h.strip() for h in rows[0]]
    data: list[list[Any]] = [[v if v.strip() else None for v in row] for row in rows[1:]]
    truncated = None
    ends_cleanly = text.endswith(("\n", "\r"))
    if data and not ends_cleanly and len(data[-1]) < len(headers):
        truncated = len(data) + 1
    return RawTable(
        headers=headers,
        rows=data,
        source_format="csv",
        encoding=encoding,
        truncated_row=truncated,
    )


def _too_many(rows: int, limit: int) -> str:
    return f"文件有{rows:,}行，超过单个文件的上限{limit:,}行，请分批上传"
