"""Reading exports back in tests: the sheet XML, openpyxl cells, CSV lines."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

ID_NUMBER = r"\d{17}[\dXx]"


def sheet_xml(data: bytes) -> str:
    """The first worksheet's XML of an .xlsx file."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return book.read("xl/worksheets/sheet1.xml").decode("utf-8")


def all_xml(data: bytes) -> str:
    """Every XML part of an .xlsx file (shared strings included), joined."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "\n".join(
            book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml")
        )


def xlsx_rows(data: bytes) -> list[list[Any]]:
    """The sheet's rows as values (title, note, header, data)."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [[cell.value for cell in row] for row in book.active.iter_rows()]


def xlsx_cells(data: bytes) -> list[Any]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for row in book.active.iter_rows() for cell in row if cell.value is not None]


def read(path: Path) -> bytes:
    return path.read_bytes()
