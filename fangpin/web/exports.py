"""Exports of the lists (SEC-EXP): the registry of exportable lists, and writing them out.

The lists themselves (columns, scoped rows, cells) are in :mod:`fangpin.web.export_lists`;
whether an export may run at once, and the approval workflow, in :mod:`fangpin.core.exports`.
This module turns a list into a file or a response:

- CSV is streamed (``StreamingHttpResponse`` over :func:`fangpin.sheets.writer.csv_lines`), rows
  read from the database 2,000 at a time;
- .xlsx is written by XlsxWriter in constant-memory mode to a temporary file, which is unlinked
  as soon as it is opened for the response (the open handle keeps the data until the response
  is sent; nothing stays on disk, SECURITY.md 剩余信息保护).

Every cell goes through the writer's formula neutralisation (SECURITY.md scenario 12).
File names are ``<title>_<region>_<YYYYMMDD>.<ext>``, sent with RFC 6266/5987 encoding.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from fangpin.core.access import user_can
from fangpin.core.audit import actor_label
from fangpin.core.exports import ExportError, export_filters_clean
from fangpin.sheets.writer import csv_lines, write_csv, write_xlsx
from fangpin.web.export_lists import (
    CASES,
    CLUES,
    HOUSEHOLDS,
    ExportList,
    Rows,
    as_iterable,
    row_count,
)
from fangpin.web.export_lists_apps import (
    COVERAGE,
    DECLARATIONS,
    FEED_BATCHES,
    INTEGRITY,
    PROBLEMS,
)
from fangpin.web.export_lists_force import FORCE_LISTS

__all__ = [
    "CONTENT_TYPES",
    "LISTS",
    "ExportList",
    "PreparedExport",
    "export_file_name",
    "export_list_get",
    "export_prepare",
    "export_response",
    "export_write_file",
]

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
LISTS: dict[str, ExportList] = {
    x.name: x
    for x in (
        HOUSEHOLDS,
        CASES,
        CLUES,
        DECLARATIONS,
        COVERAGE,
        FEED_BATCHES,
        PROBLEMS,
        INTEGRITY,
        *FORCE_LISTS,
    )
}
"""The exportable lists by name (``/exports/<name>/``, ``fangpin export <name>``)."""
#: Query parameters of a list page that are not filters.
NOT_FILTERS = frozenset({"format", "page", "csrfmiddlewaretoken"})


def export_list_get(name: str, *, user: Any) -> ExportList:
    """The exportable list ``name`` if ``user`` may export it; ``ExportError`` otherwise."""
    found = LISTS.get(name)
    if found is None:
        raise ExportError("not_found", "没有这个可导出的列表。")
    if not user_can(user, found.capability) or not found.may_export(user):
        raise ExportError("forbidden", "当前账号无权导出该列表。")
    return found


@dataclass(frozen=True, slots=True)
class PreparedExport:
    """A list, its validated filters, its rows in the user's scope and how many there are."""

    export_list: ExportList
    filters: dict[str, str]
    rows: Rows
    row_count: int


def export_prepare(
    export_list: ExportList, *, user: Any, filters: Mapping[str, object]
) -> PreparedExport:
    """Validate ``filters`` (names the list has, values its filter form accepts), build the
    scoped rows and count them. ``ExportError("filters")`` for a bad filter."""
    given = {k: v for k, v in filters.items() if k not in NOT_FILTERS}
    clean = export_filters_clean(given, allowed=export_list.filters)
    rows = export_list.rows(user, clean)
    return PreparedExport(export_list, clean, rows, row_count(rows))


def _region_label(user: Any) -> str:
    region = getattr(user, "home_region", None)
    return str(region.name) if region is not None else "全部"


def export_file_name(export_list: ExportList, *, user: Any, file_format: str) -> str:
    """``<title>_<region>_<YYYYMMDD>.<ext>``: the user's home region, today's local date."""
    day = timezone.localdate().strftime("%Y%m%d")
    return f"{export_list.title}_{_region_label(user)}_{day}.{file_format}"


def _note(user: Any, *, unmasked: bool) -> str:
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    kind = "明文（经批准）" if unmasked else "脱敏"
    return f"导出人：{actor_label(user)}　导出时间：{when}　{kind}　内部资料，注意保密"


def _cells(prepared: PreparedExport, *, unmasked: bool) -> Iterator[list[object]]:
    cells = prepared.export_list.cells
    for row in as_iterable(prepared.rows):
        yield list(cells(row, unmasked))


def export_write_file(
    target: Path, prepared: PreparedExport, *, user: Any, file_format: str, unmasked: bool
) -> int:
    """Write the export to ``target`` (xlsx or csv); return the number of data rows written."""
    export_list = prepared.export_list
    rows = _cells(prepared, unmasked=unmasked)
    if file_format == "csv":
        with target.open("w", encoding="utf-8", newline="") as out:
            return write_csv(out, columns=export_list.columns, rows=rows)
    return write_xlsx(
        target,
        sheet_name=export_list.title,
        columns=export_list.columns,
        rows=rows,
        title=export_list.title,
        note=_note(user, unmasked=unmasked),
    )


def export_response(
    prepared: PreparedExport, *, user: Any, file_format: str, unmasked: bool
) -> StreamingHttpResponse | FileResponse:
    """The export as a download: CSV streamed, xlsx from a temporary file deleted at once."""
    name = export_file_name(prepared.export_list, user=user, file_format=file_format)
    response: StreamingHttpResponse | FileResponse
    if file_format == "csv":
        lines = csv_lines(prepared.export_list.columns, _cells(prepared, unmasked=unmasked))
        response = StreamingHttpResponse(
            (line.encode("utf-8") for line in lines), content_type=CONTENT_TYPES["csv"]
        )
        response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    else:
        fd, path = tempfile.mkstemp(prefix="fangpin-export-", suffix=".xlsx")
        os.close(fd)
        try:
            export_write_file(
                Path(path), prepared, user=user, file_format="xlsx", unmasked=unmasked
            )
            handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it when sent
        finally:
            os.unlink(path)  # the open handle keeps the data; nothing is left on disk
        response = FileResponse(
            handle, as_attachment=True, filename=name, content_type=CONTENT_TYPES["xlsx"]
        )
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
