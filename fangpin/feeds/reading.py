"""Read a department file into a header and rows: CSV (UTF-8, UTF-8 with BOM, GBK), Excel
(.xlsx, .xls through python-calamine) or Parquet.

The reading itself lives in the pure core :mod:`fangpin.sheets.reading` (type by content, zip
bomb, ``../`` names, macros, XML entity declarations: SECURITY.md scenarios 13–15); this module
applies the feed limits (:data:`~fangpin.sheets.reading.FEED_LIMITS`: 2,000,000 rows, 1,000 zip
entries, 500 MB declared, ratio 200) and turns every
:class:`~fangpin.sheets.reading.SheetError` into a
:class:`~fangpin.feeds.errors.FeedError` with the same code and Chinese message.

Row numbers are those a user sees in a spreadsheet: the header is row 1, the first data row
is row 2 (Parquet too, for one rule everywhere).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Final

from fangpin.feeds.errors import FeedError
from fangpin.sheets import reading as sheets_reading
from fangpin.sheets.reading import FEED_LIMITS, RawTable, SheetError

__all__ = ["MAX_ROWS", "RawTable", "detect_format", "read_table"]

MAX_ROWS: Final = FEED_LIMITS.max_rows


def detect_format(path: Path) -> str:
    """``parquet``, ``xlsx``, ``xls`` or ``csv`` from the first bytes; refuse other content."""
    try:
        return sheets_reading.detect_format(path)
    except SheetError as exc:
        raise FeedError(exc.code, exc.message) from exc


def read_table(path: Path, *, max_rows: int = MAX_ROWS) -> RawTable:
    """Read ``path`` (type by content) into a :class:`RawTable`; refuse unsafe or bad files."""
    limits = dataclasses.replace(FEED_LIMITS, max_rows=max_rows)
    try:
        return sheets_reading.read_table(path, limits=limits)
    except SheetError as exc:
        raise FeedError(exc.code, exc.message) from exc
