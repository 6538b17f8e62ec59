from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc.units.choices import SUBTREE_ROLES, Role, UnitKind


class UnitQuerySet(models.QuerySet["Unit"]):
    def current(self, on: dt.date | None = None) -> UnitQuerySet:
        """Units in force on a date (today by default): merged-away communes drop out."""
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )

    def visible_to(self, user: Any) -> UnitQuerySet:
        return self.filter(id__in=visible_unit_ids(user))

    def administrative(self) -> UnitQuerySet:
        return self.filter(kind__in=UnitKind.administrative())


class Unit(models.Model):
    """An administrative unit (province, commune) or an agency inside one, in one tree.

    `path` is a materialised path of ids ("/1/7/42/") so that "this unit and everything under
    it" is one indexed prefix match; `admin_owner` is the nearest administrative unit (itself
    for a province or commune) so that "a commune and its agencies but not other communes"
    is one more equality.
    """

    code = models.CharField(
        _("mã đơn vị"),
        max_length=40,
        help_text=_("Mã theo QĐ 19/2025 (tỉnh 2 chữ số, xã 5 chữ số); mã nội bộ cho cơ quan."),
    )
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    agency_identifier = models.CharField(
        _("mã định danh"),
        max_length=40,
        blank=True,
        help_text=_("Tiền tố của mã hồ sơ; chuỗi không phân tích."),
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    hotline = models.CharField(_("đường dây nóng"), max_length=40, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    admin_owner = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    successors: models.ManyToManyField[Unit, UnitSuccession] = models.ManyToManyField(
        "self", through="UnitSuccession", symmetrical=False, related_name="predecessors", blank=True
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"], name="unit_code_valid_from_unique"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(valid_from__isnull=True),
                name="unit_code_unique_when_open",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["code"], name="unit_code_idx")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if (
            self.pk is not None
            and self.parent is not None
            and self.path
            and self.parent.path.startswith(self.path)
        ):
            raise ValueError(f"unit {self.code} cannot be placed under its own descendant")
        old_path = self.path
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs = {}
        self.path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        if self.is_administrative or self.parent is None:
            self.admin_owner_id = self.pk
        else:
            assert self.parent is not None
            self.admin_owner_id = self.parent.admin_owner_id
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # The unit moved: re-root every descendant so prefix matches stay true.
            for child in Unit.objects.filter(parent=self):
                child.save()

    def clean(self) -> None:
        # A unit under its own descendant would make the materialised path loop forever.
        if (
            self.pk is not None
            and self.parent is not None
            and self.parent.path.startswith(self.path or "\0")
        ):
            raise ValidationError(
                {"parent": _("Không thể đặt một đơn vị dưới chính nó hoặc đơn vị cấp dưới của nó.")}
            )

    @property
    def is_administrative(self) -> bool:
        return self.kind in UnitKind.administrative()

    def is_valid_on(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or self.valid_to >= on
        )


class UnitSuccession(models.Model):
    """A merger or split: `predecessor` was replaced (in whole or part) by `successor`."""

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="succession_to")
    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="succession_from")
    effective_on = models.DateField(_("ngày hiệu lực"))
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unit_succession_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.effective_on:%d/%m/%Y})"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on: dt.date | None = None) -> MembershipQuerySet:
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))


class Membership(models.Model):
    """A staff member's role in a unit: what they may see and do there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("đơn vị")
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    valid_from = models.DateField(_("từ ngày"), default=timezone.localdate)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công")
        verbose_name_plural = _("phân công")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def covers_subtree(self) -> bool:
        return self.role in SUBTREE_ROLES


def _scope_filter(memberships: list[Membership]) -> Q:
    scope = Q(pk__in=[])
    for m in memberships:
        clause = Q(path__startswith=m.unit.path)
        if not m.covers_subtree:
            clause &= Q(admin_owner_id=m.unit.admin_owner_id)
        scope |= clause
    return scope


def active_memberships(user: Any) -> list[Membership]:
    """The user's memberships in force, with their units: read once per user object (that is,
    per request), like the scope below, since a page or an action asks more than once."""
    memberships: list[Membership] | None = user.__dict__.get("_cchc_memberships")
    if memberships is None:
        memberships = list(Membership.objects.active().filter(user=user).select_related("unit"))
        user.__dict__["_cchc_memberships"] = memberships
    return memberships


def visible_unit_ids(
    user: Any, *, roles: frozenset[str] | set[str] | None = None
) -> frozenset[int]:
    """Ids of the units a user may see (optionally: through one of `roles`), cached per user object.

    Two queries at most, whatever the number of units, so list pages filter with `IN (...)`
    and never check permission row by row.
    """
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache: dict[Any, frozenset[int]] = user.__dict__.setdefault("_cchc_unit_scope", {})
    key = frozenset(roles) if roles is not None else None
    if key in cache:
        return cache[key]
    if user.is_superuser:
        ids = frozenset(Unit.objects.values_list("id", flat=True))
    else:
        memberships = active_memberships(user)
        if roles is not None:
            memberships = [m for m in memberships if m.role in roles]
        ids = (
            frozenset(Unit.objects.filter(_scope_filter(memberships)).values_list("id", flat=True))
            if memberships
            else frozenset()
        )
    cache[key] = ids
    return ids


def unit_scope(user: Any) -> Q:
    """A filter on Unit for the units `visible_unit_ids(user)` holds, without reading them all
    first when they have not been read yet (a lookup of one unit then costs one query)."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    known = user.__dict__.get("_cchc_unit_scope", {}).get(None)
    if known is not None:
        return Q(pk__in=known)
    return _scope_filter(active_memberships(user))


def user_roles_in(user: Any, unit: Unit) -> set[str]:
    """Roles the user holds that reach `unit` (directly, or through a subtree role above it)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return set(Role.values)
    roles: set[str] = set()
    for m in active_memberships(user):
        reaches = unit.path.startswith(m.unit.path) and (
            m.covers_subtree or unit.admin_owner_id == m.unit.admin_owner_id
        )
        if reaches:
            roles.add(m.role)
    return roles
