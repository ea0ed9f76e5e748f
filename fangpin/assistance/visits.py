"""Writes of visits (走访): log a home visit with its findings and photos.

Photo files live under ``VAR_DIR/uploads/visits/<uuid>.<jpg|png>``; they are written inside
the visit's transaction and removed again if it rolls back, so a refused visit leaves neither a
row nor a file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from fangpin.assistance._common import household_for_write, text_field
from fangpin.assistance.errors import AssistanceError
from fangpin.assistance.models import MAX_PHOTO_BYTES, MAX_PHOTOS, Visit, VisitPhoto
from fangpin.core.audit import actor_label, audit_record, user_or_none

__all__ = ["FINDINGS_MAX", "PhotoUpload", "photo_path", "visit_record"]

FINDINGS_MAX: Final = 2000
_JPEG_MAGIC: Final = b"\xff\xd8\xff"
_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class PhotoUpload:
    """One uploaded photo: the name the phone gave it and its bytes."""

    name: str
    data: bytes


def photo_path(photo: VisitPhoto) -> Path:
    """Where a visit photo's file lives: ``VAR_DIR/uploads/visits/<uuid>.<ext>``."""
    return Path(settings.VAR_DIR) / "uploads" / "visits" / photo.filename


def _photo_extension(upload: PhotoUpload) -> str:
    if len(upload.data) > MAX_PHOTO_BYTES:
        raise AssistanceError(
            "photos", f"照片“{upload.name}”超过{MAX_PHOTO_BYTES // (1024 * 1024)}MB", field="photos"
        )
    if upload.data.startswith(_JPEG_MAGIC):
        return "jpg"
    if upload.data.startswith(_PNG_MAGIC):
        return "png"
    raise AssistanceError("photos", f"照片“{upload.name}”不是JPEG或PNG图片，未保存", field="photos")


def visit_record(
    *,
    actor: Any,
    household_id: int,
    visited_on: date,
    findings: str,
    photos: Sequence[PhotoUpload] = (),
    request: HttpRequest | None = None,
    today: date | None = None,
) -> Visit:
    """Log a home visit (走访) with its findings and up to :data:`MAX_PHOTOS` photos.

    Photos must be JPEG or PNG by their first bytes (the name and the browser's type are not
    trusted) and at most 8 MB each; one bad photo refuses the whole visit, nothing stored.
    Refuses ``forbidden``/``not_found`` (audited), ``visited_on`` (in the future),
    ``findings`` (empty or too long), ``photos``. Audited as ``visit.record``.
    """
    day = today or timezone.localdate()
    household = household_for_write(actor, household_id, "visit.record", request)
    if visited_on > day:
        raise AssistanceError("visited_on", "走访日期不能晚于今天", field="visited_on")
    text = text_field(findings, code="findings", label="走访情况", limit=FINDINGS_MAX)
    if len(photos) > MAX_PHOTOS:
        raise AssistanceError("photos", f"每次走访最多上传{MAX_PHOTOS}张照片", field="photos")
    extensions = [_photo_extension(p) for p in photos]
    written: list[Path] = []
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                household=household,
                visited_on=visited_on,
                visitor=user_or_none(actor),
                visitor_label=actor_label(actor),
                findings=text,
            )
            for position, (upload, extension) in enumerate(
                zip(photos, extensions, strict=True), start=1
            ):
                photo = VisitPhoto.objects.create(
                    visit=visit,
                    extension=extension,
                    size=len(upload.data),
                    sha256=hashlib.sha256(upload.data).hexdigest(),
                    position=position,
                )
                path = photo_path(photo)
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("xb") as handle:
                    written.append(path)
                    handle.write(upload.data)
            audit_record(
                actor=actor,
                action="visit.record",
                object_type="visit",
                object_id=visit.public_id,
                changes={
                    "household": household.household_number,
                    "visited_on": visited_on.isoformat(),
                    "photos": len(photos),
                },
                request=request,
            )
    except BaseException:
        for path in written:  # the rows are rolled back: leave no orphan file
            path.unlink(missing_ok=True)
        raise
    return visit
