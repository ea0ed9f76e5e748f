"""Where feed files live and the Parquet layout of a batch's rows (docs/feeds.md).

``VAR_DIR/feeds/uploads/<uuid>.part``           an upload being hashed and read; always deleted
``VAR_DIR/feeds/<feed>/<batch id>/staged.parquet``     validated rows waiting for publication
``VAR_DIR/feeds/<feed>/<batch id>/published.parquet``  the same file after the atomic rename

The rows hold no plaintext ID number: the keyed blind index, the masked number, the matched
person, household and village (null when unmatched) and the feed's other columns.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path
from typing import IO, Any, Final

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from fangpin.contract.feeds import FEED_TABLES
from fangpin.feeds.errors import FeedError
from fangpin.feeds.headers import ID_COLUMNS

__all__ = [
    "MAX_BYTES",
    "PUBLISHED",
    "STAGED",
    "batch_dir",
    "copy_upload",
    "published_schema",
    "remove_batch_files",
    "write_rows",
]

MAX_BYTES: Final = 200 * 1024 * 1024
STAGED: Final = "staged.parquet"
PUBLISHED: Final = "published.parquet"
_CHUNK: Final = 1024 * 1024

_MATCH_FIELDS: Final = [
    pa.field("row_number", pa.int32(), nullable=False),
    pa.field("id_number_index", pa.string(), nullable=False),
    pa.field("id_number_masked", pa.string(), nullable=False),
    pa.field("person_id", pa.int64()),
    pa.field("household_number", pa.string()),
    pa.field("matched_village_code", pa.string()),
]


def feeds_root() -> Path:
    return Path(settings.VAR_DIR) / "feeds"


def batch_dir(feed: str, batch_id: object) -> Path:
    return feeds_root() / feed / str(batch_id)


def max_bytes() -> int:
    return int(getattr(settings, "FANGPIN_FEEDS_MAX_BYTES", MAX_BYTES))


def copy_upload(source: Path | IO[bytes]) -> tuple[Path, str]:
    """Copy ``source`` to a private temporary file, hashing it; refuse it past the size limit.

    Returns ``(temporary path, sha256 hex)``; the caller deletes the file.
    """
    uploads = feeds_root() / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    target = uploads / f"{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    limit = max_bytes()
    size = 0
    handle: IO[bytes] = source.open("rb") if isinstance(source, Path) else source
    try:
        with target.open("xb") as out:
            os.chmod(target, 0o600)
            while chunk := handle.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FeedError(
                        "too_large", f"文件超过大小上限{limit // (1024 * 1024)} MB，请分批上传"
                    )
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        if isinstance(source, Path):
            handle.close()
    if size == 0:
        target.unlink(missing_ok=True)
        raise FeedError("empty", "文件为空")
    return target, digest.hexdigest()


def published_schema(feed: str) -> pa.Schema:
    """The Arrow schema of a batch's rows: match columns, then the feed's other columns."""
    contract = FEED_TABLES[feed]
    id_column = ID_COLUMNS[feed]
    rest = [f for f in contract if f.name != id_column]
    return pa.schema([*_MATCH_FIELDS, *rest], metadata={"table": feed, "feed_rows": "1"})


def write_rows(feed: str, directory: Path, rows: list[dict[str, Any]]) -> Path:
    """Write ``rows`` (dicts over :func:`published_schema`) to ``directory/staged.parquet``."""
    schema = published_schema(feed)
    columns = {name: [row.get(name) for row in rows] for name in schema.names}
    table = pa.table({f.name: pa.array(columns[f.name], f.type) for f in schema}, schema=schema)
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f"{STAGED}.part"
    pq.write_table(table, partial, compression="zstd")
    final = directory / STAGED
    os.replace(partial, final)
    return final


def remove_batch_files(feed: str, batch_id: object) -> None:
    """Delete a batch's directory (rejected or failed batches: 剩余信息保护)."""
    shutil.rmtree(batch_dir(feed, batch_id), ignore_errors=True)
