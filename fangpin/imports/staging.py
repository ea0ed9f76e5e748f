"""Where import files live, and the staged rows between check and apply.

``VAR_DIR/imports/spool/<job id>.part``      an upload waiting for a background check
``VAR_DIR/imports/<batch id>/staged.parquet``  the checked, normalised rows of a clean batch

The staged rows hold personal information only as the registry stores it: ID and phone numbers
as AEAD tokens, blind indexes and masked values, health details as one token. They are written
to ``staged.parquet.part`` and renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

__all__ = [
    "STAGED",
    "batch_dir",
    "file_sha256",
    "imports_root",
    "read_staged",
    "remove_batch_files",
    "spool_dir",
    "write_staged",
]

STAGED: Final = "staged.parquet"
_CHUNK: Final = 1024 * 1024


def imports_root() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def batch_dir(batch_id: object) -> Path:
    return imports_root() / str(batch_id)


def spool_dir() -> Path:
    return imports_root() / "spool"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def write_staged(batch_id: object, records: list[dict[str, Any]]) -> Path:
    """Write the staged rows atomically (``.part``, then rename); return the final path."""
    folder = batch_dir(batch_id)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / STAGED
    part = folder / f"{STAGED}.part"
    table = pa.Table.from_pylist(records)
    pq.write_table(table, part)
    os.chmod(part, 0o600)
    os.replace(part, target)
    return target


def read_staged(batch_id: object) -> list[dict[str, Any]] | None:
    """The staged rows of a batch, or None when the file is gone."""
    path = batch_dir(batch_id) / STAGED
    if not path.exists():
        return None
    rows: list[dict[str, Any]] = pq.read_table(path).to_pylist()
    return rows


def remove_batch_files(batch_id: object) -> None:
    shutil.rmtree(batch_dir(batch_id), ignore_errors=True)
