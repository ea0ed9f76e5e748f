"""Files uploaded with a case's step (案件材料): checked, stored, and removed again on rollback.

The commitment and authorisation step (承诺授权) needs the **signed document** uploaded
(DOMAIN.md §3.2); any step may carry files (minutes of the appraisal, a photo of the posted
notice). A file is accepted by its first bytes only — PDF, JPEG or PNG, the name and the
browser's type are not trusted — at most :data:`MAX_DOCUMENT_BYTES` each and
:data:`MAX_DOCUMENTS` per step. Files are written inside the decision's transaction under
``VAR_DIR/uploads/cases/`` and deleted if it rolls back, so a refused decision leaves no file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.conf import settings

from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Case, CaseDocument

__all__ = [
    "MAX_DOCUMENTS",
    "MAX_DOCUMENT_BYTES",
    "DocumentUpload",
    "check_documents",
    "document_path",
    "documents_stored",
]

MAX_DOCUMENT_BYTES: Final = 10 * 1024 * 1024
MAX_DOCUMENTS: Final = 5
_MAGIC: Final = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))


@dataclass(frozen=True, slots=True)
class DocumentUpload:
    """One uploaded file: the name it came with and its bytes."""

    name: str
    data: bytes


def document_path(document: CaseDocument) -> Path:
    """``VAR_DIR/uploads/cases/<uuid>.<ext>``."""
    return Path(settings.VAR_DIR) / "uploads" / "cases" / document.filename


def _extension(upload: DocumentUpload) -> str:
    if len(upload.data) > MAX_DOCUMENT_BYTES:
        raise CaseworkError(
            "documents", f"文件“{upload.name}”超过{MAX_DOCUMENT_BYTES // (1024 * 1024)}MB，未保存"
        )
    for magic, extension in _MAGIC:
        if upload.data.startswith(magic):
            return extension
    raise CaseworkError("documents", f"文件“{upload.name}”不是PDF、JPEG或PNG，未保存")


def check_documents(uploads: Sequence[DocumentUpload]) -> list[str]:
    """The extension of each upload, or ``documents`` with a Chinese message (nothing stored)."""
    if len(uploads) > MAX_DOCUMENTS:
        raise CaseworkError("documents", f"每一步最多上传{MAX_DOCUMENTS}个文件")
    return [_extension(upload) for upload in uploads]


@contextmanager
def documents_stored(
    case: Case, seq: int, uploads: Sequence[DocumentUpload], user: Any, label: str
) -> Iterator[list[CaseDocument]]:
    """Store the uploads of transition ``seq`` (rows and files); inside the caller's
    transaction. The files are removed if the block raises."""
    extensions = check_documents(uploads)
    written: list[Path] = []
    try:
        rows = []
        for upload, extension in zip(uploads, extensions, strict=True):
            row = CaseDocument.objects.create(
                case=case,
                seq=seq,
                name=(upload.name or "文件")[:200],
                extension=extension,
                size=len(upload.data),
                sha256=hashlib.sha256(upload.data).hexdigest(),
                uploaded_by=user,
                uploaded_by_label=label,
            )
            path = document_path(row)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as handle:
                written.append(path)
                handle.write(upload.data)
            rows.append(row)
        yield rows
    except BaseException:
        for path in written:  # the rows roll back with the decision: leave no orphan file
            path.unlink(missing_ok=True)
        raise
