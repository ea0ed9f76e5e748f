"""File builders for the sheets tests: real workbooks (XlsxWriter) and hand-made zips."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

HEADERS = ["身份证号码", "姓名", "出生日期"]
ROW = ["433124198001010012", "张三", "1980-01-01"]


def write_workbook(
    path: Path, sheets: dict[str, Sequence[Sequence[object]]], *, constant_memory: bool = False
) -> Path:
    """A real .xlsx with one sheet per entry of ``sheets`` (rows as given, strings as text)."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": constant_memory})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
    workbook.close()
    return path


def rezip(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """Copy the zip ``source`` to ``target`` with the entries in ``replace`` swapped or added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for entry in old.infolist():
            if entry.filename not in replace:
                new.writestr(entry.filename, old.read(entry.filename))
        for name, data in replace.items():
            new.writestr(name, data)
    return target


def make_zip(
    path: Path, entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED
) -> Path:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def declare_size(path: Path, name: str, size: int) -> None:
    """Make the zip directory claim ``size`` uncompressed bytes for ``name`` (a lying header)."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == encoded:
            struct.pack_into("<I", data, central + 24, size)
            path.write_bytes(bytes(data))
            return
        central = data.find(b"PK\x01\x02", central + 4)
    raise AssertionError(f"{name} not in {path}")
