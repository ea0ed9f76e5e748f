"""Receive an uploaded file into a private temporary file, refusing it past a size limit.

Django keeps a large upload in its own temporary file; this copies it (chunk by chunk,
mode 0600) under ``VAR_DIR/imports/uploads/`` so a service can read it by path, and stops as
soon as the limit is passed (SECURITY.md scenario 15: an 11 MB file is refused with 413 and
leaves no file behind). The caller deletes the copy when it is done, whatever happens.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import IO, Final

from django.conf import settings

from fangpin.core.errors import FangpinError
from fangpin.sheets.reading import IMPORT_MAX_BYTES

__all__ = ["UploadError", "import_max_bytes", "spool_upload"]

_CHUNK: Final = 1024 * 1024


class UploadError(FangpinError):
    """An upload refused before it is read: ``too_large`` (HTTP 413) or ``empty``."""


def import_max_bytes() -> int:
    return int(getattr(settings, "FANGPIN_IMPORT_MAX_BYTES", IMPORT_MAX_BYTES))


def uploads_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports" / "uploads"


def spool_upload(source: IO[bytes], *, max_bytes: int) -> Path:
    """Copy ``source`` to a new private file and return its path; refuse it past ``max_bytes``."""
    folder = uploads_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{uuid.uuid4().hex}.part"
    size = 0
    try:
        with target.open("xb") as out:
            os.chmod(target, 0o600)
            while chunk := source.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadError(
                        "too_large",
                        f"文件超过大小上限 {max_bytes // (1024 * 1024)} MB："
                        "请按村或按乡镇分成几个文件上传",
                    )
                out.write(chunk)
        if size == 0:
            raise UploadError("empty", "文件为空")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target
