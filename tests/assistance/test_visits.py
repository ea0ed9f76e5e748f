"""Visits with photos: JPEG/PNG by their bytes, size and count limits, nothing stored on refusal."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from fangpin.assistance.errors import AssistanceError
from fangpin.assistance.models import MAX_PHOTO_BYTES, Visit, VisitPhoto
from fangpin.assistance.services import PhotoUpload, photo_path, visit_record
from fangpin.core.models import AuditEvent
from fangpin.registry.models import Household
from tests.assistance.conftest import JPEG_BYTES, PNG_BYTES, TODAY, snapshot


def _uploads() -> list[Path]:
    folder = Path(settings.VAR_DIR) / "uploads" / "visits"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_visit_with_a_png_and_a_jpeg_is_stored(monitored: Household, tudi_cadre: Any) -> None:
    visit = visit_record(
        actor=tudi_cadre,
        household_id=monitored.pk,
        visited_on=date(2026, 11, 28),
        findings="户主在家，医保已缴。",
        photos=[PhotoUpload("门口.png", PNG_BYTES), PhotoUpload("病历.jpg", JPEG_BYTES)],
        today=TODAY,
    )

    assert (visit.visited_on, visit.visitor_label, visit.findings) == (
        date(2026, 11, 28),
        "cadre_tudi",
        "户主在家，医保已缴。",
    )
    photos = list(VisitPhoto.objects.order_by("position"))
    assert [(p.extension, p.size, p.position) for p in photos] == [
        ("png", len(PNG_BYTES), 1),
        ("jpg", len(JPEG_BYTES), 2),
    ]
    assert photos[0].sha256 == hashlib.sha256(PNG_BYTES).hexdigest()
    assert photo_path(photos[0]).read_bytes() == PNG_BYTES
    assert photo_path(photos[0]) == (
        Path(settings.VAR_DIR) / "uploads" / "visits" / f"{photos[0].public_id}.png"
    )
    assert _uploads() == sorted(photo_path(p) for p in photos)
    event = AuditEvent.objects.get(action="visit.record")
    assert event.changes == {
        "household": monitored.household_number,
        "visited_on": "2026-11-28",
        "photos": 2,
    }


def test_a_text_file_named_png_is_refused_and_nothing_is_stored(
    monitored: Household, tudi_cadre: Any
) -> None:
    before = snapshot()

    with pytest.raises(AssistanceError) as caught:
        visit_record(
            actor=tudi_cadre,
            household_id=monitored.pk,
            visited_on=date(2026, 11, 28),
            findings="户主在家",
            photos=[PhotoUpload("好图.png", PNG_BYTES), PhotoUpload("照片.png", b"hello, world")],
            today=TODAY,
        )

    assert (caught.value.code, caught.value.message) == (
        "photos",
        "照片“照片.png”不是JPEG或PNG图片，未保存",
    )
    assert snapshot() == before
    assert _uploads() == []


@pytest.mark.parametrize(
    ("photos", "message"),
    [
        ([PhotoUpload("大.png", PNG_BYTES + b"\0" * MAX_PHOTO_BYTES)], "照片“大.png”超过8MB"),
        ([PhotoUpload(f"{i}.png", PNG_BYTES) for i in range(7)], "每次走访最多上传6张照片"),
    ],
)
def test_too_large_or_too_many_photos_are_refused(
    monitored: Household, tudi_cadre: Any, photos: list[PhotoUpload], message: str
) -> None:
    before = snapshot()

    with pytest.raises(AssistanceError) as caught:
        visit_record(
            actor=tudi_cadre,
            household_id=monitored.pk,
            visited_on=date(2026, 11, 28),
            findings="户主在家",
            photos=photos,
            today=TODAY,
        )

    assert caught.value.message == message
    assert snapshot() == before
    assert _uploads() == []


@pytest.mark.parametrize(
    ("visited_on", "findings", "message"),
    [
        (date(2026, 12, 2), "户主在家", "走访日期不能晚于今天"),
        (date(2026, 11, 28), "  ", "请填写走访情况"),
    ],
)
def test_a_visit_in_the_future_or_without_findings_is_refused(
    monitored: Household, tudi_cadre: Any, visited_on: date, findings: str, message: str
) -> None:
    with pytest.raises(AssistanceError) as caught:
        visit_record(
            actor=tudi_cadre,
            household_id=monitored.pk,
            visited_on=visited_on,
            findings=findings,
            today=TODAY,
        )

    assert caught.value.message == message
    assert Visit.objects.count() == 0


def test_a_visit_outside_the_scope_is_not_found_and_audited(
    monitored: Household, douwang_cadre: Any
) -> None:
    with pytest.raises(AssistanceError) as caught:
        visit_record(
            actor=douwang_cadre,
            household_id=monitored.pk,
            visited_on=date(2026, 11, 28),
            findings="户主在家",
            photos=[PhotoUpload("门口.png", PNG_BYTES)],
            today=TODAY,
        )

    assert caught.value.code == "not_found"
    assert AuditEvent.objects.get(action="authz.denied").changes == {
        "attempted": "visit.record",
        "reason": "out_of_scope",
    }
    assert Visit.objects.count() == 0
    assert _uploads() == []
