from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Citizen(models.Model):
    """A citizen's account, identified by a phone number or an e-mail address proven with a
    one-time code, or signed in through the national identity (VNeID); no password. Kept apart from staff accounts on purpose."""

    phone = models.CharField(_("số điện thoại"), max_length=20, unique=True, null=True, blank=True)
    email = models.EmailField(_("thư điện tử"), unique=True, null=True, blank=True)
    name = models.CharField(_("họ và tên"), max_length=200, blank=True)
    # The 12-digit personal identification number, set only by a national-identity sign-in
    # (portal.identity): it is the provider's word, never what someone typed.
    id_number = models.CharField(
        _("số định danh cá nhân"), max_length=12, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tài khoản công dân")
        verbose_name_plural = _("tài khoản công dân")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(phone__isnull=False) | models.Q(email__isnull=False),
                name="citizen_has_contact",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.phone or self.email or str(self.pk)


class OneTimeCode(models.Model):
    """A 6-digit code sent to a phone or an address; only its hash is kept."""

    destination = models.CharField(max_length=254, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.pk} ({self.created_at:%d/%m/%Y %H:%M})"


def new_draft_token() -> str:
    return secrets.token_urlsafe(24)


class Draft(models.Model):
    """An online submission in progress, saved as the citizen types: it survives an expired
    session or a lost connection because the token in its address is the key."""

    token = models.CharField(max_length=64, unique=True, default=new_draft_token, editable=False)
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    citizen = models.ForeignKey(
        Citizen, on_delete=models.SET_NULL, null=True, blank=True, related_name="drafts"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.SET_NULL, null=True, blank=True, related_name="draft"
    )

    def __str__(self) -> str:
        return f"{self.procedure_id} @ {self.unit_id} ({self.token[:6]}…)"


def draft_file_path(instance: DraftFile, filename: str) -> str:
    return f"online/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class DraftFile(models.Model):
    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    name = models.CharField(max_length=500, blank=True)
    file = models.FileField(upload_to=draft_file_path, max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name or self.file.name


class RateCounter(models.Model):
    """One rate-limit counter (a key per address or phone and time window), kept in the
    database when there is no Redis: see `cchc.portal.ratecounter`."""

    key = models.CharField(max_length=255, primary_key=True)
    value = models.BigIntegerField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("bộ đếm giới hạn truy cập")
        verbose_name_plural = _("bộ đếm giới hạn truy cập")

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"
