"""Read an uploaded file into a header and rows: CSV (UTF-8, UTF-8 with BOM, GBK), Excel
(.xlsx, .xls through python-calamine) or Parquet — safely, within :class:`Limits`.

The type is decided by the file's content, never its name: Parquet starts and ends with
``PAR1``; an .xlsx is a zip holding ``xl/workbook.xml``; an .xls is an OLE compound file
(``D0 CF 11 E0``), which is also how an encrypted .xlsx is wrapped; a PDF is refused; anything
else must be text. Before an Excel file is parsed its zip directory is checked from the
declared sizes only (entry count, declared total, compression ratio, ``..`` and absolute names,
``vbaProject.bin`` macros), then every XML part is scanned, in bounded chunks, for a DOCTYPE or
an entity declaration (SECURITY.md scenarios 13–15). Every refusal is a :class:`SheetError`
with a stable ``code`` and a Chinese ``message``.

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

__all__ = [
    "FEED_LIMITS",
    "IMPORT_LIMITS",
    "IMPORT_MAX_BYTES",
    "Limits",
    "RawTable",
    "SheetError",
    "check_size",
    "check_xlsx_container",
    "count_rows",
    "detect_format",
    "read_table",
]

_MB: Final = 1024 * 1024
_PARQUET_MAGIC: Final = b"PAR1"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_CFB_MAGIC: Final = bytes.fromhex("D0CF11E0A1B11AE1")
_SCAN_CHUNK: Final = 1024 * 1024
#: What an XML part must never hold, in the encodings an XML parser would accept.
_XML_MARKERS: Final = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_XML_SUFFIXES: Final = (".xml", ".rels", ".vml")


class SheetError(Exception):
    """A file the reader refuses: a stable ``code`` and a Chinese ``message`` for the user.

    Codes: ``empty``, ``type`` (not CSV, Excel or Parquet; a PDF; a zip that is not a
    workbook), ``macro``, ``encrypted``, ``unsafe`` (zip bomb, path traversal, XML entities),
    ``encoding``, ``truncated``, ``corrupt``, ``too_many_rows``, ``too_large`` (see
    :func:`check_size`), ``columns`` (no header row, or a column named twice),
    ``sheet`` (no sheet of that name), ``id_as_number`` (see :mod:`fangpin.sheets.normalise`).
    Never change a code that has shipped.
    """

    code: str
    message: str

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.code, self.message))


@dataclass(frozen=True, slots=True)
class Limits:
    """How much a file may hold. The zip limits are checked on declared sizes, before parsing."""

    max_rows: int  # data rows, the header not counted
    zip_max_entries: int
    zip_max_total: int  # declared uncompressed bytes of all entries together
    zip_max_ratio: int  # declared uncompressed / compressed size of any one entry


#: Department feeds: large files, read in the background.
FEED_LIMITS: Final = Limits(
    max_rows=2_000_000, zip_max_entries=1_000, zip_max_total=500 * _MB, zip_max_ratio=200
)
#: Registry imports (SECURITY.md scenarios 14 and 16).
IMPORT_LIMITS: Final = Limits(
    max_rows=20_000, zip_max_entries=1_000, zip_max_total=100 * _MB, zip_max_ratio=100
)

#: Registry import uploads (SECURITY.md ASVS 5.2.1: uploads ≤ 10 MB).
IMPORT_MAX_BYTES: Final = 10 * _MB


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
            raise SheetError("empty", "文件为空")
        if head[:4] == _PARQUET_MAGIC:
            handle.seek(-4, io.SEEK_END)
            if handle.read(4) != _PARQUET_MAGIC:
                raise SheetError("truncated", "Parquet文件不完整（文件末尾缺失，可能上传中断）")
            return "parquet"
    if head[:4] == _ZIP_MAGIC:
        return "xlsx"
    if head == _CFB_MAGIC:
        return "xls"
    if head[:5] == b"%PDF-":
        raise SheetError("type", "这是PDF文件，不能导入：请上传CSV、Excel或Parquet文件")
    return "csv"


def check_size(path: Path, *, max_bytes: int) -> None:
    """Refuse a file larger than ``max_bytes`` (the message gives the limit in whole MB)."""
    if path.stat().st_size > max_bytes:
        raise SheetError("too_large", f"文件超过大小上限{max_bytes // _MB} MB，请分批上传")


def read_table(path: Path, *, limits: Limits, sheet: str | None = None) -> RawTable:
    """Read ``path`` (type by content) into a :class:`RawTable`; refuse unsafe or bad files.

    ``sheet`` names the worksheet of an Excel file to read (the first when ``None``); a CSV or
    Parquet file has one table and ignores it.
    """
    kind = detect_format(path)
    if kind == "parquet":
        table = _read_parquet(path, max_rows=limits.max_rows)
    elif kind == "xlsx":
        check_xlsx_container(path, limits=limits)
        table = _read_excel(path, kind, max_rows=limits.max_rows, sheet=sheet)
    elif kind == "xls":
        _check_cfb(path)
        table = _read_excel(path, kind, max_rows=limits.max_rows, sheet=sheet)
    else:
        table = _read_csv(path, max_rows=limits.max_rows)
    if not table.headers or all(not str(h).strip() for h in table.headers):
        raise SheetError("columns", "文件第1行没有列名（表头）")
    return table


def count_rows(path: Path, *, limits: Limits = FEED_LIMITS) -> int:
    """About how many data rows ``path`` holds, without typing it (0 if unreadable or unsafe).

    Parquet from its metadata, CSV by counting line ends, Excel from the first sheet's height
    (an .xlsx only after its container passed :func:`check_xlsx_container`). It never raises:
    the import proper reports what is wrong with the file.
    """
    try:
        kind = detect_format(path)
        if kind == "parquet":
            return int(pq.ParquetFile(path).metadata.num_rows)
        if kind == "csv":
            lines = 0
            with path.open("rb") as handle:
                while chunk := handle.read(_SCAN_CHUNK):
                    lines += chunk.count(b"\n")
            return max(lines - 1, 0)
        if kind == "xlsx":
            check_xlsx_container(path, limits=limits)
        else:
            _check_cfb(path)
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        try:
            return max(int(workbook.get_sheet_by_index(0).height) - 1, 0)
        finally:
            workbook.close()
    except Exception:  # an estimate: the import proper reports what is wrong
        return 0


# --- Parquet ----------------------------------------------------------------------------------


def _read_parquet(path: Path, *, max_rows: int) -> RawTable:
    try:
        parquet = pq.ParquetFile(path)
        if parquet.metadata.num_rows > max_rows:
            raise SheetError("too_many_rows", _too_many(parquet.metadata.num_rows, max_rows))
        table = parquet.read()
    except SheetError:
        raise
    except (pa.ArrowException, OSError) as exc:
        raise SheetError("corrupt", "Parquet文件已损坏或不完整，无法读取") from exc
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    rows = [list(values) for values in zip(*columns, strict=True)] if columns else []
    return RawTable(headers=list(table.column_names), rows=rows, source_format="parquet")


# --- Excel ------------------------------------------------------------------------------------


def check_xlsx_container(path: Path, *, limits: Limits) -> None:
    """Refuse a zip that is not a plain .xlsx, or would be dangerous to open, before parsing.

    The directory is judged on declared sizes, so a zip bomb is refused without inflating a
    byte. Only then are the XML parts read, a chunk at a time (memory stays bounded whatever
    their size), to refuse a DOCTYPE or an entity declaration anywhere in them.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > limits.zip_max_entries:
                raise SheetError("unsafe", f"Excel文件内部条目过多（{len(entries)}个），拒绝打开")
            names = {e.filename for e in entries}
            total = 0
            for entry in entries:
                name = entry.filename
                if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                    raise SheetError("unsafe", "Excel文件内部含有非法路径，拒绝打开")
                total += entry.file_size
                ratio_limit = limits.zip_max_ratio
                if entry.compress_size and entry.file_size / entry.compress_size > ratio_limit:
                    raise SheetError("unsafe", "Excel文件压缩比异常（疑似压缩炸弹），拒绝打开")
            if total > limits.zip_max_total:
                raise SheetError("unsafe", "Excel文件解压后过大（疑似压缩炸弹），拒绝打开")
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise SheetError("macro", "工作簿含有宏（.xlsm），不予导入：请另存为普通.xlsx")
            if "xl/workbook.xml" not in names:
                raise SheetError("type", "文件是压缩包而不是Excel工作簿（.xlsx），不能导入")
            for entry in entries:
                if entry.filename.lower().endswith(_XML_SUFFIXES) and _declares_entities(
                    archive, entry
                ):
                    raise SheetError("unsafe", "Excel文件含有XML实体声明，文件格式无效")
    except (zipfile.BadZipFile, EOFError, NotImplementedError) as exc:
        raise SheetError("corrupt", "Excel文件已损坏或不完整（可能上传中断）") from exc


def _declares_entities(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    """Whether the part holds ``<!DOCTYPE`` or ``<!ENTITY`` (any case, UTF-8 or UTF-16)."""
    overlap = max(len(m) for m in _XML_MARKERS) - 1
    tail = b""
    with archive.open(entry) as member:
        while chunk := member.read(_SCAN_CHUNK):
            window = (tail + chunk).upper()
            if any(marker in window for marker in _XML_MARKERS):
                return True
            tail = window[-overlap:]
    return False


def _check_cfb(path: Path) -> None:
    """An OLE file: a legacy .xls, or an encrypted .xlsx (its directory names EncryptionInfo)."""
    with path.open("rb") as handle:
        sample = handle.read(_SCAN_CHUNK)
    if "EncryptionInfo".encode("utf-16-le") in sample:
        raise SheetError("encrypted", "Excel文件设置了打开密码，请取消密码后重新上传")


def _read_excel(path: Path, kind: str, *, max_rows: int, sheet: str | None) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            if sheet is None:
                worksheet = workbook.get_sheet_by_index(0)
            elif sheet in workbook.sheet_names:
                worksheet = workbook.get_sheet_by_name(sheet)
            else:
                raise SheetError("sheet", f"工作簿中没有名为“{sheet}”的工作表")
            if worksheet.height > max_rows + 1:
                raise SheetError("too_many_rows", _too_many(worksheet.height - 1, max_rows))
            values = worksheet.to_python(skip_empty_area=False)
        finally:
            workbook.close()
    except SheetError:
        raise
    except Exception as exc:  # calamine raises its own errors and ValueError subclasses
        if "password" in type(exc).__name__.lower():
            raise SheetError("encrypted", "Excel文件设置了打开密码，请取消密码后重新上传") from exc
        label = "Excel工作簿（.xls）" if kind == "xls" else "Excel工作簿（.xlsx）"
        raise SheetError("corrupt", f"{label}已损坏或格式无效，无法读取") from exc
    rows = [list(row) for row in values]
    while rows and all(_blank(v) for v in rows[-1]):
        rows.pop()
    if not rows:
        raise SheetError("empty", "工作表为空")
    headers = [str(h).strip() if not _blank(h) else "" for h in rows[0]]
    data = [[None if _blank(v) else v for v in row] for row in rows[1:]]
    return RawTable(headers=headers, rows=data, source_format=kind)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- CSV --------------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:65536]:
        raise SheetError("type", "文件不是CSV文本（含有二进制内容），请上传CSV、Excel或Parquet文件")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise SheetError("encoding", "文件声明为UTF-8但含有无效字节，无法读取") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is the superset of GBK that Windows and Excel actually write.
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise SheetError("encoding", "无法识别文件编码：请另存为UTF-8或GBK编码的CSV") from exc


def _read_csv(path: Path, *, max_rows: int) -> RawTable:
    text, encoding = _decode(path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[Any]] = []
    try:
        for row in reader:
            if len(rows) > max_rows:
                raise SheetError("too_many_rows", _too_many(len(rows), max_rows))
            rows.append(row)
    except csv.Error as exc:
        raise SheetError(
            "truncated", f"CSV文件第{reader.line_num}行格式错误（引号未闭合，文件可能被截断）"
        ) from exc
    while rows and all(not v.strip() for v in rows[-1]):
        rows.pop()
    if not rows:
        raise SheetError("empty", "文件为空")
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
