"""Local areas, their agencies, and the people who work in them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class LocalArea(models.Model):
    """A local authority area with its partner agencies, and its local configuration.

    Contact numbers and department names appear on notices and letters; later parts of
    the product keep their own per-area rules in their own models keyed to this one.
    """

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=50, unique=True)
    children_services_department = models.CharField(
        "children's services department name", max_length=200, blank=True
    )
    police_force = models.CharField("police force name", max_length=200, blank=True)
    cse_team_phone = models.CharField("CSE team telephone", max_length=40, blank=True)
    children_services_phone = models.CharField(
        "children's services telephone (office hours)", max_length=40, blank=True
    )
    out_of_hours_phone = models.CharField(
        "emergency duty team telephone (out of hours)", max_length=40, blank=True
    )
    police_phone = models.CharField(
        "police non-emergency telephone", max_length=40, blank=True
    )
    secure_email = models.EmailField("secure e-mail for referrals", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        SOCIAL_CARE = "social_care", "Children's social care"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        YOUTH_OFFENDING = "youth_offending", "Youth offending service"
        HOUSING = "housing", "Housing"
        PROBATION = "probation", "Probation"
        LICENSING = "licensing", "Local authority regulatory and licensing"
        COMMUNITY_SAFETY = "community_safety", "Community safety"
        VOLUNTARY = "voluntary", "Voluntary sector"
        PARTNERSHIP = "partnership", "Safeguarding partnership"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    local_area = models.ForeignKey(
        LocalArea, on_delete=models.PROTECT, related_name="agencies"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["local_area__name", "name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(
                fields=["local_area", "name"], name="cse_agency_unique_name_in_area"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    CSE_COORDINATOR = "cse_coordinator", "CSE coordinator"
    MEETING_ADMINISTRATOR = "meeting_administrator", "Meeting administrator"
    MEETING_CHAIR = "meeting_chair", "Meeting chair"
    POLICE_OFFICER = "police_officer", "Police officer"
    POLICE_INTELLIGENCE = "police_intelligence", "Police intelligence"
    PARTNERSHIP_MANAGER = "partnership_manager", "Safeguarding partnership manager"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"


class User(AbstractUser):
    """A member of staff of one agency. Roles say what they do; the agency what they see."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    job_title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    collar_number = models.CharField(
        "police collar number",
        max_length=20,
        blank=True,
        help_text="Police officers only.",
    )
    station = models.CharField("police station or base", max_length=150, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def roles(self) -> frozenset[str]:
        """The user's roles, cached on the instance (read on nearly every request)."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in sorted(self.roles)]


class UserRole(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=40, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="cse_userrole_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"
