"""Files uploaded with a step: the signed authorisation is required, files are checked by their
bytes, stored with their hash, served only inside the scope, and nothing is left on refusal."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from fangpin.casework.cases import case_decide, case_open
from fangpin.casework.documents import DocumentUpload
from fangpin.casework.errors import CaseworkError
from fangpin.casework.models import Case, CaseDocument
from fangpin.core.models import AuditEvent, Role, User
from fangpin.procedure import IdentificationStep, Submit
from tests.casework.conftest import SIGNED_PDF, World, signed
from tests.registry.conftest import DOUWANG, make_user
from tests.web.conftest import client_for

_I = IdentificationStep


@pytest.fixture
def verified(world: World) -> Case:
    cadre = world.viewers["cadre_tudi"]
    case = case_open(actor=cadre, household=world.households["tudi"], on=date(2026, 11, 2))
    return case_decide(
        actor=cadre,
        case=case,
        action=Submit(_I.VERIFIED),
        expected_version=1,
        on=date(2026, 11, 3),
    )


def _authorise(world: World, case: Case, documents: Any) -> Case:
    return case_decide(
        actor=world.viewers["cadre_tudi"],
        case=case,
        action=Submit(_I.AUTHORISED),
        expected_version=case.version,
        on=date(2026, 11, 4),
        documents=documents,
    )


def _files(var_dir: Path) -> list[Path]:
    folder = var_dir / "uploads" / "cases"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_authorisation_needs_the_signed_document(world: World, verified: Case) -> None:
    with pytest.raises(CaseworkError) as refused:
        _authorise(world, verified, ())
    assert (refused.value.code, refused.value.message) == (
        "documents",
        "请上传签字的承诺授权书（PDF或照片）",
    )
    assert Case.objects.get(pk=verified.pk).version == 2
    assert CaseDocument.objects.count() == 0


def test_a_file_that_is_not_pdf_jpeg_or_png_is_refused_and_nothing_is_stored(
    world: World, verified: Case
) -> None:
    var_dir = Path(settings.VAR_DIR)
    fake = [DocumentUpload("授权书.pdf", "这不是PDF".encode())]
    with pytest.raises(CaseworkError) as refused:
        _authorise(world, verified, [*signed(), *fake])
    assert refused.value.message == "文件“授权书.pdf”不是PDF、JPEG或PNG，未保存"
    assert Case.objects.get(pk=verified.pk).version == 2
    assert CaseDocument.objects.count() == 0
    assert _files(var_dir) == []


def test_the_signed_document_is_stored_with_its_hash_and_audited(
    world: World, verified: Case
) -> None:
    var_dir = Path(settings.VAR_DIR)
    case = _authorise(world, verified, signed())

    document = CaseDocument.objects.get(case=case)
    assert (document.seq, document.name, document.extension, document.size) == (
        3,
        "承诺授权书.pdf",
        "pdf",
        len(SIGNED_PDF),
    )
    assert document.sha256 == hashlib.sha256(SIGNED_PDF).hexdigest()
    assert _files(var_dir) == [var_dir / "uploads" / "cases" / f"{document.public_id}.pdf"]
    assert _files(var_dir)[0].read_bytes() == SIGNED_PDF
    event = AuditEvent.objects.filter(action="case.submit").order_by("-id").first()
    assert event is not None
    assert event.changes["details"] == {"documents": ["承诺授权书.pdf"]}


def test_the_document_is_served_inside_the_scope_only(world: World, verified: Case) -> None:
    case = _authorise(world, verified, signed())
    document = CaseDocument.objects.get(case=case)
    url = f"/cases/documents/{document.public_id}/"

    inside = client_for(world.viewers["cadre_tudi"]).get(url)
    outside = client_for(make_user("cadre_douwang", Role.VILLAGE_CADRE, DOUWANG)).get(url)

    assert inside.status_code == 200
    assert (inside["Content-Type"], inside["X-Content-Type-Options"]) == (
        "application/pdf",
        "nosniff",
    )
    assert inside.content == SIGNED_PDF
    assert outside.status_code == 404
    page = client_for(world.viewers["cadre_tudi"]).get(f"/cases/{case.public_id}/")
    assert url in page.content.decode()


def test_the_authorisation_form_uploads_the_document(world: World, verified: Case) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    cadre: User = world.viewers["cadre_tudi"]
    page = client_for(cadre).get(f"/cases/{verified.public_id}/").content.decode()
    assert 'name="documents"' in page
    assert "签字的承诺授权书（PDF或照片，必传）" in page

    response = client_for(cadre).post(
        f"/cases/{verified.public_id}/act/",
        {
            "version": "2",
            "action": "submit",
            "on": "2026-11-04",
            "detail_authorisation": "编号TD-017",
            "documents": SimpleUploadedFile("授权书.pdf", SIGNED_PDF, "application/pdf"),
        },
    )

    assert response.status_code == 302
    assert CaseDocument.objects.get().name == "授权书.pdf"
