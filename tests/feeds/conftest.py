"""Fixtures for the feed tests: the registry's world, a county officer, file writers."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from fangpin.core.models import Role, User
from tests.registry import conftest as registry
from tests.registry.conftest import HUAYUAN_COUNTY, World, make_user, plain_id

# The registry's fixtures, re-exported by name so pytest finds them here too.
village = registry.village
person_input = registry.person_input
world = registry.world
actor = registry.actor
tudi_cadre = registry.tudi_cadre

#: A full resident ID number anywhere in a text (SEC-MSK-2's scan).
FULL_ID = re.compile(r"\d{17}[\dXx]")

DEATH_HEADERS = ["record_id", "id_number", "name", "death_date", "reported_on"]
DEATH_HEADERS_ZH = ["记录编号", "身份证号码", "姓名", "死亡日期", "上报日期"]


def full_ids_in_parquet(path: Path) -> list[str]:
    """Every value of every column of a Parquet file that holds a full ID number.

    Values are scanned one by one, decoded: the file is compressed, so its bytes would hide
    a plaintext number (and adjacent codes would fake one). The blind index is skipped: it
    is 64 hex characters, which now and then hold 18 decimal digits in a row by chance."""
    table = pq.read_table(path).drop_columns(["id_number_index"])
    return [
        str(value)
        for column in table.columns
        for value in column.to_pylist()
        if value is not None and FULL_ID.search(str(value))
    ]


@pytest.fixture
def officer(world: World) -> User:
    """The department data officer of 花垣县: 泸溪县's household lies outside the scope."""
    return make_user("officer_huayuan", Role.DEPARTMENT_OFFICER, HUAYUAN_COUNTY)


def head_id(world: World, key: str) -> str:
    """The plaintext ID number of the head of the world's household ``key``."""
    household = world.households[key]
    return plain_id(household.members.get(relation="01"))


def write_csv(
    path: Path,
    rows: Sequence[Sequence[Any]],
    *,
    headers: Sequence[str] = DEATH_HEADERS,
    encoding: str = "utf-8",
) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _cell(ref: str, value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value}</v></c>'
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], *, headers: Sequence[str]) -> Path:
    """A minimal valid .xlsx (inline strings, numbers as numbers), written by hand, so the
    reader is tested on a workbook made independently of fangpin's own writer."""
    lines = []
    for r, row in enumerate([list(headers), *map(list, rows)], start=1):
        cells = "".join(_cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(row))
        lines.append(f'<row r="{r}">{cells}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(lines)}</sheetData></worksheet>"
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path
