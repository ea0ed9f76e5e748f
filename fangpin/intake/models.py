"""Self-declarations by households (农户自主申报, DOMAIN.md §3.1 channel 1).

A household, or someone for it, fills a public form (no login): name, phone, ID number,
village, risk type and a description of the difficulty, after ticking the consent notice. The
name, phone, ID number and difficulty are stored encrypted (AEAD, :mod:`fangpin.core.pi`);
the ID number and phone also get the registry's keyed blind indexes (so a declaration matches
registered persons without decrypting anything) and masked copies for display. The client's
IP address is kept only as a keyed hash, for rate limiting and abuse review.

The village cadre or the township reviewer then decides: rejected or duplicate here (with a
reason); accepted is casework's — it turns the declaration into a clue and fills
``clue_public_id`` (casework imports intake, never the reverse). docs/intake.md.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from fangpin.core.models import Region
from fangpin.registry.models import Household

#: AEAD associated data ("context") of each encrypted column (docs/crypto.md).
NAME_CONTEXT = "intake.declaration.name"
PHONE_CONTEXT = "intake.declaration.phone"
ID_NUMBER_CONTEXT = "intake.declaration.id_number"
DIFFICULTY_CONTEXT = "intake.declaration.difficulty"
#: Blind-index context of the client IP (never stored in plain text).
CLIENT_IP_CONTEXT = "intake.declaration.client_ip"

DIFFICULTY_MAX = 500
NOTE_MAX = 500
_TOKEN_LENGTH = 160  # as the registry's: "v1." + cipher + key id + nonce + ciphertext
_INDEX_LENGTH = 64


class DeclarationStatus(models.TextChoices):
    NEW = "new", "待处理"
    ACCEPTED = "accepted", "已转线索"
    REJECTED = "rejected", "不予受理"
    DUPLICATE = "duplicate", "重复申报"


DECIDED_STATUSES = (
    DeclarationStatus.ACCEPTED,
    DeclarationStatus.REJECTED,
    DeclarationStatus.DUPLICATE,
)


class Declaration(models.Model):
    """One self-declaration. ``version`` guards concurrent decisions (optimistic concurrency)."""

    public_id = models.UUIDField("公开标识", default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField("申报编号", max_length=12, unique=True, editable=False)
    village = models.ForeignKey(
        Region,
        verbose_name="所在村",
        on_delete=models.PROTECT,
        related_name="declarations",
        db_column="village_code",
    )
    name_encrypted = models.CharField(
        "申报人姓名（密文）", max_length=_TOKEN_LENGTH, editable=False
    )
    name_masked = models.CharField("申报人姓名", max_length=50, editable=False)
    phone_encrypted = models.CharField("联系电话（密文）", max_length=_TOKEN_LENGTH, editable=False)
    phone_index = models.CharField("联系电话（检索索引）", max_length=_INDEX_LENGTH, editable=False)
    phone_masked = models.CharField("联系电话", max_length=20, editable=False)
    id_number_encrypted = models.CharField(
        "身份证号码（密文）", max_length=_TOKEN_LENGTH, editable=False
    )
    id_number_index = models.CharField(
        "身份证号码（检索索引）", max_length=_INDEX_LENGTH, editable=False
    )
    id_number_masked = models.CharField("身份证号码", max_length=24, editable=False)
    # Free text may name illnesses and costs (sensitive PI, PIPL Art. 28): encrypted at rest,
    # decrypted only on the detail page of a viewer whose scope covers the village.
    difficulty_encrypted = models.TextField("困难情况（密文）", editable=False)
    risk_type = models.CharField("风险类型", max_length=4)
    consent_at = models.DateTimeField("同意告知时间")
    consent_version = models.CharField("告知书版本", max_length=16)
    submitted_at = models.DateTimeField("申报时间")
    client_ip_hash = models.CharField("来源地址（哈希）", max_length=_INDEX_LENGTH, editable=False)
    status = models.CharField(
        "状态", max_length=16, choices=DeclarationStatus.choices, default=DeclarationStatus.NEW
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by_label = models.CharField("处理人（登录名）", max_length=150, blank=True, default="")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_note = models.CharField("处理说明", max_length=NOTE_MAX, blank=True, default="")
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name="重复于",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Matched by the ID number's blind index against registered persons at submission.
    household = models.ForeignKey(
        Household,
        verbose_name="匹配的在册农户",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
    )
    # Filled by casework when it accepts the declaration into a clue (no foreign key: casework
    # is a higher layer).
    clue_public_id = models.UUIDField("线索公开标识", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "自主申报"
        verbose_name_plural = "自主申报"
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["village", "status"], name="declaration_village_status"),
            models.Index(fields=["id_number_index"], name="declaration_id_number_index"),
            models.Index(fields=["phone_index"], name="declaration_phone_index"),
            models.Index(fields=["submitted_at"], name="declaration_submitted_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["new", "accepted", "rejected", "duplicate"]),
                name="declaration_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status="new", decided_at__isnull=True)
                | Q(~Q(status="new"), decided_at__isnull=False),
                name="declaration_decided_at_iff_decided",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "duplicate"]) | ~Q(decision_note=""),
                name="declaration_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(clue_public_id__isnull=False),
                name="declaration_accepted_has_clue",
            ),
            models.CheckConstraint(
                condition=~Q(name_encrypted="")
                & ~Q(phone_encrypted="")
                & ~Q(id_number_encrypted="")
                & ~Q(difficulty_encrypted=""),
                name="declaration_pi_encrypted_present",
            ),
        ]

    def __str__(self) -> str:
        return self.reference
